// SPDX-License-Identifier: GPL-2.0
/*
 * test_kvfio_key.c - the key derivation of the fio engine (tools/kvfio.so,
 * tools/kvfio_key.c) at the edges: key lengths 0, 1, 16, 17; a prefix that
 * fills the key; the largest offset each format carries and one more
 * (refused, never aliased); hex and binary spelling; distinct keys for
 * distinct offsets.
 */
#include <errno.h>
#include <string.h>
#include "tools/kvfio_key.h"
#include "test_util.h"

static char err[128];

static void key_is(const struct kvfio_keyfmt *kf, uint64_t off,
		   const void *want, unsigned int wlen)
{
	uint8_t k[KVFIO_KEY_MAX];
	char s[80];
	int ret = kvfio_key(kf, off, k);

	kvfio_key_str(k, kf->klen, s, sizeof(s));
	CHECK(ret == 0 && kf->klen == wlen && !memcmp(k, want, wlen),
	      "offset %#llx: ret %d key '%s' (%u bytes)",
	      (unsigned long long)off, ret, s, kf->klen);
}

static void test_setup(void)
{
	struct kvfio_keyfmt kf;

	CHECK_EQ(kvfio_key_setup(&kf, "fio", 0, KVFIO_KEY_HEX, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "1..16") != NULL, "reason '%s'", err);
	CHECK_EQ(kvfio_key_setup(&kf, "", 17, KVFIO_KEY_HEX, err, sizeof(err)), -EINVAL);
	CHECK_EQ(kvfio_key_setup(&kf, "", 1, KVFIO_KEY_HEX, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, 0xf);
	CHECK_EQ(kvfio_key_setup(&kf, NULL, 16, KVFIO_KEY_BINARY, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, UINT64_MAX);
	/* a prefix that fills the key leaves no room for the offset */
	CHECK_EQ(kvfio_key_setup(&kf, "0123456789abcdef", 16, KVFIO_KEY_HEX, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "no room") != NULL, "reason '%s'", err);
	CHECK_EQ(kvfio_key_setup(&kf, "abc", 3, KVFIO_KEY_BINARY, err, sizeof(err)), -EINVAL);
	CHECK_EQ(kvfio_key_setup(&kf, "0123456789abcde", 16, KVFIO_KEY_HEX, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, 0xf);
	CHECK_EQ(kvfio_key_setup(&kf, "fio", 16, 7, err, sizeof(err)), -EINVAL);
}

static void test_hex(void)
{
	struct kvfio_keyfmt kf;
	uint8_t k[KVFIO_KEY_MAX];

	CHECK_EQ(kvfio_key_setup(&kf, "fio", 16, KVFIO_KEY_HEX, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, (1ULL << 52) - 1);
	key_is(&kf, 0, "fio0000000000000", 16);
	key_is(&kf, 0x3000, "fio0000000003000", 16);
	key_is(&kf, 0xabcdef, "fio0000000abcdef", 16);
	key_is(&kf, (1ULL << 52) - 1, "fiofffffffffffff", 16);
	CHECK_EQ(kvfio_key(&kf, 1ULL << 52, k), -ERANGE);
	CHECK_EQ(kvfio_key(&kf, UINT64_MAX, k), -ERANGE);

	/* 16 hex digits: every 64-bit offset */
	CHECK_EQ(kvfio_key_setup(&kf, "", 16, KVFIO_KEY_HEX, err, sizeof(err)), 0);
	key_is(&kf, UINT64_MAX, "ffffffffffffffff", 16);
	key_is(&kf, 0x0123456789abcdefULL, "0123456789abcdef", 16);

	/* short keys */
	CHECK_EQ(kvfio_key_setup(&kf, "k", 4, KVFIO_KEY_HEX, err, sizeof(err)), 0);
	key_is(&kf, 0xfff, "kfff", 4);
	CHECK_EQ(kvfio_key(&kf, 0x1000, k), -ERANGE);
}

static void test_binary(void)
{
	struct kvfio_keyfmt kf;
	uint8_t k[KVFIO_KEY_MAX];

	CHECK_EQ(kvfio_key_setup(&kf, "f", 9, KVFIO_KEY_BINARY, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, UINT64_MAX);
	key_is(&kf, 0x0102030405060708ULL, "f\x01\x02\x03\x04\x05\x06\x07\x08", 9);
	key_is(&kf, 0, "f\0\0\0\0\0\0\0\0", 9);

	CHECK_EQ(kvfio_key_setup(&kf, "ab", 4, KVFIO_KEY_BINARY, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, 0xffff);
	key_is(&kf, 0xbeef, "ab\xbe\xef", 4);
	CHECK_EQ(kvfio_key(&kf, 0x10000, k), -ERANGE);
}

/* Distinct offsets give distinct keys (no aliasing) across a key space. */
static void test_distinct(void)
{
	struct kvfio_keyfmt kf;
	uint8_t a[KVFIO_KEY_MAX], b[KVFIO_KEY_MAX];
	uint64_t s = 42;
	unsigned int i;

	CHECK_EQ(kvfio_key_setup(&kf, "pre", 8, KVFIO_KEY_HEX, err, sizeof(err)), 0);
	CHECK_EQ(kf.max_offset, 0xfffff);
	for (i = 0; i < 10000; i++) {
		uint64_t x = test_rand_below(&s, kf.max_offset + 1);
		uint64_t y = test_rand_below(&s, kf.max_offset + 1);

		if (x == y)
			continue;
		CHECK(!kvfio_key(&kf, x, a) && !kvfio_key(&kf, y, b) &&
		      memcmp(a, b, kf.klen), "offsets %#llx and %#llx share a key",
		      (unsigned long long)x, (unsigned long long)y);
	}
}

static void test_str(void)
{
	char s[8];

	kvfio_key_str((const uint8_t *)"a\x01\\", 3, s, sizeof(s));
	CHECK(!strcmp(s, "a\\x01"), "'%s'", s);	/* whole escapes only */
	kvfio_key_str((const uint8_t *)"fio", 3, s, sizeof(s));
	CHECK(!strcmp(s, "fio"), "'%s'", s);
}

int main(void)
{
	test_setup();
	test_hex();
	test_binary();
	test_distinct();
	test_str();
	return test_report("test_kvfio_key");
}
