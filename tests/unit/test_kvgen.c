// SPDX-License-Identifier: GPL-2.0
/*
 * test_kvgen.c - the generators and the report arithmetic of kvbench
 * (tools/kvgen.c): Zipfian skew against the analytic frequencies, YCSB's
 * scrambled Zipfian and latest choosers, value-size weights, key
 * derivation (unique, within length, parsed back), self-checking values,
 * operation mixes and percentiles from known histograms.
 */
#include "tools/kvgen.h"
#include "test_util.h"

#include <math.h>
#include <string.h>

#define DRAWS 1000000

/* |got - want| <= tol * want */
#define CHECK_NEAR(got, want, tol)                                          \
	CHECK(fabs((double)(got) - (double)(want)) <= (tol) * fabs((double)(want)), \
	      "%s = %.6g, want %.6g within %.1f%%", #got, (double)(got),      \
	      (double)(want), 100.0 * (tol))

static double exact_zeta(uint64_t n, double theta)
{
	double s = 0;
	uint64_t i;

	for (i = 1; i <= n; i++)
		s += pow((double)i, -theta);
	return s;
}

static void test_fnv(void)
{
	/* values of YCSB's Utils.fnvhash64, computed independently */
	CHECK_EQ(kvg_fnv64(0), 6284781860667377211ull);
	CHECK_EQ(kvg_fnv64(1), 8517097267634966620ull);
	CHECK_EQ(kvg_fnv64(12345), 1792800413050876852ull);
}

static void test_zeta(void)
{
	/* YCSB's ScrambledZipfianGenerator.ZETAN for 10^10 items, theta 0.99 */
	CHECK_NEAR(kvg_zeta(KVG_YCSB_ITEMS, 0.99), 26.46902820178302, 1e-9);
	/* the Euler-Maclaurin path (n > 10^6) against the plain sum */
	CHECK_NEAR(kvg_zeta(3000000, 0.99), exact_zeta(3000000, 0.99), 1e-10);
	CHECK_NEAR(kvg_zeta(3000000, 0.5), exact_zeta(3000000, 0.5), 1e-10);
	CHECK_NEAR(kvg_zeta(2, 0.99), 1 + pow(2, -0.99), 1e-12);
	CHECK_NEAR(kvg_zeta(1, 0.7), 1.0, 1e-12);
}

/* rank frequencies of the plain Zipfian over n items against 1/(i^t zeta) */
static void zipf_skew(uint64_t n, double theta)
{
	static unsigned long hits[1000];
	struct kvg_rng r = { 42 };
	struct kvg_zipf z;
	double zn = exact_zeta(n, theta);
	unsigned long i, out = 0;

	memset(hits, 0, sizeof(hits));
	CHECK(!kvg_zipf_init(&z, n, theta), "init n %llu theta %g",
	      (unsigned long long)n, theta);
	for (i = 0; i < DRAWS; i++) {
		uint64_t k = kvg_zipf_rank(&z, kvg_unit(&r));

		if (k < n && k < 1000)
			hits[k]++;
		else if (k >= n)
			out++;
	}
	CHECK_EQ(out, 0);
	/* ranks 0 and 1 are exact in Gray's algorithm: 1 % tolerance (~10 sigma) */
	CHECK_NEAR((double)hits[0] / DRAWS, 1 / zn, 0.01);
	CHECK_NEAR((double)hits[1] / DRAWS, pow(2, -theta) / zn, 0.02);
	/* the rest follows the curve approximately */
	CHECK(hits[0] > hits[1] && hits[1] > hits[9] && hits[9] > hits[99],
	      "not decreasing: %lu %lu %lu %lu", hits[0], hits[1], hits[9], hits[99]);
}

static void test_zipf(void)
{
	struct kvg_zipf z;

	zipf_skew(1000, 0.99);
	zipf_skew(1000, 0.5);
	zipf_skew(100, 0.8);
	CHECK(kvg_zipf_init(&z, 0, 0.99), "n 0 accepted");
	CHECK(kvg_zipf_init(&z, 10, 1.0), "theta 1 accepted");
	CHECK(kvg_zipf_init(&z, 10, 0), "theta 0 accepted");
	CHECK(!kvg_zipf_init(&z, 1, 0.99), "n 1 refused");
	CHECK_EQ(kvg_zipf_rank(&z, 0.999999), 0);
	/* growing matches a fresh init */
	{
		struct kvg_zipf a, b;

		kvg_zipf_init(&a, 1000, 0.99);
		kvg_zipf_grow(&a, 5000);
		kvg_zipf_init(&b, 5000, 0.99);
		CHECK_NEAR(a.zetan, b.zetan, 1e-12);
		CHECK_NEAR(a.eta, b.eta, 1e-12);
	}
}

/* YCSB's scrambled Zipfian over 1000 records: the hottest record */
static void test_scrambled(void)
{
	static unsigned long hits[1000];
	struct kvg_rng r = { 7 };
	struct kvg_keygen kg;
	uint64_t hot = kvg_fnv64(0) % 1000, i, max = 0, argmax = 0, out = 0;
	double p0 = 1 / 26.46902820178302;

	memset(hits, 0, sizeof(hits));
	CHECK(!kvg_keygen_init(&kg, KVG_ZIPFIAN, 1000, 0.99), "init");
	for (i = 0; i < DRAWS; i++) {
		uint64_t k = kvg_keygen_next(&kg, &r, 1000);

		if (k < 1000)
			hits[k]++;
		else
			out++;
	}
	CHECK_EQ(out, 0);
	for (i = 0; i < 1000; i++)
		if (hits[i] > max) {
			max = hits[i];
			argmax = i;
		}
	CHECK_EQ(argmax, hot);
	/* rank 0, plus the ranks hashed onto it (about 1/1000 of the rest) */
	CHECK((double)max / DRAWS > p0 * 0.97 && (double)max / DRAWS < p0 + 0.004,
	      "hottest record %.5f, want about %.5f", (double)max / DRAWS, p0);
	/* a chooser spanning future inserts never returns a record not there */
	kvg_keygen_init(&kg, KVG_ZIPFIAN, 2000, 0.99);
	for (i = 0; i < 100000; i++)
		if (kvg_keygen_next(&kg, &r, 1000) >= 1000)
			break;
	CHECK_EQ(i, 100000);
}

static void test_latest(void)
{
	struct kvg_rng r = { 99 };
	struct kvg_keygen kg;
	unsigned long newest = 0, second = 0, out = 0, i;

	CHECK(!kvg_keygen_init(&kg, KVG_LATEST, 1000, 0.99), "init");
	for (i = 0; i < DRAWS; i++) {
		uint64_t k = kvg_keygen_next(&kg, &r, 1000);

		out += k >= 1000;
		newest += k == 999;
		second += k == 998;
	}
	CHECK_NEAR((double)newest / DRAWS, 1 / exact_zeta(1000, 0.99), 0.01);
	CHECK_NEAR((double)second / DRAWS, pow(2, -0.99) / exact_zeta(1000, 0.99), 0.02);
	/* after inserts, the newest record is the hot one */
	newest = 0;
	for (i = 0; i < DRAWS; i++) {
		uint64_t k = kvg_keygen_next(&kg, &r, 3000);

		out += k >= 3000;
		newest += k == 2999;
	}
	CHECK_EQ(out, 0);
	CHECK_NEAR((double)newest / DRAWS, 1 / exact_zeta(3000, 0.99), 0.01);
}

static void test_vsize(void)
{
	struct kvg_vspec v;
	struct kvg_rng r = { 5 };
	unsigned long n100 = 0, n4k = 0, n64k = 0, i;
	uint32_t lo = UINT32_MAX, hi = 0;
	double sum = 0;
	char err[160];

	CHECK(!kvg_vspec_parse(&v, "100:5,4096:3,64K:2", err, sizeof(err)), "%s", err);
	CHECK_EQ(v.n, 3);
	CHECK_EQ(kvg_vspec_min(&v), 100);
	CHECK_EQ(kvg_vspec_max(&v), 65536);
	CHECK_NEAR(kvg_vspec_mean(&v), 0.5 * 100 + 0.3 * 4096 + 0.2 * 65536, 1e-9);
	for (i = 0; i < DRAWS; i++) {
		uint32_t s = kvg_vsize(&v, kvg_next(&r));

		n100 += s == 100;
		n4k += s == 4096;
		n64k += s == 65536;
	}
	CHECK_EQ(n100 + n4k + n64k, DRAWS);
	CHECK_NEAR((double)n100 / DRAWS, 0.5, 0.01);
	CHECK_NEAR((double)n4k / DRAWS, 0.3, 0.01);
	CHECK_NEAR((double)n64k / DRAWS, 0.2, 0.01);

	CHECK(!kvg_vspec_parse(&v, "100-200", err, sizeof(err)), "%s", err);
	for (i = 0; i < 100000; i++) {
		uint32_t s = kvg_vsize(&v, kvg_next(&r));

		lo = s < lo ? s : lo;
		hi = s > hi ? s : hi;
		sum += s;
	}
	CHECK_EQ(lo, 100);
	CHECK_EQ(hi, 200);
	CHECK_NEAR(sum / 100000, 150, 0.01);

	CHECK(!kvg_vspec_parse(&v, "2M", err, sizeof(err)), "%s", err);
	CHECK_EQ(kvg_vsize(&v, 12345), 2u << 20);
	CHECK(!kvg_vspec_parse(&v, "1", err, sizeof(err)), "%s", err);
	CHECK_EQ(kvg_vsize(&v, 1), 1);
	{
		static const char *const bad[] = {
			"", "0", "2049K", "3M", "100-50", "100-", "100:0",
			"100:", "100:1,", "100:1,200", "x", "100:-1", "4096x",
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CHECK(kvg_vspec_parse(&v, bad[i], err, sizeof(err)),
			      "'%s' accepted", bad[i]);
	}
}

struct key_rec {
	uint8_t k[KVG_MAX_KEY];
	unsigned int len;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key_rec *x = a, *y = b;
	int c = memcmp(x->k, y->k, x->len < y->len ? x->len : y->len);

	return c ? c : (int)x->len - (int)y->len;
}

static void keys_unique(unsigned int kmin, unsigned int kmax, unsigned int group,
			uint64_t n)
{
	struct key_rec *a = calloc(n, sizeof(*a));
	struct kvg_keyspec ks;
	unsigned int seen_min = 99, seen_max = 0;
	uint64_t i, rec, dups = 0, bad = 0;

	CHECK(!kvg_keyspec_init(&ks, kmin, kmax, group), "spec %u-%u/%u", kmin, kmax, group);
	for (i = 0; i < n; i++) {
		a[i].len = kvg_key(&ks, i, a[i].k);
		if (a[i].len < kmin || a[i].len > kmax)
			bad++;
		seen_min = a[i].len < seen_min ? a[i].len : seen_min;
		seen_max = a[i].len > seen_max ? a[i].len : seen_max;
		if (kvg_key_record(&ks, a[i].k, a[i].len, &rec) || rec != i)
			bad++;
		/* the group prefix is the key's first 4 bytes */
		if (kvg_key_group_prefix(&ks, i) !=
		    (a[i].k[0] | a[i].k[1] << 8 | a[i].k[2] << 16 | (uint32_t)a[i].k[3] << 24))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(seen_min, kmin);
	CHECK_EQ(seen_max, kmax);
	qsort(a, n, sizeof(*a), key_cmp);
	for (i = 1; i < n; i++)
		dups += !key_cmp(&a[i - 1], &a[i]);
	CHECK_EQ(dups, 0);
	free(a);
}

static void test_keys(void)
{
	struct kvg_keyspec ks;
	uint8_t k[KVG_MAX_KEY], k2[KVG_MAX_KEY];
	uint64_t rec;
	unsigned int len;
	char s[80];

	keys_unique(16, 16, 100, 200000);
	keys_unique(6, 16, 100, 200000);
	keys_unique(5, 5, 64, 100000);
	keys_unique(8, 12, 4096, 100000);
	/* a group shares the first 4 bytes; the next group does not */
	kvg_keyspec_init(&ks, 16, 16, 100);
	CHECK_EQ(kvg_key_group_prefix(&ks, 100), kvg_key_group_prefix(&ks, 199));
	CHECK(kvg_key_group_prefix(&ks, 99) != kvg_key_group_prefix(&ks, 100), "groups");
	/* the largest record of the spec still has its own key */
	rec = kvg_keyspec_max_records(&ks) - 1;
	len = kvg_key(&ks, rec, k);
	CHECK(!kvg_key_record(&ks, k, len, &rec) &&
	      rec == kvg_keyspec_max_records(&ks) - 1, "last record");
	/* refused specs */
	CHECK(kvg_keyspec_init(&ks, 5, 16, 100), "5 bytes for group 100 (needs 6)");
	CHECK(kvg_keyspec_init(&ks, 8, 17, 100), "17 bytes");
	CHECK(kvg_keyspec_init(&ks, 10, 8, 100), "kmax < kmin");
	CHECK(kvg_keyspec_init(&ks, 8, 8, 0), "group 0");
	CHECK(kvg_keyspec_init(&ks, 8, 8, 4097), "group 4097");
	/* foreign keys do not parse */
	kvg_keyspec_init(&ks, 16, 16, 100);
	len = kvg_key(&ks, 12345, k);
	memcpy(k2, k, len);
	k2[len - 1] ^= 1;
	CHECK(kvg_key_record(&ks, k2, len, &rec), "altered filler accepted");
	CHECK(kvg_key_record(&ks, k, len - 1, &rec), "short key accepted");
	CHECK(kvg_key_record(&ks, (const uint8_t *)"bench12", 7, &rec), "foreign key");
	kvg_key_str((const uint8_t *)"a\x01\"b", 4, s, sizeof(s));
	CHECK(!strcmp(s, "a\\x01\\x22b"), "key_str %s", s);
}

static void test_values(void)
{
	static uint8_t v[5000];
	uint64_t ver;
	uint32_t bad;

	kvg_value_fill(v, 1000, 7, 42);
	CHECK_EQ(kvg_value_check(v, 1000, 7, &ver, &bad), KVG_VOK);
	CHECK_EQ(ver, 42);
	/* a truncated read checks its prefix */
	CHECK_EQ(kvg_value_check(v, 500, 7, &ver, &bad), KVG_VOK);
	v[500] ^= 0x10;
	CHECK_EQ(kvg_value_check(v, 1000, 7, &ver, &bad), KVG_VPAYLOAD);
	CHECK_EQ(bad, 500);
	v[500] ^= 0x10;
	CHECK_EQ(kvg_value_check(v, 1000, 8, &ver, &bad), KVG_VRECORD);
	/* another version of the same record differs in its payload */
	{
		static uint8_t w[1000];

		kvg_value_fill(w, 1000, 7, 43);
		CHECK(memcmp(v + KVG_VHDR, w + KVG_VHDR, 1000 - KVG_VHDR), "versions equal");
		memcpy(w + 8, v + 8, 8); /* the header of version 42, payload of 43 */
		CHECK_EQ(kvg_value_check(w, 1000, 7, &ver, &bad), KVG_VPAYLOAD);
	}
	/* an odd length: the last byte is checked */
	kvg_value_fill(v, 1003, 1, 1);
	v[1002] ^= 1;
	CHECK_EQ(kvg_value_check(v, 1003, 1, &ver, &bad), KVG_VPAYLOAD);
	CHECK_EQ(bad, 1002);
	kvg_value_fill(v, KVG_VHDR, 3, 9);
	CHECK_EQ(kvg_value_check(v, KVG_VHDR, 3, &ver, &bad), KVG_VOK);
	CHECK_EQ(kvg_value_check(v, KVG_VHDR - 1, 3, &ver, &bad), KVG_VSHORT);
	memset(v, 'x', 100);
	CHECK_EQ(kvg_value_check(v, 100, 3, &ver, &bad), KVG_VMAGIC);
	/* a short value is the first bytes of the header */
	kvg_value_fill(v, 3, 3, 9);
	CHECK(!memcmp(v, "kvb", 3), "short value");
}

static void test_mix(void)
{
	const struct kvg_preset *p;
	struct kvg_mix m;
	struct kvg_rng r = { 11 };
	unsigned long n[KVG_NOPS] = { 0 }, i;
	double zero[KVG_NOPS] = { 0 }, neg[KVG_NOPS] = { [KVG_READ] = 1, [KVG_SCAN] = -0.5 };
	const char *names[] = { "ycsb-a", "ycsb-b", "ycsb-c", "ycsb-d", "ycsb-e", "ycsb-f" };

	for (i = 0; i < 6; i++)
		CHECK(kvg_preset_find(names[i]), "preset %s", names[i]);
	CHECK(!kvg_preset_find("ycsb-g"), "ycsb-g");
	CHECK_EQ(kvg_preset_find("ycsb-d")->dist, KVG_LATEST);
	CHECK(kvg_preset_find("ycsb-e")->prop[KVG_SCAN] > 0.9, "E scans");
	CHECK(kvg_preset_find("ycsb-f")->prop[KVG_RMW] == 0.5, "F rmw");

	p = kvg_preset_find("ycsb-b");
	CHECK(!kvg_mix_init(&m, p->prop), "init");
	for (i = 0; i < DRAWS; i++)
		n[kvg_mix_pick(&m, kvg_unit(&r))]++;
	CHECK_NEAR((double)n[KVG_READ] / DRAWS, 0.95, 0.005);
	CHECK_NEAR((double)n[KVG_UPDATE] / DRAWS, 0.05, 0.03);
	CHECK_EQ(n[KVG_INSERT] + n[KVG_SCAN] + n[KVG_RMW] + n[KVG_DELETE], 0);
	/* the largest u never picks an op of proportion 0 */
	CHECK_EQ(kvg_mix_pick(&m, 0.9999999999), KVG_UPDATE);
	CHECK_EQ(kvg_mix_pick(&m, 0), KVG_READ);
	CHECK(kvg_mix_init(&m, zero), "all zero accepted");
	CHECK(kvg_mix_init(&m, neg), "negative accepted");
}

/* the random load order visits every record once */
static void test_perm(void)
{
	static const uint64_t ns[] = { 1, 2, 3, 4, 97, 1000, 2000, 4096, 65537 };
	static uint8_t seen[65537];
	unsigned int k;

	for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		uint64_t n = ns[k], m = kvg_perm_mult(n), i, miss = 0, fixed = 0;

		memset(seen, 0, sizeof(seen));
		for (i = 0; i < n; i++) {
			uint64_t r = kvg_perm(i, n, m);

			if (r < n)
				seen[r]++;
			fixed += r == i;
		}
		for (i = 0; i < n; i++)
			miss += seen[i] != 1;
		CHECK(!miss, "n %llu: %llu records not visited exactly once",
		      (unsigned long long)n, (unsigned long long)miss);
		CHECK(n < 100 || fixed < n / 10, "n %llu: %llu records in place",
		      (unsigned long long)n, (unsigned long long)fixed);
	}
}

static void test_hist(void)
{
	struct kvg_hist h, h2;
	uint64_t s = 1, i;

	/* bucket geometry */
	CHECK_EQ(kvg_hist_index(0), 0);
	CHECK_EQ(kvg_hist_index(31), 31);
	CHECK_EQ(kvg_hist_index(32), 32);
	CHECK_EQ(kvg_hist_index(UINT64_MAX), KVG_HIST_BUCKETS - 1);
	CHECK_EQ(kvg_hist_hi(KVG_HIST_BUCKETS - 1), UINT64_MAX);
	for (i = 0; i < 100000; i++) {
		uint64_t v = test_rand(&s) >> (test_rand(&s) % 64);
		unsigned int b = kvg_hist_index(v);

		if (kvg_hist_lo(b) > v || kvg_hist_hi(b) < v ||
		    (kvg_hist_lo(b) >= 32 &&
		     kvg_hist_hi(b) - kvg_hist_lo(b) + 1 > kvg_hist_lo(b) / 16)) {
			CHECK(0, "v %llu in bucket %u [%llu, %llu]", (unsigned long long)v,
			      b, (unsigned long long)kvg_hist_lo(b),
			      (unsigned long long)kvg_hist_hi(b));
			break;
		}
	}
	for (i = 0; i + 1 < KVG_HIST_BUCKETS; i++)
		if (kvg_hist_hi(i) + 1 != kvg_hist_lo(i + 1)) {
			CHECK(0, "bucket %llu does not meet the next", (unsigned long long)i);
			break;
		}

	/* 90 x 100 ns and 10 x 10 us: p50 and p90 in the 100 bucket, p91 above */
	kvg_hist_init(&h);
	CHECK_EQ(kvg_hist_pct(&h, 0.5), 0);
	for (i = 0; i < 90; i++)
		kvg_hist_add(&h, 100);
	for (i = 0; i < 10; i++)
		kvg_hist_add(&h, 10000);
	CHECK_EQ(kvg_hist_pct(&h, 0.5), kvg_hist_hi(kvg_hist_index(100)));
	CHECK_EQ(kvg_hist_pct(&h, 0.9), kvg_hist_hi(kvg_hist_index(100)));
	CHECK_EQ(kvg_hist_pct(&h, 0.91), 10000); /* bucket bound clamped to max */
	CHECK_EQ(kvg_hist_pct(&h, 1), 10000);
	CHECK_EQ(kvg_hist_pct(&h, 0), 103);
	CHECK_EQ(h.min, 100);
	CHECK_EQ(h.sum, 90 * 100 + 10 * 10000);

	/* 1..1000 us once each: pXX within one bucket (6.25 %) above the truth */
	kvg_hist_init(&h);
	for (i = 1000; i >= 1; i--)
		kvg_hist_add(&h, i * 1000);
	CHECK(kvg_hist_pct(&h, 0.5) >= 500000 && kvg_hist_pct(&h, 0.5) <= 531250,
	      "p50 %llu", (unsigned long long)kvg_hist_pct(&h, 0.5));
	CHECK(kvg_hist_pct(&h, 0.99) >= 990000 && kvg_hist_pct(&h, 0.99) <= 1000000,
	      "p99 %llu", (unsigned long long)kvg_hist_pct(&h, 0.99));
	CHECK(kvg_hist_pct(&h, 0.999) >= 999000, "p99.9 %llu",
	      (unsigned long long)kvg_hist_pct(&h, 0.999));
	CHECK_EQ(kvg_hist_pct(&h, 1), 1000000);

	/* merge = adding both */
	kvg_hist_init(&h2);
	kvg_hist_add(&h2, 5);
	kvg_hist_add(&h2, 2000000);
	kvg_hist_merge(&h, &h2);
	CHECK_EQ(h.count, 1002);
	CHECK_EQ(h.min, 5);
	CHECK_EQ(h.max, 2000000);
	CHECK_EQ(kvg_hist_pct(&h, 0.0005), 5);
}

int main(void)
{
	test_fnv();
	test_zeta();
	test_zipf();
	test_scrambled();
	test_latest();
	test_vsize();
	test_keys();
	test_values();
	test_mix();
	test_perm();
	test_hist();
	return test_report("test_kvgen");
}
