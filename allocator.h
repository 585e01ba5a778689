/* SPDX-License-Identifier: GPL-2.0 */
/*
 * allocator.h - the append-only value log of the KV FTL.
 *
 * The caller hands over a region (base, size), cut into fixed-size
 * segments. Records are appended at a head segment and never span two
 * segments. Overwritten and deleted records are marked dead in place;
 * live bytes are counted per segment, exactly. Reclamation copies the live
 * records of the sealed segment with the least live data to a separate
 * reclamation head, in slices of bounded work, and then frees it. The
 * allocator does no locking; kv_ftl.c holds its write lock around every
 * call that changes state (see the comment at the top of kv_ftl.c).
 *
 * Return values: 0, -ENOSPC (live data fills the log), -EINVAL (bad
 * configuration or record size).
 */
#ifndef NVMEV_ALLOCATOR_H
#define NVMEV_ALLOCATOR_H

#include "nvmev_compat.h"

#define LOG_KEY_MAX		16
#define LOG_REC_MAGIC		0x3152564bU	/* "KVR1" little-endian */
#define LOG_REC_DEAD		0x01		/* flags: superseded or deleted */
#define LOG_DEFAULT_SEG_SIZE	(4U << 20)
#define LOG_DEFAULT_RESERVE	2	/* segments kept for reclamation */
#define LOG_DEFAULT_SLICE	(256U << 10)	/* bytes copied per slice */
/* fewest segments log_init() accepts: the reserve, two heads, one sealed */
#define LOG_MIN_SEGS(reserve)	((reserve) + 3)

/*
 * On-log record header, little-endian, followed by the value and zero
 * padding to 8 bytes.
 *  - crc = crc32_le(~0, header with flags, crc and vsum = 0): set once when
 *    the record is appended, never rewritten. The flags byte stays outside
 *    so marking a record dead is one byte store: a crash can never leave a
 *    half-rewritten header that would hide the records behind it.
 *  - vsum = the low 32 bits of xxh64(value, seed 0) (format 2; format 1
 *    had crc32_le here), written by log_commit() once the value is
 *    complete: a record whose value was torn (or never finished) fails it
 *    and is discarded by log_rebuild(), never served.
 *  - epoch: the identity of the log (the store's superblock). A fresh log
 *    over memory that held an older one ignores the older records.
 * Rebuilding the index (log_rebuild()): scan each segment from offset 0
 * while the magic, epoch and crc check out; the live copy of a key is the
 * record with the highest seq among those not marked dead whose value
 * checks out (reclamation copies keep their seq: either copy will do).
 */
struct log_rec_hdr {
	__le32 magic;
	u8 klen;
	u8 flags;
	__le16 rsvd;
	u8 key[LOG_KEY_MAX];	/* zero-padded */
	__le32 vsize;
	__le32 crc;
	__le64 seq;
	__le32 epoch;
	__le32 vsum;
};

/*
 * log_rebuild() found an intact record at @off that is not marked dead.
 * Return 0 with *@loser = U64_MAX if it is the key's only copy so far, or
 * the offset of the copy (this one or an earlier) that must die; an errno
 * aborts the rebuild.
 */
typedef int (*log_claim_fn)(void *ctx, u64 off, const struct log_rec_hdr *h,
			    u64 *loser);

/* What log_rebuild() found. */
struct log_scan {
	u64 records;		/* records with header intact */
	u64 live;		/* records left live (one per key) */
	u64 superseded;		/* intact but older than another copy */
	u64 torn;		/* value check failed: discarded, marked dead */
	u64 bytes;		/* record bytes scanned */
	u32 torn_tails;		/* segments whose scan ended at a bad header of this log */
};

/*
 * Reclamation moved a live record: the index entry of @key must now point
 * at @new_off. Called with the caller's write lock held.
 */
typedef void (*log_relocate_fn)(void *ctx, const u8 *key, u8 klen,
				u64 old_off, u64 new_off);

struct log_config {
	void *base;		/* region start, 8-byte aligned */
	u64 size;		/* region bytes; a tail < seg_size is unused */
	u32 seg_size;		/* multiple of 8, >= log_rec_size(max_value) */
	u32 max_value;		/* largest value a record may hold */
	u32 reserve_segs;	/* 0: LOG_DEFAULT_RESERVE; >= 1 */
	u32 gc_low_segs;	/* start reclaiming below this many free; 0: auto */
	u32 slice_bytes;	/* work per reclamation slice; 0: default */
	u32 epoch;		/* stamped in every record (see log_rec_hdr) */
	log_relocate_fn relocate;
	void *relocate_ctx;
};

enum log_seg_state {
	LOG_SEG_FREE,
	LOG_SEG_HEAD,		/* open for appends (user or reclamation) */
	LOG_SEG_SEALED,
	LOG_SEG_VICTIM,		/* being reclaimed */
};

struct log_seg {
	u32 used;		/* append position: bytes of records written */
	u32 live;		/* bytes of records not marked dead */
	u32 next_free;
	u8 state;
};

enum { LOG_HEAD_USER, LOG_HEAD_GC, LOG_NR_HEADS };

struct log_stats {
	u64 capacity;		/* nsegs * seg_size: the raw log */
	u64 user_capacity;	/* what users may keep live: log_user_capacity() */
	u64 used_bytes;		/* record bytes in non-free segments */
	u64 live_bytes;
	u32 nsegs;
	u32 free_segs;
	u64 records_written;	/* user appends */
	u64 user_bytes;		/* record bytes appended for users */
	u64 gc_runs;		/* victims reclaimed (segments freed by copying) */
	u64 gc_slices;
	u64 gc_bytes_moved;	/* record bytes copied by reclamation */
	u64 gc_forced;		/* appends that had to reclaim beyond one slice */
	u64 enospc;
	u32 reclaiming;		/* 1: a victim is half moved */
};

struct log_alloc {
	u8 *base;
	u64 capacity;
	u32 seg_size;
	u32 nsegs;
	u32 max_record;
	struct log_seg *segs;	/* nsegs entries, kvcalloc'd */
	u32 free_head;		/* singly linked free list, U32_MAX = empty */
	u32 nfree;
	u32 head[LOG_NR_HEADS];	/* U32_MAX = none open */
	u32 victim;		/* U32_MAX = no reclamation in progress */
	u32 victim_pos;		/* next record to examine in the victim */
	u64 victim_free;	/* log_free_space() when the victim was picked */
	u32 reserve;
	u32 gc_low;
	u32 slice_bytes;
	bool gc_blocked;	/* no victim worth it until a record dies */
	bool gc_broken;		/* internal corruption seen: stop moving */
	bool user_full;		/* forced reclaim failed; cleared when a record dies */
	u64 seq;		/* last sequence number written */
	u32 epoch;
	u64 live_bytes;
	u64 used_bytes;
	log_relocate_fn relocate;
	void *relocate_ctx;
	struct log_stats st;	/* counters only; totals filled on read */
};

u32 log_rec_size(u32 vsize);
int log_init(struct log_alloc *a, const struct log_config *cfg);
void log_destroy(struct log_alloc *a);
void log_reset(struct log_alloc *a, u32 epoch);
int log_rebuild(struct log_alloc *a, log_claim_fn claim, void *ctx,
		struct log_scan *scan);

int log_append(struct log_alloc *a, const u8 *key, u8 klen, u32 vsize,
	       u64 *off);
void *log_value(struct log_alloc *a, u64 off);
const struct log_rec_hdr *log_rec(const struct log_alloc *a, u64 off);
void log_commit(struct log_alloc *a, u64 off);
void log_mark_dead(struct log_alloc *a, u64 off);

bool log_reclaim_wanted(const struct log_alloc *a);
int log_reclaim_step(struct log_alloc *a, u32 budget);

u64 log_user_capacity(const struct log_alloc *a);
void log_get_stats(const struct log_alloc *a, struct log_stats *st);
int log_check(const struct log_alloc *a);

#endif /* NVMEV_ALLOCATOR_H */
