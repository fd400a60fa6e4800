/* Unit tests of the PROXY protocol header (src/proxy/pp.c): v1 and v2
   read and built, every prefix of a header asks for more, and a bad
   header is refused with a reason. */
#include "config.h"

#include <string.h>

#include "proxy/pp.h"
#include "../tap.h"

void test_pp(void);

#define SIG "\r\n\r\n\0\r\nQUIT\n"

static void
parsed(const char *b, size_t n, int version, const char *src, unsigned sport,
    size_t len)
{
	struct pp_header h;
	size_t i;

	ok(pp_parse((const unsigned char *)b, n, version, &h) == PP_DONE,
	    "v%d header of %zu bytes read (%s)", version, len, h.reason);
	ok(h.len == len, "it takes %zu bytes (%zu)", len, h.len);
	if (src == NULL)
		ok(!h.has_addr, "no client named");
	else
		ok(h.has_addr && strcmp(h.src.host, src) == 0 &&
			h.src.port == sport,
		    "client %s %u (%s %u)", src, sport, h.src.host, h.src.port);
	for (i = 0; i < len; i++)
		if (pp_parse((const unsigned char *)b, i, version, &h) !=
		    PP_MORE)
			break;
	ok(i == len, "every prefix asks for more (%zu)", i);
}

static void
refused(const char *b, size_t n, int version, const char *reason)
{
	struct pp_header h;

	ok(pp_parse((const unsigned char *)b, n, version, &h) == PP_BAD &&
		strcmp(h.reason, reason) == 0,
	    "refused: %s (%s)", reason, h.reason);
}

static void
built(int version, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, const char *want, size_t wantlen)
{
	struct sock_addr s, d;
	struct sock_err e;
	unsigned char b[256];
	size_t n;

	sock_addr_ip(&s, src, sport, AF_UNSPEC, &e);
	sock_addr_ip(&d, dst, dport, AF_UNSPEC, &e);
	n = pp_build(version, &s, &d, b, sizeof(b));
	ok(n == wantlen && memcmp(b, want, n) == 0,
	    "v%d built for %s %u (%zu bytes)", version, src, sport, n);
}

void
test_pp(void)
{
	static const char v1[] = "PROXY TCP4 192.0.2.1 198.51.100.2 1234 80\r\n"
				 "GET /";
	static const char v1_6[] = "PROXY TCP6 2001:db8::1 ::1 65535 443\r\n";
	static const char v2[] = SIG "\x21\x11\0\x0c\xc0\0\x02\x01\xc6\x33"
				     "\x64\x02\x04\xd2\0\x50"
				     "data";
	static const char v2_local[] = SIG "\x20\0\0\0";

	parsed(v1, sizeof(v1) - 1, 1, "192.0.2.1", 1234, sizeof(v1) - 6);
	parsed(v1, sizeof(v1) - 1, 0, "192.0.2.1", 1234, sizeof(v1) - 6);
	parsed(v1_6, sizeof(v1_6) - 1, 1, "2001:db8::1", 65535,
	    sizeof(v1_6) - 1);
	parsed("PROXY UNKNOWN\r\n", 15, 1, NULL, 0, 15);
	parsed(v2, sizeof(v2) - 1, 2, "192.0.2.1", 1234, 28);
	parsed(v2_local, 16, 2, NULL, 0, 16);
	refused("GET / HTTP/1.0\r\n", 16, 1,
	    "no PROXY protocol header (got \"GET / HT...\")");
	refused(v2, sizeof(v2) - 1, 1, "a v2 header, v1 expected");
	refused(v1, sizeof(v1) - 1, 2, "a v1 header, v2 expected");
	refused("PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n", 30, 1,
	    "v1: an address is not IPv4");
	refused("PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n", 33, 1,
	    "v1: a port is not a number 0-65535");
	refused("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n", 30, 1,
	    "v1: expected PROXY TCP4|TCP6 SRC DST SPORT DPORT");
	refused("PROXY TCP4\rx", 12, 1, "v1: a CR not followed by LF");
	refused(SIG "\x31\x11\0\0", 16, 2, "v2: the version nibble is not 2");
	refused(SIG "\x21\x11\0\x04\0\0\0\0", 20, 2,
	    "v2: IPv4 addresses need 12 bytes");
	{
		char longline[200];

		memset(longline, 'x', sizeof(longline));
		memcpy(longline, "PROXY UNKNOWN ", 14);
		refused(longline, sizeof(longline), 1,
		    "v1: no CRLF within 107 bytes");
	}
	built(1, "192.0.2.1", 1234, "198.51.100.2", 80,
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1234 80\r\n", 43);
	built(1, "::1", 1, "::1", 2, "PROXY TCP6 ::1 ::1 1 2\r\n", 24);
	built(1, "::1", 1, "127.0.0.1", 2, "PROXY UNKNOWN\r\n", 15);
	built(2, "192.0.2.1", 1234, "198.51.100.2", 80,
	    SIG "\x21\x11\0\x0c\xc0\0\x02\x01\xc6\x33\x64\x02\x04\xd2\0\x50",
	    28);
	built(2, "::1", 1, "127.0.0.1", 2, SIG "\x20\0\0\0", 16);
}
