/* What a SOCKS5 proxy sends (RFC 1928, RFC 1929): the method choice,
   the authentication status when it asked for username/password, and
   the CONNECT reply with its BND.ADDR (an IPv4 or IPv6 address, or a
   name of 0-255 bytes), each read by src/proxy/reply.c as io.c reads
   them.  The first byte's bit 0 says whether we offered username/password;
   the rest is the stream from the proxy.  Checks (fuzz_proxy.h): more is
   asked only for bytes a reply can hold, a verdict never comes early or
   changes, a granted reply is exactly the bytes read; a method is granted
   only as 0, or 2 when offered; a granted CONNECT reply's length is the
   one its address type says. */
#include "config.h"

#include "fuzz_proxy.h"

static bool have_user;

static enum proxy_verdict
method(const unsigned char *b, size_t n, struct proxy_reply *r)
{
	return proxy_socks5_method(b, n, have_user, r);
}

static void
check_connect(const uint8_t *d, size_t n)
{
	struct proxy_reply r;
	size_t len = fuzz_feed(proxy_socks5_reply, d, n, &r);

	if (len == 0 || r.verdict != PROXY_GRANTED)
		return;
	CHECK(d[0] == 5 && d[1] == 0, "granted without VER 5 REP 0");
	CHECK((d[3] == 1 && len == 10) || (d[3] == 4 && len == 22) ||
		(d[3] == 3 && len == 7 + (size_t)d[4]),
	    "ATYP %u, length %zu", d[3], len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_reply r;
	size_t used;

	if (size < 1)
		return 0;
	have_user = data[0] & 1;
	data++;
	size--;
	used = fuzz_feed(method, data, size, &r);
	if (used == 0 || r.verdict != PROXY_GRANTED)
		return 0;
	CHECK(data[0] == 5 && (data[1] == 0 || (data[1] == 2 && have_user)),
	    "method %u granted (offered user: %d)", data[1], have_user);
	CHECK(r.auth == (data[1] == 2), "auth %d for method %u", r.auth,
	    data[1]);
	data += used;
	size -= used;
	if (r.auth) {
		used = fuzz_feed(proxy_socks5_auth, data, size, &r);
		if (used == 0 || r.verdict != PROXY_GRANTED)
			return 0;
		CHECK(data[1] == 0, "status %u granted", data[1]);
		data += used;
		size -= used;
	}
	check_connect(data, size);
	return 0;
}
