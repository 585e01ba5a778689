// SPDX-License-Identifier: GPL-2.0
/*
 * kv_ftl.c - KV command set: decode, validate, execute, cost model.
 *
 * Layers (as in the seed's call stacks): kv_decode() checks every SQE
 * field and yields a struct kv_cmd or a status; kv_execute() runs it
 * against a struct kv_store: hash_map.c maps the key to (log offset, value
 * size), allocator.c hands out log space and reclaims it, and the glue's
 * kv_io callbacks move data between the log and the host's PRP pages.
 *
 * Locking
 * -------
 * Several worker threads call kv_execute() on one store at once.
 *
 * kv->lock (rw_semaphore) protects the hash map, the log allocator (its
 * segment table, heads, free list, victim and counters) and the log
 * contents, and the open/option/prefix/bitmask fields of every iterator.
 *  - shared:    Retrieve, Exist, Iterate read without the delete option.
 *               They only read the map and the log; Retrieve copies the
 *               value to the host while holding it, so no record it reads
 *               can be moved or its segment reused underneath it.
 *  - exclusive: Store, Append, Delete, Iterate open/close, Iterate read
 *               with the delete option, and every reclamation slice. These
 *               change the map, the log heads, live counts or records.
 * kv->iters[i].lock (mutex) serialises two reads of the same handle, which
 * both hold kv->lock shared; it orders after kv->lock. The cursor
 * kv->iter_cursor[i] is a value written only by open (kv->lock exclusive)
 * and by reads of handle i (under that mutex, or kv->lock exclusive);
 * changes to the map never touch it (hash_map.h, struct hm_cursor).
 * kv->stat[] are atomics, bumped under either mode; kv->ednek is a flag
 * the admin path flips (WRITE_ONCE) and Delete reads (READ_ONCE).
 *
 * List (the standard set) takes kv->lock shared for one scan of the index
 * slots at a time and drops it between scans (cond_resched() inside a scan
 * every KV_LIST_RESCHED_SLOTS slots), so writers wait for at most one scan.
 *
 * Reclamation never runs beside a command: it runs inside a store or
 * append (under the exclusive lock they already hold) or from kv_reclaim()
 * (taking it), one bounded slice at a time (allocator.h: slice_bytes, or
 * twice the record being appended). So a command waits for at most the
 * slice in front of it, and a retrieve never sees a record move. The one
 * exception is a log with free segments down to the reserve: then the
 * append that needs a segment reclaims whole victims until one is free
 * (counted as gc_forced); kv_reclaim() from an idle worker keeps that rare.
 * Moving a record updates the index through kv_relocate() under the same
 * exclusive lock, so the map and the log never disagree outside it.
 *
 * Persistence
 * -----------
 * The store lives in reserved memory that outlasts the module (and a warm
 * reboot), so each KV area starts with a superblock (struct kv_sb) and the
 * index is rebuilt from the log at load (log_rebuild() with kv_claim()).
 * What makes that safe is the order of writes under the exclusive lock:
 * a Store writes the record header, then the value, then its checksum
 * (log_commit()), and only then marks the old copy dead and completes; a
 * Delete marks the record dead (one byte) before it completes. So at any
 * instant the media holds, for every key, its acknowledged value as the
 * newest intact record not marked dead, possibly beside a newer record
 * whose value checksum fails (a torn store: discarded) or an older copy not yet
 * marked dead (superseded by seq). Reclamation copies a record with its
 * seq before marking the original dead, so a crash between the two leaves
 * equal twins. kv_store_close() marks the superblock clean at rmmod;
 * kv_store_erase() empties a store for Format NVM (a new epoch makes every
 * old record foreign).
 *
 * Work under the lock is bounded: one value copy (<= 2 MiB), one slice of
 * reclamation, for iterate reads KV_ITER_SCAN_DEFAULT index slots and the
 * host buffer (<= 2 MiB), for List one scan of the index slots. Everything may sleep (DMA callbacks, rwsem);
 * call from process context (worker kthreads), never with a spinlock held.
 */
#ifdef __KERNEL__
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#endif

#include "kv_ftl.h"

/* ---- decode ------------------------------------------------------------ */

#define KV_CDW11_KEYLEN(c)	((c) & 0xff)
#define KV_CDW11_OPTION(c)	(((c) >> 8) & 0xff)
#define KV_CDW11_PAD(c)		(((c) >> 16) & 0x3)

/* SQE byte offsets of the fields, for the error log's parameter location */
#define KV_LOC_OPCODE		0
#define KV_LOC_CDW4		16
#define KV_LOC_CDW10		40
#define KV_LOC_CDW11		44
#define KV_LOC_OPTION		45	/* CDW11[15:8] */

static u16 kv_bad(struct kv_cmd *cmd, u16 sc, u16 loc)
{
	cmd->err_loc = loc;
	return sc;
}

/* CDW10 (and, for samsung, CDW11[17:16]) -> bytes in 1..KV_MAX_VALUE_SIZE */
static u16 kv_check_len(const u32 cdw[16], enum kv_coding coding,
			struct kv_cmd *cmd)
{
	u64 n = cdw[10];

	if (coding == KV_CODING_SAMSUNG && n)
		n = n * 4 - KV_CDW11_PAD(cdw[11]);
	if (!n || n > KV_MAX_VALUE_SIZE)
		return kv_bad(cmd, KV_SC_INVALID_VALUE_SIZE, KV_LOC_CDW10);
	cmd->value_size = (u32)n;
	return KV_SC_SUCCESS;
}

/* CDW11[7:0] and CDW12..15 -> key; never reads past the 16-byte field. */
static u16 kv_check_key(const u32 cdw[16], enum kv_coding coding,
			struct kv_cmd *cmd)
{
	u32 klen = KV_CDW11_KEYLEN(cdw[11]);
	u32 i;

	if (coding == KV_CODING_SAMSUNG)
		klen++;
	if (!klen || klen > KV_MAX_KEY_LEN)
		return kv_bad(cmd, KV_SC_INVALID_KEY_SIZE, KV_LOC_CDW11);
	cmd->key_len = (u8)klen;
	for (i = 0; i < KV_MAX_KEY_LEN; i++)
		cmd->key[i] = i < klen ? (u8)(cdw[12 + i / 4] >> (8 * (i % 4))) : 0;
	return KV_SC_SUCCESS;
}

static u16 kv_check_store_opt(struct kv_cmd *cmd)
{
	const u8 both = KV_STORE_OPT_UPDATE | KV_STORE_OPT_IDEMPOTENT;

	if ((cmd->option & ~both) || cmd->option == both)
		return kv_bad(cmd, KV_SC_INVALID_OPTION, KV_LOC_OPTION);
	return KV_SC_SUCCESS;
}

static bool kv_handle_ok(u8 handle)
{
	return handle >= 1 && handle <= KV_MAX_ITERATORS;
}

static u16 kv_check_handle(struct kv_cmd *cmd)
{
	if (!kv_handle_ok(cmd->handle))
		return kv_bad(cmd, KV_SC_ITER_HANDLE, KV_LOC_CDW11);
	return KV_SC_SUCCESS;
}

/* Exactly one of open/close; open takes keys or keys+values, not both. */
static u16 kv_check_iter_opt(struct kv_cmd *cmd)
{
	const u8 known = KV_ITER_OPT_OPEN | KV_ITER_OPT_CLOSE | KV_ITER_OPT_KEY |
			 KV_ITER_OPT_KEY_VALUE | KV_ITER_OPT_DELETE;
	u8 opt = cmd->option;

	if (opt == KV_ITER_OPT_CLOSE)
		return kv_check_handle(cmd);
	if ((opt & ~known) || !(opt & KV_ITER_OPT_OPEN) ||
	    (opt & KV_ITER_OPT_CLOSE) ||
	    ((opt & KV_ITER_OPT_KEY) && (opt & KV_ITER_OPT_KEY_VALUE)))
		return kv_bad(cmd, KV_SC_INVALID_OPTION, KV_LOC_OPTION);
	return KV_SC_SUCCESS;
}

/* ---- vendor set: one decoder per command shape ------------------------ */

static u16 kv_dec_key(const u32 cdw[16], enum kv_coding coding,
		      struct kv_cmd *cmd)
{
	return kv_check_key(cdw, coding, cmd);
}

static u16 kv_dec_key_value(const u32 cdw[16], enum kv_coding coding,
			    struct kv_cmd *cmd)
{
	u16 sc = kv_check_key(cdw, coding, cmd);

	return sc ?: kv_check_len(cdw, coding, cmd);
}

static u16 kv_dec_store(const u32 cdw[16], enum kv_coding coding,
			struct kv_cmd *cmd)
{
	u16 sc = kv_dec_key_value(cdw, coding, cmd);

	if (sc)
		return sc;
	cmd->option = (u8)KV_CDW11_OPTION(cdw[11]);
	return kv_check_store_opt(cmd);
}

static u16 kv_dec_retrieve(const u32 cdw[16], enum kv_coding coding,
			   struct kv_cmd *cmd)
{
	u16 sc = kv_dec_key_value(cdw, coding, cmd);

	if (sc)
		return sc;
	cmd->offset = cdw[4];
	/* past the largest possible value; the exact check is at run time */
	if (cmd->offset > KV_MAX_VALUE_SIZE)
		return kv_bad(cmd, KV_SC_INVALID_OFFSET, KV_LOC_CDW4);
	return KV_SC_SUCCESS;
}

static u16 kv_dec_iter(const u32 cdw[16], enum kv_coding coding,
		       struct kv_cmd *cmd)
{
	u16 sc;

	cmd->handle = (u8)KV_CDW11_KEYLEN(cdw[11]);
	if (cmd->opcode == KV_OP_ITER_CTL) {
		cmd->option = (u8)KV_CDW11_OPTION(cdw[11]);
		cmd->prefix = cdw[12];
		cmd->bitmask = cdw[13];
		return kv_check_iter_opt(cmd);
	}
	sc = kv_check_handle(cmd);
	if (sc)
		return sc;
	sc = kv_check_len(cdw, coding, cmd);
	if (sc)
		return sc;
	/* room for at least the u32 key count */
	if (cmd->value_size < sizeof(u32))
		return kv_bad(cmd, KV_SC_INVALID_VALUE_SIZE, KV_LOC_CDW10);
	return KV_SC_SUCCESS;
}

/* ---- standard set (NVMe KV Command Set, KV_PROTOCOL.md section 3) ------ */

#define KV_STD_STORE_OPTS                                \
	(KV_STORE_OPT_UPDATE | KV_STORE_OPT_IDEMPOTENT | \
	 KV_STD_STORE_NO_COMPRESS)
#define KV_STD_LIST_MIN_BUF 4 /* the u32 count of returned keys */

/*
 * Key bytes 0-7 in CDW2-CDW3, 8-15 in CDW14-CDW15. A length above the
 * 16-byte field is an Invalid Field; 0 is @zero_sc: Invalid Key Size for
 * the commands that take a key (Store, Retrieve), Invalid Field for the
 * others, and allowed (@zero_sc 0) for List's start key.
 */
static u16 kv_std_key(const u32 cdw[16], struct kv_cmd *cmd, u16 zero_sc)
{
	u32 klen = KV_CDW11_KEYLEN(cdw[11]);
	u32 i;

	if (klen > KV_MAX_KEY_LEN)
		return kv_bad(cmd, KV_SC_INVALID_FIELD, KV_LOC_CDW11);
	if (!klen && zero_sc)
		return kv_bad(cmd, zero_sc, KV_LOC_CDW11);
	cmd->key_len = (u8)klen;
	for (i = 0; i < klen; i++) {
		u32 dw = i < 8 ? cdw[2 + i / 4] : cdw[14 + (i - 8) / 4];

		cmd->key[i] = (u8)(dw >> (8 * (i % 4)));
	}
	return KV_SC_SUCCESS;
}

/* CDW11[15:8]: only the @known bits, and not must and must-not together */
static u16 kv_std_options(const u32 cdw[16], struct kv_cmd *cmd, u8 known)
{
	const u8 both = KV_STORE_OPT_UPDATE | KV_STORE_OPT_IDEMPOTENT;

	cmd->option = (u8)KV_CDW11_OPTION(cdw[11]);
	if ((cmd->option & ~known) || (cmd->option & both) == both)
		return kv_bad(cmd, KV_SC_INVALID_FIELD, KV_LOC_OPTION);
	return KV_SC_SUCCESS;
}

/* CDW10 as a host buffer: at most one maximum data transfer */
static u16 kv_std_buffer(const u32 cdw[16], struct kv_cmd *cmd, u32 min)
{
	if (cdw[10] < min || cdw[10] > KV_MAX_VALUE_SIZE)
		return kv_bad(cmd, KV_SC_INVALID_FIELD, KV_LOC_CDW10);
	cmd->value_size = cdw[10];
	return KV_SC_SUCCESS;
}

static u16 kv_std_dec_store(const u32 cdw[16],
			    enum kv_coding coding __maybe_unused,
			    struct kv_cmd *cmd)
{
	u16 sc = kv_std_key(cdw, cmd, KV_STD_SC_INVALID_KEY_SIZE);

	if (sc)
		return sc;
	if (cdw[10] > KV_MAX_VALUE_SIZE) /* 0 is a legal value size */
		return kv_bad(cmd, KV_STD_SC_INVALID_VALUE_SIZE, KV_LOC_CDW10);
	cmd->value_size = cdw[10];
	return kv_std_options(cdw, cmd, KV_STD_STORE_OPTS);
}

static u16 kv_std_dec_retrieve(const u32 cdw[16],
			       enum kv_coding coding __maybe_unused,
			       struct kv_cmd *cmd)
{
	u16 sc = kv_std_key(cdw, cmd, KV_STD_SC_INVALID_KEY_SIZE);

	if (!sc)
		sc = kv_std_buffer(cdw, cmd, 0);
	return sc ?: kv_std_options(cdw, cmd, KV_STD_RETRIEVE_RAW);
}

static u16 kv_std_dec_list(const u32 cdw[16],
			   enum kv_coding coding __maybe_unused,
			   struct kv_cmd *cmd)
{
	u16 sc = kv_std_key(cdw, cmd, 0);

	return sc ?: kv_std_buffer(cdw, cmd, KV_STD_LIST_MIN_BUF);
}

static u16 kv_std_dec_key(const u32 cdw[16],
			  enum kv_coding coding __maybe_unused,
			  struct kv_cmd *cmd)
{
	return kv_std_key(cdw, cmd, KV_SC_INVALID_FIELD);
}

static u16 kv_std_dec_none(const u32 cdw[16] __maybe_unused,
			   enum kv_coding coding __maybe_unused,
			   struct kv_cmd *cmd __maybe_unused)
{
	return KV_SC_SUCCESS;
}

const struct kv_cmd_desc *kv_cmd_find(const struct kv_cmd_set *set, u8 opcode)
{
	unsigned int i;

	for (i = 0; i < set->nr_cmds; i++)
		if (set->cmds[i].io.opcode == opcode)
			return &set->cmds[i];
	return NULL;
}

/*
 * Decode the command in @cdw (CDW0..15, host order) by @set's table; the
 * vendor set reads lengths in @coding. Returns 0 with @cmd filled, or the
 * status of the first bad field with cmd->err_loc its SQE byte offset.
 * Fields the protocol leaves unused are ignored.
 */
u16 kv_set_decode(const struct kv_cmd_set *set, const u32 cdw[16],
		  enum kv_coding coding, struct kv_cmd *cmd)
{
	NVMEV_TRACE_FUNC();

	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = (u8)(cdw[0] & 0xff);
	if (coding != KV_CODING_BYTES && coding != KV_CODING_SAMSUNG)
		return kv_bad(cmd, KV_SC_INVALID_FIELD, KV_LOC_OPCODE);
	cmd->desc = kv_cmd_find(set, cmd->opcode);
	if (!cmd->desc)
		return kv_bad(cmd, KV_SC_INVALID_OPCODE, KV_LOC_OPCODE);
	return cmd->desc->decode(cdw, coding, cmd);
}

u16 kv_decode(const u32 cdw[16], enum kv_coding coding, struct kv_cmd *cmd)
{
	return kv_set_decode(&kv_vendor_set, cdw, coding, cmd);
}

u16 kv_std_decode(const u32 cdw[16], struct kv_cmd *cmd)
{
	return kv_set_decode(&kv_std_set, cdw, KV_CODING_BYTES, cmd);
}

/* ---- layout of the KV area --------------------------------------------- */

/*
 * Cut a KV area of @area bytes into its superblock (KV_SB_BYTES), an index
 * for @max_keys keys (0: one per KV_AREA_BYTES_PER_KEY bytes of area) and a
 * log of the rest. Returns
 * -EINVAL if the area is below KV_MIN_AREA_BYTES, the key count is beyond
 * what the index supports, or the index leaves the log fewer segments than
 * log_init() needs (then *lay is still filled, for the message).
 */
int kv_layout(u64 area, u64 max_keys, struct kv_layout *lay)
{
	u64 min_log = (u64)LOG_MIN_SEGS(LOG_DEFAULT_RESERVE) *
		      LOG_DEFAULT_SEG_SIZE;

	lay->max_keys = max_keys ?: max_t(u64, area / KV_AREA_BYTES_PER_KEY, 1);
	lay->index_bytes = U64_MAX;
	lay->log_size = 0;
	if (lay->max_keys <= HM_MAX_KEYS)
		lay->index_bytes = round_up((u64)hash_map_mem_bytes(lay->max_keys),
					    KV_INDEX_ALIGN);
	if (lay->index_bytes < area && area - lay->index_bytes > KV_SB_BYTES)
		lay->log_size = area - lay->index_bytes - KV_SB_BYTES;
	if (area < KV_MIN_AREA_BYTES || lay->log_size < min_log)
		return -EINVAL;
	return 0;
}

/* ---- superblocks ------------------------------------------------------- */

/*
 * What survives an unload or a warm reboot is the log; the superblocks say
 * which log it is and how the memory around it was cut. A load over a
 * superblock of ours whose geometry differs from the parameters is refused
 * (the stores would be read at the wrong places, and a fresh start would
 * silently erase them): the parameter to change is named, or fresh=1
 * erases. A superblock is valid when its magic and crc check out.
 */
static u32 kv_crc_without(const void *p, size_t len, size_t crc_off)
{
	static const u8 zero[4];
	u32 crc;

	if (WARN_ON_ONCE(crc_off + 4 > len))
		return 0;
	crc = crc32_le(~0U, p, crc_off);
	crc = crc32_le(crc, zero, sizeof(zero)); /* the crc field as 0 */
	return crc32_le(crc, (const u8 *)p + crc_off + 4, len - crc_off - 4);
}

static bool kv_sb_valid(const struct kv_sb *sb)
{
	return le64_to_cpu(sb->magic) == KV_SB_MAGIC &&
	       le32_to_cpu(sb->crc) ==
		       kv_crc_without(sb, sizeof(*sb), offsetof(struct kv_sb, crc));
}

static void kv_sb_seal(struct kv_sb *sb)
{
	sb->crc = cpu_to_le32(kv_crc_without(sb, sizeof(*sb),
					     offsetof(struct kv_sb, crc)));
}

/* The superblock a store of @cfg has, but for epoch, state and counters. */
static void kv_sb_expect(const struct kv_config *cfg, struct kv_sb *sb)
{
	memset(sb, 0, sizeof(*sb));
	sb->magic = cpu_to_le64(KV_SB_MAGIC);
	sb->version = cpu_to_le32(KV_SB_VERSION);
	sb->area_offset = cpu_to_le64(cfg->area_offset);
	sb->area_size = cpu_to_le64(cfg->area_size);
	sb->max_keys = cpu_to_le64(cfg->max_keys);
	sb->log_offset = cpu_to_le64((u64)((u8 *)cfg->log_base - (u8 *)cfg->sb_mem));
	sb->log_size = cpu_to_le64(cfg->log_size);
	sb->seg_size = cpu_to_le32(cfg->seg_size ?: LOG_DEFAULT_SEG_SIZE);
	sb->max_value = cpu_to_le32(cfg->max_value ?: KV_MAX_VALUE_SIZE);
}

/*
 * The first field of @have that differs from @want: the parameter that
 * changes it (or "fresh" for what no parameter changes), and in @why
 * what the media holds against what this load asks for.
 */
static const char *kv_sb_diff(const struct kv_sb *have, const struct kv_sb *want,
			      char *why, size_t len)
{
	const struct {
		const char *param, *what;
		u64 have, want;
	} f[] = {
		{ "fresh", "format version", le32_to_cpu(have->version),
		  le32_to_cpu(want->version) },
		{ "blk_size", "area offset", le64_to_cpu(have->area_offset),
		  le64_to_cpu(want->area_offset) },
		{ "kv_std_size", "area size", le64_to_cpu(have->area_size),
		  le64_to_cpu(want->area_size) },
		{ "kv_max_keys", "kv_max_keys", le64_to_cpu(have->max_keys),
		  le64_to_cpu(want->max_keys) },
		{ "kv_max_keys", "log offset", le64_to_cpu(have->log_offset),
		  le64_to_cpu(want->log_offset) },
		{ "kv_max_keys", "log size", le64_to_cpu(have->log_size),
		  le64_to_cpu(want->log_size) },
		{ "fresh", "segment size", le32_to_cpu(have->seg_size),
		  le32_to_cpu(want->seg_size) },
		{ "fresh", "largest value", le32_to_cpu(have->max_value),
		  le32_to_cpu(want->max_value) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (f[i].have == f[i].want)
			continue;
		snprintf(why, len, "%s %llu, this load asks for %llu", f[i].what,
			 (unsigned long long)f[i].have,
			 (unsigned long long)f[i].want);
		return f[i].param;
	}
	return NULL;
}

/*
 * Before anything is written: does @cfg's area hold a store of ours, and
 * does it match? On KV_MEDIA_MISMATCH, *@param names the parameter and
 * @why says what differs.
 */
enum kv_media kv_media_probe(const struct kv_config *cfg, const char **param,
			     char *why, size_t len)
{
	const struct kv_sb *have = cfg->sb_mem;
	struct kv_sb want;

	*param = NULL;
	if (!have || !kv_sb_valid(have))
		return KV_MEDIA_EMPTY;
	kv_sb_expect(cfg, &want);
	*param = kv_sb_diff(have, &want, why, len);
	return *param ? KV_MEDIA_MISMATCH : KV_MEDIA_MATCH;
}

static bool kv_dev_sb_valid(const struct kv_dev_sb *sb)
{
	return le64_to_cpu(sb->magic) == KV_DEV_SB_MAGIC &&
	       le32_to_cpu(sb->crc) ==
		       kv_crc_without(sb, sizeof(*sb),
				      offsetof(struct kv_dev_sb, crc));
}

/* The device superblock against the sizes of this load (see kv_sb_diff). */
enum kv_media kv_dev_sb_probe(const struct kv_dev_sb *sb,
			      const struct kv_dev_geometry *g,
			      const char **param, char *why, size_t len)
{
	const struct {
		const char *param;
		u64 have, want;
	} f[] = {
		{ "memmap_size", le64_to_cpu(sb->memmap_size), g->memmap_size },
		{ "blk_size", le64_to_cpu(sb->blk_size), g->blk_size },
		{ "kv_std_size", le64_to_cpu(sb->kv_std_size), g->kv_std_size },
		/* the same sizes but namespace 1's KV area: ns_pool_size */
		{ "ns_pool_size", le64_to_cpu(sb->kv_size), g->kv_size },
	};
	unsigned int i;

	*param = NULL;
	if (!kv_dev_sb_valid(sb))
		return KV_MEDIA_EMPTY;
	if (le32_to_cpu(sb->version) != KV_SB_VERSION) {
		snprintf(why, len,
			 "the region holds an nvmev_kv store of format %u, this module reads format %u; "
			 "load it with the module that made it, or with fresh=1 to erase it",
			 le32_to_cpu(sb->version), KV_SB_VERSION);
		*param = "fresh";
		return KV_MEDIA_MISMATCH;
	}
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (f[i].have == f[i].want)
			continue;
		snprintf(why, len,
			 "the region holds an nvmev_kv store made with memmap_size=%llu blk_size=%llu kv_std_size=%llu ns_pool_size=%llu (format %u); load with those, or with fresh=1 to erase it",
			 (unsigned long long)le64_to_cpu(sb->memmap_size),
			 (unsigned long long)le64_to_cpu(sb->blk_size),
			 (unsigned long long)le64_to_cpu(sb->kv_std_size),
			 (unsigned long long)(le64_to_cpu(sb->memmap_size) -
					      (1ULL << 20) /* BAR window */ -
					      le64_to_cpu(sb->blk_size) -
					      le64_to_cpu(sb->kv_size) -
					      le64_to_cpu(sb->kv_std_size)),
			 le32_to_cpu(sb->version));
		*param = f[i].param;
		return KV_MEDIA_MISMATCH;
	}
	return KV_MEDIA_MATCH;
}

void kv_dev_sb_write(struct kv_dev_sb *sb, const struct kv_dev_geometry *g)
{
	u64 gen = kv_dev_sb_valid(sb) ? le64_to_cpu(sb->generation) + 1 : 1;
	struct kv_dev_sb n = {
		.magic = cpu_to_le64(KV_DEV_SB_MAGIC),
		.version = cpu_to_le32(KV_SB_VERSION),
		.memmap_size = cpu_to_le64(g->memmap_size),
		.blk_size = cpu_to_le64(g->blk_size),
		.kv_size = cpu_to_le64(g->kv_size),
		.kv_std_size = cpu_to_le64(g->kv_std_size),
		.generation = cpu_to_le64(gen),
	};

	n.crc = cpu_to_le32(kv_crc_without(&n, sizeof(n),
					   offsetof(struct kv_dev_sb, crc)));
	memcpy(sb, &n, sizeof(n));
}

_Static_assert(sizeof(struct kv_dev_sb) <= KV_NS_TABLE_OFFSET &&
		       KV_NS_TABLE_OFFSET + sizeof(struct kv_ns_table) <= 4096 &&
		       KV_NS_TABLE_MAX == NVMEV_MAX_NSID - 1,
	       "the namespace table fits beside the device superblock");

void kv_ns_table_write(struct kv_ns_table *t, const struct kv_ns_rec *recs,
		       unsigned int n)
{
	struct kv_ns_table tbl = {
		.magic = cpu_to_le64(KV_NS_TABLE_MAGIC),
		.version = cpu_to_le32(KV_SB_VERSION),
		.count = cpu_to_le32(n),
	};

	memcpy(tbl.ns, recs, n * sizeof(*recs));
	tbl.crc = cpu_to_le32(kv_crc_without(&tbl, sizeof(tbl),
					     offsetof(struct kv_ns_table, crc)));
	memcpy(t, &tbl, sizeof(tbl));
}

/* One record: an NSID 2..16 not seen before, its extent in [base, end). */
static bool kv_ns_rec_ok(const struct kv_ns_rec *r, u64 base, u64 end,
			 u32 *seen)
{
	u32 nsid = le32_to_cpu(r->nsid);
	u64 off = le64_to_cpu(r->offset), size = le64_to_cpu(r->size);
	u64 nsze = le64_to_cpu(r->nsze);

	if (nsid < 2 || nsid > KV_NS_TABLE_MAX + 1 || (*seen & (1u << nsid)))
		return false;
	*seen |= 1u << nsid;
	if (!size || off % 4096 || size % 4096 || off < base || off > end ||
	    size > end - off || r->attached > 1)
		return false;
	if (r->kind == NVMEV_NS_KV)
		return size >= KV_MIN_AREA_BYTES && nsze <= size;
	return r->kind == NVMEV_NS_BLK && nsze &&
	       nsze <= size >> NVMEV_LBA_SHIFT;
}

/**
 * kv_ns_table_read - the namespaces a table records, checked
 * @t: the table's place (its page is the device superblock's)
 * @base: start of the capacity namespaces are allocated from
 * @end: its end
 * @recs: receives the records (KV_NS_TABLE_MAX)
 *
 * Return: how many, or -1 if there is no valid table, or a record is not
 * one this device could have made (an NSID twice, an extent out of
 * [@base, @end) or overlapping another): the caller then keeps the
 * namespaces of the parameters.
 */
int kv_ns_table_read(const struct kv_ns_table *t, u64 base, u64 end,
		     struct kv_ns_rec *recs)
{
	u32 n = le32_to_cpu(t->count), seen = 0, i, j;

	if (le64_to_cpu(t->magic) != KV_NS_TABLE_MAGIC ||
	    le32_to_cpu(t->version) != KV_SB_VERSION ||
	    le32_to_cpu(t->crc) !=
		    kv_crc_without(t, sizeof(*t),
				   offsetof(struct kv_ns_table, crc)) ||
	    n > KV_NS_TABLE_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		const struct kv_ns_rec *a = &t->ns[i];

		if (!kv_ns_rec_ok(a, base, end, &seen))
			return -1;
		for (j = 0; j < i; j++) {
			const struct kv_ns_rec *b = &t->ns[j];

			if (le64_to_cpu(a->offset) <
				    le64_to_cpu(b->offset) + le64_to_cpu(b->size) &&
			    le64_to_cpu(b->offset) <
				    le64_to_cpu(a->offset) + le64_to_cpu(a->size))
				return -1;
		}
		recs[i] = *a;
	}
	return n;
}

/* Write the store's superblock: its geometry, @state and the log's seq. */
static void kv_sb_write(struct kv_store *kv, u32 state)
{
	struct kv_sb n = kv->sb_want;

	n.state = cpu_to_le32(state);
	n.epoch = cpu_to_le32(kv->log.epoch);
	n.seq = cpu_to_le64(kv->log.seq);
	kv_sb_seal(&n);
	memcpy(kv->sb, &n, sizeof(n));
}

/* ---- errno -> status: the only place ---------------------------------- */

static const struct kv_errno_status kv_vendor_status[] = {
	{ -ENOENT, KV_SC_KEY_NOT_EXIST },
	{ -EEXIST, KV_SC_KEY_EXISTS },
	{ -ENOSPC, KV_SC_CAPACITY_EXCEEDED },
	{ -EMSGSIZE, KV_SC_INVALID_VALUE_SIZE }, /* value or buffer size */
	{ -ERANGE, KV_SC_INVALID_OFFSET }, /* retrieve offset past the value */
	{ -EBADF, KV_SC_ITER_HANDLE }, /* handle not open, none free */
	{ -ENODATA, KV_SC_ITER_END }, /* iteration finished */
	{ -EFAULT, KV_SC_DATA_XFER_ERROR }, /* kv_io callback failed */
};

static const struct kv_errno_status kv_std_status[] = {
	{ -ENOENT, KV_STD_SC_KEY_NOT_EXIST },
	{ -EEXIST, KV_STD_SC_KEY_EXISTS },
	{ -ENOSPC, KV_STD_SC_CAPACITY_EXCEEDED },
	{ -EMSGSIZE, KV_STD_SC_INVALID_VALUE_SIZE },
	{ -EFAULT, KV_SC_DATA_XFER_ERROR },
	{ -ENOMEM, KV_SC_INTERNAL },		/* List's selection heap */
};

static u16 kv_status(const struct kv_cmd_set *set, int err)
{
	unsigned int i;

	if (!err)
		return KV_SC_SUCCESS;
	for (i = 0; i < set->nr_status; i++)
		if (set->status[i].err == err)
			return set->status[i].sc;
	pr_warn_ratelimited("%s set: unexpected error %d\n", set->name, err);
	return KV_SC_INTERNAL;
}

/* ---- store ------------------------------------------------------------- */

static void kv_relocate(void *ctx, const u8 *key, u8 klen, u64 old_off,
			u64 new_off)
{
	struct kv_store *kv = ctx;
	u64 cur;
	u32 vsize;

	if (WARN_ON_ONCE(hash_map_lookup(&kv->map, key, klen, &cur, &vsize) ||
			 cur != old_off))
		return;
	hash_map_update(&kv->map, key, klen, new_off, vsize);
}

/*
 * log_rebuild()'s claim: the index keeps the copy of each key with the
 * highest seq. Two copies with the same seq are the two ends of a record
 * reclamation was moving when the store went down: the same bytes (both
 * passed their value checksum), so the first found stays.
 */
static int kv_claim(void *ctx, u64 off, const struct log_rec_hdr *h,
		    u64 *loser)
{
	struct kv_store *kv = ctx;
	u32 vsize = le32_to_cpu(h->vsize);
	u64 cur;

	*loser = U64_MAX;
	if (hash_map_lookup(&kv->map, h->key, h->klen, &cur, NULL))
		return hash_map_insert(&kv->map, h->key, h->klen, off, vsize);
	if (le64_to_cpu(log_rec(&kv->log, cur)->seq) >= le64_to_cpu(h->seq)) {
		*loser = off;
		return 0;
	}
	*loser = cur;
	return hash_map_update(&kv->map, h->key, h->klen, off, vsize);
}

/* The media holds this store's log: rebuild the index and the allocator. */
static int kv_store_rebuild(struct kv_store *kv)
{
	const struct kv_sb *old = kv->sb;

	kv->was_clean = le32_to_cpu(old->state) == KV_SB_CLEAN;
	log_reset(&kv->log, le32_to_cpu(old->epoch));
	/* not clean from here on: a crash during the rebuild is a crash */
	kv_sb_write(kv, KV_SB_OPEN);
	kv->rebuilt = true;
	return log_rebuild(&kv->log, kv_claim, kv, &kv->scan);
}

/*
 * Rebuild what the media holds, or start empty: with fresh, or without a
 * valid superblock (kv_store_init() has refused one of another geometry).
 * An empty start writes the superblock; its log gets an epoch other than
 * the one it replaces, so no record of the old log is ever taken for one
 * of the new (allocator.h).
 */
static int kv_store_open(struct kv_store *kv, const struct kv_config *cfg)
{
	const struct kv_sb *old = cfg->sb_mem;
	bool valid = kv_sb_valid(old);
	u64 gen = valid ? le64_to_cpu(old->generation) + 1 : 1;

	kv->sb = cfg->sb_mem;
	kv_sb_expect(cfg, &kv->sb_want);
	kv->sb_want.generation = cpu_to_le64(gen);
	if (valid && !cfg->fresh)
		return kv_store_rebuild(kv);
	if (valid && le32_to_cpu(old->epoch) == kv->log.epoch)
		log_reset(&kv->log, kv->log.epoch + 1);
	kv_sb_write(kv, KV_SB_OPEN);
	return 0;
}

int kv_store_init(struct kv_store *kv, const struct kv_config *cfg)
{
	struct log_config lcfg = {
		.base = cfg->log_base,
		.size = cfg->log_size,
		.seg_size = cfg->seg_size ?: LOG_DEFAULT_SEG_SIZE,
		.max_value = cfg->max_value ?: KV_MAX_VALUE_SIZE,
		.reserve_segs = cfg->reserve_segs,
		.gc_low_segs = cfg->gc_low_segs,
		.slice_bytes = cfg->slice_bytes,
		.epoch = cfg->epoch,
		.relocate = kv_relocate,
		.relocate_ctx = kv,
	};
	const char *param;
	char why[8];
	int err, i;

	if (lcfg.max_value > KV_MAX_VALUE_SIZE)
		return -EINVAL;
	/* before the index is cleared: it may lie over the other layout's log */
	if (!cfg->fresh &&
	    kv_media_probe(cfg, &param, why, sizeof(why)) == KV_MEDIA_MISMATCH)
		return -EINVAL;
	memset(kv, 0, sizeof(*kv));
	err = hash_map_init(&kv->map, cfg->index_mem, cfg->index_bytes,
			    cfg->max_keys, cfg->seed);
	if (err)
		return err;
	err = log_init(&kv->log, &lcfg);
	if (err)
		return err;
	if (cfg->sb_mem) {
		err = kv_store_open(kv, cfg);
		if (err) {
			log_destroy(&kv->log);
			return err;
		}
	}

	kv->max_value = lcfg.max_value;
	kv->iter_scan = cfg->iter_scan ?: KV_ITER_SCAN_DEFAULT;
	kv->list_batch = cfg->list_batch ?: KV_LIST_BATCH_DEFAULT;
	init_rwsem(&kv->lock);
	for (i = 0; i < KV_MAX_ITERATORS; i++)
		mutex_init(&kv->iters[i].lock);
	return 0;
}

/* Unload: the log is complete (no command runs); mark the store clean. */
void kv_store_close(struct kv_store *kv)
{
	if (!kv->sb)
		return;
	down_write(&kv->lock);
	kv_sb_write(kv, KV_SB_CLEAN);
	up_write(&kv->lock);
}

/*
 * Empty the store, kv->lock held exclusive: empty index, empty log of a
 * new epoch, iterators closed, statistics 0, a new superblock. Records of
 * the old epoch left on the media are never taken for the new log's.
 */
static int kv_store_empty(struct kv_store *kv)
{
	struct hash_map *hm = &kv->map;
	hm_hash_fn hash = hm->hash;
	int err, i;

	err = hash_map_init(hm, hm->slots, hm->nslots * sizeof(*hm->slots),
			    hm->max_keys, hm->seed);
	if (err)
		return err;
	hash_map_set_hash(hm, hash);
	log_reset(&kv->log, kv->log.epoch + 1);
	for (i = 0; i < KV_MAX_ITERATORS; i++)
		kv->iters[i].open = false;
	memset(kv->iter_cursor, 0, sizeof(kv->iter_cursor));
	for (i = 0; i < KV_NR_STATS; i++)
		atomic64_set(&kv->stat[i], 0);
	if (kv->sb) {
		kv->sb_want.generation =
			cpu_to_le64(le64_to_cpu(kv->sb_want.generation) + 1);
		kv_sb_write(kv, KV_SB_OPEN);
	}
	return 0;
}

/* Erase the store's keys (no media erase): kv_store_format() without it. */
int kv_store_erase(struct kv_store *kv)
{
	int err;

	down_write(&kv->lock);
	err = kv_store_empty(kv);
	up_write(&kv->lock);
	return err;
}

/**
 * kv_store_format - empty the store, as Format NVM and Sanitize do
 * @kv: the store
 * @cfg: the configuration it was initialised with
 * @erase_log: zero the whole value log (a user data erase) first; without
 *	it the old records stay on the media, in an epoch no rebuild takes
 *
 * The store is as a fresh kv_store_init() leaves it: no keys, all log
 * space free, iterators closed, statistics 0, a new superblock. Takes
 * kv->lock exclusive, so a command still running finishes first and none
 * runs beside the erase. May sleep.
 *
 * Return: 0, or -ENOMEM.
 */
int kv_store_format(struct kv_store *kv, const struct kv_config *cfg,
		    bool erase_log)
{
	int err;

	down_write(&kv->lock);
	if (erase_log)
		nvmev_zero_chunked(cfg->log_base, cfg->log_size);
	err = kv_store_empty(kv);
	up_write(&kv->lock);
	return err;
}

void kv_store_destroy(struct kv_store *kv)
{
	int i;

	for (i = 0; i < KV_MAX_ITERATORS; i++)
		mutex_destroy(&kv->iters[i].lock);
	log_destroy(&kv->log);
}

/*
 * Does the log want reclamation? Read without the lock: a hint for the idle
 * worker, which takes the lock (kv_reclaim) before it acts on it.
 */
bool kv_reclaim_wanted(struct kv_store *kv)
{
	return data_race(log_reclaim_wanted(&kv->log));
}

/* One reclamation slice from an idle worker; true if more is wanted. */
int kv_reclaim(struct kv_store *kv)
{
	int ret;

	down_write(&kv->lock);
	ret = log_reclaim_step(&kv->log, 0);
	up_write(&kv->lock);
	return ret > 0;
}

void kv_get_stats(struct kv_store *kv, struct kv_stats *st)
{
	int i;

	for (i = 0; i < KV_NR_STATS; i++)
		st->ops[i] = atomic64_read(&kv->stat[i]);
	down_read(&kv->lock);
	st->capacity = log_user_capacity(&kv->log);
	st->keys = kv->map.nkeys;
	st->max_keys = kv->map.max_keys;
	st->index_bytes = kv->map.nslots * sizeof(struct hm_slot);
	st->longest_probe = kv->map.longest_probe;
	log_get_stats(&kv->log, &st->log);
	up_read(&kv->lock);
}

/* ---- store / append / retrieve / delete / exist ------------------------ */

static int kv_from_host(const struct kv_io *io, u32 host_off, void *dst,
			u32 len)
{
	if (!len)
		return 0;
	return io->from_host(io->ctx, host_off, dst, len) ? -EFAULT : 0;
}

static int kv_to_host(const struct kv_io *io, u32 host_off, const void *src,
		      u32 len)
{
	if (!len)
		return 0;
	return io->to_host(io->ctx, host_off, src, len) ? -EFAULT : 0;
}

/* Point the key at the new record @off; the record it replaces dies. */
static int kv_publish(struct kv_store *kv, const struct kv_cmd *cmd, u64 off,
		      u32 vsize)
{
	u64 old;

	if (hash_map_lookup(&kv->map, cmd->key, cmd->key_len, &old, NULL))
		return hash_map_insert(&kv->map, cmd->key, cmd->key_len, off,
				       vsize);
	hash_map_update(&kv->map, cmd->key, cmd->key_len, off, vsize);
	log_mark_dead(&kv->log, old);
	return 0;
}

/*
 * Capacity exceeded (0x312) has two causes, counted apart: the index holds
 * kv_max_keys keys and a new one came, or the log has no room for the
 * record even after reclamation.
 */
static int kv_index_room(struct kv_store *kv)
{
	if (kv->map.nkeys < kv->map.max_keys)
		return 0;
	atomic64_inc(&kv->stat[KV_STAT_FULL_INDEX]);
	return -ENOSPC;
}

static int kv_log_append(struct kv_store *kv, const struct kv_cmd *cmd,
			 u32 vsize, u64 *off)
{
	int err = log_append(&kv->log, cmd->key, cmd->key_len, vsize, off);

	if (err == -ENOSPC)
		atomic64_inc(&kv->stat[KV_STAT_FULL_LOG]);
	return err;
}

static int kv_check_store(struct kv_store *kv, const struct kv_cmd *cmd)
{
	bool found = !hash_map_lookup(&kv->map, cmd->key, cmd->key_len,
				      NULL, NULL);

	if ((cmd->option & KV_STORE_OPT_UPDATE) && !found)
		return -ENOENT;
	if ((cmd->option & KV_STORE_OPT_IDEMPOTENT) && found)
		return -EEXIST;
	if (!found)
		return kv_index_room(kv);
	return 0;
}

/*
 * Fill the new record at @off from the host buffer (at byte @at of its
 * value) and point the key at it; on failure the record dies unseen.
 */
static int kv_commit(struct kv_store *kv, const struct kv_cmd *cmd,
		     const struct kv_io *io, u64 off, u32 at, u32 vsize)
{
	int err;

	err = kv_from_host(io, 0, (u8 *)log_value(&kv->log, off) + at,
			   cmd->value_size);
	if (!err) {
		/* value complete before the old copy dies (allocator.h) */
		log_commit(&kv->log, off);
		err = kv_publish(kv, cmd, off, vsize);
	}
	if (err)
		log_mark_dead(&kv->log, off);
	return err;
}

static int kv_do_store(struct kv_store *kv, const struct kv_cmd *cmd,
		       const struct kv_io *io, u32 *dw0 __maybe_unused)
{
	u64 off;
	int err;
	NVMEV_TRACE_FUNC();

	if (cmd->value_size > kv->max_value)
		return -EMSGSIZE;
	down_write(&kv->lock);
	err = kv_check_store(kv, cmd);
	if (!err)
		err = kv_log_append(kv, cmd, cmd->value_size, &off);
	if (!err)
		err = kv_commit(kv, cmd, io, off, 0, cmd->value_size);
	up_write(&kv->lock);
	return err;
}

/* Append: a new record holding old value + appended bytes. */
static int kv_do_append(struct kv_store *kv, const struct kv_cmd *cmd,
			const struct kv_io *io, u32 *dw0)
{
	u32 old_size = 0, new_size;
	u64 off, old;
	bool found;
	int err;
	NVMEV_TRACE_FUNC();

	down_write(&kv->lock);
	found = !hash_map_lookup(&kv->map, cmd->key, cmd->key_len, NULL,
				 &old_size);
	new_size = old_size + cmd->value_size;	/* both <= 2 MiB */
	err = -EMSGSIZE;
	if (new_size > kv->max_value)
		goto out_unlock;
	err = found ? 0 : kv_index_room(kv);
	if (err)
		goto out_unlock;
	err = kv_log_append(kv, cmd, new_size, &off);
	if (err)
		goto out_unlock;
	/* after log_append: reclamation may have moved the old record */
	if (found && !WARN_ON_ONCE(hash_map_lookup(&kv->map, cmd->key,
						   cmd->key_len, &old, NULL)))
		memcpy(log_value(&kv->log, off), log_value(&kv->log, old),
		       old_size);
	err = kv_commit(kv, cmd, io, off, old_size, new_size);
	if (!err)
		*dw0 = new_size;
out_unlock:
	up_write(&kv->lock);
	return err;
}

static int kv_do_retrieve(struct kv_store *kv, const struct kv_cmd *cmd,
			  const struct kv_io *io, u32 *dw0)
{
	u32 vsize, n;
	u64 off;
	int err;
	NVMEV_TRACE_FUNC();

	down_read(&kv->lock);
	err = hash_map_lookup(&kv->map, cmd->key, cmd->key_len, &off, &vsize);
	if (err)
		goto out_unlock;
	err = -ERANGE;
	if (cmd->offset > vsize)
		goto out_unlock;
	/* a small buffer gets what fits; DW0 tells the full size */
	n = min(vsize - cmd->offset, cmd->value_size);
	err = kv_to_host(io, 0, (u8 *)log_value(&kv->log, off) + cmd->offset, n);
	if (!err)
		*dw0 = vsize;
out_unlock:
	up_read(&kv->lock);
	return err;
}

static int kv_do_delete(struct kv_store *kv, const struct kv_cmd *cmd,
			const struct kv_io *io __maybe_unused,
			u32 *dw0 __maybe_unused)
{
	u64 off;
	int err;
	NVMEV_TRACE_FUNC();

	down_write(&kv->lock);
	err = hash_map_delete(&kv->map, cmd->key, cmd->key_len, &off, NULL);
	if (!err)
		log_mark_dead(&kv->log, off);
	up_write(&kv->lock);
	return err;
}

static int kv_do_exist(struct kv_store *kv, const struct kv_cmd *cmd,
		       const struct kv_io *io __maybe_unused,
		       u32 *dw0 __maybe_unused)
{
	int err;
	NVMEV_TRACE_FUNC();

	down_read(&kv->lock);
	err = hash_map_lookup(&kv->map, cmd->key, cmd->key_len, NULL, NULL);
	up_read(&kv->lock);
	return err;
}

/* ---- iterate ------------------------------------------------------------ */

static int kv_iter_open(struct kv_store *kv, const struct kv_cmd *cmd,
			u32 *dw0)
{
	int i, err = -EBADF;

	down_write(&kv->lock);
	for (i = 0; i < KV_MAX_ITERATORS; i++) {
		struct kv_iter *it = &kv->iters[i];

		if (it->open)
			continue;
		it->open = true;
		it->option = cmd->option;
		it->prefix = cmd->prefix;
		it->bitmask = cmd->bitmask;
		hash_map_cursor_init(&kv->map, &kv->iter_cursor[i]);
		*dw0 = i + 1;
		err = 0;
		break;
	}
	up_write(&kv->lock);
	return err;
}

static int kv_iter_close(struct kv_store *kv, const struct kv_cmd *cmd)
{
	struct kv_iter *it;
	int err = -EBADF;

	if (!kv_handle_ok(cmd->handle))
		return -EBADF;
	it = &kv->iters[cmd->handle - 1];
	down_write(&kv->lock);
	if (it->open) {
		it->open = false;
		err = 0;
	}
	up_write(&kv->lock);
	return err;
}

static int kv_do_iter_ctl(struct kv_store *kv, const struct kv_cmd *cmd,
			  const struct kv_io *io __maybe_unused, u32 *dw0)
{
	NVMEV_TRACE_FUNC();

	if (cmd->option & KV_ITER_OPT_OPEN)
		return kv_iter_open(kv, cmd, dw0);
	*dw0 = cmd->handle;
	return kv_iter_close(kv, cmd);
}

#define KV_OUT_BUF	256

/* Iterate read output: small pieces staged, values copied directly. */
struct kv_out {
	const struct kv_io *io;
	u32 flushed;		/* bytes already sent to the host */
	u32 fill;		/* staged bytes in buf */
	u8 buf[KV_OUT_BUF];
};

static u32 kv_out_pos(const struct kv_out *o)
{
	return o->flushed + o->fill;
}

static int kv_out_flush(struct kv_out *o)
{
	int err = kv_to_host(o->io, o->flushed, o->buf, o->fill);

	o->flushed += o->fill;
	o->fill = 0;
	return err;
}

static int kv_out_put(struct kv_out *o, const void *src, u32 len, u32 padded)
{
	int err;

	if (o->fill + padded > KV_OUT_BUF) {
		err = kv_out_flush(o);
		if (err)
			return err;
	}
	memcpy(o->buf + o->fill, src, len);
	memset(o->buf + o->fill + len, 0, padded - len);
	o->fill += padded;
	return 0;
}

static int kv_out_u32(struct kv_out *o, u32 v)
{
	__le32 le = cpu_to_le32(v);

	return kv_out_put(o, &le, sizeof(le), sizeof(le));
}

static int kv_out_value(struct kv_out *o, const void *src, u32 len)
{
	static const u8 zero[4];
	int err;

	err = kv_out_flush(o);
	if (err)
		return err;
	err = kv_to_host(o->io, o->flushed, src, len);
	if (err)
		return err;
	o->flushed += len;
	return kv_out_put(o, zero, 0, ALIGN(len, 4) - len);
}

static bool kv_iter_match(const struct kv_iter *it, const struct hm_entry *e)
{
	u32 k = e->key[0] | e->key[1] << 8 | e->key[2] << 16 |
		(u32)e->key[3] << 24;

	return (k & it->bitmask) == (it->prefix & it->bitmask);
}

static u32 kv_entry_size(const struct kv_iter *it, const struct hm_entry *e)
{
	u32 sz = 4 + ALIGN(e->klen, 4);

	if (it->option & KV_ITER_OPT_KEY_VALUE)
		sz += 4 + ALIGN(e->vsize, 4);
	return sz;
}

static int kv_iter_emit(struct kv_store *kv, const struct kv_iter *it,
			struct kv_out *o, const struct hm_entry *e)
{
	int err;

	err = kv_out_u32(o, e->klen);
	if (!err)
		err = kv_out_put(o, e->key, e->klen, ALIGN(e->klen, 4));
	if (err || !(it->option & KV_ITER_OPT_KEY_VALUE))
		return err;
	err = kv_out_u32(o, e->vsize);
	if (!err)
		err = kv_out_value(o, log_value(&kv->log, e->off), e->vsize);
	return err;
}

/*
 * The delete option, once a read's output reached the host: delete the
 * matching keys of walk positions (@from, @to], exactly those the read
 * returned (kv->lock is held exclusive since the walk, so the map has not
 * changed; deleting does not move a walk position). One walk step at a
 * time, so it never looks further than one cluster beyond @to.
 */
static void kv_iter_delete(struct kv_store *kv, const struct kv_iter *it,
			   const struct hm_cursor *from,
			   const struct hm_cursor *to)
{
	struct hm_cursor c = *from;
	struct hm_entry e;
	u64 off;

	while (hash_map_cursor_cmp(&c, to) < 0) {
		u32 one = 1;
		int err = hash_map_next(&kv->map, &c, &one, &e);

		if (err == -ENOENT || (!err && hash_map_cursor_cmp(&c, to) > 0))
			break;
		if (err || !kv_iter_match(it, &e))
			continue;
		if (!hash_map_delete(&kv->map, e.key, e.klen, &off, NULL))
			log_mark_dead(&kv->log, off);
	}
}

/*
 * Fill the host buffer with matching entries, looking at about
 * kv->iter_scan index slots. Returns 0 with *dw0 = bytes written (a count
 * of 0 means "budget spent, call again"), -ENODATA at the end, -EMSGSIZE
 * if the next entry does not fit even in an empty buffer, -EFAULT if the
 * host buffer cannot be written.
 *
 * Nothing changes until the whole output reached the host: on any error
 * the cursor is put back and no key is deleted, so a retry (0x004 has no
 * DNR) returns the same keys. The delete option deletes the returned keys
 * only after the last copy succeeded.
 */
static int kv_iter_fill(struct kv_store *kv, int idx, const struct kv_cmd *cmd,
			const struct kv_io *io, u32 *dw0)
{
	const struct kv_iter *it = &kv->iters[idx];
	struct hm_cursor *cursor = &kv->iter_cursor[idx];
	const struct hm_cursor from = *cursor;
	struct kv_out o = { .io = io };
	u32 left = kv->iter_scan, count = 0;
	struct hm_entry e;
	__le32 le;
	int err = 0;

	kv_out_u32(&o, 0);	/* the count, written last */
	while (left) {
		struct hm_cursor start = *cursor;

		err = hash_map_next(&kv->map, cursor, &left, &e);
		if (err)
			break;
		if (!kv_iter_match(it, &e))
			continue;
		if (kv_out_pos(&o) + (u64)kv_entry_size(it, &e) > cmd->value_size) {
			*cursor = start;	/* the next read starts here */
			err = count ? 0 : -EMSGSIZE;
			break;
		}
		err = kv_iter_emit(kv, it, &o, &e);
		if (err)
			goto undo;
		count++;
	}
	if (err == -ENOENT && !count)
		return -ENODATA;
	if (err && err != -ENOENT && err != -EAGAIN)
		goto undo;
	err = kv_out_flush(&o);
	le = cpu_to_le32(count);
	if (!err)
		err = kv_to_host(io, 0, &le, sizeof(le));
	if (err)
		goto undo;
	if (it->option & KV_ITER_OPT_DELETE)
		kv_iter_delete(kv, it, &from, cursor);
	*dw0 = o.flushed;
	return 0;
undo:
	*cursor = from;
	return err;
}

static int kv_do_iter_read(struct kv_store *kv, const struct kv_cmd *cmd,
			   const struct kv_io *io, u32 *dw0)
{
	int idx = cmd->handle - 1;
	struct kv_iter *it;
	int err = -EBADF;
	NVMEV_TRACE_FUNC();

	if (!kv_handle_ok(cmd->handle))
		return -EBADF;
	it = &kv->iters[idx];
	down_read(&kv->lock);
	if (it->open && !(it->option & KV_ITER_OPT_DELETE)) {
		mutex_lock(&it->lock);
		err = kv_iter_fill(kv, idx, cmd, io, dw0);
		mutex_unlock(&it->lock);
		up_read(&kv->lock);
		return err;
	}
	up_read(&kv->lock);

	/* deleting reads change the map: exclusive (and re-check the handle) */
	down_write(&kv->lock);
	if (it->open)
		err = kv_iter_fill(kv, idx, cmd, io, dw0);
	up_write(&kv->lock);
	return err;
}

/* ---- standard set: Delete, List, Flush --------------------------------- */

/* A missing key is deleted already, unless the host asked to hear of it. */
static int kv_std_delete(struct kv_store *kv, const struct kv_cmd *cmd,
			 const struct kv_io *io, u32 *dw0)
{
	int err = kv_do_delete(kv, cmd, io, dw0);

	if (err == -ENOENT && !READ_ONCE(kv->ednek))
		return 0;
	return err;
}

static int kv_std_flush(struct kv_store *kv __maybe_unused,
			const struct kv_cmd *cmd __maybe_unused,
			const struct kv_io *io __maybe_unused,
			u32 *dw0 __maybe_unused)
{
	return 0; /* the log is the medium: nothing is cached */
}

/*
 * List returns keys in key order: bytes compared as unsigned, a key
 * before the longer keys it is a prefix of. The index is a hash map, so a
 * pass scans its slots and selects the kv->list_batch smallest keys above
 * a bound with a max-heap; a buffer that holds more takes another pass
 * from the last key returned. Between passes the lock is dropped, so a
 * List never holds off writers for more than one scan of the index, and
 * keys stored or deleted meanwhile may or may not be listed (as with
 * iterate); the keys listed are always in order and never repeat.
 */
#define KV_LIST_RESCHED_SLOTS	65536	/* slots scanned between cond_resched() */

struct kv_key {
	u8 len;
	u8 b[KV_MAX_KEY_LEN];
};

static int kv_key_cmp(const struct kv_key *a, const struct kv_key *b)
{
	int c = memcmp(a->b, b->b, min(a->len, b->len));

	return c ?: (int)a->len - (int)b->len;
}

struct kv_list_heap {
	struct kv_key *k;
	u32 n;
	u32 cap;
};

static void kv_heap_swap(struct kv_key *a, struct kv_key *b)
{
	struct kv_key t = *a;

	*a = *b;
	*b = t;
}

/* Restore the max-heap below @i among the first @n keys. */
static void kv_heap_down(struct kv_key *k, u32 i, u32 n)
{
	for (;;) {
		u32 big = i, l = 2 * i + 1, r = l + 1;

		if (l < n && kv_key_cmp(&k[l], &k[big]) > 0)
			big = l;
		if (r < n && kv_key_cmp(&k[r], &k[big]) > 0)
			big = r;
		if (big == i)
			return;
		kv_heap_swap(&k[i], &k[big]);
		i = big;
	}
}

static void kv_heap_offer(struct kv_list_heap *h, const struct kv_key *key)
{
	u32 i;

	if (h->n == h->cap) {
		if (kv_key_cmp(key, &h->k[0]) >= 0)
			return;
		h->k[0] = *key;
		kv_heap_down(h->k, 0, h->n);
		return;
	}
	i = h->n++;
	h->k[i] = *key;
	while (i && kv_key_cmp(&h->k[(i - 1) / 2], &h->k[i]) < 0) {
		kv_heap_swap(&h->k[(i - 1) / 2], &h->k[i]);
		i = (i - 1) / 2;
	}
}

/* Heap sort: the heap becomes its keys in ascending order. */
static void kv_heap_sort(struct kv_list_heap *h)
{
	u32 end;

	for (end = h->n; end > 1; end--) {
		kv_heap_swap(&h->k[0], &h->k[end - 1]);
		kv_heap_down(h->k, 0, end - 1);
	}
}

/* One pass, kv->lock held: the smallest keys above @bound (or equal, if @incl). */
static void kv_list_select(struct kv_store *kv, struct kv_list_heap *h,
			   const struct kv_key *bound, bool incl)
{
	struct hm_entry e;
	struct kv_key key;
	u64 i;

	h->n = 0;
	for (i = 0; i < kv->map.nslots; i++) {
		int cmp;

		if (!(i % KV_LIST_RESCHED_SLOTS))
			cond_resched();
		if (hash_map_slot(&kv->map, i, &e))
			continue;
		key.len = e.klen;
		memcpy(key.b, e.key, sizeof(key.b));
		cmp = kv_key_cmp(&key, bound);
		if (cmp > 0 || (incl && !cmp))
			kv_heap_offer(h, &key);
	}
	kv_heap_sort(h);
}

static int kv_list_emit(struct kv_out *o, const struct kv_key *key)
{
	u8 ent[2 + KV_MAX_KEY_LEN];

	ent[0] = key->len; /* u16 key length, little-endian */
	ent[1] = 0;
	memcpy(ent + 2, key->b, key->len);
	return kv_out_put(o, ent, 2 + key->len, ALIGN(2 + key->len, 4));
}

/* Fill the buffer with whole entries from the start key on; see above. */
static int kv_list_fill(struct kv_store *kv, const struct kv_cmd *cmd,
			struct kv_list_heap *h, struct kv_out *o, u32 *count)
{
	struct kv_key bound = { .len = cmd->key_len };
	bool incl = true;
	u32 i;
	int err;

	memcpy(bound.b, cmd->key, sizeof(bound.b));
	for (;;) {
		down_read(&kv->lock);
		kv_list_select(kv, h, &bound, incl);
		up_read(&kv->lock);
		for (i = 0; i < h->n; i++) {
			if (kv_out_pos(o) + ALIGN(2 + h->k[i].len, 4) >
			    cmd->value_size)
				return 0;
			err = kv_list_emit(o, &h->k[i]);
			if (err)
				return err;
			(*count)++;
		}
		if (h->n < h->cap)
			return 0; /* no key above the last one */
		bound = h->k[h->n - 1];
		incl = false;
		cond_resched();
	}
}

static int kv_do_list(struct kv_store *kv, const struct kv_cmd *cmd,
		      const struct kv_io *io, u32 *dw0 __maybe_unused)
{
	/* an entry takes at least 4 bytes: no use selecting more than fit */
	struct kv_list_heap h = {
		.cap = max_t(u32, min_t(u32, kv->list_batch,
					cmd->value_size / 4), 1),
	};
	struct kv_out o = { .io = io };
	u32 count = 0;
	__le32 le;
	int err;
	NVMEV_TRACE_FUNC();

	h.k = nvmev_kvcalloc(h.cap, sizeof(*h.k), GFP_KERNEL);
	if (!h.k)
		return -ENOMEM;
	kv_out_u32(&o, 0); /* the count, written last */
	err = kv_list_fill(kv, cmd, &h, &o, &count);
	if (!err)
		err = kv_out_flush(&o);
	le = cpu_to_le32(count);
	if (!err)
		err = kv_to_host(io, 0, &le, sizeof(le));
	nvmev_kvfree(h.k);
	return err;
}

/* ---- the command sets ---------------------------------------------------- */

/*
 * The kernel glue's hooks, for io.c; user space (and the pure-logic kernel
 * build check, NVMEV_KV_PURE) has no dispatcher.
 */
#if defined(__KERNEL__) && !defined(NVMEV_KV_PURE)
static u16 kv_nvme_dispatch(struct nvmev_dev *dev, struct nvmev_req *req);
static u16 kv_nvme_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			   struct nvmev_sgl *sgl);
#define KV_IO(op, slot, name, eff)                                     \
	{                                                              \
		op, slot, name, eff, kv_nvme_dispatch, kv_nvme_perform \
	}
#else
#define KV_IO(op, slot, name, eff)              \
	{                                       \
		op, slot, name, eff, NULL, NULL \
	}
#endif

#define CSUPP NVMEV_EFFECTS_CSUPP
#define LBCC NVMEV_EFFECTS_LBCC

/*
 * The vendor commands are root-only whatever their effects (Linux refuses
 * opcodes >= 80h to unprivileged users); the standard ones that change
 * stored data say so (LBCC), so Linux asks for a descriptor open for write.
 */
static const struct kv_cmd_desc kv_vendor_cmds[] = {
	{ KV_IO(KV_OP_STORE, NVMEV_SLOT_KV_STORE, "kv-store", CSUPP),
	  &kv_vendor_set, kv_dec_store, kv_do_store, NVMEV_TIMING_STORE,
	  KV_STAT_STORE, KV_XFER_TO_DEV },
	{ KV_IO(KV_OP_APPEND, NVMEV_SLOT_KV_APPEND, "kv-append", CSUPP),
	  &kv_vendor_set, kv_dec_key_value, kv_do_append, NVMEV_TIMING_STORE,
	  KV_STAT_APPEND, KV_XFER_TO_DEV },
	{ KV_IO(KV_OP_RETRIEVE, NVMEV_SLOT_KV_RETRIEVE, "kv-retrieve", CSUPP),
	  &kv_vendor_set, kv_dec_retrieve, kv_do_retrieve,
	  NVMEV_TIMING_RETRIEVE, KV_STAT_RETRIEVE, KV_XFER_FROM_DEV },
	{ KV_IO(KV_OP_DELETE, NVMEV_SLOT_KV_DELETE, "kv-delete", CSUPP),
	  &kv_vendor_set, kv_dec_key, kv_do_delete, NVMEV_TIMING_DELETE,
	  KV_STAT_DELETE, KV_XFER_NONE },
	{ KV_IO(KV_OP_EXIST, NVMEV_SLOT_KV_EXIST, "kv-exist", CSUPP),
	  &kv_vendor_set, kv_dec_key, kv_do_exist, NVMEV_TIMING_EXIST,
	  KV_STAT_EXIST, KV_XFER_NONE },
	{ KV_IO(KV_OP_ITER_CTL, NVMEV_SLOT_KV_ITER_CTL, "kv-iterate", CSUPP),
	  &kv_vendor_set, kv_dec_iter, kv_do_iter_ctl, NVMEV_TIMING_ITER_CTL,
	  KV_STAT_ITER_CTL, KV_XFER_NONE },
	{ KV_IO(KV_OP_ITER_READ, NVMEV_SLOT_KV_ITER_READ, "kv-iterate-read",
		CSUPP),
	  &kv_vendor_set, kv_dec_iter, kv_do_iter_read, NVMEV_TIMING_ITER_READ,
	  KV_STAT_ITER_READ, KV_XFER_FROM_DEV },
};

static const struct kv_cmd_desc kv_std_cmds[] = {
	{ KV_IO(KV_STD_FLUSH, NVMEV_SLOT_KVS_FLUSH, "kvs-flush", CSUPP),
	  &kv_std_set, kv_std_dec_none, kv_std_flush, NVMEV_TIMING_BLK_FLUSH,
	  KV_STAT_FLUSH, KV_XFER_NONE },
	{ KV_IO(KV_STD_STORE, NVMEV_SLOT_KVS_STORE, "kvs-store", CSUPP | LBCC),
	  &kv_std_set, kv_std_dec_store, kv_do_store, NVMEV_TIMING_STORE,
	  KV_STAT_STORE, KV_XFER_TO_DEV },
	{ KV_IO(KV_STD_RETRIEVE, NVMEV_SLOT_KVS_RETRIEVE, "kvs-retrieve",
		CSUPP),
	  &kv_std_set, kv_std_dec_retrieve, kv_do_retrieve,
	  NVMEV_TIMING_RETRIEVE, KV_STAT_RETRIEVE, KV_XFER_FROM_DEV },
	{ KV_IO(KV_STD_LIST, NVMEV_SLOT_KVS_LIST, "kvs-list", CSUPP),
	  &kv_std_set, kv_std_dec_list, kv_do_list, NVMEV_TIMING_ITER_READ,
	  KV_STAT_LIST, KV_XFER_FROM_DEV },
	{ KV_IO(KV_STD_DELETE, NVMEV_SLOT_KVS_DELETE, "kvs-delete",
		CSUPP | LBCC),
	  &kv_std_set, kv_std_dec_key, kv_std_delete, NVMEV_TIMING_DELETE,
	  KV_STAT_DELETE, KV_XFER_NONE },
	{ KV_IO(KV_STD_EXIST, NVMEV_SLOT_KVS_EXIST, "kvs-exist", CSUPP),
	  &kv_std_set, kv_std_dec_key, kv_do_exist, NVMEV_TIMING_EXIST,
	  KV_STAT_EXIST, KV_XFER_NONE },
};

const struct kv_cmd_set kv_vendor_set = {
	"vendor",	  NVMEV_CSI_NVM,
	kv_vendor_cmds,	  ARRAY_SIZE(kv_vendor_cmds),
	kv_vendor_status, ARRAY_SIZE(kv_vendor_status),
};

const struct kv_cmd_set kv_std_set = {
	"kv",	       NVMEV_CSI_KV,
	kv_std_cmds,   ARRAY_SIZE(kv_std_cmds),
	kv_std_status, ARRAY_SIZE(kv_std_status),
};

/* ---- execute ------------------------------------------------------------ */

/*
 * Execute a command kv_set_decode() accepted. Returns its status; *dw0 is
 * the CQE DW0 (value size for retrieve and append, handle for iterate
 * open, bytes written for iterate read, else 0).
 */
u16 kv_execute(struct kv_store *kv, const struct kv_cmd *cmd,
	       const struct kv_io *io, u32 *dw0)
{
	const struct kv_cmd_desc *d = cmd->desc;
	u16 sc;
	NVMEV_TRACE_FUNC();

	*dw0 = 0;
	atomic64_inc(&kv->stat[d->stat]);
	sc = kv_status(d->set, d->execute(kv, cmd, io, dw0));
	if (sc) {
		atomic64_inc(&kv->stat[KV_STAT_FAILED]);
		*dw0 = 0;
	}
	return sc;
}

/* Set Features Key Value Configuration: bit 0, error on delete of a missing key */
void kv_store_configure(struct kv_store *kv, u32 kv_config)
{
	WRITE_ONCE(kv->ednek, kv_config & NVMEV_KV_CONFIG_EDNEK);
}

/* ---- timing --------------------------------------------------------------- */

/*
 * A stable hash of the key (FNV-1a over its bytes and length): the timing
 * model places a value's pages and decides index misses from it, so a
 * retrieve reads the dies its store wrote.
 */
u64 kv_key_hash(const struct kv_cmd *cmd)
{
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < cmd->key_len && i < KV_MAX_KEY_LEN; i++)
		h = (h ^ cmd->key[i]) * 0x100000001b3ULL;
	return (h ^ cmd->key_len) * 0x100000001b3ULL;
}

/*
 * kv_timing_op - what the timing model (timing.h) needs of a decoded KV
 * command. A retrieve is costed for the host buffer (CDW10): the dispatcher
 * does not look the value up, so a buffer larger than the value costs as
 * if the value filled it. An iterate read is costed for its buffer too.
 */
void kv_timing_op(const struct kv_cmd *cmd, u64 live_keys,
		  struct nvmev_timing_op *op)
{
	const struct kv_cmd_desc *d = cmd->desc;

	memset(op, 0, sizeof(*op));
	/* an iterate read is placed by its handle, everything else by key */
	op->key_hash = cmd->handle ? cmd->handle : kv_key_hash(cmd);
	op->live_keys = live_keys;
	op->kind = d->cost;
	if (d->xfer != KV_XFER_NONE) {
		op->value_bytes = cmd->value_size;
		op->xfer_bytes = cmd->value_size;
	}
}

#ifdef __KERNEL__
/*
 * ---- kernel glue ---------------------------------------------------------
 * The KV command set as seen by io.c: the dispatch hook decodes and costs a
 * command on the dispatcher; the perform hook executes it on a worker with
 * kv_io callbacks that move bytes through the command's PRPs (dma.c).
 *
 * Index and log live in the reserved region: [superblock | index | log] at kv_offset,
 * the index sized from kv_max_keys (hash_map_mem_bytes), the rest the log.
 */
#include <linux/random.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include "nvmev.h"

struct kv_ftl {
	struct kv_store store;
	struct kv_config cfg; /* what the store was made of: format re-makes it */
	enum kv_coding coding;
	bool idle_reclaim_pending;
};

static_assert(sizeof(struct kv_cmd) <= NVMEV_REQ_PRIV);

/* The host buffer of one command: mapped on first use. */
struct kv_host_buf {
	const struct nvmev_req *req;
	struct nvmev_sgl *sgl;
	u32 len; /* what CDW10 says the host buffer holds */
	u32 moved; /* end of the bytes copied either way: what statistics count */
	bool mapped;
	u16 map_status;
};

static int kv_host_map(struct kv_host_buf *hb)
{
	if (!hb->mapped) {
		hb->map_status = nvmev_sgl_map(hb->sgl,
					       nvmev_sqe_prp1(hb->req->sqe),
					       nvmev_sqe_prp2(hb->req->sqe),
					       hb->len);
		hb->mapped = true;
	}
	return hb->map_status ? -EFAULT : 0;
}

static int kv_host_copy(struct kv_host_buf *hb, u32 host_off, void *buf,
			u32 len, bool to_host)
{
	if (kv_host_map(hb) ||
	    nvmev_sgl_copy(hb->sgl, host_off, buf, len, to_host))
		return -EFAULT;
	/* a high-water mark: a count rewritten at offset 0 is not counted twice */
	hb->moved = max(hb->moved, host_off + len);
	return 0;
}

static int kv_host_read(void *ctx, u32 host_off, void *dst, u32 len)
{
	return kv_host_copy(ctx, host_off, dst, len, false);
}

static int kv_host_write(void *ctx, u32 host_off, const void *src, u32 len)
{
	return kv_host_copy(ctx, host_off, (void *)src, len, true);
}

static struct kv_cmd *req_kv_cmd(struct nvmev_req *req)
{
	return (struct kv_cmd *)req->priv;
}

/* The key space of the command's namespace (io.c checked the NSID). */
static struct kv_ftl *req_kv(struct nvmev_dev *dev, const struct nvmev_req *req)
{
	return dev->kv[req->sqe[1] - 1];
}

/* Every KV error is final (DNR) except a failed transfer. */
static u16 kv_nvme_status(u16 sc)
{
	if (!sc || sc == KV_SC_DATA_XFER_ERROR)
		return sc;
	return sc | NVMEV_SC_DNR;
}

static u16 kv_nvme_dispatch(struct nvmev_dev *dev, struct nvmev_req *req)
{
	const struct kv_cmd_desc *d =
		container_of(req->op, struct kv_cmd_desc, io);
	struct kv_cmd *cmd = req_kv_cmd(req);
	struct kv_ftl *kv = req_kv(dev, req);
	u16 sc;
	NVMEV_TRACE_FUNC();

	sc = kv_set_decode(d->set, req->sqe, kv->coding, cmd);
	if (sc) {
		req->err_loc = cmd->err_loc;
		return kv_nvme_status(sc);
	}
	kv_timing_op(cmd, READ_ONCE(kv->store.map.nkeys), &req->tm);
	req->key_len = cmd->key_len;
	memcpy(req->key, cmd->key, sizeof(req->key));
	req->bytes = cmd->value_size;
	return NVMEV_SC_SUCCESS;
}

static void kv_count(struct nvmev_dev *dev, const struct kv_cmd *cmd,
		     u32 bytes)
{
	switch (cmd->desc->xfer) {
	case KV_XFER_TO_DEV:
		atomic64_inc(&dev->ctr.host_write_cmds);
		atomic64_add(bytes, &dev->ctr.bytes_written);
		break;
	case KV_XFER_FROM_DEV:
		atomic64_inc(&dev->ctr.host_read_cmds);
		atomic64_add(bytes, &dev->ctr.bytes_read);
		break;
	}
}

static u16 kv_nvme_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			   struct nvmev_sgl *sgl)
{
	struct kv_cmd *cmd = req_kv_cmd(req);
	struct kv_ftl *kv = req_kv(dev, req);
	struct kv_host_buf hb = { .req = req, .sgl = sgl,
				  .len = cmd->value_size };
	struct kv_io io = { .ctx = &hb, .from_host = kv_host_read,
			    .to_host = kv_host_write };
	u16 sc;
	NVMEV_TRACE_FUNC();

	sc = kv_execute(&kv->store, cmd, &io, &req->dw0);

	/* a malformed PRP is reported as such, with its DNR */
	if (sc == KV_SC_DATA_XFER_ERROR && hb.map_status)
		return hb.map_status;
	if (!sc) {
		req->bytes = hb.moved;
		kv_count(dev, cmd, req->bytes);
	}
	/* who turns the flag on wakes the reclaimer (io.c) */
	if ((cmd->desc->xfer == KV_XFER_TO_DEV ||
	     cmd->desc->stat == KV_STAT_DELETE) &&
	    kv_reclaim_wanted(&kv->store) &&
	    !xchg(&kv->idle_reclaim_pending, true))
		req->kick_reclaim = true;
	return kv_nvme_status(sc);
}

/*
 * Row @i of a KV command table, for io.c: of the KV Command Set for
 * @csi NVMEV_CSI_KV, else of the vendor commands.
 */
const struct nvmev_io_cmd *nvmev_kv_cmd(u8 csi, unsigned int i)
{
	const struct kv_cmd_set *set = csi == NVMEV_CSI_KV ? &kv_std_set :
							     &kv_vendor_set;

	return i < set->nr_cmds ? &set->cmds[i].io : NULL;
}

/*
 * Idle-time reclamation, one slice per call, from worker 0 when it has
 * nothing due. Returns true while there is more to do.
 */
static bool kv_idle_one(struct kv_ftl *kv)
{
	if (!kv || !READ_ONCE(kv->idle_reclaim_pending))
		return false;
	if (kv_reclaim(&kv->store))
		return true;
	/*
	 * Clear, then look again: a store that found the flag still set
	 * (so kicked no one) may have made reclamation wanted meanwhile.
	 */
	smp_store_mb(kv->idle_reclaim_pending, false);
	if (!kv_reclaim_wanted(&kv->store))
		return false;
	WRITE_ONCE(kv->idle_reclaim_pending, true);
	return true;
}

/* Is there idle-time reclamation to do? (without doing any) */
bool nvmev_kv_idle_wanted(struct nvmev_dev *dev)
{
	int i;

	for (i = 0; i < NVMEV_MAX_NSID; i++) {
		struct kv_ftl *kv = READ_ONCE(dev->kv[i]);

		if (kv && READ_ONCE(kv->idle_reclaim_pending))
			return true;
	}
	return false;
}

bool nvmev_kv_idle(struct nvmev_dev *dev)
{
	bool more = false;
	int i;

	for (i = 0; i < NVMEV_MAX_NSID; i++)
		more |= kv_idle_one(READ_ONCE(dev->kv[i]));
	return more;
}

static int kv_check_area(const char *what, const char *ns, u64 size,
			 u64 max_keys)
{
	u64 min_log = (u64)LOG_MIN_SEGS(LOG_DEFAULT_RESERVE) *
		      LOG_DEFAULT_SEG_SIZE;
	struct kv_layout lay;

	if (!kv_layout(size, max_keys, &lay))
		return 0;
	if (lay.max_keys > HM_MAX_KEYS)
		pr_err("%s: %llu keys are above the index limit of %llu keys\n",
		       what, lay.max_keys, HM_MAX_KEYS);
	else
		pr_err("%s: an index for %llu keys (%llu bytes) leaves less than %llu bytes of log in the %llu-byte KV area of namespace %s\n",
		       what, lay.max_keys, lay.index_bytes, min_log, size,
		       ns);
	return -EINVAL;
}

/*
 * Called by validate_params() before anything is mapped. The KV areas'
 * sizes are checked there against KV_MIN_AREA_BYTES; what can still fail
 * here is a kv_max_keys whose index leaves too little log.
 */
int nvmev_kv_check_config(const struct nvmev_config *cfg)
{
	int ret = kv_check_area("kv_max_keys",
				cfg->kv_std_size ?
				"1 (the rest after kv_std_size; kv_std_size=0 gives it all)" :
				"1",
				cfg->kv_size, cfg->kv_max_keys);

	if (!ret && cfg->kv_std_size)
		ret = kv_check_area("kv_std_size", "2", cfg->kv_std_size, 0);
	return ret;
}

/*
 * The device superblock lives in the last page of the BAR window: a place
 * no parameter moves, beyond the 16 KiB BAR the host can reach, and not
 * part of any namespace (kv_ftl.h, struct kv_dev_sb).
 */
#define KV_DEV_SB_OFFSET	(NVMEV_BAR_WINDOW - PAGE_SIZE)

/* One key space: [superblock | index | log] of @size bytes at @offset. */
static int kv_ns_config(struct nvmev_dev *dev, u64 offset, u64 size,
			u64 max_keys, struct kv_config *kc)
{
	u8 *area = dev->storage + (offset - NVMEV_BAR_WINDOW);
	struct kv_layout lay;
	int ret;

	ret = kv_layout(size, max_keys, &lay);
	if (ret)
		return ret;
	memset(kc, 0, sizeof(*kc));
	kc->seed = get_random_u64();
	kc->epoch = get_random_u32();
	kc->fresh = dev->cfg.fresh;
	kc->sb_mem = area;
	kc->area_offset = offset;
	kc->area_size = size;
	kc->index_mem = area + KV_SB_BYTES;
	kc->index_bytes = lay.index_bytes;
	kc->max_keys = lay.max_keys;
	kc->log_base = area + KV_SB_BYTES + lay.index_bytes;
	kc->log_size = lay.log_size;
	return 0;
}

static void kv_ns_report(u32 nsid, const struct kv_store *kv, u64 ns,
			 bool fresh)
{
	const struct log_scan *sc = &kv->scan;

	if (!kv->rebuilt) {
		pr_info("namespace %u: empty KV store (%s)\n", nsid,
			fresh ? "fresh=1, or a namespace just created" :
				"none found in the reserved memory");
		return;
	}
	pr_info("namespace %u: rebuilt %llu keys from %llu MiB of log in %llu ms (%llu records, %llu superseded, %llu torn discarded, %u torn tails; last %s)\n",
		nsid, kv->map.nkeys, sc->bytes >> 20, ns / NSEC_PER_MSEC,
		sc->records, sc->superseded, sc->torn, sc->torn_tails,
		kv->was_clean ? "unloaded cleanly" : "stopped without unload (crash or reboot)");
}

static int kv_ns_init(struct nvmev_dev *dev, u32 nsid,
		      const struct kv_config *kc,
		      const struct kv_cmd_set *set, struct kv_ftl **out)
{
	struct kv_ftl *kv;
	u64 t0;
	int ret;

	kv = nvmev_kzalloc(sizeof(*kv), GFP_KERNEL);
	if (!kv)
		return -ENOMEM;
	t0 = ktime_get_ns();
	ret = kv_store_init(&kv->store, kc);
	if (ret) {
		pr_err("namespace %u: KV store init (%s set) failed: %d%s\n",
		       nsid, set->name, ret,
		       ret == -ENOSPC ? " (the log holds more keys than the index takes)" : "");
		nvmev_kfree(kv);
		return ret;
	}
	kv->cfg = *kc;
	kv_ns_report(nsid, &kv->store, ktime_get_ns() - t0, kc->fresh);
	kv->coding = dev->cfg.kv_coding;
	smp_store_release(out, kv); /* worker 0's idle pass reads it */
	return 0;
}

static void kv_dev_geometry(const struct nvmev_config *cfg,
			    struct kv_dev_geometry *g)
{
	g->memmap_size = cfg->memmap_size;
	g->blk_size = cfg->blk_size;
	g->kv_size = cfg->kv_size;
	g->kv_std_size = cfg->kv_std_size;
}

/*
 * Before anything is written: a device superblock of ours made with other
 * sizes is refused, naming the parameter (unless fresh=1 erases it).
 * Return: 0 and *@match (the region holds this geometry's stores), or
 * -EINVAL.
 */
static int kv_dev_check(const struct nvmev_config *cfg,
			const struct kv_dev_sb *dsb, bool *match)
{
	struct kv_dev_geometry g;
	const char *param;
	char why[256];

	*match = false;
	if (cfg->fresh)
		return 0;
	kv_dev_geometry(cfg, &g);
	switch (kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why))) {
	case KV_MEDIA_MISMATCH:
		pr_err("%s: %s\n", param, why);
		return -EINVAL;
	case KV_MEDIA_MATCH:
		*match = true;
		return 0;
	default:
		return 0;
	}
}

/* ... and a store of ours whose superblock another geometry wrote. */
static int kv_media_check(const struct nvmev_config *cfg,
			  const struct kv_config *kc, u32 kv_mask)
{
	const char *param;
	char why[256];
	u32 nsid;

	if (cfg->fresh)
		return 0;
	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		if (!(kv_mask & (1u << nsid)) ||
		    kv_media_probe(&kc[nsid - 1], &param, why, sizeof(why)) !=
			    KV_MEDIA_MISMATCH)
			continue;
		pr_err("%s: the KV area of namespace %u holds an nvmev_kv store made with %s; load with that, or with fresh=1 to erase it\n",
		       param, nsid, why);
		return -EINVAL;
	}
	return 0;
}

/*
 * The namespaces Namespace Management left, from the table beside the
 * device superblock, replace those of the parameters but namespace 1 (a
 * deleted namespace 2 stays deleted). Only over a region of this
 * geometry; a table that does not check out is ignored, with a line.
 */
static void kv_ns_restore(struct nvmev_dev *dev, const void *dsb_page)
{
	struct kv_ns_rec recs[KV_NS_TABLE_MAX];
	const struct nvmev_config *cfg = &dev->cfg;
	int n, i;

	n = kv_ns_table_read(dsb_page + KV_NS_TABLE_OFFSET, cfg->kv_std_offset,
			     cfg->memmap_size, recs);
	if (n < 0) {
		pr_info("no namespace table in the reserved memory: namespaces from the parameters\n");
		return;
	}
	memset(&dev->ns[NVMEV_NSID + 1], 0,
	       (NVMEV_MAX_NSID - 1) * sizeof(dev->ns[0]));
	for (i = 0; i < n; i++) {
		struct nvmev_ns *ns = &dev->ns[le32_to_cpu(recs[i].nsid)];

		ns->kind = recs[i].kind;
		ns->attached = recs[i].attached;
		ns->gen = recs[i].gen;
		ns->offset = le64_to_cpu(recs[i].offset);
		ns->size = le64_to_cpu(recs[i].size);
		ns->nsze = le64_to_cpu(recs[i].nsze);
		dev->ns_gen = max(dev->ns_gen, ns->gen);
		pr_info("namespace %u: %s, %llu MiB at %#llx, %s (namespace table)\n",
			le32_to_cpu(recs[i].nsid),
			ns->kind == NVMEV_NS_KV ? "KV" : "block", ns->size >> 20,
			ns->offset, ns->attached ? "attached" : "detached");
	}
}

/* The table of the namespaces now (all but 1), into the page @dsb_page. */
static void kv_ns_table_put(struct nvmev_dev *dev, void *dsb_page)
{
	struct kv_ns_rec recs[KV_NS_TABLE_MAX];
	unsigned int n = 0;
	u32 nsid;

	memset(recs, 0, sizeof(recs));
	for (nsid = NVMEV_NSID + 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		const struct nvmev_ns *ns = &dev->ns[nsid];

		if (ns->kind == NVMEV_NS_NONE)
			continue;
		recs[n].nsid = cpu_to_le32(nsid);
		recs[n].kind = ns->kind;
		recs[n].attached = ns->attached;
		recs[n].gen = ns->gen;
		recs[n].offset = cpu_to_le64(ns->offset);
		recs[n].size = cpu_to_le64(ns->size);
		recs[n++].nsze = cpu_to_le64(ns->nsze);
	}
	kv_ns_table_write(dsb_page + KV_NS_TABLE_OFFSET, recs, n);
}

/**
 * nvmev_kv_ns_save - record the namespace table (after Namespace
 * Management changed it) beside the device superblock
 * @dev: the device
 *
 * Process context. Return: 0 or -ENOMEM.
 */
int nvmev_kv_ns_save(struct nvmev_dev *dev)
{
	void *page = memremap(dev->cfg.memmap_start + KV_DEV_SB_OFFSET,
			      PAGE_SIZE, MEMREMAP_WB);

	if (!page)
		return -ENOMEM;
	kv_ns_table_put(dev, page);
	memunmap(page);
	return 0;
}

/* Has the device a KV Command Set namespace? */
static bool kv_any_ns(const struct nvmev_dev *dev)
{
	u32 nsid;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++)
		if (dev->ns[nsid].kind == NVMEV_NS_KV)
			return true;
	return false;
}

/* The KV namespaces' configurations, by NSID - 1; Return: their mask. */
static int kv_configs(struct nvmev_dev *dev, struct kv_config *kc,
		      u32 *kv_mask)
{
	const struct nvmev_config *cfg = &dev->cfg;
	u32 nsid;
	int ret;

	*kv_mask = 1u << NVMEV_NSID;
	ret = kv_ns_config(dev, cfg->kv_offset, cfg->kv_size, cfg->kv_max_keys,
			   &kc[0]);
	for (nsid = NVMEV_NSID + 1; !ret && nsid <= NVMEV_MAX_NSID; nsid++) {
		const struct nvmev_ns *ns = &dev->ns[nsid];

		if (ns->kind != NVMEV_NS_KV)
			continue;
		*kv_mask |= 1u << nsid;
		ret = kv_ns_config(dev, ns->offset, ns->size, 0, &kc[nsid - 1]);
	}
	return ret;
}

static int kv_stores_init(struct nvmev_dev *dev, const struct kv_config *kc,
			  u32 kv_mask)
{
	u32 nsid;
	int ret;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++) {
		if (!(kv_mask & (1u << nsid)))
			continue;
		ret = kv_ns_init(dev, nsid, &kc[nsid - 1],
				 nsid == NVMEV_NSID ? &kv_vendor_set :
						      &kv_std_set,
				 &dev->kv[nsid - 1]);
		if (ret) {
			nvmev_kv_exit(dev);
			return ret;
		}
	}
	return 0;
}

/*
 * Check what the reserved memory holds; take the namespaces Namespace
 * Management left (else those of the parameters); rebuild each key space
 * from it or start it empty; record the geometry in the device superblock
 * and the namespaces beside it, last (a load that fails leaves the media
 * as it was but for the stores' superblocks).
 */
int nvmev_kv_init(struct nvmev_dev *dev)
{
	const struct nvmev_config *cfg = &dev->cfg;
	struct kv_config *kc;
	struct kv_dev_geometry g;
	struct kv_dev_sb *dsb;
	bool match;
	u32 kv_mask;
	int ret;

	kc = nvmev_kzalloc(NVMEV_MAX_NSID * sizeof(*kc), GFP_KERNEL);
	if (!kc)
		return -ENOMEM;
	dsb = memremap(cfg->memmap_start + KV_DEV_SB_OFFSET, PAGE_SIZE,
		       MEMREMAP_WB);
	ret = -ENOMEM;
	if (!dsb)
		goto out_free;
	ret = kv_dev_check(cfg, dsb, &match);
	if (!ret && match)
		kv_ns_restore(dev, dsb);
	dev->kv_capable = kv_any_ns(dev) || cfg->kv_std_size;
	if (!ret)
		ret = kv_configs(dev, kc, &kv_mask);
	if (!ret)
		ret = kv_media_check(cfg, kc, kv_mask);
	if (!ret)
		ret = kv_stores_init(dev, kc, kv_mask);
	if (!ret) {
		kv_dev_geometry(cfg, &g);
		kv_dev_sb_write(dsb, &g);
		kv_ns_table_put(dev, dsb);
	}
	memunmap(dsb);
out_free:
	nvmev_kfree(kc);
	return ret;
}

/* Format NVM of namespace @nsid: its store, empty, with a new superblock. */
void nvmev_kv_get_stats(struct nvmev_dev *dev, u32 nsid, struct kv_stats *st)
{
	kv_get_stats(&dev->kv[nsid - 1]->store, st);
}

/*
 * The Key Value Configuration feature (per namespace): of KV namespace
 * @nsid, or of every one for NVMEV_NSID_ALL.
 */
void nvmev_kv_set_config(struct nvmev_dev *dev, u32 nsid, u32 cdw11)
{
	u32 n;

	for (n = 1; n <= NVMEV_MAX_NSID; n++)
		if ((nsid == NVMEV_NSID_ALL || nsid == n) && dev->kv[n - 1] &&
		    dev->ns[n].kind == NVMEV_NS_KV)
			kv_store_configure(&dev->kv[n - 1]->store, cdw11);
}

/* ... and its value now, of KV namespace @nsid. */
u32 nvmev_kv_get_config(struct nvmev_dev *dev, u32 nsid)
{
	const struct kv_ftl *kv = dev->kv[nsid - 1];

	return kv && READ_ONCE(kv->store.ednek) ? NVMEV_KV_CONFIG_EDNEK : 0;
}

/**
 * nvmev_kv_format - erase the key space of namespace @nsid (Format NVM,
 * Sanitize): the store re-made as at load, its statistics 0
 * @dev: the device
 * @nsid: a namespace with a key space
 * @erase_log: zero the value log as well (a user data erase)
 *
 * Process context; commands of the namespace still running finish first.
 * Return: 0, or a negative errno.
 */
int nvmev_kv_format(struct nvmev_dev *dev, u32 nsid, bool erase_log)
{
	struct kv_ftl *kv = dev->kv[nsid - 1];
	int ret;

	if (!kv)
		return 0;
	ret = kv_store_format(&kv->store, &kv->cfg, erase_log);
	if (ret)
		pr_err("format of the key space of namespace %u failed: %d\n",
		       nsid, ret);
	WRITE_ONCE(kv->idle_reclaim_pending, false);
	return ret;
}

/**
 * nvmev_kv_ns_create - the key space of a KV namespace Namespace Management
 * made: [superblock | index | log] over its bytes, empty, the Key Value
 * Configuration feature at its default
 * @dev: the device
 * @nsid: its NSID, whose dev->ns[] entry has the offset and size
 *
 * Dispatcher context; not attached yet, so no command uses it; worker 0's
 * idle pass sees it once published (kv_ns_init). Return: 0 or -errno.
 */
int nvmev_kv_ns_create(struct nvmev_dev *dev, u32 nsid)
{
	const struct nvmev_ns *ns = &dev->ns[nsid];
	struct kv_config kc;
	int ret;

	ret = kv_ns_config(dev, ns->offset, ns->size, 0, &kc);
	if (ret)
		return ret;
	kc.fresh = true; /* whatever the bytes held before is gone */
	return kv_ns_init(dev, nsid, &kc, &kv_std_set, &dev->kv[nsid - 1]);
}

/*
 * The key space of namespace @nsid gone; workers quiesced (or stopped).
 * @erase (Namespace Management delete): its superblock too, so that no
 * later load takes the deleted namespace's log for a store.
 */
void nvmev_kv_ns_delete(struct nvmev_dev *dev, u32 nsid, bool erase)
{
	struct kv_ftl *kv = dev->kv[nsid - 1];

	if (!kv)
		return;
	if (erase && kv->cfg.sb_mem)
		memset(kv->cfg.sb_mem, 0, KV_SB_BYTES);
	else
		kv_store_close(&kv->store);
	kv_store_destroy(&kv->store);
	nvmev_kfree(kv);
	dev->kv[nsid - 1] = NULL;
}

void nvmev_kv_exit(struct nvmev_dev *dev)
{
	u32 nsid;

	for (nsid = 1; nsid <= NVMEV_MAX_NSID; nsid++)
		nvmev_kv_ns_delete(dev, nsid, false);
}
#endif /* kernel glue */
