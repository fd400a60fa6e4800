/* Why a connect failed, as a router said it: the socket's error queue
   (IP_RECVERR, IPV6_RECVERR) keeps the ICMP error that ended it, with
   its type, code and the address of the host that sent it.  Linux
   only; elsewhere nothing is queued and nothing is read. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#ifdef __linux__
#include <linux/errqueue.h>
#endif

#include "sock/sock.h"

int
sock_recverr_on(int fd, int family)
{
#ifdef __linux__
	int on = 1;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
		    sizeof(on));
	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
#else
	(void)fd;
	(void)family;
	return 0;
#endif
}

#ifdef __linux__
/* The ICMP error of one control message into *icmp.  Returns 1 when it
   is one, else 0. */
static int
icmp_of(const struct cmsghdr *cm, struct sock_icmp *icmp)
{
	const struct sock_extended_err *ee;
	const struct sockaddr *from;
	const void *a;

	if (!((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) ||
		(cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_RECVERR)))
		return 0;
	ee = (const struct sock_extended_err *)CMSG_DATA(cm);
	if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
	    ee->ee_origin != SO_EE_ORIGIN_ICMP6)
		return 0;
	memset(icmp, 0, sizeof(*icmp));
	icmp->v6 = ee->ee_origin == SO_EE_ORIGIN_ICMP6;
	icmp->type = ee->ee_type;
	icmp->code = ee->ee_code;
	icmp->err = (int)ee->ee_errno;
	from = SO_EE_OFFENDER(ee);
	if (from->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)from)->sin_addr;
	else if (from->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)from)->sin6_addr;
	else
		return 1;
	if (inet_ntop(from->sa_family, a, icmp->from, sizeof(icmp->from)) ==
	    NULL)
		icmp->from[0] = '\0';
	return 1;
}
#endif

int
sock_icmp_read(int fd, struct sock_icmp *icmp)
{
#ifdef __linux__
	char data[512], control[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m;
	struct cmsghdr *cm;
	int found = 0, n;

	/* the queue may hold several: the last ICMP error is kept */
	for (n = 0; n < 8; n++) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = control;
		m.msg_controllen = sizeof(control);
		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
			break;
		for (cm = CMSG_FIRSTHDR(&m); cm != NULL;
		     cm = CMSG_NXTHDR(&m, cm))
			found |= icmp_of(cm, icmp);
	}
	return found;
#else
	(void)fd;
	(void)icmp;
	return 0;
#endif
}
