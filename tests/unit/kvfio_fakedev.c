// SPDX-License-Identifier: GPL-2.0
/*
 * kvfio_fakedev.c - an LD_PRELOAD shim that makes /dev/zero answer the
 * NVMe passthrough ioctls like the nvmev-kv device's vendor KV commands
 * (Store 0x81, Retrieve 0x90, Delete 0xA1; statuses 0x303, 0x310, 0x001),
 * in memory, so test_kvfio_engine can run fio with tools/out/kvfio.so
 * (kv_sync=1) on a machine without the device. Length coding from
 * FAKEDEV_CODING=bytes|samsung (default bytes). Not thread-safe beyond
 * what fio's jobs need: run them one at a time (stonewall) with --thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/nvme_ioctl.h>

#define NENT 8192

struct ent {
	uint32_t key[4];
	uint32_t klen;
	uint32_t len;
	uint8_t *val;
	int used;
};

static struct ent tab[NENT];

static struct ent *find(const uint32_t key[4], uint32_t klen, int create)
{
	struct ent *free_ent = NULL;
	int i;

	for (i = 0; i < NENT; i++) {
		if (tab[i].used && tab[i].klen == klen && !memcmp(tab[i].key, key, 16))
			return &tab[i];
		if (!tab[i].used && !free_ent)
			free_ent = &tab[i];
	}
	if (!create || !free_ent)
		return NULL;
	memset(free_ent, 0, sizeof(*free_ent));
	free_ent->used = 1;
	memcpy(free_ent->key, key, 16);
	free_ent->klen = klen;
	return free_ent;
}

static int is_fake(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5);
}

static int kv_cmd(struct nvme_passthru_cmd64 *c)
{
	const char *coding = getenv("FAKEDEV_CODING");
	int samsung = coding && !strcmp(coding, "samsung");
	uint32_t key[4] = { c->cdw12, c->cdw13, c->cdw14, c->cdw15 };
	uint32_t klen = (c->cdw11 & 0xff) + (samsung ? 1 : 0);
	uint32_t len = samsung ? c->cdw10 * 4 - ((c->cdw11 >> 16) & 3) : c->cdw10;
	void *buf = (void *)(uintptr_t)c->addr;
	struct ent *e;

	c->result = 0;
	if (klen < 1 || klen > 16)
		return 0x4303;
	switch (c->opcode) {
	case 0x81:
		if (!len || c->data_len < len)
			return 0x4301;
		e = find(key, klen, 1);
		if (!e)
			return 0x4312;
		free(e->val);
		e->val = malloc(len);
		if (!e->val) {
			e->used = 0;
			return 0x4312;
		}
		memcpy(e->val, buf, len);
		e->len = len;
		return 0;
	case 0x90:
		e = find(key, klen, 0);
		if (!e)
			return 0x4310;
		memcpy(buf, e->val, e->len < len ? e->len : len);
		c->result = e->len;
		return 0;
	case 0xa1:
		e = find(key, klen, 0);
		if (!e)
			return 0x4310;
		free(e->val);
		memset(e, 0, sizeof(*e));
		return 0;
	}
	return 0x4001;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (is_fake(fd)) {
		if (req == NVME_IOCTL_ID)
			return 1;
		if (req == NVME_IOCTL_IO64_CMD)
			return kv_cmd(arg);
	}
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real(fd, req, arg);
}
