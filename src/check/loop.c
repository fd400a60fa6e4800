/* connect -z: the poll loop.  A loop keeps up to cap attempts in flight
   (probe.c), each in a slot, and settles them as poll reports them; it
   owns the bookkeeping around the probes: which result's attempt starts
   next (a result's next address is due when one fails, or joins one that
   has had no answer for RACE_DELAY_MS: Happy Eyeballs), the refused
   sockets kept to connect again, and the results done.  On a pool thread
   (round.c) it takes the ports in blocks, lowest first, and wakes on the
   pool's stop pipe; alone, it takes them all and hands the results over
   itself. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/internal.h"
#include "check/loop.h"

/* Ports a loop takes at a time: small enough that the loops move up the
   list together and results come out steadily. */
#define BLOCK 64

/* Queues result idx's next attempt: it starts as soon as a slot is free.
   At most one entry per result, and a loop has no more results under way
   than slots (new ones start only when the queue is empty), so the queue
   never outgrows l->cap. */
static void
queue_next(struct loop *l, size_t idx)
{
	struct result *r = &l->c->r[idx];

	if (r->queued || l->nagain >= l->cap)
		return;
	r->queued = true;
	l->again[l->nagain++] = idx;
}

static void
close_spares(struct loop *l)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		while (l->nspare[v6] > 0)
			close(l->spare[v6][--l->nspare[v6]]);
}

/* Result r is open: its other attempts end, unreported. */
static void
cancel_others(struct loop *l, const struct slot *s, struct result *r)
{
	struct slot *o;
	unsigned i;

	for (i = 0; i < l->live && r->inflight > 0; i++) {
		o = &l->slots[i];
		if (o == s || o->probe.fd == -1 || o->idx != s->idx)
			continue;
		probe_cancel(&o->probe);
		r->inflight--;
	}
}

/* Slot s's attempt ended with out: a refused socket kept, the outcome
   into its result; then the result is done, or its next attempt is
   queued, or it waits for the others. */
static void
attempt_end(struct loop *l, struct slot *s, struct probe_outcome *out)
{
	struct checker *c = l->c;
	struct result *r = &c->r[s->idx];
	int v6 = c->addrs[s->addr].family == AF_INET6;

	if (out->spare_fd != -1 && l->nspare[v6] < l->cap)
		l->spare[v6][l->nspare[v6]++] = out->spare_fd;
	else if (out->spare_fd != -1)
		close(out->spare_fd);
	r->inflight--;
	result_attempt(r, s->attempt, s->addr, out);
	if (out->state == CHECK_OPEN) {
		cancel_others(l, s, r);
	} else if (r->tried < check_attempts(c)) {
		queue_next(l, s->idx);
		return;
	} else if (r->inflight > 0) {
		return;
	}
	publish(r, r->best);
	l->done++;
}

/* Starts the next attempt of result idx in slot s, on a refused socket
   of its family when one is kept.  Returns 1 when it is in flight, 0 when
   it ended at once, -1 when it must wait for a descriptor (or a failure
   stops the checks). */
static int
start(struct loop *l, size_t idx, struct slot *s)
{
	struct checker *c = l->c;
	struct result *r = &c->r[idx];
	struct probe_outcome out;
	enum probe_status st;
	struct sock_err e;
	int v6;

	s->idx = idx;
	s->attempt = r->tried;
	s->addr = check_attempt_addr(c, r, r->tried);
	v6 = c->addrs[s->addr].family == AF_INET6;
	r->tried++;
	r->inflight++;
	do {
		s->probe.reuse = l->reuse;
		s->probe.fd =
		    l->nspare[v6] > 0 ? l->spare[v6][--l->nspare[v6]] : -1;
		st = probe_start(&s->probe, &c->target, &c->addrs[s->addr],
		    r->port, &out, &e);
		if (st == PROBE_NO_REUSE) {
			close_spares(l);
			l->reuse = false;
		}
	} while (st == PROBE_NO_REUSE);
	if (st == PROBE_PENDING && c->target.udp && c->race &&
	    r->tried < c->ncur)
		queue_next(l, idx); /* UDP: every address at once */
	if (st == PROBE_PENDING)
		return 1;
	if (st == PROBE_DONE) {
		attempt_end(l, s, &out);
		return 0;
	}
	if (st == PROBE_FAILED)
		check_fail(c, &e);
	/* not started after all */
	r->tried--;
	r->inflight--;
	return -1;
}

/* When slot s's attempt is to be joined by the next address, or -1 when
   it is not. */
static double
race_at(const struct checker *c, const struct slot *s)
{
	const struct result *r = &c->r[s->idx];

	if (!c->race || s->probe.phase != PHASE_CONNECT || r->queued ||
	    s->attempt + 1 != r->tried || r->tried >= c->ncur)
		return -1;
	return s->probe.start + RACE_DELAY_MS;
}

/* Ends slot s's attempt when its -w deadline has passed by now, or
   queues the next attempt when it is time for another address to join
   the race. */
static void
expire(struct loop *l, struct slot *s, double now)
{
	struct probe_outcome out;
	double at;

	if (s->probe.fd == -1)
		return;
	if (now - s->probe.start >= (double)l->c->attempt_ms) {
		probe_expire(&s->probe, &l->c->target, &out);
		attempt_end(l, s, &out);
	} else if ((at = race_at(l->c, s)) >= 0 && now >= at) {
		queue_next(l, s->idx);
	}
}

/* The next result for l to start: the next pending one of its block, or
   of a new block it takes from the pool.  Returns c->n when none is
   left. */
static size_t
next_pending(struct loop *l)
{
	struct checker *c = l->c;
	size_t first, n;

	for (;;) {
		while (l->next < l->end && c->r[l->next].st != CHECK_PENDING)
			l->next++;
		if (l->next < l->end)
			return l->next;
		if (c->pool == NULL ||
		    (n = pool_take(c->pool, BLOCK, &first)) == 0)
			return c->n;
		l->next = first;
		l->end = first + n;
	}
}

/* Starts attempts until *cap are in flight: first the next attempts
   that are due, then the first attempts of new results, only while no
   attempt is due (so that a loop never has more results under way than
   slots).  Returns 1 when nothing is left to start, 0 when some is. */
static int
start_more(struct loop *l, unsigned *cap)
{
	struct checker *c = l->c;
	size_t idx;
	bool due;
	int rc;

	while (l->live < *cap) {
		due = l->nagain > 0;
		if (due) {
			idx = l->again[--l->nagain];
			c->r[idx].queued = false;
			if (c->r[idx].st != CHECK_PENDING)
				continue; /* open meanwhile */
		} else if ((idx = next_pending(l)) >= c->n) {
			return 1;
		}
		rc = start(l, idx, &l->slots[l->live]);
		if (rc == -1) {
			if (due)
				queue_next(l, idx);
			if (check_stopping(c))
				return 0;
			/* descriptors or ports ran out: fewer at once */
			if (l->live > 0)
				*cap = l->live;
			else
				nanosleep(&(struct timespec){ 0, 10000000 },
				    NULL);
			return 0;
		}
		if (rc == 1)
			l->live++;
		if (!due)
			l->next++;
	}
	return 0;
}

/* When l's poll must wake at the latest: the first -w deadline or race
   start of its attempts. */
static double
next_deadline(const struct loop *l)
{
	const struct checker *c = l->c;
	double deadline = -1, t, at;
	unsigned i;

	for (i = 0; i < l->live; i++) {
		t = l->slots[i].probe.start + (double)c->attempt_ms;
		at = race_at(c, &l->slots[i]);
		if (at >= 0 && at < t)
			t = at;
		if (deadline < 0 || t < deadline)
			deadline = t;
	}
	return deadline;
}

void
loop_free(struct loop *l)
{
	free(l->slots);
	free(l->pfd);
	free(l->spare[0]);
	free(l->spare[1]);
	free(l->again);
	l->slots = NULL;
	l->pfd = NULL;
	l->spare[0] = l->spare[1] = NULL;
	l->again = NULL;
}

int
loop_alloc(struct loop *l)
{
	l->slots = calloc(l->cap, sizeof(*l->slots));
	l->pfd = calloc(l->cap + 1, sizeof(*l->pfd)); /* + the stop pipe */
	l->spare[0] = calloc(l->cap, sizeof(*l->spare[0]));
	l->spare[1] = calloc(l->cap, sizeof(*l->spare[1]));
	l->again = calloc(l->cap, sizeof(*l->again));
	if (l->slots != NULL && l->pfd != NULL && l->spare[0] != NULL &&
	    l->spare[1] != NULL && l->again != NULL)
		return 0;
	loop_free(l);
	return -1;
}

/* Waits for l's attempts (and the pool's stop pipe) until the first
   deadline, then settles what poll reported and ends what expired.
   Returns 0, or -1 when poll failed. */
static int
wait_and_settle(struct loop *l)
{
	struct checker *c = l->c;
	struct pollfd *pfd = l->pfd;
	struct probe_outcome out;
	struct slot *s;
	nfds_t npfd = l->live;
	double now = sock_now_ms();
	unsigned i;
	int rc;

	for (i = 0; i < l->live; i++)
		pfd[i] = (struct pollfd){ .fd = l->slots[i].probe.fd,
			.events = l->slots[i].probe.events };
	if (c->pool != NULL)
		pfd[npfd++] = (struct pollfd){ .fd = pool_stop_fd(c->pool),
			.events = POLLIN };
	rc = poll(pfd, npfd,
	    l->live == 0 ? 10 : sock_poll_ms(next_deadline(l), now));
	if (rc == -1 && errno != EINTR)
		return -1;
	now = sock_now_ms();
	for (i = 0; i < l->live; i++) {
		s = &l->slots[i];
		/* an attempt ended by another's success has fd -1 */
		if (rc > 0 && pfd[i].revents != 0 && s->probe.fd != -1 &&
		    probe_settle(&s->probe, &c->target, pfd[i].revents, &out) ==
			PROBE_DONE)
			attempt_end(l, s, &out);
		expire(l, s, now);
	}
	for (i = 0; i < l->live;) {
		if (l->slots[i].probe.fd != -1)
			i++;
		else /* done: the last slot takes its place */
			l->slots[i] = l->slots[--l->live];
	}
	return 0;
}

int
loop_run(struct loop *l)
{
	struct checker *c = l->c;
	struct sock_err e;
	unsigned i, cap = l->cap;
	int all_started;

	l->rc = -1;
	if (l->slots == NULL && loop_alloc(l) == -1) {
		check_fail_oom(c);
		return -1;
	}
	l->live = 0;
	l->nagain = 0;
	while (!check_stopping(c)) {
		all_started = start_more(l, &cap);
		if (l->done > 0 && c->pool == NULL && c->stream) {
			l->done = 0;
			if (check_deliver(c) == -1)
				break;
		}
		if (all_started && l->live == 0) {
			l->rc = 0;
			break;
		}
		if (wait_and_settle(l) == -1) {
			sock_fail(&e, SOCK_ELOCAL, errno, "poll");
			check_fail(c, &e);
			break;
		}
	}
	for (i = 0; i < l->live; i++)
		probe_cancel(&l->slots[i].probe);
	close_spares(l);
	loop_free(l);
	return l->rc;
}
