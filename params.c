// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - strict parsing of module parameter strings. Pure, so the edge
 * cases (suffixes, overflow, trailing garbage, duplicate CPUs) are
 * unit-tested in user space; main.c validates the parsed values against
 * the running system.
 */
#include "nvmev.h"

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
