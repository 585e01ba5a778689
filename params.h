/* SPDX-License-Identifier: GPL-2.0 */
/*
 * params.h - the checks of the size parameters (params.c). Pure, so that
 * every rejection, and which parameter it names, is unit-tested.
 */
#ifndef NVMEV_PARAMS_H
#define NVMEV_PARAMS_H

#include "nvmev.h"

#define NVMEV_BLK_MIN_BYTES	(1ULL << 20)
/* NVMEV_BAR_WINDOW (kernel only), asserted equal in main.c */
#define NVMEV_BAR_BYTES		(1ULL << 20)

/* The size parameters as given; *_set: given on the insmod line. */
struct nvmev_sizes {
	u64 memmap_start;
	u64 memmap_size;
	u64 blk_size;
	bool memmap_start_set;
	bool memmap_size_set;
	bool blk_size_set;
};

#define NVMEV_WHY_LEN		256

const char *nvmev_check_sizes(const struct nvmev_sizes *s, char *why,
			      size_t len);

/* Namespace 2's share of the KV area by default: a quarter, if that is 32 MiB */
#define NVMEV_KV_STD_SHARE	4

const char *nvmev_split_kv(u64 kv_area, u64 std_size, bool std_set,
			   u64 *std_bytes, char *why, size_t len);

#endif /* NVMEV_PARAMS_H */
