/* The relay's listeners: clients come in through the accept hook (the
   mode's, which lets them in or not), join as peers or are handed off;
   and the descriptors the mode asks to watch. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "stream/internal.h"

int
relay_listen(struct relay *r, int lfd)
{
	struct sock_err e;

	if (r->nl >= RELAY_MAX_LISTEN || sock_set_nonblock(lfd, true, &e) == -1)
		return -1;
	r->l_reg[r->nl] = -1;
	r->lfd[r->nl++] = lfd;
	return 0;
}

int
relay_watch(struct relay *r, int fd)
{
	if (r->nw >= RELAY_MAX_WATCH)
		return -1;
	r->w_reg[r->nw] = -1;
	r->wfd[r->nw++] = fd;
	return 0;
}

/* The listeners are closed: nobody else comes in (one client only). */
static void
stop_listening(struct relay *r)
{
	size_t i;

	for (i = 0; i < r->nl; i++) {
		relay_set_watch(r, r->lfd[i], &r->l_reg[i], -1, &r->l_re[i]);
		close(r->lfd[i]);
	}
	r->nl = 0;
}

/* Takes clients from listener lfd: at most max (when it is 1, a client
   costs one accept, not one more to learn that nobody else waits).
   Returns how many came (taken, refused or handed off). */
static int
accept_ready(struct relay *r, int lfd, int max)
{
	struct relay_client cl;
	struct sock_err e;
	int k;

	for (k = 0; k < max && r->h.accept != NULL; k++) {
		cl.tls = NULL;
		switch (r->h.accept(r->h.ctx, lfd, &cl, &e)) {
		case RELAY_ACCEPT_EMPTY:
			return k;
		case RELAY_ACCEPT_NO_FDS:
			r->accept_pause = sock_now_ms() + 100;
			return k;
		case RELAY_ACCEPT_REFUSED:
			continue;
		case RELAY_ACCEPT_FAILED:
			r->halt = HALT_ACCEPT;
			r->halt_err = e;
			return k;
		case RELAY_ACCEPT_HANDED_OFF:
			r->had_peer = true;
			break;
		case RELAY_ACCEPT_PEER:
			if (peer_add(r, cl.fd, &cl.peer, cl.tls, &e) == -1) {
				tls_free(cl.tls);
				close(cl.fd);
				continue;
			}
			/* --proxy-protocol: the client's header first */
			if (r->o.proxy_protocol != 0 &&
			    header_start(r, r->peers[r->n - 1]) == -1)
				header_refuse(r, r->peers[r->n - 1], ENOMEM,
				    NULL);
			/* after stdin EOF, new clients are half-closed at
			   once (with TLS, after the handshake) */
			peer_shutdown(r, r->peers[r->n - 1]);
			if (r->o.keep_open && local_quiet(r) &&
			    peer_try_read(r, r->peers[r->n - 1], &e) == -1) {
				r->halt = HALT_ACCEPT; /* stdout failed */
				r->halt_err = e;
				return k;
			}
			break;
		}
		if (!r->o.keep_open) {
			stop_listening(r);
			if (r->n == 1)
				zc_setup(r);
			return k + 1;
		}
	}
	return k;
}

/* The listeners that were ready: a listener ready round after round has
   a queue: drain it, up to 64 clients a wakeup; ready now and then
   (clients one after the other), one client a round.  A drain that found
   one client (clients one after the other, each done in the round that
   took it) waits for a streak twice as long before the next, up to 8
   rounds (a burst waits 8 rounds at most, far below a listen queue);
   one that found a queue drains from the second round again. */
void
accept_clients(struct relay *r)
{
	short ready = 0;
	size_t i;
	int max, got;

	for (i = 0; i < r->nl; i++)
		ready |= r->l_re[i] & POLLIN;
	r->l_streak = ready ? r->l_streak + 1 : 0;
	if (r->l_need == 0)
		r->l_need = 1;
	max = r->l_streak > r->l_need ? 64 : 1;
	for (i = 0; i < r->nl; i++) {
		if (!(r->l_re[i] & POLLIN))
			continue;
		if (r->l_dgram[i]) {
			dgram_accept(r, i); /* datagrams: listen -u */
			continue;
		}
		got = accept_ready(r, r->lfd[i], max);
		if (max == 1 || got > 1) {
			if (got > 1)
				r->l_need = 1;
			continue;
		}
		r->l_need = r->l_need < 8 ? r->l_need * 2 : 8;
		r->l_streak = 0;
	}
}
