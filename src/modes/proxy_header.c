/* --proxy-protocol v1|v2 of listen and connect: the header read from
   each client (and the client it names), or sent before any data; the
   protocol itself is proxy/pp.c's. */
#include "config.h"

#include <stdio.h>

#include "modes/listen.h"
#include "modes/session.h"
#include "out/events.h"
#include "out/log.h"
#include "out/report.h"
#include "proxy/pp.h"

int
proxied_hook(void *ctx, struct endpoint *p, const struct pp_header *h)
{
	char words[NI_MAXHOST + 8];
	struct server *sv = ctx;
	int version = sv->o.s.proxy_protocol;

	if (h == NULL) {
		event_refused(&p->peer, "proxy_protocol");
		snprintf(p->err.what, sizeof(p->err.what),
		    "%s: PROXY protocol v%d header",
		    addr_words(&p->peer, words, sizeof(words)), version);
		/* without -k the relay ends with it, and listen with it */
		if (sv->o.keep_open)
			report_nonfatal(&p->err);
		return -1;
	}
	if (!h->has_addr)
		diag(1, "%s: PROXY protocol v%d header names no client (%s)",
		    addr_words(&p->peer, words, sizeof(words)), h->version,
		    h->version == 1 ? "UNKNOWN" : "LOCAL");
	event_accepted_mptcp(&p->peer, h->has_addr ? &h->src : NULL,
	    sv->o.s.mptcp ? sock_mptcp(p->fd) : -1);
	sv->peer_came = true;
	return 0;
}

int
proxy_header_send(const struct session *s, int fd, int64_t timeout_ms)
{
	struct sock_err e;

	if (pp_send(fd, s->proxy_protocol, timeout_ms, &e) == -1)
		return report(&e);
	diag(1, "sent a PROXY protocol v%d header", s->proxy_protocol);
	return 0;
}
