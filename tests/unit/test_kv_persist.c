// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_persist.c - the store survives an unload (kv_store_close) and a
 * crash (the RAM state dropped, the memory kept): kv_store_init() over the
 * same memory rebuilds an index equal to the model; a reload in the middle
 * of reclamation loses nothing; a torn last write is discarded, never
 * served; a superblock of other sizes is refused; fresh and erase empty it.
 */
#include "kv_harness.h"

#define SEG		(64u << 10)
#define MAXV		(16u << 10)
#define AREA		(4u << 20)
#define MAXK		4096
#define NK		1500	/* model keys */

struct region {
	u8 *mem;
	u64 max_keys;
	u32 epoch;
};

static struct kv_store kv;

static int r_open(struct region *r, bool fresh)
{
	u64 ib = (hash_map_mem_bytes(r->max_keys) + 4095) & ~4095ULL;
	struct kv_config c = { 0 };

	c.sb_mem = r->mem;
	c.area_offset = 65ULL << 20;
	c.area_size = AREA;
	c.index_mem = r->mem + KV_SB_BYTES;
	c.index_bytes = ib;
	c.max_keys = r->max_keys;
	c.log_base = r->mem + KV_SB_BYTES + ib;
	c.log_size = AREA - KV_SB_BYTES - ib;
	c.seg_size = SEG;
	c.max_value = MAXV;
	c.seed = r->epoch * 7919ULL + 1;
	c.epoch = ++r->epoch;	/* a new random epoch per load, as the glue does */
	c.fresh = fresh;
	return kv_store_init(&kv, &c);
}

static void r_crash(void)
{
	kv_store_destroy(&kv);	/* RAM state gone, memory kept, no close */
}

static void r_unload(void)
{
	kv_store_close(&kv);
	kv_store_destroy(&kv);
}

/* the model: value of key i is gen_byte(i, gen) repeated, size len */
struct mkey {
	u32 len;
	u32 gen;
	bool present;
};
static struct mkey model[NK];
static u8 buf[MAXV];

static u8 key_of(u32 i, u8 *k)
{
	return (u8)snprintf((char *)k, 17, "k%05u", i);
}

static void fill_val(u8 *p, u32 len, u32 i, u32 gen)
{
	u32 j;

	for (j = 0; j < len; j++)
		p[j] = (u8)(i * 31 + gen * 7 + j);
}

static u16 do_store(u32 i, u32 gen, u32 len, bool fail)
{
	struct host_buf h = { .buf = buf, .len = len, .fail = fail };
	u8 k[17];
	u8 kl = key_of(i, k);
	u32 dw0;

	fill_val(buf, len, i, gen);
	return kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_STORE, k, kl, 0, 0, &h, &dw0);
}

static u16 do_delete(u32 i)
{
	struct host_buf h = { 0 };
	u8 k[17];
	u8 kl = key_of(i, k);
	u32 dw0;

	return kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_DELETE, k, kl, 0, 0, &h, &dw0);
}

/* Every key of the model as the model says, and nothing else. */
static void check_model(const char *when)
{
	u8 want[MAXV], k[17];
	u64 n = 0;
	u32 i, dw0;

	for (i = 0; i < NK; i++) {
		struct host_buf h = { .buf = buf, .len = MAXV };
		u8 kl = key_of(i, k);
		u16 sc = kv_key_cmd(&kv, KV_CODING_BYTES, KV_OP_RETRIEVE, k, kl,
				    0, 0, &h, &dw0);

		if (!model[i].present) {
			CHECK(sc == KV_SC_KEY_NOT_EXIST, "%s: key %u: status %#x, want none",
			      when, i, sc);
			continue;
		}
		n++;
		fill_val(want, model[i].len, i, model[i].gen);
		CHECK(!sc && dw0 == model[i].len && !memcmp(buf, want, model[i].len),
		      "%s: key %u: status %#x size %u (want %u gen %u)", when, i, sc,
		      dw0, model[i].len, model[i].gen);
	}
	CHECK_EQ(kv.map.nkeys, n);
	CHECK_EQ(log_check(&kv.log), 0);
	CHECK_EQ(kv_rebuild_diff(&kv), 0);
}

static void random_ops(u64 *s, u32 nops, u32 *gen)
{
	u32 op;

	for (op = 0; op < nops; op++) {
		u32 i = (u32)test_rand_below(s, NK);
		u32 r = (u32)test_rand_below(s, 100);

		if (r < 70) {
			u32 len = 1 + (u32)test_rand_below(s, r < 15 ? MAXV : 600);
			bool fail = test_rand_below(s, 50) == 0;
			u16 sc = do_store(i, ++*gen, len, fail);

			if (!sc)
				model[i] = (struct mkey){ len, *gen, true };
			else
				CHECK(fail || sc == KV_SC_CAPACITY_EXCEEDED,
				      "store: %#x", sc);
		} else {
			u16 sc = do_delete(i);

			CHECK_EQ(sc, model[i].present ? 0 : KV_SC_KEY_NOT_EXIST);
			model[i].present = false;
		}
	}
}

/* Random operations; every round ends in an unload or a crash and a reload. */
static void test_rebuild_equals_model(void)
{
	struct region r = { .mem = aligned_alloc(4096, AREA), .max_keys = MAXK };
	u64 s = 0x9e15;
	u32 gen = 0, round;
	u64 gc = 0;

	memset(r.mem, 0xa5, AREA);	/* not zero: whatever RAM held before */
	memset(model, 0, sizeof(model));
	CHECK_EQ(r_open(&r, false), 0);
	CHECK(!kv.rebuilt, "no superblock: an empty start");
	for (round = 0; round < 16; round++) {
		random_ops(&s, 6000, &gen);
		gc += kv.log.st.gc_runs;
		if (round & 1)
			r_crash();
		else
			r_unload();
		CHECK_EQ(r_open(&r, false), 0);
		CHECK(kv.rebuilt, "round %u: rebuilt", round);
		CHECK_EQ(kv.was_clean, !(round & 1));
		check_model("after reload");
	}
	CHECK(gc > 0, "reclamation ran between reloads");
	printf("  rebuild: 16 reloads over %u stores, %llu reclamation runs, last scan %llu records, %llu live\n",
	       gen, (unsigned long long)gc,
	       (unsigned long long)kv.scan.records,
	       (unsigned long long)kv.scan.live);
	r_unload();
	free(r.mem);
}

/*
 * A crash while reclamation has moved part of a victim: both copies of the
 * moved records are on the media with the same seq. The rebuild keeps one,
 * marks the other dead, and the next reclamation works on.
 */
static void test_reload_mid_reclamation(void)
{
	struct region r = { .mem = aligned_alloc(4096, AREA), .max_keys = MAXK };
	u64 s = 0x4ec1;
	u32 gen = 0, i, tries = 0;

	memset(model, 0, sizeof(model));
	CHECK_EQ(r_open(&r, true), 0);
	for (i = 0; i < NK; i++)
		if (!do_store(i, ++gen, 1000, false))
			model[i] = (struct mkey){ 1000, gen, true };
	/* overwrite half: garbage in every segment */
	for (i = 0; i < NK; i += 2)
		if (!do_store(i, ++gen, 1000, false))
			model[i] = (struct mkey){ 1000, gen, true };
	while (kv.log.victim == U32_MAX || kv.log.victim_pos == 0) {
		kv.log.gc_blocked = false;
		kv.log.gc_low = kv.log.nsegs;	/* reclaim now */
		log_reclaim_step(&kv.log, 4096);
		if (++tries > 10000)
			break;
	}
	CHECK(kv.log.victim != U32_MAX && kv.log.victim_pos > 0 &&
	      kv.log.victim_pos < kv.log.segs[kv.log.victim].used,
	      "a victim half moved");
	/* a crash between the copy and the dead mark: undo the last mark */
	{
		u32 seg = kv.log.victim, pos = 0, last = U32_MAX;
		u8 *base = (u8 *)kv.log.base + (u64)seg * SEG;

		while (pos < kv.log.victim_pos) {
			struct log_rec_hdr *h = (struct log_rec_hdr *)(base + pos);

			if (h->flags & LOG_REC_DEAD)
				last = pos;
			pos += log_rec_size(h->vsize);
		}
		CHECK(last != U32_MAX, "a moved record");
		((struct log_rec_hdr *)(base + last))->flags &= ~LOG_REC_DEAD;
	}
	r_crash();
	CHECK_EQ(r_open(&r, false), 0);
	CHECK(kv.scan.superseded >= 1, "twins found: %llu",
	      (unsigned long long)kv.scan.superseded);
	check_model("after a crash mid-reclamation");
	/* reclamation over the rebuilt log: no WARN, model intact */
	random_ops(&s, 6000, &gen);
	check_model("after more writes");
	r_unload();
	free(r.mem);
}

/* Find the newest record of key @i. */
static struct log_rec_hdr *rec_of(u32 i)
{
	u64 off;
	u8 k[17];
	u8 kl = key_of(i, k);

	if (hash_map_lookup(&kv.map, k, kl, &off, NULL))
		return NULL;
	return (struct log_rec_hdr *)((u8 *)kv.log.base + off);
}

/*
 * Torn writes (a warm reboot during a store): the record whose value is
 * incomplete fails its value checksum and is discarded; the key keeps its old
 * value, or none. A header torn in the middle ends its segment's scan.
 */
static void test_torn_last_write_discarded(void)
{
	struct region r = { .mem = aligned_alloc(4096, AREA), .max_keys = MAXK };
	struct log_rec_hdr *h;
	u8 k[17];
	u64 off;
	u32 i;

	memset(model, 0, sizeof(model));
	CHECK_EQ(r_open(&r, true), 0);
	for (i = 0; i < 10; i++) {
		CHECK_EQ(do_store(i, 1, 100, false), 0);
		model[i] = (struct mkey){ 100, 1, true };
	}
	/* key 0: a new record whose value copy never finished (no commit) */
	CHECK_EQ(log_append(&kv.log, k, key_of(0, k), 100, &off), 0);
	memset(log_value(&kv.log, off), 0x77, 50);
	/* key 1: a newer copy committed, then its value bytes corrupted */
	CHECK_EQ(do_store(1, 2, 100, false), 0);
	h = rec_of(1);
	((u8 *)(h + 1))[10] ^= 0xff;
	model[1].present = false;	/* its old copy is dead already: gone */
	/* key 2: committed, then its crc corrupted (a torn header) */
	CHECK_EQ(do_store(2, 3, 100, false), 0);
	h = rec_of(2);
	h->crc ^= 1;
	model[2].present = false;
	r_crash();
	CHECK_EQ(r_open(&r, false), 0);
	CHECK_EQ(kv.scan.torn, 2);
	CHECK_EQ(kv.scan.torn_tails, 1);
	check_model("after torn writes");
	r_unload();
	free(r.mem);
}

/*
 * regression: a dead mark that rewrote the header's crc could be torn by a
 * crash, and a header failing its crc ends the scan of its segment: every
 * record behind it was lost. The mark is one byte outside the crc now.
 */
static void test_dead_mark_keeps_header_crc(void)
{
	struct region r = { .mem = aligned_alloc(4096, AREA), .max_keys = MAXK };
	struct log_rec_hdr *h, before;

	memset(model, 0, sizeof(model));
	CHECK_EQ(r_open(&r, true), 0);
	CHECK_EQ(do_store(0, 1, 100, false), 0);
	CHECK_EQ(do_store(1, 1, 100, false), 0);
	model[1] = (struct mkey){ 100, 1, true };
	h = rec_of(0);
	before = *h;
	CHECK_EQ(do_delete(0), 0);
	CHECK(h->flags & LOG_REC_DEAD, "marked dead");
	CHECK_EQ(h->crc, before.crc);
	CHECK_EQ(memcmp(h->key, before.key, sizeof(h->key)), 0);
	r_crash();
	CHECK_EQ(r_open(&r, false), 0);
	check_model("after a delete and a crash");
	r_unload();
	free(r.mem);
}

/* Other sizes: refused, the parameter named, nothing written. */
static void test_superblock_mismatch_refused(void)
{
	struct region r = { .mem = aligned_alloc(4096, AREA), .max_keys = MAXK };
	struct kv_dev_geometry g = { 1 << 30, 64 << 20, 720 << 20, 240 << 20 };
	struct kv_dev_sb *dsb = calloc(1, 4096);
	struct kv_config c = { 0 };
	const char *param;
	char why[256], sb[KV_SB_BYTES];

	memset(model, 0, sizeof(model));
	CHECK_EQ(r_open(&r, true), 0);
	CHECK_EQ(do_store(7, 1, 100, false), 0);
	model[7] = (struct mkey){ 100, 1, true };
	r_unload();

	r.max_keys = MAXK * 2;
	memcpy(sb, r.mem, sizeof(sb));
	c.sb_mem = r.mem;
	c.area_offset = 65ULL << 20;
	c.area_size = AREA;
	c.max_keys = r.max_keys;
	c.log_base = r.mem + KV_SB_BYTES +
		     ((hash_map_mem_bytes(r.max_keys) + 4095) & ~4095ULL);
	c.log_size = AREA - (u64)((u8 *)c.log_base - r.mem);
	c.seg_size = SEG;
	c.max_value = MAXV;
	CHECK_EQ(kv_media_probe(&c, &param, why, sizeof(why)), KV_MEDIA_MISMATCH);
	CHECK(param && !strcmp(param, "kv_max_keys"), "param %s", param ?: "");
	CHECK(strstr(why, "kv_max_keys 4096, this load asks for 8192"), "why: %s", why);
	CHECK_EQ(r_open(&r, false), -EINVAL);
	CHECK_EQ(memcmp(sb, r.mem, sizeof(sb)), 0);	/* untouched */
	r.max_keys = MAXK;
	CHECK_EQ(r_open(&r, false), 0);
	check_model("after the refused load");
	r_unload();

	/* the device superblock: sizes of the region */
	CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)), KV_MEDIA_EMPTY);
	kv_dev_sb_write(dsb, &g);
	CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)), KV_MEDIA_MATCH);
	g.blk_size = 32 << 20;
	CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)), KV_MEDIA_MISMATCH);
	CHECK(!strcmp(param, "blk_size"), "param %s", param);
	CHECK(strstr(why, "blk_size=67108864") && strstr(why, "fresh=1"), "why: %s", why);
	g.blk_size = 64 << 20;
	g.memmap_size = 2ULL << 30;
	CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)), KV_MEDIA_MISMATCH);
	CHECK(!strcmp(param, "memmap_size"), "param %s", param);
	g.memmap_size = 1ULL << 30;
	CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)), KV_MEDIA_MATCH);
	{
		/* a store of format 1 (crc32 value checks) is refused by name */
		struct kv_dev_sb old = *dsb;

		old.version = cpu_to_le32(1);
		old.crc = 0;
		old.crc = cpu_to_le32(crc32_le(~0U, (const u8 *)&old, sizeof(old)));
		memcpy(dsb, &old, sizeof(old));
		CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)),
			 KV_MEDIA_MISMATCH);
		CHECK(param && !strcmp(param, "fresh"), "param %s", param ?: "");
		CHECK(strstr(why, "format 1, this module reads format 2") &&
			      strstr(why, "fresh=1"),
		      "why: %s", why);
	}
	((u8 *)dsb)[20] ^= 1;	/* a corrupt superblock is no superblock */
	CHECK_EQ(kv_dev_sb_probe(dsb, &g, &param, why, sizeof(why)), KV_MEDIA_EMPTY);
	free(dsb);
	free(r.mem);
}

/*
 * fresh and erase: empty at once and on the next load, though the old
 * records are still in the segments the new log writes over (regression:
 * without the epoch, records of the old log behind the new ones came back).
 */
static void test_fresh_and_erase_empty(void)
{
	struct region r = { .mem = aligned_alloc(4096, AREA), .max_keys = MAXK };
	u32 i;

	memset(model, 0, sizeof(model));
	CHECK_EQ(r_open(&r, true), 0);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(do_store(i, 1, 300, false), 0);
	r_unload();
	r.epoch = 0;	/* the same epoch as the old log: fresh must change it */
	CHECK_EQ(r_open(&r, true), 0);
	CHECK_EQ(kv.map.nkeys, 0);
	CHECK_EQ(do_store(5, 2, 10, false), 0);	/* overwrites a few old records */
	model[5] = (struct mkey){ 10, 2, true };
	r_crash();
	CHECK_EQ(r_open(&r, false), 0);
	check_model("after fresh");

	CHECK_EQ(kv_store_erase(&kv), 0);
	model[5].present = false;
	check_model("after erase");
	CHECK_EQ(do_store(9, 3, 10, false), 0);
	model[9] = (struct mkey){ 10, 3, true };
	r_unload();
	CHECK_EQ(r_open(&r, false), 0);
	check_model("after erase and reload");
	r_unload();
	free(r.mem);
}

/* A record of the namespace table */
static struct kv_ns_rec ns_rec(u32 nsid, u8 kind, u64 off, u64 size, u64 nsze)
{
	struct kv_ns_rec r = { 0 };

	r.nsid = cpu_to_le32(nsid);
	r.kind = kind;
	r.attached = 1;
	r.gen = 3;
	r.offset = cpu_to_le64(off);
	r.size = cpu_to_le64(size);
	r.nsze = cpu_to_le64(nsze);
	return r;
}

/*
 * The namespace table Namespace Management keeps beside the device
 * superblock: what is written reads back; a table that is corrupt, or
 * records what this device could not have made, is no table.
 */
static void test_ns_table(void)
{
	const u64 M = 1ULL << 20, base = 100 * M, end = 400 * M;
	struct kv_ns_table *t = calloc(1, 4096);
	struct kv_ns_rec in[KV_NS_TABLE_MAX], out[KV_NS_TABLE_MAX];
	unsigned int i;

	CHECK_EQ(kv_ns_table_read(t, base, end, out), -1); /* zeros */
	in[0] = ns_rec(2, NVMEV_NS_KV, base, 64 * M, 64 * M);
	in[1] = ns_rec(5, NVMEV_NS_BLK, 200 * M, 2 * M, 4096);
	in[2] = ns_rec(3, NVMEV_NS_BLK, 398 * M, 2 * M, 1);
	kv_ns_table_write(t, in, 3);
	CHECK_EQ(kv_ns_table_read(t, base, end, out), 3);
	CHECK_EQ(memcmp(in, out, 3 * sizeof(in[0])), 0);
	kv_ns_table_write(t, in, 0);
	CHECK_EQ(kv_ns_table_read(t, base, end, out), 0);

	struct {
		const char *what;
		struct kv_ns_rec r;
	} bad[] = {
		{ "nsid 1", ns_rec(1, NVMEV_NS_BLK, 200 * M, M, 1) },
		{ "nsid 17", ns_rec(17, NVMEV_NS_BLK, 200 * M, M, 1) },
		{ "nsid 5 twice", ns_rec(5, NVMEV_NS_BLK, 300 * M, M, 1) },
		{ "overlap", ns_rec(6, NVMEV_NS_BLK, 201 * M, M, 1) },
		{ "below the pool", ns_rec(6, NVMEV_NS_BLK, 99 * M, M, 1) },
		{ "past its end", ns_rec(6, NVMEV_NS_BLK, 399 * M, 2 * M, 1) },
		{ "size wraps", ns_rec(6, NVMEV_NS_BLK, 300 * M, ~0ULL - 4095, 1) },
		{ "kind none", ns_rec(6, NVMEV_NS_NONE, 300 * M, M, 1) },
		{ "kind of namespace 1", ns_rec(6, NVMEV_NS_BLK_VENDOR, 300 * M, M, 1) },
		{ "blocks beyond its size", ns_rec(6, NVMEV_NS_BLK, 300 * M, M, 2049) },
		{ "no blocks", ns_rec(6, NVMEV_NS_BLK, 300 * M, M, 0) },
		{ "KV under 32 MiB", ns_rec(6, NVMEV_NS_KV, 300 * M, 31 * M, M) },
		{ "size 0", ns_rec(6, NVMEV_NS_BLK, 300 * M, 0, 1) },
		{ "unaligned", ns_rec(6, NVMEV_NS_BLK, 300 * M + 512, M, 1) },
	};
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		in[3] = bad[i].r;
		kv_ns_table_write(t, in, 4);
		CHECK(kv_ns_table_read(t, base, end, out) == -1,
		      "table with %s taken", bad[i].what);
	}
	in[3] = ns_rec(6, NVMEV_NS_BLK, 300 * M, M, 2048);
	kv_ns_table_write(t, in, 4);
	CHECK_EQ(kv_ns_table_read(t, base, end, out), 4);
	((u8 *)t)[40] ^= 1; /* a flipped bit: crc */
	CHECK_EQ(kv_ns_table_read(t, base, end, out), -1);
	((u8 *)t)[40] ^= 1;
	t->count = cpu_to_le32(KV_NS_TABLE_MAX + 1);
	CHECK_EQ(kv_ns_table_read(t, base, end, out), -1);
	free(t);
}

int main(void)
{
	test_rebuild_equals_model();
	test_reload_mid_reclamation();
	test_torn_last_write_discarded();
	test_dead_mark_keeps_header_crc();
	test_superblock_mismatch_refused();
	test_fresh_and_erase_empty();
	test_ns_table();
	return test_report("test_kv_persist");
}
