/* What a proxy sends back, read from a buffer: the SOCKS5 method choice,
   authentication status and CONNECT reply (RFC 1928, RFC 1929), the
   SOCKS4 reply, and the HTTP CONNECT response header.  Pure functions:
   proxy.c receives the bytes and asks these what they mean (and how
   many more to wait for); the fuzz targets in fuzz/ call them too. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proxy/proxy.h"

#define AUTH_REQUIRED \
	"authentication required (give USER:PASS@ in the URL, or " \
	"SOCKIT_PROXY_USER and SOCKIT_PROXY_PASSWORD)"

/* Fills r with a verdict.  Returns the verdict. */
static enum proxy_verdict
verdict(struct proxy_reply *r, enum proxy_verdict v, bool at_target, int code,
    const char *reason)
{
	r->verdict = v;
	r->at_target = at_target;
	r->code = code;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	return v;
}

/* Asks for the reply's first need bytes.  Returns PROXY_MORE. */
static enum proxy_verdict
more(struct proxy_reply *r, size_t need)
{
	r->verdict = PROXY_MORE;
	r->need = need;
	return PROXY_MORE;
}

static enum proxy_verdict
granted(struct proxy_reply *r, size_t len)
{
	r->len = len;
	return verdict(r, PROXY_GRANTED, false, 0, "");
}

static void
reply_init(struct proxy_reply *r)
{
	memset(r, 0, sizeof(*r));
}

enum proxy_verdict
proxy_socks5_method(const unsigned char *b, size_t n, bool have_user,
    struct proxy_reply *r)
{
	char m[96];

	reply_init(r);
	if (n < 2)
		return more(r, 2);
	if (b[0] != 5) {
		snprintf(m, sizeof(m), "not a SOCKS5 proxy (reply version %u)",
		    b[0]);
		return verdict(r, PROXY_BROKEN, false, EPROTO, m);
	}
	if (b[1] == 0xff)
		return verdict(r, PROXY_REFUSED, false, 0,
		    have_user ? "no acceptable authentication method" :
				AUTH_REQUIRED);
	if (b[1] == 2 && !have_user)
		return verdict(r, PROXY_REFUSED, false, 0, AUTH_REQUIRED);
	if (b[1] != 0 && b[1] != 2) {
		snprintf(m, sizeof(m),
		    "asked for unsupported authentication method %u", b[1]);
		return verdict(r, PROXY_REFUSED, false, 0, m);
	}
	r->auth = b[1] == 2;
	return granted(r, 2);
}

enum proxy_verdict
proxy_socks5_auth(const unsigned char *b, size_t n, struct proxy_reply *r)
{
	reply_init(r);
	if (n < 2)
		return more(r, 2);
	/* RFC 1929: VER 1, STATUS 0 for success; some servers answer
	   VER 5, so only the status counts */
	if (b[1] != 0)
		return verdict(r, PROXY_REFUSED, false, 0,
		    "username/password authentication failed");
	return granted(r, 2);
}

static const char *
socks5_reason(int rep, int *code)
{
	static const struct {
		int code;
		const char *reason;
	} t[] = {
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

	if (rep < 0 || (size_t)rep >= sizeof(t) / sizeof(t[0])) {
		*code = 0;
		return NULL;
	}
	*code = t[rep].code;
	return t[rep].reason;
}

enum proxy_verdict
proxy_socks5_reply(const unsigned char *b, size_t n, struct proxy_reply *r)
{
	const char *reason;
	char m[96];
	size_t len;
	int code;

	reply_init(r);
	/* VER REP: a refusal may end there (the proxy closes) */
	if (n < 2)
		return more(r, 2);
	if (b[0] != 5) {
		snprintf(m, sizeof(m), "not a SOCKS5 reply (version %u)", b[0]);
		return verdict(r, PROXY_BROKEN, true, EPROTO, m);
	}
	if (b[1] != 0) {
		reason = socks5_reason(b[1], &code);
		if (reason == NULL) {
			snprintf(m, sizeof(m), "unknown SOCKS5 reply code %u",
			    b[1]);
			reason = m;
		}
		return verdict(r, PROXY_REFUSED, true, code, reason);
	}
	/* RSV ATYP, and the first byte of BND.ADDR (a name's length) */
	if (n < 5)
		return more(r, 5);
	switch (b[3]) {
	case 1:
		len = 4 + 4 + 2;
		break;
	case 4:
		len = 4 + 16 + 2;
		break;
	case 3:
		len = 4 + 1 + (size_t)b[4] + 2;
		break;
	default:
		snprintf(m, sizeof(m), "bad address type %u in its reply",
		    b[3]);
		return verdict(r, PROXY_BROKEN, true, EPROTO, m);
	}
	if (n < len)
		return more(r, len);
	return granted(r, len);
}

enum proxy_verdict
proxy_socks4_reply(const unsigned char *b, size_t n, struct proxy_reply *r)
{
	char m[96];

	reply_init(r);
	if (n < 8)
		return more(r, 8);
	if (b[0] != 0 && b[0] != 4) {
		snprintf(m, sizeof(m), "not a SOCKS4 reply (version %u)", b[0]);
		return verdict(r, PROXY_BROKEN, true, EPROTO, m);
	}
	switch (b[1]) {
	case 90:
		return granted(r, 8);
	case 91:
		/* SOCKS4 tells a refused port from a rule by no other code */
		return verdict(r, PROXY_REFUSED, true, ECONNREFUSED,
		    "request rejected or failed");
	case 92:
		return verdict(r, PROXY_REFUSED, false, 0,
		    "request rejected: the proxy cannot reach our identd");
	case 93:
		return verdict(r, PROXY_REFUSED, false, 0,
		    "request rejected: identd reports a different user id");
	default:
		snprintf(m, sizeof(m), "unknown SOCKS4 reply code %u", b[1]);
		return verdict(r, PROXY_REFUSED, true, 0, m);
	}
}

size_t
proxy_http_head_end(const char *b, size_t n, size_t from)
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

/* The status line of a response for a message, at most 100 bytes, as
   the proxy sent it but for NULs: the printers escape control
   characters (a peer-chosen string). */
static void
status_line(const char *head, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && head[i] != '\r' && head[i] != '\n' &&
	     o + 1 < outlen && o < 100;
	     i++)
		out[o++] = head[i] != '\0' ? head[i] : '?';
	out[o] = '\0';
}

enum proxy_verdict
proxy_http_reply(const char *head, size_t n, struct proxy_reply *r)
{
	char line[101], m[160];
	int status;

	reply_init(r);
	status_line(head, n, line, sizeof(line));
	if (n < 12 || strncmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ' ||
	    !isdigit((unsigned char)head[9]) ||
	    !isdigit((unsigned char)head[10]) ||
	    !isdigit((unsigned char)head[11])) {
		snprintf(m, sizeof(m), "not an HTTP proxy (reply \"%s\")",
		    line);
		return verdict(r, PROXY_BROKEN, true, EPROTO, m);
	}
	status =
	    (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
	if (status >= 200 && status < 300)
		return granted(r, n);
	/* 407: the proxy wants (other) credentials; 5xx: it could not
	   connect to the target, which a check calls closed (HTTP does not
	   tell refused from unreachable: for a refused port ncat answers
	   504, tinyproxy 500); else a rule (403). */
	return verdict(r, PROXY_REFUSED, status != 407,
	    status >= 500 ? ECONNREFUSED : 0, line);
}
