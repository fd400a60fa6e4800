/* UDP: open, bind, send and receive datagrams with timeouts. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sock/sock.h"

int
sock_udp(int family, const struct sock_addr *local, bool reuse,
    struct sock_err *e)
{
	if (local != NULL)
		return sock_bind(local, SOCK_DGRAM, reuse, e);
	return sock_socket(family == AF_UNSPEC ? AF_INET6 : family, SOCK_DGRAM,
	    false, e);
}

ssize_t
sock_sendto(int fd, const void *buf, size_t len, const struct sock_addr *to,
    int timeout_ms, struct sock_err *e)
{
	ssize_t n;
	int rc;

	for (;;) {
		if (to != NULL)
			n = sendto(fd, buf, len, MSG_DONTWAIT,
			    (const struct sockaddr *)&to->ss, to->len);
		else
			n = send(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			break;
		rc = sock_wait(fd, POLLOUT, timeout_ms, e);
		if (rc == -1)
			return -1;
		if (rc == 0) {
			errno = ETIMEDOUT;
			break;
		}
	}
	if (to != NULL)
		return sock_fail(e, SOCK_ENET, errno, "send to %s port %u",
		    to->host, (unsigned)to->port);
	return sock_fail(e, SOCK_ENET, errno, "send");
}

ssize_t
sock_recvfrom(int fd, void *buf, size_t len, int timeout_ms,
    struct sock_addr *from, struct timespec *stamp, bool *trunc,
    struct sock_err *e)
{
	struct sockaddr_storage ss;
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;
	int rc;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof(ss);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return sock_fail(e, SOCK_ENET, errno, "receive");
		rc = sock_wait(fd, POLLIN, timeout_ms, e);
		if (rc == -1)
			return -1;
		if (rc == 0)
			return sock_fail(e, SOCK_ENET, ETIMEDOUT, "receive");
	}
	if (trunc != NULL)
		*trunc = (msg.msg_flags & MSG_TRUNC) != 0;
	if (from != NULL && sock_addr_from_sa(from, (struct sockaddr *)&ss,
	    msg.msg_namelen, e) == -1)
		memset(from, 0, sizeof(*from));
	if (stamp != NULL) {
		clock_gettime(CLOCK_REALTIME, stamp);
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm)) {
#ifdef SCM_TIMESTAMPNS
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_TIMESTAMPNS)
				memcpy(stamp, CMSG_DATA(cm), sizeof(*stamp));
#endif
		}
	}
	return n;
}

int
sock_timestamps(int fd, struct sock_err *e)
{
#ifdef SO_TIMESTAMPNS
	int on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set SO_TIMESTAMPNS");
#else
	(void)fd;
	(void)e;
#endif
	return 0;
}
