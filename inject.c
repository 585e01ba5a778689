// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - raw-command injection for hostile-host tests.
 *
 * The stock nvme driver builds every PRP and doorbell itself, so malformed
 * ones cannot be reached through it. With the load-time parameter inject=1
 * (default 0, read-only afterwards) this file adds, under debugfs (root
 * only, files 0600):
 *
 *   inject/io           write one 64-byte SQE: it runs on a private I/O
 *                       queue pair (qid NVMEV_INJECT_QID, never offered to
 *                       the host) through the normal dispatch and perform
 *                       path; read the 16-byte CQE back
 *   inject/admin        the same for admin commands, run by the dispatcher
 *                       exactly like the host's; the CQE is captured here
 *   inject/doorbell     "INDEX VALUE": set doorbell register INDEX
 *   inject/scratch      2 MiB of module-owned, physically contiguous memory
 *   inject/scratch_phys its physical address, to aim PRPs at it
 *
 * Nothing here validates less than the host path: the commands go through
 * the same parsing, PRP walking and page checks. It cannot be enabled by
 * accident: it needs the load parameter, root, and debugfs.
 *
 * Locking: inj->lock (mutex) serialises injections and protects the private
 * queue's tail/head/phase and the captured CQE. The dispatcher never takes
 * it: it sees the private SQ through its doorbell like any other queue, and
 * picks admin commands from a mailbox (admin_state, acquire/release).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include "nvmev.h"

#define INJECT_Q_ENTRIES 64 /* one page of SQEs */
#define INJECT_SCRATCH_ORDER 9 /* 2 MiB */
#define INJECT_TIMEOUT_MS 10000

enum { ADMIN_IDLE, ADMIN_PENDING, ADMIN_DONE };

struct nvmev_inject {
	struct mutex lock;
	u32 *sq_mem;
	struct nvme_completion *cq_mem;
	u32 sq_tail;
	u32 cq_head;
	u8 cq_phase;
	atomic_t queue_fresh; /* set by the dispatcher when it (re)creates the queue */
	struct nvme_completion cqe; /* last completion, for read() */

	int admin_state;
	u32 admin_sqe[16];
	u16 admin_status;
	u32 admin_dw0;
	wait_queue_head_t admin_wq;

	struct page *scratch;
	u64 scratch_phys;
	struct dentry *dir;
};

/* ---- dispatcher side ------------------------------------------------------- */

/* Controller enable: (re)create the private queue pair; dispatcher only. */
void nvmev_inject_create_queues(struct nvmev_dev *dev)
{
	struct nvmev_inject *inj = dev->inject;

	if (!inj)
		return;
	memset(inj->cq_mem, 0, NVMEV_PAGE_SIZE);
	/* no interrupt: the injecting thread polls the phase tag */
	if (!nvmev_cq_create(dev, NVMEV_INJECT_QID, inj->cq_mem,
			     INJECT_Q_ENTRIES, 0, false))
		return;
	if (!nvmev_sq_create(dev, NVMEV_INJECT_QID, NVMEV_INJECT_QID,
			     inj->sq_mem, INJECT_Q_ENTRIES, 0)) {
		nvmev_cq_destroy(dev, NVMEV_INJECT_QID);
		return;
	}
	atomic_set_release(&inj->queue_fresh, 1);
}

/* Run a mailed admin command; dispatcher only. True if one ran. */
bool nvmev_inject_poll(struct nvmev_dev *dev)
{
	struct nvmev_inject *inj = dev->inject;
	bool traced;

	if (!inj || smp_load_acquire(&inj->admin_state) != ADMIN_PENDING)
		return false;
	traced = nvmev_trace_cmd_begin(dev, NVMEV_TRACE_ADMIN,
				       nvmev_sqe_opcode(inj->admin_sqe));
	inj->admin_status = nvmev_admin_exec_raw(dev, inj->admin_sqe,
						 &inj->admin_dw0);
	nvmev_trace_cmd_end(traced);
	smp_store_release(&inj->admin_state, ADMIN_DONE);
	wake_up(&inj->admin_wq);
	return true;
}

/* ---- user side ----------------------------------------------------------------- */

static bool ctrl_ready(struct nvmev_dev *dev)
{
	return READ_ONCE(dev->enabled) && !READ_ONCE(dev->shut_down);
}

static void inject_queue_reset(struct nvmev_inject *inj)
{
	if (atomic_xchg(&inj->queue_fresh, 0)) {
		inj->sq_tail = 0;
		inj->cq_head = 0;
		inj->cq_phase = 1;
	}
}

/* Wait for the CQE at our head, consume it. Called with inj->lock held. */
static int inject_wait_cqe(struct nvmev_dev *dev, struct nvmev_inject *inj)
{
	struct nvme_completion *e = &inj->cq_mem[inj->cq_head];
	unsigned int waited_us = 0;

	while ((le16_to_cpu(READ_ONCE(e->status)) & 1) != inj->cq_phase) {
		if (waited_us >= INJECT_TIMEOUT_MS * 1000)
			return -ETIMEDOUT;
		usleep_range(50, 100);
		waited_us += 75;
	}
	dma_rmb();
	inj->cqe = *e;
	inj->cq_head = nvmev_q_next(inj->cq_head, INJECT_Q_ENTRIES);
	if (!inj->cq_head)
		inj->cq_phase ^= 1;
	WRITE_ONCE(dev->db[NVMEV_INJECT_QID * 2 + 1], inj->cq_head);
	return 0;
}

static int inject_io(struct nvmev_dev *dev, const u32 *sqe)
{
	struct nvmev_inject *inj = dev->inject;

	if (!ctrl_ready(dev) || !READ_ONCE(dev->sqs[NVMEV_INJECT_QID]))
		return -EIO;
	inject_queue_reset(inj);
	memcpy(inj->sq_mem + inj->sq_tail * 16, sqe, 64);
	inj->sq_tail = nvmev_q_next(inj->sq_tail, INJECT_Q_ENTRIES);
	wmb(); /* the SQE before the doorbell, as a host does */
	WRITE_ONCE(dev->db[NVMEV_INJECT_QID * 2], inj->sq_tail);
	return inject_wait_cqe(dev, inj);
}

static int inject_admin(struct nvmev_dev *dev, const u32 *sqe)
{
	struct nvmev_inject *inj = dev->inject;
	long left;

	/* held until an event, and the host's driver owns the AER slots */
	if (nvmev_sqe_opcode(sqe) == nvme_admin_async_event)
		return -EINVAL;
	if (!ctrl_ready(dev))
		return -EIO;
	memcpy(inj->admin_sqe, sqe, 64);
	smp_store_release(&inj->admin_state, ADMIN_PENDING);
	left = wait_event_interruptible_timeout(inj->admin_wq,
			smp_load_acquire(&inj->admin_state) == ADMIN_DONE,
			msecs_to_jiffies(INJECT_TIMEOUT_MS));
	if (left <= 0) {
		/* the dispatcher may still take it; leave the slot to it */
		return left ? (int)left : -ETIMEDOUT;
	}
	memset(&inj->cqe, 0, sizeof(inj->cqe));
	inj->cqe.result.u32 = cpu_to_le32(inj->admin_dw0);
	inj->cqe.command_id = nvmev_sqe_cid(sqe);
	inj->cqe.status = cpu_to_le16((inj->admin_status << 1) | 1);
	smp_store_release(&inj->admin_state, ADMIN_IDLE);
	return 0;
}

static ssize_t sqe_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos, bool admin)
{
	struct nvmev_dev *dev = file_inode(file)->i_private;
	struct nvmev_inject *inj = dev->inject;
	u32 sqe[16];
	int ret;

	if (len != sizeof(sqe))
		return -EINVAL;
	if (copy_from_user(sqe, ubuf, sizeof(sqe)))
		return -EFAULT;
	if (mutex_lock_interruptible(&inj->lock))
		return -EINTR;
	/* a timed-out admin command still in the mailbox blocks the next */
	ret = 0;
	if (admin && smp_load_acquire(&inj->admin_state) == ADMIN_PENDING)
		ret = -EBUSY;
	else if (admin) /* a late answer to a timed-out command is dropped */
		smp_store_release(&inj->admin_state, ADMIN_IDLE);
	if (!ret)
		ret = admin ? inject_admin(dev, sqe) : inject_io(dev, sqe);
	mutex_unlock(&inj->lock);
	return ret ? ret : len;
}

static ssize_t io_write(struct file *f, const char __user *b, size_t n,
			loff_t *pos)
{
	return sqe_write(f, b, n, pos, false);
}

static ssize_t admin_write(struct file *f, const char __user *b, size_t n,
			   loff_t *pos)
{
	return sqe_write(f, b, n, pos, true);
}

static ssize_t cqe_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	struct nvmev_dev *dev = file_inode(file)->i_private;
	struct nvmev_inject *inj = dev->inject;
	struct nvme_completion cqe;

	if (mutex_lock_interruptible(&inj->lock))
		return -EINTR;
	cqe = inj->cqe;
	mutex_unlock(&inj->lock);
	return simple_read_from_buffer(ubuf, len, ppos, &cqe, sizeof(cqe));
}

static const struct file_operations io_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = io_write,
	.read = cqe_read,
};

static const struct file_operations admin_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = admin_write,
	.read = cqe_read,
};

static ssize_t doorbell_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct nvmev_dev *dev = file_inode(file)->i_private;
	char buf[48], *val;
	u32 index, value;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	val = strchr(buf, ' ');
	if (!val)
		return -EINVAL;
	*val++ = '\0';
	if (kstrtou32(buf, 0, &index) || kstrtou32(skip_spaces(val), 0, &value) ||
	    index >= 2 * NVMEV_MAX_QUEUES)
		return -EINVAL;
	WRITE_ONCE(dev->db[index], value);
	return len;
}

static const struct file_operations doorbell_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = doorbell_write,
};

static ssize_t scratch_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	struct nvmev_dev *dev = file_inode(file)->i_private;

	return simple_read_from_buffer(ubuf, len, ppos,
				       page_address(dev->inject->scratch),
				       PAGE_SIZE << INJECT_SCRATCH_ORDER);
}

static ssize_t scratch_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct nvmev_dev *dev = file_inode(file)->i_private;

	return simple_write_to_buffer(page_address(dev->inject->scratch),
				      PAGE_SIZE << INJECT_SCRATCH_ORDER, ppos,
				      ubuf, len);
}

static const struct file_operations scratch_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = scratch_read,
	.write = scratch_write,
	.llseek = default_llseek,
};

/* ---- setup --------------------------------------------------------------------- */

static void inject_free(struct nvmev_inject *inj)
{
	if (inj->scratch)
		__free_pages(inj->scratch, INJECT_SCRATCH_ORDER);
	nvmev_kfree(inj->sq_mem);
	nvmev_kfree(inj->cq_mem);
	nvmev_kfree(inj);
}

/* Module init, before the dispatcher starts. */
int nvmev_inject_init(struct nvmev_dev *dev)
{
	struct nvmev_inject *inj;

	if (!dev->cfg.inject)
		return 0;
	inj = nvmev_kzalloc(sizeof(*inj), GFP_KERNEL);
	if (!inj)
		return -ENOMEM;
	mutex_init(&inj->lock);
	init_waitqueue_head(&inj->admin_wq);
	inj->sq_mem = nvmev_kzalloc(NVMEV_PAGE_SIZE, GFP_KERNEL);
	inj->cq_mem = nvmev_kzalloc(NVMEV_PAGE_SIZE, GFP_KERNEL);
	inj->scratch = alloc_pages(GFP_KERNEL | __GFP_ZERO,
				   INJECT_SCRATCH_ORDER);
	if (!inj->sq_mem || !inj->cq_mem || !inj->scratch) {
		inject_free(inj);
		return -ENOMEM;
	}
	inj->scratch_phys = page_to_phys(inj->scratch);
	dev->inject = inj;
	pr_warn("inject=1: raw command injection enabled under debugfs (tests only)\n");
	return 0;
}

/* After nvmev_stats_init() made the debugfs directory. */
void nvmev_inject_debugfs(struct nvmev_dev *dev)
{
	struct nvmev_inject *inj = dev->inject;

	if (!inj || !dev->debugfs)
		return;
	inj->dir = debugfs_create_dir("inject", dev->debugfs);
	debugfs_create_file("io", 0600, inj->dir, dev, &io_fops);
	debugfs_create_file("admin", 0600, inj->dir, dev, &admin_fops);
	debugfs_create_file("doorbell", 0200, inj->dir, dev, &doorbell_fops);
	debugfs_create_file_size("scratch", 0600, inj->dir, dev, &scratch_fops,
				 PAGE_SIZE << INJECT_SCRATCH_ORDER);
	debugfs_create_x64("scratch_phys", 0400, inj->dir, &inj->scratch_phys);
}

/* Module exit, after the threads stopped and debugfs is gone. */
void nvmev_inject_exit(struct nvmev_dev *dev)
{
	if (!dev->inject)
		return;
	inject_free(dev->inject);
	dev->inject = NULL;
}
