// SPDX-License-Identifier: GPL-2.0
/*
 * tear: look for torn 512-byte sectors on a block device (defect 6e).
 *
 * Identify Namespace reports AWUN = 0 (and NAWUN = 0): a write of one LBA is
 * atomic with respect to other reads and writes. With several workers in
 * the module, two writes to the same LBA from SQs on different workers are
 * copied at the same time, and a sector can end up (or be read) half one
 * write and half the other.
 *
 * Writer threads, each pinned to its own CPU (so the nvme driver submits on
 * that CPU's hardware queue, and the module runs it on that queue's worker),
 * write O_DIRECT buffers of MIN..MAX bytes at random 4 KiB-aligned places of
 * one shared range. Every 512-byte sector of a buffer holds the same 8-byte
 * word repeated: (writer id + 1) << 48 | sequence number. A reader thread on
 * another CPU reads the whole range over and over and checks that every
 * sector is one word repeated and a word some writer wrote. After the
 * writers stop, the range is read once more: a tear that is still there is
 * a write/write tear (the sector is torn for good), the ones seen only by
 * the reader while writes were in flight are read/write tears.
 *
 * The first half of the time runs that way (free-running); the second half
 * runs in lockstep rounds: all writers start one write at the start of the
 * range together (a barrier), and when all have completed, the range is
 * read at rest, so every round checks for write/write tears directly.
 *
 *   tear DEV [--cpus C0,C1,...] [--reader-cpu C] [--offset BYTES]
 *            [--range BYTES] [--min BYTES] [--max BYTES] [--seconds T]
 *            [--seed S] [--quiet]
 *
 * Prints "TEAR-RESULT ..." at the end; exit 0 if no sector was torn, 1 if
 * any was, 2 on a usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECTOR 512u
#define WORDS (SECTOR / 8)
#define MAX_WRITERS 16
#define INIT_WORD ((uint64_t)0xffff << 48)
#define SHOW_MAX 12
#define SEQ_MASK (((uint64_t)1 << 48) - 1)

struct writer {
	pthread_t th;
	int id;
	int cpu;
	uint64_t seed;
	_Atomic uint64_t seq; /* last sequence number submitted */
	uint64_t writes, bytes;
	int err;
};

static const char *dev;
static int fd;
static uint64_t off = 32ull << 20, range = 1u << 20, min_io = 256u << 10, max_io = 1u << 20;
static double seconds = 10;
static int nwriters, reader_cpu = -1, quiet;
static struct writer writers[MAX_WRITERS];
static atomic_bool stop, lockstep;
/* lockstep rounds: @go_gen starts one, @done_count counts finished writes */
static pthread_mutex_t round_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t round_go = PTHREAD_COND_INITIALIZER, round_done = PTHREAD_COND_INITIALIZER;
static uint64_t go_gen, rounds;
static int done_count;

static void set_stop(void)
{
	pthread_mutex_lock(&round_lock);
	atomic_store(&stop, true);
	pthread_cond_broadcast(&round_go);
	pthread_cond_broadcast(&round_done);
	pthread_mutex_unlock(&round_lock);
}
static uint64_t torn_live, torn_rest, bad_word, reads, shown;
static pthread_mutex_t show_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		fprintf(stderr, "tear: cannot pin to CPU %d\n", cpu);
		exit(2);
	}
}

static void *xalloc(size_t n)
{
	void *p;

	if (posix_memalign(&p, 4096, n)) {
		fprintf(stderr, "tear: out of memory\n");
		exit(2);
	}
	return p;
}

static void fill(uint64_t *buf, uint64_t len, uint64_t word)
{
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = word;
}

static void describe(uint64_t w, char *s, size_t n)
{
	if (w == INIT_WORD)
		snprintf(s, n, "initial fill");
	else
		snprintf(s, n, "writer %u seq %" PRIu64, (unsigned)(w >> 48) - 1, w & SEQ_MASK);
}

/* a word a writer (or the initial fill) may have put there */
static bool valid_word(uint64_t w)
{
	unsigned int id = w >> 48;
	uint64_t seq = w & SEQ_MASK;

	if (w == INIT_WORD)
		return true;
	if (id < 1 || id > (unsigned)nwriters)
		return false;
	return seq >= 1 && seq <= atomic_load(&writers[id - 1].seq);
}

/* check the range in @buf; returns the number of torn sectors */
static uint64_t check(const uint64_t *buf, const char *when, uint64_t pass)
{
	uint64_t s, torn = 0;

	for (s = 0; s < range / SECTOR; s++) {
		const uint64_t *w = buf + s * WORDS;
		unsigned int i, first_diff = 0, distinct = 1;

		for (i = 1; i < WORDS; i++) {
			if (w[i] != w[i - 1]) {
				if (!first_diff)
					first_diff = i;
				distinct++;
			}
		}
		if (!first_diff && valid_word(w[0]))
			continue;
		if (first_diff)
			torn++;
		else
			bad_word++;
		pthread_mutex_lock(&show_lock);
		if (shown < SHOW_MAX) {
			char a[64], b[64];

			shown++;
			describe(w[0], a, sizeof(a));
			if (first_diff) {
				describe(w[first_diff], b, sizeof(b));
				printf("TORN %s (read %" PRIu64 "): LBA %" PRIu64 ": bytes 0..%u = %#" PRIx64
				       " (%s), from byte %u = %#" PRIx64 " (%s); %u changes in the sector\n",
				       when, pass, (off + s * SECTOR) / SECTOR, first_diff * 8 - 1, w[0], a,
				       first_diff * 8, w[first_diff], b, distinct - 1);
			} else {
				printf("BAD %s (read %" PRIu64 "): LBA %" PRIu64 ": word %#" PRIx64
				       " was never written\n", when, pass, (off + s * SECTOR) / SECTOR, w[0]);
			}
			fflush(stdout);
		}
		pthread_mutex_unlock(&show_lock);
	}
	return torn;
}

static void *writer_fn(void *arg)
{
	struct writer *wr = arg;
	uint64_t *buf = xalloc(max_io), my_gen = 0;

	pin(wr->cpu);
	while (!atomic_load(&stop)) {
		uint64_t len = min_io + xorshift(&wr->seed) % (max_io - min_io + 1);
		uint64_t at, seq = atomic_load(&wr->seq) + 1;
		bool ls = atomic_load(&lockstep);
		ssize_t n;

		len &= ~4095ull;
		if (len < 4096)
			len = 4096;
		at = range > len ? (xorshift(&wr->seed) % ((range - len) / 4096 + 1)) * 4096 : 0;
		if (ls) {
			at = 0; /* all writers from the start of the range: they overlap */
			pthread_mutex_lock(&round_lock);
			while (go_gen == my_gen && !atomic_load(&stop))
				pthread_cond_wait(&round_go, &round_lock);
			my_gen = go_gen;
			pthread_mutex_unlock(&round_lock);
			if (atomic_load(&stop))
				break;
		}
		fill(buf, len, ((uint64_t)(wr->id + 1) << 48) | seq);
		atomic_store(&wr->seq, seq); /* before the write: the reader may see it early */
		n = pwrite(fd, buf, len, off + at);
		if (n != (ssize_t)len) {
			fprintf(stderr, "tear: writer %d: pwrite %" PRIu64 " at %" PRIu64 ": %s\n", wr->id, len,
				off + at, n < 0 ? strerror(errno) : "short write");
			wr->err = 1;
			set_stop();
			break;
		}
		wr->writes++;
		wr->bytes += len;
		if (ls) {
			pthread_mutex_lock(&round_lock);
			done_count++;
			pthread_cond_broadcast(&round_done);
			pthread_mutex_unlock(&round_lock);
		}
	}
	free(buf);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tear DEV [--cpus C0,C1,...] [--reader-cpu C] [--offset BYTES] [--range BYTES]\n"
		"                [--min BYTES] [--max BYTES] [--seconds T] [--seed S] [--quiet]\n"
		"  writers: one per CPU of --cpus (default 0,1); sizes may end in K or M\n");
	exit(2);
}

static uint64_t size_arg(const char *v)
{
	char *end;
	uint64_t n = strtoull(v, &end, 0);

	if (*end == 'K' || *end == 'k')
		n <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		n <<= 20, end++;
	if (*end)
		usage();
	return n;
}

int main(int argc, char **argv)
{
	const char *cpus = "0,1";
	uint64_t seed = (uint64_t)time(NULL), *rbuf, pass = 0, t;
	double t0, el;
	int i, err = 0;
	char *list, *tok;

	if (argc < 2)
		usage();
	dev = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quiet")) {
			quiet = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--cpus"))
			cpus = v;
		else if (!strcmp(a, "--reader-cpu"))
			reader_cpu = atoi(v);
		else if (!strcmp(a, "--offset"))
			off = size_arg(v);
		else if (!strcmp(a, "--range"))
			range = size_arg(v);
		else if (!strcmp(a, "--min"))
			min_io = size_arg(v);
		else if (!strcmp(a, "--max"))
			max_io = size_arg(v);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else
			usage();
	}
	if (off % 4096 || range % 4096 || !range || min_io < 4096 || max_io < min_io || max_io > range)
		usage();
	list = strdup(cpus);
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (nwriters == MAX_WRITERS)
			usage();
		writers[nwriters].id = nwriters;
		writers[nwriters].cpu = atoi(tok);
		writers[nwriters].seed = seed * 2654435761u + nwriters + 1;
		nwriters++;
	}
	free(list);
	if (nwriters < 1)
		usage();

	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "tear: %s: %s\n", dev, strerror(errno));
		return 2;
	}
	rbuf = xalloc(range);
	/* a known starting state */
	fill(rbuf, range, INIT_WORD);
	if (pwrite(fd, rbuf, range, off) != (ssize_t)range) {
		fprintf(stderr, "tear: initial fill of %" PRIu64 " bytes at %" PRIu64 ": %s\n", range, off,
			strerror(errno));
		return 2;
	}
	pin(reader_cpu);
	printf("tear: %s, %d writers on CPUs %s, reader on CPU %d, range %" PRIu64 " KiB at %" PRIu64
	       " MiB, writes %" PRIu64 "..%" PRIu64 " KiB, %.0f s, seed %" PRIu64 "\n",
	       dev, nwriters, cpus, reader_cpu, range >> 10, off >> 20, min_io >> 10, max_io >> 10, seconds, seed);
	fflush(stdout);

	for (i = 0; i < nwriters; i++)
		pthread_create(&writers[i].th, NULL, writer_fn, &writers[i]);
	t0 = now();
	while (!atomic_load(&stop) && now() - t0 < seconds / 2) {
		if (pread(fd, rbuf, range, off) != (ssize_t)range) {
			fprintf(stderr, "tear: reader: pread %" PRIu64 " at %" PRIu64 ": %s\n", range, off,
				strerror(errno));
			err = 1;
			break;
		}
		reads++;
		t = check(rbuf, "while writing", ++pass);
		torn_live += t;
		if (t && !quiet)
			printf("tear: read %" PRIu64 " at %.1f s: %" PRIu64 " torn sector(s)\n", pass, now() - t0, t);
	}
	/*
	 * Lockstep: a free-running writer checks the flag before each write and
	 * joins the round that is open then; a round ends when every writer
	 * has completed one write in it.
	 */
	atomic_store(&lockstep, true);
	while (!err && !atomic_load(&stop) && now() - t0 < seconds) {
		pthread_mutex_lock(&round_lock);
		done_count = 0;
		go_gen++;
		pthread_cond_broadcast(&round_go);
		while (done_count < nwriters && !atomic_load(&stop))
			pthread_cond_wait(&round_done, &round_lock);
		pthread_mutex_unlock(&round_lock);
		if (atomic_load(&stop))
			break;
		if (pread(fd, rbuf, range, off) != (ssize_t)range) {
			fprintf(stderr, "tear: reader: pread at rest: %s\n", strerror(errno));
			err = 1;
			break;
		}
		rounds++;
		t = check(rbuf, "at rest after a round", ++pass);
		torn_rest += t;
		if (t && !quiet)
			printf("tear: round %" PRIu64 " at %.1f s: %" PRIu64 " torn sector(s) at rest\n", rounds,
			       now() - t0, t);
	}
	set_stop();
	for (i = 0; i < nwriters; i++) {
		pthread_join(writers[i].th, NULL);
		err |= writers[i].err;
	}
	el = now() - t0;
	/* at rest: whatever is torn now was torn by two writes */
	if (pread(fd, rbuf, range, off) != (ssize_t)range) {
		fprintf(stderr, "tear: final read: %s\n", strerror(errno));
		err = 1;
	} else {
		torn_rest += check(rbuf, "at rest", ++pass);
	}
	for (i = 0; i < nwriters; i++)
		printf("tear: writer %d on CPU %d: %" PRIu64 " writes, %" PRIu64 " MiB\n", i, writers[i].cpu,
		       writers[i].writes, writers[i].bytes >> 20);
	printf("TEAR-RESULT seconds=%.1f reads=%" PRIu64 " rounds=%" PRIu64 " sectors=%" PRIu64
	       " torn_while_writing=%" PRIu64 " torn_at_rest=%" PRIu64 " never_written=%" PRIu64 "\n",
	       el, reads, rounds, range / SECTOR, torn_live, torn_rest, bad_word);
	free(rbuf);
	close(fd);
	if (err)
		return 2;
	return torn_live || torn_rest || bad_word ? 1 : 0;
}
