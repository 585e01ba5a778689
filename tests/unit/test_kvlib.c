// SPDX-License-Identifier: GPL-2.0
/*
 * test_kvlib.c - the host side of both KV command sets in tools/kvlib.c:
 * the encoders of the vendor commands and of the NVMe KV Command Set
 * (every SQE of vectors/kv_std_decode.tsv re-encoded from its key, key
 * length, size and option must give the same CDWs), kv_build() in each
 * set and coding, the opcode and status names of each set, the key order
 * of List and the List output parser at its edges.
 */
#include <errno.h>
#include <string.h>
#include <linux/nvme_ioctl.h>
#include "tools/kvlib.h"
#include "test_util.h"

static struct kv_dev std_dev = { .fd = -1, .nsid = 2, .cset = KV_CSET_STD };
static struct kv_dev ven_dev = { .fd = -1, .nsid = 1, .cset = KV_CSET_VENDOR };
static struct kv_dev sam_dev = { .fd = -1,
				 .nsid = 1,
				 .cset = KV_CSET_VENDOR,
				 .coding = KV_CODING_SAMSUNG };

/* Every row of the KV set's decode vectors, encoded again from its fields. */
static void test_std_vectors(void)
{
	char path[512], line[1024];
	unsigned int rows = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kv_std_decode.tsv", VECTORS_DIR);
	f = fopen(path, "r");
	CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned int op, c2, c3, c10, c11, c14, c15;
		struct nvme_passthru_cmd64 in, c;
		uint8_t key[KV_MAX_KEY], back[KV_MAX_KEY];

		if (line[0] == '#' || !strncmp(line, "opcode", 6))
			continue;
		if (sscanf(line, "%x %x %x %x %x %x %x", &op, &c2, &c3, &c10,
			   &c11, &c14, &c15) != 7) {
			CHECK(0, "unparsable vector row: %s", line);
			continue;
		}
		rows++;
		memset(&in, 0, sizeof(in));
		in.cdw2 = c2;
		in.cdw3 = c3;
		in.cdw14 = c14;
		in.cdw15 = c15;
		kv_unpack_std_key(&in, key);
		kv_encode_std(&c, 2, (uint8_t)op, key, c11 & 0xff, c10,
			      (uint8_t)(c11 >> 8));
		CHECK(c.opcode == op && c.nsid == 2 && c.cdw2 == c2 &&
			      c.cdw3 == c3 && c.cdw10 == c10 &&
			      c.cdw11 == c11 && c.cdw14 == c14 &&
			      c.cdw15 == c15 && !c.cdw12 && !c.cdw13 &&
			      !c.addr && !c.data_len,
		      "row %u re-encoded: cdw2 %#x cdw3 %#x cdw10 %#x cdw11 %#x cdw14 %#x cdw15 %#x (%s)",
		      rows, c.cdw2, c.cdw3, c.cdw10, c.cdw11, c.cdw14, c.cdw15,
		      line);
		kv_unpack_std_key(&c, back);
		CHECK(!memcmp(back, key, KV_MAX_KEY), "row %u: key round trip",
		      rows);
	}
	fclose(f);
	CHECK(rows >= 20, "only %u vector rows in %s", rows, path);
}

static void test_build(void)
{
	struct nvme_passthru_cmd64 c;
	uint8_t buf[64];

	/* KV set: Store 'hello' (5 bytes) under key 'hello' */
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_STORE, "hello", 5, buf, 5, 0), 0);
	CHECK_EQ(c.opcode, KVS_OP_STORE);
	CHECK_EQ(c.nsid, 2);
	CHECK_EQ(c.cdw2, 0x6c6c6568);
	CHECK_EQ(c.cdw3, 0x6f);
	CHECK_EQ(c.cdw12 | c.cdw13 | c.cdw14 | c.cdw15, 0);
	CHECK_EQ(c.cdw10, 5);
	CHECK_EQ(c.cdw11, 5);
	CHECK_EQ(c.data_len, 8); /* rounded to 4: never a bounce buffer */
	CHECK_EQ(c.addr, (uintptr_t)buf);
	/* a 16-byte key: bytes 8..15 in CDW14-15 */
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_RETRIEVE, "sixteen-byte-key", 16,
			  buf, 64, KVS_RETRIEVE_RAW),
		 0);
	CHECK_EQ(c.opcode, KVS_OP_RETRIEVE);
	CHECK_EQ(c.cdw2, 0x74786973);
	CHECK_EQ(c.cdw3, 0x2d6e6565);
	CHECK_EQ(c.cdw14, 0x65747962);
	CHECK_EQ(c.cdw15, 0x79656b2d);
	CHECK_EQ(c.cdw11, 0x110);
	/* a 0-byte value: no data, CDW10 0 */
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_STORE, "k", 1, buf, 0,
			  KVS_STORE_MUST_NOT_EXIST),
		 0);
	CHECK_EQ(c.cdw10, 0);
	CHECK_EQ(c.data_len, 0);
	CHECK_EQ(c.addr, 0);
	CHECK_EQ(c.cdw11, 0x201);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_DELETE, "k", 1, NULL, 0, 0), 0);
	CHECK_EQ(c.opcode, KVS_OP_DELETE);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_EXIST, "k", 1, NULL, 0, 0), 0);
	CHECK_EQ(c.opcode, KVS_OP_EXIST);
	/* operations the KV set does not have; bad lengths */
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_APPEND, "k", 1, buf, 4, 0),
		 -EOPNOTSUPP);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_ITER_READ, "k", 1, buf, 4, 0),
		 -EOPNOTSUPP);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_STORE, "k", 0, buf, 4, 0),
		 -EINVAL);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_STORE, "0123456789abcdefg", 17,
			  buf, 4, 0),
		 -EINVAL);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_STORE, "k", 1, buf,
			  KV_MAX_VALUE + 1, 0),
		 -EINVAL);
	CHECK_EQ(kv_build(&std_dev, &c, KV_OP_STORE, "k", 1, buf, KV_MAX_VALUE,
			  0),
		 0);
	CHECK_EQ(c.cdw10, KV_MAX_VALUE);

	/* vendor set, bytes: key in CDW12..15, nothing in CDW2-3 */
	CHECK_EQ(kv_build(&ven_dev, &c, KV_OP_STORE, "hello", 5, buf, 5,
			  KV_STORE_IDEMPOTENT),
		 0);
	CHECK_EQ(c.opcode, KV_OP_STORE);
	CHECK_EQ(c.nsid, 1);
	CHECK_EQ(c.cdw12, 0x6c6c6568);
	CHECK_EQ(c.cdw13, 0x6f);
	CHECK_EQ(c.cdw2 | c.cdw3, 0);
	CHECK_EQ(c.cdw11, 0x205);
	CHECK_EQ(c.cdw10, 5);
	CHECK_EQ(c.data_len, 8);
	/* vendor set, samsung: 2 words, pad 3, key length - 1 */
	CHECK_EQ(kv_build(&sam_dev, &c, KV_OP_STORE, "hello", 5, buf, 5, 0), 0);
	CHECK_EQ(c.cdw10, 2);
	CHECK_EQ(c.cdw11, 4 | 3u << 16);
	CHECK_EQ(c.data_len, 8);
	CHECK_EQ(kv_build(&ven_dev, &c, KV_OP_APPEND, "k", 1, buf, 4, 0), 0);
	CHECK_EQ(c.opcode, KV_OP_APPEND);
	/* a KV-set opcode on the vendor set is sent as it is (raw callers) */
	CHECK_EQ(kv_op(&ven_dev, KVS_OP_LIST), KVS_OP_LIST);

	/* List */
	CHECK_EQ(kv_build_list(&std_dev, &c, "hello", 5, buf, 4096), 0);
	CHECK_EQ(c.opcode, KVS_OP_LIST);
	CHECK_EQ(c.cdw10, 4096);
	CHECK_EQ(c.cdw11, 5);
	CHECK_EQ(c.cdw2, 0x6c6c6568);
	CHECK_EQ(c.data_len, 4096);
	CHECK_EQ(kv_build_list(&std_dev, &c, NULL, 0, buf, 4), 0);
	CHECK_EQ(c.cdw11, 0);
	CHECK_EQ(c.cdw2 | c.cdw3 | c.cdw14 | c.cdw15, 0);
	CHECK_EQ(kv_build_list(&std_dev, &c, NULL, 0, buf, 3), -EINVAL);
	CHECK_EQ(kv_build_list(&std_dev, &c, NULL, 0, buf, KV_MAX_VALUE + 1),
		 -EINVAL);
	CHECK_EQ(kv_build_list(&std_dev, &c, "0123456789abcdefg", 17, buf, 64),
		 -EINVAL);
	CHECK_EQ(kv_build_list(&ven_dev, &c, NULL, 0, buf, 64), -EOPNOTSUPP);
	CHECK_EQ(kv_build_list(&std_dev, &c, NULL, 0, buf, 5), 0);
	CHECK_EQ(c.cdw10, 5);
	CHECK_EQ(c.data_len, 8);
}

static void test_names(void)
{
	struct kv_dev e = std_dev;
	enum kv_cset cs;

	CHECK_EQ(kv_op(&std_dev, KV_OP_STORE), 0x01);
	CHECK_EQ(kv_op(&std_dev, KV_OP_RETRIEVE), 0x02);
	CHECK_EQ(kv_op(&std_dev, KV_OP_DELETE), 0x10);
	CHECK_EQ(kv_op(&std_dev, KV_OP_EXIST), 0x14);
	CHECK_EQ(kv_op(&std_dev, KV_OP_APPEND), 0);
	CHECK_EQ(kv_op(&std_dev, KV_OP_ITER_CTL), 0);
	CHECK_EQ(kv_op(&std_dev, KVS_OP_LIST), 0x06);
	CHECK_EQ(kv_op(&ven_dev, KV_OP_STORE), 0x81);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_NO_KEY), 0x087);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_KEY_EXISTS), 0x089);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_CAPACITY), 0x081);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_VALUE_SIZE), 0x085);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_KEY_SIZE), 0x086);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_OPTION), 0x002);
	CHECK_EQ(kv_sc(&std_dev, KV_SC_OK), 0);
	CHECK_EQ(kv_sc(&ven_dev, KV_SC_NO_KEY), 0x310);
	CHECK_EQ(kv_sc_delete_missing(&ven_dev), 0x310);
	CHECK_EQ(kv_sc_delete_missing(&std_dev), 0);
	e.ednek = true;
	CHECK_EQ(kv_sc_delete_missing(&e), 0x087);
	CHECK(!strcmp(kv_status_str(0x087), "KV key does not exist (KV set)"),
	      "%s", kv_status_str(0x087));
	CHECK(!strcmp(kv_status_str(0x310), "key does not exist"), "%s",
	      kv_status_str(0x310));
	CHECK(kv_cset_parse("kv", &cs) == 0 && cs == KV_CSET_STD, "kv");
	CHECK(kv_cset_parse("1", &cs) == 0 && cs == KV_CSET_STD, "1");
	CHECK(kv_cset_parse("vendor", &cs) == 0 && cs == KV_CSET_VENDOR,
	      "vendor");
	CHECK(kv_cset_parse("nvm", &cs) == 0 && cs == KV_CSET_VENDOR, "nvm");
	CHECK_EQ(kv_cset_parse("KV", &cs), -EINVAL);
	CHECK_EQ(kv_cset_parse("2", &cs), -EINVAL);
}

static void test_key_order(void)
{
	CHECK(kv_key_cmp("a", 1, "b", 1) < 0, "a < b");
	CHECK(kv_key_cmp("b", 1, "a", 1) > 0, "b > a");
	CHECK(kv_key_cmp("ab", 2, "ab", 2) == 0, "ab = ab");
	CHECK(kv_key_cmp("ab", 2, "abc", 3) < 0, "a prefix sorts first");
	CHECK(kv_key_cmp("abc", 3, "ab", 2) > 0, "a prefix sorts first");
	CHECK(kv_key_cmp("b", 1, "abc", 3) > 0, "bytes before length");
	/* bytes are unsigned */
	CHECK(kv_key_cmp("\x80", 1, "\x7f\xff", 2) > 0, "0x80 > 0x7f");
	CHECK(kv_key_cmp("\xff", 1, "\x00", 1) > 0, "0xff > 0x00");
	CHECK(kv_key_cmp("\x00", 1, "\x00\x00", 2) < 0, "0x00 < 0x00 0x00");
	CHECK(kv_key_cmp("", 0, "\x00", 1) < 0, "empty first");
	CHECK(kv_key_cmp("0123456789abcdef", 16, "0123456789abcdeg", 16) < 0,
	      "16 bytes");
}

/* a List output of @n keys, each entry padded to 4; returns its length */
static uint32_t put_list(uint8_t *b, uint32_t count, const char *const *keys,
			 unsigned int n)
{
	uint32_t pos = 4, i;

	memset(b, 0xa5, 512);
	b[0] = (uint8_t)count;
	b[1] = (uint8_t)(count >> 8);
	b[2] = (uint8_t)(count >> 16);
	b[3] = (uint8_t)(count >> 24);
	for (i = 0; i < n; i++) {
		size_t l = strlen(keys[i]);

		b[pos] = (uint8_t)l;
		b[pos + 1] = 0;
		memcpy(b + pos + 2, keys[i], l);
		pos += kv_list_entry_size((unsigned int)l);
	}
	return pos;
}

static void test_list_parse(void)
{
	static const char *const keys[] = { "a", "ab", "abc",
					    "abcdefghijklmnop", "b" };
	struct kv_list_entry e[8];
	uint8_t b[512];
	uint32_t len, bad;

	CHECK_EQ(kv_list_entry_size(1), 4);
	CHECK_EQ(kv_list_entry_size(2), 4);
	CHECK_EQ(kv_list_entry_size(3), 8);
	CHECK_EQ(kv_list_entry_size(6), 8);
	CHECK_EQ(kv_list_entry_size(7), 12);
	CHECK_EQ(kv_list_entry_size(16), 20);

	len = put_list(b, 5, keys, 5);
	CHECK_EQ(len, 4 + 4 + 4 + 8 + 20 + 4);
	CHECK_EQ(kv_list_parse(b, len, e, 8, NULL), 5);
	CHECK(e[0].len == 1 && !memcmp(e[0].key, "a", 1), "entry 0");
	CHECK(e[2].len == 3 && !memcmp(e[2].key, "abc", 3), "entry 2");
	CHECK(e[3].len == 16 && !memcmp(e[3].key, "abcdefghijklmnop", 16),
	      "entry 3");
	CHECK(e[4].len == 1 && e[4].key[0] == 'b', "entry 4");
	/* out holds fewer than the count: the count is still returned */
	memset(e, 0, sizeof(e));
	CHECK_EQ(kv_list_parse(b, len, e, 2, NULL), 5);
	CHECK(e[2].len == 0, "nothing past max written");
	CHECK_EQ(kv_list_parse(b, len, NULL, 0, NULL), 5);
	/* the last entry one byte short of the buffer */
	bad = 0;
	CHECK_EQ(kv_list_parse(b, len - 1, e, 8, &bad), -EINVAL);
	CHECK_EQ(bad, len - 4);
	/* an empty list; a buffer of the count alone */
	len = put_list(b, 0, keys, 0);
	CHECK_EQ(kv_list_parse(b, 4, e, 8, NULL), 0);
	CHECK_EQ(kv_list_parse(b, 3, e, 8, NULL), -EINVAL);
	/* a count that cannot fit */
	len = put_list(b, 2, keys, 1);
	CHECK_EQ(kv_list_parse(b, 8, e, 8, &bad), -EINVAL);
	CHECK_EQ(kv_list_parse(b, 12, e, 8, &bad),
		 -EINVAL); /* entry 2 is 0xa5 garbage */
	CHECK_EQ(bad, 8);
	len = put_list(b, 0xffffffffu, keys, 1);
	CHECK_EQ(kv_list_parse(b, 512, e, 8, &bad), -EINVAL);
	CHECK_EQ(bad, 0);
	/* key lengths 0 and 17 */
	len = put_list(b, 1, keys, 1);
	b[4] = 0;
	CHECK_EQ(kv_list_parse(b, 64, e, 8, &bad), -EINVAL);
	CHECK_EQ(bad, 4);
	b[4] = 17;
	CHECK_EQ(kv_list_parse(b, 64, e, 8, &bad), -EINVAL);
	b[4] = 1;
	b[5] = 1; /* length 257 */
	CHECK_EQ(kv_list_parse(b, 64, e, 8, &bad), -EINVAL);
	b[5] = 0;
	CHECK_EQ(kv_list_parse(b, 64, e, 8, &bad), 1);
	/* exactly k entries fit */
	len = put_list(b, 3, keys, 3);
	CHECK_EQ(len, 20);
	CHECK_EQ(kv_list_parse(b, 20, e, 8, NULL), 3);
	CHECK_EQ(kv_list_parse(b, 19, e, 8, NULL), -EINVAL);
}

int main(void)
{
	test_std_vectors();
	test_build();
	test_names();
	test_key_order();
	test_list_parse();
	return test_report("test_kvlib");
}
