/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kv_harness.h - drive a struct kv_store the way the kernel glue does:
 * build SQE dwords, kv_decode() them in either coding, kv_execute() with a
 * bounds-checked host buffer behind the kv_io callbacks.
 */
#ifndef NVMEV_KV_HARNESS_H
#define NVMEV_KV_HARNESS_H

#include "kv_ftl.h"
#include "test_util.h"

struct host_buf {
	u8 *buf;
	u32 len;		/* the data length the command describes */
	bool fail;		/* make the next callback fail (DMA error) */
	u32 fail_beyond;	/* non-zero: writes past this byte fail (a bad PRP page) */
	u32 hi;			/* highest byte + 1 the device touched */
};

static inline int host_from(void *ctx, u32 off, void *dst, u32 len)
{
	struct host_buf *h = ctx;

	CHECK((u64)off + len <= h->len, "from_host %u+%u beyond %u", off, len,
	      h->len);
	if (h->fail || (u64)off + len > h->len)
		return -1;
	memcpy(dst, h->buf + off, len);
	return 0;
}

static inline int host_to(void *ctx, u32 off, const void *src, u32 len)
{
	struct host_buf *h = ctx;

	CHECK((u64)off + len <= h->len, "to_host %u+%u beyond %u", off, len,
	      h->len);
	if (h->fail || (u64)off + len > h->len)
		return -1;
	if (h->fail_beyond && (u64)off + len > h->fail_beyond)
		return -1;
	memcpy(h->buf + off, src, len);
	if (off + len > h->hi)
		h->hi = off + len;
	return 0;
}

struct kv_env {
	struct kv_store kv;
	void *log;
	void *index;
	u64 log_size;
};

static inline int kv_env_init(struct kv_env *e, u64 log_size, u32 seg, u32 maxv,
		       u64 max_keys)
{
	struct kv_config cfg = { 0 };
	size_t ib = hash_map_mem_bytes(max_keys);
	int err;

	e->log = aligned_alloc(4096, (log_size + 4095) & ~4095ULL);
	e->index = malloc(ib);
	e->log_size = log_size;
	if (!e->log || !e->index)
		return -ENOMEM;
	cfg.log_base = e->log;
	cfg.log_size = log_size;
	cfg.seg_size = seg;
	cfg.max_value = maxv;
	cfg.index_mem = e->index;
	cfg.index_bytes = ib;
	cfg.max_keys = max_keys;
	cfg.seed = 0x5eed;
	err = kv_store_init(&e->kv, &cfg);
	return err;
}

static inline void kv_env_free(struct kv_env *e)
{
	kv_store_destroy(&e->kv);
	free(e->log);
	free(e->index);
}

/* SQE builders */
static inline void sqe_set_key(u32 cdw[16], enum kv_coding c, const u8 *key, u8 klen)
{
	u32 i;

	cdw[11] = (cdw[11] & ~0xffu) | (c == KV_CODING_SAMSUNG ? klen - 1u : klen);
	cdw[12] = cdw[13] = cdw[14] = cdw[15] = 0;
	for (i = 0; i < klen && i < 16; i++)
		cdw[12 + i / 4] |= (u32)key[i] << (8 * (i % 4));
}

static inline void sqe_set_len(u32 cdw[16], enum kv_coding c, u32 bytes)
{
	if (c == KV_CODING_SAMSUNG) {
		u32 words = (bytes + 3) / 4;

		cdw[10] = words;
		cdw[11] = (cdw[11] & ~(3u << 16)) | (words * 4 - bytes) << 16;
	} else {
		cdw[10] = bytes;
	}
}

static inline u16 kv_run(struct kv_store *kv, const u32 cdw[16], enum kv_coding c,
		  struct host_buf *h, u32 *dw0)
{
	struct kv_io io = { .ctx = h, .from_host = host_from, .to_host = host_to };
	struct kv_cmd cmd;
	u16 sc;

	*dw0 = 0;
	sc = kv_decode(cdw, c, &cmd);
	if (sc)
		return sc;
	return kv_execute(kv, &cmd, &io, dw0);
}

/* One key command: store/append/retrieve/delete/exist. */
static inline u16 kv_key_cmd(struct kv_store *kv, enum kv_coding c, u8 op,
		      const u8 *key, u8 klen, u8 option, u32 offset,
		      struct host_buf *h, u32 *dw0)
{
	u32 cdw[16] = { 0 };

	cdw[0] = op;
	cdw[4] = offset;
	cdw[11] = (u32)option << 8;
	sqe_set_key(cdw, c, key, klen);
	if (op == KV_OP_STORE || op == KV_OP_APPEND || op == KV_OP_RETRIEVE)
		sqe_set_len(cdw, c, h->len);
	return kv_run(kv, cdw, c, h, dw0);
}

static inline u16 kv_iter_ctl(struct kv_store *kv, u8 option, u8 handle, u32 prefix,
		       u32 mask, u32 *dw0)
{
	u32 cdw[16] = { 0 };
	struct host_buf h = { 0 };

	cdw[0] = KV_OP_ITER_CTL;
	cdw[11] = (u32)option << 8 | handle;
	cdw[12] = prefix;
	cdw[13] = mask;
	return kv_run(kv, cdw, KV_CODING_BYTES, &h, dw0);
}

static inline u16 kv_iter_rd(struct kv_store *kv, u8 handle, struct host_buf *h,
		      u32 *dw0)
{
	u32 cdw[16] = { 0 };

	cdw[0] = KV_OP_ITER_READ;
	cdw[10] = h->len;
	cdw[11] = handle;
	return kv_run(kv, cdw, KV_CODING_BYTES, h, dw0);
}

/*
 * Rebuild the index the way a later load would, from the log alone: scan
 * every segment from offset 0 while headers check out (magic, crc, sizes),
 * take the records not marked dead, the highest seq per key. Returns the
 * number of differences from the live index (0: the log alone suffices).
 */
static inline u64 kv_rebuild_diff(struct kv_store *kv)
{
	struct log_alloc *a = &kv->log;
	struct hm_cursor cur;
	struct hm_entry e;
	u64 found = 0, diff = 0, seg;
	u32 budget = U32_MAX;

	for (seg = 0; seg < a->nsegs; seg++) {
		u64 base = seg * a->seg_size, pos = 0;

		while (pos + sizeof(struct log_rec_hdr) <= a->seg_size) {
			struct log_rec_hdr h = *log_rec(a, base + pos);
			u32 crc = h.crc, rs;
			u8 flags = h.flags;
			u64 off, seq;
			u32 vs;

			/* the crc leaves out what changes later: flags, vsum */
			h.crc = 0;
			h.flags = 0;
			h.vsum = 0;
			if (h.magic != LOG_REC_MAGIC || !h.klen || h.klen > 16 ||
			    h.epoch != a->epoch ||
			    crc32_le(~0U, (const u8 *)&h, sizeof(h)) != crc)
				break;
			rs = log_rec_size(h.vsize);
			if (rs > a->seg_size - pos)
				break;
			if (!(flags & LOG_REC_DEAD)) {
				/* a live record's value is complete: its checksum holds */
				const struct log_rec_hdr *r = log_rec(a, base + pos);

				if (r->vsum != (u32)xxh64(r + 1, h.vsize, 0))
					diff++;
				found++;
				if (hash_map_lookup(&kv->map, h.key, h.klen, &off, &vs) ||
				    off != base + pos || vs != h.vsize) {
					/* a stale twin must be older than the live one */
					seq = h.seq;
					if (off == base + pos ||
					    seq >= log_rec(a, off)->seq)
						diff++;
					found--;
				}
			}
			pos += rs;
		}
	}
	hash_map_cursor_init(&kv->map, &cur);
	while (hash_map_next(&kv->map, &cur, &budget, &e) == 0)
		found--;
	return diff + (found ? 1 : 0);
}

static inline u32 get_le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

#endif /* NVMEV_KV_HARNESS_H */
