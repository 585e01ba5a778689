// SPDX-License-Identifier: GPL-2.0
/*
 * kvlib.c - KV commands over NVME_IOCTL_IO64_CMD; see kvlib.h.
 */
#include "kvlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

#define HUGE_SZ (2u << 20)

int kv_open(struct kv_dev *d, const char *path, enum kv_coding coding)
{
	size_t need = KV_MAX_VALUE + KV_GUARD;
	uint8_t *p;
	int nsid;

	memset(d, 0, sizeof(*d));
	d->coding = coding;
	d->fd = open(path, O_RDWR);
	if (d->fd < 0)
		return -errno;
	/* the namespace of the node; a controller node is refused */
	nsid = ioctl(d->fd, NVME_IOCTL_ID);
	if (nsid <= 0) {
		int err = nsid < 0 ? -errno : -ENOTTY;

		close(d->fd);
		return err;
	}
	d->nsid = (uint32_t)nsid;
	/*
	 * Two huge pages' worth, aligned to a huge page: the first 2 MiB
	 * (the largest transfer) sit in one huge page, the guard after it.
	 */
	d->map_len = need + 2 * HUGE_SZ;
	d->map = mmap(NULL, d->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->map == MAP_FAILED) {
		int err = -errno;

		close(d->fd);
		return err;
	}
	p = (uint8_t *)(((uintptr_t)d->map + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1));
	madvise(p, 2 * HUGE_SZ, MADV_HUGEPAGE);
	memset(p, 0, need);
	d->buf = p;
	return 0;
}

void kv_close(struct kv_dev *d)
{
	if (d->map)
		munmap(d->map, d->map_len);
	if (d->fd >= 0)
		close(d->fd);
	d->map = NULL;
	d->fd = -1;
}

enum kv_coding kv_coding_of_module(void)
{
	char s[32] = "";
	FILE *f = fopen("/sys/module/nvmev_kv/parameters/kv_coding", "r");

	if (f) {
		if (!fgets(s, sizeof(s), f))
			s[0] = 0;
		fclose(f);
	}
	return strncmp(s, "samsung", 7) ? KV_CODING_BYTES : KV_CODING_SAMSUNG;
}

const char *kv_status_str(int st)
{
	static char other[64];

	if (st < 0) {
		snprintf(other, sizeof(other), "ioctl failed: %s", strerror(-st));
		return other;
	}
	switch (st) {
	case KV_SC_OK:			return "success";
	case KV_SC_INVALID_OPCODE:	return "invalid opcode";
	case KV_SC_INVALID_FIELD:	return "invalid field";
	case KV_SC_XFER:		return "data transfer error";
	case KV_SC_VALUE_SIZE:		return "invalid value size";
	case KV_SC_OFFSET:		return "invalid offset";
	case KV_SC_KEY_SIZE:		return "invalid key size";
	case KV_SC_OPTION:		return "invalid option";
	case KV_SC_NO_KEY:		return "key does not exist";
	case KV_SC_CAPACITY:		return "device capacity exceeded";
	case KV_SC_KEY_EXISTS:		return "key exists";
	case KV_SC_ITER_HANDLE:		return "iterator handle does not exist";
	case KV_SC_ITER_END:		return "iteration finished";
	}
	snprintf(other, sizeof(other), "NVMe status 0x%03x", st);
	return other;
}

void kv_pack_key(const void *key, unsigned int klen, uint32_t out[4])
{
	const uint8_t *k = key;
	unsigned int i;

	memset(out, 0, 4 * sizeof(out[0]));
	for (i = 0; i < klen && i < KV_MAX_KEY; i++)
		out[i / 4] |= (uint32_t)k[i] << (8 * (i % 4));
}

int kv_raw(struct kv_dev *d, uint8_t opcode, uint32_t cdw10, uint32_t cdw11,
	   const uint32_t key[4], uint32_t data_len, uint32_t *dw0)
{
	struct nvme_passthru_cmd64 c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = opcode;
	c.nsid = d->nsid;
	c.cdw10 = cdw10;
	c.cdw11 = cdw11;
	if (key) {
		c.cdw12 = key[0];
		c.cdw13 = key[1];
		c.cdw14 = key[2];
		c.cdw15 = key[3];
	}
	if (data_len) {
		c.addr = (uintptr_t)d->buf;
		c.data_len = data_len;
	}
	d->cmds++;
	ret = ioctl(d->fd, NVME_IOCTL_IO64_CMD, &c);
	if (ret < 0)
		return -errno;
	d->last_dnr = !!(ret & 0x4000);
	if (dw0)
		*dw0 = (uint32_t)c.result;
	return ret & 0x7ff;
}

/* A length in bytes as CDW10 + CDW11 pad bits, and the buffer it needs. */
static void kv_len(const struct kv_dev *d, uint32_t bytes, uint32_t *cdw10,
		   uint32_t *pad_bits, uint32_t *buf_len)
{
	if (d->coding == KV_CODING_SAMSUNG) {
		uint32_t words = (uint32_t)(((uint64_t)bytes + 3) / 4);

		*cdw10 = words;
		*pad_bits = (words * 4 - bytes) << 16;
		*buf_len = words * 4;
	} else {
		/*
		 * A data_len that is not a multiple of 4 (the driver's DMA
		 * alignment) makes the block layer bounce the transfer through
		 * separately allocated pages, which caps it at the queue's
		 * 127/128 segments (~508 KiB). Rounding up never adds a page:
		 * page boundaries are multiples of 4.
		 */
		*cdw10 = bytes;
		*pad_bits = 0;
		*buf_len = (uint32_t)(((uint64_t)bytes + 3) & ~3ULL);
	}
}

static uint32_t kv_klen_field(const struct kv_dev *d, unsigned int klen)
{
	return (d->coding == KV_CODING_SAMSUNG ? klen - 1 : klen) & 0xff;
}

static int kv_check_args(unsigned int klen, uint32_t len)
{
	if (!klen || klen > KV_MAX_KEY || len > KV_MAX_VALUE)
		return -EINVAL;
	return 0;
}

int kv_build(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
	     uint8_t opcode, const void *key, unsigned int klen, void *buf,
	     uint32_t len, uint8_t option)
{
	uint32_t k[4], cdw10 = 0, pad = 0, blen = 0;

	if (kv_check_args(klen, len))
		return -EINVAL;
	kv_pack_key(key, klen, k);
	if (len)
		kv_len(d, len, &cdw10, &pad, &blen);
	memset(c, 0, sizeof(*c));
	c->opcode = opcode;
	c->nsid = d->nsid;
	c->cdw10 = cdw10;
	c->cdw11 = kv_klen_field(d, klen) | (uint32_t)option << 8 | pad;
	c->cdw12 = k[0];
	c->cdw13 = k[1];
	c->cdw14 = k[2];
	c->cdw15 = k[3];
	if (blen) {
		c->addr = (uintptr_t)buf;
		c->data_len = blen;
	}
	return 0;
}

static int kv_put(struct kv_dev *d, uint8_t opcode, const void *key,
		  unsigned int klen, const void *val, uint32_t vlen,
		  uint8_t option, uint32_t *dw0)
{
	struct nvme_passthru_cmd64 c;
	uint32_t k[4];

	if (kv_build(d, &c, opcode, key, klen, d->buf, vlen, option))
		return -EINVAL;
	if (vlen && val != d->buf)
		memcpy(d->buf, val, vlen);
	memset(d->buf + vlen, 0, c.data_len - vlen);
	k[0] = c.cdw12;
	k[1] = c.cdw13;
	k[2] = c.cdw14;
	k[3] = c.cdw15;
	return kv_raw(d, opcode, c.cdw10, c.cdw11, k, c.data_len, dw0);
}

int kv_store(struct kv_dev *d, const void *key, unsigned int klen,
	     const void *val, uint32_t vlen, uint8_t option, uint32_t *dw0)
{
	return kv_put(d, KV_OP_STORE, key, klen, val, vlen, option, dw0);
}

int kv_append(struct kv_dev *d, const void *key, unsigned int klen,
	      const void *val, uint32_t vlen, uint32_t *dw0)
{
	return kv_put(d, KV_OP_APPEND, key, klen, val, vlen, 0, dw0);
}

/*
 * End of the guard for a read into a blen-byte transfer. The guard lies
 * outside the transfer: data_len must be what CDW10 says, because the
 * device sizes the PRPs from CDW10 (a longer data_len can make the driver
 * build a PRP list where the device expects PRP2 to be a data page). A
 * device writing past its length within the last mapped page still lands
 * in the guard when the driver maps the user pages directly.
 */
static uint32_t kv_guard_end(uint32_t blen)
{
	return blen + KV_GUARD;
}

/* Fill [from, to) of the buffer with the guard pattern, or check it. */
static void guard_fill(struct kv_dev *d, uint32_t from, uint32_t to)
{
	memset(d->buf + from, KV_GUARD_BYTE, to - from);
}

static bool guard_ok(const struct kv_dev *d, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i < to; i++)
		if (d->buf[i] != KV_GUARD_BYTE)
			return false;
	return true;
}

int kv_retrieve(struct kv_dev *d, const void *key, unsigned int klen,
		void *out, uint32_t buflen, uint32_t *dw0, bool *overrun)
{
	uint32_t k[4], cdw10, pad, blen, full = 0, n, gend;
	int st;

	if (overrun)
		*overrun = false;
	if (kv_check_args(klen, buflen))
		return -EINVAL;
	kv_pack_key(key, klen, k);
	kv_len(d, buflen, &cdw10, &pad, &blen);
	/* the device may write buflen bytes; everything after is guard */
	gend = kv_guard_end(blen);
	guard_fill(d, buflen, gend);
	st = kv_raw(d, KV_OP_RETRIEVE, cdw10, kv_klen_field(d, klen) | pad, k,
		    blen, &full);
	if (!guard_ok(d, buflen, gend)) {
		d->guard_hits++;
		if (overrun)
			*overrun = true;
	}
	if (st)
		return st;
	if (dw0)
		*dw0 = full;
	n = full < buflen ? full : buflen;
	if (out && n)
		memcpy(out, d->buf, n);
	return 0;
}

static int kv_keyonly(struct kv_dev *d, uint8_t opcode, const void *key,
		      unsigned int klen)
{
	uint32_t k[4];

	if (kv_check_args(klen, 0))
		return -EINVAL;
	kv_pack_key(key, klen, k);
	return kv_raw(d, opcode, 0, kv_klen_field(d, klen), k, 0, NULL);
}

int kv_delete(struct kv_dev *d, const void *key, unsigned int klen)
{
	return kv_keyonly(d, KV_OP_DELETE, key, klen);
}

int kv_exist(struct kv_dev *d, const void *key, unsigned int klen)
{
	return kv_keyonly(d, KV_OP_EXIST, key, klen);
}

int kv_iter_open(struct kv_dev *d, uint8_t option, uint32_t prefix,
		 uint32_t mask, uint32_t *handle)
{
	uint32_t k[4] = { prefix, mask, 0, 0 };

	return kv_raw(d, KV_OP_ITER_CTL, 0, (uint32_t)(option | KV_ITER_OPEN) << 8,
		      k, 0, handle);
}

int kv_iter_read(struct kv_dev *d, uint32_t handle, uint32_t buflen,
		 uint32_t *dw0)
{
	uint32_t cdw10, pad, blen, gend;
	int st;

	if (buflen > KV_MAX_VALUE)
		return -EINVAL;
	kv_len(d, buflen, &cdw10, &pad, &blen);
	gend = kv_guard_end(blen);
	guard_fill(d, buflen, gend);
	st = kv_raw(d, KV_OP_ITER_READ, cdw10, (handle & 0xff) | pad, NULL, blen,
		    dw0);
	if (!guard_ok(d, buflen, gend))
		d->guard_hits++;
	return st;
}

int kv_iter_close(struct kv_dev *d, uint32_t handle)
{
	return kv_raw(d, KV_OP_ITER_CTL, 0, (handle & 0xff) | KV_ITER_CLOSE << 8,
		      NULL, 0, NULL);
}

void kv_build_iter_ctl(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
		       uint8_t option, uint32_t handle, uint32_t prefix,
		       uint32_t mask)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KV_OP_ITER_CTL;
	c->nsid = d->nsid;
	if (option & KV_ITER_OPEN) {
		c->cdw11 = (uint32_t)option << 8;
		c->cdw12 = prefix;
		c->cdw13 = mask;
	} else {
		c->cdw11 = (handle & 0xff) | (uint32_t)option << 8;
	}
}

int kv_build_iter_read(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
		       uint32_t handle, void *buf, uint32_t len)
{
	uint32_t cdw10, pad, blen;

	if (!len || len > KV_MAX_VALUE)
		return -EINVAL;
	kv_len(d, len, &cdw10, &pad, &blen);
	memset(c, 0, sizeof(*c));
	c->opcode = KV_OP_ITER_READ;
	c->nsid = d->nsid;
	c->cdw10 = cdw10;
	c->cdw11 = (handle & 0xff) | pad;
	c->addr = (uintptr_t)buf;
	c->data_len = blen;
	return 0;
}
