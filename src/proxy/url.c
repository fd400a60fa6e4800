/* What the user gives about a proxy: the URL (scheme, credentials, host,
   port), the credentials from the environment, the password scrubbed
   from argv, and the target host that goes into the proxy's request.
   Pure functions over strings: nothing here touches a socket. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy/proxy.h"

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

#define NAME_MAX_LEN  253 /* a DNS name, without its final dot */
#define LABEL_MAX_LEN 63

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
proxy_escape(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef", named[] = "\r\n\t\\\"",
			  letter[] = "rnt\\\"";
	const unsigned char *c;
	const char *k;
	size_t o = 0;
	char e[5];

	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		k = strchr(named, *c);
		if (k != NULL)
			snprintf(e, sizeof(e), "\\%c", letter[k - named]);
		else if (*c < 0x20 || *c >= 0x7f)
			snprintf(e, sizeof(e), "\\x%c%c", hex[*c >> 4],
			    hex[*c & 15]);
		else
			snprintf(e, sizeof(e), "%c", *c);
		if (o + strlen(e) + 4 > len) {
			/* cut, and say so */
			if (o + 4 <= len) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(buf + o, e, strlen(e));
		o += strlen(e);
	}
	buf[o] = '\0';
	return buf;
}

/* Where the scheme of url ends: past "://", or past "SCHEME:" for a
   known scheme whose slashes are missing (a user name may look like a
   scheme too), else 0. */
static size_t
scheme_end(const char *url)
{
	const char *sep = strstr(url, "://");
	size_t n = strcspn(url, ":"), i;

	if (sep != NULL)
		return (size_t)(sep - url) + 3;
	if (url[n] != ':')
		return 0;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == n &&
		    strncasecmp(url, schemes[i].name, n) == 0)
			return n + 1;
	return 0;
}

const char *
proxy_redact(const char *url, char *buf, size_t len)
{
	char tmp[1024];
	size_t start = scheme_end(url);
	const char *at = strrchr(url + start, '@');

	/* everything before the last '@', even past a path: hiding too
	   much is better than showing a password */
	if (at == NULL)
		snprintf(tmp, sizeof(tmp), "%s", url);
	else
		snprintf(tmp, sizeof(tmp), "%.*s***%s", (int)start, url, at);
	return proxy_escape(tmp, buf, len);
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

/* A usage error about the URL (shown redacted).  Returns -1. */
static int
bad(struct sock_err *e, const char *shown, const char *msg)
{
	return sock_failmsg(e, SOCK_EUSAGE, msg, "proxy URL \"%s\"", shown);
}

/* SCHEME:// at the start of url: p->type and the default port.  Returns
   the length taken, or -1. */
static int
parse_scheme(const char *url, struct proxy *p, const char *shown,
    struct sock_err *e)
{
	const char *sep = strstr(url, "://");
	char scheme[16];
	size_t i, n;

	if (sep == NULL)
		return bad(e, shown,
		    "no scheme: socks5://, socks5h://, "
		    "socks4://, socks4a:// or http://");
	n = (size_t)(sep - url);
	if (n > 0 && n < sizeof(scheme)) {
		memcpy(scheme, url, n);
		scheme[n] = '\0';
		for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (strcasecmp(scheme, schemes[i].name) == 0) {
				p->type = schemes[i].type;
				p->port = schemes[i].port;
				return (int)n + 3;
			}
		if (strcasecmp(scheme, "https") == 0)
			return bad(e, shown,
			    "scheme https: a TLS connection to "
			    "the proxy is not supported (use http)");
	}
	return bad(e, shown,
	    "unknown scheme: use socks5, socks5h, socks4, "
	    "socks4a or http");
}

/* USER[:PASS] in s[0, n), percent-decoded.  Returns 0 or -1. */
static int
parse_userinfo(const char *s, size_t n, struct proxy *p, const char *shown,
    struct sock_err *e)
{
	const char *colon = memchr(s, ':', n), *why;
	size_t ul = colon ? (size_t)(colon - s) : n;
	char m[160];

	if (ul == 0)
		return bad(e, shown, "empty user name before '@'");
	if (pct_decode(s, ul, p->user, sizeof(p->user), &why) == -1) {
		snprintf(m, sizeof(m), "bad user name: %s", why);
		return bad(e, shown, m);
	}
	p->has_user = true;
	if (colon == NULL)
		return 0;
	if (pct_decode(colon + 1, n - ul - 1, p->pass, sizeof(p->pass), &why) ==
	    -1) {
		snprintf(m, sizeof(m), "bad password: %s", why);
		return bad(e, shown, m);
	}
	p->has_pass = true;
	return 0;
}

/* HOST[:PORT] in s[0, n): p->host and p->port.  Returns 0 or -1. */
static int
parse_hostport(const char *s, size_t n, struct proxy *p, const char *shown,
    struct sock_err *e)
{
	char hostport[NI_MAXHOST + 16], *end, *colon;
	const char *portstr = NULL;
	struct in6_addr a6;
	unsigned long port;
	size_t i;

	if (n >= sizeof(hostport))
		return bad(e, shown, "host too long");
	memcpy(hostport, s, n);
	hostport[n] = '\0';
	if (hostport[0] == '[') {
		end = strchr(hostport, ']');
		if (end == NULL)
			return bad(e, shown,
			    "'[' without ']' around the IPv6 address");
		*end = '\0';
		if (inet_pton(AF_INET6, hostport + 1, &a6) != 1)
			return bad(e, shown,
			    "bad IPv6 address between [ and ]");
		if (end[1] == ':')
			portstr = end + 2;
		else if (end[1] != '\0')
			return bad(e, shown, "junk after ']': expected :PORT");
		memmove(hostport, hostport + 1, strlen(hostport + 1) + 1);
	} else {
		colon = strchr(hostport, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return bad(e, shown,
			    "an IPv6 address goes in brackets: "
			    "[ADDR]:PORT");
		if (colon != NULL) {
			portstr = colon + 1;
			*colon = '\0';
		}
		for (i = 0; hostport[i] != '\0'; i++)
			if (!host_char((unsigned char)hostport[i]))
				return bad(e, shown,
				    "bad character in the host");
	}
	if (hostport[0] == '\0')
		return bad(e, shown, "no host");
	if (strlen(hostport) >= sizeof(p->host))
		return bad(e, shown, "host too long");
	memcpy(p->host, hostport, strlen(hostport) + 1);
	if (portstr == NULL)
		return 0;
	if (*portstr == '\0' ||
	    strspn(portstr, "0123456789") != strlen(portstr) ||
	    strlen(portstr) > 5)
		return bad(e, shown, "bad port: expected a number 1-65535");
	port = strtoul(portstr, NULL, 10);
	if (port == 0 || port > 65535)
		return bad(e, shown, "bad port: expected a number 1-65535");
	p->port = (uint16_t)port;
	return 0;
}

/* One credential from the environment into out.  Returns 0 or -1. */
static int
env_credential(const char *name, const char *value, char *out, size_t len,
    struct sock_err *e)
{
	if (strlen(value) >= len)
		return sock_failmsg(e, SOCK_EUSAGE, "longer than 255 bytes",
		    "%s", name);
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

/* What the URL left out, from the environment; then what each protocol
   can carry.  Returns 0 or -1. */
static int
credentials(struct proxy *p, const char *env_user, const char *env_pass,
    const char *shown, struct sock_err *e)
{
	bool socks4 = p->type == PROXY_SOCKS4 || p->type == PROXY_SOCKS4A;
	bool pass_env = false;

	if (!p->has_user && env_user != NULL && env_user[0] != '\0') {
		if (env_credential("SOCKIT_PROXY_USER", env_user, p->user,
			sizeof(p->user), e) == -1)
			return -1;
		p->has_user = true;
	}
	if (!p->has_pass && env_pass != NULL && env_pass[0] != '\0') {
		if (!p->has_user)
			return sock_failmsg(e, SOCK_EUSAGE,
			    "set, but no user "
			    "name (SOCKIT_PROXY_USER or USER@ in the URL)",
			    "SOCKIT_PROXY_PASSWORD");
		if (env_credential("SOCKIT_PROXY_PASSWORD", env_pass, p->pass,
			sizeof(p->pass), e) == -1)
			return -1;
		p->has_pass = pass_env = true;
	}
	if (socks4 && p->has_pass)
		return bad(e, shown,
		    pass_env ?
			"SOCKS4 takes a user id, not a "
			"password (SOCKIT_PROXY_PASSWORD is set)" :
			"SOCKS4 takes a user id (USER@), not a password");
	if (!socks4 && p->type != PROXY_HTTP && p->has_user &&
	    (!p->has_pass || p->pass[0] == '\0'))
		return bad(e, shown,
		    "SOCKS5 authentication needs USER:PASS@ "
		    "(no password given)");
	return 0;
}

int
proxy_parse_with(const char *url, const char *env_user, const char *env_pass,
    struct proxy *p, struct sock_err *e)
{
	char shown[512];
	const char *rest, *at;
	size_t alen, n;
	int taken;

	memset(p, 0, sizeof(*p));
	proxy_redact(url, shown, sizeof(shown));
	if ((taken = parse_scheme(url, p, shown, e)) == -1)
		return -1;
	rest = url + taken;
	/* the authority ends at the first '/', '?' or '#' (RFC 3986): an
	   '@' after it is no user information */
	alen = strcspn(rest, "/?#");
	if (rest[alen] != '\0' && strcmp(rest + alen, "/") != 0)
		return bad(e, shown,
		    strchr(rest + alen, '@') != NULL ?
			"a path, query or fragment is not allowed after "
			"HOST:PORT (write '/' in a password as %2F)" :
			"a path, query or fragment is not allowed after "
			"HOST:PORT");
	at = memrchr(rest, '@', alen);
	if (at != NULL) {
		if (parse_userinfo(rest, (size_t)(at - rest), p, shown, e) ==
		    -1)
			return -1;
		n = alen - (size_t)(at + 1 - rest);
		rest = at + 1;
	} else {
		n = alen;
	}
	if (parse_hostport(rest, n, p, shown, e) == -1 ||
	    credentials(p, env_user, env_pass, shown, e) == -1)
		return -1;
	if (strchr(p->host, ':') != NULL)
		snprintf(p->addr, sizeof(p->addr), "[%s]:%u", p->host,
		    (unsigned)p->port);
	else
		snprintf(p->addr, sizeof(p->addr), "%s:%u", p->host,
		    (unsigned)p->port);
	snprintf(p->shown, sizeof(p->shown), "%s://%s%s", proxy_scheme(p->type),
	    p->has_user ? "***@" : "", p->addr);
	return 0;
}

int
proxy_parse(const char *url, struct proxy *p, struct sock_err *e)
{
	return proxy_parse_with(url, getenv("SOCKIT_PROXY_USER"),
	    getenv("SOCKIT_PROXY_PASSWORD"), p, e);
}

void
proxy_scrub(char *url)
{
	size_t start = scheme_end(url), alen, plen, keep, tail;
	char *auth = url + start, *at, *colon;

	alen = strcspn(auth, "/?#");
	at = memrchr(auth, '@', alen);
	if (at == NULL)
		return;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (colon == NULL || at == colon + 1)
		return;
	plen = (size_t)(at - colon - 1);
	keep = plen < 3 ? plen : 3;
	memset(colon + 1, '*', keep);
	/* close the gap; the bytes freed at the end become NULs */
	tail = strlen(at) + 1;
	memmove(colon + 1 + keep, at, tail);
	memset(colon + 1 + keep + tail, '\0', plen - keep);
}

/* Why s is not a DNS name, or NULL when it is one: labels of letters,
   digits, '-' (not first or last) and '_', 1-63 bytes each, 253 in
   all (a final dot aside). */
static const char *
not_a_name(const char *s)
{
	size_t n = strlen(s), i, label = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return "a control character";
		if (c == ' ')
			return "a blank";
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return "a character other than letters, digits, "
			       "'-', '_' and '.' (an IDN goes in its xn-- "
			       "form)";
	}
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return "empty";
	if (n > NAME_MAX_LEN)
		return "longer than 253 bytes";
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (s[i] == '-' && label == 0)
				return "a label starts with '-'";
			if (++label > LABEL_MAX_LEN)
				return "a label longer than 63 bytes";
			continue;
		}
		if (label == 0)
			return "an empty label";
		if (s[i - 1] == '-')
			return "a label ends with '-'";
		label = 0;
	}
	return NULL;
}

int
proxy_target_check(const char *host, struct sock_err *e)
{
	unsigned char b[16];
	const char *why;
	char esc[200], m[160];

	if (inet_pton(AF_INET, host, b) == 1 ||
	    inet_pton(AF_INET6, host, b) == 1)
		return 0;
	why = not_a_name(host);
	if (why == NULL)
		return 0;
	snprintf(m, sizeof(m), "not a DNS name or IP address: %s", why);
	return sock_failmsg(e, SOCK_EUSAGE, m, "host \"%s\"",
	    proxy_escape(host, esc, sizeof(esc)));
}
