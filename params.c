// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - strict parsing of module parameter strings and the checks of
 * the size parameters against each other. Pure, so the edge cases
 * (suffixes, overflow, trailing garbage, duplicate CPUs, which parameter a
 * rejection names) are unit-tested in user space; main.c checks the
 * values against the running system (reserved memory, online CPUs).
 */
#include "params.h"
#include "kv_ftl.h"

static int parse_suffix(char c, unsigned int *shift)
{
	switch (c) {
	case 'k': case 'K': *shift = 10; return 0;
	case 'm': case 'M': *shift = 20; return 0;
	case 'g': case 'G': *shift = 30; return 0;
	case 't': case 'T': *shift = 40; return 0;
	default: return -EINVAL;
	}
}

/**
 * nvmev_parse_size - "4096", "0x1000", "64M", "1G" -> bytes
 * @s: the string; one trailing newline is accepted (sysfs writes)
 * @out: result
 *
 * Return: 0, or -EINVAL for empty input, a bad digit or suffix, trailing
 * characters or a value that does not fit in 64 bits.
 */
int nvmev_parse_size(const char *s, u64 *out)
{
	unsigned int base = 10, shift = 0;
	u64 v = 0;
	int digits = 0;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (check_mul_overflow(v, (u64)base, &v) ||
		    check_add_overflow(v, (u64)d, &v))
			return -EINVAL;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	if (*s && *s != '\n' && parse_suffix(*s++, &shift))
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (shift && v > (U64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

/**
 * nvmev_parse_cpu_list - "1" or "0,1,3" -> @cpus
 * @s: decimal CPU numbers separated by commas; a trailing newline is fine
 * @cpus: output array
 * @max: its size
 *
 * Return: the number of CPUs, or -EINVAL for an empty list, a bad number,
 * a duplicate or more than @max entries.
 */
int nvmev_parse_cpu_list(const char *s, unsigned int *cpus, int max)
{
	int n = 0;

	if (!s)
		return -EINVAL;
	for (;;) {
		unsigned int v = 0;
		int digits = 0, i;

		for (; *s >= '0' && *s <= '9'; s++, digits++) {
			v = v * 10 + (*s - '0');
			if (v > 65535)
				return -EINVAL;
		}
		if (!digits || n == max)
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (cpus[i] == v)
				return -EINVAL;
		cpus[n++] = v;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\n')
			s++;
		return *s ? -EINVAL : n;
	}
}

/*
 * The smallest memmap_size: the BAR window, the smallest block area and
 * the smallest KV area.
 */
#define NVMEV_MIN_MEMMAP \
	(NVMEV_BAR_BYTES + NVMEV_BLK_MIN_BYTES + KV_MIN_AREA_BYTES)

/**
 * nvmev_check_sizes - check memmap_start, memmap_size and blk_size
 * @s: the values, and which of them the user gave
 * @why: receives the reason for a rejection (no parameter prefix)
 * @len: size of @why
 *
 * The layout is [BAR window 1 MiB | blk_size | KV area >= 32 MiB]. When a
 * value only conflicts with another, the one named is the one the user
 * gave: memmap_size=1M with the default blk_size is a memmap_size that is
 * too small, not a blk_size that is too large.
 *
 * Return: NULL if the sizes are consistent, else the name of the parameter
 * to fix, with @why saying why.
 */
const char *nvmev_check_sizes(const struct nvmev_sizes *s, char *why,
			      size_t len)
{
	u64 end, kv_room;

	if (!s->memmap_start_set) {
		snprintf(why, len, "missing: give the START of the memory reserved with memmap=SIZE$START");
		return "memmap_start";
	}
	if (!s->memmap_start) {
		snprintf(why, len, "0 is not a reserved range: physical memory at 0 holds firmware data and the kernel's low memory, memmap= cannot reserve it; give the START of memmap=SIZE$START");
		return "memmap_start";
	}
	if (!IS_ALIGNED(s->memmap_start, NVMEV_BAR_BYTES)) {
		snprintf(why, len, "%#llx is not aligned to 1 MiB",
			 (unsigned long long)s->memmap_start);
		return "memmap_start";
	}
	if (!s->memmap_size_set) {
		snprintf(why, len, "missing: give the SIZE of the memory reserved with memmap=SIZE$START");
		return "memmap_size";
	}
	if (!IS_ALIGNED(s->memmap_size, NVMEV_PAGE_SIZE) ||
	    check_add_overflow(s->memmap_start, s->memmap_size, &end)) {
		snprintf(why, len, "%#llx is not a 4 KiB multiple or runs past the address space",
			 (unsigned long long)s->memmap_size);
		return "memmap_size";
	}
	if (s->memmap_size < NVMEV_MIN_MEMMAP) {
		snprintf(why, len, "%llu bytes are below the minimum of %llu (1 MiB BAR window + 1 MiB block area + %llu MiB KV area)",
			 (unsigned long long)s->memmap_size, NVMEV_MIN_MEMMAP,
			 KV_MIN_AREA_BYTES >> 20);
		return "memmap_size";
	}
	if (s->blk_size < NVMEV_BLK_MIN_BYTES ||
	    !IS_ALIGNED(s->blk_size, NVMEV_PAGE_SIZE)) {
		snprintf(why, len, "%llu must be a multiple of 4 KiB and at least 1 MiB",
			 (unsigned long long)s->blk_size);
		return "blk_size";
	}
	kv_room = s->memmap_size - NVMEV_BAR_BYTES - KV_MIN_AREA_BYTES;
	if (s->blk_size > kv_room) {
		if (s->blk_size_set) {
			snprintf(why, len, "%llu bytes leave less than a %llu MiB KV area in memmap_size %llu (1 MiB BAR window + blk_size + KV area): at most %llu",
				 (unsigned long long)s->blk_size,
				 KV_MIN_AREA_BYTES >> 20,
				 (unsigned long long)s->memmap_size,
				 (unsigned long long)kv_room);
			return "blk_size";
		}
		snprintf(why, len, "%llu bytes hold the 1 MiB BAR window and the default blk_size of %llu but not a %llu MiB KV area: give at least %llu, or a smaller blk_size",
			 (unsigned long long)s->memmap_size,
			 (unsigned long long)s->blk_size, KV_MIN_AREA_BYTES >> 20,
			 (unsigned long long)(s->blk_size + NVMEV_BAR_BYTES +
					      KV_MIN_AREA_BYTES));
		return "memmap_size";
	}
	return NULL;
}

/**
 * nvmev_check_pool - the capacity left unallocated at load (ns_pool_size)
 * @kv_area: bytes after the BAR window and the block area
 * @pool: ns_pool_size as given
 * @why: receives the reason for a rejection
 * @len: size of @why
 *
 * Namespace Management allocates in MiB; namespace 1 keeps its KV area.
 *
 * Return: NULL, or "ns_pool_size" with @why saying why.
 */
const char *nvmev_check_pool(u64 kv_area, u64 pool, char *why, size_t len)
{
	if (!IS_ALIGNED(pool, 1ULL << 20)) {
		snprintf(why, len, "%llu is not a multiple of 1 MiB",
			 (unsigned long long)pool);
		return "ns_pool_size";
	}
	if (pool > kv_area || kv_area - pool < KV_MIN_AREA_BYTES) {
		snprintf(why, len,
			 "%llu bytes leave namespace 1 less than %llu MiB of the %llu-byte KV area (memmap_size - 1 MiB - blk_size)",
			 (unsigned long long)pool, KV_MIN_AREA_BYTES >> 20,
			 (unsigned long long)kv_area);
		return "ns_pool_size";
	}
	return NULL;
}

/**
 * nvmev_split_kv - cut the KV area between namespace 1 and namespace 2
 * @kv_area: bytes after the BAR window and the block area
 * @std_size: kv_std_size as given (0: no namespace 2)
 * @std_set: kv_std_size was given; else a quarter of the area, rounded
 *	down to 1 MiB, if both halves keep the minimum KV area, else none
 * @std_bytes: receives namespace 2's bytes (0: no namespace 2)
 * @why: receives the reason for a rejection
 * @len: size of @why
 *
 * Both key spaces need KV_MIN_AREA_BYTES each: an index and enough log
 * segments for reclamation to work.
 *
 * Return: NULL, or "kv_std_size" with @why saying why.
 */
const char *nvmev_split_kv(u64 kv_area, u64 std_size, bool std_set,
			   u64 *std_bytes, char *why, size_t len)
{
	u64 share = (kv_area / NVMEV_KV_STD_SHARE) & ~((1ULL << 20) - 1);

	*std_bytes = 0;
	if (!std_set) {
		if (share >= KV_MIN_AREA_BYTES &&
		    kv_area - share >= KV_MIN_AREA_BYTES)
			*std_bytes = share;
		return NULL;
	}
	if (!std_size)
		return NULL;
	if (!IS_ALIGNED(std_size, NVMEV_PAGE_SIZE) ||
	    std_size < KV_MIN_AREA_BYTES) {
		snprintf(
			why, len,
			"%llu must be 0 (no namespace 2) or a 4 KiB multiple of at least %llu MiB",
			(unsigned long long)std_size, KV_MIN_AREA_BYTES >> 20);
		return "kv_std_size";
	}
	if (std_size > kv_area || kv_area - std_size < KV_MIN_AREA_BYTES) {
		snprintf(
			why, len,
			"%llu bytes leave namespace 1 less than %llu MiB of the %llu-byte KV area (memmap_size - 1 MiB - blk_size)",
			(unsigned long long)std_size, KV_MIN_AREA_BYTES >> 20,
			(unsigned long long)kv_area);
		return "kv_std_size";
	}
	*std_bytes = std_size;
	return NULL;
}

/**
 * nvmev_list_split - "a,b,c" -> items
 * @s: the list; one trailing newline is accepted (sysfs writes)
 * @sep: the separator, NVMEV_LIST_SEP or NVMEV_CPUS_SEP
 * @items: receives the items, NUL-terminated
 * @max: room in @items
 *
 * Return: the number of items; -EINVAL for a NULL or empty list, an empty
 * item ("1G,,2G", "1G,") or one of NVMEV_ITEM_LEN characters or more;
 * -E2BIG for more than @max items.
 */
int nvmev_list_split(const char *s, char sep, char (*items)[NVMEV_ITEM_LEN],
		     int max)
{
	int n = 0;

	if (!s)
		return -EINVAL;
	for (;;) {
		size_t len = 0;

		while (s[len] && s[len] != sep &&
		       !(s[len] == '\n' && !s[len + 1]))
			len++;
		if (!len || len >= NVMEV_ITEM_LEN)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		memcpy(items[n], s, len);
		items[n++][len] = '\0';
		s += len;
		if (*s != sep)
			return n;
		s++;
	}
}

/**
 * nvmev_parse_size_list - "512M" or "1G,0x60000000" -> @l
 * @s: sizes as nvmev_parse_size() takes them, separated by commas
 * @l: receives the values; untouched on error
 * @bad: receives the index of the item that does not parse, or -1 when
 *	the list itself is malformed (empty, an empty item, too many items)
 *
 * Return: 0, -EINVAL or -E2BIG (more than NVMEV_MAX_DEVICES values).
 */
int nvmev_parse_size_list(const char *s, struct nvmev_u64_list *l, int *bad)
{
	char items[NVMEV_MAX_DEVICES][NVMEV_ITEM_LEN];
	struct nvmev_u64_list tmp = { .n = 0 };
	int n, i;

	*bad = -1;
	n = nvmev_list_split(s, NVMEV_LIST_SEP, items, NVMEV_MAX_DEVICES);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (nvmev_parse_size(items[i], &tmp.v[i])) {
			*bad = i;
			return -EINVAL;
		}
	}
	tmp.n = n;
	*l = tmp;
	return 0;
}

/**
 * nvmev_check_list_lens - does every list fit the number of devices?
 * @names: parameter names
 * @lens: how many values each was given (0: not given)
 * @nr: entries in @names and @lens
 * @nr_devs: devices, the length of memmap_start
 * @why: receives the reason for a rejection
 * @len: size of @why
 *
 * A parameter gives no value (its default), one value for every device,
 * or one value per device.
 *
 * Return: NULL, or the name of the first parameter with another length.
 */
const char *nvmev_check_list_lens(const char *const *names, const int *lens,
				  int nr, int nr_devs, char *why, size_t len)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (lens[i] <= 1 || lens[i] == nr_devs)
			continue;
		snprintf(why, len,
			 "%d values for %d device(s) (memmap_start has %d): give one value for every device or one per device",
			 lens[i], nr_devs, nr_devs);
		return names[i];
	}
	return NULL;
}

static u64 region_end(u64 start, u64 size)
{
	u64 end;

	return check_add_overflow(start, size, &end) ? U64_MAX : end;
}

/**
 * nvmev_check_regions - no two devices' regions may share a byte
 * @start: memmap_start of each device
 * @size: memmap_size of each device
 * @n: devices
 * @why: receives the reason for a rejection (names both devices)
 * @len: size of @why
 *
 * Return: 0, or -EINVAL if two regions overlap.
 */
int nvmev_check_regions(const u64 *start, const u64 *size, int n, char *why,
			size_t len)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (start[i] >= region_end(start[j], size[j]) ||
			    start[j] >= region_end(start[i], size[i]))
				continue;
			snprintf(why, len,
				 "the regions of device %d (%#llx+%#llx) and device %d (%#llx+%#llx) overlap: each device needs a region of its own",
				 i, (unsigned long long)start[i],
				 (unsigned long long)size[i], j,
				 (unsigned long long)start[j],
				 (unsigned long long)size[j]);
			return -EINVAL;
		}
	}
	return 0;
}
