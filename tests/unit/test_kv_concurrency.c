// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_concurrency.c - several workers on one store at once, as the
 * kernel's I/O workers call it: writers on private key ranges checking
 * every retrieve against their own model, an iterating thread that
 * deletes its own keys with the delete option while the others shift the
 * index under it, a plain iterating reader, and a background reclaimer.
 */
#include "kv_harness.h"

#define WRITERS 4
#define WKEYS 800
#define OPS 60000
#define MAXV 16384
#define XKEYS 3000

static struct kv_env env;
static int stop;	/* __atomic: read by the looping threads */

struct wmodel {
	u32 len;	/* 0 = absent */
	u32 seed;
};

static void fill(u8 *v, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		v[i] = (u8)(seed + i * 7 + (i >> 9));
}

static u8 wkey(u32 t, u32 id, u8 *k)
{
	memset(k, 0, 16);
	k[0] = 'w';
	k[1] = (u8)t;
	memcpy(k + 2, &id, 4);
	return 6 + id % 10;
}

static void *writer(void *arg)
{
	u32 t = (u32)(uintptr_t)arg, op, dw0;
	struct wmodel *m = calloc(WKEYS, sizeof(*m));
	u8 *v = malloc(MAXV), *out = malloc(MAXV), k[16];
	u64 s = 1000 + t;

	for (op = 0; op < OPS; op++) {
		u32 id = (u32)test_rand_below(&s, WKEYS), r = (u32)test_rand_below(&s, 10);
		u8 kl = wkey(t, id, k);
		struct host_buf h = { .buf = v };
		u16 sc;

		if (r < 4) {
			u32 seed = (u32)test_rand(&s);

			h.len = 1 + (u32)test_rand_below(&s, MAXV);
			fill(v, h.len, seed);
			sc = kv_key_cmd(&env.kv, KV_CODING_BYTES, KV_OP_STORE, k, kl, 0,
					0, &h, &dw0);
			CHECK(sc == 0, "writer %u store %#x", t, sc);
			if (!sc)
				m[id] = (struct wmodel){ .len = h.len, .seed = seed };
		} else if (r < 8) {
			h.buf = out;
			h.len = MAXV;
			sc = kv_key_cmd(&env.kv, KV_CODING_BYTES, KV_OP_RETRIEVE, k, kl,
					0, 0, &h, &dw0);
			CHECK(sc == (m[id].len ? 0 : 0x310), "writer %u retrieve %#x", t, sc);
			if (!sc) {
				fill(v, m[id].len, m[id].seed);
				CHECK(dw0 == m[id].len && !memcmp(out, v, dw0),
				      "writer %u key %u value", t, id);
			}
		} else {
			sc = kv_key_cmd(&env.kv, KV_CODING_BYTES, KV_OP_DELETE, k, kl, 0,
					0, &h, &dw0);
			CHECK(sc == (m[id].len ? 0 : 0x310), "writer %u delete %#x", t, sc);
			m[id].len = 0;
		}
	}
	free(m);
	free(v);
	free(out);
	return NULL;
}

/* Stores its own 'x' keys, then deletes them all through the iterator. */
static void *deleter(void *arg)
{
	u8 k[16], v[8] = "xxxxxxx", *buf = malloc(4096), *seen = malloc(XKEYS);
	struct host_buf h = { .buf = v, .len = 8 };
	u32 id, dw0, hd, round, prefix;
	u16 sc;

	(void)arg;
	memcpy(&prefix, "xkey", 4);
	for (round = 0; round < 5; round++) {
		for (id = 0; id < XKEYS; id++) {
			memcpy(k, "xkey", 4);
			memcpy(k + 4, &id, 4);
			h.buf = v;
			h.len = 8;
			CHECK_EQ(kv_key_cmd(&env.kv, KV_CODING_BYTES, KV_OP_STORE, k, 8, 0,
					    0, &h, &dw0), 0);
		}
		memset(seen, 0, XKEYS);
		CHECK_EQ(kv_iter_ctl(&env.kv, 0x15, 0, prefix, 0xffffffff, &hd), 0);
		h.buf = buf;
		h.len = 4096;
		while ((sc = kv_iter_rd(&env.kv, (u8)hd, &h, &dw0)) == 0) {
			u32 cnt = get_le32(buf), pos = 4, i;

			for (i = 0; i < cnt; i++) {
				memcpy(&id, buf + pos + 8, 4);
				CHECK(get_le32(buf + pos) == 8 && id < XKEYS && !seen[id],
				      "deleter entry");
				if (id < XKEYS)
					seen[id] = 1;
				pos += 12;
			}
		}
		CHECK_EQ(sc, 0x393);
		CHECK_EQ(kv_iter_ctl(&env.kv, 0x02, (u8)hd, 0, 0, &dw0), 0);
		for (id = 0; id < XKEYS; id++) {
			CHECK(seen[id], "round %u: x key %u missed", round, id);
			memcpy(k + 4, &id, 4);
			CHECK_EQ(kv_key_cmd(&env.kv, KV_CODING_BYTES, KV_OP_EXIST, k, 8,
					    0, 0, &h, &dw0), 0x310);
		}
	}
	free(buf);
	free(seen);
	return NULL;
}

static void *reader(void *arg)
{
	u8 *buf = malloc(65536);
	struct host_buf h = { .buf = buf, .len = 65536 };
	u32 dw0, hd;
	u16 sc;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		CHECK_EQ(kv_iter_ctl(&env.kv, 0x09, 0, 'w', 0xff, &hd), 0);
		while ((sc = kv_iter_rd(&env.kv, (u8)hd, &h, &dw0)) == 0)
			CHECK(dw0 <= 65536 && (!get_le32(buf) || buf[4 + 4] == 'w'),
			      "reader entry");
		CHECK_EQ(sc, 0x393);
		CHECK_EQ(kv_iter_ctl(&env.kv, 0x02, (u8)hd, 0, 0, &dw0), 0);
	}
	free(buf);
	return NULL;
}

static void *reclaimer(void *arg)
{
	u64 n = 0;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		if (!kv_reclaim(&env.kv) && ++n % 64 == 0)
			sched_yield();
	return NULL;
}

int main(void)
{
	pthread_t w[WRITERS], d, r, g;
	struct kv_stats st;
	double t0 = test_now();
	u32 i;

	/* 4 writers x 800 keys x 8 KiB average: ~25 MiB live of 48 MiB */
	CHECK_EQ(kv_env_init(&env, 48 << 20, 256 << 10, MAXV, 20000), 0);
	pthread_create(&r, NULL, reader, NULL);
	pthread_create(&g, NULL, reclaimer, NULL);
	pthread_create(&d, NULL, deleter, NULL);
	for (i = 0; i < WRITERS; i++)
		pthread_create(&w[i], NULL, writer, (void *)(uintptr_t)i);
	for (i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	pthread_join(d, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(r, NULL);
	pthread_join(g, NULL);
	CHECK_EQ(log_check(&env.kv.log), 0);
	kv_get_stats(&env.kv, &st);
	printf("  %u writers x %u ops + iterating deleter + reader + reclaimer: %.1f s; gc runs %llu, moved %llu, forced %llu\n",
	       WRITERS, OPS, test_now() - t0, (unsigned long long)st.log.gc_runs,
	       (unsigned long long)st.log.gc_bytes_moved,
	       (unsigned long long)st.log.gc_forced);
	CHECK(st.log.gc_runs > 0, "reclamation ran");
	kv_env_free(&env);
	return test_report("test_kv_concurrency");
}
