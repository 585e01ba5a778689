/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvlib.h - the vendor KV commands of the nvmev-kv device (KV_PROTOCOL.md
 * section 1) through the Linux NVMe passthrough ioctl NVME_IOCTL_IO64_CMD,
 * on /dev/nvmeXnY or the generic /dev/ngXnY.
 *
 * Every call returns the NVMe status of the command as (SCT << 8 | SC)
 * (0 on success; DNR and More are dropped, see kv_dev.last_dnr) or a
 * negative errno when the ioctl itself failed (nothing reached the device
 * or the driver could not map the buffer). DW0 is returned through *dw0.
 *
 * Lengths are given in bytes; the library encodes them for the device's
 * coding (bytes, or samsung: CDW10 in 4-byte words, CDW11[17:16] = pad,
 * CDW11[7:0] = key length - 1). Data moves through one internal buffer
 * backed by a transparent huge page, so a transfer of up to 2 MiB is
 * physically contiguous: the nvme driver's segment limit (127 or 128
 * pages) would otherwise cap a malloc()ed buffer at about 508 KiB. That
 * buffer is always at least as long as CDW10 says (a device trusts
 * CDW10 as the size of the host buffer), and data_len is exactly that
 * length: the device sizes the PRPs from CDW10, so a longer data_len could
 * make the driver build a PRP list where the device expects a data page.
 * A guard area after the buffer is checked after each read so that a
 * device writing past the length it was given is caught.
 *
 * Not expressible through this ioctl: the Retrieve offset (CDW4). Linux
 * builds CDW4-5 itself (the metadata pointer); struct nvme_passthru_cmd64
 * has no field for it. kv_retrieve() therefore always reads from offset 0.
 */
#ifndef KVLIB_H
#define KVLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KV_OP_STORE	0x81
#define KV_OP_APPEND	0x83
#define KV_OP_RETRIEVE	0x90
#define KV_OP_DELETE	0xa1
#define KV_OP_ITER_CTL	0xb1
#define KV_OP_ITER_READ	0xb2
#define KV_OP_EXIST	0xb3

#define KV_MAX_KEY	16
#define KV_MAX_VALUE	(2u << 20)
#define KV_MAX_ITERS	16

#define KV_STORE_UPDATE		0x01
#define KV_STORE_IDEMPOTENT	0x02

#define KV_ITER_OPEN		0x01
#define KV_ITER_CLOSE		0x02
#define KV_ITER_KEY		0x04
#define KV_ITER_KEY_VALUE	0x08
#define KV_ITER_DELETE		0x10

#define KV_SC_OK		0x000
#define KV_SC_INVALID_OPCODE	0x001
#define KV_SC_INVALID_FIELD	0x002
#define KV_SC_XFER		0x004
#define KV_SC_VALUE_SIZE	0x301
#define KV_SC_OFFSET		0x302
#define KV_SC_KEY_SIZE		0x303
#define KV_SC_OPTION		0x304
#define KV_SC_NO_KEY		0x310
#define KV_SC_CAPACITY		0x312
#define KV_SC_KEY_EXISTS	0x380
#define KV_SC_ITER_HANDLE	0x390
#define KV_SC_ITER_END		0x393

enum kv_coding { KV_CODING_BYTES, KV_CODING_SAMSUNG };

#define KV_GUARD	4096	/* guard bytes after every read buffer */
#define KV_GUARD_BYTE	0xa5

struct kv_dev {
	int fd;
	uint32_t nsid;
	enum kv_coding coding;
	uint8_t *buf;		/* KV_MAX_VALUE + KV_GUARD, huge-page backed */
	size_t map_len;
	void *map;
	bool last_dnr;		/* DNR bit of the last completion */
	uint32_t guard_hits;	/* reads that wrote past their length */
	uint64_t cmds;		/* commands sent */
};

int kv_open(struct kv_dev *d, const char *path, enum kv_coding coding);
void kv_close(struct kv_dev *d);
/* "bytes" or "samsung" from /sys/module/nvmev_kv/parameters/kv_coding */
enum kv_coding kv_coding_of_module(void);
const char *kv_status_str(int status);

/*
 * One command with raw length fields: @klen_field is CDW11[7:0] exactly as
 * sent, @cdw10/@pad as sent; @data_len bytes of d->buf go with it (the
 * caller fills/reads d->buf). The escape hatch for malformed commands.
 */
int kv_raw(struct kv_dev *d, uint8_t opcode, uint32_t cdw10, uint32_t cdw11,
	   const uint32_t key[4], uint32_t data_len, uint32_t *dw0);

void kv_pack_key(const void *key, unsigned int klen, uint32_t out[4]);

/*
 * Fill @c for a KV command without sending it (for io_uring and other
 * asynchronous paths): key and length fields in the device's coding, @buf
 * of @len bytes as the data (the transfer is rounded up to 4 bytes; the
 * caller's buffer must hold that). -EINVAL for a bad key or length.
 */
struct nvme_passthru_cmd64;
int kv_build(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
	     uint8_t opcode, const void *key, unsigned int klen, void *buf,
	     uint32_t len, uint8_t option);

int kv_store(struct kv_dev *d, const void *key, unsigned int klen,
	     const void *val, uint32_t vlen, uint8_t option, uint32_t *dw0);
int kv_append(struct kv_dev *d, const void *key, unsigned int klen,
	      const void *val, uint32_t vlen, uint32_t *dw0);
/*
 * Retrieve into a host buffer of @buflen bytes; on success *dw0 is the full
 * value size and min(*dw0, buflen) bytes are copied to @out (which may be
 * NULL to leave them in d->buf). Sets *overrun when the device wrote past
 * buflen into the guard area.
 */
int kv_retrieve(struct kv_dev *d, const void *key, unsigned int klen,
		void *out, uint32_t buflen, uint32_t *dw0, bool *overrun);
int kv_delete(struct kv_dev *d, const void *key, unsigned int klen);
int kv_exist(struct kv_dev *d, const void *key, unsigned int klen);

int kv_iter_open(struct kv_dev *d, uint8_t option, uint32_t prefix,
		 uint32_t mask, uint32_t *handle);
/* The key list lands in d->buf; *dw0 = bytes written. */
int kv_iter_read(struct kv_dev *d, uint32_t handle, uint32_t buflen,
		 uint32_t *dw0);
int kv_iter_close(struct kv_dev *d, uint32_t handle);

/*
 * The iterate commands built without sending them (io_uring): open
 * (@option | KV_ITER_OPEN, @prefix, @mask) or close (@option ==
 * KV_ITER_CLOSE, @handle), and a read of @handle into @buf of @len bytes
 * (in the device's coding; @buf must hold @len rounded up to 4).
 */
void kv_build_iter_ctl(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
		       uint8_t option, uint32_t handle, uint32_t prefix,
		       uint32_t mask);
int kv_build_iter_read(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
		       uint32_t handle, void *buf, uint32_t len);

#endif /* KVLIB_H */
