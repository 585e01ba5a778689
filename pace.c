// SPDX-License-Identifier: GPL-2.0
/*
 * pace.c - what the emulator's threads learn of time, pure so that it is
 * unit-tested in user space (tests/unit/test_pace.c):
 *
 * - the dispatcher's polling pace: how long to keep polling after the
 *   device went quiet (the host's learned gap to its next command), and
 *   the backoff sleeps after that;
 * - a worker's wake-up margin: how long before a target it stops sleeping
 *   and spins, learned from how late its own timer wake-ups were;
 * - a worker's interrupt horizon: how far past the request it completes it
 *   looks for more due before raising the interrupt, learned from how long
 *   raising one kept it off its CPU.
 *
 * All three exist because the host pays for every microsecond between its
 * doorbell and our noticing it, every microsecond a timer fires late and
 * every microsecond an interrupt keeps a due completion back; and because
 * spinning forever costs a CPU.
 */
#include "nvmev.h"

/* Running average, weight 1/8 to the new sample. */
static u64 avg8(u64 avg, u64 sample)
{
	return (7 * avg + sample) / 8;
}

/* How long to keep polling after the device went quiet. */
u64 nvmev_pace_window_ns(const struct nvmev_poll_pace *p, u64 spin_ns)
{
	return max(spin_ns, min(2 * p->gap_avg_ns,
				(u64)NVMEV_POLL_WINDOW_MAX_US * 1000));
}

/*
 * A pass found work at @now: learn the gap that preceded it. Gaps found
 * after a sleep count too (overstated by at most one backoff step):
 * learning only the gaps shorter than the current window could never widen
 * it, and a host whose think time exceeded poll_spin_us paid a backoff
 * sleep on every command. The average is asymmetric: a longer gap than it
 * moves it half-way at once, a shorter one by an eighth, so a host that
 * thinks longer once in every few commands (0.5, 0.5, 0.5 then 4 ms) keeps
 * those longer gaps inside the window, which a plain running average (1.2
 * ms, a 2.4 ms window) left to a sleep. Rarer long gaps still sleep.
 */
void nvmev_pace_busy(struct nvmev_poll_pace *p, u64 now)
{
	u64 gap = now - p->quiet_since;

	if (gap < NVMEV_GAP_IGNORE_NS)
		p->gap_avg_ns = gap > p->gap_avg_ns ?
					(p->gap_avg_ns + gap) / 2 :
					avg8(p->gap_avg_ns, gap);
	p->quiet_since = now;
	p->backoff_us = 0;
}

/*
 * The device went quiet at @now without a new command (the dispatcher
 * completed its held one): the gap to the next command starts here.
 */
void nvmev_pace_quiet(struct nvmev_poll_pace *p, u64 now)
{
	p->quiet_since = now;
}

/*
 * nvmev_pace_pass - what one polling pass that did something tells
 * @arrived: it fetched commands
 * @completed: it completed the held command (a completion is not an arrival)
 *
 * In the order it happened: the arrival ends a gap, the completion starts
 * the next one. A command fetched and performed in the same pass (a held
 * command with no model cost) must not teach a zero gap, or the window
 * shrinks to poll_spin_us and the host's next command finds the
 * dispatcher asleep.
 */
void nvmev_pace_pass(struct nvmev_poll_pace *p, u64 now, bool arrived,
		     bool completed)
{
	if (arrived)
		nvmev_pace_busy(p, now);
	if (completed)
		nvmev_pace_quiet(p, now);
}

/*
 * A pass found nothing at @now (@inflight: commands on the device).
 * Return: 0 to poll on, else how many microseconds to sleep (doubling from
 * NVMEV_BACKOFF_MIN_US to NVMEV_BACKOFF_MAX_US, NVMEV_IDLE_BACKOFF_MAX_US
 * once idle for NVMEV_IDLE_NS).
 */
unsigned int nvmev_pace_idle(struct nvmev_poll_pace *p, u64 now, bool inflight,
			     u64 spin_ns)
{
	unsigned int max_us;

	if (inflight) {
		p->quiet_since = now; /* a completion is coming: poll */
		return 0;
	}
	if (now - p->quiet_since < nvmev_pace_window_ns(p, spin_ns))
		return 0;
	max_us = now - p->quiet_since > NVMEV_IDLE_NS ?
			 NVMEV_IDLE_BACKOFF_MAX_US :
			 NVMEV_BACKOFF_MAX_US;
	p->backoff_us = clamp_t(unsigned int, p->backoff_us * 2,
				NVMEV_BACKOFF_MIN_US, max_us);
	return p->backoff_us;
}

/* A timer wake-up asked for @until_ns came at @now: learn its lateness. */
void nvmev_wake_learn(u64 *late_avg_ns, u64 until_ns, u64 now)
{
	*late_avg_ns = avg8(*late_avg_ns, now > until_ns ? now - until_ns : 0);
}

/* How long before a target a worker stops sleeping and spins. */
u64 nvmev_wake_margin_ns(u64 late_avg_ns)
{
	return clamp_t(u64, 2 * late_avg_ns, NVMEV_SPIN_MIN_NS,
		       NVMEV_SPIN_MAX_NS);
}

/*
 * Raising a batch's interrupts took @stall_ns of the worker's time. Clamped
 * before it is averaged: one stall of seconds (the VM preempted at that
 * instant) must not hold the horizon at its maximum for a hundred batches.
 */
void nvmev_irq_stall_learn(u64 *stall_avg_ns, u64 stall_ns)
{
	*stall_avg_ns = avg8(*stall_avg_ns,
			     min_t(u64, stall_ns, NVMEV_IRQ_HORIZON_MAX_NS));
}

/*
 * How far ahead of now a worker takes due requests into the batch it is
 * completing, before the batch's interrupt: at least @min_ns, and as long
 * as an interrupt keeps the worker away (at most NVMEV_IRQ_HORIZON_MAX_NS).
 * A request due within that time would be posted that late anyway, behind
 * the interrupt, where the host's handling of it has the worker's CPU: under
 * single-threaded TCG every vCPU shares one host thread, and an interrupt
 * hands it to the host for 100-200 us, so a burst of completions due
 * together went out 100-240 us late. On hardware the stall is a
 * microsecond or two and nothing changes.
 */
u64 nvmev_irq_horizon_ns(u64 stall_avg_ns, u64 min_ns)
{
	return clamp_t(u64, stall_avg_ns, min_ns, NVMEV_IRQ_HORIZON_MAX_NS);
}
