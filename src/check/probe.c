/* connect -z: one port's check on a worker's poll loop: a non-blocking
   connect (or an empty UDP datagram), settled as poll reports it, and
   with --tls a non-blocking handshake on the same loop (in the same -w
   deadline), then close_notify.  A check sends no data: connect, then a
   plain close (the peer sees an ordinary EOF, not a reset).  A TCP socket
   whose connect was refused is connected again for the next port (Linux
   resets it for that), which saves a socket() and a close() per closed
   port.  A socket connected to itself (a simultaneous open on the port
   checked) is a closed port.
   A HOST with several addresses: a check is one attempt per address, in
   Happy Eyeballs order (RFC 8305): the next attempt starts when one
   fails, or joins one that has had no answer for RACE_DELAY_MS (a UDP
   probe at once, as silence is its usual answer).  The first attempt
   that succeeds makes the port open and ends the others; when none
   does, the result is the most telling failure, from the first address
   that gave it (rank()). */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/internal.h"
#include "out/report.h"

/* How much an outcome says about the port: an answer beats silence,
   silence beats a local error. */
static int
rank(enum state st)
{
	switch (st) {
	case ST_OPEN:
		return 6;
	case ST_TLS_ERROR:
	case ST_OPEN_FILTERED:
		return 5;
	case ST_CLOSED:
		return 4;
	case ST_UNREACHABLE:
		return 3;
	case ST_TIMEOUT:
		return 2;
	case ST_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* Queues result idx's next attempt: the worker starts it as soon as a
   slot is free.  At most one entry per result, and a worker has no more
   results under way than slots (new ones start only when the queue is
   empty), so the queue never outgrows w->cap. */
static void
queue_next(struct worker *w, size_t idx)
{
	struct result *r = &w->c->r[idx];

	if (r->queued || w->nagain >= w->cap)
		return;
	r->queued = true;
	w->again[w->nagain++] = idx;
}

/* Result r is open: its other attempts end, unreported. */
static void
cancel_others(struct worker *w, const struct slot *s, struct result *r)
{
	struct slot *o;
	unsigned i;

	for (i = 0; i < w->live && r->inflight > 0; i++) {
		o = &w->slots[i];
		if (o == s || o->fd == -1 || o->idx != s->idx)
			continue;
		tls_free(o->t);
		o->t = NULL;
		close(o->fd);
		o->fd = -1;
		r->inflight--;
	}
}

/* Slot s's attempt ended (its socket is gone) with st: into its result,
   if it says more than the attempts before; then the result is done, or
   its next attempt is queued, or it waits for the others.  Takes tls;
   copies why. */
static void
attempt_end(struct worker *w, struct slot *s, enum state st, int err,
    double latency_ms, struct tls_info *tls, const char *why)
{
	struct checker *c = w->c;
	struct result *r = &c->r[s->idx];

	r->inflight--;
	if (rank(st) > rank(r->best) ||
	    (rank(st) == rank(r->best) && s->attempt < r->best_attempt)) {
		r->best = st;
		r->best_attempt = s->attempt;
		r->addr = s->addr;
		r->latency_ms = latency_ms;
		r->err = err;
		free(r->why);
		r->why = why != NULL ? strdup(why) : NULL;
		free(r->tls);
		r->tls = tls;
		tls = NULL;
	}
	free(tls);
	if (st == ST_OPEN) {
		cancel_others(w, s, r);
	} else if (r->tried < check_attempts(c)) {
		queue_next(w, s->idx);
		return;
	} else if (r->inflight > 0) {
		return;
	}
	publish(r, r->best);
	w->done++;
}

/* Ends slot s's attempt with err (0: open); its socket is closed, or
   kept to connect again. */
static void
end_check(struct worker *w, struct slot *s, int err, bool keep)
{
	struct checker *c = w->c;
	enum state st = check_classify(err);
	double latency_ms = sock_now_ms() - s->start;
	int v6 = c->addrs[s->addr].family == AF_INET6;

	if (c->o->udp && st == ST_TIMEOUT)
		st = ST_OPEN_FILTERED;
	if (s->fd != -1 && keep && w->nspare[v6] < w->cap)
		w->spare[v6][w->nspare[v6]++] = s->fd;
	else if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	attempt_end(w, s, st, err, latency_ms, NULL, NULL);
}

/* Ends slot s's check with err (0: open).  A socket refused is kept to
   connect again. */
static void
finish(struct worker *w, struct slot *s, int err)
{
	end_check(w, s, err, w->reuse && err == ECONNREFUSED);
}

/* Ends the --tls attempt of slot s: open, or tls_error for why.  Takes
   the handshake's facts (or NULL). */
static void
finish_tls(struct worker *w, struct slot *s, struct tls_info *in,
    const char *why)
{
	double latency_ms = sock_now_ms() - s->start;
	short want;

	if (s->t != NULL && why == NULL)
		tls_close(s->t, &want); /* close_notify, if it fits now */
	tls_free(s->t);
	s->t = NULL;
	close(s->fd);
	s->fd = -1;
	attempt_end(w, s, why != NULL ? ST_TLS_ERROR : ST_OPEN, 0, latency_ms,
	    in, why);
}

/* One step of slot s's handshake; when done, the verdict. */
static void
tls_step(struct worker *w, struct slot *s)
{
	const struct tls_opts *o = w->c->o->tls;
	struct tls_info *in;
	struct sock_err e;
	char why[128];
	int rc = tls_handshake(s->t, &s->ev, &e);

	if (rc == TLS_AGAIN)
		return;
	if (rc == -1) {
		finish_tls(w, s, NULL, sock_strerror(&e));
		return;
	}
	in = malloc(sizeof(*in));
	if (in == NULL) {
		finish_tls(w, s, NULL, "out of memory");
		return;
	}
	tls_info(s->t, in);
	finish_tls(w, s, in, check_tls_verdict(o, in, why, sizeof(why)));
}

const char *
check_tls_verdict(const struct tls_opts *o, const struct tls_info *in,
    char *buf, size_t len)
{
	if (!o->insecure && !in->verified)
		return in->verify_error[0] ? in->verify_error :
					     "certificate not verified";
	if (o->min_days >= 0 && in->have_cert && in->days_left < o->min_days) {
		snprintf(buf, len,
		    "certificate expires in %lld days "
		    "(--min-days %lld)",
		    in->days_left, (long long)o->min_days);
		return buf;
	}
	return NULL;
}

/* Slot s connected: the handshake begins. */
static void
tls_begin(struct worker *w, struct slot *s)
{
	struct sock_err e;

	s->t = tls_new(w->c->ctx, s->fd, w->c->o->host, &e);
	if (s->t == NULL) {
		finish_tls(w, s, NULL, sock_strerror(&e));
		return;
	}
	tls_step(w, s);
}

/* Points w's copy of an address at address addr, port port. */
static void
aim(struct worker *w, uint32_t addr, uint16_t port)
{
	const struct sock_addr *a;

	if (w->aimed != addr) {
		a = &w->c->addrs[addr];
		memcpy(&w->ss, &a->ss, a->len);
		w->len = a->len;
		w->aimed = addr;
	}
	if (w->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)&w->ss)->sin6_port =
		    htons(port);
	else
		((struct sockaddr_in *)(void *)&w->ss)->sin_port = htons(port);
}

/* true when fd is connected to itself: checking a local address, the
   kernel picked the very port checked as the local port (a TCP
   simultaneous open).  Nothing listens there. */
static bool
self_connected(int fd)
{
	struct sock_addr me, peer;
	struct sock_err e;

	return sock_name(fd, &me, &e) == 0 && sock_peer(fd, &peer, &e) == 0 &&
	    me.family == peer.family && me.port == peer.port &&
	    strcmp(me.host, peer.host) == 0;
}

/* A TCP check of slot s connected (or, err, did not): the verdict, or
   the TLS handshake. */
static void
connected(struct worker *w, struct slot *s, int err)
{
	struct checker *c = w->c;

	if (err == 0 && self_connected(s->fd)) {
		/* closed, really; the socket is connected: not kept */
		end_check(w, s, ECONNREFUSED, false);
		return;
	}
	if (err == 0 && c->ctx != NULL)
		tls_begin(w, s);
	else
		finish(w, s, err);
}

/* Opens the socket of slot s's attempt (a refused one of the same
   family when kept).  Returns it, or -1 with errno. */
static int
attempt_socket(struct worker *w, const struct slot *s, bool *again)
{
	const struct checker *c = w->c;
	int v6 = c->addrs[s->addr].family == AF_INET6;

	*again = false;
	if (w->nspare[v6] > 0) {
		*again = true;
		return w->spare[v6][--w->nspare[v6]];
	}
	return socket(c->addrs[s->addr].family,
	    (c->o->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK |
		SOCK_CLOEXEC,
	    0);
}

/* Binds fd to the -s/-p source of its family, if any.  Returns 0, or -1
   with errno. */
static int
bind_source(const struct checker *c, int fd, int family)
{
	const struct sock_addr *src = &c->src[family == AF_INET6];
	int on = 1;

	if (!c->have_src)
		return 0;
	if (src->port != 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	return bind(fd, (struct sockaddr *)&src->ss, src->len);
}

int
check_start(struct worker *w, size_t idx, struct slot *s)
{
	struct checker *c = w->c;
	struct result *r = &c->r[idx];
	struct sock_err e;
	bool again;
	int fd, rc;

	s->t = NULL;
	s->ev = POLLOUT;
	s->idx = idx;
	s->attempt = r->tried;
	s->addr = check_attempt_addr(c, r, r->tried);
	aim(w, s->addr, r->port);
	s->start = sock_now_ms();
	r->tried++;
	r->inflight++;
retry:
	fd = attempt_socket(w, s, &again);
	s->fd = fd;
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			goto later;
		end_check(w, s, errno, false); /* an error */
		return 0;
	}
	if (c->o->so != NULL && sockopts_apply(c->o->so, fd, NULL, &e) == -1) {
		check_set_status(c, report(&e));
		finish(w, s, e.code);
		return 0;
	}
	if (bind_source(c, fd, c->addrs[s->addr].family) == -1) {
		finish(w, s, errno);
		return 0;
	}
	do
		rc = connect(fd, (struct sockaddr *)&w->ss, w->len);
	while (rc == -1 && errno == EINTR);
	if (rc == -1 && again &&
	    (errno == EISCONN || errno == EALREADY || errno == EINVAL ||
		errno == EBADFD)) {
		/* this system does not connect a refused socket again */
		close(fd);
		check_spares_close(w);
		w->reuse = false;
		goto retry;
	}
	if (rc == -1 && (errno == EAGAIN || errno == EADDRNOTAVAIL)) {
		/* out of local ports for now: try again shortly */
		close(fd);
		s->fd = -1;
		goto later;
	}
	if (rc == -1 && errno != EINPROGRESS) {
		finish(w, s, errno);
		return 0;
	}
	if (c->o->udp) {
		/* an empty datagram: ICMP port unreachable says closed */
		if (send(fd, "", 0, MSG_NOSIGNAL) == -1 && errno != EAGAIN) {
			finish(w, s, errno);
			return 0;
		}
		if (c->race && r->tried < c->ncur)
			queue_next(w, idx); /* every address at once */
		return 1;
	}
	if (rc == 0) {
		connected(w, s, 0);
		return s->fd == -1 ? 0 : 1; /* in flight: a handshake */
	}
	return 1;
later:
	/* not started after all */
	r->tried--;
	r->inflight--;
	return -1;
}

void
check_settle(struct worker *w, struct slot *s, short revents)
{
	struct checker *c = w->c;
	char b[1];
	int err = 0, rc;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (s->t != NULL) {
		tls_step(w, s);
		return;
	}
	if (!c->o->udp && w->reuse) {
		/* connect again: 0 when connected, else why not; a refused
		   socket is then ready for the next port */
		aim(w, s->addr, c->r[s->idx].port);
		rc = connect(s->fd, (struct sockaddr *)&w->ss, w->len);
		if (rc == -1 &&
		    (errno == EALREADY || errno == EINPROGRESS ||
			errno == EINTR))
			return; /* not yet */
		connected(w, s, rc == 0 || errno == EISCONN ? 0 : errno);
		return;
	}
	if (!c->o->udp) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		connected(w, s, err);
		return;
	}
	n = recv(s->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n >= 0) {
		finish(w, s, 0); /* an answer: open */
		return;
	}
	if (errno == EAGAIN && !(revents & POLLERR))
		return;
	finish(w, s, errno);
}

double
check_race_at(const struct checker *c, const struct slot *s)
{
	const struct result *r = &c->r[s->idx];

	if (!c->race || s->t != NULL || r->queued ||
	    s->attempt + 1 != r->tried || r->tried >= c->ncur)
		return -1;
	return s->start + RACE_DELAY_MS;
}

void
check_expire(struct worker *w, struct slot *s, double now)
{
	double race_at;

	if (s->fd == -1)
		return;
	if (s->t != NULL && now - s->start >= (double)w->c->attempt_ms) {
		finish_tls(w, s, NULL, "handshake timed out");
	} else if (now - s->start >= (double)w->c->attempt_ms) {
		finish(w, s, ETIMEDOUT);
	} else {
		race_at = check_race_at(w->c, s);
		if (race_at >= 0 && now >= race_at)
			queue_next(w, s->idx);
	}
}
