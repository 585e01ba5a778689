// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_kv.c - SQE bytes -> kv_decode() (both codings) or kv_std_decode()
 * (the NVMe KV Command Set, flags bit 3) -> kv_execute() against a small
 * store. The input is a flags byte and then 64-byte SQEs. A List's output
 * is parsed: whole entries inside the buffer, keys strictly ascending from
 * the start key.
 * Checked after every command: the device never touches the host buffer
 * beyond the length the command describes, decoded fields are in range,
 * the log is well formed with exact live bytes, and every index entry
 * points at a live record of its own key and size.
 */
#include "kv_ftl.h"
#include "fuzz_util.h"

#define HOST_MAX KV_MAX_VALUE_SIZE

static u8 *host;

struct fz_host {
	u32 len;
	u8 seed;
	bool fail;
};

static int fz_from(void *ctx, u32 off, void *dst, u32 len)
{
	struct fz_host *h = ctx;
	u32 i;

	FZ_ASSERT((u64)off + len <= h->len);
	if (h->fail)
		return -1;
	for (i = 0; i < len; i++)
		((u8 *)dst)[i] = (u8)(h->seed + (off + i) * 31);
	return 0;
}

static int fz_to(void *ctx, u32 off, const void *src, u32 len)
{
	struct fz_host *h = ctx;

	FZ_ASSERT((u64)off + len <= h->len);
	if (h->fail)
		return -1;
	memcpy(host + off, src, len);
	return 0;
}

static void check_cmd(const struct kv_cmd *c)
{
	switch (c->opcode) {
	case KV_OP_STORE:
	case KV_OP_APPEND:
	case KV_OP_RETRIEVE:
		FZ_ASSERT(c->value_size >= 1 && c->value_size <= KV_MAX_VALUE_SIZE);
		fallthrough;
	case KV_OP_DELETE:
	case KV_OP_EXIST:
		FZ_ASSERT(c->key_len >= 1 && c->key_len <= KV_MAX_KEY_LEN);
		break;
	case KV_OP_ITER_READ:
		FZ_ASSERT(c->handle >= 1 && c->handle <= KV_MAX_ITERATORS);
		FZ_ASSERT(c->value_size >= 4 && c->value_size <= KV_MAX_VALUE_SIZE);
		break;
	case KV_OP_ITER_CTL:
		break;
	default:
		FZ_ASSERT(0);
	}
}

static void check_std_cmd(const struct kv_cmd *c)
{
	FZ_ASSERT(c->desc && c->desc->set == &kv_std_set);
	FZ_ASSERT(c->key_len <= KV_MAX_KEY_LEN);
	FZ_ASSERT(c->value_size <= KV_MAX_VALUE_SIZE);
	if (c->opcode == KV_STD_STORE || c->opcode == KV_STD_RETRIEVE ||
	    c->opcode == KV_STD_DELETE || c->opcode == KV_STD_EXIST)
		FZ_ASSERT(c->key_len >= 1);
	if (c->opcode == KV_STD_LIST)
		FZ_ASSERT(c->value_size >= 4);
}

static int key_cmp(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (int)alen - (int)blen;
}

/* List output: a count, then whole sorted entries above the start key. */
static void check_list(const struct kv_cmd *c)
{
	u32 n = host[0] | host[1] << 8 | host[2] << 16 | (u32)host[3] << 24;
	u32 pos = 4, i, plen = 0;
	const u8 *prev = NULL;

	for (i = 0; i < n; i++) {
		u32 klen;

		FZ_ASSERT(pos + 2 <= c->value_size);
		klen = host[pos] | host[pos + 1] << 8;
		FZ_ASSERT(klen >= 1 && klen <= KV_MAX_KEY_LEN);
		FZ_ASSERT(pos + ALIGN(2 + klen, 4) <= c->value_size);
		FZ_ASSERT(key_cmp(host + pos + 2, klen, c->key, c->key_len) >= 0);
		if (prev)
			FZ_ASSERT(key_cmp(prev, plen, host + pos + 2, klen) < 0);
		prev = host + pos + 2;
		plen = klen;
		pos += ALIGN(2 + klen, 4);
	}
}

/* Index and log agree: every entry is a live record of that key. */
static void check_store(struct kv_store *kv)
{
	struct hm_cursor cursor;
	struct hm_entry e;
	u64 live = 0;
	u32 budget = U32_MAX;

	FZ_ASSERT(log_check(&kv->log) == 0);
	FZ_ASSERT(kv->map.nkeys <= kv->map.max_keys);
	hash_map_cursor_init(&kv->map, &cursor);
	while (hash_map_next(&kv->map, &cursor, &budget, &e) == 0) {
		const struct log_rec_hdr *h = log_rec(&kv->log, e.off);

		FZ_ASSERT(e.off < kv->log.capacity);
		FZ_ASSERT(!(h->flags & LOG_REC_DEAD));
		FZ_ASSERT(h->klen == e.klen && !memcmp(h->key, e.key, 16));
		FZ_ASSERT(le32_to_cpu(h->vsize) == e.vsize);
		live += log_rec_size(e.vsize);
	}
	FZ_ASSERT(live == kv->log.live_bytes);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static void *log, *index;
	struct kv_config cfg = { 0 };
	struct kv_store kv;
	size_t ib = hash_map_mem_bytes(48), pos;
	enum kv_coding coding;
	bool std;

	if (size < 1)
		return 0;
	if (!log) {
		log = aligned_alloc(4096, 128 << 10);
		index = malloc(ib);
		host = malloc(HOST_MAX);
	}
	coding = data[0] & 1 ? KV_CODING_SAMSUNG : KV_CODING_BYTES;
	std = data[0] & 8;
	cfg.log_base = log;
	cfg.log_size = 128 << 10;	/* 8 segments of 16 KiB: fills up */
	cfg.seg_size = 16 << 10;
	cfg.max_value = 4096;
	cfg.index_mem = index;
	cfg.index_bytes = ib;
	cfg.max_keys = 48;
	cfg.seed = data[0];
	cfg.iter_scan = 1 + (data[0] >> 4) * 4;
	/* bit 1: no reclamation ahead of need (every move is forced) */
	cfg.gc_low_segs = data[0] & 2 ? 1 : 0;
	cfg.reserve_segs = 1 + ((data[0] >> 2) & 1);
	if (kv_store_init(&kv, &cfg))
		__builtin_trap();

	for (pos = 1; pos + 64 <= size; pos += 64) {
		struct fz_host h = { .seed = data[pos + 1] };
		struct kv_io io = { .ctx = &h, .from_host = fz_from, .to_host = fz_to };
		struct kv_cmd cmd, other;
		u32 cdw[16], dw0, i;
		u16 sc;

		for (i = 0; i < 16; i++)
			cdw[i] = data[pos + 4 * i] | data[pos + 4 * i + 1] << 8 |
				 data[pos + 4 * i + 2] << 16 |
				 (u32)data[pos + 4 * i + 3] << 24;
		/* the other coding must be just as safe */
		if (!kv_decode(cdw, !coding, &other))
			check_cmd(&other);
		if (std) {
			/* nsid byte 1 bit 0: error on delete of a missing key */
			kv_store_configure(&kv, (cdw[1] >> 8) & 1);
			sc = kv_std_decode(cdw, &cmd);
		} else {
			sc = kv_decode(cdw, coding, &cmd);
		}
		if (sc)
			continue;
		if (std)
			check_std_cmd(&cmd);
		else
			check_cmd(&cmd);
		h.len = cmd.value_size;
		h.fail = (cdw[1] & 0xff) == 0xdf;	/* nsid byte picks a DMA error */
		sc = kv_execute(&kv, &cmd, &io, &dw0);
		FZ_ASSERT(!sc || dw0 == 0);
		if (!sc && cmd.opcode == KV_OP_ITER_READ && !std)
			FZ_ASSERT(dw0 >= 4 && dw0 <= cmd.value_size);
		if (!sc && std && cmd.opcode == KV_STD_LIST)
			check_list(&cmd);
		check_store(&kv);
	}
	kv_store_destroy(&kv);
	return 0;
}
