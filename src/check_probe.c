/* connect -z: one port's check on a worker's poll loop: a non-blocking
   connect (or an empty UDP datagram), settled as poll reports it, and
   with --tls a non-blocking handshake on the same loop (in the same -w
   deadline), then close_notify.  A check sends no data: connect, then a
   plain close (the peer sees an ordinary EOF, not a reset).  A TCP socket
   whose connect was refused is connected again for the next port (Linux
   resets it for that), which saves a socket() and a close() per closed
   port.  A socket connected to itself (a simultaneous open on the port
   checked) is a closed port. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_int.h"
#include "report.h"

/* Ends slot s's check with err (0: open); its socket is closed, or kept
   to connect again. */
static void
end_check(struct worker *w, struct slot *s, int err, bool keep)
{
	struct checker *c = w->c;
	struct result *r = &c->r[s->idx];
	enum state st = check_classify(err);

	r->latency_ms = sock_now_ms() - s->start;
	r->err = err;
	if (c->o->udp && st == ST_TIMEOUT)
		st = ST_OPEN_FILTERED;
	if (keep && w->nspare < w->cap)
		w->spare[w->nspare++] = s->fd;
	else
		close(s->fd);
	s->fd = -1;
	publish(r, st);
	w->done++;
}

/* Ends slot s's check with err (0: open).  A socket refused is kept to
   connect again. */
static void
finish(struct worker *w, struct slot *s, int err)
{
	end_check(w, s, err, w->reuse && err == ECONNREFUSED);
}

/* Ends the --tls check of slot s: open, or tls_error for why. */
static void
finish_tls(struct worker *w, struct slot *s, const char *why)
{
	struct result *r = &w->c->r[s->idx];
	short want;

	r->latency_ms = sock_now_ms() - s->start;
	if (why != NULL)
		r->why = strdup(why);
	if (s->t != NULL && why == NULL)
		tls_close(s->t, &want);	/* close_notify, if it fits now */
	tls_free(s->t);
	s->t = NULL;
	close(s->fd);
	s->fd = -1;
	publish(r, why != NULL ? ST_TLS_ERROR : ST_OPEN);
	w->done++;
}

/* One step of slot s's handshake; when done, the verdict. */
static void
tls_step(struct worker *w, struct slot *s)
{
	const struct tls_opts *o = w->c->o->tls;
	struct result *r = &w->c->r[s->idx];
	struct sock_err e;
	char why[128];
	int rc = tls_handshake(s->t, &s->ev, &e);

	if (rc == TLS_AGAIN)
		return;
	if (rc == -1) {
		finish_tls(w, s, sock_strerror(&e));
		return;
	}
	r->tls = malloc(sizeof(*r->tls));
	if (r->tls == NULL) {
		finish_tls(w, s, "out of memory");
		return;
	}
	tls_info(s->t, r->tls);
	finish_tls(w, s, check_tls_verdict(o, r->tls, why, sizeof(why)));
}

const char *
check_tls_verdict(const struct tls_opts *o, const struct tls_info *in,
    char *buf, size_t len)
{
	if (!o->insecure && !in->verified)
		return in->verify_error[0] ? in->verify_error :
		    "certificate not verified";
	if (o->min_days >= 0 && in->have_cert && in->days_left < o->min_days) {
		snprintf(buf, len, "certificate expires in %lld days "
		    "(--min-days %lld)", in->days_left, (long long)o->min_days);
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
		finish_tls(w, s, sock_strerror(&e));
		return;
	}
	tls_step(w, s);
}

/* Points w's copy of the address at port. */
static void
set_port(struct worker *w, uint16_t port)
{
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

int
check_start(struct worker *w, size_t idx, struct slot *s)
{
	struct checker *c = w->c;
	struct result *r = &c->r[idx];
	struct sock_err e;
	bool again = false;
	int fd, rc, on = 1;

	free(r->tls);		/* --wait: a new try */
	free(r->why);
	r->tls = NULL;
	r->why = NULL;
	s->t = NULL;
	s->ev = POLLOUT;
	s->idx = idx;
	set_port(w, r->port);
	s->start = sock_now_ms();
retry:
	if (w->nspare > 0) {
		fd = w->spare[--w->nspare];
		again = true;
	} else {
		fd = socket(c->addr.family, (c->o->udp ? SOCK_DGRAM :
		    SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			return -1;
		s->fd = -1;
		r->err = errno;
		publish(r, ST_ERROR);
		w->done++;
		return 0;
	}
	s->fd = fd;
	if (c->o->so != NULL && sockopts_apply(c->o->so, fd, NULL, &e) == -1) {
		check_set_status(c, report(&e));
		finish(w, s, e.code);
		return 0;
	}
	if (c->have_src) {
		if (c->src.port != 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
			    sizeof(on));
		if (bind(fd, (struct sockaddr *)&c->src.ss, c->src.len) == -1) {
			finish(w, s, errno);
			return 0;
		}
	}
	do
		rc = connect(fd, (struct sockaddr *)&w->ss, w->len);
	while (rc == -1 && errno == EINTR);
	if (rc == -1 && again && (errno == EISCONN || errno == EALREADY ||
	    errno == EINVAL || errno == EBADFD)) {
		/* this system does not connect a refused socket again */
		close(fd);
		while (w->nspare > 0)
			close(w->spare[--w->nspare]);
		w->reuse = false;
		again = false;
		goto retry;
	}
	if (rc == -1 && (errno == EAGAIN || errno == EADDRNOTAVAIL)) {
		/* out of local ports for now: try again shortly */
		close(fd);
		s->fd = -1;
		return -1;
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
		return 1;
	}
	if (rc == 0) {
		connected(w, s, 0);
		return s->fd == -1 ? 0 : 1;	/* in flight: a handshake */
	}
	return 1;
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
		set_port(w, c->r[s->idx].port);
		rc = connect(s->fd, (struct sockaddr *)&w->ss, w->len);
		if (rc == -1 && (errno == EALREADY || errno == EINPROGRESS ||
		    errno == EINTR))
			return;	/* not yet */
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
		finish(w, s, 0);	/* an answer: open */
		return;
	}
	if (errno == EAGAIN && !(revents & POLLERR))
		return;
	finish(w, s, errno);
}

void
check_expire(struct worker *w, struct slot *s, double now)
{
	if (s->fd != -1 && s->t != NULL &&
	    now - s->start >= (double)w->c->attempt_ms)
		finish_tls(w, s, "handshake timed out");
	else if (s->fd != -1 && now - s->start >= (double)w->c->attempt_ms)
		finish(w, s, ETIMEDOUT);
}
