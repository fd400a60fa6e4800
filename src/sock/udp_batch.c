/* UDP in batches: sendmmsg, one message per datagram; recvmmsg with
   UDP_GRO and timestamps. */
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

/* One message per datagram: runs of one size are not joined into
   UDP_SEGMENT messages.  They cost the sender ~25x less CPU, but loopback
   gives a sender no back-pressure, and a receiver that waited for a CPU
   lost a third of a 200000-datagram burst that arrives whole this way
   (bench/udp.sh shows both). */
#define SEND_BATCH 1024 /* UIO_MAXIOV: the most sendmmsg takes */

int
sock_sendmany(int fd, const struct iovec *iov, size_t n,
    const struct sock_addr *to, int64_t timeout_ms, struct sock_err *e)
{
	struct mmsghdr mm[SEND_BATCH];
	size_t i;
	int k, rc;

	if (n > SEND_BATCH)
		n = SEND_BATCH;
	if (n == 0)
		return 0;
	memset(mm, 0, n * sizeof(mm[0]));
	for (i = 0; i < n; i++) {
		if (to != NULL) {
			mm[i].msg_hdr.msg_name = (void *)&to->ss;
			mm[i].msg_hdr.msg_namelen = to->len;
		}
		mm[i].msg_hdr.msg_iov = (struct iovec *)&iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		k = sendmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT);
		if (k > 0)
			return k;
		if (k == 0) /* nothing sent and no error: try again */
			errno = EAGAIN;
		if (errno == EINTR)
			continue;
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
