// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_std.c - the NVMe KV Command Set (namespace 2) on one store:
 * every status of the set, EDNEK, a zero-length value, List's order, start
 * key and buffer rules (whole entries only, several selection passes), and
 * a randomized run against a model in which every List is compared with
 * the model's sorted keys.
 */
#include "kv_harness.h"

#define NKEYS_MAX 4096

static u16 std_cmd(struct kv_store *kv, u8 op, const u8 *key, u8 klen,
		   u8 opt, struct host_buf *h, u32 *dw0)
{
	struct kv_io io = { .ctx = h, .from_host = host_from,
			    .to_host = host_to };
	u32 cdw[16] = { 0 };
	struct kv_cmd cmd;
	u8 k[16] = { 0 };
	u16 sc;

	if (klen)
		memcpy(k, key, klen);
	cdw[0] = op;
	cdw[1] = 2;
	memcpy(&cdw[2], k, 8);
	memcpy(&cdw[14], k + 8, 8);
	cdw[10] = h ? h->len : 0;
	cdw[11] = klen | (u32)opt << 8;
	*dw0 = 0;
	sc = kv_std_decode(cdw, &cmd);
	if (sc)
		return sc;
	return kv_execute(kv, &cmd, &io, dw0);
}

static u16 put(struct kv_store *kv, const char *key, const char *val, u8 opt)
{
	struct host_buf h = { .buf = (u8 *)val, .len = (u32)strlen(val) };
	u32 dw0;

	return std_cmd(kv, KV_STD_STORE, (const u8 *)key, (u8)strlen(key), opt,
		       &h, &dw0);
}

static u16 key_op(struct kv_store *kv, u8 op, const char *key)
{
	u32 dw0;

	return std_cmd(kv, op, (const u8 *)key, (u8)strlen(key), 0, NULL, &dw0);
}

/* A List into @len bytes from @start; the keys it returned, in order. */
static u16 list(struct kv_store *kv, const u8 *start, u8 slen, u32 len,
		u8 keys[][17], u32 *n)
{
	static u8 buf[1 << 16];
	struct host_buf h = { .buf = buf, .len = len };
	u32 dw0, pos = 4, i, cnt;
	u16 sc;

	memset(buf, 0xa5, sizeof(buf));
	sc = std_cmd(kv, KV_STD_LIST, start, slen, 0, &h, &dw0);
	*n = 0;
	if (sc)
		return sc;
	CHECK_EQ(dw0, 0);
	memcpy(&cnt, buf, 4);
	for (i = 0; i < cnt; i++) {
		u16 kl = buf[pos] | buf[pos + 1] << 8;

		CHECK(kl >= 1 && kl <= 16, "entry %u: key length %u", i, kl);
		CHECK(pos + ALIGN(2 + kl, 4) <= len, "entry %u past the buffer", i);
		if (kl < 1 || kl > 16 || pos + ALIGN(2 + kl, 4) > len)
			return 0xfff;
		keys[i][0] = (u8)kl;
		memcpy(keys[i] + 1, buf + pos + 2, kl);
		pos += ALIGN(2 + kl, 4);
	}
	CHECK(h.hi <= len, "List wrote %u of %u bytes", h.hi, len);
	*n = cnt;
	return 0;
}

static int kcmp(const u8 *a, const u8 *b)
{
	int c = memcmp(a + 1, b + 1, a[0] < b[0] ? a[0] : b[0]);

	return c ? c : (int)a[0] - (int)b[0];
}

static void test_statuses(void)
{
	struct kv_env e;
	u8 big[64] = { 0 };
	struct host_buf h = { .buf = big, .len = sizeof(big) };
	u32 dw0;

	CHECK_EQ(kv_env_init(&e, 1 << 20, 64 << 10, 4096, 64), 0);
	CHECK_EQ(put(&e.kv, "k1", "hello", 0), 0);
	CHECK_EQ(put(&e.kv, "k1", "again", KV_STORE_OPT_IDEMPOTENT), 0x089);
	CHECK_EQ(put(&e.kv, "k2", "x", KV_STORE_OPT_UPDATE), 0x087);
	CHECK_EQ(put(&e.kv, "k1", "world", KV_STORE_OPT_UPDATE), 0);
	CHECK_EQ(put(&e.kv, "k3", "nc", KV_STD_STORE_NO_COMPRESS), 0);
	/* a retrieve returns what fits and the full size in DW0 */
	h.len = 3;
	CHECK_EQ(std_cmd(&e.kv, KV_STD_RETRIEVE, (const u8 *)"k1", 2, 0, &h,
			 &dw0), 0);
	CHECK_EQ(dw0, 5);
	CHECK(!memcmp(big, "wor", 3) && h.hi == 3, "partial retrieve");
	h.len = 0;
	CHECK_EQ(std_cmd(&e.kv, KV_STD_RETRIEVE, (const u8 *)"k1", 2,
			 KV_STD_RETRIEVE_RAW, &h, &dw0), 0);
	CHECK_EQ(dw0, 5);
	CHECK_EQ(key_op(&e.kv, KV_STD_RETRIEVE, "nope"), 0x087);
	CHECK_EQ(key_op(&e.kv, KV_STD_EXIST, "k1"), 0);
	CHECK_EQ(key_op(&e.kv, KV_STD_EXIST, "nope"), 0x087);
	/* a zero-length value is a value */
	CHECK_EQ(put(&e.kv, "empty", "", 0), 0);
	CHECK_EQ(key_op(&e.kv, KV_STD_EXIST, "empty"), 0);
	h.len = 8;
	CHECK_EQ(std_cmd(&e.kv, KV_STD_RETRIEVE, (const u8 *)"empty", 5, 0, &h,
			 &dw0), 0);
	CHECK_EQ(dw0, 0);
	/* Delete of a missing key: success, unless EDNEK */
	CHECK_EQ(key_op(&e.kv, KV_STD_DELETE, "nope"), 0);
	kv_store_configure(&e.kv, NVMEV_KV_CONFIG_EDNEK);
	CHECK_EQ(key_op(&e.kv, KV_STD_DELETE, "nope"), 0x087);
	CHECK_EQ(key_op(&e.kv, KV_STD_DELETE, "k1"), 0);
	CHECK_EQ(key_op(&e.kv, KV_STD_DELETE, "k1"), 0x087);
	kv_store_configure(&e.kv, 0);
	CHECK_EQ(key_op(&e.kv, KV_STD_DELETE, "k1"), 0);
	CHECK_EQ(key_op(&e.kv, KV_STD_FLUSH, ""), 0);
	/* value above this store's maximum: Invalid Value Size */
	{
		static u8 v[8192];
		struct host_buf hv = { .buf = v, .len = sizeof(v) };

		CHECK_EQ(std_cmd(&e.kv, KV_STD_STORE, (const u8 *)"big", 3, 0,
				 &hv, &dw0), 0x085);
	}
	/* index full: Capacity Exceeded (generic 81h) */
	{
		char k[8];
		int i;
		u16 sc = 0;

		for (i = 0; i < 100 && !sc; i++) {
			snprintf(k, sizeof(k), "f%03d", i);
			sc = put(&e.kv, k, "v", 0);
		}
		CHECK_EQ(sc, 0x081);
	}
	kv_env_free(&e);
}

/* Order, start key, whole entries, and more keys than one pass selects. */
static void test_list_rules(void)
{
	static u8 keys[NKEYS_MAX][17];
	struct kv_env e;
	u8 start[16];
	u32 n, i;
	char k[17];

	CHECK_EQ(kv_env_init(&e, 8 << 20, 256 << 10, 4096, 4096), 0);
	/* keys of every length, inserted out of order, prefixes of each other */
	for (i = 0; i < 3000; i++) {
		snprintf(k, sizeof(k), "%0*u", (int)(1 + i % 12), (i * 7919) % 3000);
		put(&e.kv, k, "v", 0);
	}
	CHECK_EQ(list(&e.kv, NULL, 0, 1 << 16, keys, &n), 0);
	/* entries of at most 16 bytes: all of them fit in 64 KiB */
	CHECK_EQ((u64)n, e.kv.map.nkeys);
	for (i = 1; i < n; i++)
		CHECK(kcmp(keys[i - 1], keys[i]) < 0, "order at %u", i);
	/* the same with passes of 7 keys: the same keys, in the same order */
	{
		static u8 again[NKEYS_MAX][17];
		u32 m;

		e.kv.list_batch = 7;
		CHECK_EQ(list(&e.kv, NULL, 0, 1 << 16, again, &m), 0);
		CHECK_EQ(m, n);
		CHECK(!memcmp(again, keys, (size_t)n * 17), "7-key passes agree");
		memcpy(start, keys[500] + 1, keys[500][0]);
		CHECK_EQ(list(&e.kv, start, keys[500][0], 1000, again, &m), 0);
		CHECK(m > 7 * 3, "%u keys over several passes", m);
		for (i = 0; i < m; i++)
			CHECK(!kcmp(again[i], keys[500 + i]),
			      "passes from a start key: entry %u", i);
		e.kv.list_batch = KV_LIST_BATCH_DEFAULT;
	}
	/* from a start key that exists: it comes first */
	memcpy(start, keys[100] + 1, keys[100][0]);
	{
		u8 first[17];
		u32 m;

		memcpy(first, keys[100], 17);
		CHECK_EQ(list(&e.kv, start, first[0], 4096, keys, &m), 0);
		CHECK(m > 0 && !kcmp(keys[0], first), "start key first");
		for (i = 1; i < m; i++)
			CHECK(kcmp(keys[i - 1], keys[i]) < 0, "order at %u", i);
	}
	/* a buffer that holds exactly 3 entries of 4-byte keys gets 3 */
	kv_env_free(&e);
	CHECK_EQ(kv_env_init(&e, 1 << 20, 64 << 10, 4096, 64), 0);
	put(&e.kv, "dddd", "v", 0);
	put(&e.kv, "bbbb", "v", 0);
	put(&e.kv, "aaaa", "v", 0);
	put(&e.kv, "cccc", "v", 0);
	CHECK_EQ(list(&e.kv, NULL, 0, 4 + 3 * 8, keys, &n), 0);
	CHECK_EQ(n, 3);
	CHECK(!memcmp(keys[2] + 1, "cccc", 4), "third key");
	CHECK_EQ(list(&e.kv, NULL, 0, 4 + 3 * 8 - 1, keys, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(list(&e.kv, NULL, 0, 4, keys, &n), 0);
	CHECK_EQ(n, 0);
	/* a start key between keys, and one after all of them */
	CHECK_EQ(list(&e.kv, (const u8 *)"bbbc", 4, 4096, keys, &n), 0);
	CHECK_EQ(n, 2);
	CHECK(!memcmp(keys[0] + 1, "cccc", 4), "first key after bbbc");
	CHECK_EQ(list(&e.kv, (const u8 *)"e", 1, 4096, keys, &n), 0);
	CHECK_EQ(n, 0);
	/* a shorter key before the longer keys it prefixes */
	put(&e.kv, "bb", "v", 0);
	CHECK_EQ(list(&e.kv, (const u8 *)"b", 1, 4096, keys, &n), 0);
	CHECK_EQ(n, 4);
	CHECK(keys[0][0] == 2 && keys[1][0] == 4, "bb before bbbb");
	kv_env_free(&e);
}

/* The model: a sorted array of keys with their values. */
struct model {
	u8 key[NKEYS_MAX][17];
	u32 vlen[NKEYS_MAX];
	u8 vseed[NKEYS_MAX];
	u32 n;
};

static int model_find(const struct model *m, const u8 *k)
{
	u32 lo = 0, hi = m->n;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;
		int c = kcmp(m->key[mid], k);

		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(int)lo - 1;
}

static void fill(u8 *buf, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed + i * 13);
}

static void test_random_vs_model(void)
{
	static struct model m;
	static u8 lk[NKEYS_MAX][17], buf[4096], got[4096];
	struct kv_env e;
	u64 ops = 0, mism = 0, lists = 0;
	u32 seed = 12345, i;

	CHECK_EQ(kv_env_init(&e, 16 << 20, 256 << 10, 4096, NKEYS_MAX), 0);
	e.kv.list_batch = 5; /* most Lists take several passes */
	for (i = 0; i < 60000; i++) {
		u8 k[17], op;
		int at;
		u32 dw0, n, j;
		u16 sc;

		seed = seed * 1103515245 + 12345;
		k[0] = (u8)(1 + (seed >> 8) % 3);
		for (j = 1; j <= k[0]; j++)
			k[j] = (u8)('a' + (seed >> (4 + j * 3)) % 12);
		op = (seed >> 24) % 6;
		at = model_find(&m, k);
		ops++;
		if (op <= 1) {	/* store, sometimes with an option */
			u8 opt = op ? ((seed >> 20) & 3) % 3 : 0;
			u32 len = (seed >> 12) % 300;
			struct host_buf h = { .buf = buf, .len = len };
			u16 want = 0;

			fill(buf, len, (u8)seed);
			if ((opt & KV_STORE_OPT_UPDATE) && at < 0)
				want = 0x087;
			if ((opt & KV_STORE_OPT_IDEMPOTENT) && at >= 0)
				want = 0x089;
			sc = std_cmd(&e.kv, KV_STD_STORE, k + 1, k[0], opt, &h,
				     &dw0);
			mism += sc != want;
			if (sc)
				continue;
			if (at < 0) {
				at = -at - 1;
				memmove(&m.key[at + 1], &m.key[at],
					(m.n - at) * sizeof(m.key[0]));
				memmove(&m.vlen[at + 1], &m.vlen[at],
					(m.n - at) * sizeof(m.vlen[0]));
				memmove(&m.vseed[at + 1], &m.vseed[at],
					(m.n - at) * sizeof(m.vseed[0]));
				m.n++;
				memcpy(m.key[at], k, 17);
			}
			m.vlen[at] = len;
			m.vseed[at] = (u8)seed;
		} else if (op == 2) {	/* retrieve into a random buffer */
			struct host_buf h = { .buf = got,
					      .len = (seed >> 10) % 400 };

			sc = std_cmd(&e.kv, KV_STD_RETRIEVE, k + 1, k[0], 0, &h,
				     &dw0);
			if (at < 0) {
				mism += sc != 0x087;
				continue;
			}
			fill(buf, m.vlen[at], m.vseed[at]);
			mism += sc || dw0 != m.vlen[at] ||
				memcmp(got, buf, min(h.len, m.vlen[at]));
		} else if (op == 3) {
			sc = std_cmd(&e.kv, KV_STD_DELETE, k + 1, k[0], 0, NULL,
				     &dw0);
			mism += sc != 0;
			if (at >= 0) {
				memmove(&m.key[at], &m.key[at + 1],
					(m.n - at - 1) * sizeof(m.key[0]));
				memmove(&m.vlen[at], &m.vlen[at + 1],
					(m.n - at - 1) * sizeof(m.vlen[0]));
				memmove(&m.vseed[at], &m.vseed[at + 1],
					(m.n - at - 1) * sizeof(m.vseed[0]));
				m.n--;
			}
		} else if (op == 4) {
			sc = std_cmd(&e.kv, KV_STD_EXIST, k + 1, k[0], 0, NULL,
				     &dw0);
			mism += sc != (at >= 0 ? 0 : 0x087);
		} else {	/* list from k (or the start) into a random buffer */
			u8 slen = (seed >> 6) & 1 ? k[0] : 0;
			u32 len = 4 + (seed >> 9) % 600, from;
			int f;

			lists++;
			sc = list(&e.kv, k + 1, slen, len, lk, &n);
			f = slen ? model_find(&m, k) : 0;
			from = f < 0 ? (u32)(-f - 1) : (u32)f;
			mism += sc != 0;
			for (j = 0; j < n; j++)
				mism += from + j >= m.n ||
					kcmp(lk[j], m.key[from + j]);
			/* full: the next model key would not have fit */
			if (from + n < m.n) {
				u32 used = 4;

				for (j = 0; j < n; j++)
					used += ALIGN(2 + lk[j][0], 4);
				mism += used + ALIGN(2 + m.key[from + n][0], 4) <=
					len;
			}
		}
	}
	printf("  random: %llu standard-set ops (%llu lists), %llu mismatches, %u keys at the end\n",
	       (unsigned long long)ops, (unsigned long long)lists,
	       (unsigned long long)mism, m.n);
	CHECK_EQ(mism, 0);
	CHECK_EQ(e.kv.map.nkeys, m.n);
	kv_env_free(&e);
}

int main(void)
{
	test_statuses();
	test_list_rules();
	test_random_vs_model();
	return test_report("test_kv_std");
}
