/* listen --proxy-protocol: a client's PROXY protocol header, read in the
   relay's loop before the client joins the session, as a TLS handshake
   runs: a client that sends nothing holds back no other, and is refused
   when its handshake deadline passes.  The bytes are peeked at and only
   the header's are taken, so what follows stays in the socket: the
   session's first bytes.  The header itself is proxy/pp.c's (pure). */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "proxy/pp.h"
#include "stream/internal.h"

#define HEADER_FIRST 256 /* a v1 header (107 bytes at most) fits */

/* A client's header so far. */
struct header {
	size_t have, cap;
	unsigned char *b;
};

int
header_start(struct relay *r, struct endpoint *p)
{
	p->pp = calloc(1, sizeof(*p->pp));
	if (p->pp == NULL || (p->pp->b = malloc(HEADER_FIRST)) == NULL) {
		free(p->pp);
		p->pp = NULL;
		return -1;
	}
	p->pp->cap = HEADER_FIRST;
	p->hs = true;
	p->hs_ev = POLLIN;
	p->hs_end = r->o.handshake_ms < 0 ?
	    -1 :
	    sock_now_ms() + (double)r->o.handshake_ms;
	return 0;
}

void
header_free(struct endpoint *p)
{
	if (p->pp == NULL)
		return;
	free(p->pp->b);
	free(p->pp);
	p->pp = NULL;
}

void
header_refuse(struct relay *r, struct endpoint *p, int code, const char *reason)
{
	sock_failmsg(&p->err, SOCK_ENET, reason, "PROXY protocol header");
	p->err.code = code;
	p->refused = true;
	peer_dead(r, p);
	header_free(p);
	if (r->h.proxied != NULL)
		r->h.proxied(r->h.ctx, p, NULL);
}

/* The header is complete (h): the mode is told (the accepted event), and
   the client goes on to its TLS handshake, or joins the session. */
static void
header_done(struct relay *r, struct endpoint *p, const struct pp_header *h)
{
	double now = sock_now_ms();
	int rc = r->h.proxied != NULL ? r->h.proxied(r->h.ctx, p, h) : 0;

	header_free(p);
	p->last_ms = now;
	if (rc != 0) { /* refused, or handed off */
		p->refused = rc == -1;
		p->handed_off = rc == 1;
		peer_dead(r, p);
		return;
	}
	if (broker_join(r, p) == -1) { /* --chat: the others are told */
		peer_fail(r, p, ENOMEM, NULL);
		return;
	}
	if (p->tls != NULL) {
		p->hs_ev = POLLIN | POLLOUT; /* the first step: at once */
		p->hs_end = r->o.handshake_ms < 0 ?
		    -1 :
		    now + (double)r->o.handshake_ms;
		return;
	}
	p->hs = false;
	if (!r->o.keep_open && r->n == 1)
		zc_setup(r);
}

/* Room for more of the header: a v2 header is up to 16 + 65535 bytes.
   Returns 0, or -1 when memory ran out. */
static int
header_room(struct header *w)
{
	size_t cap = w->cap * 4 < PP_V2_MAX ? w->cap * 4 : PP_V2_MAX;
	unsigned char *b;

	if (w->have < w->cap)
		return 0;
	if ((b = realloc(w->b, cap)) == NULL)
		return -1;
	w->b = b;
	w->cap = cap;
	return 0;
}

/* Takes the next bytes of p's header.  Returns the verdict, or -1 for
   nothing yet, or PP_BAD with *code and *reason (NULL: strerror(code)). */
static int
header_take(struct relay *r, struct endpoint *p, struct pp_header *h, int *code,
    const char **reason)
{
	struct header *w = p->pp;
	enum pp_verdict v;
	ssize_t n;

	*code = 0;
	*reason = NULL;
	if (header_room(w) == -1) {
		*code = ENOMEM;
		return PP_BAD;
	}
	do
		n = recv(p->fd, w->b + w->have, w->cap - w->have,
		    MSG_PEEK | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1; /* nothing yet */
	if (n <= 0) {
		*code = n == -1 ? errno : 0;
		if (n == 0)
			*reason = w->have ?
			    "the client closed in the middle of it" :
			    "the client closed without sending one";
		return PP_BAD;
	}
	v = pp_parse(w->b, w->have + (size_t)n, r->o.proxy_protocol, h);
	if (v == PP_BAD) {
		*reason = h->reason;
		return PP_BAD;
	}
	if (v == PP_DONE)
		n = (ssize_t)(h->len - w->have);
	/* what the parser took (all of it when it wants more) leaves the
	   socket; what follows the header stays */
	if (recv(p->fd, w->b + w->have, (size_t)n, MSG_DONTWAIT) != n) {
		*code = errno ? errno : EIO;
		return PP_BAD;
	}
	w->have += (size_t)n;
	return v;
}

void
header_step(struct relay *r, struct endpoint *p)
{
	struct pp_header h;
	const char *reason;
	int code, v = header_take(r, p, &h, &code, &reason);

	if (v == PP_BAD)
		header_refuse(r, p, code, reason);
	else if (v == PP_DONE)
		header_done(r, p, &h);
}
