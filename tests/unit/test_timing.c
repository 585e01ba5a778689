// SPDX-License-Identifier: GPL-2.0
/*
 * test_timing.c - the timing model (timing.c) against hand-computed
 * completion times, to the ns. Each expected value is written as the sum
 * of its steps (front end + link + firmware + NAND + link) so it can be
 * checked by hand from the pm983 table in timing.h.
 *
 * Arithmetic used below: link 3200 MB/s: b bytes take ceil(b * 1000 /
 * 3200) ns (100 B: 32, 4 KiB: 1280, 64 KiB: 20480, 2 MiB: 655360);
 * channel 800 MB/s: a 4 KiB sector takes 5120 ns; per-KiB firmware costs
 * ceil(kib_ns * b / 1024).
 */
#include "timing.h"
#include "test_util.h"

#define NOW 1000000ULL	/* any submission time: results are relative */
#define KIB 1024U
#define MIB (1024U * 1024U)

/* book once (CHECK_EQ evaluates its arguments again to print them) */
#define CHECK_BOOK(m, now, op, want)                                       \
	do {                                                               \
		u64 __t = nvmev_timing_book(m, now, op);                   \
		CHECK_EQ(__t, want);                                       \
	} while (0)

static struct nvmev_timing_model *model_new(const struct nvmev_timing_params *p)
{
	struct nvmev_timing_model *m = calloc(1, sizeof(*m));

	if (!m || nvmev_timing_init(m, p)) {
		fprintf(stderr, "model_new: init failed\n");
		exit(1);
	}
	return m;
}

static struct nvmev_timing_model *model_preset(const char *name)
{
	struct nvmev_timing_params p;

	if (nvmev_timing_preset(name, &p))
		exit(1);
	return model_new(&p);
}

static struct nvmev_timing_op kv_op(enum nvmev_timing_kind kind, u32 bytes,
				    u64 hash)
{
	struct nvmev_timing_op op = {
		.kind = kind, .value_bytes = bytes, .xfer_bytes = bytes,
		.key_hash = hash,
	};
	return op;
}

static struct nvmev_timing_op blk_op(enum nvmev_timing_kind kind, u64 slba,
				     u32 nlb)
{
	u32 bytes = nlb * 512;
	struct nvmev_timing_op op = {
		.kind = kind, .slba = slba, .value_bytes = bytes,
		.xfer_bytes = (kind == NVMEV_TIMING_BLK_READ ||
			       kind == NVMEV_TIMING_BLK_WRITE) ? bytes : 0,
	};
	return op;
}

/* One op on a fresh pm983 model at NOW: its QD1 latency. */
static u64 qd1(struct nvmev_timing_op op)
{
	struct nvmev_timing_model *m = model_preset("pm983");
	u64 t = nvmev_timing_book(m, NOW, &op) - NOW;

	free(m);
	return t;
}

static const u32 sizes[] = { 1, 100, 4 * KIB, 64 * KIB, 2 * MIB };

static void test_pm983_store(void)
{
	/* front end + link rx + fw_store (7200 + ceil(500 b / 1024)) */
	static const u64 want[] = {
		1500 + 1 + (7200 + 1),
		1500 + 32 + (7200 + 49),
		1500 + 1280 + (7200 + 2000),
		1500 + 20480 + (7200 + 32000),
		1500 + 655360 + (7200 + 1024000),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		CHECK_EQ(qd1(kv_op(NVMEV_TIMING_STORE, sizes[i], 7)), want[i]);
}

static void test_pm983_retrieve(void)
{
	/*
	 * front end + fw_retrieve (6700 + ceil(330 b / 1024)) + tR 60000 +
	 * channel (sectors * 5120) + link tx. 1 B and 100 B are stored as
	 * 1 KiB: one sector. 64 KiB: 4 pages on dies 0-3 (channels 0-3) in
	 * parallel, 4 sectors each, then 64 KiB on the link. 2 MiB: 128 pages
	 * on 32 dies; the first page is at the controller after 60000 + 20480
	 * and the link (5120 ns per page) is slower than the 8 channels (2560
	 * ns per page) from then on, so it never starves.
	 */
	static const u64 want[] = {
		1500 + (6700 + 1) + 60000 + 5120 + 1,
		1500 + (6700 + 33) + 60000 + 5120 + 32,
		1500 + (6700 + 1320) + 60000 + 5120 + 1280,
		1500 + (6700 + 21120) + 60000 + 20480 + 20480,
		1500 + (6700 + 675840) + 60000 + 20480 + 655360,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		CHECK_EQ(qd1(kv_op(NVMEV_TIMING_RETRIEVE, sizes[i], 0)),
			 want[i]);
}

static void test_pm983_other_kv(void)
{
	struct nvmev_timing_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		CHECK_EQ(qd1(kv_op(NVMEV_TIMING_DELETE, sizes[i], 3)),
			 1500 + 10700);
		CHECK_EQ(qd1(kv_op(NVMEV_TIMING_EXIST, sizes[i], 3)),
			 1500 + 5000);
		CHECK_EQ(qd1(kv_op(NVMEV_TIMING_ITER_CTL, 0, 3)), 1500 + 3000);
		CHECK_EQ(qd1(kv_op(NVMEV_TIMING_ERROR, sizes[i], 3)),
			 1500 + 5000);
	}
	/* iterate read of 32 KiB: 2 pages, dies 0 and 1, 4 sectors each */
	CHECK_EQ(qd1(kv_op(NVMEV_TIMING_ITER_READ, 32 * KIB, 0)),
		 1500 + (10000 + 10560) + 60000 + 20480 + 10240);
	/* an unknown kind is costed as an error, never 0 */
	op = kv_op(NVMEV_TIMING_NR_KINDS, 0, 0);
	CHECK_EQ(qd1(op), 1500 + 5000);
}

static void test_pm983_block(void)
{
	/* 4 KiB read at LBA 0: one sector on die 0 */
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_READ, 0, 8)),
		 1500 + 1850 + 60000 + 5120 + 1280);
	/*
	 * LBA 30..37 straddles pages 0 and 1 (32 LBAs a page): one sector on
	 * die 0 and one on die 1, in parallel; the link moves 1 KiB then
	 * 3 KiB, 1280 ns in all.
	 */
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_READ, 30, 8)),
		 1500 + 1850 + 60000 + 5120 + 1280);
	/* 64 KiB at LBA 32: pages 1-4, dies 1-4 (channels 1-4) */
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_READ, 32, 128)),
		 1500 + 1850 + 60000 + 20480 + 20480);
	/* a huge LBA: page 2^40, die 2^40 % 32 = 0; no overflow */
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_READ, 1ULL << 45, 1)),
		 1500 + 1850 + 60000 + 5120 + 160);
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_WRITE, 0, 8)),
		 1500 + 1280 + 1850);
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_FLUSH, 0, 0)), 1500 + 1850);
	CHECK_EQ(qd1(blk_op(NVMEV_TIMING_BLK_ZEROES, 0, 256)), 1500 + 1850);
}

/* Back-to-back at time 0: the firmware core is the bottleneck. */
static void test_pm983_saturation(void)
{
	struct nvmev_timing_model *m = model_preset("pm983");
	struct nvmev_timing_op op;
	const unsigned int n = 10000;
	unsigned int i;
	u64 t = 0;

	/* retrieve 100 B: core every 6733 ns; dies see one op per 215 us */
	for (i = 0; i < n; i++) {
		op = kv_op(NVMEV_TIMING_RETRIEVE, 100, i);
		t = nvmev_timing_book(m, 0, &op);
	}
	CHECK_EQ(t, 1500 + (u64)n * 6733 + 60000 + 5120 + 32);
	free(m);

	/* store 100 B: core every 7249 ns; link rx 32 ns keeps ahead */
	m = model_preset("pm983");
	for (i = 0; i < n; i++) {
		op = kv_op(NVMEV_TIMING_STORE, 100, i);
		t = nvmev_timing_book(m, 0, &op);
	}
	CHECK_EQ(t, 1500 + 32 + (u64)n * 7249);
	free(m);
}

static void test_none_is_free(void)
{
	struct nvmev_timing_model *m = model_preset("none");
	struct nvmev_timing_op op;
	u64 seed = 1, now = 5;
	unsigned int i;

	for (i = 0; i < 200000; i++) {
		op.kind = test_rand_below(&seed, NVMEV_TIMING_NR_KINDS + 1);
		op.value_bytes = test_rand_below(&seed, 4) ?
			sizes[test_rand_below(&seed, ARRAY_SIZE(sizes))] :
			(u32)test_rand(&seed);
		op.xfer_bytes = op.value_bytes;
		op.key_hash = test_rand(&seed);
		op.slba = test_rand(&seed) >> 8;
		op.live_keys = test_rand(&seed);
		now += test_rand_below(&seed, 3);
		CHECK_BOOK(m, now, &op, now);
	}
	free(m);
}

/* Firmware 0, link and channel unlimited, tR 1 ms, 100 B values. */
static struct nvmev_timing_model *model_reads_only(void)
{
	struct nvmev_timing_params p;

	nvmev_timing_preset("none", &p);
	CHECK_EQ(nvmev_timing_param_set(&p, "nand_read_ns", 1000000), 0);
	return model_new(&p);
}

static void test_dies_parallel_and_serial(void)
{
	struct nvmev_timing_model *m = model_reads_only();
	const u64 dies = 8 * 4;
	struct nvmev_timing_op op;
	u64 i;

	/* hashes 0..D-1: D distinct dies, all done after one read time */
	for (i = 0; i < dies; i++) {
		op = kv_op(NVMEV_TIMING_RETRIEVE, 100, i);
		CHECK_BOOK(m, NOW, &op, NOW + 1000000);
	}
	free(m);

	/* hashes i * D: one die, the i-th done after i + 1 read times */
	m = model_reads_only();
	for (i = 0; i < dies; i++) {
		op = kv_op(NVMEV_TIMING_RETRIEVE, 100, i * dies);
		CHECK_BOOK(m, NOW, &op,
			 NOW + (i + 1) * 1000000);
	}
	free(m);
}

/*
 * Stores of @stored bytes each (value_align 8, min_alloc 0) with every
 * cost 0 but the programs (48 KiB data-in 61440 ns, 560 us program):
 * those within the 3 MiB buffer complete at once, the first whose bytes
 * pass 3 MiB waits for unit 0's program to end.
 */
static void check_knee(u32 stored)
{
	struct nvmev_timing_params p;
	struct nvmev_timing_model *m;
	struct nvmev_timing_op op = kv_op(NVMEV_TIMING_STORE, stored, 0);
	const u64 wbuf = 3 * MIB, prog_end = 61440 + 560000;
	u64 before = 0, t, i;

	nvmev_timing_preset("none", &p);
	CHECK_EQ(nvmev_timing_param_set(&p, "nand_prog_ns", 560000), 0);
	CHECK_EQ(nvmev_timing_param_set(&p, "channel_mbps", 800), 0);
	CHECK_EQ(nvmev_timing_param_set(&p, "value_align", 8), 0);
	CHECK_EQ(nvmev_timing_param_set(&p, "value_min_alloc", 0), 0);
	m = model_new(&p);
	for (i = 0; (i + 1) * stored <= wbuf; i++) {
		t = nvmev_timing_book(m, NOW, &op);
		if (t != NOW)
			before++;
	}
	CHECK(before == 0, "%llu stores within the buffer waited (%u B)",
	      (unsigned long long)before, stored);
	t = nvmev_timing_book(m, NOW, &op);
	CHECK_EQ(t, NOW + prog_end);
	/* the rest of that unit waits as long: bytes enter in order */
	t = nvmev_timing_book(m, NOW, &op);
	CHECK_EQ(t, NOW + prog_end);
	free(m);
}

static void test_write_buffer_knee(void)
{
	check_knee(1024);	/* 3072 stores fit exactly */
	check_knee(1000);	/* store 3145 straddles the 3 MiB mark */
	check_knee(4096);
}

static void check_fw_rate(u64 cores, u64 want_ops_per_s)
{
	struct nvmev_timing_params p;
	struct nvmev_timing_model *m;
	struct nvmev_timing_op op;
	u64 i, done = 0, t;

	nvmev_timing_preset("none", &p);
	CHECK_EQ(nvmev_timing_param_set(&p, "fw_retrieve_ns", 500000), 0);
	CHECK_EQ(nvmev_timing_param_set(&p, "fw_cores", cores), 0);
	m = model_new(&p);
	for (i = 0; i < 3 * want_ops_per_s; i++) {
		op = kv_op(NVMEV_TIMING_RETRIEVE, 100, i);
		t = nvmev_timing_book(m, 0, &op);
		CHECK_EQ(t, (i / cores + 1) * 500000);
		if (t <= 1000000000ULL)
			done++;
	}
	CHECK_EQ(done, want_ops_per_s);
	free(m);
}

static void test_fw_saturation(void)
{
	check_fw_rate(1, 2000);
	check_fw_rate(2, 4000);
}

static void test_retune(void)
{
	struct nvmev_timing_model *m = model_preset("pm983");
	struct nvmev_timing_op a = kv_op(NVMEV_TIMING_RETRIEVE, 100, 0);
	struct nvmev_timing_op b = kv_op(NVMEV_TIMING_RETRIEVE, 100, 1);
	u64 ta, tb, horizon;

	ta = nvmev_timing_book(m, 0, &a);
	CHECK_EQ(ta, 1500 + 6733 + 60000 + 5120 + 32);
	CHECK_EQ(nvmev_timing_set(m, "fw_retrieve_ns", 20000), 0);
	CHECK(!strcmp(m->p.preset, "custom"), "preset %s", m->p.preset);
	/* b waits for a's core, then costs the new value */
	tb = nvmev_timing_book(m, 0, &b);
	CHECK_EQ(tb, (1500 + 6733) + (20000 + 33) + 60000 + 5120 + 32);
	/* a bad value changes nothing */
	CHECK_EQ(nvmev_timing_set(m, "fw_retrieve_ns", 1000000001), -EINVAL);
	CHECK_EQ(nvmev_timing_set(m, "no_such_knob", 1), -ENOENT);
	CHECK_EQ(m->p.fw_retrieve_ns, 20000);
	/*
	 * A geometry change (the caller allows it only when idle) restarts
	 * every resource at the end of all booked work: here b's read.
	 */
	horizon = tb;
	CHECK_EQ(nvmev_timing_set(m, "channels", 4), 0);
	CHECK_EQ(m->ndies, 16);
	a = kv_op(NVMEV_TIMING_EXIST, 0, 5);
	CHECK_BOOK(m, 0, &a, horizon + 5000);
	/* a live change does not reset state: the core is busy until then */
	CHECK_EQ(nvmev_timing_set(m, "fw_exist_ns", 1), 0);
	CHECK_BOOK(m, 0, &a, horizon + 5000 + 1);
	free(m);
}

static void test_index_residency(void)
{
	struct nvmev_timing_params p;
	struct nvmev_timing_model *m;
	struct nvmev_timing_op op = kv_op(NVMEV_TIMING_EXIST, 0, 0);

	nvmev_timing_preset("pm983", &p);
	CHECK_EQ(nvmev_timing_param_set(&p, "index_keys", 1000), 0);
	m = model_new(&p);
	/* 2000 live keys: hit iff hash >> 32 < 2^31 */
	op.live_keys = 2000;
	op.key_hash = 0x7fffffffULL << 32;
	CHECK_BOOK(m, NOW, &op, NOW + 1500 + 5000);
	/* a miss reads one page on die (hash >> 32) % 32 = 0 */
	op.key_hash = 0x80000000ULL << 32;
	CHECK_BOOK(m, 2 * NOW, &op,
		 2 * NOW + 1500 + 5000 + 60000 + 5120);
	/* at or below the resident count every lookup hits */
	op.live_keys = 1000;
	op.key_hash = U64_MAX;
	CHECK_BOOK(m, 3 * NOW, &op, 3 * NOW + 1500 + 5000);
	free(m);
}

/* Every parameter at its extreme, huge transfers, a clock near 2^64. */
static void test_overflow_extremes(void)
{
	struct nvmev_timing_params p;
	struct nvmev_timing_model *m;
	struct nvmev_timing_op op;
	u64 seed = 7, now, t;
	unsigned int i, k;

	nvmev_timing_preset("pm983", &p);
	for (i = 0; i < nvmev_timing_nr_params; i++) {
		const struct nvmev_timing_param_desc *d =
			&nvmev_timing_param_table[i];
		u64 v = d->max;

		if (!strcmp(d->unit, "MB/s"))
			v = 1;	/* the slowest rate: the longest transfers */
		if (!strcmp(d->name, "wbuf_bytes"))
			continue;
		if (nvmev_timing_param_set(&p, d->name, v))
			CHECK_EQ(nvmev_timing_param_set(&p, d->name,
							(d->flags & NVMEV_TP_POW2) ?
							v : d->max / 2), 0);
	}
	/* the largest buffer the unit allows: 1024 units of 512 KiB */
	CHECK_EQ(nvmev_timing_param_set(&p, "wbuf_bytes", 512ULL << 20), 0);
	for (k = 0; k < 2; k++) {
		m = model_new(&p);
		now = k ? U64_MAX - 1000000 : 0;
		for (i = 0; i < 3000; i++) {
			op.kind = test_rand_below(&seed, NVMEV_TIMING_NR_KINDS);
			op.value_bytes = test_rand_below(&seed, 2) ?
				2 * MIB : (u32)test_rand(&seed);
			op.xfer_bytes = (u32)test_rand(&seed);
			op.key_hash = test_rand(&seed);
			op.slba = test_rand(&seed);
			op.live_keys = test_rand(&seed);
			t = nvmev_timing_book(m, now, &op);
			CHECK(t >= now, "target %llu < now %llu",
			      (unsigned long long)t, (unsigned long long)now);
		}
		free(m);
	}
}

static void test_validation(void)
{
	struct nvmev_timing_params p, q;
	const char *const required[] = {
		"fw_cores", "fw_retrieve_ns", "fw_store_ns", "nand_read_ns",
		"channels", "dies_per_channel",
	};
	unsigned int i;
	u64 v;

	CHECK_EQ(nvmev_timing_preset("pm983", &p), 0);
	CHECK_EQ(nvmev_timing_params_check(&p), 0);
	CHECK_EQ(nvmev_timing_preset("none", &q), 0);
	CHECK_EQ(nvmev_timing_params_check(&q), 0);
	CHECK_EQ(nvmev_timing_preset("PM983", &q), -EINVAL);
	CHECK_EQ(nvmev_timing_preset("", &q), -EINVAL);
	CHECK(!strcmp(nvmev_timing_preset_names[0], "pm983"), "default");
	for (i = 0; i < ARRAY_SIZE(required); i++)
		CHECK(nvmev_timing_param_find(required[i]) >= 0, "%s",
		      required[i]);

	/* every parameter: its edges, by the table */
	for (i = 0; i < nvmev_timing_nr_params; i++) {
		const struct nvmev_timing_param_desc *d =
			&nvmev_timing_param_table[i];

		CHECK_EQ(nvmev_timing_param_check(i, d->min), 0);
		CHECK_EQ(nvmev_timing_param_check(i, d->max), 0);
		if (d->min)
			CHECK_EQ(nvmev_timing_param_check(i, d->min - 1),
				 -EINVAL);
		CHECK_EQ(nvmev_timing_param_check(i, d->max + 1), -EINVAL);
		CHECK_EQ(nvmev_timing_param_check(i, U64_MAX), -EINVAL);
		CHECK_EQ(nvmev_timing_param_get(&p, d->name, &v), 0);
		q = p;
		CHECK_EQ(nvmev_timing_param_set(&q, d->name, v), 0);
		CHECK(!strcmp(q.preset, "pm983"), "same value keeps the name");
	}
	CHECK_EQ(nvmev_timing_param_check(nvmev_timing_nr_params, 0), -ENOENT);
	CHECK_EQ(nvmev_timing_param_set(&p, "nope", 0), -ENOENT);
	CHECK_EQ(nvmev_timing_param_get(&p, "nope", &v), -ENOENT);

	/* powers of two */
	q = p;
	CHECK_EQ(nvmev_timing_param_set(&q, "page_bytes", 12288), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "value_align", 24), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "fw_cores", 0), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "fw_cores", 17), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "channels", 0), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "dies_per_channel", 17), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "link_mbps", 1000001), -EINVAL);
	CHECK(!memcmp(&q, &p, sizeof(p)), "failed sets changed nothing");

	/* cross checks: the buffer holds 1..1024 one-shot units */
	CHECK_EQ(nvmev_timing_param_set(&q, "wbuf_bytes", 48 * KIB - 1),
		 -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "wbuf_bytes", 48 * KIB), 0);
	CHECK_EQ(nvmev_timing_param_set(&q, "oneshot_pages", 4), -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "wbuf_bytes", 48 * MIB), 0);
	CHECK_EQ(nvmev_timing_param_set(&q, "wbuf_bytes", 48 * MIB + 48 * KIB),
		 -EINVAL);
	CHECK_EQ(nvmev_timing_param_set(&q, "page_bytes", 4096), -EINVAL);
	CHECK(!strcmp(q.preset, "custom"), "changed: %s", q.preset);

	/* geometry */
	q = p;
	CHECK(!nvmev_timing_geometry_differs(&p, &q), "same");
	nvmev_timing_param_set(&q, "nand_read_ns", 1);
	CHECK(!nvmev_timing_geometry_differs(&p, &q), "live only");
	nvmev_timing_param_set(&q, "dies_per_channel", 2);
	CHECK(nvmev_timing_geometry_differs(&p, &q), "dies");

	/* init refuses what the check refuses */
	q = p;
	q.fw_cores = 0;
	{
		struct nvmev_timing_model *m = calloc(1, sizeof(*m));

		CHECK_EQ(nvmev_timing_init(m, &q), -EINVAL);
		CHECK_EQ(nvmev_timing_init(m, &p), 0);
		CHECK_EQ(nvmev_timing_retune(m, &q), -EINVAL);
		CHECK_EQ(m->p.fw_cores, 1);
		free(m);
	}

	/* stored bytes: max(min_alloc, roundup(len, align)) */
	CHECK_EQ(nvmev_timing_stored_bytes(&p, 0), 1024);
	CHECK_EQ(nvmev_timing_stored_bytes(&p, 1025), 1056);
	CHECK_EQ(nvmev_timing_stored_bytes(&p, U32_MAX), 1ULL << 32);
}

int main(void)
{
	test_pm983_store();
	test_pm983_retrieve();
	test_pm983_other_kv();
	test_pm983_block();
	test_pm983_saturation();
	test_none_is_free();
	test_dies_parallel_and_serial();
	test_write_buffer_knee();
	test_fw_saturation();
	test_retune();
	test_index_residency();
	test_overflow_extremes();
	test_validation();
	return test_report("test_timing");
}
