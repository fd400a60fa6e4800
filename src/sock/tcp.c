/* Sockets, binding, listening, accepting, names and small toggles. */
#include "config.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sock/sock.h"

#ifndef TCP_IS_MPTCP
#define TCP_IS_MPTCP 43 /* Linux 5.16 */
#endif

double
sock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
sock_poll_ms(double deadline, double now)
{
	double left = deadline - now;

	if (deadline < 0)
		return -1;
	if (left <= 0)
		return 0;
	/* past INT_MAX ms (24 days) the wait is taken in slices */
	return left < (double)INT_MAX - 1 ? (int)left + 1 : INT_MAX;
}

int
sock_socket(int family, int type, bool nonblock, struct sock_err *e)
{
	return sock_socket_proto(family, type, 0, nonblock, e);
}

int
sock_socket_proto(int family, int type, int protocol, bool nonblock,
    struct sock_err *e)
{
	int fd;

	fd = socket(family,
	    type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), protocol);
	if (fd == -1 && protocol == SOCK_MPTCP &&
	    (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT ||
		errno == EINVAL))
		return sock_failmsg(e, SOCK_ELOCAL,
		    "this kernel has MPTCP off or lacks it "
		    "(sysctl net.mptcp.enabled)",
		    "MPTCP socket");
	if (fd == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "socket");
	return fd;
}

int
sock_mptcp(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	/* an MPTCP socket that fell back answers as its TCP subflow: 0 */
	if (getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &on, &len) == -1)
		return 0;
	return on != 0;
}

int
sock_set_nonblock(int fd, bool on, struct sock_err *e)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 ||
	    fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "fcntl");
	return 0;
}

/* Whether a socket is bound to the Unix path of a, asked of the kernel
   by a connect (a name in /proc/net/unix is spelled as its server wrote
   it, and a server in another network namespace is not listed there).
   The connect is a datagram one: to a stream server it is refused as
   EPROTOTYPE, so unlike a stream connect it takes no client away from
   it (a listen waiting for its one client would end with it).  Returns
   1 when a socket answers (the connect succeeds, finds a socket of
   another type or a full queue), 0 when the connect is refused (a stale
   file) or the file is gone, -1 (ELOCAL) when it cannot tell. */
static int
unix_live(const struct sock_addr *a, struct sock_err *e)
{
	int fd, rc, saved;

	fd = sock_socket(AF_UNIX, SOCK_DGRAM, true, e);
	if (fd == -1)
		return -1;
	do
		rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	while (rc == -1 && errno == EINTR);
	saved = errno;
	close(fd);
	if (rc == 0 || saved == EAGAIN || saved == EPROTOTYPE)
		return 1;
	if (saved == ECONNREFUSED || saved == ENOENT)
		return 0;
	return sock_fail(e, SOCK_ELOCAL, saved, "bind to %s", a->host);
}

/* Removes path when it is a Unix socket file nobody listens on.  Returns 0
   (removed or absent), or -1 (ELOCAL) when something else is there. */
static int
unix_clear_stale(const struct sock_addr *a, struct sock_err *e)
{
	struct stat st;
	int rc;

	if (a->host[0] == '@')
		return 0;
	if (lstat(a->host, &st) == -1)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return sock_fail(e, SOCK_ELOCAL, EEXIST,
		    "bind to %s (not a socket, left alone)", a->host);
	rc = unix_live(a, e);
	if (rc == -1)
		return -1;
	if (rc == 1)
		return sock_fail(e, SOCK_ELOCAL, EADDRINUSE, "bind to %s",
		    a->host);
	if (unlink(a->host) == -1 && errno != ENOENT)
		return sock_fail(e, SOCK_ELOCAL, errno, "remove stale %s",
		    a->host);
	return 0;
}

/* sock_bind(), and with v6only an IPv6 socket that takes no IPv4. */
static int
bind_socket(const struct sock_addr *a, int type, bool reuse, bool v6only,
    struct sock_err *e)
{
	int fd, on = 1, v6 = v6only, saved;

	if (a->family == AF_UNIX && unix_clear_stale(a, e) == -1)
		return -1;
	fd = sock_socket_proto(a->family, type, a->protocol, false, e);
	if (fd == -1)
		return -1;
	if (reuse && a->family != AF_UNIX &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (a->family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6)) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	if (a->family == AF_UNIX)
		return sock_fail(e, SOCK_ELOCAL, saved, "bind to %s", a->host);
	return sock_fail(e, SOCK_ELOCAL, saved, "bind to %s port %u", a->host,
	    (unsigned)a->port);
}

int
sock_bind(const struct sock_addr *a, int type, bool reuse, struct sock_err *e)
{
	return bind_socket(a, type, reuse, false, e);
}

int
sock_bind_v6(const struct sock_addr *a, int type, bool reuse, bool v6only,
    struct sock_err *e)
{
	return bind_socket(a, type, reuse, v6only, e);
}

int
sock_backlog_default(void)
{
	return SOMAXCONN < 128 ? SOMAXCONN : 128;
}

int
sock_listen(const struct sock_addr *a, bool reuse, int backlog,
    struct sock_err *e)
{
	return sock_listen_v6(a, reuse, false, backlog, e);
}

int
sock_listen_v6(const struct sock_addr *a, bool reuse, bool v6only, int backlog,
    struct sock_err *e)
{
	int fd, saved;

	fd = bind_socket(a, SOCK_STREAM, reuse, v6only, e);
	if (fd == -1)
		return -1;
	if (listen(fd, backlog > 0 ? backlog : sock_backlog_default()) == -1) {
		saved = errno;
		close(fd);
		return sock_fail(e, SOCK_ELOCAL, saved, "listen on %s port %u",
		    a->host, (unsigned)a->port);
	}
	return fd;
}

int
sock_wait(int fd, short events, int64_t timeout_ms, struct sock_err *e)
{
	struct pollfd p = { .fd = fd, .events = events };
	double deadline =
	    timeout_ms < 0 ? -1 : sock_now_ms() + (double)timeout_ms;
	int rc;

	for (;;) {
		rc = poll(&p, 1, sock_poll_ms(deadline, sock_now_ms()));
		if (rc > 0)
			return p.revents;
		/* a wait in slices, or woken early: wait on */
		if (rc == 0 && sock_poll_ms(deadline, sock_now_ms()) == 0)
			return 0;
		if (rc == -1 && errno != EINTR)
			return sock_fail(e, SOCK_ELOCAL, errno, "poll");
	}
}

int
sock_accept_ready(int lfd, int flags, struct sock_addr *peer,
    struct sock_err *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	do {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    flags | SOCK_CLOEXEC);
	} while (fd == -1 && errno == EINTR);
	/* none, or one that went away before we took it */
	if (fd == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED ||
		errno == EPROTO))
		return sock_fail(e, SOCK_ENET, ETIMEDOUT, "wait for a client");
	if (fd == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "accept");
	if (peer != NULL) {
		if (len == 0 || ss.ss_family == AF_UNSPEC) {
			/* an unnamed Unix client */
			memset(peer, 0, sizeof(*peer));
			peer->family = AF_UNIX;
		} else if (sock_addr_from_sa(peer, (struct sockaddr *)&ss, len,
			       e) == -1) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

int
sock_accept(int lfd, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *e)
{
	double deadline = sock_now_ms() + (double)timeout_ms;
	int64_t left = timeout_ms;
	int fd, rc;

	for (;;) {
		rc = sock_wait(lfd, POLLIN, left, e);
		if (rc == -1)
			return -1;
		if (rc == 0)
			return sock_fail(e, SOCK_ENET, ETIMEDOUT,
			    "wait for a client");
		/* ready: a blocking listener does not block now, unless the
		   client went away meanwhile (then: wait again) */
		fd = sock_accept_ready(lfd, 0, peer, e);
		if (fd >= 0 || e->kind != SOCK_ENET)
			return fd;
		if (timeout_ms >= 0) {
			left = (int64_t)(deadline - sock_now_ms());
			if (left < 0)
				left = 0;
		}
	}
}

static int
sock_getname(int fd, bool peer, struct sock_addr *a, struct sock_err *e)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rc;

	memset(&ss, 0, sizeof(ss));
	rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len) :
		    getsockname(fd, (struct sockaddr *)&ss, &len);
	if (rc == -1)
		return sock_fail(e, peer ? SOCK_ENET : SOCK_ELOCAL, errno,
		    peer ? "getpeername" : "getsockname");
	if (ss.ss_family == AF_UNIX && len <= sizeof(sa_family_t)) {
		memset(a, 0, sizeof(*a));
		a->family = AF_UNIX;
		return 0;
	}
	return sock_addr_from_sa(a, (struct sockaddr *)&ss, len, e);
}

int
sock_name(int fd, struct sock_addr *a, struct sock_err *e)
{
	return sock_getname(fd, false, a, e);
}

int
sock_peer(int fd, struct sock_addr *a, struct sock_err *e)
{
	return sock_getname(fd, true, a, e);
}

int
sock_nodelay(int fd, bool on, struct sock_err *e)
{
	int v = on;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set TCP_NODELAY");
	return 0;
}

int
sock_quickack(int fd, bool on, struct sock_err *e)
{
#ifdef TCP_QUICKACK
	int v = on;

	if (setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &v, sizeof(v)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set TCP_QUICKACK");
	return 0;
#else
	(void)fd;
	(void)on;
	return sock_fail(e, SOCK_ELOCAL, ENOPROTOOPT, "set TCP_QUICKACK");
#endif
}

int
sock_file_id(const char *path, struct sock_file *f)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return -1;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

bool
sock_unix_unlink(const char *path, const struct sock_file *f)
{
	struct stat st;

	/* another server may have taken the path since, or a file
	   replaced it: theirs to keep */
	if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode) ||
	    st.st_dev != f->dev || st.st_ino != f->ino)
		return false;
	return unlink(path) == 0;
}
