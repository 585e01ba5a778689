// SPDX-License-Identifier: GPL-2.0
/*
 * test_params.c - strict parsing of the size and cpus module parameters
 * (params.c), at the edges: suffixes, hex, overflow, garbage, duplicates.
 */
#include "nvmev.h"
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

int main(void)
{
	test_sizes();
	test_cpus();
	return test_report("test_params");
}
