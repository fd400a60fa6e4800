/* The relay: stdin -> every socket, every socket -> stdout.  One event
   loop on epoll(7), level-triggered: each round says what every
   descriptor waits for (poll(2)'s bits, which epoll shares), the kernel
   is told only what changed, and the wait costs what is ready, not what
   is open (a listen -k holding 10000 idle clients moves one busy
   client's bytes as fast as with none).  stdin is read only when the
   last chunk reached every socket, and a socket is read only when stdout
   has taken what came before, so memory stays two buffers whatever the
   sizes and speeds. */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/relay.h"
#include "stream/internal.h"
#include "out/report.h"

static void chunk_done(struct relay *);

#ifndef KCMP_FILE
#define KCMP_FILE 0 /* <linux/kcmp.h> */
#endif

/* true when fd and stderr are one open file description (2>&1): then
   its file status flags are stderr's too, and stdio drops what a
   non-blocking stderr does not take at once.  kcmp(2) tells exactly;
   without it (ENOSYS, a seccomp filter) the same file counts as one. */
static bool
shares_stderr(int fd)
{
	struct stat a, b;
#ifdef SYS_kcmp
	pid_t pid = getpid();
	long rc = syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd, 2);

	if (rc >= 0)
		return rc == 0;
#endif
	return fstat(fd, &a) == 0 && fstat(2, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Gives fd (a pipe) an open file description of its own, non-blocking:
   the same pipe opened again through /proc.  Returns true when done. */
static bool
own_description(int fd)
{
	char path[32];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path,
	    (fd == 0 ? O_RDONLY : O_WRONLY) | O_NONBLOCK | O_CLOEXEC);
	if (nfd == -1)
		return false;
	if (dup2(nfd, fd) == -1) {
		close(nfd);
		return false;
	}
	close(nfd);
	return true;
}

/* Makes fd non-blocking when it is a pipe or a socket (poll works and
   nobody else should share it); remembers the flags to restore.  When
   stderr shares its description, stderr is left as it is: a pipe gets a
   description of its own, a socket is read and written with
   MSG_DONTWAIT (*dontwait), anything else stays blocking. */
static bool
std_setup(int fd, bool *restore, int *flags, bool *is_tty, bool *dontwait)
{
	struct stat st;

	*restore = *dontwait = false;
	*is_tty = isatty(fd);
	if (fstat(fd, &st) == -1)
		return false;
	if (S_ISREG(st.st_mode))
		return false; /* always ready: no poll */
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return true;
	*flags = fcntl(fd, F_GETFL);
	if (*flags == -1 || (*flags & O_NONBLOCK))
		return true;
	if (shares_stderr(fd)) {
		if (S_ISSOCK(st.st_mode))
			*dontwait = true;
		else if (own_description(fd))
			*restore = true; /* blocking again at the end */
		return true;
	}
	if (fcntl(fd, F_SETFL, *flags | O_NONBLOCK) != -1)
		*restore = true;
	return true;
}

struct relay *
relay_new(const struct relay_opts *o, const struct relay_hooks *h)
{
	struct relay *r = calloc(1, sizeof(*r));
	bool tty;

	if (r == NULL)
		return NULL;
	r->o = *o;
	if (h != NULL)
		r->h = *h;
	r->in_reg = r->out_reg = -1;
	r->ibuf = malloc(o->crlf ? 2 * RELAY_BUF : RELAY_BUF);
	r->obuf = malloc(RELAY_BUF);
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->ibuf == NULL || r->obuf == NULL || r->ep == -1) {
		relay_free(r);
		return NULL;
	}
	r->in_poll = std_setup(0, &r->in_restore, &r->in_flags, &r->in_tty,
	    &r->in_dontwait);
	r->out_poll = std_setup(1, &r->out_restore, &r->out_flags, &tty,
	    &r->out_dontwait);
	if (o->recv_only)
		r->in_eof = true;
	return r;
}

/* Adds fd (made non-blocking unless nb says it is), plain or (tls not
   NULL) with its handshake to run. */
static int
conn_add(struct relay *r, int fd, bool nb, const struct sock_addr *peer,
    struct tls *tls, struct sock_err *e)
{
	struct conn *c, **nc;

	if (r->n == r->cap) {
		nc = realloc(r->c, (r->cap ? r->cap * 2 : 8) * sizeof(*nc));
		if (nc == NULL)
			return sock_fail(e, SOCK_ELOCAL, ENOMEM, "relay");
		r->c = nc;
		r->cap = r->cap ? r->cap * 2 : 8;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "relay");
	if (!nb && sock_set_nonblock(fd, true, e) == -1) {
		free(c);
		return -1;
	}
	c->fd = fd;
	c->reg = -1;
	c->log_id = ++r->log_ids;
	if (peer != NULL)
		c->peer = *peer;
	c->start_ms = c->last_ms = c->wr_ms = sock_now_ms();
	c->sent = r->ilen; /* a chunk under way is not for this one */
	/* plain: the peer's FIN is told with the bytes before it, so a
	   short read need not wait another round for the EOF */
	c->rd_ev = tls != NULL ? POLLIN : POLLIN | POLLRDHUP;
	c->hs_ev = POLLIN;
	c->wr_ev = POLLOUT;
	c->hs_end = -1;
	if (tls != NULL) {
		c->tls = tls;
		c->hs = true;
		c->hs_ev = POLLIN | POLLOUT; /* the first step: at once */
		if (r->o.handshake_ms >= 0)
			c->hs_end = c->start_ms + (double)r->o.handshake_ms;
	}
	r->c[r->n++] = c;
	r->had_conn = true;
	return 0;
}

int
relay_add(struct relay *r, int fd, const struct sock_addr *peer,
    struct sock_err *e)
{
	return conn_add(r, fd, false, peer, NULL, e);
}

int
relay_add_tls(struct relay *r, int fd, const struct sock_addr *peer,
    struct tls *tls, struct sock_err *e)
{
	if (conn_add(r, fd, false, peer, tls, e) == -1) {
		tls_free(tls);
		return -1;
	}
	return 0;
}

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

size_t
relay_count(const struct relay *r)
{
	return r->n;
}

/* Registers fd in the epoll set for ev (poll(2) bits; 0 still reports
   errors and hang-ups, as poll does), or takes it out (ev -1).  *reg is
   what it is registered for (-1: not in the set); a ready fd writes its
   events to *re at the wait.  Returns 0, or -1 (errno). */
static int
watch(struct relay *r, int fd, int *reg, int ev, short *re)
{
	struct epoll_event ee = { .events = (uint32_t)ev, .data.ptr = re };

	if (ev == *reg)
		return 0;
	if (ev < 0) {
		epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL);
		*reg = -1;
		return 0;
	}
	if (epoll_ctl(r->ep, *reg < 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
		&ee) == -1)
		return -1;
	*reg = ev;
	return 0;
}

/* Marks c failed with errno code; what is its peer's "HOST PORT" (or
   path), and reason, when not NULL, is told instead of strerror(code):
   callers print "what: sock_strerror()". */
void
conn_fail(struct conn *c, int code, const char *reason)
{
	if (c->peer.family == AF_UNIX || c->peer.family == 0)
		sock_failmsg(&c->err, SOCK_ENET, reason, "%s",
		    c->peer.host[0] ? c->peer.host : "peer");
	else
		sock_failmsg(&c->err, SOCK_ENET, reason, "%s %u", c->peer.host,
		    (unsigned)c->peer.port);
	c->err.code = code;
	c->dead = true;
}

/* Marks c failed by its TLS session's error te: a reset is told as for
   a plain socket; a TLS failure keeps OpenSSL's reason, and its what
   ("TLS handshake", "TLS") is completed by the mode with the peer. */
static void
conn_fail_tls(struct conn *c, const struct sock_err *te)
{
	if (te->kind == SOCK_ENET) {
		conn_fail(c, te->code, NULL);
		return;
	}
	c->err = *te;
	c->dead = true;
}

/* Hands what moved to or from c to the log hook (-o, -x); a failure
   stops the relay. */
static void
copy_out(struct relay *r, struct conn *c, char dir, const char *buf, size_t n)
{
	if (r->log_failed || r->h.log == NULL)
		return;
	if (r->h.log(r->h.ctx, c, dir, buf, n, &r->log_err) == -1)
		r->log_failed = true;
}

/* Writes what obuf holds to stdout, as much as it takes now.  Returns 0,
   or -1 with *e (ELOCAL; EPIPE when the reader went away). */
static int
flush_stdout(struct relay *r, struct sock_err *e)
{
	ssize_t w;

	while (r->ooff < r->olen) {
		if (r->out_closed) {
			r->ooff = r->olen; /* nobody reads: drop */
			break;
		}
		w = r->out_dontwait ?
		    send(1, r->obuf + r->ooff, r->olen - r->ooff,
			MSG_DONTWAIT) :
		    write(1, r->obuf + r->ooff, r->olen - r->ooff);
		if (w > 0) {
			r->ooff += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return sock_fail(e, SOCK_ELOCAL, w == -1 ? errno : EIO,
		    "write to stdout");
	}
	r->olen = r->ooff = 0;
	return 0;
}

/* A write to the -o/-x file failed: stdout gets what it already has
   (waiting for it, as the end of a session does), then the relay stops
   with the file's error.  Returns -1. */
static int
log_stop(struct relay *r, struct sock_err *e)
{
	struct pollfd p = { .fd = 1, .events = POLLOUT };
	struct sock_err oe;

	while (r->olen > 0 && flush_stdout(r, &oe) == 0 && r->olen > 0)
		poll(&p, 1, -1);
	*e = r->log_err;
	return -1;
}

/* Ends stdout for good: the reader sees EOF now, fd 1 stays taken. */
static void
close_stdout(struct relay *r)
{
	int nul;

	if (r->out_closed)
		return;
	r->out_closed = true;
	/* out of the set before fd 1 becomes another file */
	watch(r, 1, &r->out_reg, -1, &r->out_re);
	/* a socket as stdout (the -e --tls child's socketpair): its reader
	   sees EOF now even though stdin shares it; elsewhere ENOTSOCK */
	shutdown(1, SHUT_WR);
	if (r->out_restore) {
		fcntl(1, F_SETFL, r->out_flags);
		r->out_restore = false;
	}
	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (nul != -1) {
		dup2(nul, 1);
		close(nul);
	}
}

/* Reads a chunk of stdin into ibuf (LF -> CRLF with -C).  Returns 0, or
   -1 with *e. */
static int
read_stdin(struct relay *r, struct sock_err *e)
{
	size_t i, k, lf = 0;
	ssize_t n;

	do
		n = r->in_dontwait ? recv(0, r->ibuf, RELAY_BUF, MSG_DONTWAIT) :
				     read(0, r->ibuf, RELAY_BUF);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "read from stdin");
	if (n == 0) {
		r->in_eof = true;
		r->in_eof_at = sock_now_ms();
		return 0;
	}
	if (r->o.crlf) {
		/* an LF not preceded by CR becomes CRLF: count them, then
		   expand from the end, in place (the buffer is twice as big) */
		char before = r->in_last, prev = before;

		for (i = 0; i < (size_t)n; i++) {
			if (r->ibuf[i] == '\n' && prev != '\r')
				lf++;
			prev = r->ibuf[i];
		}
		r->in_last = prev;
		k = (size_t)n + lf;
		for (i = (size_t)n; i > 0 && k > i;) {
			char ch = r->ibuf[--i];

			r->ibuf[--k] = ch;
			if (ch == '\n' &&
			    (i > 0 ? r->ibuf[i - 1] : before) != '\r')
				r->ibuf[--k] = '\r';
		}
		n += (ssize_t)lf;
	}
	r->ilen = (size_t)n;
	return 0;
}

/* Sends what is left of the stdin chunk to c. */
static void
send_conn(struct relay *r, struct conn *c)
{
	ssize_t w;

	if (c->hs)
		return; /* not before the handshake */
	while (!c->dead && c->sent < r->ilen && !r->log_failed) {
		if (c->tls != NULL && c->truncated) {
			/* TLS cannot go on after a truncation */
			conn_fail(c, EPIPE,
			    "the peer closed the connection "
			    "without TLS close_notify");
			return;
		}
		if (c->tls != NULL) {
			struct sock_err te;

			w = tls_write(c->tls, r->ibuf + c->sent,
			    r->ilen - c->sent, &c->wr_ev, &te);
			if (w == TLS_AGAIN)
				return;
			if (w < 0) {
				conn_fail_tls(c, &te);
				return;
			}
		} else {
			w = send(c->fd, r->ibuf + c->sent, r->ilen - c->sent,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		if (w > 0) {
			copy_out(r, c, '>', r->ibuf + c->sent, (size_t)w);
			c->sent += (size_t)w;
			c->bytes_out += (uint64_t)w;
			c->last_ms = c->wr_ms = sock_now_ms();
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_fail(c, w == -1 ? errno : EIO, NULL);
	}
}

/* Reads from c's TLS session into obuf (which is empty): records are
   16 KB at most, so it takes as many as obuf holds. */
static void
recv_tls(struct relay *r, struct conn *c)
{
	struct sock_err te;
	size_t got = 0;
	ssize_t n = TLS_AGAIN;

	while (got < RELAY_BUF) {
		n = tls_read(c->tls, r->obuf + got, RELAY_BUF - got, &c->rd_ev,
		    &te);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == RELAY_BUF)
		c->rd_ev = POLLIN;
	if (n == 0) {
		/* close_notify, or a TCP EOF without it (told with -v) */
		c->rd_eof = true;
		c->truncated = tls_truncated(c->tls);
	} else if (n == -1) {
		conn_fail_tls(c, &te);
	}
	if (got == 0 && n == TLS_AGAIN)
		return;
	c->last_ms = sock_now_ms();
	if (got == 0)
		return;
	copy_out(r, c, '<', r->obuf, got);
	c->bytes_in += got;
	r->olen = got;
	r->ooff = 0;
}

/* Reads from c into obuf (which is empty). */
static void
recv_conn(struct relay *r, struct conn *c)
{
	ssize_t n;

	if (c->tls != NULL) {
		recv_tls(r, c);
		return;
	}
	do
		n = recv(c->fd, r->obuf, RELAY_BUF, MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n == -1) {
		conn_fail(c, errno, NULL);
		return;
	}
	c->last_ms = sock_now_ms();
	if (n == 0) {
		c->rd_eof = true;
		return;
	}
	copy_out(r, c, '<', r->obuf, (size_t)n);
	c->bytes_in += (uint64_t)n;
	r->olen = (size_t)n;
	r->ooff = 0;
}

/* Half-closes c once all of stdin has gone to it. */
static void
maybe_shutdown(struct relay *r, struct conn *c)
{
	if (c->dead || c->wr_shut || c->hs || !r->in_eof || c->sent < r->ilen)
		return;
	if (!r->o.no_shutdown && !r->o.recv_only) {
		/* TLS: close_notify first, then the TCP half-close */
		c->closing =
		    c->tls != NULL && tls_close(c->tls, &c->wr_ev) == TLS_AGAIN;
		if (c->closing)
			return;
		shutdown(c->fd, SHUT_WR);
	}
	c->wr_shut = true;
}

/* true when c has nothing more to do. */
static bool
conn_done(const struct relay *r, const struct conn *c)
{
	bool recv_done = c->rd_eof || r->o.send_only;

	if (c->dead)
		return true;
	if (r->o.keep_open) {
		/* a client's EOF ends its session; a --send-only client
		   (never read) ends when all of stdin went to it */
		return c->rd_eof || (r->o.send_only && c->wr_shut);
	}
	if (c->rd_eof && r->in_tty)
		return true; /* a terminal: the peer's EOF ends it */
	return recv_done && c->wr_shut;
}

static void
drop_conn(struct relay *r, size_t i)
{
	struct conn *c = r->c[i];

	if (r->h.closed != NULL)
		r->h.closed(r->h.ctx, c, c->err.kind != SOCK_OK);
	tls_free(c->tls);
	/* out of the set first: an -e child may hold the socket too */
	watch(r, c->fd, &c->reg, -1, &c->re);
	close(c->fd);
	free(c);
	r->c[i] = r->c[--r->n];
	r->accept_pause = 0; /* a descriptor is free again */
	/* whatever the reason it left, it no longer holds up the chunk */
	chunk_done(r);
}

/* After the chunk went to every connection, the next may be read. */
static void
chunk_done(struct relay *r)
{
	double now;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!r->c[i]->dead && r->c[i]->sent < r->ilen &&
		    !(r->c[i]->hs && r->o.keep_open))
			return;
	now = r->o.keep_open && r->ilen > 0 ? sock_now_ms() : 0;
	for (i = 0; i < r->n; i++) {
		r->c[i]->sent = 0;
		/* -k: the time it waited for the others was not idleness */
		if (now > r->c[i]->last_ms)
			r->c[i]->last_ms = now;
	}
	r->ilen = 0;
}

/* When c's --idle-timeout passes, or -1 for never.  With -k, a client
   whose socket took none of the stdin waiting for it holds up every
   other: its time runs from its last progress, even while it sends;
   one that waits for the others is not idle. */
static double
idle_at(const struct relay *r, const struct conn *c)
{
	bool owes = !c->hs && c->sent < r->ilen;
	double since = c->last_ms;

	if (r->o.idle_ms < 0 || c->dead)
		return -1;
	if (r->o.keep_open && r->ilen > 0 && !owes)
		return -1;
	if (r->o.keep_open && owes && c->wr_ms < since)
		since = c->wr_ms;
	return since + (double)r->o.idle_ms;
}

/* Takes clients from listener lfd: at most max (when it is 1, a client
   costs one accept, not one more to learn that nobody else waits). */
static void
accept_ready(struct relay *r, int lfd, int max)
{
	struct sock_addr peer;
	struct sock_err e;
	int fd, k;

	if (r->h.accept == NULL)
		return;
	for (k = 0; k < max; k++) {
		fd = r->h.accept(r->h.ctx, lfd, &peer);
		if (fd == -3)
			return; /* nobody else is waiting */
		if (fd == -2) {
			/* no descriptor to take it with: clients wait in the
			   backlog until some free up (a connection ends or
			   100 ms pass) */
			r->accept_pause = sock_now_ms() + 100;
			return;
		}
		if (fd == -1)
			continue; /* refused, or gone already */
		if (r->h.tls_wrap != NULL) {
			struct tls *t = r->h.tls_wrap(r->h.ctx, fd);

			/* half-closed, if at all, after the handshake */
			if (t == NULL ||
			    relay_add_tls(r, fd, &peer, t, &e) == -1)
				close(fd);
			continue;
		}
		if (conn_add(r, fd, true, &peer, NULL, &e) == -1) {
			close(fd);
			continue;
		}
		/* after stdin EOF, new clients are half-closed at once */
		maybe_shutdown(r, r->c[r->n - 1]);
	}
}

/* One step of c's handshake; when it is done, the mode is told and c
   joins the session (with -k, from the next stdin chunk on). */
static void
handshake(struct relay *r, struct conn *c)
{
	struct sock_err te;
	int rc = tls_handshake(c->tls, &c->hs_ev, &te);

	if (rc == TLS_AGAIN)
		return;
	if (rc == -1) {
		conn_fail_tls(c, &te);
		return;
	}
	c->hs = false;
	c->last_ms = sock_now_ms();
	if (r->o.keep_open)
		c->sent = r->ilen;
	if (r->h.tls_ready != NULL && r->h.tls_ready(r->h.ctx, c) == -1)
		c->dead = true;
}

int
relay_run(struct relay *r, struct sock_err *e)
{
	struct epoll_event ready[RELAY_EVENTS];
	size_t i;
	double now, deadline;
	int timeout, rc, k, ev;
	bool want_in, in_want, zin, zout, pending, full;

	memset(e, 0, sizeof(*e));
	zc_setup(r);
	for (;;) {
		if (r->log_failed)
			return log_stop(r, e);
		now = sock_now_ms();
		/* session rules, timers */
		for (i = 0; i < r->n; i++) {
			struct conn *c = r->c[i];

			maybe_shutdown(r, c);
			if (c->hs && !c->dead && c->hs_end >= 0 &&
			    now >= c->hs_end) {
				sock_failmsg(&c->err, SOCK_ETLS, "timed out",
				    "TLS handshake");
				c->dead = true;
			}
			deadline = idle_at(r, c);
			if (deadline >= 0 && now >= deadline) {
				conn_fail(c, ETIMEDOUT, "idle timeout");
				c->reason = "idle";
			}
			if (conn_done(r, c) && (c->dead || r->olen == 0)) {
				if (!r->o.keep_open) {
					if (c->dead) {
						*e = c->err;
						drop_conn(r, i);
						flush_stdout(r, e);
						return -1;
					}
					drop_conn(r, i);
					if (flush_stdout(r, e) == -1)
						return -1;
					return 0;
				}
				drop_conn(r, i--);
			}
		}
		if (!r->o.keep_open && r->had_conn && r->n == 0)
			return 0;
		if (!r->o.keep_open && r->n == 1 && r->c[0]->rd_eof &&
		    r->olen == 0)
			close_stdout(r);
		if (r->in_eof && r->o.quit_after_ms >= 0 && !r->o.recv_only &&
		    now - r->in_eof_at >= (double)r->o.quit_after_ms) {
			if (flush_stdout(r, e) == -1)
				return -1;
			return 0;
		}
		/* what to wait for: the set is told what changed */
		want_in = !r->in_eof && r->ilen == 0 && r->n > 0 &&
		    r->zc_in == ZC_NONE;
		zin = r->zc_in != ZC_NONE && !r->in_eof && r->n == 1 &&
		    !r->c[0]->wr_shut;
		zout = r->zc_out != ZC_NONE && r->n == 1 && !r->c[0]->rd_eof;
		r->in_re = r->out_re = 0;
		in_want = want_in ||
		    (zin && r->zc_in == ZC_SPLICE && !r->zin_wait_sock);
		if (in_want)
			r->in_quiet = false;
		if (r->in_poll) {
			/* not wanted (no client yet, a chunk under way): left
			   as it is, so that a client who comes and goes costs
			   no epoll_ctl for it, until it tells it is ready
			   (then no events) or a hang-up (then out), which it
			   would tell at every wait */
			ev = in_want			 ? POLLIN :
			    r->in_eof || r->in_hup	 ? -1 :
			    r->in_quiet || r->in_reg < 0 ? 0 :
							   r->in_reg;
			if (watch(r, 0, &r->in_reg, ev, &r->in_re) == -1) {
				if (errno != EPERM)
					return sock_fail(e, SOCK_ELOCAL, errno,
					    "epoll");
				r->in_poll = false; /* /dev/null: ready */
			}
		}
		if (r->out_poll && !r->out_closed) {
			ev = r->ooff < r->olen || (zout && r->zout_wait_out) ?
			    POLLOUT :
			    0;
			if (watch(r, 1, &r->out_reg, ev, &r->out_re) == -1) {
				if (errno != EPERM)
					return sock_fail(e, SOCK_ELOCAL, errno,
					    "epoll");
				r->out_poll = false; /* /dev/null: ready */
			}
		}
		for (i = 0; i < r->nl; i++) {
			r->l_re[i] = 0;
			if (watch(r, r->lfd[i], &r->l_reg[i],
				r->accept_pause > now ? 0 : POLLIN,
				&r->l_re[i]) == -1)
				return sock_fail(e, SOCK_ELOCAL, errno,
				    "epoll");
		}
		pending = false;
		for (i = 0; i < r->n; i++) {
			struct conn *c = r->c[i];

			ev = 0;
			if (c->hs)
				ev = c->hs_ev;
			else if (!c->rd_eof && !r->o.send_only &&
			    r->olen == 0 && !(zout && r->zout_wait_out)) {
				ev |= c->rd_ev;
				/* decrypted bytes epoll cannot see */
				if (c->tls != NULL && tls_pending(c->tls))
					pending = true;
			}
			if (!c->hs &&
			    ((c->sent < r->ilen && !c->wr_shut) || c->closing ||
				(zin &&
				    (r->zin_wait_sock ||
					r->zc_in == ZC_SENDFILE))))
				ev |= c->wr_ev;
			c->re = 0;
			/* waiting for nothing (stdout is behind) after a
			   hang-up, which epoll would tell at every wait */
			if (ev == 0 && c->hup)
				ev = -1;
			if (!c->dead &&
			    watch(r, c->fd, &c->reg, ev, &c->re) == -1)
				conn_fail(c, errno,
				    "cannot be watched (epoll)");
		}
		timeout = -1;
		deadline = -1;
		for (i = 0; i < r->n; i++)
			if (r->c[i]->hs && r->c[i]->hs_end >= 0 &&
			    (deadline < 0 || r->c[i]->hs_end < deadline))
				deadline = r->c[i]->hs_end;
		if (r->o.idle_ms >= 0)
			for (i = 0; i < r->n; i++) {
				double t = idle_at(r, r->c[i]);

				if (t >= 0 && (deadline < 0 || t < deadline))
					deadline = t;
			}
		if (r->in_eof && r->o.quit_after_ms >= 0) {
			double t = r->in_eof_at + (double)r->o.quit_after_ms;

			if (deadline < 0 || t < deadline)
				deadline = t;
		}
		if (deadline >= 0) /* a DUR past 24 days: in slices */
			timeout = sock_poll_ms(deadline, now);
		if ((want_in && !r->in_poll) || pending)
			timeout = 0; /* a regular file is always ready */
		if (r->accept_pause > now && timeout != 0) {
			/* out of descriptors: the listeners wait a moment */
			int t = (int)(r->accept_pause - now) + 1;

			timeout = timeout < 0 || t < timeout ? t : timeout;
		}
		rc = epoll_wait(r->ep, ready, RELAY_EVENTS, timeout);
		if (rc == -1 && errno != EINTR)
			return sock_fail(e, SOCK_ELOCAL, errno, "epoll_wait");
		if (stop_signal != 0) {
			/* SIGINT/SIGTERM: end every session, reported */
			flush_stdout(r, e);
			while (r->n > 0)
				drop_conn(r, r->n - 1);
			return sock_failmsg(e, SOCK_ELOCAL, "interrupted", "%s",
			    stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
		}
		if (rc == -1)
			continue;
		for (k = 0; k < rc; k++)
			*(short *)ready[k].data.ptr = (short)ready[k].events;
		if (!in_want && (r->in_re & (POLLHUP | POLLERR)))
			r->in_hup = true;
		if (!in_want && (r->in_re & POLLIN))
			r->in_quiet = true;
		/* stdout first: it frees the way for more */
		if (r->out_reg >= 0) {
			short re = r->out_re;

			if (re & POLLERR)
				return sock_fail(e, SOCK_ELOCAL, EPIPE,
				    "write to stdout");
			if ((re & POLLOUT) && flush_stdout(r, e) == -1)
				return -1;
		}
		if (zin || zout) {
			struct conn *c = r->c[0];
			short cre = c->re;
			short ire = r->in_re;
			short ore = r->out_re;

			if (zin && (ire || (cre & (POLLOUT | POLLERR))) &&
			    zc_move_in(r, c, ire != 0, e) == -1)
				return -1;
			if (zout &&
			    ((cre & (POLLIN | POLLHUP | POLLERR)) ||
				(ore & POLLOUT)) &&
			    zc_move_out(r, c, cre != 0, e) == -1)
				return -1;
			if (zout && (ore & POLLERR))
				return sock_fail(e, SOCK_ELOCAL, EPIPE,
				    "write to stdout");
		}
		if (want_in && (!r->in_poll || r->in_re)) {
			if (read_stdin(r, e) == -1)
				return -1;
			now = sock_now_ms();
			for (i = 0; i < r->n; i++) {
				r->c[i]->wr_ms = now; /* handed a chunk */
				send_conn(r, r->c[i]);
			}
			chunk_done(r);
		}
		for (i = 0; i < r->n && !r->log_failed; i++) {
			struct conn *c = r->c[i];
			short re = c->re;

			if (c->tls != NULL && !c->hs && r->olen == 0 &&
			    tls_pending(c->tls))
				re |= c->rd_ev;
			if (re == 0)
				continue;
			if (c->hs) {
				handshake(r, c);
				continue;
			}
			if (re & (c->wr_ev | POLLERR)) {
				send_conn(r, c);
				chunk_done(r);
			}
			if ((re & (c->rd_ev | POLLHUP | POLLERR)) && !c->dead &&
			    !c->rd_eof && !r->o.send_only && r->olen == 0 &&
			    r->zc_out == ZC_NONE) {
				/* while full reads go straight out, a few
				   more this round (a round walks every
				   connection); after the peer's FIN, on to
				   the EOF */
				for (k = 0; k < 16; k++) {
					recv_conn(r, c);
					if (r->olen == 0)
						break;
					full = r->olen == RELAY_BUF;
					if (flush_stdout(r, e) == -1)
						return -1;
					if (r->olen > 0 || c->dead ||
					    c->rd_eof || r->log_failed ||
					    (!full && !(re & POLLRDHUP)))
						break;
				}
			}
			if ((re & POLLERR) && !c->dead && r->o.send_only) {
				int err = 0;
				socklen_t len = sizeof(err);

				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err,
				    &len);
				conn_fail(c, err ? err : ECONNRESET, NULL);
			}
			if (c->reg == 0 && (re & (POLLHUP | POLLERR)))
				c->hup = true;
		}
		/* a listener ready round after round has a queue: drain it,
		   up to 64 clients a wakeup; ready now and then (clients one
		   after the other), one client a round */
		for (i = 0, k = 0; i < r->nl; i++)
			k |= r->l_re[i] & POLLIN;
		r->l_streak = k ? r->l_streak + 1 : 0;
		for (i = 0; i < r->nl; i++)
			if (r->l_re[i] & POLLIN)
				accept_ready(r, r->lfd[i],
				    r->l_streak > 1 ? 64 : 1);
	}
}

void
relay_free(struct relay *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		tls_free(r->c[i]->tls);
		close(r->c[i]->fd);
		free(r->c[i]);
	}
	if (r->in_restore)
		fcntl(0, F_SETFL, r->in_flags);
	if (r->out_restore)
		fcntl(1, F_SETFL, r->out_flags);
	if (r->zc_out == ZC_PIPE || r->zp[0] > 0) {
		close(r->zp[0]);
		close(r->zp[1]);
	}
	free(r->c);
	if (r->ep >= 0)
		close(r->ep);
	free(r->ibuf);
	free(r->obuf);
	free(r);
}
