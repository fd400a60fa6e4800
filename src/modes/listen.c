/* listen: bind, listen, accept; relay stdin/stdout with the client (or,
   with -k, with every client), or give each client its own -e/-c child. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "cli/options.h"
#include "cli/target.h"
#include "modes/listen.h"
#include "modes/modes.h"
#include "modes/udp_session.h"
#include "out/events.h"
#include "out/report.h"
#include "out/signals.h"
#include "out/tlsout.h"
#include "stream/exec.h"

static size_t
clients_now(const struct server *sv)
{
	/* -e: the children, and the clients whose header is under way */
	return sv->o.s.exec_argv != NULL ? sv->nkids + relay_count(sv->r) :
	    sv->r != NULL		 ? relay_count(sv->r) :
					   0;
}

/* Why peer may not come in, or NULL when it may. */
static const char *
refusal(const struct server *sv, const struct sock_addr *peer)
{
	size_t i;
	bool allowed = sv->o.nallow == 0;

	if (peer->family == AF_INET || peer->family == AF_INET6) {
		for (i = 0; i < sv->o.ndeny; i++)
			if (cidr_match(&sv->o.deny[i], peer))
				return "denied";
		for (i = 0; i < sv->o.nallow && !allowed; i++)
			allowed = cidr_match(&sv->o.allow[i], peer);
		if (!allowed)
			return "not allowed";
	}
	if (sv->o.max_conns > 0 && clients_now(sv) >= sv->o.max_conns)
		return "max-conns";
	return NULL;
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

/* The accept failed (*e): what the relay does next.  With -k, sockit
   goes on; without, the failure is the end. */
static enum relay_accept
accept_failed(const struct server *sv, const struct sock_err *e)
{
	if (e->kind == SOCK_ENET && e->code == ETIMEDOUT)
		return RELAY_ACCEPT_EMPTY;
	if (!sv->o.keep_open)
		return RELAY_ACCEPT_FAILED;
	if (e->code == EMFILE || e->code == ENFILE) {
		out_of_fds(e);
		return RELAY_ACCEPT_NO_FDS;
	}
	report_nonfatal(e);
	return RELAY_ACCEPT_REFUSED;
}

enum relay_accept
take_client(struct server *sv, int lfd, int *fd, struct sock_addr *peer,
    struct sock_err *e)
{
	struct linger rst = { 1, 0 };
	const char *why;

	/* an -e/-c child gets the socket as it is: blocking */
	*fd = sock_accept_ready(lfd,
	    sv->o.s.exec_argv != NULL ? 0 : SOCK_NONBLOCK, peer, e);
	if (*fd == -1)
		return accept_failed(sv, e);
	sock_addr_unmap(peer);
	why = refusal(sv, peer);
	if (why != NULL) {
		/* closed at once; a reset tells the client plainly */
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(*fd);
		event_refused(peer, why);
		return RELAY_ACCEPT_REFUSED;
	}
	if (sockopts_apply(&sv->o.s.so, *fd, peer, e) == -1) {
		close(*fd);
		report_nonfatal(e);
		return RELAY_ACCEPT_REFUSED;
	}
	/* --proxy-protocol: the relay reads its header, then the accepted
	   event (proxied_hook()) */
	if (sv->o.s.proxy_protocol != 0)
		return RELAY_ACCEPT_PEER;
	event_accepted_mptcp(peer, NULL, sv->o.s.mptcp ? sock_mptcp(*fd) : -1);
	return RELAY_ACCEPT_PEER;
}

/* A client for the relay: with --tls, in a server session of its own. */
static enum relay_accept
accept_hook(void *ctx, int lfd, struct relay_client *cl, struct sock_err *e)
{
	struct server *sv = ctx;
	enum relay_accept got = take_client(sv, lfd, &cl->fd, &cl->peer, e);

	if (got != RELAY_ACCEPT_PEER)
		return got;
	if (sv->tls != NULL &&
	    (cl->tls = tls_new(sv->tls, cl->fd, NULL, e)) == NULL) {
		close(cl->fd);
		if (!sv->o.keep_open)
			return RELAY_ACCEPT_FAILED;
		report_nonfatal(e);
		return RELAY_ACCEPT_REFUSED;
	}
	sv->peer = cl->peer;
	/* --proxy-protocol: it came once its header did */
	sv->peer_came = sv->o.s.proxy_protocol == 0;
	return RELAY_ACCEPT_PEER;
}

static void
closed_hook(void *ctx, const struct endpoint *p, bool failed)
{
	char words[NI_MAXHOST + 8];
	struct server *sv = ctx;

	if (failed && sv->o.keep_open)
		report_session_end(&p->err,
		    addr_words(&p->peer, words, sizeof(words)),
		    SESSION_ONE_OF_MANY);
	session_closed(p, true, true);
}

int
tls_ready_hook(void *ctx, struct endpoint *p)
{
	struct tls_info in;

	(void)ctx;
	tls_info(p->tls, &in);
	event_tls(&in, &p->peer);
	return 0;
}

static int
log_hook(void *ctx, const struct endpoint *p, char dir, const char *buf,
    size_t n, struct sock_err *e)
{
	struct server *sv = ctx;

	return session_log_peer(&sv->o.s, p, dir, buf, n, e);
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
	char fp[100];
	size_t n = 0;
	bool any = true;

	sv->o.s.tls.server = true;
	sv->tls = tls_ctx_new(&sv->o.s.tls, &e);
	if (sv->tls == NULL)
		return usage_err(&e);
	if (sv->o.s.tls.cert != NULL)
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
	event_certificate(names[0], fp);
	return 0;
}

/* Reads listen's options into *o.  Returns 0, an exit status, or -1
   when --help was printed. */
static int
parse_opts(struct listen_opts *o, int argc, char **argv)
{
	struct opt_value v;
	int c, rc;

	while ((c = opt_next(M_LISTEN, argc, argv, &v)) != OPT_END) {
		if ((rc = session_opt(&o->s, c, &v)) == 1)
			continue;
		if (rc == -1)
			return EXIT_USAGE;
		switch (c) {
		case 'k':
			o->keep_open = true;
			break;
		case 'u':
			o->udp = true;
			break;
		case 'e':
		case 'c':
			if ((rc = session_exec_opt(&o->s, c, v.text)) != 0)
				return rc;
			break;
		case 'm':
			o->max_conns = v.n;
			break;
		case O_BACKLOG:
			o->backlog = (int)v.n;
			break;
		case O_CHAT:
			o->chat = true;
			/* FALLTHROUGH */
		case O_BROKER:
			o->broker = o->keep_open = true;
			break;
		case O_MAX_QUEUE:
			o->max_queue = v.n;
			break;
		case O_ALLOW:
		case O_DENY:
			if ((c == O_ALLOW ? o->nallow : o->ndeny) >= MAX_CIDR)
				return usage_error("too many --allow/--deny");
			if (c == O_ALLOW)
				o->allow[o->nallow++] = v.cidr;
			else
				o->deny[o->ndeny++] = v.cidr;
			break;
		default:
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	if (session_tls_check(&o->s) != 0 ||
	    (o->udp && listen_udp_check(o) != 0))
		return EXIT_USAGE;
	if (o->s.mptcp && o->s.unix_path != NULL)
		return usage_error("--mptcp is TCP: not with -U");
	if (o->broker && o->s.exec_argv != NULL)
		return usage_error("--broker and --chat relay the clients to "
				   "each other: no -e/-c");
	if (o->max_queue > 0 && !o->broker)
		return usage_error("--max-queue goes with --broker or --chat");
	if (o->s.raw && !o->udp)
		return usage_error("--raw goes with -u (a datagram session)");
	if (o->s.exec_argv != NULL && exec_check(o->s.exec_argv) == -1)
		return usage_error("cannot run \"%s\": %s", o->s.exec_argv[0],
		    strerror(errno));
	return 0;
}

/* The relay between stdin/stdout and the clients: the first one (within
   -w), or with -k every one.  Returns the exit status. */
static int
serve(struct server *sv)
{
	struct relay_hooks hooks = { .ctx = sv,
		.accept = accept_hook,
		.closed = closed_hook,
		.proxied = proxied_hook };
	struct relay_opts ro = sv->o.s.ro;
	struct sock_err e;
	enum relay_end end;
	size_t i;

	if (session_log_on(&sv->o.s.log))
		hooks.log = log_hook;
	if (sv->tls != NULL)
		hooks.tls_ready = tls_ready_hook;
	ro.keep_open = sv->o.keep_open;
	ro.proxy_protocol = sv->o.s.proxy_protocol;
	ro.broker = sv->o.broker;
	ro.chat = sv->o.chat;
	ro.max_queue = sv->o.max_queue > 0 ? sv->o.max_queue : BROKER_QUEUE;
	if (!sv->o.keep_open)
		ro.first_peer_ms = G.timeout_ms;
	sv->o.s.log.marks = sv->o.keep_open ? LOG_MARKS_CHANGE : LOG_MARKS_NONE;
	sv->r = relay_new(STDIN_FILENO, STDOUT_FILENO, &ro, &hooks);
	if (sv->r == NULL)
		return EXIT_LOCAL;
	for (i = 0; i < sv->nl; i++)
		relay_listen(sv->r, sv->lfd[i]);
	sv->lfd_relayed = true;
	end = relay_run(sv->r, &e);
	return serve_status(sv, end, &e, "client");
}

/* The exit status of a server's relay that ended with end (*e): the
   session's, or none came (a "client", a "datagram") within -w. */
int
serve_status(struct server *sv, enum relay_end end, struct sock_err *e,
    const char *nobody)
{
	char words[NI_MAXHOST + 8];

	if (end == RELAY_DONE)
		return EXIT_OK;
	if (end == RELAY_NO_PEER)
		return fail(SOCK_ENET, "no %s within %lld ms", nobody,
		    (long long)G.timeout_ms);
	if (end == RELAY_STOPPED) /* the signal decides the status */
		return sv->o.keep_open ? EXIT_OK : exit_status(e->kind);
	if (!sv->peer_came) /* the first peer could not be taken */
		return report(e);
	return report_session_end(e,
	    addr_words(&sv->peer, words, sizeof(words)), SESSION_ALL);
}

int
mode_listen(int argc, char **argv)
{
	struct server sv;
	struct sock_addr bound;
	struct sock_err e;
	size_t i;
	int status;

	memset(&sv, 0, sizeof(sv));
	session_init(&sv.o.s);
	if ((status = parse_opts(&sv.o, argc, argv)) != 0) {
		if (status == -1) /* --help */
			status = EXIT_OK;
		goto out;
	}
	if ((status = session_files(&sv.o.s)) != 0)
		goto out;
	signals_catch();
	status = listen_open(&sv, argv + optind, argc - optind,
	    sv.o.udp ? SOCK_DGRAM : SOCK_STREAM);
	if (status != 0)
		goto out;
	for (i = 0; i < sv.nl; i++) {
		if (sockopts_apply(&sv.o.s.so, sv.lfd[i], NULL, &e) == -1) {
			status = report(&e);
			goto out;
		}
	}
	if (sv.o.s.tls.on && (status = tls_setup(&sv)) != 0)
		goto out;
	/* ready: a port the kernel picked is always told */
	for (i = 0; i < sv.nl; i++)
		if (sock_name(sv.lfd[i], &bound, &e) == 0)
			event_listening(&bound,
			    bound.family == AF_UNIX ? "unix" :
				sv.o.udp	    ? "udp" :
						      "tcp",
			    sv.port_zero);
	status = sv.o.s.exec_argv != NULL ? serve_exec(&sv) :
	    sv.o.udp			  ? serve_udp(&sv) :
					    serve(&sv);
out:
	relay_free(sv.r);
	for (i = 0; i < sv.nl && !sv.lfd_relayed; i++)
		close(sv.lfd[i]);
	if (sv.made_unix)
		sock_unix_unlink(sv.o.s.unix_path, &sv.unix_file);
	session_close(&sv.o.s);
	tls_ctx_free(sv.tls);
	free(sv.o.s.exec_argv);
	free(sv.kids);
	return status;
}
