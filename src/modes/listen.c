/* listen: bind, listen, accept; relay stdin/stdout with the client (or,
   with -k, with every client), or give each client its own -e/-c child. */
#include "config.h"

#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/exec.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "cli/parse.h"
#include "out/report.h"
#include "modes/session.h"
#include "out/tlsout.h"

#define MAX_LISTEN 16
#define MAX_CIDR   64

struct child {
	pid_t pid;
	struct conn c; /* peer and start time, for events */
};

struct server {
	struct session s;
	bool keep_open;
	char **exec_argv;   /* -e/-c */
	uint64_t max_conns; /* 0: no limit */
	struct cidr allow[MAX_CIDR], deny[MAX_CIDR];
	size_t nallow, ndeny;
	int backlog;
	int lfd[MAX_LISTEN];
	size_t nl;
	struct relay *r;
	struct child *kids;
	size_t nkids, capkids;
	bool port_zero;		    /* PORT 0: the bound port is always told */
	bool made_unix;		    /* we created the -U socket file: */
	struct sock_file unix_file; /* this one, removed at exit */
	struct tls_ctx *tls;	    /* --tls */
};

static int sigchld_pipe[2] = { -1, -1 };

static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (write(sigchld_pipe[1], "c", 1) == -1) {
		/* full: a wakeup is pending anyway */
	}
	errno = saved;
}

static size_t
clients_now(const struct server *sv)
{
	return sv->exec_argv != NULL ? sv->nkids :
	    sv->r != NULL	     ? relay_count(sv->r) :
				       0;
}

static void
listening_event(int fd, bool always)
{
	struct sock_addr a;
	struct sock_err e;
	struct event ev;
	const char *proto;
	bool shown;

	if (sock_name(fd, &a, &e) == -1)
		return;
	proto = a.family == AF_UNIX ? "unix" : "tcp";
	shown = always ? event_begin_always(&ev, "listening") :
			 event_begin(&ev, "listening");
	if (!shown)
		return;
	json_str(&ev.j, "address", a.host);
	if (a.family == AF_UNIX)
		json_null(&ev.j, "port");
	else
		json_uint(&ev.j, "port", a.port);
	json_str(&ev.j, "proto", proto);
	if (a.family == AF_UNIX)
		event_end(&ev, "listening on %s", a.host);
	else
		event_end(&ev, "listening on %s %u", a.host, (unsigned)a.port);
}

static void
peer_event(const char *name, const struct sock_addr *peer, const char *reason)
{
	char words[NI_MAXHOST + 8];
	struct event ev;

	if (!event_begin(&ev, name))
		return;
	json_str(&ev.j, "peer", peer->host[0] ? peer->host : NULL);
	if (peer->family == AF_UNIX)
		json_null(&ev.j, "peer_port");
	else
		json_uint(&ev.j, "peer_port", peer->port);
	if (reason != NULL) {
		json_str(&ev.j, "reason", reason);
		event_end(&ev, "%s %s: %s", name,
		    addr_words(peer, words, sizeof(words)), reason);
	} else {
		event_end(&ev, "%s %s", name,
		    addr_words(peer, words, sizeof(words)));
	}
}

/* Why peer may not come in, or NULL when it may. */
static const char *
refusal(const struct server *sv, const struct sock_addr *peer)
{
	size_t i;
	bool allowed = sv->nallow == 0;

	if (peer->family == AF_INET || peer->family == AF_INET6) {
		for (i = 0; i < sv->ndeny; i++)
			if (cidr_match(&sv->deny[i], peer))
				return "denied";
		for (i = 0; i < sv->nallow && !allowed; i++)
			allowed = cidr_match(&sv->allow[i], peer);
		if (!allowed)
			return "not allowed";
	}
	if (sv->max_conns > 0 && clients_now(sv) >= sv->max_conns)
		return "max-conns";
	return NULL;
}

/* Accepts one client from lfd within timeout_ms and lets it in or not;
   timeout_ms TAKE_READY: the relay's way, from a non-blocking listener it
   was told is ready, the socket non-blocking too.  Returns the
   descriptor, -1 when none came in (refused or gone), or -2 when the time
   passed or accept failed (*e). */
#define TAKE_READY (-2)
static int
take_client(struct server *sv, int lfd, int timeout_ms, struct sock_addr *peer,
    struct sock_err *e)
{
	struct linger rst = { 1, 0 };
	const char *why;
	int fd;

	fd = timeout_ms == TAKE_READY ?
	    sock_accept_ready(lfd, SOCK_NONBLOCK, peer, e) :
	    sock_accept(lfd, timeout_ms, peer, e);
	if (fd == -1)
		return -2;
	sock_addr_unmap(peer);
	why = refusal(sv, peer);
	if (why != NULL) {
		/* closed at once; a reset tells the client plainly */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(fd);
		peer_event("refused", peer, why);
		return -1;
	}
	if (sockopts_apply(&sv->s.so, fd, peer, e) == -1) {
		close(fd);
		report_nonfatal(e);
		return -1;
	}
	peer_event("accepted", peer, NULL);
	return fd;
}

/* Out of descriptors: said once (with -v), then the clients wait in the
   backlog until descriptors free up. */
static void
out_of_fds(const struct sock_err *e)
{
	static bool told;

	if (!told)
		diag(1, "%s: %s; clients wait until descriptors free up",
		    e->what, sock_strerror(e));
	told = true;
}

static int
accept_hook(void *ctx, int lfd, struct sock_addr *peer)
{
	struct sock_err e;
	int fd = take_client(ctx, lfd, TAKE_READY, peer, &e);

	if (fd == -2 && (e.code == EMFILE || e.code == ENFILE)) {
		out_of_fds(&e);
		return -2; /* the relay pauses accepting */
	}
	if (fd == -2 && e.kind == SOCK_ENET && e.code == ETIMEDOUT)
		return -3; /* the backlog is empty */
	if (fd == -2)
		report_nonfatal(&e);
	return fd < 0 ? -1 : fd;
}

static void
closed_hook(void *ctx, const struct conn *c, bool failed)
{
	char words[NI_MAXHOST + 8];
	struct server *sv = ctx;

	if (failed && sv->keep_open && c->err.kind == SOCK_ETLS)
		diag(1, "%s with %s: %s", c->err.what,
		    addr_words(&c->peer, words, sizeof(words)),
		    sock_strerror(&c->err));
	else if (failed && sv->keep_open)
		diag(1, "%s: %s", addr_words(&c->peer, words, sizeof(words)),
		    sock_strerror(&c->err));
	session_closed_event(c, true, true);
}

/* --tls: a server session for a new client, or NULL (told). */
static struct tls *
tls_wrap_hook(void *ctx, int fd)
{
	struct server *sv = ctx;
	struct sock_err e;
	struct tls *t = tls_new(sv->tls, fd, NULL, &e);

	if (t == NULL && sv->keep_open)
		report_nonfatal(&e);
	else if (t == NULL)
		report(&e);
	return t;
}

/* --tls: a client's handshake is done: the tls event. */
static int
tls_ready_hook(void *ctx, struct conn *c)
{
	struct tls_info in;

	(void)ctx;
	tls_info(c->tls, &in);
	tls_event(&in, &c->peer);
	return 0;
}

/* --tls: the server context; without --cert, a self-signed certificate
   for the listening address, localhost and the loopback addresses,
   whose fingerprint is told.  Returns 0 or an exit status. */
static int
tls_setup(struct server *sv)
{
	const char *names[6];
	char host[256];
	struct sock_addr a;
	struct sock_err e;
	struct event ev;
	char fp[100];
	size_t n = 0;
	bool any = true;

	sv->s.tls.server = true;
	sv->tls = tls_ctx_new(&sv->s.tls, &e);
	if (sv->tls == NULL)
		return usage_err(&e);
	if (sv->s.tls.cert != NULL)
		return 0;
	if (sv->nl > 0 && sock_name(sv->lfd[0], &a, &e) == 0 &&
	    (a.family == AF_INET || a.family == AF_INET6) &&
	    strcmp(a.host, "::") != 0 && strcmp(a.host, "0.0.0.0") != 0) {
		names[n++] = a.host;
		any = false;
	}
	names[n++] = "localhost";
	if (any || strcmp(a.host, "127.0.0.1") != 0)
		names[n++] = "127.0.0.1";
	if (any || strcmp(a.host, "::1") != 0)
		names[n++] = "::1";
	if (any && gethostname(host, sizeof(host)) == 0 && host[0] != '\0' &&
	    strcmp(host, "localhost") != 0) {
		host[sizeof(host) - 1] = '\0';
		names[n++] = host;
	}
	if (tls_ctx_selfsigned(sv->tls, names, n, fp, sizeof(fp), &e) == -1)
		return report(&e);
	if (event_begin_always(&ev, "certificate")) {
		json_str(&ev.j, "subject", names[0]);
		json_str(&ev.j, "fingerprint_sha256", fp);
		event_end(&ev, "certificate sha256 %s", fp);
	}
	return 0;
}

/* Opens the listening sockets: inherited (LISTEN_FDS), a Unix path, or
   ADDRESS PORT.  Returns 0 or an exit status. */
static int
open_listeners(struct server *sv, char **args, int nargs)
{
	struct sock_addr a;
	struct target t;
	struct sock_err e;
	struct sock_ai ai;
	const char *pid_s = getenv("LISTEN_PID"), *n_s = getenv("LISTEN_FDS");
	uint64_t n;
	uint16_t port;
	size_t i;
	int fd, status;
	bool v6only = G.family == AF_INET6; /* -6: no IPv4 clients */

	if (pid_s != NULL && n_s != NULL && atol(pid_s) == (long)getpid() &&
	    sock_parse_uint(n_s, MAX_LISTEN, &n, &e) == 0 && n > 0) {
		/* systemd socket activation: fds 3, 4, ... */
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
	if (sv->s.unix_path != NULL) {
		if (nargs > 0)
			return usage_error("-U takes no ADDRESS or PORT "
					   "(\"%s\")",
			    args[0]);
		if (sock_addr_unix(&a, sv->s.unix_path, &e) == -1)
			return usage_err(&e);
		fd = sock_listen(&a, true, sv->backlog, &e);
		if (fd == -1)
			return report(&e);
		sv->lfd[sv->nl++] = fd;
		sv->made_unix = sv->s.unix_path[0] != '@' &&
		    sock_file_id(sv->s.unix_path, &sv->unix_file) == 0;
		return 0;
	}
	if ((status = target_parse(args, nargs, true, &t)) != 0)
		return status;
	if (sock_parse_port(t.port, "tcp", G.numeric, &port, &e) == -1)
		return usage_err(&e);
	sv->port_zero = port == 0;
	if (t.host[0] == '\0') {
		/* all interfaces: dual-stack "::", else 0.0.0.0 */
		sock_addr_any(&a, G.family == AF_INET ? AF_INET : AF_INET6,
		    port);
		fd = sock_listen_v6(&a, true, v6only, sv->backlog, &e);
		if (fd == -1 && G.family == AF_UNSPEC &&
		    (e.code == EAFNOSUPPORT || e.code == EADDRNOTAVAIL)) {
			sock_addr_any(&a, AF_INET, port);
			fd = sock_listen(&a, true, sv->backlog, &e);
		}
		if (fd == -1)
			return report(&e);
		sv->lfd[sv->nl++] = fd;
		return 0;
	}
	if (sock_resolve(t.host, NULL, G.family, SOCK_STREAM,
		SOCK_R_PASSIVE | (G.numeric ? SOCK_R_NUMERICHOST : 0), &ai,
		&e) == -1) {
		fail(SOCK_ERESOLVE, "%s: %s", t.host, sock_strerror(&e));
		return EXIT_RESOLVE;
	}
	fd = -1;
	for (i = 0; i < ai.n && fd == -1; i++) {
		ai.v[i].port = port;
		if (sock_addr_ip(&a, ai.v[i].host, port, ai.v[i].family, &e) ==
		    0)
			fd = sock_listen_v6(&a, true, v6only, sv->backlog, &e);
	}
	sock_ai_free(&ai);
	if (fd == -1)
		return report(&e);
	sv->lfd[sv->nl++] = fd;
	return 0;
}

static int
add_kid(struct server *sv, pid_t pid, const struct sock_addr *peer)
{
	struct child *k;

	if (sv->nkids == sv->capkids) {
		k = realloc(sv->kids,
		    (sv->capkids ? sv->capkids * 2 : 16) * sizeof(*k));
		if (k == NULL)
			return -1;
		sv->kids = k;
		sv->capkids = sv->capkids ? sv->capkids * 2 : 16;
	}
	k = &sv->kids[sv->nkids++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->c.peer = *peer;
	k->c.start_ms = sock_now_ms();
	return 0;
}

/* Reaps the children that ended.  Returns how many. */
static size_t
reap(struct server *sv, bool block)
{
	size_t i, n = 0;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, block && n == 0 ? 0 : WNOHANG)) > 0) {
		for (i = 0; i < sv->nkids; i++) {
			if (sv->kids[i].pid != pid)
				continue;
			session_closed_event(&sv->kids[i].c, true, false);
			sv->kids[i] = sv->kids[--sv->nkids];
			break;
		}
		n++;
	}
	return n;
}

/* --tls with -e/-c: the child, started when the handshake is done. */
struct tls_kid {
	struct server *sv;
	int fd; /* the child's end of the socketpair */
	pid_t pid;
};

static int
log_hook(void *ctx, const struct conn *c, char dir, const char *buf, size_t n,
    struct sock_err *e)
{
	struct server *sv = ctx;

	return session_log_conn(&sv->s, c, dir, buf, n, e);
}

static int
exec_log_hook(void *ctx, const struct conn *c, char dir, const char *buf,
    size_t n, struct sock_err *e)
{
	struct tls_kid *k = ctx;

	return log_hook(k->sv, c, dir, buf, n, e);
}

static int
exec_ready_hook(void *ctx, struct conn *c)
{
	struct tls_kid *k = ctx;

	tls_ready_hook(NULL, c);
	k->pid = exec_spawn(k->sv->exec_argv, k->fd);
	if (k->pid == -1)
		sock_fail(&c->err, SOCK_ELOCAL, errno, "fork");
	close(k->fd);
	k->fd = -1;
	return k->pid == -1 ? -1 : 0;
}

/* The relay of exec_relay() over fd, stdin and stdout: with --tls, the
   handshake to run (the child starts when it is done); plain, the child
   starts now.  Exits when it cannot. */
static struct relay *
exec_relay_new(struct server *sv, struct tls_kid *k, int fd,
    const struct sock_addr *peer)
{
	struct relay_hooks hooks = { .ctx = k };
	struct sock_err e;
	struct relay *r;
	struct tls *t = NULL;

	/* with -k the other clients' helpers write the -o/-x files too */
	sv->s.log.marks = sv->keep_open ? LOG_MARKS_SHARED : LOG_MARKS_NONE;
	if (session_log_on(&sv->s.log))
		hooks.log = exec_log_hook;
	if (sv->tls != NULL && (t = tls_new(sv->tls, fd, NULL, &e)) == NULL)
		_exit(report(&e));
	if (t != NULL)
		hooks.tls_ready = exec_ready_hook;
	r = relay_new(&sv->s.ro, &hooks);
	if (r == NULL ||
	    (t != NULL ? relay_add_tls(r, fd, peer, t, &e) :
			 relay_add(r, fd, peer, &e)) == -1) {
		fail_nonfatal(SOCK_ELOCAL, "out of memory");
		_exit(EXIT_LOCAL);
	}
	if (t == NULL) {
		k->pid = exec_spawn(sv->exec_argv, k->fd);
		if (k->pid == -1) {
			fail_nonfatal(SOCK_ELOCAL, "fork: %s", strerror(errno));
			_exit(EXIT_LOCAL);
		}
		close(k->fd);
		k->fd = -1;
	}
	return r;
}

/* --tls or -o/-x with -e/-c, in a process of its own per client: a
   relay between the client's socket and a socketpair that is the
   child's stdin and stdout, so that the child sees plaintext and the
   -o/-x files see the session.  The client's EOF (with --tls, its
   close_notify) is the child's EOF; the child's end half-closes (sends
   close_notify).  Never returns. */
static void
exec_relay(struct server *sv, int fd, const struct sock_addr *peer)
{
	struct tls_kid k = { sv, -1, -1 };
	char words[NI_MAXHOST + 8];
	struct sock_err e;
	struct relay *r;
	int sp[2], st, status = EXIT_OK;
	size_t i;

	signal(SIGCHLD, SIG_DFL);
	for (i = 0; i < sv->nl; i++)
		close(sv->lfd[i]);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    dup2(sp[0], 0) == -1 || dup2(sp[0], 1) == -1) {
		fail_nonfatal(SOCK_ELOCAL, "socketpair: %s", strerror(errno));
		_exit(EXIT_LOCAL);
	}
	close(sp[0]);
	k.fd = sp[1];
	r = exec_relay_new(sv, &k, fd, peer);
	addr_words(peer, words, sizeof(words));
	if (relay_run(r, &e) == -1) {
		status = exit_status(e.kind);
		if (e.kind == SOCK_ETLS && sv->keep_open)
			diag(1, "%s with %s: %s", e.what, words,
			    sock_strerror(&e));
		else if (e.kind == SOCK_ETLS)
			fail_nonfatal(e.kind, "%s with %s: %s", e.what, words,
			    sock_strerror(&e));
		else if (e.kind == SOCK_ENET)
			diag(sv->keep_open ? 1 : 0, "%s: %s", words,
			    sock_strerror(&e));
		else if (!(e.kind == SOCK_ELOCAL && e.code == EPIPE))
			report_nonfatal(&e);
	}
	relay_free(r);
	close(0); /* the child sees EOF */
	close(1);
	if (k.fd != -1)
		close(k.fd);
	if (k.pid > 0)
		while (waitpid(k.pid, &st, 0) == -1 && errno == EINTR)
			;
	_exit(status);
}

static int
spawn(struct server *sv, int fd, const struct sock_addr *peer)
{
	/* --tls and -o/-x need a relay between the socket and the child */
	bool relayed = sv->tls != NULL || session_log_on(&sv->s.log);
	pid_t pid = relayed ? fork() : exec_spawn(sv->exec_argv, fd);
	int saved = errno;

	if (pid == 0 && relayed)
		exec_relay(sv, fd, peer);

	close(fd);
	if (pid == -1 && sv->keep_open)
		fail_nonfatal(SOCK_ELOCAL, "fork: %s", strerror(saved));
	else if (pid == -1)
		fail(SOCK_ELOCAL, "fork: %s", strerror(saved));
	if (pid == -1)
		return -1;
	if (add_kid(sv, pid, peer) == -1) {
		if (sv->keep_open)
			fail_nonfatal(SOCK_ELOCAL, "out of memory");
		else
			fail(SOCK_ELOCAL, "out of memory");
		return -1;
	}
	return 0;
}

/* -e/-c with -k: children for every client, reaped as they end. */
static int
serve_exec(struct server *sv)
{
	struct pollfd pfd[MAX_LISTEN + 1];
	struct sock_addr peer;
	struct sock_err e;
	char drain[64];
	size_t i;
	int fd, rc, pause_ms = 0;

	for (;;) {
		for (i = 0; i < sv->nl; i++)
			pfd[i] = (struct pollfd){ .fd = sv->lfd[i],
				.events = pause_ms > 0 ? 0 : POLLIN };
		pfd[sv->nl] =
		    (struct pollfd){ .fd = sigchld_pipe[0], .events = POLLIN };
		rc = poll(pfd, sv->nl + 1, pause_ms > 0 ? pause_ms : -1);
		pause_ms = 0;
		if (rc == -1 && errno != EINTR) {
			fail(SOCK_ELOCAL, "poll: %s", strerror(errno));
			return EXIT_LOCAL;
		}
		if (stop_signal != 0) {
			reap(sv, false);
			return EXIT_OK; /* the signal decides the status */
		}
		if (rc == 0)
			continue;
		if (pfd[sv->nl].revents & POLLIN)
			while (read(sigchld_pipe[0], drain, sizeof(drain)) > 0)
				;
		reap(sv, false);
		for (i = 0; i < sv->nl; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = take_client(sv, sv->lfd[i], 0, &peer, &e);
			if (fd == -2 &&
			    (e.code == EMFILE || e.code == ENFILE)) {
				/* wait for a child to end, or 100 ms */
				out_of_fds(&e);
				pause_ms = 100;
			} else if (fd == -2 &&
			    !(e.kind == SOCK_ENET && e.code == ETIMEDOUT)) {
				report_nonfatal(&e);
			}
			if (fd >= 0)
				spawn(sv, fd, &peer);
		}
	}
}

/* Waits for the first client (within -w) and takes it.  Returns its
   descriptor, or -1 with *status. */
static int
first_client(struct server *sv, struct sock_addr *peer, int *status)
{
	double end =
	    G.timeout_ms >= 0 ? sock_now_ms() + (double)G.timeout_ms : -1;
	struct pollfd pfd[MAX_LISTEN];
	struct sock_err e;
	size_t i;
	int fd, left, rc;

	for (;;) {
		/* -w past 24 days: poll(2) waits in slices */
		left = sock_poll_ms(end, sock_now_ms());
		if (left == 0) {
			fail(SOCK_ENET, "no client within %lld ms",
			    (long long)G.timeout_ms);
			*status = EXIT_NET;
			return -1;
		}
		for (i = 0; i < sv->nl; i++)
			pfd[i] = (struct pollfd){ .fd = sv->lfd[i],
				.events = POLLIN };
		rc = poll(pfd, sv->nl, left);
		if (rc == -1 && errno != EINTR) {
			fail(SOCK_ELOCAL, "poll: %s", strerror(errno));
			*status = EXIT_LOCAL;
			return -1;
		}
		if (stop_signal != 0) {
			*status = EXIT_OK; /* the signal decides */
			return -1;
		}
		for (i = 0; rc > 0 && i < sv->nl; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = take_client(sv, sv->lfd[i], 0, peer, &e);
			if (fd >= 0)
				return fd;
			if (fd == -2 &&
			    !(e.kind == SOCK_ENET && e.code == ETIMEDOUT)) {
				*status = report(&e);
				return -1;
			}
		}
	}
}

/* Returns 0, an exit status, or -1 when --help was printed. */
static int
parse_opts(struct server *sv, int argc, char **argv)
{
	struct sock_err e;
	uint64_t v;
	int c, rc;
	char *arg;

	while ((c = opt_next(M_LISTEN, argc, argv, &arg)) != OPT_END) {
		if ((rc = session_opt(&sv->s, c, arg)) == 1)
			continue;
		if (rc == -1)
			return EXIT_USAGE;
		switch (c) {
		case 'k':
			sv->keep_open = true;
			break;
		case 'e':
		case 'c':
			if (sv->exec_argv != NULL)
				return usage_error("-e and -c: give one "
						   "command");
			if (c == 'e') {
				sv->exec_argv = exec_split(arg);
				if (sv->exec_argv == NULL)
					return EXIT_USAGE;
			} else {
				sv->exec_argv = malloc(4 * sizeof(char *));
				if (sv->exec_argv == NULL)
					return EXIT_LOCAL;
				sv->exec_argv[0] = (char *)"/bin/sh";
				sv->exec_argv[1] = (char *)"-c";
				sv->exec_argv[2] = arg;
				sv->exec_argv[3] = NULL;
			}
			break;
		case 'm':
			if (sock_parse_uint(arg, 1000000, &v, &e) == -1 ||
			    v == 0)
				return usage_error(
				    "bad --max-conns \"%s\": "
				    "expected a number 1-1000000",
				    arg);
			sv->max_conns = v;
			break;
		case O_BACKLOG:
			if (sock_parse_uint(arg, 65535, &v, &e) == -1 || v == 0)
				return usage_error("bad --backlog \"%s\": "
						   "expected a number 1-65535",
				    arg);
			sv->backlog = (int)v;
			break;
		case O_ALLOW:
		case O_DENY:
			if ((c == O_ALLOW ? sv->nallow : sv->ndeny) >= MAX_CIDR)
				return usage_error("too many --allow/--deny");
			if (parse_cidr(arg,
				c == O_ALLOW ? &sv->allow[sv->nallow++] :
					       &sv->deny[sv->ndeny++],
				&e) == -1)
				return usage_err(&e);
			break;
		default:
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	if (session_tls_check(&sv->s) != 0)
		return EXIT_USAGE;
	if (sv->exec_argv != NULL && exec_check(sv->exec_argv) == -1)
		return usage_error("cannot run \"%s\": %s", sv->exec_argv[0],
		    strerror(errno));
	return 0;
}

int
mode_listen(int argc, char **argv)
{
	struct relay_hooks hooks = { .accept = accept_hook,
		.closed = closed_hook };
	struct server sv;
	struct sock_addr peer;
	struct sock_err e;
	size_t i;
	int fd, status;

	memset(&sv, 0, sizeof(sv));
	session_init(&sv.s);
	hooks.ctx = &sv;
	if ((status = parse_opts(&sv, argc, argv)) != 0) {
		if (status == -1) /* --help */
			status = EXIT_OK;
		goto out;
	}
	if ((status = session_files(&sv.s)) != 0)
		goto out;
	signals_catch();
	if ((status = open_listeners(&sv, argv + optind, argc - optind)) != 0)
		goto out;
	for (i = 0; i < sv.nl; i++) {
		if (sockopts_apply(&sv.s.so, sv.lfd[i], NULL, &e) == -1) {
			status = report(&e);
			goto out;
		}
	}
	if (sv.s.tls.on && (status = tls_setup(&sv)) != 0)
		goto out;
	/* ready: a port the kernel picked is always told */
	for (i = 0; i < sv.nl; i++)
		listening_event(sv.lfd[i], sv.port_zero);
	if (session_log_on(&sv.s.log))
		hooks.log = log_hook;
	if (sv.tls != NULL) {
		hooks.tls_wrap = tls_wrap_hook;
		hooks.tls_ready = tls_ready_hook;
	}
	if (sv.exec_argv != NULL) {
		if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
			fail(SOCK_ELOCAL, "pipe: %s", strerror(errno));
			status = EXIT_LOCAL;
			goto out;
		}
		signal(SIGCHLD, on_sigchld);
	}
	if (sv.keep_open && sv.exec_argv != NULL) {
		status = serve_exec(&sv);
		goto out;
	}
	if (sv.keep_open) {
		sv.s.ro.keep_open = true;
		sv.s.log.marks = LOG_MARKS_CHANGE;
		sv.r = relay_new(&sv.s.ro, &hooks);
		if (sv.r == NULL) {
			status = EXIT_LOCAL;
			goto out;
		}
		for (i = 0; i < sv.nl; i++)
			relay_listen(sv.r, sv.lfd[i]);
		if (relay_run(sv.r, &e) == -1)
			status = stop_signal != 0 ? EXIT_OK :
			    e.kind == SOCK_ELOCAL && e.code == EPIPE ?
						    EXIT_LOCAL :
						    report(&e);
		goto out;
	}
	fd = first_client(&sv, &peer, &status);
	if (fd == -1)
		goto out;
	for (i = 0; i < sv.nl; i++) /* one client: stop listening */
		close(sv.lfd[i]);
	sv.nl = 0;
	if (sv.exec_argv != NULL) {
		if (spawn(&sv, fd, &peer) == -1)
			status = EXIT_LOCAL;
		else
			while (sv.nkids > 0 && reap(&sv, true) > 0)
				;
		goto out;
	}
	sv.r = relay_new(&sv.s.ro, &hooks);
	if (sv.r == NULL) {
		close(fd);
		status = EXIT_LOCAL;
		goto out;
	}
	if (sv.tls != NULL) {
		struct tls *t = tls_wrap_hook(&sv, fd);

		if (t == NULL || relay_add_tls(sv.r, fd, &peer, t, &e) == -1) {
			close(fd);
			status = t == NULL ? EXIT_TLS : EXIT_LOCAL;
			goto out;
		}
	} else if (relay_add(sv.r, fd, &peer, &e) == -1) {
		close(fd);
		status = EXIT_LOCAL;
		goto out;
	}
	if (relay_run(sv.r, &e) == -1) {
		char words[NI_MAXHOST + 8];

		if (stop_signal != 0)
			; /* the signal decides the status */
		else if (e.kind == SOCK_ETLS)
			fail(e.kind, "%s with %s: %s", e.what,
			    addr_words(&peer, words, sizeof(words)),
			    sock_strerror(&e));
		else if (e.kind == SOCK_ENET)
			fail(e.kind, "%s: %s",
			    addr_words(&peer, words, sizeof(words)),
			    sock_strerror(&e));
		else if (!(e.kind == SOCK_ELOCAL && e.code == EPIPE))
			report(&e);
		status = exit_status(e.kind);
	}
out:
	relay_free(sv.r);
	for (i = 0; i < sv.nl; i++)
		close(sv.lfd[i]);
	if (sv.made_unix)
		sock_unix_unlink(sv.s.unix_path, &sv.unix_file);
	session_close(&sv.s);
	tls_ctx_free(sv.tls);
	free(sv.exec_argv);
	free(sv.kids);
	return status;
}
