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

/* A client of listener lfd joins as a peer: its PROXY protocol header
   first (--proxy-protocol); after stdin's EOF it is half-closed at once
   (with TLS, after the handshake).  Returns it, or NULL. */
static struct endpoint *
join(struct relay *r, struct relay_client *cl)
{
	struct sock_err e;
	struct endpoint *p;

	if (peer_add(r, cl->fd, &cl->peer, cl->tls, &e) == -1) {
		tls_free(cl->tls);
		close(cl->fd);
		return NULL;
	}
	p = r->peers[r->n - 1];
	if (r->o.proxy_protocol != 0 && header_start(r, p) == -1)
		header_refuse(r, p, ENOMEM, NULL);
	peer_shutdown(r, p);
	return p;
}

/* Takes clients from listener lfd: at most max (when it is 1, a client
   costs one accept, not one more to learn that nobody else waits).
   Returns how many came (taken, refused or handed off); *joined is the
   last that joined as a peer, or NULL. */
static int
accept_ready(struct relay *r, int lfd, int max, struct endpoint **joined)
{
	struct relay_client cl;
	struct sock_err e;
	int k;

	*joined = NULL;
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
			if ((*joined = join(r, &cl)) == NULL)
				continue;
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
   (clients one after the other), one client a round.  With -k, a client
   that came alone (not in a drain's burst, whose clients have rarely
   sent yet) is read at once (peer_try_read). */
void
accept_clients(struct relay *r)
{
	struct endpoint *p;
	struct sock_err e;
	short ready = 0;
	size_t i;
	int came;

	for (i = 0; i < r->nl; i++)
		ready |= r->l_re[i] & POLLIN;
	r->l_streak = ready ? r->l_streak + 1 : 0;
	for (i = 0; i < r->nl && r->halt == HALT_NONE; i++) {
		if (!(r->l_re[i] & POLLIN))
			continue;
		if (r->l_dgram[i]) {
			dgram_accept(r, i); /* datagrams: listen -u */
			continue;
		}
		came = accept_ready(r, r->lfd[i], r->l_streak > 1 ? 64 : 1, &p);
		if (came != 1 || p == NULL || !r->o.keep_open ||
		    !local_quiet(r))
			continue;
		if (peer_try_read(r, p, &e) == -1) {
			r->halt = HALT_ACCEPT; /* stdout failed */
			r->halt_err = e;
		}
	}
}
