// SPDX-License-Identifier: GPL-2.0
/*
 * test_hash_map.c - the KV index: return codes, forced collisions with
 * deletes inside chains (and across the table's wrap-around), a random run
 * against a model, walks while keys are deleted and inserted (never a key
 * twice, never a key present throughout missed), and 10 M keys.
 */
#include "hash_map.h"
#include "test_util.h"

struct map {
	struct hash_map hm;
	void *mem;
};

static void map_new(struct map *m, u64 max_keys, hm_hash_fn fn)
{
	size_t bytes = hash_map_mem_bytes(max_keys);

	m->mem = malloc(bytes);
	CHECK(m->mem, "malloc %zu", bytes);
	CHECK_EQ(hash_map_init(&m->hm, m->mem, bytes, max_keys, 0x1234), 0);
	hash_map_set_hash(&m->hm, fn);
}

static void map_free(struct map *m)
{
	free(m->mem);
}

/* key i: 1..16 bytes, distinct for distinct i */
static u8 key_of(u64 i, u8 *k)
{
	u8 len = 8 + (u8)(i % 9);

	memset(k, 0, 16);
	memcpy(k, &i, 8);
	k[8] = 0xa5;
	return len;
}

static u64 hash_const(const u8 key[16], u8 klen, u64 seed)
{
	(void)key; (void)klen; (void)seed;
	return 0x8000000000000000ULL;		/* everything in one chain */
}

static u64 hash_last(const u8 key[16], u8 klen, u64 seed)
{
	(void)klen; (void)seed;
	/* four homes at the very end: the cluster wraps to slot 0 */
	return 0xffffffff00000000ULL - ((u64)(key[0] & 3) << 32);
}

static u64 hash_few(const u8 key[16], u8 klen, u64 seed)
{
	(void)klen; (void)seed;
	return (u64)(key[0] % 16) << 60;	/* 16 homes, long interleaved runs */
}

static void test_basics(void)
{
	struct map m;
	u8 k[16] = "abc";
	u64 off;
	u32 vs;

	CHECK_EQ(hash_map_mem_bytes(0), 0);
	CHECK_EQ(hash_map_mem_bytes(HM_MAX_KEYS + 1), 0);
	for (off = 1; off < 100000000; off = off * 3 + 1)
		CHECK(hash_map_mem_bytes(off) <= 48 * off + 64,
		      "%llu keys: %zu bytes", (unsigned long long)off,
		      hash_map_mem_bytes(off));

	map_new(&m, 3, NULL);
	CHECK_EQ(hash_map_init(&m.hm, m.mem, hash_map_mem_bytes(3) - 1, 3, 0),
		 -EINVAL);
	CHECK_EQ(hash_map_init(&m.hm, m.mem, hash_map_mem_bytes(3), 3, 0), 0);
	CHECK_EQ(hash_map_lookup(&m.hm, k, 3, &off, &vs), -ENOENT);
	CHECK_EQ(hash_map_insert(&m.hm, k, 0, 1, 1), -EINVAL);
	CHECK_EQ(hash_map_insert(&m.hm, k, 17, 1, 1), -EINVAL);
	CHECK_EQ(hash_map_insert(&m.hm, k, 3, 100, 7), 0);
	CHECK_EQ(hash_map_insert(&m.hm, k, 3, 100, 7), -EEXIST);
	CHECK_EQ(hash_map_lookup(&m.hm, k, 3, &off, &vs), 0);
	CHECK(off == 100 && vs == 7, "lookup value");
	/* "abc" and "abc\0" are different keys */
	CHECK_EQ(hash_map_lookup(&m.hm, k, 4, &off, &vs), -ENOENT);
	CHECK_EQ(hash_map_insert(&m.hm, k, 4, 200, 8), 0);
	CHECK_EQ(hash_map_update(&m.hm, k, 3, 300, 9), 0);
	CHECK_EQ(hash_map_lookup(&m.hm, k, 3, &off, &vs), 0);
	CHECK(off == 300 && vs == 9, "updated");
	CHECK_EQ(hash_map_update(&m.hm, (const u8 *)"zz", 2, 1, 1), -ENOENT);
	CHECK_EQ(hash_map_insert(&m.hm, (const u8 *)"0123456789abcdef", 16, 1, 1), 0);
	/* full at max_keys: -ENOSPC, no loop */
	CHECK_EQ(hash_map_insert(&m.hm, (const u8 *)"x", 1, 1, 1), -ENOSPC);
	CHECK_EQ(hash_map_delete(&m.hm, k, 4, &off, &vs), 0);
	CHECK(off == 200 && vs == 8, "delete returns old");
	CHECK_EQ(hash_map_delete(&m.hm, k, 4, NULL, NULL), -ENOENT);
	CHECK_EQ(hash_map_insert(&m.hm, (const u8 *)"x", 1, 1, 1), 0);
	CHECK_EQ(m.hm.nkeys, 3);
	map_free(&m);
}

/* After every delete, every remaining key is still found. */
static void chain_run(hm_hash_fn fn, u64 n, u64 seed)
{
	struct map m;
	u8 *gone = calloc(n, 1);
	u64 i, r, off, s = seed;
	u8 k[16], len;

	map_new(&m, n, fn);
	for (i = 0; i < n; i++) {
		len = key_of(i, k);
		CHECK_EQ(hash_map_insert(&m.hm, k, len, i, (u32)i), 0);
	}
	for (r = 0; r < n; r++) {
		do
			i = test_rand_below(&s, n);
		while (gone[i]);
		len = key_of(i, k);
		CHECK_EQ(hash_map_delete(&m.hm, k, len, &off, NULL), 0);
		CHECK_EQ(off, i);
		gone[i] = 1;
		/* every other key, every few deletes (quadratic otherwise) */
		if (r % 7 && r < n - 8)
			continue;
		for (i = 0; i < n; i++) {
			len = key_of(i, k);
			CHECK(hash_map_lookup(&m.hm, k, len, &off, NULL) ==
			      (gone[i] ? -ENOENT : 0), "key %llu after %llu deletes",
			      (unsigned long long)i, (unsigned long long)r);
		}
		/* and deleted keys can come back */
		if (r == n / 2) {
			for (i = 0; i < n; i++) {
				if (!gone[i])
					continue;
				len = key_of(i, k);
				CHECK_EQ(hash_map_insert(&m.hm, k, len, i, 0), 0);
				gone[i] = 0;
			}
		}
	}
	CHECK_EQ(m.hm.nkeys, 0);
	for (i = 0; i < m.hm.nslots; i++)
		CHECK(!m.hm.slots[i].klen, "slot %llu not empty", (unsigned long long)i);
	map_free(&m);
	free(gone);
}

static void test_forced_collisions(void)
{
	chain_run(hash_const, 300, 1);
	chain_run(hash_last, 300, 2);
	chain_run(hash_few, 600, 3);
	chain_run(NULL, 2000, 4);
}

/* Random operations against a direct-mapped model. */
static void test_random_model(hm_hash_fn fn)
{
	const u64 nk = 3000, maxk = 1000;
	struct map m;
	u64 *model = calloc(nk, sizeof(*model));	/* 0 = absent, else off+1 */
	u64 i, op, s = 99, present = 0, off;
	u8 k[16], len;
	int err;

	map_new(&m, maxk, fn);
	for (op = 0; op < 300000; op++) {
		i = test_rand_below(&s, nk);
		len = key_of(i, k);
		switch (test_rand_below(&s, 4)) {
		case 0:
			err = hash_map_insert(&m.hm, k, len, op, 1);
			if (model[i])
				CHECK_EQ(err, -EEXIST);
			else if (present == maxk)
				CHECK_EQ(err, -ENOSPC);
			else if (!err)
				model[i] = op + 1, present++;
			else
				CHECK_EQ(err, 0);
			break;
		case 1:
			err = hash_map_delete(&m.hm, k, len, &off, NULL);
			CHECK_EQ(err, model[i] ? 0 : -ENOENT);
			if (!err) {
				CHECK_EQ(off + 1, model[i]);
				model[i] = 0;
				present--;
			}
			break;
		case 2:
			err = hash_map_update(&m.hm, k, len, op, 2);
			CHECK_EQ(err, model[i] ? 0 : -ENOENT);
			if (!err)
				model[i] = op + 1;
			break;
		default:
			err = hash_map_lookup(&m.hm, k, len, &off, NULL);
			CHECK_EQ(err, model[i] ? 0 : -ENOENT);
			if (!err)
				CHECK_EQ(off + 1, model[i]);
		}
	}
	CHECK_EQ(m.hm.nkeys, present);
	map_free(&m);
	free(model);
}

/* Home slot of keys "A".."Z" in a map of 12 slots (max_keys 8): see below. */
#define ABC_SLOTS	12

static u64 hash_abc(const u8 key[16], u8 klen, u64 seed)
{
	/* A and C: home 1, B: home 2, others: 4 + (letter % 6) */
	u64 home = key[0] == 'A' || key[0] == 'C' ? 1 :
		   key[0] == 'B' ? 2 : 4 + key[0] % 6;

	(void)klen; (void)seed;
	/* the bucket is ((h >> 32) * nslots) >> 32: invert it */
	return ((home << 32) + ABC_SLOTS - 1) / ABC_SLOTS << 32;
}

/*
 * Issue 10, defect 2: A (home 1, slot 1), B (home 2, slot 2), C (home 1,
 * slot 3); after the walk returned two keys, the first is deleted and C
 * shifts back into slot 1. The slot-order walk moved its cursor back to C
 * and returned C and then B again. Every key exactly once.
 */
static void test_iterate_returned_key_deleted_returns_key_twice(void)
{
	const char *abc = "ABC";
	struct hm_entry e;
	struct hm_cursor cur;
	struct map m;
	u32 budget = 1000, seen[3] = { 0 };
	u8 first = 0;
	int i, err, got = 0;

	map_new(&m, 8, hash_abc);
	CHECK_EQ(m.hm.nslots, ABC_SLOTS);
	for (i = 0; i < 3; i++)
		CHECK_EQ(hash_map_insert(&m.hm, (const u8 *)abc + i, 1, i, 0), 0);
	/* the layout */
	CHECK(m.hm.slots[1].key[0] == 'A' && m.hm.slots[2].key[0] == 'B' &&
	      m.hm.slots[3].key[0] == 'C', "layout A B C in slots 1 2 3");
	hash_map_cursor_init(&m.hm, &cur);
	while ((err = hash_map_next(&m.hm, &cur, &budget, &e)) != -ENOENT) {
		CHECK_EQ(err, 0);
		if (err)
			break;
		CHECK(e.off < 3, "returned off %llu", (unsigned long long)e.off);
		seen[e.off % 3]++;
		if (++got == 1)
			first = e.key[0];
		if (got == 2)	/* delete the first key returned */
			CHECK_EQ(hash_map_delete(&m.hm, &first, 1, NULL, NULL), 0);
		if (got > 6)
			break;
	}
	for (i = 0; i < 3; i++)
		CHECK(seen[i] == 1, "key %c returned %u times", abc[i], seen[i]);
	map_free(&m);
}

/* Edges of the walk order: an empty map, a full budget of 0, the end. */
static void test_cursor_edges(void)
{
	struct hm_cursor cur, a, b;
	struct hm_entry e;
	struct map m;
	u32 budget = 0;

	map_new(&m, 8, hash_abc);
	hash_map_cursor_init(&m.hm, &cur);
	CHECK_EQ(hash_map_next(&m.hm, &cur, &budget, &e), -EAGAIN);
	budget = 3;
	CHECK_EQ(hash_map_next(&m.hm, &cur, &budget, &e), -EAGAIN);
	CHECK_EQ(budget, 0);
	budget = 100;
	CHECK_EQ(hash_map_next(&m.hm, &cur, &budget, &e), -ENOENT);
	CHECK_EQ(budget, 100 - (ABC_SLOTS - 3));	/* homes 3..11 */
	CHECK_EQ(hash_map_next(&m.hm, &cur, &budget, &e), -ENOENT);
	/* position order: home, then key length, then bytes */
	memset(&a, 0, sizeof(a));
	b = a;
	CHECK_EQ(hash_map_cursor_cmp(&a, &b), 0);
	b.klen = 1;
	CHECK(hash_map_cursor_cmp(&a, &b) < 0, "klen 0 first");
	a.home = 1;
	CHECK(hash_map_cursor_cmp(&a, &b) > 0, "home first");
	a = b;
	b.key[15] = 1;
	CHECK(hash_map_cursor_cmp(&a, &b) < 0 && hash_map_cursor_cmp(&b, &a) > 0,
	      "key bytes");
	map_free(&m);
}

enum {
	WALK_DEL_RETURNED = 1,	/* delete each key as it is returned */
	WALK_DEL_SEEN = 2,	/* others delete keys returned earlier */
	WALK_CHURN = 4,		/* others delete unseen keys, insert, reinsert */
};

/*
 * Walk while the map changes (@mode: WALK_*), against a model: no key is
 * returned twice, none that is absent, and every key present during the
 * whole walk is returned.
 */
static void test_cursor(hm_hash_fn fn, unsigned int mode, u64 seed)
{
	const u64 n = 2000, extra = 1000;
	struct map m;
	u8 *seen = calloc(n + extra, 1), *present = calloc(n + extra, 1);
	u8 *touched = calloc(n + extra, 1);
	u64 i, s = seed, steps = 0, id, added = 0, returned = 0;
	struct hm_cursor cur;
	struct hm_entry e;
	u8 k[16], len;
	int err;

	map_new(&m, n + extra, fn);
	for (i = 0; i < n; i++) {
		len = key_of(i, k);
		CHECK_EQ(hash_map_insert(&m.hm, k, len, i, 0), 0);
		present[i] = 1;
	}
	hash_map_cursor_init(&m.hm, &cur);
	for (;;) {
		u32 budget = 1 + (u32)test_rand_below(&s, 8);

		err = hash_map_next(&m.hm, &cur, &budget, &e);
		if (err == -ENOENT)
			break;
		CHECK(++steps < 100 * n, "cursor does not finish");
		if (steps >= 100 * n)
			break;
		if (err == -EAGAIN)
			continue;
		id = e.off;
		CHECK(id < n + extra && present[id], "returned absent key %llu",
		      (unsigned long long)id);
		CHECK(!seen[id], "key %llu returned twice", (unsigned long long)id);
		seen[id] = 1;
		returned++;
		if (mode & WALK_DEL_RETURNED) {
			CHECK_EQ(hash_map_delete(&m.hm, e.key, e.klen, NULL, NULL), 0);
			present[id] = 0;
			touched[id] = 1;
		}
		/* someone else deletes a key returned earlier */
		i = test_rand_below(&s, n + added);
		if ((mode & WALK_DEL_SEEN) && seen[i] && present[i] &&
		    test_rand_below(&s, 2) == 0) {
			len = key_of(i, k);
			CHECK_EQ(hash_map_delete(&m.hm, k, len, NULL, NULL), 0);
			present[i] = 0;
			touched[i] = 1;
		}
		if (!(mode & WALK_CHURN))
			continue;
		/* ... deletes a random key, stores a new one, or an old again */
		i = test_rand_below(&s, n + added);
		len = key_of(i, k);
		if (present[i] && test_rand_below(&s, 3) == 0) {
			CHECK_EQ(hash_map_delete(&m.hm, k, len, NULL, NULL), 0);
			present[i] = 0;
			touched[i] = 1;
		} else if (!present[i] && m.hm.nkeys < n + extra) {
			CHECK_EQ(hash_map_insert(&m.hm, k, len, i, 0), 0);
			present[i] = 1;
			touched[i] = 1;
		}
		if (added < extra && m.hm.nkeys < n + extra &&
		    test_rand_below(&s, 2) == 0) {
			len = key_of(n + added, k);
			CHECK_EQ(hash_map_insert(&m.hm, k, len, n + added, 0), 0);
			present[n + added] = 1;
			touched[n + added] = 1;
			added++;
		}
	}
	for (i = 0; i < n; i++)
		CHECK(seen[i] || touched[i],
		      "key %llu present throughout but missed",
		      (unsigned long long)i);
	if (mode == WALK_DEL_RETURNED)
		CHECK_EQ(m.hm.nkeys, 0);
	if (!mode)
		CHECK_EQ(returned, n);
	/* a finished walk stays finished */
	{
		u32 budget = 100;

		CHECK_EQ(hash_map_next(&m.hm, &cur, &budget, &e), -ENOENT);
	}
	map_free(&m);
	free(seen);
	free(present);
	free(touched);
}

static void probe_stats(const struct hash_map *hm, u64 *maxd, double *mean)
{
	u64 i, sum = 0, n = 0;

	*maxd = 0;
	for (i = 0; i < hm->nslots; i++) {
		const struct hm_slot *s = &hm->slots[i];
		u64 home, d;

		if (!s->klen)
			continue;
		home = hash_map_home(hm, s->key, s->klen);
		d = i >= home ? i - home : i + hm->nslots - home;
		sum += d + 1;
		n++;
		if (d + 1 > *maxd)
			*maxd = d + 1;
	}
	*mean = n ? (double)sum / n : 0;
}

static void test_10m(void)
{
	const u64 n = 10000000;
	struct map m;
	double t0, t_ins, t_look, t_del, mean;
	u64 i, off, maxd;
	u8 k[16], len;

	t0 = test_now();
	map_new(&m, n, NULL);
	for (i = 0; i < n; i++) {
		len = key_of(i, k);
		if (hash_map_insert(&m.hm, k, len, i, 0))
			CHECK(0, "insert %llu", (unsigned long long)i);
	}
	t_ins = test_now() - t0;
	len = key_of(n, k);
	CHECK_EQ(hash_map_insert(&m.hm, k, len, n, 0), -ENOSPC);
	probe_stats(&m.hm, &maxd, &mean);
	printf("  10M keys: %.1f bytes/key, insert %.2f s (%.0f ns/op), longest probe %u, mean hit probe %.2f\n",
	       (double)hash_map_mem_bytes(n) / n, t_ins, t_ins * 1e9 / n,
	       m.hm.longest_probe, mean);
	CHECK(mean < 3.0, "mean probe %.2f", mean);
	/* linear probing at 75 %: max ~ ln(n) / (a - 1 - ln a) ~ 430 */
	CHECK(maxd < 1000, "max probe %llu", (unsigned long long)maxd);
	CHECK(hash_map_mem_bytes(n) <= 48 * n, "bytes per key");

	t0 = test_now();
	for (i = 0; i < n; i++) {
		len = key_of(i, k);
		if (hash_map_lookup(&m.hm, k, len, &off, NULL) || off != i)
			CHECK(0, "lookup %llu", (unsigned long long)i);
	}
	t_look = test_now() - t0;
	t0 = test_now();
	for (i = 0; i < n; i += 2) {
		len = key_of(i, k);
		if (hash_map_delete(&m.hm, k, len, NULL, NULL))
			CHECK(0, "delete %llu", (unsigned long long)i);
	}
	t_del = test_now() - t0;
	for (i = 0; i < n; i++) {
		len = key_of(i, k);
		if (hash_map_lookup(&m.hm, k, len, NULL, NULL) != ((i & 1) ? 0 : -ENOENT))
			CHECK(0, "after delete %llu", (unsigned long long)i);
	}
	/* refill to the maximum with new keys: still O(1) after churn */
	for (i = n; i < n + n / 2; i++) {
		len = key_of(i, k);
		if (hash_map_insert(&m.hm, k, len, i, 0))
			CHECK(0, "reinsert %llu", (unsigned long long)i);
	}
	probe_stats(&m.hm, &maxd, &mean);
	printf("  10M keys: lookup %.0f ns/op, delete %.0f ns/op; after churn longest %llu, mean %.2f\n",
	       t_look * 1e9 / n, t_del * 1e9 / (n / 2), (unsigned long long)maxd, mean);
	CHECK(mean < 3.0, "mean probe after churn %.2f", mean);
	map_free(&m);
}

int main(void)
{
	test_basics();
	test_forced_collisions();
	test_random_model(NULL);
	test_random_model(hash_few);
	test_random_model(hash_last);
	test_iterate_returned_key_deleted_returns_key_twice();
	test_cursor_edges();
	{
		static const hm_hash_fn fns[] = { NULL, hash_few, hash_last,
						  hash_const };
		unsigned int f, mode;

		for (f = 0; f < ARRAY_SIZE(fns); f++)
			for (mode = 0; mode < 8; mode++)
				test_cursor(fns[f], mode, 5 + mode);
	}
	test_10m();
	return test_report("test_hash_map");
}
