/* connect -z: one attempt of a check, settled as poll reports it: a
   non-blocking connect (or an empty UDP datagram), and with --tls a
   non-blocking handshake on the same socket (in the same -w deadline),
   then close_notify.  A check sends no data: connect, then a plain close
   (the peer sees an ordinary EOF, not a reset).  A TCP socket whose
   connect was refused can be connected again for the next port (Linux
   resets it for that): with p->reuse the attempt settles by connecting
   again and hands a refused socket back.  A socket connected to itself
   (a simultaneous open on the port checked) is a closed port. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/probe.h"

enum check_state
check_classify(int err, bool udp)
{
	switch (err) {
	case 0:
		return CHECK_OPEN;
	case ECONNREFUSED:
		return CHECK_CLOSED;
	case ETIMEDOUT:
		/* a UDP probe's usual answer is none */
		return udp ? CHECK_OPEN_FILTERED : CHECK_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		return CHECK_UNREACHABLE;
	default:
		return CHECK_ERROR;
	}
}

/* The attempt ended with err (0: open): the outcome, its socket closed
   or, when keep, handed back. */
static enum probe_status
finish(struct probe *p, const struct probe_target *t, int err, bool keep,
    struct probe_outcome *out)
{
	out->state = check_classify(err, t->udp);
	out->err = err;
	out->latency_ms = sock_now_ms() - p->start;
	out->tls = NULL;
	out->why[0] = '\0';
	out->spare_fd = -1;
	out->mptcp = err == 0 && t->mptcp && p->fd != -1 && sock_mptcp(p->fd);
	if (p->fd != -1 && keep)
		out->spare_fd = p->fd;
	else if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	return PROBE_DONE;
}

/* Ends the --tls attempt: open, or tls_error for why.  Takes the
   handshake's facts (or NULL). */
static enum probe_status
finish_tls(struct probe *p, const struct probe_target *t, struct tls_info *in,
    const char *why, struct probe_outcome *out)
{
	short want;

	if (p->tls != NULL && why == NULL)
		tls_close(p->tls, &want); /* close_notify, if it fits now */
	tls_free(p->tls);
	p->tls = NULL;
	finish(p, t, 0, false, out);
	out->tls = in;
	if (why != NULL) {
		out->state = CHECK_TLS_ERROR;
		snprintf(out->why, sizeof(out->why), "%s", why);
	}
	return PROBE_DONE;
}

/* One step of the handshake; when done, the verdict. */
static enum probe_status
tls_step(struct probe *p, const struct probe_target *t,
    struct probe_outcome *out)
{
	struct tls_info *in;
	struct sock_err e;
	char why[128];
	int rc = tls_handshake(p->tls, &p->events, &e);

	if (rc == TLS_AGAIN)
		return PROBE_PENDING;
	if (rc == -1)
		return finish_tls(p, t, NULL, sock_strerror(&e), out);
	in = malloc(sizeof(*in));
	if (in == NULL)
		return finish_tls(p, t, NULL, "out of memory", out);
	tls_info(p->tls, in);
	return finish_tls(p, t, in,
	    probe_tls_verdict(t->tls, in, why, sizeof(why)), out);
}

const char *
probe_tls_verdict(const struct tls_opts *o, const struct tls_info *in,
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

/* A TCP attempt connected (or, err, did not): the verdict, or the TLS
   handshake. */
static enum probe_status
connected(struct probe *p, const struct probe_target *t, int err,
    struct probe_outcome *out)
{
	struct sock_err e;

	if (err == 0 && self_connected(p->fd))
		/* closed, really; the socket is connected: not kept */
		return finish(p, t, ECONNREFUSED, false, out);
	if (err != 0 || t->ctx == NULL)
		return finish(p, t, err, p->reuse && err == ECONNREFUSED, out);
	p->tls = tls_new(t->ctx, p->fd, t->host, &e);
	if (p->tls == NULL)
		return finish_tls(p, t, NULL, sock_strerror(&e), out);
	return tls_step(p, t, out);
}

/* A new socket for the attempt, bound to the -s/-p source and with the
   -O options.  Returns it; or -1: PROBE_LATER when out of descriptors,
   PROBE_FAILED (*e) when -O failed, else PROBE_DONE (*out). */
static int
new_socket(struct probe *p, const struct probe_target *t, int family,
    enum probe_status *status, struct probe_outcome *out, struct sock_err *e)
{
	const struct sock_addr *src = &t->source[family == AF_INET6];
	int fd, on = 1;

	fd = socket(family,
	    (t->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    t->mptcp ? SOCK_MPTCP : 0);
	if (fd == -1 &&
	    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		errno == ENOMEM)) {
		*status = PROBE_LATER;
		return -1;
	}
	p->fd = fd;
	if (fd == -1) {
		*status = finish(p, t, errno, false, out); /* an error */
		return -1;
	}
	if (t->so != NULL && sockopts_apply(t->so, fd, NULL, e) == -1) {
		close(fd);
		p->fd = -1;
		*status = PROBE_FAILED;
		return -1;
	}
	if (t->have_source && src->port != 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (t->have_source &&
	    bind(fd, (const struct sockaddr *)&src->ss, src->len) == -1) {
		*status = finish(p, t, errno, false, out);
		return -1;
	}
	return fd;
}

/* Points p->to at address a, port port. */
static void
aim(struct probe *p, const struct sock_addr *a, uint16_t port)
{
	memcpy(&p->to, &a->ss, a->len);
	p->len = a->len;
	if (a->family == AF_INET6)
		p->to.in6.sin6_port = htons(port);
	else
		p->to.in.sin_port = htons(port);
}

/* After connect() of the attempt returned rc (errno): under way, done, or
   to start again. */
static enum probe_status
after_connect(struct probe *p, const struct probe_target *t, int rc, bool again,
    struct probe_outcome *out)
{
	if (rc == -1 && again &&
	    (errno == EISCONN || errno == EALREADY || errno == EINVAL ||
		errno == EBADFD)) {
		/* this system does not connect a refused socket again */
		close(p->fd);
		p->fd = -1;
		return PROBE_NO_REUSE;
	}
	if (rc == -1 && (errno == EAGAIN || errno == EADDRNOTAVAIL)) {
		/* out of local ports for now: try again shortly */
		close(p->fd);
		p->fd = -1;
		return PROBE_LATER;
	}
	if (rc == -1 && errno != EINPROGRESS)
		return finish(p, t, errno, p->reuse && errno == ECONNREFUSED,
		    out);
	if (t->udp) {
		/* an empty datagram: ICMP port unreachable says closed */
		if (send(p->fd, "", 0, MSG_NOSIGNAL) == -1 && errno != EAGAIN)
			return finish(p, t, errno, false, out);
		p->events = POLLIN;
		return PROBE_PENDING;
	}
	if (rc == 0)
		return connected(p, t, 0, out);
	return PROBE_PENDING;
}

enum probe_status
probe_start(struct probe *p, const struct probe_target *t,
    const struct sock_addr *to, uint16_t port, struct probe_outcome *out,
    struct sock_err *e)
{
	enum probe_status status;
	bool again = p->fd != -1;
	int rc;

	p->tls = NULL;
	p->events = POLLOUT;
	p->start = sock_now_ms();
	aim(p, to, port);
	if (!again && new_socket(p, t, to->family, &status, out, e) == -1)
		return status;
	do
		rc = connect(p->fd, &p->to.sa, p->len);
	while (rc == -1 && errno == EINTR);
	return after_connect(p, t, rc, again, out);
}

enum probe_status
probe_settle(struct probe *p, const struct probe_target *t, short revents,
    struct probe_outcome *out)
{
	char b[1];
	int err = 0, rc;
	socklen_t len = sizeof(err);

	if (p->tls != NULL)
		return tls_step(p, t, out);
	if (!t->udp && p->reuse) {
		/* connect again: 0 when connected, else why not; a refused
		   socket is then ready for the next port */
		rc = connect(p->fd, &p->to.sa, p->len);
		if (rc == -1 &&
		    (errno == EALREADY || errno == EINPROGRESS ||
			errno == EINTR))
			return PROBE_PENDING; /* not yet */
		return connected(p, t, rc == 0 || errno == EISCONN ? 0 : errno,
		    out);
	}
	if (!t->udp) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		return connected(p, t, err, out);
	}
	if (recv(p->fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
		return finish(p, t, 0, false, out); /* an answer: open */
	if (errno == EAGAIN && !(revents & POLLERR))
		return PROBE_PENDING;
	return finish(p, t, errno, false, out);
}

void
probe_expire(struct probe *p, const struct probe_target *t,
    struct probe_outcome *out)
{
	if (p->tls != NULL)
		finish_tls(p, t, NULL, "handshake timed out", out);
	else
		finish(p, t, ETIMEDOUT, false, out);
}

void
probe_cancel(struct probe *p)
{
	tls_free(p->tls);
	p->tls = NULL;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
}
