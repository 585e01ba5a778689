/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kv_ftl.h - the KV command sets of the emulated KV-SSD: the vendor
 * commands of namespace 1 (KV_PROTOCOL.md section 1) and the NVMe Key Value
 * Command Set of namespace 2 (CSI 1, section 3). Each set is one table of
 * struct kv_cmd_desc (opcode, name, decode, execute, cost class, statistics
 * slots, effects) over one engine: a store (hash index + value log).
 *
 * Statuses are returned as (sct << 8 | sc), without DNR and without the
 * phase bit; the caller sets DNR on every non-zero status but 0x004.
 */
#ifndef NVMEV_KV_FTL_H
#define NVMEV_KV_FTL_H

#include "nvmev_compat.h"

#ifdef __KERNEL__
#include <linux/rwsem.h>
#include <linux/mutex.h>
#include <linux/atomic.h>
#endif

#include "nvmev.h"
#include "hash_map.h"
#include "allocator.h"
#include "timing.h"

#define KV_MAX_KEY_LEN		16
#define KV_MAX_VALUE_SIZE	(2U << 20)	/* protocol maximum, bytes */
#define KV_MAX_ITERATORS	16		/* handles 1..16 */
#define KV_ITER_SCAN_DEFAULT	65536		/* index slots per iterate read */
#define KV_LIST_BATCH_DEFAULT	8192		/* keys per List pass (17 B each) */
#define KV_MIN_AREA_BYTES	(32ULL << 20)	/* smallest KV area insmod accepts */
#define KV_AREA_BYTES_PER_KEY	2048		/* default index size: a key per 2 KiB */
#define KV_INDEX_ALIGN		4096		/* the log starts page aligned */
#define KV_SB_BYTES		4096		/* a store's superblock: its area's first page */
#define KV_SB_MAGIC		0x53564b56454d564eULL	/* "NVMEVKVS" little-endian */
#define KV_DEV_SB_MAGIC		0x44564b56454d564eULL	/* "NVMEVKVD" */
#define KV_SB_VERSION		2	/* on-media format (2: xxh64 value sums) */

enum kv_coding {
	KV_CODING_BYTES = 0,	/* CDW10 bytes, CDW11[7:0] key length */
	KV_CODING_SAMSUNG,	/* CDW10 words, CDW11[17:16] pad, [7:0] key len - 1 */
};

enum kv_opcode {
	KV_OP_STORE	= 0x81,
	KV_OP_APPEND	= 0x83,
	KV_OP_RETRIEVE	= 0x90,
	KV_OP_DELETE	= 0xa1,
	KV_OP_ITER_CTL	= 0xb1,
	KV_OP_ITER_READ	= 0xb2,
	KV_OP_EXIST	= 0xb3,
};

/* NVMe KV Command Set opcodes (namespace 2) */
enum kv_std_opcode {
	KV_STD_FLUSH = 0x00,
	KV_STD_STORE = 0x01,
	KV_STD_RETRIEVE = 0x02,
	KV_STD_LIST = 0x06,
	KV_STD_DELETE = 0x10,
	KV_STD_EXIST = 0x14,
};

/*
 * Store options, CDW11[15:8]: the engine's bits. The standard set's Store
 * options have the same two bits (must exist, must not exist) and a third,
 * "do not compress", that changes nothing here.
 */
#define KV_STORE_OPT_UPDATE	0x01	/* only if the key exists */
#define KV_STORE_OPT_IDEMPOTENT	0x02	/* only if it does not */
#define KV_STD_STORE_NO_COMPRESS 0x04
#define KV_STD_RETRIEVE_RAW 0x01 /* no decompression: always so */

/* Iterate options, CDW11[15:8] of 0xB1 */
#define KV_ITER_OPT_OPEN	0x01
#define KV_ITER_OPT_CLOSE	0x02
#define KV_ITER_OPT_KEY		0x04
#define KV_ITER_OPT_KEY_VALUE	0x08
#define KV_ITER_OPT_DELETE	0x10

/* Statuses, (sct << 8 | sc) */
#define KV_SC_SUCCESS		0x000
#define KV_SC_INVALID_OPCODE	0x001
#define KV_SC_INVALID_FIELD	0x002
#define KV_SC_DATA_XFER_ERROR	0x004
#define KV_SC_INTERNAL		0x006
#define KV_SC_INVALID_VALUE_SIZE 0x301
#define KV_SC_INVALID_OFFSET	0x302
#define KV_SC_INVALID_KEY_SIZE	0x303
#define KV_SC_INVALID_OPTION	0x304
#define KV_SC_KEY_NOT_EXIST	0x310
#define KV_SC_CAPACITY_EXCEEDED	0x312
#define KV_SC_KEY_EXISTS	0x380
#define KV_SC_ITER_HANDLE	0x390
#define KV_SC_ITER_END		0x393
/* ... of the standard set: generic (type 0), command set specific */
#define KV_STD_SC_CAPACITY_EXCEEDED 0x081
#define KV_STD_SC_INVALID_VALUE_SIZE 0x085
#define KV_STD_SC_INVALID_KEY_SIZE 0x086
#define KV_STD_SC_KEY_NOT_EXIST 0x087
#define KV_STD_SC_KEY_EXISTS 0x089

struct kv_cmd_desc;
struct kv_store;

/* A decoded, validated command. */
struct kv_cmd {
	const struct kv_cmd_desc *desc; /* its row in its command set */
	u8 opcode;
	u8 key_len;		/* 1..16 for key commands */
	u8 option;		/* store or iterate option bits */
	u8 handle;		/* iterate: 1..16 */
	u8 key[KV_MAX_KEY_LEN];	/* zero beyond key_len */
	u32 value_size; /* store/append: value; retrieve/iter read/list: host buffer */
	u32 offset;		/* retrieve: byte offset into the value (CDW4) */
	u32 prefix;		/* iterate open: CDW12 */
	u32 bitmask;		/* iterate open: CDW13 */
	u16 err_loc;		/* decode failed: SQE byte offset of the field */
};

/*
 * Data movement between the host buffer (the command's PRPs) and the
 * device. host_off is a byte offset into the host buffer. A non-zero
 * return fails the command with Data Transfer Error (0x004).
 */
struct kv_io {
	void *ctx;
	int (*from_host)(void *ctx, u32 host_off, void *dst, u32 len);
	int (*to_host)(void *ctx, u32 host_off, const void *src, u32 len);
};

/*
 * A store's superblock, little-endian, at the start of its KV area:
 * [superblock | index | log]. It records what the layout of the area
 * depends on; the index itself is rebuilt from the log at every load.
 * crc = crc32_le(~0, superblock with crc = 0).
 */
struct kv_sb {
	__le64 magic;
	__le32 version;
	__le32 state;		/* KV_SB_OPEN while loaded, KV_SB_CLEAN after unload */
	__le64 area_offset;	/* where the KV area starts in the reserved region */
	__le64 area_size;
	__le64 max_keys;	/* index capacity: where the log starts depends on it */
	__le64 log_offset;	/* from the area's start */
	__le64 log_size;
	__le32 seg_size;
	__le32 max_value;
	__le32 epoch;		/* stamped in every record of this log */
	__le32 rsvd;
	__le64 generation;	/* loads and erases of this store */
	__le64 seq;		/* last record sequence number at the last unload */
	__le32 rsvd2;
	__le32 crc;
};

#define KV_SB_OPEN		1
#define KV_SB_CLEAN		2

/*
 * The device's superblock, at a place no parameter moves (the kernel glue
 * puts it in the BAR window, beyond the BAR the host sees): how the
 * reserved region was cut. Loading with other sizes would read the stores
 * at the wrong places, so that is refused, naming the parameter.
 */
struct kv_dev_sb {
	__le64 magic;
	__le32 version;
	__le32 rsvd;
	__le64 memmap_size;
	__le64 blk_size;
	__le64 kv_size;		/* KV area of namespace 1 */
	__le64 kv_std_size;	/* KV area of namespace 2; 0: none */
	__le64 generation;
	__le32 rsvd2;
	__le32 crc;
};

/*
 * The namespace table (Namespace Management), little-endian, in the device
 * superblock's page at KV_NS_TABLE_OFFSET: every namespace but 1, as the
 * last create/delete/attach/detach left them, so that a load makes them
 * again (a KV namespace's store then rebuilds from its own superblock).
 * crc as the superblocks'.
 */
#define KV_NS_TABLE_MAGIC	0x5342544e56454d4eULL	/* "NMEVNTBS" */
#define KV_NS_TABLE_OFFSET	2048
#define KV_NS_TABLE_MAX		15	/* NSIDs 2..16 */

struct kv_ns_rec {
	__le32 nsid;
	u8 kind;		/* enum nvmev_ns_kind: NVMEV_NS_BLK or _KV */
	u8 attached;
	u8 gen;
	u8 rsvd;
	__le64 offset;		/* in the region, bytes */
	__le64 size;
	__le64 nsze;		/* blocks (block) or bytes (KV) */
};

struct kv_ns_table {
	__le64 magic;
	__le32 version;
	__le32 count;
	struct kv_ns_rec ns[KV_NS_TABLE_MAX];
	__le32 rsvd;
	__le32 crc;
};

/* The sizes a device superblock records. */
struct kv_dev_geometry {
	u64 memmap_size;
	u64 blk_size;
	u64 kv_size;
	u64 kv_std_size;
};

/* What the media holds where a superblock belongs. */
enum kv_media {
	KV_MEDIA_EMPTY,		/* no valid superblock: start empty */
	KV_MEDIA_MATCH,		/* ours, same geometry: rebuild */
	KV_MEDIA_MISMATCH,	/* ours, another geometry: refuse */
};

struct kv_config {
	void *log_base;		/* value log region (reserved memory) */
	u64 log_size;
	u32 seg_size;		/* 0: LOG_DEFAULT_SEG_SIZE (4 MiB) */
	u32 max_value;		/* 0: KV_MAX_VALUE_SIZE; at most that */
	void *index_mem;	/* >= hash_map_mem_bytes(max_keys) bytes */
	size_t index_bytes;
	u64 max_keys;
	u64 seed;		/* hash seed: random per device */
	u32 reserve_segs;	/* 0: defaults (see allocator.h) */
	u32 gc_low_segs;
	u32 slice_bytes;
	u32 iter_scan;		/* 0: KV_ITER_SCAN_DEFAULT */
	u32 list_batch;		/* 0: KV_LIST_BATCH_DEFAULT */
	/* persistence: NULL sb_mem keeps the store in RAM only (tests) */
	void *sb_mem;		/* KV_SB_BYTES for the superblock */
	u64 area_offset;	/* the KV area in the region, for the superblock */
	u64 area_size;
	u32 epoch;		/* log identity for a fresh start (random) */
	bool fresh;		/* ignore and overwrite what the media holds */
};

struct kv_iter {
	struct mutex lock;	/* serialises reads of this handle */
	bool open;
	u8 option;
	u32 prefix;
	u32 bitmask;
};

enum kv_stat {
	KV_STAT_STORE,
	KV_STAT_APPEND,
	KV_STAT_RETRIEVE,
	KV_STAT_DELETE,
	KV_STAT_EXIST,
	KV_STAT_ITER_CTL,
	KV_STAT_ITER_READ,
	KV_STAT_LIST,
	KV_STAT_FLUSH,
	KV_STAT_FAILED, /* commands completed with a non-zero status */
	KV_STAT_FULL_INDEX, /* 0x312: a new key, kv_max_keys keys stored */
	KV_STAT_FULL_LOG, /* 0x312: no log space even after reclamation */
	KV_NR_STATS,
};

struct kv_stats {
	u64 ops[KV_NR_STATS];	/* commands per opcode, failures, 0x312 causes */
	u64 capacity;		/* advertised bytes: log_user_capacity() */
	u64 keys;
	u64 max_keys;
	u64 index_bytes;
	u32 longest_probe;
	struct log_stats log;
};

struct kv_store {
	/* see "Locking" at the top of kv_ftl.c */
	struct rw_semaphore lock;
	struct hash_map map;
	struct log_alloc log;
	u32 max_value;
	u32 iter_scan;
	u32 list_batch;		/* keys a List selects per pass over the index */
	bool ednek; /* Delete of a missing key fails (feature 20h) */
	struct kv_iter iters[KV_MAX_ITERATORS];
	struct hm_cursor iter_cursor[KV_MAX_ITERATORS];	/* walk positions */
	atomic64_t stat[KV_NR_STATS];
	/* persistence (NULL sb: RAM only) */
	struct kv_sb *sb;
	struct kv_sb sb_want;	/* geometry this load writes and expects */
	bool rebuilt;		/* the log was found and rebuilt at init */
	bool was_clean;		/* ... after an unload (not a crash or reboot) */
	struct log_scan scan;	/* what the rebuild found */
};

/* How a KV area of the reserved memory is cut: [superblock | index | log]. */
struct kv_layout {
	u64 max_keys;		/* index capacity in keys */
	u64 index_bytes;	/* hash_map_mem_bytes(max_keys), page aligned */
	u64 log_size;		/* the rest: the value log */
};

/*
 * The engine's errors and the status each command set answers for them:
 * the only place an errno becomes a status.
 */
struct kv_errno_status {
	int err;
	u16 sc;
};

/* Which way a command's data goes: what SMART and statistics count. */
enum kv_xfer {
	KV_XFER_NONE,
	KV_XFER_TO_DEV,
	KV_XFER_FROM_DEV,
};

struct kv_cmd_set {
	const char *name;
	u8 csi;
	const struct kv_cmd_desc *cmds;
	unsigned int nr_cmds;
	const struct kv_errno_status *status;
	unsigned int nr_status;
};

/*
 * One command of a command set. @io is what io.c's dispatcher and the
 * Commands Supported and Effects log see (opcode, name, effects, statistics
 * slot and the kernel glue's hooks); the rest is the KV layer's.
 */
struct kv_cmd_desc {
	struct nvmev_io_cmd io;
	const struct kv_cmd_set *set;
	/* check every field; 0 or the status of the first bad one */
	u16 (*decode)(const u32 cdw[16], enum kv_coding coding,
		      struct kv_cmd *cmd);
	/* run it; 0 or an errno the set's status table maps */
	int (*execute)(struct kv_store *kv, const struct kv_cmd *cmd,
		       const struct kv_io *io, u32 *dw0);
	u8 cost; /* enum nvmev_timing_kind */
	u8 stat; /* enum kv_stat: the store's counter */
	u8 xfer; /* enum kv_xfer */
};

extern const struct kv_cmd_set kv_vendor_set;
extern const struct kv_cmd_set kv_std_set;

const struct kv_cmd_desc *kv_cmd_find(const struct kv_cmd_set *set, u8 opcode);
u16 kv_set_decode(const struct kv_cmd_set *set, const u32 cdw[16],
		  enum kv_coding coding, struct kv_cmd *cmd);
u16 kv_decode(const u32 cdw[16], enum kv_coding coding, struct kv_cmd *cmd);
u16 kv_std_decode(const u32 cdw[16], struct kv_cmd *cmd);

int kv_layout(u64 area, u64 max_keys, struct kv_layout *lay);

enum kv_media kv_media_probe(const struct kv_config *cfg, const char **param,
			     char *why, size_t len);
enum kv_media kv_dev_sb_probe(const struct kv_dev_sb *sb,
			      const struct kv_dev_geometry *g,
			      const char **param, char *why, size_t len);
void kv_dev_sb_write(struct kv_dev_sb *sb, const struct kv_dev_geometry *g);
void kv_ns_table_write(struct kv_ns_table *t, const struct kv_ns_rec *recs,
		       unsigned int n);
int kv_ns_table_read(const struct kv_ns_table *t, u64 base, u64 end,
		     struct kv_ns_rec *recs);
int kv_store_init(struct kv_store *kv, const struct kv_config *cfg);
void kv_store_close(struct kv_store *kv);
int kv_store_erase(struct kv_store *kv);
void kv_store_destroy(struct kv_store *kv);
int kv_store_format(struct kv_store *kv, const struct kv_config *cfg,
		    bool erase_log);
u16 kv_execute(struct kv_store *kv, const struct kv_cmd *cmd,
	       const struct kv_io *io, u32 *dw0);
int kv_reclaim(struct kv_store *kv);
bool kv_reclaim_wanted(struct kv_store *kv);
void kv_store_configure(struct kv_store *kv, u32 kv_config);
void kv_get_stats(struct kv_store *kv, struct kv_stats *st);

u64 kv_key_hash(const struct kv_cmd *cmd);
void kv_timing_op(const struct kv_cmd *cmd, u64 live_keys,
		  struct nvmev_timing_op *op);

#endif /* NVMEV_KV_FTL_H */
