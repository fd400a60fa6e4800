/* Name and service resolution: getaddrinfo and getnameinfo. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "sock/sock.h"

/* An EAI_* failure; EAI_SYSTEM carries errno's reason. */
static int SOCK_FORMAT(3, 4)
    sock_eai(struct sock_err *e, int rc, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	e->kind = SOCK_ERESOLVE;
	e->code = rc;
	e->msg[0] = '\0';
	if (rc == EAI_SYSTEM)
		snprintf(e->msg, sizeof(e->msg), "%s",
		    strerror(saved ? saved : EIO));
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	return -1;
}

int
sock_resolve(const char *host, const char *serv, int family, int type,
    int flags, struct sock_ai *out, struct sock_err *e)
{
	struct addrinfo hints, *res, *ai;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = type;
	if (flags & SOCK_R_PASSIVE)
		hints.ai_flags |= AI_PASSIVE;
	if (flags & SOCK_R_CANON)
		hints.ai_flags |= AI_CANONNAME;
	if (flags & (SOCK_R_NUMERIC | SOCK_R_NUMERICHOST))
		hints.ai_flags |= AI_NUMERICHOST;
	if (flags & SOCK_R_NUMERIC)
		hints.ai_flags |= AI_NUMERICSERV;
	rc = getaddrinfo(host, serv, &hints, &res);
	if (rc != 0)
		return sock_eai(e, rc, "resolve %s", host ? host : serv);
	for (ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (out->v == NULL) {
		freeaddrinfo(res);
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "resolve %s",
		    host ? host : serv);
	}
	if (res->ai_canonname != NULL)
		strlcpy(out->canonical, res->ai_canonname,
		    sizeof(out->canonical));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (sock_addr_from_sa(&out->v[out->n], ai->ai_addr,
			ai->ai_addrlen, e) == -1)
			continue;
		out->v[out->n].socktype = ai->ai_socktype;
		out->n++;
	}
	freeaddrinfo(res);
	return 0;
}

void
sock_ai_free(struct sock_ai *ai)
{
	free(ai->v);
	ai->v = NULL;
	ai->n = 0;
}

void
sock_ai_interleave(struct sock_ai *ai)
{
	struct sock_addr *v;
	size_t i, a = 0, b = 0, na = 0, k = 0;
	int first;

	if (ai->n < 3)
		return;
	first = ai->v[0].family;
	for (i = 0; i < ai->n; i++)
		if (ai->v[i].family == first)
			na++;
	if (na == ai->n)
		return;
	v = malloc(ai->n * sizeof(*v));
	if (v == NULL)
		return; /* the resolver's order stays: still correct */
	/* a walks the first family, b the other; take turns */
	while (k < ai->n) {
		while (a < ai->n && ai->v[a].family != first)
			a++;
		if (a < ai->n)
			v[k++] = ai->v[a++];
		while (b < ai->n && ai->v[b].family == first)
			b++;
		if (b < ai->n)
			v[k++] = ai->v[b++];
	}
	free(ai->v);
	ai->v = v;
}

int
sock_reverse(const char *addr, char *name, size_t len, struct sock_err *e)
{
	struct sock_addr a;
	int rc;

	if (sock_addr_ip(&a, addr, 0, AF_UNSPEC, e) == -1)
		return -1;
	rc = getnameinfo((struct sockaddr *)&a.ss, a.len, name, (socklen_t)len,
	    NULL, 0, NI_NAMEREQD);
	if (rc != 0)
		return sock_eai(e, rc, "reverse lookup of %s", addr);
	return 0;
}

void
sock_service_name(uint16_t port, const char *proto, char *name, size_t len)
{
	struct servent *se = getservbyport(htons(port), proto);

	snprintf(name, len, "%s", se != NULL ? se->s_name : "*");
}
