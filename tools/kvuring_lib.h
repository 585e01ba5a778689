/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvuring_lib.h - io_uring passthrough for the KV commands: IORING_OP_URING_CMD
 * with NVME_URING_CMD_IO on the generic char device /dev/ngXnY, 128-byte
 * SQEs and 32-byte CQEs. Shared by kvuring, kvlat, kvbench and kvfio.so; the command
 * itself is built by kvlib (kv_build(), kv_build_iter_*()).
 */
#ifndef KVURING_LIB_H
#define KVURING_LIB_H

#include <liburing.h>
#include <stdint.h>

struct nvme_passthru_cmd64;

/*
 * Open the generic char node of a namespace: /dev/nvmeCnN is mapped to
 * /dev/ngCnN (uring_cmd is served by the char node), anything else is
 * opened as given. Returns the fd or -errno.
 */
int kvu_open_ng(const char *path);

/* A ring of @entries 128-byte SQEs / 32-byte CQEs; 0 or -errno. */
int kvu_ring_init(struct io_uring *ring, unsigned int entries);

/*
 * Queue @c (from kv_build) as one NVME_URING_CMD_IO on @fd with
 * @user_data; not submitted yet. -EBUSY when the SQ ring is full.
 */
int kvu_queue(struct io_uring *ring, int fd, const struct nvme_passthru_cmd64 *c,
	      uint64_t user_data);

/* NVMe status of a completion as kvlib returns it: (SCT << 8 | SC), or -errno */
static inline int kvu_status(const struct io_uring_cqe *cqe)
{
	return cqe->res < 0 ? cqe->res : cqe->res & 0x7ff;
}

/* CQE DW0 (value size of a Retrieve, bytes of an iterate read, handle) */
static inline uint32_t kvu_dw0(const struct io_uring_cqe *cqe)
{
	return (uint32_t)cqe->big_cqe[0];
}

#endif /* KVURING_LIB_H */
