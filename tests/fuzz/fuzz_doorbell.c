// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_doorbell.c - the doorbell arithmetic of io.c (nvmev_sq_pending,
 * nvmev_cq_head_valid, nvmev_q_full/next) driven by a host that mixes
 * honest doorbell writes with arbitrary values.
 *
 * A queue pair of 2..65 entries. The device side below is the dispatcher's
 * and the posting path's logic (poll_io_sq, cq_head_locked, post_cqe in
 * io.c) over the same pure helpers. Input bytes pick host actions: submit,
 * write a bogus SQ tail or CQ head, let the device run, consume CQEs.
 * Checked throughout:
 *  - the device only reads SQ entries and writes CQ entries inside the
 *    queues, and never writes a CQ slot it still counts as unread;
 *  - the CQ head it uses only moves forward, never past its own tail;
 *  - an honest host never loses a completion it is owed: no CQE the host
 *    has not consumed is overwritten;
 *  - once the host writes honest doorbells again, everything it submitted
 *    completes exactly once, with its own command id, in order (unless a
 *    bogus SQ tail made the device fetch entries never submitted; the host
 *    asked for that, and then only the safety checks apply).
 */
#include "nvmev.h"
#include "fuzz_util.h"

#define QMAX 65
#define BUDGET 8 /* SQEs per device pass, as DISPATCH_BUDGET */

struct cqe {
	u16 cid;
	u8 phase;
};

struct sim {
	u32 size;
	/* doorbell memory */
	u32 db_sq_tail;
	u32 db_cq_head;
	/* the queues in host memory */
	u16 sq[QMAX];
	struct cqe cq[QMAX];
	/* device */
	u32 sq_head;
	u32 cq_tail;
	u32 cq_head; /* last valid head taken */
	u8 cq_phase;
	/* host */
	u32 h_sq_tail;
	u32 h_cq_head;
	u8 h_phase;
	bool h_unread[QMAX]; /* posted, not consumed by the host */
	u16 next_cid; /* cids are submitted in order 0, 1, 2, ... */
	u16 next_done; /* the cid the host expects next */
	u32 in_flight; /* submitted, not yet completed */
	/*
	 * The host wrote a bogus value the device could not tell from an
	 * honest one: an SQ tail inside the queue (the device fetches entries
	 * never submitted) or a CQ head inside the posted range but past what
	 * the host read (the device takes those entries as consumed). Then only
	 * the safety checks apply; the host asked for the rest.
	 */
	bool host_lied;
};

/* Device: the CQ head it may use (io.c cq_head_locked). */
static u32 dev_cq_head(struct sim *s)
{
	u32 old = s->cq_head;

	if (nvmev_cq_head_valid(s->db_cq_head, s->cq_head, s->cq_tail,
				s->size)) {
		if (nvmev_q_dist(old, s->db_cq_head, s->size) >
		    nvmev_q_dist(old, s->h_cq_head, s->size))
			s->host_lied =
				true; /* claims entries it has not read */
		s->cq_head = s->db_cq_head;
	}
	/* forward only: never past the tail, never backwards over it */
	FZ_ASSERT(nvmev_q_dist(old, s->cq_head, s->size) <=
		  nvmev_q_dist(old, s->cq_tail, s->size));
	return s->cq_head;
}

/* Device: one dispatcher pass over the SQ, completing at once. */
static void dev_pass(struct sim *s)
{
	int pending = nvmev_sq_pending(s->sq_head, s->db_sq_tail, s->size);
	unsigned int n = 0;

	if (pending < 0) {
		FZ_ASSERT(s->db_sq_tail >= s->size);
		return; /* Invalid Doorbell Write Value: ignored */
	}
	FZ_ASSERT((u32)pending < s->size);
	while (s->sq_head != s->db_sq_tail && n++ < BUDGET) {
		u32 slot;

		if (nvmev_q_full(s->cq_tail, dev_cq_head(s), s->size))
			break; /* back-pressure: the SQE stays */
		FZ_ASSERT(s->sq_head < s->size);
		slot = s->cq_tail;
		FZ_ASSERT(slot < s->size);
		/* honest host: never overwrite what it has not read */
		if (!s->host_lied)
			FZ_ASSERT(!s->h_unread[slot]);
		s->cq[slot].cid = s->sq[s->sq_head];
		s->cq[slot].phase = s->cq_phase;
		s->h_unread[slot] = true;
		s->sq_head = nvmev_q_next(s->sq_head, s->size);
		s->cq_tail = nvmev_q_next(s->cq_tail, s->size);
		if (!s->cq_tail)
			s->cq_phase ^= 1;
	}
}

/* Host: submit up to @n commands where the SQ has room. */
static void host_submit(struct sim *s, unsigned int n)
{
	while (n-- && !nvmev_q_full(s->h_sq_tail, s->sq_head, s->size) &&
	       s->in_flight < s->size - 1) {
		s->sq[s->h_sq_tail] = s->next_cid++;
		s->h_sq_tail = nvmev_q_next(s->h_sq_tail, s->size);
		s->in_flight++;
	}
	s->db_sq_tail = s->h_sq_tail;
}

/* Host: consume up to @n completions by phase, then ring the CQ head. */
static void host_consume(struct sim *s, unsigned int n)
{
	while (n-- && s->cq[s->h_cq_head].phase == s->h_phase) {
		struct cqe *e = &s->cq[s->h_cq_head];

		if (!s->h_unread[s->h_cq_head]) {
			/* a new phase on an entry never posted: only a lie */
			FZ_ASSERT(s->host_lied);
			break;
		}
		if (!s->host_lied) {
			FZ_ASSERT(e->cid == s->next_done);
			FZ_ASSERT(s->in_flight > 0);
		}
		s->next_done++;
		s->in_flight -= !!s->in_flight;
		s->h_unread[s->h_cq_head] = false;
		s->h_cq_head = nvmev_q_next(s->h_cq_head, s->size);
		if (!s->h_cq_head)
			s->h_phase ^= 1;
	}
	s->db_cq_head = s->h_cq_head;
}

/* A bogus SQ tail inside the queue: the device cannot tell it is bogus. */
static void bogus_sq_tail(struct sim *s, u32 v)
{
	s->db_sq_tail = v;
	if (v < s->size && v != s->h_sq_tail)
		s->host_lied = true;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct sim s = { 0 };
	unsigned int rounds;
	size_t i;

	if (size < 1)
		return 0;
	s.size = 2 + data[0] % (QMAX - 1);
	s.cq_phase = 1;
	s.h_phase = 1;
	for (i = 0; i < QMAX; i++)
		s.cq[i].phase = 0;
	for (i = 1; i + 1 < size; i += 2) {
		u8 op = data[i], arg = data[i + 1];

		switch (op % 6) {
		case 0:
			host_submit(&s, 1 + arg % 16);
			break;
		case 1: /* any value, mostly near the queue's edges */
			bogus_sq_tail(&s,
				      op & 0x80 ? arg : (u32)arg * 0x01010101u);
			break;
		case 2:
			s.db_cq_head = op & 0x80 ? arg : (u32)arg << (op >> 4);
			break;
		case 3:
		case 4:
			dev_pass(&s);
			break;
		case 5:
			host_consume(&s, 1 + arg % 16);
			break;
		}
	}

	/* the host turns honest: every owed completion must arrive */
	if (s.host_lied)
		return 0;
	for (rounds = 0; rounds < 4 * QMAX && s.in_flight; rounds++) {
		s.db_sq_tail = s.h_sq_tail;
		s.db_cq_head = s.h_cq_head;
		dev_pass(&s);
		host_consume(&s, QMAX);
	}
	FZ_ASSERT(s.in_flight == 0);
	FZ_ASSERT(s.next_done == s.next_cid);
	return 0;
}
