// SPDX-License-Identifier: GPL-2.0
/*
 * test_pace - the dispatcher's polling pace and the workers' wake-up margin
 * (pace.c) against a simulated host and simulated timers.
 */
#include "nvmev.h"
#include "test_util.h"

#define US 1000ULL
#define PASS_NS (1 * US) /* one dispatcher pass while polling */

struct qd1_result {
	u64 max_notice_ns; /* worst doorbell -> noticed, last half */
	unsigned int sleeps; /* backoff sleeps in the last half */
};

/*
 * A host at queue depth 1: each command is serviced for @service_ns, then
 * the host thinks before ringing the next doorbell, for the @nthinks think
 * times of @thinks in turn. The dispatcher polls (a pass per PASS_NS) or
 * sleeps as nvmev_pace_idle() says. Returns how late the commands of the
 * second half were noticed.
 */
static struct qd1_result run_qd1_pattern(const u64 *thinks,
					 unsigned int nthinks, u64 service_ns,
					 u64 spin_ns, unsigned int cmds)
{
	struct nvmev_poll_pace p = { .quiet_since = 0 };
	struct qd1_result r = { 0, 0 };
	u64 t = 0, arrival = thinks[0];
	unsigned int i;

	for (i = 0; i < cmds; i++) {
		u64 done;

		/* idle passes until the doorbell is seen */
		while (t < arrival) {
			unsigned int us = nvmev_pace_idle(&p, t, false, spin_ns);

			if (us && i >= cmds / 2)
				r.sleeps++;
			t += us ? us * US : PASS_NS;
		}
		if (i >= cmds / 2 && t - arrival > r.max_notice_ns)
			r.max_notice_ns = t - arrival;
		nvmev_pace_busy(&p, t);
		/* in flight: the dispatcher polls on */
		done = t + service_ns;
		while (t < done) {
			CHECK_EQ(nvmev_pace_idle(&p, t, true, spin_ns), 0);
			t += PASS_NS;
		}
		arrival = t + thinks[(i + 1) % nthinks];
	}
	return r;
}

static struct qd1_result run_qd1(u64 think_ns, u64 service_ns, u64 spin_ns,
				 unsigned int cmds)
{
	return run_qd1_pattern(&think_ns, 1, service_ns, spin_ns, cmds);
}

/*
 * A host thinking the @n think times of @thinks in turn (@cmds commands) is
 * polled for: no backoff sleep, every doorbell noticed within a pass.
 */
static void check_pattern_polled(const u64 *thinks, unsigned int n,
				 unsigned int cmds)
{
	struct qd1_result r =
		run_qd1_pattern(thinks, n, 20 * US, 50 * US, cmds);

	CHECK(r.sleeps == 0 && r.max_notice_ns <= PASS_NS,
	      "thinks of %llu us and %u more in turn: %u sleeps, noticed up to %llu ns late",
	      (unsigned long long)(thinks[0] / US), n - 1, r.sleeps,
	      (unsigned long long)r.max_notice_ns);
}

/* A host thinking each of @thinks (@cmds commands each) is polled for. */
static void check_thinks_polled(const u64 *thinks, unsigned int n,
				unsigned int cmds)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		check_pattern_polled(&thinks[i], 1, cmds);
}

/*
 * Regression: the dispatcher learned the gap to the next command only when
 * it found the command while polling (backoff_us == 0), so a host thinking
 * longer than poll_spin_us never widened the window and every QD1 command
 * waited for a backoff sleep (make bench: QD1 overhead 6.2-7.2x the floor).
 */
static void test_gap_learned_after_backoff_sleep(void)
{
	static const u64 thinks[] = { 60 * US, 120 * US, 300 * US, 900 * US };

	check_thinks_polled(thinks, ARRAY_SIZE(thinks), 400);
}

/*
 * Regression: the window was capped at 2 ms, so a host thinking 2-50 ms
 * between commands (a rate-limited client, fio's thinktime) found the
 * dispatcher in a backoff sleep of up to 1 ms each time: in the VM a QD1
 * retrieve after a 2 ms think took 0.75-1.3 ms, 3.4-5x a Flush on QEMU's
 * NVMe after the same think, and 2-3x after 5-50 ms. Every gap short
 * enough to be learned (under NVMEV_GAP_IGNORE_NS) is now polled through.
 */
static void test_think_under_50ms_polled_through(void)
{
	static const u64 thinks[] = { 2500 * US, 9000 * US, 40000 * US,
				      49900 * US };

	CHECK(NVMEV_POLL_WINDOW_MAX_US * US >= 2 * NVMEV_GAP_IGNORE_NS,
	      "the window's cap is under twice the longest learned gap");
	check_thinks_polled(thinks, ARRAY_SIZE(thinks), 40);
}

/*
 * Regression: a plain running average of the gaps (weight 1/8) settled at
 * 1.2 ms for a host thinking 0.5, 0.5, 0.5 then 4 ms in turn, so each 4 ms
 * think met a 2.4 ms window and a backoff sleep. A longer gap moves the
 * average half-way at once (about 2.3 ms here, a 4.5 ms window).
 */
static void test_varying_think_polled_through(void)
{
	static const u64 thinks[] = { 500 * US, 500 * US, 500 * US, 4000 * US };

	check_pattern_polled(thinks, ARRAY_SIZE(thinks), 200);
}

/* A host idle longer than a learned gap is not polled for: it sleeps. */
static void test_window_capped(void)
{
	struct nvmev_poll_pace p = { .quiet_since = 0,
				     .gap_avg_ns = 100000 * US };
	struct qd1_result r;

	CHECK_EQ(nvmev_pace_window_ns(&p, 50 * US),
		 NVMEV_POLL_WINDOW_MAX_US * US);
	p.gap_avg_ns = 0;
	CHECK_EQ(nvmev_pace_window_ns(&p, 50 * US), 50 * US);
	p.gap_avg_ns = 100 * US;
	CHECK_EQ(nvmev_pace_window_ns(&p, 50 * US), 200 * US);
	/* think 70 ms, over NVMEV_GAP_IGNORE_NS: sleeps, noticed within a
	 * backoff step */
	r = run_qd1(70000 * US, 20 * US, 50 * US, 20);
	CHECK(r.sleeps > 0, "a 70 ms think time was polled through");
	CHECK(r.max_notice_ns <= NVMEV_BACKOFF_MAX_US * US + PASS_NS,
	      "noticed %llu ns late", (unsigned long long)r.max_notice_ns);
}

/* A gap over 60 ms is the host idle, not its pace: not learned. */
static void test_idle_gap_ignored(void)
{
	struct nvmev_poll_pace p = { .quiet_since = 0, .gap_avg_ns = 80 * US };

	nvmev_pace_busy(&p, 70000 * US);
	CHECK_EQ(p.gap_avg_ns, 80 * US);
	CHECK_EQ(p.quiet_since, 70000 * US);
	/* longer than the average: half-way at once */
	nvmev_pace_busy(&p, 70000 * US + 160 * US);
	CHECK_EQ(p.gap_avg_ns, (80 * US + 160 * US) / 2);
	/* shorter: an eighth of the way */
	nvmev_pace_busy(&p, 70000 * US + 200 * US);
	CHECK_EQ(p.gap_avg_ns, (7 * 120 * US + 40 * US) / 8);
}

/*
 * test_held_perform_not_idle_time: the dispatcher completed a held command
 * that took 400 us (over the 50 us window). The host's next command comes
 * right after; the dispatcher must poll, not start a backoff sleep, and the
 * gap it learns is the host's, not the perform's.
 */
static void test_held_perform_not_idle_time(void)
{
	struct nvmev_poll_pace p = { .quiet_since = 980 * US,
				     .gap_avg_ns = 20 * US };
	u64 t = 1000 * US;

	nvmev_pace_busy(&p, t); /* fetched after a 20 us gap, held */
	CHECK_EQ(nvmev_pace_idle(&p, t + 10 * US, true, 50 * US), 0);
	nvmev_pace_quiet(&p, t + 400 * US); /* performed and completed */
	CHECK_EQ(nvmev_pace_idle(&p, t + 410 * US, false, 50 * US), 0);
	nvmev_pace_busy(&p, t + 430 * US);
	CHECK_EQ(p.gap_avg_ns, (20 * US + 30 * US) / 2); /* longer: half-way */
}

/*
 * Regression (zero gap learned, window collapsed): with no model cost the
 * dispatcher fetches a QD1 command and performs it in the same pass. The
 * pass must learn the host's gap (300 us here) before the completion
 * starts the next one; learning the completion first taught a gap of 0,
 * so the window fell to poll_spin_us and most commands of a host with a
 * 300 us think time found the dispatcher in a backoff sleep.
 */
static void test_fetch_and_complete_in_one_pass_learns_gap(void)
{
	struct nvmev_poll_pace p = { .quiet_since = 0 };
	u64 t = 0;
	int i;

	for (i = 0; i < 64; i++) {
		t += 300 * US;
		if (i >= 8) /* learnt: polls through the host's gap */
			CHECK_EQ(nvmev_pace_idle(&p, t - 1 * US, false, 50 * US),
				 0);
		nvmev_pace_pass(&p, t, true, true);
	}
	CHECK(p.gap_avg_ns > 290 * US && p.gap_avg_ns <= 300 * US, "gap %llu",
	      (unsigned long long)p.gap_avg_ns);
	CHECK_EQ(p.quiet_since, t);
	CHECK_EQ(nvmev_pace_window_ns(&p, 50 * US), 2 * p.gap_avg_ns);
	/* a completion alone learns nothing */
	nvmev_pace_pass(&p, t + 100 * US, false, true);
	CHECK(p.gap_avg_ns > 290 * US, "gap %llu",
	      (unsigned long long)p.gap_avg_ns);
	CHECK_EQ(p.quiet_since, t + 100 * US);
}

/* Backoff doubles to 1 ms, to 50 ms once idle 1 s; a command resets it. */
static void test_backoff_steps(void)
{
	struct nvmev_poll_pace p = { .quiet_since = 0 };
	unsigned int want = NVMEV_BACKOFF_MIN_US, us, n;
	u64 t = 100 * US; /* past the 50 us window */

	for (n = 0; n < 12; n++) {
		us = nvmev_pace_idle(&p, t, false, 50 * US);
		CHECK_EQ(us, want);
		t += us * US;
		want = want * 2 > NVMEV_BACKOFF_MAX_US ? NVMEV_BACKOFF_MAX_US :
							 want * 2;
	}
	t = NVMEV_IDLE_NS + 1;
	for (n = 0; n < 12; n++)
		us = nvmev_pace_idle(&p, t, false, 50 * US);
	CHECK_EQ(us, NVMEV_IDLE_BACKOFF_MAX_US);
	/* 20 sleeps of 50 ms a second: under 1 % of a CPU at 150 us a pass */
	CHECK(1000000 / NVMEV_IDLE_BACKOFF_MAX_US * 150 <= 10000,
	      "idle passes cost over 1 %% of a CPU at 150 us each");
	nvmev_pace_busy(&p, t);
	CHECK_EQ(p.backoff_us, 0);
	CHECK_EQ(nvmev_pace_idle(&p, t + 10 * US, false, 50 * US), 0);
	/* commands in flight: always poll */
	CHECK_EQ(nvmev_pace_idle(&p, t + 10 * NVMEV_IDLE_NS, true, 0), 0);
}

/*
 * The wake-up margin follows the timers' lateness: twice its average,
 * within 20 us .. 500 us. A fixed 50 us margin under TCG (timers 50-200 us
 * late) put lateness p50 at 33-98 us; learned, it is 2-16 us.
 */
static void test_wake_margin(void)
{
	u64 avg = 0;
	unsigned int n;

	CHECK_EQ(nvmev_wake_margin_ns(0), NVMEV_SPIN_MIN_NS);
	for (n = 0; n < 200; n++)
		nvmev_wake_learn(&avg, 1000 * US, 1000 * US + 100 * US);
	CHECK(avg >= 99 * US && avg <= 100 * US, "avg %llu",
	      (unsigned long long)avg);
	CHECK(nvmev_wake_margin_ns(avg) >= 198 * US &&
		      nvmev_wake_margin_ns(avg) <= 200 * US,
	      "margin %llu", (unsigned long long)nvmev_wake_margin_ns(avg));
	/* early wake-ups count as on time */
	for (n = 0; n < 200; n++)
		nvmev_wake_learn(&avg, 1000 * US, 900 * US);
	CHECK_EQ(nvmev_wake_margin_ns(avg), NVMEV_SPIN_MIN_NS);
	/* a pathological timer does not make the worker spin forever */
	for (n = 0; n < 200; n++)
		nvmev_wake_learn(&avg, 0, 100000 * US);
	CHECK_EQ(nvmev_wake_margin_ns(avg), NVMEV_SPIN_MAX_NS);
}

/* the interrupt horizon follows the learned stall, within its bounds */
static void test_irq_horizon(void)
{
	u64 avg = 0;
	unsigned int n;

	/* hardware: an interrupt costs the worker ~1 us: nothing held back */
	for (n = 0; n < 200; n++)
		nvmev_irq_stall_learn(&avg, 1 * US);
	CHECK_EQ(nvmev_irq_horizon_ns(avg, 5 * US), 5 * US);
	/* single-threaded TCG: the host takes the one thread for ~150 us */
	for (n = 0; n < 200; n++)
		nvmev_irq_stall_learn(&avg, 150 * US);
	CHECK(nvmev_irq_horizon_ns(avg, 5 * US) >= 149 * US &&
		      nvmev_irq_horizon_ns(avg, 5 * US) <= 150 * US,
	      "horizon %llu",
	      (unsigned long long)nvmev_irq_horizon_ns(avg, 5 * US));
	/* a stall of seconds (a preempted VM) counts as the maximum ... */
	nvmev_irq_stall_learn(&avg, 2000000 * US);
	CHECK(avg <= NVMEV_IRQ_HORIZON_MAX_NS, "avg %llu",
	      (unsigned long long)avg);
	for (n = 0; n < 200; n++)
		nvmev_irq_stall_learn(&avg, 2000000 * US);
	CHECK(nvmev_irq_horizon_ns(avg, 5 * US) >
			      NVMEV_IRQ_HORIZON_MAX_NS - US &&
		      nvmev_irq_horizon_ns(avg, 5 * US) <=
			      NVMEV_IRQ_HORIZON_MAX_NS,
	      "horizon %llu",
	      (unsigned long long)nvmev_irq_horizon_ns(avg, 5 * US));
	/* ... and 30 batches on hardware bring the horizon back down */
	for (n = 0; n < 30; n++)
		nvmev_irq_stall_learn(&avg, 1 * US);
	CHECK_EQ(nvmev_irq_horizon_ns(avg, 5 * US), 5 * US);
}

int main(void)
{
	test_gap_learned_after_backoff_sleep();
	test_think_under_50ms_polled_through();
	test_varying_think_polled_through();
	test_window_capped();
	test_idle_gap_ignored();
	test_backoff_steps();
	test_held_perform_not_idle_time();
	test_fetch_and_complete_in_one_pass_learns_gap();
	test_wake_margin();
	test_irq_horizon();
	return test_report("test_pace");
}
