/* connect: connect to HOST PORT (every address tried, v6/v4 raced) or a
   Unix socket, then relay stdin/stdout with it. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "cli/target.h"
#include "out/events.h"
#include "out/report.h"
#include "out/signals.h"
#include "check/check.h"
#include "cli/parse.h"
#include "out/results.h"
#include "proxy/proxy.h"
#include "modes/connect.h"
#include "modes/session.h"
#include "modes/udp_session.h"
#include "out/tlsout.h"

static int source_addr(const struct connect_opts *, struct sock_addr *, bool *);

/* A link-local IPv6 address means nothing without its interface: exit 2
   with the hint, rather than connect(2)'s "Invalid argument".  Returns 0
   or EXIT_USAGE. */
static int
zone_needed(const char *host)
{
	struct in6_addr a;

	if (strchr(host, '%') != NULL || inet_pton(AF_INET6, host, &a) != 1 ||
	    !IN6_IS_ADDR_LINKLOCAL(&a))
		return 0;
	return usage_error("%s: a link-local address needs a zone: %s%%IFACE",
	    host, host);
}

/* The -s/-p source address into *src, when *have_src (the first -s
   resolves to).  Returns 0 or an exit status. */
static int
source_addr(const struct connect_opts *o, struct sock_addr *src, bool *have_src)
{
	struct target_how how = target_how(SOCK_STREAM, true);
	struct sock_ai ai;
	int status;

	if ((status = target_source(&o->src, &how, &ai)) != 0)
		return status;
	*have_src = ai.n > 0;
	if (*have_src)
		*src = ai.v[0];
	sock_ai_free(&ai);
	return 0;
}

static void
closed_hook(void *ctx, const struct endpoint *c, bool failed)
{
	(void)ctx;
	(void)failed;
	session_closed(c, false, true);
}

static int
log_hook(void *ctx, const struct endpoint *c, char dir, const char *buf,
    size_t n, struct sock_err *e)
{
	struct connect_opts *o = ctx;

	return session_log_peer(&o->s, c, dir, buf, n, e);
}

/* Connects to t through --proxy, from src when not NULL.  Returns the
   descriptor, or -1 with *status set. */
static int
dial_proxy(const struct connect_opts *o, const struct target *t, uint16_t port,
    const struct sock_addr *src, int tmo, struct sock_addr *peer, int *status)
{
	struct proxy_hop hop = { .family = G.family,
		.numeric = G.numeric,
		.timeout_ms = tmo,
		.src = src };
	struct sock_err e;
	int fd;

	diag(1, "connecting to %s %u through proxy %s", t->host, (unsigned)port,
	    o->proxy.shown);
	fd = proxy_connect(&o->proxy, t->host, port, &hop, &e);
	if (fd == -1) {
		*status = report(&e);
		return -1;
	}
	*peer = hop.via;
	return fd;
}

/* --tls: the handshake is done: the tls event, and --min-days. */
static int
tls_ready_hook(void *ctx, struct endpoint *c)
{
	const struct connect_opts *o = ctx;
	struct tls_info in;

	tls_info(c->tls, &in);
	event_tls(&in, NULL);
	if (o->s.tls.min_days >= 0 && in.have_cert &&
	    in.days_left < o->s.tls.min_days) {
		char why[96];

		snprintf(why, sizeof(why),
		    "certificate expires in %lld days "
		    "(--min-days %lld)",
		    in.days_left, (long long)o->s.tls.min_days);
		sock_failmsg(&c->err, SOCK_ETLS, why, "TLS");
		return -1;
	}
	return 0;
}

/* Through a proxy, no half-close at stdin EOF unless --shutdown: most
   proxies end the whole tunnel at a client's half-close, and the reply
   with it.  -v says which applies. */
static void
proxy_shutdown(struct connect_opts *o)
{
	if (o->shutdown) {
		diag(1, "--shutdown: stdin EOF half-closes the tunnel");
		return;
	}
	o->s.ro.no_shutdown = true;
	diag(1,
	    "through a proxy, stdin EOF does not half-close the tunnel: "
	    "the session ends when the peer closes, or -q after stdin EOF "
	    "(--shutdown half-closes)");
}

/* Connects as asked.  Returns the descriptor, or -1 with *status set. */
static int
dial(struct connect_opts *o, const struct target *t, struct sock_addr *peer,
    int *status)
{
	struct target_how how = target_how(SOCK_STREAM, false);
	struct sock_addr src, ua;
	struct sock_err e;
	struct sock_ai ai;
	uint16_t port;
	bool have_src;
	int fd,
	    tmo = (int)(G.timeout_ms > 0x7fffffff ? 0x7fffffff : G.timeout_ms);

	if (o->s.unix_path != NULL) {
		if (sock_addr_unix(&ua, o->s.unix_path, &e) == -1) {
			*status = usage_err(&e);
			return -1;
		}
		fd = sock_connect(&ua, NULL, tmo, &e);
		if (fd == -1) {
			fail(e.kind, "%s: %s", o->s.unix_path,
			    sock_strerror(&e));
			*status = exit_status(e.kind);
		}
		*peer = ua;
		return fd;
	}
	if ((*status = target_port(t->port, &how, &port)) != 0 ||
	    (*status = source_addr(o, &src, &have_src)) != 0)
		return -1;
	if (o->use_proxy)
		return dial_proxy(o, t, port, have_src ? &src : NULL, tmo, peer,
		    status);
	if ((*status = target_resolve(t->host, port, &how, &ai)) != 0)
		return -1;
	sock_ai_interleave(&ai);
	for (size_t i = 0; i < ai.n; i++)
		ai.v[i].protocol = o->s.mptcp ? SOCK_MPTCP : 0;
	fd = sock_connect_list(ai.v, ai.n, have_src ? &src : NULL, tmo, peer,
	    &e);
	sock_ai_free(&ai);
	if (fd == -1) {
		fail(e.kind, "%s %s: %s", t->host, t->port, sock_strerror(&e));
		*status = exit_status(e.kind);
	}
	return fd;
}

int
connect_parse_opts(struct connect_opts *o, int argc, char **argv)
{
	struct opt_value v;
	struct sock_err e;
	int c, rc;

	while ((c = opt_next(M_CONNECT, argc, argv, &v)) != OPT_END) {
		if ((rc = session_opt(&o->s, c, &v)) == 1)
			continue;
		if (rc == -1)
			return EXIT_USAGE;
		switch (c) {
		case 's':
			o->src.host = v.text;
			break;
		case 'p':
			o->src.port_text = v.text;
			o->src.port = v.port;
			break;
		case 'z':
			o->check = true;
			break;
		case 'u':
			o->udp = true;
			break;
		case O_WAIT:
			o->wait_ms = v.ms;
			break;
		case O_PROXY:
			if (proxy_parse(v.text, &o->proxy, &e) == -1)
				return usage_err(&e);
			proxy_scrub(v.text); /* ps shows no password */
			o->use_proxy = true;
			break;
		case O_ALL_ADDRESSES:
			o->all_addresses = true;
			break;
		case O_SHUTDOWN:
			o->shutdown = true;
			break;
		case O_PARALLEL:
			o->parallel = (unsigned)v.n;
			break;
		case 'e':
		case 'c':
			if ((rc = session_exec_opt(&o->s, c, v.text)) != 0)
				return rc;
			break;
		case O_COUNT:
			o->counting = true;
			o->count = v.n;
			break;
		case O_INTERVAL:
			o->interval_ms = v.ms;
			break;
		case O_TARGETS:
			o->targets = v.text;
			break;
		case O_FORMAT:
			o->format = v.choice;
			G.json = v.choice == FORMAT_JSON || G.json;
			break;
		case O_SEND:
			o->talk.send = v.text;
			break;
		case O_EXPECT:
			o->talk.expect = v.text;
			break;
		case O_STARTTLS:
			o->talk.starttls = (enum check_starttls)(v.choice + 1);
			break;
		default:
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	return 0;
}

int
connect_parse_target(struct connect_opts *o, int argc, char **argv,
    struct target *t)
{
	struct sock_err e;
	int status;

	if (!o->check &&
	    (o->wait_ms >= 0 || o->parallel != 256 || o->all_addresses ||
		o->counting || o->interval_ms >= 0 || o->targets != NULL ||
		o->format != FORMAT_TEXT || o->cmd != NULL))
		return usage_error("--wait, --parallel, --all-addresses, "
				   "--count, --interval, --targets, --format "
				   "and -- CMD go with -z");
	if (!o->check &&
	    (o->talk.send != NULL || o->talk.expect != NULL ||
		o->talk.starttls != STARTTLS_NONE))
		return usage_error(
		    "--send, --expect and --starttls go with -z");
	if (o->udp && !o->check && o->use_proxy)
		return usage_error("-u: UDP does not go through --proxy");
	if (o->s.raw && (!o->udp || o->check))
		return usage_error("--raw goes with -u (a datagram session)");
	if (o->s.unix_path != NULL && o->use_proxy)
		return usage_error("-U and --proxy do not go together");
	if ((status = connect_check(&o->s, o->check, o->udp, o->use_proxy)) !=
	    0)
		return status;
	if (o->shutdown && o->s.ro.no_shutdown)
		return usage_error("--shutdown and --no-shutdown exclude each "
				   "other");
	if (o->s.unix_path != NULL || o->targets != NULL) {
		if (optind < argc)
			return usage_error("%s takes no HOST or PORT "
					   "(\"%s\")",
			    o->targets != NULL ? "--targets" : "-U",
			    argv[optind]);
		memset(t, 0, sizeof(*t));
	} else if ((status = o->check ?
			   target_parse_ports(argv + optind, argc - optind, t) :
			   target_parse(argv + optind, argc - optind, false,
			       t)) != 0) {
		return status;
	} else if (o->use_proxy && proxy_target_check(t->host, &e) == -1) {
		return usage_err(&e); /* before anything reaches the proxy */
	}
	if ((status = session_tls_check(&o->s)) != 0)
		return status;
	if (!o->use_proxy && o->s.unix_path == NULL &&
	    (status = zone_needed(t->host)) != 0)
		return status;
	/* a path is no name: "verified" must mean the name was checked too */
	if (o->s.tls.on && o->s.unix_path != NULL && o->s.tls.sni == NULL &&
	    !o->s.tls.insecure)
		return usage_error("--tls with -U needs --sni NAME (the name "
				   "the certificate must hold) or --insecure");
	return 0;
}

/* --tls: the context, before connecting (a bad --ca or --cert stops it
   early).  Returns 0 or an exit status. */
static int
tls_setup(struct connect_opts *o, const struct target *t, struct tls_ctx **ctx)
{
	struct sock_err e;

	*ctx = tls_ctx_new(&o->s.tls, &e);
	if (*ctx == NULL)
		return usage_err(&e);
	if (o->s.tls.insecure)
		diag(1, "--insecure: the certificate of %s is not verified",
		    o->s.tls.sni       ? o->s.tls.sni :
			o->s.unix_path ? o->s.unix_path :
					 t->host);
	if (G.timeout_ms >= 0)
		o->s.ro.handshake_ms = G.timeout_ms;
	return 0;
}

/* The session over fd, connected to peer: the relay between stdin/stdout
   and it (through TLS with ctx).  fd is the relay's.  Returns the exit
   status. */
static int
run_session(struct connect_opts *o, const struct target *t, int fd,
    const struct sock_addr *peer, struct tls_ctx *ctx)
{
	struct relay_hooks hooks = { .ctx = o, .closed = closed_hook };
	char words[sizeof(t->host) + sizeof(t->port) + 1];
	struct tls *tls = NULL;
	struct sock_err e;
	struct relay *r;
	enum relay_end end;

	if (sockopts_apply(&o->s.so, fd, peer, &e) == -1 ||
	    (ctx != NULL &&
		(tls = tls_new(ctx, fd, o->s.unix_path ? NULL : t->host, &e)) ==
		    NULL)) {
		close(fd);
		return usage_err(&e);
	}
	if (session_log_on(&o->s.log))
		hooks.log = log_hook;
	if (tls != NULL)
		hooks.tls_ready = tls_ready_hook;
	signals_catch();
	r = relay_new(STDIN_FILENO, STDOUT_FILENO, &o->s.ro, &hooks);
	if (r == NULL || relay_add(r, fd, peer, tls, &e) == -1) {
		if (r == NULL)
			tls_free(tls);
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
	if (o->s.unix_path != NULL)
		snprintf(words, sizeof(words), "%s", o->s.unix_path);
	else
		snprintf(words, sizeof(words), "%s %s", t->host, t->port);
	return report_session_end(&e, words, SESSION_ALL);
}

/* -- CMD [ARG...] after -z (--wait's command): cut from argv, into
   o->cmd; an option's value "--" is no end of options, and without -z
   "--" only ends the options.  Returns 0 or an exit status. */
static int
command_after(struct connect_opts *o, int *argc, char **argv)
{
	bool check = false;
	int i;

	for (i = 1; i < *argc && strcmp(argv[i], "--") != 0; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '-' &&
		    strchr(argv[i], 'z') != NULL)
			check = true; /* -z, -zv, ... */
		if (strcmp(argv[i], "--check") == 0)
			check = true;
		if (opt_takes_next(argv[i], M_CONNECT))
			i++;
	}
	if (i >= *argc || !check)
		return 0;
	if (i + 1 == *argc)
		return usage_error("-- names no CMD to run");
	o->cmd = argv + i + 1;
	argv[i] = NULL;
	*argc = i;
	return 0;
}

/* connect after the defaults of o: the options, then a check, a
   datagram session or a stream session.  Returns the exit status. */
static int
connect_run(struct connect_opts *o, int argc, char **argv)
{
	struct tls_ctx *ctx = NULL;
	struct sock_addr peer;
	struct target t;
	double t0;
	int fd, status;

	if ((status = command_after(o, &argc, argv)) != 0 ||
	    (status = connect_parse_opts(o, argc, argv)) != 0)
		return status == -1 ? EXIT_OK : status;
	if ((status = connect_parse_target(o, argc, argv, &t)) != 0)
		return status;
	if (o->check)
		return connect_checks(o, o->targets != NULL ? NULL : &t);
	if (o->udp)
		return connect_udp(&o->s, &o->src, &t);
	if ((status = session_files(&o->s)) != 0)
		return status;
	if (o->s.tls.on && (status = tls_setup(o, &t, &ctx)) != 0) {
		session_close(&o->s);
		return status;
	}
	t0 = sock_now_ms();
	fd = dial(o, &t, &peer, &status);
	if (fd != -1) {
		session_connected_mptcp(fd, &peer, sock_now_ms() - t0,
		    o->use_proxy ? o->proxy.shown : NULL, o->s.mptcp);
		if (o->use_proxy && o->s.exec_argv == NULL)
			proxy_shutdown(o);
		if (o->s.proxy_protocol != 0 &&
		    (status = proxy_header_send(&o->s, fd, G.timeout_ms)) != 0)
			close(fd);
		else if (o->s.exec_argv != NULL)
			status = connect_exec(&o->s, fd);
		else
			status = run_session(o, &t, fd, &peer, ctx);
	}
	tls_ctx_free(ctx);
	session_close(&o->s);
	return status;
}

int
mode_connect(int argc, char **argv)
{
	struct connect_opts o;
	int status;

	memset(&o, 0, sizeof(o));
	session_init(&o.s);
	o.wait_ms = -1;
	o.parallel = 256;
	o.interval_ms = -1;
	status = connect_run(&o, argc, argv);
	free(o.s.exec_argv); /* -e/-c, on every way out */
	return status;
}
