// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_rebuild.c - a store is written, then the input corrupts the memory
 * it lives in (superblock, index, log: xor bytes, clear spans, the torn
 * tail of a store) and the store is loaded again. The load must never
 * crash or write outside the area, and whatever it serves is a value that
 * was stored under that key: never a corrupted one.
 */
#include "kv_harness.h"
#include "fuzz_util.h"

#define AREA	(1u << 20)
#define SEG	(16u << 10)
#define MAXV	2048
#define MAXK	256
#define NK	48
#define GUARD	256

static struct kv_store kv;

static int open_store(u8 *mem, bool fresh, u32 epoch)
{
	u64 ib = (hash_map_mem_bytes(MAXK) + 4095) & ~4095ULL;
	struct kv_config c = { 0 };

	c.sb_mem = mem;
	c.area_offset = 2 << 20;
	c.area_size = AREA;
	c.index_mem = mem + KV_SB_BYTES;
	c.index_bytes = ib;
	c.max_keys = MAXK;
	c.log_base = mem + KV_SB_BYTES + ib;
	c.log_size = AREA - KV_SB_BYTES - ib;
	c.seg_size = SEG;
	c.max_value = MAXV;
	c.seed = 1;
	c.epoch = epoch;
	c.fresh = fresh;
	return kv_store_init(&kv, &c);
}

/* value of (key i, generation g): [i, g, len lo, len hi] then a pattern */
static void make_val(u8 *p, u32 len, u32 i, u32 g)
{
	u32 j;

	p[0] = (u8)i;
	p[1] = (u8)g;
	p[2] = (u8)len;
	p[3] = (u8)(len >> 8);
	for (j = 4; j < len; j++)
		p[j] = (u8)(i * 13 + g * 101 + j);
}

static u8 key_of(u32 i, u8 *k)
{
	k[0] = 'f';
	k[1] = (u8)i;
	return 2;
}

static void store(u32 i, u32 g, u32 len)
{
	static u8 buf[MAXV];
	struct host_buf h = { .buf = buf, .len = len };
	u8 k[2], kl = key_of(i, k);
	u32 dw0;

	make_val(buf, len, i, g);
	kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_STORE, k, kl, 0, 0, &h, &dw0);
}

/* Everything served must be some generation's intact value of its key. */
static void check_served(void)
{
	static u8 buf[MAXV], want[MAXV];
	u32 i, dw0;

	for (i = 0; i < NK; i++) {
		struct host_buf h = { .buf = buf, .len = MAXV };
		u8 k[2], kl = key_of(i, k);
		u16 sc = kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_RETRIEVE, k, kl,
				    0, 0, &h, &dw0);

		if (sc)
			continue;
		FZ_ASSERT(dw0 >= 8 && dw0 <= MAXV);
		FZ_ASSERT(buf[0] == (u8)i && (u32)(buf[2] | buf[3] << 8) == dw0);
		make_val(want, dw0, i, buf[1]);
		FZ_ASSERT(!memcmp(buf, want, dw0));
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 *raw;
	u8 *mem;
	u32 i, n;
	size_t p;

	if (!raw)
		raw = aligned_alloc(4096, AREA + 2 * 4096);
	mem = raw + 4096;
	memset(raw, 0x5a, AREA + 2 * 4096);
	FZ_ASSERT(open_store(mem, true, 7) == 0);
	/* a log over several segments, with overwrites and deletes */
	for (n = 0; n < 600; n++) {
		i = (n * 7) % NK;
		store(i, n & 0xff, 8 + (n * 37) % (MAXV - 8));
	}
	kv_store_destroy(&kv);	/* a crash: no close */

	/* 4-byte commands: op, offset (2 bytes, scaled), value */
	for (p = 0; p + 4 <= size; p += 4) {
		u32 off = ((u32)data[p + 1] | (u32)data[p + 2] << 8) * (AREA >> 16) +
			  (data[p] >> 2);
		u8 v = data[p + 3];

		off %= AREA;
		switch (data[p] & 3) {
		case 0:
			mem[off] ^= v ? v : 1;
			break;
		case 1:
			memset(mem + off, 0, min_t(u32, v, AREA - off));
			break;
		case 2:	/* the first segments of the log: headers are there */
			mem[(u8 *)kv.log.base - mem + off % (2 * SEG)] ^= v ? v : 1;
			break;
		default:
			mem[off % KV_SB_BYTES] ^= v ? v : 1;
			break;
		}
	}
	if (open_store(mem, false, 9) == 0) {
		check_served();
		FZ_ASSERT(log_check(&kv.log) == 0);
		/* and the rebuilt store takes writes */
		for (n = 0; n < 100; n++)
			store(n % NK, 200, 8 + n * 13);
		check_served();
		FZ_ASSERT(log_check(&kv.log) == 0);
		kv_store_destroy(&kv);
	}
	for (i = 0; i < 4096; i++)
		FZ_ASSERT(raw[i] == 0x5a && raw[4096 + AREA + i] == 0x5a);
	return 0;
}
