/* Proxies: the URL parser and the client side of SOCKS5 (RFC 1928, RFC
   1929), SOCKS4/4a and HTTP CONNECT (RFC 9110 9.3.6).  The handshake is
   blocking, every wait bounded by one deadline over the whole hop, and
   never reads past the proxy's reply: the SOCKS replies have known
   lengths, the HTTP response is peeked and only its header consumed. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "proxy.h"

static const struct {
	const char *name;
	enum proxy_type type;
	uint16_t port;
} schemes[] = {
	{ "socks5", PROXY_SOCKS5, 1080 },
	{ "socks5h", PROXY_SOCKS5H, 1080 },
	{ "socks4", PROXY_SOCKS4, 1080 },
	{ "socks4a", PROXY_SOCKS4A, 1080 },
	{ "http", PROXY_HTTP, 8080 },
};

#define HTTP_HEAD_MAX 16384 /* the longest response header taken */

const char *
proxy_scheme(enum proxy_type t)
{
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (schemes[i].type == t)
			return schemes[i].name;
	return "?";
}

bool
proxy_resolves(enum proxy_type t)
{
	return t == PROXY_SOCKS5H || t == PROXY_SOCKS4A || t == PROXY_HTTP;
}

const char *
proxy_redact(const char *url, char *buf, size_t len)
{
	const char *auth = strstr(url, "://"), *at;

	if (auth == NULL || (at = strrchr(auth + 3, '@')) == NULL) {
		snprintf(buf, len, "%s", url);
		return buf;
	}
	snprintf(buf, len, "%.*s***%s", (int)(auth + 3 - url), url, at);
	return buf;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes s[0, n) into out (NUL-terminated).  Returns 0, or -1
   with *why set. */
static int
pct_decode(const char *s, size_t n, char *out, size_t outlen, const char **why)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n) {
				*why = "a %-escape is cut short";
				return -1;
			}
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				*why = "a %-escape is not two hex digits";
				return -1;
			}
			c = hi * 16 + lo;
			if (c == 0) {
				*why = "%00 is not allowed";
				return -1;
			}
			i += 2;
		}
		if (o + 1 >= outlen) {
			*why = "longer than 255 bytes";
			return -1;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static bool
host_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

int
proxy_parse(const char *url, struct proxy *p, struct sock_err *e)
{
	char shown[512], scheme[16], hostport[NI_MAXHOST + 16];
	const char *sep, *rest, *at, *why, *colon, *portstr = NULL, *part;
	size_t i, n, hlen;
	char *end;
	unsigned long port;
	struct in6_addr a6;
	bool found = false;

	memset(p, 0, sizeof(*p));
	proxy_redact(url, shown, sizeof(shown));
#define BAD(m) sock_failmsg(e, SOCK_EUSAGE, (m), "proxy URL \"%s\"", shown)
	sep = strstr(url, "://");
	if (sep == NULL)
		return BAD("no scheme: socks5://, socks5h://, socks4://, "
			   "socks4a:// or http://");
	n = (size_t)(sep - url);
	if (n == 0 || n >= sizeof(scheme))
		return BAD("unknown scheme: use socks5, socks5h, socks4, "
			   "socks4a or http");
	memcpy(scheme, url, n);
	scheme[n] = '\0';
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcasecmp(scheme, schemes[i].name) == 0) {
			p->type = schemes[i].type;
			p->port = schemes[i].port;
			found = true;
		}
	if (!found && strcasecmp(scheme, "https") == 0)
		return BAD("scheme https: a TLS connection to the proxy is "
			   "not supported (use http)");
	if (!found)
		return BAD("unknown scheme: use socks5, socks5h, socks4, "
			   "socks4a or http");
	rest = sep + 3;
	at = strrchr(rest, '@');
	if (at != NULL) {
		/* USER[:PASS] */
		colon = memchr(rest, ':', (size_t)(at - rest));
		n = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
		part = "user name";
		if (n == 0)
			return BAD("empty user name before '@'");
		if (pct_decode(rest, n, p->user, sizeof(p->user), &why) == -1)
			goto badpart;
		p->has_user = true;
		if (colon != NULL) {
			part = "password";
			if (pct_decode(colon + 1, (size_t)(at - colon - 1),
				p->pass, sizeof(p->pass), &why) == -1)
				goto badpart;
			p->has_pass = true;
		}
		if ((p->type == PROXY_SOCKS4 || p->type == PROXY_SOCKS4A) &&
		    p->has_pass)
			return BAD("SOCKS4 takes a user id (USER@), not a "
				   "password");
		if ((p->type == PROXY_SOCKS5 || p->type == PROXY_SOCKS5H) &&
		    (!p->has_pass || p->pass[0] == '\0'))
			return BAD("SOCKS5 authentication needs USER:PASS@ "
				   "(no password given)");
		rest = at + 1;
	}
	/* HOST[:PORT][/] */
	n = strlen(rest);
	if (n > 0 && rest[n - 1] == '/')
		n--;
	if (n >= sizeof(hostport))
		return BAD("host too long");
	memcpy(hostport, rest, n);
	hostport[n] = '\0';
	if (strpbrk(hostport, "/?#") != NULL)
		return BAD("a path, query or fragment is not allowed after "
			   "HOST:PORT");
	if (hostport[0] == '[') {
		end = strchr(hostport, ']');
		if (end == NULL)
			return BAD("'[' without ']' around the IPv6 address");
		*end = '\0';
		if (inet_pton(AF_INET6, hostport + 1, &a6) != 1)
			return BAD("bad IPv6 address between [ and ]");
		if (end[1] == ':')
			portstr = end + 2;
		else if (end[1] != '\0')
			return BAD("junk after ']': expected :PORT");
		memmove(hostport, hostport + 1, strlen(hostport + 1) + 1);
	} else {
		colon = strchr(hostport, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return BAD("an IPv6 address goes in brackets: "
				   "[ADDR]:PORT");
		if (colon != NULL) {
			portstr = colon + 1;
			hostport[colon - hostport] = '\0';
		}
		hlen = strlen(hostport);
		if (hlen == 0)
			return BAD("no host");
		for (i = 0; i < hlen; i++)
			if (!host_char((unsigned char)hostport[i]))
				return BAD("bad character in the host");
	}
	if (hostport[0] == '\0')
		return BAD("no host");
	if (strlen(hostport) >= sizeof(p->host))
		return BAD("host too long");
	memcpy(p->host, hostport, strlen(hostport) + 1);
	if (portstr != NULL) {
		if (*portstr == '\0' ||
		    strspn(portstr, "0123456789") != strlen(portstr) ||
		    strlen(portstr) > 5)
			return BAD("bad port: expected a number 1-65535");
		port = strtoul(portstr, NULL, 10);
		if (port == 0 || port > 65535)
			return BAD("bad port: expected a number 1-65535");
		p->port = (uint16_t)port;
	}
#undef BAD
	if (strchr(p->host, ':') != NULL)
		snprintf(p->addr, sizeof(p->addr), "[%s]:%u", p->host,
		    (unsigned)p->port);
	else
		snprintf(p->addr, sizeof(p->addr), "%s:%u", p->host,
		    (unsigned)p->port);
	snprintf(p->shown, sizeof(p->shown), "%s://%s%s", proxy_scheme(p->type),
	    p->has_user ? "***@" : "", p->addr);
	return 0;
badpart : {
	char m[160];

	snprintf(m, sizeof(m), "bad %s: %s", part, why);
	return sock_failmsg(e, SOCK_EUSAGE, m, "proxy URL \"%s\"", shown);
}
}

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

static const char *
socks5_reason(int rep, int *code)
{
	static const struct {
		int code;
		const char *reason;
	} r[] = {
		{ 0, "succeeded" },
		{ 0, "general SOCKS server failure" },
		{ 0, "connection not allowed by ruleset" },
		{ ENETUNREACH, "network unreachable" },
		{ EHOSTUNREACH, "host unreachable" },
		{ ECONNREFUSED, "connection refused" },
		{ ETIMEDOUT, "TTL expired" },
		{ 0, "command not supported" },
		{ 0, "address type not supported" },
	};

	if (rep < 0 || (size_t)rep >= sizeof(r) / sizeof(r[0])) {
		*code = 0;
		return NULL;
	}
	*code = r[rep].code;
	return r[rep].reason;
}

static int
socks5(struct io *io, const char *host, uint16_t port,
    const struct sock_addr *ta)
{
	const struct proxy *p = io->p;
	unsigned char b[600];
	size_t n = 0, ul, pl, hl;
	const char *reason;
	char m[96];
	int code;
	bool have_ta = ta->family != AF_UNSPEC;

	io->stage = "SOCKS5 handshake";
	/* greeting: no authentication, and username/password when given */
	b[n++] = 5;
	if (p->has_user) {
		b[n++] = 2;
		b[n++] = 0;
		b[n++] = 2;
	} else {
		b[n++] = 1;
		b[n++] = 0;
	}
	if (io_send(io, b, n) == -1 || io_recv(io, b, 2, 0) == -1)
		return -1;
	if (b[0] != 5) {
		snprintf(m, sizeof(m),
		    "not a SOCKS5 proxy (reply version "
		    "%u)",
		    b[0]);
		return hop_fail(io, EPROTO, m);
	}
	if (b[1] == 0xff || (b[1] == 2 && !p->has_user))
		return refused(io, false, 0,
		    p->has_user ? "no acceptable "
				  "authentication method" :
				  "authentication required "
				  "(give USER:PASS@ in the URL)");
	if (b[1] == 2) {
		/* RFC 1929 */
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
		if (io_send(io, b, n) == -1 || io_recv(io, b, 2, 0) == -1)
			return -1;
		if (b[1] != 0)
			return refused(io, false, 0,
			    "username/password "
			    "authentication failed");
	} else if (b[1] != 0) {
		snprintf(m, sizeof(m),
		    "asked for unsupported authentication "
		    "method %u",
		    b[1]);
		return refused(io, false, 0, m);
	}
	/* CONNECT */
	io->stage = "SOCKS5 request";
	n = 0;
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
	if (io_recv(io, b, 2, 0) == -1)
		return -1;
	if (b[0] != 5) {
		snprintf(m, sizeof(m), "not a SOCKS5 reply (version %u)", b[0]);
		return hop_fail(io, EPROTO, m);
	}
	if (b[1] != 0) {
		reason = socks5_reason(b[1], &code);
		if (reason == NULL) {
			snprintf(m, sizeof(m), "unknown SOCKS5 reply code %u",
			    b[1]);
			reason = m;
		}
		return refused(io, true, code, reason);
	}
	/* the rest of the reply: RSV, ATYP, BND.ADDR, BND.PORT */
	if (io_recv(io, b, 2, 0) == -1)
		return -1;
	switch (b[1]) {
	case 1:
		n = 4 + 2;
		break;
	case 4:
		n = 16 + 2;
		break;
	case 3:
		if (io_recv(io, b, 1, 0) == -1)
			return -1;
		n = (size_t)b[0] + 2;
		break;
	default:
		snprintf(m, sizeof(m), "bad address type %u in its reply",
		    b[1]);
		return hop_fail(io, EPROTO, m);
	}
	return io_recv(io, b, n, 0) == -1 ? -1 : 0;
}

static int
socks4(struct io *io, const char *host, uint16_t port,
    const struct sock_addr *ta)
{
	const struct proxy *p = io->p;
	unsigned char b[600];
	size_t n = 0, l;
	char m[96];

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
	if (io_recv(io, b, 8, 0) == -1)
		return -1;
	if (b[0] != 0 && b[0] != 4) {
		snprintf(m, sizeof(m), "not a SOCKS4 reply (version %u)", b[0]);
		return hop_fail(io, EPROTO, m);
	}
	switch (b[1]) {
	case 90:
		return 0;
	case 91:
		/* SOCKS4 tells a refused port from a rule by no other code */
		return refused(io, true, ECONNREFUSED,
		    "request rejected or failed");
	case 92:
		return refused(io, false, 0,
		    "request rejected: the proxy "
		    "cannot reach our identd");
	case 93:
		return refused(io, false, 0,
		    "request rejected: identd "
		    "reports a different user id");
	default:
		snprintf(m, sizeof(m), "unknown SOCKS4 reply code %u", b[1]);
		return refused(io, true, 0, m);
	}
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

/* The status line of a response for a message: printable, at most 100
   bytes. */
static void
status_line(const char *head, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && head[i] != '\r' && head[i] != '\n' &&
	     o + 1 < outlen && o < 100;
	     i++)
		out[o++] = isprint((unsigned char)head[i]) ? head[i] : '?';
	out[o] = '\0';
}

/* Where the header ends in b[0, n): the index past "\r\n\r\n" (or
   "\n\n"), or 0 when not yet. */
static size_t
head_end(const char *b, size_t n, size_t from)
{
	size_t i;

	for (i = from; i < n; i++) {
		if (b[i] != '\n')
			continue;
		if (i >= 1 && b[i - 1] == '\n')
			return i + 1;
		if (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

static int
http_connect(struct io *io, const char *host, uint16_t port)
{
	const struct proxy *p = io->p;
	char *req, *head, cred[520], auth[700], line[128], m[200];
	size_t len = 0, end = 0, from;
	ssize_t n;
	int status, rc = -1, code;
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
	if (n == -1)
		goto out;
	io->asked = true;
	/* Peek at what came, consume only what is header: the target's
	   first bytes may follow the header in the same segment. */
	while (end == 0) {
		if (len == HTTP_HEAD_MAX) {
			hop_fail(io, EPROTO,
			    "response header longer than "
			    "16 KiB");
			goto out;
		}
		n = io_recv(io, head + len, HTTP_HEAD_MAX - len, MSG_PEEK);
		if (n == -1)
			goto out;
		from = len;
		end = head_end(head, len + (size_t)n, from > 2 ? from - 2 : 0);
		n = end ? (ssize_t)(end - len) : n;
		if (io_recv(io, head + len, (size_t)n, 0) == -1)
			goto out;
		len += (size_t)n;
	}
	status_line(head, len, line, sizeof(line));
	if (len < 12 || strncmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ' ||
	    !isdigit((unsigned char)head[9]) ||
	    !isdigit((unsigned char)head[10]) ||
	    !isdigit((unsigned char)head[11])) {
		snprintf(m, sizeof(m), "not an HTTP proxy (reply \"%s\")",
		    line);
		hop_fail(io, EPROTO, m);
		goto out;
	}
	status =
	    (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
	if (status >= 200 && status < 300) {
		rc = 0;
		goto out;
	}
	/* 407: the proxy wants (other) credentials; 5xx: it could not
	   connect to the target, which a check calls closed (HTTP does not
	   tell refused from unreachable: for a refused port ncat answers
	   504, tinyproxy 500); else a rule (403). */
	code = status >= 500 ? ECONNREFUSED : 0;
	refused(io, status != 407, code, line);
out:
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
	} else if (p->type != PROXY_HTTP && strlen(host) > 255) {
		return sock_failmsg(e, SOCK_EUSAGE, "longer than 255 bytes",
		    "target %s", host);
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
