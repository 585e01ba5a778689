// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_params.c - module parameter strings -> nvmev_parse_size(),
 * nvmev_parse_cpu_list() and nvmev_check_sizes() (params.c), each against
 * an independent model:
 *  - a size is accepted exactly when it is [0x]digits, an optional K/M/G/T
 *    suffix and an optional newline, and fits 64 bits; the value matches
 *    a long-hand computation in 128-bit arithmetic;
 *  - a CPU list is accepted exactly when it is comma-separated decimal
 *    numbers up to 65535, distinct, at most max, optional newline;
 *  - a size list (one per device) is accepted exactly when, without one
 *    trailing newline, its comma-separated items are 1..NVMEV_MAX_DEVICES
 *    non-empty sizes of under NVMEV_ITEM_LEN characters, and a rejection
 *    says which (-E2BIG: too many; the bad item's index);
 *  - the size check accepts exactly the layouts that fit
 *    [1 MiB BAR | blk_size | >= 32 MiB KV] without overflow, and a
 *    rejection names one of the three parameters and says why.
 * Input: a control byte, then NUL-separated strings (size, cpu list).
 */
#include "params.h"
#include "kv_ftl.h"
#include "fuzz_util.h"

static int model_size(const char *s, u64 *out)
{
	unsigned __int128 v = 0;
	unsigned int base = 10, shift = 0;
	const char *p = s;
	int digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		int d = -1;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		if (d < 0)
			break;
		v = v * base + d;
		if (v > (unsigned __int128)~0ULL)
			return -1;
		digits++;
	}
	if (!digits)
		return -1;
	switch (*p) {
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	}
	if (*p == '\n')
		p++;
	if (*p)
		return -1;
	v <<= shift;
	if (v > (unsigned __int128)~0ULL)
		return -1;
	*out = (u64)v;
	return 0;
}

static int model_cpus(const char *s, unsigned int *cpus, int max)
{
	int n = 0;

	for (;;) {
		unsigned long v = 0;
		int digits = 0, i;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned long)(*s++ - '0');
			if (v > 65535)
				return -1;
			digits++;
		}
		if (!digits || n == max)
			return -1;
		for (i = 0; i < n; i++)
			if (cpus[i] == v)
				return -1;
		cpus[n++] = (unsigned int)v;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\n')
			s++;
		return *s ? -1 : n;
	}
}

static bool model_sizes_ok(const struct nvmev_sizes *z)
{
	unsigned __int128 end = (unsigned __int128)z->memmap_start +
				z->memmap_size;
	unsigned __int128 need = (unsigned __int128)NVMEV_BAR_BYTES +
				 z->blk_size + KV_MIN_AREA_BYTES;

	return z->memmap_start_set && z->memmap_size_set && z->memmap_start &&
	       !(z->memmap_start % NVMEV_BAR_BYTES) &&
	       !(z->memmap_size % NVMEV_PAGE_SIZE) &&
	       end <= (unsigned __int128)~0ULL &&
	       z->blk_size >= NVMEV_BLK_MIN_BYTES &&
	       !(z->blk_size % NVMEV_PAGE_SIZE) && need <= z->memmap_size;
}

static void fuzz_sizes(const u8 *d, size_t n, u8 ctl)
{
	static const u64 edges[] = { 0, 1, 4096, 1 << 20, 33 << 20, 34 << 20,
				     35 << 20, 64 << 20, 1ULL << 30,
				     ~0ULL - 4095, ~0ULL };
	struct nvmev_sizes z = { 0 };
	char why[NVMEV_WHY_LEN];
	const char *bad;
	u64 v[3] = { 0 };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (n >= 9 && d[0] & 1) {
			memcpy(&v[i], d + 1, 8);
			if (d[0] & 2) /* page- or MiB-aligned, as users give */
				v[i] &= d[0] & 4 ? ~0xfffffULL : ~0xfffULL;
			d += 9;
			n -= 9;
		} else if (n >= 1) {
			v[i] = edges[d[0] % ARRAY_SIZE(edges)] +
			       (d[0] & 0x80 ? 4096 : 0);
			d++;
			n--;
		}
	}
	z.memmap_start = v[0];
	z.memmap_size = v[1];
	z.blk_size = v[2] ? v[2] : 64 << 20;
	z.memmap_start_set = !(ctl & 0x10);
	z.memmap_size_set = !(ctl & 0x20);
	z.blk_size_set = !!v[2];
	why[0] = '\0';
	bad = nvmev_check_sizes(&z, why, sizeof(why));
	FZ_ASSERT(!bad == model_sizes_ok(&z));
	if (bad) {
		FZ_ASSERT(!strcmp(bad, "memmap_start") ||
			  !strcmp(bad, "memmap_size") || !strcmp(bad, "blk_size"));
		FZ_ASSERT(why[0] && strlen(why) < sizeof(why));
		/* the user is never told to fix what they did not give */
		if (!strcmp(bad, "blk_size") && !z.blk_size_set)
			FZ_ASSERT(z.blk_size < NVMEV_BLK_MIN_BYTES);
	}
}

/* nvmev_parse_size_list() against splitting by hand and model_size() */
static void fuzz_size_list(const char *s)
{
	struct nvmev_u64_list l = { .n = -1 };
	u64 want[NVMEV_MAX_DEVICES];
	char item[NVMEV_ITEM_LEN];
	size_t len = strlen(s), start = 0, i;
	int n = 0, want_ret = 0, want_bad = -1, bad, r;

	if (len && s[len - 1] == '\n')
		len--;
	for (i = 0; i <= len && !want_ret; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (i == start || i - start >= NVMEV_ITEM_LEN) {
			want_ret = -EINVAL;
		} else if (n == NVMEV_MAX_DEVICES) {
			want_ret = -E2BIG;
		} else {
			memcpy(item, s + start, i - start);
			item[i - start] = '\0';
			if (model_size(item, &want[n]) && want_bad < 0)
				want_bad = n;
			n++;
		}
		start = i + 1;
	}
	if (want_ret) /* the list's shape is checked before any item */
		want_bad = -1;
	else if (want_bad >= 0)
		want_ret = -EINVAL;
	r = nvmev_parse_size_list(s, &l, &bad);
	FZ_ASSERT(r == want_ret);
	if (r) {
		FZ_ASSERT(l.n == -1); /* untouched */
		FZ_ASSERT(bad == want_bad);
		return;
	}
	FZ_ASSERT(l.n == n);
	for (i = 0; i < (size_t)n; i++)
		FZ_ASSERT(l.v[i] == want[i]);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int cpus[17], want_cpus[17];
	char buf[256];
	const char *s;
	size_t len;
	u64 got, want;
	int r, m, i, max;
	u8 ctl;

	if (size < 1 || size > sizeof(buf))
		return 0;
	ctl = data[0];
	if (ctl & 0x40) {
		fuzz_sizes(data + 1, size - 1, ctl);
		return 0;
	}
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	s = buf;
	len = strlen(s);

	r = nvmev_parse_size(s, &got);
	m = model_size(s, &want);
	FZ_ASSERT((r == 0) == (m == 0));
	FZ_ASSERT(r == 0 || r == -EINVAL);
	if (!r)
		FZ_ASSERT(got == want);

	fuzz_size_list(s);

	/* the second string, after the first NUL, is a CPU list */
	if (len + 1 < size - 1)
		s = buf + len + 1;
	max = 1 + ctl % 17;
	r = nvmev_parse_cpu_list(s, cpus, max);
	m = model_cpus(s, want_cpus, max);
	FZ_ASSERT(r == m || (r == -EINVAL && m < 0));
	for (i = 0; i < r; i++)
		FZ_ASSERT(cpus[i] == want_cpus[i] && cpus[i] <= 65535);
	return 0;
}
