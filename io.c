// SPDX-License-Identifier: GPL-2.0
/*
 * io.c - I/O commands: the worker threads that perform them at their
 * modelled time, the requests that carry them from the dispatcher to a
 * worker, the block commands of namespace 1, and the teardown of I/O queues
 * with commands in flight.
 *
 * Threads and locks:
 *  - The dispatcher (dispatcher.c) fetches SQEs (queue.c) and queues them
 *    here with nvmev_io_poll_sq(); it alone creates and deletes queues. A
 *    command fetched while no other is in flight it keeps (dev->held,
 *    dispatcher only) and performs itself under its worker's exec_lock.
 *  - Each worker owns a list of pending requests sorted by target time and a
 *    free list; worker->lock protects both (the dispatcher inserts, the worker
 *    removes).
 *  - worker->exec_lock is held while a worker performs and completes requests.
 *    Queue deletion and controller disable take every exec_lock under
 *    dev->quiesce_lock (nvmev_quiesce_workers), so a worker never touches a
 *    queue or host buffer being torn down.
 *  - dev->blk_locks[] make every 512-byte block of namespace 1 atomic
 *    (AWUN = 0): a block is copied only under the lock of its stripe.
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
/* I/O command decoding (pure: unit-tested and fuzzed) */

/* Checks every I/O command gets, whatever its command set. */
u16 nvmev_io_check_common(const u32 *sqe, bool known_opcode, bool ns_active,
			  u16 *err_loc)
{
	u32 nsid = sqe[1];

	/*
	 * The namespace first: which opcodes exist depends on its command set,
	 * so a command to no namespace is that, whatever its opcode. Flush
	 * may name every namespace (NSID FFFFFFFFh); nothing else may.
	 */
	if (!ns_active &&
	    !(nvmev_sqe_opcode(sqe) == NVMEV_IO_FLUSH && nsid == 0xffffffff)) {
		*err_loc = NVMEV_CDW_LOC(1);
		return NVMEV_SC_INVALID_NS | NVMEV_SC_DNR;
	}
	if (!known_opcode) {
		*err_loc = 0;
		return NVMEV_SC_INVALID_OPCODE | NVMEV_SC_DNR;
	}
	if (nvmev_sqe_psdt(sqe)) { /* SGLs are not supported */
		*err_loc = 1;
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	}
	return NVMEV_SC_SUCCESS;
}

/* Block opcodes whose range is SLBA (CDW10-11) and NLB (CDW12[15:0]). */
static bool blk_has_range(u8 opcode)
{
	return opcode == NVMEV_IO_READ || opcode == NVMEV_IO_WRITE ||
	       opcode == NVMEV_IO_COMPARE || opcode == NVMEV_IO_WRITE_ZEROES ||
	       opcode == NVMEV_IO_WRITE_UNCOR || opcode == NVMEV_IO_VERIFY;
}

/* Do blocks [@slba, @slba + @nlb) lie in the namespace? (no overflow) */
static bool blk_range_in(u64 slba, u64 nlb, u64 ns_blocks)
{
	return slba < ns_blocks && nlb <= ns_blocks - slba;
}

/**
 * nvmev_blk_decode - decode a block command on namespace 1
 * @sqe: a command of nvmev_blk_cmds[]
 * @ns_blocks: namespace size in 512-byte blocks
 * @bc: the decoded command
 * @err_loc: the SQE byte at fault, on failure
 *
 * Return: 0 or an NVMe status. On success a command with a range has it
 * in the namespace, and a Read, Write or Compare moves at most the maximum
 * data transfer size; Write Zeroes, Write Uncorrectable and Verify move no
 * data and may cover the namespace. DSM and Copy carry their ranges in a
 * list in host memory: nvmev_dsm_range_check() and
 * nvmev_copy_range_check() check each; here only NR, the descriptor format
 * and the destination's start.
 */
u16 nvmev_blk_decode(const u32 *sqe, u64 ns_blocks, struct nvmev_blk_cmd *bc,
		     u16 *err_loc)
{
	u8 opcode = nvmev_sqe_opcode(sqe);

	memset(bc, 0, sizeof(*bc));
	switch (opcode) {
	case NVMEV_IO_FLUSH:
		return NVMEV_SC_SUCCESS;
	case NVMEV_IO_DSM:
		/* CDW10[31:8] and CDW11[31:3] are reserved: ignored */
		bc->nr = (sqe[10] & 0xff) + 1;
		bc->attr = sqe[11] &
			   (NVMEV_DSM_IDR | NVMEV_DSM_IDW | NVMEV_DSM_AD);
		bc->xfer = bc->nr * NVMEV_DSM_RANGE_BYTES;
		return NVMEV_SC_SUCCESS;
	case NVMEV_IO_COPY:
		bc->slba = ((u64)sqe[11] << 32) | sqe[10];
		bc->nr = (sqe[12] & 0xff) + 1;
		if ((sqe[12] >> 8) & 0xf) { /* only descriptor format 0 */
			*err_loc = NVMEV_CDW_LOC(12) + 1;
			return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
		}
		if (bc->nr > NVMEV_COPY_MSRC + 1) {
			*err_loc = NVMEV_CDW_LOC(12);
			return NVMEV_SC_CMD_SIZE_LIMIT | NVMEV_SC_DNR;
		}
		if (bc->slba >= ns_blocks) {
			*err_loc = NVMEV_CDW_LOC(10);
			return NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR;
		}
		bc->xfer = bc->nr * NVMEV_COPY_RANGE_BYTES;
		return NVMEV_SC_SUCCESS;
	}
	if (!blk_has_range(opcode)) {
		*err_loc = 0;
		return NVMEV_SC_INVALID_OPCODE | NVMEV_SC_DNR;
	}
	bc->slba = ((u64)sqe[11] << 32) | sqe[10];
	bc->nlb = (sqe[12] & 0xffff) + 1;
	if (!blk_range_in(bc->slba, bc->nlb, ns_blocks)) {
		*err_loc = NVMEV_CDW_LOC(10);
		return NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR;
	}
	bc->bytes = bc->nlb << NVMEV_LBA_SHIFT;
	if (opcode == NVMEV_IO_WRITE_ZEROES)
		bc->attr = sqe[12] & NVMEV_WZ_DEAC;
	if (opcode != NVMEV_IO_READ && opcode != NVMEV_IO_WRITE &&
	    opcode != NVMEV_IO_COMPARE)
		return NVMEV_SC_SUCCESS; /* no data: no MDTS limit */
	if (bc->bytes > NVMEV_MAX_XFER) {
		*err_loc = NVMEV_CDW_LOC(12);
		return NVMEV_SC_INVALID_FIELD | NVMEV_SC_DNR;
	}
	bc->xfer = bc->bytes;
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_dsm_range_check - one range of a Dataset Management list
 * @desc: the 16-byte range (context attributes, NLB, SLBA)
 * @ns_blocks: namespace size in blocks
 * @r: the range; NLB 0 is an empty range
 *
 * Return: 0 or LBA Out of Range.
 */
u16 nvmev_dsm_range_check(const u8 *desc, u64 ns_blocks,
			  struct nvmev_blk_range *r)
{
	r->nlb = nvmev_get_le(desc + 4, 4);
	r->slba = nvmev_get_le(desc + 8, 8);
	if (r->nlb && !blk_range_in(r->slba, r->nlb, ns_blocks))
		return NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR;
	return NVMEV_SC_SUCCESS;
}

/**
 * nvmev_copy_range_check - one source range of a Copy (format 0)
 * @desc: the 32-byte Source Range entry (SLBA at 8, 0-based NLB at 16)
 * @ns_blocks: namespace size in blocks
 * @total: blocks of the ranges before it (<= NVMEV_COPY_MCL); this one
 *	   is added on success
 * @r: the range
 *
 * Return: 0, Command Size Limit Exceeded (beyond MSSRL, or the command
 * beyond MCL) or LBA Out of Range.
 */
u16 nvmev_copy_range_check(const u8 *desc, u64 ns_blocks, u64 *total,
			   struct nvmev_blk_range *r)
{
	r->slba = nvmev_get_le(desc + 8, 8);
	r->nlb = nvmev_get_le(desc + 16, 2) + 1;
	if (r->nlb > NVMEV_COPY_MSSRL || *total > NVMEV_COPY_MCL ||
	    r->nlb > NVMEV_COPY_MCL - *total)
		return NVMEV_SC_CMD_SIZE_LIMIT | NVMEV_SC_DNR;
	if (!blk_range_in(r->slba, r->nlb, ns_blocks))
		return NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR;
	*total += r->nlb;
	return NVMEV_SC_SUCCESS;
}

/* Copy: the @total blocks written from SDLBA @sdlba lie in the namespace. */
u16 nvmev_copy_dest_check(u64 sdlba, u64 total, u64 ns_blocks)
{
	if (!blk_range_in(sdlba, total, ns_blocks))
		return NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR;
	return NVMEV_SC_SUCCESS;
}

/* Bits [@start, @start + @n) of the word at bit @w: a mask. */
static u64 bits_mask(u64 w, u64 start, u64 n)
{
	u64 lo = start > w ? start - w : 0;
	u64 hi = start + n - w >= 64 ? 64 : start + n - w;
	u64 m = hi - lo == 64 ? ~0ULL : ((1ULL << (hi - lo)) - 1) << lo;

	return m;
}

/*
 * nvmev_bits_assign - set (@set) or clear bits [@start, @start + @n) of
 * @map. Return: how many bits changed.
 */
u64 nvmev_bits_assign(u64 *map, u64 start, u64 n, bool set)
{
	u64 w, changed = 0;

	if (!n)
		return 0;
	for (w = start & ~63ULL; w < start + n; w += 64) {
		u64 *word = &map[w / 64];
		u64 m = bits_mask(w, start, n);
		u64 flip = set ? m & ~*word : m & *word;

		changed += hweight64(flip);
		*word ^= flip;
	}
	return changed;
}

/* Is any of bits [@start, @start + @n) of @map set? */
bool nvmev_bits_any(const u64 *map, u64 start, u64 n)
{
	u64 w;

	if (!n)
		return false;
	for (w = start & ~63ULL; w < start + n; w += 64)
		if (map[w / 64] & bits_mask(w, start, n))
			return true;
	return false;
}

/*
 * The first bit from @pos below @end that is set (@set) or clear, else
 * @end. Each word is read once (READ_ONCE): see nvmev_bits_runs().
 */
static u64 bits_next(const u64 *map, u64 pos, u64 end, bool set)
{
	while (pos < end) {
		u64 w = READ_ONCE(map[pos / 64]);

		w = (set ? w : ~w) & (~0ULL << (pos % 64));
		if (w)
			return min(end, (pos & ~63ULL) + __builtin_ctzll(w));
		pos = (pos & ~63ULL) + 64;
	}
	return end;
}

/**
 * nvmev_bits_runs - the runs of set bits of @map in [@start, @start + @n)
 * @map: the bitmap, nvmev_bits_words(@nbits) words
 * @nbits: bits in @map; the range is clipped to it
 * @start: the first bit to look at
 * @n: how many bits from @start
 * @out: the runs, in increasing order, clipped to the range; a run longer
 *	 than U32_MAX bits is cut into pieces of U32_MAX (a descriptor's NLB
 *	 has 32 bits)
 * @max: room in @out (0: only @more is answered)
 * @more: set when the range has a run beyond the @max written
 *
 * Pure (unit-tested). Every word is read with READ_ONCE, so a caller may
 * scan a bitmap that writers change under locks it does not hold: no read
 * is torn, and the answer is a snapshot that is exact within each word
 * read but may mix moments across words.
 *
 * Return: the number of runs written to @out.
 */
u32 nvmev_bits_runs(const u64 *map, u64 nbits, u64 start, u64 n,
		    struct nvmev_lba_run *out, u32 max, bool *more)
{
	u64 end = start < nbits ? start + min(n, nbits - start) : start;
	u64 pos = start, last;
	u32 nr = 0;

	*more = false;
	while (pos < end) {
		pos = bits_next(map, pos, end, true);
		if (pos == end)
			break;
		if (nr == max) {
			*more = true;
			break;
		}
		last = bits_next(map, pos, end, false);
		out[nr].slba = pos;
		out[nr].nlb = min_t(u64, last - pos, U32_MAX);
		pos += out[nr++].nlb;
	}
	return nr;
}

#ifdef __KERNEL__
#include "trace.h"

static_assert(NVMEV_IO_FLUSH == nvme_cmd_flush &&
	      NVMEV_IO_WRITE == nvme_cmd_write &&
	      NVMEV_IO_READ == nvme_cmd_read &&
	      NVMEV_IO_WRITE_ZEROES == nvme_cmd_write_zeroes &&
	      NVMEV_IO_WRITE_UNCOR == nvme_cmd_write_uncor &&
	      NVMEV_IO_COMPARE == nvme_cmd_compare &&
	      NVMEV_IO_DSM == nvme_cmd_dsm &&
	      NVMEV_IO_VERIFY == nvme_cmd_verify &&
	      NVMEV_DSM_AD == NVME_DSMGMT_AD &&
	      NVMEV_SC_READ_ERROR == NVME_SC_READ_ERROR &&
	      NVMEV_SC_COMPARE_FAILED == NVME_SC_COMPARE_FAILED);

#define DISPATCH_BUDGET 64 /* SQEs per SQ per pass: fairness between SQs */
#define WORKER_BATCH 32 /* completions per interrupt at most */
/*
 * A worker sleeps on an hrtimer with zero slack until nvmev_wake_margin_ns()
 * before the earliest target (pace.c: twice the lateness its own wake-ups
 * have shown, a few us on bare metal, 50-200 us under an emulator whose
 * timers have slack), spins until WORKER_WAKE_EARLY_NS before it, takes the
 * request, moves its data, then spins to the target and posts: never early,
 * and late only by the wake-up's own latency, not by timer slack or the
 * copy. Having posted one, it goes on with those due within its interrupt
 * horizon of it (pace.c) before it raises the batch's interrupt.
 */
#define WORKER_WAKE_EARLY_NS 5000
/* worker 0, reclamation wanted, device busy: look again after this long */
#define WORKER_RECLAIM_RETRY_NS (1000 * NSEC_PER_USEC)

/* ---------------------------------------------------------------------- */
/* Block commands on namespace 1 */

struct blk_req {
	u64 slba; /* Copy: the destination */
	u64 bytes; /* of the block area the command covers */
	u32 xfer; /* over the host link */
	u32 nr; /* DSM, Copy: ranges */
	u32 attr; /* DSM attributes */
};
static_assert(sizeof(struct blk_req) <= NVMEV_REQ_PRIV);

/* The namespace of a dispatched command (the NSID was checked active). */
static struct nvmev_ns *req_ns(struct nvmev_dev *dev,
			       const struct nvmev_req *req)
{
	return &dev->ns[req->sqe[1]];
}

/* One rate-limited line for a block command the host got wrong. */
static u16 blk_bad(struct nvmev_req *req, u16 status, const char *why)
{
	pr_notice_ratelimited("I/O qid %u cid %u opcode %#04x: %s\n",
			      req->sqid, nvmev_sqe_cid(req->sqe),
			      nvmev_sqe_opcode(req->sqe), why);
	return status;
}

static u16 blk_parse(struct nvmev_dev *dev, struct nvmev_req *req,
		     bool has_data)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	struct nvmev_blk_cmd bc;
	u16 status;

	status = nvmev_blk_decode(req->sqe, ns->blk_blocks, &bc, &req->err_loc);
	if (status)
		return status;
	br->slba = bc.slba;
	br->bytes = bc.bytes;
	br->xfer = bc.xfer;
	br->nr = bc.nr;
	br->attr = bc.attr;
	req->bytes = has_data ? bc.bytes : 0;
	return NVMEV_SC_SUCCESS;
}

/*
 * The cost of a block command, in the timing model's block kinds:
 * value_bytes are the blocks it covers, xfer_bytes what crosses the link.
 */
static void blk_timing(struct nvmev_req *req, enum nvmev_timing_kind kind)
{
	struct blk_req *br = (struct blk_req *)req->priv;

	req->tm.kind = kind;
	req->tm.slba = br->slba;
	req->tm.value_bytes = min_t(u64, br->bytes, U32_MAX);
	req->tm.xfer_bytes = kind == NVMEV_TIMING_BLK_ZEROES ? 0 : br->xfer;
}

/* Parse the range (@data: its blocks cross the link), then book @kind. */
static u16 blk_dispatch_as(struct nvmev_dev *dev, struct nvmev_req *req,
			   bool data, enum nvmev_timing_kind kind)
{
	u16 status = blk_parse(dev, req, data);

	if (!status)
		blk_timing(req, kind);
	return status;
}

static u16 blk_read_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	return blk_dispatch_as(dev, req, true, NVMEV_TIMING_BLK_READ);
}

static u16 blk_write_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	return blk_dispatch_as(dev, req, true, NVMEV_TIMING_BLK_WRITE);
}

static u16 blk_zeroes_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	return blk_dispatch_as(dev, req, false, NVMEV_TIMING_BLK_ZEROES);
}

static u16 blk_flush_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	req->tm.kind = NVMEV_TIMING_BLK_FLUSH;
	return NVMEV_SC_SUCCESS;
}

/* Compare and Verify read the blocks: Compare's data crosses the link. */
static u16 blk_compare_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	return blk_read_dispatch(dev, req);
}

static u16 blk_verify_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	return blk_dispatch_as(dev, req, false, NVMEV_TIMING_BLK_READ);
}

/* Write Uncorrectable writes no data: a write of nothing (firmware time). */
static u16 blk_uncor_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	u16 status = blk_dispatch_as(dev, req, false, NVMEV_TIMING_BLK_WRITE);

	if (!status)
		req->tm.value_bytes = 0;
	return status;
}

/*
 * DSM and Copy: the range list, read from the host at dispatch (here, by
 * the dispatcher, into dev->blk_list_sgl) to check every range before the
 * command is queued, and again by the worker, which checks each range once
 * more (the host may have changed the list meanwhile) before using it.
 */
static u16 blk_list_entry(struct nvmev_sgl *sgl, u32 i, u32 size, u8 *desc)
{
	return nvmev_sgl_copy(sgl, (u64)i * size, desc, size, false);
}

/*
 * Check every range of the DSM list mapped in @sgl. Return: 0 or a status,
 * with req->dw0 the failing range (as Copy does; DSM's DW0 is reserved).
 */
static u16 blk_dsm_check(struct nvmev_dev *dev, struct nvmev_req *req,
			 struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u8 desc[NVMEV_DSM_RANGE_BYTES];
	struct nvmev_blk_range r;
	u16 status;
	u32 i;

	for (i = 0; i < br->nr; i++) {
		status = blk_list_entry(sgl, i, sizeof(desc), desc);
		if (!status)
			status = nvmev_dsm_range_check(desc, ns->blk_blocks, &r);
		if (status == (NVMEV_SC_LBA_RANGE | NVMEV_SC_DNR))
			return blk_bad(req, status, "DSM range beyond the namespace");
		if (status)
			return status;
	}
	return NVMEV_SC_SUCCESS;
}

static u16 blk_dsm_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	u16 status = blk_parse(dev, req, false);

	if (status)
		return status;
	status = nvmev_sgl_map(dev->blk_list_sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->xfer);
	if (!status && (br->attr & NVMEV_DSM_AD))
		status = blk_dsm_check(dev, req, dev->blk_list_sgl);
	if (status)
		return status;
	/* a write of the list; deallocation is firmware time (bytes 0) */
	blk_timing(req, NVMEV_TIMING_BLK_WRITE);
	return NVMEV_SC_SUCCESS;
}

/*
 * Check every source range of the Copy list mapped in @sgl and the
 * destination. Return: 0 or a status (req->dw0: the failing range), with
 * *@total the blocks to copy.
 */
static u16 blk_copy_check(struct nvmev_dev *dev, struct nvmev_req *req,
			  struct nvmev_sgl *sgl, u64 *total)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u8 desc[NVMEV_COPY_RANGE_BYTES];
	struct nvmev_blk_range r;
	u16 status = NVMEV_SC_SUCCESS;
	u32 i;

	*total = 0;
	for (i = 0; i < br->nr && !status; i++) {
		status = blk_list_entry(sgl, i, sizeof(desc), desc);
		if (!status)
			status = nvmev_copy_range_check(desc, ns->blk_blocks,
							total, &r);
		req->dw0 = i;
	}
	if (!status) {
		req->dw0 = 0;
		status = nvmev_copy_dest_check(br->slba, *total, ns->blk_blocks);
		if (status)
			req->err_loc = NVMEV_CDW_LOC(10);
	}
	if ((status & NVMEV_SC_MASK) == NVMEV_SC_CMD_SIZE_LIMIT)
		return blk_bad(req, status, "Copy beyond MSSRL or MCL");
	if ((status & NVMEV_SC_MASK) == NVMEV_SC_LBA_RANGE)
		return blk_bad(req, status, "Copy range beyond the namespace");
	return status;
}

/*
 * Copy: the sources are read (the model's block read of the whole), the
 * destination written (its write of the same bytes, booked here); no data
 * crosses the link but the list.
 */
static u16 blk_copy_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	struct nvmev_timing_op wr;
	u16 status = blk_parse(dev, req, false);
	u64 total;

	if (status == (NVMEV_SC_CMD_SIZE_LIMIT | NVMEV_SC_DNR))
		return blk_bad(req, status, "Copy: more source ranges than MSRC");
	if (status)
		return status;
	status = nvmev_sgl_map(dev->blk_list_sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->xfer);
	if (!status)
		status = blk_copy_check(dev, req, dev->blk_list_sgl, &total);
	if (status)
		return status;
	br->bytes = total << NVMEV_LBA_SHIFT;
	blk_timing(req, NVMEV_TIMING_BLK_WRITE);
	wr = req->tm;
	wr.xfer_bytes = 0;
	nvmev_timing_dev_book(dev, req->submit_ns, &wr);
	blk_timing(req, NVMEV_TIMING_BLK_READ); /* its end is the completion */
	return NVMEV_SC_SUCCESS;
}

/*
 * Atomicity of a block (AWUN = 0 promises it for one LBA): commands of
 * different workers may touch the same blocks, so the area is cut into
 * stripes of NVMEV_BLK_STRIPE bytes, and a command copies each stripe's
 * part under that stripe's lock. A block never spans two stripes. The
 * uncorrectable bits of a stripe's blocks are read and written under the
 * same lock (a stripe is 128 blocks: two whole words of the bitmap).
 */
static_assert(NVMEV_BLK_STRIPE % (64 << NVMEV_LBA_SHIFT) == 0);

static rwlock_t *blk_lock(struct nvmev_dev *dev, const struct nvmev_ns *ns,
			 u64 byte)
{
	/*
	 * Stripes count from the namespace's first block (its offset need
	 * not be stripe aligned); the offset only spreads namespaces.
	 */
	return &dev->blk_locks[(ns->offset / NVMEV_BLK_STRIPE +
				byte / NVMEV_BLK_STRIPE) %
			       NVMEV_BLK_LOCKS];
}

/* The part of @left bytes from @pos that lies in @pos's stripe. */
static u64 blk_stripe_part(u64 pos, u64 left)
{
	return min(left, NVMEV_BLK_STRIPE - pos % NVMEV_BLK_STRIPE);
}

/* Is a block of [@pos, @pos + @n) uncorrectable? Its stripe lock held. */
static bool blk_uncor_any(struct nvmev_ns *ns, u64 pos, u64 n)
{
	if (!atomic64_read(&ns->blk_uncor_nr))
		return false;
	return nvmev_bits_any(ns->blk_uncor, pos >> NVMEV_LBA_SHIFT,
			      n >> NVMEV_LBA_SHIFT);
}

/* Mark [@pos, @pos + @n) uncorrectable or not; stripe write lock held. */
static void blk_uncor_mark(struct nvmev_ns *ns, u64 pos, u64 n, bool bad)
{
	u64 changed;

	if (!bad && !atomic64_read(&ns->blk_uncor_nr))
		return;
	changed = nvmev_bits_assign(ns->blk_uncor, pos >> NVMEV_LBA_SHIFT,
				    n >> NVMEV_LBA_SHIFT, bad);
	if (changed)
		atomic64_add(bad ? (s64)changed : -(s64)changed,
			     &ns->blk_uncor_nr);
}

/* A read of an uncorrectable block: the status, and SMART counts it. */
static u16 blk_read_error(struct nvmev_dev *dev)
{
	atomic64_inc(&dev->ctr.media_errors);
	return NVMEV_SC_READ_ERROR | NVMEV_SC_DNR;
}

static u16 blk_copy_locked(struct nvmev_dev *dev, struct nvmev_ns *ns,
			   struct nvmev_sgl *sgl,
			   u64 slba, u64 bytes, bool to_host)
{
	u64 start = slba << NVMEV_LBA_SHIFT, done = 0;
	u16 status = NVMEV_SC_SUCCESS;

	while (!status && done < bytes) {
		u64 pos = start + done;
		u64 n = blk_stripe_part(pos, bytes - done);
		rwlock_t *lock = blk_lock(dev, ns, pos);
		u8 *area = ns->blk_base + pos;

		if (to_host) {
			read_lock(lock);
			if (blk_uncor_any(ns, pos, n))
				status = NVMEV_SC_READ_ERROR | NVMEV_SC_DNR;
			else
				status = nvmev_sgl_copy(sgl, done, area, n,
							true);
			read_unlock(lock);
		} else {
			write_lock(lock);
			status = nvmev_sgl_copy(sgl, done, area, n, false);
			if (!status) /* a written block is readable again */
				blk_uncor_mark(ns, pos, n, false);
			write_unlock(lock);
		}
		done += n;
	}
	if (status == (NVMEV_SC_READ_ERROR | NVMEV_SC_DNR))
		return blk_read_error(dev);
	return status;
}

static u16 blk_rw_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			  struct nvmev_sgl *sgl, bool to_host)
{
	struct blk_req *br = (struct blk_req *)req->priv;
	u16 status;

	status = nvmev_sgl_map(sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->bytes);
	if (!status)
		status = blk_copy_locked(dev, req_ns(dev, req), sgl, br->slba, br->bytes,
					 to_host);
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

/*
 * Zero @bytes from block @slba (deallocated blocks read zeroes: DLFEAT
 * 001b) and make them readable. Write Zeroes and DSM may cover the whole
 * namespace: no MDTS bound, others run between stripes now and then.
 */
static void blk_zero_range(struct nvmev_dev *dev, struct nvmev_ns *ns,
			   u64 slba, u64 bytes)
{
	u64 start = slba << NVMEV_LBA_SHIFT, done = 0;

	while (done < bytes) {
		u64 pos = start + done;
		u64 n = blk_stripe_part(pos, bytes - done);
		rwlock_t *lock = blk_lock(dev, ns, pos);

		write_lock(lock);
		memset(ns->blk_base + pos, 0, n);
		blk_uncor_mark(ns, pos, n, false);
		write_unlock(lock);
		done += n;
		if (done < bytes && !(done % (64 * NVMEV_BLK_STRIPE)))
			cond_resched();
	}
}

/* Write Zeroes, with or without DEAC: both leave blocks that read zeroes */
static u16 blk_zeroes_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			      struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;

	blk_zero_range(dev, ns, br->slba, br->bytes);
	atomic64_inc(&dev->ctr.host_write_cmds);
	return NVMEV_SC_SUCCESS;
}

static u16 blk_flush_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			     struct nvmev_sgl *sgl)
{
	return NVMEV_SC_SUCCESS;
}

/* Compare: the host's data against the blocks, a block at a time. */
static u16 blk_compare_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			       struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u64 start = br->slba << NVMEV_LBA_SHIFT, done = 0;
	u8 buf[1 << NVMEV_LBA_SHIFT];
	u16 status;

	status = nvmev_sgl_map(sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->bytes);
	while (!status && done < br->bytes) {
		u64 pos = start + done;
		u64 n = blk_stripe_part(pos, br->bytes - done), i;
		rwlock_t *lock = blk_lock(dev, ns, pos);

		read_lock(lock);
		if (blk_uncor_any(ns, pos, n))
			status = NVMEV_SC_READ_ERROR | NVMEV_SC_DNR;
		for (i = 0; !status && i < n; i += sizeof(buf)) {
			status = nvmev_sgl_copy(sgl, done + i, buf,
						sizeof(buf), false);
			if (!status && memcmp(buf, ns->blk_base + pos + i,
					      sizeof(buf)))
				status = NVMEV_SC_COMPARE_FAILED |
					 NVMEV_SC_DNR;
		}
		read_unlock(lock);
		done += n;
	}
	if (status == (NVMEV_SC_READ_ERROR | NVMEV_SC_DNR))
		return blk_read_error(dev);
	if (!status)
		atomic64_inc(&dev->ctr.host_read_cmds);
	return status;
}

/* Verify: every block readable (no data moves: nothing to check else). */
static u16 blk_verify_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			      struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u64 start = br->slba << NVMEV_LBA_SHIFT, done = 0;
	bool bad = false;

	while (!bad && done < br->bytes) {
		u64 pos = start + done;
		u64 n = blk_stripe_part(pos, br->bytes - done);
		rwlock_t *lock = blk_lock(dev, ns, pos);

		read_lock(lock);
		bad = blk_uncor_any(ns, pos, n);
		read_unlock(lock);
		done += n;
	}
	if (bad)
		return blk_read_error(dev);
	atomic64_inc(&dev->ctr.host_read_cmds);
	return NVMEV_SC_SUCCESS;
}

/*
 * Write Uncorrectable: the blocks read as Unrecovered Read Error until
 * written again (Write, Write Zeroes, DSM deallocate, a Copy's
 * destination, Format, Sanitize). A bit per block, allocated at load: it
 * never fills and nothing is allocated here.
 */
static u16 blk_uncor_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			     struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u64 start = br->slba << NVMEV_LBA_SHIFT, done = 0;

	while (done < br->bytes) {
		u64 pos = start + done;
		u64 n = blk_stripe_part(pos, br->bytes - done);
		rwlock_t *lock = blk_lock(dev, ns, pos);

		write_lock(lock);
		blk_uncor_mark(ns, pos, n, true);
		write_unlock(lock);
		done += n;
	}
	atomic64_inc(&dev->ctr.host_write_cmds);
	return NVMEV_SC_SUCCESS;
}

/* DSM: with AD, each range deallocated (reads zeroes); hints ignored. */
static u16 blk_dsm_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			   struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u8 desc[NVMEV_DSM_RANGE_BYTES];
	struct nvmev_blk_range r;
	u16 status;
	u32 i;

	if (!(br->attr & NVMEV_DSM_AD))
		return NVMEV_SC_SUCCESS;
	status = nvmev_sgl_map(sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->xfer);
	for (i = 0; !status && i < br->nr; i++) {
		status = blk_list_entry(sgl, i, sizeof(desc), desc);
		if (!status)
			status = nvmev_dsm_range_check(desc, ns->blk_blocks,
						       &r);
		if (!status)
			blk_zero_range(dev, ns, r.slba, r.nlb << NVMEV_LBA_SHIFT);
	}
	if (!status)
		atomic64_inc(&dev->ctr.host_write_cmds);
	return status;
}

/*
 * One source range to its place at @dst, a block at a time through @buf
 * (one stripe lock held at a time, never two), backwards when the
 * destination lies after an overlapping source: each range is copied as
 * if read whole before written. Return: 0 or Unrecovered Read Error.
 */
static u16 blk_copy_range(struct nvmev_dev *dev, struct nvmev_ns *ns, u64 src,
			  u64 dst, u64 nlb,
			  u8 *buf)
{
	bool back = dst > src && dst < src + nlb;
	u64 i;

	for (i = 0; i < nlb; i++) {
		u64 k = back ? nlb - 1 - i : i;
		u64 from = (src + k) << NVMEV_LBA_SHIFT;
		u64 to = (dst + k) << NVMEV_LBA_SHIFT;
		u64 n = 1 << NVMEV_LBA_SHIFT;
		bool bad;

		read_lock(blk_lock(dev, ns, from));
		bad = blk_uncor_any(ns, from, n);
		if (!bad)
			memcpy(buf, ns->blk_base + from, n);
		read_unlock(blk_lock(dev, ns, from));
		if (bad)
			return NVMEV_SC_READ_ERROR | NVMEV_SC_DNR;
		write_lock(blk_lock(dev, ns, to));
		memcpy(ns->blk_base + to, buf, n);
		blk_uncor_mark(ns, to, n, false);
		write_unlock(blk_lock(dev, ns, to));
	}
	return NVMEV_SC_SUCCESS;
}

/*
 * Copy: the source ranges in list order to consecutive blocks from SDLBA.
 * Ranges were checked at dispatch; each is checked again as it is read
 * from the list. On failure DW0 is the first range not copied.
 */
static u16 blk_copy_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			    struct nvmev_sgl *sgl)
{
	struct nvmev_ns *ns = req_ns(dev, req);
	struct blk_req *br = (struct blk_req *)req->priv;
	u8 desc[NVMEV_COPY_RANGE_BYTES], buf[1 << NVMEV_LBA_SHIFT];
	struct nvmev_blk_range r;
	u64 total = 0, dst = br->slba;
	u16 status;
	u32 i;

	status = nvmev_sgl_map(sgl, nvmev_sqe_prp1(req->sqe),
			       nvmev_sqe_prp2(req->sqe), br->xfer);
	for (i = 0; !status && i < br->nr; i++) {
		req->dw0 = i;
		status = blk_list_entry(sgl, i, sizeof(desc), desc);
		if (!status)
			status = nvmev_copy_range_check(desc, ns->blk_blocks,
							&total, &r);
		if (!status)
			status = nvmev_copy_dest_check(br->slba, total,
						       ns->blk_blocks);
		if (!status)
			status = blk_copy_range(dev, ns, r.slba, dst, r.nlb, buf);
		dst += r.nlb;
		cond_resched();
	}
	if (status == (NVMEV_SC_READ_ERROR | NVMEV_SC_DNR))
		return blk_read_error(dev);
	if (status)
		return status;
	req->dw0 = 0;
	atomic64_inc(&dev->ctr.host_write_cmds);
	return NVMEV_SC_SUCCESS;
}

/*
 * No block uncorrectable any more (Format NVM, Sanitize: the area is
 * zeroed, no I/O in flight). Dispatcher only.
 */
static void blk_uncor_clear(struct nvmev_ns *ns)
{
	memset(ns->blk_uncor, 0,
	       nvmev_bits_words(ns->blk_blocks) * sizeof(u64));
	atomic64_set(&ns->blk_uncor_nr, 0);
}

/**
 * nvmev_blk_uncor_runs - the uncorrectable runs of a block namespace
 * @dev: the device
 * @nsid: the namespace (one without blocks has none)
 * @slba: the first block to look at
 * @n: blocks from @slba (clipped to the namespace)
 * @out: the runs, as nvmev_bits_runs() writes them
 * @max: room in @out
 * @more: set when a run beyond the @max written remains
 *
 * For Get LBA Status and the LBA Status Information log (admin.c, on the
 * dispatcher).
 *
 * No stripe lock is taken: a word's bits change under its stripe's write
 * lock, and nvmev_bits_runs() reads each word with READ_ONCE, so the
 * report is a racy but per-word atomic snapshot. A Write Uncorrectable or a
 * write running meanwhile may show in part; for a status report that is
 * acceptable (the host asks again, as it would after any later change).
 * The bitmap is made, cleared (Format NVM, Sanitize) and freed (namespace
 * deletion) on this same dispatcher thread.
 *
 * Return: the number of runs written to @out.
 */
u32 nvmev_blk_uncor_runs(struct nvmev_dev *dev, u32 nsid, u64 slba, u64 n,
			 struct nvmev_lba_run *out, u32 max, bool *more)
{
	struct nvmev_ns *ns;

	*more = false;
	if (!nsid || nsid > NVMEV_MAX_NSID)
		return 0;
	ns = &dev->ns[nsid];
	if (!ns->blk_uncor || !atomic64_read(&ns->blk_uncor_nr))
		return 0;
	return nvmev_bits_runs(ns->blk_uncor, ns->blk_blocks, slba, n, out, max,
			       more);
}

#define BLK_ROW(op, slot, name, effects, fn) \
	{ op, slot, name, effects, blk_##fn##_dispatch, blk_##fn##_perform }
#else /* !__KERNEL__: the rows without their handlers */
#define BLK_ROW(op, slot, name, effects, fn) \
	{ op, slot, name, effects, NULL, NULL }
#endif

#define CSUPP NVMEV_EFFECTS_CSUPP
#define LBCC NVMEV_EFFECTS_LBCC

/*
 * Namespace 1's block commands: decode (nvmev_blk_decode), dispatch and
 * timing, perform, statistics, the effects log and Identify's ONCS.
 */
const struct nvmev_io_cmd nvmev_blk_cmds[] = {
	BLK_ROW(NVMEV_IO_FLUSH, NVMEV_SLOT_FLUSH, "flush", CSUPP, flush),
	BLK_ROW(NVMEV_IO_WRITE, NVMEV_SLOT_WRITE, "write", CSUPP | LBCC, write),
	BLK_ROW(NVMEV_IO_READ, NVMEV_SLOT_READ, "read", CSUPP, read),
	BLK_ROW(NVMEV_IO_WRITE_ZEROES, NVMEV_SLOT_WRITE_ZEROES, "write-zeroes",
		CSUPP | LBCC, zeroes),
	BLK_ROW(NVMEV_IO_WRITE_UNCOR, NVMEV_SLOT_WRITE_UNCOR, "write-uncor",
		CSUPP | LBCC, uncor),
	BLK_ROW(NVMEV_IO_COMPARE, NVMEV_SLOT_COMPARE, "compare", CSUPP,
		compare),
	BLK_ROW(NVMEV_IO_DSM, NVMEV_SLOT_DSM, "dsm", CSUPP | LBCC, dsm),
	BLK_ROW(NVMEV_IO_VERIFY, NVMEV_SLOT_VERIFY, "verify", CSUPP, verify),
	BLK_ROW(NVMEV_IO_COPY, NVMEV_SLOT_COPY, "copy", CSUPP | LBCC, copy),
};
const unsigned int nvmev_nr_blk_cmds = ARRAY_SIZE(nvmev_blk_cmds);

/* The ONCS bit that says an optional NVM command is supported (0: none). */
u16 nvmev_oncs_of(u8 opcode)
{
	switch (opcode) {
	case NVMEV_IO_COMPARE:
		return NVMEV_ONCS_COMPARE;
	case NVMEV_IO_WRITE_UNCOR:
		return NVMEV_ONCS_WRITE_UNCOR;
	case NVMEV_IO_DSM:
		return NVMEV_ONCS_DSM;
	case NVMEV_IO_WRITE_ZEROES:
		return NVMEV_ONCS_WRITE_ZEROES;
	case NVMEV_IO_VERIFY:
		return NVMEV_ONCS_VERIFY;
	case NVMEV_IO_COPY:
		return NVMEV_ONCS_COPY;
	}
	return 0;
}

/* The ONCS bits of the block commands: what the table has, nothing else. */
u16 nvmev_blk_oncs(void)
{
	u16 oncs = 0;
	unsigned int i;

	for (i = 0; i < nvmev_nr_blk_cmds; i++)
		oncs |= nvmev_oncs_of(nvmev_blk_cmds[i].opcode);
	return oncs;
}

#ifdef __KERNEL__
/* ---------------------------------------------------------------------- */
/*
 * The opcode tables of a namespace, by its kind: namespace 1 has the block
 * commands and the vendor KV commands (the seed's device: one key space,
 * the vendor set), a block namespace made by Namespace Management the
 * block commands, a KV namespace (namespace 2, or made by Namespace
 * Management) the NVMe KV Command Set on its own key space (kv_ftl.c).
 */

static const struct nvmev_io_cmd *io_ns_cmd(u8 kind, unsigned int i)
{
	switch (kind) {
	case NVMEV_NS_KV:
		return nvmev_kv_cmd(NVMEV_CSI_KV, i);
	case NVMEV_NS_BLK:
	case NVMEV_NS_BLK_VENDOR:
		if (i < nvmev_nr_blk_cmds)
			return &nvmev_blk_cmds[i];
		if (kind == NVMEV_NS_BLK)
			return NULL;
		return nvmev_kv_cmd(NVMEV_CSI_NVM, i - nvmev_nr_blk_cmds);
	default:
		return NULL;
	}
}

static const struct nvmev_io_cmd *io_cmd_find(u8 kind, u8 opcode)
{
	const struct nvmev_io_cmd *op;
	unsigned int i;

	for (i = 0; (op = io_ns_cmd(kind, i)); i++)
		if (op->opcode == opcode)
			return op;
	return NULL;
}

/* The names statistics print, by slot (stats.c knows no tables). */
static void io_stat_names(struct nvmev_dev *dev)
{
	static const u8 kinds[] = { NVMEV_NS_BLK_VENDOR, NVMEV_NS_KV };
	const struct nvmev_io_cmd *op;
	unsigned int i, n;

	for (n = 0; n < ARRAY_SIZE(kinds); n++)
		for (i = 0; (op = io_ns_cmd(kinds[n], i)); i++)
			dev->stat_names[op->slot] = op->name;
	dev->stat_names[NVMEV_SLOT_OTHER] = "other";
}

/* Commands Supported and Effects log, I/O half for @csi, from the tables. */
void nvmev_io_fill_effects(u8 csi, __le32 *iocs)
{
	u8 kind = csi == NVMEV_CSI_KV ? NVMEV_NS_KV : NVMEV_NS_BLK_VENDOR;
	const struct nvmev_io_cmd *op;
	unsigned int i;

	for (i = 0; (op = io_ns_cmd(kind, i)); i++)
		iocs[op->opcode] = cpu_to_le32(op->effects);
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

/*
 * Take the earliest request if it is due. Every request holds the CQ entry
 * its completion goes to (reserved at fetch), so it never waits for room.
 */
static struct nvmev_req *worker_take_due(struct nvmev_worker *w, u64 now,
					 u64 *next_ns)
{
	struct nvmev_req *req;

	*next_ns = U64_MAX;
	spin_lock(&w->lock);
	req = list_first_entry_or_null(&w->pending, struct nvmev_req, list);
	if (req && req->target_ns > now) {
		*next_ns = req->target_ns;
		req = NULL;
	}
	if (req)
		list_del(&req->list);
	spin_unlock(&w->lock);
	return req;
}

/*
 * Idle reclamation became wanted: worker 0 does it, and may be asleep with
 * nothing queued (the command ran on another worker or in the dispatcher).
 * Called after the completion's interrupt, which must not wait for it.
 */
static void kick_reclaimer(struct nvmev_dev *dev)
{
	struct nvmev_worker *w0 = &dev->workers[0];

	if (current == w0->task)
		return;
	WRITE_ONCE(w0->kick, true);
	wake_up(&w0->wq);
}

/* Return: true if the command made idle reclamation wanted. */
static bool nvmev_perform_io_req(struct nvmev_worker *w,
				 struct nvmev_req *req)
{
	struct nvmev_dev *dev = w->dev;
	struct nvmev_cq *cq = dev->cqs[req->cqid];
	u64 now;
	NVMEV_TRACE_FUNC();

	req->kick_reclaim = false;
	if (!req->status && req->op)
		req->status = req->op->perform(dev, req, w->sgl);
	/* the data is in place; the CQE waits for the modelled time */
	now = ktime_get_ns();
	while (now < req->target_ns) {
		cpu_relax();
		now = ktime_get_ns();
	}
	/*
	 * Counted before the CQE is posted: a host that has seen its
	 * completion (another interrupt's handler may reap it before this
	 * batch's interrupt) reads statistics that include it, so a client
	 * differencing them around its own commands gets exactly those.
	 */
	nvmev_stats_account(w->stats, req, now);
	nvmev_complete(dev, cq, req->sqid, req->sqe, req->status, req->dw0,
		       req->dw1, req->err_loc);
	atomic_dec(&dev->inflight);
	trace_nvmev_kv_complete(req->sqid, nvmev_sqe_cid(req->sqe),
				nvmev_sqe_opcode(req->sqe), req->key,
				req->key_len, req->bytes, req->status,
				req->dw0, req->target_ns - req->submit_ns,
				now - req->submit_ns);
	/* a traced command shows its interrupt; others share one per batch */
	if (req->traced)
		nvmev_cq_interrupt(dev, cq);
	return req->kick_reclaim;
}

static void irq_note(u16 *cqids, unsigned int *n, u16 cqid)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (cqids[i] == cqid)
			return;
	cqids[(*n)++] = cqid;
}

/*
 * Perform every due request (up to a batch), then one interrupt per CQ: the
 * first request due now, then those that come due within the interrupt
 * horizon of the first one's completion (not of each later one: a chain of
 * requests each due just within it would hold the interrupt for the batch).
 */
static u64 worker_run_due(struct nvmev_worker *w)
{
	struct nvmev_dev *dev = w->dev;
	u16 cqids[WORKER_BATCH];
	unsigned int n = 0, i, done;
	u64 next_ns = U64_MAX, due_by, t0;
	bool reclaim = false, raised = false;

	mutex_lock(&w->exec_lock);
	due_by = ktime_get_ns() + WORKER_WAKE_EARLY_NS;
	for (done = 0; done < WORKER_BATCH; done++) {
		struct nvmev_req *req = worker_take_due(w, due_by, &next_ns);

		if (!req)
			break;
		nvmev_trace_cmd_resume(w->dev, req->traced);
		reclaim |= nvmev_perform_io_req(w, req);
		nvmev_trace_cmd_end(req->traced);
		if (!done)
			due_by = ktime_get_ns() +
				 nvmev_irq_horizon_ns(w->irq_stall_ns,
						      WORKER_WAKE_EARLY_NS);
		if (!req->traced)
			irq_note(cqids, &n, req->cqid);
		worker_put_free(w, req);
	}
	for (i = 0; i < n; i++)
		raised |= nvmev_cq_interrupt(dev, dev->cqs[cqids[i]]);
	if (raised) {
		/*
		 * Under an emulator that runs every vCPU on one host thread,
		 * the host takes the interrupt at our next PAUSE and keeps the
		 * thread while it handles it; on hardware a PAUSE takes
		 * nanoseconds. Time it: how long an interrupt keeps us away.
		 */
		t0 = ktime_get_ns();
		cpu_relax();
		nvmev_irq_stall_learn(&w->irq_stall_ns, ktime_get_ns() - t0);
	}
	mutex_unlock(&w->exec_lock);
	if (reclaim)
		kick_reclaimer(dev);
	return done == WORKER_BATCH ? 0 : next_ns;
}

/*
 * Sleep until @until_ns (U64_MAX: until kicked) or an earlier request
 * arrives (w->kick). The hrtimer gets zero slack: a kthread's default slack
 * (50 us) would add itself to every modelled latency. A wake-up by the
 * timer teaches the worker how late its timers fire.
 */
static void worker_sleep(struct nvmev_worker *w, u64 until_ns)
{
	DEFINE_WAIT(wait);
	ktime_t expires = ns_to_ktime(until_ns);
	bool timed = false;

	prepare_to_wait(&w->wq, &wait, TASK_INTERRUPTIBLE);
	if (!READ_ONCE(w->kick) && !kthread_should_stop()) {
		if (until_ns == U64_MAX) {
			schedule();
		} else {
			schedule_hrtimeout_range_clock(&expires, 0,
						       HRTIMER_MODE_ABS,
						       CLOCK_MONOTONIC);
			timed = true;
		}
	}
	finish_wait(&w->wq, &wait);
	if (timed && !READ_ONCE(w->kick))
		nvmev_wake_learn(&w->wake_late_ns, until_ns, ktime_get_ns());
	/* ordered before the loop's reads of what a kicker wrote */
	smp_store_mb(w->kick, false);
}

/*
 * One turn of a wait by spinning. cpu_relax() (PAUSE) also hands a
 * single-threaded emulator (QEMU TCG) to the next vCPU: a loop without it
 * keeps every other vCPU, the host's included, off the CPU until the
 * emulator's 100 ms round-robin kick.
 */
static void worker_spin(void)
{
	cpu_relax();
	cond_resched();
}

/*
 * Worker 0 reclaims the KV logs' dead space when it has nothing due, a
 * slice per call. On the dispatcher's CPU (cpus=N, the default) only while
 * no command is in flight, and with yield() between slices: the dispatcher
 * polls, or waits to complete its held request, on that CPU, and must not
 * wait for a scheduler tick (milliseconds) behind reclamation.
 * Return: true if a slice was done, else how long to sleep in *@until_ns.
 */
static bool worker_reclaim(struct nvmev_worker *w, u64 *until_ns)
{
	struct nvmev_dev *dev = w->dev;
	bool shared = w->cpu == dev->cfg.dispatcher_cpu;
	bool more;

	*until_ns = U64_MAX;
	if (w->id)
		return false;
	/* exec_lock: a namespace's key space goes only with the workers held */
	mutex_lock(&w->exec_lock);
	if (shared && atomic_read(&dev->inflight)) {
		if (nvmev_kv_idle_wanted(dev))
			*until_ns = ktime_get_ns() + WORKER_RECLAIM_RETRY_NS;
		more = false;
	} else {
		more = nvmev_kv_idle(dev);
	}
	mutex_unlock(&w->exec_lock);
	if (!more)
		return false;
	if (shared)
		yield();
	else
		cond_resched();
	return true;
}

static int nvmev_worker_fn(void *data)
{
	struct nvmev_worker *w = data;

	while (!kthread_should_stop()) {
		u64 next_ns = worker_run_due(w);
		u64 margin = nvmev_wake_margin_ns(w->wake_late_ns);
		u64 until_ns;

		if (next_ns == U64_MAX && worker_reclaim(w, &until_ns))
			continue; /* idle: one reclamation slice done */
		if (next_ns == U64_MAX)
			worker_sleep(w, until_ns);
		else if (next_ns > ktime_get_ns() + margin)
			worker_sleep(w, next_ns - margin);
		else
			worker_spin(); /* due soon: spin for it */
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Dispatch of fetched I/O commands */

static void nvmev_dispatch_io(struct nvmev_dev *dev, struct nvmev_sq *sq,
			      struct nvmev_req *req)
{
	u32 nsid = req->sqe[1];
	bool ns_active = nvmev_ns_active(dev, nsid);
	const struct nvmev_io_cmd *op =
		io_cmd_find(ns_active ? dev->ns[nsid].kind : NVMEV_NS_BLK_VENDOR,
			    nvmev_sqe_opcode(req->sqe));
	u16 status;
	NVMEV_TRACE_FUNC();

	req->sqid = sq->qid;
	req->cqid = sq->cqid;
	req->submit_ns = ktime_get_ns();
	req->dw0 = 0;
	req->dw1 = 0;
	req->op = op;
	req->stat_slot = op ? op->slot : NVMEV_SLOT_OTHER;
	req->key_len = 0;
	req->bytes = 0;
	req->err_loc = 0;

	memset(&req->tm, 0, sizeof(req->tm));

	status = nvmev_io_check_common(req->sqe, op != NULL, ns_active,
				       &req->err_loc);
	if (!status)
		status = op->dispatch(dev, req);
	/* a rejected command costs a decode and a lookup, never nothing */
	if (status)
		req->tm.kind = NVMEV_TIMING_ERROR;
	req->target_ns = nvmev_timing_dev_book(dev, req->submit_ns, &req->tm);
	req->status = status;
}

/*
 * The dispatcher's held request. At queue depth 1 handing a command to a
 * worker (a wake-up, two context switches, a timer wake-up for its target)
 * cost more than the rest of the emulator's path together, and the
 * dispatcher polls through a command in flight anyway. So a command fetched
 * while nothing else is in flight stays with the dispatcher, which performs
 * it when it is due (nvmev_io_run_held), under its worker's exec_lock like
 * the worker would. The next command to arrive, a queue teardown or a drain
 * first sends it to its worker (nvmev_io_release_held), so several
 * commands in flight still run on the workers in parallel. A traced
 * command always goes to its worker: the call flow stays the seed's.
 */
#define HOLD_MAX_BYTES (64u << 10)

/*
 * Only a command whose perform is short: one key, or a Read/Write of a few
 * blocks. A List, an iterator read, a large value, Write Zeroes, DSM or
 * Copy (a whole namespace at most) would keep the dispatcher from every
 * other queue meanwhile.
 */
static bool io_perform_short(const struct nvmev_req *req)
{
	if (req->tm.value_bytes > HOLD_MAX_BYTES)
		return false;
	switch (req->tm.kind) {
	case NVMEV_TIMING_STORE:
	case NVMEV_TIMING_RETRIEVE:
	case NVMEV_TIMING_DELETE:
	case NVMEV_TIMING_EXIST:
	case NVMEV_TIMING_BLK_FLUSH:
	case NVMEV_TIMING_ERROR:
		return true;
	case NVMEV_TIMING_BLK_READ:
	case NVMEV_TIMING_BLK_WRITE:
		return req->op && (req->op->opcode == nvme_cmd_read ||
				   req->op->opcode == nvme_cmd_write);
	default:
		return false;
	}
}

static bool io_may_hold(struct nvmev_dev *dev, struct nvmev_req *req)
{
	return dev->cfg.dispatch_inline && !req->traced && !dev->held &&
	       atomic_read(&dev->inflight) == 1 && io_perform_short(req);
}

/* Send the held request to its worker. Dispatcher only. */
void nvmev_io_release_held(struct nvmev_dev *dev)
{
	struct nvmev_req *req = dev->held;

	if (!req)
		return;
	dev->held = NULL;
	nvmev_enqueue_io_req(sq_worker(dev, req->sqid), req);
}

/*
 * nvmev_io_run_held - perform the held request if it is due: its data
 * moves, then the CQE waits for the target, as on a worker. Its worker
 * busy (still posting the previous command): the worker takes it.
 * Dispatcher only. Return: true if the request left the dispatcher.
 */
bool nvmev_io_run_held(struct nvmev_dev *dev)
{
	struct nvmev_req *req = dev->held;
	struct nvmev_worker *w;
	bool reclaim;

	if (!req || req->target_ns > ktime_get_ns() + WORKER_WAKE_EARLY_NS)
		return false;
	w = sq_worker(dev, req->sqid);
	if (!mutex_trylock(&w->exec_lock)) {
		nvmev_io_release_held(dev);
		return true;
	}
	dev->held = NULL;
	reclaim = nvmev_perform_io_req(w, req);
	nvmev_cq_interrupt(dev, dev->cqs[req->cqid]);
	worker_put_free(w, req);
	mutex_unlock(&w->exec_lock);
	if (reclaim)
		kick_reclaimer(dev);
	return true;
}

/* Queue a fetched SQE on its worker, or hold it (above). */
static void nvmev_proc_io_sq(struct nvmev_dev *dev, struct nvmev_sq *sq,
			     struct nvmev_worker *w, struct nvmev_req *req)
{
	NVMEV_TRACE_FUNC();

	nvmev_io_release_held(dev);
	nvmev_dispatch_io(dev, sq, req);
	trace_nvmev_kv_submit(sq->qid, nvmev_sqe_cid(req->sqe),
			      nvmev_sqe_opcode(req->sqe), req->key,
			      req->key_len, req->bytes,
			      req->target_ns - req->submit_ns);
	if (io_may_hold(dev, req))
		dev->held = req;
	else
		nvmev_enqueue_io_req(w, req);
}

/*
 * nvmev_io_poll_sq - fetch what the host submitted on I/O SQ @sq (up to a
 * budget, for fairness) and queue it on the SQ's worker. Fetching stops
 * when the worker has no free request or the SQ's CQ no free entry: the
 * SQEs wait in the SQ (back-pressure). Dispatcher only.
 * Return: true if anything was fetched.
 */
bool nvmev_io_poll_sq(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	struct nvmev_worker *w = sq_worker(dev, sq->qid);
	u32 tail = nvmev_sq_tail(dev, sq);
	unsigned int budget = DISPATCH_BUDGET;
	bool busy = false;

	while (sq->head != tail && budget--) {
		struct nvmev_req *req = worker_get_free(w);

		if (!req)
			break;
		if (!nvmev_sq_fetch(dev, sq, tail, req->sqe)) {
			worker_put_free(w, req);
			break;
		}
		atomic_inc(&dev->inflight);
		req->traced = nvmev_trace_cmd_begin(dev, NVMEV_TRACE_IO,
						    nvmev_sqe_opcode(req->sqe));
		nvmev_proc_io_sq(dev, sq, w, req);
		if (req->traced)
			nvmev_trace_cmd_handoff(); /* the worker takes over */
		busy = true;
	}
	return busy;
}

/* ---------------------------------------------------------------------- */
/* Quiescing workers for queue teardown */

/*
 * Every worker's exec_lock, so none is performing or completing a command.
 * They are one lock class: taking them under dev->quiesce_lock, with
 * mutex_lock_nest_lock(), tells lockdep the order cannot deadlock (only one
 * thread ever holds more than one). Dispatcher only.
 */
static void nvmev_quiesce_workers(struct nvmev_dev *dev)
{
	unsigned int i;

	nvmev_io_release_held(dev);
	mutex_lock(&dev->quiesce_lock);
	for (i = 0; i < dev->cfg.nr_workers; i++)
		mutex_lock_nest_lock(&dev->workers[i].exec_lock,
				     &dev->quiesce_lock);
}

static void nvmev_resume_workers(struct nvmev_dev *dev)
{
	unsigned int i;

	lockdep_assert_held(&dev->quiesce_lock);
	for (i = 0; i < dev->cfg.nr_workers; i++)
		mutex_unlock(&dev->workers[i].exec_lock);
	mutex_unlock(&dev->quiesce_lock);
}

/**
 * nvmev_io_ns_remove - namespace @nsid's block state and key space freed,
 * its entry emptied (Namespace Management delete)
 * @dev: the device
 * @nsid: an allocated NSID other than 1
 *
 * Dispatcher, with no I/O in flight (nvmev_io_drain()): the workers are
 * held off meanwhile, worker 0's idle reclamation included.
 */
void nvmev_io_ns_remove(struct nvmev_dev *dev, u32 nsid)
{
	struct nvmev_ns *ns = &dev->ns[nsid];

	nvmev_quiesce_workers(dev);
	nvmev_io_blk_ns_free(ns);
	nvmev_kv_ns_delete(dev, nsid, true);
	memset(ns, 0, sizeof(*ns));
	nvmev_resume_workers(dev);
}

/* A request that will never run: its trace and its worker slot end. */
static void req_drop(struct nvmev_worker *w, struct nvmev_req *req)
{
	atomic_dec(&w->dev->inflight);
	nvmev_trace_cmd_drop(req->traced);
	req->traced = false;
	worker_put_free(w, req);
}

/*
 * Commands of SQ @sqid queued on its worker complete with "Command Abort
 * due to SQ Deletion", into the CQ entries they hold. Workers quiesced.
 * Return: how many.
 */
static unsigned int abort_queued(struct nvmev_dev *dev, u16 sqid)
{
	struct nvmev_worker *w = sq_worker(dev, sqid);
	struct nvmev_req *req, *tmp;
	unsigned int n = 0;
	LIST_HEAD(aborted);

	spin_lock(&w->lock);
	list_for_each_entry_safe(req, tmp, &w->pending, list)
		if (req->sqid == sqid)
			list_move_tail(&req->list, &aborted);
	spin_unlock(&w->lock);

	list_for_each_entry_safe(req, tmp, &aborted, list) {
		list_del(&req->list);
		nvmev_complete(dev, dev->cqs[req->cqid], sqid, req->sqe,
			       NVMEV_SC_ABORT_QUEUE, 0, 0, 0);
		req_drop(w, req);
		n++;
	}
	return n;
}

/*
 * SQEs the host submitted but the device has not fetched are aborted too,
 * as the spec asks, where their CQ has room. Return: how many posted.
 */
static unsigned int abort_unfetched(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	u32 tail = nvmev_sq_tail(dev, sq), sqe[16];
	unsigned int n = 0, lost = 0;

	while (sq->head != tail) {
		struct nvmev_cq *cq = dev->cqs[sq->cqid];

		nvmev_sq_consume(sq, sqe);
		if (cq && nvmev_post_cqe_now(dev, cq, sq->qid,
					    nvmev_sqe_cid(sqe),
					    NVMEV_SC_ABORT_QUEUE, 0, 0))
			n++;
		else
			lost++;
	}
	if (lost)
		pr_warn_ratelimited("SQ %u deleted: CQ %u full, %u aborts of unfetched commands not posted\n",
				    sq->qid, sq->cqid, lost);
	return n;
}

/*
 * nvmev_io_delete_sq - Delete I/O SQ @qid: every command of it completes
 * (aborted) before the SQ goes, then its CQ's interrupt tells the host.
 * Dispatcher only; the decoder checked that the SQ exists.
 */
void nvmev_io_delete_sq(struct nvmev_dev *dev, u16 qid)
{
	struct nvmev_sq *sq = dev->sqs[qid];
	struct nvmev_cq *cq = dev->cqs[sq->cqid];
	unsigned int n;

	nvmev_quiesce_workers(dev);
	n = abort_queued(dev, qid);
	n += abort_unfetched(dev, sq);
	nvmev_sq_destroy(dev, qid);
	nvmev_resume_workers(dev);
	if (n)
		nvmev_cq_interrupt(dev, cq);
}

/* nvmev_io_delete_cq - Delete I/O CQ @qid (no SQ attached: decoded). */
void nvmev_io_delete_cq(struct nvmev_dev *dev, u16 qid)
{
	nvmev_quiesce_workers(dev);
	nvmev_cq_destroy(dev, qid);
	nvmev_resume_workers(dev);
}

/*
 * nvmev_io_teardown - controller disable or shutdown: drop every request in
 * flight and every queue. Dispatcher only.
 */
void nvmev_io_teardown(struct nvmev_dev *dev)
{
	unsigned int i;

	nvmev_quiesce_workers(dev);
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		struct nvmev_worker *w = &dev->workers[i];
		struct nvmev_req *req, *tmp;
		LIST_HEAD(purged);

		spin_lock(&w->lock);
		list_splice_init(&w->pending, &purged);
		spin_unlock(&w->lock);
		list_for_each_entry_safe(req, tmp, &purged, list) {
			list_del(&req->list);
			req_drop(w, req);
		}
	}
	nvmev_queues_destroy_all(dev);
	nvmev_resume_workers(dev);
}

/* ---------------------------------------------------------------------- */
/* Format NVM and Sanitize (admin.c): drain, erase, counters */

/**
 * nvmev_io_drain - wait until every fetched I/O command has completed
 * @dev: the device
 * @timeout_ms: give up after this long
 *
 * The dispatcher runs admin commands and fetches I/O, so while it waits
 * here nothing new is fetched; what the workers hold completes at its
 * modelled time, which is bounded. Dispatcher only.
 * Return: 0, or -ETIMEDOUT with commands still in flight.
 */
int nvmev_io_drain(struct nvmev_dev *dev, unsigned int timeout_ms)
{
	u64 deadline = ktime_get_ns() + (u64)timeout_ms * NSEC_PER_MSEC;

	nvmev_io_release_held(dev);
	while (atomic_read(&dev->inflight) > 0) {
		if (ktime_get_ns() > deadline)
			return -ETIMEDOUT;
		usleep_range(50, 100);
	}
	return 0;
}

/*
 * nvmev_io_blk_erase - zero block namespace @nsid's area, a chunk at a time
 * (it may be gigabytes: others run between chunks). Called with no I/O in
 * flight (nvmev_io_drain()) from the dispatcher, which fetches none.
 */
void nvmev_io_blk_erase(struct nvmev_dev *dev, u32 nsid)
{
	struct nvmev_ns *ns = &dev->ns[nsid];

	nvmev_zero_chunked(ns->blk_base, ns->blk_blocks << NVMEV_LBA_SHIFT);
	blk_uncor_clear(ns);
}

/**
 * nvmev_io_blk_ns_init - the block side of namespace @ns: its area in the
 * region, its size in blocks (ns->nsze) and its uncorrectable bitmap
 * @dev: the device
 * @ns: a block namespace, its offset and nsze set
 * @zero: a new namespace: its blocks read zeroes
 *
 * Process context. Return: 0 or -ENOMEM.
 */
int nvmev_io_blk_ns_init(struct nvmev_dev *dev, struct nvmev_ns *ns, bool zero)
{
	ns->blk_base = dev->storage + (ns->offset - NVMEV_BAR_WINDOW);
	ns->blk_blocks = ns->nsze;
	atomic64_set(&ns->blk_uncor_nr, 0);
	ns->blk_uncor = nvmev_vzalloc(nvmev_bits_words(ns->blk_blocks) *
				      sizeof(u64));
	if (!ns->blk_uncor)
		return -ENOMEM;
	if (zero)
		nvmev_zero_chunked(ns->blk_base,
				   ns->blk_blocks << NVMEV_LBA_SHIFT);
	return 0;
}

/* The block side of @ns gone (Namespace Management delete, unload). */
void nvmev_io_blk_ns_free(struct nvmev_ns *ns)
{
	nvmev_vfree(ns->blk_uncor);
	ns->blk_uncor = NULL;
	ns->blk_base = NULL;
	ns->blk_blocks = 0;
}

/*
 * nvmev_io_stats_reset - the workers' command counters, latency and status
 * histograms back to 0 (debugfs stats). Each worker writes its own without
 * a lock, so they are quiesced meanwhile. Dispatcher only.
 */
void nvmev_io_stats_reset(struct nvmev_dev *dev)
{
	unsigned int i;

	nvmev_quiesce_workers(dev);
	for (i = 0; i < dev->cfg.nr_workers; i++)
		memset(dev->workers[i].stats, 0, sizeof(*dev->workers[i].stats));
	nvmev_resume_workers(dev);
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

	if (dev->index)
		w->task = kthread_create(nvmev_worker_fn, w, "nvmev_kv%u_w%u",
					 dev->index, i);
	else
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

/* The block commands' uncorrectable bitmap and range-list scratch. */
static void io_blk_free(struct nvmev_dev *dev)
{
	u32 nsid;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++)
		nvmev_io_blk_ns_free(&dev->ns[nsid]);
	nvmev_vfree(dev->blk_list_sgl);
	dev->blk_list_sgl = NULL;
}

/*
 * nvmev_io_start - create the workers and start them
 *
 * Return: 0 or -errno, with nothing left running on error.
 */
int nvmev_io_start(struct nvmev_dev *dev)
{
	unsigned int i;
	int ret;

	mutex_init(&dev->quiesce_lock);
	for (i = 0; i < NVMEV_BLK_LOCKS; i++)
		rwlock_init(&dev->blk_locks[i]);
	dev->blk_list_sgl = nvmev_vmalloc(sizeof(*dev->blk_list_sgl));
	ret = dev->blk_list_sgl ? 0 : -ENOMEM;
	for (i = 1; !ret && i <= NVMEV_MAX_NSID; i++)
		if (dev->ns[i].kind == NVMEV_NS_BLK_VENDOR ||
		    dev->ns[i].kind == NVMEV_NS_BLK)
			ret = nvmev_io_blk_ns_init(dev, &dev->ns[i], false);
	if (ret)
		goto err_workers;
	io_stat_names(dev);
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		ret = worker_init(dev, i);
		if (ret)
			goto err_workers;
	}
	for (i = 0; i < dev->cfg.nr_workers; i++)
		wake_up_process(dev->workers[i].task);
	return 0;

err_workers:
	/* a never-woken kthread is stopped before it runs its function */
	for (i = 0; i < dev->cfg.nr_workers; i++)
		worker_free(&dev->workers[i]);
	io_blk_free(dev);
	return ret;
}

/* Stop the workers; the dispatcher has stopped. Frees every queue. */
void nvmev_io_stop(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->cfg.nr_workers; i++)
		worker_free(&dev->workers[i]);
	nvmev_queues_destroy_all(dev);
	io_blk_free(dev);
}
#endif /* __KERNEL__ */
