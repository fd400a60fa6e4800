/* Unit tests of the command line (src/cli/): the value parsers of
   HOST:PORT, port lists and address blocks (parse.c), the -O applier
   (args.c); the option table in cli/options.c. */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/parse.h"
#include "sock/sock.h"
#include "tap.h"
#include "cli/test_cli.h"

/* The ports as "22,80,8000" (the first and last few of long lists). */
static const char *
ports_str(const uint16_t *p, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		if (n > 10 && i >= 3 && i < n - 3) {
			if (i == 3)
				off += (size_t)snprintf(buf + off, len - off,
				    ",...");
			continue;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i ? "," : "", (unsigned)p[i]);
	}
	return buf;
}

static void
test_hostport(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *host, *port;
	} t[] = {
		{ "host:80", 1, "host", "80" },
		{ "127.0.0.1:8080", 1, "127.0.0.1", "8080" },
		{ "[::1]:80", 1, "::1", "80" },
		{ "[fe80::1%lo]:22", 1, "fe80::1%lo", "22" },
		{ "host:http", 1, "host", "http" },
		{ "::1", 0, "::1", "" },
		{ "[::1]", 0, "::1", "" },
		{ "a:b:c", 0, "a:b:c", "" },
		{ "host", 0, "host", "" },
		{ "10.0.0.1", 0, "10.0.0.1", "" },
	};
	static const char *bad[] = {
		":80",
		"host:",
		"[::1",
		"[::1]x",
		"[::1]:",
		"[]:80",
		"[]",
	};
	char host[NI_MAXHOST], port[32];
	struct sock_err e;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = parse_hostport(t[i].in, host, sizeof(host), port,
		    sizeof(port), &e);
		ok(rc == t[i].rc && strcmp(host, t[i].host) == 0 &&
			strcmp(port, t[i].port) == 0,
		    "parse_hostport \"%s\" -> %d, "
		    "host \"%s\", port \"%s\"",
		    t[i].in, t[i].rc, t[i].host, t[i].port);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		rc = parse_hostport(bad[i], host, sizeof(host), port,
		    sizeof(port), &e);
		ok(rc == -1 && e.kind == SOCK_EUSAGE,
		    "parse_hostport refuses \"%s\" as a usage error", bad[i]);
	}
	rc = parse_hostport("averyveryverylonghostname:80", host, 8, port,
	    sizeof(port), &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "parse_hostport refuses a host longer than the buffer");
}

static void
test_ports(void)
{
	static const struct {
		const char *in;
		bool numeric;
		size_t n;
		const char *want;
		const char *what;
	} t[] = {
		{ "22", false, 1, "22", "a single port" },
		{ "22,80,8000-8002", false, 5, "22,80,8000,8001,8002",
		    "ports and a range" },
		{ "8000-8002,80,22", false, 5, "22,80,8000,8001,8002",
		    "a list out of order comes back sorted" },
		{ "80,22,80", false, 2, "22,80", "duplicates are dropped" },
		{ "20-25,22,24-26", false, 7, "20,21,22,23,24,25,26",
		    "overlapping ranges are merged" },
		{ "ssh", false, 1, "22", "a service name" },
		{ "ssh,http", false, 2, "22,80", "several service names" },
		{ "20-25", false, 6, "20,21,22,23,24,25", "a range of 6" },
		{ "7-7", false, 1, "7", "a range of one" },
		{ "1-65535", false, 65535, "1,2,3,...,65533,65534,65535",
		    "every port" },
		{ "65535", true, 1, "65535", "the last port, numeric" },
	};
	char buf[256], name[128];
	struct sock_err e;
	uint16_t *p;
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = parse_ports(t[i].in, "tcp", t[i].numeric, &p, &n, &e);
		snprintf(name, sizeof(name), "parse_ports \"%s\": %s", t[i].in,
		    t[i].what);
		ok(rc == 0 && n == t[i].n, "%s: %zu ports", name, t[i].n);
		is_str(rc == 0 ? ports_str(p, n, buf, sizeof(buf)) : NULL,
		    t[i].want, "%s: the ports, sorted", name);
		free(p);
	}
}

static void
test_ports_bad(void)
{
	static const struct {
		const char *in;
		bool numeric;
		const char *what; /* in e.what */
		const char *why;
	} t[] = {
		{ "0", false, "\"0\"", "port 0" },
		{ "65536", false, "\"65536\"", "a port past 65535" },
		{ "22,99999", false, "\"99999\"",
		    "a bad port after a good one" },
		{ "9-3", false, "\"9-3\"", "a reversed range" },
		{ "0-5", false, "\"0-5\"", "a range from port 0" },
		{ "1-65536", false, "\"1-65536\"", "a range past 65535" },
		{ "5-", false, "\"5-\"", "a range without its end" },
		{ "a-b", false, "\"a-b\"", "not numbers (an unknown service)" },
		{ "nosuchservice", false, "\"nosuchservice\"",
		    "an unknown service" },
		{ "ssh", true, "\"ssh\"", "a service name with numeric" },
		{ "22x", false, "\"22x\"", "trailing garbage" },
		/* an empty item has no text to name: the list is named */
		{ "", false, "port list \"\"", "an empty list" },
		{ "22,,80", false, "port list \"22,,80\"",
		    "an empty item in the middle" },
		{ "22,", false, "port list \"22,\"", "a trailing comma" },
		{ ",22", false, "port list \",22\"", "a leading comma" },
	};
	struct sock_err e;
	uint16_t *p;
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&e, 0, sizeof(e));
		p = (uint16_t *)&e; /* must be reset to NULL */
		n = 99;
		rc = parse_ports(t[i].in, "tcp", t[i].numeric, &p, &n, &e);
		ok(rc == -1 && e.kind == SOCK_EUSAGE && p == NULL && n == 0,
		    "parse_ports refuses %s (\"%s\") as a usage error",
		    t[i].why, t[i].in);
		ok(strstr(e.what, t[i].what) != NULL,
		    "the error for \"%s\" names %s (what: %s)", t[i].in,
		    t[i].what, e.what);
		if (rc == 0)
			free(p);
	}
}

static void
test_cidr(void)
{
	/*
	 * A v4-mapped IPv6 client (::ffff:10.1.2.3, as a dual-stack listener
	 * sees an IPv4 client) is matched as the IPv4 address it carries, so
	 * 10.0.0.0/8 lets it in.  It is still an IPv6 address too: an IPv6
	 * block that covers ::ffff:0:0/96 (::/0) matches it as well, the
	 * same as it would without unmapping.  A v4-mapped block of /96 or
	 * longer is the IPv4 block it carries (::ffff:127.0.0.1 is
	 * 127.0.0.1/32, ::ffff:0:0/96 is 0.0.0.0/0), so it matches the
	 * plain IPv4 client that listen sees after unmapping; a shorter one
	 * stays IPv6.  A plain IPv4 client is never matched by an IPv6
	 * block, nor a plain IPv6 client by an IPv4 block.  Host bits past
	 * the prefix are ignored.
	 */
	static const struct {
		const char *block;
		const char *addr;
		bool match;
	} t[] = {
		{ "10.0.0.0/8", "10.1.2.3", true },
		{ "10.0.0.0/8", "10.255.255.255", true },
		{ "10.0.0.0/8", "11.0.0.0", false },
		{ "10.0.0.0/8", "9.255.255.255", false },
		{ "172.16.0.0/12", "172.31.255.255", true },
		{ "172.16.0.0/12", "172.32.0.0", false },
		{ "192.0.2.1/32", "192.0.2.1", true },
		{ "192.0.2.1/32", "192.0.2.2", false },
		{ "192.0.2.1", "192.0.2.1", true },
		{ "192.0.2.1", "192.0.2.0", false },
		{ "10.1.2.3/8", "10.200.0.1", true },
		{ "0.0.0.0/0", "203.0.113.9", true },
		{ "0.0.0.0/0", "::1", false },
		{ "0.0.0.0/0", "2001:db8::1", false },
		{ "2001:db8::/64", "2001:db8::1", true },
		{ "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true },
		{ "2001:db8::/64", "2001:db8:0:1::1", false },
		{ "2001:db8::/33", "2001:db8:7fff::1", true },
		{ "2001:db8::/33", "2001:db8:8000::1", false },
		{ "::1/128", "::1", true },
		{ "::1/128", "::2", false },
		{ "::1", "::1", true },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "10.1.2.3", false },
		{ "10.0.0.0/8", "::ffff:10.1.2.3", true },
		{ "10.1.2.3/32", "::ffff:10.1.2.3", true },
		{ "11.0.0.0/8", "::ffff:10.1.2.3", false },
		{ "::ffff:0:0/96", "::ffff:10.1.2.3", true },
		{ "::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true },
		{ "::/0", "::ffff:10.1.2.3", true },
		{ "2001:db8::/32", "::ffff:10.1.2.3", false },
		/* a v4-mapped block is an IPv4 block (audit 5) */
		{ "::ffff:0:0/96", "10.1.2.3", true },
		{ "::ffff:127.0.0.1/128", "127.0.0.1", true },
		{ "::ffff:127.0.0.1", "127.0.0.1", true },
		{ "::ffff:127.0.0.1", "127.0.0.2", false },
		{ "::ffff:10.0.0.0/104", "10.1.2.3", true },
		{ "::ffff:10.0.0.0/104", "11.1.2.3", false },
		{ "::ffff:0:0/96", "::1", false },
		{ "::ffff:0:0/95", "10.1.2.3", false },
		{ "::ffff:0:0/95", "::fffe:0:1", true },
	};
	struct sock_addr a;
	struct sock_err e;
	struct cidr c;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = parse_cidr(t[i].block, &c, &e);
		if (rc == 0)
			rc = sock_addr_ip(&a, t[i].addr, 0, AF_UNSPEC, &e);
		ok(rc == 0 && cidr_match(&c, &a) == t[i].match, "%s %s %s",
		    t[i].addr, t[i].match ? "is in" : "is not in", t[i].block);
	}

	ok(parse_cidr("10.0.0.0/8", &c, &e) == 0 && c.family == AF_INET &&
		c.bits == 8 && c.addr[0] == 10,
	    "parse_cidr 10.0.0.0/8: IPv4, 8 bits");
	ok(parse_cidr("192.0.2.1", &c, &e) == 0 && c.bits == 32,
	    "parse_cidr of an IPv4 host is /32");
	ok(parse_cidr("::1", &c, &e) == 0 && c.family == AF_INET6 &&
		c.bits == 128 && c.addr[15] == 1,
	    "parse_cidr of an IPv6 host is /128");
	ok(parse_cidr("0.0.0.0/0", &c, &e) == 0 && c.bits == 0,
	    "parse_cidr accepts /0");
	ok(parse_cidr("::/128", &c, &e) == 0 && c.bits == 128,
	    "parse_cidr accepts ::/128");
	ok(parse_cidr("::ffff:127.0.0.1/128", &c, &e) == 0 &&
		c.family == AF_INET && c.bits == 32 && c.addr[0] == 127 &&
		c.addr[3] == 1,
	    "audit 5: ::ffff:127.0.0.1/128 is 127.0.0.1/32");
	ok(parse_cidr("::ffff:0:0/96", &c, &e) == 0 && c.family == AF_INET &&
		c.bits == 0,
	    "audit 5: ::ffff:0:0/96 is 0.0.0.0/0");
	ok(parse_cidr("::ffff:10.0.0.0/104", &c, &e) == 0 &&
		c.family == AF_INET && c.bits == 8 && c.addr[0] == 10,
	    "audit 5: ::ffff:10.0.0.0/104 is 10.0.0.0/8");
	ok(parse_cidr("::ffff:0:0/95", &c, &e) == 0 && c.family == AF_INET6 &&
		c.bits == 95,
	    "audit 5: ::ffff:0:0/95 (shorter than /96) stays IPv6");

	memset(&a, 0, sizeof(a));
	sock_addr_unix(&a, "/tmp/x.sock", &e);
	ok(parse_cidr("0.0.0.0/0", &c, &e) == 0 && !cidr_match(&c, &a) &&
		parse_cidr("::/0", &c, &e) == 0 && !cidr_match(&c, &a),
	    "a Unix socket address is in no block");
}

static void
test_cidr_bad(void)
{
	static const char *bad[] = {
		"10.0.0.0/33",
		"::/129",
		"abc",
		"10.0.0.0/",
		"/8",
		"",
		"/",
		"10.0.0.0/-1",
		"10.0.0.0/8x",
		"10.0.0.0/8/8",
		"10.0.0/8",
		"10.0.0.256/8",
		"::g/64",
		"[::1]/128",
		"localhost/32",
		"10.0.0.0/ 8",
	};
	struct sock_err e;
	struct cidr c;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		rc = parse_cidr(bad[i], &c, &e);
		ok(rc == -1 && e.kind == SOCK_EUSAGE &&
			strstr(e.what, bad[i]) != NULL && e.msg[0] != '\0',
		    "parse_cidr refuses \"%s\", naming it (%s: %s)", bad[i],
		    e.what, e.msg);
	}
}

/* The applier behind -O in every mode (src/cli/args.c), on a fresh TCP
   socket. */
static void
test_sockopts(void)
{
	const struct sock_opt *o;
	struct sockopts so = { .n = 0 };
	struct sock_optval v;
	struct sock_err e;
	int fd;

	fd = sock_socket(AF_INET, SOCK_STREAM, false, &e);
	if (fd == -1) {
		printf("Bail out! %s: %s\n", e.what, sock_strerror(&e));
		exit(1);
	}
	ok(sockopts_add(&so, "TCP_NODELAY=on") == 0 &&
		sockopts_add(&so, "SO_RCVBUF=64K") == 0 &&
		sockopts_apply(&so, fd, NULL, &e) == 0,
	    "sockopts_apply TCP_NODELAY=on SO_RCVBUF=64K succeeds");
	o = sock_opt_find("TCP_NODELAY");
	ok(sock_opt_get(fd, o, &v, &e) == 0 && v.i == 1,
	    "and TCP_NODELAY reads back on");
	o = sock_opt_find("SO_RCVBUF");
	ok(sock_opt_get(fd, o, &v, &e) == 0 && v.i >= 65536,
	    "and SO_RCVBUF at least 64K (%lld)", (long long)v.i);
	so.n = 0;
	memset(&e, 0, sizeof(e));
	ok(sockopts_add(&so, "SO_BROADCAST=on") == 0 &&
		sockopts_apply(&so, fd, NULL, &e) == -1 &&
		e.kind == SOCK_EUSAGE &&
		strstr(e.what, "SO_BROADCAST") != NULL &&
		strstr(e.msg, "IPv4 TCP socket") != NULL,
	    "sockopts_apply refuses SO_BROADCAST on TCP as a usage error "
	    "(%s: %s)",
	    e.what, e.msg);
	close(fd);
}

int
main(void)
{
	test_hostport();
	test_ports();
	test_ports_bad();
	test_cidr();
	test_cidr_bad();
	test_sockopts();
	test_options();
	test_nc();
	return done();
}
