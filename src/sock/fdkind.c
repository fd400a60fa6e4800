/* What kind of socket a descriptor is (family and type), and its name
   in words, for the sockopt mode and the checks of -O. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sock/sock.h"

int
sock_fd_kind(int fd, int *family, int *type, struct sock_err *e)
{
	struct sockaddr_storage ss;
	struct stat st;
	socklen_t len;

	if (fstat(fd, &st) == -1)
		return sock_fail(e, SOCK_EUSAGE, errno, "fd %d", fd);
	if (!S_ISSOCK(st.st_mode))
		return sock_failmsg(e, SOCK_EUSAGE, "not a socket", "fd %d",
		    fd);
	len = sizeof(*type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &len) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "fd %d: get SO_TYPE",
		    fd);
#ifdef SO_DOMAIN
	len = sizeof(*family);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, family, &len) == 0)
		return 0;
#endif
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "fd %d: getsockname",
		    fd);
	*family = ss.ss_family;
	return 0;
}

const char *
sock_kind_str(int family, int type, char *buf, size_t len)
{
	const char *t = type == SOCK_STREAM ? "stream" :
	    type == SOCK_DGRAM		    ? "datagram" :
	    type == SOCK_SEQPACKET	    ? "seqpacket" :
	    type == SOCK_RAW		    ? "raw" :
					      "other";

	if (family == AF_INET || family == AF_INET6)
		snprintf(buf, len, "%s %s socket",
		    family == AF_INET ? "IPv4" : "IPv6",
		    type == SOCK_STREAM	   ? "TCP" :
			type == SOCK_DGRAM ? "UDP" :
					     t);
	else if (family == AF_UNIX)
		snprintf(buf, len, "Unix %s socket", t);
	else
		snprintf(buf, len, "family %d %s socket", family, t);
	return buf;
}
