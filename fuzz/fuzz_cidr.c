/* Address blocks for --allow/--deny ("10.0.0.0/8", "::1/128", a host):
   parse_cidr() and cidr_match().  Checks: the prefix length is in range;
   the block holds its own address (and, for IPv4, that address
   v4-mapped); /0 holds every address of its family; a few fixed addresses
   are matched without a crash. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "cli/parse.h"

static void
addr_of(struct sock_addr *a, int family, const unsigned char *bytes)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;

	if (family == AF_INET) {
		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		memcpy(&in.sin_addr, bytes, 4);
		sock_addr_from_sa(a, (void *)&in, sizeof(in), NULL);
	} else {
		memset(&in6, 0, sizeof(in6));
		in6.sin6_family = AF_INET6;
		memcpy(&in6.sin6_addr, bytes, 16);
		sock_addr_from_sa(a, (void *)&in6, sizeof(in6), NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "127.0.0.1", "0.0.0.0",
		"255.255.255.255", "10.1.2.3", "::1", "::", "2001:db8::1",
		"::ffff:10.1.2.3", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"fe80::1" };
	unsigned char mapped[16] = { 0 };
	struct sock_addr a;
	struct sock_err e;
	struct cidr c;
	char *s = fuzz_str(data, size);
	size_t i;

	if (parse_cidr(s, &c, &e) == -1) {
		CHECK(e.kind == SOCK_EUSAGE &&
			fuzz_err_ok(e.what, sizeof(e.what)),
		    "error of \"%s\"", s);
		free(s);
		return 0;
	}
	CHECK((c.family == AF_INET && c.bits >= 0 && c.bits <= 32) ||
		(c.family == AF_INET6 && c.bits >= 0 && c.bits <= 128),
	    "\"%s\": family %d, /%d", s, c.family, c.bits);
	CHECK(strchr(s, '/') != NULL ||
		c.bits == (c.family == AF_INET ? 32 : 128),
	    "\"%s\" without a prefix is /%d", s, c.bits);
	addr_of(&a, c.family, c.addr);
	CHECK(cidr_match(&c, &a), "\"%s\" does not hold %s", s, a.host);
	if (c.family == AF_INET) {
		mapped[10] = mapped[11] = 0xff;
		memcpy(mapped + 12, c.addr, 4);
		addr_of(&a, AF_INET6, mapped);
		CHECK(cidr_match(&c, &a), "\"%s\" does not hold %s", s, a.host);
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		bool hit;

		CHECK(sock_addr_ip(&a, fixed[i], 80, AF_UNSPEC, &e) == 0, "%s",
		    fixed[i]);
		hit = cidr_match(&c, &a);
		if (c.bits == 0 && a.family == c.family)
			CHECK(hit, "\"%s\" does not hold %s", s, fixed[i]);
		if (a.family == AF_INET && c.family == AF_INET6)
			CHECK(!hit, "\"%s\" holds %s", s, fixed[i]);
	}
	free(s);
	return 0;
}
