// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_iterate.c - iterate open/read/close over 10^5 keys: a prefix
 * and bitmask return exactly the matching set (each key once, in keys-only
 * and key+value form, through buffers of many sizes), the delete option
 * removes exactly that set, work per read is bounded, and every handle
 * error gives its status.
 */
#include "kv_harness.h"

#define N 100000
#define NPREFIX 16

static u8 key_of(u32 id, u8 *k)
{
	u32 p = id % NPREFIX;

	memset(k, 0, 16);
	k[0] = 'p';
	k[1] = (u8)('a' + p);
	k[2] = (u8)p * 17;	/* 3rd byte differs too: masks can pick it */
	k[3] = '-';
	memcpy(k + 4, &id, 4);
	return 8 + id % 9;
}

static void val_of(u32 id, u8 *v, u32 *len)
{
	u32 i;

	*len = 1 + id % 37;
	for (i = 0; i < *len; i++)
		v[i] = (u8)(id + i);
}

static void load(struct kv_env *e, u32 n)
{
	u8 k[16], v[64];
	struct host_buf h = { .buf = v };
	u32 id, dw0;

	for (id = 0; id < n; id++) {
		u8 kl = key_of(id, k);

		val_of(id, v, &h.len);
		CHECK_EQ(kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_STORE, k, kl, 0, 0,
				    &h, &dw0), 0);
	}
}

/* Run one iteration to the end; returns reads; seen[id] counts returns. */
static u32 walk(struct kv_env *e, u8 option, u32 prefix, u32 mask, u32 blen,
		u8 *seen)
{
	u8 *buf = malloc(blen);
	struct host_buf h = { .buf = buf, .len = blen };
	u32 handle, dw0, reads = 0;
	u16 sc;

	CHECK_EQ(kv_iter_ctl(&e->kv, KV_ITER_OPT_OPEN | option, 0, prefix, mask,
			     &handle), 0);
	for (;;) {
		u32 pos = 4, cnt, i;

		memset(buf, 0xee, blen);
		sc = kv_iter_rd(&e->kv, (u8)handle, &h, &dw0);
		if (sc == 0x393)
			break;
		CHECK_EQ(sc, 0);
		if (sc || ++reads > 10 * N)
			break;
		CHECK(dw0 >= 4 && dw0 <= blen, "dw0 %u", dw0);
		cnt = get_le32(buf);
		for (i = 0; i < cnt; i++) {
			u32 kl = get_le32(buf + pos), id, vl, j;
			u8 k[16], v[64];

			pos += 4;
			memcpy(&id, buf + pos + 4, 4);
			CHECK(kl <= 16 && id < N && key_of(id, k) == kl &&
			      !memcmp(k, buf + pos, kl), "entry %u key", i);
			for (j = kl; j < ((kl + 3) & ~3u); j++)
				CHECK(!buf[pos + j], "key padding not zero");
			pos += (kl + 3) & ~3u;
			if (id < N)
				seen[id]++;
			if (!(option & KV_ITER_OPT_KEY_VALUE))
				continue;
			val_of(id, v, &vl);
			CHECK(get_le32(buf + pos) == vl &&
			      !memcmp(buf + pos + 4, v, vl), "entry %u value", i);
			pos += 4 + ((vl + 3) & ~3u);
		}
		CHECK_EQ(pos, dw0);
		if (dw0 < blen)
			CHECK(buf[dw0] == 0xee, "wrote past dw0");
	}
	CHECK_EQ(kv_iter_ctl(&e->kv, KV_ITER_OPT_CLOSE, (u8)handle, 0, 0, &dw0), 0);
	free(buf);
	return reads;
}

static bool key_matches(u32 id, u32 prefix, u32 mask)
{
	u8 k[16];

	key_of(id, k);
	return (get_le32(k) & mask) == (prefix & mask);
}

static void check_set(const u8 *seen, u32 prefix, u32 mask, const char *what)
{
	u32 id, bad = 0, n = 0;

	for (id = 0; id < N; id++) {
		u8 want = key_matches(id, prefix, mask);

		n += want;
		if (seen[id] != want && bad++ < 5)
			CHECK(0, "%s: key %u seen %u times, want %u", what, id,
			      seen[id], want);
	}
	CHECK(!bad, "%s: %u keys wrong of %u matching", what, bad, n);
}

static void test_sets(struct kv_env *e)
{
	static const struct { u32 mask; u32 blen; u8 opt; } c[] = {
		{ 0xffffffff, 4096, KV_ITER_OPT_KEY },
		{ 0xffffffff, 24, KV_ITER_OPT_KEY },	/* one key per read */
		{ 0x0000ffff, 65536, KV_ITER_OPT_KEY },
		{ 0x00ff0000, 999, KV_ITER_OPT_KEY_VALUE },
		{ 0, 2 << 20, KV_ITER_OPT_KEY },	/* everything */
		{ 0, 100000, KV_ITER_OPT_KEY_VALUE },
		{ 0xffffffff, 4096, 0 },		/* neither bit: keys only */
	};
	u8 *seen = malloc(N);
	u8 k[16];
	size_t i;

	key_of(5, k);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		u32 prefix = get_le32(k), reads;
		char what[64];

		memset(seen, 0, N);
		reads = walk(e, c[i].opt, prefix, c[i].mask, c[i].blen, seen);
		snprintf(what, sizeof(what), "mask %#x buf %u opt %#x", c[i].mask,
			 c[i].blen, c[i].opt);
		check_set(seen, prefix, c[i].mask, what);
		printf("  %s: %u reads\n", what, reads);
		/* the index has > 65536 slots: one read never scans them all */
		CHECK(reads >= 2, "%s: bounded work per read", what);
	}
	free(seen);
}

static void test_delete_option(struct kv_env *e)
{
	u8 *seen = calloc(N, 1), k[16];
	struct host_buf h = { 0 };
	u32 prefix, id, dw0;

	key_of(3, k);
	prefix = get_le32(k);
	walk(e, KV_ITER_OPT_KEY | KV_ITER_OPT_DELETE, prefix, 0xffffffff, 512, seen);
	check_set(seen, prefix, 0xffffffff, "delete option");
	for (id = 0; id < N; id++) {
		u8 kl = key_of(id, k);
		u16 want = key_matches(id, prefix, 0xffffffff) ? 0x310 : 0;
		u16 sc = kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_EXIST, k, kl, 0,
				    0, &h, &dw0);

		if (sc != want) {
			CHECK(0, "key %u after delete option: %#x", id, sc);
			break;
		}
	}
	memset(seen, 0, N);
	walk(e, KV_ITER_OPT_KEY, prefix, 0xffffffff, 4096, seen);
	for (id = 0; id < N; id++)
		if (seen[id]) {
			CHECK(0, "deleted key %u still iterated", id);
			break;
		}
	CHECK_EQ(log_check(&e->kv.log), 0);
	free(seen);
}

static void test_handles(struct kv_env *e)
{
	u8 buf[64];
	struct host_buf h = { .buf = buf, .len = sizeof(buf) };
	u32 dw0, i, hd[KV_MAX_ITERATORS];

	for (i = 0; i < KV_MAX_ITERATORS; i++) {
		CHECK_EQ(kv_iter_ctl(&e->kv, 0x05, 0, 0, 0, &hd[i]), 0);
		CHECK(hd[i] >= 1 && hd[i] <= 16, "handle %u", hd[i]);
	}
	CHECK_EQ(kv_iter_ctl(&e->kv, 0x05, 0, 0, 0, &dw0), 0x390);	/* too many */
	CHECK_EQ(kv_iter_ctl(&e->kv, 0x02, (u8)hd[4], 0, 0, &dw0), 0);
	CHECK_EQ(kv_iter_ctl(&e->kv, 0x02, (u8)hd[4], 0, 0, &dw0), 0x390); /* twice */
	CHECK_EQ(kv_iter_rd(&e->kv, (u8)hd[4], &h, &dw0), 0x390);		/* closed */
	CHECK_EQ(kv_iter_ctl(&e->kv, 0x05, 0, 0, 0, &dw0), 0);
	CHECK_EQ(dw0, hd[4]);
	CHECK_EQ(kv_iter_rd(&e->kv, 0, &h, &dw0), 0x390);
	CHECK_EQ(kv_iter_rd(&e->kv, 17, &h, &dw0), 0x390);
	/* too small for any entry (the shortest, an 8-byte key, needs 16) */
	h.len = 15;
	CHECK_EQ(kv_iter_rd(&e->kv, (u8)hd[0], &h, &dw0), 0x301);
	h.len = 4;
	CHECK_EQ(kv_iter_rd(&e->kv, (u8)hd[0], &h, &dw0), 0x301);
	for (i = 0; i < KV_MAX_ITERATORS; i++)
		CHECK_EQ(kv_iter_ctl(&e->kv, 0x02, (u8)hd[i], 0, 0, &dw0), 0);
}

static void test_empty(void)
{
	struct kv_env e;
	u8 buf[16];
	struct host_buf h = { .buf = buf, .len = sizeof(buf) };
	u32 hd, dw0;

	CHECK_EQ(kv_env_init(&e, 16 << 20, 1 << 20, 4096, 10), 0);
	CHECK_EQ(kv_iter_ctl(&e.kv, 0x09, 0, 0, 0, &hd), 0);
	CHECK_EQ(kv_iter_rd(&e.kv, (u8)hd, &h, &dw0), 0x393);
	CHECK_EQ(kv_iter_rd(&e.kv, (u8)hd, &h, &dw0), 0x393);	/* stays ended */
	CHECK_EQ(kv_iter_ctl(&e.kv, 0x02, (u8)hd, 0, 0, &dw0), 0);
	kv_env_free(&e);
}

/* Parse one read's output (keys only, key_of() keys) into ids; -1: bad. */
static int read_ids(const u8 *buf, u32 dw0, u32 *ids, u32 max)
{
	u32 cnt = get_le32(buf), pos = 4, i;

	if (cnt > max)
		return -1;
	for (i = 0; i < cnt; i++) {
		u32 kl = get_le32(buf + pos), id;
		u8 k[16];

		if (pos + 4 + ((kl + 3) & ~3u) > dw0 || kl < 8 || kl > 16)
			return -1;
		memcpy(&id, buf + pos + 8, 4);
		if (id >= N || key_of(id, k) != kl || memcmp(k, buf + pos + 4, kl))
			return -1;
		ids[i] = id;
		pos += 4 + ((kl + 3) & ~3u);
	}
	return pos == dw0 ? (int)cnt : -1;
}

static u16 kv_delete_id(struct kv_env *e, u32 id)
{
	struct host_buf h = { 0 };
	u8 k[16], kl = key_of(id, k);
	u32 dw0;

	return kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_DELETE, k, kl, 0, 0, &h,
			  &dw0);
}

static u16 kv_exist_id(struct kv_env *e, u32 id)
{
	struct host_buf h = { 0 };
	u8 k[16], kl = key_of(id, k);
	u32 dw0;

	return kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_EXIST, k, kl, 0, 0, &h,
			  &dw0);
}

static u64 hash_abc(const u8 key[16], u8 klen, u64 seed)
{
	/* A and C: home 1, B: home 2 of a 12-slot index (max_keys 8) */
	u64 home = key[0] == 'B' ? 2 : 1;

	(void)klen; (void)seed;
	return ((home << 32) + 11) / 12 << 32;
}

/*
 * Issue 10, defect 2, through the commands: A (home 1, slot 1), B (home
 * 2, slot 2), C (home 1, slot 3); a read returns two keys, the host
 * deletes the first with an ordinary Delete, C shifts back into slot 1 and
 * the next read returned C and then B a second time.
 */
static void test_iterate_returned_key_deleted_returns_key_twice(void)
{
	u8 buf[64], abc[] = "ABC";
	struct host_buf h = { .buf = buf };
	u32 hd, dw0, i, seen[3] = { 0 }, reads = 0, first = 0;
	struct kv_env e;
	u16 sc;

	CHECK_EQ(kv_env_init(&e, 16 << 20, 1 << 20, 4096, 8), 0);
	hash_map_set_hash(&e.kv.map, hash_abc);
	CHECK_EQ(e.kv.map.nslots, 12);
	for (i = 0; i < 3; i++) {
		h.len = 1;
		CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_STORE, abc + i, 1,
				    0, 0, &h, &dw0), 0);
	}
	CHECK(e.kv.map.slots[1].key[0] == 'A' && e.kv.map.slots[2].key[0] == 'B' &&
	      e.kv.map.slots[3].key[0] == 'C', "layout A B C in slots 1 2 3");
	CHECK_EQ(kv_iter_ctl(&e.kv, KV_ITER_OPT_OPEN | KV_ITER_OPT_KEY, 0, 0, 0,
			     &hd), 0);
	for (h.len = 4 + 2 * 8;; h.len = sizeof(buf)) {	/* two keys, then all */
		u32 cnt, pos = 4;

		sc = kv_iter_rd(&e.kv, (u8)hd, &h, &dw0);
		if (sc == 0x393 || ++reads > 10)
			break;
		CHECK_EQ(sc, 0);
		cnt = get_le32(buf);
		for (i = 0; i < cnt; i++, pos += 8) {
			u8 c = buf[pos + 4];

			CHECK(get_le32(buf + pos) == 1 && c >= 'A' && c <= 'C',
			      "entry %u", i);
			if (c >= 'A' && c <= 'C')
				seen[c - 'A']++;
			if (reads == 1 && i == 0)
				first = c;
		}
		if (reads == 1) {	/* delete the first key returned */
			h.len = 0;
			CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES, KV_OP_DELETE,
					    (u8 *)&first, 1, 0, 0, &h, &dw0), 0);
		}
	}
	for (i = 0; i < 3; i++)
		CHECK(seen[i] == 1, "key %c returned %u times", abc[i], seen[i]);
	CHECK_EQ(kv_iter_ctl(&e.kv, KV_ITER_OPT_CLOSE, (u8)hd, 0, 0, &dw0), 0);
	kv_env_free(&e);
}

/*
 * The pattern: kv_max_keys 20000, 15000 keys, read 4 KiB at a
 * time, delete every other returned key with an ordinary Delete; with
 * @others, someone else also deletes and stores keys between reads. No
 * key twice, every key present throughout returned, every Delete of a
 * returned key succeeds.
 */
static void iterate_delete_returned(bool others, u64 seed)
{
	const u32 nkeys = 15000, blen = 4096;
	u8 *seen = calloc(N, 1), *present = calloc(N, 1), *touched = calloc(N, 1);
	u8 *buf = malloc(blen);
	u32 *ids = malloc(blen / 4 * sizeof(*ids));
	struct host_buf h = { .buf = buf, .len = blen };
	u32 hd, dw0, id, returned = 0, dups = 0, missed = 0, reads = 0;
	u64 s = seed;
	struct kv_env e;
	u16 sc;

	CHECK_EQ(kv_env_init(&e, 64 << 20, 1 << 20, 65536, 20000), 0);
	load(&e, nkeys);
	memset(present, 1, nkeys);
	CHECK_EQ(kv_iter_ctl(&e.kv, KV_ITER_OPT_OPEN | KV_ITER_OPT_KEY, 0, 0, 0,
			     &hd), 0);
	for (;;) {
		int cnt, i;

		sc = kv_iter_rd(&e.kv, (u8)hd, &h, &dw0);
		if (sc == 0x393 || ++reads > 10 * nkeys)
			break;
		CHECK_EQ(sc, 0);
		cnt = read_ids(buf, dw0, ids, blen / 4);
		CHECK(cnt >= 0, "read %u: malformed output", reads);
		for (i = 0; i < cnt; i++) {
			id = ids[i];
			CHECK(present[id], "returned absent key %u", id);
			if (seen[id]++)
				dups++;
			if (returned++ & 1) {
				CHECK_EQ(kv_delete_id(&e, id), 0);
				present[id] = 0;
				touched[id] = 1;
			}
		}
		if (!others)
			continue;
		for (i = 0; i < 20; i++) {
			id = (u32)test_rand_below(&s, nkeys + 2000);
			if (present[id]) {
				CHECK_EQ(kv_delete_id(&e, id), 0);
				present[id] = 0;
			} else if (e.kv.map.nkeys < 20000) {
				u8 k[16], v[64], kl = key_of(id, k);
				struct host_buf hv = { .buf = v };

				val_of(id, v, &hv.len);
				CHECK_EQ(kv_key_cmd(&e.kv, KV_CODING_BYTES,
						    KV_OP_STORE, k, kl, 0, 0, &hv,
						    &dw0), 0);
				present[id] = 1;
			}
			touched[id] = 1;
		}
	}
	for (id = 0; id < nkeys; id++)
		if (!touched[id] && !seen[id])
			missed++;
	for (id = 0; id < nkeys + 2000; id++)
		CHECK(!present[id] || !kv_exist_id(&e, id), "key %u lost", id);
	printf("  delete every other returned key%s: %u keys returned, %u twice, %u missed, %u reads\n",
	       others ? ", others delete/store" : "", returned, dups, missed,
	       reads);
	CHECK(!dups, "%u keys returned twice", dups);
	CHECK(!missed, "%u keys present throughout not returned", missed);
	CHECK_EQ(kv_iter_ctl(&e.kv, KV_ITER_OPT_CLOSE, (u8)hd, 0, 0, &dw0), 0);
	kv_env_free(&e);
	free(seen);
	free(present);
	free(touched);
	free(buf);
	free(ids);
}

/*
 * Issue 10, defect 3: an iterate read with the delete option deleted keys
 * as it staged them; when the host buffer turned out to be unwritable
 * (PRP1 refused: 0x004, retryable) 31 keys were gone, never delivered.
 * A failed read must change nothing: no key deleted, the cursor where it
 * was, so the retry returns the same keys. Also for a buffer whose later
 * page fails, and for reads without the delete option.
 */
static void test_iterate_delete_read_failed_copy_loses_keys(void)
{
	const u32 nkeys = 3000, blen = 4096;
	u8 *seen = calloc(N, 1), *buf = malloc(blen);
	u32 *ids = malloc(blen / 4 * sizeof(*ids));
	u32 hd, dw0, id, reads = 0, failed = 0, opt;
	struct kv_env e;

	for (opt = 0; opt < 2; opt++) {
		u8 option = KV_ITER_OPT_KEY | (opt ? KV_ITER_OPT_DELETE : 0);

		CHECK_EQ(kv_env_init(&e, 64 << 20, 1 << 20, 65536, nkeys), 0);
		load(&e, nkeys);
		memset(seen, 0, N);
		CHECK_EQ(kv_iter_ctl(&e.kv, KV_ITER_OPT_OPEN | option, 0, 0, 0,
				     &hd), 0);
		for (reads = 0; reads < 10 * nkeys; reads++) {
			struct host_buf h = { .buf = buf, .len = blen };
			u32 before = (u32)e.kv.map.nkeys;
			int cnt, i;
			u16 sc;

			/* every other read fails once: PRP1, or a later page */
			if (!(reads & 1)) {
				h.fail = reads % 4 == 0;
				h.fail_beyond = reads % 4 == 2 ? 1000 : 0;
				sc = kv_iter_rd(&e.kv, (u8)hd, &h, &dw0);
				CHECK_EQ(sc, KV_SC_DATA_XFER_ERROR);
				CHECK_EQ(e.kv.map.nkeys, before);
				failed++;
				h.fail = false;
				h.fail_beyond = 0;
			}
			sc = kv_iter_rd(&e.kv, (u8)hd, &h, &dw0);
			if (sc == 0x393)
				break;
			CHECK_EQ(sc, 0);
			cnt = read_ids(buf, dw0, ids, blen / 4);
			CHECK(cnt >= 0, "malformed output");
			for (i = 0; i < cnt; i++)
				seen[ids[i]]++;
		}
		for (id = 0; id < nkeys; id++) {
			if (seen[id] != 1) {
				CHECK(0, "option %#x: key %u returned %u times", option,
				      id, seen[id]);
				break;
			}
		}
		CHECK_EQ(e.kv.map.nkeys, opt ? 0 : nkeys);
		CHECK_EQ(log_check(&e.kv.log), 0);
		CHECK_EQ(kv_iter_ctl(&e.kv, KV_ITER_OPT_CLOSE, (u8)hd, 0, 0, &dw0), 0);
		kv_env_free(&e);
	}
	printf("  failed reads: %u, each retried: every key once, none lost\n",
	       failed);
	free(seen);
	free(buf);
	free(ids);
}

int main(void)
{
	struct kv_env e;

	CHECK_EQ(kv_env_init(&e, 64 << 20, 1 << 20, 65536, N + 10), 0);
	load(&e, N);
	test_handles(&e);
	test_sets(&e);
	test_delete_option(&e);
	kv_env_free(&e);
	test_empty();
	test_iterate_returned_key_deleted_returns_key_twice();
	iterate_delete_returned(false, 1);
	iterate_delete_returned(true, 2);
	iterate_delete_returned(true, 3);
	test_iterate_delete_read_failed_copy_loses_keys();
	return test_report("test_kv_iterate");
}
