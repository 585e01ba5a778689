// SPDX-License-Identifier: GPL-2.0
/*
 * test_params.c - strict parsing of the size and cpus module parameters
 * (params.c), at the edges: suffixes, hex, overflow, garbage, duplicates;
 * and the checks of the size parameters against each other, down to which
 * parameter a rejection names.
 */
#include <string.h>
#include "params.h"
#include "kv_ftl.h"
#include "test_util.h"

static void size_ok(const char *s, u64 want)
{
	u64 v = 0;
	int ret = nvmev_parse_size(s, &v);

	CHECK(ret == 0 && v == want, "'%s' -> ret %d value %llu, want %llu",
	      s, ret, (unsigned long long)v, (unsigned long long)want);
}

static void size_bad(const char *s)
{
	u64 v = 0;

	CHECK(nvmev_parse_size(s, &v) == -EINVAL, "'%s' accepted as %llu", s,
	      (unsigned long long)v);
}

static void test_sizes(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("1K", 1024);
	size_ok("1k", 1024);
	size_ok("64M", 64ULL << 20);
	size_ok("1G", 1ULL << 30);
	size_ok("2g", 2ULL << 30);
	size_ok("1T", 1ULL << 40);
	size_ok("0x1000", 0x1000);
	size_ok("0x40000000", 1ULL << 30);
	size_ok("1G\n", 1ULL << 30);
	size_ok("18446744073709551615", U64_MAX);
	size_ok("16777215T", 16777215ULL << 40);
	size_bad(NULL);
	size_bad("");
	size_bad("\n");
	size_bad("G");
	size_bad("1Q");
	size_bad("1GG");
	size_bad("1 G");
	size_bad(" 1G");
	size_bad("-1");
	size_bad("0x");
	size_bad("0xg");
	size_bad("18446744073709551616");
	size_bad("16777216T");
	size_bad("17179869184G");
	size_bad("1G\n\n");
}

static void cpus_ok(const char *s, int n, const unsigned int *want)
{
	unsigned int got[17];
	int i, ret = nvmev_parse_cpu_list(s, got, 17);

	CHECK(ret == n, "'%s' -> %d, want %d", s, ret, n);
	for (i = 0; i < n && ret == n; i++)
		CHECK(got[i] == want[i], "'%s'[%d] = %u", s, i, got[i]);
}

static void cpus_bad(const char *s)
{
	unsigned int got[17];

	CHECK(nvmev_parse_cpu_list(s, got, 17) == -EINVAL, "'%s' accepted",
	      s ? s : "(null)");
}

static void test_cpus(void)
{
	static const unsigned int c0[] = { 0 }, c01[] = { 0, 1 },
				  c321[] = { 3, 2, 1 };
	unsigned int got[2];

	cpus_ok("0", 1, c0);
	cpus_ok("0,1", 2, c01);
	cpus_ok("0,1\n", 2, c01);
	cpus_ok("3,2,1", 3, c321);
	cpus_bad(NULL);
	cpus_bad("");
	cpus_bad("\n");
	cpus_bad("abc");
	cpus_bad("1,1");
	cpus_bad("0,1,0");
	cpus_bad("0,");
	cpus_bad(",0");
	cpus_bad("0,,1");
	cpus_bad("0 1");
	cpus_bad("-1");
	cpus_bad("65536");
	cpus_bad("1a");
	/* more entries than room */
	CHECK(nvmev_parse_cpu_list("0,1,2", got, 2) == -EINVAL, "overflow");
	CHECK(nvmev_parse_cpu_list("0,1", got, 2) == 2, "exactly full");
}

#define MIB (1ULL << 20)

/* nvmev_check_sizes() names @want (NULL: accepts) and says @why_has */
static void layout(const char *desc, struct nvmev_sizes s, const char *want,
		   const char *why_has)
{
	char why[NVMEV_WHY_LEN] = "";
	const char *got = nvmev_check_sizes(&s, why, sizeof(why));

	if (!want) {
		CHECK(!got, "%s: rejected as %s: %s", desc, got, why);
		return;
	}
	CHECK(got && !strcmp(got, want), "%s: names %s, want %s (%s)", desc,
	      got ? got : "nothing", want, why);
	CHECK(!why_has || strstr(why, why_has), "%s: '%s' lacks '%s'", desc,
	      why, why_has);
}

static struct nvmev_sizes sz(u64 start, u64 size, u64 blk, bool blk_set)
{
	struct nvmev_sizes s = {
		.memmap_start = start, .memmap_size = size,
		.blk_size = blk_set ? blk : 64 * MIB,
		.memmap_start_set = true, .memmap_size_set = true,
		.blk_size_set = blk_set,
	};

	return s;
}

static void test_layout(void)
{
	struct nvmev_sizes s;
	u64 min_default = MIB + 64 * MIB + KV_MIN_AREA_BYTES;
	u64 min_any = MIB + MIB + KV_MIN_AREA_BYTES;

	layout("1G at 1G", sz(1 << 30, 1 << 30, 0, false), NULL, NULL);
	layout("smallest with the default blk_size",
	       sz(1 << 30, min_default, 0, false), NULL, NULL);
	layout("smallest", sz(1 << 30, min_any, MIB, true), NULL, NULL);

	/* regression: memmap_size=1M was reported as a bad blk_size */
	layout("memmap_size=1M", sz(1 << 30, MIB, 0, false), "memmap_size",
	       "minimum");
	layout("memmap_size=1M blk_size=1M", sz(1 << 30, MIB, MIB, true),
	       "memmap_size", "minimum");
	layout("memmap_size one page short of the minimum",
	       sz(1 << 30, min_any - 4096, MIB, true), "memmap_size", NULL);
	layout("memmap_size=40M, default blk_size",
	       sz(1 << 30, 40 * MIB, 0, false), "memmap_size", "blk_size");
	layout("memmap_size one page short for the default blk_size",
	       sz(1 << 30, min_default - 4096, 0, false), "memmap_size", NULL);
	layout("blk_size=2G in 1G", sz(1 << 30, 1 << 30, 2ULL << 30, true),
	       "blk_size", "KV area");
	layout("blk_size one page too big",
	       sz(1 << 30, min_any, MIB + 4096, true), "blk_size", NULL);
	layout("blk_size=12345", sz(1 << 30, 1 << 30, 12345, true), "blk_size",
	       NULL);
	layout("blk_size=0", sz(1 << 30, 1 << 30, 0, true), "blk_size", NULL);
	layout("memmap_size=0", sz(1 << 30, 0, 0, false), "memmap_size", NULL);
	layout("memmap_size past the address space",
	       sz(1 << 30, U64_MAX - 4095, 0, false), "memmap_size", NULL);
	layout("memmap_size not a page multiple",
	       sz(1 << 30, (1 << 30) + 1, 0, false), "memmap_size", NULL);
	layout("memmap_start unaligned", sz((1 << 30) + 4096, 1 << 30, 0, false),
	       "memmap_start", "aligned");

	/* regression: memmap_start=0 was reported as missing */
	layout("memmap_start=0", sz(0, 512 * MIB, 0, false), "memmap_start",
	       "0 is not a reserved range");
	s = sz(0, 512 * MIB, 0, false);
	s.memmap_start_set = false;
	layout("memmap_start not given", s, "memmap_start", "missing");
	s = sz(1 << 30, 0, 0, false);
	s.memmap_size_set = false;
	layout("memmap_size not given", s, "memmap_size", "missing");
}

/* nvmev_split_kv(): namespace 2's share of the KV area */
static void split(const char *desc, u64 area, u64 std, bool set, u64 want,
		  bool bad)
{
	char why[NVMEV_WHY_LEN] = "";
	u64 got = 12345;
	const char *p = nvmev_split_kv(area, std, set, &got, why, sizeof(why));

	CHECK(bad ? p && !strcmp(p, "kv_std_size") : !p, "%s: %s (%s)", desc,
	      p ? p : "accepted", why);
	CHECK(got == want, "%s: %llu bytes, want %llu", desc,
	      (unsigned long long)got, (unsigned long long)want);
}

/* nvmev_check_pool(): ns_pool_size, whole MiB, namespace 1 keeps 32 MiB */
static void test_ns_pool(void)
{
	u64 min = KV_MIN_AREA_BYTES;
	char why[NVMEV_WHY_LEN];

	CHECK(!nvmev_check_pool(1024 * MIB, 0, why, sizeof(why)), "pool 0");
	CHECK(!nvmev_check_pool(1024 * MIB, 1024 * MIB - min, why,
				sizeof(why)),
	      "pool leaving exactly the minimum");
	CHECK(nvmev_check_pool(1024 * MIB, 1024 * MIB - min + MIB, why,
			       sizeof(why)),
	      "pool leaving less than the minimum");
	CHECK(nvmev_check_pool(1024 * MIB, 4096, why, sizeof(why)),
	      "pool of 4 KiB: not whole MiB");
	CHECK(nvmev_check_pool(64 * MIB, ~0ULL & ~(MIB - 1), why, sizeof(why)),
	      "pool larger than the area");
}

static void test_kv_split(void)
{
	u64 min = KV_MIN_AREA_BYTES;

	/* default: a quarter, rounded down to 1 MiB, if both keep 32 MiB */
	split("default of 1 GiB", 1024 * MIB, 0, false, 256 * MIB, false);
	split("default of 254 MiB", 254 * MIB, 0, false, 63 * MIB, false);
	split("default of 128 MiB", 128 * MIB, 0, false, 32 * MIB, false);
	split("default of 127 MiB: none", 127 * MIB, 0, false, 0, false);
	split("default of the smallest area: none", min, 0, false, 0, false);
	/* given */
	split("0: none", 1024 * MIB, 0, true, 0, false);
	split("exactly the minimum", 1024 * MIB, min, true, min, false);
	split("leaves namespace 1 the minimum", 2 * min, min, true, min, false);
	split("below the minimum", 1024 * MIB, min - 4096, true, 0, true);
	split("not a page multiple", 1024 * MIB, 40 * MIB + 1, true, 0, true);
	split("leaves namespace 1 too little", 2 * min, min + 4096, true, 0,
	      true);
	split("the whole area", 1024 * MIB, 1024 * MIB, true, 0, true);
	split("more than the area", 1024 * MIB, U64_MAX & ~4095ULL, true, 0,
	      true);
}

/* nvmev_list_split(): @want items, or the error */
static void split_list(const char *s, char sep, int max, int want,
		       const char *first, const char *last)
{
	char items[NVMEV_MAX_DEVICES + 1][NVMEV_ITEM_LEN];
	int n = nvmev_list_split(s, sep, items, max);

	CHECK(n == want, "'%s' -> %d items, want %d", s ? s : "(null)", n,
	      want);
	if (n <= 0 || n != want)
		return;
	CHECK(!strcmp(items[0], first), "'%s'[0] = '%s', want '%s'", s,
	      items[0], first);
	CHECK(!strcmp(items[n - 1], last), "'%s'[%d] = '%s', want '%s'", s,
	      n - 1, items[n - 1], last);
}

static void test_list_split(void)
{
	char long_item[NVMEV_ITEM_LEN + 8];

	split_list("1G", ',', 4, 1, "1G", "1G");
	split_list("1G\n", ',', 4, 1, "1G", "1G");
	split_list("1G,2G", ',', 4, 2, "1G", "2G");
	split_list("1G,2G\n", ',', 4, 2, "1G", "2G");
	split_list("a,b,c,d", ',', 4, 4, "a", "d");
	split_list("1,2:3,4", ':', 4, 2, "1,2", "3,4");
	split_list("1,2,3", ':', 4, 1, "1,2,3", "1,2,3");
	/* bad separators and empty items */
	split_list(NULL, ',', 4, -EINVAL, NULL, NULL);
	split_list("", ',', 4, -EINVAL, NULL, NULL);
	split_list("\n", ',', 4, -EINVAL, NULL, NULL);
	split_list(",", ',', 4, -EINVAL, NULL, NULL);
	split_list("1G,", ',', 4, -EINVAL, NULL, NULL);
	split_list(",1G", ',', 4, -EINVAL, NULL, NULL);
	split_list("1G,,2G", ',', 4, -EINVAL, NULL, NULL);
	split_list("1:", ':', 4, -EINVAL, NULL, NULL);
	split_list("1::2", ':', 4, -EINVAL, NULL, NULL);
	/* a newline inside is part of an item (and fails its parse later) */
	split_list("1G\n,2G", ',', 4, 2, "1G\n", "2G");
	/* too many */
	split_list("a,b,c,d,e", ',', 4, -E2BIG, NULL, NULL);
	split_list("a,b", ',', 1, -E2BIG, NULL, NULL);
	/* an item too long */
	memset(long_item, 'x', NVMEV_ITEM_LEN);
	long_item[NVMEV_ITEM_LEN] = '\0';
	split_list(long_item, ',', 4, -EINVAL, NULL, NULL);
	long_item[NVMEV_ITEM_LEN - 1] = '\0';
	split_list(long_item, ',', 4, 1, long_item, long_item);
}

static void size_list(const char *s, int want_ret, int want_n, int want_bad,
		      u64 v0, u64 vlast)
{
	struct nvmev_u64_list l = { .v = { 7, 7, 7, 7 }, .n = 9 };
	int bad = 42, ret = nvmev_parse_size_list(s, &l, &bad);

	CHECK(ret == want_ret, "'%s' -> %d, want %d", s, ret, want_ret);
	if (ret) {
		CHECK(bad == want_bad, "'%s': bad item %d, want %d", s, bad,
		      want_bad);
		CHECK(l.n == 9 && l.v[0] == 7, "'%s': list changed on error",
		      s);
		return;
	}
	CHECK(l.n == want_n, "'%s': %d values, want %d", s, l.n, want_n);
	CHECK(l.v[0] == v0 && l.v[l.n - 1] == vlast,
	      "'%s': %llu..%llu, want %llu..%llu", s,
	      (unsigned long long)l.v[0], (unsigned long long)l.v[l.n - 1],
	      (unsigned long long)v0, (unsigned long long)vlast);
}

static void test_size_lists(void)
{
	struct nvmev_u64_list l = { .v = { 1, 2 }, .n = 2 };
	struct nvmev_u64_list one = { .v = { 5 }, .n = 1 };
	struct nvmev_u64_list none = { .n = 0 };

	size_list("1G", 0, 1, 0, 1ULL << 30, 1ULL << 30);
	size_list("1G,1536M", 0, 2, 0, 1ULL << 30, 1536ULL << 20);
	size_list("1G,0x60000000,3G,4G\n", 0, 4, 0, 1ULL << 30, 4ULL << 30);
	size_list("1G,2X", -EINVAL, 0, 1, 0, 0);
	size_list("1Q,2G", -EINVAL, 0, 0, 0, 0);
	size_list("1G;2G", -EINVAL, 0, 0, 0, 0);
	size_list("1G 2G", -EINVAL, 0, 0, 0, 0);
	size_list("1G:2G", -EINVAL, 0, 0, 0, 0);
	size_list("1G,,2G", -EINVAL, 0, -1, 0, 0);
	size_list("1G,", -EINVAL, 0, -1, 0, 0);
	size_list("", -EINVAL, 0, -1, 0, 0);
	size_list("1G,2G,3G,4G,5G", -E2BIG, 0, -1, 0, 0);

	/* which value a device uses */
	CHECK_EQ(nvmev_list_get(&l, 0, 9), 1);
	CHECK_EQ(nvmev_list_get(&l, 1, 9), 2);
	CHECK_EQ(nvmev_list_get(&one, 0, 9), 5);
	CHECK_EQ(nvmev_list_get(&one, 3, 9), 5);
	CHECK_EQ(nvmev_list_get(&none, 2, 9), 9);
	CHECK_EQ(nvmev_list_idx(0, 3), 0);
	CHECK_EQ(nvmev_list_idx(1, 3), 0);
	CHECK_EQ(nvmev_list_idx(4, 3), 3);
}

static void test_list_lens(void)
{
	static const char *const names[] = { "memmap_size", "blk_size",
					     "cpus" };
	char why[NVMEV_WHY_LEN] = "";
	int ok2[] = { 2, 1, 0 }, ok1[] = { 1, 1, 1 }, bad[] = { 1, 3, 2 };
	int bad_size[] = { 2, 0, 0 };
	const char *p;

	CHECK(!nvmev_check_list_lens(names, ok2, 3, 2, why, sizeof(why)),
	      "2 devices, lists 2/1/0: %s", why);
	CHECK(!nvmev_check_list_lens(names, ok1, 3, 1, why, sizeof(why)),
	      "1 device, lists of 1: %s", why);
	p = nvmev_check_list_lens(names, bad, 3, 2, why, sizeof(why));
	CHECK(p && !strcmp(p, "blk_size"), "3 blk_size values for 2: %s",
	      p ? p : "accepted");
	CHECK(strstr(why, "3 values for 2 device(s)"), "why: '%s'", why);
	/* a length mismatch: memmap_start=1G memmap_size=512M,256M */
	p = nvmev_check_list_lens(names, bad_size, 3, 1, why, sizeof(why));
	CHECK(p && !strcmp(p, "memmap_size"), "2 memmap_size for 1: %s",
	      p ? p : "accepted");
}

static void regions(const char *desc, const u64 *start, const u64 *size,
		    int n, bool want_ok, const char *why_has)
{
	char why[NVMEV_WHY_LEN] = "";
	int ret = nvmev_check_regions(start, size, n, why, sizeof(why));

	CHECK(want_ok ? !ret : ret == -EINVAL, "%s: %d (%s)", desc, ret, why);
	CHECK(!why_has || strstr(why, why_has), "%s: '%s' lacks '%s'", desc,
	      why, why_has);
}

static void test_regions(void)
{
	static const u64 s_split[] = { 1ULL << 30, 1536ULL << 20 },
			 z_split[] = { 512 * MIB, 256 * MIB },
			 z_over[] = { 512 * MIB + 4096, 256 * MIB },
			 s_same[] = { 1ULL << 30, 1ULL << 30 },
			 s_rev[] = { 1536ULL << 20, 1ULL << 30 },
			 s_four[] = { 1ULL << 30, 2ULL << 30, 3ULL << 30,
				      (5ULL << 29) },
			 z_four[] = { 1ULL << 30, 1ULL << 30, 1ULL << 30,
				      64 * MIB },
			 s_wrap[] = { U64_MAX - 4095, 0 },
			 z_wrap[] = { 1ULL << 30, 1ULL << 30 };

	regions("one device", s_split, z_split, 1, true, NULL);
	regions("adjacent", s_split, z_split, 2, true, NULL);
	regions("adjacent, reversed", s_rev, (const u64[]){ 256 * MIB,
							    512 * MIB },
		2, true, NULL);
	regions("one page into the next", s_split, z_over, 2, false,
		"device 0 (0x40000000+0x20001000) and device 1");
	regions("the same start", s_same, z_split, 2, false, "overlap");
	regions("the second inside the first, reversed", s_rev,
		(const u64[]){ 256 * MIB, 1ULL << 30 }, 2, false, "overlap");
	regions("four, the last inside the second", s_four, z_four, 4, false,
		"device 1 (0x80000000+0x40000000) and device 3");
	regions("four, disjoint",
		(const u64[]){ 1ULL << 30, 2ULL << 30, 3ULL << 30,
			       4ULL << 30 },
		z_four, 4, true, NULL);
	/* an end past the address space saturates instead of wrapping */
	regions("wrapping end", s_wrap, z_wrap, 2, true, NULL);
	regions("wrapping end, later start", (const u64[]){ 1ULL << 30,
							    U64_MAX - 4095 },
		(const u64[]){ U64_MAX, 4096 }, 2, false, "overlap");
}

int main(void)
{
	test_sizes();
	test_cpus();
	test_layout();
	test_kv_split();
	test_ns_pool();
	test_list_split();
	test_size_lists();
	test_list_lens();
	test_regions();
	return test_report("test_params");
}
