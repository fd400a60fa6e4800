/* A peer of the relay: its bytes in and out (plain or through its TLS
   session), what it was ready for this round, its handshake, half-close,
   failure, idle clock and end.
   A datagram peer is one more kind in peer_write() and peer_recv()
   (datagram.c): a send is one datagram. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

int
peer_add(struct relay *r, int fd, const struct sock_addr *peer, struct tls *tls,
    struct sock_err *e)
{
	struct endpoint *p, **np;

	if (r->n == r->cap) {
		np = realloc(r->peers, (r->cap ? r->cap * 2 : 8) * sizeof(*np));
		if (np == NULL ||
		    visit_grow(r, r->cap ? r->cap * 2 : 8) == -1) {
			if (np != NULL)
				r->peers = np;
			return sock_fail(e, SOCK_ELOCAL, ENOMEM, "relay");
		}
		r->peers = np;
		r->cap = r->cap ? r->cap * 2 : 8;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "relay");
	p->fd = fd;
	p->reg = -1;
	p->id = ++r->ids;
	if (peer != NULL)
		p->peer = *peer;
	p->start_ms = p->last_ms = p->wr_ms = sock_now_ms();
	/* plain: the peer's FIN is told with the bytes before it, so a
	   short read need not wait another round for the EOF */
	p->rd_ev = tls != NULL ? POLLIN : POLLIN | POLLRDHUP;
	p->hs_ev = POLLIN;
	p->wr_ev = POLLOUT;
	p->hs_end = -1;
	p->kind = ENDPOINT_STREAM;
	if (tls != NULL) {
		p->kind = ENDPOINT_TLS;
		p->tls = tls;
		p->hs = true;
		p->hs_ev = POLLIN | POLLOUT; /* the first step: at once */
		if (r->o.handshake_ms >= 0)
			p->hs_end = p->start_ms + (double)r->o.handshake_ms;
	}
	p->slot = r->n;
	r->peers[r->n++] = p;
	visit_mark(r, p);
	r->had_peer = true;
	/* --chat: the others are told (--proxy-protocol: once its header
	   came, header.c) */
	if (r->o.proxy_protocol == 0 && broker_join(r, p) == -1)
		peer_fail(r, p, ENOMEM, NULL);
	return 0;
}

/* p is done for: what waits for it is dropped, and nobody waits for it
   any more. */
void
peer_dead(struct relay *r, struct endpoint *p)
{
	p->dead = true;
	visit_mark(r, p);
	peer_queue_clear(r, p);
}

/* Marks p failed with errno code; what is its peer's "HOST PORT" (or
   path), and reason, when not NULL, is told instead of strerror(code):
   callers print "what: sock_strerror()". */
void
peer_fail(struct relay *r, struct endpoint *p, int code, const char *reason)
{
	if (p->peer.family == AF_UNIX || p->peer.family == 0)
		sock_failmsg(&p->err, SOCK_ENET, reason, "%s",
		    p->peer.host[0] ? p->peer.host : "peer");
	else
		sock_failmsg(&p->err, SOCK_ENET, reason, "%s %u", p->peer.host,
		    (unsigned)p->peer.port);
	p->err.code = code;
	/* a connected datagram socket is refused by an ICMP message */
	if (p->kind == ENDPOINT_DGRAM && code == ECONNREFUSED && reason == NULL)
		snprintf(p->err.msg, sizeof(p->err.msg),
		    "%s (ICMP port unreachable)", strerror(code));
	peer_dead(r, p);
}

/* Marks p failed by its TLS session's error te: a reset is told as for
   a plain socket; a TLS failure keeps OpenSSL's reason, and its what
   ("TLS handshake", "TLS") is completed by the mode with the peer. */
static void
peer_fail_tls(struct relay *r, struct endpoint *p, const struct sock_err *te)
{
	if (te->kind == SOCK_ENET) {
		peer_fail(r, p, te->code, NULL);
		return;
	}
	p->err = *te;
	peer_dead(r, p);
}

/* Hands what moved to or from p to the log hook (-o, -x); a failure
   stops the relay. */
static void
moved(struct relay *r, const struct endpoint *p, char dir, const char *buf,
    size_t n)
{
	if (r->halt != HALT_NONE || r->h.log == NULL)
		return;
	if (r->h.log(r->h.ctx, p, dir, buf, n, &r->halt_err) == -1)
		r->halt = HALT_LOG;
}

/* Writes what it can of buf to p.  Returns the bytes written, or -1
   (errno; EAGAIN: not now) or -2 when p failed. */
static ssize_t
peer_write(struct relay *r, struct endpoint *p, const char *buf, size_t n)
{
	struct sock_err te;
	ssize_t w;

	if (p->kind == ENDPOINT_STREAM)
		return send(p->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (p->kind == ENDPOINT_DGRAM)
		return dgram_write(p, buf, n, r->o.lines, r->o.datagram_max);
	if (p->truncated) {
		/* TLS cannot go on after a truncation */
		peer_fail(r, p, EPIPE,
		    "the peer closed the connection "
		    "without TLS close_notify");
		return -2;
	}
	w = tls_write(p->tls, buf, n, &p->wr_ev, &te);
	if (w == TLS_AGAIN) {
		errno = EAGAIN;
		return -1;
	}
	if (w < 0) {
		peer_fail_tls(r, p, &te);
		return -2;
	}
	return w;
}

/* Sends what p's queue holds, as much as it takes now. */
void
peer_send(struct relay *r, struct endpoint *p)
{
	struct chunk *c;
	ssize_t w;

	if (p->hs)
		return; /* not before the handshake */
	visit_mark(r, p);
	while (!p->dead && (c = p->out.head) != NULL && r->halt == HALT_NONE) {
		w = peer_write(r, p, c->data + p->out.off, c->len - p->out.off);
		if (w > 0) {
			moved(r, p, '>', c->data + p->out.off, (size_t)w);
			p->bytes_out += (uint64_t)w;
			p->last_ms = p->wr_ms = sock_now_ms();
			peer_queue_consume(r, p, (size_t)w);
			continue;
		}
		if (w == -2)
			return;
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		peer_fail(r, p, w == -1 ? errno : EIO, NULL);
	}
}

/* Reads from p's TLS session into buf (len bytes): records are 16 KB at
   most, so it takes as many as buf holds.  Returns the bytes read. */
static size_t
recv_tls(struct relay *r, struct endpoint *p, char *buf, size_t len)
{
	struct sock_err te;
	size_t got = 0;
	ssize_t n = TLS_AGAIN;

	while (got < len) {
		n = tls_read(p->tls, buf + got, len - got, &p->rd_ev, &te);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == len)
		p->rd_ev = POLLIN;
	if (n == 0) {
		/* close_notify, or a TCP EOF without it (told with -v) */
		p->rd_eof = true;
		p->truncated = tls_truncated(p->tls);
	} else if (n == -1) {
		peer_fail_tls(r, p, &te);
	}
	if (got > 0 || n != TLS_AGAIN)
		p->last_ms = sock_now_ms();
	return got;
}

/* Reads from p's socket into buf.  Returns the bytes read. */
static size_t
recv_stream(struct relay *r, struct endpoint *p, char *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(p->fd, buf, len, MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == -1) {
		peer_fail(r, p, errno, NULL);
		return 0;
	}
	p->last_ms = sock_now_ms();
	if (n == 0)
		p->rd_eof = true;
	return (size_t)n;
}

/* Reads what p has, a chunk, and routes it.  Returns the bytes read (0:
   none, or its EOF, or it failed). */
static size_t
peer_recv(struct relay *r, struct endpoint *p)
{
	struct chunk *c = chunk_new(r);
	size_t got;

	if (c == NULL) {
		peer_fail(r, p, ENOMEM, NULL);
		return 0;
	}
	if (p->kind == ENDPOINT_TLS)
		got = recv_tls(r, p, c->data, broker_read_max(r));
	else if (p->kind == ENDPOINT_DGRAM)
		got = dgram_recv(r, p, c->data, RELAY_BUF);
	else
		got = recv_stream(r, p, c->data, broker_read_max(r));
	if (got > 0) {
		c->len = got;
		peer_received(r, p, c);
	}
	chunk_put(r, c);
	return got;
}

/* Chunk c came from p: logged, counted, routed. */
void
peer_received(struct relay *r, struct endpoint *p, struct chunk *c)
{
	visit_mark(r, p);
	moved(r, p, '<', c->data, c->len);
	p->bytes_in += c->len;
	/* -t: IAC sequences answered and taken out */
	if (r->o.telnet)
		c->len = telnet_filter(r, p, c->data, c->len);
	if (c->len > 0)
		route_from_peer(r, p, c);
}

/* While full reads go straight out, a few more this round (a round
   walks every peer); after the peer's FIN (re), on to the EOF.  Returns
   0, or -1 (*e). */
static int
read_peer(struct relay *r, struct endpoint *p, short re, struct sock_err *e)
{
	size_t got;
	int k;

	for (k = 0; k < 16; k++) {
		if ((got = peer_recv(r, p)) == 0)
			break;
		if (local_flush(r, e) == -1)
			return -1;
		if (!peer_may_read(r, p) || p->dead || p->rd_eof ||
		    r->halt != HALT_NONE ||
		    (got < RELAY_BUF && p->kind != ENDPOINT_DGRAM &&
			!(re & POLLRDHUP)))
			break;
	}
	return 0;
}

/* What peer p was ready for.  Returns 0, or -1 (*e). */
int
peer_dispatch(struct relay *r, struct endpoint *p, struct sock_err *e)
{
	short re = p->re;
	int err = 0;
	socklen_t len = sizeof(err);

	if (p->tls != NULL && !p->hs && queue_empty(&r->local.out) &&
	    tls_pending(p->tls))
		re |= p->rd_ev;
	if (re == 0)
		return 0;
	visit_mark(r, p);
	if (p->hs) {
		peer_handshake(r, p);
		return 0;
	}
	if (re & (p->wr_ev | POLLERR))
		peer_send(r, p);
	if ((re & (p->rd_ev | POLLHUP | POLLERR)) && !p->dead && !p->rd_eof &&
	    !r->o.send_only && peer_may_read(r, p) && r->zc.out == ZC_NONE &&
	    read_peer(r, p, re, e) == -1)
		return -1;
	if ((re & POLLERR) && !p->dead && r->o.send_only) {
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		peer_fail(r, p, err ? err : ECONNRESET, NULL);
	}
	if (p->reg == 0 && (re & (POLLHUP | POLLERR)))
		p->hup = true;
	return 0;
}

/* -k: a plain client just accepted is read at once (when the local side
   has nothing for it first), as if epoll had told it ready with a
   hang-up: what it sent with its connection, up to its EOF when that
   came too.  A client that sends and leaves is done without being
   watched (no epoll_ctl, no wait); one that sends nothing yet costs one
   recv(2) that finds nothing.  Returns 0, or -1 (*e). */
int
peer_try_read(struct relay *r, struct endpoint *p, struct sock_err *e)
{
	int rc;

	if (p->kind != ENDPOINT_STREAM || p->hs || p->dead)
		return 0;
	p->re = p->rd_ev;
	rc = peer_dispatch(r, p, e);
	p->re = 0;
	return rc;
}

/* Half-closes p once all of the local side has gone to it. */
void
peer_shutdown(struct relay *r, struct endpoint *p)
{
	/* a broker's client still hears the others: never half-closed */
	if (p->dead || p->wr_shut || p->hs || !r->local.in_eof ||
	    !queue_empty(&p->out) || r->o.broker)
		return;
	/* a datagram socket has no sending side to shut (a shared one is
	   the listener's) */
	if (!r->o.no_shutdown && !r->o.recv_only && p->kind != ENDPOINT_DGRAM) {
		/* TLS: close_notify first, then the TCP half-close */
		p->closing =
		    p->tls != NULL && tls_close(p->tls, &p->wr_ev) == TLS_AGAIN;
		if (p->closing)
			return;
		shutdown(p->fd, SHUT_WR);
	}
	p->wr_shut = true;
}

/* One step of p's handshake; when it is done, the mode is told and p
   joins the session (with -k, from the local side's next chunk on). */
void
peer_handshake(struct relay *r, struct endpoint *p)
{
	struct sock_err te;
	int rc;

	if (p->pp != NULL) { /* --proxy-protocol: its header first */
		header_step(r, p);
		return;
	}
	rc = tls_handshake(p->tls, &p->hs_ev, &te);
	if (rc == TLS_AGAIN)
		return;
	if (rc == -1) {
		peer_fail_tls(r, p, &te);
		return;
	}
	p->hs = false;
	p->last_ms = sock_now_ms();
	if (r->h.tls_ready != NULL && r->h.tls_ready(r->h.ctx, p) == -1)
		peer_dead(r, p);
}

/* When p's --idle-timeout passes, or -1 for never.  With -k, a client
   whose socket took none of the chunk waiting for it holds up every
   other: its time runs from its last progress, even while it sends;
   one that waits for the others is not idle. */
double
peer_idle_at(const struct relay *r, const struct endpoint *p)
{
	bool owes = !p->hs && !queue_empty(&p->out);
	double since = p->last_ms;

	/* a PROXY protocol header has its handshake deadline */
	if (r->o.idle_ms < 0 || p->dead || p->pp != NULL)
		return -1;
	if (r->o.keep_open && r->owing > 0 && !owes)
		return -1;
	if (r->o.keep_open && owes && p->wr_ms < since)
		since = p->wr_ms;
	return since + (double)r->o.idle_ms;
}

/* Closes p and frees it (the relay ends: nobody counts on its queue). */
void
peer_free(struct relay *r, struct endpoint *p)
{
	queue_clear(r, &p->out);
	tls_free(p->tls);
	close(p->fd);
	free(p->chat);
	header_free(p);
	free(p);
}

/* p (the i-th) ended: the mode is told, and its place is taken. */
void
peer_drop(struct relay *r, size_t i)
{
	struct endpoint *p = r->peers[i];

	broker_leave(r, p); /* --chat: the others are told */
	if (r->h.closed != NULL && !p->refused && !p->handed_off)
		r->h.closed(r->h.ctx, p, p->err.kind != SOCK_OK);
	/* out of the set first when another descriptor of it lives on (an
	   -e child's, a datagram listener's); else (-k: many clients come
	   and go) the close takes it out */
	if (r->o.children || !r->o.keep_open || p->shared)
		relay_set_watch(r, p->fd, &p->reg, -1, &p->re);
	visit_forget(r, p);
	r->peers[i] = r->peers[--r->n];
	r->peers[i]->slot = i;
	/* whatever the reason it left, it no longer holds up the chunk */
	peer_queue_clear(r, p);
	peer_free(r, p);
	r->accept_pause = 0; /* a descriptor is free again */
}
