// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_semantics.c - KV command semantics: every status of the
 * protocol table on purpose, then a randomized run of at least 10^6
 * commands (both codings, all options, small buffers, offsets, injected
 * DMA errors, index-full and log-full phases) against an in-memory model.
 */
#include "kv_harness.h"

#define MAXV_R	8192	/* max value of the randomized store */
#define NK	4000	/* key pool */
#define MAXK	2000	/* index capacity: the pool overflows it */

/* ---- deterministic checks ------------------------------------------------ */

static void test_basic(void)
{
	struct kv_env e;
	u8 buf[64], out[64];
	struct host_buf h = { .buf = buf };
	const u8 *key = (const u8 *)"0123456789abcdef";
	u32 dw0;

	CHECK_EQ(kv_env_init(&e, 16 << 20, 1 << 20, 65536, 1000), 0);
	/* seed flow: 36-byte value under a 15-byte key, then a 16-byte key */
	memcpy(buf, "7d6e1f0c-3a5b-4c2d-9e8f-0a1b2c3d4e5f", 36);
	h.len = 36;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, key, 15, 0, 0, &h, &dw0), 0);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_SAMSUNG, KV_OP_STORE, key, 16, 0, 0, &h, &dw0), 0);
	h.buf = out;
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 15, 0, 0, &h, &dw0), 0);
	CHECK_EQ(dw0, 36);
	CHECK(!memcmp(out, buf, 36), "retrieve 15-byte key");
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 0, &h, &dw0), 0);
	CHECK(!memcmp(out, buf, 36), "retrieve 16-byte key");
	/* 14-byte prefix of the same key is another key */
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_EXIST, key, 14, 0, 0, &h, &dw0), 0x310);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_EXIST, key, 16, 0, 0, &h, &dw0), 0);

	/* small buffer: what fits, DW0 = full size; untouched beyond */
	memset(out, 0xee, sizeof(out));
	h.len = 10;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 0, &h, &dw0), 0);
	CHECK_EQ(dw0, 36);
	CHECK(!memcmp(out, buf, 10) && out[10] == 0xee, "truncated retrieve");
	/* offsets: inside, at the end (nothing copied), past the end */
	memset(out, 0xee, sizeof(out));
	h.len = 64;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 30, &h, &dw0), 0);
	CHECK(!memcmp(out, buf + 30, 6) && out[6] == 0xee, "offset 30");
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 36, &h, &dw0), 0);
	CHECK_EQ(dw0, 36);
	CHECK(out[0] == 0xee, "offset at the end copies nothing");
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 37, &h, &dw0), 0x302);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 0xffffffff, &h, &dw0), 0x302);

	/* store options */
	h.buf = buf;
	h.len = 4;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"new", 3, 1, 0, &h, &dw0), 0x310);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"new", 3, 2, 0, &h, &dw0), 0);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"new", 3, 2, 0, &h, &dw0), 0x380);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"new", 3, 1, 0, &h, &dw0), 0);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"new", 3, 3, 0, &h, &dw0), 0x304);

	/* append: creates, grows, DW0 = new size, max checked */
	h.len = 3;
	memcpy(buf, "xyz", 3);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_APPEND, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0);
	CHECK_EQ(dw0, 3);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_SAMSUNG, KV_OP_APPEND, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0);
	CHECK_EQ(dw0, 6);
	h.buf = out;
	h.len = 64;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0);
	CHECK(dw0 == 6 && !memcmp(out, "xyzxyz", 6), "appended value");

	/* delete, exist, not found */
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_DELETE, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_DELETE, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0x310);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_EXIST, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0x310);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, (const u8 *)"ap", 2, 0, 0, &h, &dw0), 0x310);

	/* a DMA error changes nothing */
	h.buf = buf;
	h.len = 4;
	h.fail = true;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"dma", 3, 0, 0, &h, &dw0), 0x004);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_APPEND, key, 16, 0, 0, &h, &dw0), 0x004);
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 0, &h, &dw0), 0x004);
	h.fail = false;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_EXIST, (const u8 *)"dma", 3, 0, 0, &h, &dw0), 0x310);
	h.buf = out;
	h.len = 64;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 16, 0, 0, &h, &dw0), 0);
	CHECK_EQ(dw0, 36);

	/* the store's own maximum (64 KiB here) */
	h.buf = malloc(65537);
	memset(h.buf, 1, 65537);
	h.len = 65536;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"big", 3, 0, 0, &h, &dw0), 0);
	h.len = 65537;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, (const u8 *)"big", 3, 0, 0, &h, &dw0), 0x301);
	h.len = 1;
	CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_APPEND, (const u8 *)"big", 3, 0, 0, &h, &dw0), 0x301);
	free(h.buf);
	CHECK_EQ(log_check(&e.kv.log), 0);
	kv_env_free(&e);
}

static void test_init(void)
{
	struct kv_config cfg = { 0 };
	struct kv_store kv;
	void *log = aligned_alloc(4096, 64 << 20);
	size_t ib = hash_map_mem_bytes(100);
	void *idx = malloc(ib);

	cfg.log_base = log;
	cfg.log_size = 64 << 20;
	cfg.index_mem = idx;
	cfg.index_bytes = ib;
	cfg.max_keys = 100;
	CHECK_EQ(kv_store_init(&kv, &cfg), 0);	/* defaults: 4 MiB segments, 2 MiB */
	CHECK_EQ(kv.log.seg_size, 4 << 20);
	CHECK_EQ(kv.max_value, 2 << 20);
	kv_store_destroy(&kv);
	cfg.max_value = (2 << 20) + 1;
	CHECK_EQ(kv_store_init(&kv, &cfg), -EINVAL);
	cfg.max_value = 0;
	cfg.seg_size = 2 << 20;		/* a 2 MiB value does not fit */
	CHECK_EQ(kv_store_init(&kv, &cfg), -EINVAL);
	cfg.seg_size = 0;
	cfg.index_bytes = ib - 1;
	CHECK_EQ(kv_store_init(&kv, &cfg), -EINVAL);
	cfg.index_bytes = ib;
	cfg.log_size = 16 << 20;	/* 4 segments: too few */
	CHECK_EQ(kv_store_init(&kv, &cfg), -EINVAL);
	free(log);
	free(idx);
}

/* ---- randomized run against a model ---------------------------------------- */

struct mkey {
	u8 key[16];
	u8 klen;
	bool present;
	u32 size;
	u8 *val;
};

struct rstats {
	u64 ops, mismatches, st[8], log_full, index_full, dma, stores_after_full;
	bool seen_full;
};

static struct mkey *model;
static u64 model_keys;

static void model_init(u64 *s)
{
	u32 i;

	model = calloc(NK, sizeof(*model));
	for (i = 0; i < NK; i++) {
		struct mkey *m = &model[i];
		u32 j;

		m->klen = 1 + (u8)test_rand_below(s, 16);
		/* first byte from a small alphabet: prefixes cluster */
		m->key[0] = 'a' + (u8)test_rand_below(s, 4);
		for (j = 1; j < m->klen; j++)
			m->key[j] = (u8)test_rand(s);
		/* distinct keys: put the id in bytes 1-2 when there is room */
		if (m->klen >= 3) {
			m->key[1] = (u8)i;
			m->key[2] = (u8)(i >> 8) | 0x80;
		}
		m->val = malloc(MAXV_R);
	}
}

static bool model_dup(u32 i)
{
	u32 j;

	for (j = 0; j < i; j++)
		if (model[j].klen == model[i].klen &&
		    !memcmp(model[j].key, model[i].key, model[i].klen))
			return true;
	return false;
}

static u32 pick_size(u64 *s, int phase)
{
	u32 r = (u32)test_rand_below(s, 100);

	if (phase == 1)		/* fill: large values */
		return MAXV_R / 2 + (u32)test_rand_below(s, MAXV_R / 2 + 1);
	if (r < 70)
		return 1 + (u32)test_rand_below(s, 256);
	if (r < 95)
		return 1 + (u32)test_rand_below(s, 2048);
	return 1 + (u32)test_rand_below(s, MAXV_R);
}

static bool log_full_plausible(struct kv_env *e, u32 vsize)
{
	return e->kv.log.live_bytes + log_rec_size(vsize) >
	       e->kv.log.capacity * 7 / 10;
}

static void r_store(struct kv_env *e, u64 *s, struct rstats *rs, u32 id,
		    enum kv_coding c, int phase, bool fail)
{
	struct mkey *m = &model[id];
	u32 size = pick_size(s, phase), dw0, i;
	u8 opt = 0, *buf = malloc(size);
	struct host_buf h = { .buf = buf, .len = size, .fail = fail };
	u16 sc, want = 0;

	for (i = 0; i < size; i++)
		buf[i] = (u8)test_rand(s);
	if (test_rand_below(s, 10) == 0)
		opt = 1 + (u8)test_rand_below(s, 2);
	if (opt == 1 && !m->present)
		want = 0x310;
	else if (opt == 2 && m->present)
		want = 0x380;
	else if (!m->present && model_keys == MAXK)
		want = 0x312;
	else if (fail)
		want = 0x004;
	sc = kv_key_cmd(&e->kv, c, KV_OP_STORE, m->key, m->klen, opt, 0, &h, &dw0);
	if (sc == 0x312 && want != 0x312 && (want == 0 || want == 0x004) &&
	    log_full_plausible(e, size)) {
		rs->log_full++;
		rs->seen_full = true;
		want = 0x312;
	} else if (sc == 0x312 && want == 0x312) {
		rs->index_full++;
	}
	CHECK(sc == want, "store id %u size %u opt %u: %#x want %#x (live %llu)",
	      id, size, opt, sc, want, (unsigned long long)e->kv.log.live_bytes);
	if (!sc && !want) {
		if (!m->present)
			model_keys++;
		m->present = true;
		m->size = size;
		memcpy(m->val, buf, size);
		if (rs->seen_full)
			rs->stores_after_full++;
	}
	free(buf);
}

static void r_append(struct kv_env *e, u64 *s, struct rstats *rs, u32 id,
		     enum kv_coding c, bool fail)
{
	struct mkey *m = &model[id];
	u32 size = 1 + (u32)test_rand_below(s, 512), dw0, i;
	u8 buf[512];
	struct host_buf h = { .buf = buf, .len = size, .fail = fail };
	u32 old = m->present ? m->size : 0;
	u16 sc, want = 0;

	for (i = 0; i < size; i++)
		buf[i] = (u8)test_rand(s);
	if (old + size > MAXV_R)
		want = 0x301;
	else if (!m->present && model_keys == MAXK)
		want = 0x312;
	else if (fail)
		want = 0x004;
	sc = kv_key_cmd(&e->kv, c, KV_OP_APPEND, m->key, m->klen, 0, 0, &h, &dw0);
	if (sc == 0x312 && (want == 0 || want == 0x004) &&
	    log_full_plausible(e, old + size)) {
		rs->log_full++;
		want = 0x312;
	}
	CHECK(sc == want, "append id %u +%u: %#x want %#x", id, size, sc, want);
	if (!sc && !want) {
		CHECK_EQ(dw0, old + size);
		if (!m->present)
			model_keys++;
		memcpy(m->val + old, buf, size);
		m->present = true;
		m->size = old + size;
	}
}

static void r_retrieve(struct kv_env *e, u64 *s, u32 id, enum kv_coding c,
		       bool fail)
{
	struct mkey *m = &model[id];
	u32 r = (u32)test_rand_below(s, 10), off = 0, blen, n = 0, dw0, i;
	u16 sc, want = 0;
	u8 *buf;
	struct host_buf h;

	if (m->present && r == 0)
		off = (u32)test_rand_below(s, m->size + 1);
	else if (m->present && r == 1)
		off = m->size + (u32)test_rand_below(s, 3);	/* at / past the end */
	blen = r < 7 ? MAXV_R : 1 + (u32)test_rand_below(s, MAXV_R);
	if (c == KV_CODING_SAMSUNG)
		blen = (blen + 3) & ~3u;	/* whole words, no pad */
	buf = malloc(blen);
	memset(buf, 0xee, blen);
	h = (struct host_buf){ .buf = buf, .len = blen, .fail = fail };
	if (!m->present) {
		want = 0x310;
	} else if (off > m->size) {
		want = 0x302;
	} else {
		n = min(m->size - off, blen);
		if (fail && n)
			want = 0x004;
	}
	sc = kv_key_cmd(&e->kv, c, KV_OP_RETRIEVE, m->key, m->klen, 0, off, &h, &dw0);
	CHECK(sc == want, "retrieve id %u off %u: %#x want %#x", id, off, sc, want);
	if (!sc && !want) {
		CHECK_EQ(dw0, m->size);
		CHECK(!memcmp(buf, m->val + off, n), "retrieve id %u data", id);
		for (i = n; i < blen; i++)
			if (buf[i] != 0xee) {
				CHECK(0, "retrieve id %u wrote byte %u of %u", id, i, n);
				break;
			}
	}
	free(buf);
}

static void r_delete_exist(struct kv_env *e, u32 id, enum kv_coding c, u8 op)
{
	struct mkey *m = &model[id];
	struct host_buf h = { 0 };
	u32 dw0;
	u16 sc;

	sc = kv_key_cmd(&e->kv, c, op, m->key, m->klen, 0, 0, &h, &dw0);
	CHECK(sc == (m->present ? 0 : 0x310), "op %#x id %u: %#x", op, id, sc);
	if (op == KV_OP_DELETE && !sc && m->present) {
		m->present = false;
		model_keys--;
	}
}

/* Walk a whole iteration; compare the key (and value) set with the model. */
static void r_iterate(struct kv_env *e, u64 *s)
{
	static const u32 masks[] = { 0, 0xff, 0xffff, 0xff00ff };
	u32 mask = masks[test_rand_below(s, 4)];
	u32 prefix = (u32)test_rand(s);
	bool kv_mode = test_rand_below(s, 2);
	u32 blen = 64 + (u32)test_rand_below(s, 65536);
	u8 *seen = calloc(NK, 1), *buf = malloc(blen);
	struct host_buf h = { .buf = buf, .len = blen };
	u32 dw0, handle, i, rounds = 0;
	u16 sc;

	if (mask)	/* a prefix that exists */
		prefix = get_le32(model[test_rand_below(s, NK)].key);
	sc = kv_iter_ctl(&e->kv, KV_ITER_OPT_OPEN | (kv_mode ? 8 : 4), 0, prefix,
			 mask, &handle);
	CHECK_EQ(sc, 0);
	for (;;) {
		u32 pos = 4, cnt;

		sc = kv_iter_rd(&e->kv, (u8)handle, &h, &dw0);
		if (sc == 0x393 || ++rounds > 100000)
			break;
		if (sc == 0x301 && kv_mode) {	/* a value larger than the buffer */
			free(buf);
			blen = MAXV_R + 64;
			h.buf = buf = malloc(blen);
			h.len = blen;
			continue;
		}
		CHECK_EQ(sc, 0);
		if (sc)
			break;
		cnt = get_le32(buf);
		CHECK(dw0 <= blen, "iterate dw0 %u > %u", dw0, blen);
		for (i = 0; i < cnt && pos + 4 <= dw0; i++) {
			u32 kl = get_le32(buf + pos), id, vs;

			pos += 4;
			for (id = 0; id < NK; id++)
				if (model[id].present && model[id].klen == kl &&
				    !memcmp(model[id].key, buf + pos, kl))
					break;
			CHECK(id < NK, "iterate returned an unknown key");
			pos += (kl + 3) & ~3u;
			if (id < NK) {
				CHECK(!seen[id], "key %u twice", id);
				seen[id] = 1;
			}
			if (!kv_mode)
				continue;
			vs = get_le32(buf + pos);
			pos += 4;
			if (id < NK)
				CHECK(vs == model[id].size &&
				      !memcmp(buf + pos, model[id].val, vs),
				      "iterate value of %u", id);
			pos += (vs + 3) & ~3u;
		}
		CHECK(i == cnt && pos == dw0, "iterate buffer layout %u/%u %u/%u",
		      i, cnt, pos, dw0);
	}
	for (i = 0; i < NK; i++) {
		bool match = model[i].present &&
			     ((get_le32(model[i].key) & mask) == (prefix & mask));

		CHECK(seen[i] == match, "iterate key %u: seen %u match %u", i,
		      seen[i], match);
	}
	CHECK_EQ(kv_iter_ctl(&e->kv, KV_ITER_OPT_CLOSE, (u8)handle, 0, 0, &dw0), 0);
	free(seen);
	free(buf);
}

static void test_random(u64 nops)
{
	struct kv_env e;
	struct rstats rs = { 0 };
	struct kv_stats st;
	u64 s = 0xfeed, op;
	unsigned long fail0 = test_failures;
	double t0 = test_now();
	u32 i;

	model_init(&s);
	for (i = 0; i < NK; i++)
		CHECK(!model_dup(i) || (model[i].klen = 0, 1) || 1, "dup");
	/* 8 MiB log of 64 KiB segments */
	CHECK_EQ(kv_env_init(&e, 8 << 20, 64 << 10, MAXV_R, MAXK), 0);
	for (op = 0; op < nops; op++) {
		int phase = (int)((op / 50000) % 4);	/* normal, fill, normal, drain */
		enum kv_coding c = test_rand_below(&s, 2) ? KV_CODING_SAMSUNG :
							    KV_CODING_BYTES;
		u32 id = (u32)test_rand_below(&s, NK);
		u32 r = (u32)test_rand_below(&s, 100);
		bool fail = test_rand_below(&s, 200) == 0;

		if (!model[id].klen || (model_dup(id) && (model[id].klen = 0, 1)))
			continue;
		rs.ops++;
		if (fail)
			rs.dma++;
		if (phase == 1 && r < 80)
			r_store(&e, &s, &rs, id, c, phase, fail);
		else if (phase == 3 && r < 60)
			r_delete_exist(&e, id, c, KV_OP_DELETE);
		else if (r < 35)
			r_store(&e, &s, &rs, id, c, phase, fail);
		else if (r < 45)
			r_append(&e, &s, &rs, id, c, fail);
		else if (r < 75)
			r_retrieve(&e, &s, id, c, fail);
		else if (r < 88)
			r_delete_exist(&e, id, c, KV_OP_DELETE);
		else
			r_delete_exist(&e, id, c, KV_OP_EXIST);
		if (op % 25000 == 0)
			r_iterate(&e, &s);
		if (op % 10000 == 0) {
			CHECK_EQ(log_check(&e.kv.log), 0);
			CHECK_EQ(kv_rebuild_diff(&e.kv), 0);
			CHECK_EQ(e.kv.map.nkeys, model_keys);
		}
		if (test_failures - fail0 > 20)
			break;
	}
	for (i = 0; i < NK; i++)
		if (model[i].klen)
			r_retrieve(&e, &s, i, KV_CODING_BYTES, false);
	CHECK_EQ(log_check(&e.kv.log), 0);
	CHECK_EQ(kv_rebuild_diff(&e.kv), 0);
	rs.mismatches = test_failures - fail0;
	kv_get_stats(&e.kv, &st);
	printf("  random: %llu ops in %.1f s, %llu mismatches; 0x312: %llu log full, %llu index full; %llu stores succeeded after the first log-full; %llu DMA errors injected\n",
	       (unsigned long long)rs.ops, test_now() - t0,
	       (unsigned long long)rs.mismatches, (unsigned long long)rs.log_full,
	       (unsigned long long)rs.index_full,
	       (unsigned long long)rs.stores_after_full, (unsigned long long)rs.dma);
	printf("  random: log %llu B, user bytes %llu, gc runs %llu, moved %llu, forced %llu, keys %llu\n",
	       (unsigned long long)st.log.capacity, (unsigned long long)st.log.user_bytes,
	       (unsigned long long)st.log.gc_runs, (unsigned long long)st.log.gc_bytes_moved,
	       (unsigned long long)st.log.gc_forced, (unsigned long long)st.keys);
	CHECK(rs.ops >= nops * 9 / 10, "ops %llu", (unsigned long long)rs.ops);
	CHECK(rs.log_full > 0 && rs.index_full > 0 && rs.stores_after_full > 0,
	      "full phases exercised");
	kv_env_free(&e);
	for (i = 0; i < NK; i++)
		free(model[i].val);
	free(model);
}

/*
 * Format (issue 14): a store with keys, an open iterator and counters is
 * emptied as at init; it works again afterwards; a scan of the log finds no
 * old record either way; with erase_log every byte of the log is zero.
 */
static bool all_zero(const u8 *p, u64 len)
{
	u64 i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void format_case(bool erase_log)
{
	struct kv_config cfg = { 0 };
	struct kv_store kv;
	struct kv_stats st;
	u64 log_size = 32 << 20;
	size_t ib = hash_map_mem_bytes(1000);
	u8 *log = aligned_alloc(4096, log_size), *idx = malloc(ib);
	u8 key[4], buf[3000];
	struct host_buf h = { .buf = buf, .len = sizeof(buf) };
	u32 dw0, i;

	memset(log, 0xa5, log_size);
	cfg.log_base = log;
	cfg.log_size = log_size;
	cfg.seg_size = 1 << 20;
	cfg.max_value = 65536;
	cfg.index_mem = idx;
	cfg.index_bytes = ib;
	cfg.max_keys = 1000;
	cfg.seed = 7;
	CHECK_EQ(kv_store_init(&kv, &cfg), 0);
	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < 500; i++) {
		memcpy(key, &i, 4);
		CHECK_EQ(kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_STORE, key, 4,
				    0, 0, &h, &dw0), 0);
	}
	CHECK_EQ(kv_iter_ctl(&kv, KV_ITER_OPT_OPEN | KV_ITER_OPT_KEY, 1, 0, 0,
			     &dw0), 0);
	kv_get_stats(&kv, &st);
	CHECK(st.keys == 500 && st.ops[KV_STAT_STORE] == 500, "before: %llu keys",
	      (unsigned long long)st.keys);

	CHECK_EQ(kv_store_format(&kv, &cfg, erase_log), 0);
	kv_get_stats(&kv, &st);
	CHECK(st.keys == 0 && st.ops[KV_STAT_STORE] == 0 &&
		      st.log.live_bytes == 0 && st.log.records_written == 0,
	      "after format: %llu keys, %llu stores, %llu live bytes",
	      (unsigned long long)st.keys,
	      (unsigned long long)st.ops[KV_STAT_STORE],
	      (unsigned long long)st.log.live_bytes);
	CHECK_EQ(st.log.free_segs, st.log.nsegs);
	CHECK_EQ(kv_rebuild_diff(&kv), 0);
	CHECK_EQ(erase_log, all_zero(log, log_size));
	CHECK(all_zero(idx, ib), "index zeroed");
	memcpy(key, &(u32){ 7 }, 4);
	CHECK_EQ(kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_EXIST, key, 4, 0, 0,
			    &h, &dw0), KV_SC_KEY_NOT_EXIST);
	/* the iterator was closed: handle 1 opens again */
	CHECK_EQ(kv_iter_ctl(&kv, KV_ITER_OPT_OPEN | KV_ITER_OPT_KEY, 1, 0, 0,
			     &dw0), 0);
	CHECK_EQ(kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_STORE, key, 4, 0, 0,
			    &h, &dw0), 0);
	CHECK_EQ(kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_RETRIEVE, key, 4, 0, 0,
			    &h, &dw0), 0);
	CHECK_EQ(dw0, sizeof(buf));
	kv_get_stats(&kv, &st);
	CHECK(st.keys == 1 && st.ops[KV_STAT_STORE] == 1, "after: %llu keys",
	      (unsigned long long)st.keys);
	kv_store_destroy(&kv);
	free(log);
	free(idx);
}

static void test_format(void)
{
	format_case(false);
	format_case(true);
}

int main(int argc, char **argv)
{
	u64 nops = argc > 1 ? strtoull(argv[1], NULL, 0) : 1100000;

	test_init();
	test_basic();
	test_format();
	test_random(nops);
	return test_report("test_kv_semantics");
}
