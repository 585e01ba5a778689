// SPDX-License-Identifier: GPL-2.0
/*
 * allocator.c - append-only log with exact live-byte accounting and
 * sliced reclamation, over a region the caller provides.
 *
 * Segments move FREE -> HEAD -> SEALED -> (VICTIM ->) FREE. Two heads are
 * open at a time: one for user appends, one for records moved by
 * reclamation (cold data stays apart from hot data). A sealed segment whose
 * live count drops to zero is freed at once, without copying.
 *
 * Space rules:
 *  - user appends never take the last `reserve` free segments; those feed
 *    the reclamation head. Moving one victim needs at most one fresh
 *    segment (its records, in order, fit in one segment), so with
 *    reserve >= 1 reclamation can always finish the victim it started.
 *  - below gc_low free segments, every user append first runs one slice of
 *    reclamation (budget: slice_bytes or twice the record, whichever is
 *    larger), so reclamation keeps pace with writes in small steps.
 *  - only when the user head is full and free segments are down to the
 *    reserve does an append reclaim whole victims synchronously (counted in
 *    gc_forced), at most LOG_FORCED_VICTIMS of them. The append fails with
 *    -ENOSPC when the bytes not live are fewer than reserve + 2 segments
 *    plus the record (checked first, in O(1)), when no sealed segment has
 *    at least seg_size / LOG_MIN_GAIN_DIV reclaimable bytes, or when the
 *    victims did not free a segment; then later appends needing a segment
 *    fail at once until a record dies. Deleting data makes space again.
 *  - a victim whose move gained no free space (its records packed worse
 *    in the reclamation head than where they were) stops victim picking
 *    until a record dies or a head is sealed, so neither the idle worker
 *    nor appends shuffle data for nothing when the log is nearly full.
 *
 * Every write goes to [seg * seg_size + pos, + record size) with
 * pos + size <= seg_size and seg < nsegs = size / seg_size, so nothing is
 * ever written outside the region.
 */
#ifdef __KERNEL__
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#endif

#include "allocator.h"

#define LOG_NONE		U32_MAX
#define LOG_FORCED_VICTIMS	16
#define LOG_MIN_GAIN_DIV	16
#define LOG_SCAN_COST		64	/* budget charged for skipping a dead record */

u32 log_rec_size(u32 vsize)
{
	u64 sz = ALIGN((u64)sizeof(struct log_rec_hdr) + vsize, 8);

	return sz > U32_MAX ? U32_MAX : (u32)sz;
}

static u32 log_seg_of(const struct log_alloc *a, u64 off)
{
	return (u32)(off / a->seg_size);
}

static u64 log_seg_off(const struct log_alloc *a, u32 seg)
{
	return (u64)seg * a->seg_size;
}

static struct log_rec_hdr *log_hdr(const struct log_alloc *a, u64 off)
{
	return (struct log_rec_hdr *)(a->base + off);
}

/* The header's crc: flags and vsum change after it is set (allocator.h). */
static u32 log_hdr_crc(const struct log_rec_hdr *h)
{
	struct log_rec_hdr tmp = *h;

	tmp.flags = 0;
	tmp.crc = 0;
	tmp.vsum = 0;
	return crc32_le(~0U, (const u8 *)&tmp, sizeof(tmp));
}

/*
 * The value's checksum (allocator.h): xxh64, which runs at several times
 * crc32_le's speed (a 4 KiB Store at timing=none took 5-6 us longer than a
 * 64 B one under TCG with crc32_le, none without it).
 */
static u32 log_value_sum(const struct log_alloc *a, u64 off)
{
	const struct log_rec_hdr *h = log_hdr(a, off);

	return (u32)xxh64(h + 1, le32_to_cpu(h->vsize), 0);
}

static void log_free_push(struct log_alloc *a, u32 seg)
{
	struct log_seg *s = &a->segs[seg];

	a->used_bytes -= s->used;
	s->used = 0;
	s->live = 0;
	s->state = LOG_SEG_FREE;
	s->next_free = a->free_head;
	a->free_head = seg;
	a->nfree++;
}

static u32 log_free_pop(struct log_alloc *a)
{
	u32 seg = a->free_head;

	if (seg == LOG_NONE)
		return LOG_NONE;
	a->free_head = a->segs[seg].next_free;
	a->segs[seg].next_free = LOG_NONE;
	a->nfree--;
	return seg;
}

static int log_check_config(const struct log_config *cfg, u32 *nsegs)
{
	u64 n;

	if (!cfg->base || !IS_ALIGNED((unsigned long)cfg->base, 8))
		return -EINVAL;
	if (!cfg->seg_size || !IS_ALIGNED(cfg->seg_size, 8) || !cfg->max_value)
		return -EINVAL;
	if (log_rec_size(cfg->max_value) > cfg->seg_size)
		return -EINVAL;
	n = cfg->size / cfg->seg_size;
	if (n >= LOG_NONE ||
	    n < LOG_MIN_SEGS((u64)(cfg->reserve_segs ?: LOG_DEFAULT_RESERVE)))
		return -EINVAL;
	*nsegs = (u32)n;
	return 0;
}

/* Every segment free, no head, no victim: an empty log of @epoch. */
void log_reset(struct log_alloc *a, u32 epoch)
{
	u32 i;

	for (i = 0; i < a->nsegs; i++)
		a->segs[i] = (struct log_seg){ .state = LOG_SEG_FREE };
	a->free_head = LOG_NONE;
	a->nfree = 0;
	a->victim = LOG_NONE;
	a->victim_pos = 0;
	for (i = 0; i < LOG_NR_HEADS; i++)
		a->head[i] = LOG_NONE;
	a->gc_blocked = false;
	a->gc_broken = false;
	a->user_full = false;
	a->seq = 0;
	a->epoch = epoch;
	a->live_bytes = 0;
	a->used_bytes = 0;
	memset(&a->st, 0, sizeof(a->st));
	for (i = a->nsegs; i-- > 0;)
		log_free_push(a, i);
}

int log_init(struct log_alloc *a, const struct log_config *cfg)
{
	u32 nsegs;
	int err;

	err = log_check_config(cfg, &nsegs);
	if (err)
		return err;

	memset(a, 0, sizeof(*a));
	a->segs = nvmev_kvcalloc(nsegs, sizeof(*a->segs), GFP_KERNEL);
	if (!a->segs)
		return -ENOMEM;

	a->base = cfg->base;
	a->seg_size = cfg->seg_size;
	a->nsegs = nsegs;
	a->capacity = (u64)nsegs * cfg->seg_size;
	a->max_record = log_rec_size(cfg->max_value);
	a->reserve = cfg->reserve_segs ?: LOG_DEFAULT_RESERVE;
	a->gc_low = cfg->gc_low_segs ?: a->reserve + max_t(u32, 2, nsegs / 16);
	a->slice_bytes = cfg->slice_bytes ?: LOG_DEFAULT_SLICE;
	a->relocate = cfg->relocate;
	a->relocate_ctx = cfg->relocate_ctx;
	log_reset(a, cfg->epoch);
	return 0;
}

void log_destroy(struct log_alloc *a)
{
	nvmev_kvfree(a->segs);
	a->segs = NULL;
	a->nsegs = 0;
}

static void log_seal(struct log_alloc *a, int kind)
{
	u32 seg = a->head[kind];

	a->head[kind] = LOG_NONE;
	if (seg == LOG_NONE)
		return;
	a->segs[seg].state = LOG_SEG_SEALED;
	a->gc_blocked = false;
	if (!a->segs[seg].live)
		log_free_push(a, seg);
}

static bool log_head_fits(const struct log_alloc *a, int kind, u32 rsize)
{
	u32 seg = a->head[kind];

	return seg != LOG_NONE && a->segs[seg].used + rsize <= a->seg_size;
}

/*
 * Take @rsize bytes at head @kind, or at the other head if it still has
 * room (keeps the tail a large record leaves behind from going to waste).
 * User appends get -EAGAIN rather than dip into the reserve, and stay out
 * of the reclamation head while a victim is being moved: the rest of the
 * victim must fit in the one fresh segment that head may have opened.
 */
static int log_reserve(struct log_alloc *a, int kind, u32 rsize, u64 *off)
{
	u32 seg;
	struct log_seg *s;

	if (log_head_fits(a, kind, rsize)) {
		seg = a->head[kind];
	} else if ((kind == LOG_HEAD_GC || a->victim == LOG_NONE) &&
		   log_head_fits(a, !kind, rsize)) {
		seg = a->head[!kind];
	} else {
		if (kind == LOG_HEAD_USER && a->nfree <= a->reserve)
			return -EAGAIN;
		if (!a->nfree)
			return -ENOSPC;
		log_seal(a, kind);
		seg = log_free_pop(a);
		a->segs[seg].state = LOG_SEG_HEAD;
		a->head[kind] = seg;
	}
	s = &a->segs[seg];
	*off = log_seg_off(a, seg) + s->used;
	s->used += rsize;
	s->live += rsize;
	a->used_bytes += rsize;
	a->live_bytes += rsize;
	return 0;
}

/* Bytes appends can still use: free segments and the heads' tails. */
static u64 log_free_space(const struct log_alloc *a)
{
	u64 room = (u64)a->nfree * a->seg_size;
	int k;

	for (k = 0; k < LOG_NR_HEADS; k++)
		if (a->head[k] != LOG_NONE)
			room += a->seg_size - a->segs[a->head[k]].used;
	return room;
}

/* Smallest live count among sealed segments worth reclaiming. */
static u32 log_pick_victim(struct log_alloc *a)
{
	u32 best = LOG_NONE, best_live = U32_MAX, i;
	u32 limit = a->seg_size - a->seg_size / LOG_MIN_GAIN_DIV;

	if (a->gc_blocked)
		return LOG_NONE;
	for (i = 0; i < a->nsegs; i++) {
		const struct log_seg *s = &a->segs[i];

		if (s->state == LOG_SEG_SEALED && s->live < best_live) {
			best = i;
			best_live = s->live;
		}
	}
	if (best == LOG_NONE || best_live > limit) {
		/* nothing to gain until something dies (log_mark_dead) */
		a->gc_blocked = true;
		return LOG_NONE;
	}
	a->segs[best].state = LOG_SEG_VICTIM;
	a->victim = best;
	a->victim_pos = 0;
	a->victim_free = log_free_space(a);
	return best;
}

static void log_dead_account(struct log_alloc *a, u64 off, u32 rsize)
{
	struct log_seg *s = &a->segs[log_seg_of(a, off)];

	if (WARN_ON_ONCE(s->live < rsize))
		return;
	s->live -= rsize;
	a->live_bytes -= rsize;
	a->gc_blocked = false;
	a->user_full = false;
}

/* One byte store: outside the header's crc, so never a torn header. */
static void log_set_dead(struct log_alloc *a, u64 off)
{
	struct log_rec_hdr *h = log_hdr(a, off);

	WRITE_ONCE(h->flags, h->flags | LOG_REC_DEAD);
}

/* Copy one live record of the victim to the reclamation head. */
static int log_move_record(struct log_alloc *a, u64 old, u32 rsize)
{
	const struct log_rec_hdr *h = log_hdr(a, old);
	u64 new;
	int err;

	err = log_reserve(a, LOG_HEAD_GC, rsize, &new);
	if (WARN_ON_ONCE(err))
		return err;
	memcpy(a->base + new, a->base + old, rsize);
	if (a->relocate)
		a->relocate(a->relocate_ctx, h->key, h->klen, old, new);
	log_set_dead(a, old);
	log_dead_account(a, old, rsize);
	a->st.gc_bytes_moved += rsize;
	return 0;
}

static bool log_rec_sane(const struct log_alloc *a, u64 off, u32 room)
{
	const struct log_rec_hdr *h = log_hdr(a, off);

	return room >= sizeof(*h) && le32_to_cpu(h->magic) == LOG_REC_MAGIC &&
	       le32_to_cpu(h->epoch) == a->epoch &&
	       h->klen >= 1 && h->klen <= LOG_KEY_MAX &&
	       log_rec_size(le32_to_cpu(h->vsize)) <= room &&
	       log_rec_size(le32_to_cpu(h->vsize)) <= a->max_record &&
	       le32_to_cpu(h->crc) == log_hdr_crc(h);
}

/*
 * The victim is empty: free it. If moving it gained no free space (its
 * records packed worse than they were), stop picking victims until a
 * record dies or a head is sealed, rather than shuffle data for nothing.
 */
static void log_finish_victim(struct log_alloc *a)
{
	u32 seg = a->victim;

	WARN_ON_ONCE(a->segs[seg].live);
	a->victim = LOG_NONE;
	log_free_push(a, seg);
	a->st.gc_runs++;
	if (log_free_space(a) <= a->victim_free)
		a->gc_blocked = true;
}

/* One slice: examine victim records until about @budget bytes of work. */
static void log_reclaim_slice(struct log_alloc *a, u32 budget)
{
	struct log_seg *v = &a->segs[a->victim];
	u64 base = log_seg_off(a, a->victim);
	u32 done = 0;

	a->st.gc_slices++;
	while (a->victim_pos < v->used && done < budget) {
		u64 off = base + a->victim_pos;
		const struct log_rec_hdr *h = log_hdr(a, off);
		u32 rsize;

		if (WARN_ON_ONCE(!log_rec_sane(a, off, v->used - a->victim_pos))) {
			a->gc_broken = true;
			return;
		}
		rsize = log_rec_size(le32_to_cpu(h->vsize));
		if (h->flags & LOG_REC_DEAD) {
			done += LOG_SCAN_COST;
		} else {
			if (log_move_record(a, off, rsize)) {
				a->gc_broken = true;
				return;
			}
			done += rsize;
		}
		a->victim_pos += rsize;
	}
	if (a->victim_pos >= v->used)
		log_finish_victim(a);
}

/* A victim is half done, or free segments are low and moving can help. */
bool log_reclaim_wanted(const struct log_alloc *a)
{
	if (a->gc_broken)
		return false;
	if (a->victim != LOG_NONE)
		return true;
	return a->nfree < a->gc_low && !a->gc_blocked && !a->user_full;
}

/*
 * One bounded slice of reclamation. Returns 1 if more work is wanted,
 * 0 if reclamation is idle, -ENOSPC if nothing is worth reclaiming.
 */
int log_reclaim_step(struct log_alloc *a, u32 budget)
{
	NVMEV_TRACE_FUNC();

	if (!log_reclaim_wanted(a))
		return 0;
	if (a->victim == LOG_NONE && log_pick_victim(a) == LOG_NONE)
		return -ENOSPC;
	log_reclaim_slice(a, budget ?: a->slice_bytes);
	return log_reclaim_wanted(a) ? 1 : 0;
}

/*
 * The user head is full and only the reserve is left: free a segment.
 * Fails at once when what is not live could not make up the reserve, one
 * segment for the user and one of slack for the heads' tails; and, after
 * one failed attempt, until some record dies (log_dead_account()).
 */
static int log_reclaim_for_user(struct log_alloc *a, u32 rsize)
{
	u64 need = (u64)(a->reserve + 2) * a->seg_size + rsize;
	int n = 0;

	if (a->user_full || a->capacity - a->live_bytes < need)
		return -ENOSPC;
	a->st.gc_forced++;
	while (a->nfree <= a->reserve && !a->gc_broken) {
		if (a->victim == LOG_NONE) {
			if (n++ == LOG_FORCED_VICTIMS ||
			    log_pick_victim(a) == LOG_NONE)
				break;
		}
		log_reclaim_slice(a, U32_MAX);
	}
	if (a->nfree > a->reserve)
		return 0;
	a->user_full = true;
	return -ENOSPC;
}

static void log_write_hdr(struct log_alloc *a, u64 off, const u8 *key,
			  u8 klen, u32 vsize, u32 rsize)
{
	struct log_rec_hdr *h = log_hdr(a, off);
	u32 pad = rsize - (u32)sizeof(*h) - vsize;

	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(LOG_REC_MAGIC);
	h->klen = klen;
	memcpy(h->key, key, klen);
	h->vsize = cpu_to_le32(vsize);
	h->seq = cpu_to_le64(++a->seq);
	h->epoch = cpu_to_le32(a->epoch);
	h->crc = cpu_to_le32(log_hdr_crc(h));
	if (pad)
		memset(a->base + off + rsize - pad, 0, pad);
}

/*
 * Append a record for @key with room for a @vsize-byte value, counted live.
 * The caller fills log_value(off) and either publishes @off in its index
 * or gives it back with log_mark_dead(). May run reclamation, which
 * relocates other records through the relocate callback.
 */
int log_append(struct log_alloc *a, const u8 *key, u8 klen, u32 vsize,
	       u64 *off)
{
	u32 rsize = log_rec_size(vsize);
	int err;
	NVMEV_TRACE_FUNC();

	if (!klen || klen > LOG_KEY_MAX || rsize > a->max_record)
		return -EINVAL;
	if (log_reclaim_wanted(a))
		log_reclaim_step(a, max_t(u32, a->slice_bytes, 2 * rsize));

	err = log_reserve(a, LOG_HEAD_USER, rsize, off);
	if (err == -EAGAIN) {
		err = log_reclaim_for_user(a, rsize);
		if (!err)
			err = log_reserve(a, LOG_HEAD_USER, rsize, off);
	}
	if (err) {
		a->st.enospc++;
		return -ENOSPC;
	}
	log_write_hdr(a, *off, key, klen, vsize, rsize);
	a->st.records_written++;
	a->st.user_bytes += rsize;
	return 0;
}

const struct log_rec_hdr *log_rec(const struct log_alloc *a, u64 off)
{
	return log_hdr(a, off);
}

void *log_value(struct log_alloc *a, u64 off)
{
	return a->base + off + sizeof(struct log_rec_hdr);
}

/*
 * The value of the record at @off is complete: seal it with its checksum. Until
 * then log_rebuild() discards the record, so a store cut short by a crash
 * (a warm reboot) is never served. One aligned 4-byte store.
 */
void log_commit(struct log_alloc *a, u64 off)
{
	NVMEV_TRACE_FUNC();

	if (WARN_ON_ONCE(off >= a->capacity))
		return;
	WRITE_ONCE(log_hdr(a, off)->vsum, cpu_to_le32(log_value_sum(a, off)));
}

/* The record at @off was superseded or deleted. */
void log_mark_dead(struct log_alloc *a, u64 off)
{
	struct log_rec_hdr *h;
	struct log_seg *s;
	NVMEV_TRACE_FUNC();

	if (WARN_ON_ONCE(off >= a->capacity))
		return;
	h = log_hdr(a, off);
	if (WARN_ON_ONCE(h->flags & LOG_REC_DEAD))
		return;
	log_set_dead(a, off);
	log_dead_account(a, off, log_rec_size(le32_to_cpu(h->vsize)));
	s = &a->segs[log_seg_of(a, off)];
	if (s->state == LOG_SEG_SEALED && !s->live)
		log_free_push(a, log_seg_of(a, off));
}

/*
 * The capacity the device advertises: the segments that are neither the
 * reclamation reserve nor one of the two open heads, (nsegs - reserve -
 * LOG_NR_HEADS) * seg_size. The reserve and the heads are overhead the log
 * needs to keep working, like the spare area of a flash SSD: counting them
 * as capacity made a small log promise space it cannot deliver. With the
 * smallest KV area (seven 4 MiB segments) keeping half of the raw 28 MiB
 * live ran out after writing about 0.5x of it (the reserve and heads are
 * four of the seven segments); against this capacity (12 MiB there), live
 * data up to half of it can be overwritten without end, whatever the value
 * sizes (tests/unit/test_kv_capacity.c, test_small_area_churn), and a log
 * of many segments loses a few percent. Fuller logs still work, with more
 * reclamation; at worst (values just over half a segment) one record per
 * segment fits, so a fill may stop at about half of this figure.
 */
u64 log_user_capacity(const struct log_alloc *a)
{
	u32 overhead = a->reserve + LOG_NR_HEADS;

	if (a->nsegs <= overhead)
		return 0;
	return (u64)(a->nsegs - overhead) * a->seg_size;
}

void log_get_stats(const struct log_alloc *a, struct log_stats *st)
{
	*st = a->st;
	st->capacity = a->capacity;
	st->user_capacity = log_user_capacity(a);
	st->used_bytes = a->used_bytes;
	st->live_bytes = a->live_bytes;
	st->nsegs = a->nsegs;
	st->free_segs = a->nfree;
	st->reclaiming = a->victim != LOG_NONE;
}

/* Walk one segment's records; sum the live ones. -EIO if malformed. */
static int log_check_seg(const struct log_alloc *a, u32 seg, u64 *live)
{
	const struct log_seg *s = &a->segs[seg];
	u64 base = log_seg_off(a, seg);
	u32 pos = 0;

	*live = 0;
	if (s->used > a->seg_size)
		return -EIO;
	while (pos < s->used) {
		const struct log_rec_hdr *h = log_hdr(a, base + pos);
		u32 rsize;

		if (!log_rec_sane(a, base + pos, s->used - pos))
			return -EIO;
		rsize = log_rec_size(le32_to_cpu(h->vsize));
		if (!(h->flags & LOG_REC_DEAD))
			*live += rsize;
		pos += rsize;
	}
	return *live == s->live ? 0 : -EIO;
}

/*
 * Full consistency check (tests and fuzzing): every record well formed,
 * per-segment and total live/used bytes exact, free list intact.
 */
int log_check(const struct log_alloc *a)
{
	u64 live = 0, used = 0, seg_live;
	u32 i, nfree = 0, seg;

	for (i = 0; i < a->nsegs; i++) {
		const struct log_seg *s = &a->segs[i];

		if (s->state == LOG_SEG_FREE) {
			if (s->used || s->live)
				return -EIO;
			continue;
		}
		if (log_check_seg(a, i, &seg_live))
			return -EIO;
		if (s->state == LOG_SEG_SEALED && !s->live)
			return -EIO;
		live += seg_live;
		used += s->used;
	}
	for (seg = a->free_head; seg != LOG_NONE; seg = a->segs[seg].next_free) {
		if (seg >= a->nsegs || a->segs[seg].state != LOG_SEG_FREE ||
		    ++nfree > a->nsegs)
			return -EIO;
	}
	if (nfree != a->nfree || live != a->live_bytes || used != a->used_bytes)
		return -EIO;
	return 0;
}

/* A record the rebuild does not keep: dead on the media and in the counts. */
static void log_rebuild_kill(struct log_alloc *a, u64 off)
{
	log_set_dead(a, off);
	log_dead_account(a, off, log_rec_size(le32_to_cpu(log_hdr(a, off)->vsize)));
}

/* One intact record, not marked dead: count it live and let @claim decide. */
static int log_rebuild_rec(struct log_alloc *a, u64 off, log_claim_fn claim,
			   void *ctx, struct log_scan *scan)
{
	const struct log_rec_hdr *h = log_hdr(a, off);
	u32 rsize = log_rec_size(le32_to_cpu(h->vsize));
	struct log_seg *s = &a->segs[log_seg_of(a, off)];
	u64 loser = U64_MAX;
	int err;

	s->live += rsize;
	a->live_bytes += rsize;
	if (le32_to_cpu(h->vsum) != log_value_sum(a, off)) {
		scan->torn++;
		log_rebuild_kill(a, off);
		return 0;
	}
	a->seq = max(a->seq, le64_to_cpu(h->seq));
	err = claim(ctx, off, h, &loser);
	if (err)
		return err;
	scan->live++;
	if (loser != U64_MAX) {
		scan->superseded++;
		scan->live--;
		log_rebuild_kill(a, loser);
	}
	return 0;
}

/*
 * Walk segment @seg's records from offset 0 while their headers check out.
 * The first bad header ends the segment: it is the tail of the last write
 * before a crash (or the end of what this segment ever held), and nothing
 * behind it can be trusted to start at a record boundary.
 */
static int log_rebuild_seg(struct log_alloc *a, u32 seg, log_claim_fn claim,
			   void *ctx, struct log_scan *scan)
{
	struct log_seg *s = &a->segs[seg];
	u64 base = log_seg_off(a, seg);
	int err;

	while (s->used < a->seg_size) {
		u64 off = base + s->used;
		const struct log_rec_hdr *h = log_hdr(a, off);
		u32 rsize;

		if (!log_rec_sane(a, off, a->seg_size - s->used)) {
			/* a header of this log that fails: a torn write, not
			 * the end of what the segment held (old epochs, zeros) */
			if (le32_to_cpu(h->magic) == LOG_REC_MAGIC &&
			    le32_to_cpu(h->epoch) == a->epoch)
				scan->torn_tails++;
			break;
		}
		rsize = log_rec_size(le32_to_cpu(h->vsize));
		s->used += rsize;
		a->used_bytes += rsize;
		scan->records++;
		scan->bytes += rsize;
		if (h->flags & LOG_REC_DEAD)
			continue;
		err = log_rebuild_rec(a, off, claim, ctx, scan);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Rebuild the allocator's state from the records of its epoch on the media,
 * right after log_init() (or log_reset()) with the log's epoch. @claim
 * builds the caller's index; every record it does not keep is marked dead
 * on the media, so reclamation never moves a record the index does not
 * point at. Afterwards segments with live records are sealed, the rest
 * free; no head is open (the next append opens one) and no victim is half
 * moved: a reload in the middle of reclamation finds both copies of a
 * moved record, with the same seq, and keeps one. -errno from @claim
 * aborts (the caller must not use the log then).
 */
int log_rebuild(struct log_alloc *a, log_claim_fn claim, void *ctx,
		struct log_scan *scan)
{
	u32 i;
	int err;

	memset(scan, 0, sizeof(*scan));
	log_reset(a, a->epoch);
	a->free_head = LOG_NONE;
	a->nfree = 0;
	for (i = 0; i < a->nsegs; i++) {
		a->segs[i] = (struct log_seg){ .state = LOG_SEG_SEALED };
		err = log_rebuild_seg(a, i, claim, ctx, scan);
		if (err)
			return err;
		/* a large log takes seconds (a value checksum per record):
		 * insmod may sleep */
		cond_resched();
	}
	for (i = a->nsegs; i-- > 0;)
		if (!a->segs[i].live)
			log_free_push(a, i);
	return 0;
}
