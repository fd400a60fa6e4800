/* Socket options: the table, parsing and printing values, setting and
   getting them (src/sock/opt.c, src/sock/opt_table.c). */
#include "config.h"

#include "test_sock.h"

void
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

void
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
void
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
