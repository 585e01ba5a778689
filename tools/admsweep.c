// SPDX-License-Identifier: GPL-2.0
/*
 * admsweep - admin command sweeps through the real Linux driver
 * (NVME_IOCTL_ADMIN_CMD), one process instead of a fork per command:
 *
 *   admsweep features /dev/nvmeX   every FID 0..255: Get Features (SEL 0),
 *                                  then Set Features with the value just read
 *                                  (Timestamp: the 8 bytes just read), so the
 *                                  sweep changes nothing; unknown FIDs: Set 0
 *   admsweep logs /dev/nvmeX       every LID 0..255: Get Log Page, 512 bytes
 *
 * One line per command: "get FID STATUS", "set FID STATUS", "log LID
 * STATUS", STATUS as 0x%x of the NVMe status (DNR included), or
 * "refused" (EACCES/EPERM: the host driver's own choice) or "errno:N".
 * t_admin.sh compares them with the tables it keeps beside admin.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

static int fd;

static void report(const char *what, unsigned int id, int rc)
{
	if (rc >= 0)
		printf("%s %u 0x%x\n", what, id, rc);
	else if (errno == EACCES || errno == EPERM)
		printf("%s %u refused\n", what, id);
	else
		printf("%s %u errno:%d\n", what, id, errno);
}

static int admin(uint8_t opcode, uint32_t nsid, uint32_t cdw10, uint32_t cdw11,
		 void *buf, uint32_t len, uint32_t *result)
{
	struct nvme_admin_cmd c = {
		.opcode = opcode,
		.nsid = nsid,
		.cdw10 = cdw10,
		.cdw11 = cdw11,
		.addr = (uintptr_t)buf,
		.data_len = len,
		.timeout_ms = 10000,
	};
	int rc = ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c);

	if (result)
		*result = c.result;
	return rc;
}

static void features(void)
{
	unsigned int fid;

	for (fid = 0; fid < 256; fid++) {
		uint8_t ts[8] = { 0 };
		uint32_t dw0 = 0;
		int rc;

		rc = admin(0x0a, 0, fid, 0, fid == 0x0e ? ts : NULL,
			   fid == 0x0e ? sizeof(ts) : 0, &dw0);
		report("get", fid, rc);
		if (rc)
			dw0 = 0;
		rc = admin(0x09, 0, fid, dw0, fid == 0x0e ? ts : NULL,
			   fid == 0x0e ? sizeof(ts) : 0, NULL);
		report("set", fid, rc);
	}
}

static void logs(void)
{
	static uint8_t buf[512];
	unsigned int lid;

	for (lid = 0; lid < 256; lid++)
		report("log", lid,
		       admin(0x02, 0xffffffff, lid | 127u << 16, 0, buf,
			     sizeof(buf), NULL));
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "features") && strcmp(argv[1], "logs"))) {
		fprintf(stderr, "usage: admsweep features|logs /dev/nvmeX\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "features"))
		features();
	else
		logs();
	close(fd);
	return 0;
}
