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

int main(void)
{
	test_sizes();
	test_cpus();
	test_layout();
	test_kv_split();
	return test_report("test_params");
}
