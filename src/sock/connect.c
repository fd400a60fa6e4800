/* Connecting: one address with a timeout, or every address of a host
   raced as in RFC 8305 ("Happy Eyeballs"). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sock/sock.h"

#define SOCK_RACE_DELAY_MS  250 /* RFC 8305 "Connection Attempt Delay" */
#define SOCK_RACE_MAX	    64	/* attempts in flight at once */
#define SOCK_UNIX_PAUSE_MAX 50	/* ms between asks of a full Unix queue */

static int
connect_fail(struct sock_err *e, int code, const struct sock_addr *a)
{
	if (a->family == AF_UNIX)
		return sock_fail(e, SOCK_ENET, code, "connect to %s", a->host);
	return sock_fail(e, SOCK_ENET, code, "connect to %s port %u", a->host,
	    (unsigned)a->port);
}

int
sock_connect_start(const struct sock_addr *a, const struct sock_addr *src,
    int type, struct sock_err *e)
{
	int fd, rc, saved, on = 1;

	fd = sock_socket(a->family, type, true, e);
	if (fd == -1)
		return -1;
	if (src != NULL) {
		if (src->port != 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ==
			-1)
			goto local;
		if (bind(fd, (const struct sockaddr *)&src->ss, src->len) == -1)
			goto local;
	}
	do
		rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	while (rc == -1 && errno == EINTR);
	/* from a Unix listener, EAGAIN is a full queue, not progress */
	if (rc == -1 && errno != EINPROGRESS &&
	    (errno != EAGAIN || a->family == AF_UNIX)) {
		saved = errno;
		close(fd);
		return connect_fail(e, saved, a);
	}
	return fd;
local:
	saved = errno;
	close(fd);
	return sock_fail(e, SOCK_ELOCAL, saved, "bind to source %s port %u",
	    src->host, (unsigned)src->port);
}

int
sock_connect_result(int fd, const struct sock_addr *a, struct sock_err *e)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		return connect_fail(e, err, a);
	return 0;
}

/* A Unix stream connect is never in progress: it is done, refused, or
   (EAGAIN) the listener's queue is full.  A full queue is asked again,
   after pauses that grow from 1 to 50 ms, until timeout_ms.  Returns
   the descriptor (blocking), or -1 (ENET; ETIMEDOUT, saying why, when
   the queue stayed full). */
static int
unix_connect(const struct sock_addr *a, int64_t timeout_ms, struct sock_err *e)
{
	double deadline =
	    timeout_ms < 0 ? -1 : sock_now_ms() + (double)timeout_ms;
	int fd, rc, saved, left, pause = 1;

	fd = sock_socket(AF_UNIX, SOCK_STREAM, true, e);
	if (fd == -1)
		return -1;
	for (;;) {
		do
			rc = connect(fd, (const struct sockaddr *)&a->ss,
			    a->len);
		while (rc == -1 && errno == EINTR);
		if (rc == 0)
			break;
		saved = errno;
		left = sock_poll_ms(deadline, sock_now_ms());
		if (saved != EAGAIN || left == 0) {
			close(fd);
			connect_fail(e, saved == EAGAIN ? ETIMEDOUT : saved, a);
			if (saved == EAGAIN)
				snprintf(e->msg, sizeof(e->msg),
				    "%s after "
				    "%lld ms (the listener's queue is full)",
				    strerror(ETIMEDOUT), (long long)timeout_ms);
			return -1;
		}
		poll(NULL, 0, left >= 0 && left < pause ? left : pause);
		if (pause < SOCK_UNIX_PAUSE_MAX)
			pause *= 2;
	}
	if (sock_set_nonblock(fd, false, e) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
sock_connect(const struct sock_addr *a, const struct sock_addr *src,
    int64_t timeout_ms, struct sock_err *e)
{
	return sock_connect_list(a, 1, src, timeout_ms, NULL, e);
}

int
sock_connect_list(const struct sock_addr *list, size_t n,
    const struct sock_addr *src, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *e)
{
	struct pollfd pfd[SOCK_RACE_MAX];
	size_t who[SOCK_RACE_MAX];
	struct sock_addr any;
	double start = sock_now_ms(), next_at = start;
	size_t next = 0, live = 0, i;
	int fd = -1, rc, wait;
	bool failed = false;

	if (n == 0)
		return sock_failmsg(e, SOCK_ERESOLVE, "no address", "connect");
	if (n == 1 && list[0].family == AF_UNIX && src == NULL) {
		fd = unix_connect(&list[0], timeout_ms, e);
		if (fd >= 0 && peer != NULL)
			*peer = list[0];
		return fd;
	}
	for (;;) {
		double now = sock_now_ms();

		if (timeout_ms >= 0 && now - start >= (double)timeout_ms) {
			/* the whole connect is bounded too */
			if (!failed || live > 0)
				connect_fail(e, ETIMEDOUT,
				    &list[live > 0 ? who[0] : n - 1]);
			break;
		}
		/* start the next attempt when it is due or none is left */
		if (next < n && live < SOCK_RACE_MAX &&
		    (live == 0 || now >= next_at)) {
			if (src != NULL && src->family != list[next].family &&
			    src->family != AF_UNSPEC) {
				if (!failed)
					sock_failmsg(e, SOCK_ENET,
					    "source address of another family",
					    "connect to %s port %u",
					    list[next].host,
					    (unsigned)list[next].port);
				failed = true;
				next++;
				continue;
			}
			if (src != NULL && src->family == AF_UNSPEC)
				/* a source port alone: the wildcard address */
				sock_addr_any(&any, list[next].family,
				    src->port);
			fd = sock_connect_start(&list[next],
			    src == NULL			 ? NULL :
				src->family == AF_UNSPEC ? &any :
							   src,
			    SOCK_STREAM, e);
			if (fd == -1) {
				failed = true;
				next++;
				if (e->kind == SOCK_ELOCAL && next == n &&
				    live == 0)
					return -1;
				continue;
			}
			pfd[live].fd = fd;
			pfd[live].events = POLLOUT;
			who[live] = next++;
			live++;
			next_at = now + SOCK_RACE_DELAY_MS;
		}
		if (live == 0) {
			if (next >= n)
				break;
			continue;
		}
		wait = next < n ? (int)(next_at - now) + 1 : -1;
		if (timeout_ms >= 0) {
			int left =
			    sock_poll_ms(start + (double)timeout_ms, now);

			if (wait < 0 || left < wait)
				wait = left;
		}
		rc = poll(pfd, live, wait);
		if (rc == -1 && errno != EINTR) {
			sock_fail(e, SOCK_ELOCAL, errno, "poll");
			break;
		}
		for (i = 0; rc > 0 && i < live; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (sock_connect_result(pfd[i].fd, &list[who[i]], e) ==
			    0) {
				fd = pfd[i].fd;
				if (peer != NULL)
					*peer = list[who[i]];
				pfd[i] = pfd[--live];
				who[i] = who[live];
				while (live > 0)
					close(pfd[--live].fd);
				if (sock_set_nonblock(fd, false, e) == -1) {
					close(fd);
					return -1;
				}
				return fd;
			}
			failed = true;
			close(pfd[i].fd);
			pfd[i] = pfd[--live];
			who[i] = who[live];
			i--;
			/* a failure starts the next attempt at once */
			next_at = sock_now_ms();
		}
		if (live == 0 && next >= n)
			break;
	}
	while (live > 0)
		close(pfd[--live].fd);
	return -1;
}

int
sock_connect_host(const char *host, const char *serv, int family, int flags,
    const struct sock_addr *src, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *e)
{
	struct sock_ai ai;
	int fd;

	if (sock_resolve(host, serv, family, SOCK_STREAM, flags, &ai, e) == -1)
		return -1;
	sock_ai_interleave(&ai);
	fd = sock_connect_list(ai.v, ai.n, src, timeout_ms, peer, e);
	sock_ai_free(&ai);
	return fd;
}
