/* The PROXY protocol header, read and written by pure functions: the
   bytes a listener received so far, or the two addresses a connector
   names.  The specification: haproxy's doc/proxy-protocol.txt. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "proxy/pp.h"

static const unsigned char v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
	0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

static enum pp_verdict
bad(struct pp_header *h, const char *why)
{
	snprintf(h->reason, sizeof(h->reason), "%s", why);
	return PP_BAD;
}

/* "no PROXY protocol header (got "...")": the first bytes, escaped. */
static enum pp_verdict
not_a_header(struct pp_header *h, const unsigned char *b, size_t n)
{
	char shown[40];
	size_t i, o = 0;

	for (i = 0; i < n && i < 8 && o + 5 < sizeof(shown); i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\')
			shown[o++] = (char)b[i];
		else
			o += (size_t)snprintf(shown + o, sizeof(shown) - o,
			    "\\x%02x", b[i]);
	}
	shown[o] = '\0';
	snprintf(h->reason, sizeof(h->reason),
	    "no PROXY protocol header (got \"%s%s\")", shown,
	    n > 8 ? "..." : "");
	return PP_BAD;
}

/* A v1 port: 0-65535, decimal, no leading zero. */
static bool
v1_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*port = (uint16_t)v;
	return v <= 65535;
}

/* *a: the address raw (4 or 16 bytes of family) and port (network
   order). */
static void
set_addr(struct sock_addr *a, int family, const void *raw, const void *port)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sock_err e;

	if (family == AF_INET) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, raw, 4);
		memcpy(&s4.sin_port, port, 2);
		sock_addr_from_sa(a, (void *)&s4, sizeof(s4), &e);
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, raw, 16);
		memcpy(&s6.sin6_port, port, 2);
		sock_addr_from_sa(a, (void *)&s6, sizeof(s6), &e);
	}
}

/* The words of a v1 line (NUL-terminated, no CR): PROXY TCP4|TCP6 SRC
   DST SPORT DPORT, or PROXY UNKNOWN [anything]. */
static enum pp_verdict
v1_words(char *line, struct pp_header *h)
{
	char *w[7], *p = line;
	size_t n = 0;
	unsigned char src[16], dst[16];
	uint16_t sport, dport;
	int family;

	while (n < 7) {
		w[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (n >= 2 && strcmp(w[1], "UNKNOWN") == 0)
		return PP_DONE;
	if (n < 2 || (strcmp(w[1], "TCP4") != 0 && strcmp(w[1], "TCP6") != 0))
		return bad(h, "v1: protocol is not TCP4, TCP6 or UNKNOWN");
	if (n != 6)
		return bad(h,
		    "v1: expected PROXY TCP4|TCP6 SRC DST SPORT "
		    "DPORT");
	family = w[1][3] == '4' ? AF_INET : AF_INET6;
	if (!v1_port(w[4], &sport) || !v1_port(w[5], &dport))
		return bad(h, "v1: a port is not a number 0-65535");
	if (inet_pton(family, w[2], src) != 1 ||
	    inet_pton(family, w[3], dst) != 1)
		return bad(h,
		    family == AF_INET ? "v1: an address is not IPv4" :
					"v1: an address is not IPv6");
	sport = htons(sport);
	dport = htons(dport);
	set_addr(&h->src, family, src, &sport);
	set_addr(&h->dst, family, dst, &dport);
	h->has_addr = true;
	return PP_DONE;
}

static enum pp_verdict
parse_v1(const unsigned char *b, size_t n, struct pp_header *h)
{
	char line[PP_V1_MAX + 1];
	size_t i;

	/* the CR at 105 at the latest: 107 bytes with the LF */
	for (i = 0; i < n && i < PP_V1_MAX - 1; i++) {
		if (i < 6 && b[i] != (unsigned char)"PROXY "[i])
			return not_a_header(h, b, n);
		if (b[i] == '\r' && i + 1 < n && b[i + 1] != '\n')
			return bad(h, "v1: a CR not followed by LF");
		if (b[i] == '\r' && i + 1 < n)
			break;
		if (b[i] == '\r')
			return PP_MORE;
		if (b[i] < 0x20 || b[i] > 0x7e)
			return bad(h, "v1: a control or non-ASCII byte");
	}
	if (i == PP_V1_MAX - 1)
		return bad(h, "v1: no CRLF within 107 bytes");
	if (i == n)
		return PP_MORE;
	memcpy(line, b, i);
	line[i] = '\0';
	h->len = i + 2;
	return v1_words(line, h);
}

/* The addresses of a v2 PROXY command: fam (high nibble of byte 13),
   a are the address bytes (alen of them). */
static enum pp_verdict
v2_addresses(const unsigned char *a, size_t alen, int fam, struct pp_header *h)
{
	if (fam == 0 || fam == 3) /* UNSPEC, or a Unix client: no address */
		return PP_DONE;
	if (fam == 1 && alen < 12)
		return bad(h, "v2: IPv4 addresses need 12 bytes");
	if (fam == 2 && alen < 36)
		return bad(h, "v2: IPv6 addresses need 36 bytes");
	if (fam == 1) {
		set_addr(&h->src, AF_INET, a, a + 8);
		set_addr(&h->dst, AF_INET, a + 4, a + 10);
	} else {
		set_addr(&h->src, AF_INET6, a, a + 32);
		set_addr(&h->dst, AF_INET6, a + 16, a + 34);
	}
	h->has_addr = true;
	return PP_DONE;
}

static enum pp_verdict
parse_v2(const unsigned char *b, size_t n, struct pp_header *h)
{
	size_t len;
	int fam, transport;

	if (memcmp(b, v2_sig, n < 12 ? n : 12) != 0)
		return not_a_header(h, b, n);
	if (n < 16)
		return PP_MORE;
	if ((b[12] >> 4) != 2)
		return bad(h, "v2: the version nibble is not 2");
	if ((b[12] & 0x0f) > 1)
		return bad(h, "v2: the command is neither LOCAL nor PROXY");
	fam = b[13] >> 4;
	transport = b[13] & 0x0f;
	if (fam > 3 || transport > 2)
		return bad(h, "v2: an unknown address family or transport");
	len = (size_t)b[14] << 8 | b[15];
	if (n < 16 + len)
		return PP_MORE;
	h->len = 16 + len;
	if ((b[12] & 0x0f) == 0) /* LOCAL: the proxy's own connection */
		return PP_DONE;
	return v2_addresses(b + 16, len, fam, h);
}

enum pp_verdict
pp_parse(const unsigned char *b, size_t n, int version, struct pp_header *h)
{
	memset(h, 0, sizeof(*h));
	if (n == 0)
		return PP_MORE;
	h->version = b[0] == 'P' ? 1 : b[0] == 0x0d ? 2 : 0;
	if (h->version == 0)
		return not_a_header(h, b, n);
	if (version != 0 && h->version != version)
		return bad(h,
		    version == 1 ? "a v2 header, v1 expected" :
				   "a v1 header, v2 expected");
	return h->version == 1 ? parse_v1(b, n, h) : parse_v2(b, n, h);
}

/* The host of a without its %zone, into buf. */
static const char *
bare_host(const struct sock_addr *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s", a->host);
	buf[strcspn(buf, "%")] = '\0';
	return buf;
}

static size_t
build_v1(bool tcp, const struct sock_addr *src, const struct sock_addr *dst,
    unsigned char *buf, size_t cap)
{
	char s[NI_MAXHOST], d[NI_MAXHOST];
	int n;

	if (!tcp)
		n = snprintf((char *)buf, cap, "PROXY UNKNOWN\r\n");
	else
		n = snprintf((char *)buf, cap, "PROXY %s %s %s %u %u\r\n",
		    src->family == AF_INET ? "TCP4" : "TCP6",
		    bare_host(src, s, sizeof(s)), bare_host(dst, d, sizeof(d)),
		    (unsigned)src->port, (unsigned)dst->port);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t
pp_build(int version, const struct sock_addr *src, const struct sock_addr *dst,
    unsigned char *buf, size_t cap)
{
	bool tcp = src->family == dst->family &&
	    (src->family == AF_INET || src->family == AF_INET6);
	bool v4 = src->family == AF_INET;
	const struct sockaddr_in *s4 = (const void *)&src->ss,
				 *d4 = (const void *)&dst->ss;
	const struct sockaddr_in6 *s6 = (const void *)&src->ss,
				  *d6 = (const void *)&dst->ss;
	size_t alen = !tcp ? 0 : v4 ? 12 : 36;

	if (version == 1)
		return build_v1(tcp, src, dst, buf, cap);
	if (cap < 16 + alen)
		return 0;
	memcpy(buf, v2_sig, 12);
	buf[12] = tcp ? 0x21 : 0x20; /* PROXY, or LOCAL */
	buf[13] = !tcp ? 0x00 : v4 ? 0x11 : 0x21;
	buf[14] = 0;
	buf[15] = (unsigned char)alen;
	if (tcp && v4) {
		memcpy(buf + 16, &s4->sin_addr, 4);
		memcpy(buf + 20, &d4->sin_addr, 4);
		memcpy(buf + 24, &s4->sin_port, 2);
		memcpy(buf + 26, &d4->sin_port, 2);
	} else if (tcp) {
		memcpy(buf + 16, &s6->sin6_addr, 16);
		memcpy(buf + 32, &d6->sin6_addr, 16);
		memcpy(buf + 48, &s6->sin6_port, 2);
		memcpy(buf + 50, &d6->sin6_port, 2);
	}
	return 16 + alen;
}
