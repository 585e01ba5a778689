// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_timing.c - the timing model (timing.c) under random parameters
 * (anywhere within the validation ranges) and random command sequences,
 * with live retunes and geometry changes in between. Invariants:
 *  - every accepted parameter set passes nvmev_timing_params_check();
 *    a rejected set leaves the model as it was;
 *  - a target is never before its submission time;
 *  - no busy-until time ever moves back;
 *  - no undefined behaviour (UBSan), no access outside the arrays (ASan).
 * Input: 26 parameter bytes, then 16-byte commands.
 */
#include "timing.h"
#include "fuzz_util.h"

struct fz_in {
	const u8 *p;
	size_t n;
};

static u64 take(struct fz_in *in, unsigned int bytes)
{
	u64 v = 0;

	while (bytes-- && in->n) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

/* A value in [min, max] of parameter @i, biased to the edges. */
static u64 pick(unsigned int i, u64 raw)
{
	const struct nvmev_timing_param_desc *d = &nvmev_timing_param_table[i];
	u64 span = d->max - d->min, v;

	switch (raw & 3) {
	case 0:
		v = d->min;
		break;
	case 1:
		v = d->max;
		break;
	default:
		v = d->min + (span == U64_MAX ? raw : (raw >> 2) % (span + 1));
	}
	if ((d->flags & NVMEV_TP_POW2) && !is_power_of_2(v)) {
		while (!is_power_of_2(v))
			v &= v - 1;	/* round down to a power of two */
		if (v < d->min)
			v = d->min;
	}
	return v;
}

static void params_from(struct fz_in *in, struct nvmev_timing_params *p)
{
	unsigned int i;

	nvmev_timing_preset((take(in, 1) & 1) ? "none" : "pm983", p);
	for (i = 0; i < nvmev_timing_nr_params; i++) {
		u64 raw = take(in, 1);

		if (raw & 0x80)	/* keep the preset's value */
			continue;
		/* in any order some sets are refused by the cross check */
		nvmev_timing_param_set(p, nvmev_timing_param_table[i].name,
				       pick(i, raw * 0x9e3779b97f4a7c15ULL));
	}
	FZ_ASSERT(!nvmev_timing_params_check(p));
}

static void check_monotone(const struct nvmev_timing_model *a,
			   const struct nvmev_timing_model *b)
{
	unsigned int i;

	FZ_ASSERT(b->link_rx_free >= a->link_rx_free);
	FZ_ASSERT(b->link_tx_free >= a->link_tx_free);
	for (i = 0; i < ARRAY_SIZE(a->core_free); i++)
		FZ_ASSERT(b->core_free[i] >= a->core_free[i]);
	for (i = 0; i < ARRAY_SIZE(a->channel_free); i++)
		FZ_ASSERT(b->channel_free[i] >= a->channel_free[i]);
	for (i = 0; i < ARRAY_SIZE(a->die_free); i++)
		FZ_ASSERT(b->die_free[i] >= a->die_free[i]);
	for (i = 0; i < ARRAY_SIZE(a->slot_free); i++)
		FZ_ASSERT(b->slot_free[i] >= a->slot_free[i]);
	FZ_ASSERT(b->wb_slot < b->nslots && b->prog_die < b->ndies);
}

static void retune(struct nvmev_timing_model *m, struct fz_in *in)
{
	struct nvmev_timing_params before = m->p;
	unsigned int i = take(in, 1) % nvmev_timing_nr_params;
	u64 raw = take(in, 8);
	int ret;

	ret = nvmev_timing_set(m, nvmev_timing_param_table[i].name,
			       (raw & 1) ? pick(i, raw) : raw);
	FZ_ASSERT(ret == 0 || ret == -EINVAL);
	if (ret)
		FZ_ASSERT(!memcmp(&before, &m->p, sizeof(before)));
	FZ_ASSERT(!nvmev_timing_params_check(&m->p));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct nvmev_timing_model m, old;
	struct fz_in in = { data, size };
	struct nvmev_timing_params p;
	u64 now = take(&in, 1) & 1 ? U64_MAX - (1ULL << 40) : 0;

	params_from(&in, &p);
	FZ_ASSERT(!nvmev_timing_init(&m, &p));
	while (in.n) {
		u8 ctl = take(&in, 1);
		struct nvmev_timing_op op = {
			.kind = ctl % (NVMEV_TIMING_NR_KINDS + 1),
			.value_bytes = take(&in, 3) << (ctl >> 6),
			.xfer_bytes = take(&in, 3),
			.key_hash = take(&in, 4) * 0x9e3779b97f4a7c15ULL,
			.slba = take(&in, 3) << (ctl & 0x20 ? 40 : 0),
			.live_keys = take(&in, 2) << 20,
		};
		u64 t;

		if (ctl == 0xff) {
			old = m;
			retune(&m, &in);
			check_monotone(&old, &m);
			continue;
		}
		t = take(&in, 2) << (ctl & 0x10 ? 10 : 0);
		if (now > U64_MAX - t)
			break;	/* the clock does not wrap */
		now += t;
		old = m;
		t = nvmev_timing_book(&m, now, &op);
		FZ_ASSERT(t >= now);
		check_monotone(&old, &m);
	}
	return 0;
}
