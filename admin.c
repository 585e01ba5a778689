// SPDX-License-Identifier: GPL-2.0
/*
 * admin.c - the admin queue: every admin command the Linux nvme driver and
 * nvme-cli send. Runs on the dispatcher thread, one command at a time, so
 * controller state touched here needs no lock of its own.
 *
 * Every command is first decoded and checked by nvmev_admin_decode(), which
 * is pure (no kernel state beyond a small nvmev_admin_state view) so the
 * unit tests and fuzz_sqe run it in user space. A bad field gets a precise
 * status (with DNR) and its byte offset for the Error Information log. The
 * executors below it then act on checked fields only; one table of opcodes
 * drives dispatch and the Commands Supported and Effects log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#ifdef __KERNEL__
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#endif
#include "nvmev.h"
#include "kv_ftl.h"

/* ---------------------------------------------------------------------- */
/* Decoding (pure) */

#define CDW_LOC NVMEV_CDW_LOC

static u16 bad(struct nvmev_admin_cmd *cmd, u16 status, u16 loc)
{
	cmd->param_loc = loc;
	return status | NVMEV_SC_DNR;
}

/* ---------------------------------------------------------------------- */
/* Namespaces and command sets, as the controller state says */

#define NSID_ALL 0xffffffffu

static bool nsid_valid(const struct nvmev_admin_state *st, u32 nsid)
{
	return nsid && nsid <= st->nn && nsid <= NVMEV_MAX_NSID;
}

static bool ns_active(const struct nvmev_admin_state *st, u32 nsid)
{
	return nsid_valid(st, nsid) && (st->ns_active & (1u << nsid));
}

static bool ns_allocated(const struct nvmev_admin_state *st, u32 nsid)
{
	return nsid_valid(st, nsid) && (st->ns_alloc & (1u << nsid));
}

/**
 * nvmev_iocs_supported - the I/O command sets this controller has
 * @st: the controller state
 *
 * Those of its valid namespaces (active or not: CC.CSS decides that), as
 * the I/O Command Set data structure (CNS 1Ch) reports them in vector 0.
 *
 * Return: bit n set for CSI n.
 */
u64 nvmev_iocs_supported(const struct nvmev_admin_state *st)
{
	u64 iocs = 1ULL << NVMEV_CSI_NVM;
	u32 nsid;

	if (st->kv_capable)
		iocs |= 1ULL << NVMEV_CSI_KV;
	for (nsid = 1; nsid_valid(st, nsid); nsid++)
		if (st->ns_csi[nsid] < 64)
			iocs |= 1ULL << st->ns_csi[nsid];
	return iocs;
}

static bool csi_supported(const struct nvmev_admin_state *st, u8 csi)
{
	return csi < 64 && (nvmev_iocs_supported(st) & (1ULL << csi));
}

/* A KV namespace, for the Key Value Configuration feature (20h). */
static bool kv_ns_active(const struct nvmev_admin_state *st, u32 nsid)
{
	return ns_active(st, nsid) && st->ns_csi[nsid] == NVMEV_CSI_KV;
}

/* The first active KV namespace (NSID FFFFFFFFh's for feature 20h), or 0 */
static u32 kv_nsid(const struct nvmev_admin_state *st)
{
	u32 nsid;

	for (nsid = 1; nsid_valid(st, nsid); nsid++)
		if (kv_ns_active(st, nsid))
			return nsid;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The tables: features, log pages, Identify CNS values (see nvmev.h) */

/* Only during initialization: not once an I/O queue exists. */
static u16 check_num_queues(const struct nvmev_admin_state *st, bool set,
			    struct nvmev_admin_cmd *cmd)
{
	u32 v = cmd->feat.value;

	if (!set)
		return NVMEV_SC_SUCCESS;
	if (st->sq_live || st->cq_live)
		return bad(cmd, NVMEV_SC_CMD_SEQ_ERROR, CDW_LOC(10));
	if ((v & 0xffff) == 0xffff || (v >> 16) == 0xffff) /* 65536 queues */
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11));
	return NVMEV_SC_SUCCESS;
}

/* Only power state 0 exists (NPSS = 0). */
static u16 check_power_state(const struct nvmev_admin_state *st __maybe_unused,
			     bool set, struct nvmev_admin_cmd *cmd)
{
	if (set && (cmd->feat.value & 0x1f))
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11));
	return NVMEV_SC_SUCCESS;
}

/* CDW11 names an interrupt vector, in Get and in Set. */
static u16 check_irq_vector(const struct nvmev_admin_state *st __maybe_unused,
			    bool set __maybe_unused,
			    struct nvmev_admin_cmd *cmd)
{
	if ((cmd->feat.value & 0xffff) >= NVMEV_MSIX_VECTORS)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11));
	return NVMEV_SC_SUCCESS;
}

/*
 * I/O Command Set Profile: CNS 1Ch reports one combination, index 0, the
 * one in use; any other index is I/O Command Set Combination Rejected.
 */
static u16 check_iocs_profile(const struct nvmev_admin_state *st __maybe_unused,
			      bool set, struct nvmev_admin_cmd *cmd)
{
	u32 v = cmd->feat.value;

	if (!set)
		return NVMEV_SC_SUCCESS;
	if (v & ~NVMEV_IOCS_PROFILE_IOCSCI)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11));
	if (v)
		return bad(cmd, NVMEV_SC_IOCS_COMBINATION_REJECTED,
			   CDW_LOC(11));
	return NVMEV_SC_SUCCESS;
}

/*
 * Key Value Configuration, per KV namespace: NSID that namespace (active)
 * or all namespaces; bit 0 (EDNEK) is the only field.
 */
static u16 check_kv_config(const struct nvmev_admin_state *st, bool set,
			   struct nvmev_admin_cmd *cmd)
{
	u32 nsid = cmd->nsid;

	if (nsid != NSID_ALL && !nsid_valid(st, nsid))
		return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
	if (!kv_ns_active(st, nsid == NSID_ALL ? kv_nsid(st) : nsid))
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(1));
	if (set && (cmd->feat.value & ~NVMEV_KV_CONFIG_EDNEK))
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11));
	return NVMEV_SC_SUCCESS;
}

/*
 * No Keep Alive Timer (KAS = 0): a PCIe controller need not have one, and
 * Linux's PCIe admin queue has no reserved tag for the driver's keep-alive.
 * No Host Memory Buffer, APST, LBA Range Type or thermal management either.
 */
static const struct nvmev_feat_desc feat_table[] = {
	{ NVMEV_FEAT_ARBITRATION, true, 0, NULL, 0 },
	{ NVMEV_FEAT_POWER_MGMT, true, 0, check_power_state, 0 },
	{ NVMEV_FEAT_TEMP_THRESH, true, NVMEV_WCTEMP_K, NULL, 0 },
	{ NVMEV_FEAT_ERR_RECOVERY, true, 0, NULL, 0 },
	{ NVMEV_FEAT_VOLATILE_WC, true, 1, NULL, 0 },
	{ NVMEV_FEAT_NUM_QUEUES, true, 0, check_num_queues, 0 },
	{ NVMEV_FEAT_IRQ_COALESCE, true, 0, NULL, 0 },
	{ NVMEV_FEAT_IRQ_CONFIG, true, 0, check_irq_vector, 0 },
	{ NVMEV_FEAT_WRITE_ATOMIC, true, 0, NULL, 0 },
	{ NVMEV_FEAT_ASYNC_EVENT, true, 0, NULL, 0 },
	{ NVMEV_FEAT_TIMESTAMP, true, 0, NULL, 0 },
	{ NVMEV_FEAT_IOCS_PROFILE, true, 0, check_iocs_profile, 0 },
	{ NVMEV_FEAT_KV_CONFIG, true, 0, check_kv_config,
	  NVMEV_FEAT_F_NS | NVMEV_FEAT_F_KV },
};

static const struct nvmev_log_desc log_table[] = {
	{ NVMEV_LOG_SUPPORTED, 0, 1024 },
	{ NVMEV_LOG_ERROR, 0, NVMEV_ERR_LOG_ENTRIES * 64 },
	{ NVMEV_LOG_SMART, 0, 512 },
	{ NVMEV_LOG_FW_SLOT, 0, 512 },
	{ NVMEV_LOG_CHANGED_NS, 0, 4096 },
	{ NVMEV_LOG_CMD_EFFECTS, NVMEV_LOG_F_CSI, 4096 },
	{ NVMEV_LOG_LBA_STATUS, 0, NVMEV_PAGE_SIZE }, /* LSLPLEN: its part */
	{ NVMEV_LOG_FID_EFFECTS, 0, 1024 },
	{ NVMEV_LOG_SANITIZE, 0, 512 },
};

/*
 * A namespace structure of an inactive NSID is zero-filled (NVMe 2.0); one
 * of a command set the namespace does not have is Invalid I/O Command Set.
 */
static const struct nvmev_cns_desc cns_table[] = {
	{ NVMEV_CNS_NS, NVMEV_CNS_F_NSID | NVMEV_CNS_F_ZERO | NVMEV_CNS_F_NVM },
	{ NVMEV_CNS_CTRL, 0 },
	{ NVMEV_CNS_NS_ACTIVE_LIST, NVMEV_CNS_F_LIST },
	{ NVMEV_CNS_NS_DESC_LIST, NVMEV_CNS_F_NSID },
	{ NVMEV_CNS_CS_NS,
	  NVMEV_CNS_F_NSID | NVMEV_CNS_F_CSI | NVMEV_CNS_F_ZERO },
	{ NVMEV_CNS_CS_CTRL, NVMEV_CNS_F_CSI },
	{ NVMEV_CNS_CS_NS_ACTIVE_LIST, NVMEV_CNS_F_LIST | NVMEV_CNS_F_CSI },
	{ NVMEV_CNS_NS_CS_INDEP, NVMEV_CNS_F_NSID | NVMEV_CNS_F_ZERO },
	{ NVMEV_CNS_ALLOC_LIST, NVMEV_CNS_F_LIST | NVMEV_CNS_F_ALLOC },
	{ NVMEV_CNS_ALLOC_NS, NVMEV_CNS_F_NSID | NVMEV_CNS_F_ZERO |
				      NVMEV_CNS_F_NVM | NVMEV_CNS_F_ALLOC },
	{ NVMEV_CNS_CTRL_LIST_NS, NVMEV_CNS_F_CTRLS },
	{ NVMEV_CNS_CTRL_LIST, NVMEV_CNS_F_CTRLS },
	{ NVMEV_CNS_CS_ALLOC_LIST,
	  NVMEV_CNS_F_LIST | NVMEV_CNS_F_CSI | NVMEV_CNS_F_ALLOC },
	{ NVMEV_CNS_CS_ALLOC_NS, NVMEV_CNS_F_NSID | NVMEV_CNS_F_CSI |
					 NVMEV_CNS_F_ZERO | NVMEV_CNS_F_ALLOC },
	{ NVMEV_CNS_CMD_SET, 0 },
};

const struct nvmev_feat_desc *nvmev_feat_find(u8 fid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(feat_table); i++)
		if (feat_table[i].fid == fid)
			return &feat_table[i];
	return NULL;
}

const struct nvmev_log_desc *nvmev_log_find(u8 lid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(log_table); i++)
		if (log_table[i].lid == lid)
			return &log_table[i];
	return NULL;
}

const struct nvmev_cns_desc *nvmev_cns_find(u8 cns)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cns_table); i++)
		if (cns_table[i].cns == cns)
			return &cns_table[i];
	return NULL;
}

/* Size of a log page this controller has, in bytes (0: none). */
u32 nvmev_log_page_size(u8 lid)
{
	const struct nvmev_log_desc *d = nvmev_log_find(lid);

	return d ? d->size : 0;
}

/**
 * nvmev_id_caps - the Identify Controller fields that follow from the tables
 * @caps: filled in
 *
 * Get Features SEL and Set Features SV are always decoded (SV answered
 * with Feature Not Saveable), so ONCS advertises Save/Select; offsets in
 * Get Log Page are always honoured (LPA extended data).
 */
void nvmev_id_caps(struct nvmev_id_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->lpa = NVMEV_LPA_EXT_DATA;
	if (nvmev_log_find(NVMEV_LOG_CMD_EFFECTS))
		caps->lpa |= NVMEV_LPA_CMD_EFFECTS;
	if (nvmev_log_find(NVMEV_LOG_SUPPORTED))
		caps->lpa |= NVMEV_LPA_SUPPORTED_LOGS;
	caps->elpe = nvmev_log_page_size(NVMEV_LOG_ERROR) / 64 - 1;
	caps->oncs = NVMEV_ONCS_SAVE_SELECT | nvmev_blk_oncs();
	if (nvmev_feat_find(NVMEV_FEAT_TIMESTAMP))
		caps->oncs |= NVMEV_ONCS_TIMESTAMP;
	if (nvmev_feat_find(NVMEV_FEAT_VOLATILE_WC))
		caps->vwc = NVMEV_VWC_PRESENT;
	if (nvmev_feat_find(NVMEV_FEAT_KATO))
		caps->kas = 1;
}

/*
 * The active (or, @alloc, allocated) NSIDs above @start (of command set
 * @csi, unless @any_csi).
 */
static u32 ns_list(const struct nvmev_admin_state *st, u32 start, bool alloc,
		   bool any_csi, u8 csi)
{
	u32 nsid, list = 0;

	for (nsid = 1; nsid_valid(st, nsid); nsid++)
		if (nsid > start &&
		    (alloc ? ns_allocated(st, nsid) : ns_active(st, nsid)) &&
		    (any_csi || st->ns_csi[nsid] == csi))
			list |= 1u << nsid;
	return list;
}

/* A namespace structure: which answer the NSID (and CSI) gets. */
static u16 decode_identify_ns(const struct nvmev_cns_desc *d,
			      const struct nvmev_admin_state *st,
			      struct nvmev_admin_cmd *cmd)
{
	u32 nsid = cmd->nsid;
	bool present = d->flags & NVMEV_CNS_F_ALLOC ? ns_allocated(st, nsid) :
						      ns_active(st, nsid);

	if (!present) {
		if (!(d->flags & NVMEV_CNS_F_ZERO))
			return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(1));
		cmd->identify.zero = true;
		return NVMEV_SC_SUCCESS;
	}
	if ((d->flags & NVMEV_CNS_F_CSI) &&
	    st->ns_csi[nsid] != cmd->identify.csi)
		return bad(cmd, NVMEV_SC_INVALID_IOCS, CDW_LOC(11) + 3);
	if ((d->flags & NVMEV_CNS_F_NVM) && st->ns_csi[nsid] != NVMEV_CSI_NVM)
		return bad(cmd, NVMEV_SC_INVALID_IOCS, CDW_LOC(1));
	return NVMEV_SC_SUCCESS;
}

/*
 * A controller list (CNS 12h: attached to the NSID; 13h: the subsystem's)
 * from controller ID CDW10.CNTID on. The subsystem has one controller; an
 * NSID not attached (inactive, unallocated) gets an empty list, as QEMU's
 * does; FFFFFFFFh names no namespace (Invalid Field).
 */
static u16 decode_identify_ctrls(const u32 *sqe,
				 const struct nvmev_admin_state *st,
				 struct nvmev_admin_cmd *cmd)
{
	bool attached = cmd->identify.cns == NVMEV_CNS_CTRL_LIST_NS;

	if (attached && cmd->nsid == 0xffffffff)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(1));
	cmd->identify.listed = (sqe[10] >> 16) <= NVMEV_CNTLID &&
			       (!attached || (nsid_valid(st, cmd->nsid) &&
					      (st->ns_attached & (1u << cmd->nsid))));
	return NVMEV_SC_SUCCESS;
}

static u16 decode_identify(const u32 *sqe, const struct nvmev_admin_state *st,
			   struct nvmev_admin_cmd *cmd)
{
	u8 cns = sqe[10] & 0xff;
	u8 csi = sqe[11] >> 24;
	const struct nvmev_cns_desc *d = nvmev_cns_find(cns);

	cmd->identify.cns = cns;
	cmd->identify.csi = csi;
	if (!d)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10));
	/* CNS 00h, FFFFFFFFh: what every namespace has (Namespace Management) */
	if (cns == NVMEV_CNS_NS && cmd->nsid == NSID_ALL) {
		cmd->identify.common = true;
		return NVMEV_SC_SUCCESS;
	}
	if ((d->flags & NVMEV_CNS_F_NSID) && !nsid_valid(st, cmd->nsid))
		return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
	if ((d->flags & NVMEV_CNS_F_LIST) && cmd->nsid >= 0xfffffffe)
		return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
	if ((d->flags & NVMEV_CNS_F_CSI) && !csi_supported(st, csi))
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11) + 3);
	if (d->flags & NVMEV_CNS_F_NSID)
		return decode_identify_ns(d, st, cmd);
	if (d->flags & NVMEV_CNS_F_CTRLS)
		return decode_identify_ctrls(sqe, st, cmd);
	if (d->flags & NVMEV_CNS_F_LIST)
		cmd->identify.list = ns_list(st, cmd->nsid,
					     d->flags & NVMEV_CNS_F_ALLOC,
					     !(d->flags & NVMEV_CNS_F_CSI), csi);
	if (cns == NVMEV_CNS_CMD_SET)
		cmd->identify.iocs = nvmev_iocs_supported(st);
	return NVMEV_SC_SUCCESS;
}

static u16 decode_get_log_page(const u32 *sqe,
			       const struct nvmev_admin_state *st,
			       struct nvmev_admin_cmd *cmd)
{
	u64 numd = ((u64)(sqe[11] & 0xffff) << 16 | (sqe[10] >> 16)) + 1;
	const struct nvmev_log_desc *d;

	cmd->log.lid = sqe[10] & 0xff;
	cmd->log.len = numd * 4;
	cmd->log.off = ((u64)sqe[13] << 32) | sqe[12];
	cmd->log.csi = sqe[14] >> 24;
	cmd->log.rae = sqe[10] & (1u << 15);
	if (cmd->log.len > NVMEV_MAX_XFER)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10) + 2);
	d = nvmev_log_find(cmd->log.lid);
	if (!d)
		return bad(cmd, NVMEV_SC_INVALID_LOG_PAGE, CDW_LOC(10));
	cmd->log.size = d->size;
	if ((d->flags & NVMEV_LOG_F_CSI) && !csi_supported(st, cmd->log.csi))
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(14) + 3);
	if ((cmd->log.off & 3) || cmd->log.off >= cmd->log.size)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(12));
	return NVMEV_SC_SUCCESS;
}

static bool qid_live(u64 mask, u16 qid)
{
	return qid < 64 && (mask & (1ULL << qid));
}

/* The fields Create I/O CQ and Create I/O SQ share, checked in one place. */
static u16 decode_new_queue(const u32 *sqe, const struct nvmev_admin_state *st,
			    bool is_sq, struct nvmev_admin_cmd *cmd)
{
	u16 qid = sqe[10] & 0xffff;

	cmd->queue.qid = qid;
	cmd->queue.size = (sqe[10] >> 16) + 1;
	if (!qid || qid > st->nr_io_queues ||
	    qid_live(is_sq ? st->sq_live : st->cq_live, qid))
		return bad(cmd, NVMEV_SC_QID_INVALID, CDW_LOC(10));
	if (cmd->queue.size < 2 || cmd->queue.size > NVMEV_MQES + 1)
		return bad(cmd, NVMEV_SC_QUEUE_SIZE, CDW_LOC(10) + 2);
	if (!(sqe[11] & 1)) /* PC: only physically contiguous queues */
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(11));
	if (cmd->prp1 & (NVMEV_PAGE_SIZE - 1))
		return bad(cmd, NVMEV_SC_PRP_INVALID_OFFSET, CDW_LOC(6));
	return NVMEV_SC_SUCCESS;
}

static u16 decode_create_cq(const u32 *sqe, const struct nvmev_admin_state *st,
			    struct nvmev_admin_cmd *cmd)
{
	u16 status = decode_new_queue(sqe, st, false, cmd);

	if (status)
		return status;
	cmd->queue.vector = sqe[11] >> 16;
	cmd->queue.irq_enabled = sqe[11] & 2;
	if (cmd->queue.vector >= NVMEV_MSIX_VECTORS)
		return bad(cmd, NVMEV_SC_INVALID_VECTOR, CDW_LOC(11) + 2);
	return NVMEV_SC_SUCCESS;
}

static u16 decode_create_sq(const u32 *sqe, const struct nvmev_admin_state *st,
			    struct nvmev_admin_cmd *cmd)
{
	u16 status = decode_new_queue(sqe, st, true, cmd);

	if (status)
		return status;
	cmd->queue.cqid = sqe[11] >> 16;
	cmd->queue.prio = (sqe[11] >> 1) & 0x3;
	if (!cmd->queue.cqid || cmd->queue.cqid > st->nr_io_queues ||
	    !qid_live(st->cq_live, cmd->queue.cqid))
		return bad(cmd, NVMEV_SC_CQ_INVALID, CDW_LOC(11) + 2);
	return NVMEV_SC_SUCCESS;
}

static u16 decode_delete_queue(const u32 *sqe,
			       const struct nvmev_admin_state *st, bool is_sq,
			       struct nvmev_admin_cmd *cmd)
{
	u16 qid = sqe[10] & 0xffff;

	cmd->queue.qid = qid;
	if (!qid || qid > st->nr_io_queues ||
	    !qid_live(is_sq ? st->sq_live : st->cq_live, qid))
		return bad(cmd, NVMEV_SC_QID_INVALID, CDW_LOC(10));
	if (!is_sq && qid_live(st->cq_busy, qid))
		return bad(cmd, NVMEV_SC_INVALID_QUEUE_DELETION, CDW_LOC(10));
	return NVMEV_SC_SUCCESS;
}

/* A feature this controller has now (KV ones: with a KV namespace). */
static const struct nvmev_feat_desc *
feat_present(const struct nvmev_admin_state *st, u8 fid)
{
	const struct nvmev_feat_desc *d = nvmev_feat_find(fid);

	if (d && (d->flags & NVMEV_FEAT_F_KV) && !st->kv_capable)
		return NULL;
	return d;
}

static u16 decode_set_features(const u32 *sqe,
			       const struct nvmev_admin_state *st,
			       struct nvmev_admin_cmd *cmd)
{
	const struct nvmev_feat_desc *d;

	cmd->feat.fid = sqe[10] & 0xff;
	cmd->feat.value = sqe[11];
	d = feat_present(st, cmd->feat.fid);
	if (!d)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10));
	if (sqe[10] & (1u << 31)) /* SV: no feature is saveable */
		return bad(cmd, NVMEV_SC_FEATURE_NOT_SAVEABLE, CDW_LOC(10) + 3);
	if (!d->changeable)
		return bad(cmd, NVMEV_SC_FEATURE_NOT_CHANGEABLE, CDW_LOC(10));
	return d->check ? d->check(st, true, cmd) : NVMEV_SC_SUCCESS;
}

static u16 decode_get_features(const u32 *sqe,
			       const struct nvmev_admin_state *st,
			       struct nvmev_admin_cmd *cmd)
{
	const struct nvmev_feat_desc *d;

	cmd->feat.fid = sqe[10] & 0xff;
	cmd->feat.sel = (sqe[10] >> 8) & 0x7;
	cmd->feat.value = sqe[11];
	d = feat_present(st, cmd->feat.fid);
	if (!d)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10));
	if (cmd->feat.sel > NVMEV_FEAT_SEL_SUPPORTED)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10) + 1);
	return d->check ? d->check(st, false, cmd) : NVMEV_SC_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Format NVM and Sanitize (decode) */

/*
 * Format NVM, CDW10: LBAF bits 3:0 with the upper bits 13:12, MSET bit 4,
 * PI bits 7:5, PIL bit 8, SES bits 11:9. FNA is 0 (see id_ctrl_erase()):
 * every namespace formats alone, and NSID FFFFFFFFh formats them all.
 * Namespace 1 has one LBA format (index 0, no metadata, no protection
 * information) and namespace 2 one KV format (index 0): any other index, or
 * PI, is Invalid Format. MSET and PIL mean nothing without metadata. Only
 * SES 0 and 1: a cryptographic erase needs FNA bit 2, which is 0.
 */
#define FMT_LBAF(c) (((c) & 0xf) | (((c) >> 12) & 0x3) << 4)
#define FMT_PI(c) (((c) >> 5) & 0x7)
#define FMT_SES(c) (((c) >> 9) & 0x7)
#define FMT_NR_FORMATS 1 /* NLBAF + 1 of namespace 1, NKVF + 1 of 2 */

static u16 decode_format(const u32 *sqe, const struct nvmev_admin_state *st,
			 struct nvmev_admin_cmd *cmd)
{
	u32 cdw10 = sqe[10];

	if (cmd->nsid == NSID_ALL)
		cmd->format.ns = st->ns_active;
	else if (ns_active(st, cmd->nsid))
		cmd->format.ns = 1u << cmd->nsid;
	else
		return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
	cmd->format.lbaf = FMT_LBAF(cdw10);
	cmd->format.ses = FMT_SES(cdw10);
	if (cmd->format.lbaf >= FMT_NR_FORMATS || FMT_PI(cdw10))
		return bad(cmd, NVMEV_SC_INVALID_FORMAT, CDW_LOC(10));
	if (cmd->format.ses > NVMEV_FMT_SES_USER_DATA)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10) + 1);
	return NVMEV_SC_SUCCESS;
}

/*
 * Sanitize, CDW10: SANACT bits 2:0, AUSE bit 3, OWPASS 7:4, OIPBP bit 8,
 * NDAS bit 9. SANICAP has Block Erase only; Exit Failure Mode is always
 * accepted (a block erase here cannot fail, so it has nothing to leave).
 * The NSID is not used: a sanitize covers the whole NVM subsystem.
 */
static u16 decode_sanitize(const u32 *sqe, struct nvmev_admin_cmd *cmd)
{
	cmd->sanitize.sanact = sqe[10] & 0x7;
	cmd->sanitize.cdw10 = sqe[10];
	switch (cmd->sanitize.sanact) {
	case NVMEV_SANACT_EXIT_FAILURE:
	case NVMEV_SANACT_BLOCK_ERASE:
		return NVMEV_SC_SUCCESS;
	default: /* reserved, overwrite and crypto erase: not in SANICAP */
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10));
	}
}

/* ---------------------------------------------------------------------- */
/* Namespace Management and Attachment (decode, and their data: pure) */

#define NS_SEL(c) ((c) & 0xf)
#define NS_SEL_CREATE 0 /* Management; Attachment: attach */
#define NS_SEL_DELETE 1 /* Management; Attachment: detach */

/*
 * Namespace Management, CDW10 SEL: create (CDW11 CSI, the NSID not used)
 * or delete (an allocated NSID, or FFFFFFFFh: every one that can be).
 * Namespace 1 holds the block area and the vendor commands' key space the
 * module parameters made: it is not deleted.
 */
static u16 decode_ns_mgmt(const u32 *sqe, const struct nvmev_admin_state *st,
			  struct nvmev_admin_cmd *cmd)
{
	cmd->ns.sel = NS_SEL(sqe[10]);
	cmd->ns.csi = sqe[11] >> 24;
	switch (cmd->ns.sel) {
	case NS_SEL_CREATE:
		if (!csi_supported(st, cmd->ns.csi))
			return bad(cmd, NVMEV_SC_IOCS_NOT_SUPPORTED,
				   CDW_LOC(11) + 3);
		return NVMEV_SC_SUCCESS;
	case NS_SEL_DELETE:
		if (cmd->nsid == NSID_ALL) {
			cmd->ns.mask = st->ns_alloc & ~st->ns_fixed;
			return NVMEV_SC_SUCCESS;
		}
		if (!ns_allocated(st, cmd->nsid))
			return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
		if (st->ns_fixed & (1u << cmd->nsid))
			return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(1));
		cmd->ns.mask = 1u << cmd->nsid;
		return NVMEV_SC_SUCCESS;
	default:
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10));
	}
}

/* Namespace Attachment, CDW10 SEL: attach or detach one allocated NSID. */
static u16 decode_ns_attach(const u32 *sqe, const struct nvmev_admin_state *st,
			    struct nvmev_admin_cmd *cmd)
{
	cmd->ns.sel = NS_SEL(sqe[10]);
	if (cmd->ns.sel != NS_SEL_CREATE && cmd->ns.sel != NS_SEL_DELETE)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(10));
	if (cmd->nsid == NSID_ALL)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(1));
	if (!ns_allocated(st, cmd->nsid))
		return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
	cmd->ns.mask = 1u << cmd->nsid;
	return NVMEV_SC_SUCCESS;
}


/* Host-specified fields of the Identify Namespace structure (create) */
#define NSM_NSZE 0
#define NSM_NCAP 8
#define NSM_FLBAS 26
#define NSM_DPS 29
#define NSM_ANAGRPID 92
#define NSM_NVMSETID 100
#define NSM_ENDGID 102
#define NSM_FLBAS_FORMAT(f) (((f) & 0xf) | (((f) >> 5) & 0x3) << 4)

/**
 * nvmev_ns_create_check - the namespace a Namespace Management create
 * describes
 * @data: the host's 4 KiB data structure (Identify Namespace layout)
 * @csi: the command set (NVMEV_CSI_NVM or NVMEV_CSI_KV)
 * @nsze: receives NSZE: blocks of 512 bytes, or for a KV namespace bytes
 * @bytes: receives the capacity to allocate, whole NVMEV_NS_ALIGN units
 *	(U64_MAX: more than any device has)
 *
 * A block namespace has the one LBA format, no protection information,
 * and NCAP = NSZE (NCAP below it: Thin Provisioning Not Supported, above
 * it: Invalid Field); a KV namespace needs the
 * smallest KV area insmod takes. No ANA group, NVM set or endurance group.
 *
 * Return: 0 or a status (Invalid Field, Invalid Format, Thin Provisioning
 * Not Supported).
 */
u16 nvmev_ns_create_check(const u8 *data, u8 csi, u64 *nsze, u64 *bytes)
{
	u64 sze = nvmev_get_le(data + NSM_NSZE, 8), need;

	*nsze = sze;
	*bytes = U64_MAX;
	if (data[NSM_DPS] || nvmev_get_le(data + NSM_ANAGRPID, 4) ||
	    nvmev_get_le(data + NSM_NVMSETID, 2) ||
	    nvmev_get_le(data + NSM_ENDGID, 2))
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	if (csi == NVMEV_CSI_KV) {
		if (sze < KV_MIN_AREA_BYTES)
			return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
		need = sze;
	} else {
		if (!sze || nvmev_get_le(data + NSM_NCAP, 8) > sze)
			return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
		if (nvmev_get_le(data + NSM_NCAP, 8) < sze)
			return NVMEV_SC_THIN_PROV_NOT_SUPPORTED | NVMEV_SC_DNR;
		if (NSM_FLBAS_FORMAT(data[NSM_FLBAS]))
			return NVMEV_SC_INVALID_FORMAT | NVMEV_SC_DNR;
		if (sze > (U64_MAX >> NVMEV_LBA_SHIFT) / 2)
			return NVMEV_SC_SUCCESS; /* too big: no capacity */
		need = sze << NVMEV_LBA_SHIFT;
	}
	if (need <= U64_MAX / 2)
		*bytes = round_up(need, NVMEV_NS_ALIGN);
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_ctrl_list_check - a Namespace Attachment's controller list
 * @data: the host's 4 KiB list: a count, then that many controller IDs
 *
 * The subsystem has one controller, NVMEV_CNTLID: a list must name it and
 * nothing else (an empty list names nobody).
 *
 * Return: 0 or Controller List Invalid.
 */
u16 nvmev_ctrl_list_check(const u8 *data)
{
	u16 n = nvmev_get_le(data, 2), i;

	if (!n || n > NVMEV_CTRL_LIST_MAX)
		return NVMEV_SC_CTRL_LIST_INVALID | NVMEV_SC_DNR;
	for (i = 1; i <= n; i++)
		if (nvmev_get_le(data + 2 * i, 2) != NVMEV_CNTLID)
			return NVMEV_SC_CTRL_LIST_INVALID | NVMEV_SC_DNR;
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_ns_place - where a new namespace of @need bytes goes
 * @used: the extents already allocated (size 0: none), in any order
 * @n: entries of @used
 * @base: start of the capacity Namespace Management allocates from
 * @end: its end
 * @need: bytes wanted
 *
 * First fit: the lowest offset in [@base, @end) where @need bytes touch
 * no extent of @used.
 *
 * Return: the offset, or U64_MAX when no gap is large enough.
 */
u64 nvmev_ns_place(const struct nvmev_extent *used, unsigned int n, u64 base,
		   u64 end, u64 need)
{
	u64 at = base;
	unsigned int i;
	bool moved = true;

	while (moved) {
		if (at > end || need > end - at)
			return U64_MAX;
		moved = false;
		for (i = 0; i < n; i++) {
			if (!used[i].size || used[i].offset >= at + need ||
			    used[i].offset + used[i].size <= at)
				continue;
			at = used[i].offset + used[i].size;
			moved = true;
		}
	}
	return at;
}

/*
 * Get LBA Status (86h) on a block namespace: SLBA CDW11:10, MNDW CDW12 (dwords
 * to return, 0's based), RL CDW13 bits 15:0, ATYPE CDW13 bits 31:24.
 * Only an active NVM namespace has LBAs (else Invalid Namespace or Format,
 * FFFFFFFFh too); ATYPE 10h and 11h only (both report the blocks of Write
 * Uncorrectable, every one of which is tracked); the data within MDTS;
 * SLBA in the namespace (else LBA Out of Range). RL 0 and a range past the
 * end: up to the last LBA.
 */
static u16 decode_get_lba_status(const u32 *sqe,
				 const struct nvmev_admin_state *st,
				 struct nvmev_admin_cmd *cmd)
{
	u64 slba = ((u64)sqe[11] << 32) | sqe[10], rl = sqe[13] & 0xffff;
	u64 blocks;

	cmd->lba_status.slba = slba;
	cmd->lba_status.len = ((u64)sqe[12] + 1) * 4;
	cmd->lba_status.atype = sqe[13] >> 24;
	if (!ns_active(st, cmd->nsid) || st->ns_csi[cmd->nsid] != NVMEV_CSI_NVM)
		return bad(cmd, NVMEV_SC_INVALID_NS, CDW_LOC(1));
	if (cmd->lba_status.atype != NVMEV_GLS_ATYPE_SCAN &&
	    cmd->lba_status.atype != NVMEV_GLS_ATYPE_TRACKED)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(13) + 3);
	if (cmd->lba_status.len > NVMEV_MAX_XFER)
		return bad(cmd, NVMEV_SC_INVALID_FIELD, CDW_LOC(12));
	blocks = st->ns_blocks[cmd->nsid];
	if (slba >= blocks)
		return bad(cmd, NVMEV_SC_LBA_RANGE, CDW_LOC(10));
	cmd->lba_status.nlb = rl && rl < blocks - slba ? rl : blocks - slba;
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_admin_decode - decode and check one admin SQE
 * @sqe: the 64-byte command, as fetched from the host
 * @st: the controller state the checks depend on
 * @cmd: the decoded fields, for the executor
 *
 * Return: 0, or an NVMe status (with DNR); then @cmd->param_loc is the
 * byte offset of the field at fault.
 */
u16 nvmev_admin_decode(const u32 *sqe, const struct nvmev_admin_state *st,
		       struct nvmev_admin_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvmev_sqe_opcode(sqe);
	cmd->cid = nvmev_sqe_cid(sqe);
	cmd->nsid = sqe[1];
	cmd->prp1 = nvmev_sqe_prp1(sqe);
	cmd->prp2 = nvmev_sqe_prp2(sqe);
	if (nvmev_sqe_psdt(sqe)) /* SGLs are not supported */
		return bad(cmd, NVMEV_SC_INVALID_FIELD, 1);

	switch (cmd->opcode) {
	case NVMEV_ADM_IDENTIFY:
		return decode_identify(sqe, st, cmd);
	case NVMEV_ADM_GET_LOG_PAGE:
		return decode_get_log_page(sqe, st, cmd);
	case NVMEV_ADM_CREATE_CQ:
		return decode_create_cq(sqe, st, cmd);
	case NVMEV_ADM_CREATE_SQ:
		return decode_create_sq(sqe, st, cmd);
	case NVMEV_ADM_DELETE_SQ:
		return decode_delete_queue(sqe, st, true, cmd);
	case NVMEV_ADM_DELETE_CQ:
		return decode_delete_queue(sqe, st, false, cmd);
	case NVMEV_ADM_SET_FEATURES:
		return decode_set_features(sqe, st, cmd);
	case NVMEV_ADM_GET_FEATURES:
		return decode_get_features(sqe, st, cmd);
	case NVMEV_ADM_ASYNC_EVENT:
		if (st->nr_aers > NVMEV_AERL)
			return bad(cmd, NVMEV_SC_ASYNC_LIMIT, 0);
		return NVMEV_SC_SUCCESS;
	case NVMEV_ADM_ABORT:
		return NVMEV_SC_SUCCESS;
	case NVMEV_ADM_FORMAT_NVM:
		return decode_format(sqe, st, cmd);
	case NVMEV_ADM_SANITIZE:
		return decode_sanitize(sqe, cmd);
	case NVMEV_ADM_NS_MGMT:
		return decode_ns_mgmt(sqe, st, cmd);
	case NVMEV_ADM_NS_ATTACH:
		return decode_ns_attach(sqe, st, cmd);
	case NVMEV_ADM_GET_LBA_STATUS:
		return decode_get_lba_status(sqe, st, cmd);
	/*
	 * Keep Alive (18h) is optional on PCIe and goes with the Keep Alive
	 * feature, which KAS = 0 says this controller lacks: Invalid Opcode,
	 * as Identify's KAS and the effects log tell the host.
	 */
	default:
		return bad(cmd, NVMEV_SC_INVALID_OPCODE, 0);
	}
}

#ifdef __KERNEL__
/* ---------------------------------------------------------------------- */
/* Executors (kernel) */

/* The pure decoder's constants are the kernel's NVMe values. */
static_assert(NVMEV_ADM_CREATE_SQ == nvme_admin_create_sq &&
	      NVMEV_ADM_DELETE_CQ == nvme_admin_delete_cq &&
	      NVMEV_ADM_GET_FEATURES == nvme_admin_get_features &&
	      NVMEV_ADM_ASYNC_EVENT == nvme_admin_async_event &&
	      NVMEV_ADM_KEEP_ALIVE == nvme_admin_keep_alive &&
	      NVMEV_ADM_FORMAT_NVM == nvme_admin_format_nvm &&
	      NVMEV_ADM_SANITIZE == nvme_admin_sanitize_nvm &&
	      NVMEV_ADM_GET_LBA_STATUS == nvme_admin_get_lba_status);
static_assert(NVMEV_CNS_CS_CTRL == NVME_ID_CNS_CS_CTRL &&
	      NVMEV_CNS_NS_CS_INDEP == NVME_ID_CNS_NS_CS_INDEP &&
	      NVMEV_LOG_CMD_EFFECTS == NVME_LOG_CMD_EFFECTS &&
	      NVMEV_FEAT_KATO == NVME_FEAT_KATO &&
	      NVMEV_FEAT_TIMESTAMP == NVME_FEAT_TIMESTAMP);
static_assert(NVMEV_LPA_CMD_EFFECTS == NVME_CTRL_LPA_CMD_EFFECTS_LOG &&
	      NVMEV_ONCS_TIMESTAMP == NVME_CTRL_ONCS_TIMESTAMP &&
	      NVMEV_ONCS_COMPARE == NVME_CTRL_ONCS_COMPARE &&
	      NVMEV_ONCS_WRITE_UNCOR == NVME_CTRL_ONCS_WRITE_UNCORRECTABLE &&
	      NVMEV_ONCS_DSM == NVME_CTRL_ONCS_DSM &&
	      NVMEV_ONCS_WRITE_ZEROES == NVME_CTRL_ONCS_WRITE_ZEROES &&
	      NVMEV_VWC_PRESENT == NVME_CTRL_VWC_PRESENT &&
	      NVMEV_SC_CMD_SEQ_ERROR == NVME_SC_CMD_SEQ_ERROR &&
	      NVMEV_SC_INVALID_FORMAT == NVME_SC_INVALID_FORMAT &&
	      NVMEV_SC_SANITIZE_FAILED == NVME_SC_SANITIZE_FAILED);
static_assert(NVMEV_FEAT_VALUES ==
	      sizeof_field(struct nvmev_dev, features) / sizeof(u32));
static_assert(NVMEV_ERR_LOG_ENTRIES * 64 ==
	      NVMEV_ERR_LOG_ENTRIES * sizeof(struct nvme_error_slot));
static_assert(sizeof(struct nvme_smart_log) == 512 &&
	      sizeof(struct nvme_fw_slot_info_log) == 512 &&
	      sizeof(struct nvme_effects_log) == 4096);

/*
 * Serial number NVMEVKV0000000000001 for device 0, ...0002 for device 1:
 * the nvme driver refuses a second controller with the subsystem NQN of
 * another (which contains the serial), and namespaces with the IDs of
 * another's (ns_ids()), so each device has its own.
 */
#define NVMEV_SERIAL_FMT "NVMEVKV%013u"
#define NVMEV_MODEL "nvmev-kv Virtual KV-SSD"
#define NVMEV_FIRMWARE "0.1.0"
#define NVMEV_SUBNQN_FMT "nqn.2026-11.io.nvmev-kv:kv-ssd:" NVMEV_SERIAL_FMT

struct admin_res {
	u32 dw0;
	bool no_cqe; /* Asynchronous Event Request: held, completed later */
	u16 param_loc; /* byte offset of the bad field, for the error log */
};

struct admin_cmd {
	u8 opcode;
	const char *name;
	u32 effects;
	u16 (*exec)(struct nvmev_dev *dev, const struct nvmev_admin_cmd *cmd,
		    struct admin_res *res);
};

static u16 fail(struct admin_res *res, u16 status, u16 loc)
{
	res->param_loc = loc;
	return status | NVMEV_SC_DNR;
}

/* ---------------------------------------------------------------------- */
/* Data transfer to the host for Identify / Get Log Page / Get Features */

static u16 admin_to_host(struct nvmev_dev *dev,
			 const struct nvmev_admin_cmd *cmd, const void *buf,
			 u64 len)
{
	u16 status = nvmev_sgl_map(dev->admin_sgl, cmd->prp1, cmd->prp2, len);

	if (status)
		return status;
	return nvmev_sgl_copy(dev->admin_sgl, 0, (void *)buf, len, true);
}

static u16 admin_from_host(struct nvmev_dev *dev,
			   const struct nvmev_admin_cmd *cmd, void *buf,
			   u64 len)
{
	u16 status = nvmev_sgl_map(dev->admin_sgl, cmd->prp1, cmd->prp2, len);

	if (status)
		return status;
	return nvmev_sgl_copy(dev->admin_sgl, 0, buf, len, false);
}

/* Fixed-width, space-padded ASCII fields of Identify. */
static void put_ascii(char *dst, size_t width, const char *src)
{
	size_t n = min(strlen(src), width);

	memset(dst, ' ', width);
	memcpy(dst, src, n);
}

/* ---------------------------------------------------------------------- */
/* Identify */

/* ---------------------------------------------------------------------- */
/* The namespace table */

/*
 * The capacity Namespace Management allocates from: after namespace 1's
 * areas to the region's end (namespace 2, if any, at its start).
 */
static u64 pool_base(const struct nvmev_dev *dev)
{
	return dev->cfg.kv_std_offset;
}

static u64 pool_end(const struct nvmev_dev *dev)
{
	return dev->cfg.memmap_size;
}

/**
 * nvmev_ns_setup - the namespaces the module parameters make: 1 (block
 * area and the vendor commands' key space), and 2 (KV Command Set) when
 * kv_std_size is not 0, both attached
 * @dev: the device, its config set
 */
void nvmev_ns_setup(struct nvmev_dev *dev)
{
	const struct nvmev_config *cfg = &dev->cfg;
	struct nvmev_ns *ns = &dev->ns[NVMEV_NSID];

	ns->kind = NVMEV_NS_BLK_VENDOR;
	ns->attached = true;
	ns->offset = cfg->blk_offset;
	ns->size = cfg->blk_size;
	ns->nsze = cfg->blk_size >> NVMEV_LBA_SHIFT;
	if (!cfg->kv_std_size)
		return;
	ns = &dev->ns[NVMEV_NSID_KV];
	ns->kind = NVMEV_NS_KV;
	ns->attached = true;
	ns->offset = cfg->kv_std_offset;
	ns->size = cfg->kv_std_size;
	ns->nsze = cfg->kv_std_size;
}

/* Bytes of the pool no namespace has. */
static u64 pool_free(const struct nvmev_dev *dev)
{
	u64 used = 0;
	u32 nsid;

	for (nsid = NVMEV_NSID + 1; nsid <= NVMEV_MAX_NSID; nsid++)
		if (dev->ns[nsid].kind != NVMEV_NS_NONE)
			used += dev->ns[nsid].size;
	return pool_end(dev) - pool_base(dev) - used;
}

/* Identify NN: the highest NSID Namespace Management may allocate. */
static u32 nr_namespaces(struct nvmev_dev *dev)
{
	return NVMEV_MAX_NSID;
}

/*
 * What Format NVM and Sanitize can do: OACS Format NVM; FNA 0 (a format
 * applies to the namespace named, a secure erase too, no cryptographic
 * erase); SANICAP Block Erase only.
 */
#define OACS_FORMAT (1 << 1)
#define OACS_NS_MGMT (1 << 3)
#define OAES_NS_ATTR (1 << 8) /* Namespace Attribute Notices */
#define AEN_CFG_NS_ATTR (1 << 8) /* Set Features 0Bh: send them */
#define SANICAP_BES (1 << 1)

static void id_ctrl_erase(struct nvme_id_ctrl *id)
{
	id->oacs |= cpu_to_le16(OACS_FORMAT);
	id->fna = 0;
	id->sanicap = cpu_to_le32(SANICAP_BES);
}

static void put_le16(u8 *dst, u16 v)
{
	*(__le16 *)dst = cpu_to_le16(v);
}

static void put_le128(u8 *dst, u64 v)
{
	memset(dst, 0, 16);
	*(__le64 *)dst = cpu_to_le64(v);
}

static void put_le32(u8 *dst, u32 v)
{
	*(__le32 *)dst = cpu_to_le32(v);
}

/*
 * Fields of Identify Controller and Namespace newer than the kernel
 * headers this builds against (6.1 has them as reserved bytes).
 */
#define ID_CTRL_OCFS 534 /* Optional Copy Formats Supported */
#define ID_NS_MSSRL 74 /* Maximum Single Source Range Length */
#define ID_NS_MCL 76 /* Maximum Copy Length */
#define ID_NS_MSRC 80 /* Maximum Source Range Count, 0-based */
static_assert(offsetof(struct nvme_id_ctrl, vwc) == 525 &&
	      offsetof(struct nvme_id_ns, dlfeat) == 33 &&
	      offsetof(struct nvme_id_ns, nows) + 2 == ID_NS_MSSRL);

static const struct admin_cmd *admin_cmd_find(u8 opcode);

/* OACS bit 9: Get LBA Status (and so the LBA Status Information log) */
#define OACS_GET_LBA_STATUS (1 << 9)

static void id_ctrl(struct nvmev_dev *dev, struct nvme_id_ctrl *id)
{
	struct nvmev_id_caps caps;
	char sn[sizeof(id->sn) + 1];

	nvmev_id_caps(&caps);
	id->vid = cpu_to_le16(NVMEV_PCI_VENDOR);
	id->ssvid = cpu_to_le16(NVMEV_PCI_VENDOR);
	snprintf(sn, sizeof(sn), NVMEV_SERIAL_FMT, dev->index + 1);
	put_ascii(id->sn, sizeof(id->sn), sn);
	put_ascii(id->mn, sizeof(id->mn), NVMEV_MODEL);
	put_ascii(id->fr, sizeof(id->fr), NVMEV_FIRMWARE);
	id->rab = 6;
	id->ieee[0] = 0x4b;
	id->ieee[1] = 0x56;
	id->ieee[2] = 0x00;
	id->mdts = NVMEV_MDTS;
	id->cntlid = cpu_to_le16(NVMEV_CNTLID);
	id->ver = cpu_to_le32(NVME_VS(1, 4, 0));
	id->cntrltype = NVME_CTRL_IO;
	id->acl = 3;
	id->aerl = NVMEV_AERL;
	id->frmw = 0x3; /* one slot, slot 1 read-only */
	id->lpa = caps.lpa;
	id->elpe = caps.elpe;
	id->kas = cpu_to_le16(caps.kas);
	id->wctemp = cpu_to_le16(NVMEV_WCTEMP_K);
	id->cctemp = cpu_to_le16(NVMEV_CCTEMP_K);
	id->sqes = (6 << 4) | 6;
	id->cqes = (4 << 4) | 4;
	id->nn = cpu_to_le32(nr_namespaces(dev));
	id->oncs = cpu_to_le16(caps.oncs);
	if (caps.oncs & NVMEV_ONCS_COPY) /* OCFS, bytes 535:534 */
		put_le16((u8 *)id + ID_CTRL_OCFS, NVMEV_OCFS_FORMAT0);
	id->vwc = caps.vwc;
	snprintf(id->subnqn, sizeof(id->subnqn), NVMEV_SUBNQN_FMT,
		 dev->index + 1);
	id->psd[0].max_power = cpu_to_le16(2500); /* 25 W */
	id_ctrl_erase(id);
	/* Namespace Management, Attachment; capacities in bytes */
	id->oacs |= cpu_to_le16(OACS_NS_MGMT);
	id->oaes = cpu_to_le32(OAES_NS_ATTR);
	put_le128(id->tnvmcap, dev->cfg.memmap_size - NVMEV_BAR_WINDOW);
	put_le128(id->unvmcap, pool_free(dev));
	if (admin_cmd_find(nvme_admin_get_lba_status))
		id->oacs |= cpu_to_le16(OACS_GET_LBA_STATUS);
}

/*
 * NGUID and EUI64 of namespace @nsid of @dev: the namespace number in the
 * last bytes, the device index before it (device 0's IDs stay those of one
 * device).
 */
static void ns_ids(const struct nvmev_dev *dev, u32 nsid, u8 *nguid,
		   u8 *eui64)
{
	u8 id[16] = { 0x4b, 0x56, 0x53, 0x53, 0x44, 0x00, 0x00, 0x01,
		      0x6e, 0x76, 0x6d, 0x65, 0x76, 0x00, 0x00, 0x01 };

	id[5] = dev->ns[nsid].gen; /* a namespace made again: new IDs */
	id[6] = dev->index;
	id[7] = nsid;
	id[13] = dev->ns[nsid].gen;
	id[14] = dev->index;
	id[15] = nsid;
	if (nguid)
		memcpy(nguid, id, 16);
	if (eui64)
		memcpy(eui64, id, 8);
}

static void id_ns(struct nvmev_dev *dev, u32 nsid, struct nvme_id_ns *id)
{
	u64 blocks = dev->ns[nsid].nsze;
	u16 oncs = nvmev_blk_oncs();

	if (oncs & NVMEV_ONCS_DSM)
		id->dlfeat = NVMEV_DLFEAT;
	if (oncs & NVMEV_ONCS_COPY) {
		put_le16((u8 *)id + ID_NS_MSSRL, NVMEV_COPY_MSSRL);
		put_le32((u8 *)id + ID_NS_MCL, NVMEV_COPY_MCL);
		((u8 *)id)[ID_NS_MSRC] = NVMEV_COPY_MSRC;
	}
	id->nsze = cpu_to_le64(blocks);
	id->ncap = cpu_to_le64(blocks);
	id->nuse = cpu_to_le64(blocks);
	id->nlbaf = 0;
	id->flbas = 0;
	id->lbaf[0].ds = NVMEV_LBA_SHIFT;
	put_le128(id->nvmcap, dev->ns[nsid].size);
	if (nsid) /* 0: the structure common to all namespaces */
		ns_ids(dev, nsid, id->nguid, id->eui64);
}

/*
 * The KV namespace data structure (KV Command Set, CNS 05h CSI 01h; byte
 * offsets in KV_PROTOCOL.md section 3): sizes in bytes, one KV format.
 */
#define KV_ID_NSZE 0
#define KV_ID_NUSE 16
#define KV_ID_NKVF 25 /* number of KV formats, 0-based */
#define KV_ID_NOVG 32 /* optimal value granularity, bytes */
#define KV_ID_NGUID 48
#define KV_ID_EUI64 64
#define KV_ID_KVF0 72 /* KV format 0: KML u16, VML u32 at 4, MNK u32 at 8 */

static void id_kv_ns(struct nvmev_dev *dev, u32 nsid, u8 *buf)
{
	struct kv_stats st;

	nvmev_kv_get_stats(dev, nsid, &st);
	*(__le64 *)(buf + KV_ID_NSZE) = cpu_to_le64(st.capacity);
	*(__le64 *)(buf + KV_ID_NUSE) = cpu_to_le64(st.log.live_bytes);
	buf[KV_ID_NKVF] = 0;
	put_le32(buf + KV_ID_NOVG, NVMEV_PAGE_SIZE); /* PRP pages move whole */
	ns_ids(dev, nsid, buf + KV_ID_NGUID, buf + KV_ID_EUI64);
	put_le16(buf + KV_ID_KVF0, KV_MAX_KEY_LEN);
	put_le32(buf + KV_ID_KVF0 + 4, KV_MAX_VALUE_SIZE);
	put_le32(buf + KV_ID_KVF0 + 8, min_t(u64, st.max_keys, U32_MAX));
}

/* CNS 02h / 07h: the NSIDs the decoder picked, in increasing order. */
static void id_ns_list(u32 list, __le32 *ids)
{
	unsigned int n = 0;
	u32 nsid;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++)
		if (list & (1u << nsid))
			ids[n++] = cpu_to_le32(nsid);
}

static u32 put_desc(u8 *buf, u32 off, u8 type, u8 len, const void *val)
{
	struct nvme_ns_id_desc *d = (struct nvme_ns_id_desc *)(buf + off);

	d->nidt = type;
	d->nidl = len;
	memcpy(buf + off + sizeof(*d), val, len);
	return off + sizeof(*d) + len;
}

static void id_ns_descs(const struct nvmev_dev *dev, u32 nsid, u8 *buf)
{
	u8 nguid[16], eui64[8], uuid[16], csi = nvmev_ns_csi(dev, nsid);
	u32 off = 0;

	ns_ids(dev, nsid, nguid, eui64);
	memcpy(uuid, nguid, sizeof(uuid));
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* a version-4-shaped UUID */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	off = put_desc(buf, off, NVME_NIDT_EUI64, NVME_NIDT_EUI64_LEN, eui64);
	off = put_desc(buf, off, NVME_NIDT_NGUID, NVME_NIDT_NGUID_LEN, nguid);
	off = put_desc(buf, off, NVME_NIDT_UUID, NVME_NIDT_UUID_LEN, uuid);
	put_desc(buf, off, NVME_NIDT_CSI, NVME_NIDT_CSI_LEN, &csi);
}

static u16 admin_identify(struct nvmev_dev *dev,
			  const struct nvmev_admin_cmd *cmd,
			  struct admin_res *res)
{
	u8 *buf = dev->admin_buf;
	NVMEV_TRACE_FUNC();

	memset(buf, 0, NVMEV_PAGE_SIZE);
	if (cmd->identify.zero) /* inactive namespace */
		return admin_to_host(dev, cmd, buf, NVMEV_PAGE_SIZE);
	if (cmd->identify.common) { /* sizes 0, the formats and limits */
		id_ns(dev, 0, (struct nvme_id_ns *)buf);
		return admin_to_host(dev, cmd, buf, NVMEV_PAGE_SIZE);
	}
	switch (cmd->identify.cns) {
	case NVME_ID_CNS_NS:
	case NVMEV_CNS_ALLOC_NS:
		id_ns(dev, cmd->nsid, (struct nvme_id_ns *)buf);
		break;
	case NVME_ID_CNS_CTRL:
		id_ctrl(dev, (struct nvme_id_ctrl *)buf);
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
	case NVMEV_CNS_CS_NS_ACTIVE_LIST:
	case NVMEV_CNS_ALLOC_LIST:
	case NVMEV_CNS_CS_ALLOC_LIST:
		id_ns_list(cmd->identify.list, (__le32 *)buf);
		break;
	case NVME_ID_CNS_NS_DESC_LIST:
		id_ns_descs(dev, cmd->nsid, buf);
		break;
	case NVME_ID_CNS_CS_NS: /* NVM specific: all zero, no extended LBAs */
	case NVMEV_CNS_CS_ALLOC_NS:
		if (cmd->identify.csi == NVMEV_CSI_KV)
			id_kv_ns(dev, cmd->nsid, buf);
		break;
	case NVME_ID_CNS_CS_CTRL: /* NVM: zero limits, "none beyond MDTS"; */
		break; /* KV: no such structure, zeros */
	case NVME_ID_CNS_NS_CS_INDEP:
		((struct nvme_id_ns_cs_indep *)buf)->nstat = 1; /* ready */
		break;
	case NVMEV_CNS_CTRL_LIST_NS:
	case NVMEV_CNS_CTRL_LIST: /* u16 count, then the IDs */
		if (cmd->identify.listed) {
			((__le16 *)buf)[0] = cpu_to_le16(1);
			((__le16 *)buf)[1] = cpu_to_le16(NVMEV_CNTLID);
		}
		break;
	case NVMEV_CNS_CMD_SET: /* I/O Command Set data structure: vector 0 */
		((__le64 *)buf)[0] = cpu_to_le64(cmd->identify.iocs);
		break;
	}
	return admin_to_host(dev, cmd, buf, NVMEV_PAGE_SIZE);
}

/* ---------------------------------------------------------------------- */
/* Format NVM and Sanitize */

/*
 * Both erase on the dispatcher, so no I/O command is fetched meanwhile;
 * those already fetched complete first (the host froze its queues: the
 * effects log says LBCC and CSE 010b, "no command to any namespace while
 * this one runs", and Linux knows it for both opcodes anyway). If they do
 * not within ERASE_DRAIN_MS, something is stuck: Command Sequence Error,
 * nothing erased.
 */
#define ERASE_DRAIN_MS 10000
#define EFFECTS_CSE_ANY (2u << 16) /* CSE 010b */
#define SANITIZE_NEVER 0 /* SSTAT: never sanitized */
#define SANITIZE_DONE 1 /* SSTAT: the last sanitize completed */
#define SANITIZE_NO_TIME 0xffffffffu /* "no estimate" in the log */

/* The namespaces of @mask erased; Return: 0 or a status. */
static u16 erase_namespaces(struct nvmev_dev *dev, u32 mask, bool zero_kv,
			    const char *what, u64 *took_ns)
{
	u64 t0 = ktime_get_ns();
	unsigned long bits = mask;
	u32 nsid;

	if (nvmev_io_drain(dev, ERASE_DRAIN_MS)) {
		pr_warn_ratelimited("%s: %d I/O commands still in flight after %u ms: Command Sequence Error\n",
				    what, atomic_read(&dev->inflight),
				    ERASE_DRAIN_MS);
		return NVMEV_SC_CMD_SEQ_ERROR;
	}
	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		if (!(mask & (1u << nsid)))
			continue;
		if (dev->ns[nsid].blk_base)
			nvmev_io_blk_erase(dev, nsid);
		if (nvmev_kv_format(dev, nsid, zero_kv))
			return NVMEV_SC_INTERNAL;
	}
	nvmev_io_stats_reset(dev);
	*took_ns = ktime_get_ns() - t0;
	pr_info("%s: namespace%s %*pbl erased in %llu ms\n", what,
		hweight32(mask) > 1 ? "s" : "", NVMEV_MAX_NSID + 1, &bits,
		*took_ns / NSEC_PER_MSEC);
	return NVMEV_SC_SUCCESS;
}

/*
 * Format NVM: the namespaces the decoder picked lose their data. The block
 * area always reads zeros after it (there is no deallocation to report);
 * a key space is emptied, and with SES 1 (user data erase) its value log
 * zeroed as well. The statistics of the key spaces and the I/O counters
 * start over.
 */
static u16 admin_format(struct nvmev_dev *dev,
			const struct nvmev_admin_cmd *cmd,
			struct admin_res *res)
{
	u64 took;
	NVMEV_TRACE_FUNC();

	return erase_namespaces(dev, cmd->format.ns,
				cmd->format.ses == NVMEV_FMT_SES_USER_DATA,
				"format", &took);
}

/* Every namespace, active or not: a sanitize is for the whole subsystem. */
static u32 all_namespaces(struct nvmev_dev *dev)
{
	u32 nsid, mask = 0;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++)
		if (dev->ns[nsid].kind != NVMEV_NS_NONE)
			mask |= 1u << nsid;
	return mask;
}

/*
 * Sanitize, Block Erase: everything zeroed, synchronously, so the command
 * completes when the sanitize has (SPROG FFFFh, SSTAT "completed"). Exit
 * Failure Mode: a block erase here never fails, nothing to leave.
 */
static u16 admin_sanitize(struct nvmev_dev *dev,
			  const struct nvmev_admin_cmd *cmd,
			  struct admin_res *res)
{
	u64 took = 0;
	u16 status;
	NVMEV_TRACE_FUNC();

	if (cmd->sanitize.sanact != NVMEV_SANACT_BLOCK_ERASE)
		return NVMEV_SC_SUCCESS;
	status = erase_namespaces(dev, all_namespaces(dev), true, "sanitize",
				  &took);
	if (status)
		return status;
	dev->sanitize_sstat = SANITIZE_DONE;
	dev->sanitize_cdw10 = cmd->sanitize.cdw10;
	dev->sanitize_secs = max_t(u64, 1, DIV_ROUND_UP_ULL(took, NSEC_PER_SEC));
	return NVMEV_SC_SUCCESS;
}

/* Sanitize Status (81h): SPROG, SSTAT, SCDW10, the estimated times. */
static void log_sanitize(struct nvmev_dev *dev, u8 *buf)
{
	u32 etbe = dev->sanitize_secs ?: SANITIZE_NO_TIME;

	put_le16(buf + 0, 0xffff); /* SPROG: none in progress */
	put_le16(buf + 2, dev->sanitize_sstat);
	put_le32(buf + 4, dev->sanitize_cdw10);
	put_le32(buf + 8, SANITIZE_NO_TIME); /* overwrite: not supported */
	put_le32(buf + 12, etbe); /* block erase: the last one took */
	put_le32(buf + 16, SANITIZE_NO_TIME); /* crypto erase: not supported */
	put_le32(buf + 20, SANITIZE_NO_TIME); /* ... with No-Deallocate */
	put_le32(buf + 24, etbe);
	put_le32(buf + 28, SANITIZE_NO_TIME);
}

/* ---------------------------------------------------------------------- */
/* Get LBA Status and the LBA Status Information log */

/*
 * The Potentially Unrecoverable LBAs of a block namespace are exactly its
 * blocks of Write Uncorrectable not written since: all tracked, none
 * untracked, so a scan (ATYPE 10h) finds what the tracked list (11h) has.
 */
#define LBA_RUNS 16 /* runs per look at the bitmap, on the stack */
#define LBA_DESC_SIZE 16 /* an LBA Status or LBA Range Descriptor */
#define GLS_HDR_SIZE 8 /* NLSD, CMPC */
/*
 * Descriptor Status: 1h, every LBA of the range returns Unrecovered Read
 * Error when read (none may read back successfully).
 */
#define GLS_STATUS_UNRECOVERED 0x1
#define LSI_HDR_SIZE 16 /* LSLPLEN, NLSLNE, ESTULB, LSGC */
#define LSI_ELEM_SIZE 16 /* NEID, NLRD, RATYPE */

static void put_le64(u8 *dst, u64 v)
{
	*(__le64 *)dst = cpu_to_le64(v);
}

/* DSLBA/RSLBA, NLB/RNLB, and the Status byte (reserved in the log). */
static void put_lba_desc(u8 *d, const struct nvmev_lba_run *r, u8 status)
{
	memset(d, 0, LBA_DESC_SIZE);
	put_le64(d, r->slba);
	put_le32(d + 8, r->nlb);
	d[13] = status;
}

/*
 * Get LBA Status: the LBA Status Descriptor list of the decoded range, as
 * many descriptors as (MNDW + 1) dwords hold after the header; NLSD says
 * how many were returned, CMPC whether that was all (2h) or MNDW ended it
 * (1h). The rest of the host's buffer is zeros.
 */
static u16 admin_get_lba_status(struct nvmev_dev *dev,
				const struct nvmev_admin_cmd *cmd,
				struct admin_res *res)
{
	u64 len = cmd->lba_status.len, done, chunk;
	u64 room = len >= GLS_HDR_SIZE ? (len - GLS_HDR_SIZE) / LBA_DESC_SIZE :
					 0;
	u64 pos = cmd->lba_status.slba, end = pos + cmd->lba_status.nlb;
	struct nvmev_lba_run runs[LBA_RUNS];
	u8 *buf = dev->admin_buf;
	u32 nlsd = 0, n, i;
	bool more = false;
	u16 status;
	NVMEV_TRACE_FUNC();

	status = nvmev_sgl_map(dev->admin_sgl, cmd->prp1, cmd->prp2, len);
	memset(buf, 0, NVMEV_PAGE_SIZE);
	for (done = 0; !status && done < len; done += chunk) {
		chunk = min_t(u64, len - done, NVMEV_PAGE_SIZE);
		status = nvmev_sgl_copy(dev->admin_sgl, done, buf, chunk, true);
	}
	while (!status) {
		n = nvmev_blk_uncor_runs(dev, cmd->nsid, pos, end - pos, runs,
					 min_t(u64, room - nlsd, LBA_RUNS),
					 &more);
		for (i = 0; i < n; i++)
			put_lba_desc(buf + i * LBA_DESC_SIZE, &runs[i],
				     GLS_STATUS_UNRECOVERED);
		if (n)
			status = nvmev_sgl_copy(
				dev->admin_sgl,
				GLS_HDR_SIZE + (u64)nlsd * LBA_DESC_SIZE, buf,
				n * LBA_DESC_SIZE, true);
		nlsd += n;
		if (!more || nlsd == room)
			break;
		pos = runs[n - 1].slba + runs[n - 1].nlb;
	}
	if (status)
		return status;
	memset(buf, 0, GLS_HDR_SIZE);
	put_le32(buf, nlsd);
	buf[4] = more ? NVMEV_GLS_CMPC_MORE : NVMEV_GLS_CMPC_DONE;
	return nvmev_sgl_copy(dev->admin_sgl, 0, buf,
			      min_t(u64, len, GLS_HDR_SIZE), true);
}

/* Mix one value into a digest of the log's ranges (FNV-1a on words). */
static u64 digest_mix(u64 h, u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/*
 * One namespace element of the LBA Status Information log at @elem: NEID,
 * NLRD, RATYPE 11h (the tracked list is enough) and a range descriptor
 * (RSLBA, RNLB) per run of the namespace's uncorrectable blocks, as many
 * as @room holds. Return: the descriptors written (0: no element).
 */
static u32 lsi_element(struct nvmev_dev *dev, u32 nsid, u8 *elem, u32 room,
		       u64 *digest)
{
	struct nvmev_lba_run runs[LBA_RUNS];
	u8 *desc = elem + LSI_ELEM_SIZE;
	bool more = true;
	u32 nr = 0, n, i;
	u64 pos = 0;

	while (more && nr < room) {
		n = nvmev_blk_uncor_runs(dev, nsid, pos, U64_MAX, runs,
					 min_t(u32, room - nr, LBA_RUNS),
					 &more);
		for (i = 0; i < n; i++, nr++) {
			put_lba_desc(desc + nr * LBA_DESC_SIZE, &runs[i], 0);
			*digest = digest_mix(digest_mix(*digest, runs[i].slba),
					     runs[i].nlb);
		}
		if (n)
			pos = runs[n - 1].slba + runs[n - 1].nlb;
	}
	if (!nr)
		return 0;
	*digest = digest_mix(*digest, nsid);
	put_le32(elem, nsid); /* NEID */
	put_le32(elem + 4, nr); /* NLRD */
	elem[8] = NVMEV_GLS_ATYPE_TRACKED; /* RATYPE */
	return nr;
}

/*
 * LBA Status Information (0Eh): the header (LSLPLEN, NLSLNE, ESTULB 0: no
 * untracked LBAs, LSGC), then a namespace element for each active block
 * namespace with uncorrectable blocks, in NSID order, as far as the one
 * page of the log holds (Get LBA Status lists every run). LSGC counts the
 * changes of the listed ranges, as seen by the reads of this log.
 */
static void log_lba_status(struct nvmev_dev *dev, u8 *buf)
{
	u32 off = LSI_HDR_SIZE, elems = 0, nsid, room, nr;
	u64 digest = 0;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		if (!nvmev_ns_active(dev, nsid) ||
		    dev->ns[nsid].kind == NVMEV_NS_KV)
			continue;
		if (off + LSI_ELEM_SIZE + LBA_DESC_SIZE > NVMEV_PAGE_SIZE)
			break;
		room = (NVMEV_PAGE_SIZE - off - LSI_ELEM_SIZE) / LBA_DESC_SIZE;
		nr = lsi_element(dev, nsid, buf + off, room, &digest);
		if (!nr)
			continue;
		off += LSI_ELEM_SIZE + nr * LBA_DESC_SIZE;
		elems++;
	}
	if (digest != dev->lba_status_digest) {
		dev->lba_status_digest = digest;
		dev->lba_status_gen++;
	}
	put_le32(buf, off); /* LSLPLEN */
	put_le32(buf + 4, elems); /* NLSLNE */
	put_le16(buf + 14, dev->lba_status_gen); /* LSGC */
}

/* ---------------------------------------------------------------------- */
/* Get Log Page */

static void log_error(struct nvmev_dev *dev, u8 *buf)
{
	struct nvme_error_slot *slot = (struct nvme_error_slot *)buf;
	unsigned long flags;
	u64 seq, i;

	spin_lock_irqsave(&dev->err_lock, flags);
	seq = dev->err_seq;
	/* newest first */
	for (i = 0; i < NVMEV_ERR_LOG_ENTRIES && i < seq; i++) {
		const struct nvmev_err_entry *e =
			&dev->errs[(seq - 1 - i) % NVMEV_ERR_LOG_ENTRIES];

		slot[i].error_count = cpu_to_le64(e->count);
		slot[i].sqid = cpu_to_le16(e->sqid);
		slot[i].cmdid = e->cid;
		slot[i].status_field = cpu_to_le16(e->status << 1);
		slot[i].param_error_location = cpu_to_le16(e->param_loc);
		slot[i].lba = cpu_to_le64(e->lba);
		slot[i].nsid = cpu_to_le32(e->nsid);
	}
	spin_unlock_irqrestore(&dev->err_lock, flags);
}

/* Data units are thousands of 512-byte units, rounded up. */
static u64 data_units(u64 bytes)
{
	return DIV_ROUND_UP_ULL(bytes >> 9, 1000);
}

static void log_smart(struct nvmev_dev *dev, u8 *buf)
{
	struct nvme_smart_log *log = (struct nvme_smart_log *)buf;
	u64 hours = (ktime_get_ns() - dev->power_on_ns) / (3600 * NSEC_PER_SEC);

	log->temperature[0] = NVMEV_TEMP_K & 0xff;
	log->temperature[1] = NVMEV_TEMP_K >> 8;
	log->avail_spare = 100;
	log->spare_thresh = 10;
	put_le128(log->data_units_read,
		  data_units(atomic64_read(&dev->ctr.bytes_read)));
	put_le128(log->data_units_written,
		  data_units(atomic64_read(&dev->ctr.bytes_written)));
	put_le128(log->host_reads, atomic64_read(&dev->ctr.host_read_cmds));
	put_le128(log->host_writes, atomic64_read(&dev->ctr.host_write_cmds));
	put_le128(log->power_cycles, 1);
	put_le128(log->power_on_hours, hours);
	put_le128(log->media_errors, atomic64_read(&dev->ctr.media_errors));
	put_le128(log->num_err_log_entries, READ_ONCE(dev->err_seq));
}

static void log_fw_slot(u8 *buf)
{
	struct nvme_fw_slot_info_log *log = (struct nvme_fw_slot_info_log *)buf;

	log->afi = 1;
	memcpy(&log->frs[0], NVMEV_FIRMWARE "   ", sizeof(log->frs[0]));
}

/* ---------------------------------------------------------------------- */
/* Namespace Management and Attachment */

/*
 * Namespace @nsid changed (attached, detached, deleted): the Changed
 * Namespace List log gets it, and the host a Namespace Attribute Notice
 * if it enabled them (Set Features 0Bh bit 8) and has read the log since
 * the last one (the event stays masked until it reads the log without RAE).
 */
static void ns_changed(struct nvmev_dev *dev, u32 nsid)
{
	dev->changed_ns |= 1u << nsid;
	if (!(dev->features[NVME_FEAT_ASYNC_EVENT] & AEN_CFG_NS_ATTR) ||
	    dev->ns_event_masked)
		return;
	dev->ns_event_masked = true;
	nvmev_async_event(dev, NVME_AER_NOTICE |
				       (NVME_AER_NOTICE_NS_CHANGED << 8) |
				       (NVMEV_LOG_CHANGED_NS << 16));
}

/* Changed Namespace List (04h): the NSIDs, in order; read clears (no RAE). */
static void log_changed_ns(struct nvmev_dev *dev, bool rae, __le32 *ids)
{
	id_ns_list(dev->changed_ns, ids);
	if (rae)
		return;
	dev->changed_ns = 0;
	dev->ns_event_masked = false;
}

/*
 * The table a load makes the namespaces from again; if it cannot be
 * written the change stands until the unload, and the log says so.
 */
static void ns_save(struct nvmev_dev *dev)
{
	if (nvmev_kv_ns_save(dev))
		pr_warn("namespace table not saved: the next load will not have this change\n");
}

/* The allocated extents, for nvmev_ns_place(); Return: how many. */
static unsigned int ns_extents(struct nvmev_dev *dev, struct nvmev_extent *ext)
{
	unsigned int n = 0;
	u32 nsid;

	for (nsid = NVMEV_NSID + 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		if (dev->ns[nsid].kind == NVMEV_NS_NONE)
			continue;
		ext[n].offset = dev->ns[nsid].offset;
		ext[n++].size = dev->ns[nsid].size;
	}
	return n;
}

static u32 ns_free_nsid(struct nvmev_dev *dev)
{
	u32 nsid;

	for (nsid = NVMEV_NSID + 1; nsid <= NVMEV_MAX_NSID; nsid++)
		if (dev->ns[nsid].kind == NVMEV_NS_NONE)
			return nsid;
	return 0;
}

/* The new namespace's store or block state; Return: 0 or -errno. */
static int ns_make(struct nvmev_dev *dev, u32 nsid)
{
	struct nvmev_ns *ns = &dev->ns[nsid];

	if (ns->kind == NVMEV_NS_KV)
		return nvmev_kv_ns_create(dev, nsid);
	return nvmev_io_blk_ns_init(dev, ns, true);
}

/*
 * Create: the host's namespace structure checked, the capacity found
 * (first fit in whole MiB), the lowest free NSID taken; a block namespace
 * reads zeroes, a KV namespace starts empty. Not attached yet. DW0: NSID.
 */
static u16 ns_create(struct nvmev_dev *dev, const struct nvmev_admin_cmd *cmd,
		     struct admin_res *res)
{
	struct nvmev_extent ext[NVMEV_MAX_NSID];
	u8 *buf = dev->admin_buf;
	u64 nsze, bytes, at;
	struct nvmev_ns *ns;
	u32 nsid;
	u16 status;

	status = admin_from_host(dev, cmd, buf, NVMEV_PAGE_SIZE);
	if (status)
		return status;
	status = nvmev_ns_create_check(buf, cmd->ns.csi, &nsze, &bytes);
	if (status) {
		pr_notice_ratelimited("namespace management: create (CSI %u, NSZE %llu): %s\n",
				      cmd->ns.csi, nsze,
				      cmd->ns.csi == NVMEV_CSI_KV ?
				      "a KV namespace needs NSZE >= 32 MiB in bytes" :
				      "a block namespace needs NCAP = NSZE > 0, LBA format 0, no PI");
		return fail(res, status, NVMEV_CDW_LOC(6));
	}
	nsid = ns_free_nsid(dev);
	if (!nsid)
		return fail(res, NVMEV_SC_NS_ID_UNAVAILABLE | NVMEV_SC_DNR, 0);
	at = nvmev_ns_place(ext, ns_extents(dev, ext), pool_base(dev),
			    pool_end(dev), bytes);
	if (at == U64_MAX) {
		pr_notice_ratelimited("namespace management: create: no %llu MiB free (unallocated %llu MiB; ns_pool_size= leaves capacity at load)\n",
				      bytes >> 20, pool_free(dev) >> 20);
		return fail(res, NVMEV_SC_NS_INSUFFICIENT_CAP | NVMEV_SC_DNR,
			    0);
	}
	ns = &dev->ns[nsid];
	memset(ns, 0, sizeof(*ns));
	ns->kind = cmd->ns.csi == NVMEV_CSI_KV ? NVMEV_NS_KV : NVMEV_NS_BLK;
	ns->offset = at;
	ns->size = bytes;
	ns->nsze = nsze;
	ns->gen = ++dev->ns_gen;
	if (ns_make(dev, nsid)) {
		memset(ns, 0, sizeof(*ns));
		return NVMEV_SC_INTERNAL;
	}
	pr_info("namespace %u created: %s, %llu MiB at %#llx\n", nsid,
		ns->kind == NVMEV_NS_KV ? "KV" : "block", bytes >> 20, at);
	ns_save(dev);
	res->dw0 = nsid;
	return NVMEV_SC_SUCCESS;
}

/*
 * Delete (detaching first): with no I/O in flight, so that no command
 * still uses the namespace, and the workers held off while its state goes.
 */
static u16 ns_delete(struct nvmev_dev *dev, u32 mask)
{
	u32 nsid;

	if (nvmev_io_drain(dev, ERASE_DRAIN_MS))
		return NVMEV_SC_CMD_SEQ_ERROR;
	for (nsid = NVMEV_NSID + 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		if (!(mask & (1u << nsid)))
			continue;
		if (dev->ns[nsid].attached)
			ns_changed(dev, nsid);
		nvmev_io_ns_remove(dev, nsid);
		pr_info("namespace %u deleted\n", nsid);
	}
	ns_save(dev);
	return NVMEV_SC_SUCCESS;
}

static u16 admin_ns_mgmt(struct nvmev_dev *dev,
			 const struct nvmev_admin_cmd *cmd,
			 struct admin_res *res)
{
	NVMEV_TRACE_FUNC();

	if (cmd->ns.sel == NS_SEL_CREATE)
		return ns_create(dev, cmd, res);
	return ns_delete(dev, cmd->ns.mask);
}

/*
 * Attach or detach our controller. A detach waits for the namespace's
 * commands in flight; those fetched later get Invalid Namespace.
 */
static u16 admin_ns_attach(struct nvmev_dev *dev,
			   const struct nvmev_admin_cmd *cmd,
			   struct admin_res *res)
{
	struct nvmev_ns *ns = &dev->ns[cmd->nsid];
	bool attach = cmd->ns.sel == NS_SEL_CREATE;
	u8 *buf = dev->admin_buf;
	u16 status;
	NVMEV_TRACE_FUNC();

	status = admin_from_host(dev, cmd, buf, NVMEV_PAGE_SIZE);
	if (!status)
		status = nvmev_ctrl_list_check(buf);
	if (status)
		return fail(res, status, NVMEV_CDW_LOC(6));
	if (attach && ns->attached)
		return fail(res, NVMEV_SC_NS_ALREADY_ATTACHED | NVMEV_SC_DNR,
			    NVMEV_CDW_LOC(1));
	if (!attach && !ns->attached)
		return fail(res, NVMEV_SC_NS_NOT_ATTACHED | NVMEV_SC_DNR,
			    NVMEV_CDW_LOC(1));
	if (!attach && nvmev_io_drain(dev, ERASE_DRAIN_MS))
		return NVMEV_SC_CMD_SEQ_ERROR;
	ns->attached = attach;
	ns_changed(dev, cmd->nsid);
	ns_save(dev);
	pr_info("namespace %u %s\n", cmd->nsid, attach ? "attached" : "detached");
	return NVMEV_SC_SUCCESS;
}

/* Supported Log Pages: LSUPP for every row of the log table. */
static void log_supported(__le32 *lids)
{
	unsigned int lid;

	for (lid = 0; lid < 256; lid++)
		if (nvmev_log_find(lid))
			lids[lid] = cpu_to_le32(1);
}

/*
 * FID Supported and Effects: FSUPP and the scope (namespace or controller)
 * of every feature the controller has now.
 */
#define FID_FSUPP (1u << 0)
#define FID_SCOPE_NS (1u << 20)
#define FID_SCOPE_CTRL (1u << 21)

static void admin_state(struct nvmev_dev *dev, struct nvmev_admin_state *st);

static void log_fid_effects(struct nvmev_dev *dev, __le32 *fids)
{
	const struct nvmev_feat_desc *d;
	struct nvmev_admin_state st;
	unsigned int fid;

	admin_state(dev, &st);
	for (fid = 0; fid < 256; fid++) {
		d = feat_present(&st, fid);
		if (d)
			fids[fid] = cpu_to_le32(FID_FSUPP |
						(d->flags & NVMEV_FEAT_F_NS ?
							 FID_SCOPE_NS :
							 FID_SCOPE_CTRL));
	}
}

static void fill_effects_log(u8 csi, struct nvme_effects_log *log);

static u16 admin_get_log_page(struct nvmev_dev *dev,
			      const struct nvmev_admin_cmd *cmd,
			      struct admin_res *res)
{
	u64 len = cmd->log.len, off = cmd->log.off;
	u32 size = cmd->log.size;
	u8 *buf = dev->admin_buf;
	u16 status;
	NVMEV_TRACE_FUNC();

	memset(buf, 0, NVMEV_PAGE_SIZE);
	switch (cmd->log.lid) {
	case NVMEV_LOG_SUPPORTED:
		log_supported((__le32 *)buf);
		break;
	case NVMEV_LOG_FID_EFFECTS:
		log_fid_effects(dev, (__le32 *)buf);
		break;
	case NVME_LOG_ERROR:
		log_error(dev, buf);
		break;
	case NVME_LOG_SMART:
		log_smart(dev, buf);
		break;
	case NVME_LOG_FW_SLOT:
		log_fw_slot(buf);
		break;
	case NVME_LOG_CMD_EFFECTS:
		fill_effects_log(cmd->log.csi, (struct nvme_effects_log *)buf);
		break;
	case NVMEV_LOG_SANITIZE:
		log_sanitize(dev, buf);
		break;
	case NVMEV_LOG_CHANGED_NS:
		log_changed_ns(dev, cmd->log.rae, (__le32 *)buf);
		break;
	case NVMEV_LOG_LBA_STATUS:
		log_lba_status(dev, buf);
		break;
	}

	/* The log from @off, then zeros up to the host's length. */
	status = nvmev_sgl_map(dev->admin_sgl, cmd->prp1, cmd->prp2, len);
	if (!status)
		status = nvmev_sgl_copy(dev->admin_sgl, 0, buf + off,
					min_t(u64, len, size - off), true);
	if (!status && len > size - off) {
		u64 done = size - off;

		memset(buf, 0, NVMEV_PAGE_SIZE);
		while (!status && done < len) {
			u64 n = min_t(u64, len - done, NVMEV_PAGE_SIZE);

			status = nvmev_sgl_copy(dev->admin_sgl, done, buf, n,
						true);
			done += n;
		}
	}
	return status;
}

/* ---------------------------------------------------------------------- */
/* Queues */

/* The host's queue memory, direct-mapped; NULL if it is not host RAM. */
static void *map_new_queue(const struct nvmev_admin_cmd *cmd, bool is_sq,
			   struct admin_res *res)
{
	void *entries = nvmev_host_queue_map(
		cmd->prp1, (u64)cmd->queue.size * (is_sq ? 64 : 16));

	if (!entries)
		fail(res, NVMEV_SC_INVALID_FIELD, CDW_LOC(6));
	return entries;
}

static u16 admin_create_cq(struct nvmev_dev *dev,
			   const struct nvmev_admin_cmd *cmd,
			   struct admin_res *res)
{
	void *entries;
	NVMEV_TRACE_FUNC();

	entries = map_new_queue(cmd, false, res);
	if (!entries)
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	if (!nvmev_cq_create(dev, cmd->queue.qid, entries, cmd->queue.size,
			     cmd->queue.vector, cmd->queue.irq_enabled))
		return NVMEV_SC_INTERNAL;
	return NVMEV_SC_SUCCESS;
}

static u16 admin_create_sq(struct nvmev_dev *dev,
			   const struct nvmev_admin_cmd *cmd,
			   struct admin_res *res)
{
	void *entries;
	NVMEV_TRACE_FUNC();

	entries = map_new_queue(cmd, true, res);
	if (!entries)
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	if (!nvmev_sq_create(dev, cmd->queue.qid, cmd->queue.cqid, entries,
			     cmd->queue.size, cmd->queue.prio))
		return NVMEV_SC_INTERNAL;
	return NVMEV_SC_SUCCESS;
}

/* Commands of the SQ, queued or not yet fetched, complete as aborted. */
static u16 admin_delete_sq(struct nvmev_dev *dev,
			   const struct nvmev_admin_cmd *cmd,
			   struct admin_res *res)
{
	NVMEV_TRACE_FUNC();

	nvmev_io_delete_sq(dev, cmd->queue.qid);
	return NVMEV_SC_SUCCESS;
}

static u16 admin_delete_cq(struct nvmev_dev *dev,
			   const struct nvmev_admin_cmd *cmd,
			   struct admin_res *res)
{
	NVMEV_TRACE_FUNC();

	nvmev_io_delete_cq(dev, cmd->queue.qid);
	return NVMEV_SC_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Features */

static u64 timestamp_ms(struct nvmev_dev *dev)
{
	return dev->timestamp_base_ms +
	       (ktime_get_ns() - dev->timestamp_set_ns) / NSEC_PER_MSEC;
}

static u16 feat_timestamp_get(struct nvmev_dev *dev,
			      const struct nvmev_admin_cmd *cmd)
{
	u8 data[8] = {};
	u64 ms = timestamp_ms(dev);
	int i;

	for (i = 0; i < 6; i++)
		data[i] = ms >> (8 * i);
	/* Timestamp Origin: 1 once the host set it; Synch = 0 */
	data[6] = dev->timestamp_base_ms ? (1 << 1) : 0;
	return admin_to_host(dev, cmd, data, sizeof(data));
}

static u16 feat_timestamp_set(struct nvmev_dev *dev,
			      const struct nvmev_admin_cmd *cmd)
{
	u8 data[8];
	u64 ms = 0;
	u16 status;
	int i;

	status = admin_from_host(dev, cmd, data, sizeof(data));
	if (status)
		return status;
	for (i = 0; i < 6; i++)
		ms |= (u64)data[i] << (8 * i);
	dev->timestamp_base_ms = ms;
	dev->timestamp_set_ns = ktime_get_ns();
	return NVMEV_SC_SUCCESS;
}

static void feat_num_queues_set(struct nvmev_dev *dev, u32 cdw11,
				struct admin_res *res)
{
	u32 max = dev->cfg.nr_io_queues;

	dev->nr_io_sq_granted = min((cdw11 & 0xffff) + 1, max);
	dev->nr_io_cq_granted = min((cdw11 >> 16) + 1, max);
	res->dw0 = ((dev->nr_io_cq_granted - 1) << 16) |
		   (dev->nr_io_sq_granted - 1);
}

static u16 admin_set_features(struct nvmev_dev *dev,
			      const struct nvmev_admin_cmd *cmd,
			      struct admin_res *res)
{
	u8 fid = cmd->feat.fid;
	NVMEV_TRACE_FUNC();

	switch (fid) {
	case NVME_FEAT_NUM_QUEUES:
		feat_num_queues_set(dev, cmd->feat.value, res);
		return NVMEV_SC_SUCCESS;
	case NVME_FEAT_TIMESTAMP:
		return feat_timestamp_set(dev, cmd);
	case NVMEV_FEAT_KV_CONFIG: /* per namespace: kept by its store */
		nvmev_kv_set_config(dev, cmd->nsid, cmd->feat.value);
		res->dw0 = cmd->feat.value;
		return NVMEV_SC_SUCCESS;
	}
	dev->features[fid] = cmd->feat.value;
	res->dw0 = cmd->feat.value;
	return NVMEV_SC_SUCCESS;
}

/* Number of Queues before the host asks: all it may have. */
static u32 num_queues_default(struct nvmev_dev *dev)
{
	u32 n = dev->cfg.nr_io_queues - 1;

	return n << 16 | n;
}

static u32 feat_current(struct nvmev_dev *dev, u8 fid)
{
	u32 sqs = dev->nr_io_sq_granted, cqs = dev->nr_io_cq_granted;

	if (fid != NVME_FEAT_NUM_QUEUES)
		return dev->features[fid];
	if (!sqs || !cqs)
		return num_queues_default(dev);
	return (cqs - 1) << 16 | (sqs - 1);
}

/* Feature 20h of KV namespace @nsid, or of the first active one. */
static u32 kv_config_current(struct nvmev_dev *dev, u32 nsid)
{
	struct nvmev_admin_state st;

	if (nsid == NSID_ALL) {
		admin_state(dev, &st);
		nsid = kv_nsid(&st);
	}
	return nsid ? nvmev_kv_get_config(dev, nsid) : 0;
}

static u16 admin_get_features(struct nvmev_dev *dev,
			      const struct nvmev_admin_cmd *cmd,
			      struct admin_res *res)
{
	const struct nvmev_feat_desc *d = nvmev_feat_find(cmd->feat.fid);
	u8 fid = cmd->feat.fid;
	NVMEV_TRACE_FUNC();

	switch (cmd->feat.sel) {
	case NVMEV_FEAT_SEL_SUPPORTED: /* not saveable */
		res->dw0 = d->changeable ? NVMEV_FEAT_CAP_CHANGEABLE : 0;
		if (d->flags & NVMEV_FEAT_F_NS)
			res->dw0 |= NVMEV_FEAT_CAP_NS;
		return NVMEV_SC_SUCCESS;
	case NVMEV_FEAT_SEL_DEFAULT:
	case NVMEV_FEAT_SEL_SAVED: /* nothing is saveable: the default */
		res->dw0 = fid == NVME_FEAT_NUM_QUEUES ?
				   num_queues_default(dev) :
				   d->def;
		break;
	default:
		res->dw0 = fid == NVMEV_FEAT_KV_CONFIG ?
				   kv_config_current(dev, cmd->nsid) :
				   feat_current(dev, fid);
		break;
	}
	if (fid == NVME_FEAT_TIMESTAMP)
		return feat_timestamp_get(dev, cmd);
	if (fid == NVME_FEAT_IRQ_CONFIG) /* that vector, coalescing on */
		res->dw0 = cmd->feat.value & 0xffff;
	return NVMEV_SC_SUCCESS;
}

/* The defaults, and the KV namespace told its configuration is too. */
static void features_defaults(struct nvmev_dev *dev)
{
	unsigned int fid;

	memset(dev->features, 0, sizeof(dev->features));
	for (fid = 0; fid < NVMEV_FEAT_VALUES; fid++)
		if (nvmev_feat_find(fid))
			dev->features[fid] = nvmev_feat_find(fid)->def;
	nvmev_kv_set_config(dev, NSID_ALL, dev->features[NVMEV_FEAT_KV_CONFIG]);
}

/* ---------------------------------------------------------------------- */
/* Abort, AER, Keep Alive */

static u16 admin_abort(struct nvmev_dev *dev, const struct nvmev_admin_cmd *cmd,
		       struct admin_res *res)
{
	NVMEV_TRACE_FUNC();

	res->dw0 = 1; /* not aborted: commands complete in bounded time */
	return NVMEV_SC_SUCCESS;
}

static u16 admin_async_event(struct nvmev_dev *dev,
			     const struct nvmev_admin_cmd *cmd,
			     struct admin_res *res)
{
	NVMEV_TRACE_FUNC();

	/* held until an event comes, unless one was waiting */
	res->no_cqe = nvmev_aer_hold(dev, cmd->cid, &res->dw0);
	return NVMEV_SC_SUCCESS;
}

#define ACS NVME_CMD_EFFECTS_CSUPP

static const struct admin_cmd admin_cmds[] = {
	{ nvme_admin_delete_sq, "delete-sq", ACS, admin_delete_sq },
	{ nvme_admin_create_sq, "create-sq", ACS, admin_create_sq },
	{ nvme_admin_get_log_page, "get-log-page", ACS, admin_get_log_page },
	{ nvme_admin_delete_cq, "delete-cq", ACS, admin_delete_cq },
	{ nvme_admin_create_cq, "create-cq", ACS, admin_create_cq },
	{ nvme_admin_identify, "identify", ACS, admin_identify },
	{ nvme_admin_abort_cmd, "abort", ACS, admin_abort },
	{ nvme_admin_set_features, "set-features", ACS, admin_set_features },
	{ nvme_admin_get_features, "get-features", ACS, admin_get_features },
	{ nvme_admin_async_event, "async-event", ACS, admin_async_event },
	{ nvme_admin_format_nvm, "format-nvm",
	  ACS | NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_NCC | EFFECTS_CSE_ANY,
	  admin_format },
	{ nvme_admin_sanitize_nvm, "sanitize",
	  ACS | NVME_CMD_EFFECTS_LBCC | EFFECTS_CSE_ANY, admin_sanitize },
	{ nvme_admin_ns_mgmt, "ns-mgmt",
	  ACS | NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC, admin_ns_mgmt },
	{ nvme_admin_ns_attach, "ns-attach",
	  ACS | NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC, admin_ns_attach },
	{ nvme_admin_get_lba_status, "get-lba-status", ACS,
	  admin_get_lba_status },
};

static const unsigned int nr_admin_cmds = ARRAY_SIZE(admin_cmds);

/*
 * Commands Supported and Effects of command set @csi (checked by the
 * decoder): both halves from the opcode tables, the admin one for all.
 */
static void fill_effects_log(u8 csi, struct nvme_effects_log *log)
{
	unsigned int i;

	for (i = 0; i < nr_admin_cmds; i++)
		log->acs[admin_cmds[i].opcode] =
			cpu_to_le32(admin_cmds[i].effects);
	nvmev_io_fill_effects(csi, log->iocs);
}

static const struct admin_cmd *admin_cmd_find(u8 opcode)
{
	unsigned int i;

	for (i = 0; i < nr_admin_cmds; i++)
		if (admin_cmds[i].opcode == opcode)
			return &admin_cmds[i];
	return NULL;
}

/* What nvmev_admin_decode() needs to know of the controller. */
static void admin_state(struct nvmev_dev *dev, struct nvmev_admin_state *st)
{
	unsigned int qid;
	u32 nsid;

	memset(st, 0, sizeof(*st));
	st->nr_io_queues = dev->cfg.nr_io_queues;
	st->nr_aers = dev->nr_aers;
	st->nn = nr_namespaces(dev);
	st->ns_fixed = 1u << NVMEV_NSID;
	st->kv_capable = dev->kv_capable;
	for (nsid = 1; nsid <= st->nn; nsid++) {
		if (dev->ns[nsid].kind == NVMEV_NS_NONE)
			continue;
		st->ns_alloc |= 1u << nsid;
		if (dev->ns[nsid].attached)
			st->ns_attached |= 1u << nsid;
		st->ns_csi[nsid] = nvmev_ns_csi(dev, nsid);
		if (dev->ns[nsid].kind != NVMEV_NS_KV)
			st->ns_blocks[nsid] = dev->ns[nsid].blk_blocks;
		if (nvmev_ns_active(dev, nsid))
			st->ns_active |= 1u << nsid;
	}
	for (qid = 1; qid <= dev->cfg.nr_io_queues; qid++) {
		if (dev->sqs[qid])
			st->sq_live |= 1ULL << qid;
		if (dev->cqs[qid])
			st->cq_live |= 1ULL << qid;
		if (dev->cqs[qid] && dev->cqs[qid]->nr_sqs)
			st->cq_busy |= 1ULL << qid;
	}
}

static u16 admin_exec(struct nvmev_dev *dev, const u32 *sqe,
		      struct admin_res *res)
{
	const struct admin_cmd *ac = admin_cmd_find(nvmev_sqe_opcode(sqe));
	struct nvmev_admin_state st;
	struct nvmev_admin_cmd cmd;
	u16 status;
	NVMEV_TRACE_FUNC();

	admin_state(dev, &st);
	status = nvmev_admin_decode(sqe, &st, &cmd);
	if (!status && !ac) /* decoded but not in the table: a bug of ours */
		status = NVMEV_SC_INVALID_OPCODE | NVMEV_SC_DNR;
	if (status) {
		res->param_loc = cmd.param_loc;
		return status;
	}
	return ac->exec(dev, &cmd, res);
}

/* Run and complete one fetched admin command (its CQ entry reserved). */
static void nvmev_proc_admin_cmd(struct nvmev_dev *dev, struct nvmev_cq *cq,
				 const u32 *sqe)
{
	struct admin_res res = {};
	u16 status;
	NVMEV_TRACE_FUNC();

	status = admin_exec(dev, sqe, &res);
	if (res.no_cqe) { /* an AER: its completion comes with an event */
		nvmev_cq_unreserve(cq);
		return;
	}
	nvmev_complete(dev, cq, 0, sqe, status, res.dw0, 0, res.param_loc);
	nvmev_cq_interrupt(dev, cq);
}

/*
 * nvmev_admin_poll - the dispatcher's one entry into admin: deliver a
 * waiting asynchronous event, then run every admin command the host has
 * submitted (as long as the admin CQ has room).
 *
 * Return: true if any command was processed.
 */
bool nvmev_admin_poll(struct nvmev_dev *dev)
{
	struct nvmev_sq *sq = dev->sqs[0];
	struct nvmev_cq *cq = dev->cqs[0];
	bool busy = false;
	u32 sqe[16];
	u32 tail;

	if (!sq || !cq)
		return false;
	nvmev_aer_deliver(dev);
	tail = nvmev_sq_tail(dev, sq);
	while (nvmev_sq_fetch(dev, sq, tail, sqe)) {
		bool traced = nvmev_trace_cmd_begin(dev, NVMEV_TRACE_ADMIN,
						    nvmev_sqe_opcode(sqe));

		nvmev_proc_admin_cmd(dev, cq, sqe);
		nvmev_trace_cmd_end(traced);
		busy = true;
	}
	return busy;
}

/* An injected admin command (inject.c): run it, log an error, no CQE. */
u16 nvmev_admin_exec_raw(struct nvmev_dev *dev, const u32 *sqe, u32 *dw0)
{
	struct admin_res res = {};
	u16 status = admin_exec(dev, sqe, &res);

	if (status)
		nvmev_cmd_failed(dev, 0, sqe, status, res.param_loc);
	*dw0 = res.dw0;
	return status;
}

/* Controller reset: outstanding AERs and feature values are gone. */
void nvmev_admin_reset(struct nvmev_dev *dev)
{
	nvmev_aer_reset(dev);
	dev->ns_event_masked = false; /* the notice went with the AERs */
	dev->nr_io_sq_granted = 0;
	dev->nr_io_cq_granted = 0;
	features_defaults(dev);
}
#endif /* __KERNEL__ */
