// SPDX-License-Identifier: GPL-2.0
/*
 * kvclient - test client for the nvmev-kv KV-SSD through the real Linux
 * NVMe driver (NVME_IOCTL_IO64_CMD, see kvlib.h).
 *
 *   kvclient random  DEV [--ops N] [--seed S] [--pool N] [--fabric MAX]
 *       randomized store/append/retrieve/delete/exist against an in-memory
 *       model; keys 1..16 bytes, values 1 B..1 MiB (skewed towards small
 *       ones), store options, small retrieve buffers (DW0 = full size),
 *       malformed length fields; then every key is read back and an
 *       iteration over all keys is compared with the model. --fabric MAX:
 *       DEV is a namespace behind an NVMe-oF target (scripts/fabric) whose
 *       largest transfer is MAX bytes: values and buffers stay within MAX,
 *       and a read may fill its transfer (the length rounded up to 4).
 *   kvclient churn   DEV --capacity BYTES [--ratio R] [--working-set PCT]
 *       overwrite a working set of PCT (50) % of BYTES until R (10) x BYTES
 *       have been written; every store must succeed; all values verified.
 *   kvclient fill    DEV [--value-size N] [--capacity BYTES]
 *       store until 0x312; retrieve/exist/delete still work; after deleting
 *       half the keys, stores succeed again; all values verified.
 *   kvclient iterate DEV [--keys N]
 *       store N keys (10 % with a 4-byte prefix, 5 % with a second one);
 *       iterate with prefix + mask (keys only, keys + values), over all
 *       keys, with the delete option; handle and option errors.
 *   kvclient time    DEV [--ops N]
 *       QD1 latency (min, median) of N (<= 64) Retrieves and Exists of one
 *       key, in microseconds, for the timing-model tests.
 *   kvclient iterdel DEV [--keys N] [--others]
 *       "iterate and delete what expired": store N keys, iterate (keys
 *       only, 4 KiB reads) and delete every other returned key with an
 *       ordinary Delete. No key may come back twice, every key present
 *       throughout must come back. --others: a second process deletes,
 *       stores again and adds keys of its own while the iteration runs.
 *   kvclient samsung DEV
 *       the samsung length coding (module loaded with kv_coding=samsung):
 *       every pad value, key lengths 1..16 as length - 1, 2 MiB values.
 *
 *
 * The NVMe KV Command Set (--csi kv; DEV is the KV namespace's generic
 * char device /dev/ngXn2):
 *   kvclient --csi kv random DEV [--ops N] [--pool N] [--ns1 NS1] [--wipe]
 *       Store (every option, 0-byte values), Retrieve (exact, larger,
 *       smaller and 0-byte buffers, raw), Delete (EDNEK toggled by Set
 *       Features now and then), Exist and List (start keys, buffers that
 *       fit exactly k entries) against a model, malformed fields; then
 *       every key read back and a List walk over the key space. --ns1:
 *       vendor commands on namespace 1 (NS1, e.g. /dev/nvme0n1) on the
 *       same keys with other values in between, all checked at the end.
 *       Prints the completions per opcode and status. The namespace must
 *       be empty (--wipe deletes every key first).
 *   kvclient --csi kv check DEV [--ns1 NS1] [--wipe]
 *       List's order and buffer rules, then every status of the set
 *       (0x000 0x001 0x002 0x085 0x086 0x087 0x089; EDNEK on and off);
 *       with --ns1 the same key on both namespaces and the set's opcodes
 *       on namespace 1 (0x001).
 *   kvclient --csi kv list DEV [--start KEY] [-x] [--buffer N] [--all]
 *       the keys from the first >= KEY (-x: KEY in hex), one List of N
 *       bytes (4096), or --all of them; one key a line.
 *   kvclient --csi kv perm DEV
 *       each command of the set and two vendor opcodes as the calling
 *       user; one line of statuses (or EACCES).
 *   fill, churn and time work in both sets (fill ends at 0x081 there).
 *
 * Common options: --csi vendor|kv (default vendor: namespace 1's vendor
 * commands), --coding bytes|samsung (default: the loaded module's
 * kv_coding; vendor set only), --seed S, -v. Exit status 0 only if every
 * check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/nvme_ioctl.h>

#include "kvlib.h"

#define MIB (1u << 20)

static struct kv_dev dev;
static uint64_t seed = 1;
static int verbose;
static uint64_t mismatches;

/* ---- helpers ------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng_state;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng_state);
}

/* uniform in [lo, hi] */
static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

/* Deterministic content for (a, b): what churn/fill/iterate store. */
static void gen_value(uint8_t *p, uint32_t len, uint64_t a, uint64_t b)
{
	uint64_t s = a * 0x100000001b3ULL ^ b ^ seed << 1, v = 0;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = splitmix(&s);
		p[i] = (uint8_t)(v >> (8 * (i & 7)));
	}
}

static void rnd_fill(uint8_t *p, uint32_t len)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = rnd();
		p[i] = (uint8_t)(v >> (8 * (i & 7)));
	}
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "kvclient: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p) {
		fprintf(stderr, "kvclient: out of memory\n");
		exit(2);
	}
	return p;
}

static const char *hexkey(const uint8_t *k, unsigned int len)
{
	static char s[2][3 * KV_MAX_KEY + 8];
	static int which;
	char *o = s[which ^= 1];
	unsigned int i;
	bool printable = len > 0;

	for (i = 0; i < len; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			printable = false;
	if (printable) {
		snprintf(o, sizeof(s[0]), "'%.*s'", (int)len, (const char *)k);
	} else {
		strcpy(o, "0x");
		for (i = 0; i < len && i < KV_MAX_KEY; i++)
			sprintf(o + 2 + 2 * i, "%02x", k[i]);
	}
	return o;
}

#define MISMATCH_PRINT 25

static void mismatch(const char *fmt, ...)
{
	va_list ap;

	if (++mismatches > MISMATCH_PRINT) {
		if (mismatches == MISMATCH_PRINT + 1)
			fprintf(stderr, "MISMATCH: (further mismatches not printed)\n");
		return;
	}
	va_start(ap, fmt);
	fprintf(stderr, "MISMATCH: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void expect_st(const char *what, int got, int want, const uint8_t *k,
		      unsigned int kl)
{
	if (got != want)
		mismatch("%s %s: status %#x (%s), expected %#x (%s)", what,
			 k ? hexkey(k, kl) : "", got, kv_status_str(got), want,
			 kv_status_str(want));
}

static uint64_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	}
	if (end == s || *end || v < 0) {
		fprintf(stderr, "kvclient: bad size '%s'\n", s);
		exit(2);
	}
	return (uint64_t)v;
}

/* ---- key -> index table (open addressing, for set comparisons) ----------- */

struct key {
	uint8_t b[KV_MAX_KEY];
	uint8_t len;
};

struct ktab {
	uint32_t *slot;		/* index + 1, 0 = empty */
	uint64_t mask;
	const struct key *keys;
};

static uint64_t key_hash(const uint8_t *b, unsigned int len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ len;
	unsigned int i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static void ktab_init(struct ktab *t, const struct key *keys, uint32_t n)
{
	uint64_t size = 16;

	while (size < 2ULL * n)
		size <<= 1;
	t->slot = xcalloc(size, sizeof(*t->slot));
	t->mask = size - 1;
	t->keys = keys;
}

/* index of the key, or -1; with @add, insert it as @add_idx if absent */
static int64_t ktab_find(struct ktab *t, const uint8_t *b, unsigned int len,
			 bool add, uint32_t add_idx)
{
	uint64_t i = key_hash(b, len) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		uint32_t s = t->slot[i];

		if (!s) {
			if (!add)
				return -1;
			t->slot[i] = add_idx + 1;
			return add_idx;
		}
		if (t->keys[s - 1].len == len && !memcmp(t->keys[s - 1].b, b, len))
			return s - 1;
	}
}

/* ---- iteration helper ---------------------------------------------------- */

struct iter_entry_cb {
	/* called per entry; val is NULL for keys-only */
	void (*fn)(void *ctx, const uint8_t *key, uint32_t klen,
		   const uint8_t *val, uint32_t vlen);
	void *ctx;
};

struct iter_stats {
	uint64_t reads, empty_reads, entries, bytes;
	double max_read_s;
};

/*
 * Open, read until 0x393, close. Returns 0 or the first unexpected status.
 * Checks the buffer format: count, lengths within DW0, padding.
 */
static int iterate_all(uint8_t option, uint32_t prefix, uint32_t mask,
		       uint32_t buflen, struct iter_entry_cb *cb,
		       struct iter_stats *is)
{
	uint32_t handle, dw0;
	int st, ret = 0;

	memset(is, 0, sizeof(*is));
	st = kv_iter_open(&dev, option, prefix, mask, &handle);
	if (st) {
		mismatch("iterate open (option %#x): %s", option, kv_status_str(st));
		return st ? st : -1;
	}
	if (handle < 1 || handle > KV_MAX_ITERS)
		mismatch("iterate open: handle %u out of 1..16", handle);
	for (;;) {
		uint32_t cnt, p, i;
		double t0 = now(), dt;

		st = kv_iter_read(&dev, handle, buflen, &dw0);
		dt = now() - t0;
		if (dt > is->max_read_s)
			is->max_read_s = dt;
		is->reads++;
		if (st == KV_SC_ITER_END)
			break;
		if (st) {
			mismatch("iterate read (handle %u, buffer %u): %s", handle,
				 buflen, kv_status_str(st));
			ret = st;
			break;
		}
		if (dw0 < 4 || dw0 > buflen) {
			mismatch("iterate read: DW0 %u outside 4..%u", dw0, buflen);
			ret = -1;
			break;
		}
		is->bytes += dw0;
		memcpy(&cnt, dev.buf, 4);
		if (!cnt)
			is->empty_reads++;
		for (p = 4, i = 0; i < cnt; i++) {
			uint32_t kl, vl = 0;
			const uint8_t *k, *v = NULL;

			if (p + 4 > dw0)
				goto bad;
			memcpy(&kl, dev.buf + p, 4);
			p += 4;
			if (kl < 1 || kl > KV_MAX_KEY || p + kl > dw0)
				goto bad;
			k = dev.buf + p;
			p += (kl + 3) & ~3u;
			if (option & KV_ITER_KEY_VALUE) {
				if (p + 4 > dw0)
					goto bad;
				memcpy(&vl, dev.buf + p, 4);
				p += 4;
				if (vl > KV_MAX_VALUE || p + vl > dw0)
					goto bad;
				v = dev.buf + p;
				p += (vl + 3) & ~3u;
			}
			if (cb && cb->fn)
				cb->fn(cb->ctx, k, kl, v, vl);
			is->entries++;
		}
		if (p != dw0)
			mismatch("iterate read: %u entries end at byte %u, DW0 says %u",
				 cnt, p, dw0);
		if (is->reads > 10000000) {
			mismatch("iterate: no end after %" PRIu64 " reads", is->reads);
			ret = -1;
			break;
		}
		continue;
bad:
		mismatch("iterate read: malformed entry %u of %u at byte %u (DW0 %u)",
			 i, cnt, p, dw0);
		ret = -1;
		break;
	}
	st = kv_iter_close(&dev, handle);
	if (st) {
		mismatch("iterate close %u: %s", handle, kv_status_str(st));
		if (!ret)
			ret = st;
	}
	return ret;
}

/* ---- random: model-based test ------------------------------------------- */

struct mval {
	uint8_t *v;
	uint32_t len;
	bool present;
};

static struct key *pool;
static struct mval *model;
static uint32_t npool;
static uint8_t *scratch;	/* KV_MAX_VALUE bytes */

#define RAND_MAX_VALUE MIB

/*
 * --fabric N (random): the namespace is reached through an NVMe-oF target
 * whose largest transfer is N bytes (its MDTS; nvmet's passthru caps it
 * at 1 MiB or the local controller's segments): values and read buffers
 * stay within N, and the guard after a read starts at the end of the
 * transfer (kv_dev.guard_at_transfer). 0: local, 2 MiB transfers.
 */
static uint32_t fabric_max;

static uint32_t rand_max_value(void)
{
	return fabric_max && fabric_max < RAND_MAX_VALUE ? fabric_max : RAND_MAX_VALUE;
}

/* 1 B .. 1 MiB, most of them small */
static uint32_t skew_size(void)
{
	uint32_t r = rnd() % 1000;

	if (r < 550)
		return rnd_range(1, 64);
	if (r < 850)
		return rnd_range(65, 4096);
	if (r < 970)
		return rnd_range(4097, 65536);
	if (r < 995)
		return rnd_range(65537, 262144);
	r = rnd_range(262145, RAND_MAX_VALUE);
	return r > rand_max_value() ? rnd_range(1, rand_max_value()) : r;
}

static void make_pool(uint32_t n)
{
	struct ktab t;
	uint32_t i = 0;

	pool = xcalloc(n, sizeof(*pool));
	model = xcalloc(n, sizeof(*model));
	ktab_init(&t, pool, n);
	while (i < n) {
		struct key *k = &pool[i];

		/* make sure both extremes are well represented */
		k->len = i % 8 == 0 ? KV_MAX_KEY : i % 8 == 1 ? rnd_range(1, 4) :
			 rnd_range(1, KV_MAX_KEY);
		rnd_fill(k->b, k->len);
		if (ktab_find(&t, k->b, k->len, false, 0) >= 0)
			continue;	/* duplicate: draw again */
		ktab_find(&t, k->b, k->len, true, i);
		i++;
	}
	free(t.slot);
	npool = n;
}

static uint32_t pick_key(void)
{
	uint32_t hot = npool / 10 ? npool / 10 : 1;

	return rnd() % 10 < 7 ? rnd() % hot : rnd() % npool;
}

static void model_set(uint32_t i, const uint8_t *v, uint32_t len)
{
	struct mval *m = &model[i];

	free(m->v);
	m->v = xmalloc(len);
	memcpy(m->v, v, len);
	m->len = len;
	m->present = true;
}

static void model_del(uint32_t i)
{
	free(model[i].v);
	model[i].v = NULL;
	model[i].len = 0;
	model[i].present = false;
}

struct rstats {
	uint64_t store, store_upd, store_idem, store_badopt, append, retrieve,
		 partial, big_buf, delete, exist, malformed, written, read;
};

/* Retrieve key i with a buffer of buflen and compare with the model. */
static void check_retrieve(uint32_t i, uint32_t buflen, struct rstats *rs)
{
	const struct key *k = &pool[i];
	const struct mval *m = &model[i];
	uint32_t dw0 = 0, n;
	bool overrun;
	int st;

	st = kv_retrieve(&dev, k->b, k->len, NULL, buflen, &dw0, &overrun);
	if (overrun)
		mismatch("retrieve %s (buffer %u): device wrote past the buffer",
			 hexkey(k->b, k->len), buflen);
	if (!m->present) {
		expect_st("retrieve", st, KV_SC_NO_KEY, k->b, k->len);
		return;
	}
	if (st) {
		expect_st("retrieve", st, 0, k->b, k->len);
		return;
	}
	if (dw0 != m->len) {
		mismatch("retrieve %s: DW0 %u, value is %u bytes",
			 hexkey(k->b, k->len), dw0, m->len);
		return;
	}
	n = m->len < buflen ? m->len : buflen;
	if (rs)
		rs->read += n;
	if (memcmp(dev.buf, m->v, n)) {
		uint32_t j = 0;

		while (j < n && dev.buf[j] == m->v[j])
			j++;
		mismatch("retrieve %s (%u-byte value, buffer %u): data differs at byte %u",
			 hexkey(k->b, k->len), m->len, buflen, j);
	}
}

/* Malformed length fields: the status says which field, nothing changes. */
static void malformed_op(struct rstats *rs)
{
	uint32_t i = pick_key(), k[4], dw0;
	const struct key *key = &pool[i];
	bool sam = dev.coding == KV_CODING_SAMSUNG;
	/* key length fields that decode to 0 or > 16 bytes */
	static const uint32_t bad_bytes[] = { 0, 17, 255 }, bad_sam[] = { 16, 255 };
	uint32_t badk = sam ? bad_sam[rnd() % 2] : bad_bytes[rnd() % 3];
	uint32_t good_klen = sam ? key->len - 1u : key->len;
	int st;

	rs->malformed++;
	kv_pack_key(key->b, key->len, k);
	memset(dev.buf, 0x5a, 64);
	switch (rnd() % 5) {
	case 0:		/* store, bad key length */
		st = kv_raw(&dev, KV_OP_STORE, sam ? 2 : 8, badk, k, 8, &dw0);
		expect_st("store with key length field", st, KV_SC_KEY_SIZE, key->b, key->len);
		break;
	case 1:		/* retrieve, bad key length */
		st = kv_raw(&dev, KV_OP_RETRIEVE, sam ? 16 : 64, badk, k, 64, &dw0);
		expect_st("retrieve with bad key length field", st, KV_SC_KEY_SIZE, key->b, key->len);
		break;
	case 2:		/* store of 0 bytes */
		st = kv_raw(&dev, KV_OP_STORE, 0, good_klen, k, 0, &dw0);
		expect_st("store of 0 bytes", st, KV_SC_VALUE_SIZE, key->b, key->len);
		break;
	case 3:		/* retrieve into 0 bytes */
		st = kv_raw(&dev, KV_OP_RETRIEVE, 0, good_klen, k, 0, &dw0);
		expect_st("retrieve into 0 bytes", st, KV_SC_VALUE_SIZE, key->b, key->len);
		break;
	default:	/* delete / exist, bad key length */
		st = kv_raw(&dev, rnd() & 1 ? KV_OP_DELETE : KV_OP_EXIST, 0, badk, k, 0, &dw0);
		expect_st("delete/exist with bad key length field", st, KV_SC_KEY_SIZE, key->b, key->len);
		break;
	}
	if (st && !dev.last_dnr)
		mismatch("malformed command answered %#x without DNR", st);
}

struct sweep_ctx {
	struct ktab *t;
	uint8_t *seen;
	uint64_t extra, dup;
};

static void sweep_cb(void *ctx, const uint8_t *key, uint32_t klen,
		     const uint8_t *val, uint32_t vlen)
{
	struct sweep_ctx *s = ctx;
	int64_t i = ktab_find(s->t, key, klen, false, 0);

	(void)val;
	(void)vlen;
	if (i < 0 || !model[i].present) {
		if (s->extra++ < 5)
			mismatch("iterate returned %s, which the model does not hold",
				 hexkey(key, klen));
		return;
	}
	if (s->seen[i]++)
		s->dup++;
}

static int run_random(uint64_t ops, uint32_t npool_arg)
{
	struct rstats rs = { 0 };
	uint64_t op, live = 0, live_bytes = 0;
	double t0 = now(), t1;
	uint32_t i, dw0;
	int st;

	scratch = xmalloc(KV_MAX_VALUE);
	make_pool(npool_arg);

	/*
	 * The extremes once: the largest value (2 MiB, or the largest a
	 * fabric carries in one transfer) under a 16-byte key
	 */
	{
		static const uint8_t k16[] = "0123456789ABCDEF";
		bool fabric = fabric_max && fabric_max < KV_MAX_VALUE;
		uint32_t n = fabric ? fabric_max : KV_MAX_VALUE;

		rnd_fill(scratch, n);
		st = kv_store(&dev, k16, 16, scratch, n, 0, &dw0);
		expect_st("store of the largest value", st, 0, k16, 16);
		st = kv_retrieve(&dev, k16, 16, NULL, n, &dw0, NULL);
		expect_st("retrieve of the largest value", st, 0, k16, 16);
		if (!st && (dw0 != n || memcmp(dev.buf, scratch, n)))
			mismatch("retrieve %u bytes: DW0 %u or data differs", n, dw0);
		if (!fabric) {
			st = kv_append(&dev, k16, 16, scratch, 1, &dw0);
			expect_st("append past 2 MiB", st, KV_SC_VALUE_SIZE, k16, 16);
		}
		st = kv_delete(&dev, k16, 16);
		expect_st("delete of the largest value", st, 0, k16, 16);
		if (fabric)
			printf("random: fabric: values and buffers up to %u bytes, guard after the transfer\n",
			       n);
	}

	for (op = 0; op < ops; op++) {
		uint32_t r = rnd() % 1000, len, buflen;
		struct key *k;
		struct mval *m;
		uint8_t opt;

		i = pick_key();
		k = &pool[i];
		m = &model[i];
		if (r < 410) {			/* store */
			int want;

			opt = r < 300 ? 0 : r < 350 ? KV_STORE_UPDATE :
			      r < 400 ? KV_STORE_IDEMPOTENT :
			      (rnd() & 1) ? 3 : (uint8_t)rnd_range(4, 255);
			len = skew_size();
			rnd_fill(scratch, len);
			want = opt > 2 ? KV_SC_OPTION :
			       (opt == KV_STORE_UPDATE && !m->present) ? KV_SC_NO_KEY :
			       (opt == KV_STORE_IDEMPOTENT && m->present) ? KV_SC_KEY_EXISTS : 0;
			switch (opt) {
			case 0: rs.store++; break;
			case KV_STORE_UPDATE: rs.store_upd++; break;
			case KV_STORE_IDEMPOTENT: rs.store_idem++; break;
			default: rs.store_badopt++; break;
			}
			dw0 = 0xdeadbeef;
			st = kv_store(&dev, k->b, k->len, scratch, len, opt, &dw0);
			expect_st("store", st, want, k->b, k->len);
			if (!st && dw0)
				mismatch("store %s: DW0 %#x, expected 0", hexkey(k->b, k->len), dw0);
			if (!st) {
				rs.written += len;
				model_set(i, scratch, len);
			}
		} else if (r < 510) {		/* append */
			len = skew_size();
			if (m->present && m->len + len > rand_max_value())
				len = rnd_range(1, 64);
			if (m->present && m->len + len > rand_max_value()) {
				/* keep values within 1 MiB: replace it instead */
				rnd_fill(scratch, len);
				st = kv_store(&dev, k->b, k->len, scratch, len, 0, &dw0);
				expect_st("store (instead of append)", st, 0, k->b, k->len);
				if (!st)
					model_set(i, scratch, len);
				rs.store++;
				continue;
			}
			rs.append++;
			rnd_fill(scratch, len);
			st = kv_append(&dev, k->b, k->len, scratch, len, &dw0);
			expect_st("append", st, 0, k->b, k->len);
			if (!st) {
				uint32_t old = m->present ? m->len : 0;
				uint8_t *nv = xmalloc(old + len);

				if (dw0 != old + len)
					mismatch("append %s: DW0 %u, expected %u",
						 hexkey(k->b, k->len), dw0, old + len);
				if (old)
					memcpy(nv, m->v, old);
				memcpy(nv + old, scratch, len);
				free(m->v);
				m->v = nv;
				m->len = old + len;
				m->present = true;
				rs.written += len;
			}
		} else if (r < 800) {		/* retrieve */
			uint32_t how = rnd() % 10;

			rs.retrieve++;
			if (!m->present)
				buflen = rnd_range(1, 4096);
			else if (how < 5)
				buflen = m->len;
			else if (how < 7) {
				buflen = m->len + rnd_range(1, 4096);
				if (buflen > rand_max_value())
					buflen = rand_max_value();
				rs.big_buf++;
			} else {
				buflen = m->len > 1 ? rnd_range(1, m->len - 1) : 1;
				rs.partial++;
			}
			check_retrieve(i, buflen, &rs);
		} else if (r < 890) {		/* delete */
			rs.delete++;
			st = kv_delete(&dev, k->b, k->len);
			expect_st("delete", st, m->present ? 0 : KV_SC_NO_KEY, k->b, k->len);
			if (!st)
				model_del(i);
		} else if (r < 980) {		/* exist */
			rs.exist++;
			st = kv_exist(&dev, k->b, k->len);
			expect_st("exist", st, m->present ? 0 : KV_SC_NO_KEY, k->b, k->len);
		} else {
			malformed_op(&rs);
		}
		if (verbose && op && op % 10000 == 0)
			fprintf(stderr, "random: %" PRIu64 " ops, %" PRIu64 " mismatches, %.1f s\n",
				op, mismatches, now() - t0);
	}
	t1 = now();

	/* sweep: every key read back, then one iteration over everything */
	for (i = 0; i < npool; i++) {
		check_retrieve(i, model[i].present ? model[i].len : 64, NULL);
		if (model[i].present) {
			live++;
			live_bytes += model[i].len;
		}
	}
	{
		struct ktab t;
		struct sweep_ctx sc = { .t = &t, .seen = xcalloc(npool, 1) };
		struct iter_entry_cb cb = { sweep_cb, &sc };
		struct iter_stats is;
		uint64_t missing = 0;

		ktab_init(&t, pool, npool);
		for (i = 0; i < npool; i++)
			ktab_find(&t, pool[i].b, pool[i].len, true, i);
		iterate_all(KV_ITER_KEY, 0, 0, 256 << 10, &cb, &is);
		for (i = 0; i < npool; i++)
			if (model[i].present && !sc.seen[i] && missing++ < 5)
				mismatch("iterate did not return %s",
					 hexkey(pool[i].b, pool[i].len));
		if (sc.dup)
			mismatch("iterate returned %" PRIu64 " keys twice", sc.dup);
		printf("random: sweep: %u keys read back, iterate returned %" PRIu64
		       " keys in %" PRIu64 " reads (model holds %" PRIu64 ")\n",
		       npool, is.entries, is.reads, live);
		free(t.slot);
		free(sc.seen);
	}
	if (dev.guard_hits)
		mismatch("%u reads wrote past their buffer", dev.guard_hits);

	printf("random: coding=%s seed=%" PRIu64 " ops=%" PRIu64 " mismatches=%" PRIu64 "\n",
	       dev.coding == KV_CODING_SAMSUNG ? "samsung" : "bytes", seed, ops,
	       mismatches);
	printf("random: store=%" PRIu64 " store_update_only=%" PRIu64
	       " store_idempotent=%" PRIu64 " store_bad_option=%" PRIu64
	       " append=%" PRIu64 " retrieve=%" PRIu64 " (small buffer %" PRIu64
	       ", larger buffer %" PRIu64 ") delete=%" PRIu64 " exist=%" PRIu64
	       " malformed=%" PRIu64 "\n",
	       rs.store, rs.store_upd, rs.store_idem, rs.store_badopt, rs.append,
	       rs.retrieve, rs.partial, rs.big_buf, rs.delete, rs.exist, rs.malformed);
	printf("random: written=%" PRIu64 " B read=%" PRIu64 " B live_keys=%" PRIu64
	       " live_bytes=%" PRIu64 " commands=%" PRIu64 " seconds=%.1f ops/s=%.0f\n",
	       rs.written, rs.read, live, live_bytes, dev.cmds, t1 - t0,
	       ops / (t1 - t0));
	for (i = 0; i < npool; i++)
		free(model[i].v);
	free(model);
	free(pool);
	free(scratch);
	return mismatches ? 1 : 0;
}

/* ---- churn --------------------------------------------------------------- */

/* tag + 8 hex digits of i: a fixed-length key */
static unsigned int num_key(uint8_t *k, const char *tag, uint32_t i)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int n = (unsigned int)strlen(tag), j;

	memcpy(k, tag, n);
	for (j = 0; j < 8; j++)
		k[n + j] = (uint8_t)hex[(i >> (28 - 4 * j)) & 15];
	return n + 8;
}

#define CHURN_KLEN 13
static void churn_key(uint32_t i, uint8_t *k)
{
	num_key(k, "churn", i);		/* 13 bytes */
}

static bool verify_gen(const uint8_t *key, unsigned int kl, uint32_t len,
		       uint64_t a, uint64_t b, const char *what)
{
	uint32_t dw0 = 0;
	int st = kv_retrieve(&dev, key, kl, NULL, len, &dw0, NULL);

	if (st) {
		mismatch("%s: retrieve %s: %s", what, hexkey(key, kl), kv_status_str(st));
		return false;
	}
	gen_value(scratch, len, a, b);
	if (dw0 != len || memcmp(dev.buf, scratch, len)) {
		mismatch("%s: %s: DW0 %u (want %u) or data differs", what,
			 hexkey(key, kl), dw0, len);
		return false;
	}
	return true;
}

static int run_churn(uint64_t capacity, uint32_t ratio, uint32_t ws_pct,
		     uint32_t vmin, uint32_t vmax)
{
	uint64_t ws = capacity * ws_pct / 100, sum = 0, written = 0, stores = 0,
		 target = capacity * ratio, failed = 0, spot = 0;
	uint32_t n = 0, cap_keys = 1024, i, *size, *ver;
	uint8_t key[16];
	double t0 = now(), t1, last = t0;
	int st;

	scratch = xmalloc(KV_MAX_VALUE);
	size = xmalloc(cap_keys * sizeof(*size));
	while (sum < ws) {
		uint32_t s = rnd_range(vmin, vmax);

		if (sum + s > ws)
			s = (uint32_t)(ws - sum) < vmin ? vmin : (uint32_t)(ws - sum);
		if (n == cap_keys) {
			cap_keys *= 2;
			size = realloc(size, cap_keys * sizeof(*size));
			if (!size)
				return 2;
		}
		size[n++] = s;
		sum += s;
	}
	ver = xcalloc(n, sizeof(*ver));
	printf("churn: capacity=%" PRIu64 " working_set=%" PRIu64 " (%u%%) keys=%u values %u..%u B, target %" PRIu64 " B (%ux)\n",
	       capacity, sum, ws_pct, n, vmin, vmax, target, ratio);
	fflush(stdout);

	for (stores = 0; written < target; stores++) {
		/* first every key once, then random overwrites */
		i = stores < n ? (uint32_t)stores : (uint32_t)(rnd() % n);
		churn_key(i, key);
		gen_value(scratch, size[i], i, ver[i] + 1);
		st = kv_store(&dev, key, CHURN_KLEN, scratch, size[i], 0, NULL);
		if (st) {
			if (failed++ < 10)
				mismatch("churn: store #%" PRIu64 " %s (%u B) after %" PRIu64 " B written: %s",
					 stores, hexkey(key, CHURN_KLEN), size[i], written,
					 kv_status_str(st));
			if (failed >= 10)
				break;
			continue;
		}
		ver[i]++;
		written += size[i];
		/* spot check now and then */
		if (stores % 61 == 0) {
			uint32_t j = (uint32_t)(rnd() % n);

			if (ver[j]) {
				churn_key(j, key);
				verify_gen(key, CHURN_KLEN, size[j], j, ver[j], "churn spot check");
				spot++;
			}
		}
		if (verbose && now() - last > 10) {
			last = now();
			fprintf(stderr, "churn: %" PRIu64 " B written (%.2fx), %.1f s\n",
				written, (double)written / capacity, last - t0);
		}
	}
	t1 = now();
	for (i = 0; i < n; i++) {
		churn_key(i, key);
		if (ver[i])
			verify_gen(key, CHURN_KLEN, size[i], i, ver[i], "churn final verify");
	}
	printf("churn: written=%" PRIu64 " B = %.2fx capacity, stores=%" PRIu64
	       " failed=%" PRIu64 " spot_checks=%" PRIu64 " verified=%u keys, mismatches=%" PRIu64
	       ", seconds=%.1f (%.1f MB/s)\n",
	       written, (double)written / capacity, stores, failed, spot, n,
	       mismatches, t1 - t0, written / (t1 - t0) / 1e6);
	free(size);
	free(ver);
	free(scratch);
	return mismatches || failed || written < target ? 1 : 0;
}

/* ---- fill ---------------------------------------------------------------- */

static void fill_key(char tag, uint32_t i, uint8_t *k)
{
	char t[2] = { tag, 0 };

	num_key(k, t, i);		/* 9 bytes */
}

static int run_fill(uint32_t vsize, uint64_t capacity)
{
	uint32_t n = 0, i, deleted = 0, restored = 0, limit, dw0;
	uint64_t bytes = 0;
	uint8_t key[16];
	double t0 = now();
	int st = 0;
	bool ok;

	scratch = xmalloc(KV_MAX_VALUE);
	limit = capacity ? (uint32_t)(capacity / vsize * 2 + 1000) : 50000000;
	for (n = 0; n < limit; n++) {
		fill_key('f', n, key);
		gen_value(scratch, vsize, n, 1);
		st = kv_store(&dev, key, 9, scratch, vsize, 0, NULL);
		if (st)
			break;
		bytes += vsize;
	}
	if (st != kv_sc(&dev, KV_SC_CAPACITY)) {
		mismatch("fill: store #%u ended with %s, expected %#x", n,
			 kv_status_str(st), kv_sc(&dev, KV_SC_CAPACITY));
		return 1;
	}
	if (!dev.last_dnr)
		mismatch("fill: %#x without DNR", st);
	printf("fill: value=%u B: %u stores (%" PRIu64 " B", vsize, n, bytes);
	if (capacity)
		printf(", %.1f%% of capacity %" PRIu64 " B", 100.0 * bytes / capacity, capacity);
	printf(") then %#x after %.1f s\n", st, now() - t0);
	/* full: more stores of new keys keep failing the same way */
	fill_key('f', n, key);
	st = kv_store(&dev, key, 9, scratch, vsize, 0, NULL);
	expect_st("fill: store when full", st, kv_sc(&dev, KV_SC_CAPACITY), key, 9);
	st = kv_exist(&dev, key, 9);
	expect_st("fill: exist of the refused key", st, kv_sc(&dev, KV_SC_NO_KEY), key, 9);

	/* retrieve and exist still work on a full device */
	for (i = 0, ok = true; i < n; i++) {
		fill_key('f', i, key);
		ok &= verify_gen(key, 9, vsize, i, 1, "fill: retrieve when full");
	}
	fill_key('f', 0, key);
	expect_st("fill: exist when full", kv_exist(&dev, key, 9), 0, key, 9);
	printf("fill: all %u values read back on the full device: %s\n", n, ok ? "ok" : "MISMATCH");

	/* delete every other key */
	for (i = 0; i < n; i += 2) {
		fill_key('f', i, key);
		st = kv_delete(&dev, key, 9);
		expect_st("fill: delete when full", st, 0, key, 9);
		if (!st)
			deleted++;
	}
	fill_key('f', 0, key);
	expect_st("fill: retrieve deleted", kv_retrieve(&dev, key, 9, NULL, vsize, &dw0, NULL),
		  kv_sc(&dev, KV_SC_NO_KEY), key, 9);
	/* stores succeed again: as many as were deleted */
	for (restored = 0; restored < deleted; restored++) {
		fill_key('g', restored, key);
		gen_value(scratch, vsize, restored, 2);
		st = kv_store(&dev, key, 9, scratch, vsize, 0, NULL);
		if (st)
			break;
	}
	printf("fill: deleted %u keys, then %u of %u new stores succeeded%s%s\n",
	       deleted, restored, deleted, st ? ", then " : "",
	       st ? kv_status_str(st) : "");
	if (restored < deleted - deleted / 20)
		mismatch("fill: only %u of %u stores succeeded after %u deletes",
			 restored, deleted, deleted);
	/* everything that should be there is, with the right bytes */
	for (i = 1; i < n; i += 2) {
		fill_key('f', i, key);
		verify_gen(key, 9, vsize, i, 1, "fill: survivor");
	}
	for (i = 0; i < restored; i++) {
		fill_key('g', i, key);
		verify_gen(key, 9, vsize, i, 2, "fill: restored");
	}
	printf("fill: mismatches=%" PRIu64 " seconds=%.1f\n", mismatches, now() - t0);
	free(scratch);
	return mismatches ? 1 : 0;
}

/* ---- iterate -------------------------------------------------------------- */

#define PFX_A	0x2158464bu	/* "KFX!" */
#define PFX_D	0x234c4544u	/* "DEL#" */

struct iter_ctx {
	struct ktab *t;
	const struct key *keys;
	uint8_t *seen;
	uint64_t unknown, dup;
	bool values;
	uint64_t bad_values;
};

static uint32_t iter_vlen(uint32_t i)
{
	return i % 1000 == 7 ? 3000 : 4 + i % 29;
}

static void iter_cb(void *ctx, const uint8_t *key, uint32_t klen,
		    const uint8_t *val, uint32_t vlen)
{
	struct iter_ctx *c = ctx;
	int64_t i = ktab_find(c->t, key, klen, false, 0);
	uint8_t want[3000];

	if (i < 0) {
		if (c->unknown++ < 5)
			mismatch("iterate returned unknown key %s", hexkey(key, klen));
		return;
	}
	if (c->seen[i]++)
		c->dup++;
	if (c->values) {
		gen_value(want, iter_vlen((uint32_t)i), (uint64_t)i, 7);
		if (vlen != iter_vlen((uint32_t)i) || memcmp(val, want, vlen)) {
			if (c->bad_values++ < 5)
				mismatch("iterate: value of %s: %u bytes, wrong size or content",
					 hexkey(key, klen), vlen);
		}
	}
}

static bool key_matches(const struct key *k, uint32_t prefix, uint32_t mask)
{
	uint32_t w = 0;
	unsigned int j;

	for (j = 0; j < 4 && j < k->len; j++)
		w |= (uint32_t)k->b[j] << (8 * j);
	return (w & mask) == (prefix & mask);
}

/* one iteration, compared against the expected set; returns matches seen */
static uint64_t iter_check(const char *name, struct ktab *t, const struct key *keys,
			   uint32_t nk, const uint8_t *alive, uint8_t option,
			   uint32_t prefix, uint32_t mask, uint32_t buflen)
{
	struct iter_ctx c = { .t = t, .keys = keys, .seen = xcalloc(nk, 1),
			      .values = !!(option & KV_ITER_KEY_VALUE) };
	struct iter_entry_cb cb = { iter_cb, &c };
	struct iter_stats is;
	uint64_t expected = 0, missing = 0, extra = 0;
	double t0 = now();
	uint32_t i;

	iterate_all(option, prefix, mask, buflen, &cb, &is);
	for (i = 0; i < nk; i++) {
		bool want = alive[i] && key_matches(&keys[i], prefix, mask);

		expected += want;
		if (want && !c.seen[i] && missing++ < 5)
			mismatch("%s: key %s missing", name, hexkey(keys[i].b, keys[i].len));
		if (!want && c.seen[i] && extra++ < 5)
			mismatch("%s: key %s should not match", name,
				 hexkey(keys[i].b, keys[i].len));
	}
	if (c.dup)
		mismatch("%s: %" PRIu64 " keys returned twice", name, c.dup);
	printf("iterate: %-34s prefix %08x mask %08x buffer %7u: %6" PRIu64
	       " keys (expected %6" PRIu64 "), %5" PRIu64 " reads (%" PRIu64
	       " empty), longest read %.1f ms, %.2f s%s\n",
	       name, prefix, mask, buflen, is.entries, expected, is.reads,
	       is.empty_reads, is.max_read_s * 1e3, now() - t0,
	       missing || extra || c.dup || c.unknown || c.bad_values ? "  MISMATCH" : "");
	free(c.seen);
	return is.entries;
}

static int run_iterate(uint32_t nkeys)
{
	static const char *shorts[] = { "KF", "KFa", "KFb", "KFX", "KFX!", "Z", "DE", "DEL" };
	uint32_t nshort = sizeof(shorts) / sizeof(shorts[0]);
	uint32_t nk = nkeys + nshort, i, h[KV_MAX_ITERS + 1], dw0;
	struct key *keys = xcalloc(nk, sizeof(*keys));
	uint8_t *alive = xcalloc(nk, 1), val[3000];
	struct ktab t;
	double t0;
	int st;

	scratch = xmalloc(KV_MAX_VALUE);
	ktab_init(&t, keys, nk);
	for (i = 0; i < nkeys; i++) {
		struct key *k = &keys[i];
		uint32_t w, g = i % 20;

		if (g < 2) {
			w = PFX_A;
		} else if (g == 2) {
			w = PFX_D;
		} else {
			do
				w = (uint32_t)rnd();
			while ((w & 0xffff) == (PFX_A & 0xffff) || w == PFX_D);
		}
		k->len = (uint8_t)rnd_range(8, 16);
		memcpy(k->b, &w, 4);		/* little-endian host */
		memcpy(k->b + 4, &i, 4);
		rnd_fill(k->b + 8, k->len - 8u);
		ktab_find(&t, k->b, k->len, true, i);
	}
	for (i = 0; i < nshort; i++) {
		struct key *k = &keys[nkeys + i];

		k->len = (uint8_t)strlen(shorts[i]);
		memcpy(k->b, shorts[i], k->len);
		ktab_find(&t, k->b, k->len, true, nkeys + i);
	}

	t0 = now();
	for (i = 0; i < nk; i++) {
		gen_value(val, iter_vlen(i), i, 7);
		st = kv_store(&dev, keys[i].b, keys[i].len, val, iter_vlen(i), 0, NULL);
		expect_st("iterate: store", st, 0, keys[i].b, keys[i].len);
		alive[i] = !st;
	}
	printf("iterate: stored %u keys in %.1f s (%.0f stores/s)\n", nk,
	       now() - t0, nk / (now() - t0));

	iter_check("prefix KFX!, keys", &t, keys, nk, alive, KV_ITER_KEY,
		   PFX_A, 0xffffffff, 64 << 10);
	iter_check("prefix KF (16-bit mask), keys+values", &t, keys, nk, alive,
		   KV_ITER_KEY_VALUE, PFX_A, 0xffff, 256 << 10);
	iter_check("all keys, 1 MiB buffer", &t, keys, nk, alive, KV_ITER_KEY,
		   0, 0, 1 << 20);
	iter_check("all keys, 16 KiB buffer", &t, keys, nk, alive, KV_ITER_KEY,
		   0x12345678, 0, 16 << 10);
	iter_check("byte 3 = '!' (mask ff000000)", &t, keys, nk, alive, KV_ITER_KEY,
		   PFX_A, 0xff000000, 128 << 10);

	/* a buffer with room for the count only */
	st = kv_iter_open(&dev, KV_ITER_KEY, 0, 0, &h[0]);
	expect_st("iterate open", st, 0, NULL, 0);
	if (!st) {
		expect_st("iterate read into 4 bytes", kv_iter_read(&dev, h[0], 4, &dw0),
			  KV_SC_VALUE_SIZE, NULL, 0);
		expect_st("iterate close", kv_iter_close(&dev, h[0]), 0, NULL, 0);
	}

	/* handles: 16 open at once, the 17th refused */
	for (i = 0; i < KV_MAX_ITERS; i++) {
		st = kv_iter_open(&dev, KV_ITER_KEY, 0, 0, &h[i]);
		expect_st("iterate open (16 handles)", st, 0, NULL, 0);
	}
	st = kv_iter_open(&dev, KV_ITER_KEY, 0, 0, &h[KV_MAX_ITERS]);
	expect_st("iterate open #17", st, KV_SC_ITER_HANDLE, NULL, 0);
	for (i = 0; i < KV_MAX_ITERS; i++)
		expect_st("iterate close", kv_iter_close(&dev, h[i]), 0, NULL, 0);
	expect_st("iterate close twice", kv_iter_close(&dev, h[0]), KV_SC_ITER_HANDLE, NULL, 0);
	expect_st("iterate read closed", kv_iter_read(&dev, h[0], 4096, &dw0),
		  KV_SC_ITER_HANDLE, NULL, 0);
	expect_st("iterate close handle 0", kv_iter_close(&dev, 0), KV_SC_ITER_HANDLE, NULL, 0);
	expect_st("iterate close handle 17", kv_iter_close(&dev, 17), KV_SC_ITER_HANDLE, NULL, 0);
	expect_st("iterate read handle 0", kv_iter_read(&dev, 0, 4096, &dw0),
		  KV_SC_ITER_HANDLE, NULL, 0);
	/* option errors */
	expect_st("iterate open keys+values both",
		  kv_iter_open(&dev, KV_ITER_KEY | KV_ITER_KEY_VALUE, 0, 0, &h[0]),
		  KV_SC_OPTION, NULL, 0);
	expect_st("iterate open+close", kv_iter_open(&dev, KV_ITER_CLOSE, 0, 0, &h[0]),
		  KV_SC_OPTION, NULL, 0);
	expect_st("iterate unknown option bit", kv_iter_open(&dev, 0x20, 0, 0, &h[0]),
		  KV_SC_OPTION, NULL, 0);
	expect_st("iterate option 0",
		  kv_raw(&dev, KV_OP_ITER_CTL, 0, 0, NULL, 0, &dw0), KV_SC_OPTION, NULL, 0);

	/* the delete option takes exactly the DEL# group away */
	{
		uint64_t before = 0, gone = 0;

		iter_check("prefix DEL#, keys, delete", &t, keys, nk, alive,
			   KV_ITER_KEY | KV_ITER_DELETE, PFX_D, 0xffffffff, 64 << 10);
		for (i = 0; i < nk; i++) {
			if (!alive[i])
				continue;
			before++;
			if (key_matches(&keys[i], PFX_D, 0xffffffff)) {
				st = kv_exist(&dev, keys[i].b, keys[i].len);
				expect_st("exist after iterate-delete", st, KV_SC_NO_KEY,
					  keys[i].b, keys[i].len);
				alive[i] = 0;
				gone++;
			}
		}
		printf("iterate: delete option removed %" PRIu64 " of %" PRIu64 " keys\n",
		       gone, before);
		iter_check("all keys after delete", &t, keys, nk, alive, KV_ITER_KEY,
			   0, 0, 512 << 10);
		/* a short key that matches the prefix of DEL# under a 3-byte mask */
		st = kv_exist(&dev, (const uint8_t *)"DEL", 3);
		expect_st("exist 'DEL' (not in the 4-byte group)", st, 0, NULL, 0);
	}
	if (dev.guard_hits)
		mismatch("%u reads wrote past their buffer", dev.guard_hits);
	printf("iterate: keys=%u mismatches=%" PRIu64 "\n", nk, mismatches);
	free(t.slot);
	free(keys);
	free(alive);
	free(scratch);
	return mismatches ? 1 : 0;
}

/* ---- samsung coding ------------------------------------------------------ */

static int run_samsung(void)
{
	static const uint32_t sizes[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 4093, 4094, 4095, 4096, 4097, 4098,
		65535, 65536, 65537, 1048573, 1048574, 1048575, 1048576,
		2097149, 2097150, 2097151, 2097152,
	};
	uint32_t i, dw0, k[4], nsz = sizeof(sizes) / sizeof(sizes[0]);
	uint8_t key[KV_MAX_KEY];
	int st;

	if (dev.coding != KV_CODING_SAMSUNG) {
		fprintf(stderr, "kvclient samsung: the module is not loaded with kv_coding=samsung\n");
		return 2;
	}
	scratch = xmalloc(KV_MAX_VALUE);

	/* proof that the device decodes words: a byte-coded field means 4x */
	memcpy(key, "cod", 3);
	kv_pack_key(key, 3, k);
	memset(dev.buf, 0x11, 32);
	st = kv_raw(&dev, KV_OP_STORE, 8, 2, k, 32, &dw0);	/* 8 words, key len 3 */
	expect_st("store cdw10=8 words", st, 0, key, 3);
	st = kv_retrieve(&dev, key, 3, NULL, 64, &dw0, NULL);
	expect_st("retrieve it", st, 0, key, 3);
	if (!st && dw0 != 32)
		mismatch("samsung: CDW10=8 words stored %u bytes, expected 32 (DW0 must be bytes)", dw0);

	/* every pad value, up to the 2 MiB maximum */
	for (i = 0; i < nsz; i++) {
		uint32_t n = sizes[i];
		bool over;

		snprintf((char *)key, sizeof(key), "size%u", n);
		gen_value(scratch, n, n, 3);
		st = kv_store(&dev, key, (unsigned int)strlen((char *)key), scratch, n, 0, &dw0);
		expect_st("samsung store", st, 0, key, (unsigned int)strlen((char *)key));
		/* exact, one short (pad region must stay untouched), larger */
		st = kv_retrieve(&dev, key, (unsigned int)strlen((char *)key), NULL, n, &dw0, &over);
		if (st || dw0 != n || memcmp(dev.buf, scratch, n) || over)
			mismatch("samsung: %u-byte value (pad %u): status %#x DW0 %u data %s%s",
				 n, (4 - n % 4) % 4, st, dw0,
				 st ? "-" : memcmp(dev.buf, scratch, n) ? "differs" : "ok",
				 over ? ", wrote past the buffer" : "");
		if (n > 1) {
			st = kv_retrieve(&dev, key, (unsigned int)strlen((char *)key), NULL, n - 1, &dw0, &over);
			if (st || dw0 != n || memcmp(dev.buf, scratch, n - 1) || over)
				mismatch("samsung: %u-byte value into %u-byte buffer: status %#x DW0 %u%s",
					 n, n - 1, st, dw0, over ? ", wrote past the buffer" : "");
		}
		if (n + 3 <= KV_MAX_VALUE) {
			st = kv_retrieve(&dev, key, (unsigned int)strlen((char *)key), NULL, n + 3, &dw0, &over);
			if (st || dw0 != n || memcmp(dev.buf, scratch, n) || over)
				mismatch("samsung: %u-byte value into %u-byte buffer: status %#x DW0 %u%s",
					 n, n + 3, st, dw0, over ? ", wrote past the buffer" : "");
		}
		if (n > 65537) {
			st = kv_delete(&dev, key, (unsigned int)strlen((char *)key));
			expect_st("samsung delete", st, 0, key, (unsigned int)strlen((char *)key));
		}
	}
	printf("samsung: %u value sizes (every pad 0..3, up to 2 MiB) stored and read back\n", nsz);

	/* key lengths 1..16 as length - 1 */
	for (i = 1; i <= KV_MAX_KEY; i++) {
		uint32_t vl = 3 * i + 1;

		memset(key, 'a' + (int)i, KV_MAX_KEY);
		key[0] = 'L';
		gen_value(scratch, vl, i, 4);
		st = kv_store(&dev, key, i, scratch, vl, 0, &dw0);
		expect_st("samsung store key length", st, 0, key, i);
		st = kv_retrieve(&dev, key, i, NULL, vl, &dw0, NULL);
		if (st || dw0 != vl || memcmp(dev.buf, scratch, vl))
			mismatch("samsung: %u-byte key: status %#x DW0 %u", i, st, dw0);
		expect_st("samsung exist", kv_exist(&dev, key, i), 0, key, i);
	}
	/* they are 16 distinct keys: iterate with prefix 'L' finds each once */
	{
		struct key keys[KV_MAX_KEY];
		struct ktab t;
		uint8_t alive[KV_MAX_KEY];

		ktab_init(&t, keys, KV_MAX_KEY);
		for (i = 0; i < KV_MAX_KEY; i++) {
			keys[i].len = (uint8_t)(i + 1);
			memset(keys[i].b, 'a' + (int)(i + 1), KV_MAX_KEY);
			keys[i].b[0] = 'L';
			alive[i] = 1;
			ktab_find(&t, keys[i].b, keys[i].len, true, i);
		}
		if (iter_check("samsung: prefix 'L', keys", &t, keys, KV_MAX_KEY, alive,
			       KV_ITER_KEY, 'L', 0xff, 4096) != KV_MAX_KEY)
			mismatch("samsung: iterate did not return the 16 'L' keys");
		free(t.slot);
	}
	printf("samsung: key lengths 1..16 (CDW11[7:0] = length - 1) ok\n");

	/* append: DW0 = new size in bytes */
	memcpy(key, "app", 3);
	st = kv_store(&dev, key, 3, "hello", 5, 0, &dw0);
	expect_st("samsung store", st, 0, key, 3);
	st = kv_append(&dev, key, 3, "abc", 3, &dw0);
	if (st || dw0 != 8)
		mismatch("samsung: append 3 bytes: status %#x DW0 %u, expected 8", st, dw0);
	st = kv_append(&dev, key, 3, "Z", 1, &dw0);
	if (st || dw0 != 9)
		mismatch("samsung: append 1 byte: status %#x DW0 %u, expected 9", st, dw0);
	st = kv_retrieve(&dev, key, 3, NULL, 9, &dw0, NULL);
	if (st || dw0 != 9 || memcmp(dev.buf, "helloabcZ", 9))
		mismatch("samsung: appended value: status %#x DW0 %u '%.9s'", st, dw0, dev.buf);

	/* malformed length fields */
	memcpy(key, "bad", 3);
	kv_pack_key(key, 3, k);
	memset(dev.buf, 0, 64);
	expect_st("samsung key field 16 (17 bytes)",
		  kv_raw(&dev, KV_OP_STORE, 1, 16, k, 4, &dw0), KV_SC_KEY_SIZE, key, 3);
	expect_st("samsung key field 255",
		  kv_raw(&dev, KV_OP_RETRIEVE, 1, 255, k, 4, &dw0), KV_SC_KEY_SIZE, key, 3);
	expect_st("samsung CDW10 0",
		  kv_raw(&dev, KV_OP_STORE, 0, 2, k, 0, &dw0), KV_SC_VALUE_SIZE, key, 3);
	expect_st("samsung CDW10 0 with pad 3",
		  kv_raw(&dev, KV_OP_STORE, 0, 2 | 3u << 16, k, 0, &dw0), KV_SC_VALUE_SIZE, key, 3);
	expect_st("samsung retrieve CDW10 0",
		  kv_raw(&dev, KV_OP_RETRIEVE, 0, 2, k, 0, &dw0), KV_SC_VALUE_SIZE, key, 3);
	memcpy(dev.buf, "Q...", 4);
	st = kv_raw(&dev, KV_OP_STORE, 1, 2 | 3u << 16, k, 4, &dw0);	/* 1 word - 3 = 1 byte */
	expect_st("samsung 1 word, pad 3", st, 0, key, 3);
	st = kv_retrieve(&dev, key, 3, NULL, 16, &dw0, NULL);
	if (st || dw0 != 1 || dev.buf[0] != 'Q')
		mismatch("samsung: 1 word pad 3: status %#x DW0 %u", st, dw0);
	if (dev.guard_hits)
		mismatch("%u reads wrote past their buffer", dev.guard_hits);
	printf("samsung: mismatches=%" PRIu64 "\n", mismatches);
	free(scratch);
	return mismatches ? 1 : 0;
}

/* ---- iterate while deleting ------------------------------------------------ */

/* Keys of iterdel: "exp-" + 8 digits (the iteration's), "oth-" (--others). */
static unsigned int iterdel_key(char *k, const char *pfx, uint32_t id)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%s%08u", pfx, id);
	memcpy(k, tmp, 12);
	return 12;
}

/* The other process: delete its keys, store some again, add new ones. */
static int iterdel_other(const char *path, uint32_t nkeys, int go)
{
	struct kv_dev d;
	uint32_t i, id, n = 0;
	char k[16], c;
	int st, bad = 0;

	if (kv_open(&d, path, dev.coding))
		return 1;
	if (read(go, &c, 1) != 1)
		return 1;
	for (i = 0; i < nkeys; i++) {
		/* its own keys: exp- ids = 3 mod 4, in a scattered order */
		id = (uint32_t)(((uint64_t)i * 7919) % nkeys);
		if (id % 4 != 3)
			continue;
		st = kv_delete(&d, k, iterdel_key(k, "exp-", id));
		bad += st != 0;
		if (id % 8 == 7) {	/* and back again */
			st = kv_store(&d, k, 12, "again", 5, 0, NULL);
			bad += st != 0;
		}
		st = kv_store(&d, k, iterdel_key(k, "oth-", n++), "new", 3, 0, NULL);
		bad += st != 0;
	}
	printf("iterdel: other process: %u deletes, %u new keys, %d failed\n",
	       nkeys / 4, n, bad);
	fflush(stdout);
	kv_close(&d);
	return bad ? 1 : 0;
}

static int run_iterdel(const char *path, uint32_t nkeys, bool others)
{
	uint8_t *seen = xcalloc(nkeys, 1), *deleted = xcalloc(nkeys, 1);
	uint64_t returned = 0, dups = 0, missed = 0, reads = 0, foreign = 0;
	uint64_t delete_fail = 0, mine = 0, ndel = 0;
	uint32_t i, handle, dw0;
	int st, go[2] = { -1, -1 };
	pid_t child = -1;
	char k[16];

	for (i = 0; i < nkeys; i++) {
		st = kv_store(&dev, k, iterdel_key(k, "exp-", i), "v", 1, 0, NULL);
		expect_st("iterdel: store", st, 0, (uint8_t *)k, 12);
	}
	if (others) {
		if (pipe(go))
			return 1;
		fflush(stdout);
		child = fork();
		if (child == 0) {
			close(go[1]);
			_exit(iterdel_other(path, nkeys, go[0]));
		}
		close(go[0]);
	}
	st = kv_iter_open(&dev, KV_ITER_KEY, 0, 0, &handle);
	expect_st("iterdel: open", st, 0, NULL, 0);
	if (others && write(go[1], "g", 1) != 1)
		mismatch("iterdel: cannot start the other process");
	while (!st) {
		uint32_t cnt, p = 4, n;

		st = kv_iter_read(&dev, handle, 4096, &dw0);
		if (st == KV_SC_ITER_END) {
			st = 0;
			break;
		}
		if (st) {
			mismatch("iterdel: read: %s", kv_status_str(st));
			break;
		}
		if (++reads > 10ull * nkeys) {
			mismatch("iterdel: no end after %" PRIu64 " reads", reads);
			break;
		}
		memcpy(&cnt, dev.buf, 4);
		/* the list is in dev.buf, which Delete reuses: copy it */
		memcpy(scratch, dev.buf, dw0);
		for (n = 0; n < cnt && p + 16 <= dw0; n++, p += 16) {
			uint32_t kl, id;
			const char *key = (const char *)scratch + p + 4;
			char idstr[9];

			memcpy(&kl, scratch + p, 4);
			memcpy(idstr, key + 4, 8);
			idstr[8] = 0;
			id = (uint32_t)strtoul(idstr, NULL, 10);
			if (kl == 12 && !memcmp(key, "oth-", 4)) {
				foreign++;
				continue;
			}
			if (kl != 12 || memcmp(key, "exp-", 4) || id >= nkeys) {
				mismatch("iterdel: unknown key %s",
					 hexkey((const uint8_t *)key, kl));
				continue;
			}
			returned++;
			if (seen[id]++) {
				dups++;
				mismatch("iterdel: %s returned twice",
					 hexkey((const uint8_t *)key, kl));
			}
			if (others && id % 4 == 3)
				continue;	/* the other process's */
			if (!(mine++ & 1))
				continue;
			ndel++;
			st = kv_delete(&dev, key, kl);
			if (st) {
				delete_fail++;
				mismatch("iterdel: delete of returned %s: %s",
					 hexkey((const uint8_t *)key, kl),
					 kv_status_str(st));
			}
			deleted[id] = 1;
			st = 0;
		}
		if (n != cnt || p != dw0)
			mismatch("iterdel: malformed read (%u of %u entries, DW0 %u)",
				 n, cnt, dw0);
	}
	expect_st("iterdel: close", kv_iter_close(&dev, handle), 0, NULL, 0);
	if (others) {
		int ws = 0;

		close(go[1]);
		if (waitpid(child, &ws, 0) != child || !WIFEXITED(ws) ||
		    WEXITSTATUS(ws))
			mismatch("iterdel: the other process failed (%#x)", ws);
	}
	for (i = 0; i < nkeys; i++) {
		bool theirs = others && i % 4 == 3;

		if (!theirs && !seen[i]) {
			missed++;
			mismatch("iterdel: %s present throughout, not returned",
				 hexkey((uint8_t *)k, iterdel_key(k, "exp-", i)));
		}
		if (theirs)
			continue;
		st = kv_exist(&dev, k, iterdel_key(k, "exp-", i));
		expect_st("iterdel: exist after", st,
			  deleted[i] ? KV_SC_NO_KEY : 0, (uint8_t *)k, 12);
	}
	printf("iterdel: keys=%u reads=%" PRIu64 " returned=%" PRIu64
	       " duplicates=%" PRIu64 " missed=%" PRIu64 " deleted=%" PRIu64
	       " delete_failed=%" PRIu64 " others_keys_returned=%" PRIu64
	       " mismatches=%" PRIu64 "\n", nkeys, reads, returned, dups, missed,
	       ndel, delete_fail, foreign, mismatches);
	free(seen);
	free(deleted);
	return mismatches ? 1 : 0;
}

/* ---- the NVMe KV Command Set (--csi kv) ------------------------------------ */

/*
 * Completions per opcode and status (SCT << 8 | SC), for the closing
 * table: what the randomized run and the checks actually reached.
 */
static uint32_t (*op_counts)[256][0x800];	/* [namespace 1?][opcode][status] */
static uint64_t ioctl_errors;

static void count_st(const struct kv_dev *d, uint8_t opcode, int st)
{
	if (!op_counts)
		op_counts = xcalloc(2, sizeof(*op_counts));
	if (st < 0) {
		ioctl_errors++;
		return;
	}
	op_counts[d->nsid == 1][opcode][st & 0x7ff]++;
}

static const char *op_name(uint8_t op)
{
	switch (op) {
	case KVS_OP_STORE:	return "store";
	case KVS_OP_RETRIEVE:	return "retrieve";
	case KVS_OP_LIST:	return "list";
	case KVS_OP_DELETE:	return "delete";
	case KVS_OP_EXIST:	return "exist";
	case 0x09:		return "set-features";
	case KV_OP_STORE:	return "vendor-store";
	case KV_OP_RETRIEVE:	return "vendor-retrieve";
	case KV_OP_DELETE:	return "vendor-delete";
	case KV_OP_EXIST:	return "vendor-exist";
	case KV_OP_APPEND:	return "vendor-append";
	default:		return "other";
	}
}

/* One line per namespace and opcode: "counts: ns2 opcode 0x01 store total=N 0x000=N ..." */
static void print_counts(const char *tag)
{
	unsigned int op, sc, n;

	if (!op_counts)
		return;
	for (n = 0; n < 2; n++)
		for (op = 0; op < 256; op++) {
			uint64_t total = 0;

			for (sc = 0; sc < 0x800; sc++)
				total += op_counts[n][op][sc];
			if (!total)
				continue;
			printf("%s: counts: ns%u opcode 0x%02x %-15s total=%" PRIu64, tag,
			       n ? 1 : dev.nsid, op, op_name((uint8_t)op), total);
			for (sc = 0; sc < 0x800; sc++)
				if (op_counts[n][op][sc])
					printf(" 0x%03x=%u", sc, op_counts[n][op][sc]);
			printf("\n");
		}
	if (ioctl_errors)
		printf("%s: failed ioctls (no NVMe status): %" PRIu64 "\n", tag,
		       ioctl_errors);
}

/* Send @c on @d, count it, check DNR on a failure; the status. */
static int std_send(struct kv_dev *d, struct nvme_passthru_cmd64 *c, uint32_t *dw0)
{
	uint8_t op = c->opcode;
	int st = kv_submit(d, c, dw0);

	count_st(d, op, st);
	if (st > 0 && !d->last_dnr)
		mismatch("opcode %#x answered %#x without DNR", op, st);
	return st;
}

/*
 * A command of the KV set with raw fields: @klen as sent in CDW11[7:0],
 * @option CDW11[15:8], @cdw10, @data_len bytes of d->buf.
 */
static int std_raw(struct kv_dev *d, uint8_t op, const void *key, unsigned int klen,
		   uint32_t cdw10, uint8_t option, uint32_t data_len, uint32_t *dw0)
{
	struct nvme_passthru_cmd64 c;

	kv_encode_std(&c, d->nsid, op, key, klen, cdw10, option);
	c.data_len = data_len;
	return std_send(d, &c, dw0);
}

/* Store / Retrieve / Delete / Exist through kvlib, counted */
static int std_store(struct kv_dev *d, const struct key *k, const void *v,
		     uint32_t len, uint8_t option)
{
	struct nvme_passthru_cmd64 c;
	int st = kv_build(d, &c, KV_OP_STORE, k->b, k->len, d->buf, len, option);

	if (st)
		return st;
	if (len && v != d->buf)
		memcpy(d->buf, v, len);
	memset(d->buf + len, 0, c.data_len - len);
	return std_send(d, &c, NULL);
}

static int std_keyonly(struct kv_dev *d, uint8_t vop, const struct key *k)
{
	struct nvme_passthru_cmd64 c;
	int st = kv_build(d, &c, vop, k->b, k->len, NULL, 0, 0);

	return st ? st : std_send(d, &c, NULL);
}

/* Retrieve with kvlib's guard check; counted */
static int std_retrieve(struct kv_dev *d, const struct key *k, uint32_t buflen,
			uint32_t *dw0, bool *overrun)
{
	int st = kv_retrieve(d, k->b, k->len, NULL, buflen, dw0, overrun);

	count_st(d, kv_op(d, KV_OP_RETRIEVE), st);
	if (st > 0 && !d->last_dnr)
		mismatch("retrieve answered %#x without DNR", st);
	return st;
}

static int std_list(struct kv_dev *d, const void *start, unsigned int slen,
		    uint32_t buflen, bool *overrun)
{
	int st = kv_list(d, start, slen, buflen, overrun);

	count_st(d, KVS_OP_LIST, st);
	if (st > 0 && !d->last_dnr)
		mismatch("list answered %#x without DNR", st);
	return st;
}

static int std_set_ednek(struct kv_dev *d, bool on)
{
	int st = kv_set_ednek(d, on);

	count_st(d, 0x09, st);
	return st;
}

/* pool indices in key order (List's order), and where each one sits */
static uint32_t *korder;

static int korder_cmp(const void *a, const void *b)
{
	const struct key *x = &pool[*(const uint32_t *)a], *y = &pool[*(const uint32_t *)b];

	return kv_key_cmp(x->b, x->len, y->b, y->len);
}

static void korder_init(void)
{
	uint32_t i;

	korder = xcalloc(npool, sizeof(*korder));
	for (i = 0; i < npool; i++)
		korder[i] = i;
	qsort(korder, npool, sizeof(*korder), korder_cmp);
}

/* position in korder of the first pool key >= @start */
static uint32_t korder_lower(const uint8_t *start, unsigned int slen)
{
	uint32_t lo = 0, hi = npool;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct key *k = &pool[korder[mid]];

		if (kv_key_cmp(k->b, k->len, start, slen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * What a List from @start into @buflen bytes must return, by the model:
 * the present keys from the first >= @start, in order, as many whole
 * entries as fit. Fills @want (pool indices); returns the count.
 */
static uint32_t list_expect(const struct mval *m, const uint8_t *start,
			    unsigned int slen, uint32_t buflen, uint32_t *want,
			    uint32_t max)
{
	uint32_t pos = slen ? korder_lower(start, slen) : 0, used = 4, n = 0;

	for (; pos < npool && n < max; pos++) {
		const struct key *k = &pool[korder[pos]];

		if (!m[korder[pos]].present)
			continue;
		if (used + kv_list_entry_size(k->len) > buflen)
			break;
		used += kv_list_entry_size(k->len);
		want[n++] = korder[pos];
	}
	return n;
}

static struct kv_list_entry *list_got;
static uint32_t *list_want;
#define LIST_MAX (KV_MAX_VALUE / 4)

static void list_bufs(void)
{
	if (!list_got) {
		list_got = xcalloc(LIST_MAX, sizeof(*list_got));
		list_want = xcalloc(LIST_MAX, sizeof(*list_want));
	}
}

/* One List from @start against the model; returns the number of keys. */
static uint32_t check_list(struct kv_dev *d, const struct mval *m,
			   const uint8_t *start, unsigned int slen, uint32_t buflen,
			   const char *why)
{
	uint32_t nwant, bad = 0, i;
	bool over;
	int st, n;

	list_bufs();
	st = std_list(d, start, slen, buflen, &over);
	if (over)
		mismatch("list (%s, buffer %u): the device wrote past the buffer", why, buflen);
	if (st) {
		mismatch("list (%s, start %s, buffer %u): %s", why, hexkey(start, slen),
			 buflen, kv_status_str(st));
		return 0;
	}
	nwant = list_expect(m, start, slen, buflen, list_want, LIST_MAX);
	n = kv_list_parse(d->buf, buflen, list_got, LIST_MAX, &bad);
	if (n < 0) {
		mismatch("list (%s, start %s, buffer %u): malformed output at byte %u",
			 why, hexkey(start, slen), buflen, bad);
		return 0;
	}
	if ((uint32_t)n != nwant)
		mismatch("list (%s, start %s, buffer %u): %d keys, the model says %u",
			 why, hexkey(start, slen), buflen, n, nwant);
	for (i = 0; i < (uint32_t)n && i < nwant; i++) {
		const struct key *k = &pool[list_want[i]];

		if (list_got[i].len != k->len || memcmp(list_got[i].key, k->b, k->len)) {
			mismatch("list (%s, start %s, buffer %u): key %u is %s, the model says %s",
				 why, hexkey(start, slen), buflen, i,
				 hexkey(list_got[i].key, list_got[i].len),
				 hexkey(k->b, k->len));
			break;
		}
	}
	return (uint32_t)n;
}

/* The whole key space through List, 4 KiB at a time, against the model */
static uint64_t list_walk(struct kv_dev *d, const struct mval *m, uint64_t *reads)
{
	uint8_t start[KV_MAX_KEY];
	unsigned int slen = 0;
	uint64_t total = 0;
	bool first = true;

	*reads = 0;
	for (;;) {
		uint32_t n = check_list(d, m, start, slen, 4096, "walk");
		uint32_t skip;

		(*reads)++;
		if (mismatches > MISMATCH_PRINT || *reads > 10ull * npool + 10)
			break;
		/* the start key itself comes back first: count it once */
		skip = !first && n && list_got[0].len == slen &&
		       !memcmp(list_got[0].key, start, slen);
		total += n - skip;
		if (n <= skip)
			break;
		memcpy(start, list_got[n - 1].key, list_got[n - 1].len);
		slen = list_got[n - 1].len;
		first = false;
	}
	return total;
}

/* Keys present in a model */
static uint64_t model_live(const struct mval *m, uint64_t *bytes)
{
	uint64_t n = 0, b = 0;
	uint32_t i;

	for (i = 0; i < npool; i++)
		if (m[i].present) {
			n++;
			b += m[i].len;
		}
	if (bytes)
		*bytes = b;
	return n;
}

/* Retrieve pool key @i on @d (either set) and compare with model @m */
static void check_value(struct kv_dev *d, const struct mval *m, uint32_t i,
			uint32_t buflen, uint8_t option, uint64_t *read)
{
	const struct key *k = &pool[i];
	struct nvme_passthru_cmd64 c;
	uint32_t dw0 = 0, n, gend;
	int st;

	/* kv_retrieve without its option: build, guard, send */
	st = kv_build(d, &c, KV_OP_RETRIEVE, k->b, k->len, d->buf, buflen, option);
	if (st) {
		mismatch("retrieve %s: kv_build %d", hexkey(k->b, k->len), st);
		return;
	}
	gend = c.data_len + KV_GUARD;
	memset(d->buf + buflen, KV_GUARD_BYTE, gend - buflen);
	st = std_send(d, &c, &dw0);
	for (n = buflen; n < gend; n++)
		if (d->buf[n] != KV_GUARD_BYTE) {
			mismatch("retrieve %s (buffer %u): the device wrote past the buffer",
				 hexkey(k->b, k->len), buflen);
			break;
		}
	if (!m[i].present) {
		expect_st("retrieve", st, kv_sc(d, KV_SC_NO_KEY), k->b, k->len);
		return;
	}
	if (st) {
		expect_st("retrieve", st, 0, k->b, k->len);
		return;
	}
	if (dw0 != m[i].len) {
		mismatch("retrieve %s (%s): DW0 %u, the value is %u bytes",
			 hexkey(k->b, k->len), kv_cset_name(d->cset), dw0, m[i].len);
		return;
	}
	n = m[i].len < buflen ? m[i].len : buflen;
	if (read)
		*read += n;
	if (n && memcmp(d->buf, m[i].v, n)) {
		uint32_t j = 0;

		while (j < n && d->buf[j] == m[i].v[j])
			j++;
		mismatch("retrieve %s (%s, %u-byte value, buffer %u): data differs at byte %u",
			 hexkey(k->b, k->len), kv_cset_name(d->cset), m[i].len, buflen, j);
	}
}

static void mset(struct mval *m, const uint8_t *v, uint32_t len)
{
	free(m->v);
	m->v = xmalloc(len);
	if (len)
		memcpy(m->v, v, len);
	m->len = len;
	m->present = true;
}

static void mdel(struct mval *m)
{
	free(m->v);
	m->v = NULL;
	m->len = 0;
	m->present = false;
}

/* 0 B .. 256 KiB, most of them small, some empty */
static uint32_t std_size(void)
{
	uint32_t r = rnd() % 1000;

	if (r < 40)
		return 0;
	if (r < 600)
		return rnd_range(1, 64);
	if (r < 880)
		return rnd_range(65, 4096);
	if (r < 985)
		return rnd_range(4097, 65536);
	return rnd_range(65537, 262144);
}

/* Is the KV namespace empty? (the model assumes it) With @wipe, empty it. */
static int std_empty(struct kv_dev *d, bool wipe)
{
	uint32_t rounds;

	for (rounds = 0; rounds < 100000; rounds++) {
		int st = kv_list(d, NULL, 0, 64 << 10, NULL), n, i;
		struct kv_list_entry *e;

		if (st) {
			fprintf(stderr, "kvclient: list: %s\n", kv_status_str(st));
			return -1;
		}
		e = xcalloc(16384, sizeof(*e));
		n = kv_list_parse(d->buf, 64 << 10, e, 16384, NULL);
		if (n <= 0) {
			free(e);
			return n;
		}
		if (!wipe) {
			fprintf(stderr, "kvclient: namespace %u holds keys (%s, ...): the model needs an empty one (--wipe deletes every key first)\n",
				d->nsid, hexkey(e[0].key, e[0].len));
			free(e);
			return -1;
		}
		for (i = 0; i < n; i++)
			kv_delete(d, e[i].key, e[i].len);
		free(e);
	}
	return -1;
}

static struct kv_dev dev1;	/* namespace 1 (vendor commands), --ns1 */
static bool have_ns1;

/*
 * random with --csi kv: Store (options, 0-byte values), Retrieve (small,
 * exact, larger and 0-byte buffers, raw), Delete (EDNEK toggled now and
 * then), Exist and List (start keys, buffers that fit exactly k entries)
 * against a model; malformed fields. With --ns1, the same keys live on
 * namespace 1 with other values (vendor commands interleaved); every value
 * of both is compared at the end.
 */
static int run_random_std(uint64_t ops, uint32_t npool_arg, bool wipe)
{
	struct mval *m1 = NULL;
	uint64_t op, ns1_ops = 0, read = 0, written = 0, nlist = 0, nmal = 0,
		 toggles = 0, lists_exact = 0, walk_reads, walked, live, live_bytes;
	bool can_toggle = true;
	double t0, t1;
	uint32_t i, dw0;
	int st;

	scratch = xmalloc(KV_MAX_VALUE);
	if (std_empty(&dev, wipe))
		return 2;
	make_pool(npool_arg);
	korder_init();
	list_bufs();
	if (have_ns1) {
		m1 = xcalloc(npool, sizeof(*m1));
		/* the keys start absent on namespace 1 too */
		for (i = 0; i < npool; i++)
			kv_delete(&dev1, pool[i].b, pool[i].len);
	}
	/* EDNEK starts off (the device's default), whatever a last run left */
	st = std_set_ednek(&dev, false);
	if (st) {
		printf("random: Set Features KV configuration: %s: EDNEK stays off, not toggled\n",
		       kv_status_str(st));
		can_toggle = false;
		dev.ednek = false;
	}
	t0 = now();

	/* the extremes once: a 2 MiB value under a 16-byte key, a 0-byte one */
	{
		struct key k16 = { .b = "0123456789ABCDEF", .len = 16 };

		rnd_fill(scratch, KV_MAX_VALUE);
		expect_st("store 2 MiB", std_store(&dev, &k16, scratch, KV_MAX_VALUE, 0), 0,
			  k16.b, 16);
		st = std_retrieve(&dev, &k16, KV_MAX_VALUE, &dw0, NULL);
		expect_st("retrieve 2 MiB", st, 0, k16.b, 16);
		if (!st && (dw0 != KV_MAX_VALUE || memcmp(dev.buf, scratch, KV_MAX_VALUE)))
			mismatch("retrieve 2 MiB: DW0 %u or data differs", dw0);
		expect_st("store 0 bytes over it", std_store(&dev, &k16, scratch, 0, 0), 0,
			  k16.b, 16);
		st = std_retrieve(&dev, &k16, 64, &dw0, NULL);
		if (st || dw0)
			mismatch("retrieve of a 0-byte value: %s, DW0 %u", kv_status_str(st), dw0);
		expect_st("delete", std_keyonly(&dev, KV_OP_DELETE, &k16), 0, k16.b, 16);
	}

	for (op = 0; op < ops; op++) {
		uint32_t r, len, buflen;
		struct key *k;
		struct mval *m;
		uint8_t opt;

		i = pick_key();
		k = &pool[i];
		m = &model[i];
		/* namespace 1 in between: 1 command in 7 */
		if (have_ns1 && rnd() % 7 == 0) {
			struct mval *v1 = &m1[i];

			ns1_ops++;
			r = rnd() % 10;
			if (r < 4) {
				len = 1 + rnd() % 4096;
				rnd_fill(scratch, len);
				memcpy(scratch, "NS1:", len < 4 ? len : 4);
				st = kv_store(&dev1, k->b, k->len, scratch, len, 0, NULL);
				count_st(&dev1, KV_OP_STORE, st);
				expect_st("namespace 1 store", st, 0, k->b, k->len);
				if (!st)
					mset(v1, scratch, len);
			} else if (r < 7) {
				check_value(&dev1, m1, i, v1->present ? v1->len : 64, 0, NULL);
			} else if (r < 8) {
				st = kv_delete(&dev1, k->b, k->len);
				count_st(&dev1, KV_OP_DELETE, st);
				expect_st("namespace 1 delete", st,
					  v1->present ? 0 : KV_SC_NO_KEY, k->b, k->len);
				mdel(v1);
			} else {
				st = kv_exist(&dev1, k->b, k->len);
				count_st(&dev1, KV_OP_EXIST, st);
				expect_st("namespace 1 exist", st,
					  v1->present ? 0 : KV_SC_NO_KEY, k->b, k->len);
			}
		}
		/* EDNEK on or off now and then */
		if (can_toggle && op % 4999 == 4998) {
			st = std_set_ednek(&dev, !dev.ednek);
			expect_st("set features: EDNEK", st, 0, NULL, 0);
			toggles++;
		}
		r = rnd() % 1000;
		if (r < 400) {			/* store */
			int want;
			uint32_t o = rnd() % 100;

			opt = o < 60 ? 0 : o < 70 ? KVS_STORE_MUST_EXIST :
			      o < 80 ? KVS_STORE_MUST_NOT_EXIST :
			      o < 90 ? (uint8_t)(KVS_STORE_NO_COMPRESS | (rnd() % 3)) :
			      o < 95 ? (uint8_t)(KVS_STORE_MUST_EXIST | KVS_STORE_MUST_NOT_EXIST |
						 (rnd() & KVS_STORE_NO_COMPRESS)) :
			      (uint8_t)(rnd_range(1, 31) << 3 | (rnd() & 7));
			len = std_size();
			rnd_fill(scratch, len);
			if ((opt & 3) == 3 || opt & ~7)
				want = KV_SC_INVALID_FIELD;
			else if ((opt & KVS_STORE_MUST_EXIST) && !m->present)
				want = KVS_SC_NO_KEY;
			else if ((opt & KVS_STORE_MUST_NOT_EXIST) && m->present)
				want = KVS_SC_KEY_EXISTS;
			else
				want = 0;
			st = std_store(&dev, k, scratch, len, opt);
			expect_st("store", st, want, k->b, k->len);
			if (!st) {
				written += len;
				mset(m, scratch, len);
			}
		} else if (r < 680) {		/* retrieve */
			uint32_t how = rnd() % 10;

			if (!m->present)
				buflen = rnd_range(0, 4096);
			else if (how < 4)
				buflen = m->len;
			else if (how < 6)
				buflen = m->len + rnd_range(1, 4096);
			else if (how < 7)
				buflen = 0;
			else
				buflen = m->len > 1 ? rnd_range(1, m->len - 1) : m->len;
			check_value(&dev, model, i, buflen,
				    rnd() % 10 == 0 ? KVS_RETRIEVE_RAW : 0, &read);
		} else if (r < 800) {		/* delete */
			st = std_keyonly(&dev, KV_OP_DELETE, k);
			expect_st("delete", st, m->present ? 0 : kv_sc_delete_missing(&dev),
				  k->b, k->len);
			mdel(m);
		} else if (r < 950) {		/* exist */
			st = std_keyonly(&dev, KV_OP_EXIST, k);
			expect_st("exist", st, m->present ? 0 : KVS_SC_NO_KEY, k->b, k->len);
		} else if (r < 980) {		/* list */
			uint8_t start[KV_MAX_KEY];
			unsigned int slen;
			uint32_t s = rnd() % 10, b = rnd() % 10;

			nlist++;
			if (s < 2) {
				slen = 0;
			} else if (s < 6) {
				slen = k->len;
				memcpy(start, k->b, slen);
			} else {
				slen = rnd_range(1, KV_MAX_KEY);
				rnd_fill(start, slen);
			}
			if (b < 4) {
				/* exactly the first j entries fit, or one byte less */
				uint32_t j = rnd_range(0, 24), got, used = 4, t;

				list_bufs();
				got = list_expect(model, start, slen, KV_MAX_VALUE, list_want, j);
				for (t = 0; t < got; t++)
					used += kv_list_entry_size(pool[list_want[t]].len);
				buflen = used - (got && rnd() % 2 ? 1 : 0);
				if (buflen < 4)
					buflen = 4;
				lists_exact++;
			} else {
				buflen = b < 9 ? rnd_range(4, 4096) : rnd_range(4096, 65536);
			}
			check_list(&dev, model, start, slen, buflen, "random");
		} else {			/* malformed */
			uint8_t kb[KV_MAX_KEY];
			uint32_t bad = rnd_range(KV_MAX_KEY + 1, 255);

			nmal++;
			memcpy(kb, k->b, KV_MAX_KEY);
			memset(dev.buf, 0x5a, 64);
			switch (rnd() % 9) {
			case 0:
				st = std_raw(&dev, KVS_OP_STORE, kb, 0, 8, 0, 8, NULL);
				expect_st("store key length 0", st, KVS_SC_KEY_SIZE, kb, k->len);
				break;
			case 1:
				st = std_raw(&dev, KVS_OP_RETRIEVE, kb, 0, 64, 0, 64, NULL);
				expect_st("retrieve key length 0", st, KVS_SC_KEY_SIZE, kb, k->len);
				break;
			case 2:
				st = std_raw(&dev, rnd() & 1 ? KVS_OP_DELETE : KVS_OP_EXIST,
					     kb, 0, 0, 0, 0, NULL);
				expect_st("delete/exist key length 0", st, KV_SC_INVALID_FIELD,
					  kb, k->len);
				break;
			case 3: {
				static const uint8_t ops5[] = { KVS_OP_STORE, KVS_OP_RETRIEVE,
								KVS_OP_LIST, KVS_OP_DELETE,
								KVS_OP_EXIST };
				uint8_t o = ops5[rnd() % 5];
				bool data = o == KVS_OP_STORE || o == KVS_OP_RETRIEVE ||
					    o == KVS_OP_LIST;

				st = std_raw(&dev, o, kb, bad, data ? 64 : 0, 0, data ? 64 : 0, NULL);
				expect_st("key length above 16", st, KV_SC_INVALID_FIELD, kb, k->len);
				break;
			}
			case 4:
				st = std_raw(&dev, KVS_OP_STORE, kb, k->len,
					     rnd() & 1 ? KV_MAX_VALUE + 1 : 0xffffffffu, 0,
					     KV_MAX_VALUE, NULL);
				expect_st("store value size above 2 MiB", st, KVS_SC_VALUE_SIZE,
					  kb, k->len);
				break;
			case 5:
				st = std_raw(&dev, KVS_OP_RETRIEVE, kb, k->len,
					     KV_MAX_VALUE + rnd_range(1, 4096), 0, KV_MAX_VALUE, NULL);
				expect_st("retrieve buffer above 2 MiB", st, KV_SC_INVALID_FIELD,
					  kb, k->len);
				break;
			case 6:
				buflen = rnd_range(0, 3);
				st = std_raw(&dev, KVS_OP_LIST, kb, 0, buflen, 0, 4, NULL);
				expect_st("list buffer below 4", st, KV_SC_INVALID_FIELD, NULL, 0);
				break;
			case 7:
				st = std_raw(&dev, KVS_OP_LIST, kb, k->len,
					     KV_MAX_VALUE + rnd_range(1, 4096), 0, KV_MAX_VALUE, NULL);
				expect_st("list buffer above 2 MiB", st, KV_SC_INVALID_FIELD, NULL, 0);
				break;
			default:	/* a vendor opcode on namespace 2 */
				st = std_raw(&dev, rnd() & 1 ? KV_OP_EXIST : KV_OP_DELETE, kb,
					     k->len, 0, 0, 0, NULL);
				expect_st("vendor opcode on namespace 2", st, KV_SC_INVALID_OPCODE,
					  kb, k->len);
				break;
			}
		}
		if (verbose && op && op % 10000 == 0)
			fprintf(stderr, "random: %" PRIu64 " ops, %" PRIu64 " mismatches, %.1f s\n",
				op, mismatches, now() - t0);
	}
	t1 = now();
	if (dev.ednek && can_toggle)
		expect_st("set features: EDNEK off", std_set_ednek(&dev, false), 0, NULL, 0);

	/* sweep: every key of both namespaces, then List over everything */
	for (i = 0; i < npool; i++) {
		check_value(&dev, model, i, model[i].present ? model[i].len : 64, 0, NULL);
		if (have_ns1)
			check_value(&dev1, m1, i, m1[i].present ? m1[i].len : 64, 0, NULL);
	}
	live = model_live(model, &live_bytes);
	walked = list_walk(&dev, model, &walk_reads);
	if (walked != live)
		mismatch("list walk returned %" PRIu64 " keys, the model holds %" PRIu64,
			 walked, live);
	printf("random: sweep: %u keys read back on namespace %u%s, list walk returned %" PRIu64
	       " keys in %" PRIu64 " lists (model holds %" PRIu64 ")\n", npool, dev.nsid,
	       have_ns1 ? " and on namespace 1" : "", walked, walk_reads, live);
	if (have_ns1) {
		uint64_t both = 0, l1 = 0;

		for (i = 0; i < npool; i++) {
			l1 += m1[i].present;
			both += m1[i].present && model[i].present;
		}
		printf("random: namespace 1: %" PRIu64 " vendor ops, %" PRIu64
		       " keys live, %" PRIu64 " of them live on namespace 2 too (other values)\n",
		       ns1_ops, l1, both);
	}
	if (dev.guard_hits || dev1.guard_hits)
		mismatch("%u reads wrote past their buffer", dev.guard_hits + dev1.guard_hits);

	printf("random: csi=kv seed=%" PRIu64 " ns1_ops=%" PRIu64 " ops=%" PRIu64
	       " mismatches=%" PRIu64 "\n", seed, ns1_ops, ops, mismatches);
	printf("random: lists=%" PRIu64 " (exact-fit buffers %" PRIu64 ") malformed=%" PRIu64
	       " ednek_toggles=%" PRIu64 " written=%" PRIu64 " B read=%" PRIu64
	       " B live_keys=%" PRIu64 " live_bytes=%" PRIu64 " commands=%" PRIu64
	       " seconds=%.1f ops/s=%.0f\n", nlist, lists_exact, nmal, toggles, written,
	       read, live, live_bytes, dev.cmds + dev1.cmds, t1 - t0, ops / (t1 - t0));
	print_counts("random");
	for (i = 0; i < npool; i++) {
		free(model[i].v);
		if (m1)
			free(m1[i].v);
	}
	free(m1);
	free(model);
	free(pool);
	free(korder);
	free(scratch);
	return mismatches ? 1 : 0;
}

/* ---- check: every status of the KV set, List's rules ----------------------- */

#define CHK(what, got, want) expect_st(what, got, want, NULL, 0)

/* the keys List is checked with: prefixes of each other, 0x00 and 0xff bytes */
static const struct {
	const char *b;
	uint8_t len;
} list_keys[] = {
	{ "l", 1 }, { "la", 2 }, { "lab", 3 }, { "labc", 4 }, { "lb", 2 },
	{ "lba", 3 }, { "lbz", 3 }, { "lc0123456789abcd", 16 }, { "m", 1 },
	{ "\x01", 1 }, { "\x01\x00", 2 }, { "\x7f", 1 }, { "\x80", 1 },
	{ "\xff", 1 }, { "\xff\xff\xff\xff", 4 }, { "zzzzzzzzzzzzzzzz", 16 },
};
#define NLIST_KEYS (sizeof(list_keys) / sizeof(list_keys[0]))

static void set_key_len(struct key *k, const char *s, unsigned int len)
{
	memset(k, 0, sizeof(*k));
	k->len = (uint8_t)len;
	memcpy(k->b, s, len);
}

static void set_pool_key(struct key *k, const char *s)
{
	set_key_len(k, s, (unsigned int)strlen(s));
}

/* Show one List's keys: "list: from 'lab', buffer 20: 3 keys 'lab' 'labc' 'lb'" */
static void show_list(const char *what, const uint8_t *start, unsigned int slen,
		      uint32_t buflen, uint32_t n)
{
	uint32_t i;

	printf("check: list from %s, buffer %u (%s): %u keys", slen ? hexkey(start, slen) : "the first key",
	       buflen, what, n);
	for (i = 0; i < n && i < 8; i++)
		printf(" %s", hexkey(list_got[i].key, list_got[i].len));
	printf("%s\n", n > 8 ? " ..." : "");
}

static void check_list_rules(void)
{
	uint32_t i, k, n, used, buf;
	uint8_t start[KV_MAX_KEY];

	/* the model: pool = the list keys, all present */
	npool = NLIST_KEYS;
	pool = xcalloc(npool, sizeof(*pool));
	model = xcalloc(npool, sizeof(*model));
	for (i = 0; i < npool; i++) {
		set_key_len(&pool[i], list_keys[i].b, list_keys[i].len);
		gen_value(scratch, 8 + i, i, 11);
		CHK("store a list key", std_store(&dev, &pool[i], scratch, 8 + i, 0), 0);
		mset(&model[i], scratch, 8 + i);
	}
	korder_init();
	list_bufs();
	/* every key, in key order */
	n = check_list(&dev, model, NULL, 0, 4096, "all");
	show_list("all keys", NULL, 0, 4096, n);
	if (n != npool)
		mismatch("list of all %u keys returned %u", (unsigned int)npool, n);
	for (i = 1; i < n; i++)
		if (kv_key_cmp(list_got[i - 1].key, list_got[i - 1].len, list_got[i].key,
			       list_got[i].len) >= 0)
			mismatch("list: %s before %s: not in key order",
				 hexkey(list_got[i - 1].key, list_got[i - 1].len),
				 hexkey(list_got[i].key, list_got[i].len));
	/* from each key: it comes first */
	for (i = 0; i < npool; i++) {
		n = check_list(&dev, model, pool[i].b, pool[i].len, 4096, "from a key");
		if (!n || list_got[0].len != pool[i].len ||
		    memcmp(list_got[0].key, pool[i].b, pool[i].len))
			mismatch("list from %s: it is not returned first",
				 hexkey(pool[i].b, pool[i].len));
	}
	/* from keys that do not exist: the next one */
	n = check_list(&dev, model, (const uint8_t *)"lab0", 4, 4096, "between keys");
	show_list("'lab0' (absent)", (const uint8_t *)"lab0", 4, 4096, n);
	if (!n || list_got[0].len != 4 || memcmp(list_got[0].key, "labc", 4))
		mismatch("list from 'lab0' does not start at 'labc'");
	n = check_list(&dev, model, (const uint8_t *)"\xff\xff\xff\xff\xff", 5, 4096, "past the end");
	if (n)
		mismatch("list from past the last key returned %u keys", n);
	n = check_list(&dev, model, (const uint8_t *)"\x00", 1, 4096, "from 0x00");
	if (n != npool)
		mismatch("list from 0x00 returned %u of %u", n, (unsigned int)npool);
	/* buffers that fit exactly k entries (and one byte less: k - 1) */
	memcpy(start, "la", 2);
	for (k = 0; k <= 8; k++) {
		uint32_t first = korder_lower(start, 2);

		used = 4;
		for (i = 0; i < k; i++)
			used += kv_list_entry_size(pool[korder[first + i]].len);
		n = check_list(&dev, model, start, 2, used, "exact fit");
		if (n != k)
			mismatch("list from 'la' with room for exactly %u entries (%u bytes): %u keys",
				 k, used, n);
		if (k == 3)
			show_list("room for exactly 3 entries", start, 2, used, n);
		if (k) {
			n = check_list(&dev, model, start, 2, used - 1, "one byte short");
			if (n != k - 1)
				mismatch("list from 'la', %u bytes (one short of %u entries): %u keys",
					 used - 1, k, n);
		}
	}
	n = check_list(&dev, model, NULL, 0, 4, "count only");
	if (n)
		mismatch("list into 4 bytes returned %u keys", n);
	/* unaligned buffer sizes */
	for (buf = 5; buf <= 40; buf += 7)
		check_list(&dev, model, NULL, 0, buf, "unaligned buffer");
	/* a deleted key disappears from List */
	CHK("delete 'lab'", std_keyonly(&dev, KV_OP_DELETE, &pool[2]), 0);
	mdel(&model[2]);
	n = check_list(&dev, model, (const uint8_t *)"lab", 3, 4096, "after delete");
	show_list("'lab' after its delete", (const uint8_t *)"lab", 3, 4096, n);
	printf("check: list rules: %u keys, mismatches so far %" PRIu64 "\n",
	       (unsigned int)npool, mismatches);
	for (i = 0; i < npool; i++)
		if (model[i].present)
			CHK("delete a list key", std_keyonly(&dev, KV_OP_DELETE, &pool[i]), 0);
}

static void check_statuses(void)
{
	struct key a, z, big, same;
	uint32_t dw0;
	bool over;
	int st, i;
	static const uint8_t vendor_ops[] = { KV_OP_STORE, KV_OP_APPEND, KV_OP_RETRIEVE,
					      KV_OP_DELETE, KV_OP_EXIST, KV_OP_ITER_CTL,
					      KV_OP_ITER_READ };

	set_pool_key(&a, "chk-a");
	set_pool_key(&z, "chk-zero");
	set_pool_key(&big, "chk-2MiB");
	memset(dev.buf, 0, 64);
	/* 0x000 */
	CHK("store 'chk-a' (5 bytes)", std_store(&dev, &a, "hello", 5, 0), 0);
	st = std_retrieve(&dev, &a, 64, &dw0, &over);
	if (st || dw0 != 5 || memcmp(dev.buf, "hello", 5) || over)
		mismatch("retrieve 'chk-a': %s, DW0 %u", kv_status_str(st), dw0);
	CHK("exist 'chk-a'", std_keyonly(&dev, KV_OP_EXIST, &a), 0);
	CHK("store a 0-byte value", std_store(&dev, &z, NULL, 0, 0), 0);
	st = std_retrieve(&dev, &z, 16, &dw0, &over);
	if (st || dw0 || over)
		mismatch("retrieve of a 0-byte value: %s, DW0 %u", kv_status_str(st), dw0);
	/* small buffers: what fits, DW0 the full size */
	gen_value(scratch, 100, 1, 1);
	CHK("store 100 bytes", std_store(&dev, &a, scratch, 100, 0), 0);
	st = std_retrieve(&dev, &a, 10, &dw0, &over);
	if (st || dw0 != 100 || memcmp(dev.buf, scratch, 10) || over)
		mismatch("retrieve 100 bytes into 10: %s, DW0 %u%s", kv_status_str(st), dw0,
			 over ? ", wrote past the buffer" : "");
	st = std_retrieve(&dev, &a, 0, &dw0, &over);
	if (st || dw0 != 100 || over)
		mismatch("retrieve into 0 bytes: %s, DW0 %u", kv_status_str(st), dw0);
	st = std_raw(&dev, KVS_OP_RETRIEVE, a.b, a.len, 64, KVS_RETRIEVE_RAW, 64, &dw0);
	if (st || dw0 != 100)
		mismatch("retrieve raw: %s, DW0 %u", kv_status_str(st), dw0);
	/* store options */
	CHK("store must-not-exist of an existing key", std_store(&dev, &a, "x", 1, KVS_STORE_MUST_NOT_EXIST),
	    KVS_SC_KEY_EXISTS);
	CHK("store must-exist of an existing key", std_store(&dev, &a, "hello", 5, KVS_STORE_MUST_EXIST), 0);
	CHK("store do-not-compress", std_store(&dev, &a, "hello", 5, KVS_STORE_NO_COMPRESS), 0);
	CHK("store must-exist + do-not-compress",
	    std_store(&dev, &a, "hello", 5, KVS_STORE_MUST_EXIST | KVS_STORE_NO_COMPRESS), 0);
	CHK("store must-exist and must-not-exist", std_store(&dev, &a, "x", 1, 3), KV_SC_INVALID_FIELD);
	CHK("store option bit 3", std_store(&dev, &a, "x", 1, 0x08), KV_SC_INVALID_FIELD);
	CHK("store option bit 7", std_store(&dev, &a, "x", 1, 0x80), KV_SC_INVALID_FIELD);
	st = std_retrieve(&dev, &a, 64, &dw0, NULL);
	if (st || dw0 != 5 || memcmp(dev.buf, "hello", 5))
		mismatch("refused stores changed the value: %s, DW0 %u", kv_status_str(st), dw0);
	CHK("delete 'chk-a'", std_keyonly(&dev, KV_OP_DELETE, &a), 0);
	/* 0x087 */
	CHK("store must-exist of a missing key", std_store(&dev, &a, "x", 1, KVS_STORE_MUST_EXIST),
	    KVS_SC_NO_KEY);
	CHK("retrieve a missing key", std_retrieve(&dev, &a, 64, &dw0, NULL), KVS_SC_NO_KEY);
	CHK("exist of a missing key", std_keyonly(&dev, KV_OP_EXIST, &a), KVS_SC_NO_KEY);
	CHK("store must-not-exist of a missing key",
	    std_store(&dev, &a, "hello", 5, KVS_STORE_MUST_NOT_EXIST), 0);
	CHK("delete", std_keyonly(&dev, KV_OP_DELETE, &a), 0);
	/* Delete of a missing key: success, 0x087 with EDNEK */
	CHK("delete of a missing key (EDNEK off)", std_keyonly(&dev, KV_OP_DELETE, &a), 0);
	st = std_set_ednek(&dev, true);
	if (st) {
		printf("check: Set Features KV configuration (EDNEK): %s: EDNEK not checked here\n",
		       kv_status_str(st));
	} else {
		CHK("delete of a missing key (EDNEK on)", std_keyonly(&dev, KV_OP_DELETE, &a),
		    KVS_SC_NO_KEY);
		CHK("store", std_store(&dev, &a, "v", 1, 0), 0);
		CHK("delete of an existing key (EDNEK on)", std_keyonly(&dev, KV_OP_DELETE, &a), 0);
		CHK("set features: EDNEK off", std_set_ednek(&dev, false), 0);
		CHK("delete of a missing key (EDNEK off again)",
		    std_keyonly(&dev, KV_OP_DELETE, &a), 0);
		printf("check: EDNEK on: delete of a missing key 0x087; off: 0x000\n");
	}
	/* key lengths: 0 is 0x086 for store/retrieve, 0x002 for delete/exist; > 16 is 0x002 */
	CHK("store key length 0", std_raw(&dev, KVS_OP_STORE, a.b, 0, 4, 0, 4, NULL), KVS_SC_KEY_SIZE);
	CHK("retrieve key length 0", std_raw(&dev, KVS_OP_RETRIEVE, a.b, 0, 64, 0, 64, NULL),
	    KVS_SC_KEY_SIZE);
	CHK("delete key length 0", std_raw(&dev, KVS_OP_DELETE, a.b, 0, 0, 0, 0, NULL),
	    KV_SC_INVALID_FIELD);
	CHK("exist key length 0", std_raw(&dev, KVS_OP_EXIST, a.b, 0, 0, 0, 0, NULL),
	    KV_SC_INVALID_FIELD);
	for (i = 17; i <= 255; i += 238) {
		CHK("store key length 17/255", std_raw(&dev, KVS_OP_STORE, a.b, (unsigned int)i, 4, 0, 4, NULL),
		    KV_SC_INVALID_FIELD);
		CHK("retrieve key length 17/255",
		    std_raw(&dev, KVS_OP_RETRIEVE, a.b, (unsigned int)i, 64, 0, 64, NULL), KV_SC_INVALID_FIELD);
		CHK("list start key length 17/255",
		    std_raw(&dev, KVS_OP_LIST, a.b, (unsigned int)i, 64, 0, 64, NULL), KV_SC_INVALID_FIELD);
		CHK("delete key length 17/255",
		    std_raw(&dev, KVS_OP_DELETE, a.b, (unsigned int)i, 0, 0, 0, NULL), KV_SC_INVALID_FIELD);
		CHK("exist key length 17/255",
		    std_raw(&dev, KVS_OP_EXIST, a.b, (unsigned int)i, 0, 0, 0, NULL), KV_SC_INVALID_FIELD);
	}
	/* sizes: 2 MiB is the largest value; 0x085 above; buffers above: 0x002 */
	rnd_fill(scratch, KV_MAX_VALUE);
	CHK("store 2 MiB", std_store(&dev, &big, scratch, KV_MAX_VALUE, 0), 0);
	st = std_retrieve(&dev, &big, KV_MAX_VALUE, &dw0, &over);
	if (st || dw0 != KV_MAX_VALUE || memcmp(dev.buf, scratch, KV_MAX_VALUE) || over)
		mismatch("retrieve 2 MiB: %s, DW0 %u", kv_status_str(st), dw0);
	CHK("delete 2 MiB", std_keyonly(&dev, KV_OP_DELETE, &big), 0);
	CHK("store 2 MiB + 1", std_raw(&dev, KVS_OP_STORE, a.b, a.len, KV_MAX_VALUE + 1, 0,
				       KV_MAX_VALUE, NULL), KVS_SC_VALUE_SIZE);
	CHK("store 0xffffffff bytes", std_raw(&dev, KVS_OP_STORE, a.b, a.len, 0xffffffffu, 0,
					      KV_MAX_VALUE, NULL), KVS_SC_VALUE_SIZE);
	CHK("exist after the refused stores", std_keyonly(&dev, KV_OP_EXIST, &a), KVS_SC_NO_KEY);
	CHK("retrieve buffer 2 MiB + 1", std_raw(&dev, KVS_OP_RETRIEVE, a.b, a.len, KV_MAX_VALUE + 1,
						 0, KV_MAX_VALUE, NULL), KV_SC_INVALID_FIELD);
	CHK("list buffer 2 MiB + 4", std_raw(&dev, KVS_OP_LIST, NULL, 0, KV_MAX_VALUE + 4, 0,
					     KV_MAX_VALUE, NULL), KV_SC_INVALID_FIELD);
	CHK("list buffer 0", std_raw(&dev, KVS_OP_LIST, NULL, 0, 0, 0, 0, NULL), KV_SC_INVALID_FIELD);
	CHK("list buffer 3", std_raw(&dev, KVS_OP_LIST, NULL, 0, 3, 0, 4, NULL), KV_SC_INVALID_FIELD);
	/* 0x001: vendor opcodes on namespace 2 */
	for (i = 0; i < (int)sizeof(vendor_ops); i++) {
		uint32_t dl = vendor_ops[i] == KV_OP_STORE || vendor_ops[i] == KV_OP_RETRIEVE ||
			      vendor_ops[i] == KV_OP_APPEND || vendor_ops[i] == KV_OP_ITER_READ ? 64 : 0;
		char what[64];
		uint32_t k[4];

		snprintf(what, sizeof(what), "vendor opcode %#x on namespace 2", vendor_ops[i]);
		kv_pack_key(a.b, a.len, k);
		st = kv_raw(&dev, vendor_ops[i], dl, a.len | (vendor_ops[i] == KV_OP_ITER_CTL ? 0x500 : 0),
			    k, dl, NULL);
		count_st(&dev, vendor_ops[i], st);
		CHK(what, st, KV_SC_INVALID_OPCODE);
	}
	/* with namespace 1: the same key holds other data there; 0x001 for the KV set's opcodes */
	if (have_ns1) {
		static const uint8_t std_only[] = { KVS_OP_LIST, KVS_OP_DELETE, KVS_OP_EXIST };
		uint32_t n1 = dev1.nsid;

		set_pool_key(&same, "same-key");
		kv_delete(&dev1, same.b, same.len);
		CHK("namespace 2: store 'same-key'", std_store(&dev, &same, "namespace two", 13, 0), 0);
		st = kv_store(&dev1, same.b, same.len, "namespace one!", 14, 0, NULL);
		count_st(&dev1, KV_OP_STORE, st);
		CHK("namespace 1: store 'same-key'", st, 0);
		st = std_retrieve(&dev, &same, 64, &dw0, NULL);
		if (st || dw0 != 13 || memcmp(dev.buf, "namespace two", 13))
			mismatch("namespace 2 'same-key': %s, DW0 %u", kv_status_str(st), dw0);
		st = kv_retrieve(&dev1, same.b, same.len, NULL, 64, &dw0, NULL);
		count_st(&dev1, KV_OP_RETRIEVE, st);
		if (st || dw0 != 14 || memcmp(dev1.buf, "namespace one!", 14))
			mismatch("namespace 1 'same-key': %s, DW0 %u", kv_status_str(st), dw0);
		CHK("namespace 2: delete 'same-key'", std_keyonly(&dev, KV_OP_DELETE, &same), 0);
		st = kv_exist(&dev1, same.b, same.len);
		count_st(&dev1, KV_OP_EXIST, st);
		CHK("namespace 1: 'same-key' still exists", st, 0);
		CHK("namespace 2: 'same-key' is gone", std_keyonly(&dev, KV_OP_EXIST, &same),
		    KVS_SC_NO_KEY);
		st = kv_delete(&dev1, same.b, same.len);
		count_st(&dev1, KV_OP_DELETE, st);
		CHK("namespace 1: delete 'same-key'", st, 0);
		printf("check: 'same-key' on namespace 1 ('namespace one!') and 2 ('namespace two'): separate\n");
		for (i = 0; i < (int)sizeof(std_only); i++) {
			struct nvme_passthru_cmd64 c;
			char what[64];

			kv_encode_std(&c, n1, std_only[i], a.b, a.len,
				      std_only[i] == KVS_OP_LIST ? 64 : 0, 0);
			c.data_len = std_only[i] == KVS_OP_LIST ? 64 : 0;
			snprintf(what, sizeof(what), "KV-set opcode %#x on namespace 1", std_only[i]);
			CHK(what, std_send(&dev1, &c, NULL), KV_SC_INVALID_OPCODE);
		}
	}
	CHK("delete 'chk-zero'", std_keyonly(&dev, KV_OP_DELETE, &z), 0);
}

/* check that each status in @want was reached at least once */
static void check_reached(const char *tag, const int *want, unsigned int n)
{
	unsigned int i, op;

	for (i = 0; i < n; i++) {
		uint64_t c = 0;

		for (op = 0; op < 2 * 256 && op_counts; op++)
			c += op_counts[op / 256][op % 256][want[i]];
		printf("%s: status 0x%03x reached %" PRIu64 " times\n", tag, want[i], c);
		if (!c)
			mismatch("%s: status 0x%03x never reached", tag, want[i]);
	}
}

static int run_check(bool wipe)
{
	static const int want[] = { 0x000, 0x001, 0x002, 0x085, 0x086, 0x087, 0x089 };

	scratch = xmalloc(KV_MAX_VALUE);
	if (std_empty(&dev, wipe))
		return 2;
	check_list_rules();
	check_statuses();
	if (dev.guard_hits)
		mismatch("%u reads wrote past their buffer", dev.guard_hits);
	print_counts("check");
	check_reached("check", want, sizeof(want) / sizeof(want[0]));
	printf("check: mismatches=%" PRIu64 "\n", mismatches);
	return mismatches ? 1 : 0;
}

/* ---- list: print the keys ------------------------------------------------------ */

static int run_list(const uint8_t *start, unsigned int slen, uint32_t buflen, bool all)
{
	struct kv_list_entry *e = xcalloc(LIST_MAX, sizeof(*e));
	uint8_t s[KV_MAX_KEY];
	uint64_t total = 0, lists = 0;
	bool first = true;

	memcpy(s, start, slen);
	for (;;) {
		uint32_t bad = 0, i, skip;
		bool over;
		int st = kv_list(&dev, s, slen, buflen, &over), n;

		lists++;
		if (st) {
			fprintf(stderr, "kvclient list: %s (status 0x%03x)\n", kv_status_str(st), st);
			return st == KVS_SC_NO_KEY ? 1 : 3;
		}
		n = kv_list_parse(dev.buf, buflen, e, LIST_MAX, &bad);
		if (n < 0 || over) {
			fprintf(stderr, "kvclient list: malformed output (byte %u)%s\n", bad,
				over ? ", the device wrote past the buffer" : "");
			return 3;
		}
		/* a continued list starts with the last key of the previous one */
		skip = !first && n && e[0].len == slen && !memcmp(e[0].key, s, slen);
		for (i = skip; i < (uint32_t)n; i++)
			printf("%s\n", hexkey(e[i].key, e[i].len));
		total += (uint32_t)n - skip;
		if (!all)
			break;
		if ((uint32_t)n <= skip) {
			/*
			 * nothing after the start key: the end, unless the
			 * buffer had no room for one more (two 20-byte entries)
			 */
			if (buflen >= 4 + 2 * kv_list_entry_size(KV_MAX_KEY))
				break;
			buflen = 4 + 2 * kv_list_entry_size(KV_MAX_KEY);
			continue;
		}
		memcpy(s, e[n - 1].key, e[n - 1].len);
		slen = e[n - 1].len;
		first = false;
	}
	fprintf(stderr, "kvclient list: %" PRIu64 " keys (%" PRIu64 " List commands of %u bytes)\n",
		total, lists, buflen);
	free(e);
	return 0;
}

/* ---- perm: what an unprivileged user may send ------------------------------------ */

static const char *perm_str(int st)
{
	static char b[8][32];
	static int w;
	char *o = b[w++ & 7];

	if (st == -EACCES)
		return "EACCES";
	if (st == -EPERM)
		return "EPERM";
	if (st < 0)
		snprintf(o, 32, "errno%d", -st);
	else
		snprintf(o, 32, "0x%03x", st);
	return o;
}

/*
 * Each command of the KV set and two vendor opcodes on the KV namespace,
 * as whoever runs this: "perm: uid=65534 store=0x000 ... vendor_store=EACCES".
 */
static int run_perm(void)
{
	struct key k;
	uint32_t dw0, kw[4];
	int st[7];

	set_pool_key(&k, "perm-key");
	st[0] = kv_store(&dev, k.b, k.len, "unprivileged", 12, 0, NULL);
	st[1] = kv_exist(&dev, k.b, k.len);
	st[2] = kv_retrieve(&dev, k.b, k.len, NULL, 64, &dw0, NULL);
	if (!st[2] && (dw0 != 12 || memcmp(dev.buf, "unprivileged", 12)))
		mismatch("perm: retrieve returned %u bytes, not the stored value", dw0);
	st[3] = kv_list(&dev, k.b, k.len, 64, NULL);
	st[4] = kv_delete(&dev, k.b, k.len);
	kv_pack_key(k.b, k.len, kw);
	memset(dev.buf, 0, 64);
	st[5] = kv_raw(&dev, KV_OP_STORE, 64, k.len, kw, 64, NULL);
	st[6] = kv_raw(&dev, KV_OP_EXIST, 0, k.len, kw, 0, NULL);
	printf("perm: uid=%u store=%s exist=%s retrieve=%s list=%s delete=%s vendor_store=%s vendor_exist=%s\n",
	       (unsigned int)getuid(), perm_str(st[0]), perm_str(st[1]), perm_str(st[2]),
	       perm_str(st[3]), perm_str(st[4]), perm_str(st[5]), perm_str(st[6]));
	return mismatches ? 1 : 0;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: kvclient random  DEV [--ops N] [--seed S] [--pool N] [--fabric MAX]\n"
		"       kvclient churn   DEV --capacity BYTES [--ratio R] [--working-set PCT] [--min-value N] [--max-value N]\n"
		"       kvclient fill    DEV [--value-size N] [--capacity BYTES]\n"
		"       kvclient iterate DEV [--keys N]\n"
		"       kvclient time    DEV [--ops N]\n"
		"       kvclient iterdel DEV [--keys N] [--others]\n"
		"       kvclient samsung DEV\n"
		"       kvclient put|del|verify DEV [--keys N] [--from A] [--gen G] [--every K]\n"
		"                [--over-every K --over-gen G2] [--del-every K]   (both sets)\n"
		"       kvclient --csi kv random DEV [--ops N] [--pool N] [--ns1 NS1] [--wipe]\n"
		"       kvclient --csi kv check  DEV [--ns1 NS1] [--wipe]\n"
		"       kvclient --csi kv list   DEV [--start KEY] [-x] [--buffer N] [--all]\n"
		"       kvclient --csi kv perm   DEV\n"
		"common: --csi vendor|kv  --coding bytes|samsung  --seed S  -v\n");
	exit(2);
}

/* ---- put / del / verify: a stateless model for reload tests -------------- */

/*
 * What key i holds is a function of (seed, i, generation) alone, so one
 * process can store, and another after an rmmod/insmod or a reboot can
 * check, without saving a model: key 'p' + 8 hex digits; sizes mostly
 * small (90 % 1..256 B, 9 % up to 4 KiB, 1 % up to 32 KiB).
 */
struct pspec {
	uint32_t from, to;	/* keys [from, to) */
	uint32_t gen;		/* generation of the values */
	uint32_t every;		/* put: only keys i % every == 0 */
	uint32_t over_every, over_gen;	/* verify: those keys hold over_gen */
	uint32_t alt_gen;	/* verify: a key may hold this one instead */
	uint32_t del_every;	/* keys i % del_every == del_every - 1: del deletes
				 * them, put skips them, verify wants them absent */
};

static unsigned int pkey(uint32_t i, uint8_t *k)
{
	char b[16];

	snprintf(b, sizeof(b), "p%08x", i);
	memcpy(k, b, 9);
	return 9;
}

static bool pbig;	/* --big: 4..32 KiB values, to fill a log fast */

static uint32_t psize(uint32_t i, uint32_t gen)
{
	uint64_t s = seed ^ (uint64_t)i * 0x9e3779b97f4a7c15ULL ^ (uint64_t)gen << 40;
	uint64_t h = splitmix(&s);
	uint32_t r = (uint32_t)(h % 1000), x = (uint32_t)(h >> 20);

	if (pbig)
		return 4097 + x % (32768 - 4096);
	if (r < 900)
		return 1 + x % 256;
	if (r < 990)
		return 257 + x % (4096 - 256);
	return 4097 + x % (32768 - 4096);
}

static bool pdeleted(const struct pspec *p, uint32_t i)
{
	return p->del_every && i % p->del_every == p->del_every - 1;
}

static int run_put(const struct pspec *p)
{
	uint8_t key[16];
	uint32_t i, n = 0, dw0;
	unsigned int kl;
	int st;

	for (i = p->from; i < p->to; i++) {
		uint32_t len = psize(i, p->gen);

		if ((p->every > 1 && i % p->every) || pdeleted(p, i))
			continue;
		kl = pkey(i, key);
		gen_value(scratch, len, i, p->gen);
		st = kv_store(&dev, key, kl, scratch, len, 0, &dw0);
		if (st) {
			mismatch("put: store %s (%u B): %s", hexkey(key, kl), len,
				 kv_status_str(st));
			return 1;
		}
		n++;
	}
	printf("put: %u keys of generation %u stored\n", n, p->gen);
	return 0;
}

static int run_del(const struct pspec *p)
{
	uint8_t key[16];
	uint32_t i, n = 0;
	unsigned int kl;
	int st;

	for (i = p->from; i < p->to; i++) {
		if (!pdeleted(p, i))
			continue;
		kl = pkey(i, key);
		st = kv_delete(&dev, key, kl);
		if (st) {
			mismatch("del: %s: %s", hexkey(key, kl), kv_status_str(st));
			return 1;
		}
		n++;
	}
	printf("del: %u keys deleted\n", n);
	return 0;
}

/* Does key i hold generation @gen's value? */
static bool pholds(uint32_t i, uint32_t gen)
{
	uint32_t len = psize(i, gen), dw0 = 0;
	uint8_t key[16];
	unsigned int kl = pkey(i, key);

	if (kv_retrieve(&dev, key, kl, NULL, len, &dw0, NULL) || dw0 != len)
		return false;
	gen_value(scratch, len, i, gen);
	return !memcmp(dev.buf, scratch, len);
}

static int run_verify(const struct pspec *p)
{
	uint8_t key[16];
	uint32_t i, ok = 0, gone = 0, alt = 0, dw0;
	unsigned int kl;
	int st;

	for (i = p->from; i < p->to && mismatches < 10; i++) {
		uint32_t gen = p->over_every && i % p->over_every == 0 ?
			       p->over_gen : p->gen;
		uint32_t len = psize(i, gen);

		kl = pkey(i, key);
		if (pdeleted(p, i)) {
			st = kv_exist(&dev, key, kl);
			expect_st("verify: deleted key", st, kv_sc(&dev, KV_SC_NO_KEY),
				  key, kl);
			gone += !st ? 0 : 1;
			continue;
		}
		if (p->alt_gen && !pholds(i, gen)) {
			alt++;
			gen = p->alt_gen;
			len = psize(i, gen);
		}
		st = kv_retrieve(&dev, key, kl, NULL, len, &dw0, NULL);
		gen_value(scratch, len, i, gen);
		if (st || dw0 != len || memcmp(dev.buf, scratch, len)) {
			mismatch("verify: %s (generation %u, %u B): status %#x, DW0 %u or data differs",
				 hexkey(key, kl), gen, len, st, dw0);
			continue;
		}
		ok++;
	}
	printf("verify: %u keys intact (%u of them generation %u), %u deleted keys absent, %" PRIu64 " mismatches\n",
	       ok, alt, p->alt_gen, gone, mismatches);
	return mismatches ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * time: QD1 latency of Retrieve and Exist of one stored key, measured in
 * this process (no fork per command), for tests of the timing model: the
 * minimum shows that nothing completes before the model's time.
 */
static int run_time(uint64_t n)
{
	static const char key[] = "timing-key";
	double r[64], e[64], t;
	uint32_t dw0;
	uint64_t i;
	bool ovr;
	int st;

	if (n > 64)
		n = 64;
	st = kv_store(&dev, key, sizeof(key) - 1, "0123456789abcdef", 16, 0, &dw0);
	if (st) {
		fprintf(stderr, "kvclient time: store: status %#x\n", st);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t = now();
		st = kv_retrieve(&dev, key, sizeof(key) - 1, NULL, 4096, &dw0, &ovr);
		r[i] = (now() - t) * 1e6;
		if (st || dw0 != 16) {
			fprintf(stderr, "kvclient time: retrieve: status %#x size %u\n", st, dw0);
			return 1;
		}
		t = now();
		st = kv_exist(&dev, key, sizeof(key) - 1);
		e[i] = (now() - t) * 1e6;
		if (st) {
			fprintf(stderr, "kvclient time: exist: status %#x\n", st);
			return 1;
		}
	}
	qsort(r, n, sizeof(r[0]), cmp_double);
	qsort(e, n, sizeof(e[0]), cmp_double);
	printf("retrieve_min_us=%.0f retrieve_p50_us=%.0f exist_min_us=%.0f exist_p50_us=%.0f\n",
	       r[0], r[n / 2], e[0], e[n / 2]);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t ops = 100000, capacity = 0;
	uint32_t pool_n = 4096, ratio = 10, ws = 50, vsize = 64 << 10,
		 keys = 100000, vmin = 4096, vmax = 256 << 10;
	const char *mode, *path, *coding = NULL, *ns1 = NULL, *start = NULL;
	enum kv_cset cset = KV_CSET_VENDOR;
	uint32_t buflen = 4096;
	uint8_t skey[KV_MAX_KEY];
	unsigned int slen = 0;
	double t0 = now();
	bool others = false, wipe = false, hexstart = false, all = false;
	struct pspec ps = { .every = 1 };
	uint32_t pfrom = 0;
	int i, ret, a0 = 1;

	/* --csi may come first: kvclient --csi kv MODE DEV ... */
	while (a0 + 1 < argc && !strcmp(argv[a0], "--csi")) {
		if (kv_cset_parse(argv[a0 + 1], &cset))
			usage();
		a0 += 2;
	}
	if (argc < a0 + 2)
		usage();
	mode = argv[a0];
	path = argv[a0 + 1];
	for (i = a0 + 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-v")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(a, "--others")) {
			others = true;
			continue;
		}
		if (!strcmp(a, "--wipe")) {
			wipe = true;
			continue;
		}
		if (!strcmp(a, "-x")) {
			hexstart = true;
			continue;
		}
		if (!strcmp(a, "--all")) {
			all = true;
			continue;
		}
		if (!strcmp(a, "--big")) {
			pbig = true;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(a, "--ops"))
			ops = parse_size(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--pool"))
			pool_n = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--capacity"))
			capacity = parse_size(v);
		else if (!strcmp(a, "--ratio"))
			ratio = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--working-set"))
			ws = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--value-size"))
			vsize = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--min-value"))
			vmin = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--max-value"))
			vmax = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--keys"))
			keys = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--coding"))
			coding = v;
		else if (!strcmp(a, "--from"))
			pfrom = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--gen"))
			ps.gen = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--every"))
			ps.every = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--over-every"))
			ps.over_every = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--over-gen"))
			ps.over_gen = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--alt-gen"))
			ps.alt_gen = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--del-every"))
			ps.del_every = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--csi")) {
			if (kv_cset_parse(v, &cset))
				usage();
		} else if (!strcmp(a, "--ns1"))
			ns1 = v;
		else if (!strcmp(a, "--start"))
			start = v;
		else if (!strcmp(a, "--buffer"))
			buflen = (uint32_t)parse_size(v);
		else if (!strcmp(a, "--fabric"))
			fabric_max = (uint32_t)parse_size(v);
		else
			usage();
		i++;
	}
	if (start) {
		size_t n = strlen(start), j;

		if (hexstart) {
			if (!strncmp(start, "0x", 2))
				start += 2, n -= 2;
			if (n % 2 || n / 2 > KV_MAX_KEY)
				usage();
			for (j = 0; j < n / 2; j++) {
				unsigned int b;

				if (sscanf(start + 2 * j, "%2x", &b) != 1)
					usage();
				skey[j] = (uint8_t)b;
			}
			slen = (unsigned int)(n / 2);
		} else {
			if (n > KV_MAX_KEY)
				usage();
			memcpy(skey, start, n);
			slen = (unsigned int)n;
		}
	}
	if (!pool_n || !vsize || vsize > KV_MAX_VALUE || !vmin || vmin > vmax ||
	    vmax > KV_MAX_VALUE || !ratio || !ws || ws > 100 ||
	    (fabric_max && (fabric_max < 4096 || fabric_max % 4096)))
		usage();
	rng_state = seed;

	ret = kv_open_cset(&dev, path,
			   !coding ? kv_coding_of_module() :
			   !strcmp(coding, "samsung") ? KV_CODING_SAMSUNG :
			   !strcmp(coding, "bytes") ? KV_CODING_BYTES : (usage(), KV_CODING_BYTES),
			   cset);
	if (ret) {
		fprintf(stderr, "kvclient: %s: %s%s\n", path, strerror(-ret),
			ret == -EINVAL && cset == KV_CSET_STD ?
			" (--csi kv wants the KV namespace's generic char device: the /dev/ngXnY of namespace 2)" : "");
		return 2;
	}
	dev.guard_at_transfer = fabric_max != 0;
	if (ns1) {
		ret = kv_open(&dev1, ns1, kv_coding_of_module());
		if (ret) {
			fprintf(stderr, "kvclient: --ns1 %s: %s\n", ns1, strerror(-ret));
			return 2;
		}
		have_ns1 = true;
	}
	/* list prints keys on stdout: its banner goes to stderr */
	fprintf(!strcmp(mode, "list") ? stderr : stdout,
		"kvclient %s on %s (namespace %u, command set %s, coding %s, seed %" PRIu64 ")\n",
		mode, path, dev.nsid, kv_cset_name(dev.cset),
		dev.coding == KV_CODING_SAMSUNG ? "samsung" : "bytes", seed);
	fflush(stdout);

	if (cset == KV_CSET_STD && strcmp(mode, "random") && strcmp(mode, "check") &&
	    strcmp(mode, "list") && strcmp(mode, "perm") && strcmp(mode, "fill") &&
	    strcmp(mode, "churn") && strcmp(mode, "time") && strcmp(mode, "put") &&
	    strcmp(mode, "del") && strcmp(mode, "verify")) {
		fprintf(stderr, "kvclient: %s is not a mode of the KV command set\n", mode);
		return 2;
	}
	if (cset != KV_CSET_STD && (!strcmp(mode, "check") || !strcmp(mode, "list") ||
				    !strcmp(mode, "perm"))) {
		fprintf(stderr, "kvclient: %s needs --csi kv\n", mode);
		return 2;
	}
	if (!strcmp(mode, "random"))
		ret = cset == KV_CSET_STD ? run_random_std(ops, pool_n, wipe) :
		      run_random(ops, pool_n);
	else if (!strcmp(mode, "check"))
		ret = run_check(wipe);
	else if (!strcmp(mode, "list")) {
		if (buflen < KVS_LIST_MIN || buflen > KV_MAX_VALUE)
			usage();
		ret = run_list(skey, slen, buflen, all);
	} else if (!strcmp(mode, "perm"))
		ret = run_perm();
	else if (!strcmp(mode, "churn")) {
		if (!capacity)
			usage();
		ret = run_churn(capacity, ratio, ws, vmin, vmax);
	} else if (!strcmp(mode, "fill"))
		ret = run_fill(vsize, capacity);
	else if (!strcmp(mode, "iterate"))
		ret = run_iterate(keys);
	else if (!strcmp(mode, "iterdel")) {
		scratch = xmalloc(KV_MAX_VALUE);
		ret = run_iterdel(path, keys, others);
	} else if (!strcmp(mode, "samsung"))
		ret = run_samsung();
	else if (!strcmp(mode, "time"))
		ret = run_time(ops);
	else if (!strcmp(mode, "put") || !strcmp(mode, "del") ||
		 !strcmp(mode, "verify")) {
		ps.from = pfrom;
		ps.to = pfrom + keys;
		if (!ps.every)
			usage();
		scratch = xmalloc(KV_MAX_VALUE);
		ret = mode[0] == 'p' ? run_put(&ps) :
		      mode[0] == 'd' ? run_del(&ps) : run_verify(&ps);
	}
	else
		usage();
	fprintf(!strcmp(mode, "list") ? stderr : stdout,
		"kvclient %s: %s (%" PRIu64 " commands, %.1f s)\n", mode,
		ret ? "FAIL" : "PASS", dev.cmds + dev1.cmds, now() - t0);
	kv_close(&dev);
	if (have_ns1)
		kv_close(&dev1);
	return ret;
}
