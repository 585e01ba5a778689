// SPDX-License-Identifier: GPL-2.0
/*
 * kvbench - queue-depth-1 store/retrieve rate through the real nvme driver
 * (NVME_IOCTL_IO64_CMD). Used to compare module builds in one VM run, e.g.
 * call-flow tracing compiled in but off vs compiled out.
 *
 *   kvbench DEV [--ops N] [--size BYTES] [--keys K]
 *
 * Prints one line: "kvbench: ops=N size=S seconds=T ops_per_s=R"; exits
 * non-zero if any command fails or a retrieved value differs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kvlib.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long ops = 20000, keys = 1000, i;
	uint32_t size = 4096, dw0;
	static uint8_t val[1 << 20], got[1 << 20];
	struct kv_dev d;
	double t0, t1;
	char key[17];
	int a, st;

	if (argc < 2) {
		fprintf(stderr, "usage: kvbench DEV [--ops N] [--size BYTES] [--keys K]\n");
		return 2;
	}
	for (a = 2; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--ops"))
			ops = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--size"))
			size = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--keys"))
			keys = strtoul(argv[a + 1], NULL, 0);
	}
	if (!size || size > sizeof(val) || !keys) {
		fprintf(stderr, "kvbench: bad --size or --keys\n");
		return 2;
	}
	if (kv_open(&d, argv[1], kv_coding_of_module()))
		return 1;
	for (i = 0; i < size; i++)
		val[i] = (uint8_t)(i * 131 + 7);

	t0 = now_s();
	for (i = 0; i < ops; i += 2) {
		int klen = snprintf(key, sizeof(key), "bench%lu", i / 2 % keys);

		val[0] = (uint8_t)i;
		st = kv_store(&d, key, klen, val, size, 0, &dw0);
		if (st) {
			fprintf(stderr, "kvbench: store %s: %s\n", key, kv_status_str(st));
			return 1;
		}
		st = kv_retrieve(&d, key, klen, got, size, &dw0, NULL);
		if (st || dw0 != size || memcmp(got, val, size)) {
			fprintf(stderr, "kvbench: retrieve %s: %s, dw0 %u\n", key,
				kv_status_str(st), dw0);
			return 1;
		}
	}
	t1 = now_s();
	printf("kvbench: ops=%lu size=%u seconds=%.3f ops_per_s=%.0f\n", ops,
	       size, t1 - t0, ops / (t1 - t0));
	kv_close(&d);
	return 0;
}
