/* Addresses: ports, address records (src/sock/addr.c). */
#include "config.h"

#include "test_sock.h"

void
test_parse_port(void)
{
	static const struct {
		const char *in;
		uint16_t port;
	} good[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "80", 80 },
		{ "65535", 65535 },
		{ "http", 80 },
		{ "ssh", 22 },
	};
	static const char *bad[] = { "65536", "-1", "8x", "", "99999999999",
		"nosuchservice" };
	struct sock_err e;
	uint16_t port;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		port = 12345;
		rc = sock_parse_port(good[i].in, "tcp", false, &port, &e);
		ok(rc == 0 && port == good[i].port,
		    "sock_parse_port \"%s\" is %u", good[i].in,
		    (unsigned)good[i].port);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		rc = sock_parse_port(bad[i], "tcp", false, &port, &e);
		ok(rc == -1 && e.kind == SOCK_EUSAGE &&
			strstr(e.what, bad[i]) != NULL,
		    "sock_parse_port refuses \"%s\" as a usage error naming it",
		    bad[i]);
	}
	memset(&e, 0, sizeof(e));
	ok(sock_parse_port("http", "tcp", true, &port, &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_parse_port refuses a service name when numeric");
	ok(sock_parse_port("8080", "tcp", true, &port, &e) == 0 && port == 8080,
	    "sock_parse_port takes a number when numeric");
}

void
test_addr(void)
{
	struct sock_addr a, b;
	struct sock_err e;
	char buf[NI_MAXHOST + 16], path[200];
	size_t off = offsetof(struct sockaddr_un, sun_path);

	ok(sock_addr_ip(&a, "127.0.0.1", 80, AF_UNSPEC, &e) == 0 &&
		a.family == AF_INET && a.port == 80 &&
		a.len == sizeof(struct sockaddr_in),
	    "sock_addr_ip 127.0.0.1 is IPv4, port 80");
	is_str(sock_addr_str(&a, buf, sizeof(buf)), "127.0.0.1:80",
	    "sock_addr_str of IPv4 is ADDR:PORT");
	ok(sock_addr_ip(&a, "::1", 80, AF_UNSPEC, &e) == 0 &&
		a.family == AF_INET6 && a.port == 80 &&
		strcmp(a.host, "::1") == 0,
	    "sock_addr_ip ::1 is IPv6, port 80");
	is_str(sock_addr_str(&a, buf, sizeof(buf)), "[::1]:80",
	    "sock_addr_str of IPv6 is [ADDR]:PORT");
	ok(sock_addr_ip(&a, "2001:DB8:0::1", 443, AF_INET6, &e) == 0 &&
		strcmp(a.host, "2001:db8::1") == 0,
	    "sock_addr_ip writes IPv6 hosts in canonical form");
	memset(&e, 0, sizeof(e));
	ok(sock_addr_ip(&a, "localhost", 80, AF_UNSPEC, &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_addr_ip refuses a name (localhost) as a usage error");
	memset(&e, 0, sizeof(e));
	ok(sock_addr_ip(&a, "127.0.0.1", 80, AF_INET6, &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_addr_ip refuses an IPv4 address when IPv6 is asked");
	memset(&e, 0, sizeof(e));
	ok(sock_addr_ip(&a, "::1", 80, AF_INET, &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_addr_ip refuses an IPv6 address when IPv4 is asked");
	memset(&e, 0, sizeof(e));
	ok(sock_addr_ip(&a, "", 80, AF_UNSPEC, &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_addr_ip refuses an empty host");

	ok(sock_addr_ip(&a, "::ffff:127.0.0.1", 8080, AF_UNSPEC, &e) == 0 &&
		a.family == AF_INET6,
	    "::ffff:127.0.0.1 is an IPv6 record");
	sock_addr_unmap(&a);
	ok(a.family == AF_INET && a.port == 8080 &&
		a.len == sizeof(struct sockaddr_in) &&
		((struct sockaddr_in *)&a.ss)->sin_family == AF_INET,
	    "sock_addr_unmap turns ::ffff:127.0.0.1 into IPv4, port kept");
	is_str(sock_addr_str(&a, buf, sizeof(buf)), "127.0.0.1:8080",
	    "the unmapped address prints as 127.0.0.1:8080");
	a = addr("::1", 9);
	sock_addr_unmap(&a);
	ok(a.family == AF_INET6 && strcmp(a.host, "::1") == 0,
	    "sock_addr_unmap leaves a plain IPv6 address alone");
	a = addr("127.0.0.1", 9);
	b = addr("::ffff:127.0.0.1", 9);
	ok(!sock_addr_equal(&a, &b), "a mapped address differs from IPv4");
	sock_addr_unmap(&b);
	ok(sock_addr_equal(&a, &b), "and equals it once unmapped");

	a = addr("127.0.0.1", 9);
	b = addr("127.255.0.9", 9);
	ok(sock_addr_loopback(&a) && sock_addr_loopback(&b),
	    "127.0.0.1 and 127.255.0.9 are loopback addresses");
	a = addr("::1", 9);
	b = addr("::ffff:127.0.0.2", 9);
	ok(sock_addr_loopback(&a) && sock_addr_loopback(&b),
	    "::1 and ::ffff:127.0.0.2 are loopback addresses");
	a = addr("10.0.0.1", 9);
	b = addr("::2", 9);
	ok(!sock_addr_loopback(&a) && !sock_addr_loopback(&b),
	    "10.0.0.1 and ::2 are not");
	a = addr("128.0.0.1", 9);
	b = addr("::ffff:10.0.0.1", 9);
	ok(!sock_addr_loopback(&a) && !sock_addr_loopback(&b),
	    "nor 128.0.0.1 and ::ffff:10.0.0.1");
	ok(sock_addr_unix(&a, "/tmp/x.sock", &e) == 0 &&
		!sock_addr_loopback(&a),
	    "nor a Unix socket's path");

	sock_addr_any(&a, AF_INET, 7);
	ok(a.family == AF_INET && strcmp(a.host, "0.0.0.0") == 0 && a.port == 7,
	    "sock_addr_any AF_INET is 0.0.0.0");
	sock_addr_any(&a, AF_UNSPEC, 7);
	ok(a.family == AF_INET6 && strcmp(a.host, "::") == 0,
	    "sock_addr_any AF_UNSPEC is ::");

	ok(sock_addr_unix(&a, "/tmp/sockit.sock", &e) == 0 &&
		a.family == AF_UNIX && strcmp(a.host, "/tmp/sockit.sock") == 0,
	    "sock_addr_unix takes a path");
	is_str(sock_addr_str(&a, buf, sizeof(buf)), "/tmp/sockit.sock",
	    "sock_addr_str of a Unix address is its path");
	ok(sock_addr_unix(&a, "@abstract", &e) == 0 && a.family == AF_UNIX &&
		strcmp(a.host, "@abstract") == 0 && a.len == off + 9 &&
		((struct sockaddr_un *)&a.ss)->sun_path[0] == '\0' &&
		memcmp(((struct sockaddr_un *)&a.ss)->sun_path + 1, "abstract",
		    8) == 0,
	    "sock_addr_unix \"@abstract\": a NUL, then the name, no NUL after");
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[sizeof(((struct sockaddr_un *)0)->sun_path) - 1] = '\0';
	ok(sock_addr_unix(&a, path, &e) == 0,
	    "sock_addr_unix takes the longest path that fits (%zu bytes)",
	    strlen(path));
	path[sizeof(((struct sockaddr_un *)0)->sun_path) - 1] = 'x';
	path[sizeof(((struct sockaddr_un *)0)->sun_path)] = '\0';
	memset(&e, 0, sizeof(e));
	ok(sock_addr_unix(&a, path, &e) == -1 && e.kind == SOCK_EUSAGE,
	    "sock_addr_unix refuses a path one byte too long");
	path[sizeof(path) - 1] = '\0';
	memset(path, 'y', sizeof(path) - 1);
	memset(&e, 0, sizeof(e));
	ok(sock_addr_unix(&a, path, &e) == -1 && e.kind == SOCK_EUSAGE,
	    "sock_addr_unix refuses a path far too long");
	ok(sock_addr_unix(&a, "", &e) == -1 && e.kind == SOCK_EUSAGE,
	    "sock_addr_unix refuses an empty path");
	ok(sock_addr_unix(&a, "@", &e) == -1 && e.kind == SOCK_EUSAGE,
	    "sock_addr_unix refuses an empty abstract name");
}
