/* listen -e/-c: each client gets its own child with the socket as its
   stdin and stdout; with --tls or -o/-x, a helper process per client
   relays between the client's socket and a socketpair that is the
   child's stdin and stdout.  The server's loop is the relay engine's:
   the listeners, and the SIGCHLD pipe as a watched descriptor. */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "modes/listen.h"
#include "out/events.h"
#include "out/report.h"
#include "out/signals.h"
#include "stream/exec.h"

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

/* Reaps the children that ended, each told by its closed event.
   Returns how many. */
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
			session_closed(&sv->kids[i].c, true, false);
			sv->kids[i] = sv->kids[--sv->nkids];
			break;
		}
		n++;
	}
	return n;
}

/* The SIGCHLD pipe is readable: children ended. */
static void
sigchld_hook(void *ctx, int fd)
{
	char drain[64];

	while (read(fd, drain, sizeof(drain)) > 0)
		;
	reap(ctx, false);
}

/* The helper's state: the command starts when the handshake is done. */
struct helper {
	struct server *sv;
	int fd; /* the command's end of the socketpair */
	pid_t pid;
};

/* Starts the command on the helper's end of the socketpair.  Returns 0
   or -1 (errno). */
static int
helper_spawn(struct helper *h)
{
	h->pid = exec_spawn(h->sv->o.s.exec_argv, h->fd, report_nonfatal);
	if (h->pid == -1)
		return -1;
	close(h->fd);
	h->fd = -1;
	return 0;
}

static int
helper_ready_hook(void *ctx, struct endpoint *p)
{
	struct helper *h = ctx;

	tls_ready_hook(NULL, p);
	if (helper_spawn(h) == -1) {
		sock_fail(&p->err, SOCK_ELOCAL, errno, "fork");
		return -1;
	}
	return 0;
}

static int
helper_log_hook(void *ctx, const struct endpoint *p, char dir, const char *buf,
    size_t n, struct sock_err *e)
{
	struct helper *h = ctx;

	return session_log_peer(&h->sv->o.s, p, dir, buf, n, e);
}

/* The helper's relay between fd (the client) and local (the socketpair):
   with --tls, the handshake to run (the command starts when it is done);
   plain, the command starts now.  Exits when it cannot. */
static struct relay *
helper_relay(struct helper *h, int local, int fd, const struct sock_addr *peer)
{
	struct relay_hooks hooks = { .ctx = h };
	struct server *sv = h->sv;
	struct sock_err e;
	struct relay *r;
	struct tls *t = NULL;

	/* with -k the other clients' helpers write the -o/-x files too */
	sv->o.s.log.marks = sv->o.keep_open ? LOG_MARKS_SHARED : LOG_MARKS_NONE;
	if (session_log_on(&sv->o.s.log))
		hooks.log = helper_log_hook;
	if (sv->tls != NULL && (t = tls_new(sv->tls, fd, NULL, &e)) == NULL)
		_exit(report(&e));
	if (t != NULL)
		hooks.tls_ready = helper_ready_hook;
	r = relay_new(local, local, &sv->o.s.ro, &hooks);
	if (r == NULL || relay_add(r, fd, peer, t, &e) == -1) {
		fail_nonfatal(SOCK_ELOCAL, "out of memory");
		_exit(EXIT_LOCAL);
	}
	if (t == NULL && helper_spawn(h) == -1) {
		fail_nonfatal(SOCK_ELOCAL, "fork: %s", strerror(errno));
		_exit(EXIT_LOCAL);
	}
	return r;
}

/* Keeps the helper off the server's stdin and stdout (their readers see
   their EOF when the server ends, not when the last helper does). */
static void
helper_detach(void)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (nul == -1)
		return;
	dup2(nul, 0);
	dup2(nul, 1);
	close(nul);
}

/* --tls or -o/-x with -e/-c, in a process of its own per client: a
   relay between the client's socket and a socketpair that is the
   command's stdin and stdout, so that the command sees plaintext and
   the -o/-x files see the session.  The client's EOF (with --tls, its
   close_notify) is the command's EOF; the command's end half-closes
   (sends close_notify).  Never returns. */
static void
run_helper(struct server *sv, int fd, const struct sock_addr *client)
{
	struct helper h = { sv, -1, -1 };
	char words[NI_MAXHOST + 8];
	/* a copy: client may be the address of an endpoint of the server's
	   relay (--proxy-protocol), which is freed below */
	struct sock_addr copy = *client, *peer = &copy;
	struct sock_err e;
	struct relay *r;
	int sp[2], st, status = EXIT_OK;

	signal(SIGCHLD, SIG_DFL);
	/* the server's listeners, and the clients whose PROXY protocol
	   header is under way, are not the helper's */
	relay_free(sv->r);
	sv->r = NULL;
	helper_detach();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		fail_nonfatal(SOCK_ELOCAL, "socketpair: %s", strerror(errno));
		_exit(EXIT_LOCAL);
	}
	h.fd = sp[1];
	r = helper_relay(&h, sp[0], fd, peer);
	addr_words(peer, words, sizeof(words));
	if (relay_run(r, &e) != RELAY_DONE)
		status = report_session_end(&e, words,
		    sv->o.keep_open ? SESSION_ONE_OF_MANY : SESSION_CHILD);
	relay_free(r);
	close(sp[0]); /* the command sees EOF */
	if (h.fd != -1)
		close(h.fd);
	if (h.pid > 0)
		while (waitpid(h.pid, &st, 0) == -1 && errno == EINTR)
			;
	_exit(status);
}

/* Gives the client on fd its child (or helper).  Returns 0, or -1 after
   telling why. */
static int
spawn(struct server *sv, int fd, const struct sock_addr *peer)
{
	/* --tls, -o/-x, -t and --delay need a relay between the socket and
	   the child */
	bool relayed = sv->tls != NULL || session_log_on(&sv->o.s.log) ||
	    sv->o.s.ro.telnet || sv->o.s.ro.delay_ms > 0;
	pid_t pid = relayed ?
	    fork() :
	    exec_spawn(sv->o.s.exec_argv, fd, report_nonfatal);
	int saved = errno;

	if (pid == 0 && relayed)
		run_helper(sv, fd, peer);

	close(fd);
	if (pid == -1 && sv->o.keep_open)
		fail_nonfatal(SOCK_ELOCAL, "fork: %s", strerror(saved));
	else if (pid == -1)
		fail(SOCK_ELOCAL, "fork: %s", strerror(saved));
	if (pid == -1)
		return -1;
	if (add_kid(sv, pid, peer) == -1) {
		if (sv->o.keep_open)
			fail_nonfatal(SOCK_ELOCAL, "out of memory");
		else
			fail(SOCK_ELOCAL, "out of memory");
		return -1;
	}
	return 0;
}

/* A client for a child: it never joins the server's relay. */
static enum relay_accept
exec_accept_hook(void *ctx, int lfd, struct relay_client *cl,
    struct sock_err *e)
{
	struct server *sv = ctx;
	enum relay_accept got = take_client(sv, lfd, &cl->fd, &cl->peer, e);

	if (got != RELAY_ACCEPT_PEER)
		return got;
	if (sv->o.s.proxy_protocol != 0)
		return RELAY_ACCEPT_PEER; /* its header first */
	if (spawn(sv, cl->fd, &cl->peer) == -1 && !sv->o.keep_open)
		sv->spawn_failed = true;
	return RELAY_ACCEPT_HANDED_OFF;
}

/* --proxy-protocol: the client's header came (the accepted event): its
   child gets a duplicate of the socket, the relay closes its own. */
static int
exec_proxied_hook(void *ctx, struct endpoint *p, const struct pp_header *h)
{
	struct server *sv = ctx;
	int fd;

	if (proxied_hook(ctx, p, h) == -1)
		return -1;
	if ((fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 3)) == -1)
		fail_nonfatal(SOCK_ELOCAL, "dup: %s", strerror(errno));
	if ((fd == -1 || spawn(sv, fd, &p->peer) == -1) && !sv->o.keep_open)
		sv->spawn_failed = true;
	return 1;
}

/* The server's relay: listeners and the SIGCHLD pipe, no local side (the
   children have the clients; stdin and stdout are left alone).  Returns
   NULL after telling why. */
static struct relay *
exec_server(struct server *sv)
{
	struct relay_hooks hooks = { .ctx = sv,
		.accept = exec_accept_hook,
		.proxied = exec_proxied_hook,
		.watched = sigchld_hook };
	struct relay_opts ro = { .keep_open = sv->o.keep_open,
		.quit_after_ms = -1,
		.idle_ms = -1,
		.handshake_ms = sv->o.s.ro.handshake_ms, /* PROXY header */
		.proxy_protocol = sv->o.s.proxy_protocol,
		.first_peer_ms = sv->o.keep_open ? -1 : G.timeout_ms,
		.stop = &stop_signal,
		.children = true };
	struct relay *r;
	size_t i;

	if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		fail(SOCK_ELOCAL, "pipe: %s", strerror(errno));
		return NULL;
	}
	signal(SIGCHLD, on_sigchld);
	if ((r = relay_new(-1, -1, &ro, &hooks)) == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		return NULL;
	}
	for (i = 0; i < sv->nl; i++)
		relay_listen(r, sv->lfd[i]);
	sv->lfd_relayed = true;
	relay_watch(r, sigchld_pipe[0]);
	sv->r = r; /* a helper closes what it holds */
	return r;
}

int
serve_exec(struct server *sv)
{
	struct sock_err e;
	struct relay *r = exec_server(sv);
	enum relay_end end;
	int status = EXIT_OK;

	if (r == NULL)
		return EXIT_LOCAL;
	end = relay_run(r, &e);
	relay_free(r);
	sv->r = NULL;
	if (end == RELAY_NO_PEER)
		status = fail(SOCK_ENET, "no client within %lld ms",
		    (long long)G.timeout_ms);
	else if (end == RELAY_FAILED)
		status = report(&e);
	else if (end == RELAY_STOPPED)
		reap(sv, false); /* the signal decides the status */
	else if (sv->spawn_failed)
		status = EXIT_LOCAL;
	else
		while (sv->nkids > 0 && reap(sv, true) > 0)
			;
	return status;
}
