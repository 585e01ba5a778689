// SPDX-License-Identifier: GPL-2.0
/*
 * kvgen.c - generators and report helpers of kvbench; see kvgen.h.
 */
#include "kvgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kvg_op_name[KVG_NOPS] = {
	[KVG_READ] = "read", [KVG_UPDATE] = "update", [KVG_INSERT] = "insert",
	[KVG_SCAN] = "scan", [KVG_RMW] = "rmw", [KVG_DELETE] = "delete",
};

const char *const kvg_dist_name[4] = {
	[KVG_UNIFORM] = "uniform", [KVG_ZIPFIAN] = "zipfian",
	[KVG_LATEST] = "latest", [KVG_SEQUENTIAL] = "sequential",
};

/* ---- random numbers ------------------------------------------------------- */

uint64_t kvg_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t kvg_next(struct kvg_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return kvg_mix64(r->s);
}

double kvg_unit(struct kvg_rng *r)
{
	return (double)(kvg_next(r) >> 11) * 0x1.0p-53;
}

uint64_t kvg_fnv64(uint64_t v)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int64_t s;
	int i;

	for (i = 0; i < 8; i++) {
		h ^= v & 0xff;
		v >>= 8;
		h *= 1099511628211ull;
	}
	/* Java's Math.abs of a long; abs(Long.MIN_VALUE) stays negative */
	s = (int64_t)h;
	return s < 0 && s != INT64_MIN ? (uint64_t)-s : (uint64_t)s & INT64_MAX;
}

/* ---- Zipfian ------------------------------------------------------------------ */

#define ZETA_EXACT	1000000ull

static double zeta_sum(uint64_t from, uint64_t to, double theta)
{
	double s = 0;
	uint64_t i;

	for (i = from; i <= to; i++)
		s += pow((double)i, -theta);
	return s;
}

/*
 * Euler-Maclaurin for sum_{i=m..n} i^-theta: the integral, the end terms and
 * the first derivative correction; with m = 1000 the next term is below
 * 1e-15.
 */
static double zeta_tail(uint64_t m, uint64_t n, double theta)
{
	double dm = (double)m, dn = (double)n, integral;

	if (fabs(1 - theta) < 1e-12)
		integral = log(dn / dm);
	else
		integral = (pow(dn, 1 - theta) - pow(dm, 1 - theta)) / (1 - theta);
	return integral + (pow(dm, -theta) + pow(dn, -theta)) / 2 +
	       theta * (pow(dm, -theta - 1) - pow(dn, -theta - 1)) / 12;
}

double kvg_zeta(uint64_t n, double theta)
{
	if (n <= ZETA_EXACT)
		return zeta_sum(1, n, theta);
	return zeta_sum(1, 999, theta) + zeta_tail(1000, n, theta);
}

static void zipf_eta(struct kvg_zipf *z)
{
	z->eta = (1 - pow(2.0 / (double)z->n, 1 - z->theta)) /
		 (1 - z->zeta2 / z->zetan);
}

int kvg_zipf_init(struct kvg_zipf *z, uint64_t n, double theta)
{
	if (!n || !(theta > 0 && theta < 1))
		return -1;
	memset(z, 0, sizeof(*z));
	z->n = n;
	z->theta = theta;
	z->alpha = 1 / (1 - theta);
	z->zetan = kvg_zeta(n, theta);
	z->zeta2 = kvg_zeta(2, theta);
	z->half_pow = 1 + pow(0.5, theta);
	zipf_eta(z);
	return 0;
}

void kvg_zipf_grow(struct kvg_zipf *z, uint64_t n)
{
	if (n <= z->n)
		return;
	if (n - z->n <= ZETA_EXACT)
		z->zetan += zeta_sum(z->n + 1, n, z->theta);
	else
		z->zetan = kvg_zeta(n, z->theta);
	z->n = n;
	zipf_eta(z);
}

uint64_t kvg_zipf_rank(const struct kvg_zipf *z, double u)
{
	double uz = u * z->zetan, r;

	if (uz < 1.0)
		return 0;
	if (uz < z->half_pow)
		return z->n > 1 ? 1 : 0;
	r = (double)z->n * pow(z->eta * u - z->eta + 1, z->alpha);
	if (!(r >= 0))
		return 0;
	if (r >= (double)z->n)
		return z->n - 1;
	return (uint64_t)r;
}

/* ---- key choosers ------------------------------------------------------------- */

int kvg_dist_parse(const char *s, enum kvg_dist *d)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, kvg_dist_name[i]) ||
		    (i == KVG_SEQUENTIAL && !strcmp(s, "seq"))) {
			*d = (enum kvg_dist)i;
			return 0;
		}
	return -1;
}

int kvg_keygen_init(struct kvg_keygen *kg, enum kvg_dist dist, uint64_t n,
		    double theta)
{
	memset(kg, 0, sizeof(*kg));
	kg->dist = dist;
	kg->n = n ? n : 1;
	if (dist == KVG_ZIPFIAN)
		return kvg_zipf_init(&kg->z, KVG_YCSB_ITEMS, theta);
	if (dist == KVG_LATEST)
		return kvg_zipf_init(&kg->z, kg->n, theta);
	return 0;
}

uint64_t kvg_keygen_next(struct kvg_keygen *kg, struct kvg_rng *r,
			 uint64_t count)
{
	uint64_t k;
	int tries;

	if (!count)
		return 0;
	switch (kg->dist) {
	case KVG_ZIPFIAN:
		/* as YCSB: redraw while the key is not inserted yet */
		for (tries = 0; tries < 32; tries++) {
			k = kvg_fnv64(kvg_zipf_rank(&kg->z, kvg_unit(r))) % kg->n;
			if (k < count)
				return k;
		}
		return kvg_next(r) % count;
	case KVG_LATEST:
		kvg_zipf_grow(&kg->z, count);
		k = kvg_zipf_rank(&kg->z, kvg_unit(r));
		if (k >= count)
			k = count - 1;
		return count - 1 - k;
	default:
		return kvg_next(r) % count;
	}
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint64_t kvg_perm_mult(uint64_t n)
{
	uint64_t m;

	if (n < 3)
		return 1;
	for (m = 0x9e3779b97f4a7c15ull % n; m < 2 || gcd(m, n) != 1; m = (m + 1) % n)
		;
	return m;
}

uint64_t kvg_perm(uint64_t i, uint64_t n, uint64_t mult)
{
	if (!n)
		return 0;
	return (uint64_t)(((unsigned __int128)(i % n) * mult + n / 3) % n);
}

/* ---- keys ----------------------------------------------------------------------- */

static const char b64[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

static int b64_val(uint8_t c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int kvg_keyspec_init(struct kvg_keyspec *ks, unsigned int kmin,
		     unsigned int kmax, unsigned int group)
{
	unsigned int d = 1;

	if (!group || group > 4096)
		return -1;
	if (group > 64)
		d = 2;
	if (kmin < 4 + d || kmax < kmin || kmax > KVG_MAX_KEY)
		return -1;
	ks->kmin = kmin;
	ks->kmax = kmax;
	ks->group = group;
	ks->offdigits = d;
	return 0;
}

uint64_t kvg_keyspec_max_records(const struct kvg_keyspec *ks)
{
	return (uint64_t)(1u << 24) * ks->group;
}

static unsigned int key_len_of(const struct kvg_keyspec *ks, uint64_t rec)
{
	if (ks->kmin == ks->kmax)
		return ks->kmin;
	return ks->kmin + (unsigned int)(kvg_mix64(rec ^ 0x6b65796c656eull) %
					 (ks->kmax - ks->kmin + 1));
}

unsigned int kvg_key(const struct kvg_keyspec *ks, uint64_t rec,
		     uint8_t out[KVG_MAX_KEY])
{
	uint64_t g = rec / ks->group, off = rec % ks->group, f;
	unsigned int len = key_len_of(ks, rec), i, p = 0;

	for (i = 0; i < 4; i++)
		out[p++] = (uint8_t)b64[(g >> (6 * (3 - i))) & 63];
	for (i = 0; i < ks->offdigits; i++)
		out[p++] = (uint8_t)b64[(off >> (6 * (ks->offdigits - 1 - i))) & 63];
	f = kvg_mix64(rec + 0x66696c6cull);
	while (p < len) {
		out[p++] = (uint8_t)b64[f & 63];
		f >>= 6;
	}
	return len;
}

int kvg_key_record(const struct kvg_keyspec *ks, const uint8_t *key,
		   unsigned int len, uint64_t *rec)
{
	uint8_t want[KVG_MAX_KEY];
	uint64_t g = 0, off = 0, r;
	unsigned int i;
	int v;

	if (len < 4 + ks->offdigits || len > KVG_MAX_KEY)
		return -1;
	for (i = 0; i < 4; i++) {
		v = b64_val(key[i]);
		if (v < 0)
			return -1;
		g = g << 6 | (unsigned int)v;
	}
	for (i = 0; i < ks->offdigits; i++) {
		v = b64_val(key[4 + i]);
		if (v < 0)
			return -1;
		off = off << 6 | (unsigned int)v;
	}
	if (off >= ks->group)
		return -1;
	r = g * ks->group + off;
	if (kvg_key(ks, r, want) != len || memcmp(want, key, len))
		return -1;
	*rec = r;
	return 0;
}

uint32_t kvg_key_group_prefix(const struct kvg_keyspec *ks, uint64_t rec)
{
	uint8_t k[KVG_MAX_KEY];

	kvg_key(ks, rec, k);
	return k[0] | k[1] << 8 | k[2] << 16 | (uint32_t)k[3] << 24;
}

void kvg_key_str(const uint8_t *key, unsigned int len, char *out, size_t outlen)
{
	size_t p = 0;
	unsigned int i;

	if (!outlen)
		return;
	for (i = 0; i < len && p + 5 < outlen; i++) {
		if (key[i] >= 0x21 && key[i] < 0x7f && key[i] != '\\' &&
		    key[i] != '"')
			out[p++] = (char)key[i];
		else
			p += (size_t)snprintf(out + p, outlen - p, "\\x%02x", key[i]);
	}
	out[p] = 0;
}

/* ---- value sizes ------------------------------------------------------------------ */

static int parse_size(const char **s, uint32_t *out)
{
	char *end;
	unsigned long long v = strtoull(*s, &end, 10);

	if (end == *s)
		return -1;
	if (*end == 'K' || *end == 'k') {
		v <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v <<= 20;
		end++;
	}
	if (!v || v > KVG_MAX_VALUE)
		return -1;
	*out = (uint32_t)v;
	*s = end;
	return 0;
}

int kvg_vspec_parse(struct kvg_vspec *v, const char *s, char *err,
		    size_t errlen)
{
	const char *p = s;
	double w[KVG_VSPEC_MAX], total = 0;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	if (parse_size(&p, &v->size[0]))
		goto bad_size;
	if (!*p) {
		v->kind = KVG_VFIXED;
		return 0;
	}
	if (*p == '-') {
		p++;
		if (parse_size(&p, &v->size[1]) || *p)
			goto bad_size;
		if (v->size[1] < v->size[0]) {
			snprintf(err, errlen, "value size range %s: the upper bound is below the lower", s);
			return -1;
		}
		v->kind = KVG_VRANGE;
		return 0;
	}
	v->kind = KVG_VLIST;
	for (;;) {
		char *end;

		if (*p != ':')
			goto bad_list;
		w[v->n] = strtod(p + 1, &end);
		if (end == p + 1 || !(w[v->n] > 0) || w[v->n] > 1e12)
			goto bad_list;
		total += w[v->n];
		p = end;
		v->n++;
		if (!*p)
			break;
		if (*p != ',' || v->n == KVG_VSPEC_MAX)
			goto bad_list;
		p++;
		if (parse_size(&p, &v->size[v->n]))
			goto bad_size;
	}
	for (i = 0; i < v->n; i++)
		v->cum[i] = (i ? v->cum[i - 1] : 0) + w[i] / total;
	v->cum[v->n - 1] = 1.0;
	return 0;
bad_size:
	snprintf(err, errlen, "value size %s: sizes are 1 .. 2M bytes (K and M suffixes)", s);
	return -1;
bad_list:
	snprintf(err, errlen, "value size %s: want SIZE, LO-HI or SIZE:WEIGHT,... (at most %d, weights > 0)",
		 s, KVG_VSPEC_MAX);
	return -1;
}

uint32_t kvg_vsize(const struct kvg_vspec *v, uint64_t r)
{
	double u;
	unsigned int i;

	switch (v->kind) {
	case KVG_VFIXED:
		return v->size[0];
	case KVG_VRANGE:
		return v->size[0] + (uint32_t)(r % ((uint64_t)v->size[1] - v->size[0] + 1));
	default:
		u = (double)(r >> 11) * 0x1.0p-53;
		for (i = 0; i + 1 < v->n; i++)
			if (u < v->cum[i])
				break;
		return v->size[i];
	}
}

uint32_t kvg_vspec_min(const struct kvg_vspec *v)
{
	uint32_t m = v->size[0];
	unsigned int i;

	for (i = 1; v->kind == KVG_VLIST && i < v->n; i++)
		if (v->size[i] < m)
			m = v->size[i];
	return m;
}

uint32_t kvg_vspec_max(const struct kvg_vspec *v)
{
	uint32_t m = v->kind == KVG_VRANGE ? v->size[1] : v->size[0];
	unsigned int i;

	for (i = 1; v->kind == KVG_VLIST && i < v->n; i++)
		if (v->size[i] > m)
			m = v->size[i];
	return m;
}

double kvg_vspec_mean(const struct kvg_vspec *v)
{
	double m = 0;
	unsigned int i;

	switch (v->kind) {
	case KVG_VFIXED:
		return v->size[0];
	case KVG_VRANGE:
		return ((double)v->size[0] + v->size[1]) / 2;
	default:
		for (i = 0; i < v->n; i++)
			m += v->size[i] * (v->cum[i] - (i ? v->cum[i - 1] : 0));
		return m;
	}
}

/* ---- value contents ------------------------------------------------------------------ */

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void value_header(uint8_t h[KVG_VHDR], uint64_t rec, uint64_t ver)
{
	memcpy(h, "kvb1", 4);
	put_le(h + 4, rec, 4);
	put_le(h + 8, ver, 8);
}

static uint64_t payload_seed(uint64_t rec, uint64_t ver)
{
	return kvg_mix64(rec * 0x9e3779b97f4a7c15ull ^ kvg_mix64(ver));
}

void kvg_value_fill(uint8_t *p, uint32_t len, uint64_t rec, uint64_t ver)
{
	struct kvg_rng r = { payload_seed(rec, ver) };
	uint8_t h[KVG_VHDR];
	uint32_t i;

	value_header(h, rec, ver);
	memcpy(p, h, len < KVG_VHDR ? len : KVG_VHDR);
	for (i = KVG_VHDR; i + 8 <= len; i += 8)
		put_le(p + i, kvg_next(&r), 8);
	if (i < len)
		put_le(p + i, kvg_next(&r), len - i);
}

enum kvg_vcheck kvg_value_check(const uint8_t *p, uint32_t len, uint64_t rec,
				uint64_t *ver, uint32_t *bad)
{
	struct kvg_rng r;
	uint32_t i, n;

	*ver = 0;
	*bad = 0;
	if (len < KVG_VHDR)
		return KVG_VSHORT;
	if (memcmp(p, "kvb1", 4))
		return KVG_VMAGIC;
	if (get_le(p + 4, 4) != (rec & 0xffffffffu))
		return KVG_VRECORD;
	*ver = get_le(p + 8, 8);
	r.s = payload_seed(rec, *ver);
	for (i = KVG_VHDR; i < len; i += 8) {
		uint64_t want = kvg_next(&r);

		n = len - i < 8 ? len - i : 8;
		if (get_le(p + i, n) != (n == 8 ? want : want & ((1ull << (8 * n)) - 1))) {
			while (p[i] == (uint8_t)want) {
				i++;
				want >>= 8;
			}
			*bad = i;
			return KVG_VPAYLOAD;
		}
	}
	return KVG_VOK;
}

const char *kvg_vcheck_str(enum kvg_vcheck c)
{
	switch (c) {
	case KVG_VOK:		return "ok";
	case KVG_VSHORT:	return "shorter than the 16-byte header";
	case KVG_VMAGIC:	return "no kvbench header (not a value kvbench wrote)";
	case KVG_VRECORD:	return "the header names another record";
	case KVG_VPAYLOAD:	return "the payload differs from what the header's version implies";
	}
	return "?";
}

/* ---- operation mixes and presets ------------------------------------------------------ */

int kvg_mix_init(struct kvg_mix *m, const double prop[KVG_NOPS])
{
	double total = 0, c = 0;
	int i, last = -1;

	for (i = 0; i < KVG_NOPS; i++) {
		if (prop[i] < 0 || prop[i] != prop[i])
			return -1;
		total += prop[i];
		if (prop[i] > 0)
			last = i;
	}
	if (!(total > 0))
		return -1;
	for (i = 0; i < KVG_NOPS; i++) {
		c += prop[i] / total;
		m->cum[i] = i >= last ? 1.0 : c;
	}
	return 0;
}

enum kvg_op kvg_mix_pick(const struct kvg_mix *m, double u)
{
	int i;

	for (i = 0; i < KVG_NOPS - 1; i++)
		if (u < m->cum[i])
			break;
	return (enum kvg_op)i;
}

#define P(r, u, i, s, m, d) { [KVG_READ] = r, [KVG_UPDATE] = u, [KVG_INSERT] = i, \
			     [KVG_SCAN] = s, [KVG_RMW] = m, [KVG_DELETE] = d }

const struct kvg_preset kvg_presets[] = {
	{ "ycsb-a", P(0.5, 0.5, 0, 0, 0, 0), KVG_ZIPFIAN, true,
	  "YCSB A: 50% read, 50% update, zipfian" },
	{ "ycsb-b", P(0.95, 0.05, 0, 0, 0, 0), KVG_ZIPFIAN, true,
	  "YCSB B: 95% read, 5% update, zipfian" },
	{ "ycsb-c", P(1, 0, 0, 0, 0, 0), KVG_ZIPFIAN, true,
	  "YCSB C: read only, zipfian" },
	{ "ycsb-d", P(0.95, 0, 0.05, 0, 0, 0), KVG_LATEST, true,
	  "YCSB D: 95% read latest, 5% insert" },
	{ "ycsb-e", P(0, 0, 0.05, 0.95, 0, 0), KVG_ZIPFIAN, true,
	  "YCSB E: 95% short scans (iterate), 5% insert, zipfian" },
	{ "ycsb-f", P(0.5, 0, 0, 0, 0.5, 0), KVG_ZIPFIAN, true,
	  "YCSB F: 50% read, 50% read-modify-write, zipfian" },
	{ "load", P(0, 0, 0, 0, 0, 0), KVG_UNIFORM, true,
	  "insert the records (sequential or random order), nothing else" },
	{ "read", P(1, 0, 0, 0, 0, 0), KVG_UNIFORM, false,
	  "random reads of existing records" },
	{ "update", P(0, 1, 0, 0, 0, 0), KVG_UNIFORM, false,
	  "random overwrites of existing records" },
	{ "rmw", P(0, 0, 0, 0, 1, 0), KVG_UNIFORM, false,
	  "read-modify-write of random records" },
	{ "delete", P(0, 0, 0, 0, 0, 1), KVG_SEQUENTIAL, false,
	  "delete the records in order" },
	{ "scan", P(0, 0, 0, 1, 0, 0), KVG_UNIFORM, false,
	  "short scans (iterate over one key group)" },
	{ "mix", P(0.5, 0.5, 0, 0, 0, 0), KVG_UNIFORM, false,
	  "reads and updates, --read-ratio R of them reads" },
	{ NULL, P(0, 0, 0, 0, 0, 0), KVG_UNIFORM, false, NULL },
};

const struct kvg_preset *kvg_preset_find(const char *name)
{
	const struct kvg_preset *p;

	for (p = kvg_presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* ---- latency histogram ---------------------------------------------------------------- */

void kvg_hist_init(struct kvg_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int kvg_hist_index(uint64_t v)
{
	unsigned int m, shift;

	if (v < 2 * KVG_HIST_SUB)
		return (unsigned int)v;
	m = 63 - (unsigned int)__builtin_clzll(v);
	shift = m - KVG_HIST_SUB_BITS;
	return 2 * KVG_HIST_SUB + (shift - 1) * KVG_HIST_SUB +
	       (unsigned int)((v >> shift) - KVG_HIST_SUB);
}

uint64_t kvg_hist_lo(unsigned int i)
{
	unsigned int shift;

	if (i < 2 * KVG_HIST_SUB)
		return i;
	shift = (i - 2 * KVG_HIST_SUB) / KVG_HIST_SUB + 1;
	return (uint64_t)(KVG_HIST_SUB + (i - 2 * KVG_HIST_SUB) % KVG_HIST_SUB) << shift;
}

uint64_t kvg_hist_hi(unsigned int i)
{
	if (i + 1 >= KVG_HIST_BUCKETS)
		return UINT64_MAX;
	return kvg_hist_lo(i + 1) - 1;
}

void kvg_hist_add(struct kvg_hist *h, uint64_t v)
{
	h->b[kvg_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void kvg_hist_merge(struct kvg_hist *dst, const struct kvg_hist *src)
{
	unsigned int i;

	for (i = 0; i < KVG_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t kvg_hist_pct(const struct kvg_hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (q >= 1)
		return h->max;
	if (q < 0)
		q = 0;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (!rank)
		rank = 1;
	for (i = 0; i < KVG_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = kvg_hist_hi(i < KVG_HIST_BUCKETS ? i : KVG_HIST_BUCKETS - 1);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}
