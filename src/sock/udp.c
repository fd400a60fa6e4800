/* UDP: open, bind, send and receive datagrams with timeouts, one at a
   time or in batches (sendmmsg/recvmmsg); TTL, broadcast, multicast. */
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

/* Fills *e for a failed send of len bytes to *to (or the peer of fd) and
   returns -1. */
static int
send_fail(int fd, int code, size_t len, const struct sock_addr *to,
    struct sock_err *e)
{
	struct sock_addr peer;
	struct sock_err pe;
	enum sock_kind kind = SOCK_ENET;

	if (to == NULL && sock_peer(fd, &peer, &pe) == 0) {
		sock_addr_unmap(&peer);
		to = &peer;
	}
	if (code == EMSGSIZE)
		kind = SOCK_EUSAGE;
	else if (code == EACCES || code == EPERM)
		kind = SOCK_ELOCAL;
	if (code == EMSGSIZE && to != NULL)
		return sock_fail(e, kind, code,
		    "send of %zu bytes to %s port %u", len, to->host,
		    (unsigned)to->port);
	if (to != NULL)
		return sock_fail(e, kind, code, "send to %s port %u", to->host,
		    (unsigned)to->port);
	return sock_fail(e, kind, code, "send");
}

#define SEND_BATCH 1024	 /* UIO_MAXIOV: the most sendmmsg takes */
#define GSO_SEGS   64	 /* per UDP_SEGMENT send (old UDP_MAX_SEGMENTS) */
#define GSO_BYTES  65000 /* payload of one such send, under 64 KiB */

/* Set once the kernel refused UDP_SEGMENT (no GSO on the device, a
   segment over the MTU): one message per datagram from then on. */
static bool gso_refused;

union gso_cmsg {
	char buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};

/* Lays the n datagrams of iov out as messages of mm: a run of datagrams of
   one size on a connected socket as one message the kernel cuts into them
   (UDP_SEGMENT: one trip down the stack for up to GSO_SEGS), any other
   datagram as a message of its own.  segs[i]: the datagrams of message i.
   Returns the number of messages. */
static size_t
layout(struct mmsghdr *mm, union gso_cmsg *cm, unsigned *segs,
    const struct iovec *iov, size_t n, const struct sock_addr *to)
{
	struct cmsghdr *c;
	size_t i = 0, m = 0, run, len;

	while (i < n) {
		len = iov[i].iov_len;
		run = 1;
#ifdef UDP_SEGMENT
		if (!gso_refused && to == NULL && len > 0)
			while (i + run < n && run < GSO_SEGS &&
			    iov[i + run].iov_len == len &&
			    (run + 1) * len <= GSO_BYTES)
				run++;
#endif
		memset(&mm[m], 0, sizeof(mm[m]));
		if (to != NULL) {
			mm[m].msg_hdr.msg_name = (void *)&to->ss;
			mm[m].msg_hdr.msg_namelen = to->len;
		}
		mm[m].msg_hdr.msg_iov = (struct iovec *)&iov[i];
		mm[m].msg_hdr.msg_iovlen = run;
#ifdef UDP_SEGMENT
		if (run > 1) {
			memset(cm[m].buf, 0, sizeof(cm[m].buf)); /* padding */
			mm[m].msg_hdr.msg_control = cm[m].buf;
			mm[m].msg_hdr.msg_controllen = sizeof(cm[m].buf);
			c = CMSG_FIRSTHDR(&mm[m].msg_hdr);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
			memcpy(CMSG_DATA(c), &(uint16_t){ (uint16_t)len },
			    sizeof(uint16_t));
		}
#else
		(void)cm;
		(void)c;
#endif
		segs[m++] = (unsigned)run;
		i += run;
	}
	return m;
}

int
sock_sendmany(int fd, const struct iovec *iov, size_t n,
    const struct sock_addr *to, int64_t timeout_ms, struct sock_err *e)
{
	struct mmsghdr mm[SEND_BATCH];
	union gso_cmsg cm[SEND_BATCH];
	unsigned segs[SEND_BATCH];
	size_t m;
	int i, k, rc, sent;

	if (n > SEND_BATCH)
		n = SEND_BATCH;
	if (n == 0)
		return 0;
	m = layout(mm, cm, segs, iov, n, to);
	for (;;) {
		k = sendmmsg(fd, mm, (unsigned)m, MSG_DONTWAIT);
		if (k > 0) {
			for (sent = 0, i = 0; i < k; i++)
				sent += (int)segs[i];
			return sent;
		}
		if (k == 0) /* nothing sent and no error: try again */
			errno = EAGAIN;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK && m < n) {
			/* the kernel would not segment: one by one, and
			   from now on */
			gso_refused = true;
			m = layout(mm, cm, segs, iov, n, to);
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return send_fail(fd, errno, iov[0].iov_len, to, e);
		rc = sock_wait(fd, POLLOUT, timeout_ms, e);
		if (rc == -1)
			return -1;
		if (rc == 0)
			return send_fail(fd, ETIMEDOUT, iov[0].iov_len, to, e);
	}
}

#define RECV_BATCH 64

int
sock_recvmany(int fd, struct sock_dgram *d, size_t n, int64_t timeout_ms,
    struct sock_err *e)
{
	struct mmsghdr mm[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage ss[RECV_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) +
		    CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf[RECV_BATCH];
	struct cmsghdr *cm;
	struct timespec now;
	size_t i;
	int k, rc, seg;

	if (n > RECV_BATCH)
		n = RECV_BATCH;
	if (n == 0)
		return 0;
	memset(mm, 0, n * sizeof(mm[0]));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = d[i].buf;
		iov[i].iov_len = d[i].cap;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		for (i = 0; i < n; i++) {
			mm[i].msg_hdr.msg_name = &ss[i];
			mm[i].msg_hdr.msg_namelen = sizeof(ss[i]);
			mm[i].msg_hdr.msg_control = cbuf[i].buf;
			mm[i].msg_hdr.msg_controllen = sizeof(cbuf[i].buf);
			mm[i].msg_hdr.msg_flags = 0;
		}
		k = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT, NULL);
		if (k > 0)
			break;
		if (k == 0)
			errno = EAGAIN;
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
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < (size_t)k; i++) {
		d[i].len = mm[i].msg_len;
		d[i].trunc = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		if (sock_addr_from_sa(&d[i].from, (struct sockaddr *)&ss[i],
			mm[i].msg_hdr.msg_namelen, e) == -1)
			memset(&d[i].from, 0, sizeof(d[i].from));
		d[i].stamp = now;
		d[i].seg = 0;
		for (cm = CMSG_FIRSTHDR(&mm[i].msg_hdr); cm != NULL;
		     cm = CMSG_NXTHDR(&mm[i].msg_hdr, cm)) {
#ifdef UDP_GRO
			if (cm->cmsg_level == SOL_UDP &&
			    cm->cmsg_type == UDP_GRO) {
				memcpy(&seg, CMSG_DATA(cm), sizeof(seg));
				if (seg > 0 && (size_t)seg < d[i].len)
					d[i].seg = (size_t)seg;
			}
#endif
#ifdef SCM_TIMESTAMPNS
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_TIMESTAMPNS)
				memcpy(&d[i].stamp, CMSG_DATA(cm),
				    sizeof(d[i].stamp));
#endif
		}
	}
	return k;
}

int
sock_gro(int fd)
{
#ifdef UDP_GRO
	int on = 1;

	return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on));
#else
	(void)fd;
	return -1;
#endif
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
