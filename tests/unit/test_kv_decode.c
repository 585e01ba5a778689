// SPDX-License-Identifier: GPL-2.0
/*
 * test_kv_decode.c - kv_decode() against ../shared/vectors/kv_decode.tsv
 * (every row) and at the edges of every field, in both codings;
 * kv_std_decode() (the NVMe KV Command Set) against kv_std_decode.tsv and
 * at its edges; and kv_timing_op() for every opcode of both sets.
 */
#include "kv_ftl.h"
#include "test_util.h"

#define MAXV KV_MAX_VALUE_SIZE

static u32 parse_u32(const char *s)
{
	return (u32)strtoul(s, NULL, 0);
}

static void sqe_key(u32 cdw[16], const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 16; i++)
		cdw[12 + i / 4] |= (u32)(u8)key[i] << (8 * (i % 4));
}

static void check_row(char **f, int lineno)
{
	enum kv_coding coding = strcmp(f[0], "samsung") ? KV_CODING_BYTES :
							  KV_CODING_SAMSUNG;
	u32 cdw[16] = { 0 };
	struct kv_cmd cmd;
	u16 sc, want;
	int i;

	CHECK(!strcmp(f[0], "bytes") || !strcmp(f[0], "samsung"),
	      "line %d: coding %s", lineno, f[0]);
	cdw[0] = parse_u32(f[1]);
	cdw[4] = parse_u32(f[2]);
	for (i = 0; i < 6; i++)
		cdw[10 + i] = parse_u32(f[3 + i]);
	want = (u16)parse_u32(f[9]);
	sc = kv_decode(cdw, coding, &cmd);
	CHECK(sc == want, "line %d (%s): status %#x, want %#x", lineno, f[13],
	      sc, want);
	if (sc || want)
		return;
	if (strcmp(f[10], "-")) {
		CHECK(cmd.key_len == parse_u32(f[10]), "line %d: key_len %u",
		      lineno, cmd.key_len);
		for (i = 0; i < cmd.key_len; i++)
			CHECK(cmd.key[i] == (u8)(cdw[12 + i / 4] >> (8 * (i % 4))),
			      "line %d: key byte %d", lineno, i);
		for (; i < KV_MAX_KEY_LEN; i++)
			CHECK(!cmd.key[i], "line %d: key tail byte %d", lineno, i);
	}
	if (strcmp(f[11], "-"))
		CHECK(cmd.value_size == parse_u32(f[11]),
		      "line %d: value_size %u", lineno, cmd.value_size);
	if (strcmp(f[12], "-"))
		CHECK(cmd.option == parse_u32(f[12]), "line %d: option %u",
		      lineno, cmd.option);
}

/*
 * Every row of a vectors file (tab-separated, '#' comments, a header line
 * starting with @header) through @check; at least @min_rows of them.
 */
static void read_vectors(const char *name, const char *header, int nfields,
			 void (*check)(char **f, int lineno), int min_rows)
{
	char path[512], line[1024];
	int lineno = 0, rows = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, name);
	fp = fopen(path, "r");
	CHECK(fp, "cannot open %s", path);
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		char *f[16], *save = NULL, *p;
		int n = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '#' || !line[0] ||
		    !strncmp(line, header, strlen(header)))
			continue;
		for (p = strtok_r(line, "\t", &save); p && n < nfields;
		     p = strtok_r(NULL, "\t", &save))
			f[n++] = p;
		CHECK(n == nfields, "%s line %d: %d fields", name, lineno, n);
		if (n == nfields) {
			check(f, lineno);
			rows++;
		}
	}
	fclose(fp);
	CHECK(rows >= min_rows, "%s: only %d vector rows", name, rows);
	printf("  %s: %d vector rows\n", name, rows);
}

static void test_vectors(void)
{
	read_vectors("kv_decode.tsv", "coding", 14, check_row, 28);
}

static u16 dec(enum kv_coding c, u32 op, u32 cdw4, u32 cdw10, u32 cdw11,
	       struct kv_cmd *cmd)
{
	u32 cdw[16] = { 0 };

	cdw[0] = op;
	cdw[4] = cdw4;
	cdw[10] = cdw10;
	cdw[11] = cdw11;
	sqe_key(cdw, "0123456789abcdefXYZ", 16);
	return kv_decode(cdw, c, cmd);
}

static void test_key_edges(void)
{
	static const struct { u32 len; u16 sc; } e[] = {
		{ 0, 0x303 }, { 1, 0 }, { 16, 0 }, { 17, 0x303 }, { 255, 0x303 },
	};
	static const u32 ops[] = { KV_OP_STORE, KV_OP_APPEND, KV_OP_RETRIEVE,
				   KV_OP_DELETE, KV_OP_EXIST };
	struct kv_cmd cmd;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(e); i++) {
		for (j = 0; j < ARRAY_SIZE(ops); j++) {
			u16 sc = dec(KV_CODING_BYTES, ops[j], 0, 8, e[i].len, &cmd);

			CHECK(sc == e[i].sc, "bytes op %#x klen %u: %#x", ops[j],
			      e[i].len, sc);
			if (!sc)
				CHECK_EQ(cmd.key_len, e[i].len);
			/* samsung: field = len - 1; len 0 is not expressible */
			if (!e[i].len)
				continue;
			sc = dec(KV_CODING_SAMSUNG, ops[j], 0, 2, e[i].len - 1, &cmd);
			CHECK(sc == e[i].sc, "samsung op %#x klen %u: %#x", ops[j],
			      e[i].len, sc);
		}
	}
	/* samsung field 255 means 256 bytes */
	CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_STORE, 0, 2, 255, &cmd), 0x303);
	/* a 16-byte key keeps all 16 bytes */
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 8, 16, &cmd), 0);
	CHECK(!memcmp(cmd.key, "0123456789abcdef", 16), "16-byte key bytes");
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 8, 3, &cmd), 0);
	CHECK(!memcmp(cmd.key, "012\0\0\0\0\0\0\0\0\0\0\0\0", 16), "key tail zeroed");
}

static void test_value_edges(void)
{
	static const struct { u32 v; u16 sc; } b[] = {
		{ 0, 0x301 }, { 1, 0 }, { MAXV, 0 }, { MAXV + 1, 0x301 },
		{ 0xffffffff, 0x301 },
	};
	static const u32 ops[] = { KV_OP_STORE, KV_OP_APPEND, KV_OP_RETRIEVE };
	struct kv_cmd cmd;
	size_t i, j;
	u32 pad;

	for (i = 0; i < ARRAY_SIZE(b); i++)
		for (j = 0; j < ARRAY_SIZE(ops); j++) {
			u16 sc = dec(KV_CODING_BYTES, ops[j], 0, b[i].v, 4, &cmd);

			CHECK(sc == b[i].sc, "op %#x value %u: %#x", ops[j], b[i].v, sc);
			if (!sc)
				CHECK_EQ(cmd.value_size, b[i].v);
		}
	/* samsung: words * 4 - pad */
	for (j = 0; j < ARRAY_SIZE(ops); j++) {
		for (pad = 0; pad < 4; pad++) {
			CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, 0, 3 | pad << 16, &cmd),
				 0x301);
			CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, 1, 3 | pad << 16, &cmd), 0);
			CHECK_EQ(cmd.value_size, 4 - pad);
			CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, MAXV / 4,
				     3 | pad << 16, &cmd), 0);
			CHECK_EQ(cmd.value_size, MAXV - pad);
		}
		CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, MAXV / 4 + 1, 3, &cmd), 0x301);
		/* one word over the maximum minus 3 pad bytes is still too much */
		CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, MAXV / 4 + 1,
			     3 | 3 << 16, &cmd), 0x301);
		CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, 0xffffffff, 3, &cmd), 0x301);
		CHECK_EQ(dec(KV_CODING_SAMSUNG, ops[j], 0, 0x40000000, 3, &cmd), 0x301);
	}
	/* delete and exist ignore CDW10 */
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_DELETE, 0, 0xffffffff, 4, &cmd), 0);
	CHECK_EQ(cmd.value_size, 0);
	CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_EXIST, 0, 0, 3, &cmd), 0);
}

static void test_offset_edges(void)
{
	struct kv_cmd cmd;

	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_RETRIEVE, 0, 8, 4, &cmd), 0);
	CHECK_EQ(cmd.offset, 0);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_RETRIEVE, MAXV, 8, 4, &cmd), 0);
	CHECK_EQ(cmd.offset, MAXV);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_RETRIEVE, MAXV + 1, 8, 4, &cmd), 0x302);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_RETRIEVE, 0xffffffff, 8, 4, &cmd), 0x302);
	CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_RETRIEVE, MAXV + 1, 2, 3, &cmd), 0x302);
	CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_RETRIEVE, 7, 2, 3, &cmd), 0);
	CHECK_EQ(cmd.offset, 7);
	/* CDW4 means nothing to a store */
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0xffffffff, 8, 4, &cmd), 0);
	CHECK_EQ(cmd.offset, 0);
}

static void test_options(void)
{
	struct kv_cmd cmd;
	u32 opt;

	for (opt = 0; opt < 256; opt++) {
		u16 want = (opt <= 2) ? 0 : 0x304;

		CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 8, 4 | opt << 8, &cmd),
			 want);
		CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_STORE, 0, 2, 3 | opt << 8, &cmd),
			 want);
	}
}

static void test_iterate(void)
{
	struct kv_cmd cmd;
	u32 cdw[16] = { 0 };
	u32 opt;

	cdw[0] = KV_OP_ITER_CTL;
	cdw[12] = 0x64636261;
	cdw[13] = 0xffff;
	for (opt = 0; opt < 256; opt++) {
		bool open = opt & 1, close = opt & 2;
		u16 want = 0x304;

		if (opt & ~0x1f)
			want = 0x304;
		else if (open && !close && (opt & 0x0c) != 0x0c)
			want = 0;
		else if (opt == 0x02)
			want = 0;
		cdw[11] = opt << 8 | 5;
		CHECK(kv_decode(cdw, KV_CODING_BYTES, &cmd) == want,
		      "iter option %#x", opt);
	}
	cdw[11] = 0x0501;
	CHECK_EQ(kv_decode(cdw, KV_CODING_SAMSUNG, &cmd), 0);
	CHECK_EQ(cmd.prefix, 0x64636261);
	CHECK_EQ(cmd.bitmask, 0xffff);
	CHECK_EQ(cmd.option, 0x05);
	/* close: handle 1..16 */
	cdw[11] = 0x0200;
	CHECK_EQ(kv_decode(cdw, KV_CODING_BYTES, &cmd), 0x390);
	cdw[11] = 0x0211;
	CHECK_EQ(kv_decode(cdw, KV_CODING_BYTES, &cmd), 0x390);
	cdw[11] = 0x0210;
	CHECK_EQ(kv_decode(cdw, KV_CODING_BYTES, &cmd), 0);
	CHECK_EQ(cmd.handle, 16);

	/* read: handle, buffer >= 4 bytes, <= max */
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 4096, 0, &cmd), 0x390);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 4096, 17, &cmd), 0x390);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 4096, 1, &cmd), 0);
	CHECK_EQ(cmd.value_size, 4096);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 0, 1, &cmd), 0x301);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 3, 1, &cmd), 0x301);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 4, 1, &cmd), 0);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, MAXV, 1, &cmd), 0);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, MAXV + 1, 1, &cmd), 0x301);
	CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_ITER_READ, 0, 1, 2, &cmd), 0);
	CHECK_EQ(cmd.value_size, 4);
	CHECK_EQ(cmd.handle, 2);
	CHECK_EQ(dec(KV_CODING_SAMSUNG, KV_OP_ITER_READ, 0, 1, 2 | 1 << 16, &cmd),
		 0x301);
}

static void test_opcodes(void)
{
	struct kv_cmd cmd;
	u32 op;
	int valid = 0;

	for (op = 0; op < 256; op++) {
		u16 sc = dec(KV_CODING_BYTES, op, 0, 8, 4 | 1 << 8, &cmd);

		if (sc == 0x001)
			continue;
		valid++;
		CHECK(op == 0x81 || op == 0x83 || op == 0x90 || op == 0xa1 ||
		      op == 0xb1 || op == 0xb2 || op == 0xb3, "opcode %#x", op);
	}
	CHECK_EQ(valid, 7);
	/* the upper bits of CDW0 (flags, command id) are not the opcode */
	CHECK_EQ(dec(KV_CODING_BYTES, 0xabcd0081, 0, 8, 4, &cmd), 0);
	CHECK_EQ(cmd.opcode, 0x81);
	CHECK_EQ(dec(7, KV_OP_STORE, 0, 8, 4, &cmd), 0x002);
}

/* A failed decode names the SQE byte of the bad field. */
static void test_err_loc(void)
{
	struct kv_cmd cmd;
	u32 cdw[16] = { 0 };

	CHECK_EQ(dec(KV_CODING_BYTES, 0x55, 0, 8, 4, &cmd), 0x001);
	CHECK_EQ(cmd.err_loc, 0);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 8, 17, &cmd), 0x303);
	CHECK_EQ(cmd.err_loc, 44);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 0, 4, &cmd), 0x301);
	CHECK_EQ(cmd.err_loc, 40);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 8, 0x304, &cmd), 0x304);
	CHECK_EQ(cmd.err_loc, 45);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_RETRIEVE, MAXV + 1, 8, 4, &cmd), 0x302);
	CHECK_EQ(cmd.err_loc, 16);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_ITER_READ, 0, 8, 0, &cmd), 0x390);
	CHECK_EQ(cmd.err_loc, 44);
	cdw[0] = KV_OP_ITER_CTL;
	cdw[11] = 0x0300;
	CHECK_EQ(kv_decode(cdw, KV_CODING_BYTES, &cmd), 0x304);
	CHECK_EQ(cmd.err_loc, 45);
	CHECK_EQ(dec(KV_CODING_BYTES, KV_OP_STORE, 0, 8, 4, &cmd), 0);
	CHECK_EQ(cmd.err_loc, 0);
}

/*
 * Every KV opcode maps to its timing-model kind with the sizes the model
 * needs; the key hash is stable and depends on every key byte and the
 * length (a store and a retrieve of one key read the same dies).
 */
static void test_timing_op(void)
{
	static const struct {
		u8 opcode;
		enum nvmev_timing_kind kind;
		bool sized;
	} map[] = {
		{ 0x81, NVMEV_TIMING_STORE, true },
		{ 0x83, NVMEV_TIMING_STORE, true },
		{ 0x90, NVMEV_TIMING_RETRIEVE, true },
		{ 0xa1, NVMEV_TIMING_DELETE, false },
		{ 0xb1, NVMEV_TIMING_ITER_CTL, false },
		{ 0xb2, NVMEV_TIMING_ITER_READ, true },
		{ 0xb3, NVMEV_TIMING_EXIST, false },
	};
	struct kv_cmd cmd = { 0 }, other;
	struct nvmev_timing_op op;
	size_t i;

	cmd.key_len = 8;
	memcpy(cmd.key, "abcdefgh", 8);
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		cmd.opcode = map[i].opcode;
		cmd.desc = kv_cmd_find(&kv_vendor_set, cmd.opcode);
		cmd.value_size = 4096;
		kv_timing_op(&cmd, 77, &op);
		CHECK_EQ(op.kind, map[i].kind);
		CHECK_EQ(op.value_bytes, map[i].sized ? 4096u : 0u);
		CHECK_EQ(op.xfer_bytes, map[i].sized ? 4096u : 0u);
		CHECK_EQ(op.live_keys, 77u);
	}
	cmd.opcode = 0x81;
	cmd.desc = kv_cmd_find(&kv_vendor_set, cmd.opcode);
	kv_timing_op(&cmd, 0, &op);
	other = cmd;
	other.opcode = 0x90;
	CHECK_EQ(kv_key_hash(&other), op.key_hash);
	other.key[7] ^= 1;
	CHECK(kv_key_hash(&other) != op.key_hash, "hash depends on the last byte");
	other = cmd;
	other.key_len = 7;
	CHECK(kv_key_hash(&other) != op.key_hash, "hash depends on the length");
}

/* ---- the NVMe KV Command Set (namespace 2) ----------------------------- */

static void check_std_row(char **f, int lineno)
{
	u32 cdw[16] = { 0 };
	struct kv_cmd cmd;
	u16 sc, want;
	int i;

	cdw[0] = parse_u32(f[0]);
	cdw[2] = parse_u32(f[1]);
	cdw[3] = parse_u32(f[2]);
	cdw[10] = parse_u32(f[3]);
	cdw[11] = parse_u32(f[4]);
	cdw[14] = parse_u32(f[5]);
	cdw[15] = parse_u32(f[6]);
	want = (u16)parse_u32(f[7]);
	sc = kv_std_decode(cdw, &cmd);
	CHECK(sc == want, "std line %d (%s): status %#x, want %#x", lineno,
	      f[11], sc, want);
	if (sc || want)
		return;
	if (strcmp(f[8], "-")) {
		CHECK(cmd.key_len == parse_u32(f[8]), "std line %d: key_len %u",
		      lineno, cmd.key_len);
		for (i = 0; i < cmd.key_len; i++) {
			u32 dw = i < 8 ? cdw[2 + i / 4] : cdw[14 + (i - 8) / 4];

			CHECK(cmd.key[i] == (u8)(dw >> (8 * (i % 4))),
			      "std line %d: key byte %d", lineno, i);
		}
		for (; i < KV_MAX_KEY_LEN; i++)
			CHECK(!cmd.key[i], "std line %d: key tail byte %d",
			      lineno, i);
	}
	if (strcmp(f[9], "-"))
		CHECK(cmd.value_size == parse_u32(f[9]),
		      "std line %d: value_size %u", lineno, cmd.value_size);
	if (strcmp(f[10], "-"))
		CHECK(cmd.option == parse_u32(f[10]), "std line %d: option %u",
		      lineno, cmd.option);
}

static void test_std_vectors(void)
{
	read_vectors("kv_std_decode.tsv", "opcode", 12, check_std_row, 22);
}

static u16 std_dec(u32 op, u32 cdw10, u32 cdw11, struct kv_cmd *cmd)
{
	u32 cdw[16] = { 0 };

	cdw[0] = op;
	cdw[2] = 0x33323130; /* "0123456789abcdef" */
	cdw[3] = 0x37363534;
	cdw[14] = 0x62613938;
	cdw[15] = 0x66656463;
	cdw[10] = cdw10;
	cdw[11] = cdw11;
	cdw[12] = 0xffffffff; /* the vendor key field: not this set's key */
	cdw[13] = 0xffffffff;
	return kv_std_decode(cdw, cmd);
}

/* Key length: 0 is per command, above 16 an Invalid Field everywhere. */
static void test_std_key_edges(void)
{
	static const struct {
		u8 op;
		u16 zero;
	} z[] = {
		{ KV_STD_STORE, 0x086 }, { KV_STD_RETRIEVE, 0x086 },
		{ KV_STD_LIST, 0 },	 { KV_STD_DELETE, 0x002 },
		{ KV_STD_EXIST, 0x002 },
	};
	struct kv_cmd cmd;
	u32 len;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(z); i++) {
		CHECK(std_dec(z[i].op, 4096, 0, &cmd) == z[i].zero,
		      "std op %#x key length 0", z[i].op);
		for (len = 1; len <= 16; len++) {
			CHECK(std_dec(z[i].op, 4096, len, &cmd) == 0,
			      "std op %#x key length %u", z[i].op, len);
			CHECK(!memcmp(cmd.key, "0123456789abcdef", len),
			      "std key bytes from CDW2-3, CDW14-15");
		}
		for (len = 17; len < 256; len++)
			CHECK(std_dec(z[i].op, 4096, len, &cmd) == 0x002,
			      "std op %#x key length %u", z[i].op, len);
		CHECK_EQ(cmd.err_loc, 44);
	}
}

static void test_std_sizes_and_options(void)
{
	struct kv_cmd cmd;
	u32 opt;

	/* Store: value 0..2 MiB; above: Invalid Value Size at CDW10 */
	CHECK_EQ(std_dec(KV_STD_STORE, 0, 4, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_STORE, MAXV, 4, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_STORE, MAXV + 1, 4, &cmd), 0x085);
	CHECK_EQ(cmd.err_loc, 40);
	CHECK_EQ(std_dec(KV_STD_STORE, 0xffffffff, 4, &cmd), 0x085);
	/* Retrieve: any buffer up to one maximum transfer, 0 included */
	CHECK_EQ(std_dec(KV_STD_RETRIEVE, 0, 4, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_RETRIEVE, MAXV, 4, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_RETRIEVE, MAXV + 1, 4, &cmd), 0x002);
	/* List: room for the count at least */
	CHECK_EQ(std_dec(KV_STD_LIST, 3, 0, &cmd), 0x002);
	CHECK_EQ(std_dec(KV_STD_LIST, 4, 0, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_LIST, MAXV, 0, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_LIST, MAXV + 1, 0, &cmd), 0x002);
	/* Delete and Exist carry no data: CDW10 is ignored */
	CHECK_EQ(std_dec(KV_STD_DELETE, 0xffffffff, 4, &cmd), 0);
	CHECK_EQ(std_dec(KV_STD_EXIST, 0xffffffff, 4, &cmd), 0);
	for (opt = 0; opt < 256; opt++) {
		u16 st = (opt & ~7u) || (opt & 3) == 3 ? 0x002 : 0;
		u16 rt = opt > 1 ? 0x002 : 0;

		CHECK(std_dec(KV_STD_STORE, 8, 4 | opt << 8, &cmd) == st,
		      "std store option %#x", opt);
		CHECK(std_dec(KV_STD_RETRIEVE, 8, 4 | opt << 8, &cmd) == rt,
		      "std retrieve option %#x", opt);
	}
	CHECK_EQ(std_dec(KV_STD_STORE, 8, 4 | 3 << 8, &cmd), 0x002);
	CHECK_EQ(cmd.err_loc, 45);
}

/* Exactly the five commands of the set and Flush; no vendor opcode. */
static void test_std_opcodes(void)
{
	struct kv_cmd cmd;
	u32 op;
	int valid = 0;

	for (op = 0; op < 256; op++) {
		u16 sc = std_dec(op, 8, 4, &cmd);

		if (sc == 0x001) {
			CHECK_EQ(cmd.err_loc, 0);
			continue;
		}
		valid++;
		CHECK(op == 0x00 || op == 0x01 || op == 0x02 || op == 0x06 ||
			      op == 0x10 || op == 0x14,
		      "std opcode %#x", op);
		CHECK(cmd.desc && cmd.desc->io.opcode == op, "std desc %#x",
		      op);
	}
	CHECK_EQ(valid, 6);
	/* and the vendor set knows none of them */
	for (op = 0; op < 0x80; op++)
		CHECK(!kv_cmd_find(&kv_vendor_set, (u8)op), "vendor %#x", op);
}

/*
 * One table per set: every row names a distinct statistics slot and
 * opcode, is supported in the effects log, and costs something.
 */
static void test_tables(void)
{
	const struct kv_cmd_set *sets[] = { &kv_vendor_set, &kv_std_set };
	bool slot_used[NVMEV_STAT_OPS] = { false };
	size_t s, i, j;

	for (s = 0; s < ARRAY_SIZE(sets); s++) {
		const struct kv_cmd_set *set = sets[s];

		for (i = 0; i < set->nr_cmds; i++) {
			const struct kv_cmd_desc *d = &set->cmds[i];

			CHECK(d->set == set, "%s row %zu: its set", set->name,
			      i);
			CHECK(d->io.slot < NVMEV_SLOT_OTHER &&
				      !slot_used[d->io.slot],
			      "%s row %zu: slot %u", set->name, i, d->io.slot);
			slot_used[d->io.slot] = true;
			CHECK(d->io.effects & NVMEV_EFFECTS_CSUPP, "%s: CSUPP",
			      d->io.name);
			CHECK(d->decode && d->execute && d->io.name,
			      "%s: hooks", set->name);
			CHECK(d->cost < NVMEV_TIMING_NR_KINDS &&
				      d->cost != NVMEV_TIMING_ERROR,
			      "%s: cost", d->io.name);
			CHECK(d->stat < KV_STAT_FAILED, "%s: stat", d->io.name);
			for (j = 0; j < i; j++)
				CHECK(set->cmds[j].io.opcode != d->io.opcode,
				      "%s: opcode %#x twice", set->name,
				      d->io.opcode);
		}
	}
	CHECK_EQ(kv_std_set.csi, NVMEV_CSI_KV);
	CHECK_EQ(kv_vendor_set.csi, NVMEV_CSI_NVM);
}

static void test_std_timing_op(void)
{
	static const struct {
		u8 opcode;
		enum nvmev_timing_kind kind;
		bool sized;
	} map[] = {
		{ KV_STD_STORE, NVMEV_TIMING_STORE, true },
		{ KV_STD_RETRIEVE, NVMEV_TIMING_RETRIEVE, true },
		{ KV_STD_LIST, NVMEV_TIMING_ITER_READ, true },
		{ KV_STD_DELETE, NVMEV_TIMING_DELETE, false },
		{ KV_STD_EXIST, NVMEV_TIMING_EXIST, false },
		{ KV_STD_FLUSH, NVMEV_TIMING_BLK_FLUSH, false },
	};
	struct nvmev_timing_op op, vop;
	struct kv_cmd cmd, vcmd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		CHECK_EQ(std_dec(map[i].opcode, 4096, 8, &cmd), 0);
		kv_timing_op(&cmd, 5, &op);
		CHECK_EQ(op.kind, map[i].kind);
		CHECK_EQ(op.value_bytes, map[i].sized ? 4096u : 0u);
		CHECK_EQ(op.live_keys, 5u);
	}
	/* a key placed by the standard set sits where the vendor set's would */
	CHECK_EQ(std_dec(KV_STD_STORE, 8, 8, &cmd), 0);
	kv_timing_op(&cmd, 0, &op);
	vcmd = cmd;
	vcmd.desc = kv_cmd_find(&kv_vendor_set, KV_OP_STORE);
	kv_timing_op(&vcmd, 0, &vop);
	CHECK_EQ(op.key_hash, vop.key_hash);
}

int main(void)
{
	test_vectors();
	test_key_edges();
	test_value_edges();
	test_offset_edges();
	test_options();
	test_iterate();
	test_opcodes();
	test_err_loc();
	test_timing_op();
	test_std_vectors();
	test_std_key_edges();
	test_std_sizes_and_options();
	test_std_opcodes();
	test_tables();
	test_std_timing_op();
	return test_report("test_kv_decode");
}
