// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_allocator.c - appends, overwrites, deletes and reclamation slices
 * on a small log with guard bytes around the region, against a model:
 * log_check() after every operation, every live record's value exact,
 * relocations always of the record the model holds, nothing written
 * outside the region.
 */
#include "allocator.h"
#include "fuzz_util.h"

#define NK 64
#define GUARD 256

struct rec {
	bool live;
	u64 off;
	u32 vsize;
	u8 fill;
};

static struct rec model[NK];

static void relocate(void *ctx, const u8 *key, u8 klen, u64 old, u64 new)
{
	(void)ctx;
	FZ_ASSERT(klen == 2 && key[0] < NK && model[key[0]].live &&
		  model[key[0]].off == old);
	model[key[0]].off = new;
}

static void check_values(struct log_alloc *a)
{
	u32 id, i;

	for (id = 0; id < NK; id++) {
		const u8 *v;

		if (!model[id].live)
			continue;
		FZ_ASSERT(log_rec(a, model[id].off)->key[0] == id);
		v = log_value(a, model[id].off);
		for (i = 0; i < model[id].vsize; i++)
			FZ_ASSERT(v[i] == (u8)(model[id].fill + i));
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 *mem;
	const u32 seg = 2048, nsegs = 12;
	struct log_config cfg = { 0 };
	struct log_alloc a;
	size_t i;
	u32 j;

	if (size < 1)
		return 0;
	if (!mem)
		mem = malloc(seg * nsegs + 2 * GUARD);
	memset(mem, 0xcc, seg * nsegs + 2 * GUARD);
	memset(model, 0, sizeof(model));
	cfg.base = mem + GUARD;
	cfg.size = seg * nsegs;
	cfg.seg_size = seg;
	cfg.max_value = seg - sizeof(struct log_rec_hdr) - (data[0] & 7) * 128;
	cfg.reserve_segs = 1 + (data[0] >> 6);
	cfg.slice_bytes = 64 + (data[0] & 0x38) * 16;
	cfg.relocate = relocate;
	FZ_ASSERT(!log_init(&a, &cfg));
	for (i = 1; i + 2 < size; i += 3) {
		u32 id = data[i + 1] % NK;
		u8 op = data[i] % 4;
		u64 off;
		int err;

		if (op <= 1) {	/* append (new or overwrite) */
			u32 vs = (data[i + 2] * 8 + data[i]) % (cfg.max_value + 1);
			u8 k[2] = { (u8)id, 0xab };
			u8 *v;

			err = log_append(&a, k, 2, vs, &off);
			FZ_ASSERT(!err || err == -ENOSPC);
			if (err)
				continue;
			v = log_value(&a, off);
			for (j = 0; j < vs; j++)
				v[j] = (u8)(data[i] + j);
			if (model[id].live)
				log_mark_dead(&a, model[id].off);
			model[id] = (struct rec){ true, off, vs, data[i] };
		} else if (op == 2) {
			if (model[id].live)
				log_mark_dead(&a, model[id].off);
			model[id].live = false;
		} else {
			log_reclaim_step(&a, data[i + 2] * 64);
		}
		FZ_ASSERT(log_check(&a) == 0);
	}
	check_values(&a);
	for (j = 0; j < GUARD; j++)
		FZ_ASSERT(mem[j] == 0xcc && mem[GUARD + seg * nsegs + j] == 0xcc);
	log_destroy(&a);
	return 0;
}
