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
 * kv->stat[] are atomics, bumped under either mode.
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
 * Work under the lock is bounded: one value copy (<= 2 MiB), one slice of
 * reclamation, and for iterate reads KV_ITER_SCAN_DEFAULT index slots and
 * the host buffer (<= 2 MiB). Everything may sleep (DMA callbacks, rwsem);
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

static u16 kv_decode_key_cmd(const u32 cdw[16], enum kv_coding coding,
			     struct kv_cmd *cmd, bool has_value)
{
	u16 sc;

	sc = kv_check_key(cdw, coding, cmd);
	if (sc || !has_value)
		return sc;
	return kv_check_len(cdw, coding, cmd);
}

static u16 kv_decode_iter(const u32 cdw[16], enum kv_coding coding,
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

/*
 * Decode the vendor KV command in @cdw (CDW0..15, host order) for @coding.
 * Returns 0 with @cmd filled, or the status of the first bad field with
 * cmd->err_loc its SQE byte offset. Fields the protocol leaves unused are
 * ignored.
 */
u16 kv_decode(const u32 cdw[16], enum kv_coding coding, struct kv_cmd *cmd)
{
	u16 sc;
	NVMEV_TRACE_FUNC();

	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = (u8)(cdw[0] & 0xff);
	if (coding != KV_CODING_BYTES && coding != KV_CODING_SAMSUNG)
		return kv_bad(cmd, KV_SC_INVALID_FIELD, KV_LOC_OPCODE);

	switch (cmd->opcode) {
	case KV_OP_STORE:
		sc = kv_decode_key_cmd(cdw, coding, cmd, true);
		if (sc)
			return sc;
		cmd->option = (u8)KV_CDW11_OPTION(cdw[11]);
		return kv_check_store_opt(cmd);
	case KV_OP_APPEND:
		return kv_decode_key_cmd(cdw, coding, cmd, true);
	case KV_OP_RETRIEVE:
		sc = kv_decode_key_cmd(cdw, coding, cmd, true);
		if (sc)
			return sc;
		cmd->offset = cdw[4];
		/* past the largest possible value; the exact check is at run time */
		if (cmd->offset > KV_MAX_VALUE_SIZE)
			return kv_bad(cmd, KV_SC_INVALID_OFFSET, KV_LOC_CDW4);
		return KV_SC_SUCCESS;
	case KV_OP_DELETE:
	case KV_OP_EXIST:
		return kv_decode_key_cmd(cdw, coding, cmd, false);
	case KV_OP_ITER_CTL:
	case KV_OP_ITER_READ:
		return kv_decode_iter(cdw, coding, cmd);
	default:
		return kv_bad(cmd, KV_SC_INVALID_OPCODE, KV_LOC_OPCODE);
	}
}

/* ---- layout of the KV area --------------------------------------------- */

/*
 * Cut a KV area of @area bytes into an index for @max_keys keys (0: one
 * per KV_AREA_BYTES_PER_KEY bytes of area) and a log of the rest. Returns
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
	if (lay->index_bytes < area)
		lay->log_size = area - lay->index_bytes;
	if (area < KV_MIN_AREA_BYTES || lay->log_size < min_log)
		return -EINVAL;
	return 0;
}

/* ---- errno -> status: the only place ---------------------------------- */

static u16 kv_errno_to_status(int err)
{
	switch (err) {
	case 0:
		return KV_SC_SUCCESS;
	case -ENOENT:
		return KV_SC_KEY_NOT_EXIST;
	case -EEXIST:
		return KV_SC_KEY_EXISTS;
	case -ENOSPC:
		return KV_SC_CAPACITY_EXCEEDED;
	case -EMSGSIZE:		/* value too large, buffer too small */
		return KV_SC_INVALID_VALUE_SIZE;
	case -ERANGE:		/* retrieve offset past the value */
		return KV_SC_INVALID_OFFSET;
	case -EBADF:		/* iterator handle not open, none free */
		return KV_SC_ITER_HANDLE;
	case -ENODATA:		/* iteration finished */
		return KV_SC_ITER_END;
	case -EFAULT:		/* kv_io callback failed */
		return KV_SC_DATA_XFER_ERROR;
	case -EINVAL:
		return KV_SC_INVALID_FIELD;
	case -EOPNOTSUPP:
		return KV_SC_INVALID_OPCODE;
	default:
		pr_warn_ratelimited("unexpected error %d\n", err);
		return KV_SC_INTERNAL;
	}
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
		.relocate = kv_relocate,
		.relocate_ctx = kv,
	};
	int err, i;

	if (lcfg.max_value > KV_MAX_VALUE_SIZE)
		return -EINVAL;
	memset(kv, 0, sizeof(*kv));
	err = hash_map_init(&kv->map, cfg->index_mem, cfg->index_bytes,
			    cfg->max_keys, cfg->seed);
	if (err)
		return err;
	err = log_init(&kv->log, &lcfg);
	if (err)
		return err;

	kv->max_value = lcfg.max_value;
	kv->iter_scan = cfg->iter_scan ?: KV_ITER_SCAN_DEFAULT;
	init_rwsem(&kv->lock);
	for (i = 0; i < KV_MAX_ITERATORS; i++)
		mutex_init(&kv->iters[i].lock);
	return 0;
}

void kv_store_destroy(struct kv_store *kv)
{
	int i;

	for (i = 0; i < KV_MAX_ITERATORS; i++)
		mutex_destroy(&kv->iters[i].lock);
	log_destroy(&kv->log);
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
	if (!err)
		err = kv_publish(kv, cmd, off, vsize);
	if (err)
		log_mark_dead(&kv->log, off);
	return err;
}

static int kv_do_store(struct kv_store *kv, const struct kv_cmd *cmd,
		       const struct kv_io *io)
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

static int kv_do_delete(struct kv_store *kv, const struct kv_cmd *cmd)
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

static int kv_do_exist(struct kv_store *kv, const struct kv_cmd *cmd)
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
			  u32 *dw0)
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

/* ---- execute ------------------------------------------------------------ */

static int kv_dispatch(struct kv_store *kv, const struct kv_cmd *cmd,
		       const struct kv_io *io, u32 *dw0)
{
	switch (cmd->opcode) {
	case KV_OP_STORE:
		atomic64_inc(&kv->stat[KV_STAT_STORE]);
		return kv_do_store(kv, cmd, io);
	case KV_OP_APPEND:
		atomic64_inc(&kv->stat[KV_STAT_APPEND]);
		return kv_do_append(kv, cmd, io, dw0);
	case KV_OP_RETRIEVE:
		atomic64_inc(&kv->stat[KV_STAT_RETRIEVE]);
		return kv_do_retrieve(kv, cmd, io, dw0);
	case KV_OP_DELETE:
		atomic64_inc(&kv->stat[KV_STAT_DELETE]);
		return kv_do_delete(kv, cmd);
	case KV_OP_EXIST:
		atomic64_inc(&kv->stat[KV_STAT_EXIST]);
		return kv_do_exist(kv, cmd);
	case KV_OP_ITER_CTL:
		atomic64_inc(&kv->stat[KV_STAT_ITER_CTL]);
		return kv_do_iter_ctl(kv, cmd, dw0);
	case KV_OP_ITER_READ:
		atomic64_inc(&kv->stat[KV_STAT_ITER_READ]);
		return kv_do_iter_read(kv, cmd, io, dw0);
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * Execute a command kv_decode() accepted. Returns its status; *dw0 is the
 * CQE DW0 (value size for retrieve and append, handle for iterate open,
 * bytes written for iterate read, else 0).
 */
u16 kv_execute(struct kv_store *kv, const struct kv_cmd *cmd,
	       const struct kv_io *io, u32 *dw0)
{
	u16 sc;
	NVMEV_TRACE_FUNC();

	*dw0 = 0;
	sc = kv_errno_to_status(kv_dispatch(kv, cmd, io, dw0));
	if (sc) {
		atomic64_inc(&kv->stat[KV_STAT_FAILED]);
		*dw0 = 0;
	}
	return sc;
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
	memset(op, 0, sizeof(*op));
	op->key_hash = kv_key_hash(cmd);
	op->live_keys = live_keys;
	switch (cmd->opcode) {
	case KV_OP_STORE:
	case KV_OP_APPEND:
		op->kind = NVMEV_TIMING_STORE;
		op->value_bytes = cmd->value_size;
		op->xfer_bytes = cmd->value_size;
		break;
	case KV_OP_RETRIEVE:
		op->kind = NVMEV_TIMING_RETRIEVE;
		op->value_bytes = cmd->value_size;
		op->xfer_bytes = cmd->value_size;
		break;
	case KV_OP_DELETE:
		op->kind = NVMEV_TIMING_DELETE;
		break;
	case KV_OP_EXIST:
		op->kind = NVMEV_TIMING_EXIST;
		break;
	case KV_OP_ITER_READ:
		op->kind = NVMEV_TIMING_ITER_READ;
		op->value_bytes = cmd->value_size;
		op->xfer_bytes = cmd->value_size;
		op->key_hash = cmd->handle;
		break;
	default:
		op->kind = NVMEV_TIMING_ITER_CTL;
		break;
	}
}

#ifdef __KERNEL__
/*
 * ---- kernel glue ---------------------------------------------------------
 * The KV command set as seen by io.c: the dispatch hook decodes and costs a
 * command on the dispatcher; the perform hook executes it on a worker with
 * kv_io callbacks that move bytes through the command's PRPs (dma.c).
 *
 * Index and log live in the reserved region: [index | log] at kv_offset,
 * the index sized from kv_max_keys (hash_map_mem_bytes), the rest the log.
 */
#include <linux/random.h>
#include "nvmev.h"

struct kv_ftl {
	struct kv_store store;
	enum kv_coding coding;
	bool idle_reclaim_pending;
};

static_assert(sizeof(struct kv_cmd) <= NVMEV_REQ_PRIV);

/* The host buffer of one command: mapped on first use. */
struct kv_host_buf {
	const struct nvmev_req *req;
	struct nvmev_sgl *sgl;
	u32 len; /* what CDW10 says the host buffer holds */
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

static int kv_host_read(void *ctx, u32 host_off, void *dst, u32 len)
{
	struct kv_host_buf *hb = ctx;

	if (kv_host_map(hb) ||
	    nvmev_sgl_copy(hb->sgl, host_off, dst, len, false))
		return -EFAULT;
	return 0;
}

static int kv_host_write(void *ctx, u32 host_off, const void *src, u32 len)
{
	struct kv_host_buf *hb = ctx;

	if (kv_host_map(hb) ||
	    nvmev_sgl_copy(hb->sgl, host_off, (void *)src, len, true))
		return -EFAULT;
	return 0;
}

static struct kv_cmd *req_kv_cmd(struct nvmev_req *req)
{
	return (struct kv_cmd *)req->priv;
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
	struct kv_cmd *cmd = req_kv_cmd(req);
	u16 sc;
	NVMEV_TRACE_FUNC();

	sc = kv_decode(req->sqe, dev->kv->coding, cmd);
	if (sc) {
		req->err_loc = cmd->err_loc;
		return kv_nvme_status(sc);
	}
	kv_timing_op(cmd, READ_ONCE(dev->kv->store.map.nkeys), &req->tm);
	req->key_len = cmd->key_len;
	memcpy(req->key, cmd->key, sizeof(req->key));
	req->bytes = cmd->value_size;
	return NVMEV_SC_SUCCESS;
}

/* Bytes the command moved: what statistics, SMART and tracepoints count. */
static u32 kv_moved_bytes(const struct kv_cmd *cmd, u32 dw0)
{
	switch (cmd->opcode) {
	case KV_OP_STORE:
	case KV_OP_APPEND:
		return cmd->value_size;
	case KV_OP_RETRIEVE:
		return min_t(u32, cmd->value_size,
			     dw0 > cmd->offset ? dw0 - cmd->offset : 0);
	case KV_OP_ITER_READ:
		return dw0;
	default:
		return 0;
	}
}

static void kv_count(struct nvmev_dev *dev, const struct kv_cmd *cmd,
		     u32 bytes)
{
	switch (cmd->opcode) {
	case KV_OP_STORE:
	case KV_OP_APPEND:
		atomic64_inc(&dev->ctr.host_write_cmds);
		atomic64_add(bytes, &dev->ctr.bytes_written);
		break;
	case KV_OP_RETRIEVE:
	case KV_OP_ITER_READ:
		atomic64_inc(&dev->ctr.host_read_cmds);
		atomic64_add(bytes, &dev->ctr.bytes_read);
		break;
	}
}

static u16 kv_nvme_perform(struct nvmev_dev *dev, struct nvmev_req *req,
			   struct nvmev_sgl *sgl)
{
	struct kv_cmd *cmd = req_kv_cmd(req);
	struct kv_host_buf hb = { .req = req, .sgl = sgl,
				  .len = cmd->value_size };
	struct kv_io io = { .ctx = &hb, .from_host = kv_host_read,
			    .to_host = kv_host_write };
	u16 sc;
	NVMEV_TRACE_FUNC();

	sc = kv_execute(&dev->kv->store, cmd, &io, &req->dw0);

	/* a malformed PRP is reported as such, with its DNR */
	if (sc == KV_SC_DATA_XFER_ERROR && hb.map_status)
		return hb.map_status;
	if (!sc) {
		req->bytes = kv_moved_bytes(cmd, req->dw0);
		kv_count(dev, cmd, req->bytes);
	}
	if (cmd->opcode == KV_OP_STORE || cmd->opcode == KV_OP_APPEND ||
	    cmd->opcode == KV_OP_DELETE)
		WRITE_ONCE(dev->kv->idle_reclaim_pending, true);
	return kv_nvme_status(sc);
}

const struct nvmev_io_cmd nvmev_kv_cmds[] = {
	{ KV_OP_STORE, "kv-store", NVME_CMD_EFFECTS_CSUPP, kv_nvme_dispatch,
	  kv_nvme_perform },
	{ KV_OP_APPEND, "kv-append", NVME_CMD_EFFECTS_CSUPP, kv_nvme_dispatch,
	  kv_nvme_perform },
	{ KV_OP_RETRIEVE, "kv-retrieve", NVME_CMD_EFFECTS_CSUPP,
	  kv_nvme_dispatch, kv_nvme_perform },
	{ KV_OP_DELETE, "kv-delete", NVME_CMD_EFFECTS_CSUPP, kv_nvme_dispatch,
	  kv_nvme_perform },
	{ KV_OP_EXIST, "kv-exist", NVME_CMD_EFFECTS_CSUPP, kv_nvme_dispatch,
	  kv_nvme_perform },
	{ KV_OP_ITER_CTL, "kv-iterate", NVME_CMD_EFFECTS_CSUPP,
	  kv_nvme_dispatch, kv_nvme_perform },
	{ KV_OP_ITER_READ, "kv-iterate-read", NVME_CMD_EFFECTS_CSUPP,
	  kv_nvme_dispatch, kv_nvme_perform },
};
const unsigned int nvmev_kv_nr_cmds = ARRAY_SIZE(nvmev_kv_cmds);

/*
 * Idle-time reclamation, one slice per call, from worker 0 when it has
 * nothing due. Returns true while there is more to do.
 */
bool nvmev_kv_idle(struct nvmev_dev *dev)
{
	struct kv_ftl *kv = dev->kv;

	if (!kv || !READ_ONCE(kv->idle_reclaim_pending))
		return false;
	if (kv_reclaim(&kv->store))
		return true;
	WRITE_ONCE(kv->idle_reclaim_pending, false);
	return false;
}

/*
 * Called by validate_params() before anything is mapped. The KV area's
 * size is memmap_size - 1 MiB - blk_size, checked there against
 * KV_MIN_AREA_BYTES; what can still fail here is a kv_max_keys whose index
 * leaves too little log.
 */
int nvmev_kv_check_config(const struct nvmev_config *cfg)
{
	u64 min_log = (u64)LOG_MIN_SEGS(LOG_DEFAULT_RESERVE) *
		      LOG_DEFAULT_SEG_SIZE;
	struct kv_layout lay;

	if (kv_layout(cfg->kv_size, cfg->kv_max_keys, &lay)) {
		if (lay.max_keys > HM_MAX_KEYS)
			pr_err("kv_max_keys: %llu is above the index limit of %llu keys\n",
			       lay.max_keys, HM_MAX_KEYS);
		else
			pr_err("kv_max_keys: an index for %llu keys (%llu bytes) leaves less than %llu bytes of log in the %llu-byte KV area\n",
			       lay.max_keys, lay.index_bytes, min_log,
			       cfg->kv_size);
		return -EINVAL;
	}
	return 0;
}

int nvmev_kv_init(struct nvmev_dev *dev)
{
	u8 *area = dev->storage + (dev->cfg.kv_offset - NVMEV_BAR_WINDOW);
	struct kv_config kc = { .seed = get_random_u64() };
	struct kv_layout lay;
	struct kv_ftl *kv;
	int ret;

	ret = kv_layout(dev->cfg.kv_size, dev->cfg.kv_max_keys, &lay);
	if (ret)
		return ret;
	kc.index_mem = area;
	kc.index_bytes = lay.index_bytes;
	kc.max_keys = lay.max_keys;
	kc.log_base = area + lay.index_bytes;
	kc.log_size = lay.log_size;
	kv = nvmev_kzalloc(sizeof(*kv), GFP_KERNEL);
	if (!kv)
		return -ENOMEM;
	ret = kv_store_init(&kv->store, &kc);
	if (ret) {
		pr_err("KV store init failed: %d\n", ret);
		nvmev_kfree(kv);
		return ret;
	}
	kv->coding = dev->cfg.kv_coding;
	dev->kv = kv;
	return 0;
}

void nvmev_kv_get_stats(struct nvmev_dev *dev, struct kv_stats *st)
{
	kv_get_stats(&dev->kv->store, st);
}

void nvmev_kv_exit(struct nvmev_dev *dev)
{
	if (!dev->kv)
		return;
	kv_store_destroy(&dev->kv->store);
	nvmev_kfree(dev->kv);
	dev->kv = NULL;
}
#endif /* kernel glue */
