// SPDX-License-Identifier: GPL-2.0
/*
 * test_allocator.c - the value log: configuration checks, a random run of
 * appends, overwrites, deletes and reclamation slices against a model
 * (every live record readable with its exact value, live bytes exact
 * after every operation, nothing written outside the region), and filling
 * to -ENOSPC and recovering after deletes.
 */
#include "allocator.h"
#include "test_util.h"

#define GUARD 4096
#define NKEYS 4000

struct rec {
	bool live;
	u64 off;
	u32 vsize;
	u32 ver;
};

struct world {
	struct log_alloc a;
	u8 *mem;		/* GUARD | region | GUARD */
	u64 size;
	struct rec r[NKEYS];
	u64 relocations;
};

static u8 key_for(u32 id, u8 *k)
{
	u8 len = 4 + id % 13;

	memset(k, 0, 16);
	memcpy(k, &id, 4);
	memset(k + 4, 0x5a, len - 4);
	return len;
}

static u8 byte_at(u32 id, u32 ver, u32 i)
{
	return (u8)(id * 31 + ver * 7 + i * 13 + (i >> 8));
}

static void relocate(void *ctx, const u8 *key, u8 klen, u64 old, u64 new)
{
	struct world *w = ctx;
	u32 id;

	memcpy(&id, key, 4);
	CHECK(id < NKEYS && klen == key_for(id, (u8[16]){ 0 }), "relocate key");
	if (id >= NKEYS)
		return;
	CHECK(w->r[id].live && w->r[id].off == old, "relocate %u: stale %llu",
	      id, (unsigned long long)old);
	w->r[id].off = new;
	w->relocations++;
}

static int world_init(struct world *w, u64 size, u32 seg, u32 maxv)
{
	struct log_config cfg = {
		.size = size, .seg_size = seg, .max_value = maxv,
		.relocate = relocate, .relocate_ctx = w,
	};

	memset(w, 0, sizeof(*w));
	w->size = size;
	w->mem = malloc(size + 2 * GUARD);
	memset(w->mem, 0xcc, size + 2 * GUARD);
	cfg.base = w->mem + GUARD;
	return log_init(&w->a, &cfg);
}

static void world_free(struct world *w)
{
	u64 i;

	for (i = 0; i < GUARD; i++) {
		if (w->mem[i] != 0xcc || w->mem[GUARD + w->size + i] != 0xcc) {
			CHECK(0, "write outside the region at guard byte %llu",
			      (unsigned long long)i);
			break;
		}
	}
	log_destroy(&w->a);
	free(w->mem);
}

static u64 model_live(const struct world *w)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < NKEYS; i++)
		if (w->r[i].live)
			sum += log_rec_size(w->r[i].vsize);
	return sum;
}

static void verify_values(struct world *w)
{
	u32 id, i;

	for (id = 0; id < NKEYS; id++) {
		const struct rec *r = &w->r[id];
		const struct log_rec_hdr *h;
		const u8 *v;
		u8 k[16];

		if (!r->live)
			continue;
		h = log_rec(&w->a, r->off);
		CHECK(!(h->flags & LOG_REC_DEAD) && h->klen == key_for(id, k) &&
		      !memcmp(h->key, k, 16) && h->vsize == r->vsize,
		      "record of key %u", id);
		v = log_value(&w->a, r->off);
		for (i = 0; i < r->vsize; i++)
			if (v[i] != byte_at(id, r->ver, i)) {
				CHECK(0, "key %u byte %u", id, i);
				break;
			}
	}
}

static int put(struct world *w, u32 id, u32 vsize)
{
	struct rec *r = &w->r[id];
	u64 off;
	u8 k[16], len = key_for(id, k), *v;
	u32 i;
	int err;

	err = log_append(&w->a, k, len, vsize, &off);
	if (err)
		return err;
	v = log_value(&w->a, off);
	for (i = 0; i < vsize; i++)
		v[i] = byte_at(id, r->ver + 1, i);
	if (r->live)
		log_mark_dead(&w->a, r->off);	/* after: append may move it */
	r->live = true;
	r->off = off;
	r->vsize = vsize;
	r->ver++;
	return 0;
}

static void del(struct world *w, u32 id)
{
	if (!w->r[id].live)
		return;
	log_mark_dead(&w->a, w->r[id].off);
	w->r[id].live = false;
}

static void test_config(void)
{
	struct world w;

	CHECK_EQ(world_init(&w, 1 << 20, 8192, 8192), -EINVAL); /* record > seg */
	world_free(&w);
	CHECK_EQ(world_init(&w, 1 << 20, 8190, 1024), -EINVAL); /* not 8-aligned */
	world_free(&w);
	CHECK_EQ(world_init(&w, 4 * 8192, 8192, 1024), -EINVAL); /* too few segs */
	world_free(&w);
	CHECK_EQ(world_init(&w, 1 << 20, 8192, 0), -EINVAL);
	world_free(&w);
	CHECK_EQ(world_init(&w, (1 << 20) + 100, 8192, 1024), 0);  /* tail unused */
	CHECK_EQ(w.a.nsegs, 128);
	CHECK_EQ(log_rec_size(0), sizeof(struct log_rec_hdr));
	CHECK_EQ(log_rec_size(1), sizeof(struct log_rec_hdr) + 8);
	CHECK_EQ(log_rec_size(0xffffffff), 0xffffffff);
	CHECK_EQ(sizeof(struct log_rec_hdr), 48);
	world_free(&w);
}

/* Random appends/overwrites/deletes with reclamation, model-checked. */
static void test_random(u64 ops, u32 seg, u32 maxv, u32 fill_pct, u64 seed)
{
	struct world *w = malloc(sizeof(*w));
	struct log_stats st;
	u64 op, s = seed, enospc = 0;
	u32 nactive;
	int err;

	CHECK_EQ(world_init(w, 64ULL * seg, seg, maxv), 0);
	/* 2/3 of the active keys are live on average: aim at fill_pct */
	nactive = (u32)(w->a.capacity * fill_pct / 100 * 3 / 2 /
			(log_rec_size(maxv / 2) + maxv / 20));
	nactive = clamp_t(u32, nactive, 8, NKEYS);
	for (op = 0; op < ops; op++) {
		u32 id = (u32)test_rand_below(&s, nactive);
		u32 r = (u32)test_rand_below(&s, 100);

		if (r < 60) {
			u32 vs = (u32)test_rand_below(&s, maxv + 1);

			if (r < 5)
				vs = maxv;
			err = put(w, id, vs);
			if (err) {
				CHECK_EQ(err, -ENOSPC);
				/* only when the live data really fills the log */
				CHECK(w->a.live_bytes + log_rec_size(vs) >
				      w->a.capacity * 3 / 4, "ENOSPC at live %llu",
				      (unsigned long long)w->a.live_bytes);
				enospc++;
			}
		} else if (r < 90) {
			del(w, id);
		} else {
			log_reclaim_step(&w->a, (u32)test_rand_below(&s, 3 * seg));
		}
		CHECK_EQ(w->a.live_bytes, model_live(w));
		if (op < 5000 || op % 64 == 0)
			CHECK_EQ(log_check(&w->a), 0);
		if (op % 5000 == 0)
			verify_values(w);
	}
	verify_values(w);
	CHECK_EQ(log_check(&w->a), 0);
	log_get_stats(&w->a, &st);
	printf("  random seg %u maxv %u fill %u%%: %llu ops, %llu gc runs, %llu slices, %llu moved, %llu relocations, %llu enospc, %llu forced\n",
	       seg, maxv, fill_pct, (unsigned long long)ops, (unsigned long long)st.gc_runs,
	       (unsigned long long)st.gc_slices, (unsigned long long)st.gc_bytes_moved,
	       (unsigned long long)w->relocations, (unsigned long long)enospc,
	       (unsigned long long)st.gc_forced);
	CHECK(st.gc_runs > 0 && w->relocations > 0, "reclamation ran");
	world_free(w);
	free(w);
}

/* Fill with no deletes until -ENOSPC; delete; append works again. */
static void test_fill(u32 seg, u32 maxv, u64 seed)
{
	struct world *w = malloc(sizeof(*w));
	u64 s = seed, live_at_full;
	u32 id, n = 0, vs;
	int err = 0;

	CHECK_EQ(world_init(w, 32ULL * seg, seg, maxv), 0);
	for (id = 0; id < NKEYS; id++) {
		vs = 1 + (u32)test_rand_below(&s, maxv);
		err = put(w, id, vs);
		if (err)
			break;
		n++;
	}
	CHECK_EQ(err, -ENOSPC);
	live_at_full = w->a.live_bytes;
	printf("  fill seg %u: %u records, live %llu of %llu (%.1f %%)\n", seg, n,
	       (unsigned long long)live_at_full, (unsigned long long)w->a.capacity,
	       100.0 * live_at_full / w->a.capacity);
	/* reserve (2) + two heads of 32 segments, and records don't span */
	CHECK(live_at_full + 4 * (u64)seg + 32ULL * log_rec_size(maxv) >= w->a.capacity,
	      "full too early: live %llu", (unsigned long long)live_at_full);
	CHECK_EQ(put(w, n + 1 < NKEYS ? n + 1 : 0, maxv), -ENOSPC);	/* stays full */
	CHECK_EQ(log_check(&w->a), 0);
	verify_values(w);

	/*
	 * Delete every third record: the same records fit again, up to the
	 * live level of the first fill less two records of packing slack.
	 */
	for (id = 0; id < n; id += 3)
		del(w, id);
	for (id = 0; id < n; id += 3) {
		vs = w->r[id].vsize ? w->r[id].vsize : 1;
		err = put(w, id, vs);
		if (!err)
			continue;
		CHECK_EQ(err, -ENOSPC);
		CHECK(w->a.live_bytes + log_rec_size(vs) + 3 * log_rec_size(maxv) >
		      live_at_full, "refill stopped at live %llu of %llu",
		      (unsigned long long)w->a.live_bytes,
		      (unsigned long long)live_at_full);
		break;
	}
	/* 4: the 48-byte header (value checksum, epoch) packs 64 KiB segments a bit worse */
	CHECK(w->a.live_bytes + 4 * log_rec_size(maxv) > live_at_full,
	      "refill reached %llu of %llu", (unsigned long long)w->a.live_bytes,
	      (unsigned long long)live_at_full);
	CHECK_EQ(log_check(&w->a), 0);
	verify_values(w);
	world_free(w);
	free(w);
}

/*
 * The value checksum of format 2 is xxh64 (the kernel's, lib/xxhash.c);
 * the user-space one in nvmev_compat.h must give the same sums, or these
 * tests would check a log the module could not read. Vectors from xxhsum
 * -H1 (xxHash's reference tool): every branch of the function, the 32-byte
 * stripes and the 8-, 4- and 1-byte tails.
 */
static void test_value_sum_is_xxh64(void)
{
	static const struct {
		size_t len;
		unsigned int mul, add; /* byte i = i * mul + add */
		u64 sum;
	} v[] = {
		{ 0, 0, 0, 0xef46db3751d8e999ULL },
		{ 31, 11, 2, 0xf7e6124205198fc6ULL },
		{ 39, 13, 1, 0x97fa94d0ddc0f1fdULL },
		{ 63, 17, 9, 0x353360f62ae71eafULL },
		{ 100, 7, 3, 0xa61f8d4c170fe531ULL },
		{ 4096, 31, 5, 0xe9292b88334b302cULL },
	};
	static u8 buf[4096];
	unsigned int i;
	size_t j;

	CHECK_EQ(xxh64("a", 1, 0), 0xd24ec4f1a98c6e5bULL);
	CHECK_EQ(xxh64("abc", 3, 0), 0x44bc2cf5ad770999ULL);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		for (j = 0; j < v[i].len; j++)
			buf[j] = (u8)(j * v[i].mul + v[i].add);
		CHECK_EQ(xxh64(buf, v[i].len, 0), v[i].sum);
	}
}

int main(void)
{
	test_value_sum_is_xxh64();
	test_config();
	test_random(200000, 8192, 2048, 60, 1);
	test_random(100000, 16384, 16384 - 48, 50, 2); /* one max record per segment */
	test_random(100000, 65536, 512, 70, 3);
	test_random(50000, 8192, 1024, 95, 7);	/* mostly full: -ENOSPC often */
	test_fill(8192, 2048, 4);
	test_fill(65536, 1024, 5);
	test_fill(16384, 9000, 6);
	return test_report("test_allocator");
}
