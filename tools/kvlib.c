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
	return kv_open_cset(d, path, coding, KV_CSET_VENDOR);
}

int kv_open_cset(struct kv_dev *d, const char *path, enum kv_coding coding,
		 enum kv_cset cset)
{
	size_t need = KV_MAX_VALUE + KV_GUARD;
	struct stat sb;
	uint8_t *p;
	int nsid;

	memset(d, 0, sizeof(*d));
	d->cset = cset;
	/* the KV command set counts bytes whatever the vendor coding is */
	d->coding = cset == KV_CSET_STD ? KV_CODING_BYTES : coding;
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
	/*
	 * The KV set on a block (NVM) namespace would be Write (0x01) and
	 * Read (0x02): Linux gives a KV namespace no block device, and this
	 * device's namespace 1 is its NVM namespace.
	 */
	if (cset == KV_CSET_STD &&
	    (nsid == 1 || fstat(d->fd, &sb) || S_ISBLK(sb.st_mode))) {
		close(d->fd);
		return -EINVAL;
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

int kv_cset_parse(const char *s, enum kv_cset *cset)
{
	if (!strcmp(s, "vendor") || !strcmp(s, "nvm") || !strcmp(s, "0"))
		*cset = KV_CSET_VENDOR;
	else if (!strcmp(s, "kv") || !strcmp(s, "1"))
		*cset = KV_CSET_STD;
	else
		return -EINVAL;
	return 0;
}

const char *kv_cset_name(enum kv_cset cset)
{
	return cset == KV_CSET_STD ? "kv" : "vendor";
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
	case KVS_SC_CAPACITY:		return "capacity exceeded (KV set)";
	case KVS_SC_NOT_READY:		return "namespace not ready (KV set)";
	case KVS_SC_VALUE_SIZE:		return "invalid value size (KV set)";
	case KVS_SC_KEY_SIZE:		return "invalid key size (KV set)";
	case KVS_SC_NO_KEY:		return "KV key does not exist (KV set)";
	case KVS_SC_UNRECOVERED:	return "unrecovered error (KV set)";
	case KVS_SC_KEY_EXISTS:		return "key exists (KV set)";
	case 0x00b:			return "invalid namespace or format";
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

uint8_t kv_op(const struct kv_dev *d, uint8_t vop)
{
	if (d->cset != KV_CSET_STD || vop < 0x80)
		return vop;
	switch (vop) {
	case KV_OP_STORE:	return KVS_OP_STORE;
	case KV_OP_RETRIEVE:	return KVS_OP_RETRIEVE;
	case KV_OP_DELETE:	return KVS_OP_DELETE;
	case KV_OP_EXIST:	return KVS_OP_EXIST;
	default:		return 0;
	}
}

int kv_sc(const struct kv_dev *d, int vsc)
{
	if (d->cset != KV_CSET_STD)
		return vsc;
	switch (vsc) {
	case KV_SC_NO_KEY:	return KVS_SC_NO_KEY;
	case KV_SC_KEY_EXISTS:	return KVS_SC_KEY_EXISTS;
	case KV_SC_CAPACITY:	return KVS_SC_CAPACITY;
	case KV_SC_VALUE_SIZE:	return KVS_SC_VALUE_SIZE;
	case KV_SC_KEY_SIZE:	return KVS_SC_KEY_SIZE;
	case KV_SC_OPTION:	return KV_SC_INVALID_FIELD;
	default:		return vsc;
	}
}

int kv_sc_delete_missing(const struct kv_dev *d)
{
	if (d->cset != KV_CSET_STD)
		return KV_SC_NO_KEY;
	return d->ednek ? KVS_SC_NO_KEY : KV_SC_OK;
}

int kv_key_cmp(const void *a, unsigned int alen, const void *b,
	       unsigned int blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

int kv_list_parse(const uint8_t *buf, uint32_t buflen,
		  struct kv_list_entry *out, uint32_t max, uint32_t *bad_at)
{
	uint32_t count, i, pos = 4;

	if (buflen < 4) {
		if (bad_at)
			*bad_at = 0;
		return -EINVAL;
	}
	count = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
		(uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
	/* every entry takes at least 4 bytes: a count that cannot fit is bad */
	if (count > (buflen - 4) / 4) {
		if (bad_at)
			*bad_at = 0;
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		uint32_t klen;

		if (buflen - pos < 4)
			goto bad;
		klen = (uint32_t)buf[pos] | (uint32_t)buf[pos + 1] << 8;
		if (!klen || klen > KV_MAX_KEY ||
		    kv_list_entry_size(klen) > buflen - pos)
			goto bad;
		if (out && i < max) {
			memcpy(out[i].key, buf + pos + 2, klen);
			out[i].len = (uint8_t)klen;
		}
		pos += kv_list_entry_size(klen);
	}
	return (int)count;
bad:
	if (bad_at)
		*bad_at = pos;
	return -EINVAL;
}

void kv_encode_vendor(struct nvme_passthru_cmd64 *c, uint32_t nsid,
		      enum kv_coding coding, uint8_t opcode, const void *key,
		      unsigned int klen, uint32_t cdw10, uint8_t option,
		      uint32_t pad_bits)
{
	uint32_t k[4], kf;

	kv_pack_key(key, klen, k);
	kf = (coding == KV_CODING_SAMSUNG ? klen - 1 : klen) & 0xff;
	memset(c, 0, sizeof(*c));
	c->opcode = opcode;
	c->nsid = nsid;
	c->cdw10 = cdw10;
	c->cdw11 = kf | (uint32_t)option << 8 | pad_bits;
	c->cdw12 = k[0];
	c->cdw13 = k[1];
	c->cdw14 = k[2];
	c->cdw15 = k[3];
}

void kv_encode_std(struct nvme_passthru_cmd64 *c, uint32_t nsid,
		   uint8_t opcode, const void *key, unsigned int klen,
		   uint32_t cdw10, uint8_t option)
{
	uint32_t k[4];

	kv_pack_key(key, klen, k);
	memset(c, 0, sizeof(*c));
	c->opcode = opcode;
	c->nsid = nsid;
	c->cdw2 = k[0];
	c->cdw3 = k[1];
	c->cdw14 = k[2];
	c->cdw15 = k[3];
	c->cdw10 = cdw10;
	c->cdw11 = (klen & 0xff) | (uint32_t)option << 8;
}

void kv_unpack_std_key(const struct nvme_passthru_cmd64 *c, uint8_t *out)
{
	uint32_t w[4] = { c->cdw2, c->cdw3, c->cdw14, c->cdw15 };
	unsigned int i;

	for (i = 0; i < KV_MAX_KEY; i++)
		out[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
}

int kv_submit(struct kv_dev *d, struct nvme_passthru_cmd64 *c, uint32_t *dw0)
{
	int ret;

	if (c->data_len && !c->addr)
		c->addr = (uintptr_t)d->buf;
	d->cmds++;
	ret = ioctl(d->fd, NVME_IOCTL_IO64_CMD, c);
	if (ret < 0)
		return -errno;
	d->last_dnr = !!(ret & 0x4000);
	if (dw0)
		*dw0 = (uint32_t)c->result;
	return ret & 0x7ff;
}

int kv_raw(struct kv_dev *d, uint8_t opcode, uint32_t cdw10, uint32_t cdw11,
	   const uint32_t key[4], uint32_t data_len, uint32_t *dw0)
{
	struct nvme_passthru_cmd64 c;

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
	return kv_submit(d, &c, dw0);
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
	uint32_t cdw10 = 0, pad = 0, blen = 0;
	uint8_t op = kv_op(d, opcode);

	if (kv_check_args(klen, len))
		return -EINVAL;
	if (!op)
		return -EOPNOTSUPP;
	if (len)
		kv_len(d, len, &cdw10, &pad, &blen);
	if (d->cset == KV_CSET_STD)
		kv_encode_std(c, d->nsid, op, key, klen, cdw10, option);
	else
		kv_encode_vendor(c, d->nsid, d->coding, op, key, klen, cdw10,
				 option, pad);
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
	int ret;

	/*
	 * A 0-byte value is legal in the KV set (not in the vendor set,
	 * whose decoder answers 0x301 for it: sent as it is)
	 */
	ret = kv_build(d, &c, opcode, key, klen, d->buf, vlen, option);
	if (ret)
		return ret;
	if (vlen && val != d->buf)
		memcpy(d->buf, val, vlen);
	memset(d->buf + vlen, 0, c.data_len - vlen);
	return kv_submit(d, &c, dw0);
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

/* Start of the guard: the length, or the transfer's end (guard_at_transfer). */
static uint32_t kv_guard_start(const struct kv_dev *d,
			       const struct nvme_passthru_cmd64 *c, uint32_t blen)
{
	return d->guard_at_transfer && c->data_len > blen ? c->data_len : blen;
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
	struct nvme_passthru_cmd64 c;
	uint32_t full = 0, n, gend;
	int st;

	if (overrun)
		*overrun = false;
	st = kv_build(d, &c, KV_OP_RETRIEVE, key, klen, d->buf, buflen, 0);
	if (st)
		return st;
	/* the device may write buflen bytes; everything after is guard */
	gend = kv_guard_end(c.data_len);
	guard_fill(d, kv_guard_start(d, &c, buflen), gend);
	st = kv_submit(d, &c, &full);
	if (!guard_ok(d, kv_guard_start(d, &c, buflen), gend)) {
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
	struct nvme_passthru_cmd64 c;
	int ret = kv_build(d, &c, opcode, key, klen, NULL, 0, 0);

	return ret ? ret : kv_submit(d, &c, NULL);
}

int kv_delete(struct kv_dev *d, const void *key, unsigned int klen)
{
	return kv_keyonly(d, KV_OP_DELETE, key, klen);
}

int kv_exist(struct kv_dev *d, const void *key, unsigned int klen)
{
	return kv_keyonly(d, KV_OP_EXIST, key, klen);
}

int kv_build_list(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
		  const void *start, unsigned int slen, void *buf,
		  uint32_t buflen)
{
	if (d->cset != KV_CSET_STD)
		return -EOPNOTSUPP;
	if (slen > KV_MAX_KEY || buflen < KVS_LIST_MIN || buflen > KV_MAX_VALUE)
		return -EINVAL;
	kv_encode_std(c, d->nsid, KVS_OP_LIST, start, slen, buflen, 0);
	c->addr = (uintptr_t)buf;
	c->data_len = (buflen + 3) & ~3u;
	return 0;
}

int kv_list(struct kv_dev *d, const void *start, unsigned int slen,
	    uint32_t buflen, bool *overrun)
{
	struct nvme_passthru_cmd64 c;
	uint32_t gend;
	int st;

	if (overrun)
		*overrun = false;
	st = kv_build_list(d, &c, start, slen, d->buf, buflen);
	if (st)
		return st;
	gend = kv_guard_end(c.data_len);
	guard_fill(d, kv_guard_start(d, &c, buflen), gend);
	st = kv_submit(d, &c, NULL);
	if (!guard_ok(d, kv_guard_start(d, &c, buflen), gend)) {
		d->guard_hits++;
		if (overrun)
			*overrun = true;
	}
	return st;
}

int kv_set_ednek(struct kv_dev *d, bool on)
{
	struct nvme_passthru_cmd64 c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x09;	/* Set Features */
	c.nsid = d->nsid;
	c.cdw10 = KVS_FEAT_KV_CONFIG;
	c.cdw11 = on ? KVS_CONFIG_EDNEK : 0;
	d->cmds++;
	ret = ioctl(d->fd, NVME_IOCTL_ADMIN64_CMD, &c);
	if (ret < 0)
		return -errno;
	if (!(ret & 0x7ff))
		d->ednek = on;
	return ret & 0x7ff;
}

int kv_iter_open(struct kv_dev *d, uint8_t option, uint32_t prefix,
		 uint32_t mask, uint32_t *handle)
{
	uint32_t k[4] = { prefix, mask, 0, 0 };

	if (d->cset == KV_CSET_STD)
		return -EOPNOTSUPP;
	return kv_raw(d, KV_OP_ITER_CTL, 0, (uint32_t)(option | KV_ITER_OPEN) << 8,
		      k, 0, handle);
}

int kv_iter_read(struct kv_dev *d, uint32_t handle, uint32_t buflen,
		 uint32_t *dw0)
{
	uint32_t cdw10, pad, blen, gend;
	int st;

	if (d->cset == KV_CSET_STD)
		return -EOPNOTSUPP;
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
	if (d->cset == KV_CSET_STD)
		return -EOPNOTSUPP;
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
