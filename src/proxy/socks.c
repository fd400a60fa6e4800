/* SOCKS5 (RFC 1928, with RFC 1929 username/password authentication)
   and SOCKS4/4a requests: the replies have known lengths, read by
   reply.c. */
#include "config.h"

#include <string.h>

#include "proxy/io.h"

static enum proxy_verdict
method_with_user(const unsigned char *b, size_t n, struct proxy_reply *r)
{
	return proxy_socks5_method(b, n, true, r);
}

static enum proxy_verdict
method_without_user(const unsigned char *b, size_t n, struct proxy_reply *r)
{
	return proxy_socks5_method(b, n, false, r);
}

/* The SOCKS5 greeting, and RFC 1929 authentication when the proxy asks
   for it.  Returns 0 or -1. */
static int
socks5_greet(struct io *io)
{
	const struct proxy *p = io->p;
	unsigned char b[600];
	size_t n = 0, ul, pl;
	int rc;

	io->stage = "SOCKS5 handshake";
	/* no authentication, and username/password when given */
	b[n++] = 5;
	if (p->has_user) {
		b[n++] = 2;
		b[n++] = 0;
		b[n++] = 2;
	} else {
		b[n++] = 1;
		b[n++] = 0;
	}
	if (io_send(io, b, n) == -1 ||
	    io_reply(io, b, sizeof(b),
		p->has_user ? method_with_user : method_without_user) == -1)
		return -1;
	if (b[1] != 2)
		return 0;
	io->stage = "SOCKS5 authentication";
	ul = strlen(p->user);
	pl = strlen(p->pass);
	n = 0;
	b[n++] = 1;
	b[n++] = (unsigned char)ul;
	memcpy(b + n, p->user, ul);
	n += ul;
	b[n++] = (unsigned char)pl;
	memcpy(b + n, p->pass, pl);
	n += pl;
	rc = io_send(io, b, n);
	explicit_bzero(b, sizeof(b));
	if (rc == -1)
		return -1;
	return io_reply(io, b, sizeof(b), proxy_socks5_auth);
}

int
proxy_socks5_connect(struct io *io, const char *host, uint16_t port,
    const struct sock_addr *ta)
{
	unsigned char b[600];
	size_t n = 0, hl;
	bool have_ta = ta->family != AF_UNSPEC;

	if (socks5_greet(io) == -1)
		return -1;
	io->stage = "SOCKS5 request";
	b[n++] = 5;
	b[n++] = 1;
	b[n++] = 0;
	if (have_ta && ta->family == AF_INET) {
		b[n++] = 1;
		memcpy(b + n, &((const struct sockaddr_in *)&ta->ss)->sin_addr,
		    4);
		n += 4;
	} else if (have_ta) {
		b[n++] = 4;
		memcpy(b + n,
		    &((const struct sockaddr_in6 *)&ta->ss)->sin6_addr, 16);
		n += 16;
	} else {
		hl = strlen(host);
		b[n++] = 3;
		b[n++] = (unsigned char)hl;
		memcpy(b + n, host, hl);
		n += hl;
	}
	b[n++] = (unsigned char)(port >> 8);
	b[n++] = (unsigned char)(port & 0xff);
	if (io_send(io, b, n) == -1)
		return -1;
	io->asked = true;
	return io_reply(io, b, sizeof(b), proxy_socks5_reply);
}

int
proxy_socks4_connect(struct io *io, const char *host, uint16_t port,
    const struct sock_addr *ta)
{
	const struct proxy *p = io->p;
	unsigned char b[600];
	size_t n = 0, l;

	io->stage = "SOCKS4 request";
	b[n++] = 4;
	b[n++] = 1;
	b[n++] = (unsigned char)(port >> 8);
	b[n++] = (unsigned char)(port & 0xff);
	if (ta->family == AF_INET) {
		memcpy(b + n, &((const struct sockaddr_in *)&ta->ss)->sin_addr,
		    4);
	} else {
		/* SOCKS4a: 0.0.0.x, the name after the user id */
		b[n] = b[n + 1] = b[n + 2] = 0;
		b[n + 3] = 1;
	}
	n += 4;
	l = strlen(p->user);
	memcpy(b + n, p->user, l + 1);
	n += l + 1;
	if (ta->family != AF_INET) {
		l = strlen(host);
		memcpy(b + n, host, l + 1);
		n += l + 1;
	}
	if (io_send(io, b, n) == -1)
		return -1;
	io->asked = true;
	return io_reply(io, b, sizeof(b), proxy_socks4_reply);
}
