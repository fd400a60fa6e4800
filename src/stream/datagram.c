/* Datagram endpoints (connect -u, listen -u; SPEC "UDP sessions"): the
   relay's third kind of endpoint.  What the local side reads is cut into
   datagrams (a line each, sent when complete; or one read each), a
   datagram received is one chunk for the local side, and a datagram
   listener makes each new sender a peer: without keep_open the socket
   itself, connected to the first sender; with keep_open a duplicate of
   it per sender, sent to with sendto(2) and read through the listener,
   which hands each datagram to the peer of its source address. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

/* p moves datagrams: one per send, read whole. */
static void
dgram_endpoint(struct endpoint *p, bool shared)
{
	p->kind = ENDPOINT_DGRAM;
	p->shared = shared;
	p->rd_ev = shared ? 0 : POLLIN; /* a shared one: via the listener */
}

int
relay_add_dgram(struct relay *r, int fd, const struct sock_addr *peer,
    struct sock_err *e)
{
	if (relay_add(r, fd, peer, NULL, e) == -1)
		return -1;
	dgram_endpoint(r->peers[r->n - 1], false);
	return 0;
}

int
relay_listen_dgram(struct relay *r, int lfd)
{
	if (relay_listen(r, lfd) == -1)
		return -1;
	r->l_dgram[r->nl - 1] = true;
	return 0;
}

/* How much of the local side one read may take: a datagram with --raw;
   with lines, what the chunk holds after the carried start of a line. */
size_t
dgram_local_room(const struct relay *r)
{
	if (!r->o.lines)
		return r->o.datagram_max < RELAY_BUF ? r->o.datagram_max :
						       RELAY_BUF;
	return RELAY_BUF - r->local.carry_len;
}

/* Lines: of the total bytes at c, the complete lines stay in c (its
   length); the start of a line not yet complete is carried to the next
   read, unless it is a datagram's worth already.  Returns 0, or -1 when
   memory ran out. */
int
dgram_read_local(struct relay *r, struct chunk *c, size_t total,
    struct sock_err *e)
{
	struct local *l = &r->local;
	const char *nl = NULL;
	size_t cut = total, i;

	for (i = total; i > 0 && nl == NULL; i--)
		if (c->data[i - 1] == '\n')
			nl = c->data + i - 1;
	if (nl != NULL)
		cut = (size_t)(nl - c->data) + 1;
	else
		cut = 0;
	if (total - cut >= r->o.datagram_max)
		cut = total; /* no newline within a datagram: sent as is */
	if (l->carry == NULL && total > cut &&
	    (l->carry = malloc(r->o.datagram_max)) == NULL)
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "relay");
	l->carry_len = total - cut;
	if (l->carry_len > 0)
		memcpy(l->carry, c->data + cut, l->carry_len);
	c->len = cut;
	return 0;
}

/* Sends the first datagram of the n bytes at buf to p: a line (up to
   and with its newline) or, with --raw, all of them; at most the largest
   datagram.  Returns the bytes it took, or -1 (errno). */
ssize_t
dgram_write(struct endpoint *p, const char *buf, size_t n, bool lines,
    size_t max)
{
	const char *nl = lines ? memchr(buf, '\n', n) : NULL;
	size_t len = nl != NULL ? (size_t)(nl - buf) + 1 : n;
	ssize_t w;

	if (len > max)
		len = max;
	if (p->shared)
		w = sendto(p->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT,
		    (const struct sockaddr *)&p->peer.ss, p->peer.len);
	else
		w = send(p->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w == -1)
		return -1;
	p->datagrams_out++;
	return (ssize_t)len;
}

/* Reads one datagram of p into buf.  Returns its length (0: none, or an
   empty one). */
size_t
dgram_recv(struct relay *r, struct endpoint *p, char *buf, size_t len)
{
	ssize_t n;

	if (p->shared)
		return 0; /* its datagrams come through the listener */
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
	p->datagrams_in++;
	return (size_t)n;
}

/* The peer whose address is from, or NULL. */
static struct endpoint *
peer_of(const struct relay *r, const struct sockaddr_storage *from,
    socklen_t len)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->peers[i]->shared && r->peers[i]->peer.len == len &&
		    memcmp(&r->peers[i]->peer.ss, from, len) == 0)
			return r->peers[i];
	return NULL;
}

/* Listener i is no longer one: without keep_open its socket becomes the
   peer; the others close. */
static void
listeners_done(struct relay *r, size_t keep)
{
	size_t i;

	for (i = 0; i < r->nl; i++) {
		relay_set_watch(r, r->lfd[i], &r->l_reg[i], -1, &r->l_re[i]);
		if (i != keep)
			close(r->lfd[i]);
	}
	r->nl = 0;
}

/* The sender at from (len) joins: without keep_open, listener i's
   socket connected to it; with keep_open, a duplicate of it.  Returns
   the peer, or NULL. */
static struct endpoint *
dgram_join(struct relay *r, size_t i, const struct sockaddr_storage *from,
    socklen_t len)
{
	struct sock_addr a;
	struct sock_err e;
	struct endpoint *p;
	int fd = r->lfd[i];

	if (sock_addr_from_sa(&a, (const struct sockaddr *)from, len, &e) == -1)
		return NULL;
	if (r->o.keep_open) {
		if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
			return NULL;
	} else {
		/* an unnamed Unix sender cannot be answered: not connected */
		if (a.family != AF_UNIX || a.host[0] != '\0')
			sock_udp_connect(fd, &a, &e);
		listeners_done(r, i);
	}
	if (peer_add(r, fd, &a, NULL, &e) == -1) {
		close(fd);
		return NULL;
	}
	p = r->peers[r->n - 1];
	dgram_endpoint(p, r->o.keep_open);
	peer_shutdown(r, p); /* after stdin EOF: nothing will go to it */
	if (r->h.joined != NULL)
		r->h.joined(r->h.ctx, p);
	return p;
}

/* Datagram listener i is ready: each datagram goes to the local side as
   its sender's, a new sender joining first; while the local side's
   queue is empty (a peer's datagrams wait their turn as a stream's
   bytes do). */
void
dgram_accept(struct relay *r, size_t i)
{
	struct sockaddr_storage from;
	struct endpoint *p;
	struct sock_err e;
	struct chunk *c;
	socklen_t len;
	ssize_t n;
	int k, lfd = r->lfd[i];

	for (k = 0; k < 64 && queue_empty(&r->local.out); k++) {
		if ((c = chunk_new(r)) == NULL)
			return;
		len = sizeof(from);
		memset(&from, 0, sizeof(from));
		do
			n = recvfrom(lfd, c->data, RELAY_BUF, MSG_DONTWAIT,
			    (struct sockaddr *)&from, &len);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			chunk_put(r, c);
			return;
		}
		p = peer_of(r, &from, len);
		if (p == NULL && (p = dgram_join(r, i, &from, len)) == NULL) {
			chunk_put(r, c);
			continue;
		}
		p->last_ms = sock_now_ms();
		p->datagrams_in++;
		c->len = (size_t)n;
		if (n > 0)
			peer_received(r, p, c);
		chunk_put(r, c);
		/* stdout at once (a file is never waited for); its failure
		   stops the relay as the first client's would */
		if (r->halt == HALT_NONE && local_flush(r, &e) == -1) {
			r->halt = HALT_ACCEPT;
			r->halt_err = e;
			return;
		}
		if (!r->o.keep_open)
			return; /* the listener is the peer now */
	}
}
