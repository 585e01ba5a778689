// SPDX-License-Identifier: GPL-2.0
/*
 * kvuring_lib.c - io_uring passthrough helpers; see kvuring_lib.h.
 */
#include "kvuring_lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

int kvu_open_ng(const char *path)
{
	char ng[64];
	unsigned int c, n;
	int fd;

	if (sscanf(path, "/dev/nvme%un%u", &c, &n) == 2) {
		snprintf(ng, sizeof(ng), "/dev/ng%un%u", c, n);
		path = ng;
	}
	fd = open(path, O_RDWR);
	return fd < 0 ? -errno : fd;
}

int kvu_ring_init(struct io_uring *ring, unsigned int entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	return io_uring_queue_init_params(entries, ring, &p);
}

int kvu_queue(struct io_uring *ring, int fd, const struct nvme_passthru_cmd64 *c,
	      uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct nvme_uring_cmd *uc;

	if (!sqe)
		return -EBUSY;
	memset(sqe, 0, 2 * sizeof(*sqe)); /* a 128-byte SQE */
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = NVME_URING_CMD_IO;
	sqe->user_data = user_data;
	uc = (struct nvme_uring_cmd *)sqe->cmd;
	uc->opcode = c->opcode;
	uc->nsid = c->nsid;
	uc->cdw2 = c->cdw2;	/* key bytes 0-7 of the KV command set */
	uc->cdw3 = c->cdw3;
	uc->addr = c->addr;
	uc->data_len = c->data_len;
	uc->cdw10 = c->cdw10;
	uc->cdw11 = c->cdw11;
	uc->cdw12 = c->cdw12;
	uc->cdw13 = c->cdw13;
	uc->cdw14 = c->cdw14;
	uc->cdw15 = c->cdw15;
	return 0;
}
