/* UDP (src/sock/udp.c): datagrams and their time stamps, batches
   (sendmmsg, recvmmsg), connected sockets and ICMP errors, binding, TTL,
   broadcast, multicast arguments. */
#include "config.h"

#include "test_sock.h"

static void
test_datagrams(void)
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

/* A UDP socket bound to host port 0; *name is where it is bound. */
static int
bound(const char *host, struct sock_addr *name)
{
	struct sock_addr a = addr(host, 0);
	struct sock_err e;
	int fd;

	fd = sock_socket(a.family, SOCK_DGRAM, false, &e);
	if (fd == -1 || sock_bind_fd(fd, &a, false, &e) == -1 ||
	    sock_name(fd, name, &e) == -1) {
		printf("Bail out! %s: %s\n", e.what, sock_strerror(&e));
		exit(1);
	}
	return fd;
}

static void
test_limits(void)
{
	ok(sock_udp_max(AF_INET) == 65507, "the IPv4 payload limit is 65507");
	ok(sock_udp_max(AF_INET6) == 65527, "the IPv6 payload limit is 65527");
}

static void
test_batches(void)
{
	struct sock_addr rname, sname;
	struct sock_dgram d[16];
	struct iovec iov[10];
	struct sock_err e;
	char bufs[16][32], msg[10][8];
	int rfd, sfd, k, got = 0, i, bad = 0;

	rfd = bound("127.0.0.1", &rname);
	sfd = bound("127.0.0.1", &sname);
	ok(sock_timestamps(rfd, &e) == 0, "timestamps on");
	ok(sock_udp_connect(sfd, &rname, &e) == 0,
	    "sock_udp_connect fixes the peer");
	for (i = 0; i < 10; i++) {
		snprintf(msg[i], sizeof(msg[i]), "m%d", i);
		iov[i].iov_base = msg[i];
		iov[i].iov_len = strlen(msg[i]);
	}
	k = sock_sendmany(sfd, iov, 10, NULL, WAIT_MS, &e);
	ok(k == 10, "sock_sendmany sends 10 datagrams in one call (%d)", k);
	for (i = 0; i < 16; i++) {
		d[i].buf = bufs[i];
		d[i].cap = sizeof(bufs[i]);
	}
	while (got < 10) {
		k = sock_recvmany(rfd, d + got, (size_t)(16 - got), WAIT_MS,
		    &e);
		if (k <= 0)
			break;
		got += k;
	}
	ok(got == 10, "sock_recvmany gets the 10 datagrams (%d)", got);
	for (i = 0; i < got; i++)
		if (d[i].len != strlen(msg[i]) ||
		    memcmp(d[i].buf, msg[i], d[i].len) != 0 || d[i].trunc ||
		    d[i].from.port != sname.port ||
		    strcmp(d[i].from.host, "127.0.0.1") != 0 ||
		    d[i].stamp.tv_sec == 0)
			bad++;
	ok(got == 10 && bad == 0,
	    "each in order, with its sender and a time stamp");

	k = sock_recvmany(rfd, d, 4, 50, &e);
	ok(k == -1 && e.kind == SOCK_ENET && e.code == ETIMEDOUT,
	    "sock_recvmany with nothing to read times out (ETIMEDOUT)");

	iov[0].iov_base = bufs[0];
	memset(bufs[0], 'x', sizeof(bufs[0]));
	iov[0].iov_len = sizeof(bufs[0]);
	d[0].cap = 5;
	k = sock_sendmany(sfd, iov, 1, NULL, WAIT_MS, &e);
	k = k == 1 ? sock_recvmany(rfd, d, 1, WAIT_MS, &e) : -1;
	ok(k == 1 && d[0].trunc && d[0].len == 5,
	    "a datagram longer than the room: trunc set, 5 bytes kept");

	close(sfd);

	sfd = sock_socket(AF_INET, SOCK_DGRAM, false, &e);
	d[0].cap = sizeof(bufs[0]);
	iov[0].iov_len = 3;
	k = sock_sendmany(sfd, iov, 1, &rname, WAIT_MS, &e);
	k = k == 1 ? sock_recvmany(rfd, d, 1, WAIT_MS, &e) : -1;
	ok(k == 1 && d[0].len == 3,
	    "sock_sendmany to an address from an unconnected socket");
	close(sfd);
	close(rfd);
}

static void
test_refused(void)
{
	struct sock_addr rname, sname;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct sock_err e;
	int rfd, sfd, k;

	rfd = bound("127.0.0.1", &rname);
	close(rfd); /* nobody there now: the kernel answers ICMP */
	sfd = bound("127.0.0.1", &sname);
	ok(sock_udp_connect(sfd, &rname, &e) == 0, "connect to a closed port");
	k = sock_sendmany(sfd, &iov, 1, NULL, WAIT_MS, &e);
	ok(k == 1, "the first send goes out");
	usleep(20000);
	memset(&e, 0, sizeof(e));
	k = sock_pending_error(sfd, &rname, &e);
	ok(k == -1 && e.kind == SOCK_ENET && e.code == ECONNREFUSED,
	    "sock_pending_error: ECONNREFUSED from the ICMP port "
	    "unreachable (%s: %s)",
	    e.what, sock_strerror(&e));
	k = sock_sendmany(sfd, &iov, 1, NULL, WAIT_MS, &e);
	k = k == 1 ? sock_sendmany(sfd, &iov, 1, NULL, WAIT_MS, &e) : k;
	ok(k == -1 && e.kind == SOCK_ENET && e.code == ECONNREFUSED &&
		strstr(e.what, "127.0.0.1") != NULL,
	    "a later send fails with ECONNREFUSED naming the peer (%s)",
	    e.what);
	close(sfd);
}

static void
test_bind(void)
{
	struct sock_addr any, name, other;
	struct sock_err e;
	char want[64];
	int fd, fd2;

	sock_addr_any(&any, AF_UNSPEC, 0);
	fd = sock_socket(any.family, SOCK_DGRAM, false, &e);
	ok(fd >= 0 && sock_bind_fd(fd, &any, false, &e) == 0 &&
		sock_name(fd, &name, &e) == 0 && name.port != 0 &&
		strcmp(name.host, "::") == 0,
	    "sock_bind_fd to the wildcard, port 0: bound to :: (%s)",
	    name.host);
	/* dual-stack: an IPv4 datagram reaches it */
	other = addr("127.0.0.1", name.port);
	fd2 = sock_socket(AF_INET, SOCK_DGRAM, false, &e);
	{
		struct iovec iov = { .iov_base = "v4", .iov_len = 2 };
		struct sock_dgram d;
		char buf[8];

		d.buf = buf;
		d.cap = sizeof(buf);
		ok(sock_sendmany(fd2, &iov, 1, &other, WAIT_MS, &e) == 1 &&
			sock_recvmany(fd, &d, 1, WAIT_MS, &e) == 1 &&
			d.len == 2 &&
			strcmp(d.from.host, "::ffff:127.0.0.1") == 0,
		    "the :: socket is dual-stack: a v4-mapped sender");
	}
	close(fd2);
	other = addr("::", name.port);
	fd2 = sock_socket(AF_INET6, SOCK_DGRAM, false, &e);
	memset(&e, 0, sizeof(e));
	ok(sock_bind_fd(fd2, &other, false, &e) == -1 &&
		e.kind == SOCK_ELOCAL && e.code == EADDRINUSE,
	    "binding a port in use is ELOCAL, EADDRINUSE");
	snprintf(want, sizeof(want), "bind to :: port %u", (unsigned)name.port);
	is_str(e.what, want, "the error names the address and port");
	close(fd2);
	close(fd);
}

static void
test_toggles(void)
{
	struct sock_err e;
	int fd, v = 0;
	socklen_t len = sizeof(v);

	fd = sock_socket(AF_INET, SOCK_DGRAM, false, &e);
	ok(sock_ttl(fd, AF_INET, 7, &e) == 0 &&
		getsockopt(fd, IPPROTO_IP, IP_TTL, &v, &len) == 0 && v == 7,
	    "sock_ttl sets IP_TTL");
	len = sizeof(v);
	ok(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, &len) == 0 &&
		v == 7,
	    "and IP_MULTICAST_TTL");
	len = sizeof(v);
	ok(sock_broadcast(fd, true, &e) == 0 &&
		getsockopt(fd, SOL_SOCKET, SO_BROADCAST, &v, &len) == 0 &&
		v == 1,
	    "sock_broadcast sets SO_BROADCAST");
	close(fd);
	fd = sock_socket(AF_INET6, SOCK_DGRAM, false, &e);
	len = sizeof(v);
	ok(sock_ttl(fd, AF_INET6, 9, &e) == 0 &&
		getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, &len) ==
		    0 &&
		v == 9,
	    "sock_ttl sets IPV6_UNICAST_HOPS");
	len = sizeof(v);
	ok(getsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, &len) == 0 &&
		v == 9,
	    "and IPV6_MULTICAST_HOPS");
	close(fd);
}

static void
test_multicast(void)
{
	struct sock_addr g;
	struct sock_err e;
	int fd;

	g = addr("239.1.2.3", 0);
	ok(sock_addr_multicast(&g), "239.1.2.3 is multicast");
	g = addr("ff02::1", 0);
	ok(sock_addr_multicast(&g), "ff02::1 is multicast");
	g = addr("127.0.0.1", 0);
	ok(!sock_addr_multicast(&g), "127.0.0.1 is not");
	g = addr("::1", 0);
	ok(!sock_addr_multicast(&g), "::1 is not");

	fd = sock_socket(AF_INET, SOCK_DGRAM, false, &e);
	g = addr("127.0.0.1", 0);
	ok(sock_join(fd, &g, NULL, &e) == -1 && e.kind == SOCK_EUSAGE,
	    "sock_join of a unicast address is a usage error");
	g = addr("239.1.2.3", 0);
	ok(sock_join(fd, &g, "nosuchif0", &e) == -1 && e.kind == SOCK_EUSAGE &&
		strstr(e.what, "nosuchif0") != NULL,
	    "sock_join on an unknown interface is a usage error naming it");
	close(fd);
}

void
test_udp(void)
{
	test_datagrams();
	test_limits();
	test_batches();
	test_refused();
	test_bind();
	test_toggles();
	test_multicast();
}
