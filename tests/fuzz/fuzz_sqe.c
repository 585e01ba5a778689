// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sqe.c - admin and block SQEs -> nvmev_admin_decode() and
 * nvmev_io_check_common() + nvmev_blk_decode() (admin.c, io.c).
 *
 * The input is records of a control byte and a 64-byte SQE. Bit 0 of the
 * control byte picks admin or I/O; for admin commands a model of the
 * controller's queues evolves as the executors would change it (create,
 * delete, AERs), so sequences reach the state-dependent checks: create
 * twice, delete a CQ that still has SQs, SQs on deleted CQs. Checked after
 * every command: a failure carries DNR, a known status and an in-SQE error
 * location; a success satisfies every promise the executors rely on (ids
 * in range and free or live as needed, sizes within MQES, aligned queue
 * memory, log ranges inside the log, transfers within MDTS, no overflow;
 * FIDs, LIDs and CNS values in admin.c's tables and within their rules;
 * namespaces valid, active (or allocated, for CNS 10h/11h/1Ah/1Bh) and
 * of the command set asked for, as the first input byte configures
 * namespace 2 of the KV command set: absent, active or inactive, and the
 * second namespaces 3..6 as Namespace Management leaves them: allocated,
 * attached or not, block or KV; Namespace Management and Attachment name
 * only allocated NSIDs, never delete namespace 1), and the model never
 * has an SQ on a missing CQ.
 */
#include "nvmev.h"
#include "fuzz_util.h"

struct model {
	struct nvmev_admin_state st;
	bool kv; /* namespace 2 (KV command set) exists */
	bool kv_active; /* ... and is active (CC.CSS = 110b) */
	u32 kv_mask; /* bit n: namespace n is a KV one */
	u16 sq_cq[NVMEV_MAX_QUEUES]; /* CQ of each live SQ */
	u32 cq_sqs[NVMEV_MAX_QUEUES]; /* SQs on each CQ */
};

static bool live(u64 mask, u32 qid)
{
	return qid < 64 && (mask >> qid) & 1;
}

static bool status_known(u16 status)
{
	static const u16 codes[] = {
		NVMEV_SC_INVALID_OPCODE,
		NVMEV_SC_INVALID_FIELD,
		NVMEV_SC_INVALID_NS,
		NVMEV_SC_CMD_SEQ_ERROR,
		NVMEV_SC_PRP_INVALID_OFFSET,
		NVMEV_SC_LBA_RANGE,
		NVMEV_SC_CQ_INVALID,
		NVMEV_SC_QID_INVALID,
		NVMEV_SC_QUEUE_SIZE,
		NVMEV_SC_ASYNC_LIMIT,
		NVMEV_SC_INVALID_VECTOR,
		NVMEV_SC_INVALID_LOG_PAGE,
		NVMEV_SC_INVALID_FORMAT,
		NVMEV_SC_INVALID_QUEUE_DELETION,
		NVMEV_SC_FEATURE_NOT_SAVEABLE,
		NVMEV_SC_FEATURE_NOT_CHANGEABLE,
		NVMEV_SC_IOCS_COMBINATION_REJECTED,
		NVMEV_SC_INVALID_IOCS,
		NVMEV_SC_CMD_SIZE_LIMIT, /* Copy: MSRC, MSSRL, MCL */
		NVMEV_SC_IOCS_NOT_SUPPORTED, /* Namespace Management */
	};
	unsigned int i;

	if (!(status & NVMEV_SC_DNR) ||
	    (status & ~(NVMEV_SC_DNR | NVMEV_SC_MASK)))
		return false;
	for (i = 0; i < ARRAY_SIZE(codes); i++)
		if ((status & NVMEV_SC_MASK) == codes[i])
			return true;
	return false;
}

static void model_check(const struct model *m)
{
	u32 qid, sqs[NVMEV_MAX_QUEUES] = { 0 };

	FZ_ASSERT(!(m->st.sq_live & 1) && !(m->st.cq_live & 1));
	for (qid = 1; qid < NVMEV_MAX_QUEUES; qid++) {
		if (!live(m->st.sq_live, qid))
			continue;
		FZ_ASSERT(qid <= m->st.nr_io_queues);
		FZ_ASSERT(live(m->st.cq_live, m->sq_cq[qid]));
		sqs[m->sq_cq[qid]]++;
	}
	for (qid = 1; qid < NVMEV_MAX_QUEUES; qid++) {
		FZ_ASSERT(sqs[qid] == m->cq_sqs[qid]);
		FZ_ASSERT(live(m->st.cq_busy, qid) == (sqs[qid] > 0));
	}
	FZ_ASSERT(m->st.nr_aers <= NVMEV_AERL + 1);
}

static void queue_checks(const struct nvmev_admin_cmd *c, const struct model *m,
			 bool is_sq)
{
	FZ_ASSERT(c->queue.qid >= 1 && c->queue.qid <= m->st.nr_io_queues);
	FZ_ASSERT(!live(is_sq ? m->st.sq_live : m->st.cq_live, c->queue.qid));
	FZ_ASSERT(c->queue.size >= 2 && c->queue.size <= NVMEV_MQES + 1);
	FZ_ASSERT(!(c->prp1 & (NVMEV_PAGE_SIZE - 1)));
	if (is_sq)
		FZ_ASSERT(live(m->st.cq_live, c->queue.cqid));
	else
		FZ_ASSERT(c->queue.vector < NVMEV_MSIX_VECTORS);
}

/* Is @csi one of the controller's command sets (KV: with namespace 2)? */
static bool csi_ok(const struct model *m, u8 csi)
{
	return csi == NVMEV_CSI_NVM || (m->kv && csi == NVMEV_CSI_KV);
}

static bool bit(u32 mask, u32 nsid)
{
	return nsid < 32 && (mask >> nsid) & 1;
}

/* An Identify the executor will answer: its NSID, CSI and list hold. */
static void identify_checks(const struct nvmev_admin_cmd *c,
			    const struct model *m)
{
	u8 cns = c->identify.cns;
	const struct nvmev_cns_desc *d = nvmev_cns_find(cns);
	bool alloc_cns = d && (d->flags & NVMEV_CNS_F_ALLOC);
	bool active = bit(m->st.ns_active, c->nsid);
	bool present = alloc_cns ? bit(m->st.ns_alloc, c->nsid) : active;

	FZ_ASSERT(d);
	if (c->identify.common) { /* CNS 00h, FFFFFFFFh: no namespace's */
		FZ_ASSERT(cns == NVMEV_CNS_NS && c->nsid == 0xffffffff);
		return;
	}
	if (d->flags & NVMEV_CNS_F_NSID) {
		FZ_ASSERT(c->nsid >= 1 && c->nsid <= m->st.nn &&
			  c->nsid <= NVMEV_MAX_NSID);
		FZ_ASSERT(c->identify.zero == !present);
	}
	if ((cns == NVMEV_CNS_NS || cns == NVMEV_CNS_ALLOC_NS) && present)
		FZ_ASSERT(m->st.ns_csi[c->nsid] == NVMEV_CSI_NVM);
	if (cns == NVMEV_CNS_NS_DESC_LIST)
		FZ_ASSERT(active);
	if (d->flags & NVMEV_CNS_F_CSI)
		FZ_ASSERT(csi_ok(m, c->identify.csi));
	if ((d->flags & NVMEV_CNS_F_CSI) && (d->flags & NVMEV_CNS_F_NSID) &&
	    present)
		FZ_ASSERT(c->identify.csi == m->st.ns_csi[c->nsid]);
	if (d->flags & NVMEV_CNS_F_LIST) {
		FZ_ASSERT(!(c->identify.list &
			    ~(alloc_cns ? m->st.ns_alloc : m->st.ns_active)));
		FZ_ASSERT(!(c->identify.list & ((2u << (c->nsid & 31)) - 1)) ||
			  c->nsid > 31);
	}
	/* controller lists: ours (ID 1) only where the NSID is attached */
	if (cns == NVMEV_CNS_CTRL_LIST_NS)
		FZ_ASSERT(c->nsid != 0xffffffff &&
			  (!c->identify.listed || bit(m->st.ns_attached, c->nsid)));
	if (c->identify.listed)
		FZ_ASSERT(cns == NVMEV_CNS_CTRL_LIST_NS ||
			  cns == NVMEV_CNS_CTRL_LIST);
}

/* Namespace Management and Attachment: what the executors may rely on. */
static void ns_checks(const struct nvmev_admin_cmd *c, const struct model *m)
{
	if (c->opcode == NVMEV_ADM_NS_MGMT && c->ns.sel == 0) {
		FZ_ASSERT(csi_ok(m, c->ns.csi));
		return;
	}
	FZ_ASSERT(c->ns.sel <= 1);
	FZ_ASSERT(!(c->ns.mask & ~m->st.ns_alloc));
	if (c->opcode == NVMEV_ADM_NS_MGMT)
		FZ_ASSERT(!(c->ns.mask & m->st.ns_fixed));
	if (c->nsid != 0xffffffff)
		FZ_ASSERT(c->ns.mask == 1u << c->nsid &&
			  c->nsid <= NVMEV_MAX_NSID);
	else
		FZ_ASSERT(c->opcode == NVMEV_ADM_NS_MGMT);
}

/* What the executors do to the state, and the promises they rely on. */
static void admin_apply(struct model *m, const struct nvmev_admin_cmd *c)
{
	u16 qid = c->queue.qid;

	switch (c->opcode) {
	case NVMEV_ADM_CREATE_CQ:
		queue_checks(c, m, false);
		m->st.cq_live |= 1ULL << qid;
		break;
	case NVMEV_ADM_CREATE_SQ:
		queue_checks(c, m, true);
		m->st.sq_live |= 1ULL << qid;
		m->sq_cq[qid] = c->queue.cqid;
		m->cq_sqs[c->queue.cqid]++;
		m->st.cq_busy |= 1ULL << c->queue.cqid;
		break;
	case NVMEV_ADM_DELETE_SQ:
		FZ_ASSERT(qid >= 1 && live(m->st.sq_live, qid));
		m->st.sq_live &= ~(1ULL << qid);
		if (!--m->cq_sqs[m->sq_cq[qid]])
			m->st.cq_busy &= ~(1ULL << m->sq_cq[qid]);
		break;
	case NVMEV_ADM_DELETE_CQ:
		FZ_ASSERT(qid >= 1 && live(m->st.cq_live, qid));
		FZ_ASSERT(!m->cq_sqs[qid]);
		m->st.cq_live &= ~(1ULL << qid);
		break;
	case NVMEV_ADM_GET_LOG_PAGE:
		FZ_ASSERT(c->log.size && c->log.size <= NVMEV_PAGE_SIZE);
		FZ_ASSERT(nvmev_log_find(c->log.lid));
		FZ_ASSERT(c->log.size == nvmev_log_page_size(c->log.lid));
		FZ_ASSERT(c->log.len >= 4 && c->log.len <= NVMEV_MAX_XFER);
		FZ_ASSERT(c->log.off < c->log.size && !(c->log.off & 3));
		if (c->log.lid == NVMEV_LOG_CMD_EFFECTS)
			FZ_ASSERT(csi_ok(m, c->log.csi));
		break;
	case NVMEV_ADM_IDENTIFY:
		identify_checks(c, m);
		break;
	case NVMEV_ADM_GET_FEATURES:
		FZ_ASSERT(nvmev_feat_find(c->feat.fid));
		if (c->feat.fid == NVMEV_FEAT_KV_CONFIG)
			FZ_ASSERT(c->nsid == 0xffffffff ?
					  (m->st.ns_active & m->kv_mask) != 0 :
					  bit(m->st.ns_active & m->kv_mask,
					      c->nsid));
		FZ_ASSERT(c->feat.fid < NVMEV_FEAT_VALUES);
		FZ_ASSERT(c->feat.sel <= NVMEV_FEAT_SEL_SUPPORTED);
		break;
	case NVMEV_ADM_NS_MGMT:
	case NVMEV_ADM_NS_ATTACH:
		ns_checks(c, m);
		break;
	case NVMEV_ADM_SET_FEATURES:
		FZ_ASSERT(nvmev_feat_find(c->feat.fid) &&
			  nvmev_feat_find(c->feat.fid)->changeable);
		FZ_ASSERT(c->feat.fid < NVMEV_FEAT_VALUES);
		FZ_ASSERT(c->feat.fid != NVMEV_FEAT_KATO); /* KAS = 0 */
		if (c->feat.fid == NVMEV_FEAT_IOCS_PROFILE)
			FZ_ASSERT(c->feat.value == 0);
		if (c->feat.fid == NVMEV_FEAT_KV_CONFIG)
			FZ_ASSERT(!(c->feat.value & ~NVMEV_KV_CONFIG_EDNEK));
		if (c->feat.fid == NVMEV_FEAT_NUM_QUEUES)
			FZ_ASSERT(!m->st.sq_live && !m->st.cq_live);
		break;
	case NVMEV_ADM_GET_LBA_STATUS: /* a block namespace, a range in it */
		FZ_ASSERT(c->nsid >= 1 && c->nsid <= NVMEV_MAX_NSID);
		FZ_ASSERT((m->st.ns_active >> c->nsid) & 1);
		FZ_ASSERT(m->st.ns_csi[c->nsid] == NVMEV_CSI_NVM);
		FZ_ASSERT(c->lba_status.atype == NVMEV_GLS_ATYPE_SCAN ||
			  c->lba_status.atype == NVMEV_GLS_ATYPE_TRACKED);
		FZ_ASSERT(c->lba_status.len >= 4 &&
			  c->lba_status.len <= NVMEV_MAX_XFER &&
			  !(c->lba_status.len & 3));
		FZ_ASSERT(c->lba_status.slba < m->st.ns_blocks[c->nsid]);
		FZ_ASSERT(c->lba_status.nlb >= 1 &&
			  c->lba_status.nlb <= m->st.ns_blocks[c->nsid] -
						       c->lba_status.slba);
		break;
	case NVMEV_ADM_ASYNC_EVENT:
		FZ_ASSERT(m->st.nr_aers <= NVMEV_AERL);
		m->st.nr_aers++;
		break;
	}
}

static void fuzz_admin(struct model *m, const u32 *sqe, u8 ctl)
{
	struct nvmev_admin_cmd cmd;
	u16 status;

	if (ctl & 0x80) /* an event completed one AER */
		m->st.nr_aers -= !!m->st.nr_aers;
	status = nvmev_admin_decode(sqe, &m->st, &cmd);
	FZ_ASSERT(cmd.opcode == nvmev_sqe_opcode(sqe));
	FZ_ASSERT(cmd.cid == nvmev_sqe_cid(sqe));
	if (status) {
		FZ_ASSERT(status_known(status));
		FZ_ASSERT(cmd.param_loc < 64);
	} else {
		FZ_ASSERT(!nvmev_sqe_psdt(sqe));
		admin_apply(m, &cmd);
	}
	model_check(m);
}

static bool blk_opcode(u8 op)
{
	unsigned int i;

	for (i = 0; i < nvmev_nr_blk_cmds; i++)
		if (nvmev_blk_cmds[i].opcode == op)
			return true;
	return false;
}

static bool io_opcode_known(u8 op)
{
	/* the block commands and the KV command set's opcodes */
	return blk_opcode(op) || op == 0x81 || op == 0x83 || op == 0x90 ||
	       op == 0xa1 || op == 0xb1 || op == 0xb2 || op == 0xb3;
}

/*
 * The range lists of DSM and Copy, made of the SQE's own bytes: every
 * accepted range lies in the namespace, a Copy never beyond MSSRL / MCL.
 */
static void fuzz_ranges(const u32 *sqe, u64 nb)
{
	const u8 *b = (const u8 *)sqe;
	struct nvmev_blk_range r;
	u64 total = 0, before;
	unsigned int off;
	u16 status;

	for (off = 0; off + 16 <= 64; off += 8) {
		status = nvmev_dsm_range_check(b + off, nb, &r);
		if (status) {
			FZ_ASSERT(status == (NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR));
			continue;
		}
		FZ_ASSERT(!r.nlb || (r.slba < nb && r.nlb <= nb - r.slba));
	}
	for (off = 0; off + 32 <= 64; off += 4) {
		before = total;
		status = nvmev_copy_range_check(b + off, nb, &total, &r);
		if (status) {
			FZ_ASSERT(status_known(status));
			FZ_ASSERT(total == before);
			continue;
		}
		FZ_ASSERT(r.nlb >= 1 && r.nlb <= NVMEV_COPY_MSSRL);
		FZ_ASSERT(r.slba < nb && r.nlb <= nb - r.slba);
		FZ_ASSERT(total == before + r.nlb && total <= NVMEV_COPY_MCL);
	}
	status = nvmev_copy_dest_check(((u64)sqe[11] << 32) | sqe[10], total,
				       nb);
	FZ_ASSERT(!status || status == (NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR));
}

static bool map_bit(const u64 *map, u64 b)
{
	return (map[b / 64] >> (b % 64)) & 1;
}

/*
 * The SQE's 512 bits as an uncorrectable bitmap (Get LBA Status): every
 * run nvmev_bits_runs() lists is set, maximal within the range, in order,
 * inside the range and the room given; "more" exactly when the room ran
 * out before the last set bit of the range.
 */
static void fuzz_runs(const u32 *sqe, u8 ctl)
{
	struct nvmev_lba_run runs[8];
	u64 map[8], nbits = 1 + sqe[0] % 512, start = sqe[1] % 600, end;
	u64 n = ctl & 0x40 ? ~0ULL : sqe[2] % 600, pos, s, e;
	u32 max = (ctl >> 1) & 7, nr, i;
	bool more, left = false;

	memcpy(map, sqe, sizeof(map));
	end = start < nbits ? start + (n < nbits - start ? n : nbits - start) :
			      start;
	nr = nvmev_bits_runs(map, nbits, start, n, runs, max, &more);
	FZ_ASSERT(nr <= max);
	for (i = 0, pos = start; i < nr; i++, pos = e) {
		s = runs[i].slba;
		e = s + runs[i].nlb;
		FZ_ASSERT(runs[i].nlb >= 1 && s >= pos && e <= end);
		FZ_ASSERT(!i || s > pos); /* a gap between two runs */
		FZ_ASSERT(s == start || !map_bit(map, s - 1));
		FZ_ASSERT(e == end || !map_bit(map, e));
		for (; pos < s; pos++) /* none skipped */
			FZ_ASSERT(!map_bit(map, pos));
		for (; pos < e; pos++)
			FZ_ASSERT(map_bit(map, pos));
	}
	for (; pos < end; pos++)
		left |= map_bit(map, pos);
	FZ_ASSERT(more == left && (!more || nr == max));
}

static void fuzz_io(const u32 *sqe, u8 ctl)
{
	/* namespace sizes from tiny to absurd, to reach the overflow edges */
	static const u64 ns_sizes[] = { 1,	    8,		4096,
					1ULL << 21, 1ULL << 40, ~0ULL >> 9,
					~0ULL - 1,  ~0ULL };
	u64 nb = ns_sizes[(ctl >> 1) & 7];
	u8 op = nvmev_sqe_opcode(sqe);
	struct nvmev_blk_cmd bc;
	u16 loc = 0xffff, status;

	fuzz_ranges(sqe, nb);
	fuzz_runs(sqe, ctl);
	status = nvmev_io_check_common(sqe, io_opcode_known(op), sqe[1] == 1,
				       &loc);
	if (!status && blk_opcode(op))
		status = nvmev_blk_decode(sqe, nb, &bc, &loc);
	if (status) {
		FZ_ASSERT(status_known(status));
		FZ_ASSERT(loc < 64);
		return;
	}
	FZ_ASSERT(io_opcode_known(op) && !nvmev_sqe_psdt(sqe));
	FZ_ASSERT(sqe[1] == NVMEV_NSID ||
		  (op == NVMEV_IO_FLUSH && sqe[1] == 0xffffffff));
	if (!blk_opcode(op) || op == NVMEV_IO_FLUSH)
		return;
	if (op == NVMEV_IO_DSM || op == NVMEV_IO_COPY) {
		FZ_ASSERT(bc.nr >= 1 && bc.nr <= NVMEV_DSM_MAX_RANGES);
		FZ_ASSERT(!bc.nlb && !bc.bytes);
		if (op == NVMEV_IO_COPY) {
			FZ_ASSERT(bc.nr <= NVMEV_COPY_MSRC + 1);
			FZ_ASSERT(bc.slba < nb);
			FZ_ASSERT(bc.xfer == bc.nr * NVMEV_COPY_RANGE_BYTES);
		} else {
			FZ_ASSERT(bc.xfer == bc.nr * NVMEV_DSM_RANGE_BYTES);
		}
		FZ_ASSERT(bc.xfer <= NVMEV_PAGE_SIZE * 2);
		return;
	}
	FZ_ASSERT(bc.nlb >= 1 && bc.nlb <= 0x10000);
	FZ_ASSERT(bc.slba < nb && bc.nlb <= nb - bc.slba);
	FZ_ASSERT(bc.bytes == bc.nlb << NVMEV_LBA_SHIFT);
	if (op == NVMEV_IO_READ || op == NVMEV_IO_WRITE ||
	    op == NVMEV_IO_COMPARE)
		FZ_ASSERT(bc.bytes <= NVMEV_MAX_XFER && bc.xfer == bc.bytes);
	else
		FZ_ASSERT(bc.xfer == 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct model m = { .st.nr_io_queues = 1 };
	u32 sqe[16];

	if (size < 1)
		return 0;
	m.st.nr_io_queues = 1 + data[0] % NVMEV_MAX_IO_QUEUES;
	/* bits 6-7: namespace 2 absent (0, 1), active (2), inactive (3) */
	m.kv = data[0] >> 7;
	m.kv_active = (data[0] >> 6) == 2;
	m.st.nn = NVMEV_MAX_NSID; /* Namespace Management */
	m.st.ns_fixed = 1u << NVMEV_NSID;
	m.st.kv_capable = m.kv;
	m.st.ns_active = 1u << NVMEV_NSID |
			 (m.kv_active ? 1u << NVMEV_NSID_KV : 0);
	m.st.ns_attached = 1u << NVMEV_NSID | (m.kv ? 1u << NVMEV_NSID_KV : 0);
	m.st.ns_alloc = m.st.ns_attached;
	m.st.ns_csi[NVMEV_NSID_KV] = m.kv ? NVMEV_CSI_KV : NVMEV_CSI_NVM;
	m.kv_mask = m.kv ? 1u << NVMEV_NSID_KV : 0;
	/* namespace 1: 1 block to absurd, for Get LBA Status's SLBA and RL */
	m.st.ns_blocks[NVMEV_NSID] = (data[0] & 8) ? 1 + (data[0] & 7) :
						     ~0ULL >> (data[0] & 7) * 9;
	data++;
	size--;
	/* namespaces 3..6 made by Namespace Management: allocated, attached
	 * or not, block or (with the KV set) KV, from the next byte */
	if (size >= 1) {
		u32 n;

		for (n = 3; n <= 6; n++) {
			u8 b = data[0] >> (2 * (n - 3));

			if (!(b & 1))
				continue;
			m.st.ns_alloc |= 1u << n;
			if (b & 2) {
				m.st.ns_attached |= 1u << n;
				m.st.ns_active |= 1u << n;
			}
			if (m.kv && n == 5) {
				m.st.ns_csi[n] = NVMEV_CSI_KV;
				m.kv_mask |= 1u << n;
				if (!m.kv_active)
					m.st.ns_active &= ~(1u << n);
			} else /* a block namespace: its size */
				m.st.ns_blocks[n] = 1000 * n + 1;
		}
		data++;
		size--;
	}
	while (size >= 65) {
		u8 ctl = data[0];

		memcpy(sqe, data + 1, 64);
		if (ctl & 1)
			fuzz_io(sqe, ctl);
		else
			fuzz_admin(&m, sqe, ctl);
		data += 65;
		size -= 65;
	}
	return 0;
}
