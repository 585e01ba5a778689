// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_capacity.c - space comes back (DESIGN.md rule 7):
 *  - fill with values up to 2 MiB until 0x312; retrieve, exist and delete
 *    still work; after deletes, stores succeed again;
 *  - fill the index until 0x312; one delete makes room for one key;
 *  - churn: overwrite a working set of half the capacity until ten times
 *    the capacity has been written: no 0x312, every value intact;
 *  - the same at the smallest KV areas insmod accepts, against the capacity
 *    the device advertises (kv_capacity_bytes), live data kept at or below
 *    half of it (test_small_area_churn).
 */
#include "kv_harness.h"

#define POOL (8u << 20)
static u8 *pool;	/* values are windows of this random pool */

struct cval {
	u32 start, len;
	bool present;
};

static void pool_init(void)
{
	u64 s = 77;
	u32 i;

	pool = malloc(POOL);
	for (i = 0; i < POOL; i += 8) {
		u64 v = test_rand(&s);

		memcpy(pool + i, &v, 8);
	}
}

static u8 key_of(u32 id, u8 *k)
{
	memset(k, 0, 16);
	memcpy(k, "ck", 2);
	memcpy(k + 2, &id, 4);
	return 6 + id % 11;
}

static u16 put(struct kv_env *e, u32 id, struct cval *v)
{
	u8 k[16], kl = key_of(id, k);
	struct host_buf h = { .buf = pool + v->start, .len = v->len };
	u32 dw0;

	return kv_key_cmd(&e->kv, id & 1 ? KV_CODING_SAMSUNG : KV_CODING_BYTES,
			  KV_OP_STORE, k, kl, 0, 0, &h, &dw0);
}

static u16 get_check(struct kv_env *e, u32 id, const struct cval *v, u8 *buf)
{
	u8 k[16], kl = key_of(id, k);
	struct host_buf h = { .buf = buf, .len = KV_MAX_VALUE_SIZE };
	u32 dw0;
	u16 sc;

	sc = kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_RETRIEVE, k, kl, 0, 0, &h, &dw0);
	if (!sc && (dw0 != v->len || memcmp(buf, pool + v->start, v->len)))
		return 0xbad;
	return sc;
}

static u16 del(struct kv_env *e, u32 id)
{
	u8 k[16], kl = key_of(id, k);
	struct host_buf h = { 0 };
	u32 dw0;

	return kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_DELETE, k, kl, 0, 0, &h, &dw0);
}

static void new_val(struct cval *v, u64 *s, u32 lo, u32 hi)
{
	v->len = lo + (u32)test_rand_below(s, hi - lo + 1);
	v->start = (u32)test_rand_below(s, POOL - v->len);
}

static void test_fill_big(void)
{
	const u32 n = 200;
	struct cval *v = calloc(n, sizeof(*v));
	u8 *buf = malloc(KV_MAX_VALUE_SIZE);
	struct kv_env e;
	struct kv_stats st;
	u64 s = 3, freed = 0, refilled = 0;
	u32 id, stored = 0, i;
	u16 sc = 0;

	/* 64 MiB log, default 4 MiB segments and 2 MiB values */
	CHECK_EQ(kv_env_init(&e, 64 << 20, 0, 0, 1000), 0);
	for (id = 0; id < n; id++) {
		if (id % 4 == 0)
			new_val(&v[id], &s, 2 << 20, 2 << 20);
		else
			new_val(&v[id], &s, 1 << 20, 2 << 20);
		sc = put(&e, id, &v[id]);
		if (sc)
			break;
		v[id].present = true;
		stored++;
	}
	CHECK_EQ(sc, 0x312);
	kv_get_stats(&e.kv, &st);
	CHECK_EQ(st.ops[KV_STAT_FULL_LOG], 1);
	CHECK_EQ(st.ops[KV_STAT_FULL_INDEX], 0);
	printf("  fill 2 MiB values: %u stored, live %llu of %llu (%.1f %%) at the first 0x312\n",
	       stored, (unsigned long long)st.log.live_bytes,
	       (unsigned long long)st.log.capacity,
	       100.0 * st.log.live_bytes / st.log.capacity);
	/* one record per 4 MiB segment can be 2 MiB: at worst half is waste */
	CHECK(st.log.live_bytes * 2 >= st.log.capacity - 4 * (4ull << 20),
	      "full too early");
	CHECK_EQ(put(&e, id, &v[id]), 0x312);
	kv_get_stats(&e.kv, &st);
	CHECK_EQ(st.ops[KV_STAT_FULL_LOG], 2);
	for (i = 0; i < stored; i++)
		CHECK_EQ(get_check(&e, i, &v[i], buf), 0);
	/* delete half, store again */
	for (i = 0; i < stored; i += 2) {
		CHECK_EQ(del(&e, i), 0);
		v[i].present = false;
		freed += v[i].len;
	}
	for (i = 0; i < stored; i += 2) {
		sc = put(&e, i, &v[i]);
		if (sc)
			break;
		v[i].present = true;
		refilled += v[i].len;
	}
	printf("  after deleting %llu bytes, %llu stored again\n",
	       (unsigned long long)freed, (unsigned long long)refilled);
	CHECK(refilled + 2 * (4ull << 20) >= freed, "stores after delete");
	for (i = 0; i < stored; i++)
		if (v[i].present)
			CHECK_EQ(get_check(&e, i, &v[i], buf), 0);
	CHECK_EQ(log_check(&e.kv.log), 0);
	kv_env_free(&e);
	free(v);
	free(buf);
}

/*
 * Regression: the capacity_exceeded statistic counted only a full log, not
 * a full index. Each 0x312 counts once, under its cause.
 */
static void check_full_counts(struct kv_env *e, u64 index, u64 log)
{
	struct kv_stats st;

	kv_get_stats(&e->kv, &st);
	CHECK(st.ops[KV_STAT_FULL_INDEX] == index &&
	      st.ops[KV_STAT_FULL_LOG] == log,
	      "0x312 counted index %llu log %llu, want %llu and %llu",
	      (unsigned long long)st.ops[KV_STAT_FULL_INDEX],
	      (unsigned long long)st.ops[KV_STAT_FULL_LOG],
	      (unsigned long long)index, (unsigned long long)log);
}

static u16 append(struct kv_env *e, u32 id, u32 len)
{
	u8 k[16], kl = key_of(id, k);
	struct host_buf h = { .buf = pool, .len = len };
	u32 dw0;

	return kv_key_cmd(&e->kv, KV_CODING_BYTES, KV_OP_APPEND, k, kl, 0, 0,
			  &h, &dw0);
}

static void test_fill_index(void)
{
	struct cval v = { .start = 0, .len = 16 };
	struct kv_env e;
	u32 id;

	CHECK_EQ(kv_env_init(&e, 16 << 20, 1 << 20, 4096, 500), 0);
	for (id = 0; id < 500; id++)
		CHECK_EQ(put(&e, id, &v), 0);
	check_full_counts(&e, 0, 0);
	CHECK_EQ(put(&e, 500, &v), 0x312);
	check_full_counts(&e, 1, 0);
	CHECK_EQ(append(&e, 500, 16), 0x312);	/* append of a new key */
	check_full_counts(&e, 2, 0);
	CHECK_EQ(append(&e, 7, 16), 0);		/* to an existing key: room */
	CHECK_EQ(put(&e, 7, &v), 0);		/* overwrite needs no new key */
	CHECK_EQ(del(&e, 3), 0);
	CHECK_EQ(put(&e, 500, &v), 0);
	CHECK_EQ(put(&e, 501, &v), 0x312);
	check_full_counts(&e, 3, 0);
	kv_env_free(&e);
}

/* Working set of half the capacity, overwritten until 10x was written. */
static void churn(u64 log_size, u32 lo, u32 hi, u64 seed)
{
	struct kv_env e;
	struct kv_stats st;
	u64 s = seed, written = 0, live = 0, overwrites = 0;
	u8 *buf = malloc(KV_MAX_VALUE_SIZE);
	u32 nkeys = 0, i, fails = 0;
	struct cval *v;
	double t0 = test_now();

	CHECK_EQ(kv_env_init(&e, log_size, 0, 0, 1 << 20), 0);
	v = calloc(1 << 20, sizeof(*v));
	/* load the working set: 50 % of the capacity in record bytes */
	while (live < log_size / 2) {
		new_val(&v[nkeys], &s, lo, hi);
		CHECK_EQ(put(&e, nkeys, &v[nkeys]), 0);
		live += log_rec_size(v[nkeys].len);
		written += v[nkeys].len;
		nkeys++;
	}
	while (written < 10 * log_size) {
		u32 id = (u32)test_rand_below(&s, nkeys);
		u64 old = log_rec_size(v[id].len);
		struct cval nv;
		u16 sc;

		/* keep the live bytes at half the capacity */
		do
			new_val(&nv, &s, lo, hi);
		while (live - old + log_rec_size(nv.len) > log_size / 2 + hi &&
		       nv.len > lo);
		sc = put(&e, id, &nv);
		if (sc) {
			CHECK(sc == 0, "churn store: %#x after %llu bytes", sc,
			      (unsigned long long)written);
			if (++fails > 5)
				break;
			continue;
		}
		live += log_rec_size(nv.len) - old;
		v[id] = nv;
		written += nv.len;
		overwrites++;
		if (overwrites % 1024 == 0) {
			u32 j = (u32)test_rand_below(&s, nkeys);

			CHECK_EQ(get_check(&e, j, &v[j], buf), 0);
		}
	}
	for (i = 0; i < nkeys; i++)
		CHECK_EQ(get_check(&e, i, &v[i], buf), 0);
	CHECK_EQ(log_check(&e.kv.log), 0);
	CHECK_EQ(kv_rebuild_diff(&e.kv), 0);	/* the log alone rebuilds the index */
	kv_get_stats(&e.kv, &st);
	printf("  churn %llu MiB log, values %u..%u: %u keys, %llu bytes written (%.1fx capacity), %llu overwrites, 0x312: %u\n",
	       (unsigned long long)(log_size >> 20), lo, hi, nkeys,
	       (unsigned long long)written, (double)written / st.log.capacity,
	       (unsigned long long)overwrites, fails);
	printf("    reclamation: %llu runs, %llu slices, %llu bytes moved (write amplification %.2f), %llu forced, %.1f s\n",
	       (unsigned long long)st.log.gc_runs, (unsigned long long)st.log.gc_slices,
	       (unsigned long long)st.log.gc_bytes_moved,
	       (double)(st.log.user_bytes + st.log.gc_bytes_moved) / st.log.user_bytes,
	       (unsigned long long)st.log.gc_forced, test_now() - t0);
	CHECK(written >= 10 * st.log.capacity, "wrote 10x");
	CHECK(st.log.gc_runs > 0, "reclamation ran");
	kv_env_free(&e);
	free(v);
	free(buf);
}

/*
 * Regression: small KV areas ran out of space early. At the smallest area
 * insmod accepts (32 MiB: seven 4 MiB segments), keeping live data at 50 %
 * of the capacity the device advertised got 0x312 after writing 0.5-0.7x
 * that capacity: the reclamation reserve and the two open segments are
 * four of the seven segments. Build the store as the kernel glue does for
 * a KV area of @area bytes (index for @max_keys keys, 0: the default, the
 * rest log), keep the record bytes live at or below half the advertised
 * capacity and overwrite until ten times that capacity was written.
 */
static void churn_area(u64 area, u64 max_keys, u32 lo, u32 hi, u64 seed)
{
	struct kv_layout lay;
	struct kv_env e;
	struct kv_stats st;
	u64 s = seed, written = 0, live = 0, cap;
	u8 *buf = malloc(KV_MAX_VALUE_SIZE);
	u32 nkeys = 0, i, fails = 0, first_fail_x100 = 0;
	struct cval *v;

	CHECK_EQ(kv_layout(area, max_keys, &lay), 0);
	CHECK_EQ(kv_env_init(&e, lay.log_size, 0, 0, lay.max_keys), 0);
	kv_get_stats(&e.kv, &st);
	cap = st.capacity;
	v = calloc(lay.max_keys, sizeof(*v));
	for (;;) {
		struct cval nv;

		new_val(&nv, &s, lo, hi);
		if (live + log_rec_size(nv.len) > cap / 2 || nkeys == lay.max_keys)
			break;
		CHECK_EQ(put(&e, nkeys, &nv), 0);
		v[nkeys++] = nv;
		live += log_rec_size(nv.len);
		written += nv.len;
	}
	CHECK(nkeys > 0, "nothing fits in half of %llu bytes",
	      (unsigned long long)cap);
	while (nkeys && written < 10 * cap && fails < 100) {
		u32 id = (u32)test_rand_below(&s, nkeys);
		u64 old = log_rec_size(v[id].len);
		struct cval nv;
		u16 sc;

		new_val(&nv, &s, lo, hi);
		if (live - old + log_rec_size(nv.len) > cap / 2)
			continue;	/* would pass 50 %: draw again */
		sc = put(&e, id, &nv);
		if (sc) {
			if (!fails++)
				first_fail_x100 = (u32)(written * 100 / cap);
			CHECK_EQ(sc, 0x312);
			continue;
		}
		live += log_rec_size(nv.len) - old;
		v[id] = nv;
		written += nv.len;
	}
	for (i = 0; i < nkeys; i++)
		CHECK_EQ(get_check(&e, i, &v[i], buf), 0);
	CHECK_EQ(log_check(&e.kv.log), 0);
	kv_get_stats(&e.kv, &st);
	printf("  area %llu MiB (%u segments, %llu keys), advertised %llu MiB, values %u..%u: %u keys, %.2fx written, 0x312: %u",
	       (unsigned long long)(area >> 20), st.log.nsegs,
	       (unsigned long long)lay.max_keys, (unsigned long long)(cap >> 20),
	       lo, hi, nkeys, (double)written / cap, fails);
	if (fails)
		printf(" (first at %u.%02ux)", first_fail_x100 / 100,
		       first_fail_x100 % 100);
	printf("\n");
	CHECK(fails == 0, "%u x 0x312 at %llu MiB, live <= 50 %% of %llu", fails,
	      (unsigned long long)(area >> 20), (unsigned long long)cap);
	CHECK(written >= 10 * cap, "wrote %.2fx, want 10x",
	      (double)written / cap);
	kv_env_free(&e);
	free(v);
	free(buf);
}

static void test_small_area_churn(void)
{
	static const u32 vals[][2] = {
		{ 1024, 65536 }, { 65536, 1 << 20 }, { 1 << 20, 2 << 20 },
	};
	/* the minimum, the minimum with the largest index, just above */
	static const struct { u64 area, max_keys; } sizes[] = {
		{ KV_MIN_AREA_BYTES, 0 },
		{ KV_MIN_AREA_BYTES, 250000 },
		{ KV_MIN_AREA_BYTES + (1 << 20), 0 },
		{ KV_MIN_AREA_BYTES + (4 << 20), 0 },
	};
	struct kv_layout lay;
	u32 i, j;

	/* the layout the kernel glue uses, at its edges */
	CHECK_EQ(kv_layout(KV_MIN_AREA_BYTES, 0, &lay), 0);
	CHECK_EQ(lay.max_keys, KV_MIN_AREA_BYTES / KV_AREA_BYTES_PER_KEY);
	CHECK_EQ(lay.log_size / LOG_DEFAULT_SEG_SIZE, 7);
	CHECK_EQ(KV_SB_BYTES + lay.index_bytes + lay.log_size, KV_MIN_AREA_BYTES);
	CHECK_EQ(kv_layout(KV_MIN_AREA_BYTES - 4096, 0, &lay), -EINVAL);
	CHECK_EQ(kv_layout(KV_MIN_AREA_BYTES, 250000, &lay), 0);
	CHECK_EQ(lay.log_size / LOG_DEFAULT_SEG_SIZE, LOG_MIN_SEGS(2));
	CHECK_EQ(kv_layout(KV_MIN_AREA_BYTES, 300000, &lay), -EINVAL);
	CHECK_EQ(kv_layout(1ULL << 40, HM_MAX_KEYS + 1, &lay), -EINVAL);
	CHECK_EQ(kv_layout(U64_MAX, HM_MAX_KEYS, &lay), 0);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < ARRAY_SIZE(vals); j++)
			churn_area(sizes[i].area, sizes[i].max_keys, vals[j][0],
				   vals[j][1], 100 + i * 10 + j);
}

int main(void)
{
	pool_init();
	test_fill_big();
	test_fill_index();
	test_small_area_churn();
	churn(256ull << 20, 1024, 65536, 11);
	churn(512ull << 20, 65536, 1 << 20, 12);
	free(pool);
	return test_report("test_kv_capacity");
}
