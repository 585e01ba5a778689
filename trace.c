// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - the call-flow trace knobs and printing (see nvmev_trace.h), and
 * the tracepoints' definitions (trace.h).
 *
 * Knobs (module parameters, 0644, change at runtime without a reload):
 *   trace          0/1: switch the call-flow trace off/on
 *   trace_cmds     commands to trace after each switch-on, then switch
 *                  off by itself (0: no bound)
 *   trace_queue    all | admin | io
 *   trace_opcode   -1 (all) or one opcode, e.g. 0x81
 *   trace_filter   comma-separated function-name prefixes (empty: all),
 *                  e.g. "kv_,hash_map_"
 *
 * The last three are the filter, one per device: the module parameters set
 * every device's, /sys/kernel/debug/nvmev_kv/trace_{queue,opcode,filter}
 * device 0's and .../nvmev_kv/devN/trace_* device N's.
 *
 * State shared by the threads: the static key; trace_budget (atomic);
 * trace_inflight (atomic, commands being traced); each filter's prefixes
 * under its lock. Each CPU's "is the command being run here traced" flag and
 * indentation depth are per-CPU: every traced function runs in one of our
 * CPU-bound kthreads.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include "nvmev.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/*
 * Live allocations of the module (nvmev_compat.h), checked at unload. Here,
 * with the other debugging aids, because every file allocates: it must live
 * in a file that calls none of them.
 */
atomic_long_t nvmev_live_allocs = ATOMIC_LONG_INIT(0);

#ifndef NVMEV_NO_TRACE

DEFINE_STATIC_KEY_FALSE(nvmev_trace_on);

#define FILTER_MAX 8
#define FILTER_LEN 32
#define DEPTH_MAX 16

struct trace_cpu {
	bool active;
	int depth;
	unsigned int dev; /* index of the device whose command it is */
};

static DEFINE_PER_CPU(struct trace_cpu, trace_cpu);

static unsigned int trace_cmds;
static atomic_t trace_budget = ATOMIC_INIT(0);
static atomic_t trace_inflight = ATOMIC_INIT(0);

/*
 * One filter per device, by index. Static rather than in struct nvmev_dev:
 * a CPU's trace state may still name a device whose threads are gone (or
 * that failed to load), and the filter it names must stay valid. The
 * module parameters set every device's filter (and show device 0's); the
 * debugfs files trace_queue, trace_opcode and trace_filter in a device's
 * directory set its own.
 */
struct trace_filter {
	unsigned int queue_mask; /* READ_ONCE/WRITE_ONCE */
	int opcode; /* -1: all; READ_ONCE/WRITE_ONCE */
	spinlock_t lock; /* protects prefixes and nr_prefixes */
	char prefixes[FILTER_MAX][FILTER_LEN];
	unsigned int nr_prefixes;
};

static struct trace_filter trace_filters[NVMEV_MAX_DEVICES] = {
	[0 ... NVMEV_MAX_DEVICES - 1] = {
		.queue_mask = NVMEV_TRACE_ADMIN | NVMEV_TRACE_IO,
		.opcode = -1,
		.lock = __SPIN_LOCK_UNLOCKED(trace_filters.lock),
	},
};

static struct trace_filter *dev_filter(const struct nvmev_dev *dev)
{
	return &trace_filters[dev->index];
}

static void trace_off_fn(struct work_struct *work)
{
	static_branch_disable(&nvmev_trace_on);
	pr_info("call-flow trace off: %u command(s) traced\n", trace_cmds);
}

static DECLARE_WORK(trace_off_work, trace_off_fn);

static bool filter_match(struct trace_filter *f, const char *fn)
{
	unsigned long flags;
	bool match = false;
	unsigned int i;

	spin_lock_irqsave(&f->lock, flags);
	if (!f->nr_prefixes)
		match = true;
	for (i = 0; i < f->nr_prefixes && !match; i++)
		match = !strncmp(fn, f->prefixes[i], strlen(f->prefixes[i]));
	spin_unlock_irqrestore(&f->lock, flags);
	return match;
}

bool __nvmev_trace_enter(const char *fn)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);

	if (!t->active || !filter_match(&trace_filters[t->dev], fn))
		return false;
	pr_info("%*s+enter{func: '%s [%s]'}\n", min(t->depth, DEPTH_MAX) * 2,
		"", fn, KBUILD_MODNAME);
	t->depth++;
	return true;
}

void __nvmev_trace_exit(const char *fn)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);

	if (t->depth > 0)
		t->depth--;
	pr_info("%*s-exit{func: '%s [%s]'}\n", min(t->depth, DEPTH_MAX) * 2,
		"", fn, KBUILD_MODNAME);
}

/*
 * A traced command that will never run (purged at reset, aborted at SQ
 * deletion): it is no longer in flight, but this CPU may be tracing
 * another command, so its state stays.
 */
void __nvmev_trace_cmd_drop(void)
{
	if (atomic_dec_and_test(&trace_inflight) && READ_ONCE(trace_cmds) &&
	    atomic_read(&trace_budget) <= 0)
		schedule_work(&trace_off_work);
}

bool __nvmev_trace_cmd_begin(const struct nvmev_dev *dev,
			     enum nvmev_trace_queue q, u8 opcode)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);
	struct trace_filter *f = dev_filter(dev);
	int want = READ_ONCE(f->opcode);

	if (!(READ_ONCE(f->queue_mask) & q))
		return false;
	if (want >= 0 && opcode != want)
		return false;
	if (READ_ONCE(trace_cmds) && atomic_dec_if_positive(&trace_budget) < 0)
		return false;
	atomic_inc(&trace_inflight);
	t->active = true;
	t->depth = 0;
	t->dev = dev->index;
	return true;
}

void __nvmev_trace_cmd_resume(const struct nvmev_dev *dev)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);

	t->active = true;
	t->depth = 0;
	t->dev = dev->index;
}

/*
 * The command's last traced stage is over. When the budget is spent and no
 * traced command is still in flight, switch off from a work item: changing
 * a static key may sleep and must not run under our locks.
 */
void __nvmev_trace_cmd_end(void)
{
	raw_cpu_ptr(&trace_cpu)->active = false;
	if (atomic_dec_and_test(&trace_inflight) && READ_ONCE(trace_cmds) &&
	    atomic_read(&trace_budget) <= 0)
		schedule_work(&trace_off_work);
}

/* The dispatcher is done with a command the worker will trace further. */
void nvmev_trace_cmd_handoff(void)
{
	raw_cpu_ptr(&trace_cpu)->active = false;
}

/* ---- knobs ---------------------------------------------------------------- */

static int trace_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	if (ret) {
		pr_err("trace: '%s' is not 0 or 1\n", val);
		return ret;
	}
	if (on) {
		atomic_set(&trace_budget, trace_cmds);
		static_branch_enable(&nvmev_trace_on);
	} else {
		static_branch_disable(&nvmev_trace_on);
	}
	return 0;
}

static int trace_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", static_key_enabled(&nvmev_trace_on));
}

static const struct kernel_param_ops trace_ops = {
	.set = trace_set,
	.get = trace_get,
};

/*
 * The filter knobs. Each parses @val and sets one device's filter, or
 * prints it; a bad value changes nothing. Shared by the module parameters
 * (every device) and the debugfs files (one device).
 */
struct trace_knob {
	int (*set)(struct trace_filter *f, const char *val);
	int (*show)(struct trace_filter *f, char *buf, size_t len);
};

static int queue_set(struct trace_filter *f, const char *val)
{
	static const char *const names[] = { "all", "admin", "io" };
	static const unsigned int masks[] = {
		NVMEV_TRACE_ADMIN | NVMEV_TRACE_IO, NVMEV_TRACE_ADMIN,
		NVMEV_TRACE_IO
	};
	int i = sysfs_match_string(names, val);

	if (i < 0) {
		pr_err("trace_queue: '%s' is not all, admin or io\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(f->queue_mask, masks[i]);
	return 0;
}

static int queue_show(struct trace_filter *f, char *buf, size_t len)
{
	unsigned int m = READ_ONCE(f->queue_mask);

	return scnprintf(buf, len, "%s\n", m == NVMEV_TRACE_ADMIN ? "admin" :
					   m == NVMEV_TRACE_IO    ? "io" :
								    "all");
}

static int opcode_set(struct trace_filter *f, const char *val)
{
	int v, ret = kstrtoint(val, 0, &v);

	if (ret || v < -1 || v > 255) {
		pr_err("trace_opcode: '%s' is not -1 or an opcode 0..255\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(f->opcode, v);
	return 0;
}

static int opcode_show(struct trace_filter *f, char *buf, size_t len)
{
	return scnprintf(buf, len, "%d\n", READ_ONCE(f->opcode));
}

static int filter_set(struct trace_filter *f, const char *val)
{
	char parsed[FILTER_MAX][FILTER_LEN] = {};
	unsigned long flags;
	unsigned int n = 0;
	const char *p = val;

	while (*p && *p != '\n') {
		size_t len = strcspn(p, ",\n");

		if (len >= FILTER_LEN || n == FILTER_MAX) {
			pr_err("trace_filter: at most %d prefixes of %d characters\n",
			       FILTER_MAX, FILTER_LEN - 1);
			return -EINVAL;
		}
		if (len)
			memcpy(parsed[n++], p, len);
		p += len;
		if (*p == ',')
			p++;
	}
	spin_lock_irqsave(&f->lock, flags);
	memcpy(f->prefixes, parsed, sizeof(f->prefixes));
	f->nr_prefixes = n;
	spin_unlock_irqrestore(&f->lock, flags);
	return 0;
}

static int filter_show(struct trace_filter *f, char *buf, size_t size)
{
	unsigned long flags;
	unsigned int i;
	int len = 0;

	spin_lock_irqsave(&f->lock, flags);
	for (i = 0; i < f->nr_prefixes; i++)
		len += scnprintf(buf + len, size - len, "%s%s", i ? "," : "",
				 f->prefixes[i]);
	spin_unlock_irqrestore(&f->lock, flags);
	return len + scnprintf(buf + len, size - len, "\n");
}

static const struct trace_knob knob_queue = { queue_set, queue_show };
static const struct trace_knob knob_opcode = { opcode_set, opcode_show };
static const struct trace_knob knob_filter = { filter_set, filter_show };

/* A module parameter: every device's filter (the first set checks @val). */
static int knob_param_set(const char *val, const struct kernel_param *kp)
{
	const struct trace_knob *k = kp->arg;
	unsigned int i;
	int ret;

	for (i = 0; i < NVMEV_MAX_DEVICES; i++) {
		ret = k->set(&trace_filters[i], val);
		if (ret)
			return ret;
	}
	return 0;
}

static int knob_param_get(char *buf, const struct kernel_param *kp)
{
	const struct trace_knob *k = kp->arg;

	return k->show(&trace_filters[0], buf, PAGE_SIZE);
}

static const struct kernel_param_ops knob_ops = {
	.set = knob_param_set,
	.get = knob_param_get,
};

/* The debugfs files: one device's filter (i_private), one knob each. */
#define KNOB_BUF (FILTER_MAX * FILTER_LEN + 2)

static ssize_t knob_read(struct file *file, char __user *ubuf, size_t cnt,
			 loff_t *ppos, const struct trace_knob *k)
{
	char buf[KNOB_BUF];
	int len = k->show(file->private_data, buf, sizeof(buf));

	return simple_read_from_buffer(ubuf, cnt, ppos, buf, len);
}

static ssize_t knob_write(struct file *file, const char __user *ubuf,
			  size_t cnt, loff_t *ppos, const struct trace_knob *k)
{
	char buf[KNOB_BUF];
	int ret;

	if (*ppos || cnt >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, cnt))
		return -EFAULT;
	buf[cnt] = '\0';
	ret = k->set(file->private_data, buf);
	if (ret)
		return ret;
	*ppos = cnt;
	return cnt;
}

#define KNOB_FOPS(name)                                                      \
	static ssize_t name##_read(struct file *file, char __user *ubuf,     \
				   size_t cnt, loff_t *ppos)                 \
	{                                                                    \
		return knob_read(file, ubuf, cnt, ppos, &knob_##name);       \
	}                                                                    \
	static ssize_t name##_write(struct file *file,                       \
				    const char __user *ubuf, size_t cnt,     \
				    loff_t *ppos)                            \
	{                                                                    \
		return knob_write(file, ubuf, cnt, ppos, &knob_##name);      \
	}                                                                    \
	static const struct file_operations name##_fops = {                  \
		.owner = THIS_MODULE,                                        \
		.open = simple_open,                                         \
		.read = name##_read,                                         \
		.write = name##_write,                                       \
		.llseek = default_llseek,                                    \
	}

KNOB_FOPS(queue);
KNOB_FOPS(opcode);
KNOB_FOPS(filter);

/**
 * nvmev_trace_debugfs - @dev's filter files in its debugfs directory
 * @dev: device; nothing happens without a directory
 *
 * They go with the directory (nvmev_stats_exit()); the filter stays, ready
 * for the module parameters or a device of the same index.
 */
void nvmev_trace_debugfs(struct nvmev_dev *dev)
{
	struct trace_filter *f = dev_filter(dev);

	if (!dev->debugfs)
		return;
	debugfs_create_file("trace_queue", 0600, dev->debugfs, f, &queue_fops);
	debugfs_create_file("trace_opcode", 0600, dev->debugfs, f,
			    &opcode_fops);
	debugfs_create_file("trace_filter", 0600, dev->debugfs, f,
			    &filter_fops);
}

module_param_cb(trace, &trace_ops, NULL, 0644);
MODULE_PARM_DESC(trace, "call-flow trace in dmesg: 0 off (default), 1 on");
module_param(trace_cmds, uint, 0644);
MODULE_PARM_DESC(trace_cmds,
		 "commands traced after each trace=1, then tracing switches off (default 0: no bound)");
module_param_cb(trace_queue, &knob_ops, (void *)&knob_queue, 0644);
MODULE_PARM_DESC(trace_queue,
		 "trace commands of: all (default), admin, io (every device; one device: debugfs nvmev_kv[/devN]/trace_queue)");
module_param_cb(trace_opcode, &knob_ops, (void *)&knob_opcode, 0644);
MODULE_PARM_DESC(trace_opcode,
		 "trace only this opcode, e.g. 0x81 (default -1: all; every device, one device: debugfs .../trace_opcode)");
module_param_cb(trace_filter, &knob_ops, (void *)&knob_filter, 0644);
MODULE_PARM_DESC(trace_filter,
		 "comma-separated function-name prefixes to trace (default empty: all; every device, one device: debugfs .../trace_filter)");

/* Module exit: no trace work may run after the text is gone. */
void nvmev_trace_exit(void)
{
	static_branch_disable(&nvmev_trace_on);
	cancel_work_sync(&trace_off_work);
}

#else

void nvmev_trace_debugfs(struct nvmev_dev *dev)
{
}

void nvmev_trace_exit(void)
{
}

#endif /* NVMEV_NO_TRACE */
