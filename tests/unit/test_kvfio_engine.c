// SPDX-License-Identifier: GPL-2.0
/*
 * test_kvfio_engine.c - the fio engine (tools/out/kvfio.so) inside the
 * installed fio, without the device: /dev/zero answers the KV passthrough
 * ioctls through an LD_PRELOAD shim (kvfio_fakedev.c, an in-memory store
 * with the device's statuses), so the engine's side of the contract is
 * checked on every `make unit`: fio's verify=crc32c passes after a write
 * phase and fails on a value written behind its back; trim deletes, a read
 * of a deleted key fails with EIO and the engine's message, a second trim
 * is not an error; both codings (and the wrong one fails); a value of
 * another size fails; binary keys; every refused option or file says why.
 * The io_uring path goes as far as /dev/zero lets it (its uring_cmd
 * answers EOPNOTSUPP, which must reach fio as an I/O error); the VM suite
 * t_fio runs it against the real device.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_util.h"

#ifndef NVMEV_REPO
#error "build with -DNVMEV_REPO=<repository> (tests/Makefile does)"
#endif
#ifndef KVFIO_FAKEDEV
#error "build with -DKVFIO_FAKEDEV=<shim.so> (tests/Makefile does)"
#endif

#define KVFIO NVMEV_REPO "/tools/out/kvfio.so"

static char out[1 << 17];
static int rc;

/* fio with the engine on the fake device; output in out[], exit status in rc */
static void fio(const char *env, const char *args)
{
	char cmd[4096];
	size_t n = 0, r;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "%s LD_PRELOAD=%s fio --thread --ioengine=external:%s "
		 "--filename=/dev/zero --kv_sync=1 --output-format=normal,terse "
		 "--terse-version=3 --verify_state_save=0 %s 2>&1",
		 env ? env : "", KVFIO_FAKEDEV, KVFIO, args);
	out[0] = 0;
	p = popen(cmd, "r");
	if (!p) {
		rc = -1;
		return;
	}
	while (n < sizeof(out) - 1 && (r = fread(out + n, 1, sizeof(out) - 1 - n, p)) > 0)
		n += r;
	out[n] = 0;
	st = pclose(p);
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* field @n (1-based) of the first terse v3 line, or "" */
static const char *terse(int n)
{
	static char f[64];
	const char *l = strstr(out, "\n3;");
	int i;

	f[0] = 0;
	if (!strncmp(out, "3;", 2))
		l = out;
	else if (l)
		l++;
	else
		return f;
	for (i = 1; i < n; i++) {
		l = strchr(l, ';');
		if (!l)
			return f;
		l++;
	}
	snprintf(f, sizeof(f), "%.*s", (int)strcspn(l, ";\n"), l);
	return f;
}

#define HAS(s) CHECK(strstr(out, s) != NULL, "'%s' not in the output:\n%s", s, out)
#define PASSED() CHECK(rc == 0 && !strcmp(terse(5), "0"), "fio exit %d, error %s:\n%s", rc, terse(5), out)
#define FAILED() CHECK(rc != 0 || strcmp(terse(5), "0"), "fio succeeded:\n%s", out)

static void test_verify(void)
{
	fio(NULL, "--name=v --rw=randwrite --bs=4k --size=1m --verify=crc32c --do_verify=1");
	PASSED();
	CHECK(!strcmp(terse(6), "1024") && !strcmp(terse(47), "1024"),
	      "read %s KiB, written %s KiB, want 1024 each", terse(6), terse(47));

	/* binary keys, another checksum, the block node's path through ioctls */
	fio(NULL, "--name=b --rw=write --bs=8k --size=512k --kv_key_format=binary "
		  "--kv_key_len=9 --kv_key_prefix=f --verify=md5 --do_verify=1");
	PASSED();
}

/* A value fio did not write must fail its verify (a store of the right size). */
static void test_verify_catches(void)
{
	fio(NULL, "--bs=4k --size=256k --name=kvverify --rw=randwrite --verify=crc32c --do_verify=1 "
		  "--name=kvverify --stonewall --rw=randwrite --verify=crc32c --verify_only=1");
	PASSED();
	fio(NULL, "--bs=4k --size=256k --name=kvverify --rw=randwrite --verify=crc32c --do_verify=1 "
		  "--name=clobber --stonewall --rw=write --offset=12288 --size=4k --buffer_pattern=0xdeadbeef "
		  "--name=kvverify --stonewall --rw=randwrite --verify=crc32c --verify_only=1");
	FAILED();
	HAS("verify: bad magic header");
	HAS("offset 12288, length 4096");
}

static void test_trim(void)
{
	fio(NULL, "--bs=4k --size=256k --name=w --rw=write --name=t --stonewall --rw=trim "
		  "--name=r --stonewall --rw=read");
	FAILED();
	HAS("kvfio: r: retrieve of key 'fio0000000000000' (offset 0, 4096 bytes): key does not exist (status 0x310)");
	HAS("Input/output error");

	fio(NULL, "--bs=4k --size=256k --name=w --rw=write --name=t --stonewall --rw=trim "
		  "--name=r --stonewall --rw=read --continue_on_error=read "
		  "--name=t2 --stonewall --rw=trim");
	HAS("kvfio: r: 64 retrieves of missing keys");
	HAS("(further ones counted only)");
	HAS("kvfio: t2: 64 deletes of missing keys (not errors)");
	CHECK(!strstr(out, "kvfio: t: "), "the first trim found missing keys:\n%s", out);
}

static void test_codings(void)
{
	fio("FAKEDEV_CODING=samsung", "--name=s --kv_coding=samsung --rw=randwrite --bs=4k "
				      "--size=256k --verify=crc32c --do_verify=1");
	PASSED();
	/* bytes on a samsung device: key length 16 reads as 17 */
	fio("FAKEDEV_CODING=samsung", "--name=s --kv_coding=bytes --rw=write --bs=4k --size=16k");
	FAILED();
	HAS("kvfio: s: store of key 'fio0000000000000' (offset 0, 4096 bytes): invalid key size (status 0x303, DNR)");
	/* and samsung on a bytes device: key length 15 */
	fio(NULL, "--name=s --kv_coding=samsung --rw=write --bs=4k --size=16k "
		  "--verify=crc32c --do_verify=1");
	FAILED();
}

static void test_value_size(void)
{
	fio(NULL, "--size=64k --name=w --rw=write --bs=8k --name=r --stonewall --rw=read --bs=4k");
	FAILED();
	HAS("the value is 8192 bytes, the read 4096");
	HAS("kvfio: r: 1 retrieves of a value of another size");
	/* a shorter value would leave the rest of fio's buffer stale */
	fio(NULL, "--size=64k --name=w --rw=write --bs=4k --name=r --stonewall --rw=read --bs=8k");
	FAILED();
	HAS("the value is 4096 bytes, the read 8192");
}

static void test_refusals(void)
{
	char tmpl[] = "/tmp/kvfio-regular-XXXXXX", args[256];
	int fd;

	fio(NULL, "--name=k --rw=write --size=1m --kv_key_len=4");
	FAILED();
	HAS("do not fit in a 4-byte key after the 3-byte prefix (at most 15)");

	fio(NULL, "--name=k --rw=write --size=1m --kv_key_prefix=0123456789abcdef");
	FAILED();
	HAS("leaves no room for the offset");

	fio(NULL, "--name=k --rw=write --size=1m --bs=4001");
	FAILED();
	HAS("a value must be a multiple of 4 bytes");

	fio(NULL, "--name=k --rw=write --size=4m --bs=4m");
	FAILED();
	HAS("at most 2097152");

	fio(NULL, "--name=k --rw=write");
	FAILED();
	HAS("set size=");

	fio(NULL, "--name=k --rw=write --size=1m --kv_key_len=17");
	FAILED();

	/* a regular file: refused before fio lays it out */
	fd = mkstemp(tmpl);
	CHECK(fd >= 0, "mkstemp");
	if (fd >= 0) {
		close(fd);
		snprintf(args, sizeof(args), "--name=k --rw=write --size=1m --filename=%s", tmpl);
		fio(NULL, args);
		FAILED();
		HAS("not an NVMe namespace device");
		fd = open(tmpl, 0);
		CHECK(fd >= 0 && lseek(fd, 0, SEEK_END) == 0, "fio wrote into %s", tmpl);
		if (fd >= 0)
			close(fd);
		unlink(tmpl);
	}
}

/* io_uring: /dev/zero's uring_cmd answers EOPNOTSUPP; fio must see it. */
static void test_uring_error(void)
{
	fio(NULL, "--name=a --kv_sync=0 --iodepth=4 --rw=write --bs=4k --size=64k");
	FAILED();
	CHECK(strstr(out, "kvfio: a: store of key 'fio0000000000000' (offset 0, 4096 bytes): Operation not supported") ||
	      strstr(out, "kvfio: io_uring with 128-byte SQEs"),
	      "no engine message for the failed io_uring command:\n%s", out);
}

int main(void)
{
	if (access(KVFIO, R_OK) || access(KVFIO_FAKEDEV, R_OK)) {
		fprintf(stderr, "test_kvfio_engine: %s or %s missing (tests/Makefile builds them)\n",
			KVFIO, KVFIO_FAKEDEV);
		return 1;
	}
	test_verify();
	test_verify_catches();
	test_trim();
	test_codings();
	test_value_size();
	test_refusals();
	test_uring_error();
	return test_report("test_kvfio_engine");
}
