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

const char *nvmev_check_pool(u64 kv_area, u64 pool, char *why, size_t len);
const char *nvmev_split_kv(u64 kv_area, u64 std_size, bool std_set,
			   u64 *std_bytes, char *why, size_t len);

/*
 * Several devices from one module: memmap_start=1G,2G makes two. Every
 * per-device parameter takes one value (for every device) or one value per
 * device, separated by commas; cpus= separates its per-device groups by
 * colons (cpus=1,2:3,4), as its own lists use commas.
 */
#define NVMEV_ITEM_LEN		128	/* one item of a list, with its NUL */
#define NVMEV_LIST_SEP		','
#define NVMEV_CPUS_SEP		':'

/* One parameter's values as given: @n is 0 (not given), 1 (for all) or more. */
struct nvmev_u64_list {
	u64 v[NVMEV_MAX_DEVICES];
	int n;
};

/* Which of @n values device @dev uses: the only one, or its own. */
static inline int nvmev_list_idx(int n, int dev)
{
	return n <= 1 ? 0 : dev;
}

/* Device @dev's value of @l, or @def if the parameter was not given. */
static inline u64 nvmev_list_get(const struct nvmev_u64_list *l, int dev,
				 u64 def)
{
	return l->n ? l->v[nvmev_list_idx(l->n, dev)] : def;
}

int nvmev_list_split(const char *s, char sep, char (*items)[NVMEV_ITEM_LEN],
		     int max);
int nvmev_parse_size_list(const char *s, struct nvmev_u64_list *l, int *bad);
const char *nvmev_check_list_lens(const char *const *names, const int *lens,
				  int nr, int nr_devs, char *why, size_t len);
int nvmev_check_regions(const u64 *start, const u64 *size, int n, char *why,
			size_t len);

#endif /* NVMEV_PARAMS_H */
