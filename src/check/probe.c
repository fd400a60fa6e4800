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

/* The attempt's facts (made when first needed), or NULL when out of
   memory. */
static struct check_facts *
facts(struct probe_outcome *out)
{
	if (out->facts == NULL &&
	    (out->facts = calloc(1, sizeof(*out->facts))) != NULL)
		out->facts->tls_ms = out->facts->first_byte_ms = -1;
	return out->facts;
}

/* The attempt ended with err (0: open): the outcome, its socket closed
   or, when keep, handed back.  An unreachable or error state says the
   ICMP error behind it, when one came. */
static enum probe_status
finish(struct probe *p, const struct probe_target *t, int err, bool keep,
    struct probe_outcome *out)
{
	struct sock_icmp icmp;

	out->state = check_classify(err, t->udp);
	out->err = err;
	out->latency_ms = sock_now_ms() - p->start;
	out->tls = NULL;
	out->why[0] = '\0';
	out->spare_fd = -1;
	out->mptcp = err == 0 && t->mptcp && p->fd != -1 && sock_mptcp(p->fd);
	out->facts = NULL;
	if (p->fd != -1 &&
	    (out->state == CHECK_UNREACHABLE || out->state == CHECK_ERROR) &&
	    sock_icmp_read(p->fd, &icmp) == 1 && facts(out) != NULL) {
		out->facts->have_icmp = true;
		out->facts->icmp = icmp;
	}
	if (p->fd != -1 && keep)
		out->spare_fd = p->fd;
	else if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	return PROBE_DONE;
}

/* Ends an attempt that got through connect: state st (open, tls_error,
   mismatch, error) for why, with the phases' facts and the handshake's
   (p->info, taken). */
static enum probe_status
finish_talk(struct probe *p, const struct probe_target *t, enum check_state st,
    const char *why, struct probe_outcome *out)
{
	struct tls_info *in = p->info;
	double connect_ms = p->tls_start > 0 ? p->tls_start - p->start : -1;
	struct talk *talk = p->talk;
	struct check_facts *f;
	short want;

	if (p->tls != NULL && st != CHECK_TLS_ERROR)
		tls_close(p->tls, &want); /* close_notify, if it fits now */
	tls_free(p->tls);
	p->tls = NULL;
	finish(p, t, 0, false, out);
	out->state = st;
	out->tls = in;
	if (connect_ms >= 0) /* latency_ms stays the connect time */
		out->latency_ms = connect_ms;
	if (why != NULL)
		snprintf(out->why, sizeof(out->why), "%s", why);
	p->talk = NULL;
	p->info = NULL;
	if ((t->ctx != NULL || talk != NULL) && (f = facts(out)) != NULL) {
		f->tls_ms = t->ctx != NULL && in != NULL ? p->tls_ms : -1;
		if (talk != NULL && p->phase == PHASE_EXPECT) {
			f->first_byte_ms = talk->first_byte_ms;
			f->matched = talk->matched;
			talk->matched = NULL;
			if (st == CHECK_MISMATCH)
				f->received = talk_received(talk);
		}
	}
	talk_free(talk);
	return PROBE_DONE;
}

/* Ends the --tls attempt: open, or tls_error for why.  Takes the
   handshake's facts (or NULL). */
static enum probe_status
finish_tls(struct probe *p, const struct probe_target *t, const char *why,
    struct probe_outcome *out)
{
	return finish_talk(p, t, why != NULL ? CHECK_TLS_ERROR : CHECK_OPEN,
	    why, out);
}

/* --send, --expect: one step; when done, the verdict. */
static enum probe_status
expect_go(struct probe *p, const struct probe_target *t,
    struct probe_outcome *out)
{
	char why[128];
	enum talk_rc rc;

	if (p->phase != PHASE_EXPECT) {
		p->phase = PHASE_EXPECT;
		talk_free(p->talk);
		if ((p->talk = talk_new()) == NULL)
			return finish_talk(p, t, CHECK_ERROR, "out of memory",
			    out);
	}
	rc = expect_step(p->talk, t->talk, p->fd, p->tls, &p->events, why,
	    sizeof(why));
	if (rc == TALK_AGAIN)
		return PROBE_PENDING;
	return finish_talk(p, t,
	    rc == TALK_OK	    ? CHECK_OPEN :
		rc == TALK_MISMATCH ? CHECK_MISMATCH :
				      CHECK_ERROR,
	    rc == TALK_FAIL ? why : NULL, out);
}

/* One step of the handshake; when done, the verdict, then --send and
   --expect. */
static enum probe_status
tls_step(struct probe *p, const struct probe_target *t,
    struct probe_outcome *out)
{
	struct sock_err e;
	const char *verdict;
	char why[128];
	int rc = tls_handshake(p->tls, &p->events, &e);

	if (rc == TLS_AGAIN)
		return PROBE_PENDING;
	if (rc == -1)
		return finish_tls(p, t, sock_strerror(&e), out);
	p->info = malloc(sizeof(*p->info));
	if (p->info == NULL)
		return finish_tls(p, t, "out of memory", out);
	tls_info(p->tls, p->info);
	p->tls_ms = sock_now_ms() - p->tls_start;
	verdict = probe_tls_verdict(t->tls, p->info, why, sizeof(why));
	if (verdict != NULL || t->talk == NULL || !talk_exchanges(t->talk))
		return finish_tls(p, t, verdict, out);
	return expect_go(p, t, out);
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

/* --starttls: one step of the upgrade; when done, the handshake. */
static enum probe_status
starttls_go(struct probe *p, const struct probe_target *t,
    struct probe_outcome *out)
{
	struct sock_err e;
	char why[160];
	enum talk_rc rc;

	if (p->phase != PHASE_STARTTLS) {
		p->phase = PHASE_STARTTLS;
		if ((p->talk = talk_new()) == NULL)
			return finish_tls(p, t, "out of memory", out);
	}
	rc = starttls_step(p->talk, t->talk->starttls, p->fd, &p->events, why,
	    sizeof(why));
	if (rc == TALK_AGAIN)
		return PROBE_PENDING;
	if (rc != TALK_OK)
		return finish_tls(p, t, why, out);
	talk_free(p->talk);
	p->talk = NULL;
	p->phase = PHASE_TLS;
	p->tls = tls_new(t->ctx, p->fd, t->host, &e);
	if (p->tls == NULL)
		return finish_tls(p, t, sock_strerror(&e), out);
	return tls_step(p, t, out);
}

/* A TCP attempt connected (or, err, did not): the verdict, or what
   follows: the STARTTLS upgrade, the TLS handshake, --send and
   --expect. */
static enum probe_status
connected(struct probe *p, const struct probe_target *t, int err,
    struct probe_outcome *out)
{
	struct sock_err e;

	if (err == 0 && self_connected(p->fd))
		/* closed, really; the socket is connected: not kept */
		return finish(p, t, ECONNREFUSED, false, out);
	if (err != 0 ||
	    (t->ctx == NULL && (t->talk == NULL || !talk_exchanges(t->talk))))
		return finish(p, t, err, p->reuse && err == ECONNREFUSED, out);
	p->tls_start = sock_now_ms();
	if (t->ctx == NULL)
		return expect_go(p, t, out);
	if (t->talk != NULL && t->talk->starttls != STARTTLS_NONE)
		return starttls_go(p, t, out);
	p->phase = PHASE_TLS;
	p->tls = tls_new(t->ctx, p->fd, t->host, &e);
	if (p->tls == NULL)
		return finish_tls(p, t, sock_strerror(&e), out);
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
	sock_recverr_on(fd, family); /* why it fails, if ICMP says */
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
	p->info = NULL;
	p->talk = NULL;
	p->phase = PHASE_CONNECT;
	p->tls_start = 0;
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

	switch (p->phase) {
	case PHASE_STARTTLS:
		return starttls_go(p, t, out);
	case PHASE_TLS:
		return tls_step(p, t, out);
	case PHASE_EXPECT:
		return expect_go(p, t, out);
	case PHASE_CONNECT:
		break;
	}
	if (!t->udp && p->reuse) {
		/* connect again: 0 when connected, else why not; a refused
		   socket is then ready for the next port */
		rc = connect(p->fd, &p->to.sa, p->len);
		if (rc == -1 &&
		    (errno == EALREADY || errno == EINPROGRESS ||
			errno == EINTR)) {
			if (revents & POLLERR) /* an old ICMP error, queued */
				sock_icmp_read(p->fd, &(struct sock_icmp){ 0 });
			return PROBE_PENDING; /* not yet */
		}
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
	char why[160];

	switch (p->phase) {
	case PHASE_STARTTLS:
		snprintf(why, sizeof(why), "starttls %s: %s: timed out",
		    starttls_name(t->talk->starttls),
		    starttls_step_name(p->talk, t->talk->starttls));
		finish_tls(p, t, why, out);
		break;
	case PHASE_TLS:
		finish_tls(p, t, "handshake timed out", out);
		break;
	case PHASE_EXPECT:
		/* what came within -w did not match (or nothing was sent) */
		finish_talk(p, t,
		    t->talk->expect && p->talk->step == 1 ? CHECK_MISMATCH :
							    CHECK_TIMEOUT,
		    NULL, out);
		break;
	case PHASE_CONNECT:
		finish(p, t, ETIMEDOUT, false, out);
		break;
	}
}

void
probe_cancel(struct probe *p)
{
	tls_free(p->tls);
	p->tls = NULL;
	free(p->info);
	p->info = NULL;
	talk_free(p->talk);
	p->talk = NULL;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
}
