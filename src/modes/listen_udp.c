/* listen -u: a bound datagram socket (UDP, or a Unix datagram socket
   with -U); the first sender becomes the peer (the socket is connected
   to it), or with -k every sender is one, until it is silent for
   --idle-timeout.  stdin lines go to every current peer as datagrams,
   each peer's datagrams to stdout. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/events.h"
#include "out/report.h"
#include "modes/listen.h"
#include "modes/udp_session.h"

int
listen_udp_check(const struct listen_opts *o)
{
	const struct session *s = &o->s;

	if (s->exec_argv != NULL || s->tls.on || o->max_conns > 0 ||
	    o->nallow > 0 || o->ndeny > 0 || s->ro.no_shutdown || o->broker ||
	    s->proxy_protocol != 0 || s->mptcp || s->ro.telnet)
		return usage_error("-e, -c, --tls, -m, --allow, --deny, "
				   "--no-shutdown, --broker, --chat, "
				   "--proxy-protocol, --mptcp and -t do not go "
				   "with -u");
	return 0;
}

/* A sender became a peer: the peer event. */
static void
joined_hook(void *ctx, const struct endpoint *p)
{
	struct server *sv = ctx;

	sv->peer = p->peer;
	sock_addr_unmap(&sv->peer);
	sv->peer_came = true;
	event_peer(&sv->peer);
}

/* A peer of -k silent for --idle-timeout expired; any other end is a
   closed event. */
static void
closed_hook(void *ctx, const struct endpoint *p, bool failed)
{
	char words[NI_MAXHOST + 8];
	struct server *sv = ctx;
	struct sock_addr peer = p->peer;

	sock_addr_unmap(&peer);
	if (sv->o.keep_open && p->reason != NULL &&
	    strcmp(p->reason, "idle") == 0) {
		event_expired(&peer);
		return;
	}
	if (failed && sv->o.keep_open)
		report_session_end(&p->err,
		    addr_words(&peer, words, sizeof(words)),
		    SESSION_ONE_OF_MANY);
	udp_closed(p, true);
}

static int
log_hook(void *ctx, const struct endpoint *p, char dir, const char *buf,
    size_t n, struct sock_err *e)
{
	struct server *sv = ctx;

	return session_log_peer(&sv->o.s, p, dir, buf, n, e);
}

int
serve_udp(struct server *sv)
{
	struct relay_hooks hooks = { .ctx = sv,
		.closed = closed_hook,
		.joined = joined_hook };
	struct relay_opts ro = sv->o.s.ro;
	struct sock_err e;
	enum relay_end end;
	size_t i;

	if (session_log_on(&sv->o.s.log))
		hooks.log = log_hook;
	ro.keep_open = sv->o.keep_open;
	if (!sv->o.keep_open)
		ro.first_peer_ms = G.timeout_ms;
	/* a dual-stack socket's IPv4 peers take no more than IPv4's */
	ro.datagram_max = sock_udp_max(AF_INET);
	ro.lines = !sv->o.s.raw;
	sv->o.s.log.marks = sv->o.keep_open ? LOG_MARKS_CHANGE : LOG_MARKS_NONE;
	sv->r = relay_new(STDIN_FILENO, STDOUT_FILENO, &ro, &hooks);
	if (sv->r == NULL)
		return EXIT_LOCAL;
	for (i = 0; i < sv->nl; i++)
		relay_listen_dgram(sv->r, sv->lfd[i]);
	sv->lfd_relayed = true;
	end = relay_run(sv->r, &e);
	return serve_status(sv, end, &e, "datagram");
}
