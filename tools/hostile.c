// SPDX-License-Identifier: GPL-2.0
/*
 * hostile - a hostile host for the nvmev-kv device.
 *
 *   hostile run   NS CTRL [--ops N] [--seed S] [--no-inject] [--seconds T] [-v]
 *       1. stores sentinel keys and writes sentinel sectors of the block area
 *       2. a table of crafted cases with expected statuses: bad queue
 *          creation/deletion, Identify with bad CNS/NSID, Get Log Page with
 *          huge length/offset, KV key/value sizes, offsets, iterator handles,
 *          doorbells beyond queue sizes, PRPs that are unaligned, looping,
 *          chained, outside RAM or aimed at the device's reserved region
 *       3. at least N (default 100000) random commands: admin and I/O
 *          through NVME_IOCTL_ADMIN64_CMD / NVME_IOCTL_IO64_CMD and, with
 *          inject=1, raw SQEs through /sys/kernel/debug/nvmev_kv/inject with
 *          arbitrary fields and PRPs into the injection scratch buffer or
 *          at invalid addresses, on the private queue and on I/O queues it
 *          creates itself (qid 20..32), doorbell abuse on those
 *       4. checks the sentinels again (also every 20000 commands)
 *     --skip-known-bugs leaves out the CQ head doorbell abuse (bogus heads
 *     on the admin CQ and on full CQs). The device bugs these cases found
 *     are fixed and the cases run by default; the option is for tests that
 *     use this tool for load and want no deliberate stalls in it.
 *     Every command must complete with an NVMe status (the ioctl returns
 *     >= 0, an injection returns its CQE). Prints the commands sent and a
 *     per-status histogram; exit 1 on any violation.
 *
 *   hostile model NS --prefix P [--ops N] [--seed S] [--pool N] [--max-value B]
 *       random store/append/retrieve/delete/exist on keys whose first byte
 *       is P (disjoint key sets for concurrent processes) against an
 *       in-memory model; 0x312 (capacity) leaves the old value; at the end
 *       every key is verified. For the concurrency stress test.
 *   hostile iterate NS [--seconds T]
 *       open/read/close iterators over all keys until T seconds passed;
 *       only 0x000, 0x393 and (all 16 handles busy) 0x390 are acceptable.
 *   hostile load NS --prefix P [--seconds T]
 *       unchecked random KV traffic (for resets, shutdowns, rmmod, kill -9)
 *   hostile fillset|checkset NS --prefix P [--pool N]
 *       store / verify a fixed data set of N keys (default 500)
 *   hostile closeiters NS
 *       close every iterator handle (those of killed processes stay open);
 *       each must close or answer 0x390
 *   hostile std NS2 [--ns1 NS1] [--ops N] [--seed S] [--no-inject]
 *       the NVMe KV Command Set on its namespace (/dev/ngXn2): sentinel
 *       keys there (and under the same keys, other values, on NS1), the
 *       crafted cases of the set (key lengths, sizes, buffers, options,
 *       other opcodes and namespaces), N (20000) random commands of the
 *       set with garbage fields (and with inject=1 raw SQEs with
 *       malformed PRPs, nsid 2), EDNEK toggled; sentinels and a working
 *       store/retrieve/list at the end.
 *
 * Safety rules for the injection path (the device can't tell whose RAM a
 * PRP names, so the generator must never name RAM it does not own): every
 * PRP is either in the module's scratch buffer or an address that is not
 * usable RAM (0, 1, unaligned, far beyond RAM, the device's own reserved
 * region). The scratch buffer is split into a data area (the only place the
 * device may write data), a PRP-list area (only ever holding entries that
 * obey this rule) and a queue area (CQs, and SQs holding only SQEs made by
 * this generator). PRP2 is a list pointer exactly when the length the
 * command implies needs one, as a host must do. Queues are created only
 * with qid 20..32; doorbells of the host's live queues only ever get
 * out-of-range values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kvlib.h"

#define MIB (1u << 20)
#define PAGE 4096u
#define INJ_DIR "/sys/kernel/debug/nvmev_kv/inject"
#define PRIV_QID 33
#define OWN_QID_MIN 20
#define OWN_QID_MAX 32
#define NR_OWN (OWN_QID_MAX - OWN_QID_MIN + 1)
#define RND_QID_MIN 24		/* random admin injections: 24..32; own traffic: 20..23 */

/* scratch layout, in pages (2 MiB = 512 pages) */
#define SCR_DATA_PAGES 192	/* 0..191: data the device may write */
#define SCR_LIST_FIRST 192	/* 192..319: PRP list pages */
#define SCR_LIST_PAGES 128
#define SCR_SQ_FIRST 320	/* 8 pages (512 SQEs) per own qid */
#define SCR_SQ_PAGES 8
#define SCR_CQ_FIRST 424	/* 2 pages (512 CQEs) per own qid */
#define SCR_CQ_PAGES 2
#define SCR_BIGSQ 450		/* 16 pages: a 1024-entry SQ */
#define SCR_BIGCQ 466		/* 4 pages: a 1024-entry CQ */
#define SCR_PAGES 512

#define SENT_KEYS 24
#define SENT_FIRST_BYTE 0xee	/* no other key this tool makes starts so */
#define SENT_LBAS_HEAD 64	/* sentinel sectors at the start ... */
#define SENT_LBAS_TAIL 4096	/* ... and the last 2 MiB of the block area */

/* ---- rng ---------------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rr(uint32_t lo, uint32_t hi) /* [lo, hi] */
{
	return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

static bool chance(unsigned int pct)
{
	return rnd() % 100 < pct;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- bookkeeping ------------------------------------------------------------ */

static int verbose;
static uint64_t violations;
static uint64_t n_admin_ioctl, n_io_ioctl, n_inj_admin, n_inj_io, n_sq_own, n_doorbell;
static uint64_t hist[0x800];	/* by SCT << 8 | SC */
static uint64_t host_refused;	/* the host driver refused before the device */

static void violation(const char *fmt, ...)
{
	va_list ap;

	violations++;
	if (violations > 50)
		return;
	printf("VIOLATION: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void kmsg(const char *s)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror("kmsg");
		close(fd);
	}
}

/* ---- devices ------------------------------------------------------------ */

static struct kv_dev kv;	/* namespace: kvlib's I/O ioctl path */
static int ctrl_fd = -1;
static uint8_t *abuf;		/* 2 MiB + guard, huge-page backed, for admin */
static uint64_t ns_blocks;	/* 512-byte LBAs of the block area */

static uint8_t *huge_buf(size_t len)
{
	size_t map = len + 4 * MIB;
	uint8_t *m = mmap(NULL, map, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

	if (m == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	p = (uint8_t *)(((uintptr_t)m + 2 * MIB - 1) & ~(uintptr_t)(2 * MIB - 1));
	madvise(p, len, MADV_HUGEPAGE);
	memset(p, 0, len);
	return p;
}

struct admin_cmd {
	uint8_t opcode;
	uint32_t nsid;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
	uint32_t data_len;
	uint32_t timeout_ms;
};

/* An admin command through the controller node; returns status or -errno. */
static int admin(const struct admin_cmd *a, uint32_t *dw0)
{
	struct nvme_passthru_cmd64 c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = a->opcode;
	c.nsid = a->nsid;
	c.cdw10 = a->cdw10;
	c.cdw11 = a->cdw11;
	c.cdw12 = a->cdw12;
	c.cdw13 = a->cdw13;
	c.cdw14 = a->cdw14;
	c.cdw15 = a->cdw15;
	c.timeout_ms = a->timeout_ms;
	if (a->data_len) {
		c.addr = (uintptr_t)abuf;
		c.data_len = a->data_len;
	}
	n_admin_ioctl++;
	ret = ioctl(ctrl_fd, NVME_IOCTL_ADMIN64_CMD, &c);
	if (ret < 0)
		return -errno;
	if (dw0)
		*dw0 = (uint32_t)c.result;
	hist[ret & 0x7ff]++;
	return ret & 0x7ff;
}

/* An I/O command through the namespace node (kvlib); status or -errno. */
static int io(uint8_t opcode, uint32_t cdw10, uint32_t cdw11, uint32_t cdw12,
	      uint32_t cdw13, uint32_t cdw14, uint32_t cdw15, uint32_t data_len,
	      uint32_t *dw0)
{
	uint32_t k[4] = { cdw12, cdw13, cdw14, cdw15 };
	int st;

	n_io_ioctl++;
	st = kv_raw(&kv, opcode, cdw10, cdw11, k, data_len, dw0);
	if (st >= 0)
		hist[st & 0x7ff]++;
	return st;
}

/* ---- injection -------------------------------------------------------------- */

static bool inj;			/* injection available */
static int inj_io_fd = -1, inj_admin_fd = -1, inj_db_fd = -1, inj_scr_fd = -1;
static uint64_t scr_phys;		/* physical address of scratch */
static uint64_t region_phys;		/* the device's reserved region (BAR first) */
static uint16_t inj_cid = 1;
static bool priv_chaos;		/* the private queue's doorbells were abused */
static int force_no_inject;
static int skip_cq_head;
static double t_admin, t_io, t_inj, t_own;

struct sqe {
	uint32_t dw[16];
};

struct cqe {
	uint64_t result;
	uint16_t sq_head, sq_id, cid, status;
};

static uint64_t rd_u64_file(const char *path)
{
	char s[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(s, sizeof(s), f))
		s[0] = 0;
	fclose(f);
	return strtoull(s, NULL, 16);
}

static void scr_write(uint64_t off, const void *p, size_t len)
{
	if (pwrite(inj_scr_fd, p, len, (off_t)off) != (ssize_t)len) {
		perror("scratch write");
		exit(2);
	}
}

static void scr_read(uint64_t off, void *p, size_t len)
{
	if (pread(inj_scr_fd, p, len, (off_t)off) != (ssize_t)len) {
		perror("scratch read");
		exit(2);
	}
}

static void set_prp(struct sqe *s, uint64_t prp1, uint64_t prp2)
{
	s->dw[6] = (uint32_t)prp1;
	s->dw[7] = (uint32_t)(prp1 >> 32);
	s->dw[8] = (uint32_t)prp2;
	s->dw[9] = (uint32_t)(prp2 >> 32);
}

/*
 * Inject one SQE; returns 0 with the CQE, or -errno of the write. Checks
 * that the CQE is ours (the private queue: cid and sq id) unless the queue
 * was deliberately desynchronised.
 */
static int inject(bool adm, struct sqe *s, struct cqe *c)
{
	int fd = adm ? inj_admin_fd : inj_io_fd;
	uint16_t cid = inj_cid++;
	ssize_t n;

	s->dw[0] = (s->dw[0] & 0xffff) | (uint32_t)cid << 16;
	if (adm)
		n_inj_admin++;
	else
		n_inj_io++;
	n = pwrite(fd, s, 64, 0);
	if (n != 64)
		return n < 0 ? -errno : -EIO;
	if (pread(fd, c, 16, 0) != 16)
		return -EIO;
	hist[(c->status >> 1) & 0x7ff]++;
	if (!priv_chaos) {
		if (c->cid != cid)
			violation("injected %s opcode %#x: CQE command id %u, sent %u",
				  adm ? "admin" : "io", s->dw[0] & 0xff, c->cid, cid);
		if (!adm && c->sq_id != PRIV_QID)
			violation("injected io opcode %#x: CQE sq id %u", s->dw[0] & 0xff, c->sq_id);
		if (!adm && c->sq_head >= 64)
			violation("injected io opcode %#x: CQE sq head %u beyond the queue", s->dw[0] & 0xff, c->sq_head);
	}
	return 0;
}

static uint16_t cqe_sc(const struct cqe *c)
{
	return (c->status >> 1) & 0x7ff;
}

static int doorbell(unsigned int index, uint64_t value)
{
	char s[64];
	int len = snprintf(s, sizeof(s), "%u %#" PRIx64, index, value);

	n_doorbell++;
	if (pwrite(inj_db_fd, s, len, 0) != len)
		return -errno;
	return 0;
}

/* ---- PRP generation (injection path) --------------------------------------------- */

static uint64_t data_page(void)
{
	return scr_phys + (uint64_t)rr(0, SCR_DATA_PAGES - 1) * PAGE;
}

/* An address the device must refuse (not usable RAM, or not aligned). */
static uint64_t bad_addr(bool aligned)
{
	uint64_t a;

	switch (rr(0, 6)) {
	case 0: a = 0; break;
	case 1: a = 1ULL << 46; break;				/* far beyond RAM */
	case 2: a = 0xfffffffffffff000ULL; break;
	case 3: a = region_phys ? region_phys : 1ULL << 44; break; /* BAR0 */
	case 4: a = region_phys ? region_phys + MIB + (uint64_t)rr(0, 255) * PAGE : 1ULL << 45; break;
	case 5: a = (1ULL << 40) + (uint64_t)rr(0, 1000) * PAGE; break;
	default: a = 0x1000ULL * rr(1, 15); break;		/* low reserved memory */
	}
	if (!aligned)
		a |= rr(1, PAGE - 1) & ~3u;
	return a;
}

/*
 * An address the device may not even read: beyond RAM, or our own reserved
 * region. (Low memory and page 0 are reserved but System RAM: the device
 * may read a PRP list there, so what it finds is arbitrary.)
 */
static uint64_t unreadable_addr(void)
{
	switch (rr(0, 3)) {
	case 0: return 1ULL << 46;
	case 1: return 0xfffffffffffff000ULL;
	case 2: return region_phys ? region_phys + MIB : 1ULL << 45;
	default: return (1ULL << 40) + (uint64_t)rr(0, 1000) * PAGE;
	}
}

static uint32_t list_page_next = 0;

/*
 * Write a PRP list for @npages data pages starting at a fresh list page
 * (possibly at an offset into it) and return the list pointer. With
 * @malform the list gets one defect: an unaligned entry, an entry at a bad
 * address, a chain pointer that loops, is unaligned or points outside RAM.
 */
static uint64_t make_list_at(uint32_t npages, int malform, int start);

static uint64_t make_list(uint32_t npages, int malform)
{
	return make_list_at(npages, malform, -1);
}

static uint64_t make_list_at(uint32_t npages, int malform, int start)
{
	static uint64_t ent[SCR_LIST_PAGES * 512];
	uint32_t first = SCR_LIST_FIRST + (list_page_next++ % (SCR_LIST_PAGES - 8));
	uint32_t start_ent = start >= 0 ? (uint32_t)start : chance(20) ? rr(0, 511) : 0;	/* a list may start mid-page */
	uint32_t n = 0, idx = start_ent, page = 0, i, max_pages = SCR_LIST_FIRST + SCR_LIST_PAGES - first;
	uint64_t base = scr_phys + (uint64_t)first * PAGE;

	/* all 8 pages from @first: entries to data pages, chain slots as needed */
	for (i = 0; i < 8 * 512; i++)
		ent[i] = data_page();
	while (n < npages) {
		if (idx == 511 && npages - n > 1) {	/* chain */
			page++;
			if (page >= max_pages || page >= 8)
				break;
			ent[page * 512 - 1] = base + (uint64_t)page * PAGE;
			idx = 0;
			continue;
		}
		ent[page * 512 + idx] = data_page();
		n++;
		idx++;
	}
	switch (malform) {
	case 1: /* an unaligned data entry */
		ent[start_ent + rr(0, 3)] |= 0x200;
		break;
	case 2: /* a data entry at a bad address */
		ent[start_ent + rr(0, 3)] = bad_addr(true);
		break;
	case 3: /* the chain entry loops back to its own page */
		ent[511] = base;
		break;
	case 4: /* the chain entry is unaligned */
		ent[511] = base + PAGE + 8;
		break;
	case 5: /* the chain entry points outside RAM */
		ent[511] = unreadable_addr();
		break;
	case 6: /* the chain points at the previous page: a two-page loop */
		ent[511] = base + PAGE;
		ent[1023] = base;
		break;
	}
	scr_write((uint64_t)first * PAGE, ent, 8 * PAGE);
	return base + (uint64_t)start_ent * 8;
}

/*
 * PRP1/PRP2 for a transfer of @len bytes as the device will size it:
 * mostly valid (scratch), sometimes malformed in one of many ways.
 */
static void gen_prps(struct sqe *s, uint64_t len)
{
	uint32_t off1 = chance(30) ? (rr(0, 1023) * 4) : 0;
	uint64_t prp1 = data_page() + off1, prp2 = 0;
	uint64_t first = PAGE - off1;
	int m = chance(25) ? (int)rr(1, 10) : 0;

	if (len > first && len <= first + PAGE)
		prp2 = data_page();
	else if (len > first + PAGE) {
		uint64_t pages = (len - first + PAGE - 1) / PAGE;

		if (pages > 512 * 7)
			pages = 512 * 7;	/* beyond MDTS: the device refuses */
		prp2 = make_list((uint32_t)pages, m >= 1 && m <= 6 ? m : 0);
	} else {
		prp2 = chance(50) ? 0 : data_page();
	}
	switch (m) {
	case 7: prp1 = bad_addr(chance(50)); break;
	case 8: prp1 |= rr(1, 3); break;		/* not dword aligned */
	case 9: if (len > first) prp2 = bad_addr(chance(50)); break;
	case 10: if (len > first && len <= first + PAGE) prp2 |= 0x80; break;
	}
	set_prp(s, prp1, prp2);
}

/* ---- sentinels ------------------------------------------------------------------- */

static uint32_t sent_len(int i)
{
	static const uint32_t sizes[] = { 1, 3, 4, 100, 511, 512, 4095, 4096, 4097,
					  8192, 12345, 65536, 65537, 200000, 1048576, 2097152 };
	return sizes[i % (int)(sizeof(sizes) / sizeof(sizes[0]))];
}

static void sent_key(int i, uint8_t key[16], unsigned int *klen)
{
	unsigned int j;

	*klen = 2 + (unsigned int)(i % 15);	/* 2..16; byte 1 makes it unique */
	key[0] = SENT_FIRST_BYTE;
	key[1] = (uint8_t)i;
	for (j = 2; j < 16; j++)
		key[j] = (uint8_t)(i * 37 + j * 11);
}

static void sent_val(int i, uint8_t *v, uint32_t len)
{
	uint64_t s = 0x5e471e1ULL * (uint64_t)(i + 1);
	uint32_t j;

	for (j = 0; j < len; j++) {
		if (!(j & 7)) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		}
		v[j] = (uint8_t)(s >> (8 * (j & 7)));
	}
}

static uint8_t *sent_tmp;

/* the sentinel keys on @d, values salted by @salt (other values per namespace) */
static void dev_sentinels_store(struct kv_dev *d, int salt)
{
	int i, st;
	uint8_t key[16];
	unsigned int klen;

	for (i = 0; i < SENT_KEYS; i++) {
		uint32_t len = sent_len(i);

		sent_key(i, key, &klen);
		sent_val(i + salt, sent_tmp, len);
		st = kv_store(d, key, klen, sent_tmp, len, 0, NULL);
		if (st)
			violation("sentinel %d: store of %u bytes: %s", i, len, kv_status_str(st));
	}
}

static void sentinels_store(void)
{
	dev_sentinels_store(&kv, 0);
}

static void blk_pattern(uint64_t lba, uint8_t *p, uint32_t n)
{
	uint32_t b, j;

	for (b = 0; b < n; b++)
		for (j = 0; j < 512; j += 8) {
			uint64_t w = (lba + b) * 0x9e3779b97f4a7c15ULL ^ j ^ 0x5e4715e4715e47ULL;

			memcpy(p + b * 512 + j, &w, 8);
		}
}

static int blk_fd = -1;

static void blk_sentinels(bool write)
{
	struct { uint64_t lba; uint32_t n; } r[2] = {
		{ 0, SENT_LBAS_HEAD }, { ns_blocks - SENT_LBAS_TAIL, SENT_LBAS_TAIL } };
	int i;

	for (i = 0; i < 2; i++) {
		size_t bytes = (size_t)r[i].n * 512;
		uint8_t *want = malloc(bytes), *got = sent_tmp;
		ssize_t n;

		blk_pattern(r[i].lba, want, r[i].n);
		if (write) {
			memcpy(got, want, bytes);
			n = pwrite(blk_fd, got, bytes, (off_t)(r[i].lba * 512));
			if (n != (ssize_t)bytes)
				violation("block sentinel write at LBA %" PRIu64 ": %zd (%s)", r[i].lba, n, strerror(errno));
		} else {
			memset(got, 0, bytes);
			n = pread(blk_fd, got, bytes, (off_t)(r[i].lba * 512));
			if (n != (ssize_t)bytes)
				violation("block sentinel read at LBA %" PRIu64 ": %zd (%s)", r[i].lba, n, strerror(errno));
			else if (memcmp(got, want, bytes)) {
				size_t k = 0;

				while (k < bytes && got[k] == want[k])
					k++;
				violation("block sentinel sectors changed: LBA %" PRIu64 " (first difference at byte %zu)",
					  r[i].lba + k / 512, k % 512);
			}
		}
		free(want);
	}
}

static uint64_t sentinel_checks;

static void dev_sentinels_check(struct kv_dev *d, int salt, const char *when)
{
	int i, st;
	uint8_t key[16];
	unsigned int klen;
	uint8_t *want = malloc(2 * MIB);

	sentinel_checks++;
	for (i = 0; i < SENT_KEYS; i++) {
		uint32_t len = sent_len(i), dw0 = 0;
		bool over = false;

		sent_key(i, key, &klen);
		sent_val(i + salt, want, len);
		st = kv_retrieve(d, key, klen, sent_tmp, len, &dw0, &over);
		if (st)
			violation("%s: sentinel %d: retrieve: %s", when, i, kv_status_str(st));
		else if (dw0 != len)
			violation("%s: sentinel %d: size %u, stored %u", when, i, dw0, len);
		else if (memcmp(sent_tmp, want, len))
			violation("%s: sentinel %d: value differs from what was stored", when, i);
		if (over)
			violation("%s: sentinel %d: device wrote past the %u-byte buffer", when, i, len);
		st = kv_exist(d, key, klen);
		if (st)
			violation("%s: sentinel %d: exist: %s", when, i, kv_status_str(st));
	}
	free(want);
}

static void sentinels_check(const char *when)
{
	dev_sentinels_check(&kv, 0, when);
	blk_sentinels(false);
}

/* ---- crafted cases ------------------------------------------------------------------ */

static uint64_t crafted_run, crafted_fail;

/* "want" is a list of acceptable statuses, terminated by -1 */
static void expect(const char *name, int got, ...)
{
	va_list ap;
	int w;
	bool ok = false;
	char wants[128] = "";

	crafted_run++;
	va_start(ap, got);
	while ((w = va_arg(ap, int)) != -1) {
		char t[16];

		if (got == w)
			ok = true;
		snprintf(t, sizeof(t), "%s%#x", wants[0] ? "|" : "", w);
		strncat(wants, t, sizeof(wants) - strlen(wants) - 1);
	}
	va_end(ap);
	if (ok) {
		note("  ok  %-60s %#x", name, got);
		return;
	}
	crafted_fail++;
	if (got < 0)
		violation("crafted: %s: ioctl/injection failed: %s (want status %s)", name, strerror(-got), wants);
	else
		violation("crafted: %s: status %#x, want %s", name, got, wants);
}

#define E(name, got, ...) expect(name, got, __VA_ARGS__, -1)

#define SC_OK 0x000
#define SC_OPC 0x001
#define SC_SIZE_LIMIT 0x183	/* Command Size Limit Exceeded (Copy) */
#define SC_FIELD 0x002
#define SC_XFER 0x004
#define SC_NS 0x00b
#define SC_PRP_OFF 0x013
#define SC_LBA 0x080
#define SC_CQ_INV 0x100
#define SC_QID 0x101
#define SC_QSIZE 0x102
#define SC_VEC 0x108
#define SC_LOG 0x109
#define SC_QDEL 0x10c
#define SC_NOSAVE 0x10d
#define SC_IOCS 0x12c	/* Invalid I/O Command Set */

static int adm(uint8_t op, uint32_t nsid, uint32_t c10, uint32_t c11, uint32_t c12,
	       uint32_t c13, uint32_t c14, uint32_t len)
{
	struct admin_cmd a = { .opcode = op, .nsid = nsid, .cdw10 = c10, .cdw11 = c11,
			       .cdw12 = c12, .cdw13 = c13, .cdw14 = c14, .data_len = len };

	return admin(&a, NULL);
}

static void crafted_admin_ioctl(void)
{
	/* queue creation that must fail before any memory is touched */
	E("create CQ qid 0", adm(0x05, 0, 63 << 16 | 0, 1, 0, 0, 0, 0), SC_QID);
	E("create CQ qid 33 (over the maximum)", adm(0x05, 0, 63 << 16 | 33, 1, 0, 0, 0, 0), SC_QID);
	E("create CQ qid 0xffff", adm(0x05, 0, 63 << 16 | 0xffff, 1, 0, 0, 0, 0), SC_QID);
	E("create CQ size 0 (qsize field 0)", adm(0x05, 0, 0 << 16 | 20, 1, 0, 0, 0, 0), SC_QSIZE);
	E("create CQ size 1025 (over MQES)", adm(0x05, 0, 1024u << 16 | 20, 1, 0, 0, 0, 0), SC_QSIZE);
	E("create CQ size 65536", adm(0x05, 0, 0xffffu << 16 | 20, 1, 0, 0, 0, 0), SC_QSIZE);
	E("create CQ host qid 1 again (exists)", adm(0x05, 0, 63 << 16 | 1, 1, 0, 0, 0, 0), SC_QID);
	E("create SQ qid 0", adm(0x01, 0, 63 << 16 | 0, 21u << 16 | 1, 0, 0, 0, 0), SC_QID);
	E("create SQ qid 33", adm(0x01, 0, 63 << 16 | 33, 21u << 16 | 1, 0, 0, 0, 0), SC_QID);
	E("create SQ size 0", adm(0x01, 0, 0 << 16 | 20, 1u << 16 | 1, 0, 0, 0, 0), SC_QSIZE);
	E("create SQ size 1025", adm(0x01, 0, 1024u << 16 | 20, 1u << 16 | 1, 0, 0, 0, 0), SC_QSIZE);
	E("create SQ on missing CQ 21", adm(0x01, 0, 63 << 16 | 20, 21u << 16 | 1, 0, 0, 0, 0), SC_CQ_INV, SC_FIELD);
	E("create SQ on CQ 0 (admin)", adm(0x01, 0, 63 << 16 | 20, 0u << 16 | 1, 0, 0, 0, 0), SC_CQ_INV, SC_FIELD);
	E("create SQ on CQ 33 (private)", adm(0x01, 0, 63 << 16 | 20, 33u << 16 | 1, 0, 0, 0, 0), SC_CQ_INV, SC_FIELD);
	E("create SQ host qid 1 again (exists)", adm(0x01, 0, 63 << 16 | 1, 1u << 16 | 1, 0, 0, 0, 0), SC_QID);
	E("delete SQ qid 0", adm(0x00, 0, 0, 0, 0, 0, 0, 0), SC_QID);
	E("delete SQ qid 20 (missing)", adm(0x00, 0, 20, 0, 0, 0, 0, 0), SC_QID);
	E("delete SQ qid 33 (private)", adm(0x00, 0, 33, 0, 0, 0, 0, 0), SC_QID);
	E("delete SQ qid 0xffff", adm(0x00, 0, 0xffff, 0, 0, 0, 0, 0), SC_QID);
	E("delete CQ qid 0", adm(0x04, 0, 0, 0, 0, 0, 0, 0), SC_QID);
	E("delete CQ qid 20 (missing)", adm(0x04, 0, 20, 0, 0, 0, 0, 0), SC_QID);
	E("delete CQ qid 33 (private)", adm(0x04, 0, 33, 0, 0, 0, 0, 0), SC_QID);
	E("delete CQ host qid 1 with its SQ attached", adm(0x04, 0, 1, 0, 0, 0, 0, 0), SC_QDEL);

	/* Identify */
	E("identify CNS 0xff", adm(0x06, 1, 0xff, 0, 0, 0, 0, PAGE), SC_FIELD);
	E("identify CNS 0x04 (reserved)", adm(0x06, 1, 0x04, 0, 0, 0, 0, PAGE), SC_FIELD);
	E("identify ns NSID 0", adm(0x06, 0, 0, 0, 0, 0, 0, PAGE), SC_NS);
	/*
	 * Namespace 2 is the KV command set's: Identify Namespace (NVM) of it
	 * is Invalid I/O Command Set; without it (kv_std_size=0) NSID 2 is a
	 * valid inactive one (NN is 16: Namespace Management), zeros. NSIDs
	 * up to 16 not allocated are inactive (a descriptor list of one:
	 * Invalid Field), above 16 invalid (Invalid Namespace).
	 */
	E("identify ns NSID 2", adm(0x06, 2, 0, 0, 0, 0, 0, PAGE), SC_IOCS, SC_OK);
	E("identify ns NSID 0xffffffff", adm(0x06, 0xffffffff, 0, 0, 0, 0, 0, PAGE), SC_NS, SC_OK);
	E("identify ns NSID 0xfffffffe", adm(0x06, 0xfffffffe, 0, 0, 0, 0, 0, PAGE), SC_NS);
	E("identify desc list NSID 7", adm(0x06, 7, 3, 0, 0, 0, 0, PAGE), SC_FIELD);
	E("identify desc list NSID 17", adm(0x06, 17, 3, 0, 0, 0, 0, PAGE), SC_NS);
	E("identify active list NSID 0xfffffffe", adm(0x06, 0xfffffffe, 2, 0, 0, 0, 0, PAGE), SC_NS);
	E("identify CS ns CSI 2 (zoned)", adm(0x06, 1, 5, 2u << 24, 0, 0, 0, PAGE), SC_FIELD);
	E("identify ctrl", adm(0x06, 0, 1, 0, 0, 0, 0, PAGE), SC_OK);

	/* Get Log Page */
	E("get log SMART NUMD 0xffffffff (16 GiB)", adm(0x02, 0xffffffff, 0xffffu << 16 | 2, 0xffff, 0, 0, 0, PAGE), SC_FIELD);
	E("get log SMART 2 MiB + 4", adm(0x02, 0xffffffff, (0x80000u & 0xffff) << 16 | 2, 0x80000u >> 16, 0, 0, 0, PAGE), SC_FIELD);
	E("get log SMART exactly 2 MiB", adm(0x02, 0xffffffff, (0x7ffffu & 0xffff) << 16 | 2, 0x7ffffu >> 16, 0, 0, 0, 2 * MIB), SC_OK);
	E("get log SMART offset 0xffffffff_fffffff0", adm(0x02, 0xffffffff, 127u << 16 | 2, 0, 0xfffffff0, 0xffffffff, 0, 512), SC_FIELD);
	E("get log SMART offset 512 (= size)", adm(0x02, 0xffffffff, 127u << 16 | 2, 0, 512, 0, 0, 512), SC_FIELD);
	E("get log SMART offset 3 (unaligned)", adm(0x02, 0xffffffff, 127u << 16 | 2, 0, 3, 0, 0, 512), SC_FIELD);
	E("get log SMART offset 508 length 4096", adm(0x02, 0xffffffff, 1023u << 16 | 2, 0, 508, 0, 0, PAGE), SC_OK);
	E("get log LID 0x7f (unsupported)", adm(0x02, 0xffffffff, 127u << 16 | 0x7f, 0, 0, 0, 0, 512), SC_LOG);
	/* CSI 1 (KV) is a command set of this controller; CSI 2 (zoned) is not */
	E("get log effects CSI 1", adm(0x02, 0, 1023u << 16 | 5, 0, 0, 0, 1u << 24, PAGE), SC_OK, SC_FIELD);
	E("get log effects CSI 2", adm(0x02, 0, 1023u << 16 | 5, 0, 0, 0, 2u << 24, PAGE), SC_FIELD);
	E("get log error, huge offset", adm(0x02, 0, 15u << 16 | 1, 0, 0, 0x10000, 0, 64), SC_FIELD);

	/* Features */
	E("get features FID 0", adm(0x0a, 0, 0, 0, 0, 0, 0, 0), SC_FIELD);
	E("get features FID 0xff", adm(0x0a, 0, 0xff, 0, 0, 0, 0, 0), SC_FIELD);
	E("get features SEL 7", adm(0x0a, 0, 7u << 8 | 4, 0, 0, 0, 0, 0), SC_FIELD);
	E("set features saveable", adm(0x09, 0, 1u << 31 | 4, 0x155, 0, 0, 0, 0), SC_NOSAVE);
	E("set features power state 5", adm(0x09, 0, 2, 5, 0, 0, 0, 0), SC_FIELD);
	E("set features IRQ config vector 4000", adm(0x09, 0, 9, 4000, 0, 0, 0, 0), SC_FIELD);
	/*
	 * Linux 6.12 refuses Set Features Number of Queues from user space
	 * (EACCES); with I/O queues created the spec's answer is Command
	 * Sequence Error (0x00c), and 65535 queues is an Invalid Field too.
	 */
	E("set features num queues 0xffff", adm(0x09, 0, 7, 0xffffffff, 0, 0, 0, 0), SC_FIELD, 0x00c, -EACCES);
	E("set features FID 0x7e", adm(0x09, 0, 0x7e, 0, 0, 0, 0, 0), SC_FIELD);

	/* unsupported admin opcodes, PSDT/fused are refused by the driver */
	E("admin opcode 0x7f", adm(0x7f, 0, 0, 0, 0, 0, 0, 0), SC_OPC);
	E("admin opcode 0xc1 (vendor)", adm(0xc1, 0, 0, 0, 0, 0, 0, PAGE), SC_OPC);
	E("admin opcode 0x7c (doorbell buffer config)", adm(0x7c, 0, 0, 0, 0, 0, 0, PAGE), SC_OPC);
	E("abort", adm(0x08, 0, 0xffff0001, 0, 0, 0, 0, 0), SC_OK);
	/* KAS = 0: no Keep Alive feature, so no Keep Alive command either */
	E("keep alive (KAS 0)", adm(0x18, 0, 0, 0, 0, 0, 0, 0), SC_OPC);
}

#define KSC_VALUE 0x301
#define KSC_OFFSET 0x302
#define KSC_KEY 0x303
#define KSC_OPTION 0x304
#define KSC_NOKEY 0x310
#define KSC_EXISTS 0x380
#define KSC_HANDLE 0x390
#define KSC_END 0x393
#define KVS_SC_EXISTS KVS_SC_KEY_EXISTS

static const uint32_t ck[4] = { 0x43524146, 0x54454421, 0x2d2d6b65, 0x79212121 }; /* "FARCTED!ek--!!!y" */

/* @s = Exist of the crafted key on namespace 1: a harmless command. */
static void exist_ck_sqe(struct sqe *s)
{
	memset(s, 0, sizeof(*s));
	s->dw[0] = 0xb3;
	s->dw[1] = 1;
	s->dw[11] = 16;
	memcpy(&s->dw[12], ck, 16);
}

/*
 * The same Exist through the host's own queues (the nvme driver), with an
 * 8 s timeout so a stalled device shows as a failure, not a hang.
 */
static int host_exist_ck(void)
{
	struct nvme_passthru_cmd64 c = {
		.opcode = 0xb3, .nsid = kv.nsid, .cdw11 = 16, .cdw12 = ck[0],
		.cdw13 = ck[1], .cdw14 = ck[2], .cdw15 = ck[3],
		.timeout_ms = 8000,
	};
	int st;

	n_io_ioctl++;
	st = ioctl(kv.fd, NVME_IOCTL_IO64_CMD, &c);
	return st < 0 ? -errno : st & 0x7ff;
}

static void crafted_io_ioctl(void)
{
	uint32_t dw0, h, i, handles[KV_MAX_ITERS];
	int st;

	/* a run killed with -9 (lifecycle tests) may have left the crafted key */
	io(0xa1, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL);
	E("store key length 0", io(0x81, 16, 0, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_KEY);
	E("store key length 17", io(0x81, 16, 17, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_KEY);
	E("store key length 255", io(0x81, 16, 255, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_KEY);
	E("retrieve key length 0", io(0x90, 16, 0, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_KEY);
	E("delete key length 17", io(0xa1, 0, 17, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_KEY);
	E("exist key length 255", io(0xb3, 0, 255, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_KEY);
	E("append key length 0", io(0x83, 16, 0, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_KEY);
	E("store value size 0", io(0x81, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_VALUE);
	E("store value size 2 MiB + 1", io(0x81, 2 * MIB + 1, 16, ck[0], ck[1], ck[2], ck[3], 2 * MIB, NULL), KSC_VALUE);
	E("store value size 0xffffffff", io(0x81, 0xffffffff, 16, ck[0], ck[1], ck[2], ck[3], 2 * MIB, NULL), KSC_VALUE);
	E("append value size 0", io(0x83, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_VALUE);
	E("retrieve buffer size 0", io(0x90, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_VALUE);
	E("retrieve buffer 0xffffffff", io(0x90, 0xffffffff, 16, ck[0], ck[1], ck[2], ck[3], 2 * MIB, NULL), KSC_VALUE);
	E("store option 3 (both)", io(0x81, 16, 16 | 3 << 8, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_OPTION);
	E("store option 0x80", io(0x81, 16, 16 | 0x80 << 8, ck[0], ck[1], ck[2], ck[3], 16, NULL), KSC_OPTION);
	E("delete missing key", io(0xa1, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_NOKEY);
	E("exist missing key", io(0xb3, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_NOKEY);
	E("retrieve missing key", io(0x90, 64, 16, ck[0], ck[1], ck[2], ck[3], 64, NULL), KSC_NOKEY);
	E("store update-only of a missing key", io(0x81, 64, 16 | 1 << 8, ck[0], ck[1], ck[2], ck[3], 64, NULL), KSC_NOKEY);
	memset(kv.buf, 0x5a, 4096);
	E("store 4096", io(0x81, 4096, 16, ck[0], ck[1], ck[2], ck[3], 4096, NULL), SC_OK);
	E("store idempotent of an existing key", io(0x81, 64, 16 | 2 << 8, ck[0], ck[1], ck[2], ck[3], 64, NULL), KSC_EXISTS);
	st = io(0x90, 16, 16, ck[0], ck[1], ck[2], ck[3], 16, &dw0);
	E("retrieve into a 16-byte buffer", st, SC_OK);
	if (!st && dw0 != 4096)
		violation("crafted: retrieve with a small buffer: DW0 %u, want the full size 4096", dw0);
	st = io(0x83, 2 * MIB, 16, ck[0], ck[1], ck[2], ck[3], 2 * MIB, &dw0);
	E("append past the 2 MiB maximum", st, KSC_VALUE);
	E("delete crafted key", io(0xa1, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), SC_OK);
	E("double delete", io(0xa1, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_NOKEY);

	/* iterator handles */
	E("iterate read handle 0", io(0xb2, 4096, 0, 0, 0, 0, 0, 4096, NULL), KSC_HANDLE);
	E("iterate read handle 17", io(0xb2, 4096, 17, 0, 0, 0, 0, 4096, NULL), KSC_HANDLE);
	E("iterate read handle 255", io(0xb2, 4096, 255, 0, 0, 0, 0, 4096, NULL), KSC_HANDLE);
	E("iterate close handle 0", io(0xb1, 0, 0 | 2 << 8, 0, 0, 0, 0, 0, NULL), KSC_HANDLE);
	E("iterate close handle 17", io(0xb1, 0, 17 | 2 << 8, 0, 0, 0, 0, 0, NULL), KSC_HANDLE);
	E("iterate close handle 255", io(0xb1, 0, 255 | 2 << 8, 0, 0, 0, 0, 0, NULL), KSC_HANDLE);
	E("iterate option 0", io(0xb1, 0, 0, 0, 0, 0, 0, 0, NULL), KSC_OPTION);
	E("iterate option open|close", io(0xb1, 0, 3 << 8, 0, 0, 0, 0, 0, NULL), KSC_OPTION);
	E("iterate option open|key|key+value", io(0xb1, 0, 0x0d << 8, 0, 0, 0, 0, 0, NULL), KSC_OPTION);
	E("iterate option 0x41", io(0xb1, 0, 0x41 << 8, 0, 0, 0, 0, 0, NULL), KSC_OPTION);
	st = io(0xb1, 0, 0x05 << 8, 0x43524146, 0xffffffff, 0, 0, 0, &h);
	E("iterate open", st, SC_OK);
	if (!st) {
		E("iterate read buffer 0", io(0xb2, 0, h, 0, 0, 0, 0, 0, NULL), KSC_VALUE);
		E("iterate read buffer 3", io(0xb2, 3, h, 0, 0, 0, 0, 4, NULL), KSC_VALUE);
		E("iterate read buffer 2 MiB + 4", io(0xb2, 2 * MIB + 4, h, 0, 0, 0, 0, 2 * MIB, NULL), KSC_VALUE);
		E("iterate read (no match)", io(0xb2, 4096, h, 0, 0, 0, 0, 4096, NULL), SC_OK, KSC_END);
		E("iterate close", io(0xb1, 0, h | 2 << 8, 0, 0, 0, 0, 0, NULL), SC_OK);
		E("iterate read on the closed handle", io(0xb2, 4096, h, 0, 0, 0, 0, 4096, NULL), KSC_HANDLE);
		E("iterate double close", io(0xb1, 0, h | 2 << 8, 0, 0, 0, 0, 0, NULL), KSC_HANDLE);
	}
	/* all 16 handles, then one more */
	for (i = 0; i < KV_MAX_ITERS; i++) {
		handles[i] = 0;
		st = io(0xb1, 0, 0x05 << 8, 0, 0, 0, 0, 0, &handles[i]);
		if (st) {
			violation("crafted: iterate open #%u of %u: status %#x", i + 1, KV_MAX_ITERS, st);
			break;
		}
	}
	E("iterate open #17 (all handles busy)", io(0xb1, 0, 0x05 << 8, 0, 0, 0, 0, 0, NULL), KSC_HANDLE);
	for (i = 0; i < KV_MAX_ITERS; i++)
		if (handles[i])
			E("iterate close of an open handle", io(0xb1, 0, handles[i] | 2 << 8, 0, 0, 0, 0, 0, NULL), SC_OK);

	/* block commands: ranges outside the namespace, transfers over MDTS */
	E("read LBA = capacity", io(0x02, (uint32_t)ns_blocks, (uint32_t)(ns_blocks >> 32), 0, 0, 0, 0, 512, NULL), SC_LBA);
	E("read last LBA, 2 blocks", io(0x02, (uint32_t)(ns_blocks - 1), 0, 1, 0, 0, 0, 1024, NULL), SC_LBA);
	E("read LBA 2^64-1", io(0x02, 0xffffffff, 0xffffffff, 0, 0, 0, 0, 512, NULL), SC_LBA);
	E("write LBA 2^64-1, 8 blocks (wraps)", io(0x01, 0xffffffff, 0xffffffff, 7, 0, 0, 0, 4096, NULL), SC_LBA);
	E("write zeroes last LBA + 1 block beyond", io(0x08, (uint32_t)(ns_blocks - 1), 0, 1, 0, 0, 0, 0, NULL), SC_LBA);
	E("write zeroes 65536 blocks from 2^63", io(0x08, 0, 0x80000000, 0xffff, 0, 0, 0, 0, NULL), SC_LBA);
	E("write 65536 blocks (32 MiB > MDTS)", io(0x01, 1024, 0, 0xffff, 0, 0, 0, 2 * MIB, NULL), SC_FIELD);
	E("flush", io(0x00, 0, 0, 0, 0, 0, 0, 0, NULL), SC_OK);
	E("io opcode 0x7d", io(0x7d, 0, 0, 0, 0, 0, 0, 0, NULL), SC_OPC);
	E("io opcode 0xff", io(0xff, 0, 0, 0, 0, 0, 0, 4096, NULL), SC_OPC);
	E("io opcode 0x80", io(0x80, 16, 16, 0, 0, 0, 0, 16, NULL), SC_OPC);
	/* the optional NVM commands (issue 15): ranges and limits */
	E("compare LBA = capacity", io(0x05, (uint32_t)ns_blocks, (uint32_t)(ns_blocks >> 32), 0, 0, 0, 0, 512, NULL), SC_LBA);
	E("compare 4096 blocks (> MDTS)", io(0x05, 1024, 0, 4096, 0, 0, 0, 2 * MIB, NULL), SC_FIELD);
	E("verify last LBA, 2 blocks", io(0x0c, (uint32_t)(ns_blocks - 1), 0, 1, 0, 0, 0, 0, NULL), SC_LBA);
	E("write uncorrectable from 2^64-1 (wraps)", io(0x04, 0xffffffff, 0xffffffff, 1, 0, 0, 0, 0, NULL), SC_LBA);
	{
		uint8_t *b = kv.buf;
		uint64_t slba = ns_blocks - 4;

		memset(b, 0, 129 * 32);
		b[4] = 8; /* NLB 8 from 4 blocks before the end */
		memcpy(b + 8, &slba, 8);
		E("dsm deallocate of a range beyond the namespace", io(0x09, 0, 4, 0, 0, 0, 0, 16, NULL), SC_LBA);
		memset(b, 0, 129 * 32);
		E("copy of 129 ranges (MSRC 127)", io(0x19, 1024, 0, 128, 0, 0, 0, 129 * 32, NULL), SC_SIZE_LIMIT);
		E("copy descriptor format 1", io(0x19, 1024, 0, 1 << 8, 0, 0, 0, 40, NULL), SC_FIELD);
		memcpy(b + 8, &slba, 8);
		b[16] = 7; /* 8 blocks from 4 before the end */
		E("copy of a source beyond the namespace", io(0x19, 1024, 0, 0, 0, 0, 0, 32, NULL), SC_LBA);
		memset(b, 0, 32);
		b[17] = 8; /* 2049 blocks: beyond MSSRL */
		E("copy of a range beyond MSSRL", io(0x19, 1024, 0, 0, 0, 0, 0, 32, NULL), SC_SIZE_LIMIT);
		b[17] = 0;
		E("copy to SDLBA = capacity", io(0x19, (uint32_t)ns_blocks, (uint32_t)(ns_blocks >> 32), 0, 0, 0, 0, 32, NULL), SC_LBA);
	}
}

/* ---- own queues (injection) ------------------------------------------------------------ */

struct ownq {
	bool cq, sq;
	uint32_t size;		/* both queues of a pair have this size */
	uint64_t cq_off, sq_off;	/* scratch offsets */
	uint32_t tail, head;	/* our SQ tail, our CQ head */
	uint8_t phase;
};

static struct ownq own[NR_OWN];

static uint64_t own_cq_off(int q) { return (uint64_t)(SCR_CQ_FIRST + (q - OWN_QID_MIN) * SCR_CQ_PAGES) * PAGE; }
static uint64_t own_sq_off(int q) { return (uint64_t)(SCR_SQ_FIRST + (q - OWN_QID_MIN) * SCR_SQ_PAGES) * PAGE; }

static int inj_admin_sc(struct sqe *s)
{
	struct cqe c;
	int r = inject(true, s, &c);

	return r < 0 ? r : cqe_sc(&c);
}

static int inj_io_sc(struct sqe *s, struct cqe *out)
{
	struct cqe c;
	int r = inject(false, s, &c);

	if (out)
		*out = c;
	return r < 0 ? r : cqe_sc(&c);
}

static int create_cq(int qid, uint32_t size, uint64_t prp1, uint32_t flags, uint16_t vec)
{
	struct sqe s = { .dw = { 0x05 } };
	int st;

	s.dw[10] = (size - 1) << 16 | (uint32_t)qid;
	s.dw[11] = (uint32_t)vec << 16 | flags;
	set_prp(&s, prp1, 0);
	st = inj_admin_sc(&s);
	return st;
}

static int create_sq(int qid, uint32_t size, uint64_t prp1, int cqid)
{
	struct sqe s = { .dw = { 0x01 } };

	s.dw[10] = (size - 1) << 16 | (uint32_t)qid;
	s.dw[11] = (uint32_t)cqid << 16 | 1;
	set_prp(&s, prp1, 0);
	return inj_admin_sc(&s);
}

static int delete_q(bool sq, int qid)
{
	struct sqe s = { .dw = { sq ? 0x00u : 0x04u } };

	s.dw[10] = (uint32_t)qid;
	return inj_admin_sc(&s);
}

/* Create the pair @qid of @size in its scratch slot; returns 0 or a status. */
static int own_create(int qid, uint32_t size)
{
	struct ownq *o = &own[qid - OWN_QID_MIN];
	uint8_t zero[SCR_SQ_PAGES * PAGE] = { 0 };
	int st;

	o->cq_off = own_cq_off(qid);
	o->sq_off = own_sq_off(qid);
	scr_write(o->cq_off, zero, SCR_CQ_PAGES * PAGE);
	scr_write(o->sq_off, zero, SCR_SQ_PAGES * PAGE);
	st = create_cq(qid, size, scr_phys + o->cq_off, 1, 0);
	if (st)
		return st;
	o->cq = true;
	st = create_sq(qid, size, scr_phys + o->sq_off, qid);
	if (st)
		return st;
	o->sq = true;
	o->size = size;
	o->tail = 0;
	o->head = 0;
	o->phase = 1;
	return 0;
}

static void own_delete(int qid)
{
	struct ownq *o = &own[qid - OWN_QID_MIN];
	int st;

	if (o->sq) {
		st = delete_q(true, qid);
		if (st)
			violation("delete own SQ %d: status %#x", qid, st);
		o->sq = false;
	}
	if (o->cq) {
		st = delete_q(false, qid);
		if (st)
			violation("delete own CQ %d: status %#x", qid, st);
		o->cq = false;
	}
}

/* Wait for the CQE at our head of own queue @qid (polling scratch). */
static int own_reap(int qid, struct cqe *c, double timeout)
{
	struct ownq *o = &own[qid - OWN_QID_MIN];
	double t0 = now();

	for (;;) {
		scr_read(o->cq_off + (uint64_t)o->head * 16, c, 16);
		if ((c->status & 1) == o->phase)
			break;
		if (now() - t0 > timeout)
			return -ETIMEDOUT;
		usleep(50);
	}
	o->head = (o->head + 1) % o->size;
	if (!o->head)
		o->phase ^= 1;
	doorbell(2 * qid + 1, o->head);
	return 0;
}

/* Submit one SQE on own queue @qid and wait for its completion. */
static int own_submit(int qid, struct sqe *s, struct cqe *c)
{
	struct ownq *o = &own[qid - OWN_QID_MIN];
	uint16_t cid = inj_cid++;
	int r;

	s->dw[0] = (s->dw[0] & 0xffff) | (uint32_t)cid << 16;
	scr_write(o->sq_off + (uint64_t)o->tail * 64, s, 64);
	o->tail = (o->tail + 1) % o->size;
	n_sq_own++;
	doorbell(2 * qid, o->tail);
	r = own_reap(qid, c, 10.0);
	if (r)
		return r;
	hist[cqe_sc(c)]++;
	if (c->cid != cid)
		return -EBADMSG;
	return cqe_sc(c);
}

/*
 * Create own pair @qid of @size for a crafted doorbell case and fill @s
 * with a harmless command for it (Exist of the crafted key). Non-zero if
 * the pair could not be created (already reported).
 */
static int own_exist_pair(int qid, uint32_t size, struct sqe *s)
{
	char what[64];
	int st = own_create(qid, size);

	snprintf(what, sizeof(what), "create own pair %d (size %u)", qid, size);
	E(what, st, SC_OK);
	if (st)
		return st;
	exist_ck_sqe(s);
	return 0;
}

/* ---- the injected crafted table ------------------------------------------------------------ */

static void flush_cqe_sanity(const char *what, int st, const struct cqe *c)
{
	(void)c;
	E(what, st, SC_OK);
}

static void crafted_cq_overwrite(void);
static void crafted_cq_head_past_tail(void);

static void crafted_inject(void)
{
	struct sqe s;
	struct cqe c;
	int st, q;
	uint8_t pat[PAGE];
	uint32_t dw0;

	note("crafted (injection):");
	/* admin: the queue cases that need real memory */
	E("create CQ 20 size 2 in scratch", create_cq(20, 2, scr_phys + own_cq_off(20), 1, 0), SC_OK);
	E("create CQ 20 twice", create_cq(20, 2, scr_phys + own_cq_off(20), 1, 0), SC_QID);
	E("create CQ 21 not physically contiguous", create_cq(21, 64, scr_phys + own_cq_off(21), 0, 0), SC_FIELD);
	E("create CQ 21 vector 33", create_cq(21, 64, scr_phys + own_cq_off(21), 1, 33), SC_VEC);
	E("create CQ 21 vector 0xffff", create_cq(21, 64, scr_phys + own_cq_off(21), 1, 0xffff), SC_VEC);
	E("create CQ 21 PRP1 with an offset", create_cq(21, 64, scr_phys + own_cq_off(21) + 64, 1, 0), SC_PRP_OFF);
	E("create CQ 21 at address 0", create_cq(21, 64, 0, 1, 0), SC_FIELD, SC_PRP_OFF);
	E("create CQ 21 beyond RAM", create_cq(21, 64, 1ULL << 46, 1, 0), SC_FIELD);
	if (region_phys)
		E("create CQ 21 on the device's BAR", create_cq(21, 64, region_phys, 1, 0), SC_FIELD);
	E("create CQ 21 at the top of the address space", create_cq(21, 1024, 0xfffffffffffff000ULL, 1, 0), SC_FIELD);
	E("create SQ 20 size 2 on CQ 20", create_sq(20, 2, scr_phys + own_sq_off(20), 20), SC_OK);
	E("create SQ 20 twice", create_sq(20, 2, scr_phys + own_sq_off(20), 20), SC_QID);
	E("create SQ 21 on missing CQ 21", create_sq(21, 64, scr_phys + own_sq_off(21), 21), SC_CQ_INV);
	E("create SQ 21 at address 0 on CQ 20", create_sq(21, 64, 0, 20), SC_FIELD, SC_PRP_OFF);
	E("create SQ 21 PRP1 with an offset", create_sq(21, 64, scr_phys + own_sq_off(21) + 8, 20), SC_PRP_OFF);
	E("delete CQ 20 with SQ 20 attached", delete_q(false, 20), SC_QDEL);
	E("delete SQ 20", delete_q(true, 20), SC_OK);
	E("delete SQ 20 again", delete_q(true, 20), SC_QID);
	E("delete CQ 20", delete_q(false, 20), SC_OK);
	E("delete CQ 20 again", delete_q(false, 20), SC_QID);
	/* the largest queues, CAP.MQES + 1 = 1024 entries */
	E("create CQ 32 size 1024", create_cq(32, 1024, scr_phys + (uint64_t)SCR_BIGCQ * PAGE, 1, 0), SC_OK);
	E("create SQ 32 size 1024", create_sq(32, 1024, scr_phys + (uint64_t)SCR_BIGSQ * PAGE, 32), SC_OK);
	E("delete SQ 32", delete_q(true, 32), SC_OK);
	E("delete CQ 32", delete_q(false, 32), SC_OK);
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0x0c;
	st = inject(true, &s, &c);
	E("inject AER (refused by the interface)", st, -EINVAL);
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0x06 | 0x40 << 8;	/* PSDT = 01: SGL */
	s.dw[10] = 1;
	set_prp(&s, data_page(), 0);
	E("identify with PSDT = SGL", inj_admin_sc(&s), SC_FIELD);
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0x06;
	s.dw[10] = 1;
	set_prp(&s, data_page() + 2, 0);
	E("identify PRP1 not dword aligned", inj_admin_sc(&s), SC_PRP_OFF);
	set_prp(&s, 0, 0);
	E("identify PRP1 = 0", inj_admin_sc(&s), SC_XFER);
	set_prp(&s, 1ULL << 46, 0);
	E("identify PRP1 beyond RAM", inj_admin_sc(&s), SC_XFER);
	if (region_phys) {
		set_prp(&s, region_phys + 0x1000, 0);	/* the doorbells */
		E("identify into the device's doorbells", inj_admin_sc(&s), SC_XFER);
	}
	set_prp(&s, data_page() + 2048, 1ULL << 46);
	E("identify PRP2 beyond RAM", inj_admin_sc(&s), SC_XFER);
	set_prp(&s, data_page() + 2048, data_page() + 16);
	E("identify PRP2 with an offset", inj_admin_sc(&s), SC_PRP_OFF);
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0x02;		/* get log page, 2 MiB, through a list */
	s.dw[10] = (0x7ffffu & 0xffff) << 16 | 2;
	s.dw[11] = 0x7ffffu >> 16;
	s.dw[1] = 0xffffffff;
	set_prp(&s, data_page(), make_list(511, 0));
	E("get log 2 MiB through a PRP list", inj_admin_sc(&s), SC_OK);
	set_prp(&s, data_page(), make_list_at(511, 3, 256));
	E("get log 2 MiB, the list chain loops to itself", inj_admin_sc(&s), SC_OK, SC_XFER, SC_FIELD, SC_PRP_OFF);
	set_prp(&s, data_page(), make_list_at(511, 6, 256));
	E("get log 2 MiB, a two-page list loop", inj_admin_sc(&s), SC_OK, SC_XFER, SC_FIELD, SC_PRP_OFF);
	set_prp(&s, data_page(), make_list_at(511, 4, 256));
	E("get log 2 MiB, unaligned chain pointer", inj_admin_sc(&s), SC_PRP_OFF);
	set_prp(&s, data_page(), make_list_at(511, 5, 256));
	E("get log 2 MiB, chain pointer outside RAM", inj_admin_sc(&s), SC_XFER);
	set_prp(&s, data_page(), make_list(511, 1));
	E("get log 2 MiB, an unaligned list entry", inj_admin_sc(&s), SC_PRP_OFF);
	set_prp(&s, data_page(), make_list(511, 2));
	E("get log 2 MiB, a list entry outside RAM", inj_admin_sc(&s), SC_XFER);
	set_prp(&s, data_page(), scr_phys + (uint64_t)SCR_LIST_FIRST * PAGE + 4);
	E("get log 2 MiB, list pointer not 8-byte aligned", inj_admin_sc(&s), SC_PRP_OFF);

	/* KV through the private queue: offsets (CDW4), PRPs */
	memset(pat, 0x3c, sizeof(pat));
	scr_write(0, pat, sizeof(pat));
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0x81;
	s.dw[1] = 1;
	s.dw[10] = 100;
	s.dw[11] = 16;
	memcpy(&s.dw[12], ck, 16);
	set_prp(&s, scr_phys, 0);
	E("store 100 bytes from scratch", inj_io_sc(&s, NULL), SC_OK);
	s.dw[0] = 0x90;
	s.dw[10] = 100;
	s.dw[4] = 101;
	set_prp(&s, scr_phys + PAGE, 0);
	E("retrieve offset 101 of a 100-byte value", inj_io_sc(&s, NULL), KSC_OFFSET);
	s.dw[4] = 0xffffffff;
	E("retrieve offset 0xffffffff", inj_io_sc(&s, NULL), KSC_OFFSET);
	s.dw[4] = 2 * MIB + 1;
	E("retrieve offset 2 MiB + 1", inj_io_sc(&s, NULL), KSC_OFFSET);
	s.dw[4] = 100;
	st = inj_io_sc(&s, &c);
	E("retrieve offset 100 (= size)", st, SC_OK);
	{
		/* a 16-byte buffer at an odd dword of a page: exactly 16 bytes land */
		uint8_t page[2 * PAGE], want[2 * PAGE];

		memset(want, 0xab, sizeof(want));
		memset(want + 1000, 0x3c, 16);
		scr_write(2 * PAGE, want, sizeof(want));
		memset(want + 1000, 0xab, 16);
		scr_write(2 * PAGE, want, sizeof(want));
		memset(want + 1000, 0x3c, 16);
		s.dw[4] = 0;
		s.dw[10] = 16;
		set_prp(&s, scr_phys + 2 * PAGE + 1000, 0);
		E("retrieve into a 16-byte buffer", inj_io_sc(&s, NULL), SC_OK);
		scr_read(2 * PAGE, page, sizeof(page));
		crafted_run++;
		if (memcmp(page, want, sizeof(page))) {
			size_t k = 0;

			while (page[k] == want[k])
				k++;
			crafted_fail++;
			violation("crafted: retrieve into a 16-byte buffer at page offset 1000 changed byte %zu of the page", k);
		}
		/* offset 40 of 100 bytes into a page: 60 bytes land, no more */
		memset(want, 0xab, sizeof(want));
		scr_write(2 * PAGE, want, sizeof(want));
		memset(want + 4032, 0x3c, 60);
		s.dw[10] = 4096;
		s.dw[4] = 40;
		set_prp(&s, scr_phys + 2 * PAGE + 4032, scr_phys + 3 * PAGE);
		E("retrieve offset 40 across a page boundary", inj_io_sc(&s, NULL), SC_OK);
		scr_read(2 * PAGE, page, sizeof(page));
		crafted_run++;
		if (memcmp(page, want, sizeof(page))) {
			size_t k = 0;

			while (page[k] == want[k])
				k++;
			crafted_fail++;
			violation("crafted: retrieve of 60 bytes at page offset 4032 changed byte %zu of the two pages", k);
		}
		set_prp(&s, scr_phys + PAGE, 0);
		s.dw[10] = 100;
	}
	s.dw[4] = 40;
	st = inj_io_sc(&s, &c);
	E("retrieve offset 40", st, SC_OK);
	dw0 = (uint32_t)c.result;
	if (!st && dw0 != 100)
		violation("crafted: retrieve offset 40: DW0 %u, want 100", dw0);
	s.dw[4] = 0;
	set_prp(&s, 0, 0);
	E("retrieve into PRP1 = 0", inj_io_sc(&s, NULL), SC_XFER);
	set_prp(&s, 1ULL << 46, 0);
	E("retrieve into PRP1 beyond RAM", inj_io_sc(&s, NULL), SC_XFER);
	if (region_phys) {
		set_prp(&s, region_phys, 0);
		E("retrieve into the device's BAR0", inj_io_sc(&s, NULL), SC_XFER);
		set_prp(&s, region_phys + MIB, 0);
		E("retrieve into the device's block area", inj_io_sc(&s, NULL), SC_XFER);
	}
	set_prp(&s, scr_phys + 1, 0);
	E("retrieve PRP1 not dword aligned", inj_io_sc(&s, NULL), SC_PRP_OFF);
	s.dw[0] = 0x81;
	s.dw[10] = 8192;
	set_prp(&s, scr_phys, 1ULL << 46);
	E("store 8 KiB, PRP2 beyond RAM", inj_io_sc(&s, NULL), SC_XFER);
	set_prp(&s, scr_phys, scr_phys + 2 * PAGE + 8);
	E("store 8 KiB, PRP2 with an offset", inj_io_sc(&s, NULL), SC_PRP_OFF);
	set_prp(&s, scr_phys + 64, 1ULL << 46);
	E("store 8 KiB from offset 64, PRP list beyond RAM", inj_io_sc(&s, NULL), SC_XFER);
	set_prp(&s, scr_phys + 64, scr_phys + (uint64_t)SCR_LIST_FIRST * PAGE + 4);
	E("store 8 KiB from offset 64, PRP list pointer not 8-byte aligned", inj_io_sc(&s, NULL), SC_PRP_OFF);
	/* the failed stores left the 100-byte value */
	s.dw[0] = 0x90;
	s.dw[10] = 4096;
	s.dw[4] = 0;
	set_prp(&s, scr_phys + PAGE, 0);
	st = inj_io_sc(&s, &c);
	E("retrieve after the failed stores", st, SC_OK);
	if (!st) {
		uint8_t got[100];

		scr_read(PAGE, got, 100);
		if ((uint32_t)c.result != 100 || memcmp(got, pat, 100))
			violation("crafted: a store that failed on its PRPs changed the value (size %u)", (uint32_t)c.result);
	}
	s.dw[0] = 0xa1;
	s.dw[10] = 0;
	E("delete", inj_io_sc(&s, NULL), SC_OK);
	/* nsid, PSDT, fused on the I/O path */
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0xb3;
	s.dw[11] = 16;
	memcpy(&s.dw[12], ck, 16);
	E("exist nsid 0", inj_io_sc(&s, NULL), SC_NS);
	/*
	 * Namespace 2 is the KV command set's (kv_std_size): a vendor opcode
	 * there is Invalid Opcode; where it is inactive or absent the device
	 * also looks the opcode up in namespace 2's table first (0x001) rather
	 * than answering Invalid Namespace. Either, with DNR.
	 */
	s.dw[1] = 2;
	E("vendor exist on nsid 2", inj_io_sc(&s, NULL), SC_OPC, SC_NS);
	s.dw[1] = 0xffffffff;
	E("exist nsid 0xffffffff", inj_io_sc(&s, NULL), SC_NS);
	s.dw[1] = 1;
	s.dw[0] = 0xb3 | 0x80 << 8;
	E("exist with PSDT = 10b", inj_io_sc(&s, NULL), SC_FIELD);
	memset(&s, 0, sizeof(s));
	s.dw[1] = 0xffffffff;
	flush_cqe_sanity("flush nsid 0xffffffff", inj_io_sc(&s, NULL), &c);
	/* block read over MDTS and with a list into scratch */
	memset(&s, 0, sizeof(s));
	s.dw[0] = 0x02;
	s.dw[1] = 1;
	s.dw[10] = 1024;
	s.dw[12] = 0xffff;
	set_prp(&s, data_page(), make_list(512 * 7, 0));
	E("read 65536 blocks (over MDTS)", inj_io_sc(&s, NULL), SC_FIELD);
	s.dw[12] = 4095;	/* 2 MiB */
	set_prp(&s, data_page(), make_list(511, 0));
	E("read 2 MiB through a list", inj_io_sc(&s, NULL), SC_OK);
	set_prp(&s, data_page(), make_list_at(511, 3, 256));
	E("read 2 MiB, self-looping list", inj_io_sc(&s, NULL), SC_OK, SC_XFER, SC_FIELD, SC_PRP_OFF);
	set_prp(&s, data_page() + 512, make_list(512, 0));
	E("read 2 MiB, PRP1 offset 512 (513 pages)", inj_io_sc(&s, NULL), SC_OK);

	/* doorbells beyond queue sizes: own queue pair 21 (size 16) */
	if (!own_exist_pair(21, 16, &s)) {
		E("exist on own SQ 21", own_submit(21, &s, &c), KSC_NOKEY);
		doorbell(42, 16);
		doorbell(42, 0xffff);
		doorbell(42, 0xffffffff);
		doorbell(43, 16);
		doorbell(43, 0xffffffff);
		usleep(20000);
		doorbell(43, own[1].head);
		E("own SQ 21 works after tail/head doorbells beyond its size", own_submit(21, &s, &c), KSC_NOKEY);
		/* 40 commands: the 16-entry queue wraps twice */
		for (q = 0; q < 40; q++) {
			st = own_submit(21, &s, &c);
			if (st != KSC_NOKEY) {
				E("own SQ 21 wrap-around", st, KSC_NOKEY);
				break;
			}
		}
		if (c.sq_id != 21)
			violation("crafted: own SQ 21 completion names sq %u", c.sq_id);
		own_delete(21);
	}
	if (!skip_cq_head) {
		crafted_cq_overwrite();
		crafted_cq_head_past_tail();
	}
	/* the host's live queues: only values beyond their sizes */
	doorbell(0, 0xffff);			/* admin SQ tail */
	E("admin command after admin SQ tail doorbell 0xffff", adm(0x06, 0, 1, 0, 0, 0, 0, PAGE), SC_OK);
	doorbell(2, 0x10000);			/* I/O SQ 1 tail */
	doorbell(3, 0xffffffff);		/* I/O CQ 1 head */
	doorbell(5, 0x7fffffff);		/* I/O CQ 2 head (may not exist) */
	E("I/O after I/O doorbells beyond the queue sizes",
	  io(0xb3, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_NOKEY);
}

/* Place @n SQEs on own queue @qid and ring once; returns the first cid. */
static uint16_t own_post(int qid, struct sqe *s, int n)
{
	struct ownq *o = &own[qid - OWN_QID_MIN];
	uint16_t first = inj_cid;
	int i;

	for (i = 0; i < n; i++) {
		uint16_t cid = inj_cid++;

		s->dw[0] = (s->dw[0] & 0xffff) | (uint32_t)cid << 16;
		scr_write(o->sq_off + (uint64_t)o->tail * 64, s, 64);
		o->tail = (o->tail + 1) % o->size;
		n_sq_own++;
	}
	doorbell(2 * qid, o->tail);
	return first;
}

/* Read CQE @idx of own queue @qid without consuming it. */
static void own_peek(int qid, uint32_t idx, struct cqe *c)
{
	scr_read(own[qid - OWN_QID_MIN].cq_off + (uint64_t)idx * 16, c, 16);
}

/*
 * A CQ head doorbell beyond the CQ's size while the CQ is full of unread
 * completions: the device must keep its last valid head (the CQ stays full),
 * never take the bogus value as "the host read everything" and overwrite
 * completions the host has not seen.
 */
static void crafted_cq_overwrite(void)
{
	const int qid = 22;
	struct sqe s;
	struct cqe c, first[3];
	uint16_t cid0, cid1;
	int i;
	double t0;

	if (own_exist_pair(qid, 4, &s))
		return;
	cid0 = own_post(qid, &s, 3);	/* the CQ (4 entries) is full with 3 */
	t0 = now();
	for (i = 0; i < 3; i++) {
		do {
			own_peek(qid, (uint32_t)i, &first[i]);
		} while ((first[i].status & 1) != 1 && now() - t0 < 10);
	}
	crafted_run++;
	if ((first[2].status & 1) != 1) {
		crafted_fail++;
		violation("crafted: own CQ 22: 3 completions not posted within 10 s");
		return;
	}
	doorbell(2 * qid + 1, 1000);		/* bogus head: beyond the size */
	cid1 = own_post(qid, &s, 3);		/* SQ slots 3, 0, 1 */
	usleep(300000);
	crafted_run++;
	for (i = 0; i < 3; i++) {
		own_peek(qid, (uint32_t)i, &c);
		if (c.cid != first[i].cid || c.status != first[i].status) {
			crafted_fail++;
			violation("crafted: CQ head doorbell 1000 on a full 4-entry CQ: the device overwrote unread "
				  "completion %d (cid %u -> %u, status %#x -> %#x)", i, first[i].cid, c.cid,
				  first[i].status, c.status);
			break;
		}
	}
	own_peek(qid, 3, &c);
	if ((c.status & 1) == 1 && i == 3) {
		crafted_fail++;
		violation("crafted: CQ head doorbell 1000: the device posted into a full CQ (entry 3, cid %u)", c.cid);
	}
	(void)cid0;
	(void)cid1;
	/* whatever happened: reset our view by deleting the pair */
	own_delete(qid);
}

/* Error count of the newest Error Information log entry (0: none/failed). */
static uint64_t error_log_newest(void)
{
	uint64_t count = 0;

	if (adm(0x02, 0xffffffff, 1 | 255u << 16, 0, 0, 0, 0, 1024) == 0)
		memcpy(&count, abuf, 8);
	return count;
}

/* Is there an entry newer than @since for a doorbell error of queue @qid? */
static bool error_log_has_doorbell(uint64_t since, uint16_t qid)
{
	int i;

	if (adm(0x02, 0xffffffff, 1 | 255u << 16, 0, 0, 0, 0, 1024))
		return false;
	for (i = 0; i < 16; i++) {
		uint64_t count;
		uint16_t sqid, cid;

		memcpy(&count, abuf + i * 64, 8);
		memcpy(&sqid, abuf + i * 64 + 8, 2);
		memcpy(&cid, abuf + i * 64 + 10, 2);
		if (count > since && sqid == qid && cid == 0xffff)
			return true;
	}
	return false;
}

/*
 * A CQ head doorbell inside the queue but past the device's tail: the host
 * claims to have read completions never posted (Invalid Doorbell Write
 * Value). A device that takes it believes the CQ nearly full and stops
 * posting; it must keep its last valid head and complete everything.
 */
static void crafted_cq_head_past_tail(void)
{
	const int qid = 23, n = 6;
	uint64_t errs_before;
	struct sqe s;
	struct cqe c;
	int i;
	double t0;

	if (own_exist_pair(qid, 8, &s))
		return;
	errs_before = error_log_newest();
	E("own pair 23: first command", own_submit(qid, &s, &c), KSC_NOKEY);
	doorbell(2 * qid + 1, 5);	/* head 5, tail 1: entries 1-4 never posted */
	own_post(qid, &s, n);		/* completions go to CQ slots 1..6 */
	t0 = now();
	for (i = 1; i <= n; i++) {
		do {
			own_peek(qid, (uint32_t)i, &c);
		} while ((c.status & 1) != 1 && now() - t0 < 10);
		if ((c.status & 1) != 1)
			break;
	}
	crafted_run++;
	if (i <= n) {
		crafted_fail++;
		violation("crafted: CQ head doorbell 5 past the tail (1) of an 8-entry CQ: only %d of %d "
			  "completions posted in 10 s (the device took the invalid head)", i - 1, n);
	}
	crafted_run++;
	if (!error_log_has_doorbell(errs_before, qid)) {
		crafted_fail++;
		violation("crafted: CQ head doorbell 5 past the tail: no Error Information log entry "
			  "for CQ %d (Invalid Doorbell Write Value)", qid);
	}
	doorbell(2 * qid + 1, (uint32_t)(1 + n) % 8);	/* honest again */
	own_delete(qid);
}

/*
 * The admin CQ head doorbell beyond the admin queue's size. Separate: a
 * device that takes the value modulo the size may believe the CQ full and
 * stall every admin command (the host then times out and resets).
 */
static void crafted_admin_cq_head(void)
{
	uint32_t v;
	int st;

	/* the host's CQ head advances by one per command: step by two so the
	 * value modulo 32 meets every tail */
	for (v = 32; v < 32 + 2 * 40; v += 2) {
		struct admin_cmd a = { .opcode = 0x06, .cdw10 = 1, .data_len = PAGE, .timeout_ms = 5000 };

		/*
		 * Doorbells are memory here: a bogus value written before the
		 * dispatcher saw the host's last valid head replaces it (a
		 * latched register would not lose it). Give the device time to
		 * see the valid head; the case is about ignoring the bogus one.
		 */
		usleep(20000);
		doorbell(1, v);
		st = admin(&a, NULL);
		if (st) {
			char name[96];

			snprintf(name, sizeof(name), "identify after admin CQ head doorbell %u (beyond the size)", v);
			E(name, st, SC_OK);
			return;
		}
	}
	crafted_run++;
	note("  ok  admin CQ head doorbells 32..110 ignored");
}

/* ---- random commands -------------------------------------------------------------------- */

static uint32_t rnd_key_word(void)
{
	uint32_t w = (uint32_t)rnd();

	if ((w & 0xff) == SENT_FIRST_BYTE)
		w ^= 0x01;
	return w;
}

static uint32_t rnd_klen(void)
{
	switch (rr(0, 19)) {
	case 0: return 0;
	case 1: return 17;
	case 2: return 255;
	case 3: return (uint32_t)rnd() & 0xff;
	default: return rr(1, 16);
	}
}

static uint32_t rnd_vsize(void)
{
	switch (rr(0, 19)) {
	case 0: return 0;
	case 1: return chance(50) ? 2 * MIB : rr(1, 4096);
	case 2: return 2 * MIB + rr(1, 4096);
	case 3: return (uint32_t)rnd();
	case 4: return chance(50) ? rr(4096, 2 * MIB) : rr(4096, 65536);
	case 5: case 6: return rr(1, 65536);
	default: return rr(1, 2048);
	}
}

/* Random KV SQE fields (cdw10..15 and dw4) that never name a sentinel key. */
static void rnd_kv(uint8_t *op, uint32_t c[16])
{
	static const uint8_t ops[] = { 0x81, 0x83, 0x90, 0xa1, 0xb3, 0xb1, 0xb2, 0x90, 0x81, 0xb3 };
	uint32_t opt;

	*op = chance(92) ? ops[rr(0, sizeof(ops) - 1)] : (uint8_t)rr(0x80, 0xff);
	c[10] = rnd_vsize();
	c[12] = rnd_key_word();
	c[13] = (uint32_t)rnd();
	c[14] = (uint32_t)rnd();
	c[15] = (uint32_t)rnd();
	c[4] = chance(80) ? 0 : (chance(50) ? rr(0, 4096) : (uint32_t)rnd());
	switch (*op) {
	case 0x81:
		opt = chance(80) ? rr(0, 2) : rr(0, 255);
		c[11] = rnd_klen() | opt << 8;
		break;
	case 0xb1:
		opt = chance(70) ? (1 | (chance(50) ? 4 : 8)) : (chance(60) ? 2 : rr(0, 255));
		c[11] = (chance(80) ? rr(1, 16) : rr(0, 255)) | opt << 8;
		if (opt & 0x10) {	/* delete matching: never a sentinel */
			c[13] |= 0xff;
			if ((c[12] & 0xff) == SENT_FIRST_BYTE)
				c[12] ^= 1;
		}
		c[10] = 0;
		break;
	case 0xb2:
		c[11] = chance(80) ? rr(1, 16) : rr(0, 255);
		if (chance(60))
			c[10] = rr(0, 65536);
		break;
	case 0xa1:
	case 0xb3:
		c[10] = chance(90) ? 0 : (uint32_t)rnd();
		c[11] = rnd_klen();
		break;
	default:
		c[11] = rnd_klen() | (chance(10) ? (uint32_t)rnd() & 0xffff00 : 0);
	}
	if (chance(3))
		c[11] = (uint32_t)rnd();
	/* a random c[11] may name option bits: keep iterate deletes off the sentinels */
	if (*op == 0xb1 && ((c[11] >> 8) & 0x10)) {
		c[13] |= 0xff;
		if ((c[12] & 0xff) == SENT_FIRST_BYTE)
			c[12] ^= 1;
	}
}

/* Bytes the device will move for KV opcode @op (0: none or rejected). */
static uint32_t kv_len_of(uint8_t op, const uint32_t c[16])
{
	if (op != 0x81 && op != 0x83 && op != 0x90 && op != 0xb2)
		return 0;
	if (kv.coding == KV_CODING_SAMSUNG) {
		uint64_t n = (uint64_t)c[10] * 4;

		return n > 2 * MIB ? 2 * MIB : (uint32_t)n;
	}
	return c[10] > 2 * MIB ? 2 * MIB : c[10];
}

/* A random block command's LBA fields that keep writes off the sentinels. */
static void rnd_blk(uint8_t op, uint32_t c[16], uint32_t max_nlb)
{
	uint64_t slba;
	uint32_t nlb = chance(70) ? rr(0, 15) : rr(0, max_nlb - 1);
	uint64_t lo = SENT_LBAS_HEAD, hi = ns_blocks - SENT_LBAS_TAIL;

	switch (rr(0, 9)) {
	case 0: slba = ns_blocks + rr(0, 100); break;
	case 1: slba = rnd(); break;
	case 2: slba = ns_blocks - rr(1, 8); break;
	default: slba = lo + rnd() % (hi - lo - 65536);
	}
	/*
	 * A Copy's destination (SDLBA) takes up to MCL = 4096 blocks, however
	 * many its list (random) holds: any SDLBA in the namespace is kept off
	 * the sentinels by that much.
	 */
	if (op == 0x19)
		nlb = 4095;
	if (op == 0x19 && slba < ns_blocks && (slba < lo || slba + nlb + 1 > hi))
		slba = lo + rnd() % (hi - lo - nlb - 1);
	if ((op == 0x01 || op == 0x08 || op == 0x04) && slba < ns_blocks && slba + nlb + 1 <= ns_blocks &&
	    (slba < lo || slba + nlb + 1 > hi)) {
		/* a write the device would accept must miss the sentinels */
		slba = lo + rnd() % (hi - lo - nlb - 1);
	}
	c[10] = (uint32_t)slba;
	c[11] = (uint32_t)(slba >> 32);
	c[12] = nlb | (chance(5) ? (uint32_t)rnd() & 0xffff0000 : 0);
}

static void rnd_io_ioctl(void)
{
	uint32_t c[16] = { 0 }, len = 0;
	uint8_t op;
	int st;

	if (chance(80)) {
		rnd_kv(&op, c);
		len = kv_len_of(op, c);
		if (len & 3)
			len = (len + 3) & ~3u;
	} else {
		static const uint8_t bops[] = { 0x00, 0x01, 0x02, 0x08, 0x01, 0x02 };

		op = chance(85) ? bops[rr(0, sizeof(bops) - 1)] : (uint8_t)rr(0, 0x7f);
		if (op == 0x01 || op == 0x02 || op == 0x08) {
			rnd_blk(op, c, 4096);
			if (op != 0x08) {
				uint32_t nlb = (c[12] & 0xffff) + 1;

				len = nlb * 512 > 2 * MIB ? 2 * MIB : nlb * 512;
			}
		} else if (op == 0x04 || op == 0x05 || op == 0x0c || op == 0x19) {
			/* write uncorrectable, compare, verify, copy: their
			 * blocks (a copy's destination) off the sentinels;
			 * sent without data */
			rnd_blk(op, c, 0x10000);
			if (op == 0x19) /* NR, descriptor format */
				c[12] = (uint32_t)rnd() & 0xffff;
		} else if (op == 0x09 || op == 0x11 || op == 0x15) {
			/* DSM without AD (CDW11 0), others unsupported */
			c[10] = (uint32_t)rnd();
			c[12] = (uint32_t)rnd();
		} else if (op > 0x02 && op != 0x08) {
			c[10] = (uint32_t)rnd();
			c[11] = (uint32_t)rnd();
			c[12] = (uint32_t)rnd();
		}
	}
	if (op == 0x90 || op == 0xb2 || op == 0x02)
		memset(kv.buf, 0xa5, len);
	st = io(op, c[10], c[11], c[12], c[13], c[14], c[15], len, NULL);
	if (st == -EACCES || st == -EPERM) {
		host_refused++;
		return;
	}
	if (st < 0) {
		violation("io ioctl opcode %#x cdw10 %#x cdw11 %#x data_len %u: %s", op, c[10], c[11], len, strerror(-st));
	}
}

static const uint8_t safe_admin_ops[] = { 0x02, 0x06, 0x08, 0x09, 0x0a, 0x18, 0x02, 0x06, 0x0a };

static bool admin_op_forbidden(uint8_t op)
{
	/* queue management and AER (host-owned), format/sanitize (freeze the
	 * host), anything the driver rescans after */
	switch (op) {
	case 0x00: case 0x01: case 0x04: case 0x05: case 0x0c:
	case 0x80: case 0x84: case 0x0d: case 0x15: case 0x10: case 0x11:
		return true;
	}
	return false;
}

/* Random admin CDWs for @op; returns the data length the device will use. */
static uint32_t rnd_admin_fields(uint8_t op, uint32_t c[16], uint32_t *nsid)
{
	uint64_t numd;

	*nsid = chance(50) ? 0 : (chance(50) ? 1 : (chance(50) ? 0xffffffff : (uint32_t)rnd()));
	switch (op) {
	case 0x06:
		c[10] = chance(70) ? rr(0, 3) | (chance(10) ? (uint32_t)rnd() & 0xffff0000 : 0) :
			(chance(50) ? rr(0, 0x20) : (uint32_t)rnd());
		c[11] = chance(80) ? 0 : (uint32_t)rnd();
		return PAGE;
	case 0x02:
		numd = chance(70) ? rr(0, 1023) : (chance(50) ? rr(0, 0x7ffff) : (uint32_t)rnd());
		c[10] = (chance(80) ? (uint32_t)(const uint8_t[]){ 1, 2, 3, 5, 0x7f, 0xc0, 0 }[rr(0, 6)] : rr(0, 255)) |
			(uint32_t)(numd & 0xffff) << 16 | (chance(5) ? 1u << 15 : 0);
		c[11] = (uint32_t)(numd >> 16);
		c[12] = chance(70) ? rr(0, 128) * 4 : (uint32_t)rnd();
		c[13] = chance(90) ? 0 : (uint32_t)rnd();
		c[14] = chance(90) ? 0 : (uint32_t)rnd();
		numd = ((uint64_t)(c[11] & 0xffff) << 16 | c[10] >> 16) + 1;
		return numd * 4 > 2 * MIB ? 0 : (uint32_t)(numd * 4);
	case 0x09:
	case 0x0a:
		c[10] = chance(80) ? rr(0, 0x20) | (chance(20) ? rr(0, 7) << 8 : 0) : (uint32_t)rnd();
		if (op == 0x09 && (c[10] & 0xff) == 0x07 && chance(50))
			c[11] = (uint32_t)rnd();
		else
			c[11] = chance(50) ? rr(0, 64) : (uint32_t)rnd();
		if ((c[10] & 0xff) == 0x0e)
			return 8;
		return 0;
	default:
		c[10] = (uint32_t)rnd();
		c[11] = (uint32_t)rnd();
		c[12] = (uint32_t)rnd();
		return 0;
	}
}

static void rnd_admin_ioctl(void)
{
	uint32_t c[16] = { 0 }, nsid, len;
	struct admin_cmd a;
	uint8_t op;
	int st;

	do
		op = chance(85) ? safe_admin_ops[rr(0, sizeof(safe_admin_ops) - 1)] : (uint8_t)rnd();
	while (admin_op_forbidden(op));
	len = rnd_admin_fields(op, c, &nsid);
	memset(&a, 0, sizeof(a));
	a.opcode = op;
	a.nsid = nsid;
	a.cdw10 = c[10];
	a.cdw11 = c[11];
	a.cdw12 = c[12];
	a.cdw13 = c[13];
	a.cdw14 = c[14];
	/* the host buffer is at least as long as what the command implies */
	a.data_len = len ? (len < PAGE ? PAGE : len) : (chance(30) ? PAGE : 0);
	if (op == 0x09 && (c[10] & 0xff) == 0x0e)
		a.data_len = PAGE;
	/*
	 * Linux snoops a successful Set Features Keep Alive Timer and starts
	 * keep-alive on a PCIe controller, whose admin tag set has no reserved
	 * tag: WARN in blk_mq_get_tag, "keep-alive failed: -11", controller
	 * resets. A host-driver problem, not the device's: not on this path
	 * (the injection path sends it).
	 */
	if (op == 0x09 && (c[10] & 0xff) == 0x0f)
		a.cdw10 = (c[10] & ~0xffu) | 0x0e, a.data_len = PAGE;
	st = admin(&a, NULL);
	if (st == -EACCES || st == -EPERM) {
		host_refused++;	/* host policy (6.12 refuses some Set Features) */
		return;
	}
	if (st < 0 && a.data_len > 256 * 1024 && (st == -EINVAL || st == -ENOMEM)) {
		host_refused++;	/* the driver could not map the buffer */
		return;
	}
	if (st < 0)
		violation("admin ioctl opcode %#x cdw10 %#x cdw11 %#x data_len %u: %s", op, c[10], c[11], a.data_len, strerror(-st));
}

/* A random injected I/O SQE: any opcode/nsid/flags, PRPs per the safety rules. */
static void rnd_io_sqe(struct sqe *s)
{
	uint32_t *c = s->dw, len = 0;
	uint8_t op;

	memset(s, 0, sizeof(*s));
	switch (rr(0, 9)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		rnd_kv(&op, c);
		len = kv_len_of(op, c);
		break;
	case 6: case 7: {
		static const uint8_t bops[] = { 0x00, 0x01, 0x02, 0x08 };

		op = bops[rr(0, 3)];
		rnd_blk(op, c, 0x10000);
		if (op == 0x01 || op == 0x02)
			len = ((c[12] & 0xffff) + 1) * 512;
		break;
	}
	default:
		op = (uint8_t)rnd();
		/* would write the block area (Copy, Write Uncorrectable too;
		 * DSM goes with CDW11 0: no deallocation) */
		if (op == 0x01 || op == 0x08 || op == 0x04 || op == 0x19)
			op = 0x03;
		if (op >= 0x80)
			rnd_kv(&op, c), len = kv_len_of(op, c);
		else if (op == 0x02) {
			rnd_blk(op, c, 0x10000);
			len = ((c[12] & 0xffff) + 1) * 512;
		} else {
			c[10] = (uint32_t)rnd();
			c[12] = (uint32_t)rnd();
		}
	}
	c[0] = op | (chance(8) ? (uint32_t)(rnd() & 0xff) << 8 : 0);
	c[1] = chance(90) ? 1 : (chance(50) ? 0xffffffff : (uint32_t)rnd());
	if (chance(3))
		c[2] = (uint32_t)rnd(), c[3] = (uint32_t)rnd();
	if (len > 2 * MIB)
		len = 2 * MIB + PAGE;	/* the device must refuse before mapping */
	gen_prps(s, len);
}

static void rnd_admin_sqe(struct sqe *s)
{
	uint32_t *c = s->dw, len = 0, nsid;
	uint8_t op;
	int qid;

	memset(s, 0, sizeof(*s));
	op = chance(75) ? (uint8_t)(const uint8_t[]){ 0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0a, 0x18 }[rr(0, 9)] :
		(uint8_t)rnd();
	/* AER is the host's; Namespace Management/Attachment could delete or
	 * detach the namespaces the sentinels live in: an unused opcode */
	if (op == 0x0c || op == 0x0d || op == 0x15)
		op = 0x0e;
	if (op == 0x80 || op == 0x84) /* format, sanitize: would erase the sentinels */
		op |= 1;
	qid = (int)rr(RND_QID_MIN, OWN_QID_MAX);
	switch (op) {
	case 0x00: case 0x04:	/* delete own queues only (or invalid qids) */
		c[10] = chance(85) ? (uint32_t)qid : (uint32_t)(const uint16_t[]){ 0, 33, 34, 0xffff }[rr(0, 3)];
		c[10] |= chance(10) ? (uint32_t)rnd() & 0xffff0000 : 0;
		break;
	case 0x01: case 0x05: {
		uint32_t size = chance(70) ? rr(2, 512) : (chance(50) ? rr(0, 2) : rr(513, 0xffff) + 1);
		uint64_t prp1;

		if (chance(8))
			qid = (int)(const uint16_t[]){ 0, 33, 34, 0xffff, 1 }[rr(0, 4)];
		/* own slot memory; a size beyond the slot must fail: use a bad address */
		if (qid >= OWN_QID_MIN && qid <= OWN_QID_MAX && size <= 512)
			prp1 = scr_phys + (op == 0x05 ? own_cq_off(qid) : own_sq_off(qid));
		else
			prp1 = bad_addr(chance(80));
		if (chance(10))
			prp1 = bad_addr(chance(50));
		if (chance(5))
			prp1 += 8;
		c[10] = (size - 1) << 16 | (uint32_t)(qid & 0xffff);
		if (op == 0x05) {
			c[11] = (chance(90) ? 1 : rr(0, 3)) | (chance(10) ? rr(0, 40) << 16 : 0);
			if (c[11] & 2)	/* interrupts: only on vectors the host does not use */
				c[11] |= rr(8, 32) << 16;
		} else {
			int cq = chance(85) ? qid : (int)(const uint16_t[]){ 0, 33, 0xffff, 1, 2 }[rr(0, 4)];

			if (cq == 1 || cq == 2)	/* never attach to a host CQ */
				cq = 0;
			c[11] = (uint32_t)cq << 16 | (chance(95) ? 1 : rr(0, 7));
		}
		set_prp(s, prp1, 0);
		c[0] = op;
		c[1] = chance(90) ? 0 : (uint32_t)rnd();
		return;
	}
	default:
		len = rnd_admin_fields(op, c, &nsid);
		c[1] = nsid;
	}
	c[0] = op | (chance(6) ? (uint32_t)(rnd() & 0xff) << 8 : 0);
	gen_prps(s, len ? len : (op == 0x06 ? PAGE : 0));
	/* identify always writes a page, whatever the CNS */
	if (op == 0x06)
		gen_prps(s, PAGE);
}

static void rnd_inject(void)
{
	struct sqe s;
	struct cqe c;
	int r;

	if (chance(70)) {
		rnd_io_sqe(&s);
		r = inject(false, &s, &c);
	} else {
		rnd_admin_sqe(&s);
		r = inject(true, &s, &c);
	}
	if (r == -ETIMEDOUT)
		violation("injected opcode %#x: no completion within 10 s", s.dw[0] & 0xff);
	else if (r < 0)
		violation("injected opcode %#x: %s", s.dw[0] & 0xff, strerror(-r));
}

/* Random traffic on our own queues: create, submit, doorbell abuse, delete. */
static void rnd_own_queues(void)
{
	int qid = (int)rr(OWN_QID_MIN, OWN_QID_MIN + 3);
	struct ownq *o = &own[qid - OWN_QID_MIN];
	struct sqe s;
	struct cqe c;
	int st, i, n;

	if (!o->sq || !o->cq) {
		/* whatever state random admin left it in: clean up, then create */
		delete_q(true, qid);
		delete_q(false, qid);
		o->sq = o->cq = false;
		st = own_create(qid, rr(2, 64));
		if (st) {
			violation("create own queue pair %d: status %#x", qid, st);
			return;
		}
	}
	n = (int)rr(1, 20);
	for (i = 0; i < n; i++) {
		rnd_io_sqe(&s);
		st = own_submit(qid, &s, &c);
		if (st == -ETIMEDOUT) {
			violation("own SQ %d: opcode %#x: no completion within 10 s", qid, s.dw[0] & 0xff);
			o->sq = o->cq = false;
			return;
		}
		if (st == -EBADMSG) {
			violation("own SQ %d: CQE for cid %u, expected the one just submitted", qid, c.cid);
			break;
		}
	}
	/* doorbells: beyond the size (ignored), then an in-range replay of
	 * stale (generator-made) SQEs; reap whatever completes */
	doorbell(2 * qid, o->size + rr(0, 1000));
	doorbell(2 * qid + 1, o->size + rr(0, 0xffff));
	doorbell(2 * qid + 1, o->head);
	if (chance(30)) {
		uint32_t t = rr(0, o->size - 1);
		uint32_t pending = (t + o->size - o->tail) % o->size;

		doorbell(2 * qid, t);
		o->tail = t;
		for (i = 0; i < (int)pending; i++)
			if (own_reap(qid, &c, 10.0)) {
				violation("own SQ %d: replay of %u stale SQEs: completion %d missing", qid, pending, i);
				break;
			}
	}
	if (chance(25)) {
		/* delete the SQ with commands possibly in flight, then the CQ */
		rnd_io_sqe(&s);
		scr_write(o->sq_off + (uint64_t)o->tail * 64, &s, 64);
		o->tail = (o->tail + 1) % o->size;
		doorbell(2 * qid, o->tail);
		own_delete(qid);
	}
}

/*
 * Last: in-range garbage on the private queue's doorbells. The device
 * replays stale (generator-made) SQEs and the injection interface loses
 * track of its queue, as a host driver would; the ioctl path must not
 * care. A controller reset (expected, marked for the log checks) then
 * recreates the private queue, and injection must work again.
 */
static void private_queue_chaos(void)
{
	struct sqe s;
	struct cqe c;
	int i, st, bad = 0;
	double t0;

	priv_chaos = true;
	for (i = 0; i < 8; i++) {
		doorbell(2 * PRIV_QID, rr(0, 63));
		usleep(2000);
		doorbell(2 * PRIV_QID + 1, rr(0, 63));
	}
	doorbell(2 * PRIV_QID, 64);
	doorbell(2 * PRIV_QID, 0xffffffff);
	doorbell(2 * PRIV_QID + 1, 1000);
	usleep(200000);
	E("I/O ioctl after private queue doorbell abuse",
	  io(0xb3, 0, 16, ck[0], ck[1], ck[2], ck[3], 0, NULL), KSC_NOKEY);
	sentinels_check("after private queue doorbell abuse");

	kmsg("NVMEV-EXPECT-RESET-BEGIN");
	st = ioctl(ctrl_fd, NVME_IOCTL_RESET);
	if (st)
		violation("NVME_IOCTL_RESET: %s", strerror(errno));
	t0 = now();
	do {
		usleep(100000);
		st = adm(0x06, 0, 1, 0, 0, 0, 0, PAGE);
	} while (st && now() - t0 < 30);
	kmsg("NVMEV-EXPECT-RESET-END");
	E("identify after the controller reset", st, SC_OK);
	priv_chaos = false;
	exist_ck_sqe(&s);
	for (i = 0; i < 50; i++) {
		st = inject(false, &s, &c);
		if (st || cqe_sc(&c) != KSC_NOKEY)
			bad++;
	}
	crafted_run++;
	if (bad) {
		crafted_fail++;
		violation("injection after the reset: %d of 50 commands failed", bad);
	}
}

/*
 * One queue's full CQ must not stall the others: own pair 23 (size 2)
 * gets a completion it never reads and a second command that cannot
 * complete; a host command on its own queue must still complete. Last,
 * because a device with head-of-line blocking makes the host time out and
 * reset the controller.
 */
static void crafted_cq_full_hol(void)
{
	const int qid = 23;
	struct sqe s;
	int st;

	if (own_exist_pair(qid, 2, &s))
		return;
	own_post(qid, &s, 1);
	usleep(100000);
	own_post(qid, &s, 1);	/* its CQ is full: this one has to wait */
	usleep(100000);
	st = host_exist_ck();
	E("host I/O while another queue's CQ is full", st, KSC_NOKEY);
	own_delete(qid);
}

/*
 * The same with many requests waiting for one full CQ: a 2-entry CQ 24
 * under a 256-entry SQ 24 gets 200 commands at once. They are due and
 * blocked; the host's command queued behind them must still complete.
 */
static void crafted_cq_full_hol_many(void)
{
	const int qid = 24;
	struct ownq *o = &own[qid - OWN_QID_MIN];
	uint8_t zero[SCR_SQ_PAGES * PAGE] = { 0 };
	struct sqe s;
	int st;

	o->cq_off = own_cq_off(qid);
	o->sq_off = own_sq_off(qid);
	scr_write(o->cq_off, zero, SCR_CQ_PAGES * PAGE);
	scr_write(o->sq_off, zero, sizeof(zero));
	st = create_cq(qid, 2, scr_phys + o->cq_off, 1, 0);
	E("create CQ 24 (2 entries)", st, SC_OK);
	if (st)
		return;
	o->cq = true;
	st = create_sq(qid, 256, scr_phys + o->sq_off, qid);
	E("create SQ 24 (256 entries) on CQ 24", st, SC_OK);
	if (st) {
		own_delete(qid);
		return;
	}
	o->sq = true;
	o->size = 256;
	o->tail = 0;
	exist_ck_sqe(&s);
	own_post(qid, &s, 200);
	usleep(300000);
	st = host_exist_ck();
	E("host I/O behind 200 requests for another queue's full CQ", st, KSC_NOKEY);
	own_delete(qid);
}

/*
 * Issue 10 defect 5 (sqs_on_unread_cq_stall_worker): three 1024-entry SQs
 * (25, 26, 27) on one 2-entry CQ 25 that is never read, each with 1023
 * commands. A device that fetches without bounding what an SQ may have
 * outstanding by what its CQ can take fills its workers' request pools
 * (3069 > 2048) with commands that can never complete, and the host's own
 * queues on those workers stall until the driver times out and resets.
 * The three SQs share one ring in scratch: the device only reads it.
 */
static void crafted_sqs_on_unread_cq(void)
{
	const int cqid = 25, sqids[] = { 25, 26, 27 };
	uint8_t zero[SCR_CQ_PAGES * PAGE] = { 0 };
	struct sqe s;
	unsigned int i, q;
	int st;

	scr_write(own_cq_off(cqid), zero, sizeof(zero));
	exist_ck_sqe(&s);
	for (i = 0; i < 1023; i++) {
		s.dw[0] = (s.dw[0] & 0xffff) | (uint32_t)(0x4000 + i) << 16;
		scr_write((uint64_t)SCR_BIGSQ * PAGE + (uint64_t)i * 64, &s, 64);
	}
	st = create_cq(cqid, 2, scr_phys + own_cq_off(cqid), 1, 0);
	E("create CQ 25 (2 entries, never read)", st, SC_OK);
	if (st)
		return;
	for (q = 0; q < 3; q++) {
		st = create_sq(sqids[q], 1024,
			       scr_phys + (uint64_t)SCR_BIGSQ * PAGE, cqid);
		E("create a 1024-entry SQ on CQ 25", st, SC_OK);
		if (st)
			goto out;
	}
	for (q = 0; q < 3; q++) {
		doorbell(2 * sqids[q], 1023);
		n_sq_own += 1023;
	}
	usleep(500000);
	st = host_exist_ck();
	E("host I/O while 3 x 1023 commands wait for an unread 2-entry CQ", st,
	  KSC_NOKEY);
	st = host_exist_ck();
	E("host I/O again (request pools not exhausted)", st, KSC_NOKEY);
out:
	for (q = 0; q < 3; q++)
		delete_q(true, sqids[q]);
	E("delete CQ 25 after its SQs", delete_q(false, cqid), SC_OK);
}

/*
 * Issue 10 defect 6 (delete_sq_unfetched_never_complete): 1000 commands are
 * submitted on SQ 28 (1024 entries, CQ 28 of 1024) and the SQ is deleted at
 * once, while the device is still fetching them (64 a pass). Every one of
 * them must complete exactly once: performed, or aborted (0x008), whether
 * it had been fetched or not. Reports how many were aborted unfetched.
 */
static void crafted_delete_sq_unfetched(void)
{
	const int qid = 28;
	static uint8_t seen[1000];
	uint8_t zero[4 * PAGE] = { 0 };
	unsigned int i, posted = 0, aborted = 0, dup = 0, stray = 0;
	struct sqe s;
	struct cqe c;
	int st;

	memset(seen, 0, sizeof(seen));
	scr_write((uint64_t)SCR_BIGCQ * PAGE, zero, sizeof(zero));
	exist_ck_sqe(&s);
	for (i = 0; i < 1000; i++) {
		s.dw[0] = (s.dw[0] & 0xffff) | (uint32_t)(0x5000 + i) << 16;
		scr_write((uint64_t)SCR_BIGSQ * PAGE + (uint64_t)i * 64, &s, 64);
	}
	st = create_cq(qid, 1024, scr_phys + (uint64_t)SCR_BIGCQ * PAGE, 1, 0);
	E("create CQ 28 (1024 entries)", st, SC_OK);
	if (st)
		return;
	st = create_sq(qid, 1024, scr_phys + (uint64_t)SCR_BIGSQ * PAGE, qid);
	E("create SQ 28 (1024 entries)", st, SC_OK);
	if (!st) {
		doorbell(2 * qid, 1000);
		n_sq_own += 1000;
		E("delete SQ 28 while its 1000 commands are fetched",
		  delete_q(true, qid), SC_OK);
	}
	for (i = 0; i < 1024; i++) {
		unsigned int n;

		scr_read((uint64_t)SCR_BIGCQ * PAGE + (uint64_t)i * 16, &c, 16);
		if (!(c.status & 1))
			break;
		posted++;
		n = c.cid - 0x5000u;
		if (n >= 1000) {
			stray++;
			continue;
		}
		dup += seen[n]++ != 0;
		aborted += cqe_sc(&c) == 0x008;
	}
	printf("hostile: delete SQ 28 with 1000 commands: %u completions (%u aborted), %u duplicates, %u stray\n",
	       posted, aborted, dup, stray);
	crafted_run++;
	if (posted != 1000 || dup || stray) {
		crafted_fail++;
		violation("delete SQ with commands in flight: %u of 1000 completed, %u twice, %u unknown",
			  posted - dup - stray, dup, stray);
	}
	E("delete CQ 28", delete_q(false, qid), SC_OK);
}

static char timing_dir[256];	/* the controller's timing model in sysfs */

static int sysfs_write_u64(const char *path, uint64_t v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%" PRIu64 "\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Interrupts counted so far on the host's handler "NAME" (all CPUs). */
static uint64_t irq_count(const char *name)
{
	char line[1024];
	uint64_t total = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		if (!p || n < strlen(name) || strcmp(line + n - strlen(name), name) ||
		    line[n - strlen(name) - 1] != ' ')
			continue;
		for (p++;; p = end) {
			uint64_t v = strtoull(p, &end, 10);

			if (end == p)
				break;
			total += v;
		}
	}
	fclose(f);
	return total;
}

/*
 * Issue 10 defect 6 (abort_at_sq_deletion_no_interrupt): commands queued on
 * a worker when their SQ is deleted complete as aborted, and the host must
 * be told with an interrupt. Own pair 29 takes MSI-X vector 1 (the host's
 * first I/O queue, "nvme0q1"); with the model's Exist cost at 1 s three
 * Exists are still queued when SQ 29 is deleted: three 0x008 completions,
 * and vector 1 must fire.
 */
static void crafted_abort_interrupt(const char *ctrl)
{
	const int qid = 29;
	struct ownq *o = &own[qid - OWN_QID_MIN];
	char path[300], irqname[64];
	uint64_t before, after;
	unsigned int i, aborted = 0;
	struct sqe s;
	struct cqe c;
	int st;

	snprintf(timing_dir, sizeof(timing_dir), "/sys/class/nvme/%s/device/timing",
		 strrchr(ctrl, '/') ? strrchr(ctrl, '/') + 1 : ctrl);
	snprintf(path, sizeof(path), "%s/fw_exist_ns", timing_dir);
	snprintf(irqname, sizeof(irqname), "%sq1",
		 strrchr(ctrl, '/') ? strrchr(ctrl, '/') + 1 : ctrl);
	if (sysfs_write_u64(path, 1000000000)) {
		violation("cannot set %s: %s", path, strerror(errno));
		return;
	}
	o->cq_off = own_cq_off(qid);
	o->sq_off = own_sq_off(qid);
	{
		uint8_t zero[SCR_CQ_PAGES * PAGE] = { 0 };

		scr_write(o->cq_off, zero, sizeof(zero));
	}
	st = create_cq(qid, 16, scr_phys + o->cq_off, 3, 1); /* PC | IEN, vector 1 */
	E("create CQ 29 (interrupts on vector 1)", st, SC_OK);
	if (st)
		goto out;
	st = create_sq(qid, 16, scr_phys + o->sq_off, qid);
	E("create SQ 29", st, SC_OK);
	if (st) {
		delete_q(false, qid);
		goto out;
	}
	o->size = 16;
	o->tail = 0;
	exist_ck_sqe(&s);
	own_post(qid, &s, 3);
	usleep(200000);	/* fetched, queued for 1 s */
	before = irq_count(irqname);
	E("delete SQ 29 with three commands queued", delete_q(true, qid), SC_OK);
	usleep(100000);
	after = irq_count(irqname);
	for (i = 0; i < 3; i++) {
		own_peek(qid, i, &c);
		if ((c.status & 1) && cqe_sc(&c) == 0x008)
			aborted++;
	}
	printf("hostile: SQ 29 deleted: %u of 3 aborted, %s interrupts %" PRIu64 " -> %" PRIu64 "\n",
	       aborted, irqname, before, after);
	crafted_run++;
	if (aborted != 3 || after <= before) {
		crafted_fail++;
		violation("abort at SQ deletion: %u of 3 aborted, interrupts %" PRIu64 " -> %" PRIu64,
			  aborted, before, after);
	}
	E("delete CQ 29", delete_q(false, qid), SC_OK);
out:
	snprintf(path, sizeof(path), "%s/preset", timing_dir);
	{
		FILE *f = fopen(path, "w");

		if (f) {
			fputs("pm983\n", f);
			fclose(f);
		}
	}
}

/* Open the injection interface if the module has one (inject=1); -1 if broken */
static int inj_open(void)
{
	inj = !force_no_inject && !access(INJ_DIR "/io", W_OK);
	if (inj) {
		inj_io_fd = open(INJ_DIR "/io", O_RDWR);
		inj_admin_fd = open(INJ_DIR "/admin", O_RDWR);
		inj_db_fd = open(INJ_DIR "/doorbell", O_WRONLY);
		inj_scr_fd = open(INJ_DIR "/scratch", O_RDWR);
		scr_phys = rd_u64_file(INJ_DIR "/scratch_phys");
		if (inj_io_fd < 0 || inj_admin_fd < 0 || inj_db_fd < 0 || inj_scr_fd < 0 || !scr_phys) {
			fprintf(stderr, "injection files incomplete\n");
			return -1;
		}
		{
			/* the device's reserved region from /proc/iomem is not
			 * readable as a number without root; use memmap_start */
			char s[64] = "";
			FILE *f = fopen("/sys/module/nvmev_kv/parameters/memmap_start", "r");

			if (f) {
				if (fgets(s, sizeof(s), f)) {
					char *e;
					uint64_t v = strtoull(s, &e, 0);

					if (*e == 'G' || *e == 'g')
						v <<= 30;
					else if (*e == 'M' || *e == 'm')
						v <<= 20;
					else if (*e == 'K' || *e == 'k')
						v <<= 10;
					region_phys = v;
				}
				fclose(f);
			}
		}
	}
	return 0;
}

/* ---- main loop ---------------------------------------------------------------------------- */

static void print_hist(void)
{
	unsigned int i;

	printf("status histogram (SCT<<8|SC: count):");
	for (i = 0; i < 0x800; i++)
		if (hist[i])
			printf(" %#x:%" PRIu64, i, hist[i]);
	printf("\n");
}

static uint64_t total_cmds(void)
{
	return n_admin_ioctl + n_io_ioctl + n_inj_admin + n_inj_io + n_sq_own;
}

static int run(const char *ns, const char *ctrl, uint64_t ops, double max_secs)
{
	double t0 = now();
	uint64_t i = 0, next_check = 20000;
	int st;

	st = kv_open(&kv, ns, kv_coding_of_module());
	if (st) {
		fprintf(stderr, "%s: %s\n", ns, strerror(-st));
		return 2;
	}
	ctrl_fd = open(ctrl, O_RDWR);
	blk_fd = open(ns, O_RDWR | O_DIRECT);
	if (ctrl_fd < 0 || blk_fd < 0) {
		perror("open");
		return 2;
	}
	if (ioctl(blk_fd, BLKGETSIZE64, &ns_blocks)) {
		perror("BLKGETSIZE64");
		return 2;
	}
	ns_blocks /= 512;
	abuf = huge_buf(2 * MIB + PAGE);
	if (posix_memalign((void **)&sent_tmp, 2 * MIB, 2 * MIB))
		return 2;

	if (inj_open())
		return 2;
	printf("hostile: %s (%" PRIu64 " blocks), %s, injection %s (scratch %#" PRIx64 ", region %#" PRIx64 "), seed %#" PRIx64 "\n",
	       ns, ns_blocks, ctrl, inj ? "on" : "off", scr_phys, region_phys, rng);

	/* what an earlier, killed run may have left: our queues, open handles */
	if (inj) {
		int q;

		for (q = OWN_QID_MIN; q <= OWN_QID_MAX; q++) {
			delete_q(true, q);
			delete_q(false, q);
		}
	}
	for (st = 1; st <= KV_MAX_ITERS; st++)
		io(0xb1, 0, (uint32_t)st | 2 << 8, 0, 0, 0, 0, 0, NULL);
	memset(hist, 0, sizeof(hist));

	sentinels_store();
	blk_sentinels(true);
	sentinels_check("after storing");

	crafted_admin_ioctl();
	crafted_io_ioctl();
	if (inj) {
		crafted_inject();
		if (!skip_cq_head)
			crafted_admin_cq_head();
	}
	sentinels_check("after the crafted cases");
	printf("crafted cases: %" PRIu64 " run, %" PRIu64 " failed\n", crafted_run, crafted_fail);
	fflush(stdout);

	while (total_cmds() < ops || i == 0) {
		unsigned int p = rr(0, 99);

		if (max_secs > 0 && now() - t0 > max_secs) {
			printf("hostile: time limit %.0f s reached\n", max_secs);
			break;
		}
		double t = now();

		if (inj && p < 25) {
			rnd_inject();
			t_inj += now() - t;
		} else if (inj && p < 28) {
			rnd_own_queues();
			t_own += now() - t;
		} else if (p < 40) {
			rnd_admin_ioctl();
			t_admin += now() - t;
		} else {
			rnd_io_ioctl();
			t_io += now() - t;
		}
		i++;
		if (total_cmds() >= next_check) {
			next_check += 20000;
			sentinels_check("during the random run");
			printf("hostile: %" PRIu64 " commands, %.0f s, %" PRIu64 " violations\n",
			       total_cmds(), now() - t0, violations);
			fflush(stdout);
		}
	}
	/* leave no own queue behind */
	if (inj) {
		int q;

		for (q = OWN_QID_MIN; q <= OWN_QID_MAX; q++) {
			delete_q(true, q);
			delete_q(false, q);
		}
	}
	/* close any handle the random run left open */
	for (st = 1; st <= KV_MAX_ITERS; st++)
		io(0xb1, 0, (uint32_t)st | 2 << 8, 0, 0, 0, 0, 0, NULL);
	sentinels_check("after the random run");
	/* the private queue's replays can fill its CQ: the head-of-line bug */
	if (inj && !skip_cq_head) {
		private_queue_chaos();
		crafted_cq_full_hol();
		crafted_cq_full_hol_many();
		crafted_sqs_on_unread_cq();
		crafted_delete_sq_unfetched();
		crafted_abort_interrupt(ctrl);
	}
	sentinels_check("at the end");
	print_hist();
	printf("commands: %" PRIu64 " total = admin ioctl %" PRIu64 " + io ioctl %" PRIu64
	       " + injected admin %" PRIu64 " + injected io %" PRIu64 " + own queues %" PRIu64
	       "; doorbell writes %" PRIu64 "; sentinel checks %" PRIu64 "; %.1f s\n",
	       total_cmds(), n_admin_ioctl, n_io_ioctl, n_inj_admin, n_inj_io, n_sq_own,
	       n_doorbell, sentinel_checks, now() - t0);
	printf("random-phase time: admin ioctl %.1f s, io ioctl %.1f s, injection %.1f s, own queues %.1f s\n",
	       t_admin, t_io, t_inj, t_own);
	if (host_refused)
		printf("refused by the host driver (EACCES/EPERM, or an unmappable buffer): %" PRIu64 "\n", host_refused);
	printf("hostile: %" PRIu64 " violations\n", violations);
	return violations ? 1 : 0;
}

/* ---- the NVMe KV Command Set on namespace 2 (std mode) ---------------------------------- */

static struct kv_dev kvs;	/* namespace 2: the KV command set */
static bool std_have_ns1;	/* kv is namespace 1 */
static uint64_t n_std_ioctl, n_std_inj;

/* A command of the KV set on namespace 2 with every field as given; status or -errno */
static int sio(uint8_t op, uint32_t nsid, const uint32_t c[16], uint32_t data_len,
	       uint32_t *dw0)
{
	struct nvme_passthru_cmd64 p;
	int st;

	memset(&p, 0, sizeof(p));
	p.opcode = op;
	p.nsid = nsid;
	p.cdw2 = c[2];
	p.cdw3 = c[3];
	p.cdw10 = c[10];
	p.cdw11 = c[11];
	p.cdw12 = c[12];
	p.cdw13 = c[13];
	p.cdw14 = c[14];
	p.cdw15 = c[15];
	p.data_len = data_len;
	n_std_ioctl++;
	st = kv_submit(&kvs, &p, dw0);
	if (st >= 0)
		hist[st & 0x7ff]++;
	return st;
}

/* the crafted key of the std cases, "STD-crafted-key!" (never a sentinel) */
static const uint32_t sk[4] = { 0x2d445453, 0x66617263, 0x2d646574, 0x2179656b };

/* CDWs of a KV-set command on the crafted key */
static const uint32_t *skc(uint32_t c10, uint32_t c11)
{
	static uint32_t c[16];

	memset(c, 0, sizeof(c));
	c[2] = sk[0];
	c[3] = sk[1];
	c[14] = sk[2];
	c[15] = sk[3];
	c[10] = c10;
	c[11] = c11;
	return c;
}

#define KVS(op, c10, c11, len) sio(op, kvs.nsid, skc(c10, c11), len, NULL)

static void crafted_std(void)
{
	uint32_t dw0, c[16];
	int st;

	/* an earlier, killed run may have left the crafted key */
	KVS(0x10, 0, 16, 0);
	memset(kvs.buf, 0x5a, 4096);
	E("std store key length 0", KVS(0x01, 16, 0, 16), KVS_SC_KEY_SIZE);
	E("std retrieve key length 0", KVS(0x02, 16, 0, 16), KVS_SC_KEY_SIZE);
	E("std delete key length 0", KVS(0x10, 0, 0, 0), SC_FIELD);
	E("std exist key length 0", KVS(0x14, 0, 0, 0), SC_FIELD);
	E("std list start key length 0", KVS(0x06, 64, 0, 64), SC_OK);
	E("std store key length 17", KVS(0x01, 16, 17, 16), SC_FIELD);
	E("std retrieve key length 255", KVS(0x02, 16, 255, 16), SC_FIELD);
	E("std list start key length 17", KVS(0x06, 64, 17, 64), SC_FIELD);
	E("std delete key length 255", KVS(0x10, 0, 255, 0), SC_FIELD);
	E("std exist key length 17", KVS(0x14, 0, 17, 0), SC_FIELD);
	E("std store value size 2 MiB + 1", KVS(0x01, 2 * MIB + 1, 16, 2 * MIB), KVS_SC_VALUE_SIZE);
	E("std store value size 0xffffffff", KVS(0x01, 0xffffffff, 16, 2 * MIB), KVS_SC_VALUE_SIZE);
	E("std retrieve buffer 2 MiB + 1", KVS(0x02, 2 * MIB + 1, 16, 2 * MIB), SC_FIELD);
	E("std retrieve buffer 0xffffffff", KVS(0x02, 0xffffffff, 16, 2 * MIB), SC_FIELD);
	E("std list buffer 0", KVS(0x06, 0, 0, 0), SC_FIELD);
	E("std list buffer 3", KVS(0x06, 3, 0, 4), SC_FIELD);
	E("std list buffer 0xffffffff", KVS(0x06, 0xffffffff, 0, 2 * MIB), SC_FIELD);
	E("std store options 1|2", KVS(0x01, 16, 16 | 3 << 8, 16), SC_FIELD);
	E("std store option 0x80", KVS(0x01, 16, 16 | 0x80 << 8, 16), SC_FIELD);
	E("std store option 0xff", KVS(0x01, 16, 16 | 0xff << 8, 16), SC_FIELD);
	E("std retrieve missing key", KVS(0x02, 64, 16, 64), KVS_SC_NO_KEY);
	E("std exist missing key", KVS(0x14, 0, 16, 0), KVS_SC_NO_KEY);
	E("std store must-exist of a missing key", KVS(0x01, 16, 16 | 1 << 8, 16), KVS_SC_NO_KEY);
	E("std store 0 bytes", KVS(0x01, 0, 16, 0), SC_OK);
	E("std store must-not-exist of an existing key", KVS(0x01, 16, 16 | 2 << 8, 16), KVS_SC_EXISTS);
	E("std store 4096", KVS(0x01, 4096, 16 | 4 << 8, 4096), SC_OK);
	st = sio(0x02, kvs.nsid, skc(16, 16), 16, &dw0);
	E("std retrieve into 16 bytes", st, SC_OK);
	if (!st && dw0 != 4096)
		violation("crafted: std retrieve with a small buffer: DW0 %u, want 4096", dw0);
	st = sio(0x02, kvs.nsid, skc(0, 16), 0, &dw0);
	E("std retrieve into 0 bytes", st, SC_OK);
	if (!st && dw0 != 4096)
		violation("crafted: std retrieve into 0 bytes: DW0 %u, want 4096", dw0);
	/* garbage in the fields the set does not use: any status, no harm */
	memcpy(c, skc(64, 16), sizeof(c));
	c[12] = 0xffffffff;
	c[13] = 0xdeadbeef;
	E("std retrieve, CDW12-13 garbage", sio(0x02, kvs.nsid, c, 64, NULL), SC_OK, SC_FIELD);
	/* a buffer larger than CDW10: the device moves CDW10 bytes */
	memset(kvs.buf, 0xa5, 8192);
	E("std retrieve CDW10 64, 8 KiB buffer", KVS(0x02, 64, 16, 8192), SC_OK);
	if (kvs.buf[64] != 0xa5)
		violation("crafted: std retrieve wrote past CDW10 (64 bytes)");
	memset(kvs.buf, 0xa5, 8192);
	E("std list CDW10 8, 4 KiB buffer", KVS(0x06, 8, 0, 4096), SC_OK);
	if (kvs.buf[8] != 0xa5)
		violation("crafted: std list wrote past CDW10 (8 bytes)");
	/* data with commands that move none */
	E("std exist with a data buffer", KVS(0x14, 4096, 16, 4096), SC_OK, SC_FIELD);
	E("std delete", KVS(0x10, 0, 16, 0), SC_OK);
	E("std double delete (EDNEK off)", KVS(0x10, 0, 16, 0), SC_OK);
	/* other opcodes on the KV namespace */
	E("vendor store on namespace 2", KVS(0x81, 16, 16, 16), SC_OPC);
	E("vendor retrieve on namespace 2", KVS(0x90, 16, 16, 16), SC_OPC);
	E("vendor iterate open on namespace 2", KVS(0xb1, 0, 0x05 << 8, 0), SC_OPC);
	E("vendor iterate read on namespace 2", KVS(0xb2, 4096, 1, 4096), SC_OPC);
	E("opcode 0x7f on namespace 2", KVS(0x7f, 0, 0, 0), SC_OPC);
	E("opcode 0xff on namespace 2", KVS(0xff, 0, 0, 0), SC_OPC);
	/*
	 * The KV set's opcodes that are not NVM opcodes, on namespace 1
	 * (through its own node: the driver refuses an nsid that is not the
	 * node's), and on namespaces that do not exist (injected).
	 */
	if (std_have_ns1) {
		struct nvme_passthru_cmd64 p;
		static const uint8_t ops[] = { 0x06, 0x10, 0x14 };
		unsigned int i;

		for (i = 0; i < sizeof(ops); i++) {
			char what[64];

			kv_encode_std(&p, kv.nsid, ops[i], "STD-crafted-key!", 16,
				      ops[i] == 0x06 ? 64 : 0, 0);
			p.data_len = ops[i] == 0x06 ? 64 : 0;
			snprintf(what, sizeof(what), "std opcode %#x on namespace 1", ops[i]);
			st = kv_submit(&kv, &p, NULL);
			if (st >= 0)
				hist[st]++;
			E(what, st, SC_OPC);
		}
	}
	if (inj) {
		static const uint32_t bad_ns[] = { 0, 3, 0xfffffffe };
		struct sqe q;
		struct cqe cq;
		unsigned int i;

		for (i = 0; i < sizeof(bad_ns) / sizeof(bad_ns[0]); i++) {
			char what[64];

			memset(&q, 0, sizeof(q));
			q.dw[0] = 0x14;
			q.dw[1] = bad_ns[i];
			q.dw[2] = sk[0];
			q.dw[3] = sk[1];
			q.dw[11] = 16;
			snprintf(what, sizeof(what), "injected std exist on namespace %#x", bad_ns[i]);
			st = inject(false, &q, &cq);
			/*
			 * No namespace, no command set: the device looks the
			 * opcode up in namespace 1's table and answers Invalid
			 * Opcode for the KV set's 0x14 (vendor opcodes on such
			 * an NSID get Invalid Namespace). Either, with DNR.
			 */
			E(what, st < 0 ? st : cqe_sc(&cq), SC_NS, SC_OPC);
		}
		memset(&q, 0, sizeof(q));
		q.dw[0] = 0x10;	/* Delete on namespace 1: not an NVM opcode */
		q.dw[1] = 1;
		q.dw[2] = sk[0];
		q.dw[11] = 4;
		st = inject(false, &q, &cq);
		E("injected std delete on namespace 1", st < 0 ? st : cqe_sc(&cq), SC_OPC);
	}
}

/* Random KV-set SQE fields; never a sentinel key (first byte SENT_FIRST_BYTE) */
static uint8_t rnd_std(uint32_t c[16], uint32_t *len)
{
	static const uint8_t ops[] = { 0x01, 0x02, 0x06, 0x10, 0x14, 0x01, 0x02, 0x06 };
	uint8_t op = chance(92) ? ops[rr(0, sizeof(ops) - 1)] : (uint8_t)rnd();
	uint32_t opt;

	memset(c, 0, 16 * sizeof(*c));
	c[2] = rnd_key_word();
	c[3] = (uint32_t)rnd();
	c[14] = (uint32_t)rnd();
	c[15] = (uint32_t)rnd();
	if (chance(5))
		c[12] = (uint32_t)rnd(), c[13] = (uint32_t)rnd();
	c[10] = rnd_vsize();
	opt = chance(80) ? rr(0, 7) : rr(0, 255);
	c[11] = rnd_klen() | opt << 8;
	if (op == 0x06 && chance(50))
		c[10] = rr(0, 8192);
	if (op == 0x10 || op == 0x14)
		c[10] = chance(90) ? 0 : (uint32_t)rnd();
	if (chance(3))
		c[11] = (uint32_t)rnd();
	/* a random opcode 0x01 on a key length that decodes: keep it off sentinels (done: c[2]) */
	*len = 0;
	if (op == 0x01 || op == 0x02 || op == 0x06)
		*len = c[10] > 2 * MIB ? 2 * MIB : (c[10] + 3) & ~3u;
	return op;
}

static void rnd_std_ioctl(void)
{
	uint32_t c[16], len;
	uint8_t op = rnd_std(c, &len);
	int st;

	if (op == 0x02 || op == 0x06)
		memset(kvs.buf, 0xa5, len);
	/* the node's own namespace: the driver refuses another nsid itself */
	st = sio(op, kvs.nsid, c, len, NULL);
	if (st == -EACCES || st == -EPERM) {
		host_refused++;
		return;
	}
	if (st < 0)
		violation("std ioctl opcode %#x cdw10 %#x cdw11 %#x data_len %u: %s", op,
			  c[10], c[11], len, strerror(-st));
}

/* The same as a raw SQE on the private queue with PRPs from gen_prps() */
static void rnd_std_inject(void)
{
	struct sqe s;
	struct cqe cq;
	uint32_t c[16], len;
	uint8_t op = rnd_std(c, &len);
	int r, i;

	memset(&s, 0, sizeof(s));
	for (i = 10; i < 16; i++)
		s.dw[i] = c[i];
	s.dw[0] = op;
	s.dw[1] = chance(95) ? 2 : (uint32_t)rnd();
	s.dw[2] = c[2];
	s.dw[3] = c[3];
	if (len >= 2 * MIB && c[10] > 2 * MIB)
		len = 2 * MIB + PAGE;	/* the device must refuse before mapping */
	gen_prps(&s, len);
	n_std_inj++;
	r = inject(false, &s, &cq);
	if (r == -ETIMEDOUT)
		violation("injected std opcode %#x: no completion within 10 s", op);
	else if (r < 0)
		violation("injected std opcode %#x: %s", op, strerror(-r));
}

/*
 * hostile std NS2 [--ns1 NS1]: sentinels on namespace 2 (and on 1, other
 * values under the same keys), the crafted cases of the KV set, then
 * random commands of the set with garbage fields (ioctl; with inject=1
 * also raw SQEs with malformed PRPs); sentinels and a working store /
 * retrieve / list at the end.
 */
static int std_mode(const char *ns2, const char *ns1, uint64_t ops)
{
	double t0 = now();
	uint64_t i;
	uint32_t dw0;
	int st, n;

	st = kv_open_cset(&kvs, ns2, KV_CODING_BYTES, KV_CSET_STD);
	if (st) {
		fprintf(stderr, "%s: %s (the KV namespace: the /dev/ngXnY of namespace 2)\n", ns2, strerror(-st));
		return 2;
	}
	if (ns1) {
		st = kv_open(&kv, ns1, kv_coding_of_module());
		if (st) {
			fprintf(stderr, "%s: %s\n", ns1, strerror(-st));
			return 2;
		}
		std_have_ns1 = true;
	}
	if (posix_memalign((void **)&sent_tmp, 2 * MIB, 2 * MIB))
		return 2;
	if (inj_open())
		return 2;
	printf("hostile std: %s (namespace %u)%s%s, injection %s, seed %#" PRIx64 "\n", ns2,
	       kvs.nsid, ns1 ? ", sentinels also on " : "", ns1 ? ns1 : "", inj ? "on" : "off", rng);
	kv_set_ednek(&kvs, false);
	dev_sentinels_store(&kvs, 1000);
	if (ns1)
		dev_sentinels_store(&kv, 2000);
	dev_sentinels_check(&kvs, 1000, "namespace 2 after storing");
	crafted_std();
	printf("hostile std: crafted cases: %" PRIu64 " run, %" PRIu64 " failed\n", crafted_run,
	       crafted_fail);
	for (i = 0; i < ops; i++) {
		if (inj && chance(30))
			rnd_std_inject();
		else
			rnd_std_ioctl();
		if (i % 997 == 996)
			kv_set_ednek(&kvs, chance(50));
		if (i % 20000 == 19999) {
			dev_sentinels_check(&kvs, 1000, "namespace 2 during the random run");
			printf("hostile std: %" PRIu64 " commands, %.0f s, %" PRIu64 " violations\n",
			       i + 1, now() - t0, violations);
		}
	}
	kv_set_ednek(&kvs, false);
	dev_sentinels_check(&kvs, 1000, "namespace 2 at the end");
	if (ns1)
		dev_sentinels_check(&kv, 2000, "namespace 1 at the end");
	/* the device still works */
	memcpy(kvs.buf, "still alive", 11);
	st = sio(0x01, kvs.nsid, skc(11, 16), 12, NULL);
	if (st)
		violation("store after the run: %s", kv_status_str(st));
	st = sio(0x02, kvs.nsid, skc(64, 16), 64, &dw0);
	if (st || dw0 != 11 || memcmp(kvs.buf, "still alive", 11))
		violation("retrieve after the run: %s, DW0 %u", kv_status_str(st), dw0);
	st = kv_list(&kvs, NULL, 0, 64 << 10, NULL);
	n = st ? -1 : kv_list_parse(kvs.buf, 64 << 10, NULL, 0, NULL);
	if (n < SENT_KEYS)
		violation("list after the run: %s, %d keys (at least %d sentinels)", kv_status_str(st),
			  n, SENT_KEYS);
	KVS(0x10, 0, 16, 0);
	if (kvs.guard_hits)
		violation("the device wrote past a read buffer %u times", kvs.guard_hits);
	print_hist();
	printf("commands: %" PRIu64 " ioctls, %" PRIu64 " injected, %" PRIu64
	       " sentinel checks; list after the run: %d keys; %.1f s\n", n_std_ioctl, n_std_inj,
	       sentinel_checks, n, now() - t0);
	if (host_refused)
		printf("refused by the host driver (EACCES/EPERM): %" PRIu64 "\n", host_refused);
	printf("hostile: %" PRIu64 " violations\n", violations);
	return violations ? 1 : 0;
}

/* ---- model mode (stress) ------------------------------------------------------------------- */

struct mkey {
	uint8_t key[16];
	uint8_t klen;
	bool exists;
	uint32_t size;
	uint8_t *val;
};

static void fill_rand(uint8_t *p, uint32_t n)
{
	uint32_t i;
	uint64_t w = rnd();

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			w = rnd();
		p[i] = (uint8_t)(w >> (8 * (i & 7)));
	}
}

static uint32_t model_vsize(uint32_t max)
{
	uint32_t v;

	switch (rr(0, 9)) {
	case 0: v = rr(1, max); break;
	case 1: case 2: v = rr(1, 65536); break;
	default: v = rr(1, 4096);
	}
	return v > max ? max : v;
}

static int model(const char *ns, uint8_t prefix, uint64_t ops, uint32_t pool, uint32_t max_value)
{
	struct mkey *k = calloc(pool, sizeof(*k));
	uint8_t *tmp = malloc(KV_MAX_VALUE), *nv = malloc(KV_MAX_VALUE);
	uint64_t i, bad = 0, cap = 0, counts[8] = { 0 };
	uint32_t j, dw0;
	int st;

	st = kv_open(&kv, ns, kv_coding_of_module());
	if (st) {
		fprintf(stderr, "%s: %s\n", ns, strerror(-st));
		return 2;
	}
	for (j = 0; j < pool; j++) {
		k[j].klen = (uint8_t)rr(2, 16);
		k[j].key[0] = prefix;
		fill_rand(k[j].key + 1, 15);
		k[j].key[1] = (uint8_t)j;	/* distinct keys: index in bytes 1..2 */
		k[j].key[2] = (uint8_t)(j >> 8);
		if (k[j].klen < 3)
			k[j].klen = 3;
		k[j].val = NULL;
		/* a key left over from an earlier run with the same prefix */
		kv_delete(&kv, k[j].key, k[j].klen);
	}
#define MBAD(...) do { bad++; if (bad <= 20) { printf("MODEL prefix %#x: ", prefix); printf(__VA_ARGS__); printf("\n"); } } while (0)
	for (i = 0; i < ops; i++) {
		struct mkey *m = &k[rr(0, pool - 1)];
		uint32_t r = rr(0, 99), len;

		if (r < 35) { /* store */
			uint8_t opt = chance(80) ? 0 : (uint8_t)rr(1, 2);

			len = model_vsize(max_value);
			fill_rand(nv, len);
			st = kv_store(&kv, m->key, m->klen, nv, len, opt, NULL);
			counts[0]++;
			if (st == KV_SC_CAPACITY) {
				cap++;
				continue;
			}
			if (opt == 1 && !m->exists) {
				if (st != KV_SC_NO_KEY)
					MBAD("store update-only of a missing key: %s", kv_status_str(st));
				continue;
			}
			if (opt == 2 && m->exists) {
				if (st != KV_SC_KEY_EXISTS)
					MBAD("store idempotent of an existing key: %s", kv_status_str(st));
				continue;
			}
			if (st) {
				MBAD("store %u bytes: %s", len, kv_status_str(st));
				continue;
			}
			free(m->val);
			m->val = malloc(len);
			memcpy(m->val, nv, len);
			m->size = len;
			m->exists = true;
		} else if (r < 45) { /* append */
			len = model_vsize(max_value / 4);
			if (m->exists && m->size + len > max_value)
				len = 1;
			if (m->exists && m->size + len > max_value)
				continue;
			fill_rand(nv, len);
			st = kv_append(&kv, m->key, m->klen, nv, len, &dw0);
			counts[1]++;
			if (st == KV_SC_CAPACITY) {
				cap++;
				continue;
			}
			if (st) {
				MBAD("append %u bytes (exists %d, size %u): %s", len, m->exists, m->size, kv_status_str(st));
				continue;
			}
			m->val = realloc(m->val, (m->exists ? m->size : 0) + len);
			memcpy(m->val + (m->exists ? m->size : 0), nv, len);
			m->size = (m->exists ? m->size : 0) + len;
			m->exists = true;
			if (dw0 != m->size)
				MBAD("append: DW0 %u, model size %u", dw0, m->size);
		} else if (r < 75) { /* retrieve */
			bool over = false, small = chance(15);
			uint32_t buflen = small && m->exists && m->size > 1 ? rr(1, m->size - 1) :
				(m->exists ? m->size : 4096);

			st = kv_retrieve(&kv, m->key, m->klen, tmp, buflen, &dw0, &over);
			counts[2]++;
			if (over)
				MBAD("retrieve: device wrote past the %u-byte buffer", buflen);
			if (!m->exists) {
				if (st != KV_SC_NO_KEY)
					MBAD("retrieve of a missing key: %s", kv_status_str(st));
			} else if (st) {
				MBAD("retrieve (size %u): %s", m->size, kv_status_str(st));
			} else if (dw0 != m->size) {
				MBAD("retrieve: size %u, model %u", dw0, m->size);
			} else if (memcmp(tmp, m->val, buflen < m->size ? buflen : m->size)) {
				MBAD("retrieve: value differs from the model (size %u, buffer %u)", m->size, buflen);
			}
		} else if (r < 90) { /* delete */
			st = kv_delete(&kv, m->key, m->klen);
			counts[3]++;
			if (st != (m->exists ? 0 : KV_SC_NO_KEY))
				MBAD("delete (exists %d): %s", m->exists, kv_status_str(st));
			m->exists = false;
			free(m->val);
			m->val = NULL;
		} else { /* exist */
			st = kv_exist(&kv, m->key, m->klen);
			counts[4]++;
			if (st != (m->exists ? 0 : KV_SC_NO_KEY))
				MBAD("exist (exists %d): %s", m->exists, kv_status_str(st));
		}
	}
	/* verify everything */
	for (j = 0; j < pool; j++) {
		struct mkey *m = &k[j];
		bool over = false;

		st = kv_retrieve(&kv, m->key, m->klen, tmp, m->exists ? m->size : 16, &dw0, &over);
		if (!m->exists) {
			if (st != KV_SC_NO_KEY)
				MBAD("final: deleted key %u: %s", j, kv_status_str(st));
		} else if (st || dw0 != m->size || memcmp(tmp, m->val, m->size)) {
			MBAD("final: key %u: %s, size %u (model %u)", j, kv_status_str(st), dw0, m->size);
		}
	}
	printf("model prefix %#x: %" PRIu64 " ops (store %" PRIu64 " append %" PRIu64 " retrieve %" PRIu64
	       " delete %" PRIu64 " exist %" PRIu64 "), capacity-exceeded %" PRIu64 ", %" PRIu64 " commands, mismatches %" PRIu64 "\n",
	       prefix, ops, counts[0], counts[1], counts[2], counts[3], counts[4], cap, kv.cmds, bad);
	return bad ? 1 : 0;
}

static int iterate(const char *ns, double secs)
{
	double t0 = now();
	uint64_t rounds = 0, keys = 0, busy = 0, bad = 0, reads = 0, too_small = 0, gone = 0;
	uint32_t h, dw0;
	int st;

	st = kv_open(&kv, ns, kv_coding_of_module());
	if (st) {
		fprintf(stderr, "%s: %s\n", ns, strerror(-st));
		return 2;
	}
	while (now() - t0 < secs) {
		uint8_t opt = chance(50) ? KV_ITER_KEY : KV_ITER_KEY_VALUE;

		st = kv_iter_open(&kv, opt, 0, 0, &h);
		if (st < 0 && ++gone > 50) {
			printf("ITERATE: the device is gone (%s)\n", strerror(-st));
			break;
		}
		if (st >= 0)
			gone = 0;
		if (st == KV_SC_ITER_HANDLE) {
			busy++;
			usleep(1000);
			continue;
		}
		if (st) {
			bad++;
			printf("ITERATE: open: %s\n", kv_status_str(st));
			continue;
		}
		for (;;) {
			uint32_t buflen = chance(50) ? 65536 : 2 * MIB;

			st = kv_iter_read(&kv, h, buflen, &dw0);
			reads++;
			/* a key + value that does not fit: 0x301, read again with more */
			if (st == KV_SC_VALUE_SIZE && buflen < 2 * MIB) {
				too_small++;
				st = kv_iter_read(&kv, h, 2 * MIB, &dw0);
				reads++;
			}
			if (st == KV_SC_ITER_END)
				break;
			if (st) {
				bad++;
				printf("ITERATE: read handle %u: %s\n", h, kv_status_str(st));
				break;
			}
			if (dw0 >= 4) {
				uint32_t n;

				memcpy(&n, kv.buf, 4);
				keys += n;
			}
			if (now() - t0 > secs + 60) {
				bad++;
				printf("ITERATE: one iteration has not ended after 60 s\n");
				break;
			}
		}
		st = kv_iter_close(&kv, h);
		if (st) {
			bad++;
			printf("ITERATE: close handle %u: %s\n", h, kv_status_str(st));
		}
		rounds++;
	}
	if (kv.guard_hits) {
		bad++;
		printf("ITERATE: device wrote past the buffer %u times\n", kv.guard_hits);
	}
	printf("iterate: %" PRIu64 " full iterations, %" PRIu64 " reads (%" PRIu64 " with a buffer too small: 0x301, reread), %" PRIu64 " keys seen, %" PRIu64
	       " opens refused (all handles busy), errors %" PRIu64 "\n", rounds, reads, too_small, keys, busy, bad);
	return bad ? 1 : 0;
}

/* ---- load mode (lifecycle tests) ------------------------------------------------------------ */

/*
 * Random KV traffic that checks nothing but that each ioctl returns: for
 * resets, shutdowns, rmmod and kill -9 while commands are in flight. Stops
 * after @secs or after 200 consecutive failed ioctls (the device is gone).
 */
static int load(const char *ns, uint8_t prefix, double secs)
{
	double t0 = now();
	uint64_t ok_n = 0, err_n = 0, status_n = 0;
	uint32_t consecutive = 0, dw0, h;
	uint8_t key[16], *v = malloc(KV_MAX_VALUE);
	int st = kv_open(&kv, ns, kv_coding_of_module());

	if (st) {
		fprintf(stderr, "%s: %s\n", ns, strerror(-st));
		return 2;
	}
	key[0] = prefix;
	while (now() - t0 < secs && consecutive < 200) {
		uint32_t klen = rr(2, 16), len = chance(90) ? rr(1, 8192) : rr(1, 256 * 1024);
		bool over;

		fill_rand(key + 1, 15);
		key[1] = (uint8_t)rr(0, 15);	/* a small key space: hits */
		klen = 2 + key[1] % 3;
		switch (rr(0, 6)) {
		case 0: case 1:
			fill_rand(v, len);
			st = kv_store(&kv, key, klen, v, len, 0, NULL);
			break;
		case 2:
			st = kv_append(&kv, key, klen, v, rr(1, 4096), &dw0);
			break;
		case 3: case 4:
			st = kv_retrieve(&kv, key, klen, v, len, &dw0, &over);
			break;
		case 5:
			st = kv_delete(&kv, key, klen);
			break;
		default:
			st = kv_iter_open(&kv, KV_ITER_KEY, prefix, 0xff, &h);
			if (!st) {
				kv_iter_read(&kv, h, 65536, &dw0);
				st = kv_iter_close(&kv, h);
			}
		}
		if (st < 0) {
			err_n++;
			consecutive++;
		} else {
			consecutive = 0;
			if (st)
				status_n++;
			else
				ok_n++;
		}
	}
	printf("load prefix %#x: %" PRIu64 " ok, %" PRIu64 " other statuses, %" PRIu64 " failed ioctls, %.1f s%s\n",
	       prefix, ok_n, status_n, err_n, now() - t0, consecutive >= 200 ? " (device gone)" : "");
	return 0;
}

/* A fixed data set: key i = prefix, "SET", i (LE16); value size and bytes from i. */
static void set_key(uint8_t prefix, uint32_t i, uint8_t key[16], unsigned int *klen)
{
	memset(key, 0, 16);
	key[0] = prefix;
	memcpy(key + 1, "SET", 3);
	key[4] = (uint8_t)i;
	key[5] = (uint8_t)(i >> 8);
	*klen = 6 + i % 11;
}

static uint32_t set_len(uint32_t i)
{
	return i % 10 == 0 ? 65536 + i * 13 : 1 + (i * 977) % 6000;
}

static void set_val(uint32_t i, uint8_t *v, uint32_t len)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		v[j] = (uint8_t)(i * 31 + j * 7 + (j >> 8));
}

static int dataset(const char *ns, uint8_t prefix, uint32_t count, bool store)
{
	uint8_t key[16], *want = malloc(KV_MAX_VALUE), *got = malloc(KV_MAX_VALUE);
	unsigned int klen;
	uint32_t i, len, dw0, bad = 0;
	bool over;
	int st = kv_open(&kv, ns, kv_coding_of_module());

	if (st) {
		fprintf(stderr, "%s: %s\n", ns, strerror(-st));
		return 2;
	}
	for (i = 0; i < count; i++) {
		set_key(prefix, i, key, &klen);
		len = set_len(i);
		set_val(i, want, len);
		if (store) {
			st = kv_store(&kv, key, klen, want, len, 0, NULL);
			if (st && bad++ < 10)
				printf("DATASET: store %u: %s\n", i, kv_status_str(st));
			continue;
		}
		st = kv_retrieve(&kv, key, klen, got, len, &dw0, &over);
		if (st || dw0 != len || memcmp(got, want, len) || over) {
			if (bad++ < 10)
				printf("DATASET: key %u: %s, size %u (want %u)%s%s\n", i, kv_status_str(st), dw0, len,
				       !st && dw0 == len ? ", value differs" : "", over ? ", overrun" : "");
		}
	}
	printf("dataset prefix %#x: %u keys %s, %u bad\n", prefix, count, store ? "stored" : "verified", bad);
	return bad ? 1 : 0;
}

/*
 * closeiters: close every iterator handle (1..KV_MAX_ITERS), as any host
 * may: those of killed processes stay open, as on a real KV-SSD. Success
 * or 0x390 (not open) for each; anything else is an error.
 */
static int close_iters(const char *ns)
{
	uint32_t h, closed = 0, bad = 0;
	int st = kv_open(&kv, ns, kv_coding_of_module());

	if (st) {
		fprintf(stderr, "%s: %s\n", ns, strerror(-st));
		return 2;
	}
	for (h = 1; h <= KV_MAX_ITERS; h++) {
		st = kv_iter_close(&kv, h);
		if (!st)
			closed++;
		else if (st != KV_SC_ITER_HANDLE && bad++ < 10)
			printf("CLOSEITERS: handle %u: %s\n", h, kv_status_str(st));
	}
	printf("closeiters: %u of %u handles were open, %u errors\n", closed, KV_MAX_ITERS, bad);
	return bad ? 1 : 0;
}

/* ---- main --------------------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: hostile run     NS CTRL [--ops N] [--seed S] [--seconds T] [--no-inject] [--skip-known-bugs] [-v]\n"
		"       hostile model   NS --prefix P [--ops N] [--seed S] [--pool N] [--max-value B]\n"
		"       hostile iterate NS [--seconds T] [--seed S]\n"
		"       hostile load    NS --prefix P [--seconds T] [--seed S]\n"
		"       hostile fillset NS --prefix P [--pool N]   (store a fixed data set)\n"
		"       hostile checkset NS --prefix P [--pool N]  (verify it)\n"
		"       hostile closeiters NS  (close every iterator handle)\n"
		"       hostile std     NS2 [--ns1 NS1] [--ops N] [--seed S] [--no-inject]  (KV command set)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode, *ns, *ctrl = NULL, *ns1 = NULL;
	uint64_t ops = 0, seed = 1;
	uint32_t pool = 500, max_value = 256 * 1024;
	double secs = 0;
	int prefix = -1, no_inject = 0, a;

	if (argc < 3)
		usage();
	mode = argv[1];
	ns = argv[2];
	a = 3;
	if (!strcmp(mode, "run")) {
		if (argc < 4)
			usage();
		ctrl = argv[3];
		a = 4;
	}
	for (; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "-v")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(o, "--no-inject")) {
			no_inject = 1;
			continue;
		}
		if (!strcmp(o, "--skip-admin-cq-head") || !strcmp(o, "--skip-known-bugs")) {
			skip_cq_head = 1;
			continue;
		}
		if (!v)
			usage();
		a++;
		if (!strcmp(o, "--ops"))
			ops = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--seconds"))
			secs = atof(v);
		else if (!strcmp(o, "--prefix"))
			prefix = (int)strtol(v, NULL, 0);
		else if (!strcmp(o, "--pool"))
			pool = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--max-value"))
			max_value = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--ns1"))
			ns1 = v;
		else
			usage();
	}
	rng = seed * 0x2545f4914f6cdd1dULL + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "run")) {
		force_no_inject = no_inject;
		return run(ns, ctrl, ops ? ops : 100000, secs);
	}
	if (!strcmp(mode, "model")) {
		if (prefix < 0 || prefix > 255 || prefix == SENT_FIRST_BYTE || !pool || pool > 65536 ||
		    max_value < 1 || max_value > KV_MAX_VALUE)
			usage();
		return model(ns, (uint8_t)prefix, ops ? ops : 20000, pool, max_value);
	}
	if (!strcmp(mode, "iterate"))
		return iterate(ns, secs > 0 ? secs : 30);
	if (!strcmp(mode, "closeiters"))
		return close_iters(ns);
	if (!strcmp(mode, "std")) {
		force_no_inject = no_inject;
		return std_mode(ns, ns1, ops ? ops : 20000);
	}
	if (prefix < 0 || prefix > 255 || prefix == SENT_FIRST_BYTE)
		usage();
	if (!strcmp(mode, "load"))
		return load(ns, (uint8_t)prefix, secs > 0 ? secs : 30);
	if (!strcmp(mode, "fillset") || !strcmp(mode, "checkset"))
		return dataset(ns, (uint8_t)prefix, pool, mode[0] == 'f');
	usage();
	return 2;
}
