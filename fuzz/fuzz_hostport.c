/* HOST[:PORT], [V6]:PORT, PORT and Unix paths: parse_hostport(),
   sock_parse_port(), sock_addr_ip() and sock_addr_unix(), as the modes
   call them on their arguments.  The first byte picks the buffer sizes
   (exact heap buffers, so a write past one is caught), -n and the family.
   Checks: what is split off fits and comes from the argument; a numeric
   address printed by sock_addr_str() parses back to the same record. */
#include "config.h"

#include <netdb.h>
#include <sys/socket.h>

#include "cli/parse.h"
#include "fuzz.h"
#include "sock/sock.h"

static void
roundtrip(const struct sock_addr *a)
{
	char text[NI_MAXHOST + 16], host[NI_MAXHOST], port[16];
	struct sock_addr b;
	struct sock_err e;
	uint16_t p;
	int rc;

	sock_addr_str(a, text, sizeof(text));
	rc = parse_hostport(text, host, sizeof(host), port, sizeof(port), &e);
	CHECK(rc == 1, "\"%s\" does not split: %s", text, e.msg);
	CHECK(sock_parse_port(port, "tcp", true, &p, &e) == 0 && p == a->port,
	    "port of \"%s\"", text);
	CHECK(sock_addr_ip(&b, host, p, a->family, &e) == 0,
	    "\"%s\" does not parse back", text);
	CHECK(sock_addr_equal(a, &b), "\"%s\" parses back as %s", text, b.host);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6,
		AF_UNSPEC };
	static const size_t hostlens[] = { NI_MAXHOST, 1, 16, 46 };
	static const size_t portlens[] = { 32, 1, 6, 64 };
	struct sock_addr a;
	struct sock_err e;
	char *arg, *host, *port;
	size_t hostlen, portlen;
	uint16_t p = 0;
	bool numeric;
	int family, rc;

	if (size < 1)
		return 0;
	hostlen = hostlens[data[0] & 3];
	portlen = portlens[(data[0] >> 2) & 3];
	family = families[(data[0] >> 4) & 3];
	numeric = (data[0] & 0x40) != 0;
	arg = fuzz_str(data + 1, size - 1);
	host = malloc(hostlen);
	port = malloc(portlen);
	if (host == NULL || port == NULL)
		abort();

	memset(&e, 0, sizeof(e));
	rc = parse_hostport(arg, host, hostlen, port, portlen, &e);
	CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
	if (rc == -1) {
		CHECK(e.kind == SOCK_EUSAGE &&
			fuzz_err_ok(e.what, sizeof(e.what)),
		    "error of \"%s\"", arg);
		goto out;
	}
	CHECK(strlen(host) < hostlen && strlen(host) <= strlen(arg),
	    "host \"%s\" of \"%s\"", host, arg);
	CHECK(strstr(arg, host) != NULL, "host \"%s\" not in \"%s\"", host,
	    arg);
	if (rc == 1) {
		CHECK(port[0] != '\0' && strlen(port) < portlen &&
			strstr(arg, port) != NULL,
		    "port \"%s\" of \"%s\"", port, arg);
		if (sock_parse_port(port, "tcp", numeric, &p, &e) == -1) {
			CHECK(e.kind == SOCK_EUSAGE, "port error kind");
			goto out;
		}
	} else {
		CHECK(port[0] == '\0', "port \"%s\" without a split", port);
	}
	if (sock_addr_ip(&a, host, p, family, &e) == 0) {
		CHECK(a.family == AF_INET || a.family == AF_INET6, "family %d",
		    a.family);
		CHECK(family == AF_UNSPEC || a.family == family,
		    "family %d for %d", a.family, family);
		CHECK(a.port == p, "port %u for %u", a.port, p);
		/* "::%1" prints as "::%lo", which glibc reads back only for
		   link-local addresses: scoped ones are left out */
		if (strchr(a.host, '%') == NULL)
			roundtrip(&a);
	} else {
		CHECK(e.kind == SOCK_EUSAGE, "address error kind");
	}
	/* the whole argument as a Unix socket path (-U) */
	if (sock_addr_unix(&a, arg, &e) == 0)
		CHECK(a.family == AF_UNIX && strcmp(a.host, arg) == 0,
		    "Unix path \"%s\" as \"%s\"", arg, a.host);
	else
		CHECK(e.kind == SOCK_EUSAGE, "Unix error kind");
out:
	free(port);
	free(host);
	free(arg);
	return 0;
}
