/* The relay's rounds, between reaping and dispatching: what each
   descriptor waits for this round (arm), and the wait for it (epoll,
   until the next deadline). */
#include "config.h"

#include <sys/epoll.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>

#include "stream/internal.h"

/* What the local side waits for.  Not wanted (no peer yet, a chunk under
   way), in_fd is left as it is, so that a client who comes and goes
   costs no epoll_ctl for it, until it tells it is ready (then no events)
   or a hang-up (then out), which it would tell at every wait.  With -k
   it is watched for reading from the start, so that a client's accept
   knows whether the local side has something for it (local_quiet()).
   Returns 0, or -1 (*e). */
static int
arm_local(struct relay *r, struct sock_err *e)
{
	struct local *l = &r->local;
	bool zc_out_waits = r->round.zc_out && r->zc.out_waits_output;
	int ev;

	l->in_re = l->out_re = 0;
	if (r->round.in_want)
		l->in_quiet = false;
	if (l->in_poll) {
		ev = r->round.in_want	   ? POLLIN :
		    l->in_eof || l->in_hup ? -1 :
		    l->in_quiet		   ? 0 :
		    l->in_reg >= 0	   ? l->in_reg :
		    r->o.keep_open	   ? POLLIN :
					     0;
		if (relay_set_watch(r, l->in_fd, &l->in_reg, ev, &l->in_re) ==
		    -1) {
			if (errno != EPERM)
				return sock_fail(e, SOCK_ELOCAL, errno,
				    "epoll");
			l->in_poll = false; /* /dev/null: ready */
		}
	}
	if (l->out_poll && !l->out_closed) {
		ev = !queue_empty(&l->out) || zc_out_waits ? POLLOUT : 0;
		if (relay_set_watch(r, l->out_fd, &l->out_reg, ev,
			&l->out_re) == -1) {
			if (errno != EPERM)
				return sock_fail(e, SOCK_ELOCAL, errno,
				    "epoll");
			l->out_poll = false; /* /dev/null: ready */
		}
	}
	return 0;
}

/* What peer p waits for: its handshake's direction, or reading (when
   the local side takes its bytes) and writing (when its queue holds
   some, or close_notify waits). */
static void
arm_peer(struct relay *r, struct endpoint *p)
{
	struct round *rd = &r->round;
	int ev = 0;

	if (p->hs) {
		ev = p->hs_ev;
	} else if (!p->rd_eof && !r->o.send_only && peer_may_read(r, p) &&
	    !(rd->zc_out && r->zc.out_waits_output)) {
		ev |= p->rd_ev;
		/* decrypted bytes epoll cannot see */
		if (p->tls != NULL && tls_pending(p->tls)) {
			rd->pending = true;
			visit_ready(r, p);
		}
	}
	if (!p->hs &&
	    ((!queue_empty(&p->out) && !p->wr_shut) || p->closing ||
		(rd->zc_in &&
		    (r->zc.in_waits_peer || r->zc.in == ZC_SENDFILE))))
		ev |= p->wr_ev;
	p->re = 0;
	/* waiting for nothing (stdout is behind) after a hang-up, which
	   epoll would tell at every wait */
	if (ev == 0 && p->hup)
		ev = -1;
	if (!p->dead && peer_set_watch(r, p, ev) == -1)
		peer_fail(r, p, errno, "cannot be watched (epoll)");
}

/* Works out what this round waits for and tells the epoll set what
   changed.  Returns 0, or -1 (*e). */
int
relay_arm(struct relay *r, double now, struct sock_err *e)
{
	struct round *rd = &r->round;
	struct local *l = &r->local;
	struct endpoint *p;
	size_t i;

	visit_ready_clear(r);
	broker_arm(r, now); /* --broker: room in every queue */
	rd->want_in = !l->in_eof && local_may_read(r) && local_takers(r) &&
	    r->zc.in == ZC_NONE;
	rd->zc_in = r->zc.in != ZC_NONE && !l->in_eof && r->n == 1 &&
	    !r->peers[0]->wr_shut;
	rd->zc_out = r->zc.out != ZC_NONE && r->n == 1 && !r->peers[0]->rd_eof;
	rd->in_want = rd->want_in ||
	    (rd->zc_in && r->zc.in == ZC_SPLICE && !r->zc.in_waits_peer);
	rd->pending = false;
	if (arm_local(r, e) == -1)
		return -1;
	for (i = 0; i < r->nl; i++) {
		r->l_re[i] = 0;
		if (relay_set_watch(r, r->lfd[i], &r->l_reg[i],
			r->accept_pause > now ||
				(r->l_dgram[i] && !queue_empty(&l->out)) ?
			    0 :
			    POLLIN,
			&r->l_re[i]) == -1)
			return sock_fail(e, SOCK_ELOCAL, errno, "epoll");
	}
	for (i = 0; i < r->nw; i++) {
		r->w_re[i] = 0;
		if (relay_set_watch(r, r->wfd[i], &r->w_reg[i], POLLIN,
			&r->w_re[i]) == -1)
			return sock_fail(e, SOCK_ELOCAL, errno, "epoll");
	}
	/* the peers whose waiting may have changed */
	for (i = 0; i < visit_count(r); i++) {
		if ((p = visit_peer(r, i)) == NULL)
			continue;
		r->visit.visited++;
		arm_peer(r, p);
	}
	return 0;
}

/* The wait of this round, in ms (-1: none): until the next deadline (a
   handshake's, an idle peer's, -q's, the first peer's), none when
   something is ready without epoll telling. */
static int
wait_ms(struct relay *r, double now)
{
	struct local *l = &r->local;
	double deadline = r->visit.hs_at, t; /* the handshakes' */
	int timeout = -1;
	size_t i;

	for (i = 0; r->o.idle_ms >= 0 && i < r->n; i++) {
		t = peer_idle_at(r, r->peers[i]);
		if (t >= 0 && (deadline < 0 || t < deadline))
			deadline = t;
	}
	t = quit_at(r);
	if (t >= 0 && (deadline < 0 || t < deadline))
		deadline = t;
	t = r->had_peer ? -1 : r->first_peer_by;
	if (t >= 0 && (deadline < 0 || t < deadline))
		deadline = t;
	t = r->round.room_at; /* --broker: a slow client stalls */
	if (t >= 0 && (deadline < 0 || t < deadline))
		deadline = t;
	t = delay_deadline(r); /* --delay: the next line */
	if (t >= 0 && (deadline < 0 || t < deadline))
		deadline = t;
	if (deadline >= 0) /* a DUR past 24 days: in slices */
		timeout = sock_poll_ms(deadline, now);
	if ((r->round.want_in && !l->in_poll) || r->round.pending ||
	    (!l->out_poll && !l->out_closed && !queue_empty(&l->out)))
		timeout = 0; /* a regular file is always ready */
	if (r->accept_pause > now && timeout != 0) {
		/* out of descriptors: the listeners wait a moment */
		int pause = (int)(r->accept_pause - now) + 1;

		timeout = timeout < 0 || pause < timeout ? pause : timeout;
	}
	return timeout;
}

/* Waits for what relay_arm() asked, until the next deadline.  Returns 1
   when something may be ready, 0 when a signal came (round again), or
   -1 (*e). */
int
relay_wait(struct relay *r, double now, struct sock_err *e)
{
	struct epoll_event ready[RELAY_EVENTS];
	struct local *l = &r->local;
	struct endpoint *p;
	int rc, k;

	rc = epoll_pwait(r->ep, ready, RELAY_EVENTS, wait_ms(r, now),
	    r->masked ? &r->wait_mask : NULL);
	if (rc == -1)
		return errno == EINTR ?
		    0 :
		    sock_fail(e, SOCK_ELOCAL, errno, "epoll_pwait");
	for (k = 0; k < rc; k++) {
		uint64_t to = ready[k].data.u64;

		if (to & 1) { /* a peer */
			p = (struct endpoint *)(uintptr_t)(to & ~(uint64_t)1);
			p->re = (short)ready[k].events;
			visit_ready(r, p);
		} else {
			*(short *)(uintptr_t)to = (short)ready[k].events;
		}
	}
	if (!r->round.in_want && (l->in_re & (POLLHUP | POLLERR)))
		l->in_hup = true;
	if (!r->round.in_want && (l->in_re & POLLIN))
		l->in_quiet = true;
	return 1;
}
