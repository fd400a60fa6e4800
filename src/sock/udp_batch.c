/* UDP in batches: sendmmsg with UDP_SEGMENT runs of one size, recvmmsg
   with UDP_GRO and timestamps. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/un.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sock/sock.h"

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
