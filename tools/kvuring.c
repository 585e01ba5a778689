// SPDX-License-Identifier: GPL-2.0
/*
 * kvuring - KV commands through io_uring passthrough (IORING_OP_URING_CMD,
 * NVME_URING_CMD_IO on the generic char device /dev/ngXnY): many commands
 * in flight from one thread, as an application on a real KV-SSD would run.
 *
 *   kvuring DEV [--qd N] [--ops N] [--keys K] [--size BYTES] [--seed S]
 *               [--prefix P] [--csi vendor|kv]
 *
 * DEV is the namespace's block (/dev/nvme0n1) or char (/dev/ng0n1) node;
 * with --csi kv the NVMe KV Command Set on the KV namespace's char node
 * (/dev/ng0n2), where Delete of a missing key succeeds (EDNEK off).
 * A random mix of store / retrieve / exist / delete over K keys, at most
 * one command per key in flight so an in-memory model knows every answer:
 * each retrieve is checked byte for byte (and its guard bytes after the
 * value), each status against the model. Keys are "u" + 2 hex digits of
 * --prefix (default 0) + 8 hex digits: the model assumes none of them
 * exists when it starts, so give each run on one device its own prefix. Prints one line
 *   kvuring: qd=N ops=N seconds=T ops_per_s=R mismatches=M errors=E csi=C
 * and exits non-zero on any mismatch or error.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>
#include "kvlib.h"
#include "kvuring_lib.h"

#define MAX_QD 256
#define SLOT_BUF (KV_MAX_VALUE + KV_GUARD)

struct key_state {
	uint32_t version; /* 0: absent */
	uint32_t len;
	bool busy; /* a command on this key is in flight */
};

struct slot {
	bool used;
	uint8_t opcode;
	uint32_t key;
	uint32_t version; /* for a store: the version it writes */
	uint32_t len;
	uint8_t *buf;
};

static struct key_state *keys;
static struct slot slots[MAX_QD];
static uint64_t rng;
static uint32_t last_version; /* versions are never reused across deletes */
static unsigned int key_prefix;
static uint64_t mismatches, errors;
static struct kv_dev d;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void key_name(uint32_t k, char out[17], unsigned int *klen)
{
	*klen = (unsigned int)snprintf(out, 17, "u%02x%08x", key_prefix & 0xff,
				       k);
}

/* The value of version @v of key @k: every byte depends on both. */
static void fill_value(uint8_t *p, uint32_t len, uint32_t k, uint32_t v)
{
	uint32_t i, x = k * 2654435761u ^ v * 40503u;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static void mismatch(const char *fmt, uint32_t k, unsigned long a,
		     unsigned long b)
{
	if (mismatches++ < 10) {
		fprintf(stderr, "kvuring: key %u: ", k);
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

/* Queue one command for a key not in flight; false if none is free. */
static bool submit_one(struct io_uring *ring, int fd, unsigned int nkeys,
		       uint32_t size, unsigned int si)
{
	struct slot *s = &slots[si];
	struct nvme_passthru_cmd64 c;
	unsigned int klen, tries, r;
	char name[17];
	uint32_t k;

	for (tries = 0;; tries++) {
		if (tries > 64)
			return false;
		k = rnd() % nkeys;
		if (!keys[k].busy)
			break;
	}
	key_name(k, name, &klen);
	s->key = k;
	r = rnd() % 100;
	if (r < 40) {
		s->opcode = KV_OP_STORE;
		s->version = ++last_version;
		s->len = 1 + rnd() % size;
		fill_value(s->buf, s->len, k, s->version);
	} else if (r < 80) {
		s->opcode = KV_OP_RETRIEVE;
		s->len = size; /* a buffer of the largest size: gets it all */
		memset(s->buf, KV_GUARD_BYTE, size + KV_GUARD);
	} else if (r < 92) {
		s->opcode = KV_OP_EXIST;
		s->len = 0;
	} else {
		s->opcode = KV_OP_DELETE;
		s->len = 0;
	}
	if (kv_build(&d, &c, s->opcode, name, klen, s->buf, s->len, 0))
		return false;
	if (kvu_queue(ring, fd, &c, si))
		return false;
	keys[k].busy = true;
	s->used = true;
	return true;
}

static void check_retrieve(const struct slot *s, int st, uint32_t dw0)
{
	const struct key_state *ks = &keys[s->key];
	static uint8_t want[KV_MAX_VALUE];
	uint32_t i;

	if (!ks->version) {
		if (st != kv_sc(&d, KV_SC_NO_KEY))
			mismatch("retrieve of an absent key: status %#lx, want %#lx",
				 s->key, (unsigned long)st,
				 (unsigned long)kv_sc(&d, KV_SC_NO_KEY));
		return;
	}
	if (st != KV_SC_OK || dw0 != ks->len) {
		mismatch("retrieve: status %#lx size %lu", s->key,
			 (unsigned long)st, (unsigned long)dw0);
		return;
	}
	fill_value(want, ks->len, s->key, ks->version);
	if (memcmp(s->buf, want, ks->len))
		mismatch("retrieve: value of %lu bytes differs (version %lu)",
			 s->key, ks->len, ks->version);
	for (i = ks->len; i < s->len + KV_GUARD; i++)
		if (s->buf[i] != KV_GUARD_BYTE && i >= ((ks->len + 3) & ~3u)) {
			mismatch("retrieve: the device wrote byte %lu past the "
				 "%lu-byte value", s->key, i, ks->len);
			break;
		}
}

/* Check a completion against the model and update it. */
static void complete_one(const struct io_uring_cqe *cqe)
{
	struct slot *s = &slots[cqe->user_data];
	struct key_state *ks = &keys[s->key];
	uint32_t dw0 = kvu_dw0(cqe);
	int st = cqe->res;

	if (st < 0) {
		if (errors++ < 10)
			fprintf(stderr, "kvuring: opcode %#x: %s\n",
				kv_op(&d, s->opcode), strerror(-st));
		goto done;
	}
	st &= 0x7ff;
	switch (s->opcode) {
	case KV_OP_STORE:
		if (st == KV_SC_OK) {
			ks->version = s->version;
			ks->len = s->len;
		} else if (st != kv_sc(&d, KV_SC_CAPACITY)) {
			mismatch("store: status %#lx (%lu bytes)", s->key,
				 (unsigned long)st, s->len);
		}
		break;
	case KV_OP_RETRIEVE:
		check_retrieve(s, st, dw0);
		break;
	case KV_OP_EXIST:
		if (st != (ks->version ? KV_SC_OK : kv_sc(&d, KV_SC_NO_KEY)))
			mismatch("exist: status %#lx, model has version %lu",
				 s->key, (unsigned long)st, ks->version);
		break;
	case KV_OP_DELETE:
		if (st != (ks->version ? KV_SC_OK : kv_sc_delete_missing(&d)))
			mismatch("delete: status %#lx, model has version %lu",
				 s->key, (unsigned long)st, ks->version);
		ks->version = 0;
		break;
	}
done:
	ks->busy = false;
	s->used = false;
}

int main(int argc, char **argv)
{
	unsigned long ops = 20000, done = 0, sent = 0;
	unsigned int qd = 32, nkeys = 4096, inflight = 0, i;
	uint32_t size = 4096;
	struct io_uring ring;
	enum kv_cset cset = KV_CSET_VENDOR;
	double t0, t1;
	uint8_t *bufs;
	int a, fd, ret;

	rng = 88172645463325252ull;
	if (argc < 2) {
		fprintf(stderr, "usage: kvuring DEV [--qd N] [--ops N] [--keys K] "
				"[--size BYTES] [--seed S] [--prefix P] [--csi vendor|kv]\n");
		return 2;
	}
	for (a = 2; a + 1 < argc; a += 2) {
		unsigned long v = strtoul(argv[a + 1], NULL, 0);

		if (!strcmp(argv[a], "--csi")) {
			if (kv_cset_parse(argv[a + 1], &cset)) {
				fprintf(stderr, "kvuring: --csi vendor or kv\n");
				return 2;
			}
		} else if (!strcmp(argv[a], "--qd"))
			qd = (unsigned int)v;
		else if (!strcmp(argv[a], "--ops"))
			ops = v;
		else if (!strcmp(argv[a], "--keys"))
			nkeys = (unsigned int)v;
		else if (!strcmp(argv[a], "--size"))
			size = (uint32_t)v;
		else if (!strcmp(argv[a], "--seed"))
			rng = v | 1;
		else if (!strcmp(argv[a], "--prefix"))
			key_prefix = (unsigned int)v;
	}
	if (!qd || qd > MAX_QD || nkeys < 2 * qd || !size ||
	    size > KV_MAX_VALUE) {
		fprintf(stderr, "kvuring: need 1 <= qd <= %d, keys >= 2 * qd, "
				"1 <= size <= %u\n", MAX_QD, KV_MAX_VALUE);
		return 2;
	}
	ret = kv_open_cset(&d, argv[1], kv_coding_of_module(), cset);
	if (ret) {
		fprintf(stderr, "kvuring: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	fd = kvu_open_ng(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "kvuring: open the generic char device: %s\n", strerror(-fd));
		return 1;
	}
	keys = calloc(nkeys, sizeof(*keys));
	bufs = aligned_alloc(4096, (size_t)qd * ((size + KV_GUARD + 4095) & ~4095u));
	if (!keys || !bufs) {
		fprintf(stderr, "kvuring: out of memory\n");
		return 1;
	}
	for (i = 0; i < qd; i++)
		slots[i].buf = bufs + (size_t)i * ((size + KV_GUARD + 4095) & ~4095u);
	ret = kvu_ring_init(&ring, qd);
	if (ret) {
		fprintf(stderr, "kvuring: io_uring setup: %s\n", strerror(-ret));
		return 1;
	}

	t0 = now_s();
	while (done < ops) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		for (i = 0; i < qd && sent < ops; i++)
			if (!slots[i].used && submit_one(&ring, fd, nkeys, size, i)) {
				sent++;
				inflight++;
			}
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0) {
			fprintf(stderr, "kvuring: submit: %s\n", strerror(-ret));
			return 1;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			complete_one(cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		done += n;
		inflight -= n;
	}
	t1 = now_s();
	printf("kvuring: qd=%u ops=%lu seconds=%.3f ops_per_s=%.0f mismatches=%lu errors=%lu csi=%s\n",
	       qd, done, t1 - t0, done / (t1 - t0), (unsigned long)mismatches,
	       (unsigned long)errors, kv_cset_name(d.cset));
	io_uring_queue_exit(&ring);
	kv_close(&d);
	return mismatches || errors ? 1 : 0;
}
