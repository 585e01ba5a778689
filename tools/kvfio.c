// SPDX-License-Identifier: GPL-2.0
/*
 * kvfio - a fio ioengine for the KV commands of the nvmev-kv device: the
 * vendor commands (KV_PROTOCOL.md section 1) or, with kv_csi=kv, the NVMe
 * KV Command Set on its namespace (section 3, /dev/ngXn2), loaded by fio
 * as an external engine:
 *
 *   fio --ioengine=external:tools/out/kvfio.so --filename=/dev/ng0n1 \
 *       --size=4M --bs=4k --rw=randwrite --iodepth=8 --verify=crc32c ...
 *
 * What fio does becomes:
 *   write -> Store (0x81)     the value is fio's I/O buffer
 *   read  -> Retrieve (0x90)  into fio's I/O buffer; the value must be
 *                             exactly the block size (else EIO)
 *   trim  -> Delete (0xA1)
 *   sync  -> nothing (every Store is complete when it is acknowledged)
 * The key is derived from the I/O's byte offset (tools/kvfio_key.h): so a
 * read of an offset returns what the last write there stored, and fio's
 * own verify= (crc32c, md5, pattern, ...) works across a write phase and a
 * read phase, or across jobs, as on a block device. Use one block size for
 * writes and reads of one region: a key holds one value, not sectors.
 *
 * Errors: a Retrieve of a key that was never stored (or was trimmed)
 * answers 0x310; the I/O fails with EIO and a message naming the key and
 * offset (the first 8 of each kind per job; a count at the end). A Delete
 * of a missing key is not an error (a trim of a never-written range is not
 * one on a block device either); it is counted. Capacity exceeded (0x312)
 * fails the write with ENOSPC; any other status with EIO.
 *
 * Engine options (fio --enghelp=$PWD/tools/out/kvfio.so lists them):
 *   kv_key_prefix=STR    bytes the key starts with (default "fio"; may be
 *                        empty)
 *   kv_key_len=N         key length in bytes, 1..16 (default 16)
 *   kv_key_format=hex|binary
 *                        hex (default): the offset as zero-padded hex digits
 *                        after the prefix ("fio0000000003000" for offset
 *                        0x3000); binary: big-endian bytes. The offsets of
 *                        the job must fit in what the prefix leaves.
 *   kv_sync=0|1          0 (default): asynchronous, io_uring passthrough
 *                        (IORING_OP_URING_CMD, NVME_URING_CMD_IO, 128-byte
 *                        SQEs, 32-byte CQEs) on the generic char device,
 *                        iodepth commands in flight; /dev/nvmeXnY is
 *                        replaced by /dev/ngXnY. 1: one NVME_IOCTL_IO64_CMD
 *                        ioctl per I/O (queue depth 1), on either node.
 *   kv_coding=auto|bytes|samsung
 *                        length coding of CDW10/CDW11 (kvlib.h); auto
 *                        (default) reads the loaded module's kv_coding.
 *   kv_csi=vendor|kv     vendor (default): Store 0x81, Retrieve 0x90,
 *                        Delete 0xA1 on namespace 1; kv: the NVMe KV
 *                        Command Set (Store 0x01, Retrieve 0x02, Delete
 *                        0x10, statuses 0x081..0x089) on the KV namespace
 *                        (/dev/ngXn2); a Delete of a missing key succeeds
 *                        there (EDNEK off).
 *
 * fio needs size= (the key space: size / bs keys); block sizes must be
 * multiples of 4 and at most 2 MiB. Above ~508 KiB use iomem=mmaphuge: the
 * driver maps a passthrough buffer with at most 127 segments.
 *
 * Built against the source of the installed fio (tools/Makefile; fio ships
 * no headers): fio refuses an engine of another FIO_IOOPS_VERSION.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/nvme_ioctl.h>

#include "fio.h"
#include "optgroup.h"

#include "kvlib.h"
#include "kvfio_key.h"
#include "kvuring_lib.h"

#define KVFIO_MAX_MSGS	8	/* messages per kind and job */

enum kvfio_coding_opt { KVFIO_CODING_AUTO, KVFIO_CODING_BYTES, KVFIO_CODING_SAMSUNG };

struct kvfio_options {
	void *pad;	/* fio stores the thread here; an option at offset 0 breaks parsing */
	char *key_prefix;
	unsigned int key_len;
	unsigned int key_format;
	unsigned int sync;
	unsigned int coding;
	unsigned int csi;
};

/* what a job counts, for messages and the closing summary */
enum kvfio_event {
	KVFIO_EV_MISSING,	/* Retrieve: key does not exist */
	KVFIO_EV_SIZE,		/* Retrieve: value size differs from the read */
	KVFIO_EV_DEL_MISSING,	/* Delete: key does not exist (not an error) */
	KVFIO_EV_FAILED,	/* any other failed command */
	KVFIO_EV_NR
};

/* per job (thread or process) */
struct kvfio_data {
	struct kvfio_keyfmt kf;
	enum kv_coding coding;
	enum kv_cset cset;
	bool sync;
	bool ring_ok;
	struct io_uring ring;
	unsigned int iodepth;
	unsigned int queued;	/* SQEs filled, not yet submitted */
	unsigned int inflight;	/* submitted, not yet reaped */
	struct io_u **pending;	/* the queued ones, in submission order */
	struct io_u **events;	/* reaped by the last getevents */
	uint64_t count[KVFIO_EV_NR];
};

/* per file: the namespace and coding kv_build() needs */
struct kvfio_file {
	struct kv_dev kd;
};

static struct fio_option options[] = {
	{
		.name	= "kv_key_prefix",
		.lname	= "KV key prefix",
		.type	= FIO_OPT_STR_STORE,
		.off1	= offsetof(struct kvfio_options, key_prefix),
		.def	= "fio",
		.help	= "Bytes every key starts with (the offset follows)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "kv_key_len",
		.lname	= "KV key length",
		.type	= FIO_OPT_INT,
		.off1	= offsetof(struct kvfio_options, key_len),
		.def	= "16",
		.minval	= 1,
		.maxval	= KVFIO_KEY_MAX,
		.help	= "Key length in bytes (1..16): prefix, then the offset",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "kv_key_format",
		.lname	= "KV key format",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct kvfio_options, key_format),
		.def	= "hex",
		.help	= "How the offset is spelled in the key",
		.posval = {
			  { .ival = "hex",
			    .oval = KVFIO_KEY_HEX,
			    .help = "Zero-padded lowercase hex digits",
			  },
			  { .ival = "binary",
			    .oval = KVFIO_KEY_BINARY,
			    .help = "Big-endian bytes",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "kv_sync",
		.lname	= "KV synchronous ioctls",
		.type	= FIO_OPT_BOOL,
		.off1	= offsetof(struct kvfio_options, sync),
		.def	= "0",
		.help	= "One NVME_IOCTL_IO64_CMD per I/O instead of io_uring passthrough",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "kv_coding",
		.lname	= "KV length coding",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct kvfio_options, coding),
		.def	= "auto",
		.help	= "Length coding of CDW10/CDW11",
		.posval = {
			  { .ival = "auto",
			    .oval = KVFIO_CODING_AUTO,
			    .help = "The loaded module's kv_coding parameter",
			  },
			  { .ival = "bytes",
			    .oval = KVFIO_CODING_BYTES,
			    .help = "Plain byte counts",
			  },
			  { .ival = "samsung",
			    .oval = KVFIO_CODING_SAMSUNG,
			    .help = "4-byte words + pad, key length - 1",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "kv_csi",
		.lname	= "KV command set",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct kvfio_options, csi),
		.def	= "vendor",
		.help	= "Command set: the vendor KV commands or the NVMe KV Command Set",
		.posval = {
			  { .ival = "vendor",
			    .oval = KV_CSET_VENDOR,
			    .help = "Vendor KV commands (0x81, 0x90, 0xA1) on namespace 1",
			  },
			  { .ival = "kv",
			    .oval = KV_CSET_STD,
			    .help = "NVMe KV Command Set (CSI 1) on /dev/ngXn2",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= NULL,
	},
};

static const char *const ev_what[KVFIO_EV_NR] = {
	[KVFIO_EV_MISSING]	= "retrieves of missing keys",
	[KVFIO_EV_SIZE]		= "retrieves of a value of another size",
	[KVFIO_EV_DEL_MISSING]	= "deletes of missing keys (not errors)",
	[KVFIO_EV_FAILED]	= "other failed commands",
};

static int kvfio_keyfmt(struct thread_data *td, struct kvfio_keyfmt *kf)
{
	struct kvfio_options *o = td->eo;
	char err[160];

	if (kvfio_key_setup(kf, o->key_prefix, o->key_len,
			    (enum kvfio_key_format)o->key_format, err,
			    sizeof(err))) {
		log_err("kvfio: %s\n", err);
		return 1;
	}
	return 0;
}

static const char *ddir_cmd(enum fio_ddir ddir)
{
	switch (ddir) {
	case DDIR_READ:		return "retrieve";
	case DDIR_WRITE:	return "store";
	case DDIR_TRIM:		return "delete";
	default:		return "command";
	}
}

/* Count @ev; the first KVFIO_MAX_MSGS of each kind get a line naming the key. */
static void kvfio_note(struct thread_data *td, struct io_u *io_u,
		       enum kvfio_event ev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void kvfio_note(struct thread_data *td, struct io_u *io_u,
		       enum kvfio_event ev, const char *fmt, ...)
{
	struct kvfio_data *ld = td->io_ops_data;
	uint8_t key[KVFIO_KEY_MAX];
	char ks[4 * KVFIO_KEY_MAX + 1] = "?", why[160];
	va_list ap;

	if (ld->count[ev]++ >= KVFIO_MAX_MSGS)
		return;
	if (!kvfio_key(&ld->kf, io_u->offset, key))
		kvfio_key_str(key, ld->kf.klen, ks, sizeof(ks));
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_err("kvfio: %s: %s of key '%s' (offset %llu, %llu bytes): %s%s\n",
		td->o.name, ddir_cmd(io_u->ddir), ks, io_u->offset,
		io_u->xfer_buflen, why,
		ld->count[ev] == KVFIO_MAX_MSGS ? " (further ones counted only)" : "");
}

/*
 * The outcome of one command: @res is a negative errno (nothing reached the
 * device) or the NVMe status field (DNR and More included), @dw0 the CQE's
 * DW0. Sets io_u->error.
 */
static void kvfio_complete(struct thread_data *td, struct io_u *io_u, int res,
			   uint32_t dw0)
{
	struct kvfio_file *kfile = FILE_ENG_DATA(io_u->file);
	int st;

	io_u->error = 0;
	if (res < 0) {
		io_u->error = -res;
		kvfio_note(td, io_u, KVFIO_EV_FAILED, "%s", strerror(-res));
		return;
	}
	st = res & 0x7ff;
	switch (io_u->ddir) {
	case DDIR_READ:
		if (st == KV_SC_OK && dw0 != io_u->xfer_buflen) {
			io_u->error = EIO;
			kvfio_note(td, io_u, KVFIO_EV_SIZE,
				   "the value is %u bytes, the read %llu (one block size for writes and reads)",
				   dw0, io_u->xfer_buflen);
			return;
		}
		if (st == kv_sc(&kfile->kd, KV_SC_NO_KEY)) {
			io_u->error = EIO;
			kvfio_note(td, io_u, KVFIO_EV_MISSING,
				   "key does not exist (status 0x%03x)", st);
			return;
		}
		break;
	case DDIR_TRIM:
		if (st == kv_sc(&kfile->kd, KV_SC_NO_KEY)) {
			((struct kvfio_data *)td->io_ops_data)->count[KVFIO_EV_DEL_MISSING]++;
			return;
		}
		break;
	default:
		break;
	}
	if (st != KV_SC_OK) {
		io_u->error = st == kv_sc(&kfile->kd, KV_SC_CAPACITY) ? ENOSPC : EIO;
		kvfio_note(td, io_u, KVFIO_EV_FAILED, "%s (status 0x%03x%s)",
			   kv_status_str(st), st, res & 0x4000 ? ", DNR" : "");
	}
}

/*
 * The passthrough command for @io_u into @c: 0, or an errno for an I/O
 * that cannot be expressed (the I/O then fails with it).
 */
static int kvfio_build(struct thread_data *td, struct io_u *io_u,
		       struct nvme_passthru_cmd64 *c)
{
	struct kvfio_data *ld = td->io_ops_data;
	struct kvfio_file *kfile = FILE_ENG_DATA(io_u->file);
	uint8_t key[KVFIO_KEY_MAX];
	uint8_t opcode;
	uint32_t len = 0;
	void *buf = NULL;

	if (kvfio_key(&ld->kf, io_u->offset, key)) {
		kvfio_note(td, io_u, KVFIO_EV_FAILED,
			   "the offset does not fit in the key (at most %llu with this kv_key_len/kv_key_prefix)",
			   (unsigned long long)ld->kf.max_offset);
		return ERANGE;
	}
	switch (io_u->ddir) {
	case DDIR_READ:
	case DDIR_WRITE:
		opcode = io_u->ddir == DDIR_READ ? KV_OP_RETRIEVE : KV_OP_STORE;
		if (!io_u->xfer_buflen || io_u->xfer_buflen > KV_MAX_VALUE ||
		    io_u->xfer_buflen % 4) {
			kvfio_note(td, io_u, KVFIO_EV_FAILED,
				   "a value must be 4..%u bytes, a multiple of 4",
				   KV_MAX_VALUE);
			return EINVAL;
		}
		len = (uint32_t)io_u->xfer_buflen;
		buf = io_u->xfer_buf;
		break;
	case DDIR_TRIM:
		opcode = KV_OP_DELETE;
		break;
	default:
		return EINVAL;
	}
	if (kv_build(&kfile->kd, c, opcode, key, ld->kf.klen, buf, len, 0))
		return EINVAL;
	return 0;
}

/* An I/O completed inside ->queue (always so with kv_sync=1). */
static enum fio_q_status kvfio_done_now(struct thread_data *td,
					struct io_u *io_u)
{
	struct kvfio_data *ld = td->io_ops_data;

	/* fio stamps synchronous engines itself; async ones stamp in ->commit */
	if (!ld->sync && fio_fill_issue_time(td))
		fio_gettime(&io_u->issue_time, NULL);
	io_u_mark_submit(td, 1);
	io_u_mark_complete(td, 1);
	return FIO_Q_COMPLETED;
}

static enum fio_q_status kvfio_queue(struct thread_data *td, struct io_u *io_u)
{
	struct kvfio_data *ld = td->io_ops_data;
	struct nvme_passthru_cmd64 c;
	int err, ret;

	fio_ro_check(td, io_u);

	/* nothing to do for fsync/fdatasync: a Store is durable when acknowledged */
	if (!ddir_rw(io_u->ddir) && io_u->ddir != DDIR_TRIM) {
		io_u->error = 0;
		return kvfio_done_now(td, io_u);
	}
	if (!ld->sync && ld->queued + ld->inflight >= ld->iodepth)
		return FIO_Q_BUSY;
	err = kvfio_build(td, io_u, &c);
	if (err) {
		io_u->error = err;
		return kvfio_done_now(td, io_u);
	}

	if (ld->sync) {
		ret = ioctl(io_u->file->fd, NVME_IOCTL_IO64_CMD, &c);
		kvfio_complete(td, io_u, ret < 0 ? -errno : ret,
			       (uint32_t)c.result);
		return kvfio_done_now(td, io_u);
	}

	if (kvu_queue(&ld->ring, io_u->file->fd, &c, (uintptr_t)io_u))
		return FIO_Q_BUSY;
	ld->pending[ld->queued++] = io_u;
	return FIO_Q_QUEUED;
}

static int kvfio_commit(struct thread_data *td)
{
	struct kvfio_data *ld = td->io_ops_data;
	unsigned int done = 0, i;
	int ret = 0;

	while (done < ld->queued) {
		ret = io_uring_submit(&ld->ring);
		if (ret > 0) {
			unsigned int n = (unsigned int)ret;

			if (n > ld->queued - done)
				n = ld->queued - done;
			/*
			 * Issued now: the start of completion latency (clat)
			 * and the end of submission latency (slat) of each.
			 */
			if (fio_fill_issue_time(td)) {
				struct timespec now;

				fio_gettime(&now, NULL);
				for (i = done; i < done + n; i++)
					ld->pending[i]->issue_time = now;
			}
			for (i = done; i < done + n; i++)
				io_u_queued(td, ld->pending[i]);
			io_u_mark_submit(td, n);
			ld->inflight += n;
			done += n;
			ret = 0;
			continue;
		}
		if (ret == 0 || ret == -EAGAIN || ret == -EINTR) {
			usleep(1);
			continue;
		}
		td_verror(td, -ret, "io_uring_submit");
		break;
	}
	ld->queued = 0;
	return ret;
}

static int kvfio_getevents(struct thread_data *td, unsigned int min,
			   unsigned int max, const struct timespec *t)
{
	struct kvfio_data *ld = td->io_ops_data;
	unsigned int nr = 0;

	if (ld->sync)
		return 0;
	if (max > ld->iodepth)
		max = ld->iodepth;
	while (nr < max) {
		struct io_uring_cqe *cqe;
		struct io_u *io_u;
		int ret;

		ret = io_uring_peek_cqe(&ld->ring, &cqe);
		if (ret == -EAGAIN) {
			if (nr >= min || !ld->inflight)
				break;
			if (t) {
				struct __kernel_timespec ts = {
					.tv_sec = t->tv_sec,
					.tv_nsec = t->tv_nsec,
				};

				ret = io_uring_wait_cqe_timeout(&ld->ring, &cqe, &ts);
				if (ret == -ETIME)
					break;
			} else {
				ret = io_uring_wait_cqe(&ld->ring, &cqe);
			}
			if (ret == -EINTR || ret == -EAGAIN)
				continue;
		}
		if (ret < 0) {
			td_verror(td, -ret, "io_uring_wait_cqe");
			return ret;
		}
		io_u = (struct io_u *)(uintptr_t)cqe->user_data;
		kvfio_complete(td, io_u, cqe->res, (uint32_t)cqe->big_cqe[0]);
		io_uring_cqe_seen(&ld->ring, cqe);
		ld->inflight--;
		ld->events[nr++] = io_u;
	}
	return (int)nr;
}

static struct io_u *kvfio_event(struct thread_data *td, int event)
{
	struct kvfio_data *ld = td->io_ops_data;

	return ld->events[event];
}

/* Block sizes a value can have: 4..2 MiB, multiples of 4. */
static int kvfio_check_bs(struct thread_data *td)
{
	static const enum fio_ddir dirs[] = { DDIR_READ, DDIR_WRITE };
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		unsigned long long lo = td->o.min_bs[dirs[i]];
		unsigned long long hi = td->o.max_bs[dirs[i]];

		if (lo % 4 || hi % 4 || hi > KV_MAX_VALUE) {
			log_err("kvfio: %s block size %llu..%llu: a value must be a multiple of 4 bytes, at most %u\n",
				dirs[i] == DDIR_READ ? "read" : "write", lo, hi,
				KV_MAX_VALUE);
			return 1;
		}
	}
	return 0;
}

static int kvfio_init(struct thread_data *td)
{
	struct kvfio_options *o = td->eo;
	struct kvfio_data *ld;
	int ret;

	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return 1;
	td->io_ops_data = ld;
	if (kvfio_keyfmt(td, &ld->kf) || kvfio_check_bs(td))
		return 1;
	if (td->o.start_offset + td->o.size > ld->kf.max_offset + 1 &&
	    ld->kf.max_offset != UINT64_MAX) {
		log_err("kvfio: offsets up to %llu do not fit in a %u-byte key after the %u-byte prefix (at most %llu): use a longer kv_key_len, a shorter kv_key_prefix or kv_key_format=binary\n",
			(unsigned long long)(td->o.start_offset + td->o.size),
			ld->kf.klen, ld->kf.plen,
			(unsigned long long)ld->kf.max_offset);
		return 1;
	}
	switch (o->coding) {
	case KVFIO_CODING_BYTES:
		ld->coding = KV_CODING_BYTES;
		break;
	case KVFIO_CODING_SAMSUNG:
		ld->coding = KV_CODING_SAMSUNG;
		break;
	default:
		ld->coding = kv_coding_of_module();
		break;
	}
	ld->cset = (enum kv_cset)o->csi;
	if (ld->cset == KV_CSET_STD)
		ld->coding = KV_CODING_BYTES;	/* the KV set counts bytes */
	ld->sync = o->sync;
	ld->iodepth = td->o.iodepth ? td->o.iodepth : 1;
	ld->events = calloc(ld->iodepth, sizeof(*ld->events));
	ld->pending = calloc(ld->iodepth, sizeof(*ld->pending));
	if (!ld->events || !ld->pending)
		return 1;
	if (ld->sync) {
		/*
		 * ->queue completes each I/O: tell fio so (it caps the depth
		 * at 1 and takes the issue time before ->queue). The engine
		 * flags are per job in td->flags, copied from the ops at load.
		 */
		td->flags |= (unsigned long long)FIO_SYNCIO << TD_ENG_FLAG_SHIFT;
		return 0;
	}
	ret = kvu_ring_init(&ld->ring, ld->iodepth);
	if (ret) {
		log_err("kvfio: io_uring with 128-byte SQEs and 32-byte CQEs, depth %u: %s (Linux 5.19 or later; kv_sync=1 uses ioctls)\n",
			ld->iodepth, strerror(-ret));
		return 1;
	}
	ld->ring_ok = true;
	return 0;
}

static void kvfio_cleanup(struct thread_data *td)
{
	struct kvfio_data *ld = td->io_ops_data;
	unsigned int i;

	if (!ld)
		return;
	for (i = 0; i < KVFIO_EV_NR; i++)
		if (ld->count[i])
			log_info("kvfio: %s: %llu %s\n", td->o.name,
				 (unsigned long long)ld->count[i], ev_what[i]);
	if (ld->ring_ok)
		io_uring_queue_exit(&ld->ring);
	free(ld->events);
	free(ld->pending);
	free(ld);
	td->io_ops_data = NULL;
}

/*
 * io_uring passthrough is served by the generic char device only:
 * /dev/nvmeXnY -> /dev/ngXnY.
 */
static const char *kvfio_path(struct thread_data *td, const char *path,
			      char *buf, size_t len)
{
	struct kvfio_options *o = td->eo;
	const char *base = strrchr(path, '/');
	unsigned int c, n;
	char tail;
	struct stat st;

	if (o->sync || stat(path, &st) || !S_ISBLK(st.st_mode))
		return path;
	base = base ? base + 1 : path;
	if (sscanf(base, "nvme%un%u%c", &c, &n, &tail) != 2)
		return path;
	snprintf(buf, len, "/dev/ng%un%u", c, n);
	return buf;
}

static int kvfio_open_file(struct thread_data *td, struct fio_file *f)
{
	struct kvfio_data *ld = td->io_ops_data;
	struct kvfio_file *kfile;
	const char *path;
	char ng[64];
	int fd, nsid;

	path = kvfio_path(td, f->file_name, ng, sizeof(ng));
	fd = open(path, O_RDWR);
	if (fd < 0) {
		int err = errno;

		log_err("kvfio: open %s: %s\n", path, strerror(err));
		td_verror(td, err, "open");
		return 1;
	}
	nsid = ioctl(fd, NVME_IOCTL_ID);
	if (nsid <= 0) {
		log_err("kvfio: %s is not an NVMe namespace (/dev/ngXnY or /dev/nvmeXnY)\n",
			path);
		close(fd);
		td_verror(td, ENOTTY, "NVME_IOCTL_ID");
		return 1;
	}
	if (!ld->sync) {
		struct stat st;

		if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
			log_err("kvfio: %s: io_uring passthrough needs the generic char device /dev/ngXnY (or kv_sync=1)\n",
				path);
			close(fd);
			td_verror(td, EINVAL, "open");
			return 1;
		}
	}
	kfile = calloc(1, sizeof(*kfile));
	if (!kfile) {
		close(fd);
		td_verror(td, ENOMEM, "open");
		return 1;
	}
	if (ld->cset == KV_CSET_STD && nsid == 1) {
		log_err("kvfio: %s: kv_csi=kv wants the KV namespace (the /dev/ngXnY of namespace 2); this is namespace 1, the NVM namespace\n",
			path);
		close(fd);
		free(kfile);
		td_verror(td, EINVAL, "open");
		return 1;
	}
	kfile->kd.fd = fd;
	kfile->kd.nsid = (uint32_t)nsid;
	kfile->kd.coding = ld->coding;
	kfile->kd.cset = ld->cset;
	f->fd = fd;
	FILE_SET_ENG_DATA(f, kfile);
	return 0;
}

static int kvfio_close_file(struct thread_data *td, struct fio_file *f)
{
	struct kvfio_file *kfile = FILE_ENG_DATA(f);

	(void)td;
	FILE_SET_ENG_DATA(f, NULL);
	free(kfile);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	return 0;
}

/*
 * The "file" is the key space: as large as the key format can address.
 * fio may call this before ->init (in the parent, create_serialize), so
 * only the options are used. size= says how much of it a job uses.
 */
static int kvfio_get_file_size(struct thread_data *td, struct fio_file *f)
{
	struct kvfio_keyfmt kf;
	struct stat st;

	if (fio_file_size_known(f))
		return 0;
	if (kvfio_keyfmt(td, &kf))
		return 1;
	/* never let fio lay out a regular file of the key space's size */
	if (stat(f->file_name, &st) || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		log_err("kvfio: %s: not an NVMe namespace device (/dev/ngXnY or /dev/nvmeXnY)\n",
			f->file_name);
		td_verror(td, ENODEV, "get_file_size");
		return 1;
	}
	if (!td->o.size && !td->o.file_size_low) {
		log_err("kvfio: %s: set size= (the job's key space: size / bs keys)\n",
			f->file_name);
		td_verror(td, EINVAL, "get_file_size");
		return 1;
	}
	f->real_file_size = kf.max_offset >= (1ULL << 62) ? 1ULL << 62 : kf.max_offset + 1;
	fio_file_set_size_known(f);
	return 0;
}

/* no page cache in front of KV commands */
static int kvfio_invalidate(struct thread_data *td, struct fio_file *f)
{
	(void)td;
	(void)f;
	return 0;
}

struct ioengine_ops ioengine __attribute__((visibility("default"))) = {
	.name		= "kvfio",
	.version	= FIO_IOOPS_VERSION,
	/* SETS_ISSUE_TIME: ->commit stamps each I/O when io_uring takes it */
	.flags		= FIO_MEMALIGN | FIO_RAWIO | FIO_NODISKUTIL |
			  FIO_ASYNCIO_SETS_ISSUE_TIME,
	.init		= kvfio_init,
	.queue		= kvfio_queue,
	.commit		= kvfio_commit,
	.getevents	= kvfio_getevents,
	.event		= kvfio_event,
	.cleanup	= kvfio_cleanup,
	.open_file	= kvfio_open_file,
	.close_file	= kvfio_close_file,
	.invalidate	= kvfio_invalidate,
	.get_file_size	= kvfio_get_file_size,
	.options	= options,
	.option_struct_size = sizeof(struct kvfio_options),
};
