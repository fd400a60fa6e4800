/* The handshake's I/O (io.h): every wait bounded by the deadline of the
   hop, every failure said as the proxy's or, once the request is sent,
   the target's. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include "proxy/io.h"

/* The proxy failed: what = "proxy HOST:PORT".  Once the request is sent,
   the failure is the target's (a check says timeout or error). */
int
hop_fail(struct io *io, int code, const char *msg)
{
	io->hop->at_target = io->asked;
	if (msg == NULL)
		return sock_fail(io->e, SOCK_ENET, code, "proxy %s",
		    io->p->addr);
	sock_failmsg(io->e, SOCK_ENET, msg, "proxy %s", io->p->addr);
	io->e->code = code;
	return -1;
}

/* The proxy refused: what = "proxy HOST:PORT refused TARGET". */
static int
refused(struct io *io, bool at_target, int code, const char *reason)
{
	sock_failmsg(io->e, SOCK_ENET, reason, "proxy %s refused %s",
	    io->p->addr, io->target);
	io->e->code = code;
	io->hop->at_target = at_target;
	return -1;
}

/* Waits for events.  Returns 0, or -1 after filling the error. */
static int
io_wait(struct io *io, short events)
{
	int rc, tmo = -1;
	struct pollfd pfd = { .fd = io->fd, .events = events };
	char m[96];

	for (;;) {
		if (io->deadline >= 0) {
			double left = io->deadline - sock_now_ms();

			tmo = left <= 0 ? 0 : (int)left + 1;
		}
		rc = poll(&pfd, 1, tmo);
		if (rc > 0)
			return 0;
		if (rc == 0 && io->asked)
			snprintf(m, sizeof(m), "no answer about %s in time",
			    io->target);
		else if (rc == 0)
			snprintf(m, sizeof(m), "no answer in time (%s)",
			    io->stage);
		if (rc == 0)
			return hop_fail(io, ETIMEDOUT, m);
		if (errno != EINTR)
			return hop_fail(io, errno, NULL);
	}
}

/* Sends all of buf.  Returns 0 or -1. */
int
io_send(struct io *io, const void *buf, size_t len)
{
	const char *b = buf;
	ssize_t n;

	while (len > 0) {
		if (io_wait(io, POLLOUT) == -1)
			return -1;
		n = send(io->fd, b, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return hop_fail(io, errno, NULL);
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Receives exactly len bytes (flags: 0 or MSG_PEEK for "what is there,
   at most len").  Returns the bytes received, or -1. */
ssize_t
io_recv(struct io *io, void *buf, size_t len, int flags)
{
	char *b = buf, m[96];
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (io_wait(io, POLLIN) == -1)
			return -1;
		n = recv(io->fd, b + got, len - got, flags | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return hop_fail(io, errno, NULL);
		}
		if (n == 0) {
			snprintf(m, sizeof(m),
			    "closed the connection during "
			    "the %s",
			    io->stage);
			return hop_fail(io, ECONNRESET, m);
		}
		got += (size_t)n;
		if (flags & MSG_PEEK)
			break;
	}
	return (ssize_t)got;
}
/* What a reply means for the hop.  Returns 0 when granted, or -1 after
   filling the error. */
int
io_verdict(struct io *io, const struct proxy_reply *r)
{
	switch (r->verdict) {
	case PROXY_GRANTED:
		return 0;
	case PROXY_REFUSED:
		return refused(io, r->at_target, r->code, r->reason);
	default:
		return hop_fail(io, r->code != 0 ? r->code : EPROTO, r->reason);
	}
}

/* Receives a reply into b (cap bytes) for as long as parse asks for
   more, never past its end.  Returns 0 when it grants, or -1. */
int
io_reply(struct io *io, unsigned char *b, size_t cap, reply_parser parse)
{
	struct proxy_reply r;
	size_t have = 0;

	while (parse(b, have, &r) == PROXY_MORE) {
		if (r.need > cap || r.need <= have)
			return hop_fail(io, EPROTO, "reply too long");
		if (io_recv(io, b + have, r.need - have, 0) == -1)
			return -1;
		have = r.need;
	}
	return io_verdict(io, &r);
}
