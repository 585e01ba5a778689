/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvlib.h - the KV commands of the nvmev-kv device through the Linux NVMe
 * passthrough ioctl NVME_IOCTL_IO64_CMD, in either command set:
 *
 *   vendor  the vendor KV commands (KV_PROTOCOL.md section 1: Store 0x81,
 *           Retrieve 0x90, ..., statuses of type 3) on namespace 1,
 *           /dev/nvmeXn1 or /dev/ngXn1 (kv_open());
 *   kv      the NVMe Key Value Command Set (section 3, CSI 1: Store 0x01,
 *           Retrieve 0x02, List 0x06, Delete 0x10, Exist 0x14, generic
 *           statuses 0x081..0x089) on namespace 2, which Linux exposes only
 *           as a generic char device /dev/ngXnY (kv_open_cset(); Y is
 *           the driver's instance number, not necessarily 2).
 *
 * The operations are named by the vendor opcodes (KV_OP_STORE, ...) in
 * both sets: kv_store(), kv_build() etc. send the opcode of the device's
 * set (kv_op()), with that set's key placement, and kv_sc() names a
 * status of the device's set by its vendor twin (KV_SC_NO_KEY is 0x310 on
 * namespace 1, 0x087 on namespace 2). kv_encode_vendor() and
 * kv_encode_std() are the one encoding of each set.
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

struct nvme_passthru_cmd64;

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

/* The NVMe Key Value Command Set (CSI 1), KV_PROTOCOL.md section 3 */
#define KVS_OP_STORE		0x01
#define KVS_OP_RETRIEVE		0x02
#define KVS_OP_LIST		0x06
#define KVS_OP_DELETE		0x10
#define KVS_OP_EXIST		0x14

#define KVS_STORE_MUST_EXIST	0x01	/* CDW11 bit 8 */
#define KVS_STORE_MUST_NOT_EXIST 0x02	/* CDW11 bit 9 */
#define KVS_STORE_NO_COMPRESS	0x04	/* CDW11 bit 10 */
#define KVS_RETRIEVE_RAW	0x01	/* CDW11 bit 8 */

/* statuses of the set: generic (status code type 0) */
#define KVS_SC_CAPACITY		0x081
#define KVS_SC_NOT_READY	0x082
#define KVS_SC_VALUE_SIZE	0x085
#define KVS_SC_KEY_SIZE		0x086
#define KVS_SC_NO_KEY		0x087
#define KVS_SC_UNRECOVERED	0x088
#define KVS_SC_KEY_EXISTS	0x089

#define KVS_FEAT_KV_CONFIG	0x20	/* Set Features: Key Value Configuration */
#define KVS_CONFIG_EDNEK	0x01	/* error on delete of a non-existent key */
#define KVS_NSID		2	/* the KV namespace of this device */
#define KVS_LIST_MIN		4	/* a List buffer holds the count at least */

enum kv_coding { KV_CODING_BYTES, KV_CODING_SAMSUNG };
/* which command set a kv_dev speaks */
enum kv_cset { KV_CSET_VENDOR, KV_CSET_STD };

#define KV_GUARD	4096	/* guard bytes after every read buffer */
#define KV_GUARD_BYTE	0xa5

struct kv_dev {
	int fd;
	uint32_t nsid;
	enum kv_coding coding;	/* vendor set only; the KV set counts bytes */
	enum kv_cset cset;
	bool ednek;		/* KV set: the host set EDNEK (kv_set_ednek) */
	uint8_t *buf;		/* KV_MAX_VALUE + KV_GUARD, huge-page backed */
	size_t map_len;
	void *map;
	bool last_dnr;		/* DNR bit of the last completion */
	uint32_t guard_hits;	/* reads that wrote past their length */
	/*
	 * The guard starts at the end of the transfer (data_len, the length
	 * rounded up to 4 bytes) instead of at the length: set when the
	 * namespace is reached through an NVMe-oF target, which returns the
	 * whole buffer the host described, not only the bytes the device
	 * wrote into it.
	 */
	bool guard_at_transfer;
	uint64_t cmds;		/* commands sent */
};

int kv_open(struct kv_dev *d, const char *path, enum kv_coding coding);
/*
 * kv_open() for command set @cset. KV_CSET_STD wants the generic char
 * device of a KV namespace (/dev/ngXnY of NSID 2): a block device node or namespace 1
 * (the NVM namespace, where 0x01/0x02 are Write/Read) is refused with
 * -EINVAL before anything is sent. @coding applies to the vendor set only.
 */
int kv_open_cset(struct kv_dev *d, const char *path, enum kv_coding coding,
		 enum kv_cset cset);
/* "vendor"/"nvm" or "kv" (also "1", the CSI) -> 0, or -EINVAL */
int kv_cset_parse(const char *s, enum kv_cset *cset);
const char *kv_cset_name(enum kv_cset cset);
void kv_close(struct kv_dev *d);
/* "bytes" or "samsung" from /sys/module/nvmev_kv/parameters/kv_coding */
enum kv_coding kv_coding_of_module(void);
/* a status of either set (they do not overlap) as text */
const char *kv_status_str(int status);

/*
 * The opcode of @d's set for the operation vendor opcode @vop names
 * (KV_OP_STORE -> 0x01 on the KV set), 0 when the set has none (Append and
 * Iterate on the KV set). Opcodes below 0x80 are passed through as they are.
 */
uint8_t kv_op(const struct kv_dev *d, uint8_t vop);
/*
 * The status of @d's set that means what vendor status @vsc means:
 * KV_SC_NO_KEY, KV_SC_KEY_EXISTS, KV_SC_CAPACITY, KV_SC_VALUE_SIZE,
 * KV_SC_KEY_SIZE (0x086 on the KV set: key length 0; above 16 is
 * 0x002), KV_SC_OPTION (0x002); others unchanged.
 */
int kv_sc(const struct kv_dev *d, int vsc);
/* What Delete of a missing key answers: 0x310; KV set 0, or 0x087 with EDNEK */
int kv_sc_delete_missing(const struct kv_dev *d);

/*
 * Key order of List (KV set): memcmp over the shorter length, a shorter
 * key before a longer one it is a prefix of. <0, 0, >0.
 */
int kv_key_cmp(const void *a, unsigned int alen, const void *b,
	       unsigned int blen);
/* Bytes one List entry takes: u16 length + key, padded to 4 */
static inline uint32_t kv_list_entry_size(unsigned int klen)
{
	return (2 + klen + 3) & ~3u;
}

struct kv_list_entry {
	uint8_t key[KV_MAX_KEY];
	uint8_t len;
};

/*
 * Parse the output of a List (KV set) that had a @buflen-byte buffer:
 * u32 count, then per key a u16 length (1..16) and the key, each entry
 * padded to 4. Up to @max entries go to @out (may be NULL). Returns the
 * count, or -EINVAL when an entry is malformed or does not fit in @buflen
 * (*bad_at, if not NULL, is the byte offset of the bad entry).
 */
int kv_list_parse(const uint8_t *buf, uint32_t buflen,
		  struct kv_list_entry *out, uint32_t max, uint32_t *bad_at);

/*
 * The one encoding of each command set, into @c (cleared first; addr and
 * data_len are the caller's). kv_encode_vendor: key bytes in CDW12..15,
 * CDW10 = @cdw10, CDW11 = key length field | @option << 8 | @pad_bits
 * (the key length field in @coding: samsung is length - 1).
 * kv_encode_std: key bytes 0-7 in CDW2-3, 8-15 in CDW14-15, CDW10 =
 * @cdw10, CDW11 = @klen | @option << 8. @klen is sent as given (raw
 * callers may send 0 or > 16); key bytes beyond 16 are ignored.
 */
void kv_encode_vendor(struct nvme_passthru_cmd64 *c, uint32_t nsid,
		      enum kv_coding coding, uint8_t opcode, const void *key,
		      unsigned int klen, uint32_t cdw10, uint8_t option,
		      uint32_t pad_bits);
void kv_encode_std(struct nvme_passthru_cmd64 *c, uint32_t nsid,
		   uint8_t opcode, const void *key, unsigned int klen,
		   uint32_t cdw10, uint8_t option);
/* The key a KV-set SQE carries in CDW2-3/CDW14-15 (@out: 16 bytes) */
void kv_unpack_std_key(const struct nvme_passthru_cmd64 *c, uint8_t *out);

/*
 * One command with raw length fields: @klen_field is CDW11[7:0] exactly as
 * sent, @cdw10/@pad as sent; @data_len bytes of d->buf go with it (the
 * caller fills/reads d->buf). The escape hatch for malformed commands.
 */
int kv_raw(struct kv_dev *d, uint8_t opcode, uint32_t cdw10, uint32_t cdw11,
	   const uint32_t key[4], uint32_t data_len, uint32_t *dw0);
/*
 * Send @c as it is (nsid included); a command with data_len and no addr
 * gets d->buf. Status or -errno as kv_raw().
 */
int kv_submit(struct kv_dev *d, struct nvme_passthru_cmd64 *c, uint32_t *dw0);

void kv_pack_key(const void *key, unsigned int klen, uint32_t out[4]);

/*
 * Fill @c for a KV command without sending it (for io_uring and other
 * asynchronous paths): @opcode names the operation (KV_OP_*; sent as
 * kv_op()), key and length fields in the device's set and coding, @buf
 * of @len bytes as the data (the transfer is rounded up to 4 bytes; the
 * caller's buffer must hold that). -EINVAL for a bad key or length,
 * -EOPNOTSUPP for an operation the set does not have.
 */
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

/*
 * List (KV set): the keys from the first one >= @start (@slen 0..16; 0 =
 * from the first key) into a @buflen-byte host buffer (4..2 MiB); the
 * output lands in d->buf (kv_list_parse()). *overrun as kv_retrieve().
 */
int kv_list(struct kv_dev *d, const void *start, unsigned int slen,
	    uint32_t buflen, bool *overrun);
/* List built without sending it (io_uring): into @buf of @buflen bytes */
int kv_build_list(const struct kv_dev *d, struct nvme_passthru_cmd64 *c,
		  const void *start, unsigned int slen, void *buf,
		  uint32_t buflen);
/*
 * Set Features Key Value Configuration (FID 0x20) of namespace d->nsid:
 * EDNEK on or off (an admin command: root). Status or -errno; on success
 * d->ednek follows.
 */
int kv_set_ednek(struct kv_dev *d, bool on);

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
