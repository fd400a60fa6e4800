/* Address records: from sockaddrs, numeric hosts, Unix paths; to text. */
#include "config.h"

#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "sock/sock.h"

int
sock_addr_from_sa(struct sock_addr *a, const struct sockaddr *sa, socklen_t len,
    struct sock_err *e)
{
	memset(a, 0, sizeof(*a));
	if (len > sizeof(a->ss))
		len = sizeof(a->ss);
	memcpy(&a->ss, sa, len);
	a->len = len;
	a->family = sa->sa_family;
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, a->host, sizeof(a->host));
		a->port = ntohs(in->sin_port);
		return 0;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		char ifname[IF_NAMESIZE + 1];
		size_t n;

		inet_ntop(AF_INET6, &in6->sin6_addr, a->host, sizeof(a->host));
		a->port = ntohs(in6->sin6_port);
		if (in6->sin6_scope_id != 0 &&
		    if_indextoname(in6->sin6_scope_id, ifname) != NULL) {
			n = strlen(a->host);
			snprintf(a->host + n, sizeof(a->host) - n, "%%%s",
			    ifname);
		}
		return 0;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = (const void *)sa;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t plen = len > off ? len - off : 0;

		if (plen > 0 && un->sun_path[0] == '\0') {
			/* abstract: "@name", the name is not NUL-terminated */
			plen--;
			if (plen >= sizeof(a->host) - 1)
				plen = sizeof(a->host) - 2;
			a->host[0] = '@';
			memcpy(a->host + 1, un->sun_path + 1, plen);
			a->host[plen + 1] = '\0';
		} else {
			if (plen >= sizeof(a->host))
				plen = sizeof(a->host) - 1;
			memcpy(a->host, un->sun_path, plen);
			a->host[plen] = '\0';
		}
		return 0;
	}
	default:
		return sock_failmsg(e, SOCK_EUSAGE, "unknown address family",
		    "address of family %d", sa->sa_family);
	}
}

int
sock_addr_ip(struct sock_addr *a, const char *host, uint16_t port, int family,
    struct sock_err *e)
{
	struct addrinfo hints, *res;
	char serv[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	if (host[0] == '\0' ||
	    (rc = getaddrinfo(host, serv, &hints, &res)) != 0)
		return sock_failmsg(e, SOCK_EUSAGE, "not a numeric address",
		    "address \"%s\"", host);
	rc = sock_addr_from_sa(a, res->ai_addr, res->ai_addrlen, e);
	freeaddrinfo(res);
	return rc;
}

void
sock_addr_any(struct sock_addr *a, int family, uint16_t port)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;

	if (family == AF_INET) {
		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		in.sin_port = htons(port);
		in.sin_addr.s_addr = htonl(INADDR_ANY);
		sock_addr_from_sa(a, (void *)&in, sizeof(in), NULL);
	} else {
		memset(&in6, 0, sizeof(in6));
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons(port);
		in6.sin6_addr = in6addr_any;
		sock_addr_from_sa(a, (void *)&in6, sizeof(in6), NULL);
	}
}

int
sock_addr_unix(struct sock_addr *a, const char *path, struct sock_err *e)
{
	struct sockaddr_un un;
	size_t n = strlen(path);

	memset(a, 0, sizeof(*a));
	memset(&un, 0, sizeof(un));
	if (n == 0 || (path[0] == '@' && n == 1))
		return sock_failmsg(e, SOCK_EUSAGE, "empty path",
		    "Unix socket path \"%s\"", path);
	if (n >= sizeof(un.sun_path))
		return sock_failmsg(e, SOCK_EUSAGE, "path too long",
		    "Unix socket path \"%s\"", path);
	un.sun_family = AF_UNIX;
	memcpy(un.sun_path, path, n);
	if (path[0] == '@') {
		un.sun_path[0] = '\0';
		a->len = offsetof(struct sockaddr_un, sun_path) + n;
	} else {
		a->len = sizeof(un);
	}
	memcpy(&a->ss, &un, sizeof(un));
	a->family = AF_UNIX;
	strlcpy(a->host, path, sizeof(a->host));
	return 0;
}

const char *
sock_addr_str(const struct sock_addr *a, char *buf, size_t len)
{
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a->host, (unsigned)a->port);
	else if (a->family == AF_INET)
		snprintf(buf, len, "%s:%u", a->host, (unsigned)a->port);
	else
		snprintf(buf, len, "%s", a->host);
	return buf;
}

void
sock_addr_unmap(struct sock_addr *a)
{
	struct sockaddr_in6 *in6 = (void *)&a->ss;
	struct sockaddr_in in;

	if (a->family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = in6->sin6_port;
	memcpy(&in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	sock_addr_from_sa(a, (void *)&in, sizeof(in), NULL);
}

bool
sock_addr_loopback(const struct sock_addr *a)
{
	const struct sockaddr_in *in = (const void *)&a->ss;
	const struct sockaddr_in6 *in6 = (const void *)&a->ss;
	const uint8_t *b = in6->sin6_addr.s6_addr;

	if (a->family == AF_INET)
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	if (a->family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return b[12] == 127;
	return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

bool
sock_addr_equal(const struct sock_addr *a, const struct sock_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	    strcmp(a->host, b->host) == 0;
}

int
sock_parse_port(const char *s, const char *proto, bool numeric, uint16_t *port,
    struct sock_err *e)
{
	struct servent *se;
	char *end;
	long v;

	if (*s == '\0')
		return sock_failmsg(e, SOCK_EUSAGE, "empty", "port \"\"");
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (*end != '\0')
			return sock_failmsg(e, SOCK_EUSAGE,
			    "not a number or service name", "port \"%s\"", s);
		if (errno != 0 || v > 65535)
			return sock_failmsg(e, SOCK_EUSAGE,
			    "out of range 0-65535", "port \"%s\"", s);
		*port = (uint16_t)v;
		return 0;
	}
	if (numeric)
		return sock_failmsg(e, SOCK_EUSAGE,
		    "service names are not looked up with -n", "port \"%s\"",
		    s);
	se = getservbyname(s, proto);
	if (se == NULL)
		return sock_failmsg(e, SOCK_EUSAGE, "unknown service",
		    "port \"%s\"", s);
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}
