// SPDX-License-Identifier: GPL-2.0
/*
 * kvlat - latency and throughput measurements of the timing model (issue
 * 11) through the real nvme driver: NVME_IOCTL_IO64_CMD (kvlib) and, for
 * the NAND mode, io_uring passthrough on /dev/ngXnY. Times are
 * CLOCK_MONOTONIC around each command's ioctl alone (building it and the
 * client's guard checks stay outside); percentiles are nearest-rank over
 * the sorted samples.
 *
 *   kvlat overhead DEV FLOORDEV [--size B] [--ops N] [--cpu C]
 *       QD1 store (N) then retrieve (N) of B-byte values on DEV, each op
 *       paired with a Flush (opcode 0) through the same ioctl on FLOORDEV
 *       (another NVMe namespace: the host path alone), and with a Write
 *       (for stores) or Read (for retrieves) of the same bytes, rounded up
 *       to FLOORDEV's blocks, through the same ioctl (the host path and
 *       QEMU's own device moving the same data: the "data floor"). The
 *       order inside a triple rotates. One line per opcode:
 *       overhead op=store size=B n=N ours_p50_ns=.. ours_p99_ns=..
 *                floor_p50_ns=.. floor_p99_ns=.. ratio_p50=.. ratio_p99=..
 *                data_p50_ns=.. data_p99_ns=.. ratio_data_p50=..
 *                ratio_data_p99=..
 *   kvlat floor FLOORDEV [--ops N] [--cpu C] [--size B]
 *       N QD1 Flushes alone on FLOORDEV, then N Writes and N Reads of B
 *       bytes, to be run before the module is loaded (the clean floors):
 *       "floor n=N p50_ns=.. p99_ns=.." and "floor_data op=write|read
 *       size=B n=N p50_ns=.. p99_ns=..".
 *   kvlat slope DEV TIMINGDIR [--size B] [--ops N] [--cpu C] [--ns a,b,..]
 *               [--floor FLOORDEV]
 *       For each M in --ns (default 0,250000,500000,1000000) write M to
 *       TIMINGDIR/fw_retrieve_ns and time N QD1 retrieves; least-squares
 *       fit mean = c + s * M. Lines "slope_point M=.. mean_ns=.. p50_ns=..
 *       p99_ns=.. dev_mean_ns=..", "slope s=.. c_ns=.. r2=.." and the
 *       same fit of the medians, "slope_p50 s=.. ..". dev_mean_ns is the
 *       device's own mean fetch-to-completion time over the same
 *       commands, from the lat_sum_ns and cmds lines of --stats (default
 *       /sys/kernel/debug/nvmev_kv/stats), fitted as "slope_dev s=.. ..";
 *       without that file, dev_mean_ns=NA and no slope_dev line.
 *       At exit, even on an error, the preset found is written back
 *       (fw_retrieve_ns's value if the preset was "custom").
 *       With --floor FLOORDEV, each retrieve is followed by an idle of M
 *       (nanosleep) and a timed Flush on FLOORDEV: floor_mean_ns=.. per
 *       point, "slope_floor s=.." (under TCG the host's path alone grows
 *       with the time it waited) and "slope_paired s=.." (s less the
 *       floor's slope: the host-visible slope over the host path's own).
 *   kvlat think DEV FLOORDEV [--ns a,b,..] [--ops N] [--cpu C] [--size B]
 *       A client with think time: for each T in --ns (default 0, 0.5, 2,
 *       5, 10 and 20 ms) N QD1 retrieves each after an idle of T, paired
 *       with a Flush or (every other pair) a Read of B bytes on FLOORDEV
 *       after the same idle (the host path alone, and with its data path,
 *       after that think time; the device is quiet for 2 T and a floor
 *       command between two retrieves), in rotating blocks of 10: "think
 *       T=.. n=.. ours_p50_ns=.. ours_p99_ns=.. floor_p50_ns=..
 *       floor_p99_ns=.. ratio_p50=.. ratio_p99=.. data_p50_ns=..
 *       data_p99_ns=.. ratio_data_p50=.. ratio_data_p99=.." (n pairs;
 *       floor_ over the Flushes, data_ over the Reads, N >= 2).
 *   kvlat sat DEV [--threads T] [--seconds S] [--size B] [--cpu C]
 *       T threads, each with its own fd and synchronous retrieves of its
 *       own keys, for S seconds after a 0.5 s warm-up:
 *       "sat threads=T ops=.. seconds=.. ops_per_s=.. p50_ns=.. p99_ns=..".
 *   kvlat nand DEV TIMINGDIR [--d D] [--dies N] [--reps R] [--size B]
 *              [--read-ns NS]
 *       D retrieves submitted at once with io_uring, of keys whose first
 *       die (key_hash % N, see kv_ftl.c kv_key_hash) is distinct, then of
 *       keys all on one die; time until all D completed, at
 *       TIMINGDIR/nand_read_ns = NS (default 1 ms, at most 0.5 s) and
 *       2 * NS. Every timed round follows the same D retrieves at
 *       nand_read_ns = 0 (the host path alone; the distinct keys' is
 *       "base"): 8 rounds a repetition. At exit the preset is put back
 *       as slope does.
 *       "nand d=D .. base_p50_ns=.. distinct_p50_ns=.. same_p50_ns=..
 *       ratio=.. distinct_reads=.. same_reads=..". Each repetition also
 *       times both sets with 2 * NS; reads = the median over the
 *       repetitions of (time at 2 NS - time at NS) / NS: the reads done in
 *       series, free of the host path (a base subtracted instead overlaps
 *       with the read time and read 0.85-0.91 reads for one). And from
 *       the statistics (--stats), the device's own mean time per retrieve
 *       at NS, in reads: dev_distinct_reads (1 if the dies work in
 *       parallel) and dev_same_reads ((D + 1) / 2 if one die serialises
 *       them; -1 without the statistics). N is channels *
 *       dies_per_channel. Every round is differenced in the statistics:
 *       "nand_counts d=D rounds=.. miscounted=.." (rounds whose count was
 *       not D once all their completions were in; 0 without other
 *       clients).
 *
 * Exits non-zero if any command fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>
#include "kvlib.h"
#include "kvuring_lib.h"

static unsigned long opt_ops = 2000, opt_reps = 7;
static uint32_t opt_size = 64;
static int opt_cpu = -1;
static unsigned int opt_threads = 8, opt_d = 8, opt_dies = 32;
static double opt_seconds = 5;
static const char *opt_ns = "0,250000,500000,1000000";
static const char *opt_tdir;
static const char *opt_stats = "/sys/kernel/debug/nvmev_kv/stats";
static const char *opt_floor;
static unsigned long long opt_read_ns = 1000000;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int st)
{
	fprintf(stderr, "kvlat: %s: %s\n", what, kv_status_str(st));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("kvlat: sched_setaffinity");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest sample with at least q of them at or below */
static uint64_t pct(uint64_t *s, size_t n, double q)
{
	size_t r;

	if (!n)
		return 0;
	qsort(s, n, sizeof(*s), cmp_u64);
	r = (size_t)(q * n + 0.999999);
	return s[r ? r - 1 : 0];
}

static double mean(const uint64_t *s, size_t n)
{
	double t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += (double)s[i];
	return n ? t / n : 0;
}

/* kv_ftl.c kv_key_hash(): FNV-1a 64, then the key length */
static uint64_t key_hash(const char *k, unsigned int len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned int i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)k[i]) * 0x100000001b3ull;
	return (h ^ len) * 0x100000001b3ull;
}

static unsigned int key_name(char out[17], const char *pfx, unsigned long i)
{
	return (unsigned int)snprintf(out, 17, "%s%lu", pfx, i);
}

static void store_keys(struct kv_dev *d, const char *pfx, unsigned long n)
{
	unsigned long i;
	char k[17];
	int st;

	memset(d->buf, 0x5a, opt_size);
	for (i = 0; i < n; i++) {
		unsigned int kl = key_name(k, pfx, i);

		st = kv_store(d, k, kl, d->buf, opt_size, 0, NULL);
		if (st)
			die("store", st);
	}
}

/*
 * One store or retrieve of opt_size bytes, timed around the ioctl alone,
 * as the floor's commands are: kv_store() and kv_retrieve() also fill and
 * check a 4 KiB guard, which under TCG cost the retrieves ~30 us that are
 * the client's, not the device's. *st: the NVMe status.
 */
static uint64_t timed_kv(struct kv_dev *d, uint8_t op, const char *k,
			 unsigned int kl, int *st)
{
	struct nvme_passthru_cmd64 c;
	uint64_t t0, t1;

	*st = kv_build(d, &c, op, k, kl, d->buf, opt_size, 0);
	if (*st)
		return 0;
	t0 = now_ns();
	*st = kv_submit(d, &c, NULL);
	t1 = now_ns();
	return t1 - t0;
}

static uint64_t timed_retrieve(struct kv_dev *d, const char *k, unsigned int kl)
{
	int st;
	uint64_t t = timed_kv(d, KV_OP_RETRIEVE, k, kl, &st);

	if (st)
		die("retrieve", st);
	return t;
}

/* ---- overhead ----------------------------------------------------------- */

struct floor_dev {
	int fd;
	uint32_t nsid;
	uint32_t lba_bytes;
	void *buf; /* the data floor's buffer, 8 KiB */
};

static uint64_t timed_flush(const struct floor_dev *f)
{
	struct nvme_passthru_cmd64 c;
	uint64_t t0, t1;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x00; /* Flush */
	c.nsid = f->nsid;
	t0 = now_ns();
	ret = ioctl(f->fd, NVME_IOCTL_IO64_CMD, &c);
	t1 = now_ns();
	if (ret)
		die("flush on the floor device", ret < 0 ? -errno : ret);
	return t1 - t0;
}

/* A Write (@write) or Read of opt_size bytes at block @i on the floor. */
static uint64_t timed_data(const struct floor_dev *f, bool write,
			   unsigned long i)
{
	uint32_t nlb = (opt_size + f->lba_bytes - 1) / f->lba_bytes;
	uint64_t slba = (uint64_t)(i % 1000) * nlb, t0, t1;
	struct nvme_passthru_cmd64 c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = write ? 0x01 : 0x02;
	c.nsid = f->nsid;
	c.addr = (uintptr_t)f->buf;
	c.data_len = nlb * f->lba_bytes;
	c.cdw10 = (uint32_t)slba;
	c.cdw11 = (uint32_t)(slba >> 32);
	c.cdw12 = nlb - 1;
	t0 = now_ns();
	ret = ioctl(f->fd, NVME_IOCTL_IO64_CMD, &c);
	t1 = now_ns();
	if (ret)
		die(write ? "write on the floor device" :
			    "read on the floor device",
		    ret < 0 ? -errno : ret);
	return t1 - t0;
}

static int open_floor(struct floor_dev *f, const char *path)
{
	int ss = 512;

	f->fd = open(path, O_RDWR);
	if (f->fd < 0) {
		perror(path);
		return -1;
	}
	f->nsid = (uint32_t)ioctl(f->fd, NVME_IOCTL_ID);
	if (ioctl(f->fd, BLKSSZGET, &ss) || ss < 512 || ss > 4096)
		ss = 512;
	f->lba_bytes = (uint32_t)ss;
	if (posix_memalign(&f->buf, 4096, 8192 + 4096)) {
		close(f->fd);
		return -1;
	}
	memset(f->buf, 0xa5, 8192 + 4096);
	return 0;
}

static void close_floor(struct floor_dev *f)
{
	close(f->fd);
	free(f->buf);
}

static void report_pair(const char *op, uint64_t *ours, uint64_t *fl,
			uint64_t *data, size_t n)
{
	uint64_t o50 = pct(ours, n, 0.5), o99 = pct(ours, n, 0.99);
	uint64_t f50 = pct(fl, n, 0.5), f99 = pct(fl, n, 0.99);
	uint64_t d50 = pct(data, n, 0.5), d99 = pct(data, n, 0.99);

	printf("overhead op=%s size=%u n=%zu ours_p50_ns=%llu ours_p99_ns=%llu "
	       "floor_p50_ns=%llu floor_p99_ns=%llu ratio_p50=%.3f ratio_p99=%.3f "
	       "data_p50_ns=%llu data_p99_ns=%llu ratio_data_p50=%.3f ratio_data_p99=%.3f\n",
	       op, opt_size, n, (unsigned long long)o50, (unsigned long long)o99,
	       (unsigned long long)f50, (unsigned long long)f99,
	       (double)o50 / f50, (double)o99 / f99, (unsigned long long)d50,
	       (unsigned long long)d99, (double)o50 / d50, (double)o99 / d99);
}

static int do_overhead(const char *dev, const char *floor_path)
{
	unsigned long n = opt_ops, warm = n / 10 + 10, i, keys = 1000;
	uint64_t *ours = calloc(n, 8), *fl = calloc(n, 8), *data = calloc(n, 8);
	struct floor_dev f;
	struct kv_dev d;
	char k[17];
	int st, phase;

	st = kv_open(&d, dev, kv_coding_of_module());
	if (st)
		die(dev, st);
	if (!ours || !fl || !data || open_floor(&f, floor_path))
		return 1;
	memset(d.buf, 0x5a, opt_size);
	for (phase = 0; phase < 2; phase++) {
		for (i = 0; i < warm + n; i++) {
			unsigned int kl = key_name(k, "ovh", i % keys);
			uint64_t a = 0, b, c = 0;

			/* rotate: ours first, second or last of the three */
			if (i % 3 >= 1)
				a = timed_flush(&f);
			if (i % 3 == 2)
				c = timed_data(&f, phase == 0, i);
			b = timed_kv(&d, phase ? KV_OP_RETRIEVE : KV_OP_STORE, k,
				     kl, &st);
			if (st)
				die(phase ? "retrieve" : "store", st);
			if (i % 3 == 0)
				a = timed_flush(&f);
			if (i % 3 != 2)
				c = timed_data(&f, phase == 0, i);
			if (i >= warm) {
				fl[i - warm] = a;
				ours[i - warm] = b;
				data[i - warm] = c;
			}
		}
		report_pair(phase ? "retrieve" : "store", ours, fl, data, n);
	}
	close_floor(&f);
	kv_close(&d);
	return 0;
}

static int do_floor(const char *floor_path)
{
	unsigned long n = opt_ops, warm = n / 10 + 10, i;
	int write;
	uint64_t *fl = calloc(n, 8);
	struct floor_dev f;

	if (!fl || open_floor(&f, floor_path))
		return 1;
	for (i = 0; i < warm + n; i++) {
		uint64_t t = timed_flush(&f);

		if (i >= warm)
			fl[i - warm] = t;
	}
	printf("floor n=%lu p50_ns=%llu p99_ns=%llu\n", n,
	       (unsigned long long)pct(fl, n, 0.5),
	       (unsigned long long)pct(fl, n, 0.99));
	for (write = 1; write >= 0; write--) {
		for (i = 0; i < warm + n; i++) {
			uint64_t t = timed_data(&f, write, i);

			if (i >= warm)
				fl[i - warm] = t;
		}
		printf("floor_data op=%s size=%u n=%lu p50_ns=%llu p99_ns=%llu\n",
		       write ? "write" : "read", opt_size, n,
		       (unsigned long long)pct(fl, n, 0.5),
		       (unsigned long long)pct(fl, n, 0.99));
	}
	close_floor(&f);
	free(fl);
	return 0;
}

/* ---- slope -------------------------------------------------------------- */

/* Write @text to the timing parameter file @dir/@name. */
static int param_write(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		return -1;
	}
	bad = fputs(text, fp) < 0;
	if (fclose(fp) || bad) {
		perror(path);
		return -1;
	}
	return 0;
}

/* The first word of @dir/@name into @buf (@len bytes). */
static int param_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp) {
		perror(path);
		return -1;
	}
	if (!fgets(buf, (int)len, fp)) {
		fclose(fp);
		fprintf(stderr, "kvlat: %s: empty\n", path);
		return -1;
	}
	fclose(fp);
	buf[strcspn(buf, " \n")] = '\0';
	return 0;
}

static int set_param(const char *dir, const char *name, unsigned long long v)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu\n", v);
	return param_write(dir, name, text);
}

/* The value of timing parameter @name into *@v. */
static int get_param(const char *dir, const char *name, unsigned long long *v)
{
	char text[32], *end;

	if (param_read(dir, name, text, sizeof(text)))
		return -1;
	*v = strtoull(text, &end, 10);
	if (end == text || *end) {
		fprintf(stderr, "kvlat: %s/%s: not a number: %s\n", dir, name,
			text);
		return -1;
	}
	return 0;
}

/*
 * A tool retunes the device only for its own measurement: what it found
 * is put back when it exits, on every path (an atexit handler, as die()
 * exits too). A named preset is written back whole (writing one value
 * makes the preset "custom"); a custom one gets the value back.
 */
static struct {
	const char *dir, *name;
	char preset[32];
	unsigned long long value;
	bool saved;
} retuned;

static void put_back_param(void)
{
	char text[40];

	if (!retuned.saved)
		return;
	retuned.saved = false;
	if (strcmp(retuned.preset, "custom")) {
		snprintf(text, sizeof(text), "%s\n", retuned.preset);
		param_write(retuned.dir, "preset", text);
		return;
	}
	set_param(retuned.dir, retuned.name, retuned.value);
}

/* Remember @name's value and the preset, to put back at exit. */
static int save_param(const char *dir, const char *name)
{
	if (param_read(dir, "preset", retuned.preset, sizeof(retuned.preset)) ||
	    get_param(dir, name, &retuned.value))
		return -1;
	retuned.dir = dir;
	retuned.name = name;
	retuned.saved = true;
	atexit(put_back_param);
	return 0;
}

/* least squares y = c + s * x, and r^2. Return: s */
static double fit(const char *name, const double *x, const double *y,
		  unsigned int m)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, s, c, ss = 0, st = 0;
	unsigned int j;

	for (j = 0; j < m; j++) {
		sx += x[j];
		sy += y[j];
		sxx += x[j] * x[j];
		sxy += x[j] * y[j];
	}
	s = (m * sxy - sx * sy) / (m * sxx - sx * sx);
	c = (sy - s * sx) / m;
	for (j = 0; j < m; j++) {
		double r = y[j] - (c + s * x[j]), dm = y[j] - sy / m;

		ss += r * r;
		st += dm * dm;
	}
	printf("%s s=%.4f c_ns=%.0f r2=%.5f points=%u\n", name, s, c,
	       st > 0 ? 1 - ss / st : 1, m);
	return s;
}

/*
 * The device's retrieve count and latency sum: namespace 1's lines, named
 * after its vendor opcode (kv-retrieve) whatever the length coding.
 * Return: 0, or -1 when the statistics cannot be read.
 */
static int dev_retrieve_sums(uint64_t *cmds, uint64_t *sum_ns)
{
	unsigned long long v;
	char line[256], name[128];
	int got = 0;
	FILE *fp = fopen(opt_stats, "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%127[^:]: %llu", name, &v) != 2)
			continue;
		if (!strcmp(name, "cmds_kv-retrieve")) {
			*cmds = v;
			got |= 1;
		} else if (!strcmp(name, "lat_sum_ns_kv-retrieve")) {
			*sum_ns = v;
			got |= 2;
		}
	}
	fclose(fp);
	return got == 3 ? 0 : -1;
}

/*
 * The device's own time of some of our retrieves, from the statistics, and
 * how many stretches of them the statistics miscounted (@miscounted of
 * @stretches): with no other client, a stretch's count is exactly ours
 * once we have seen all its completions.
 */
struct dev_time {
	uint64_t cmds, sum_ns;
	unsigned int stretches, miscounted;
	bool valid;
};

/* Begin a stretch of our own retrieves: the device's sums now. */
static void dev_time_begin(struct dev_time *dt, uint64_t *c0, uint64_t *s0)
{
	if (dev_retrieve_sums(c0, s0))
		dt->valid = false;
}

/*
 * End it, once all its completions are in: add what the device spent on
 * the @ours retrieves since. Valid only if they were all ours: another
 * client's would skew the mean.
 */
static void dev_time_end(struct dev_time *dt, uint64_t c0, uint64_t s0,
			 uint64_t ours)
{
	uint64_t c1 = 0, s1 = 0;

	if (dev_retrieve_sums(&c1, &s1)) {
		dt->valid = false;
		return;
	}
	dt->stretches++;
	dt->miscounted += c1 - c0 != ours;
	dt->valid = dt->valid && ours && c1 - c0 == ours;
	dt->cmds += c1 - c0;
	dt->sum_ns += s1 - s0;
}

/* the device's mean per retrieve, in units of @unit_ns, or -1 */
static double dev_time_mean(const struct dev_time *dt, double unit_ns)
{
	return dt->valid && dt->cmds ? (double)dt->sum_ns / dt->cmds / unit_ns :
				       -1;
}

#define SLOPE_MAX_POINTS 16
#define SLOPE_BLOCK 25 /* retrieves per point and visit */
#define SLOPE_BLOCK_WARMUP 3 /* untimed retrieves after each retune */

/*
 * One point of the slope: its M, latencies so far, the device's time, and
 * the floor's Flushes that followed an idle of M (@ref, with --floor).
 */
struct slope_point {
	unsigned long long m_ns;
	uint64_t *lat, *ref;
	unsigned long n;
	struct dev_time dev;
};

/* Parse --ns into @pt. Return: the number of points, 0 on a bad list. */
static unsigned int slope_points(struct slope_point *pt)
{
	const char *p = opt_ns;
	unsigned int m = 0;
	char *end;

	while (*p && m < SLOPE_MAX_POINTS) {
		pt[m].m_ns = strtoull(p, &end, 0);
		if (end == p)
			return 0;
		p = *end == ',' ? end + 1 : end;
		pt[m].lat = calloc(opt_ops, sizeof(uint64_t));
		pt[m].ref = calloc(opt_ops, sizeof(uint64_t));
		if (!pt[m].lat || !pt[m].ref)
			return 0;
		pt[m].dev.valid = true;
		m++;
	}
	return m;
}

/* Sleep @ns (the host idle, as while it waits for a command of M). */
static void idle_ns(unsigned long long ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	if (ns)
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
}

/*
 * One visit of point @pt: retune, warm up, then up to SLOPE_BLOCK timed
 * retrieves, the device's own sums differenced around them. With a floor
 * (@f), each retrieve is paired with an idle of M followed by a timed
 * Flush on the floor: the host path's own cost after waiting M.
 * Return: 0, or -1 when the retune failed.
 */
static int slope_visit(struct kv_dev *d, const char *tdir,
		       const struct floor_dev *f, struct slope_point *pt)
{
	uint64_t c0 = 0, s0 = 0;
	unsigned long i, keys = 100, timed = 0;
	char k[17];

	if (set_param(tdir, "fw_retrieve_ns", pt->m_ns))
		return -1;
	/* as the timed ones, floor pairs included: the dispatcher learns
	 * this point's gap before the first timed retrieve */
	for (i = 0; i < SLOPE_BLOCK_WARMUP; i++) {
		timed_retrieve(d, k, key_name(k, "slp", i % keys));
		if (f) {
			idle_ns(pt->m_ns);
			timed_flush(f);
		}
	}
	dev_time_begin(&pt->dev, &c0, &s0);
	for (i = 0; i < SLOPE_BLOCK && pt->n < opt_ops; i++, pt->n++, timed++) {
		pt->lat[pt->n] =
			timed_retrieve(d, k, key_name(k, "slp", pt->n % keys));
		if (f) {
			idle_ns(pt->m_ns);
			pt->ref[pt->n] = timed_flush(f);
		}
	}
	dev_time_end(&pt->dev, c0, s0, timed);
	return 0;
}

/*
 * The points are visited in blocks, the order rotating each turn, so that
 * a drift of the host's path over the run (it drifts by tens of
 * microseconds under TCG) is shared by every point instead of tilting the
 * fit the way measuring the points one after the other would.
 */
static int do_slope(const char *dev, const char *tdir)
{
	struct slope_point pt[SLOPE_MAX_POINTS] = { 0 };
	double x[SLOPE_MAX_POINTS] = { 0 }, y[SLOPE_MAX_POINTS] = { 0 };
	double y50[SLOPE_MAX_POINTS] = { 0 }, ydev[SLOPE_MAX_POINTS] = { 0 };
	double yref[SLOPE_MAX_POINTS] = { 0 }, s, s_floor;
	unsigned int m = slope_points(pt), turn, j;
	bool have_dev = true;
	struct floor_dev floor, *f = opt_floor ? &floor : NULL;
	struct kv_dev d;
	int st;

	if (m < 2) {
		fprintf(stderr,
			"kvlat: bad --ns list (two points at least) or no memory: %s\n",
			opt_ns);
		return 2;
	}
	if (save_param(tdir, "fw_retrieve_ns") ||
	    (f && open_floor(f, opt_floor)))
		return 1;
	prctl(PR_SET_TIMERSLACK, 1UL); /* the idles last M, not M + 50 us */
	st = kv_open(&d, dev, kv_coding_of_module());
	if (st)
		die(dev, st);
	store_keys(&d, "slp", 100);
	/* turn t visits point (t + t / m) % m: each pass over the m points
	 * starts one point later than the one before */
	for (turn = 0; pt[0].n < opt_ops || turn % m; turn++)
		if (slope_visit(&d, tdir, f, &pt[(turn + turn / m) % m]))
			return 1;
	put_back_param();
	for (j = 0; j < m; j++)
		have_dev = have_dev && pt[j].dev.valid;
	for (j = 0; j < m; j++) {
		x[j] = (double)pt[j].m_ns;
		y[j] = mean(pt[j].lat, pt[j].n);
		y50[j] = (double)pct(pt[j].lat, pt[j].n, 0.5);
		ydev[j] = have_dev ? dev_time_mean(&pt[j].dev, 1) : 0;
		yref[j] = mean(pt[j].ref, pt[j].n);
		printf("slope_point M=%llu n=%lu mean_ns=%.0f p50_ns=%.0f p99_ns=%llu ",
		       pt[j].m_ns, pt[j].n, y[j], y50[j],
		       (unsigned long long)pct(pt[j].lat, pt[j].n, 0.99));
		if (f)
			printf("floor_mean_ns=%.0f ", yref[j]);
		if (have_dev)
			printf("dev_mean_ns=%.0f\n", ydev[j]);
		else
			printf("dev_mean_ns=NA\n");
		free(pt[j].lat);
		free(pt[j].ref);
	}
	s = fit("slope", x, y, m);
	fit("slope_p50", x, y50, m);
	if (have_dev)
		fit("slope_dev", x, ydev, m);
	if (f) {
		s_floor = fit("slope_floor", x, yref, m);
		printf("slope_paired s=%.4f\n", s - s_floor);
		close_floor(f);
	}
	kv_close(&d);
	return 0;
}

/* ---- think time ---------------------------------------------------------- */

#define THINK_BLOCK 10 /* pairs per think time and visit */

/*
 * One think time's line. The floor's commands alternate: a Flush at even
 * indices (the host path alone), a Read of the same size at odd ones (the
 * host's data path too, which a retrieve also takes: after a think it is
 * colder than a Flush's, and a Flush alone made a 5-20 ms think read
 * 1.2-1.6x).
 */
static void think_report(struct slope_point *p)
{
	unsigned long n_fl = (p->n + 1) / 2, n_data = p->n / 2, i;
	uint64_t *fl = calloc(n_fl + 1, 8), *data = calloc(n_data + 1, 8);
	uint64_t o50, o99, f50, f99, d50, d99;

	if (!fl || !data)
		die("think", -ENOMEM);
	for (i = 0; i < p->n; i++) {
		if (i % 2)
			data[i / 2] = p->ref[i];
		else
			fl[i / 2] = p->ref[i];
	}
	o50 = pct(p->lat, p->n, 0.5);
	o99 = pct(p->lat, p->n, 0.99);
	f50 = pct(fl, n_fl, 0.5);
	f99 = pct(fl, n_fl, 0.99);
	d50 = pct(data, n_data, 0.5);
	d99 = pct(data, n_data, 0.99);
	printf("think T=%llu n=%lu ours_p50_ns=%llu ours_p99_ns=%llu "
	       "floor_p50_ns=%llu floor_p99_ns=%llu ratio_p50=%.3f ratio_p99=%.3f "
	       "data_p50_ns=%llu data_p99_ns=%llu ratio_data_p50=%.3f ratio_data_p99=%.3f\n",
	       p->m_ns, p->n, (unsigned long long)o50, (unsigned long long)o99,
	       (unsigned long long)f50, (unsigned long long)f99,
	       (double)o50 / f50, (double)o99 / f99, (unsigned long long)d50,
	       (unsigned long long)d99, (double)o50 / d50, (double)o99 / d99);
	free(fl);
	free(data);
	free(p->lat);
	free(p->ref);
}

/*
 * QD1 retrieves after the host thought (idled) T, each paired with a Flush
 * or a Read on the floor after the same idle: what a client with think
 * time sees of the device over what it sees of the host path alone.
 * Between two of its retrieves the device is quiet for 2 T and a floor
 * command. The think times are visited in rotating blocks, as the slope's
 * points are, each block after an untimed pair (the device learns the
 * block's gap).
 */
static int do_think(const char *dev, const char *floor_path)
{
	struct slope_point pt[SLOPE_MAX_POINTS] = { 0 };
	unsigned int m = slope_points(pt), turn, j;
	unsigned long i;
	struct floor_dev f;
	struct kv_dev d;
	char k[17];
	int st;

	if (!m || opt_ops < 2) {
		fprintf(stderr,
			"kvlat: bad --ns list, fewer than 2 ops or no memory: %s\n",
			opt_ns);
		return 2;
	}
	if (open_floor(&f, floor_path))
		return 1;
	st = kv_open(&d, dev, kv_coding_of_module());
	if (st)
		die(dev, st);
	store_keys(&d, "thk", 10);
	prctl(PR_SET_TIMERSLACK, 1UL);
	for (turn = 0; pt[0].n < opt_ops || turn % m; turn++) {
		struct slope_point *p = &pt[(turn + turn / m) % m];

		idle_ns(p->m_ns);
		timed_retrieve(&d, k, key_name(k, "thk", 0));
		idle_ns(p->m_ns);
		timed_flush(&f);
		for (i = 0; i < THINK_BLOCK && p->n < opt_ops; i++, p->n++) {
			idle_ns(p->m_ns);
			p->lat[p->n] =
				timed_retrieve(&d, k, key_name(k, "thk", i));
			idle_ns(p->m_ns);
			p->ref[p->n] = p->n % 2 ? timed_data(&f, false, p->n) :
						  timed_flush(&f);
		}
	}
	for (j = 0; j < m; j++)
		think_report(&pt[j]);
	close_floor(&f);
	kv_close(&d);
	return 0;
}

/* ---- saturation ---------------------------------------------------------- */

struct sat_thread {
	pthread_t tid;
	unsigned int idx;
	const char *dev;
	struct kv_dev d;
	_Atomic unsigned long done;
	uint64_t *lat;
	size_t nlat, cap;
};

static _Atomic int sat_stop, sat_measure;

static void *sat_main(void *arg)
{
	struct sat_thread *t = arg;
	char pfx[16], k[17];
	unsigned long i;

	pin(opt_cpu);
	snprintf(pfx, sizeof(pfx), "st%u_", t->idx % 100);
	for (i = 0; !atomic_load(&sat_stop); i++) {
		uint64_t l = timed_retrieve(&t->d, k, key_name(k, pfx, i % 16));

		atomic_fetch_add(&t->done, 1);
		if (atomic_load(&sat_measure) && t->nlat < t->cap)
			t->lat[t->nlat++] = l;
	}
	return NULL;
}

static unsigned long sat_total(struct sat_thread *t, unsigned int n)
{
	unsigned long s = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		s += atomic_load(&t[i].done);
	return s;
}

static int do_sat(const char *dev)
{
	struct sat_thread *t = calloc(opt_threads, sizeof(*t));
	unsigned long n0, n1;
	uint64_t t0, t1, *all;
	size_t nall = 0;
	unsigned int i;
	int st;

	for (i = 0; i < opt_threads; i++) {
		char pfx[16];

		t[i].idx = i;
		t[i].cap = 1 << 16;
		t[i].lat = calloc(t[i].cap, 8);
		st = kv_open(&t[i].d, dev, kv_coding_of_module());
		if (st)
			die(dev, st);
		snprintf(pfx, sizeof(pfx), "st%u_", i % 100);
		store_keys(&t[i].d, pfx, 16);
	}
	for (i = 0; i < opt_threads; i++)
		pthread_create(&t[i].tid, NULL, sat_main, &t[i]);
	usleep(500000);
	atomic_store(&sat_measure, 1);
	n0 = sat_total(t, opt_threads);
	t0 = now_ns();
	usleep((useconds_t)(opt_seconds * 1e6));
	n1 = sat_total(t, opt_threads);
	t1 = now_ns();
	atomic_store(&sat_measure, 0);
	atomic_store(&sat_stop, 1);
	for (i = 0; i < opt_threads; i++) {
		pthread_join(t[i].tid, NULL);
		nall += t[i].nlat;
	}
	all = calloc(nall + 1, 8);
	nall = 0;
	for (i = 0; i < opt_threads; i++) {
		memcpy(all + nall, t[i].lat, t[i].nlat * 8);
		nall += t[i].nlat;
		kv_close(&t[i].d);
	}
	printf("sat threads=%u ops=%lu seconds=%.3f ops_per_s=%.1f p50_ns=%llu p99_ns=%llu\n",
	       opt_threads, n1 - n0, (t1 - t0) / 1e9, (n1 - n0) / ((t1 - t0) / 1e9),
	       (unsigned long long)pct(all, nall, 0.5),
	       (unsigned long long)pct(all, nall, 0.99));
	return 0;
}

/* ---- NAND parallelism ------------------------------------------------------ */

#define MAX_D 64

/* D keys: die i for i < D (distinct) or all die 0 (same) */
static void pick_keys(char keys[][17], unsigned int *klen, bool same)
{
	unsigned int found = 0, want;
	unsigned long i;
	bool taken[MAX_D] = { false };

	for (i = 0; found < opt_d; i++) {
		char k[17];
		unsigned int kl = key_name(k, same ? "nds" : "ndd", i);
		unsigned int die_ = (unsigned int)(key_hash(k, kl) % opt_dies);

		want = same ? 0 : die_;
		if (die_ != want || (!same && (die_ >= MAX_D || taken[die_])))
			continue;
		if (!same)
			taken[die_] = true;
		memcpy(keys[found], k, 17);
		klen[found++] = kl;
	}
}

static uint64_t nand_round(struct io_uring *ring, struct kv_dev *d, int fd,
			   char keys[][17], unsigned int *klen, uint8_t *bufs)
{
	struct nvme_passthru_cmd64 c;
	struct io_uring_cqe *cqe;
	unsigned int i, got = 0;
	uint64_t t0;
	int ret;

	for (i = 0; i < opt_d; i++)
		if (kv_build(d, &c, KV_OP_RETRIEVE, keys[i], klen[i],
			     bufs + (size_t)i * 8192, opt_size, 0) ||
		    kvu_queue(ring, fd, &c, i))
			die("io_uring prep", -EINVAL);
	t0 = now_ns();
	ret = io_uring_submit(ring);
	if (ret != (int)opt_d)
		die("io_uring submit", ret < 0 ? ret : -EIO);
	while (got < opt_d) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			die("io_uring wait", ret);
		if (cqe->res)
			die("retrieve (io_uring)", cqe->res);
		io_uring_cqe_seen(ring, cqe);
		got++;
	}
	return now_ns() - t0;
}

/* nand_round(), and the device's own time of its D retrieves into @dt */
static uint64_t nand_dev_round(struct io_uring *ring, struct kv_dev *d, int fd,
			       char keys[][17], unsigned int *lens,
			       uint8_t *bufs, struct dev_time *dt)
{
	uint64_t c0 = 0, s0 = 0, t;

	dev_time_begin(dt, &c0, &s0);
	t = nand_round(ring, d, fd, keys, lens, bufs);
	dev_time_end(dt, c0, s0, opt_d);
	return t;
}

/* What a NAND round needs besides its keys. */
struct nand_ctx {
	struct io_uring ring;
	struct kv_dev d;
	int fd;
	uint8_t *bufs;
	struct dev_time others; /* counts of the rounds not reported */
};

/*
 * One timed round of @keys with @read_ns, into *@t (the device's own time
 * into @dt), after the same retrieves with no read time (into *@base).
 * Every timed round follows the same: the host's path for a burst is
 * slower after a long round (the one-die round's 8 reads), and when only
 * the rounds at 2 NS followed one, 8 distinct dies read 1.08-1.10 reads in
 * series instead of 0.98-1.01.
 * Return: 0, or 1 if the timing parameter could not be set.
 */
static int nand_timed(struct nand_ctx *c, char keys[][17], unsigned int *lens,
		      uint64_t read_ns, struct dev_time *dt, uint64_t *base,
		      uint64_t *t)
{
	if (set_param(opt_tdir, "nand_read_ns", 0))
		return 1;
	*base = nand_dev_round(&c->ring, &c->d, c->fd, keys, lens, c->bufs,
			       &c->others);
	if (set_param(opt_tdir, "nand_read_ns", read_ns))
		return 1;
	*t = nand_dev_round(&c->ring, &c->d, c->fd, keys, lens, c->bufs, dt);
	return 0;
}

/* Open @dev and store the D distinct-die keys @kd and one-die keys @ks. */
static void nand_setup(struct nand_ctx *c, const char *dev, char kd[][17],
		       unsigned int *ld, char ks[][17], unsigned int *ls)
{
	unsigned int i;
	int st;

	st = kv_open(&c->d, dev, kv_coding_of_module());
	if (st)
		die(dev, st);
	c->fd = kvu_open_ng(dev);
	if (c->fd < 0)
		die(dev, c->fd);
	pick_keys(kd, ld, false);
	pick_keys(ks, ls, true);
	memset(c->d.buf, 0x5a, opt_size);
	for (i = 0; i < opt_d; i++) {
		st = kv_store(&c->d, kd[i], ld[i], c->d.buf, opt_size, 0, NULL);
		if (!st)
			st = kv_store(&c->d, ks[i], ls[i], c->d.buf, opt_size,
				      0, NULL);
		if (st)
			die("store", st);
	}
	c->bufs = aligned_alloc(4096, (size_t)opt_d * 8192);
	st = kvu_ring_init(&c->ring, 2 * opt_d);
	if (st || !c->bufs)
		die("io_uring setup", st ? st : -ENOMEM);
	c->others = (struct dev_time){ .valid = true };
}

static int do_nand(const char *dev)
{
	struct dev_time dev_d = { .valid = true }, dev_s = { .valid = true };
	static char kd[MAX_D][17], ks[MAX_D][17];
	unsigned int ld[MAX_D], ls[MAX_D], i;
	uint64_t tb[64], td[64], ts[64], dd[64], ds[64], bd[64], bs[64], td2,
		ts2, tbs[64], unused;
	uint64_t b50, d50, s50;
	struct nand_ctx c;

	if (!opt_d || opt_d > MAX_D || opt_d > opt_dies || opt_reps > 64 ||
	    !opt_read_ns || 2 * opt_read_ns > 1000000000ull) {
		fprintf(stderr,
			"kvlat: need 1 <= d <= min(%d, dies), reps <= 64, 0 < read-ns <= 0.5 s\n",
			MAX_D);
		return 2;
	}
	if (save_param(opt_tdir, "nand_read_ns"))
		return 1;
	nand_setup(&c, dev, kd, ld, ks, ls);
	for (i = 0; i < opt_reps; i++) {
		if (nand_timed(&c, kd, ld, opt_read_ns, &dev_d, &tb[i],
			       &td[i]) ||
		    nand_timed(&c, ks, ls, opt_read_ns, &dev_s, &tbs[i],
			       &ts[i]) ||
		    nand_timed(&c, kd, ld, 2 * opt_read_ns, &c.others, &unused,
			       &td2) ||
		    nand_timed(&c, ks, ls, 2 * opt_read_ns, &c.others, &unused,
			       &ts2))
			return 1;
		/* reads in series: what one more NS of read time added */
		dd[i] = td2 > td[i] ? td2 - td[i] : 0;
		ds[i] = ts2 > ts[i] ? ts2 - ts[i] : 0;
		/* and over this repetition's host path alone */
		bd[i] = td[i] > tb[i] ? td[i] - tb[i] : 0;
		bs[i] = ts[i] > tbs[i] ? ts[i] - tbs[i] : 0;
		printf("nand_round d=%u base_ns=%llu distinct_ns=%llu same_ns=%llu "
		       "distinct2_ns=%llu same2_ns=%llu\n",
		       opt_d, (unsigned long long)tb[i],
		       (unsigned long long)td[i], (unsigned long long)ts[i],
		       (unsigned long long)td2, (unsigned long long)ts2);
	}
	put_back_param();
	b50 = pct(tb, opt_reps, 0.5);
	d50 = pct(td, opt_reps, 0.5);
	s50 = pct(ts, opt_reps, 0.5);
	printf("nand d=%u reps=%lu read_ns=%llu base_p50_ns=%llu distinct_p50_ns=%llu "
	       "same_p50_ns=%llu ratio=%.2f distinct_reads=%.3f same_reads=%.3f "
	       "distinct_over_base=%.3f same_over_base=%.3f "
	       "dev_distinct_reads=%.3f dev_same_reads=%.3f\n",
	       opt_d, opt_reps, opt_read_ns, (unsigned long long)b50,
	       (unsigned long long)d50, (unsigned long long)s50,
	       (double)s50 / d50, (double)pct(dd, opt_reps, 0.5) / opt_read_ns,
	       (double)pct(ds, opt_reps, 0.5) / opt_read_ns,
	       (double)pct(bd, opt_reps, 0.5) / opt_read_ns,
	       (double)pct(bs, opt_reps, 0.5) / opt_read_ns,
	       dev_time_mean(&dev_d, opt_read_ns),
	       dev_time_mean(&dev_s, opt_read_ns));
	/* every round differenced: a count off means statistics that lag
	 * the completions the host has seen */
	printf("nand_counts d=%u rounds=%u miscounted=%u\n", opt_d,
	       dev_d.stretches + dev_s.stretches + c.others.stretches,
	       dev_d.miscounted + dev_s.miscounted + c.others.miscounted);
	io_uring_queue_exit(&c.ring);
	close(c.fd);
	kv_close(&c.d);
	free(c.bufs);
	return 0;
}

int main(int argc, char **argv)
{
	int a, npos = 0;
	const char *pos[3] = { NULL, NULL, NULL };
	bool ns_set = false;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (o[0] != '-' || o[1] != '-') {
			if (npos < 3)
				pos[npos++] = o;
			continue;
		}
		if (!v) {
			fprintf(stderr, "kvlat: %s needs a value\n", o);
			return 2;
		}
		a++;
		if (!strcmp(o, "--size"))
			opt_size = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--ops"))
			opt_ops = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--cpu"))
			opt_cpu = atoi(v);
		else if (!strcmp(o, "--threads"))
			opt_threads = (unsigned int)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--seconds"))
			opt_seconds = atof(v);
		else if (!strcmp(o, "--d"))
			opt_d = (unsigned int)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--dies"))
			opt_dies = (unsigned int)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--reps"))
			opt_reps = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--ns")) {
			opt_ns = v;
			ns_set = true;
		} else if (!strcmp(o, "--read-ns"))
			opt_read_ns = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--stats"))
			opt_stats = v;
		else if (!strcmp(o, "--floor"))
			opt_floor = v;
		else {
			fprintf(stderr, "kvlat: unknown option %s\n", o);
			return 2;
		}
	}
	if (npos < 2 || !opt_size || opt_size > 8192 || !opt_ops ||
	    !opt_threads || !opt_dies) {
		fprintf(stderr,
			"usage: kvlat overhead DEV FLOORDEV | floor FLOORDEV | slope DEV TIMINGDIR | "
			"sat DEV | nand DEV TIMINGDIR | think DEV FLOORDEV  [--size B (<= 8192)] [--ops N] [--cpu C] "
			"[--threads T] [--seconds S] [--d D] [--dies N] [--reps R] "
			"[--ns a,b,..] [--read-ns NS] [--stats PATH] [--floor FLOORDEV]\n");
		return 2;
	}
	if (strcmp(pos[0], "sat"))
		pin(opt_cpu);
	if (!strcmp(pos[0], "overhead") && npos == 3)
		return do_overhead(pos[1], pos[2]);
	if (!strcmp(pos[0], "floor"))
		return do_floor(pos[1]);
	if (!strcmp(pos[0], "slope") && npos == 3)
		return do_slope(pos[1], pos[2]);
	if (!strcmp(pos[0], "sat"))
		return do_sat(pos[1]);
	if (!strcmp(pos[0], "think") && npos == 3) {
		if (!ns_set)
			opt_ns = "0,500000,2000000,5000000,10000000,20000000";
		return do_think(pos[1], pos[2]);
	}
	if (!strcmp(pos[0], "nand") && npos == 3) {
		opt_tdir = pos[2];
		return do_nand(pos[1]);
	}
	fprintf(stderr, "kvlat: unknown mode or missing argument: %s\n", pos[0]);
	return 2;
}
