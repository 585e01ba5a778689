// SPDX-License-Identifier: GPL-2.0
/*
 * io.c - I/O queues: the dispatcher thread that polls doorbells and fetches
 * commands, the worker threads that perform them at their modelled time,
 * completion posting, and the block commands of namespace 1.
 *
 * Threads and locks:
 *  - The dispatcher alone reads SQ doorbells and CC, fetches SQEs, runs admin
 *    commands and creates/deletes queues. SQ state needs no lock.
 *  - Each worker owns a list of pending requests sorted by target time and a
 *    free list; worker->lock protects both (the dispatcher inserts, the worker
 *    removes).
 *  - worker->exec_lock is held while a worker performs and completes requests.
 *    Queue deletion and controller disable take every exec_lock (in worker
 *    order), so a worker never touches a queue or host buffer being torn down.
 *  - cq->lock serializes posting to one CQ (several workers, the dispatcher).
 *
 * Polling: the controller has no doorbell interrupt (doorbells are memory),
 * so the dispatcher polls. It spins while there is work and for
 * poll_spin_us after the last command, then sleeps with an exponential
 * backoff (10 us .. 1 ms) so an idle device costs almost no CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#ifdef __KERNEL__
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>
#endif
#include "nvmev.h"

/* ---------------------------------------------------------------------- */
/* Doorbells and block-command decoding (pure: unit-tested and fuzzed) */

/**
 * nvmev_cq_head_valid - may the device take @head as the host's CQ head?
 * @head: the value in the CQ head doorbell
 * @last: the last head taken
 * @tail: the device's tail (next entry it posts)
 * @size: entries in the queue
 *
 * The host can only consume what was posted: a valid head lies in the queue
 * and, going round from @last, does not pass @tail. Anything else is the
 * spec's Invalid Doorbell Write Value; taking it would let the device
 * overwrite completions the host has not read, or stall the queue.
 */
bool nvmev_cq_head_valid(u32 head, u32 last, u32 tail, u32 size)
{
	if (head >= size || last >= size || tail >= size)
		return false;
	return nvmev_q_dist(last, head, size) <= nvmev_q_dist(last, tail, size);
}

/* Checks every I/O command gets, whatever its command set. */
u16 nvmev_io_check_common(const u32 *sqe, bool known_opcode, u16 *err_loc)
{
	u32 nsid = sqe[1];

	if (!known_opcode) {
		*err_loc = 0;
		return NVMEV_SC_INVALID_OPCODE | NVMEV_SC_DNR;
	}
	if (nvmev_sqe_psdt(sqe)) { /* SGLs are not supported */
		*err_loc = 1;
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	}
	/* Flush may name every namespace (NSID FFFFFFFFh); nothing else may. */
	if (nsid != NVMEV_NSID &&
	    !(nvmev_sqe_opcode(sqe) == NVMEV_IO_FLUSH && nsid == 0xffffffff)) {
		*err_loc = NVMEV_CDW_LOC(1);
		return NVMEV_SC_INVALID_NS | NVMEV_SC_DNR;
	}
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_blk_decode - decode the range of a block command on namespace 1
 * @sqe: a Read, Write, Write Zeroes or Flush command
 * @ns_blocks: namespace size in 512-byte blocks
 * @bc: the decoded range
 * @err_loc: the SQE byte at fault, on failure
 *
 * Return: 0 or an NVMe status. On success the range lies in the namespace
 * and a Read or Write moves at most the maximum data transfer size.
 */
u16 nvmev_blk_decode(const u32 *sqe, u64 ns_blocks, struct nvmev_blk_cmd *bc,
		     u16 *err_loc)
{
	u8 opcode = nvmev_sqe_opcode(sqe);

	memset(bc, 0, sizeof(*bc));
	if (opcode == NVMEV_IO_FLUSH)
		return NVMEV_SC_SUCCESS;
	bc->slba = ((u64)sqe[11] << 32) | sqe[10];
	bc->nlb = (sqe[12] & 0xffff) + 1;
	if (bc->slba >= ns_blocks || bc->nlb > ns_blocks - bc->slba) {
		*err_loc = NVMEV_CDW_LOC(10);
		return NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR;
	}
	bc->bytes = bc->nlb << NVMEV_LBA_SHIFT;
	if (opcode != NVMEV_IO_WRITE_ZEROES && bc->bytes > NVMEV_MAX_XFER) {
		*err_loc = NVMEV_CDW_LOC(12);
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	}
	return NVMEV_SC_SUCCESS;
}

#ifdef __KERNEL__
#include "trace.h"

static_assert(NVMEV_IO_FLUSH == nvme_cmd_flush &&
	      NVMEV_IO_WRITE == nvme_cmd_write &&
	      NVMEV_IO_READ == nvme_cmd_read &&
	      NVMEV_IO_WRITE_ZEROES == nvme_cmd_write_zeroes);

#define DISPATCH_BUDGET 64 /* SQEs per SQ per pass: fairness between SQs */
#define WORKER_BATCH 32 /* completions per interrupt at most */
#define WORKER_SPIN_NS 20000 /* closer than this: spin rather than sleep */
#define BACKOFF_MIN_US 10
#define BACKOFF_MAX_US 1000

/* ---------------------------------------------------------------------- */
/* Completion posting */

/*
 * The CQ head: the doorbell if it is valid (nvmev_cq_head_valid), else the
 * last valid one, so a bogus value neither stalls the queue nor lets the
 * device overwrite completions the host has not read. Called with cq->lock
 * held: the validity check needs the exact tail, and @cq->head must only
 * move forward (a stale head written back would misplace the ring).
 */
static u32 cq_head_locked(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	u32 head = READ_ONCE(dev->db[cq->qid * 2 + 1]);

	if (nvmev_cq_head_valid(head, cq->head, cq->tail, cq->size)) {
		WRITE_ONCE(cq->head, head);
		cq->bad_doorbell = false;
	} else if (!cq->bad_doorbell) {
		/* the dispatcher reports it: it owns the admin queue */
		cq->bad_doorbell = true;
		cq->bad_unreported = true;
		cq->bad_value = head;
	}
	return cq->head;
}

/* Free entries of @cq that no reservation holds; cq->lock held. */
static u32 cq_free_locked(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	u32 used = nvmev_q_dist(cq_head_locked(dev, cq), cq->tail, cq->size);

	/* a ring of N entries holds N - 1 completions */
	return cq->size - 1 - min(used + cq->reserved, cq->size - 1);
}

/*
 * nvmev_cq_reserve - hold one CQ entry for a completion still to be posted
 *
 * A command is only taken for execution with an entry reserved, so its
 * completion is never dropped: a CQ the host does not read holds commands
 * back (they wait in the worker's list), it never loses them. Every
 * reservation is used by exactly one nvmev_post_cqe() or released by
 * nvmev_cq_unreserve().
 */
bool nvmev_cq_reserve(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&cq->lock, flags);
	ok = cq_free_locked(dev, cq) > 0;
	cq->reserved += ok;
	spin_unlock_irqrestore(&cq->lock, flags);
	return ok;
}

void nvmev_cq_unreserve(struct nvmev_cq *cq)
{
	unsigned long flags;

	spin_lock_irqsave(&cq->lock, flags);
	if (!WARN_ON_ONCE(!cq->reserved))
		cq->reserved--;
	spin_unlock_irqrestore(&cq->lock, flags);
}

/* Write the entry at the tail and advance it; cq->lock held, room checked. */
static void cq_write_locked(struct nvmev_dev *dev, struct nvmev_cq *cq,
			    u16 sqid, u16 cid, u16 status, u32 dw0, u32 dw1)
{
	struct nvmev_sq *sq = dev->sqs[sqid];
	struct nvme_completion *e = &cq->entries[cq->tail];

	e->result.u64 = cpu_to_le64(((u64)dw1 << 32) | dw0);
	e->sq_head = cpu_to_le16(sq ? READ_ONCE(sq->reported_head) : 0);
	e->sq_id = cpu_to_le16(sqid);
	e->command_id = cid;
	dma_wmb();
	WRITE_ONCE(e->status, cpu_to_le16((status << 1) | cq->phase));
	cq->tail = nvmev_q_next(cq->tail, cq->size);
	if (!cq->tail)
		cq->phase ^= 1;
}

/*
 * nvmev_post_cqe - post a completion into the entry reserved for it
 *
 * The caller holds a reservation (nvmev_cq_reserve), so there is room. The
 * status word carrying the phase tag is written last, after a barrier, so
 * the host never sees a new phase with stale fields.
 */
void nvmev_post_cqe(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		    u16 cid, u16 status, u32 dw0, u32 dw1)
{
	unsigned long flags;
	NVMEV_TRACE_FUNC();

	spin_lock_irqsave(&cq->lock, flags);
	if (WARN_ON_ONCE(!cq->reserved)) {
		spin_unlock_irqrestore(&cq->lock, flags);
		return;
	}
	cq->reserved--;
	cq_write_locked(dev, cq, sqid, cid, status, dw0, dw1);
	spin_unlock_irqrestore(&cq->lock, flags);
}

/*
 * nvmev_post_cqe_now - post a completion nobody reserved an entry for (an
 * asynchronous event, an abort at SQ deletion), if there is room.
 * Return: false if the CQ is full; the caller keeps or drops it.
 */
bool nvmev_post_cqe_now(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
			u16 cid, u16 status, u32 dw0, u32 dw1)
{
	unsigned long flags;
	bool room;

	spin_lock_irqsave(&cq->lock, flags);
	room = cq_free_locked(dev, cq) > 0;
	if (room)
		cq_write_locked(dev, cq, sqid, cid, status, dw0, dw1);
	spin_unlock_irqrestore(&cq->lock, flags);
	return room;
}

/* ---------------------------------------------------------------------- */
/* Error log */

static const struct {
	u16 sc;
	const char *name;
} status_names[] = {
	{ NVMEV_SC_INVALID_OPCODE, "invalid opcode" },
	{ NVMEV_SC_INVALID_FIELD, "invalid field" },
	{ NVMEV_SC_DATA_XFER_ERROR, "data transfer error" },
	{ NVMEV_SC_INTERNAL, "internal error" },
	{ NVMEV_SC_ABORT_QUEUE, "aborted: SQ deleted" },
	{ NVMEV_SC_INVALID_NS, "invalid namespace" },
	{ NVMEV_SC_SGL_INVALID, "SGLs not supported" },
	{ NVMEV_SC_PRP_INVALID_OFFSET, "invalid PRP offset" },
	{ NVMEV_SC_LBA_RANGE, "LBA out of range" },
	{ NVMEV_SC_CQ_INVALID, "invalid CQ" },
	{ NVMEV_SC_QID_INVALID, "invalid queue id" },
	{ NVMEV_SC_QUEUE_SIZE, "invalid queue size" },
	{ NVMEV_SC_ASYNC_LIMIT, "AER limit exceeded" },
	{ NVMEV_SC_INVALID_VECTOR, "invalid interrupt vector" },
	{ NVMEV_SC_INVALID_LOG_PAGE, "invalid log page" },
	{ NVMEV_SC_INVALID_QUEUE_DELETION, "queue deletion: SQs attached" },
	{ NVMEV_SC_FEATURE_NOT_SAVEABLE, "feature not saveable" },
	{ 0x301, "invalid value size" },
	{ 0x302, "invalid offset" },
	{ 0x303, "invalid key size" },
	{ 0x304, "invalid option" },
	{ 0x312, "capacity exceeded" },
	{ 0x390, "invalid iterator handle" },
};

/*
 * One rate-limited line for a command the host got wrong. Answers that are
 * part of normal use (key does not exist, key exists, iteration finished)
 * are not logged: applications rely on them.
 */
void nvmev_log_bad_cmd(u16 qid, u16 cid, u8 opcode, u16 status)
{
	u16 sc = status & NVMEV_SC_MASK;
	const char *name = NULL;
	unsigned int i;

	if (!sc || sc == 0x310 || sc == 0x380 || sc == 0x393)
		return;
	for (i = 0; i < ARRAY_SIZE(status_names); i++)
		if (status_names[i].sc == sc)
			name = status_names[i].name;
	pr_notice_ratelimited(
		"%s qid %u cid %u opcode %#04x: %s (status %#05x)\n",
		qid ? "I/O" : "admin", qid, cid, opcode, name ?: "error", sc);
}

void nvmev_log_error(struct nvmev_dev *dev, u16 sqid, u16 cid, u16 status,
		     u16 param_loc, u32 nsid, u64 lba)
{
	struct nvmev_err_entry *e;
	unsigned long flags;

	spin_lock_irqsave(&dev->err_lock, flags);
	e = &dev->errs[dev->err_seq % NVMEV_ERR_LOG_ENTRIES];
	e->count = ++dev->err_seq;
	e->sqid = sqid;
	e->cid = cid;
	e->status = status;
	e->param_loc = param_loc;
	e->nsid = nsid;
	e->lba = lba;
	spin_unlock_irqrestore(&dev->err_lock, flags);
}

/* ---------------------------------------------------------------------- */
/* Block commands on namespace 1 */

struct blk_req {
	u64 slba;
	u64 bytes;
};

static u64 ns_blocks(struct nvmev_dev *dev)
{
	return dev->cfg.blk_size >> NVMEV_LBA_SHIFT;
}

static u8 *blk_addr(struct nvmev_dev *dev, u64 slba)
{
	return dev->storage + (dev->cfg.blk_offset - NVMEV_BAR_WINDOW) +
	       (slba << NVMEV_LBA_SHIFT);
}

static u16 blk_parse_range(struct nvmev_dev *dev, struct nvmev_req *req,
			   bool has_data)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	struct nvmev_blk_cmd bc;
	u16 status;

	status = nvmev_blk_decode(req->sqe, ns_blocks(dev), &bc, &req->err_loc);
	if (status)
		return status;
	br->slba = bc.slba;
	br->bytes = bc.bytes;
	req->bytes = has_data ? bc.bytes : 0;
	return NVMEV_SC_SUCCESS;
}

static u64 xfer_ns(u64 bytes, u64 ns_per_kib)
{
	return (bytes * ns_per_kib) >> 10;
}

static u16 blk_read_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	u16 status = blk_parse_range(dev, req, true);

	if (!status)
		req->target_ns =
			req->submit_ns + dev->timing.read_ns +
			xfer_ns(br->bytes, dev->timing.ns_per_kib_read);
	return status;
}

static u16 blk_write_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	u16 status = blk_parse_range(dev, req, true);

	if (!status)
		req->target_ns =
			req->submit_ns + dev->timing.write_ns +
			xfer_ns(br->bytes, dev->timing.ns_per_kib_write);
	return status;
}

static u16 blk_zeroes_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	u16 status = blk_parse_range(dev, req, false);

	if (!status)
		req->target_ns = req->submit_ns + dev->timing.write_ns;
	return status;
}

static u16 blk_flush_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	req->target_ns = req->submit_ns + dev->timing.flush_ns;
	return NVMEV_SC_SUCCESS;
}

static u16 blk_rw_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			  struct nvmev_sgl *sgl, bool to_host)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	u16 status;

	status = nvmev_sgl_map(sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->bytes);
	if (!status)
		status = nvmev_sgl_copy(sgl, 0, blk_addr(dev, br->slba),
					br->bytes, to_host);
	if (status)
		return status;
	atomic64_inc(to_host ? &dev->ctr.host_read_cmds :
			       &dev->ctr.host_write_cmds);
	atomic64_add(br->bytes,
		     to_host ? &dev->ctr.bytes_read : &dev->ctr.bytes_written);
	return NVMEV_SC_SUCCESS;
}

static u16 blk_read_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			    struct nvmev_sgl *sgl)
{
	return blk_rw_perform(dev, req, sgl, true);
}

static u16 blk_write_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			     struct nvmev_sgl *sgl)
{
	return blk_rw_perform(dev, req, sgl, false);
}

static u16 blk_zeroes_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			      struct nvmev_sgl *sgl)
{
	struct blk_req *br = (struct blk_req *)req->priv;

	memset(blk_addr(dev, br->slba), 0, br->bytes);
	atomic64_inc(&dev->ctr.host_write_cmds);
	return NVMEV_SC_SUCCESS;
}

static u16 blk_flush_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			     struct nvmev_sgl *sgl)
{
	return NVMEV_SC_SUCCESS;
}

#define EFFECTS_CSUPP 0x1 /* command supported */
#define EFFECTS_LBCC 0x2 /* logical block content change */

static const struct nvmev_io_cmd blk_cmds[] = {
	{ nvme_cmd_flush, "flush", EFFECTS_CSUPP, blk_flush_dispatch,
	  blk_flush_perform },
	{ nvme_cmd_write, "write", EFFECTS_CSUPP | EFFECTS_LBCC,
	  blk_write_dispatch, blk_write_perform },
	{ nvme_cmd_read, "read", EFFECTS_CSUPP, blk_read_dispatch,
	  blk_read_perform },
	{ nvme_cmd_write_zeroes, "write-zeroes", EFFECTS_CSUPP | EFFECTS_LBCC,
	  blk_zeroes_dispatch, blk_zeroes_perform },
};

/* The opcode table: block commands, then the KV command set's. */
const struct nvmev_io_cmd *nvmev_io_cmd_find(u8 opcode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blk_cmds); i++)
		if (blk_cmds[i].opcode == opcode)
			return &blk_cmds[i];
	for (i = 0; i < nvmev_kv_nr_cmds; i++)
		if (nvmev_kv_cmds[i].opcode == opcode)
			return &nvmev_kv_cmds[i];
	return NULL;
}

/* Statistics slot of a command: its place in the opcode tables. */
int nvmev_io_cmd_slot(const struct nvmev_io_cmd *op)
{
	if (op >= blk_cmds && op < blk_cmds + ARRAY_SIZE(blk_cmds))
		return op - blk_cmds;
	if (op >= nvmev_kv_cmds && op < nvmev_kv_cmds + nvmev_kv_nr_cmds &&
	    ARRAY_SIZE(blk_cmds) + (op - nvmev_kv_cmds) < NVMEV_STAT_OPS - 1)
		return ARRAY_SIZE(blk_cmds) + (op - nvmev_kv_cmds);
	return NVMEV_STAT_OPS - 1;
}

const struct nvmev_io_cmd *nvmev_io_cmd_at(int slot)
{
	if (slot < ARRAY_SIZE(blk_cmds))
		return &blk_cmds[slot];
	slot -= ARRAY_SIZE(blk_cmds);
	if (slot < nvmev_kv_nr_cmds &&
	    slot + ARRAY_SIZE(blk_cmds) < NVMEV_STAT_OPS - 1)
		return &nvmev_kv_cmds[slot];
	return NULL;
}

/* Commands Supported and Effects log, I/O half, from the same tables. */
void nvmev_io_fill_effects(__le32 *iocs)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blk_cmds); i++)
		iocs[blk_cmds[i].opcode] = cpu_to_le32(blk_cmds[i].effects);
	for (i = 0; i < nvmev_kv_nr_cmds; i++)
		iocs[nvmev_kv_cmds[i].opcode] =
			cpu_to_le32(nvmev_kv_cmds[i].effects);
}

/* ---------------------------------------------------------------------- */
/* Workers */

static struct nvmev_worker *sq_worker(struct nvmev_dev *dev, u16 sqid)
{
	/* One SQ -> one worker keeps a queue's commands in submission order
	 * when their modelled times are equal.
	 */
	return &dev->workers[(sqid - 1) % dev->cfg.nr_workers];
}

static struct nvmev_req *worker_get_free(struct nvmev_worker *w)
{
	struct nvmev_req *req = NULL;

	spin_lock(&w->lock);
	if (!list_empty(&w->free)) {
		req = list_first_entry(&w->free, struct nvmev_req, list);
		list_del(&req->list);
		w->nr_free--;
	}
	spin_unlock(&w->lock);
	return req;
}

static void worker_put_free(struct nvmev_worker *w, struct nvmev_req *req)
{
	spin_lock(&w->lock);
	list_add(&req->list, &w->free);
	w->nr_free++;
	spin_unlock(&w->lock);
}

/* Insert by target time, scanning from the tail: times mostly increase. */
static void nvmev_enqueue_io_req(struct nvmev_worker *w, struct nvmev_req *req)
{
	struct nvmev_req *pos;
	bool first;
	NVMEV_TRACE_FUNC();

	spin_lock(&w->lock);
	list_for_each_entry_reverse(pos, &w->pending, list) {
		if (pos->target_ns <= req->target_ns)
			break;
	}
	list_add(&req->list, &pos->list);
	first = w->pending.next == &req->list;
	if (first)
		WRITE_ONCE(w->kick, true);
	spin_unlock(&w->lock);
	if (first)
		wake_up(&w->wq);
}

/* Take the earliest request if it is due and its CQ has room. */
/*
 * Take the earliest due request whose CQ has room. A full CQ (its host is
 * not reading) must not hold up the other queues of this worker, so every
 * due request behind ones for a full CQ is considered too. The scan is
 * bounded by the worker's request pool and only grows while a host leaves
 * a CQ full.
 */

static struct nvmev_req *worker_take_due(struct nvmev_worker *w, u64 now,
					 u64 *next_ns)
{
	struct nvmev_dev *dev = w->dev;
	struct nvmev_req *req, *found = NULL;

	*next_ns = U64_MAX;
	spin_lock(&w->lock);
	list_for_each_entry(req, &w->pending, list) {
		struct nvmev_cq *cq = dev->cqs[req->cqid];

		if (req->target_ns > now) {
			*next_ns = min(*next_ns, req->target_ns);
			break;
		}
		if (!cq || nvmev_cq_reserve(dev, cq)) {
			found = req;
			break;
		}
		/* due, but its CQ is full until the host reads it */
		*next_ns = now + 50000;
	}
	if (found)
		list_del(&found->list);
	spin_unlock(&w->lock);
	return found;
}

static void nvmev_perform_io_req(struct nvmev_worker *w, struct nvmev_req *req)
{
	struct nvmev_dev *dev = w->dev;
	struct nvmev_cq *cq = dev->cqs[req->cqid];
	u16 cid = nvmev_sqe_cid(req->sqe);
	u64 now;
	NVMEV_TRACE_FUNC();

	if (!req->status && req->op)
		req->status = req->op->perform(dev, req, w->sgl);
	if (req->status) {
		nvmev_log_error(dev, req->sqid, cid, req->status, req->err_loc,
				req->sqe[1], 0);
		nvmev_log_bad_cmd(req->sqid, cid, nvmev_sqe_opcode(req->sqe),
				  req->status);
	}
	if (cq)
		nvmev_post_cqe(dev, cq, req->sqid, cid, req->status, req->dw0,
			       req->dw1);
	now = ktime_get_ns();
	nvmev_stats_account(w, req, now);
	trace_nvmev_kv_complete(req->sqid, cid, nvmev_sqe_opcode(req->sqe),
				req->key, req->key_len, req->bytes, req->status,
				req->dw0, req->target_ns - req->submit_ns,
				now - req->submit_ns);
	/* a traced command shows its interrupt; others share one per batch */
	if (req->traced && cq && cq->irq_enabled)
		nvmev_signal_irq(dev, cq->vector);
}

static void irq_note(u16 *cqids, unsigned int *n, u16 cqid)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (cqids[i] == cqid)
			return;
	cqids[(*n)++] = cqid;
}

/* Perform every due request (up to a batch), then one interrupt per CQ. */
static u64 worker_run_due(struct nvmev_worker *w)
{
	struct nvmev_dev *dev = w->dev;
	u16 cqids[WORKER_BATCH];
	unsigned int n = 0, i, done;
	u64 next_ns = U64_MAX;

	mutex_lock(&w->exec_lock);
	for (done = 0; done < WORKER_BATCH; done++) {
		struct nvmev_req *req =
			worker_take_due(w, ktime_get_ns(), &next_ns);

		if (!req)
			break;
		nvmev_trace_cmd_resume(req->traced);
		nvmev_perform_io_req(w, req);
		nvmev_trace_cmd_end(req->traced);
		if (!req->traced)
			irq_note(cqids, &n, req->cqid);
		worker_put_free(w, req);
	}
	for (i = 0; i < n; i++) {
		struct nvmev_cq *cq = dev->cqs[cqids[i]];

		if (cq && cq->irq_enabled)
			nvmev_signal_irq(dev, cq->vector);
	}
	mutex_unlock(&w->exec_lock);
	return done == WORKER_BATCH ? 0 : next_ns;
}

static int nvmev_worker_fn(void *data)
{
	struct nvmev_worker *w = data;

	while (!kthread_should_stop()) {
		u64 next_ns = worker_run_due(w);
		u64 now = ktime_get_ns();

		if (next_ns == U64_MAX && !w->id && nvmev_kv_idle(w->dev)) {
			cond_resched(); /* idle: one reclamation slice done */
		} else if (next_ns == U64_MAX) {
			wait_event_interruptible(w->wq,
						 READ_ONCE(w->kick) ||
							 kthread_should_stop());
			WRITE_ONCE(w->kick, false);
		} else if (next_ns > now + WORKER_SPIN_NS) {
			wait_event_interruptible_hrtimeout(
				w->wq,
				READ_ONCE(w->kick) || kthread_should_stop(),
				ns_to_ktime(next_ns - now));
			WRITE_ONCE(w->kick, false);
		} else {
			yield(); /* due within microseconds: let the CPU's others run */
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Dispatcher: I/O submission queues */

static void nvmev_dispatch_io(struct nvmev_dev *dev, struct nvmev_sq *sq,
			      struct nvmev_req *req)
{
	const struct nvmev_io_cmd *op =
		nvmev_io_cmd_find(nvmev_sqe_opcode(req->sqe));
	u16 status;
	NVMEV_TRACE_FUNC();

	req->sqid = sq->qid;
	req->cqid = sq->cqid;
	req->submit_ns = ktime_get_ns();
	req->target_ns = req->submit_ns;
	req->dw0 = 0;
	req->dw1 = 0;
	req->op = op;
	req->key_len = 0;
	req->bytes = 0;
	req->err_loc = 0;

	status = nvmev_io_check_common(req->sqe, op != NULL, &req->err_loc);
	if (!status)
		status = op->dispatch(dev, req);
	req->status = status;
}

/* Fetch the SQE at the head of @sq and queue it on its worker. */
static void nvmev_proc_io_sq(struct nvmev_dev *dev, struct nvmev_sq *sq,
			     struct nvmev_worker *w, struct nvmev_req *req)
{
	NVMEV_TRACE_FUNC();

	memcpy(req->sqe, sq->entries + sq->head * 16, sizeof(req->sqe));
	sq->head = nvmev_q_next(sq->head, sq->size);
	WRITE_ONCE(sq->reported_head, sq->head);
	nvmev_dispatch_io(dev, sq, req);
	trace_nvmev_kv_submit(sq->qid, nvmev_sqe_cid(req->sqe),
			      nvmev_sqe_opcode(req->sqe), req->key,
			      req->key_len, req->bytes,
			      req->target_ns - req->submit_ns);
	nvmev_enqueue_io_req(w, req);
}

static bool poll_io_sq(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	struct nvmev_worker *w = sq_worker(dev, sq->qid);
	u32 tail = READ_ONCE(dev->db[sq->qid * 2]);
	unsigned int budget = DISPATCH_BUDGET;
	bool busy = false;

	if (nvmev_sq_pending(sq->head, tail, sq->size) < 0) {
		if (!sq->bad_doorbell)
			nvmev_bad_doorbell(dev, sq->qid, true, tail, sq->size);
		sq->bad_doorbell = true;
		return false;
	}
	sq->bad_doorbell = false;
	while (sq->head != tail && budget--) {
		struct nvmev_req *req = worker_get_free(w);

		if (!req)
			break; /* back-pressure: the SQE stays in the SQ */
		dma_rmb();
		req->traced = nvmev_trace_cmd_begin(
			NVMEV_TRACE_IO,
			nvmev_sqe_opcode(sq->entries + sq->head * 16));
		nvmev_proc_io_sq(dev, sq, w, req);
		if (req->traced)
			nvmev_trace_cmd_handoff(); /* the worker takes over */
		busy = true;
	}
	return busy;
}

static bool proc_io_sqs(struct nvmev_dev *dev)
{
	bool busy = false;
	unsigned int qid;

	for (qid = 1; qid <= dev->cfg.nr_io_queues; qid++)
		if (dev->sqs[qid])
			busy |= poll_io_sq(dev, dev->sqs[qid]);
	if (dev->sqs[NVMEV_INJECT_QID])
		busy |= poll_io_sq(dev, dev->sqs[NVMEV_INJECT_QID]);
	return busy;
}

/* ---------------------------------------------------------------------- */
/* Quiescing workers for queue teardown */

void nvmev_quiesce_workers(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->cfg.nr_workers; i++)
		mutex_lock(&dev->workers[i].exec_lock);
}

void nvmev_resume_workers(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->cfg.nr_workers; i++)
		mutex_unlock(&dev->workers[i].exec_lock);
}

/*
 * Delete I/O SQ: commands still queued for it complete with "Command Abort
 * due to SQ Deletion", as the spec asks. Called with workers quiesced.
 */
void nvmev_abort_sq_reqs(struct nvmev_dev *dev, u16 sqid)
{
	struct nvmev_worker *w = sq_worker(dev, sqid);
	struct nvmev_req *req, *tmp;
	LIST_HEAD(aborted);

	spin_lock(&w->lock);
	list_for_each_entry_safe(req, tmp, &w->pending, list)
		if (req->sqid == sqid)
			list_move_tail(&req->list, &aborted);
	spin_unlock(&w->lock);

	list_for_each_entry_safe(req, tmp, &aborted, list) {
		list_del(&req->list);
		if (!nvmev_post_cqe_now(dev, dev->cqs[req->cqid], sqid,
					nvmev_sqe_cid(req->sqe),
					NVMEV_SC_ABORT_QUEUE, 0, 0))
			pr_warn_ratelimited("CQ %u full: abort of cid %u at SQ %u deletion not posted\n",
					    req->cqid, nvmev_sqe_cid(req->sqe),
					    sqid);
		worker_put_free(w, req);
	}
}

/* Controller disable: drop everything in flight. Workers quiesced. */
static void nvmev_purge_all_reqs(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->cfg.nr_workers; i++) {
		struct nvmev_worker *w = &dev->workers[i];

		spin_lock(&w->lock);
		while (!list_empty(&w->pending)) {
			list_move(w->pending.next, &w->free);
			w->nr_free++;
		}
		spin_unlock(&w->lock);
	}
}

/* ---------------------------------------------------------------------- */
/* Controller state machine: CC.EN and CC.SHN */

static void ctrl_teardown_queues(struct nvmev_dev *dev)
{
	unsigned int qid;

	nvmev_quiesce_workers(dev);
	nvmev_purge_all_reqs(dev);
	for (qid = 0; qid < NVMEV_MAX_QUEUES; qid++) {
		nvmev_kfree(dev->sqs[qid]);
		dev->sqs[qid] = NULL;
		nvmev_kfree(dev->cqs[qid]);
		dev->cqs[qid] = NULL;
	}
	nvmev_resume_workers(dev);
	nvmev_admin_reset(dev);
}

static int ctrl_map_admin_queues(struct nvmev_dev *dev)
{
	u32 aqa = nvmev_reg_read32(dev, NVME_REG_AQA);
	u64 asq = nvmev_reg_read64(dev, NVME_REG_ASQ);
	u64 acq = nvmev_reg_read64(dev, NVME_REG_ACQ);
	u32 sq_size = (aqa & 0xfff) + 1, cq_size = ((aqa >> 16) & 0xfff) + 1;
	struct nvmev_sq *sq;
	struct nvmev_cq *cq;

	if (sq_size < 2 || cq_size < 2 || (asq | acq) & (NVMEV_PAGE_SIZE - 1))
		return -EINVAL;
	sq = nvmev_kzalloc(sizeof(*sq), GFP_KERNEL);
	cq = nvmev_kzalloc(sizeof(*cq), GFP_KERNEL);
	if (!sq || !cq)
		goto err;
	sq->entries = nvmev_host_queue_map(asq, (u64)sq_size * 64);
	cq->entries = nvmev_host_queue_map(acq, (u64)cq_size * 16);
	if (!sq->entries || !cq->entries)
		goto err;
	sq->size = sq_size;
	cq->size = cq_size;
	cq->phase = 1;
	cq->irq_enabled = true;
	cq->nr_sqs = 1;
	spin_lock_init(&cq->lock);
	dev->sqs[0] = sq;
	dev->cqs[0] = cq;
	return 0;
err:
	nvmev_kfree(sq);
	nvmev_kfree(cq);
	return -EINVAL;
}

/*
 * Doorbells are registers: a controller reset sets them to 0. Stale values
 * would make the dispatcher replay old SQEs into freed host memory.
 */
static void ctrl_clear_doorbells(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i < 2 * NVMEV_MAX_QUEUES; i++)
		WRITE_ONCE(dev->db[i], 0);
}

static void ctrl_enable(struct nvmev_dev *dev, u32 cc)
{
	u32 csts = NVME_CSTS_RDY;

	ctrl_clear_doorbells(dev);
	if (((cc >> NVME_CC_MPS_SHIFT) & 0xf) != 0 ||
	    ((cc >> NVME_CC_IOSQES_SHIFT) & 0xf) != 6 ||
	    ((cc >> NVME_CC_IOCQES_SHIFT) & 0xf) != 4 ||
	    ctrl_map_admin_queues(dev)) {
		pr_warn_ratelimited(
			"controller enable with bad CC %#x or admin queues: fatal status\n",
			cc);
		csts |= NVME_CSTS_CFS;
	}
	if (!(csts & NVME_CSTS_CFS))
		nvmev_inject_create_queues(dev);
	dev->enabled = true;
	dev->shut_down = false;
	nvmev_reg_write32(dev, NVME_REG_CSTS, csts);
}

static void ctrl_disable(struct nvmev_dev *dev)
{
	ctrl_teardown_queues(dev);
	ctrl_clear_doorbells(dev);
	dev->enabled = false;
	dev->shut_down = false;
	nvmev_reg_write32(dev, NVME_REG_CSTS, 0);
}

static void ctrl_shutdown(struct nvmev_dev *dev)
{
	u32 csts = nvmev_reg_read32(dev, NVME_REG_CSTS);

	ctrl_teardown_queues(dev);
	dev->shut_down = true;
	csts &= ~NVME_CSTS_SHST_MASK;
	nvmev_reg_write32(dev, NVME_REG_CSTS, csts | NVME_CSTS_SHST_CMPLT);
}

/* Returns true when something changed. */
static bool proc_cc(struct nvmev_dev *dev)
{
	u32 cc = nvmev_reg_read32(dev, NVME_REG_CC);
	u32 old = dev->cc;

	if (cc == old)
		return false;
	dev->cc = cc;
	if ((cc & NVME_CC_ENABLE) && !(old & NVME_CC_ENABLE))
		ctrl_enable(dev, cc);
	else if (!(cc & NVME_CC_ENABLE) && (old & NVME_CC_ENABLE))
		ctrl_disable(dev);
	if ((cc & NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK) &&
	    dev->enabled)
		ctrl_shutdown(dev);
	return true;
}

/* ---------------------------------------------------------------------- */
/* The dispatcher thread */

/*
 * Doorbells are memory here, not latched registers: a host write that a
 * later (bogus) write replaces before we look at it is lost. Sampling every
 * CQ head on each pass keeps the last valid head current, so an invalid
 * value written right after a valid one does not leave a stale head that
 * makes the CQ look full.
 */
static void sample_cq_heads(struct nvmev_dev *dev)
{
	unsigned long flags;
	unsigned int qid;

	for (qid = 0; qid < NVMEV_MAX_QUEUES; qid++) {
		struct nvmev_cq *cq = dev->cqs[qid];
		bool report;
		u32 value;

		if (!cq)
			continue;
		spin_lock_irqsave(&cq->lock, flags);
		cq_head_locked(dev, cq);
		report = cq->bad_unreported;
		value = cq->bad_value;
		cq->bad_unreported = false;
		spin_unlock_irqrestore(&cq->lock, flags);
		if (report)
			nvmev_bad_doorbell(dev, qid, false, value, cq->size);
	}
}

static int nvmev_dispatcher_fn(void *data)
{
	struct nvmev_dev *dev = data;
	u64 spin_ns = (u64)dev->cfg.poll_spin_us * NSEC_PER_USEC;
	u64 last_busy = ktime_get_ns();
	unsigned int backoff_us = 0;

	while (!kthread_should_stop()) {
		bool busy = proc_cc(dev);

		if (dev->enabled && !dev->shut_down) {
			sample_cq_heads(dev);
			busy |= nvmev_proc_admin_sq(dev);
			busy |= proc_io_sqs(dev);
			busy |= nvmev_inject_poll(dev);
		}
		if (busy) {
			last_busy = ktime_get_ns();
			backoff_us = 0;
			cond_resched();
		} else if (ktime_get_ns() - last_busy < spin_ns) {
			/*
			 * Polling, but a worker woken on this CPU (cpus=N
			 * runs both) must not wait for our time slice to end.
			 */
			yield();
		} else {
			backoff_us = clamp_t(unsigned int, backoff_us * 2,
					     BACKOFF_MIN_US, BACKOFF_MAX_US);
			usleep_range(backoff_us, backoff_us + backoff_us / 4);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Start and stop */

static int worker_init(struct nvmev_dev *dev, unsigned int i)
{
	struct nvmev_worker *w = &dev->workers[i];
	unsigned int r;

	w->dev = dev;
	w->id = i;
	w->cpu = dev->cfg.worker_cpus[i];
	spin_lock_init(&w->lock);
	mutex_init(&w->exec_lock);
	init_waitqueue_head(&w->wq);
	INIT_LIST_HEAD(&w->pending);
	INIT_LIST_HEAD(&w->free);
	w->reqs = nvmev_vcalloc(NVMEV_REQS_PER_WORKER, sizeof(*w->reqs));
	w->sgl = nvmev_vmalloc(sizeof(*w->sgl));
	w->stats = nvmev_vzalloc(sizeof(*w->stats));
	if (!w->reqs || !w->sgl || !w->stats)
		return -ENOMEM;
	for (r = 0; r < NVMEV_REQS_PER_WORKER; r++)
		list_add_tail(&w->reqs[r].list, &w->free);
	w->nr_free = NVMEV_REQS_PER_WORKER;

	w->task = kthread_create(nvmev_worker_fn, w, "nvmev_kv_w%u", i);
	if (IS_ERR(w->task)) {
		int ret = PTR_ERR(w->task);

		w->task = NULL;
		return ret;
	}
	kthread_bind(w->task, w->cpu);
	return 0;
}

static void worker_free(struct nvmev_worker *w)
{
	if (w->task)
		kthread_stop(w->task);
	w->task = NULL;
	nvmev_vfree(w->reqs);
	w->reqs = NULL;
	nvmev_vfree(w->sgl);
	w->sgl = NULL;
	nvmev_vfree(w->stats);
	w->stats = NULL;
}

/*
 * nvmev_io_start - start the workers and the dispatcher
 *
 * Return: 0 or -errno, with nothing left running on error.
 */
int nvmev_io_start(struct nvmev_dev *dev)
{
	unsigned int i;
	int ret;

	dev->admin_sgl = nvmev_vmalloc(sizeof(*dev->admin_sgl));
	dev->admin_buf = nvmev_kzalloc(NVMEV_PAGE_SIZE, GFP_KERNEL);
	if (!dev->admin_sgl || !dev->admin_buf) {
		ret = -ENOMEM;
		goto err_admin;
	}
	nvmev_admin_reset(dev);
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		ret = worker_init(dev, i);
		if (ret)
			goto err_workers;
	}
	dev->dispatcher =
		kthread_create(nvmev_dispatcher_fn, dev, "nvmev_kv_disp");
	if (IS_ERR(dev->dispatcher)) {
		ret = PTR_ERR(dev->dispatcher);
		dev->dispatcher = NULL;
		goto err_workers;
	}
	kthread_bind(dev->dispatcher, dev->cfg.dispatcher_cpu);
	for (i = 0; i < dev->cfg.nr_workers; i++)
		wake_up_process(dev->workers[i].task);
	wake_up_process(dev->dispatcher);
	return 0;

err_workers:
	/* a never-woken kthread is stopped before it runs its function */
	for (i = 0; i < dev->cfg.nr_workers; i++)
		worker_free(&dev->workers[i]);
err_admin:
	nvmev_vfree(dev->admin_sgl);
	dev->admin_sgl = NULL;
	nvmev_kfree(dev->admin_buf);
	dev->admin_buf = NULL;
	return ret;
}

void nvmev_io_stop(struct nvmev_dev *dev)
{
	unsigned int i, qid;

	if (dev->dispatcher)
		kthread_stop(dev->dispatcher);
	dev->dispatcher = NULL;
	for (i = 0; i < dev->cfg.nr_workers; i++)
		worker_free(&dev->workers[i]);
	for (qid = 0; qid < NVMEV_MAX_QUEUES; qid++) {
		nvmev_kfree(dev->sqs[qid]);
		dev->sqs[qid] = NULL;
		nvmev_kfree(dev->cqs[qid]);
		dev->cqs[qid] = NULL;
	}
	nvmev_vfree(dev->admin_sgl);
	dev->admin_sgl = NULL;
	nvmev_kfree(dev->admin_buf);
	dev->admin_buf = NULL;
}
#endif /* __KERNEL__ */
