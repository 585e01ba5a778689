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
 * State shared by the threads: the static key; trace_budget (atomic);
 * trace_inflight (atomic, commands being traced); the filter strings under
 * filter_lock. Each CPU's "is the command being run here traced" flag and
 * indentation depth are per-CPU: every traced function runs in one of our
 * CPU-bound kthreads.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
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
};

static DEFINE_PER_CPU(struct trace_cpu, trace_cpu);

static unsigned int trace_cmds;
static atomic_t trace_budget = ATOMIC_INIT(0);
static atomic_t trace_inflight = ATOMIC_INIT(0);
static unsigned int trace_queue_mask = NVMEV_TRACE_ADMIN | NVMEV_TRACE_IO;
static int trace_opcode = -1;

static DEFINE_SPINLOCK(filter_lock); /* protects filters and nr_filters */
static char filters[FILTER_MAX][FILTER_LEN];
static unsigned int nr_filters;

static void trace_off_fn(struct work_struct *work)
{
	static_branch_disable(&nvmev_trace_on);
	pr_info("call-flow trace off: %u command(s) traced\n", trace_cmds);
}

static DECLARE_WORK(trace_off_work, trace_off_fn);

static bool filter_match(const char *fn)
{
	unsigned long flags;
	bool match = false;
	unsigned int i;

	spin_lock_irqsave(&filter_lock, flags);
	if (!nr_filters)
		match = true;
	for (i = 0; i < nr_filters && !match; i++)
		match = !strncmp(fn, filters[i], strlen(filters[i]));
	spin_unlock_irqrestore(&filter_lock, flags);
	return match;
}

bool __nvmev_trace_enter(const char *fn)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);

	if (!t->active || !filter_match(fn))
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

bool __nvmev_trace_cmd_begin(enum nvmev_trace_queue q, u8 opcode)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);

	if (!(READ_ONCE(trace_queue_mask) & q))
		return false;
	if (READ_ONCE(trace_opcode) >= 0 && opcode != READ_ONCE(trace_opcode))
		return false;
	if (READ_ONCE(trace_cmds) && atomic_dec_if_positive(&trace_budget) < 0)
		return false;
	atomic_inc(&trace_inflight);
	t->active = true;
	t->depth = 0;
	return true;
}

void __nvmev_trace_cmd_resume(bool traced)
{
	struct trace_cpu *t = raw_cpu_ptr(&trace_cpu);

	t->active = traced;
	t->depth = 0;
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

static int queue_set(const char *val, const struct kernel_param *kp)
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
	WRITE_ONCE(trace_queue_mask, masks[i]);
	return 0;
}

static int queue_get(char *buf, const struct kernel_param *kp)
{
	unsigned int m = READ_ONCE(trace_queue_mask);

	return sysfs_emit(buf, "%s\n", m == NVMEV_TRACE_ADMIN ? "admin" :
				       m == NVMEV_TRACE_IO    ? "io" :
								"all");
}

static const struct kernel_param_ops queue_ops = {
	.set = queue_set,
	.get = queue_get,
};

static int opcode_set(const char *val, const struct kernel_param *kp)
{
	int v, ret = kstrtoint(val, 0, &v);

	if (ret || v < -1 || v > 255) {
		pr_err("trace_opcode: '%s' is not -1 or an opcode 0..255\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(trace_opcode, v);
	return 0;
}

static const struct kernel_param_ops opcode_ops = {
	.set = opcode_set,
	.get = param_get_int,
};

static int filter_set(const char *val, const struct kernel_param *kp)
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
	spin_lock_irqsave(&filter_lock, flags);
	memcpy(filters, parsed, sizeof(filters));
	nr_filters = n;
	spin_unlock_irqrestore(&filter_lock, flags);
	return 0;
}

static int filter_get(char *buf, const struct kernel_param *kp)
{
	unsigned long flags;
	unsigned int i;
	int len = 0;

	spin_lock_irqsave(&filter_lock, flags);
	for (i = 0; i < nr_filters; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s",
				 i ? "," : "", filters[i]);
	spin_unlock_irqrestore(&filter_lock, flags);
	return len + scnprintf(buf + len, PAGE_SIZE - len, "\n");
}

static const struct kernel_param_ops filter_ops = {
	.set = filter_set,
	.get = filter_get,
};

module_param_cb(trace, &trace_ops, NULL, 0644);
MODULE_PARM_DESC(trace, "call-flow trace in dmesg: 0 off (default), 1 on");
module_param(trace_cmds, uint, 0644);
MODULE_PARM_DESC(trace_cmds,
		 "commands traced after each trace=1, then tracing switches off (default 0: no bound)");
module_param_cb(trace_queue, &queue_ops, NULL, 0644);
MODULE_PARM_DESC(trace_queue, "trace commands of: all (default), admin, io");
module_param_cb(trace_opcode, &opcode_ops, &trace_opcode, 0644);
MODULE_PARM_DESC(trace_opcode, "trace only this opcode, e.g. 0x81 (default -1: all)");
module_param_cb(trace_filter, &filter_ops, NULL, 0644);
MODULE_PARM_DESC(trace_filter,
		 "comma-separated function-name prefixes to trace (default empty: all)");

/* Module exit: no trace work may run after the text is gone. */
void nvmev_trace_exit(void)
{
	static_branch_disable(&nvmev_trace_on);
	cancel_work_sync(&trace_off_work);
}

#else

void nvmev_trace_exit(void)
{
}

#endif /* NVMEV_NO_TRACE */
