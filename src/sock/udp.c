/* UDP: open, bind, send and receive datagrams with timeouts, one at a
   time (batches: udp_batch.c); TTL, broadcast, multicast. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <net/if.h>
#include <sys/un.h>
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
    int64_t timeout_ms, struct sock_err *e)
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
sock_recvfrom(int fd, void *buf, size_t len, int64_t timeout_ms,
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
	if (from != NULL &&
	    sock_addr_from_sa(from, (struct sockaddr *)&ss, msg.msg_namelen,
		e) == -1)
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

size_t
sock_udp_max(int family)
{
	return family == AF_INET6 ? SOCK_UDP_MAX6 : SOCK_UDP_MAX4;
}

int
sock_bind_fd(int fd, const struct sock_addr *a, bool reuse, struct sock_err *e)
{
	int on = 1, off = 0;

	if (reuse &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set SO_REUSEADDR");
	if (a->family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set IPV6_V6ONLY");
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "bind to %s port %u",
		    a->host, (unsigned)a->port);
	return 0;
}

int
sock_udp_connect(int fd, const struct sock_addr *a, struct sock_err *e)
{
	int rc;

	do
		rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	while (rc == -1 && errno == EINTR);
	if (rc == 0)
		return 0;
	return sock_fail(e,
	    errno == EACCES || errno == EPERM ? SOCK_ELOCAL : SOCK_ENET, errno,
	    "connect to %s port %u", a->host, (unsigned)a->port);
}

int
sock_unix_autobind(int fd, struct sock_err *e)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	if (bind(fd, (const struct sockaddr *)&un, sizeof(sa_family_t)) == 0)
		return 0;
	return sock_fail(e, SOCK_ELOCAL, errno, "bind (autobind)");
}

int
sock_pending_error(int fd, const struct sock_addr *peer, struct sock_err *e)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		return 0;
	if (peer != NULL)
		return sock_fail(e, SOCK_ENET, err, "send to %s port %u",
		    peer->host, (unsigned)peer->port);
	return sock_fail(e, SOCK_ENET, err, "send");
}

int
sock_broadcast(int fd, bool on, struct sock_err *e)
{
	int v = on;

	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &v, sizeof(v)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set SO_BROADCAST");
	return 0;
}

int
sock_ttl(int fd, int family, int ttl, struct sock_err *e)
{
	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
			sizeof(ttl)) == -1)
			return sock_fail(e, SOCK_ELOCAL, errno,
			    "set IPV6_UNICAST_HOPS to %d", ttl);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
			sizeof(ttl)) == -1)
			return sock_fail(e, SOCK_ELOCAL, errno,
			    "set IPV6_MULTICAST_HOPS to %d", ttl);
		return 0;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "set IP_TTL to %d",
		    ttl);
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ==
	    -1)
		return sock_fail(e, SOCK_ELOCAL, errno,
		    "set IP_MULTICAST_TTL to %d", ttl);
	return 0;
}

bool
sock_addr_multicast(const struct sock_addr *a)
{
	const struct sockaddr_in *in = (const void *)&a->ss;
	const struct sockaddr_in6 *in6 = (const void *)&a->ss;

	if (a->family == AF_INET)
		return IN_MULTICAST(ntohl(in->sin_addr.s_addr));
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&in6->sin6_addr);
	return false;
}

int
sock_join(int fd, const struct sock_addr *group, const char *ifname,
    struct sock_err *e)
{
	const struct sockaddr_in *in = (const void *)&group->ss;
	const struct sockaddr_in6 *in6 = (const void *)&group->ss;
	struct ip_mreqn mr;
	struct ipv6_mreq mr6;
	unsigned idx = 0;

	if (!sock_addr_multicast(group))
		return sock_failmsg(e, SOCK_EUSAGE, "not a multicast address",
		    "group \"%s\"", group->host);
	if (ifname != NULL && (idx = if_nametoindex(ifname)) == 0)
		return sock_fail(e, SOCK_EUSAGE, errno, "interface \"%s\"",
		    ifname);
	if (group->family == AF_INET) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = in->sin_addr;
		mr.imr_address.s_addr = htonl(INADDR_ANY);
		mr.imr_ifindex = (int)idx;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
			sizeof(mr)) == -1)
			goto fail;
		return 0;
	}
	memset(&mr6, 0, sizeof(mr6));
	mr6.ipv6mr_multiaddr = in6->sin6_addr;
	mr6.ipv6mr_interface = idx;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr6, sizeof(mr6)) ==
	    -1)
		goto fail;
	return 0;
fail:
	if (ifname != NULL)
		return sock_fail(e, SOCK_ELOCAL, errno, "join %s on %s",
		    group->host, ifname);
	return sock_fail(e, SOCK_ELOCAL, errno, "join %s", group->host);
}
