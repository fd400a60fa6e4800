/* The relay's event loop: reap (timers, finished peers), arm (what each
   descriptor waits for), wait (epoll, until the next deadline), dispatch
   (move what is ready, accept clients), round after round.

   epoll(7), level-triggered: each round says what every descriptor waits
   for (poll(2)'s bits, which epoll shares), the kernel is told only what
   changed, and the wait costs what is ready, not what is open (a listen
   -k holding 10000 idle clients moves one busy client's bytes as fast as
   with none).  The local side is read only when its last chunk reached
   every peer, and a peer only when the local side took what came before,
   so memory stays two chunks whatever the sizes and speeds. */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

struct relay *
relay_new(int in_fd, int out_fd, const struct relay_opts *o,
    const struct relay_hooks *h)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->o = *o;
	if (h != NULL)
		r->h = *h;
	r->chunk_cap = o->crlf ? 2 * RELAY_BUF : RELAY_BUF;
	r->zc.pipe[0] = r->zc.pipe[1] = -1;
	r->first_peer_by = -1;
	r->local.in_fd = r->local.out_fd = -1;
	r->visit.gen = r->visit.rgen = 1;
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->ep == -1 || local_open(r, in_fd, out_fd) == -1) {
		relay_free(r);
		return NULL;
	}
	return r;
}

int
relay_add(struct relay *r, int fd, const struct sock_addr *peer,
    struct tls *tls, struct sock_err *e)
{
	if (sock_set_nonblock(fd, true, e) == -1 ||
	    peer_add(r, fd, peer, tls, e) == -1) {
		tls_free(tls);
		return -1;
	}
	return 0;
}

size_t
relay_count(const struct relay *r)
{
	return r->n;
}

/* fd's events in the epoll set: ev, told with data. */
static int
epoll_set(struct relay *r, int fd, int *reg, int ev, uint64_t data)
{
	struct epoll_event ee = { .events = (uint32_t)ev, .data.u64 = data };

	if (ev < 0) {
		epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL);
		*reg = -1;
		return 0;
	}
	if (epoll_ctl(r->ep, *reg < 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
		&ee) == -1)
		return -1;
	*reg = ev;
	return 0;
}

/* A descriptor's events are told to *re (even: a short is aligned), a
   peer's to the peer (odd: its address with the low bit set, which
   relay_wait() tells apart). */
int
relay_epoll_set(struct relay *r, int fd, int *reg, int ev, short *re)
{
	return epoll_set(r, fd, reg, ev, (uint64_t)(uintptr_t)re);
}

int
peer_epoll_set(struct relay *r, struct endpoint *p, int ev)
{
	return epoll_set(r, p->fd, &p->reg, ev, (uint64_t)(uintptr_t)p | 1);
}

/* When -q ends the session, or -1: DUR after the local side's EOF (a
   real one, not --recv-only's); with a datagram peer, DUR with nothing
   either way after it (a datagram session has no EOF to wait for). */
double
quit_at(const struct relay *r)
{
	const struct endpoint *p = r->n == 1 ? r->peers[0] : NULL;
	double from = r->local.in_eof_at;

	if (!r->local.in_eof || r->o.quit_after_ms < 0 || r->o.recv_only)
		return -1;
	if (p != NULL && p->kind == ENDPOINT_DGRAM && !r->o.keep_open &&
	    p->last_ms > from)
		from = p->last_ms;
	return from + (double)r->o.quit_after_ms;
}

/* The end rules of a peer: true when p has nothing more to do. */
static bool
peer_done(const struct relay *r, const struct endpoint *p, double now)
{
	bool recv_done = p->rd_eof || r->o.send_only;
	double quit = quit_at(r);

	if (p->dead)
		return true;
	/* a datagram peer without -k: all sent, and -q of quiet */
	if (p->kind == ENDPOINT_DGRAM && !r->o.keep_open)
		return p->wr_shut && quit >= 0 && now >= quit;
	if (r->o.keep_open) {
		/* a client's EOF ends its session; a --send-only client
		   (never read) ends when all of stdin went to it */
		return p->rd_eof || (r->o.send_only && p->wr_shut);
	}
	if (p->rd_eof && r->local.in_tty)
		return true; /* a terminal: the peer's EOF ends it */
	return recv_done && p->wr_shut;
}

/* Timers and finished peers.  Without -k the one peer is the session:
   when it is done both ways (or broken), the session ends with it.
   Returns RELAY_GOES_ON, or how the session ended (*e). */
static int
reap(struct relay *r, double now, struct sock_err *e)
{
	struct endpoint *p;
	double at;
	size_t k;
	bool failed;

	visit_begin(r, now);
	for (k = 0; k < visit_count(r); k++) {
		if ((p = visit_peer(r, k)) == NULL)
			continue;
		r->visit.visited++;
		if (r->local.in_eof)
			peer_shutdown(r, p);
		if (p->hs && !p->dead && p->hs_end >= 0 && now >= p->hs_end) {
			if (p->pp != NULL) /* --proxy-protocol */
				header_refuse(r, p, ETIMEDOUT, NULL);
			else
				sock_failmsg(&p->err, SOCK_ETLS, "timed out",
				    "TLS handshake");
			peer_dead(r, p);
		}
		at = r->o.idle_ms >= 0 ? peer_idle_at(r, p) : -1;
		if (at >= 0 && now >= at) {
			if (r->o.idle_ends) /* nc -w: idleness ends it well */
				peer_dead(r, p);
			else
				peer_fail(r, p, ETIMEDOUT, "idle timeout");
			p->reason = "idle";
		}
		visit_deadline(r, p);
		/* done, and the local side has its last bytes */
		if (!peer_done(r, p, now) ||
		    (!p->dead && !queue_empty(&r->local.out)))
			continue;
		if (r->o.keep_open) {
			peer_drop(r, p->slot);
			if (r->visit.all)
				k--; /* the last peer took its place */
			else
				r->visit.now[k] = NULL;
			continue;
		}
		if ((failed = p->dead && !p->handed_off &&
			    p->err.kind != SOCK_OK))
			*e = p->err;
		peer_drop(r, p->slot);
		if (local_flush(r, e) == -1 || failed)
			return RELAY_FAILED;
		return RELAY_DONE;
	}
	if (!r->o.keep_open && r->had_peer && r->n == 0)
		return RELAY_DONE; /* handed off, or gone */
	return RELAY_GOES_ON;
}

/* -q: the local side's output gets what came before, then every peer's
   session ends, told by the closed hook as any other end. */
static enum relay_end
quit(struct relay *r, struct sock_err *e)
{
	if (local_flush(r, e) == -1)
		return RELAY_FAILED;
	while (r->n > 0)
		peer_drop(r, r->n - 1);
	return RELAY_DONE;
}

/* SIGINT or SIGTERM: every peer's session ends, told by the closed
   hook, after the local side's output got what came before. */
static enum relay_end
stop_all(struct relay *r, struct sock_err *e)
{
	local_flush(r, e);
	while (r->n > 0)
		peer_drop(r, r->n - 1);
	sock_failmsg(e, SOCK_ELOCAL, "interrupted", "%s",
	    *r->o.stop == SIGINT ? "SIGINT" : "SIGTERM");
	return RELAY_STOPPED;
}

/* A chunk of the local side, to every peer.  Returns 0, or -1 (*e). */
static int
read_local(struct relay *r, struct sock_err *e)
{
	struct chunk *c;
	size_t i;

	if (local_read(r, &c, e) == -1)
		return -1;
	if (c == NULL)
		return 0;
	if (c->len == 0) { /* datagram lines: none complete yet */
		chunk_put(r, c);
		return 0;
	}
	if (delay_holds(r, c)) { /* --delay: a line at a time */
		chunk_put(r, c);
		delay_send(r, sock_now_ms());
		return 0;
	}
	if (route_from_local(r, c, sock_now_ms()) == 0)
		fanout_done(r); /* nobody took part: done with it */
	chunk_put(r, c);
	for (i = 0; i < r->n; i++)
		peer_send(r, r->peers[i]);
	return 0;
}

/* Moves what is ready: the local side's output first (it frees the way
   for more), the zero-copy path, the local side's input, the peers, the
   watched descriptors, then new clients.  Returns 0, or -1 (*e). */
static int
dispatch(struct relay *r, struct sock_err *e)
{
	struct local *l = &r->local;
	struct endpoint *p;
	size_t i;

	if (l->out_reg >= 0 && (l->out_re & POLLERR))
		return sock_fail(e, SOCK_ELOCAL, EPIPE, "write to stdout");
	if (((l->out_reg >= 0 && (l->out_re & POLLOUT)) || !l->out_poll) &&
	    local_flush(r, e) == -1)
		return -1;
	if ((r->round.zc_in || r->round.zc_out) && zc_dispatch(r, e) == -1)
		return -1;
	delay_send(r, sock_now_ms());
	if (r->round.want_in && (!l->in_poll || l->in_re) &&
	    read_local(r, e) == -1)
		return -1;
	/* the peers that are ready (a peer that is not has nothing to do) */
	for (i = 0; i < r->visit.nready && r->halt == HALT_NONE; i++) {
		if ((p = r->visit.ready[i]) == NULL)
			continue;
		r->visit.visited++;
		if (peer_dispatch(r, p, e) == -1)
			return -1;
	}
	for (i = 0; i < r->nw; i++) {
		if (r->w_re[i] == 0 || r->h.watched == NULL)
			continue;
		r->h.watched(r->h.ctx, r->wfd[i]);
		r->accept_pause = 0; /* a descriptor may be free again */
	}
	accept_clients(r);
	return 0;
}

static enum relay_end
rounds(struct relay *r, struct sock_err *e)
{
	double now;
	int end, rc;

	memset(e, 0, sizeof(*e));
	visit_reset(r);
	if (r->n == 1)
		zc_setup(r);
	if (!r->had_peer && r->o.first_peer_ms >= 0)
		r->first_peer_by = sock_now_ms() + (double)r->o.first_peer_ms;
	for (;;) {
		now = sock_now_ms();
		/* the -o/-x file failed: the local side's output gets what
		   came before, then the relay stops with the file's error */
		if (r->halt == HALT_LOG)
			local_drain(r);
		/* ... or the first client could not be taken */
		if (r->halt != HALT_NONE) {
			*e = r->halt_err;
			return RELAY_FAILED;
		}
		/* finished peers; without -k the one peer is the session */
		if ((end = reap(r, now, e)) != RELAY_GOES_ON)
			return end;
		/* -q: DUR after the local side's EOF, peer done or not */
		if (quit_at(r) >= 0 && now >= quit_at(r))
			return quit(r, e);
		/* listen -w: nobody came in time */
		if (!r->had_peer && r->first_peer_by >= 0 &&
		    now >= r->first_peer_by)
			return RELAY_NO_PEER;
		/* without -k, the peer sent all it had and stdout took it:
		   its reader sees EOF now, while stdin may still go on */
		if (!r->o.keep_open && r->n == 1 && r->peers[0]->rd_eof &&
		    queue_empty(&r->local.out))
			local_end_output(r);
		/* a signal that came before (with SIGINT and SIGTERM blocked
		   from here to the wait, none comes unseen) */
		if (r->o.stop != NULL && *r->o.stop != 0)
			return stop_all(r, e);
		if (relay_arm(r, now, e) == -1)
			return RELAY_FAILED;
		rc = relay_wait(r, now, e);
		if (rc == -1)
			return RELAY_FAILED;
		if (r->o.stop != NULL && *r->o.stop != 0)
			return stop_all(r, e);
		if (rc > 0 && dispatch(r, e) == -1)
			return RELAY_FAILED;
	}
}

/* The rounds, with SIGINT and SIGTERM let through only while waiting
   (when a stop flag is given): a signal that comes while a round works
   is seen by the next wait at once. */
enum relay_end
relay_run(struct relay *r, struct sock_err *e)
{
	sigset_t stops, before;
	enum relay_end end;

	if (r->o.stop == NULL)
		return rounds(r, e);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stops, &before) == 0) {
		r->wait_mask = before;
		sigdelset(&r->wait_mask, SIGINT);
		sigdelset(&r->wait_mask, SIGTERM);
		r->masked = true;
	}
	end = rounds(r, e);
	if (r->masked)
		sigprocmask(SIG_SETMASK, &before, NULL);
	r->masked = false;
	return end;
}

void
relay_free(struct relay *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		peer_free(r, r->peers[i]);
	r->n = 0;
	free(r->peers);
	visit_free(r);
	for (i = 0; i < r->nl; i++)
		close(r->lfd[i]);
	local_close(r);
	zc_close(r);
	chunk_put(r, r->held);
	for (i = 0; i < r->nspare; i++)
		free(r->spare[i]);
	if (r->ep >= 0)
		close(r->ep);
	free(r);
}
