/* The unit test of the socket module (src/sock/): the helpers the files
   share, and main(), which runs every part in turn. */
#include "config.h"

#include "test_sock.h"

int
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

uint16_t
closed_port(void)
{
	uint16_t port;

	close(listen_lo(1, &port));
	return port;
}

bool
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

int
main(void)
{
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
