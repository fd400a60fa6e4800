/* Unit tests of the socket module (src/sock/): addresses, values,
   resolution, TCP, Unix sockets, UDP and socket options.  Loopback only;
   every wait is bounded. */
#include "config.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/args.h"
#include "sock/sock.h"
#include "addr.h"
#include "tap.h"

/* A TCP listener on 127.0.0.1, an ephemeral port; *port is that port. */
static int
listen_lo(int backlog, uint16_t *port)
{
	struct sock_addr a = addr("127.0.0.1", 0), name;
	struct sock_err e;
	int fd;

	fd = sock_listen(&a, true, backlog, &e);
	if (fd == -1 || sock_name(fd, &name, &e) == -1) {
		printf("Bail out! %s: %s\n", e.what, sock_strerror(&e));
		exit(1);
	}
	*port = name.port;
	return fd;
}

/* A port of 127.0.0.1 nobody listens on (listened on, then closed). */
static uint16_t
closed_port(void)
{
	uint16_t port;

	close(listen_lo(1, &port));
	return port;
}

/* Reads exactly n bytes within WAIT_MS.  Returns true when they came. */
static bool
read_all(int fd, char *buf, size_t n)
{
	struct sock_err e;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (sock_wait(fd, POLLIN, WAIT_MS, &e) <= 0)
			return false;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static void
test_split_hostport(void)
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
		rc = sock_split_hostport(t[i].in, host, sizeof(host), port,
		    sizeof(port), &e);
		ok(rc == t[i].rc && strcmp(host, t[i].host) == 0 &&
			strcmp(port, t[i].port) == 0,
		    "sock_split_hostport \"%s\" -> %d, "
		    "host \"%s\", port \"%s\"",
		    t[i].in, t[i].rc, t[i].host, t[i].port);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		rc = sock_split_hostport(bad[i], host, sizeof(host), port,
		    sizeof(port), &e);
		ok(rc == -1 && e.kind == SOCK_EUSAGE,
		    "sock_split_hostport refuses \"%s\" as a usage error",
		    bad[i]);
	}
	rc = sock_split_hostport("averyveryverylonghostname:80", host, 8, port,
	    sizeof(port), &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "sock_split_hostport refuses a host longer than the buffer");
}

static void
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

static void
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

static void
test_values(void)
{
	static const struct {
		const char *in;
		int64_t ms;
	} dur[] = {
		{ "250ms", 250 },
		{ "2s", 2000 },
		{ "1.5", 1500 },
		{ "3m", 180000 },
		{ "1h", 3600000 },
		{ "0", 0 },
		{ ".5", 500 },
		{ "0.25s", 250 },
		{ "1.0005", 1001 },
		/* float noise is not a fraction (the fuzzer found this one) */
		{ "4444.4448m", 266666688 },
		{ "0.1s", 100 },
		{ "0.3", 300 },
		/* past INT_MAX ms, up to the limit of 365 days (audit 9) */
		{ "700h", 2520000000LL },
		{ "8760h", 31536000000LL },
		{ "525600m", 31536000000LL },
		{ "31536000", 31536000000LL },
		{ "31536000000ms", 31536000000LL },
	};
	static const char *bad_dur[] = { "5x", "", "-1", "s", "1.5.5", "ms",
		"1 s", "nan", "inf", "1e400", "0x10", "0x1p4s", "1e3",
		/* past 365 days (audit 9) */
		"8760.001h", "525601m", "31536000001ms", "31536000.001",
		"10000000h", "99999999999999999999999999" };
	static const struct {
		const char *in;
		uint64_t bytes;
	} size[] = {
		{ "0", 0 },
		{ "100", 100 },
		{ "64K", 65536 },
		{ "64k", 65536 },
		{ "1M", 1048576 },
		{ "2G", 2147483648ULL },
	};
	static const char *bad_size[] = { "3X", "", "K", "1KB", "-1",
		"99999999999999999999", "17179869184G" };
	static const char *on[] = { "on", "ON", "true", "yes", "1" };
	static const char *off[] = { "off", "False", "no", "0" };
	static const char *bad_bool[] = { "maybe", "", "2", "onn" };
	struct sock_err e;
	int64_t ms;
	uint64_t u;
	bool b;
	size_t i;

	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++) {
		ms = -42;
		ok(sock_parse_dur(dur[i].in, &ms, &e) == 0 && ms == dur[i].ms,
		    "sock_parse_dur \"%s\" is %lld ms", dur[i].in,
		    (long long)dur[i].ms);
	}
	for (i = 0; i < sizeof(bad_dur) / sizeof(bad_dur[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(sock_parse_dur(bad_dur[i], &ms, &e) == -1 &&
			e.kind == SOCK_EUSAGE && e.msg[0] != '\0',
		    "sock_parse_dur refuses \"%s\" (%s)", bad_dur[i], e.msg);
	}
	for (i = 0; i < sizeof(size) / sizeof(size[0]); i++)
		ok(sock_parse_size(size[i].in, &u, &e) == 0 &&
			u == size[i].bytes,
		    "sock_parse_size \"%s\" is %llu", size[i].in,
		    (unsigned long long)size[i].bytes);
	for (i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(sock_parse_size(bad_size[i], &u, &e) == -1 &&
			e.kind == SOCK_EUSAGE,
		    "sock_parse_size refuses \"%s\" (%s)", bad_size[i], e.msg);
	}
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		ok(sock_parse_bool(on[i], &b, &e) == 0 && b,
		    "sock_parse_bool \"%s\" is true", on[i]);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		ok(sock_parse_bool(off[i], &b, &e) == 0 && !b,
		    "sock_parse_bool \"%s\" is false", off[i]);
	for (i = 0; i < sizeof(bad_bool) / sizeof(bad_bool[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(sock_parse_bool(bad_bool[i], &b, &e) == -1 &&
			e.kind == SOCK_EUSAGE,
		    "sock_parse_bool refuses \"%s\"", bad_bool[i]);
	}
	ok(sock_parse_uint("255", 255, &u, &e) == 0 && u == 255 &&
		sock_parse_uint("256", 255, &u, &e) == -1,
	    "sock_parse_uint takes its maximum and refuses one more");
}

static void
test_resolve(void)
{
	struct sock_ai ai;
	struct sock_err e;
	char name[NI_MAXHOST];
	size_t i;
	bool all;
	int rc;

	rc = sock_resolve("127.0.0.1", "80", AF_UNSPEC, SOCK_STREAM,
	    SOCK_R_NUMERIC, &ai, &e);
	ok(rc == 0 && ai.n == 1 && ai.v[0].family == AF_INET &&
		strcmp(ai.v[0].host, "127.0.0.1") == 0 && ai.v[0].port == 80 &&
		ai.v[0].socktype == SOCK_STREAM,
	    "sock_resolve of 127.0.0.1 port 80, numeric: one TCP record");
	if (rc == 0)
		sock_ai_free(&ai);

	rc =
	    sock_resolve("localhost", "http", AF_INET, SOCK_STREAM, 0, &ai, &e);
	all = rc == 0 && ai.n > 0;
	for (i = 0; all && i < ai.n; i++)
		all = ai.v[i].family == AF_INET && ai.v[i].port == 80 &&
		    strcmp(ai.v[i].host, "127.0.0.1") == 0;
	ok(all,
	    "sock_resolve localhost, AF_INET, service http: 127.0.0.1 "
	    "port 80");
	if (rc == 0)
		sock_ai_free(&ai);

	memset(&e, 0, sizeof(e));
	rc =
	    sock_resolve("x.invalid", NULL, AF_UNSPEC, SOCK_STREAM, 0, &ai, &e);
	ok(rc == -1 && e.kind == SOCK_ERESOLVE && e.code == EAI_NONAME,
	    "sock_resolve x.invalid fails: ERESOLVE, EAI_NONAME (got %s)",
	    sock_eai_name(e.code));
	is_str(sock_eai_name(e.code), "EAI_NONAME",
	    "sock_eai_name names the code EAI_NONAME");
	ok(strstr(e.what, "x.invalid") != NULL &&
		strcmp(sock_strerror(&e), gai_strerror(EAI_NONAME)) == 0,
	    "the error names the host and gives gai_strerror's reason");
	is_str(sock_eai_name(-12345), "EAI_?",
	    "sock_eai_name of an unknown code is EAI_?");

	memset(&e, 0, sizeof(e));
	rc = sock_resolve("localhost", NULL, AF_UNSPEC, 0, SOCK_R_NUMERICHOST,
	    &ai, &e);
	ok(rc == -1 && e.kind == SOCK_ERESOLVE && e.code == EAI_NONAME,
	    "sock_resolve of a name with SOCK_R_NUMERICHOST is EAI_NONAME");

	rc = sock_reverse("127.0.0.1", name, sizeof(name), &e);
	ok(rc == 0 && name[0] != '\0',
	    "sock_reverse 127.0.0.1 gives a name (%s)", rc == 0 ? name : "");
	memset(&e, 0, sizeof(e));
	ok(sock_reverse("localhost", name, sizeof(name), &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_reverse of a name is a usage error");
}

/* A hand-made list of the families, ports 1, 2, ... in order. */
static void
make_ai(struct sock_ai *ai, const int *fam, size_t n)
{
	size_t i;

	memset(ai, 0, sizeof(*ai));
	ai->v = calloc(n, sizeof(*ai->v));
	if (ai->v == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		ai->v[i] = addr(fam[i] == AF_INET6 ? "::1" : "127.0.0.1",
		    (uint16_t)(i + 1));
	ai->n = n;
}

/* The ports of the list, "1,3,2,4". */
static const char *
ai_ports(const struct sock_ai *ai, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ai->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i ? "," : "", (unsigned)ai->v[i].port);
	return buf;
}

static void
test_interleave(void)
{
	static const struct {
		int fam[6];
		size_t n;
		const char *want;
		const char *what;
	} t[] = {
		{ { AF_INET6, AF_INET6, AF_INET, AF_INET }, 4, "1,3,2,4",
		    "v6,v6,v4,v4 becomes v6,v4,v6,v4" },
		{ { AF_INET, AF_INET, AF_INET6, AF_INET6 }, 4, "1,3,2,4",
		    "v4,v4,v6,v6 becomes v4,v6,v4,v6 (the first leads)" },
		{ { AF_INET6, AF_INET6, AF_INET6, AF_INET }, 4, "1,4,2,3",
		    "v6,v6,v6,v4: the one v4 comes second" },
		{ { AF_INET6, AF_INET, AF_INET, AF_INET, AF_INET6 }, 5,
		    "1,2,5,3,4", "v6,v4,v4,v4,v6: the other v6 comes third" },
		{ { AF_INET, AF_INET, AF_INET }, 3, "1,2,3",
		    "one family only keeps its order" },
		{ { AF_INET6, AF_INET }, 2, "1,2", "two addresses are kept" },
	};
	struct sock_ai ai;
	char buf[64];
	size_t i, k;
	bool alt;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		make_ai(&ai, t[i].fam, t[i].n);
		sock_ai_interleave(&ai);
		is_str(ai_ports(&ai, buf, sizeof(buf)), t[i].want,
		    "sock_ai_interleave: %s", t[i].what);
		if (i == 0) {
			alt = ai.n == 4;
			for (k = 0; alt && k < ai.n; k++)
				alt = ai.v[k].family ==
				    (k % 2 ? AF_INET : AF_INET6);
			ok(alt, "sock_ai_interleave alternates the families");
		}
		sock_ai_free(&ai);
	}
}

/* cc: the connection's congestion control into name */
static bool
cc_name(int fd, char *name, socklen_t len)
{
	memset(name, 0, len);
	len--;
	return getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) == 0;
}

/* The congestion control new TCP sockets get, into name. */
static bool
cc_system(char *name, size_t len)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/tcp_congestion_control", "r");
	bool got;

	if (fp == NULL)
		return false;
	got = fgets(name, (int)len, fp) != NULL;
	fclose(fp);
	name[strcspn(name, "\n")] = '\0';
	return got;
}

/* first hour 9: a loopback connection of the module, and -O through
   sockopts_apply, keep the system's congestion control */
static void
test_system_cc(int cfd, int sfd)
{
	struct sockopts so = { .n = 0 };
	struct sock_addr peer;
	struct sock_err e;
	char want[16] = "", client[16] = "", server[16] = "";

	ok(cc_system(want, sizeof(want)) && sock_peer(cfd, &peer, &e) == 0 &&
		sockopts_apply(&so, cfd, &peer, &e) == 0 &&
		cc_name(cfd, client, sizeof(client)) &&
		cc_name(sfd, server, sizeof(server)) &&
		strcmp(client, want) == 0 && strcmp(server, want) == 0,
	    "first hour 9: a loopback connection keeps the system's "
	    "congestion control (%s): client %s, server %s",
	    want, client, server);
}

static void
test_tcp(void)
{
	struct sock_addr a, peer, cname, sname;
	struct sock_err e;
	uint16_t port;
	char buf[16];
	double t0, dt;
	int lfd, cfd, sfd;

	lfd = listen_lo(0, &port);
	ok(port != 0,
	    "sock_listen on 127.0.0.1 port 0; sock_name gives "
	    "the port (%u)",
	    (unsigned)port);
	a = addr("127.0.0.1", port);
	cfd = sock_connect(&a, NULL, WAIT_MS, &e);
	ok(cfd >= 0, "sock_connect to the listener within a timeout");
	ok(cfd >= 0 && (fcntl(cfd, F_GETFL) & O_NONBLOCK) == 0 &&
		(fcntl(cfd, F_GETFD) & FD_CLOEXEC) != 0,
	    "the connected descriptor is blocking and close-on-exec");
	sfd = sock_accept(lfd, WAIT_MS, &peer, &e);
	ok(sfd >= 0 && peer.family == AF_INET &&
		strcmp(peer.host, "127.0.0.1") == 0,
	    "sock_accept returns the client, peer 127.0.0.1");
	ok(sfd >= 0 && (fcntl(sfd, F_GETFL) & O_NONBLOCK) == 0 &&
		(fcntl(sfd, F_GETFD) & FD_CLOEXEC) != 0,
	    "the accepted descriptor is blocking and close-on-exec");
	ok(cfd >= 0 && sfd >= 0 && sock_name(cfd, &cname, &e) == 0 &&
		sock_addr_equal(&cname, &peer),
	    "the peer address is the client's own address");
	ok(cfd >= 0 && sock_peer(cfd, &sname, &e) == 0 &&
		sock_addr_equal(&sname, &a),
	    "sock_peer of the client is the "
	    "listener's address");
	ok(cfd >= 0 && sfd >= 0 && write(cfd, "ping", 4) == 4 &&
		read_all(sfd, buf, 4) && memcmp(buf, "ping", 4) == 0,
	    "bytes go from client to server");
	ok(cfd >= 0 && sfd >= 0 && write(sfd, "pong!", 5) == 5 &&
		read_all(cfd, buf, 5) && memcmp(buf, "pong!", 5) == 0,
	    "bytes go from server to client");
	ok(cfd >= 0 && sock_nodelay(cfd, true, &e) == 0 &&
		sock_nodelay(cfd, false, &e) == 0,
	    "sock_nodelay succeeds on a TCP socket");
	ok(sfd >= 0 && sock_quickack(sfd, true, &e) == 0,
	    "sock_quickack succeeds on a TCP socket (%s)",
	    sfd >= 0 ? sock_strerror(&e) : "");
	test_system_cc(cfd, sfd);
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);

	/* no client: the accept times out */
	memset(&e, 0, sizeof(e));
	t0 = sock_now_ms();
	sfd = sock_accept(lfd, 100, &peer, &e);
	dt = sock_now_ms() - t0;
	ok(sfd == -1 && e.kind == SOCK_ENET && e.code == ETIMEDOUT,
	    "sock_accept with no client: ENET, ETIMEDOUT");
	ok(dt >= 90 && dt < 1500,
	    "sock_accept gives up after its 100 ms timeout (%.0f ms)", dt);
	if (sfd >= 0)
		close(sfd);
	close(lfd);

	/* nobody listens: refused */
	a = addr("127.0.0.1", closed_port());
	memset(&e, 0, sizeof(e));
	t0 = sock_now_ms();
	cfd = sock_connect(&a, NULL, WAIT_MS, &e);
	dt = sock_now_ms() - t0;
	ok(cfd == -1 && e.kind == SOCK_ENET && e.code == ECONNREFUSED,
	    "sock_connect to a closed port: ENET, ECONNREFUSED (%s)",
	    sock_strerror(&e));
	ok(dt < WAIT_MS, "a refused connect does not wait for the timeout");
	ok(strstr(e.what, "127.0.0.1") != NULL,
	    "the error names the address (%s)", e.what);
	if (cfd >= 0)
		close(cfd);
}

/* Connect timeout: a listener that never accepts, its queue filled, so
   the kernel drops further SYNs and a connect hangs. */
static void
test_connect_timeout(void)
{
	struct sock_addr a;
	struct sock_err e;
	uint16_t port;
	int lfd, fill[8], fd;
	size_t i;
	double t0, dt;

	lfd = listen_lo(1, &port);
	a = addr("127.0.0.1", port);
	for (i = 0; i < sizeof(fill) / sizeof(fill[0]); i++) {
		fill[i] = sock_connect_start(&a, NULL, SOCK_STREAM, &e);
		/* let the handshake of those that get in finish */
		if (fill[i] >= 0)
			sock_wait(fill[i], POLLOUT, 100, &e);
	}
	memset(&e, 0, sizeof(e));
	t0 = sock_now_ms();
	fd = sock_connect(&a, NULL, 300, &e);
	dt = sock_now_ms() - t0;
	ok(fd == -1 && e.kind == SOCK_ENET && e.code == ETIMEDOUT,
	    "sock_connect to a full listener times out: ENET, ETIMEDOUT "
	    "(%s)",
	    fd == -1 ? sock_strerror(&e) : "connected");
	ok(dt >= 250 && dt <= 2000,
	    "the connect gave up near its 300 ms timeout (%.0f ms)", dt);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < sizeof(fill) / sizeof(fill[0]); i++)
		if (fill[i] >= 0)
			close(fill[i]);
	close(lfd);
}

static void
test_connect_list(void)
{
	struct sock_addr list[2], peer, from;
	struct sock_err e;
	char serv[8];
	uint16_t port;
	int lfd, fd, sfd;
	double t0, dt;

	lfd = listen_lo(0, &port);
	list[0] = addr("127.0.0.1", closed_port());
	list[1] = addr("127.0.0.1", port);
	memset(&peer, 0, sizeof(peer));
	t0 = sock_now_ms();
	fd = sock_connect_list(list, 2, NULL, WAIT_MS, &peer, &e);
	dt = sock_now_ms() - t0;
	ok(fd >= 0 && sock_addr_equal(&peer, &list[1]),
	    "sock_connect_list [refused, good] connects to the good one and "
	    "fills *peer");
	ok(dt < 1000, "a refused address starts the next at once (%.0f ms)",
	    dt);
	sfd = sock_accept(lfd, WAIT_MS, &from, &e);
	ok(sfd >= 0, "the listener gets that client");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);

	memset(&e, 0, sizeof(e));
	fd = sock_connect_list(list, 1, NULL, WAIT_MS, &peer, &e);
	ok(fd == -1 && e.kind == SOCK_ENET && e.code == ECONNREFUSED,
	    "sock_connect_list of a refused address only: ECONNREFUSED");
	memset(&e, 0, sizeof(e));
	ok(sock_connect_list(list, 0, NULL, WAIT_MS, &peer, &e) == -1 &&
		e.kind != SOCK_OK,
	    "sock_connect_list of no address fails");

	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	memset(&peer, 0, sizeof(peer));
	fd = sock_connect_host("localhost", serv, AF_UNSPEC, 0, NULL, WAIT_MS,
	    &peer, &e);
	ok(fd >= 0 && peer.family == AF_INET && peer.port == port &&
		strcmp(peer.host, "127.0.0.1") == 0,
	    "sock_connect_host localhost connects to 127.0.0.1 port %s", serv);
	sfd = sock_accept(lfd, WAIT_MS, &from, &e);
	ok(sfd >= 0, "the listener gets the sock_connect_host client");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);

	memset(&e, 0, sizeof(e));
	fd = sock_connect_host("x.invalid", serv, AF_UNSPEC, 0, NULL, WAIT_MS,
	    &peer, &e);
	ok(fd == -1 && e.kind == SOCK_ERESOLVE,
	    "sock_connect_host of x.invalid is a resolution error");
	close(lfd);
}

static void
test_dual_stack(void)
{
	struct sock_addr any, a, peer, name;
	struct sock_err e;
	int probe, lfd, fd, sfd;

	probe = socket(AF_INET6, SOCK_STREAM, 0);
	if (probe == -1) {
		ok(1, "a :: listener accepts an IPv4 client # SKIP no IPv6");
		return;
	}
	close(probe);
	sock_addr_any(&any, AF_INET6, 0);
	lfd = sock_listen(&any, true, 0, &e);
	if (lfd == -1 || sock_name(lfd, &name, &e) == -1) {
		ok(0, "sock_listen on :: port 0 (%s: %s)", e.what,
		    sock_strerror(&e));
		return;
	}
	a = addr("127.0.0.1", name.port);
	fd = sock_connect(&a, NULL, WAIT_MS, &e);
	sfd = fd >= 0 ? sock_accept(lfd, WAIT_MS, &peer, &e) : -1;
	ok(sfd >= 0 && peer.family == AF_INET6 &&
		strcmp(peer.host, "::ffff:127.0.0.1") == 0,
	    "a :: listener accepts a client from 127.0.0.1 (as "
	    "::ffff:127.0.0.1)");
	sock_addr_unmap(&peer);
	ok(sfd >= 0 && peer.family == AF_INET &&
		strcmp(peer.host, "127.0.0.1") == 0,
	    "the peer unmaps to 127.0.0.1");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

static void
test_unix(void)
{
	char dir[] = "/tmp/test_sock.XXXXXX", path[128], abs[64], buf[8];
	struct sock_addr a, peer, name;
	struct sock_err e;
	struct stat st;
	int lfd, fd, sfd, f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp for the Unix socket tests");
		return;
	}
	snprintf(path, sizeof(path), "%s/s", dir);
	sock_addr_unix(&a, path, &e);
	lfd = sock_listen(&a, false, 0, &e);
	ok(lfd >= 0 && stat(path, &st) == 0 && S_ISSOCK(st.st_mode),
	    "sock_listen on a Unix path makes the socket file");
	fd = lfd >= 0 ? sock_connect(&a, NULL, WAIT_MS, &e) : -1;
	ok(fd >= 0, "sock_connect to the Unix socket");
	sfd = fd >= 0 ? sock_accept(lfd, WAIT_MS, &peer, &e) : -1;
	ok(sfd >= 0 && peer.family == AF_UNIX,
	    "sock_accept of a Unix client (unnamed, AF_UNIX)");
	ok(fd >= 0 && sfd >= 0 && write(fd, "unix", 4) == 4 &&
		read_all(sfd, buf, 4) && memcmp(buf, "unix", 4) == 0,
	    "bytes cross the Unix socket");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);

	/* a live listener is not taken over */
	memset(&e, 0, sizeof(e));
	fd = sock_listen(&a, false, 0, &e);
	ok(fd == -1 && e.kind == SOCK_ELOCAL && e.code == EADDRINUSE,
	    "sock_listen on a path someone listens on: ELOCAL, EADDRINUSE");
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);

	/* the file stays, nobody listens: stale, replaced */
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode),
	    "closing the listener leaves a stale socket file");
	lfd = sock_listen(&a, false, 0, &e);
	fd = lfd >= 0 ? sock_connect(&a, NULL, WAIT_MS, &e) : -1;
	ok(lfd >= 0 && fd >= 0,
	    "sock_listen replaces the stale socket file, and it works");
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	unlink(path);

	/* anything else at the path is left alone */
	f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok(f >= 0 && write(f, "keep", 4) == 4, "a regular file at the path");
	if (f >= 0)
		close(f);
	memset(&e, 0, sizeof(e));
	lfd = sock_listen(&a, false, 0, &e);
	ok(lfd == -1 && e.kind == SOCK_ELOCAL,
	    "sock_listen refuses a path holding a regular file: ELOCAL (%s: "
	    "%s)",
	    e.what, sock_strerror(&e));
	memset(buf, 0, sizeof(buf));
	f = open(path, O_RDONLY | O_CLOEXEC);
	ok(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4 &&
		f >= 0 && read(f, buf, sizeof(buf)) == 4 &&
		memcmp(buf, "keep", 4) == 0,
	    "the regular file is left intact");
	if (f >= 0)
		close(f);
	if (lfd >= 0)
		close(lfd);
	unlink(path);

	/* the abstract namespace: no file */
	snprintf(abs, sizeof(abs), "@sockit-test-%ld", (long)getpid());
	sock_addr_unix(&a, abs, &e);
	lfd = sock_listen(&a, false, 0, &e);
	ok(lfd >= 0, "sock_listen on abstract \"%s\"", abs);
	ok(lfd >= 0 && sock_name(lfd, &name, &e) == 0 &&
		name.family == AF_UNIX && strcmp(name.host, abs) == 0,
	    "sock_name of the abstract listener is \"%s\"", abs);
	fd = lfd >= 0 ? sock_connect(&a, NULL, WAIT_MS, &e) : -1;
	sfd = fd >= 0 ? sock_accept(lfd, WAIT_MS, &peer, &e) : -1;
	ok(fd >= 0 && sfd >= 0 && write(sfd, "abs", 3) == 3 &&
		read_all(fd, buf, 3) && memcmp(buf, "abs", 3) == 0,
	    "connect, accept and bytes over the abstract socket");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);

	/* nobody at a path: refused */
	snprintf(path, sizeof(path), "%s/none", dir);
	sock_addr_unix(&a, path, &e);
	memset(&e, 0, sizeof(e));
	fd = sock_connect(&a, NULL, WAIT_MS, &e);
	ok(fd == -1 && e.kind == SOCK_ENET && e.code == ENOENT,
	    "sock_connect to a missing Unix path: ENET, ENOENT");
	if (fd >= 0)
		close(fd);
	rmdir(dir);
}

static void
test_udp(void)
{
	struct sock_addr lo, name, sname, from;
	struct sock_err e;
	struct timespec stamp, now;
	char big[2000], buf[64];
	bool trunc = false;
	ssize_t n;
	double t0, dt;
	int rfd, sfd;

	lo = addr("127.0.0.1", 0);
	rfd = sock_udp(AF_INET, &lo, false, &e);
	ok(rfd >= 0 && sock_name(rfd, &name, &e) == 0 && name.port != 0,
	    "sock_udp bound to 127.0.0.1 port 0");
	if (rfd == -1)
		return;
	ok(sock_timestamps(rfd, &e) == 0, "sock_timestamps turns them on");
	sfd = sock_udp(AF_INET, NULL, false, &e);
	ok(sfd >= 0, "an unbound UDP socket to send from");
	if (sfd == -1) {
		close(rfd);
		return;
	}
	n = sock_sendto(sfd, "hello", 5, &name, WAIT_MS, &e);
	ok(n == 5, "sock_sendto sends the 5 bytes");
	sock_name(sfd, &sname, &e);
	memset(&stamp, 0, sizeof(stamp));
	memset(&from, 0, sizeof(from));
	trunc = true;
	n = sock_recvfrom(rfd, buf, sizeof(buf), WAIT_MS, &from, &stamp, &trunc,
	    &e);
	clock_gettime(CLOCK_REALTIME, &now);
	ok(n == 5 && memcmp(buf, "hello", 5) == 0,
	    "sock_recvfrom gets the payload");
	ok(n == 5 && from.family == AF_INET &&
		strcmp(from.host, "127.0.0.1") == 0 && from.port == sname.port,
	    "sock_recvfrom gives the sender's address and port");
	ok(n == 5 && (stamp.tv_sec != 0 || stamp.tv_nsec != 0) &&
		stamp.tv_sec <= now.tv_sec && stamp.tv_sec > now.tv_sec - 60,
	    "the receive time stamp is set, and now-ish");
	ok(n == 5 && !trunc, "a small datagram is not truncated");

	memset(big, 'b', sizeof(big));
	n = sock_sendto(sfd, big, sizeof(big), &name, WAIT_MS, &e);
	ok(n == (ssize_t)sizeof(big), "a %zu-byte datagram is sent",
	    sizeof(big));
	trunc = false;
	n = sock_recvfrom(rfd, buf, 10, WAIT_MS, &from, NULL, &trunc, &e);
	ok(n == 10 && trunc,
	    "a datagram longer than the buffer: 10 bytes stored, trunc set");

	memset(&e, 0, sizeof(e));
	t0 = sock_now_ms();
	n = sock_recvfrom(rfd, buf, sizeof(buf), 100, &from, &stamp, &trunc,
	    &e);
	dt = sock_now_ms() - t0;
	ok(n == -1 && e.kind == SOCK_ENET && e.code == ETIMEDOUT,
	    "sock_recvfrom with nothing to read: ENET, ETIMEDOUT");
	ok(dt >= 90 && dt < 1500,
	    "sock_recvfrom gives up after its 100 ms timeout (%.0f ms)", dt);
	close(sfd);
	close(rfd);
}

static void
test_opt_find(void)
{
	const struct sock_opt *o;

	o = sock_opt_find("SO_RCVBUF");
	ok(o != NULL && strcmp(o->name, "SO_RCVBUF") == 0 &&
		o->level == SOL_SOCKET && o->optname == SO_RCVBUF &&
		o->type == SOT_SIZE,
	    "sock_opt_find SO_RCVBUF: its row");
	o = sock_opt_find("so_rcvbuf");
	ok(o != NULL && strcmp(o->name, "SO_RCVBUF") == 0,
	    "sock_opt_find is case-insensitive (so_rcvbuf)");
	o = sock_opt_find("rcvbuf");
	ok(o != NULL && strcmp(o->name, "SO_RCVBUF") == 0,
	    "sock_opt_find takes the short form (rcvbuf)");
	o = sock_opt_find("NoDelay");
	ok(o != NULL && strcmp(o->name, "TCP_NODELAY") == 0,
	    "sock_opt_find NoDelay is TCP_NODELAY");
	ok(sock_opt_find("SO_BOGUS") == NULL &&
		sock_opt_find("bogus") == NULL && sock_opt_find("") == NULL,
	    "sock_opt_find of an unknown name is NULL");
}

static void
test_opts(void)
{
	const struct sock_opt *o;
	struct sock_optval v;
	struct sock_err e;
	char buf[64];
	int fd, rc;

	rc = sock_opt_check("SO_RCVBUF=64K", &o, &v, &e);
	ok(rc == 0 && o != NULL && strcmp(o->name, "SO_RCVBUF") == 0 &&
		v.i == 65536,
	    "sock_opt_check SO_RCVBUF=64K parses 65536");
	rc = sock_opt_check("IP_TOS=ef", &o, &v, &e);
	ok(rc == 0 && v.i == 184, "sock_opt_check IP_TOS=ef is 184 (46 << 2)");
	rc = sock_opt_check("ip_tos=af41", &o, &v, &e);
	ok(rc == 0 && v.i == 136, "sock_opt_check ip_tos=af41 is 136");
	rc = sock_opt_check("IP_TOS=16", &o, &v, &e);
	ok(rc == 0 && v.i == 16, "sock_opt_check IP_TOS=16 is 16");

	memset(&e, 0, sizeof(e));
	rc = sock_opt_check("SO_RCVBUF=abc", &o, &v, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE && strstr(e.what, "abc") != NULL &&
		strstr(e.what, "SO_RCVBUF"),
	    "sock_opt_check SO_RCVBUF=abc: usage error naming value and "
	    "option (%s)",
	    e.what);
	memset(&e, 0, sizeof(e));
	rc = sock_opt_check("SO_TYPE=1", &o, &v, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "sock_opt_check SO_TYPE=1: read-only, a usage error");
	memset(&e, 0, sizeof(e));
	rc = sock_opt_check("SO_BOGUS=1", &o, &v, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "sock_opt_check of an unknown option is a usage error");
	memset(&e, 0, sizeof(e));
	rc = sock_opt_check("SO_RCVBUF", &o, &v, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "sock_opt_check without =VALUE is a usage error");
	memset(&e, 0, sizeof(e));
	rc = sock_opt_check("IP_TOS=256", &o, &v, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "sock_opt_check IP_TOS=256 is a usage error");
	memset(&e, 0, sizeof(e));
	rc = sock_opt_check("TCP_NODELAY=maybe", &o, &v, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "sock_opt_check TCP_NODELAY=maybe is a usage error");

	fd = sock_socket(AF_INET, SOCK_STREAM, false, &e);
	if (fd == -1) {
		ok(0, "a TCP socket for the option tests");
		return;
	}
	o = sock_opt_find("SO_RCVBUF");
	ok(sock_opt_apply(fd, "SO_RCVBUF=64K", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.i >= 65536,
	    "SO_RCVBUF set to 64K reads back at least 65536 (%lld)",
	    (long long)v.i);

	o = sock_opt_find("TCP_NODELAY");
	ok(sock_opt_apply(fd, "TCP_NODELAY=on", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.i != 0,
	    "TCP_NODELAY=on reads back on");
	is_str(sock_opt_str(&v, buf, sizeof(buf)), "on",
	    "sock_opt_str of TCP_NODELAY on is \"on\"");
	ok(sock_opt_apply(fd, "TCP_NODELAY=off", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.i == 0,
	    "TCP_NODELAY=off reads back off");

	o = sock_opt_find("SO_RCVTIMEO");
	ok(sock_opt_apply(fd, "SO_RCVTIMEO=2s", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.ms == 2000,
	    "SO_RCVTIMEO=2s reads back 2000 ms (%lld)", (long long)v.ms);
	is_str(sock_opt_str(&v, buf, sizeof(buf)), "2",
	    "sock_opt_str of SO_RCVTIMEO 2 s is \"2\"");
	/* the kernel keeps timeouts in jiffies: 250 ms may read as 252 */
	ok(sock_opt_apply(fd, "SO_RCVTIMEO=250ms", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.ms >= 250 && v.ms <= 260,
	    "SO_RCVTIMEO=250ms reads back 250 ms, to a clock tick (%lld)",
	    (long long)v.ms);

	o = sock_opt_find("SO_LINGER");
	ok(sock_opt_apply(fd, "SO_LINGER=5s", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.ms == 5000,
	    "SO_LINGER=5s reads back 5000 ms");
	is_str(sock_opt_str(&v, buf, sizeof(buf)), "5",
	    "sock_opt_str of SO_LINGER 5 s is \"5\"");
	ok(sock_opt_apply(fd, "SO_LINGER=off", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.ms == -1,
	    "SO_LINGER=off reads back off (-1)");
	is_str(sock_opt_str(&v, buf, sizeof(buf)), "off",
	    "sock_opt_str of SO_LINGER off is \"off\"");

	o = sock_opt_find("SO_TYPE");
	ok(sock_opt_get(fd, o, &v, &e) == 0 && v.i == SOCK_STREAM,
	    "SO_TYPE of a TCP socket reads SOCK_STREAM");
	is_str(sock_opt_str(&v, buf, sizeof(buf)), "SOCK_STREAM",
	    "sock_opt_str of SO_TYPE is \"SOCK_STREAM\"");

	o = sock_opt_find("IP_TOS");
	ok(sock_opt_apply(fd, "IP_TOS=ef", &e) == 0 &&
		sock_opt_get(fd, o, &v, &e) == 0 && v.i == 184,
	    "IP_TOS=ef reads back 184 (%lld)", (long long)v.i);

	memset(&e, 0, sizeof(e));
	ok(sock_opt_apply(fd, "SO_RCVBUF=abc", &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_opt_apply of a bad value is a usage error");
	memset(&e, 0, sizeof(e));
	ok(sock_opt_apply(fd, "SO_TYPE=1", &e) == -1 && e.kind == SOCK_EUSAGE,
	    "sock_opt_apply of a read-only option is a usage error");
	o = sock_opt_find("IPV6_V6ONLY");
	memset(&e, 0, sizeof(e));
	ok(sock_opt_apply(fd, "IPV6_V6ONLY=on", &e) == -1 &&
		e.kind == SOCK_ELOCAL && e.code != 0,
	    "an option the kernel refuses (IPV6_V6ONLY on IPv4) is ELOCAL "
	    "(%s)",
	    sock_strerror(&e));
	close(fd);

	fd = sock_socket(AF_INET, SOCK_STREAM, false, &e);
	ok(fd >= 0 && sock_nodelay(fd, true, &e) == 0 &&
		sock_quickack(fd, true, &e) == 0,
	    "sock_nodelay and sock_quickack succeed on a fresh TCP socket");
	if (fd >= 0)
		close(fd);
}

/* Every option SPEC.md names is in the table, with a sane row. */
static void
test_opt_table(void)
{
	static const char *spec[] = {
		"SO_ACCEPTCONN",
		"SO_BROADCAST",
		"SO_DEBUG",
		"SO_ERROR",
		"SO_KEEPALIVE",
		"SO_LINGER",
		"SO_OOBINLINE",
		"SO_RCVBUF",
		"SO_RCVTIMEO",
		"SO_REUSEADDR",
		"SO_REUSEPORT",
		"SO_SNDBUF",
		"SO_SNDTIMEO",
		"SO_TYPE",
		"SO_PRIORITY",
		"TCP_NODELAY",
		"TCP_QUICKACK",
		"TCP_KEEPIDLE",
		"TCP_KEEPINTVL",
		"TCP_KEEPCNT",
		"TCP_MAXSEG",
		"TCP_DEFER_ACCEPT",
		"TCP_FASTOPEN",
		"TCP_USER_TIMEOUT",
		"TCP_CONGESTION",
		"TCP_INFO",
		"IP_TOS",
		"IP_TTL",
		"IP_MULTICAST_TTL",
		"IP_MULTICAST_LOOP",
		"IPV6_V6ONLY",
		"IPV6_UNICAST_HOPS",
	};
	const struct sock_opt *o;
	char buf[64];
	size_t i, k;
	bool sane = true;

	for (i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
		o = sock_opt_find(spec[i]);
		ok(o != NULL && strcmp(o->name, spec[i]) == 0,
		    "the table has %s", spec[i]);
	}
	for (i = 0; i < sock_nopts; i++) {
		o = &sock_opts[i];
		if (o->desc == NULL || o->desc[0] == '\0' ||
		    strcmp(sock_opt_typename(o->type), "?") == 0 ||
		    !(o->flags & (SOF_STREAM | SOF_DGRAM)) ||
		    sock_opt_find(o->name) != o)
			sane = false;
		for (k = 0; k < i; k++)
			if (strcasecmp(sock_opts[k].name, o->name) == 0)
				sane = false;
	}
	ok(sane,
	    "every row has a description, a type, socket types, and "
	    "a name of its own");
	is_str(sock_opt_typename(sock_opt_find("TCP_INFO")->type), "tcp_info",
	    "TCP_INFO's type is tcp_info");
	is_str(sock_opt_sockets(sock_opt_find("SO_RCVBUF"), buf, sizeof(buf)),
	    "tcp,udp,unix", "SO_RCVBUF applies to tcp,udp,unix");
	is_str(sock_opt_sockets(sock_opt_find("IPV6_V6ONLY"), buf, sizeof(buf)),
	    "tcp,udp/IPv6", "IPV6_V6ONLY applies to tcp,udp/IPv6");
	ok(sock_opt_find("ttl") == NULL && sock_opt_find("IP_TTL") != NULL,
	    "IP_ and IPV6_ names have no short form (ttl is ambiguous)");

	o = sock_opt_find("TCP_NODELAY");
	ok(sock_opt_applies(o, AF_INET, SOCK_STREAM) &&
		sock_opt_applies(o, AF_INET6, SOCK_STREAM) &&
		!sock_opt_applies(o, AF_INET, SOCK_DGRAM) &&
		!sock_opt_applies(o, AF_UNIX, SOCK_STREAM),
	    "TCP_NODELAY applies to TCP only");
	o = sock_opt_find("SO_BROADCAST");
	ok(sock_opt_applies(o, AF_INET, SOCK_DGRAM) &&
		!sock_opt_applies(o, AF_INET, SOCK_STREAM),
	    "SO_BROADCAST applies to UDP only");
	o = sock_opt_find("IPV6_V6ONLY");
	ok(sock_opt_applies(o, AF_INET6, SOCK_STREAM) &&
		!sock_opt_applies(o, AF_INET, SOCK_STREAM),
	    "IPV6_V6ONLY applies to IPv6 sockets only");
	o = sock_opt_find("IP_TOS");
	ok(sock_opt_applies(o, AF_INET, SOCK_DGRAM) &&
		sock_opt_applies(o, AF_INET6, SOCK_STREAM) &&
		!sock_opt_applies(o, AF_UNIX, SOCK_STREAM),
	    "IP_TOS applies to IPv4 and dual-stack IPv6, not Unix");
	o = sock_opt_find("SO_RCVBUF");
	ok(sock_opt_applies(o, AF_UNIX, SOCK_STREAM) &&
		sock_opt_applies(o, AF_UNIX, SOCK_DGRAM) &&
		sock_opt_applies(o, AF_INET6, SOCK_DGRAM),
	    "SO_RCVBUF applies to every socket");
}

/* Fills a TCP_INFO value with glibc's struct tcp_info: the offsets of
   the decoder agree with the C library's for the fields it has. */
static void
test_tcpinfo_layout(void)
{
#if defined(__linux__) && defined(TCP_INFO)
	struct sock_kv kv[SOCK_TCPINFO_MAX];
	struct tcp_info ti;
	struct sock_optval v;
	size_t n, i;
	bool good;

	memset(&ti, 0, sizeof(ti));
	memset(&v, 0, sizeof(v));
	ti.tcpi_state = 1;
	ti.tcpi_ca_state = 4;
	ti.tcpi_retransmits = 3;
	ti.tcpi_options = 1 | 2 | 4;
	ti.tcpi_snd_wscale = 7;
	ti.tcpi_rcv_wscale = 9;
	ti.tcpi_rto = 200000;
	ti.tcpi_snd_mss = 1448;
	ti.tcpi_rcv_mss = 536;
	ti.tcpi_unacked = 5;
	ti.tcpi_lost = 6;
	ti.tcpi_pmtu = 1500;
	ti.tcpi_rtt = 1234;
	ti.tcpi_rttvar = 567;
	ti.tcpi_snd_cwnd = 10;
	ti.tcpi_total_retrans = 42;
	v.type = SOT_TCPINFO;
	memcpy(v.raw, &ti, sizeof(ti));
	v.rawlen = sizeof(ti);
	n = sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX);
	ok(n > 30 && strcmp(kv[n - 1].key, "total_retrans") == 0,
	    "glibc's struct tcp_info (%zu bytes) decodes to %zu fields, the "
	    "last total_retrans",
	    sizeof(ti), n);
	good = true;
	for (i = 0; i < n; i++) {
		static const struct {
			const char *key, *str;
			uint64_t num;
		} want[] = {
			{ "state", "ESTABLISHED", 0 },
			{ "ca_state", "loss", 0 },
			{ "retransmits", NULL, 3 },
			{ "options", "ts,sack,wscale", 0 },
			{ "snd_wscale", NULL, 7 },
			{ "rcv_wscale", NULL, 9 },
			{ "rto_us", NULL, 200000 },
			{ "snd_mss", NULL, 1448 },
			{ "rcv_mss", NULL, 536 },
			{ "unacked", NULL, 5 },
			{ "lost", NULL, 6 },
			{ "pmtu", NULL, 1500 },
			{ "rtt_us", NULL, 1234 },
			{ "rttvar_us", NULL, 567 },
			{ "snd_cwnd", NULL, 10 },
			{ "total_retrans", NULL, 42 },
		};
		size_t k;

		for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			if (strcmp(kv[i].key, want[k].key) != 0)
				continue;
			if (want[k].str != NULL ?
				!kv[i].is_str ||
				    strcmp(kv[i].str, want[k].str) != 0 :
				kv[i].is_str || kv[i].num != want[k].num) {
				good = false;
				printf("# %s: got %s/%llu\n", kv[i].key,
				    kv[i].str, (unsigned long long)kv[i].num);
			}
		}
	}
	ok(good, "every field set in glibc's struct reads back by name");
	v.rawlen = 8;
	ok(sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX) == 9,
	    "a short answer (8 bytes) gives only its 9 fields");
	v.type = SOT_INT;
	ok(sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX) == 0,
	    "a value that is not TCP_INFO gives no fields");
#else
	ok(1, "# SKIP TCP_INFO layout is Linux's");
#endif
}

/* TCP_INFO of a live loopback connection, the fd kinds, the checks of
   the shared -O applier. */
static void
test_opt_live(void)
{
	struct sock_kv kv[SOCK_TCPINFO_MAX];
	const struct sock_opt *o;
	struct sock_addr a;
	struct sock_optval v, w;
	struct sock_err e;
	struct sockopts so = { .n = 0 };
	char buf[64];
	int lfd, cfd, fd, family, type, nul;
	size_t i, n;
	uint16_t port;
	bool state = false, rtt = false;

	lfd = listen_lo(4, &port);
	a = addr("127.0.0.1", port);
	cfd = sock_connect(&a, NULL, WAIT_MS, &e);
	o = sock_opt_find("TCP_INFO");
	ok(cfd >= 0 && o != NULL && sock_opt_get(cfd, o, &v, &e) == 0 &&
		v.rawlen >= 104,
	    "TCP_INFO of a connected socket reads (%u bytes)",
	    (unsigned)v.rawlen);
	n = sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX);
	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "state") == 0)
			state = strcmp(kv[i].str, "ESTABLISHED") == 0;
		if (strcmp(kv[i].key, "rtt_us") == 0)
			rtt = !kv[i].is_str;
	}
	ok(state && rtt, "its state is ESTABLISHED and it has rtt_us");
	ok(sock_fd_kind(cfd, &family, &type, &e) == 0 && family == AF_INET &&
		type == SOCK_STREAM,
	    "sock_fd_kind of a TCP socket: AF_INET, "
	    "SOCK_STREAM");
	is_str(sock_kind_str(family, type, buf, sizeof(buf)), "IPv4 TCP socket",
	    "sock_kind_str names it \"IPv4 TCP socket\"");

	/* the applier behind -O in every mode */
	ok(sockopts_add(&so, "TCP_NODELAY=on") == 0 &&
		sockopts_add(&so, "SO_RCVBUF=64K") == 0 &&
		sockopts_apply(&so, cfd, NULL, &e) == 0,
	    "sockopts_apply TCP_NODELAY=on SO_RCVBUF=64K succeeds");
	o = sock_opt_find("TCP_NODELAY");
	ok(sock_opt_get(cfd, o, &v, &e) == 0 && v.i == 1,
	    "and TCP_NODELAY reads back on");
	o = sock_opt_find("SO_RCVBUF");
	ok(sock_opt_get(cfd, o, &v, &e) == 0 && v.i >= 65536,
	    "and SO_RCVBUF at least 64K (%lld)", (long long)v.i);
	so.n = 0;
	memset(&e, 0, sizeof(e));
	ok(sockopts_add(&so, "SO_BROADCAST=on") == 0 &&
		sockopts_apply(&so, cfd, NULL, &e) == -1 &&
		e.kind == SOCK_EUSAGE &&
		strstr(e.what, "SO_BROADCAST") != NULL &&
		strstr(e.msg, "IPv4 TCP socket") != NULL,
	    "sockopts_apply refuses SO_BROADCAST on TCP as a usage error "
	    "(%s: %s)",
	    e.what, e.msg);
	close(cfd);
	close(lfd);

	fd = sock_socket(AF_UNIX, SOCK_DGRAM, false, &e);
	ok(fd >= 0 && sock_fd_kind(fd, &family, &type, &e) == 0 &&
		family == AF_UNIX && type == SOCK_DGRAM,
	    "sock_fd_kind of a Unix datagram socket");
	memset(&e, 0, sizeof(e));
	ok(sock_opt_usable(fd, sock_opt_find("TCP_NODELAY"), &e) == -1 &&
		e.kind == SOCK_EUSAGE &&
		strcmp(e.msg, "not valid for a Unix datagram socket") == 0,
	    "sock_opt_usable: TCP_NODELAY is not for a Unix datagram socket");
	ok(sock_opt_usable(fd, sock_opt_find("SO_SNDBUF"), &e) == 0,
	    "sock_opt_usable: SO_SNDBUF is");
	if (fd >= 0)
		close(fd);
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&e, 0, sizeof(e));
	ok(sock_fd_kind(nul, &family, &type, &e) == -1 &&
		e.kind == SOCK_EUSAGE && strcmp(e.msg, "not a socket") == 0,
	    "sock_fd_kind of /dev/null: a usage error, \"not a socket\"");
	close(nul);
	memset(&e, 0, sizeof(e));
	ok(sock_fd_kind(nul, &family, &type, &e) == -1 &&
		e.kind == SOCK_EUSAGE && e.code == EBADF,
	    "sock_fd_kind of a closed fd: a usage error, EBADF");

	o = sock_opt_find("SO_RCVTIMEO");
	ok(sock_opt_parse(o, "1.5", &v, &e) == 0 &&
		strcmp(sock_opt_str(&v, buf, sizeof(buf)), "1.5") == 0,
	    "SO_RCVTIMEO 1.5 prints as \"1.5\"");
	ok(sock_opt_parse(o, "3000000s", &v, &e) == -1,
	    "SO_RCVTIMEO past INT32_MAX ms is refused");
	ok(sock_opt_parse(o, "1h", &v, &e) == 0 &&
		strcmp(sock_opt_str(&v, buf, sizeof(buf)), "3600") == 0,
	    "SO_RCVTIMEO 1h prints as \"3600\" (seconds, no exponent)");
	ok(sock_opt_parse(o, "2s", &w, &e) == 0 &&
		sock_opt_parse(o, "2000ms", &v, &e) == 0 &&
		sock_optval_equal(&v, &w) &&
		sock_opt_parse(o, "2.5", &v, &e) == 0 &&
		!sock_optval_equal(&v, &w),
	    "sock_optval_equal compares durations by value");
	o = sock_opt_find("TCP_USER_TIMEOUT");
	ok(o != NULL && sock_opt_parse(o, "30s", &v, &e) == 0 && v.i == 30000,
	    "TCP_USER_TIMEOUT=30s is 30000 ms for the kernel");
	o = sock_opt_find("TCP_KEEPIDLE");
	ok(o != NULL && sock_opt_parse(o, "2m", &v, &e) == 0 && v.i == 120,
	    "TCP_KEEPIDLE=2m is 120 s for the kernel");
	o = sock_opt_find("TCP_CONGESTION");
	fd = sock_socket(AF_INET, SOCK_STREAM, false, &e);
	memset(&e, 0, sizeof(e));
	ok(o != NULL && sock_opt_parse(o, "no-such-cc", &v, &e) == 0 &&
		sock_opt_set(fd, o, &v, &e) == -1 && e.kind == SOCK_EUSAGE &&
		e.code == ENOENT &&
		strcmp(e.what, "set TCP_CONGESTION=no-such-cc") == 0 &&
		strncmp(e.msg,
		    "not an available congestion control "
		    "(available: ",
		    48) == 0,
	    "first hour 10: TCP_CONGESTION="
	    "no-such-cc is a wrong value (EUSAGE: %s)",
	    e.msg);
	if (fd >= 0)
		close(fd);
}

int
main(void)
{
	test_split_hostport();
	test_parse_port();
	test_addr();
	test_values();
	test_resolve();
	test_interleave();
	test_tcp();
	test_connect_timeout();
	test_connect_list();
	test_dual_stack();
	test_unix();
	test_udp();
	test_opt_find();
	test_opts();
	test_opt_table();
	test_tcpinfo_layout();
	test_opt_live();
	return done();
}
