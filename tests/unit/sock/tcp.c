/* TCP: listening, accepting, connecting with a deadline, to a list of
   addresses, dual stack (src/sock/tcp.c, src/sock/connect.c). */
#include "config.h"

#include "cli/args.h" /* sockopts_apply(): -O keeps the congestion control */
#include "test_sock.h"

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

void
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
void
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

void
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

void
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
