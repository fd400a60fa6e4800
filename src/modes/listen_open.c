/* listen: the listening sockets, inherited (systemd's LISTEN_FDS) or
   opened: a Unix path, or ADDRESS PORT. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "cli/target.h"
#include "modes/listen.h"
#include "modes/udp_session.h"
#include "out/report.h"

/* systemd socket activation: when LISTEN_PID and LISTEN_FDS name this
   process, fds 3, 4, ... are the listeners (*taken).  Returns 0 or an
   exit status. */
static int
inherited_listeners(struct server *sv, bool *taken)
{
	const char *pid_s = getenv("LISTEN_PID"), *n_s = getenv("LISTEN_FDS");
	struct sock_err e;
	uint64_t n;
	size_t i;
	int fd;

	*taken = pid_s != NULL && n_s != NULL &&
	    atol(pid_s) == (long)getpid() &&
	    sock_parse_uint(n_s, MAX_LISTEN, &n, &e) == 0 && n > 0;
	if (!*taken)
		return 0;
	for (i = 0; i < n; i++) {
		fd = 3 + (int)i;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
			/* not open: poll would say POLLNVAL forever */
			fail(SOCK_ELOCAL, "inherited socket %d: %s", fd,
			    strerror(errno));
			return EXIT_LOCAL;
		}
		sv->lfd[sv->nl++] = fd;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 0;
}

/* One listening socket at a: a stream listener, or with -u (type
   SOCK_DGRAM) a bound datagram socket with the receive buffer of a UDP
   session; -6 takes no IPv4 clients.  Returns the descriptor, or -1
   (*e). */
static int
open_at(const struct server *sv, struct sock_addr *a, int type,
    struct sock_err *e)
{
	bool v6only = G.family == AF_INET6;
	int fd;

	if (type == SOCK_DGRAM) {
		if ((fd = sock_bind_v6(a, SOCK_DGRAM, false, v6only, e)) != -1)
			udp_rcvbuf(fd);
		return fd;
	}
	if (a->family != AF_UNIX)
		a->protocol = sv->o.s.mptcp ? SOCK_MPTCP : 0;
	return sock_listen_v6(a, true, v6only, sv->o.backlog, e);
}

/* Opens the listening sockets of type (SOCK_STREAM, or SOCK_DGRAM for
   -u): inherited (LISTEN_FDS, streams), a Unix path, or ADDRESS PORT
   (every interface: the dual-stack "::", else 0.0.0.0; a name: its
   first address that binds).  Returns 0 or an exit status. */
int
listen_open(struct server *sv, char **args, int nargs, int type)
{
	struct target_how how = target_how(type, true);
	struct sock_addr a;
	struct target t;
	struct sock_err e;
	struct sock_ai ai;
	uint16_t port;
	size_t i;
	int fd, status;
	bool taken = false;

	if (type == SOCK_STREAM &&
	    ((status = inherited_listeners(sv, &taken)) != 0 || taken))
		return status;
	if (sv->o.s.unix_path != NULL) {
		if (nargs > 0)
			return usage_error("-U takes no ADDRESS or PORT "
					   "(\"%s\")",
			    args[0]);
		if (sock_addr_unix(&a, sv->o.s.unix_path, &e) == -1)
			return usage_err(&e);
		if ((fd = open_at(sv, &a, type, &e)) == -1)
			return report(&e);
		sv->lfd[sv->nl++] = fd;
		sv->made_unix = sv->o.s.unix_path[0] != '@' &&
		    sock_file_id(sv->o.s.unix_path, &sv->unix_file) == 0;
		return 0;
	}
	if ((status = target_parse(args, nargs, true, &t)) != 0 ||
	    (status = target_port(t.port, &how, &port)) != 0)
		return status;
	sv->port_zero = port == 0;
	if (t.host[0] == '\0') {
		sock_addr_any(&a, G.family == AF_INET ? AF_INET : AF_INET6,
		    port);
		fd = open_at(sv, &a, type, &e);
		if (fd == -1 && G.family == AF_UNSPEC &&
		    (e.code == EAFNOSUPPORT || e.code == EADDRNOTAVAIL)) {
			sock_addr_any(&a, AF_INET, port);
			fd = open_at(sv, &a, type, &e);
		}
	} else {
		if ((status = target_resolve(t.host, port, &how, &ai)) != 0)
			return status;
		for (i = 0, fd = -1; i < ai.n && fd == -1; i++)
			fd = open_at(sv, &ai.v[i], type, &e);
		sock_ai_free(&ai);
	}
	if (fd == -1)
		return report(&e);
	sv->lfd[sv->nl++] = fd;
	return 0;
}
