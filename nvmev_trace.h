/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev_trace.h - the call-flow trace of the seed notes:
 *
 *   nvmev_kv: +enter{func: 'nvmev_proc_io_cmd [nvmev_kv]'}
 *   nvmev_kv:   +enter{func: 'kv_nvme_dispatch [nvmev_kv]'}
 *   ...
 *   nvmev_kv: -exit{func: 'nvmev_proc_io_cmd [nvmev_kv]'}
 *
 * A function on the command path starts with NVMEV_TRACE_FUNC(); among its
 * declarations. It declares a scope variable whose cleanup prints the exit
 * line on every return path.
 *
 * Why a static key: tracing is off almost always, and the command path runs
 * millions of times. With the key off, each traced function costs one
 * patched-out jump (a NOP) plus a register test in the cleanup; no load, no
 * branch on a variable. ftrace's function graph would need the tracer
 * enabled system-wide and cannot filter by NVMe queue or opcode; the static
 * key gate keeps the seed's dmesg format and our own filters.
 *
 * What is printed is decided per command: the dispatcher, before it fetches
 * an SQE, asks nvmev_trace_cmd_begin() whether this command passes the
 * filters (queue, opcode) and the remaining budget; the worker re-enters
 * the same decision (req->traced) when it performs the command. Function
 * name prefixes filter inside a traced command. The filters (queue, opcode,
 * prefixes) are per device; the switch, the budget and the key are shared.
 *
 * In user space (unit tests, fuzzing) the macro compiles to nothing.
 */
#ifndef NVMEV_TRACE_H
#define NVMEV_TRACE_H

#if defined(__KERNEL__) && !defined(NVMEV_NO_TRACE)

#include <linux/jump_label.h>

DECLARE_STATIC_KEY_FALSE(nvmev_trace_on);

struct nvmev_trace_scope {
	const char *fn;
};

enum nvmev_trace_queue {
	NVMEV_TRACE_ADMIN = 1,
	NVMEV_TRACE_IO = 2,
};

struct nvmev_dev;

bool __nvmev_trace_enter(const char *fn);
void __nvmev_trace_exit(const char *fn);
bool __nvmev_trace_cmd_begin(const struct nvmev_dev *dev,
			     enum nvmev_trace_queue q, u8 opcode);
void __nvmev_trace_cmd_end(void);
void __nvmev_trace_cmd_drop(void);
void __nvmev_trace_cmd_resume(const struct nvmev_dev *dev);
/* the dispatcher's part of a traced command is over; a worker goes on */
void nvmev_trace_cmd_handoff(void);

static __always_inline struct nvmev_trace_scope
nvmev_trace_enter_scope(const char *fn)
{
	struct nvmev_trace_scope s = { NULL };

	if (static_branch_unlikely(&nvmev_trace_on) && __nvmev_trace_enter(fn))
		s.fn = fn;
	return s;
}

static __always_inline void nvmev_trace_leave(struct nvmev_trace_scope *s)
{
	if (unlikely(s->fn))
		__nvmev_trace_exit(s->fn);
}

#define NVMEV_TRACE_FUNC()                                                   \
	struct nvmev_trace_scope __nvmev_ts                                  \
		__attribute__((cleanup(nvmev_trace_leave), unused)) =        \
			nvmev_trace_enter_scope(__func__)

/*
 * Is the command of @dev about to be fetched traced (by @dev's filter)?
 * Marks this CPU if so.
 */
static __always_inline bool
nvmev_trace_cmd_begin(const struct nvmev_dev *dev, enum nvmev_trace_queue q,
		      u8 opcode)
{
	if (static_branch_unlikely(&nvmev_trace_on))
		return __nvmev_trace_cmd_begin(dev, q, opcode);
	return false;
}

static __always_inline void nvmev_trace_cmd_end(bool traced)
{
	if (unlikely(traced))
		__nvmev_trace_cmd_end();
}

/* A traced command that will never run no longer counts as in flight. */
static __always_inline void nvmev_trace_cmd_drop(bool traced)
{
	if (unlikely(traced))
		__nvmev_trace_cmd_drop();
}

/* A worker of @dev picks up a command the dispatcher decided to trace. */
static __always_inline void nvmev_trace_cmd_resume(const struct nvmev_dev *dev,
						   bool traced)
{
	if (unlikely(traced))
		__nvmev_trace_cmd_resume(dev);
}

#else /* user space, or tracing compiled out */

#define NVMEV_TRACE_FUNC() \
	int __nvmev_ts __attribute__((unused)) = 0
#define nvmev_trace_cmd_begin(dev, q, opcode) \
	((void)(dev), (void)(q), (void)(opcode), false)
#define nvmev_trace_cmd_end(traced) ((void)(traced))
#define nvmev_trace_cmd_drop(traced) ((void)(traced))
#define nvmev_trace_cmd_resume(dev, traced) ((void)(dev), (void)(traced))
#define nvmev_trace_cmd_handoff() do { } while (0)
#define NVMEV_TRACE_ADMIN 1
#define NVMEV_TRACE_IO 2

#endif

#endif /* NVMEV_TRACE_H */
