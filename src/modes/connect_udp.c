/* connect -u: a connected UDP socket (or a Unix datagram socket, -U -u)
   and the relay with it: a line of stdin is a datagram, sent when it is
   complete (--raw: a read is one); each datagram back goes to stdout;
   after stdin EOF, replies until -q (default 1s) of quiet. */
#include "config.h"

#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/events.h"
#include "out/report.h"
#include "out/signals.h"
#include "modes/udp_session.h"

#define UDP_QUIET_MS 1000      /* -q's default: replies wait this long */
#define UDP_RCVBUF   (4 << 20) /* the receive buffer, as udp-recv's */

/* The record of ai of family, else the first. */
static const struct sock_addr *
of_family(const struct sock_ai *ai, int family)
{
	size_t i;

	for (i = 0; i < ai->n; i++)
		if (ai->v[i].family == family)
			return &ai->v[i];
	return &ai->v[0];
}

/* The destination: the first address of HOST (of -s's family when it
   has one), and the source (-s, or -p alone: the wildcard).  Returns 0
   or an exit status. */
static int
destination(const struct source *src, const struct target *t,
    struct sock_addr *to, struct sock_addr *from, bool *bind_src)
{
	struct target_how how = target_how(SOCK_DGRAM, false);
	struct sock_ai ai, sa;
	uint16_t port;
	int status;

	if ((status = target_port(t->port, &how, &port)) != 0 ||
	    (status = target_source(src, &how, &sa)) != 0)
		return status;
	if (sa.n > 0 && sa.v[0].family != AF_UNSPEC)
		how.family = sa.v[0].family;
	if ((status = target_resolve(t->host, port, &how, &ai)) != 0) {
		sock_ai_free(&sa);
		return status;
	}
	*to = ai.v[0];
	sock_ai_free(&ai);
	*bind_src = sa.n > 0;
	if (*bind_src)
		*from = *of_family(&sa, to->family);
	if (*bind_src && from->family == AF_UNSPEC)
		sock_addr_any(from, to->family, src->port);
	sock_ai_free(&sa);
	return 0;
}

/* The socket, connected to *to (filled here for -U).  Returns it, or -1
   with *status set after printing. */
static int
dial(const struct session *s, const struct source *src, const struct target *t,
    struct sock_addr *to, int *status)
{
	struct sock_addr from;
	struct sock_err e;
	bool bind_src = false;
	int fd;

	if (s->unix_path != NULL) {
		if (sock_addr_unix(to, s->unix_path, &e) == -1) {
			*status = usage_err(&e);
			return -1;
		}
	} else if ((*status = destination(src, t, to, &from, &bind_src)) != 0) {
		return -1;
	}
	if ((fd = sock_socket(to->family, SOCK_DGRAM, false, &e)) == -1) {
		*status = report(&e);
		return -1;
	}
	udp_rcvbuf(fd);
	if (sockopts_apply(&s->so, fd, to, &e) == -1 ||
	    (bind_src && sock_bind_fd(fd, &from, false, &e) == -1) ||
	    (to->family == AF_UNIX && sock_unix_autobind(fd, &e) == -1) ||
	    sock_udp_connect(fd, to, &e) == -1) {
		close(fd);
		if (e.kind == SOCK_ENET)
			snprintf(e.what, sizeof(e.what), "%.200s %.16s",
			    s->unix_path ? s->unix_path : t->host,
			    s->unix_path ? "" : t->port);
		*status = e.kind == SOCK_EUSAGE ? usage_err(&e) : report(&e);
		return -1;
	}
	return fd;
}

void
udp_rcvbuf(int fd)
{
	/* a burst of replies must fit (the kernel caps it at
	   net.core.rmem_max), as udp-recv's; -O SO_RCVBUF=... comes after */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ UDP_RCVBUF },
	    sizeof(int));
}

void
udp_closed(const struct endpoint *p, bool with_peer)
{
	struct sock_addr peer = p->peer;
	struct event_closed ev = { .peer = with_peer ? &peer : NULL,
		.counted = true,
		.bytes_in = p->bytes_in,
		.bytes_out = p->bytes_out,
		.datagrams = true,
		.datagrams_in = p->datagrams_in,
		.datagrams_out = p->datagrams_out,
		.duration_ms = sock_now_ms() - p->start_ms,
		.reason = p->reason };

	sock_addr_unmap(&peer);
	event_closed(&ev);
}

static void
closed_hook(void *ctx, const struct endpoint *p, bool failed)
{
	(void)ctx;
	(void)failed;
	udp_closed(p, false);
}

static int
log_hook(void *ctx, const struct endpoint *p, char dir, const char *buf,
    size_t n, struct sock_err *e)
{
	return session_log_peer(ctx, p, dir, buf, n, e);
}

/* The relay over fd, connected to *to.  Returns the exit status. */
static int
run(struct session *s, int fd, const struct sock_addr *to, const char *words)
{
	struct relay_hooks hooks = { .ctx = s, .closed = closed_hook };
	struct relay_opts ro = s->ro;
	struct sock_err e;
	struct relay *r;
	enum relay_end end;

	if (session_log_on(&s->log))
		hooks.log = log_hook;
	ro.datagram_max =
	    sock_udp_max(to->family == AF_INET6 ? AF_INET6 : AF_INET);
	ro.lines = !s->raw;
	if (ro.quit_after_ms < 0)
		ro.quit_after_ms = UDP_QUIET_MS;
	signals_catch();
	r = relay_new(STDIN_FILENO, STDOUT_FILENO, &ro, &hooks);
	if (r == NULL || relay_add_dgram(r, fd, to, &e) == -1) {
		if (r == NULL)
			close(fd);
		relay_free(r);
		return fail(SOCK_ELOCAL, "out of memory");
	}
	end = relay_run(r, &e);
	relay_free(r);
	if (end == RELAY_DONE)
		return EXIT_OK;
	if (end == RELAY_STOPPED) /* the signal decides the status */
		return exit_status(e.kind);
	return report_session_end(&e, words, SESSION_ALL);
}

int
connect_udp(struct session *s, const struct source *src, const struct target *t)
{
	struct event_connected ev = { .proto = "udp" };
	char words[sizeof(t->host) + sizeof(t->port) + 1];
	struct sock_addr to, local, shown;
	struct sock_err e;
	double t0 = sock_now_ms();
	int fd, status;

	if (s->tls.on || s->ro.no_shutdown)
		return usage_error("--tls and --no-shutdown do not go with -u");
	if ((status = session_files(s)) != 0)
		return status;
	if ((fd = dial(s, src, t, &to, &status)) == -1) {
		session_close(s);
		return status;
	}
	shown = to;
	sock_addr_unmap(&shown);
	ev.peer = &shown;
	ev.connect_ms = sock_now_ms() - t0;
	if (to.family == AF_UNIX)
		ev.proto = "unix_dgram";
	if (sock_name(fd, &local, &e) == 0)
		ev.local = &local;
	event_connected(&ev);
	if (s->unix_path != NULL)
		snprintf(words, sizeof(words), "%.200s", s->unix_path);
	else
		snprintf(words, sizeof(words), "%s %s", t->host, t->port);
	status = run(s, fd, &to, words);
	session_close(s);
	return status;
}
