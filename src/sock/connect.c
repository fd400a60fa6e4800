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

	fd = sock_socket_proto(a->family, type, a->protocol, true, e);
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

/* The attempts of one sock_connect_list() in flight. */
struct race {
	const struct sock_addr *list;
	size_t n;
	const struct sock_addr *src;
	struct pollfd pfd[SOCK_RACE_MAX];
	size_t who[SOCK_RACE_MAX]; /* the address of each pfd: list[who[i]] */
	size_t next;		   /* the next address to try */
	size_t live;		   /* attempts in flight */
	double next_at;		   /* when the next attempt is due */
	bool failed;		   /* an attempt failed: *e says why */
};

enum race_step {
	RACE_WAIT,    /* wait for the attempts in flight */
	RACE_AGAIN,   /* an address was skipped or failed at once */
	RACE_GIVE_UP, /* the last address failed locally, none in flight */
};

/* Starts the next attempt when it is due or none is in flight.  Returns
   what the race does next (RACE_GIVE_UP with *e). */
static enum race_step
race_start(struct race *r, double now, struct sock_err *e)
{
	const struct sock_addr *a, *src = r->src;
	struct sock_addr any;
	int fd;

	if (r->next >= r->n || r->live >= SOCK_RACE_MAX ||
	    (r->live > 0 && now < r->next_at))
		return RACE_WAIT;
	a = &r->list[r->next];
	if (src != NULL && src->family != a->family &&
	    src->family != AF_UNSPEC) {
		if (!r->failed)
			sock_failmsg(e, SOCK_ENET,
			    "source address of another family",
			    "connect to %s port %u", a->host,
			    (unsigned)a->port);
		r->failed = true;
		r->next++;
		return RACE_AGAIN;
	}
	if (src != NULL && src->family == AF_UNSPEC) {
		/* a source port alone: the wildcard address */
		sock_addr_any(&any, a->family, src->port);
		src = &any;
	}
	fd = sock_connect_start(a, src, SOCK_STREAM, e);
	if (fd == -1) {
		r->failed = true;
		r->next++;
		if (e->kind == SOCK_ELOCAL && r->next == r->n && r->live == 0)
			return RACE_GIVE_UP;
		return RACE_AGAIN;
	}
	r->pfd[r->live].fd = fd;
	r->pfd[r->live].events = POLLOUT;
	r->who[r->live++] = r->next++;
	r->next_at = now + SOCK_RACE_DELAY_MS;
	return RACE_WAIT;
}

/* How long poll() may wait: until the next attempt is due (forever when
   none is left), and no later than the deadline of the whole connect. */
static int
race_wait_ms(const struct race *r, double start, int64_t timeout_ms, double now)
{
	int wait = r->next < r->n ? (int)(r->next_at - now) + 1 : -1;
	int left;

	if (timeout_ms >= 0) {
		left = sock_poll_ms(start + (double)timeout_ms, now);
		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

/* Takes attempt i out of the race (its descriptor stays open). */
static void
race_drop(struct race *r, size_t i)
{
	r->pfd[i] = r->pfd[--r->live];
	r->who[i] = r->who[r->live];
}

/* Attempt i connected: the others are closed.  Returns its descriptor,
   blocking again, or -1 with *e. */
static int
race_won(struct race *r, size_t i, struct sock_addr *peer, struct sock_err *e)
{
	int fd = r->pfd[i].fd;

	if (peer != NULL)
		*peer = r->list[r->who[i]];
	race_drop(r, i);
	while (r->live > 0)
		close(r->pfd[--r->live].fd);
	if (sock_set_nonblock(fd, false, e) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Looks at the attempts poll() found ready: the first connected one wins;
   a failed one is closed and the next attempt is due at once.  Returns
   true when the race is won: *fd is the descriptor (or -1 with *e). */
static bool
race_collect(struct race *r, int *fd, struct sock_addr *peer,
    struct sock_err *e)
{
	size_t i;

	for (i = 0; i < r->live; i++) {
		if (r->pfd[i].revents == 0)
			continue;
		if (sock_connect_result(r->pfd[i].fd, &r->list[r->who[i]], e) ==
		    0) {
			*fd = race_won(r, i, peer, e);
			return true;
		}
		r->failed = true;
		close(r->pfd[i].fd);
		race_drop(r, i);
		i--;
		/* a failure starts the next attempt at once */
		r->next_at = sock_now_ms();
	}
	return false;
}

int
sock_connect_list(const struct sock_addr *list, size_t n,
    const struct sock_addr *src, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *e)
{
	struct race r = { .list = list, .n = n, .src = src };
	double start = sock_now_ms(), now;
	int fd = -1, ready;

	if (n == 0)
		return sock_failmsg(e, SOCK_ERESOLVE, "no address", "connect");
	if (n == 1 && list[0].family == AF_UNIX && src == NULL) {
		fd = unix_connect(&list[0], timeout_ms, e);
		if (fd >= 0 && peer != NULL)
			*peer = list[0];
		return fd;
	}
	r.next_at = start;
	for (;;) {
		now = sock_now_ms();
		if (timeout_ms >= 0 && now - start >= (double)timeout_ms) {
			/* the whole connect is bounded too */
			if (!r.failed || r.live > 0)
				connect_fail(e, ETIMEDOUT,
				    &list[r.live > 0 ? r.who[0] : n - 1]);
			break;
		}
		switch (race_start(&r, now, e)) {
		case RACE_AGAIN:
			continue;
		case RACE_GIVE_UP:
			return -1;
		case RACE_WAIT:
			break;
		}
		if (r.live == 0) {
			if (r.next >= n)
				break;
			continue;
		}
		ready = poll(r.pfd, r.live,
		    race_wait_ms(&r, start, timeout_ms, now));
		if (ready == -1 && errno != EINTR) {
			sock_fail(e, SOCK_ELOCAL, errno, "poll");
			break;
		}
		if (ready > 0 && race_collect(&r, &fd, peer, e))
			return fd;
		if (r.live == 0 && r.next >= n)
			break;
	}
	while (r.live > 0)
		close(r.pfd[--r.live].fd);
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
