/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvfio_key.h - the key of a fio I/O in tools/kvfio.so: a fixed prefix,
 * then the byte offset of the I/O, in the rest of the key length.
 *
 *   hex     the offset as lowercase hex digits, zero-padded, most
 *           significant first: prefix "fio", length 16 gives 13 digits,
 *           offset 0x3000 -> "fio0000000003000" (a printable key that
 *           scripts/kv can name)
 *   binary  the offset as big-endian bytes: prefix "f", length 9 gives
 *           8 bytes, so any 64-bit offset
 *
 * A key identifies exactly one offset: an offset that does not fit in the
 * digits (or bytes) left after the prefix is refused, never truncated, so
 * two offsets can never share a key.
 *
 * Pure C without fio's headers: the unit test links it alone.
 */
#ifndef KVFIO_KEY_H
#define KVFIO_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KVFIO_KEY_MAX 16

enum kvfio_key_format { KVFIO_KEY_HEX, KVFIO_KEY_BINARY };

struct kvfio_keyfmt {
	uint8_t prefix[KVFIO_KEY_MAX];
	unsigned int plen;	/* prefix bytes */
	unsigned int klen;	/* whole key */
	enum kvfio_key_format format;
	uint64_t max_offset;	/* largest offset the key can carry */
};

/*
 * Check and fill @kf. 0, or -EINVAL with a reason in @err (@errlen bytes):
 * @klen not in 1..16, a prefix as long as the key or longer (no room for
 * the offset). @prefix may be NULL or "" (the whole key is the offset).
 */
int kvfio_key_setup(struct kvfio_keyfmt *kf, const char *prefix,
		    unsigned int klen, enum kvfio_key_format format,
		    char *err, size_t errlen);

/*
 * The key of the I/O at @offset into @key (kf->klen bytes, not
 * terminated). 0, or -ERANGE when @offset is above kf->max_offset.
 */
int kvfio_key(const struct kvfio_keyfmt *kf, uint64_t offset,
	      uint8_t key[KVFIO_KEY_MAX]);

/* @key as text for messages: printable bytes as is, others as \xNN. */
void kvfio_key_str(const uint8_t *key, unsigned int klen, char *out,
		   size_t outlen);

#endif /* KVFIO_KEY_H */
