/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvgen.h - the pure parts of kvbench (tools/kvbench.c): random numbers,
 * key choosers (uniform, YCSB's scrambled Zipfian, latest), key derivation,
 * value-size distributions, self-checking value contents, operation mixes,
 * the YCSB presets and a log-bucketed latency histogram with percentiles.
 * No I/O, no threads, no allocation: unit-tested in user space under
 * ASan/UBSan (tests/unit/test_kvgen.c).
 */
#ifndef KVGEN_H
#define KVGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVG_MAX_KEY	16
#define KVG_MAX_VALUE	(2u << 20)

/* ---- operations ---------------------------------------------------------- */

enum kvg_op {
	KVG_READ,	/* Retrieve */
	KVG_UPDATE,	/* Store over an existing record */
	KVG_INSERT,	/* Store of a new record (load phase, YCSB D/E inserts) */
	KVG_SCAN,	/* iterate open, read(s), close */
	KVG_RMW,	/* Retrieve, then Store of the same record */
	KVG_DELETE,	/* Delete */
	KVG_NOPS
};

extern const char *const kvg_op_name[KVG_NOPS];

/* ---- random numbers ------------------------------------------------------- */

/* splitmix64: one 64-bit state per thread */
struct kvg_rng {
	uint64_t s;
};

uint64_t kvg_mix64(uint64_t x);
uint64_t kvg_next(struct kvg_rng *r);
/* uniform in [0, 1) with 53 bits */
double kvg_unit(struct kvg_rng *r);
/* YCSB's Utils.fnvhash64 (FNV-1 over the 8 bytes, low byte first, abs) */
uint64_t kvg_fnv64(uint64_t v);

/* ---- Zipfian (Gray et al., "Quickly generating billion-record synthetic
 * databases", as in YCSB's ZipfianGenerator) ----------------------------- */

/* zeta(n, theta) = sum_{i=1..n} 1 / i^theta: exact for small n, Euler-Maclaurin above */
double kvg_zeta(uint64_t n, double theta);

struct kvg_zipf {
	uint64_t n;		/* items: ranks 0 .. n-1 */
	double theta;		/* 0 < theta < 1 */
	double alpha;		/* 1 / (1 - theta) */
	double zetan;		/* zeta(n, theta) */
	double zeta2;		/* zeta(2, theta) */
	double eta;
	double half_pow;	/* 1 + 0.5^theta */
};

/* -1 for n == 0 or theta outside (0, 1) */
int kvg_zipf_init(struct kvg_zipf *z, uint64_t n, double theta);
/* more items (latest: the key space grows); zeta updated incrementally */
void kvg_zipf_grow(struct kvg_zipf *z, uint64_t n);
/* rank for u in [0, 1): 0 is the most popular */
uint64_t kvg_zipf_rank(const struct kvg_zipf *z, double u);

/* YCSB's ScrambledZipfianGenerator draws from 10^10 items, then hashes */
#define KVG_YCSB_ITEMS	10000000000ull

/* ---- key choosers --------------------------------------------------------- */

enum kvg_dist { KVG_UNIFORM, KVG_ZIPFIAN, KVG_LATEST, KVG_SEQUENTIAL };

extern const char *const kvg_dist_name[4];
int kvg_dist_parse(const char *s, enum kvg_dist *d);

struct kvg_keygen {
	enum kvg_dist dist;
	uint64_t n;		/* zipfian: items hashed into (records + expected inserts) */
	struct kvg_zipf z;	/* zipfian: over KVG_YCSB_ITEMS; latest: over the count */
};

/*
 * @n: records the chooser spans (zipfian: plus the inserts expected during
 * the run, as YCSB does). Sequential is the caller's business (a shared
 * counter); kvg_keygen_next() treats it as uniform.
 */
int kvg_keygen_init(struct kvg_keygen *kg, enum kvg_dist dist, uint64_t n,
		    double theta);
/*
 * A record in [0, count): @count is the number of records that exist now
 * (it grows with inserts; latest picks near count - 1). The generator is
 * per thread (latest updates its zeta as count grows).
 */
uint64_t kvg_keygen_next(struct kvg_keygen *kg, struct kvg_rng *r,
			 uint64_t count);

/*
 * A permutation of [0, n) (random-order load): i -> (i * mult + n / 3) % n
 * with mult coprime to n.
 */
uint64_t kvg_perm_mult(uint64_t n);
uint64_t kvg_perm(uint64_t i, uint64_t n, uint64_t mult);

/* ---- keys ------------------------------------------------------------------
 *
 * Record r has a key of 4 + offdigits .. 16 printable bytes:
 *   bytes 0-3   the group r / group in base 64, most significant first
 *               (the iterate prefix: a scan reads records of one group)
 *   next        r % group in base 64, offdigits characters
 *   rest        filler derived from r, up to the record's length
 * The length is kmin when kmin == kmax, else kmin + hash(r) % (kmax - kmin
 * + 1). Keys of different records differ in their first 4 + offdigits bytes.
 */
struct kvg_keyspec {
	unsigned int kmin, kmax;
	unsigned int group;	/* records per scan group, 1..4096 */
	unsigned int offdigits;	/* base-64 digits of r % group */
};

int kvg_keyspec_init(struct kvg_keyspec *ks, unsigned int kmin,
		     unsigned int kmax, unsigned int group);
/* records addressable: 64^4 groups */
uint64_t kvg_keyspec_max_records(const struct kvg_keyspec *ks);
unsigned int kvg_key(const struct kvg_keyspec *ks, uint64_t rec,
		     uint8_t out[KVG_MAX_KEY]);
/* the record of a key this spec derived; -1 for any other key */
int kvg_key_record(const struct kvg_keyspec *ks, const uint8_t *key,
		   unsigned int len, uint64_t *rec);
/* first 4 key bytes of the group of @rec as the iterate prefix (LE u32) */
uint32_t kvg_key_group_prefix(const struct kvg_keyspec *ks, uint64_t rec);
/* a printable rendering of any key (non-printable bytes as \xNN) */
void kvg_key_str(const uint8_t *key, unsigned int len, char *out, size_t outlen);

/* ---- value sizes -----------------------------------------------------------
 * "4096" | "100-4096" (uniform) | "100:5,4096:3,64K:2" (sizes with weights);
 * K and M suffixes (1024-based); every size 1 .. 2 MiB.
 */
#define KVG_VSPEC_MAX	32

struct kvg_vspec {
	enum { KVG_VFIXED, KVG_VRANGE, KVG_VLIST } kind;
	unsigned int n;			/* list entries */
	uint32_t size[KVG_VSPEC_MAX];	/* fixed: [0]; range: [0]..[1] */
	double cum[KVG_VSPEC_MAX];	/* list: cumulative weights, last 1.0 */
};

int kvg_vspec_parse(struct kvg_vspec *v, const char *s, char *err,
		    size_t errlen);
/* a size for the random value @r */
uint32_t kvg_vsize(const struct kvg_vspec *v, uint64_t r);
uint32_t kvg_vspec_min(const struct kvg_vspec *v);
uint32_t kvg_vspec_max(const struct kvg_vspec *v);
/* mean size (for MB/s estimates and the legacy summary line) */
double kvg_vspec_mean(const struct kvg_vspec *v);

/* ---- value contents ----------------------------------------------------------
 * A value of record r, version v: a 16-byte header ("kvb1", r as LE u32,
 * v as LE u64) then bytes from a generator seeded by (r, v); so any value
 * read back can be checked alone, and a value shorter than 16 bytes is the
 * first bytes of that header.
 */
#define KVG_VHDR	16

enum kvg_vcheck {
	KVG_VOK,
	KVG_VSHORT,	/* shorter than the header: cannot be checked */
	KVG_VMAGIC,	/* no kvbench header */
	KVG_VRECORD,	/* header of another record */
	KVG_VPAYLOAD,	/* payload differs from (record, version) */
};

void kvg_value_fill(uint8_t *p, uint32_t len, uint64_t rec, uint64_t ver);
/*
 * Check @len bytes (a prefix of the value if it was truncated) against
 * record @rec; *ver = the version in the header, *bad = first offset that
 * differs (KVG_VPAYLOAD).
 */
enum kvg_vcheck kvg_value_check(const uint8_t *p, uint32_t len, uint64_t rec,
				uint64_t *ver, uint32_t *bad);
const char *kvg_vcheck_str(enum kvg_vcheck c);

/* ---- operation mixes and presets ------------------------------------------- */

struct kvg_mix {
	double cum[KVG_NOPS];	/* cumulative proportions, last one 1.0 */
};

/* -1 if a proportion is negative or all are zero */
int kvg_mix_init(struct kvg_mix *m, const double prop[KVG_NOPS]);
enum kvg_op kvg_mix_pick(const struct kvg_mix *m, double u);

struct kvg_preset {
	const char *name;
	double prop[KVG_NOPS];	/* run phase; all zero: load only */
	enum kvg_dist dist;
	bool load;		/* load the records first (phase "both") */
	const char *what;
};

extern const struct kvg_preset kvg_presets[];
const struct kvg_preset *kvg_preset_find(const char *name);

/* ---- latency histogram -------------------------------------------------------
 * Values (nanoseconds) below 32 exactly, above in 16 sub-buckets per power
 * of two: a bucket's width is at most 1/16 of its lower bound.
 */
#define KVG_HIST_SUB_BITS	4
#define KVG_HIST_SUB		(1u << KVG_HIST_SUB_BITS)
#define KVG_HIST_BUCKETS	(2 * KVG_HIST_SUB + (64 - KVG_HIST_SUB_BITS - 1) * KVG_HIST_SUB)

struct kvg_hist {
	uint64_t count, sum, min, max;
	uint64_t b[KVG_HIST_BUCKETS];
};

void kvg_hist_init(struct kvg_hist *h);
void kvg_hist_add(struct kvg_hist *h, uint64_t v);
void kvg_hist_merge(struct kvg_hist *dst, const struct kvg_hist *src);
unsigned int kvg_hist_index(uint64_t v);
uint64_t kvg_hist_lo(unsigned int i);
uint64_t kvg_hist_hi(unsigned int i);
/*
 * Nearest rank: the bucket holding the ceil(q * count)-th smallest value;
 * its upper bound, clamped to [min, max] (q = 1 gives max exactly). 0 for
 * an empty histogram.
 */
uint64_t kvg_hist_pct(const struct kvg_hist *h, double q);

#endif /* KVGEN_H */
