// SPDX-License-Identifier: GPL-2.0
/*
 * kvbench - a YCSB-style workload generator for the nvmev-kv KV-SSD,
 * through the real Linux NVMe driver: synchronous passthrough ioctls
 * (NVME_IOCTL_IO64_CMD) or io_uring passthrough (IORING_OP_URING_CMD on
 * /dev/ngXnY), T threads x Q commands in flight, either length coding.
 *
 *   kvbench DEV --workload W [--records N] [--ops N | --duration S] ...
 *   kvbench DEV [--ops N] [--size BYTES] [--keys K]     (no --workload)
 *   kvbench --key-of RECORD [--key-len L|A-B] [--scan-group G]
 *
 * Workloads (--workload): ycsb-a .. ycsb-f (A 50/50 read/update, B 95/5,
 * C read only, all Zipfian; D 95% read latest + 5% insert; E 95% short
 * scans through the iterate commands + 5% insert; F 50% read + 50%
 * read-modify-write), load (insert the records: --load-order seq|random),
 * read, update, rmw, delete, scan, mix (--read-ratio R reads, the rest
 * updates). The YCSB presets load the records first (--phase both); the
 * others run on records that are there (--phase run). --read P --update P
 * --insert P --scan P --rmw P --delete P set the run phase's mix.
 *
 * Keys (kvgen.h): record r has a printable key of --key-len bytes (fixed,
 * or a range A-B up to 16) whose first 4 bytes name its group of
 * --scan-group records: a scan opens an iterator on that prefix, reads
 * 1..--scan-len entries (keys and values) and closes it. Key choice
 * --dist uniform|zipfian|latest|sequential (YCSB's scrambled Zipfian,
 * --theta, default 0.99). Values --value-size 4096 | 100-4096 |
 * 100:5,4096:3,64K:2 (sizes with weights), up to 2 MiB; each value
 * carries (record, version) in a 16-byte header and a payload derived from
 * both, so --verify can check every value read: the header, the payload,
 * and that the version is the last one this run stored (a record has one
 * command in flight at a time under --verify).
 *
 * Output: ops/s and MB/s per phase, latency mean/p50/p90/p99/p99.9/max
 * per operation (microseconds), a log-bucketed histogram, ops per second;
 * --json FILE, --csv FILE, --plot FILE.png (gnuplot: latency CDF per
 * operation, throughput over time). The first line is always
 *   kvbench: ops=N size=S seconds=T ops_per_s=R
 * (the run phase, or the load). Exit status: 0, 1 on any command error or
 * verify failure, 2 on a usage error.
 *
 * Without --workload, the queue-depth-1 store+retrieve loop scripts/bench
 * uses to compare module builds: --ops N commands, alternately a store of
 * --size bytes and a retrieve of it (compared) over --keys keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

#include "kvgen.h"
#include "kvlib.h"
#include "kvuring_lib.h"

extern char **environ;

#define MAX_THREADS	64
#define MAX_QD		256
#define MAX_SCANS	8	/* iterators open at once (the device has 16) */
#define MAX_SECONDS	86400
#define TICK_NS		100000000ull	/* plot resolution of short runs */
#define MAX_TICKS	6000		/* the first 600 s */
#define MAX_REPORTED	10	/* errors / verify failures printed */
#define VER_DELETED	UINT64_MAX
#define HUGE_SZ		(2u << 20)

enum phase { PH_LOAD, PH_RUN, NPHASES };
static const char *const phase_name[NPHASES] = { "load", "run" };

/* ---- options --------------------------------------------------------------- */

static struct {
	const char *dev;
	const char *workload;
	const struct kvg_preset *preset;
	double prop[KVG_NOPS];
	bool custom_mix;
	double read_ratio;
	uint64_t records, ops;
	double duration, warmup;
	int phase;		/* bit 0 load, bit 1 run; 0 = the preset's */
	bool uring;
	int mode_set;
	unsigned int threads, qd;
	enum kvg_dist dist;
	bool dist_set;
	double theta;
	unsigned int kmin, kmax, scan_len, scan_group;
	struct kvg_vspec vspec;
	const char *vspec_str;
	bool load_random;
	bool verify;
	uint64_t seed;
	const char *json, *csv, *plot;
	double progress;
	int coding;		/* -1: the module's */
	enum kv_cset cset;	/* vendor commands, or the KV command set */
	long long key_of;
	/* the legacy loop */
	uint32_t size;
	unsigned long keys;
} opt = {
	.records = 1000, .threads = 1, .qd = 1, .dist = KVG_UNIFORM,
	.theta = 0.99, .kmin = 16, .kmax = 16, .scan_len = 100,
	.scan_group = 100, .seed = 1, .progress = 10, .coding = -1,
	.key_of = -1, .read_ratio = 0.5, .size = 4096, .keys = 1000,
	.vspec_str = "4096",
};

/* ---- shared run state --------------------------------------------------------- */

static struct kvg_keyspec keyspec;
static uint32_t rbuf_len;	/* retrieve buffer */
static uint32_t scan_entry_max;	/* one iterate entry, keys and values */
static uint32_t scan_entry_mean;	/* the same at the mean value size */
static uint8_t scan_option;	/* KV_ITER_KEY_VALUE, or KEY for huge values */
static size_t slot_buf_len;
static enum kv_coding coding;
static uint64_t insert_cap;	/* record ids below this */
static uint64_t chooser_n;	/* records + expected inserts (zipfian) */
static struct kvg_mix run_mix;

static _Atomic uint64_t next_insert;	/* next new record id */
static _Atomic uint64_t inserted;	/* run-phase inserts completed */
static _Atomic uint64_t next_version;
static _Atomic uint64_t claimed;	/* measured ops claimed in this phase */
static _Atomic uint64_t seq;		/* load index / sequential chooser */
static _Atomic int stop_flag, measuring, scans_open;
static _Atomic uint64_t measure_start;	/* ns, CLOCK_MONOTONIC */
static _Atomic uint64_t *sec_ops[NPHASES], *sec_bytes[NPHASES];
static _Atomic uint64_t *tick_ops[NPHASES];	/* per 100 ms, for plots */
static _Atomic uint64_t done_ops;	/* measured ops completed (progress) */
static _Atomic unsigned int reported_errors, reported_vfail;
static enum phase cur_phase;
static uint64_t phase_target;		/* measured ops of this phase, 0: time */

/* --verify: one command per record in flight; the version last stored */
static _Atomic uint8_t *rec_busy;
static uint64_t *rec_ver;		/* 0 unknown, VER_DELETED, else version */

struct phase_result {
	bool ran;
	double seconds;
	uint64_t ops, bytes;
	unsigned int nsec;
};
static struct phase_result phres[NPHASES];

/* ---- per thread -------------------------------------------------------------------- */

struct slot {
	bool used;
	enum kvg_op op;
	int step;
	bool measured;
	uint64_t rec, ver, t0, bytes;
	uint32_t len;
	uint8_t key[KVG_MAX_KEY];
	unsigned int klen;
	uint8_t *buf;
	struct nvme_passthru_cmd64 cmd;
	/* scans */
	uint32_t handle, want, got, reads;
	bool scan_err;
};

struct worker {
	pthread_t tid;
	unsigned int idx;
	struct kv_dev d;
	int ngfd;
	struct io_uring ring;
	bool ring_ok;
	struct kvg_rng rng;
	struct kvg_keygen kg;
	struct slot *slots;
	unsigned int nslots;
	struct kvg_hist hist[NPHASES][KVG_NOPS];
	uint64_t bytes[NPHASES][KVG_NOPS];
	uint64_t errors, notfound, vfail, foreign, scan_records;
	uint64_t t_end;		/* when it ran out of work (ns) */
	int fatal;
};

static struct worker *workers;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *alloc_buf(size_t len)
{
	uint8_t *m, *p;
	size_t map;

	len = (len + 4095) & ~(size_t)4095;
	if (len <= (256u << 10)) {
		p = aligned_alloc(4096, len);
		if (p)
			memset(p, 0, len);
		return p;
	}
	/*
	 * Huge-page backed and aligned, as kvlib's buffer: the driver maps a
	 * transfer of up to 2 MiB as few physically contiguous segments.
	 */
	map = ((len + HUGE_SZ - 1) & ~(size_t)(HUGE_SZ - 1)) + HUGE_SZ;
	m = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	p = (uint8_t *)(((uintptr_t)m + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1));
	madvise(p, map - (size_t)(p - m), MADV_HUGEPAGE);
	memset(p, 0, len);
	return p;
}

static void key_print(const struct slot *s, char *out, size_t n)
{
	kvg_key_str(s->key, s->klen, out, n);
}

static void report_error(struct worker *w, const struct slot *s, const char *what,
			 int st)
{
	char k[80];

	w->errors++;
	if (atomic_fetch_add(&reported_errors, 1) >= MAX_REPORTED)
		return;
	key_print(s, k, sizeof(k));
	fprintf(stderr, "kvbench: %s of key '%s' (record %llu): %s\n", what, k,
		(unsigned long long)s->rec, kv_status_str(st));
}

static void verify_fail(struct worker *w, const char *kstr, uint64_t rec,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void verify_fail(struct worker *w, const char *kstr, uint64_t rec,
			const char *fmt, ...)
{
	va_list ap;

	w->vfail++;
	if (atomic_fetch_add(&reported_vfail, 1) >= MAX_REPORTED)
		return;
	fprintf(stderr, "kvbench: VERIFY FAILED: key '%s' (record %llu): ", kstr,
		(unsigned long long)rec);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- choosing the next operation -------------------------------------------------- */

enum claim { CLAIM_OK, CLAIM_LATER, CLAIM_DONE };

static uint64_t load_record(uint64_t i)
{
	static uint64_t mult;

	if (!opt.load_random)
		return i;
	if (!mult)
		mult = kvg_perm_mult(opt.records);
	return kvg_perm(i, opt.records, mult);
}

static bool rec_lock(uint64_t rec)
{
	if (!rec_busy)
		return true;
	return !atomic_exchange_explicit(&rec_busy[rec], 1, memory_order_acquire);
}

static void rec_unlock(uint64_t rec)
{
	if (rec_busy)
		atomic_store_explicit(&rec_busy[rec], 0, memory_order_release);
}

static uint64_t existing_count(void)
{
	return opt.records + atomic_load(&inserted);
}

/* A record for @op other than insert; false if all tried were busy. */
static bool pick_record(struct worker *w, enum kvg_op op, uint64_t *rec)
{
	uint64_t count = existing_count(), r;
	int tries;

	if (op == KVG_SCAN && opt.dist == KVG_SEQUENTIAL)
		count = opt.records;
	for (tries = 0; tries < 64; tries++) {
		if (opt.dist == KVG_SEQUENTIAL)
			r = atomic_fetch_add(&seq, 1) % count;
		else
			r = kvg_keygen_next(&w->kg, &w->rng, count);
		if (op == KVG_SCAN || rec_lock(r)) {
			*rec = r;
			return true;
		}
	}
	return false;
}

static enum claim claim_op(struct worker *w, struct slot *s)
{
	uint64_t i;

	if (atomic_load(&stop_flag) || w->fatal)
		return CLAIM_DONE;
	if (cur_phase == PH_LOAD) {
		i = atomic_fetch_add(&seq, 1);
		if (i >= opt.records)
			return CLAIM_DONE;
		s->op = KVG_INSERT;
		s->rec = load_record(i);
		s->measured = true;
		rec_lock(s->rec);
		return CLAIM_OK;
	}
	s->measured = atomic_load(&measuring);
	if (s->measured && phase_target &&
	    atomic_fetch_add(&claimed, 1) >= phase_target)
		return CLAIM_DONE;
	s->op = kvg_mix_pick(&run_mix, kvg_unit(&w->rng));
	if (s->op == KVG_INSERT) {
		i = atomic_fetch_add(&next_insert, 1);
		if (i < insert_cap) {
			s->rec = i;
			rec_lock(i);
			return CLAIM_OK;
		}
		s->op = KVG_UPDATE; /* the key space is full: update instead */
	}
	if (s->op == KVG_SCAN) {
		int n = atomic_load(&scans_open);

		do {
			if (n >= MAX_SCANS)
				goto later;
		} while (!atomic_compare_exchange_weak(&scans_open, &n, n + 1));
	}
	if (pick_record(w, s->op, &s->rec))
		return CLAIM_OK;
	if (s->op == KVG_SCAN)
		atomic_fetch_sub(&scans_open, 1);
later:
	if (s->measured && phase_target)
		atomic_fetch_sub(&claimed, 1);
	return CLAIM_LATER;
}

/* ---- commands of each step ------------------------------------------------------------ */

static void build_store(struct worker *w, struct slot *s)
{
	uint32_t len = kvg_vsize(&opt.vspec, kvg_next(&w->rng));

	if (opt.verify && len < KVG_VHDR)
		len = KVG_VHDR;
	s->ver = atomic_fetch_add(&next_version, 1);
	s->len = len;
	kvg_value_fill(s->buf, len, s->rec, s->ver);
	kv_build(&w->d, &s->cmd, KV_OP_STORE, s->key, s->klen, s->buf, len, 0);
}

static void build_retrieve(struct worker *w, struct slot *s)
{
	kv_build(&w->d, &s->cmd, KV_OP_RETRIEVE, s->key, s->klen, s->buf, rbuf_len, 0);
}

static void build_scan_read(struct worker *w, struct slot *s)
{
	/*
	 * The device returns whatever fits: room for the records still wanted
	 * at the mean value size, and for at least one of the largest.
	 */
	uint64_t len = (uint64_t)(s->want - s->got) * scan_entry_mean + 4;

	if (len < scan_entry_max + 4)
		len = scan_entry_max + 4;
	if (len > KV_MAX_VALUE)
		len = KV_MAX_VALUE;
	kv_build_iter_read(&w->d, &s->cmd, s->handle, s->buf, (uint32_t)len);
}

/* Prepare the first command of the op claimed into @s. */
static void slot_begin(struct worker *w, struct slot *s)
{
	s->used = true;
	s->step = 0;
	s->bytes = 0;
	s->klen = kvg_key(&keyspec, s->rec, s->key);
	s->t0 = now_ns();
	switch (s->op) {
	case KVG_READ:
	case KVG_RMW:
		build_retrieve(w, s);
		break;
	case KVG_UPDATE:
	case KVG_INSERT:
		build_store(w, s);
		break;
	case KVG_DELETE:
		kv_build(&w->d, &s->cmd, KV_OP_DELETE, s->key, s->klen, NULL, 0, 0);
		break;
	case KVG_SCAN:
		s->want = 1 + (uint32_t)(kvg_next(&w->rng) % opt.scan_len);
		s->got = 0;
		s->reads = 0;
		s->scan_err = false;
		if (opt.cset == KV_CSET_STD) {
			/* the KV set: one List of the keys from the record's on */
			uint64_t len = 4 + (uint64_t)s->want * kv_list_entry_size(opt.kmax);

			if (len > slot_buf_len - 4)
				len = slot_buf_len - 4;
			s->len = (uint32_t)len;
			kv_build_list(&w->d, &s->cmd, s->key, s->klen, s->buf, s->len);
			break;
		}
		kv_build_iter_ctl(&w->d, &s->cmd, KV_ITER_OPEN | scan_option, 0,
				  kvg_key_group_prefix(&keyspec, s->rec), 0xffffffffu);
		break;
	default:
		break;
	}
}

/* A Retrieve completed (read, or the read of a read-modify-write). */
static void check_read(struct worker *w, struct slot *s, int st, uint32_t dw0)
{
	uint64_t known = rec_ver ? rec_ver[s->rec] : 0, ver;
	enum kvg_vcheck c;
	uint32_t n, bad;
	char k[80];

	if (st == kv_sc(&w->d, KV_SC_NO_KEY)) {
		w->notfound++;
		if (opt.verify && known && known != VER_DELETED) {
			key_print(s, k, sizeof(k));
			verify_fail(w, k, s->rec, "key does not exist, but this run stored version %llu",
				    (unsigned long long)known);
		}
		return;
	}
	if (st) {
		report_error(w, s, "retrieve", st);
		return;
	}
	n = dw0 < rbuf_len ? dw0 : rbuf_len;
	s->bytes += n;
	if (!opt.verify)
		return;
	key_print(s, k, sizeof(k));
	c = kvg_value_check(s->buf, n, s->rec, &ver, &bad);
	if (c != KVG_VOK) {
		verify_fail(w, k, s->rec, "%s (value size %u, first bad byte %u)",
			    kvg_vcheck_str(c), dw0, c == KVG_VPAYLOAD ? bad : 0);
	} else if (known == VER_DELETED) {
		verify_fail(w, k, s->rec, "read version %llu of a key this run deleted",
			    (unsigned long long)ver);
	} else if (known && ver != known) {
		verify_fail(w, k, s->rec, "read version %llu, this run last stored version %llu",
			    (unsigned long long)ver, (unsigned long long)known);
	}
}

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walk an iterate read's output: count entries, verify values. */
static void parse_scan(struct worker *w, struct slot *s, uint32_t bytes)
{
	const uint8_t *p = s->buf;
	uint32_t count, i, pos = 4, klen, vlen, bad;
	uint64_t rec, ver;
	enum kvg_vcheck c;
	char k[80];

	if (bytes < 4 || bytes > KV_MAX_VALUE) {
		s->scan_err = true;
		report_error(w, s, "iterate read (output size)", KV_SC_VALUE_SIZE);
		return;
	}
	count = get_u32(p);
	for (i = 0; i < count; i++) {
		if (pos + 4 > bytes)
			break;
		klen = get_u32(p + pos);
		pos += 4;
		if (!klen || klen > KV_MAX_KEY || pos + ((klen + 3) & ~3u) > bytes)
			break;
		kvg_key_str(p + pos, klen, k, sizeof(k));
		if (kvg_key_record(&keyspec, p + pos, klen, &rec)) {
			w->foreign++;
			rec = UINT64_MAX;
		}
		pos += (klen + 3) & ~3u;
		if (scan_option == KV_ITER_KEY_VALUE) {
			if (pos + 4 > bytes)
				break;
			vlen = get_u32(p + pos);
			pos += 4;
			if (vlen > bytes - pos || ((vlen + 3) & ~3u) > bytes - pos)
				break;
			if (opt.verify && rec != UINT64_MAX) {
				c = kvg_value_check(p + pos, vlen, rec, &ver, &bad);
				if (c != KVG_VOK)
					verify_fail(w, k, rec, "scan: %s (value size %u, first bad byte %u)",
						    kvg_vcheck_str(c), vlen,
						    c == KVG_VPAYLOAD ? bad : 0);
			}
			pos += (vlen + 3) & ~3u;
		}
	}
	if (i < count) {
		s->scan_err = true;
		w->errors++;
		if (atomic_fetch_add(&reported_errors, 1) < MAX_REPORTED)
			fprintf(stderr, "kvbench: iterate read: entry %u of %u runs past the %u bytes written\n",
				i, count, bytes);
	}
	s->got += i;
	w->scan_records += i;
}

/*
 * A List (the KV set's scan) completed: whole entries, in key order, the
 * first one not below the record's key (which is returned first when it
 * exists).
 */
static void parse_list(struct worker *w, struct slot *s, int st)
{
	uint32_t bad = 0, i, pos = 4;
	uint8_t prev[KV_MAX_KEY];
	unsigned int plen = 0;
	int n;

	if (st) {
		report_error(w, s, "list", st);
		s->scan_err = true;
		return;
	}
	n = kv_list_parse(s->buf, s->len, NULL, 0, &bad);
	if (n < 0) {
		s->scan_err = true;
		w->errors++;
		if (atomic_fetch_add(&reported_errors, 1) < MAX_REPORTED)
			fprintf(stderr, "kvbench: list: malformed output at byte %u of %u\n", bad,
				s->len);
		return;
	}
	/* the order: each key above the one before, the first not below the start */
	memcpy(prev, s->key, s->klen);
	plen = s->klen;
	for (i = 0; i < (uint32_t)n; i++) {
		uint32_t kl = s->buf[pos] | (uint32_t)s->buf[pos + 1] << 8;
		int c = kv_key_cmp(s->buf + pos + 2, kl, prev, plen);

		if (c < 0 || (c == 0 && i)) {
			char k[80];

			kvg_key_str(s->buf + pos + 2, kl, k, sizeof(k));
			s->scan_err = true;
			w->errors++;
			if (atomic_fetch_add(&reported_errors, 1) < MAX_REPORTED)
				fprintf(stderr, "kvbench: list: key '%s' (entry %u) out of order\n", k, i);
			break;
		}
		memcpy(prev, s->buf + pos + 2, kl);
		plen = kl;
		pos += kv_list_entry_size(kl);
	}
	s->got = (uint32_t)n;
	s->bytes += pos;
	w->scan_records += (uint32_t)n;
}

/*
 * The current command of @s completed with @st / @dw0: account for it and
 * either build the next command of the op (true) or finish the op (false).
 */
static bool slot_step_done(struct worker *w, struct slot *s, int st, uint32_t dw0)
{
	switch (s->op) {
	case KVG_READ:
		check_read(w, s, st, dw0);
		return false;
	case KVG_RMW:
		if (s->step == 0) {
			check_read(w, s, st, dw0);
			s->step = 1;
			build_store(w, s);
			return true;
		}
		/* the store */
		__attribute__((fallthrough));
	case KVG_UPDATE:
	case KVG_INSERT:
		if (st) {
			report_error(w, s, "store", st);
			if (st == kv_sc(&w->d, KV_SC_CAPACITY) || st < 0)
				w->fatal = 1;
			return false;
		}
		s->bytes += s->len;
		if (rec_ver)
			rec_ver[s->rec] = s->ver;
		if (s->op == KVG_INSERT && cur_phase == PH_RUN)
			atomic_fetch_add(&inserted, 1);
		return false;
	case KVG_DELETE:
		if (st == kv_sc(&w->d, KV_SC_NO_KEY)) {
			w->notfound++;
			if (rec_ver && rec_ver[s->rec] && rec_ver[s->rec] != VER_DELETED) {
				char k[80];

				key_print(s, k, sizeof(k));
				verify_fail(w, k, s->rec, "delete: key does not exist, but this run stored version %llu",
					    (unsigned long long)rec_ver[s->rec]);
			}
		} else if (st) {
			report_error(w, s, "delete", st);
		} else if (rec_ver) {
			rec_ver[s->rec] = VER_DELETED;
		}
		return false;
	case KVG_SCAN:
		if (opt.cset == KV_CSET_STD) {
			parse_list(w, s, st);
			return false;
		}
		switch (s->step) {
		case 0: /* open */
			if (st) {
				report_error(w, s, "iterate open", st);
				return false;
			}
			s->handle = dw0;
			s->step = 1;
			build_scan_read(w, s);
			return true;
		case 1: /* read */
			s->reads++;
			if (st == KV_SC_OK) {
				s->bytes += dw0;
				parse_scan(w, s, dw0);
			} else if (st != KV_SC_ITER_END) {
				report_error(w, s, "iterate read", st);
				s->scan_err = true;
			}
			if (st == KV_SC_OK && !s->scan_err && s->got < s->want &&
			    s->reads < 64) {
				build_scan_read(w, s);
				return true;
			}
			s->step = 2;
			kv_build_iter_ctl(&w->d, &s->cmd, KV_ITER_CLOSE, s->handle, 0, 0);
			return true;
		default: /* close */
			if (st)
				report_error(w, s, "iterate close", st);
			return false;
		}
	default:
		return false;
	}
}

static void slot_finish(struct worker *w, struct slot *s)
{
	uint64_t t1 = now_ns(), ms;
	enum phase ph = cur_phase;

	if (s->op == KVG_SCAN)
		atomic_fetch_sub(&scans_open, 1);
	if (s->op != KVG_SCAN)
		rec_unlock(s->rec);
	s->used = false;
	if (!s->measured)
		return;
	kvg_hist_add(&w->hist[ph][s->op], t1 - s->t0);
	w->bytes[ph][s->op] += s->bytes;
	ms = atomic_load(&measure_start);
	if (t1 >= ms) {
		uint64_t sec = (t1 - ms) / 1000000000ull;

		if (sec >= MAX_SECONDS)
			sec = MAX_SECONDS - 1;
		atomic_fetch_add_explicit(&sec_ops[ph][sec], 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&sec_bytes[ph][sec], s->bytes, memory_order_relaxed);
		if ((t1 - ms) / TICK_NS < MAX_TICKS)
			atomic_fetch_add_explicit(&tick_ops[ph][(t1 - ms) / TICK_NS], 1,
						  memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&done_ops, 1, memory_order_relaxed);
}

/* ---- engines ------------------------------------------------------------------------------ */

static int sync_cmd(struct worker *w, struct slot *s, uint32_t *dw0)
{
	int ret = ioctl(w->d.fd, NVME_IOCTL_IO64_CMD, &s->cmd);

	if (ret < 0)
		return -errno;
	*dw0 = (uint32_t)s->cmd.result;
	return ret & 0x7ff;
}

static void run_sync(struct worker *w)
{
	struct slot *s = &w->slots[0];
	enum claim c;
	uint32_t dw0;
	int st;

	for (;;) {
		c = claim_op(w, s);
		if (c == CLAIM_DONE)
			break;
		if (c == CLAIM_LATER) {
			sched_yield();
			continue;
		}
		slot_begin(w, s);
		do {
			dw0 = 0;
			st = sync_cmd(w, s, &dw0);
		} while (slot_step_done(w, s, st, dw0));
		slot_finish(w, s);
	}
}

static void run_uring(struct worker *w)
{
	unsigned int inflight = 0, i, n, head;
	bool more = true;
	int ret;

	for (;;) {
		struct io_uring_cqe *cqe;
		bool later = false;

		for (i = 0; more && i < w->nslots; i++) {
			struct slot *s = &w->slots[i];
			enum claim c;

			if (s->used)
				continue;
			c = claim_op(w, s);
			if (c == CLAIM_DONE) {
				more = false;
				break;
			}
			if (c == CLAIM_LATER) {
				later = true;
				continue;
			}
			slot_begin(w, s);
			if (kvu_queue(&w->ring, w->ngfd, &s->cmd, i)) {
				fprintf(stderr, "kvbench: io_uring SQ full\n");
				w->fatal = 1;
				s->measured = false;
				slot_finish(w, s);
				continue;
			}
			inflight++;
		}
		if (!inflight) {
			if (!more)
				break;
			if (later)
				sched_yield();
			continue;
		}
		ret = io_uring_submit_and_wait(&w->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			fprintf(stderr, "kvbench: io_uring submit: %s\n", strerror(-ret));
			w->fatal = 1;
			w->errors++;
			break;
		}
		n = 0;
		io_uring_for_each_cqe(&w->ring, head, cqe) {
			struct slot *s = &w->slots[cqe->user_data];

			n++;
			if (slot_step_done(w, s, kvu_status(cqe), kvu_dw0(cqe))) {
				if (!kvu_queue(&w->ring, w->ngfd, &s->cmd, cqe->user_data))
					continue;
				/* cannot happen: one SQE per slot at most */
				w->fatal = 1;
			}
			slot_finish(w, s);
			inflight--;
		}
		io_uring_cq_advance(&w->ring, n);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (opt.uring)
		run_uring(w);
	else
		run_sync(w);
	w->t_end = now_ns();
	return NULL;
}

/* ---- one phase ------------------------------------------------------------------------------ */

static int run_phase(enum phase ph)
{
	uint64_t t0, tend, last_print, last_ops = 0;
	unsigned int i, nsec;
	double secs;

	cur_phase = ph;
	atomic_store(&seq, 0);
	atomic_store(&claimed, 0);
	atomic_store(&stop_flag, 0);
	atomic_store(&done_ops, 0);
	phase_target = ph == PH_LOAD ? opt.records : opt.ops;
	t0 = now_ns();
	if (ph == PH_RUN && opt.warmup > 0) {
		atomic_store(&measuring, 0);
		atomic_store(&measure_start, UINT64_MAX);
	} else {
		atomic_store(&measure_start, t0);
		atomic_store(&measuring, 1);
	}
	for (i = 0; i < opt.threads; i++)
		if (pthread_create(&workers[i].tid, NULL, worker_main, &workers[i])) {
			fprintf(stderr, "kvbench: cannot start thread %u\n", i);
			return -1;
		}
	last_print = t0;
	/* the main thread: warm-up, duration, progress */
	for (;;) {
		uint64_t now = now_ns(), ms = atomic_load(&measure_start);
		bool all_done = true;

		for (i = 0; i < opt.threads; i++) {
			if (!workers[i].tid)
				continue;
			if (pthread_tryjoin_np(workers[i].tid, NULL) == EBUSY)
				all_done = false;
			else
				workers[i].tid = 0;
		}
		if (all_done)
			break;
		if (ms == UINT64_MAX && now - t0 >= (uint64_t)(opt.warmup * 1e9)) {
			atomic_store(&measure_start, now);
			atomic_store(&measuring, 1);
			ms = now;
		}
		if (ph == PH_RUN && opt.duration > 0 && ms != UINT64_MAX &&
		    now - ms >= (uint64_t)(opt.duration * 1e9))
			atomic_store(&stop_flag, 1);
		if (opt.progress > 0 && now - last_print >= (uint64_t)(opt.progress * 1e9)) {
			uint64_t d = atomic_load(&done_ops);

			fprintf(stderr, "kvbench: %s %.0f s: %llu ops, %.0f ops/s now, %.0f ops/s average\n",
				phase_name[ph], (now - t0) / 1e9, (unsigned long long)d,
				(d - last_ops) / ((now - last_print) / 1e9),
				ms != UINT64_MAX && now > ms ? d / ((now - ms) / 1e9) : 0.0);
			last_ops = d;
			last_print = now;
		}
		usleep(20000);
	}
	/* join: tryjoin above reaped them; tid 0 marks that */
	for (i = 0; i < opt.threads; i++)
		if (workers[i].tid)
			pthread_join(workers[i].tid, NULL);
	/* the phase ends with its last worker (not with this thread's polling) */
	for (i = 0, tend = 0; i < opt.threads; i++)
		if (workers[i].t_end > tend)
			tend = workers[i].t_end;
	secs = ((double)tend - (double)atomic_load(&measure_start)) / 1e9;
	phres[ph].ran = true;
	phres[ph].seconds = secs > 0 ? secs : 1e-9;
	nsec = (unsigned int)ceil(phres[ph].seconds);
	phres[ph].nsec = nsec > MAX_SECONDS ? MAX_SECONDS : (nsec ? nsec : 1);
	for (i = 0; i < opt.threads; i++) {
		int op;

		for (op = 0; op < KVG_NOPS; op++) {
			phres[ph].ops += workers[i].hist[ph][op].count;
			phres[ph].bytes += workers[i].bytes[ph][op];
		}
	}
	for (i = 0; i < opt.threads; i++)
		if (workers[i].fatal)
			return -1;
	return 0;
}

/* ---- reports ----------------------------------------------------------------------------------- */

struct op_total {
	struct kvg_hist h;
	uint64_t bytes;
	double seconds;		/* of the phases it ran in */
};

static struct op_total totals[KVG_NOPS];
static struct op_total ph_totals[NPHASES][KVG_NOPS];

static void merge_results(void)
{
	unsigned int i;
	int ph, op;

	for (op = 0; op < KVG_NOPS; op++) {
		kvg_hist_init(&totals[op].h);
		for (ph = 0; ph < NPHASES; ph++)
			kvg_hist_init(&ph_totals[ph][op].h);
	}
	for (ph = 0; ph < NPHASES; ph++)
		for (op = 0; op < KVG_NOPS; op++) {
			struct op_total *t = &ph_totals[ph][op];

			for (i = 0; i < opt.threads; i++) {
				kvg_hist_merge(&t->h, &workers[i].hist[ph][op]);
				t->bytes += workers[i].bytes[ph][op];
			}
			t->seconds = phres[ph].seconds;
			if (!t->h.count)
				continue;
			kvg_hist_merge(&totals[op].h, &t->h);
			totals[op].bytes += t->bytes;
			totals[op].seconds += phres[ph].seconds;
		}
}

static double us(uint64_t ns)
{
	return ns / 1000.0;
}

static double mbs(uint64_t bytes, double s)
{
	return s > 0 ? bytes / s / 1e6 : 0;
}

static uint64_t sum_workers(size_t off)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < opt.threads; i++)
		t += *(uint64_t *)((char *)&workers[i] + off);
	return t;
}

#define SUM(field) sum_workers(offsetof(struct worker, field))

static enum phase main_phase(void)
{
	return phres[PH_RUN].ran ? PH_RUN : PH_LOAD;
}

static const char *dist_desc(char *b, size_t n)
{
	if (opt.dist == KVG_ZIPFIAN || opt.dist == KVG_LATEST)
		snprintf(b, n, "%s theta %.2f", kvg_dist_name[opt.dist], opt.theta);
	else
		snprintf(b, n, "%s", kvg_dist_name[opt.dist]);
	return b;
}

static void print_op_line(FILE *f, const char *name, const struct op_total *t)
{
	const struct kvg_hist *h = &t->h;

	fprintf(f, "%-7s %9llu %10.1f %8.2f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", name,
		(unsigned long long)h->count, h->count / t->seconds,
		mbs(t->bytes, t->seconds), us(h->sum / h->count),
		us(kvg_hist_pct(h, 0.5)), us(kvg_hist_pct(h, 0.9)),
		us(kvg_hist_pct(h, 0.99)), us(kvg_hist_pct(h, 0.999)), us(h->max));
}

static void print_text(void)
{
	enum phase mp = main_phase();
	char d[64];
	unsigned int s;
	int ph, op, oct;

	printf("kvbench: ops=%llu size=%.0f seconds=%.3f ops_per_s=%.0f\n",
	       (unsigned long long)phres[mp].ops, kvg_vspec_mean(&opt.vspec),
	       phres[mp].seconds, phres[mp].ops / phres[mp].seconds);
	printf("workload %s (%s): %s, %u thread%s x qd %u, %s, %s\n",
	       opt.workload, opt.custom_mix ? "custom mix" : opt.preset->what,
	       opt.uring ? "io_uring passthrough" : "sync ioctl", opt.threads,
	       opt.threads > 1 ? "s" : "", opt.qd,
	       opt.cset == KV_CSET_STD ? "KV command set" :
	       coding == KV_CODING_SAMSUNG ? "coding samsung" : "coding bytes", opt.dev);
	printf("  records %llu, keys %s, %u-%u bytes, values %s bytes, verify %s, seed %llu\n",
	       (unsigned long long)opt.records, dist_desc(d, sizeof(d)), opt.kmin,
	       opt.kmax, opt.vspec_str, opt.verify ? "on" : "off",
	       (unsigned long long)opt.seed);
	printf("%-7s %9s %10s %8s\n", "phase", "ops", "ops/s", "MB/s");
	for (ph = 0; ph < NPHASES; ph++)
		if (phres[ph].ran)
			printf("%-7s %9llu %10.1f %8.2f   (%.3f s)\n", phase_name[ph],
			       (unsigned long long)phres[ph].ops,
			       phres[ph].ops / phres[ph].seconds,
			       mbs(phres[ph].bytes, phres[ph].seconds), phres[ph].seconds);
	printf("%-7s %9s %10s %8s %9s %9s %9s %9s %9s %9s   (latency in us)\n", "op",
	       "count", "ops/s", "MB/s", "mean", "p50", "p90", "p99", "p99.9", "max");
	for (op = 0; op < KVG_NOPS; op++)
		if (totals[op].h.count)
			print_op_line(stdout, kvg_op_name[op], &totals[op]);
	/* octave histogram: a row per power of two of microseconds */
	printf("histogram (operations per latency bucket, us):\n%10s", "< us");
	for (op = 0; op < KVG_NOPS; op++)
		if (totals[op].h.count)
			printf(" %9s", kvg_op_name[op]);
	printf("\n");
	for (oct = 0; oct < 40; oct++) {
		uint64_t cnt[KVG_NOPS] = { 0 }, any = 0;
		unsigned int b;

		for (op = 0; op < KVG_NOPS; op++)
			for (b = 0; b < KVG_HIST_BUCKETS; b++) {
				uint64_t lo_us = kvg_hist_lo(b) / 1000;
				int o = 0;

				while (o < 39 && (1ull << o) <= lo_us)
					o++;
				if (o == oct)
					cnt[op] += totals[op].h.b[b];
			}
		for (op = 0; op < KVG_NOPS; op++)
			any += cnt[op];
		if (!any)
			continue;
		printf("%10llu", 1ull << oct);
		for (op = 0; op < KVG_NOPS; op++)
			if (totals[op].h.count)
				printf(" %9llu", (unsigned long long)cnt[op]);
		printf("\n");
	}
	for (ph = 0; ph < NPHASES; ph++) {
		if (!phres[ph].ran)
			continue;
		printf("ops per second (%s):", phase_name[ph]);
		for (s = 0; s < phres[ph].nsec; s++)
			printf(" %llu", (unsigned long long)atomic_load(&sec_ops[ph][s]));
		printf("\n");
	}
	printf("errors %llu, not found %llu, verify failures %llu%s",
	       (unsigned long long)SUM(errors), (unsigned long long)SUM(notfound),
	       (unsigned long long)SUM(vfail), opt.verify ? "" : " (verify off)");
	if (totals[KVG_SCAN].h.count)
		printf(", scanned records %llu, foreign keys %llu",
		       (unsigned long long)SUM(scan_records),
		       (unsigned long long)SUM(foreign));
	printf("\n");
}

static void json_op(FILE *f, const char *ind, const struct op_total *t, bool hist)
{
	const struct kvg_hist *h = &t->h;
	unsigned int b;
	bool first = true;

	fprintf(f, "{\"unit\": \"us\", \"count\": %llu, \"ops_per_s\": %.3f, \"mb_per_s\": %.3f, "
		   "\"mean\": %.3f, \"min\": %.3f, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
		   "\"p999\": %.3f, \"max\": %.3f",
		(unsigned long long)h->count, h->count / t->seconds,
		mbs(t->bytes, t->seconds), us(h->sum / h->count), us(h->min),
		us(kvg_hist_pct(h, 0.5)), us(kvg_hist_pct(h, 0.9)),
		us(kvg_hist_pct(h, 0.99)), us(kvg_hist_pct(h, 0.999)), us(h->max));
	if (hist) {
		fprintf(f, ",\n%s  \"histogram\": [", ind);
		for (b = 0; b < KVG_HIST_BUCKETS; b++) {
			if (!h->b[b])
				continue;
			fprintf(f, "%s[%.3f, %llu]", first ? "" : ", ",
				us(kvg_hist_hi(b) < h->max ? kvg_hist_hi(b) : h->max),
				(unsigned long long)h->b[b]);
			first = false;
		}
		fprintf(f, "]");
	}
	fprintf(f, "}");
}

static int write_json(const char *path)
{
	FILE *f = fopen(path, "w");
	enum phase mp = main_phase();
	unsigned int s;
	int ph, op;

	if (!f) {
		fprintf(stderr, "kvbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"tool\": \"kvbench\",\n  \"unit\": \"us\",\n");
	fprintf(f, "  \"workload\": \"%s\",\n  \"mode\": \"%s\",\n  \"threads\": %u,\n  \"qd\": %u,\n",
		opt.workload, opt.uring ? "uring" : "sync", opt.threads, opt.qd);
	fprintf(f, "  \"csi\": \"%s\",\n", kv_cset_name(opt.cset));
	fprintf(f, "  \"coding\": \"%s\",\n  \"device\": \"%s\",\n  \"records\": %llu,\n",
		coding == KV_CODING_SAMSUNG ? "samsung" : "bytes", opt.dev,
		(unsigned long long)opt.records);
	fprintf(f, "  \"key_dist\": \"%s\",\n  \"theta\": %.4f,\n  \"key_len\": [%u, %u],\n",
		kvg_dist_name[opt.dist], opt.theta, opt.kmin, opt.kmax);
	fprintf(f, "  \"value_size\": \"%s\",\n  \"value_size_mean\": %.1f,\n  \"verify\": %s,\n  \"seed\": %llu,\n",
		opt.vspec_str, kvg_vspec_mean(&opt.vspec), opt.verify ? "true" : "false",
		(unsigned long long)opt.seed);
	fprintf(f, "  \"ops\": %llu,\n  \"seconds\": %.6f,\n  \"ops_per_s\": %.3f,\n  \"mb_per_s\": %.3f,\n",
		(unsigned long long)phres[mp].ops, phres[mp].seconds,
		phres[mp].ops / phres[mp].seconds, mbs(phres[mp].bytes, phres[mp].seconds));
	fprintf(f, "  \"errors\": %llu,\n  \"notfound\": %llu,\n  \"verify_failures\": %llu,\n",
		(unsigned long long)SUM(errors), (unsigned long long)SUM(notfound),
		(unsigned long long)SUM(vfail));
	fprintf(f, "  \"phases\": {");
	for (ph = 0, s = 0; ph < NPHASES; ph++) {
		bool first = true;
		unsigned int k;

		if (!phres[ph].ran)
			continue;
		fprintf(f, "%s\n    \"%s\": {\"ops\": %llu, \"seconds\": %.6f, \"ops_per_s\": %.3f, "
			   "\"mb_per_s\": %.3f,\n      \"per_second_ops\": [", s++ ? "," : "",
			phase_name[ph], (unsigned long long)phres[ph].ops, phres[ph].seconds,
			phres[ph].ops / phres[ph].seconds,
			mbs(phres[ph].bytes, phres[ph].seconds));
		for (k = 0; k < phres[ph].nsec; k++)
			fprintf(f, "%s%llu", k ? ", " : "",
				(unsigned long long)atomic_load(&sec_ops[ph][k]));
		fprintf(f, "],\n      \"per_second_mb\": [");
		for (k = 0; k < phres[ph].nsec; k++)
			fprintf(f, "%s%.3f", k ? ", " : "",
				atomic_load(&sec_bytes[ph][k]) / 1e6);
		fprintf(f, "],\n      \"operations\": {");
		for (op = 0; op < KVG_NOPS; op++) {
			if (!ph_totals[ph][op].h.count)
				continue;
			fprintf(f, "%s\n        \"%s\": ", first ? "" : ",", kvg_op_name[op]);
			json_op(f, "        ", &ph_totals[ph][op], false);
			first = false;
		}
		fprintf(f, "}}");
	}
	fprintf(f, "\n  }");
	for (op = 0; op < KVG_NOPS; op++) {
		if (!totals[op].h.count)
			continue;
		fprintf(f, ",\n  \"%s\": ", kvg_op_name[op]);
		json_op(f, "  ", &totals[op], true);
	}
	fprintf(f, "\n}\n");
	if (fclose(f)) {
		fprintf(stderr, "kvbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_csv(const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned int s;
	int ph, op;

	if (!f) {
		fprintf(stderr, "kvbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "record,phase,op,second,count,ops_per_s,mb_per_s,mean_us,p50_us,p90_us,p99_us,p999_us,max_us\n");
	for (ph = 0; ph < NPHASES; ph++)
		for (op = 0; op < KVG_NOPS; op++) {
			const struct op_total *t = &ph_totals[ph][op];
			const struct kvg_hist *h = &t->h;

			if (!h->count)
				continue;
			fprintf(f, "op,%s,%s,,%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n",
				phase_name[ph], kvg_op_name[op], (unsigned long long)h->count,
				h->count / t->seconds, mbs(t->bytes, t->seconds),
				us(h->sum / h->count), us(kvg_hist_pct(h, 0.5)),
				us(kvg_hist_pct(h, 0.9)), us(kvg_hist_pct(h, 0.99)),
				us(kvg_hist_pct(h, 0.999)), us(h->max));
		}
	for (ph = 0; ph < NPHASES; ph++) {
		if (!phres[ph].ran)
			continue;
		for (s = 0; s < phres[ph].nsec; s++)
			fprintf(f, "second,%s,all,%u,%llu,,%.3f,,,,,,\n", phase_name[ph], s,
				(unsigned long long)atomic_load(&sec_ops[ph][s]),
				atomic_load(&sec_bytes[ph][s]) / 1e6);
	}
	if (fclose(f)) {
		fprintf(stderr, "kvbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static FILE *plot_file(const char *dir, const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, name);
	return fopen(path, "w");
}

static void rm_dir(const char *dir)
{
	char cmd[512];
	pid_t pid;
	char *argv[] = { "rm", "-rf", cmd, NULL };

	snprintf(cmd, sizeof(cmd), "%s", dir);
	if (!posix_spawnp(&pid, "rm", NULL, NULL, argv, environ))
		waitpid(pid, NULL, 0);
}

/* The latency CDF per operation and the throughput over time, through gnuplot. */
static int write_plot(const char *png)
{
	char tmpl[256], path[512], title[256];
	const char *tmp = getenv("TMPDIR");
	char *argv[3] = { "gnuplot", path, NULL };
	bool first = true, fine;
	double offset = 0, step;
	FILE *f, *g;
	int ph, op, status;
	unsigned int b, s;
	pid_t pid;

	snprintf(tmpl, sizeof(tmpl), "%s/kvbench-plot.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "kvbench: --plot: %s: %s\n", tmpl, strerror(errno));
		return -1;
	}
	for (op = 0; op < KVG_NOPS; op++) {
		const struct kvg_hist *h = &totals[op].h;
		uint64_t cum = 0;

		if (!h->count)
			continue;
		snprintf(title, sizeof(title), "cdf_%s.dat", kvg_op_name[op]);
		f = plot_file(tmpl, title, path, sizeof(path));
		if (!f)
			goto fail;
		fprintf(f, "%.3f 0\n", us(h->min));
		for (b = 0; b < KVG_HIST_BUCKETS; b++) {
			if (!h->b[b])
				continue;
			cum += h->b[b];
			fprintf(f, "%.3f %.6f\n",
				us(kvg_hist_hi(b) < h->max ? kvg_hist_hi(b) : h->max),
				(double)cum / h->count);
		}
		fclose(f);
	}
	/* runs shorter than a minute are drawn in 100 ms steps */
	for (ph = 0; ph < NPHASES; ph++)
		offset += phres[ph].ran ? phres[ph].seconds : 0;
	fine = offset < 60;
	step = fine ? TICK_NS / 1e9 : 1;
	offset = 0;
	f = plot_file(tmpl, "tput.dat", path, sizeof(path));
	if (!f)
		goto fail;
	for (ph = 0; ph < NPHASES; ph++) {
		unsigned int n;

		if (!phres[ph].ran)
			continue;
		n = fine ? (unsigned int)ceil(phres[ph].seconds / step) : phres[ph].nsec;
		if (fine && n > MAX_TICKS)
			n = MAX_TICKS;
		fprintf(f, "# %s\n", phase_name[ph]);
		for (s = 0; s < n; s++) {
			/* the last step is partial: a rate over what it lasted */
			double len = phres[ph].seconds - s * step;
			uint64_t cnt = fine ? atomic_load(&tick_ops[ph][s]) :
					      atomic_load(&sec_ops[ph][s]);

			if (len > step)
				len = step;
			if (len < step / 20 && s)
				continue;
			fprintf(f, "%.3f %.1f\n", offset + s * step + len / 2, cnt / len);
		}
		fprintf(f, "\n\n");
		offset += phres[ph].seconds;
	}
	fclose(f);

	g = plot_file(tmpl, "plot.gp", path, sizeof(path));
	if (!g)
		goto fail;
	fprintf(g, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		   "  set terminal pngcairo size 1280,520 noenhanced font ',10'\n"
		   "} else {\n  set terminal png size 1280,520 noenhanced\n}\n");
	fprintf(g, "set output '%s'\n", png);
	fprintf(g, "set multiplot layout 1,2 title 'kvbench %s: %s, %u x qd %u, %llu records, values %s B'\n",
		opt.workload, opt.uring ? "io_uring" : "sync", opt.threads, opt.qd,
		(unsigned long long)opt.records, opt.vspec_str);
	fprintf(g, "set title 'latency CDF'\nset logscale x\nset xlabel 'latency (us)'\n"
		   "set ylabel 'fraction of operations'\nset yrange [0:1.02]\nset grid\n"
		   "set key bottom right\nplot ");
	for (op = 0; op < KVG_NOPS; op++) {
		if (!totals[op].h.count)
			continue;
		fprintf(g, "%s'%s/cdf_%s.dat' using 1:2 with steps lw 2 title '%s'",
			first ? "" : ", ", tmpl, kvg_op_name[op], kvg_op_name[op]);
		first = false;
	}
	fprintf(g, "\nunset logscale x\nset title 'throughput (%s steps)'\nset xlabel 'time (s)'\n",
		fine ? "100 ms" : "1 s");
	fprintf(g, ""
		   "set ylabel 'operations/s'\nset yrange [0:*]\nset key below\nplot ");
	for (ph = 0, s = 0; ph < NPHASES; ph++) {
		if (!phres[ph].ran)
			continue;
		fprintf(g, "%s'%s/tput.dat' index %u using 1:2 with linespoints lw 2 title '%s'",
			s ? ", " : "", tmpl, s, phase_name[ph]);
		s++;
	}
	fprintf(g, "\nunset multiplot\n");
	fclose(g);
	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ)) {
		fprintf(stderr, "kvbench: --plot needs gnuplot (Debian: gnuplot-nox; scripts/install-deps)\n");
		goto fail;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "kvbench: gnuplot failed (script %s kept)\n", path);
		return -1;
	}
	rm_dir(tmpl);
	return 0;
fail:
	rm_dir(tmpl);
	return -1;
}

/* ---- the legacy QD1 loop (scripts/bench compares module builds with it) ----------------------- */

static int run_legacy(void)
{
	static uint8_t val[1 << 20], got[1 << 20];
	unsigned long i;
	uint32_t dw0;
	struct kv_dev d;
	uint64_t t0, t1;
	char key[17];
	int st;

	if (!opt.size || opt.size > sizeof(val) || !opt.keys) {
		fprintf(stderr, "kvbench: bad --size or --keys\n");
		return 2;
	}
	st = kv_open_cset(&d, opt.dev, coding, opt.cset);
	if (st) {
		fprintf(stderr, "kvbench: %s: %s\n", opt.dev, strerror(-st));
		return 1;
	}
	for (i = 0; i < opt.size; i++)
		val[i] = (uint8_t)(i * 131 + 7);
	t0 = now_ns();
	for (i = 0; i < opt.ops; i += 2) {
		int klen = snprintf(key, sizeof(key), "bench%lu", i / 2 % opt.keys);

		val[0] = (uint8_t)i;
		st = kv_store(&d, key, klen, val, opt.size, 0, &dw0);
		if (st) {
			fprintf(stderr, "kvbench: store %s: %s\n", key, kv_status_str(st));
			return 1;
		}
		st = kv_retrieve(&d, key, klen, got, opt.size, &dw0, NULL);
		if (st || dw0 != opt.size || memcmp(got, val, opt.size)) {
			fprintf(stderr, "kvbench: retrieve %s: %s, dw0 %u\n", key,
				kv_status_str(st), dw0);
			return 1;
		}
	}
	t1 = now_ns();
	printf("kvbench: ops=%lu size=%u seconds=%.3f ops_per_s=%.0f\n", opt.ops,
	       opt.size, (t1 - t0) / 1e9, opt.ops / ((t1 - t0) / 1e9));
	kv_close(&d);
	return 0;
}

/* ---- setup ------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	const struct kvg_preset *p;

	fprintf(f,
"usage: kvbench DEV --workload W [options]\n"
"       kvbench DEV [--ops N] [--size BYTES] [--keys K]   (QD1 store+retrieve loop)\n"
"       kvbench --key-of RECORD [--key-len L] [--scan-group G]\n"
"  --workload W       a preset (below)\n"
"  --records N        records loaded / addressed (1000)\n"
"  --ops N            operations of the run phase (default: --records)\n"
"  --duration S       run for S seconds instead of --ops\n"
"  --warmup S         run S seconds before measuring (run phase)\n"
"  --phase P          load | run | both (default: the preset's)\n"
"  --mode M           sync (ioctl) | uring (io_uring passthrough; default when --qd > 1)\n"
"  --threads T        threads, each with its own file descriptor (1)\n"
"  --qd Q             commands in flight per thread (uring) (1)\n"
"  --dist D           uniform | zipfian | latest | sequential (the preset's)\n"
"  --theta X          Zipfian constant, 0 < X < 1 (0.99)\n"
"  --key-len L|A-B    key length, fixed or a range (16; at least 5, 6 for groups > 64)\n"
"  --value-size SPEC  4096 | 100-4096 | 100:5,4096:3,64K:2 (4096; up to 2M)\n"
"  --read-ratio R     reads among reads and updates (mix) (0.5)\n"
"  --read P --update P --insert P --scan P --rmw P --delete P   a custom run mix\n"
"  --scan-len N       longest scan, records; a scan reads 1..N (100)\n"
"  --scan-group N     records sharing a 4-byte key prefix (100, <= 4096)\n"
"  --load-order O     seq | random (seq)\n"
"  --verify           check every value read (header, payload, version)\n"
"  --seed S           random seed (1)\n"
"  --json FILE  --csv FILE  --plot FILE.png\n"
"  --progress S       progress line every S seconds on stderr (10; 0 off)\n"
"  --coding C         bytes | samsung (default: the loaded module's kv_coding)\n"
"  --csi S            vendor (namespace 1's vendor commands) | kv (the NVMe KV\n"
"                     Command Set on /dev/ngXn2; scans are Lists of keys)\n"
"presets:\n");
	for (p = kvg_presets; p->name; p++)
		fprintf(f, "  %-8s %s\n", p->name, p->what);
}

enum {
	O_WORKLOAD = 256, O_RECORDS, O_OPS, O_DURATION, O_WARMUP, O_PHASE, O_MODE,
	O_THREADS, O_QD, O_DIST, O_THETA, O_KEYLEN, O_VSIZE, O_SIZE, O_KEYS,
	O_RRATIO, O_SCANLEN, O_SCANGROUP, O_LOADORDER, O_VERIFY, O_SEED, O_JSON,
	O_CSV, O_PLOT, O_PROGRESS, O_CODING, O_KEYOF, O_HELP, O_CSI,
	O_PROP, /* + enum kvg_op */
};

static const struct option longopts[] = {
	{ "workload", 1, NULL, O_WORKLOAD }, { "records", 1, NULL, O_RECORDS },
	{ "ops", 1, NULL, O_OPS }, { "duration", 1, NULL, O_DURATION },
	{ "warmup", 1, NULL, O_WARMUP }, { "phase", 1, NULL, O_PHASE },
	{ "mode", 1, NULL, O_MODE }, { "threads", 1, NULL, O_THREADS },
	{ "qd", 1, NULL, O_QD }, { "dist", 1, NULL, O_DIST },
	{ "theta", 1, NULL, O_THETA }, { "key-len", 1, NULL, O_KEYLEN },
	{ "value-size", 1, NULL, O_VSIZE }, { "size", 1, NULL, O_SIZE },
	{ "keys", 1, NULL, O_KEYS }, { "read-ratio", 1, NULL, O_RRATIO },
	{ "scan-len", 1, NULL, O_SCANLEN }, { "scan-group", 1, NULL, O_SCANGROUP },
	{ "load-order", 1, NULL, O_LOADORDER }, { "verify", 0, NULL, O_VERIFY },
	{ "seed", 1, NULL, O_SEED }, { "json", 1, NULL, O_JSON },
	{ "csv", 1, NULL, O_CSV }, { "plot", 1, NULL, O_PLOT },
	{ "progress", 1, NULL, O_PROGRESS }, { "coding", 1, NULL, O_CODING },
	{ "csi", 1, NULL, O_CSI },
	{ "key-of", 1, NULL, O_KEYOF }, { "help", 0, NULL, O_HELP },
	{ "read", 1, NULL, O_PROP + KVG_READ }, { "update", 1, NULL, O_PROP + KVG_UPDATE },
	{ "insert", 1, NULL, O_PROP + KVG_INSERT }, { "scan", 1, NULL, O_PROP + KVG_SCAN },
	{ "rmw", 1, NULL, O_PROP + KVG_RMW }, { "delete", 1, NULL, O_PROP + KVG_DELETE },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (kvbench --help)\n");
	return 2;
}

static int num(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

static int fnum(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end == s || *end || !(*v >= 0) || *v > 1e12 ? -1 : 0;
}

static int parse_args(int argc, char **argv)
{
	uint64_t v;
	double x;
	char err[200];
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case O_WORKLOAD:
			opt.workload = a;
			opt.preset = kvg_preset_find(a);
			if (!opt.preset)
				return bad("unknown workload %s", a);
			break;
		case O_RECORDS:
			if (num(a, &v) || !v || v > (1ull << 40))
				return bad("--records %s: 1 .. 2^40", a);
			opt.records = v;
			break;
		case O_OPS:
			if (num(a, &v))
				return bad("--ops %s", a);
			opt.ops = v;
			break;
		case O_DURATION:
			if (fnum(a, &opt.duration) || opt.duration > MAX_SECONDS - 60)
				return bad("--duration %s", a);
			break;
		case O_WARMUP:
			if (fnum(a, &opt.warmup) || opt.warmup > 3600)
				return bad("--warmup %s", a);
			break;
		case O_PHASE:
			if (!strcmp(a, "load"))
				opt.phase = 1;
			else if (!strcmp(a, "run"))
				opt.phase = 2;
			else if (!strcmp(a, "both"))
				opt.phase = 3;
			else
				return bad("--phase %s: load, run or both", a);
			break;
		case O_MODE:
			if (strcmp(a, "sync") && strcmp(a, "uring"))
				return bad("--mode %s: sync or uring", a);
			opt.uring = !strcmp(a, "uring");
			opt.mode_set = 1;
			break;
		case O_THREADS:
			if (num(a, &v) || !v || v > MAX_THREADS)
				return bad("--threads %s: 1 .. 64", a);
			opt.threads = (unsigned int)v;
			break;
		case O_QD:
			if (num(a, &v) || !v || v > MAX_QD)
				return bad("--qd %s: 1 .. 256", a);
			opt.qd = (unsigned int)v;
			break;
		case O_DIST:
			if (kvg_dist_parse(a, &opt.dist))
				return bad("--dist %s: uniform, zipfian, latest or sequential", a);
			opt.dist_set = true;
			break;
		case O_THETA:
			if (fnum(a, &opt.theta) || !(opt.theta > 0 && opt.theta < 1))
				return bad("--theta %s: 0 < theta < 1", a);
			break;
		case O_KEYLEN: {
			unsigned int lo, hi;
			char tail;

			if (sscanf(a, "%u-%u%c", &lo, &hi, &tail) == 2) {
				opt.kmin = lo;
				opt.kmax = hi;
			} else if (sscanf(a, "%u%c", &lo, &tail) == 1) {
				opt.kmin = opt.kmax = lo;
			} else {
				return bad("--key-len %s: L or A-B", a);
			}
			break;
		}
		case O_VSIZE:
			if (kvg_vspec_parse(&opt.vspec, a, err, sizeof(err)))
				return bad("%s", err);
			opt.vspec_str = a;
			break;
		case O_SIZE:
			if (num(a, &v) || !v || v > KV_MAX_VALUE)
				return bad("--size %s", a);
			opt.size = (uint32_t)v;
			opt.vspec_str = a;
			kvg_vspec_parse(&opt.vspec, a, err, sizeof(err));
			break;
		case O_KEYS:
			if (num(a, &v) || !v)
				return bad("--keys %s", a);
			opt.keys = v;
			break;
		case O_RRATIO:
			if (fnum(a, &opt.read_ratio) || opt.read_ratio > 1)
				return bad("--read-ratio %s: 0 .. 1", a);
			break;
		case O_SCANLEN:
			if (num(a, &v) || !v || v > 100000)
				return bad("--scan-len %s", a);
			opt.scan_len = (unsigned int)v;
			break;
		case O_SCANGROUP:
			if (num(a, &v) || !v || v > 4096)
				return bad("--scan-group %s: 1 .. 4096", a);
			opt.scan_group = (unsigned int)v;
			break;
		case O_LOADORDER:
			if (strcmp(a, "seq") && strcmp(a, "random"))
				return bad("--load-order %s: seq or random", a);
			opt.load_random = !strcmp(a, "random");
			break;
		case O_VERIFY:
			opt.verify = true;
			break;
		case O_SEED:
			if (num(a, &opt.seed))
				return bad("--seed %s", a);
			break;
		case O_JSON:
			opt.json = a;
			break;
		case O_CSV:
			opt.csv = a;
			break;
		case O_PLOT:
			opt.plot = a;
			break;
		case O_PROGRESS:
			if (fnum(a, &opt.progress))
				return bad("--progress %s", a);
			break;
		case O_CSI:
			if (kv_cset_parse(a, &opt.cset))
				return bad("--csi %s: vendor or kv", a);
			break;
		case O_CODING:
			if (strcmp(a, "bytes") && strcmp(a, "samsung"))
				return bad("--coding %s: bytes or samsung", a);
			opt.coding = !strcmp(a, "samsung");
			break;
		case O_KEYOF:
			if (num(a, &v) || v > (1ull << 40))
				return bad("--key-of %s", a);
			opt.key_of = (long long)v;
			break;
		case O_HELP:
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (c >= O_PROP && c < O_PROP + KVG_NOPS) {
				if (fnum(a, &x))
					return bad("proportion %s", a);
				opt.prop[c - O_PROP] = x;
				opt.custom_mix = true;
				break;
			}
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		opt.dev = argv[optind++];
	if (optind < argc)
		return bad("unexpected argument %s", argv[optind]);
	return 0;
}

static int setup(void)
{
	const struct kvg_preset *p = opt.preset;
	double ins, total;
	int op;

	if (kvg_keyspec_init(&keyspec, opt.kmin, opt.kmax, opt.scan_group)) {
		fprintf(stderr, "kvbench: --key-len %u-%u: keys are %u..16 bytes with --scan-group %u\n",
			opt.kmin, opt.kmax, opt.scan_group > 64 ? 6 : 5, opt.scan_group);
		return 2;
	}
	if (!opt.dist_set)
		opt.dist = p->dist;
	if (!opt.phase)
		opt.phase = p->load ? 3 : 2;
	if (!strcmp(p->name, "load"))
		opt.phase &= 1;
	if (!opt.phase)
		return bad("workload %s has no run phase: use --phase load", p->name);
	if (!opt.custom_mix) {
		memcpy(opt.prop, p->prop, sizeof(opt.prop));
		if (!strcmp(p->name, "mix")) {
			opt.prop[KVG_READ] = opt.read_ratio;
			opt.prop[KVG_UPDATE] = 1 - opt.read_ratio;
		}
	}
	if ((opt.phase & 2) && kvg_mix_init(&run_mix, opt.prop))
		return bad("workload %s: the mix has no operation", opt.workload);
	if (!opt.ops && !opt.duration)
		opt.ops = opt.records;
	if (opt.duration > 0)
		opt.ops = 0;
	if (!opt.mode_set)
		opt.uring = opt.qd > 1;
	if (!opt.uring && opt.qd > 1)
		return bad("--qd > 1 needs --mode uring%s", "");
	if (!opt.uring)
		opt.qd = 1;
	/* the key space: records plus room for the run's inserts */
	for (op = 0, total = 0; op < KVG_NOPS; op++)
		total += opt.prop[op];
	ins = (opt.phase & 2) && total > 0 ? opt.prop[KVG_INSERT] / total : 0;
	insert_cap = opt.records;
	if (ins > 0)
		insert_cap += opt.ops ? opt.ops : (opt.verify ? 1000000 : kvg_keyspec_max_records(&keyspec));
	if (insert_cap > kvg_keyspec_max_records(&keyspec))
		insert_cap = kvg_keyspec_max_records(&keyspec);
	if (opt.records > insert_cap) {
		fprintf(stderr, "kvbench: %llu records need longer keys or a larger --scan-group\n",
			(unsigned long long)opt.records);
		return 2;
	}
	chooser_n = opt.records + (uint64_t)(ins * (opt.ops ? opt.ops : opt.records) * 2);
	/* buffers */
	rbuf_len = (kvg_vspec_max(&opt.vspec) + 3) & ~3u;
	if (rbuf_len < KVG_VHDR)
		rbuf_len = KVG_VHDR;
	scan_entry_max = 4 + KV_MAX_KEY + 4 + ((kvg_vspec_max(&opt.vspec) + 3) & ~3u);
	scan_entry_mean = 4 + (opt.kmin + opt.kmax) / 2 + 4 +
			  (uint32_t)kvg_vspec_mean(&opt.vspec) + 4;
	scan_option = KV_ITER_KEY_VALUE;
	if (scan_entry_max + 4 > KV_MAX_VALUE) {
		scan_option = KV_ITER_KEY;
		scan_entry_max = scan_entry_mean = 4 + KV_MAX_KEY;
	}
	slot_buf_len = rbuf_len;
	if (opt.prop[KVG_SCAN] > 0) {
		uint64_t sb = (uint64_t)opt.scan_len * scan_entry_max + 4;

		if (sb > KV_MAX_VALUE)
			sb = KV_MAX_VALUE;
		if (sb > slot_buf_len)
			slot_buf_len = sb;
	}
	slot_buf_len += 4;
	return 0;
}

static int open_workers(void)
{
	unsigned int i, j;
	int st;

	workers = calloc(opt.threads, sizeof(*workers));
	if (!workers)
		return -ENOMEM;
	for (i = 0; i < opt.threads; i++) {
		struct worker *w = &workers[i];

		w->idx = i;
		w->ngfd = -1;
		w->rng.s = kvg_mix64(opt.seed * 0x100000001b3ull + i + 1);
		if (kvg_keygen_init(&w->kg, opt.dist, opt.dist == KVG_ZIPFIAN ? chooser_n : opt.records,
				    opt.theta))
			return -EINVAL;
		st = kv_open_cset(&w->d, opt.dev, coding, opt.cset);
		if (st) {
			fprintf(stderr, "kvbench: %s: %s\n", opt.dev, strerror(-st));
			return st;
		}
		w->nslots = opt.qd;
		w->slots = calloc(w->nslots, sizeof(*w->slots));
		if (!w->slots)
			return -ENOMEM;
		for (j = 0; j < w->nslots; j++) {
			w->slots[j].buf = alloc_buf(slot_buf_len);
			if (!w->slots[j].buf)
				return -ENOMEM;
		}
		if (opt.uring) {
			w->ngfd = kvu_open_ng(opt.dev);
			if (w->ngfd < 0) {
				fprintf(stderr, "kvbench: the generic char device of %s: %s\n",
					opt.dev, strerror(-w->ngfd));
				return w->ngfd;
			}
			st = kvu_ring_init(&w->ring, opt.qd);
			if (st) {
				fprintf(stderr, "kvbench: io_uring setup: %s\n", strerror(-st));
				return st;
			}
			w->ring_ok = true;
		}
		for (j = 0; j < NPHASES; j++) {
			int op;

			for (op = 0; op < KVG_NOPS; op++)
				kvg_hist_init(&w->hist[j][op]);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret, ph, rc = 0;
	struct timespec rt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvg_vspec_parse(&opt.vspec, "4096", NULL, 0);
	ret = parse_args(argc, argv);
	if (ret)
		return ret;
	if (opt.key_of >= 0) {
		uint8_t k[KVG_MAX_KEY];
		char s[80];
		unsigned int len;

		if (kvg_keyspec_init(&keyspec, opt.kmin, opt.kmax, opt.scan_group))
			return bad("--key-len / --scan-group: no such key spec%s", "");
		len = kvg_key(&keyspec, (uint64_t)opt.key_of, k);
		kvg_key_str(k, len, s, sizeof(s));
		printf("%s\n", s);
		return 0;
	}
	if (!opt.dev) {
		usage(stderr);
		return 2;
	}
	coding = opt.coding < 0 ? kv_coding_of_module() : (enum kv_coding)opt.coding;
	if (!opt.workload) {
		if (!opt.ops)
			opt.ops = 20000;
		return run_legacy();
	}
	ret = setup();
	if (ret)
		return ret;
	if (opt.verify) {
		rec_busy = calloc(insert_cap, 1);
		rec_ver = calloc(insert_cap, sizeof(*rec_ver));
		if (!rec_busy || !rec_ver) {
			fprintf(stderr, "kvbench: no memory for --verify state of %llu records\n",
				(unsigned long long)insert_cap);
			return 1;
		}
	}
	for (ph = 0; ph < NPHASES; ph++) {
		sec_ops[ph] = calloc(MAX_SECONDS, sizeof(**sec_ops));
		sec_bytes[ph] = calloc(MAX_SECONDS, sizeof(**sec_bytes));
		tick_ops[ph] = calloc(MAX_TICKS, sizeof(**tick_ops));
		if (!sec_ops[ph] || !sec_bytes[ph] || !tick_ops[ph])
			return 1;
	}
	ret = open_workers();
	if (ret) {
		if (ret == -ENOMEM)
			fprintf(stderr, "kvbench: out of memory\n");
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	atomic_store(&next_version, (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec);
	atomic_store(&next_insert, opt.records);
	signal(SIGPIPE, SIG_IGN);

	if ((opt.phase & 1) && run_phase(PH_LOAD))
		rc = 1;
	if (!rc && (opt.phase & 2) && run_phase(PH_RUN))
		rc = 1;
	merge_results();
	print_text();
	if (opt.json && write_json(opt.json))
		rc = 1;
	if (opt.csv && write_csv(opt.csv))
		rc = 1;
	if (opt.plot && write_plot(opt.plot))
		rc = 1;
	if (SUM(errors) || SUM(vfail))
		rc = 1;
	if (SUM(vfail))
		fprintf(stderr, "kvbench: %llu verify failure%s\n", (unsigned long long)SUM(vfail),
			SUM(vfail) > 1 ? "s" : "");
	return rc;
}
