// SPDX-License-Identifier: GPL-2.0
/*
 * kvfio_key.c - key derivation of tools/kvfio.so; see kvfio_key.h.
 */
#include "kvfio_key.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int kvfio_key_setup(struct kvfio_keyfmt *kf, const char *prefix,
		    unsigned int klen, enum kvfio_key_format format,
		    char *err, size_t errlen)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	unsigned int room, bits;

	memset(kf, 0, sizeof(*kf));
	if (klen < 1 || klen > KVFIO_KEY_MAX) {
		snprintf(err, errlen, "key length %u: must be 1..%u", klen,
			 KVFIO_KEY_MAX);
		return -EINVAL;
	}
	if (format != KVFIO_KEY_HEX && format != KVFIO_KEY_BINARY) {
		snprintf(err, errlen, "unknown key format %d", (int)format);
		return -EINVAL;
	}
	if (plen >= klen) {
		snprintf(err, errlen,
			 "key prefix of %zu bytes leaves no room for the offset "
			 "in a %u-byte key", plen, klen);
		return -EINVAL;
	}
	if (plen)
		memcpy(kf->prefix, prefix, plen);
	kf->plen = (unsigned int)plen;
	kf->klen = klen;
	kf->format = format;
	room = klen - kf->plen;
	bits = format == KVFIO_KEY_HEX ? 4 * room : 8 * room;
	kf->max_offset = bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
	return 0;
}

int kvfio_key(const struct kvfio_keyfmt *kf, uint64_t offset,
	      uint8_t key[KVFIO_KEY_MAX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	if (offset > kf->max_offset)
		return -ERANGE;
	memset(key, 0, KVFIO_KEY_MAX);
	memcpy(key, kf->prefix, kf->plen);
	/* least significant digit (byte) last */
	for (i = kf->klen; i > kf->plen; i--) {
		if (kf->format == KVFIO_KEY_HEX) {
			key[i - 1] = (uint8_t)digits[offset & 0xf];
			offset >>= 4;
		} else {
			key[i - 1] = (uint8_t)(offset & 0xff);
			offset >>= 8;
		}
	}
	return 0;
}

void kvfio_key_str(const uint8_t *key, unsigned int klen, char *out,
		   size_t outlen)
{
	size_t n = 0;
	unsigned int i;

	if (!outlen)
		return;
	out[0] = 0;
	for (i = 0; i < klen && i < KVFIO_KEY_MAX; i++) {
		char one[5];
		size_t l;

		if (key[i] >= 0x20 && key[i] < 0x7f && key[i] != '\\')
			l = (size_t)snprintf(one, sizeof(one), "%c", key[i]);
		else
			l = (size_t)snprintf(one, sizeof(one), "\\x%02x", key[i]);
		if (n + l >= outlen)
			break;
		memcpy(out + n, one, l + 1);
		n += l;
	}
}
