// SPDX-License-Identifier: GPL-2.0
/*
 * dispatcher.c - the dispatcher thread: the controller's register state
 * machine (CC.EN, CC.SHN, CSTS), and the polling of every doorbell, handing
 * admin commands to admin.c (one call, nvmev_admin_poll) and I/O commands to
 * io.c (nvmev_io_poll_sq).
 *
 * The dispatcher alone reads SQ doorbells and CC, fetches SQEs, runs admin
 * commands and creates or deletes queues, so that state needs no lock.
 *
 * Polling: the controller has no doorbell interrupt (doorbells are memory),
 * so the dispatcher polls, and how long it keeps polling decides what the
 * host pays on top of the model. It polls while commands are in flight (a
 * host at queue depth 1 submits its next command right after a completion;
 * a lone command in flight the dispatcher performs itself when it is due,
 * io.c's held request)
 * and then through the expected next arrival: twice an average (pace.c) of
 * the gaps it has seen between the device going quiet and the next command
 * (as Linux's hybrid polling learns service times), at least poll_spin_us,
 * at most NVMEV_POLL_WINDOW_MAX_US (nvmev.h: think times up to 50 ms).
 * Only then does it sleep, with an exponential backoff of 10 us .. 250 us,
 * and 50 ms once idle for a second, so an idle device costs almost no CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>
#include "nvmev.h"

/* ---------------------------------------------------------------------- */
/* Controller state machine: CC.EN and CC.SHN */

static void ctrl_teardown_queues(struct nvmev_dev *dev)
{
	nvmev_io_teardown(dev);
	nvmev_admin_reset(dev);
}

static int ctrl_map_admin_queues(struct nvmev_dev *dev)
{
	u32 aqa = nvmev_reg_read32(dev, NVME_REG_AQA);
	u64 asq = nvmev_reg_read64(dev, NVME_REG_ASQ);
	u64 acq = nvmev_reg_read64(dev, NVME_REG_ACQ);
	u32 sq_size = (aqa & 0xfff) + 1, cq_size = ((aqa >> 16) & 0xfff) + 1;
	void *sq_mem, *cq_mem;

	if (sq_size < 2 || cq_size < 2 || (asq | acq) & (NVMEV_PAGE_SIZE - 1))
		return -EINVAL;
	sq_mem = nvmev_host_queue_map(asq, (u64)sq_size * 64);
	cq_mem = nvmev_host_queue_map(acq, (u64)cq_size * 16);
	if (!sq_mem || !cq_mem)
		return -EINVAL;
	if (!nvmev_cq_create(dev, 0, cq_mem, cq_size, 0, true))
		return -ENOMEM;
	if (!nvmev_sq_create(dev, 0, 0, sq_mem, sq_size, 0)) {
		nvmev_cq_destroy(dev, 0);
		return -ENOMEM;
	}
	return 0;
}

static void ctrl_enable(struct nvmev_dev *dev, u32 cc)
{
	u32 csts = NVME_CSTS_RDY;

	nvmev_doorbells_clear(dev);
	if (((cc >> NVME_CC_MPS_SHIFT) & 0xf) != 0 ||
	    ((cc >> NVME_CC_IOSQES_SHIFT) & 0xf) != 6 ||
	    ((cc >> NVME_CC_IOCQES_SHIFT) & 0xf) != 4 ||
	    ctrl_map_admin_queues(dev)) {
		pr_warn_ratelimited(
			"controller enable with bad CC %#x or admin queues: fatal status\n",
			cc);
		csts |= NVME_CSTS_CFS;
	}
	if (!(csts & NVME_CSTS_CFS))
		nvmev_inject_create_queues(dev);
	dev->enabled = true;
	dev->shut_down = false;
	nvmev_reg_write32(dev, NVME_REG_CSTS, csts);
}

static void ctrl_disable(struct nvmev_dev *dev)
{
	ctrl_teardown_queues(dev);
	nvmev_doorbells_clear(dev);
	dev->enabled = false;
	dev->shut_down = false;
	nvmev_reg_write32(dev, NVME_REG_CSTS, 0);
}

static void ctrl_shutdown(struct nvmev_dev *dev)
{
	u32 csts = nvmev_reg_read32(dev, NVME_REG_CSTS);

	ctrl_teardown_queues(dev);
	dev->shut_down = true;
	csts &= ~NVME_CSTS_SHST_MASK;
	nvmev_reg_write32(dev, NVME_REG_CSTS, csts | NVME_CSTS_SHST_CMPLT);
}

/* Returns true when something changed. */
static bool proc_cc(struct nvmev_dev *dev)
{
	u32 cc = nvmev_reg_read32(dev, NVME_REG_CC);
	u32 old = dev->cc;

	if (cc == old)
		return false;
	dev->cc = cc;
	if ((cc & NVME_CC_ENABLE) && !(old & NVME_CC_ENABLE))
		ctrl_enable(dev, cc);
	else if (!(cc & NVME_CC_ENABLE) && (old & NVME_CC_ENABLE))
		ctrl_disable(dev);
	if ((cc & NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK) &&
	    dev->enabled)
		ctrl_shutdown(dev);
	return true;
}

/* ---------------------------------------------------------------------- */
/* The dispatcher thread */

/* Every I/O SQ, the injection queue last. */
static bool poll_io_sqs(struct nvmev_dev *dev)
{
	bool busy = false;
	unsigned int qid;

	for (qid = 1; qid <= dev->cfg.nr_io_queues; qid++)
		if (dev->sqs[qid])
			busy |= nvmev_io_poll_sq(dev, dev->sqs[qid]);
	if (dev->sqs[NVMEV_INJECT_QID])
		busy |= nvmev_io_poll_sq(dev, dev->sqs[NVMEV_INJECT_QID]);
	return busy;
}

/* A pass found nothing: poll on, or sleep (pace.c decides). */
static void pace_idle(struct nvmev_dev *dev, struct nvmev_poll_pace *p)
{
	u64 spin_ns = (u64)dev->cfg.poll_spin_us * NSEC_PER_USEC;
	unsigned int sleep_us = nvmev_pace_idle(p, ktime_get_ns(),
						atomic_read(&dev->inflight) > 0,
						spin_ns);

	if (!sleep_us) {
		/*
		 * Polling, but a worker woken on this CPU (cpus=N runs
		 * both) must not wait for our time slice to end; cpu_relax()
		 * lets an SMT sibling (or a TCG vCPU) run.
		 */
		cpu_relax();
		yield();
		return;
	}
	/* TASK_IDLE: a sleeping dispatcher is not in D state, nor in loadavg */
	usleep_idle_range(sleep_us, sleep_us + sleep_us / 4);
}

static int nvmev_dispatcher_fn(void *data)
{
	struct nvmev_dev *dev = data;
	struct nvmev_poll_pace pace = { .quiet_since = ktime_get_ns() };

	while (!kthread_should_stop()) {
		bool busy = proc_cc(dev), completed = false;

		if (dev->enabled && !dev->shut_down) {
			nvmev_cq_sample_heads(dev);
			busy |= nvmev_admin_poll(dev);
			busy |= poll_io_sqs(dev);
			busy |= nvmev_inject_poll(dev);
			completed = nvmev_io_run_held(dev);
		}
		if (busy || completed)
			nvmev_pace_pass(&pace, ktime_get_ns(), busy, completed);
		if (busy)
			cond_resched();
		else
			pace_idle(dev, &pace);
	}
	nvmev_io_release_held(dev); /* to its worker, stopped next */
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Start and stop */

static void scratch_free(struct nvmev_dev *dev)
{
	nvmev_vfree(dev->admin_sgl);
	dev->admin_sgl = NULL;
	nvmev_kfree(dev->admin_buf);
	dev->admin_buf = NULL;
}

/*
 * nvmev_dispatcher_start - start the workers (io.c), then the dispatcher
 *
 * Return: 0 or -errno, with nothing left running on error.
 */
int nvmev_dispatcher_start(struct nvmev_dev *dev)
{
	int ret;

	dev->admin_sgl = nvmev_vmalloc(sizeof(*dev->admin_sgl));
	dev->admin_buf = nvmev_kzalloc(NVMEV_PAGE_SIZE, GFP_KERNEL);
	if (!dev->admin_sgl || !dev->admin_buf) {
		ret = -ENOMEM;
		goto err_scratch;
	}
	nvmev_admin_reset(dev);
	ret = nvmev_io_start(dev);
	if (ret)
		goto err_scratch;
	/* device 0 keeps the names of one device: nvmev_kv_disp, nvmev_kv_wN */
	if (dev->index)
		dev->dispatcher = kthread_create(nvmev_dispatcher_fn, dev,
						 "nvmev_kv%u_disp", dev->index);
	else
		dev->dispatcher = kthread_create(nvmev_dispatcher_fn, dev,
						 "nvmev_kv_disp");
	if (IS_ERR(dev->dispatcher)) {
		ret = PTR_ERR(dev->dispatcher);
		dev->dispatcher = NULL;
		goto err_io;
	}
	kthread_bind(dev->dispatcher, dev->cfg.dispatcher_cpu);
	wake_up_process(dev->dispatcher);
	return 0;

err_io:
	nvmev_io_stop(dev);
err_scratch:
	scratch_free(dev);
	return ret;
}

void nvmev_dispatcher_stop(struct nvmev_dev *dev)
{
	if (dev->dispatcher)
		kthread_stop(dev->dispatcher);
	dev->dispatcher = NULL;
	nvmev_io_stop(dev);
	scratch_free(dev);
}
