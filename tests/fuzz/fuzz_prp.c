// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_prp.c - libFuzzer target for the PRP walker (dma.c: nvmev_prp_map).
 *
 * Input: PRP1, PRP2 (u64 each), a length (u32), then the contents of a
 * small fake host memory (up to 8 pages at FAKE_BASE) holding PRP lists.
 * PRP fields are steered into or near that memory half of the time so the
 * list walk, chaining and loops are reached. Invariants on every input: a
 * list read never leaves the fake memory or crosses a page; on success the
 * segments are page-bounded, at most NVMEV_MAX_SEGS, and sum to the length.
 */
#include <assert.h>
#include "nvmev.h"

#define FAKE_BASE 0x40000000ULL
#define FAKE_PAGES 8
#define PG NVMEV_PAGE_SIZE

static u8 mem[FAKE_PAGES * PG];
static struct nvmev_sgl sgl;

static int fake_read(void *ctx, u64 addr, u64 *entries, u32 nr)
{
	(void)ctx;
	if (addr < FAKE_BASE || addr - FAKE_BASE >= sizeof(mem) ||
	    (u64)nr * 8 > sizeof(mem) - (addr - FAKE_BASE))
		return -EFAULT;
	assert((addr & (PG - 1)) + nr * 8 <= PG);
	memcpy(entries, mem + (addr - FAKE_BASE), nr * 8);
	return 0;
}

static const struct nvmev_mem_ops ops = { .read_prp_list = fake_read };

static u64 steer(u64 v)
{
	/* low bit set: an address inside the fake memory, keeping v's offset */
	if (v & 1)
		return FAKE_BASE + (v >> 1) % sizeof(mem);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u64 prp1, prp2, sum = 0;
	u32 len, i;
	u16 st;

	if (size < 20)
		return 0;
	memcpy(&prp1, data, 8);
	memcpy(&prp2, data + 8, 8);
	memcpy(&len, data + 16, 4);
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + 20, min_t(size_t, size - 20, sizeof(mem)));
	/* list entries in the fake memory are steered the same way */
	for (i = 0; i < sizeof(mem) / 8; i++) {
		u64 e;

		memcpy(&e, mem + i * 8, 8);
		e = steer(e);
		memcpy(mem + i * 8, &e, 8);
	}
	prp1 = steer(prp1) & ~3ULL;
	prp2 = steer(prp2);
	len %= NVMEV_MAX_XFER + 2;

	st = nvmev_prp_map(&sgl, prp1, prp2, len, &ops, NULL);
	if (st)
		return 0;
	assert(sgl.nr <= NVMEV_MAX_SEGS);
	for (i = 0; i < sgl.nr; i++) {
		assert(sgl.seg[i].len > 0);
		assert((sgl.seg[i].addr & (PG - 1)) + sgl.seg[i].len <= PG);
		sum += sgl.seg[i].len;
	}
	assert(sum == len && sgl.total == len);
	return 0;
}
