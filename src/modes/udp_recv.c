/* udp-recv: bind, then write each datagram to stdout as it arrives (the
   payload, or a JSON object), receiving in batches with recvmmsg; --echo
   sends each one back, --join joins a multicast group. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "cli/args.h"
#include "out/dgram.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "cli/target.h"
#include "out/events.h"
#include "out/report.h"

#define RECV_BATCH   64		 /* datagrams per recvmmsg */
#define DGRAM_ROOM   (65536 + 1) /* more than any datagram: a cut shows */
#define ECHO_WAIT_MS 1000	 /* for room to send an echo */

/* udp-recv's options (parse_opts()). */
struct udp_recv_opts {
	uint64_t count; /* 0: no limit */
	bool echo;
	bool lines; /* text: end each datagram with a newline */
	const char *join, *ifname;
	const char *unix_path; /* -U: a Unix datagram socket */
	struct sock_addr group;
	struct sockopts so;
};

/* The address to bind: ADDRESS (the first it resolves to), else the
   wildcard, dual-stack unless -4 (or an IPv4 --join group).  Returns 0,
   or an exit status after printing. */
static int
local_address(const struct udp_recv_opts *r, const struct target *t,
    struct sock_addr *a)
{
	struct target_how how = target_how(SOCK_DGRAM, true);
	struct sock_ai ai;
	uint16_t port;
	int status;

	if ((status = target_port(t->port, &how, &port)) != 0)
		return status;
	if (t->host[0] == '\0') {
		sock_addr_any(a, r->join != NULL ? r->group.family : how.family,
		    port);
		return 0;
	}
	if ((status = target_resolve(t->host, port, &how, &ai)) != 0)
		return status;
	*a = ai.v[0];
	sock_ai_free(&ai);
	return 0;
}

#define UDP_RCVBUF (4 << 20)

/* The bound socket, with -O options, timestamps and the group joined.
   Returns the descriptor, or -1 with *status set after printing. */
static int
open_socket(const struct udp_recv_opts *r, struct sock_addr *a, bool wildcard,
    int *status)
{
	struct sock_err e;
	int fd;

	fd = sock_socket(a->family, SOCK_DGRAM, false, &e);
	if (fd == -1 && wildcard && a->family == AF_INET6 &&
	    G.family == AF_UNSPEC && e.code == EAFNOSUPPORT) {
		/* no IPv6 here: all IPv4 interfaces */
		sock_addr_any(a, AF_INET, a->port);
		fd = sock_socket(a->family, SOCK_DGRAM, false, &e);
	}
	if (fd == -1) {
		*status = report(&e);
		return -1;
	}
	/* a burst must fit: 4 MiB of receive buffer by default (the kernel
	   caps it at net.core.rmem_max); -O SO_RCVBUF=... comes after and
	   wins */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ UDP_RCVBUF },
	    sizeof(int));
	if (sockopts_apply(&r->so, fd, NULL, &e) == -1 ||
	    sock_bind_fd(fd, a, r->join != NULL, &e) == -1 ||
	    sock_timestamps(fd, &e) == -1 ||
	    (r->join != NULL &&
		sock_join(fd, &r->group, r->ifname, &e) == -1)) {
		close(fd);
		*status = e.kind == SOCK_EUSAGE ? usage_err(&e) : report(&e);
		return -1;
	}
	/* a burst of one sender comes in batches the kernel joined, split
	   again by deliver_all(): one trip up the stack for many */
	(void)sock_gro(fd);
	return fd;
}

/* Sends d back to its sender: never more bytes than came. */
static void
echo(int fd, const struct sock_dgram *d)
{
	struct iovec iov = { .iov_base = d->buf, .iov_len = d->len };
	struct sock_addr from = d->from;
	struct sock_err e;

	if (sock_sendmany(fd, &iov, 1, &d->from, ECHO_WAIT_MS, &e) == -1) {
		sock_addr_unmap(&from);
		diag(1, "echo to %s %u: %s", from.host, (unsigned)from.port,
		    sock_strerror(&e));
	}
}

/* true when d's payload ends with a newline */
static bool
ends_line(const struct sock_dgram *d)
{
	return d->len > 0 && ((const char *)d->buf)[d->len - 1] == '\n';
}

/* Prints (and with --echo sends back) one datagram.  Returns 0, or -1
   when stdout failed. */
static int
deliver(const struct udp_recv_opts *r, int fd, const struct sock_dgram *d)
{
	struct sock_addr from;

	if (d->trunc) {
		from = d->from;
		sock_addr_unmap(&from);
		diag(0, "datagram from %s %u truncated to %zu bytes", from.host,
		    (unsigned)from.port, d->len);
	}
	if (dgram_print(d, G.json) == -1 ||
	    (r->lines && !G.json && !ends_line(d) && putchar('\n') == EOF))
		return -1;
	if (r->echo)
		echo(fd, d);
	return 0;
}

/* Delivers each datagram of d: the kernel may have joined several of one
   sender (d->seg), up to what --count still wants.  Returns 0, or -1 when
   stdout failed. */
static int
deliver_all(const struct udp_recv_opts *r, int fd, const struct sock_dgram *d,
    uint64_t *got)
{
	struct sock_dgram one = *d;
	size_t off = 0, step = d->seg > 0 ? d->seg : d->len;

	do {
		one.buf = (char *)d->buf + off;
		one.len = d->len - off < step ? d->len - off : step;
		if (deliver(r, fd, &one) == -1)
			return -1;
		++*got;
		off += one.len;
	} while (off < d->len && (r->count == 0 || *got < r->count));
	return 0;
}

/* Receives until --count datagrams came or -w passed with none.  Returns
   the exit status. */
static int
receive(const struct udp_recv_opts *r, int fd)
{
	struct sock_dgram *d;
	struct sock_err e;
	char *bufs;
	uint64_t got = 0, want;
	int64_t idle = G.timeout_ms;
	int i, k, status = EXIT_OK;

	d = calloc(RECV_BATCH, sizeof(*d));
	bufs = malloc((size_t)RECV_BATCH * DGRAM_ROOM);
	if (d == NULL || bufs == NULL) {
		free(d);
		free(bufs);
		fail(SOCK_ELOCAL, "out of memory");
		return EXIT_LOCAL;
	}
	for (i = 0; i < RECV_BATCH; i++) {
		d[i].buf = bufs + (size_t)i * DGRAM_ROOM;
		d[i].cap = DGRAM_ROOM;
	}
	while (r->count == 0 || got < r->count) {
		want = r->count == 0 || r->count - got > RECV_BATCH ?
		    RECV_BATCH :
		    r->count - got;
		k = sock_recvmany(fd, d, (size_t)want, idle, &e);
		if (k == -1 && e.kind == SOCK_ENET && e.code == ETIMEDOUT) {
			if (got == 0) {
				fail(SOCK_ENET, "no datagram within %lld ms",
				    (long long)idle);
				status = EXIT_NET;
			}
			break;
		}
		if (k == -1) {
			status = report(&e);
			break;
		}
		for (i = 0; i < k && (r->count == 0 || got < r->count); i++)
			if (deliver_all(r, fd, &d[i], &got) == -1) {
				status = EXIT_LOCAL;
				break;
			}
		if (status != EXIT_OK || fflush(stdout) == EOF ||
		    ferror(stdout)) {
			status = EXIT_LOCAL;
			break;
		}
	}
	free(d);
	free(bufs);
	return status;
}

/* Reads udp-recv's options into *r.  Returns 0, -1 after --help, or an exit
   status after printing. */
static int
parse_opts(struct udp_recv_opts *r, int argc, char **argv)
{
	struct opt_value v;
	struct sock_err e;
	int c, rc;

	while ((c = opt_next(M_UDPRECV, argc, argv, &v)) != OPT_END) {
		switch (c) {
		case O_COUNT:
			r->count = v.n;
			break;
		case O_ECHO:
			r->echo = true;
			break;
		case O_LINES:
			r->lines = true;
			break;
		case O_JOIN:
			r->join = v.text;
			break;
		case O_INTERFACE:
			r->ifname = v.text;
			break;
		case 'U':
			r->unix_path = v.text;
			break;
		case 'O':
			if ((rc = sockopts_add(&r->so, v.text)) != 0)
				return rc;
			break;
		default: /* --help (-1), or a usage error */
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	if (r->ifname != NULL && r->join == NULL)
		return usage_error("--interface needs --join");
	if (r->unix_path != NULL && r->join != NULL)
		return usage_error("--join does not go with -U");
	if (r->join == NULL)
		return 0;
	if (sock_addr_ip(&r->group, r->join, 0, G.family, &e) == -1 ||
	    !sock_addr_multicast(&r->group))
		return usage_error(
		    "bad group \"%s\": not a multicast address%s", r->join,
		    G.family == AF_INET	     ? " (IPv4)" :
			G.family == AF_INET6 ? " (IPv6)" :
					       "");
	return 0;
}

/* -U PATH: a Unix datagram socket bound there (a stale socket file
   replaced; the file removed at the end when it is still ours).
   Returns the exit status. */
static int
recv_unix(const struct udp_recv_opts *r, int nargs)
{
	struct sock_file made;
	struct sock_addr a;
	struct sock_err e;
	bool ours;
	int fd, rc;

	if (nargs > 0)
		return usage_error("-U takes no ADDRESS or PORT");
	if (sock_addr_unix(&a, r->unix_path, &e) == -1)
		return usage_err(&e);
	if ((fd = sock_bind(&a, SOCK_DGRAM, false, &e)) == -1)
		return report(&e);
	ours = r->unix_path[0] != '@' && sock_file_id(r->unix_path, &made) == 0;
	if (sockopts_apply(&r->so, fd, NULL, &e) == -1 ||
	    sock_timestamps(fd, &e) == -1)
		rc = e.kind == SOCK_EUSAGE ? usage_err(&e) : report(&e);
	else
		rc = event_listening(&a, "unix", false) == -1 ? EXIT_LOCAL :
								receive(r, fd);
	close(fd);
	if (ours)
		sock_unix_unlink(r->unix_path, &made);
	return finish_stdout(rc);
}

int
mode_udp_recv(int argc, char **argv)
{
	struct udp_recv_opts r = { .count = 0 };
	struct sock_addr a, bound;
	struct sock_err e;
	struct target t;
	int rc, fd;

	if ((rc = parse_opts(&r, argc, argv)) != 0)
		return rc == -1 ? EXIT_OK : rc;
	if (r.unix_path != NULL)
		return recv_unix(&r, argc - optind);
	if ((rc = target_parse(argv + optind, argc - optind, true, &t)) != 0)
		return rc;
	if ((rc = local_address(&r, &t, &a)) != 0)
		return rc;
	if ((fd = open_socket(&r, &a, t.host[0] == '\0', &rc)) == -1)
		return rc;
	/* the bound address: a port the kernel picked is always told */
	if (sock_name(fd, &bound, &e) == 0 &&
	    event_listening(&bound, "udp", a.port == 0) == -1) {
		close(fd);
		return EXIT_LOCAL;
	}
	rc = receive(&r, fd);
	close(fd);
	return finish_stdout(rc);
}
