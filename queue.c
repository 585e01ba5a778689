// SPDX-License-Identifier: GPL-2.0
/*
 * queue.c - the queue and completion layer that admin commands, I/O and
 * injection share:
 *
 *  - construct and destroy submission and completion queues;
 *  - fetch an SQE under the doorbell rules, with its CQ entry reserved;
 *  - post a CQE into a reserved entry (or into free room), raise the CQ's
 *    interrupt;
 *  - one completion call that records a failed command in the Error
 *    Information log and in one rate-limited log line;
 *  - asynchronous events: the host's outstanding AERs, the pending event,
 *    invalid doorbell writes.
 *
 * It calls only pci.c (interrupts) and dma.c (queue memory); admin.c, io.c,
 * inject.c and dispatcher.c call it.
 *
 * Locks: cq->lock protects a CQ's tail, head, phase and reservations and the
 * posting of an entry (workers and the dispatcher post to the same CQ).
 * dev->err_lock protects the error log. Everything else here runs on the
 * dispatcher thread: SQ state, queue creation and deletion (with the
 * workers quiesced by io.c), AER slots and the pending event.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "nvmev.h"

/* ---------------------------------------------------------------------- */
/* Doorbell arithmetic (pure: unit-tested and fuzzed) */

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

#ifdef __KERNEL__

/* ---------------------------------------------------------------------- */
/* Construction and destruction (dispatcher, workers quiesced for delete) */

/*
 * nvmev_cq_create - a CQ over @entries (host or module memory, @size
 * entries), installed as queue @qid. A fresh queue starts at head 0,
 * whatever the doorbell held. Return: the CQ, or NULL (no memory).
 */
struct nvmev_cq *nvmev_cq_create(struct nvmev_dev *dev, u16 qid, void *entries,
				 u32 size, u16 vector, bool irq_enabled)
{
	struct nvmev_cq *cq = nvmev_kzalloc(sizeof(*cq), GFP_KERNEL);

	if (!cq)
		return NULL;
	spin_lock_init(&cq->lock);
	cq->qid = qid;
	cq->size = size;
	cq->entries = entries;
	cq->vector = vector;
	cq->irq_enabled = irq_enabled;
	cq->phase = 1;
	WRITE_ONCE(dev->db[qid * 2 + 1], 0);
	dev->cqs[qid] = cq;
	return cq;
}

/* nvmev_sq_create - the same for an SQ, attached to existing CQ @cqid. */
struct nvmev_sq *nvmev_sq_create(struct nvmev_dev *dev, u16 qid, u16 cqid,
				 void *entries, u32 size, u8 prio)
{
	struct nvmev_sq *sq = nvmev_kzalloc(sizeof(*sq), GFP_KERNEL);

	if (!sq)
		return NULL;
	sq->qid = qid;
	sq->cqid = cqid;
	sq->size = size;
	sq->entries = entries;
	sq->prio = prio;
	WRITE_ONCE(dev->db[qid * 2], 0);
	dev->cqs[cqid]->nr_sqs++;
	dev->sqs[qid] = sq;
	return sq;
}

void nvmev_sq_destroy(struct nvmev_dev *dev, u16 qid)
{
	struct nvmev_sq *sq = dev->sqs[qid];

	if (!sq)
		return;
	if (dev->cqs[sq->cqid])
		dev->cqs[sq->cqid]->nr_sqs--;
	dev->sqs[qid] = NULL;
	nvmev_kfree(sq);
}

void nvmev_cq_destroy(struct nvmev_dev *dev, u16 qid)
{
	nvmev_kfree(dev->cqs[qid]);
	dev->cqs[qid] = NULL;
}

/* Controller disable or unload: every queue goes. Workers quiesced. */
void nvmev_queues_destroy_all(struct nvmev_dev *dev)
{
	unsigned int qid;

	for (qid = 0; qid < NVMEV_MAX_QUEUES; qid++) {
		nvmev_sq_destroy(dev, qid);
		nvmev_cq_destroy(dev, qid);
	}
}

/*
 * Doorbells are registers: a controller reset sets them to 0. Stale values
 * would make the dispatcher replay old SQEs into freed host memory.
 */
void nvmev_doorbells_clear(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i < 2 * NVMEV_MAX_QUEUES; i++)
		WRITE_ONCE(dev->db[i], 0);
}

/* ---------------------------------------------------------------------- */
/* Completion queue entries */

/*
 * The CQ head: the doorbell if it is valid (nvmev_cq_head_valid), else the
 * last valid one, so a bogus value neither stalls the queue nor lets the
 * device overwrite completions the host has not read. The validity check
 * needs the exact tail, and @cq->head must only move forward.
 */
static u32 cq_head_locked(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	u32 head = READ_ONCE(dev->db[cq->qid * 2 + 1]);

	lockdep_assert_held(&cq->lock);
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

/* Free entries of @cq that no reservation holds. */
static u32 cq_free_locked(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	u32 used = nvmev_q_dist(cq_head_locked(dev, cq), cq->tail, cq->size);

	/* a ring of N entries holds N - 1 completions */
	return cq->size - 1 - min(used + cq->reserved, cq->size - 1);
}

/*
 * nvmev_cq_reserve - hold one CQ entry for a completion still to be posted
 *
 * An SQE is only fetched with an entry reserved, so its completion is never
 * dropped, and what one SQ may have outstanding is bounded by what its CQ
 * can take: a CQ the host does not read stops its SQs' fetching, it holds
 * no request of the workers' pools. Every reservation is used by exactly
 * one nvmev_post_cqe() or released by nvmev_cq_unreserve().
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

/* Write the entry at the tail and advance it; room checked. */
static void cq_write_locked(struct nvmev_dev *dev, struct nvmev_cq *cq,
			    u16 sqid, u16 cid, u16 status, u32 dw0, u32 dw1)
{
	struct nvmev_sq *sq = dev->sqs[sqid];
	struct nvme_completion *e = &cq->entries[cq->tail];

	lockdep_assert_held(&cq->lock);
	e->result.u64 = cpu_to_le64(((u64)dw1 << 32) | dw0);
	e->sq_head = cpu_to_le16(sq ? READ_ONCE(sq->reported_head) : 0);
	e->sq_id = cpu_to_le16(sqid);
	e->command_id = cid;
	dma_wmb();
	/* the phase tag last: the host never sees a new phase, stale fields */
	WRITE_ONCE(e->status, cpu_to_le16((status << 1) | cq->phase));
	cq->tail = nvmev_q_next(cq->tail, cq->size);
	if (!cq->tail)
		cq->phase ^= 1;
}

/* nvmev_post_cqe - post a completion into the entry reserved for it. */
void nvmev_post_cqe(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		   u16 cid, u16 status, u32 dw0, u32 dw1)
{
	unsigned long flags;
	NVMEV_TRACE_FUNC();

	spin_lock_irqsave(&cq->lock, flags);
	if (!WARN_ON_ONCE(!cq->reserved)) {
		cq->reserved--;
		cq_write_locked(dev, cq, sqid, cid, status, dw0, dw1);
	}
	spin_unlock_irqrestore(&cq->lock, flags);
}

/*
 * nvmev_post_cqe_now - post a completion nobody reserved an entry for (an
 * asynchronous event, the abort of an SQE never fetched), if there is room.
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

/*
 * Raise @cq's interrupt, if it has one enabled.
 * Return: true if an interrupt was raised.
 */
bool nvmev_cq_interrupt(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	if (!cq || !cq->irq_enabled)
		return false;
	nvmev_signal_irq(dev, cq->vector);
	return true;
}

/* ---------------------------------------------------------------------- */
/* Fetching SQEs */

/*
 * nvmev_sq_tail - the SQ tail the host rang, checked: a value outside the
 * queue is ignored (the fetch stops at the head) and reported once per
 * episode, until a valid value comes. Dispatcher only.
 */
u32 nvmev_sq_tail(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	u32 tail = READ_ONCE(dev->db[sq->qid * 2]);

	if (nvmev_sq_pending(sq->head, tail, sq->size) < 0) {
		if (!sq->bad_doorbell)
			nvmev_bad_doorbell(dev, sq->qid, true, tail, sq->size);
		sq->bad_doorbell = true;
		return sq->head;
	}
	sq->bad_doorbell = false;
	return tail;
}

/*
 * nvmev_sq_fetch - copy the SQE at @sq's head into @sqe and consume it
 * @tail: from nvmev_sq_tail()
 *
 * Only with an entry of its CQ reserved for the completion (see
 * nvmev_cq_reserve). Return: false if the SQ is empty up to @tail or the CQ
 * has no room; the SQE then stays in the SQ. Dispatcher only.
 */
bool nvmev_sq_fetch(struct nvmev_dev *dev, struct nvmev_sq *sq, u32 tail,
		    u32 *sqe)
{
	struct nvmev_cq *cq = dev->cqs[sq->cqid];

	if (sq->head == tail || !cq || !nvmev_cq_reserve(dev, cq))
		return false;
	nvmev_sq_consume(sq, sqe);
	return true;
}

/*
 * nvmev_sq_consume - copy the SQE at @sq's head (the caller checked it is
 * below the tail) into @sqe and advance the head the CQEs report.
 * Dispatcher only.
 */
void nvmev_sq_consume(struct nvmev_sq *sq, u32 *sqe)
{
	dma_rmb(); /* the SQE after the doorbell that announced it */
	memcpy(sqe, sq->entries + sq->head * 16, 64);
	sq->head = nvmev_q_next(sq->head, sq->size);
	WRITE_ONCE(sq->reported_head, sq->head);
}

/* ---------------------------------------------------------------------- */
/* Completion of a command, and the error log */

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
	{ NVMEV_SC_CMD_SIZE_LIMIT, "command size limit exceeded" },
	{ NVMEV_SC_READ_ERROR, "unrecovered read error" },
	{ NVMEV_SC_CQ_INVALID, "invalid CQ" },
	{ NVMEV_SC_QID_INVALID, "invalid queue id" },
	{ NVMEV_SC_QUEUE_SIZE, "invalid queue size" },
	{ NVMEV_SC_ASYNC_LIMIT, "AER limit exceeded" },
	{ NVMEV_SC_INVALID_VECTOR, "invalid interrupt vector" },
	{ NVMEV_SC_INVALID_LOG_PAGE, "invalid log page" },
	{ NVMEV_SC_INVALID_QUEUE_DELETION, "queue deletion: SQs attached" },
	{ NVMEV_SC_FEATURE_NOT_SAVEABLE, "feature not saveable" },
	{ NVMEV_SC_FEATURE_NOT_CHANGEABLE, "feature not changeable" },
	{ 0x301, "invalid value size" },
	{ 0x302, "invalid offset" },
	{ 0x303, "invalid key size" },
	{ 0x304, "invalid option" },
	{ 0x312, "capacity exceeded" },
	{ 0x390, "invalid iterator handle" },
	{ 0x081, "capacity exceeded" }, /* the KV command set's */
	{ 0x085, "invalid value size" },
	{ 0x086, "invalid key size" },
};

/*
 * One rate-limited line for a command the host got wrong. Answers that are
 * part of normal use (key does not exist, key exists, in either KV
 * command set; iteration finished; Compare Failure,
 * aborted by the host's own SQ deletion) are not logged.
 */
static void log_bad_cmd(u16 qid, u16 cid, u8 opcode, u16 status)
{
	u16 sc = status & NVMEV_SC_MASK;
	const char *name = NULL;
	unsigned int i;

	if (!sc || sc == 0x310 || sc == 0x380 || sc == 0x393 ||
	    sc == 0x087 || sc == 0x089 || sc == NVMEV_SC_ABORT_QUEUE ||
	    sc == NVMEV_SC_COMPARE_FAILED)
		return;
	for (i = 0; i < ARRAY_SIZE(status_names); i++)
		if (status_names[i].sc == sc)
			name = status_names[i].name;
	pr_notice_ratelimited(
		"%s qid %u cid %u opcode %#04x: %s (status %#05x)\n",
		qid ? "I/O" : "admin", qid, cid, opcode, name ?: "error", sc);
}

/* An entry of the Error Information log (any thread). */
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

/*
 * nvmev_cmd_failed - what every failed command gets, whatever its queue:
 * an Error Information log entry and a rate-limited log line.
 */
void nvmev_cmd_failed(struct nvmev_dev *dev, u16 sqid, const u32 *sqe,
		      u16 status, u16 err_loc)
{
	u16 cid = nvmev_sqe_cid(sqe);

	nvmev_log_error(dev, sqid, cid, status, err_loc, sqe[1], 0);
	log_bad_cmd(sqid, cid, nvmev_sqe_opcode(sqe), status);
}

/*
 * nvmev_complete - complete the command @sqe fetched from SQ @sqid into the
 * CQ entry reserved for it: error bookkeeping if it failed, then the CQE.
 * The interrupt is the caller's (workers raise one per batch and CQ).
 */
void nvmev_complete(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		    const u32 *sqe, u16 status, u32 dw0, u32 dw1, u16 err_loc)
{
	if (status && status != NVMEV_SC_ABORT_QUEUE)
		nvmev_cmd_failed(dev, sqid, sqe, status, err_loc);
	if (cq)
		nvmev_post_cqe(dev, cq, sqid, nvmev_sqe_cid(sqe), status, dw0,
			      dw1);
}

/* ---------------------------------------------------------------------- */
/* Asynchronous events (dispatcher only) */

/* Controller reset: outstanding AERs and a pending event are gone. */
void nvmev_aer_reset(struct nvmev_dev *dev)
{
	dev->nr_aers = 0;
	dev->pending_event = 0;
}

/*
 * nvmev_aer_deliver - complete the oldest outstanding AER with the pending
 * event, if there is one and room in the admin CQ; else the event waits
 * (the dispatcher retries on every pass).
 */
void nvmev_aer_deliver(struct nvmev_dev *dev)
{
	struct nvmev_cq *cq = dev->cqs[0];

	if (!dev->pending_event || !dev->nr_aers || !cq)
		return;
	if (!nvmev_post_cqe_now(dev, cq, 0, dev->aer_cids[0], NVMEV_SC_SUCCESS,
			       dev->pending_event, 0))
		return;
	memmove(dev->aer_cids, dev->aer_cids + 1,
		--dev->nr_aers * sizeof(dev->aer_cids[0]));
	dev->pending_event = 0;
	nvmev_cq_interrupt(dev, cq);
}

/*
 * nvmev_aer_hold - an Asynchronous Event Request arrived: if an event is
 * waiting, it completes now with @dw0 = the event (return false); else the
 * command is held until one comes (return true). The decoder has checked
 * the AER limit.
 */
bool nvmev_aer_hold(struct nvmev_dev *dev, u16 cid, u32 *dw0)
{
	if (dev->pending_event) {
		*dw0 = dev->pending_event;
		dev->pending_event = 0;
		return false;
	}
	dev->aer_cids[dev->nr_aers++] = cid;
	return true;
}

/* Report an event: to the oldest AER, or kept until the host sends one. */
void nvmev_async_event(struct nvmev_dev *dev, u32 dw0)
{
	dev->pending_event = dw0;
	nvmev_aer_deliver(dev);
}

/*
 * An invalid doorbell value (an SQ tail beyond the queue; a CQ head beyond
 * it or past the device's tail): ignored, logged, and reported with an
 * Invalid Doorbell Write Value event, as the spec asks. The callers report
 * once per episode (until a valid value comes).
 */
void nvmev_bad_doorbell(struct nvmev_dev *dev, u16 qid, bool is_sq, u32 value,
			u32 size)
{
	pr_warn_ratelimited("%s %u: invalid doorbell value %u (size %u) ignored\n",
			    is_sq ? "SQ" : "CQ", qid, value, size);
	nvmev_log_error(dev, qid, 0xffff, NVMEV_SC_INVALID_FIELD, 0, 0, 0);
	nvmev_async_event(dev, NVMEV_AEN_BAD_DOORBELL);
}

/*
 * Doorbells are memory here, not latched registers: a host write that a
 * later (bogus) write replaces before we look at it is lost. Sampling every
 * CQ head on each dispatcher pass keeps the last valid head current, so an
 * invalid value written right after a valid one does not leave a stale head
 * that makes the CQ look full; invalid heads seen by anyone are reported.
 */
void nvmev_cq_sample_heads(struct nvmev_dev *dev)
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
#endif /* __KERNEL__ */
