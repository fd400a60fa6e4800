/* Proxies: the client side of SOCKS5 (RFC 1928, RFC 1929), SOCKS4/4a
   and HTTP CONNECT (RFC 9110 9.3.6); reply.c says what the replies
   mean.  The handshake is
   blocking, every wait bounded by one deadline over the whole hop, and
   never reads past the proxy's reply: the SOCKS replies have known
   lengths, the HTTP response is peeked and only its header consumed. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/proxy.h"

#define HTTP_HEAD_MAX 16384 /* the longest response header taken */

/* The handshake: one descriptor, one deadline, one way to fail. */
struct io {
	int fd;
	double deadline; /* sock_now_ms() time, < 0: none */
	const struct proxy *p;
	const char *target; /* "example:80", for messages */
	const char *stage;  /* "SOCKS5 handshake", for messages */
	struct sock_err *e;
	struct proxy_hop *hop;
	bool asked; /* the request for the target is sent: what
		       fails now is about the target */
};

/* The proxy failed: what = "proxy HOST:PORT".  Once the request is sent,
   the failure is the target's (a check says timeout or error). */
static int
hop_fail(struct io *io, int code, const char *msg)
{
	io->hop->at_target = io->asked;
	if (msg == NULL)
		return sock_fail(io->e, SOCK_ENET, code, "proxy %s",
		    io->p->addr);
	sock_failmsg(io->e, SOCK_ENET, msg, "proxy %s", io->p->addr);
	io->e->code = code;
	return -1;
}

/* The proxy refused: what = "proxy HOST:PORT refused TARGET". */
static int
refused(struct io *io, bool at_target, int code, const char *reason)
{
	sock_failmsg(io->e, SOCK_ENET, reason, "proxy %s refused %s",
	    io->p->addr, io->target);
	io->e->code = code;
	io->hop->at_target = at_target;
	return -1;
}

/* Waits for events.  Returns 0, or -1 after filling the error. */
static int
io_wait(struct io *io, short events)
{
	int rc, tmo = -1;
	struct pollfd pfd = { .fd = io->fd, .events = events };
	char m[96];

	for (;;) {
		if (io->deadline >= 0) {
			double left = io->deadline - sock_now_ms();

			tmo = left <= 0 ? 0 : (int)left + 1;
		}
		rc = poll(&pfd, 1, tmo);
		if (rc > 0)
			return 0;
		if (rc == 0 && io->asked)
			snprintf(m, sizeof(m), "no answer about %s in time",
			    io->target);
		else if (rc == 0)
			snprintf(m, sizeof(m), "no answer in time (%s)",
			    io->stage);
		if (rc == 0)
			return hop_fail(io, ETIMEDOUT, m);
		if (errno != EINTR)
			return hop_fail(io, errno, NULL);
	}
}

/* Sends all of buf.  Returns 0 or -1. */
static int
io_send(struct io *io, const void *buf, size_t len)
{
	const char *b = buf;
	ssize_t n;

	while (len > 0) {
		if (io_wait(io, POLLOUT) == -1)
			return -1;
		n = send(io->fd, b, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return hop_fail(io, errno, NULL);
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Receives exactly len bytes (flags: 0 or MSG_PEEK for "what is there,
   at most len").  Returns the bytes received, or -1. */
static ssize_t
io_recv(struct io *io, void *buf, size_t len, int flags)
{
	char *b = buf, m[96];
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (io_wait(io, POLLIN) == -1)
			return -1;
		n = recv(io->fd, b + got, len - got, flags | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return hop_fail(io, errno, NULL);
		}
		if (n == 0) {
			snprintf(m, sizeof(m),
			    "closed the connection during "
			    "the %s",
			    io->stage);
			return hop_fail(io, ECONNRESET, m);
		}
		got += (size_t)n;
		if (flags & MSG_PEEK)
			break;
	}
	return (ssize_t)got;
}

/* The target's address for socks5 and socks4, resolved here.  Returns 0
   or -1 (ERESOLVE, or EUSAGE for IPv6 through SOCKS4). */
static int
local_resolve(const struct proxy *p, const char *host,
    const struct proxy_hop *hop, struct sock_addr *a, struct sock_err *e)
{
	struct sock_ai ai;
	/* -4/-6 choose how the proxy is reached, not the target's family */
	int family = p->type == PROXY_SOCKS4 ? AF_INET : AF_UNSPEC;
	unsigned char b6[16];

	if (p->type == PROXY_SOCKS4 && inet_pton(AF_INET6, host, b6) == 1)
		return sock_failmsg(e, SOCK_EUSAGE,
		    "SOCKS4 carries IPv4 "
		    "addresses only (use socks5)",
		    "target %s", host);
	if (sock_resolve(host, NULL, family, SOCK_STREAM,
		hop->numeric ? SOCK_R_NUMERICHOST : 0, &ai, e) == -1)
		return -1;
	*a = ai.v[0];
	sock_ai_free(&ai);
	sock_addr_unmap(a);
	return 0;
}

/* What a reply means for the hop.  Returns 0 when granted, or -1 after
   filling the error. */
static int
io_verdict(struct io *io, const struct proxy_reply *r)
{
	switch (r->verdict) {
	case PROXY_GRANTED:
		return 0;
	case PROXY_REFUSED:
		return refused(io, r->at_target, r->code, r->reason);
	default:
		return hop_fail(io, r->code != 0 ? r->code : EPROTO, r->reason);
	}
}

typedef enum proxy_verdict (
    *reply_parser)(const unsigned char *, size_t, struct proxy_reply *);

/* Receives a reply into b (cap bytes) for as long as parse asks for
   more, never past its end.  Returns 0 when it grants, or -1. */
static int
io_reply(struct io *io, unsigned char *b, size_t cap, reply_parser parse)
{
	struct proxy_reply r;
	size_t have = 0;

	while (parse(b, have, &r) == PROXY_MORE) {
		if (r.need > cap || r.need <= have)
			return hop_fail(io, EPROTO, "reply too long");
		if (io_recv(io, b + have, r.need - have, 0) == -1)
			return -1;
		have = r.need;
	}
	return io_verdict(io, &r);
}

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

static int
socks5(struct io *io, const char *host, uint16_t port,
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

static int
socks4(struct io *io, const char *host, uint16_t port,
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

static void
base64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = t[v & 63];
	}
	if (i < n) {
		v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* Receives the response header into head (HTTP_HEAD_MAX bytes), and
   no byte past it: what is peeked is consumed only up to the header's
   end (the target's first bytes may follow in the same segment).
   Returns its length, or 0 after filling the error. */
static size_t
http_head(struct io *io, char *head)
{
	size_t len = 0, end = 0, from;
	ssize_t n;

	while (end == 0) {
		if (len == HTTP_HEAD_MAX) {
			hop_fail(io, EPROTO,
			    "response header longer than 16 KiB");
			return 0;
		}
		n = io_recv(io, head + len, HTTP_HEAD_MAX - len, MSG_PEEK);
		if (n == -1)
			return 0;
		from = len;
		end = proxy_http_head_end(head, len + (size_t)n,
		    from > 2 ? from - 2 : 0);
		n = end ? (ssize_t)(end - len) : n;
		if (io_recv(io, head + len, (size_t)n, 0) == -1)
			return 0;
		len += (size_t)n;
	}
	return len;
}

static int
http_connect(struct io *io, const char *host, uint16_t port)
{
	const struct proxy *p = io->p;
	char *req, *head, cred[520], auth[700];
	struct proxy_reply r;
	size_t len;
	ssize_t n;
	int rc = -1;
	bool v6 = strchr(host, ':') != NULL;

	io->stage = "HTTP CONNECT";
	auth[0] = '\0';
	if (p->has_user) {
		snprintf(cred, sizeof(cred), "%s:%s", p->user, p->pass);
		strcpy(auth, "Proxy-Authorization: Basic ");
		base64((const unsigned char *)cred, strlen(cred),
		    auth + strlen(auth));
		strcat(auth, "\r\n");
		explicit_bzero(cred, sizeof(cred));
	}
	head = malloc(HTTP_HEAD_MAX);
	req = malloc(2 * NI_MAXHOST + sizeof(auth) + 128);
	if (head == NULL || req == NULL) {
		free(head);
		free(req);
		explicit_bzero(auth, sizeof(auth));
		return sock_fail(io->e, SOCK_ELOCAL, ENOMEM, "proxy %s",
		    p->addr);
	}
	snprintf(req, 2 * NI_MAXHOST + sizeof(auth) + 128,
	    "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n%s\r\n",
	    v6 ? "[" : "", host, v6 ? "]" : "", (unsigned)port, v6 ? "[" : "",
	    host, v6 ? "]" : "", (unsigned)port, auth);
	explicit_bzero(auth, sizeof(auth));
	n = io_send(io, req, strlen(req));
	explicit_bzero(req, strlen(req));
	free(req);
	if (n != -1) {
		io->asked = true;
		len = http_head(io, head);
		if (len > 0) {
			proxy_http_reply(head, len, &r);
			rc = io_verdict(io, &r);
		}
	}
	free(head);
	return rc;
}

int
proxy_resolve(const struct proxy *p, const struct proxy_hop *hop,
    struct sock_ai *ai, struct sock_err *e)
{
	char serv[8];

	snprintf(serv, sizeof(serv), "%u", (unsigned)p->port);
	if (sock_resolve(p->host, serv, hop->family, SOCK_STREAM,
		hop->numeric ? SOCK_R_NUMERIC : 0, ai, e) == -1) {
		snprintf(e->what, sizeof(e->what), "proxy %.200s", p->host);
		return -1;
	}
	sock_ai_interleave(ai);
	return 0;
}

int
proxy_connect(const struct proxy *p, const char *host, uint16_t port,
    struct proxy_hop *hop, struct sock_err *e)
{
	struct sock_addr ta;
	struct sock_ai ai;
	struct io io;
	char target[NI_MAXHOST + 16];
	unsigned char b[16];
	double t0 = sock_now_ms();
	int fd, rc;
	bool lit;

	hop->at_target = false;
	/* a name goes into the request as it is: CR/LF would add headers */
	if (proxy_target_check(host, e) == -1)
		return -1;
	memset(&ta, 0, sizeof(ta));
	ta.family = AF_UNSPEC;
	snprintf(target, sizeof(target),
	    strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
	lit = inet_pton(AF_INET, host, b) == 1 ||
	    inet_pton(AF_INET6, host, b) == 1;
	if (p->type == PROXY_SOCKS5 || p->type == PROXY_SOCKS4 ||
	    (lit && (p->type == PROXY_SOCKS5H || p->type == PROXY_SOCKS4A))) {
		/* an address is sent as one, whoever would resolve a name */
		if (local_resolve(p->type == PROXY_SOCKS4A ?
			    &(struct proxy){ .type = PROXY_SOCKS4 } :
			    p,
			host, hop, &ta, e) == -1)
			return -1;
	}
	if (hop->addrs != NULL) {
		ai = *hop->addrs;
	} else if (proxy_resolve(p, hop, &ai, e) == -1) {
		return -1;
	}
	fd = sock_connect_list(ai.v, ai.n, hop->src, hop->timeout_ms, &hop->via,
	    e);
	if (hop->addrs == NULL)
		sock_ai_free(&ai);
	if (fd == -1) {
		if (e->kind == SOCK_ENET)
			snprintf(e->what, sizeof(e->what), "proxy %.200s",
			    p->addr);
		return -1;
	}
	io = (struct io){ .fd = fd,
		.p = p,
		.target = target,
		.e = e,
		.hop = hop,
		.deadline = -1 };
	if (hop->timeout_ms >= 0)
		io.deadline = t0 + hop->timeout_ms;
	switch (p->type) {
	case PROXY_SOCKS5:
	case PROXY_SOCKS5H:
		rc = socks5(&io, host, port, &ta);
		break;
	case PROXY_SOCKS4:
	case PROXY_SOCKS4A:
		rc = socks4(&io, host, port, &ta);
		break;
	default:
		rc = http_connect(&io, host, port);
		break;
	}
	if (rc == -1) {
		close(fd);
		return -1;
	}
	return fd;
}
