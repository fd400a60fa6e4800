/* The zero-copy path of the relay: splice(2) and sendfile(2) move the
   bytes between the local side and the one peer inside the kernel, when
   nothing must see them. */
#include "config.h"

#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

#define ZC_CHUNK (1 << 20) /* at most per splice/sendfile call */

/* Chooses the zero-copy paths: splice(2) from an in_fd pipe and into an
   out_fd pipe, sendfile(2) from an in_fd file, splice through a pipe of
   our own into an out_fd file or /dev/null.  Only for one peer, plain,
   and when nothing must see the bytes (-C, -o, -x); SOCKIT_COPY=1 in
   the environment forces the copying path (the tests run both). */
void
zc_setup(struct relay *r)
{
	struct local *l = &r->local;
	struct stat in, out;
	const char *copy = getenv("SOCKIT_COPY");

	if (r->o.keep_open || r->n != 1 || r->peers[0]->tls != NULL ||
	    r->peers[0]->hs || /* a PROXY protocol header: not yet */
	    r->peers[0]->kind == ENDPOINT_DGRAM || r->o.crlf ||
	    r->h.log != NULL || r->o.telnet || r->o.delay_ms > 0 ||
	    (copy != NULL && strcmp(copy, "1") == 0))
		return;
	if (!l->in_eof && fstat(l->in_fd, &in) == 0) {
		if (S_ISFIFO(in.st_mode)) {
			r->zc.in = ZC_SPLICE;
			fcntl(l->in_fd, F_SETPIPE_SZ, ZC_CHUNK);
		} else if (S_ISREG(in.st_mode)) {
			r->zc.in = ZC_SENDFILE;
		}
	}
	if (r->o.send_only || l->out_closed || fstat(l->out_fd, &out) == -1)
		return;
	if (S_ISFIFO(out.st_mode)) {
		r->zc.out = ZC_SPLICE;
		fcntl(l->out_fd, F_SETPIPE_SZ, ZC_CHUNK);
	} else if ((S_ISREG(out.st_mode) &&
		       !(fcntl(l->out_fd, F_GETFL) & O_APPEND)) ||
	    (S_ISCHR(out.st_mode) && out.st_rdev == makedev(1, 3))) {
		if (pipe2(r->zc.pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
			fcntl(r->zc.pipe[0], F_SETPIPE_SZ, ZC_CHUNK);
			r->zc.out = ZC_PIPE;
		}
	}
}

void
zc_close(struct relay *r)
{
	if (r->zc.pipe[0] >= 0) {
		close(r->zc.pipe[0]);
		close(r->zc.pipe[1]);
	}
}

/* An error of a zero-copy move: the peer's, or ours (-1, *e). */
static int
zc_error(struct relay *r, struct endpoint *p, int err, const char *local,
    struct sock_err *e)
{
	if (err == EPIPE || err == ECONNRESET || err == ENOTCONN ||
	    err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH) {
		if (local == NULL || err != EPIPE) {
			peer_fail(r, p, err, NULL);
			return 0;
		}
	}
	return sock_fail(e, SOCK_ELOCAL, err, "%s",
	    local ? local : "read from stdin");
}

/* in_fd -> peer without copying.  by_input: poll said in_fd is readable
   (else: the socket is writable).  Returns 0 or -1 (*e). */
static int
zc_move_in(struct relay *r, struct endpoint *p, bool by_input,
    struct sock_err *e)
{
	struct local *l = &r->local;
	ssize_t n;
	int k;

	for (k = 0; k < 16 && !p->dead; k++) {
		if (r->zc.in == ZC_SENDFILE)
			n = sendfile(p->fd, l->in_fd, NULL, ZC_CHUNK);
		else
			n = splice(l->in_fd, NULL, p->fd, NULL, ZC_CHUNK,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			p->bytes_out += (uint64_t)n;
			p->last_ms = sock_now_ms();
			continue;
		}
		if (n == 0) {
			l->in_eof = true;
			l->in_eof_at = sock_now_ms();
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			/* the other side than the one poll told about */
			r->zc.in_waits_peer =
			    r->zc.in == ZC_SENDFILE || by_input;
			return 0;
		}
		if (errno == EINVAL || errno == ENOSYS) {
			r->zc.in = ZC_NONE; /* not for these: copy */
			return 0;
		}
		return zc_error(r, p, errno, NULL, e);
	}
	r->zc.in_waits_peer = false;
	return 0;
}

/* Empties the pipe in the middle into out_fd.  Returns 0 or -1 (*e). */
static int
zc_drain(struct relay *r, struct sock_err *e)
{
	ssize_t n;

	while (r->zc.piped > 0) {
		n = splice(r->zc.pipe[0], NULL, r->local.out_fd, NULL,
		    r->zc.piped, SPLICE_F_MOVE);
		if (n > 0) {
			r->zc.piped -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		return sock_fail(e, SOCK_ELOCAL, n == 0 ? EIO : errno,
		    "write to stdout");
	}
	return 0;
}

/* peer -> out_fd without copying.  by_peer: poll said the socket is
   readable (else: out_fd is writable).  Returns 0 or -1 (*e). */
static int
zc_move_out(struct relay *r, struct endpoint *p, bool by_peer,
    struct sock_err *e)
{
	int out = r->zc.out == ZC_PIPE ? r->zc.pipe[1] : r->local.out_fd;
	ssize_t n;
	int k;

	for (k = 0; k < 16 && !p->dead && !p->rd_eof; k++) {
		n = splice(p->fd, NULL, out, NULL, ZC_CHUNK,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			p->bytes_in += (uint64_t)n;
			p->last_ms = sock_now_ms();
			if (r->zc.out == ZC_PIPE) {
				r->zc.piped += (size_t)n;
				if (zc_drain(r, e) == -1)
					return -1;
			}
			continue;
		}
		if (n == 0) {
			p->rd_eof = true;
			p->last_ms = sock_now_ms();
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			r->zc.out_waits_output =
			    r->zc.out == ZC_SPLICE && by_peer;
			return 0;
		}
		if (errno == EINVAL || errno == ENOSYS) {
			if (r->zc.out == ZC_PIPE && zc_drain(r, e) == -1)
				return -1;
			r->zc.out = ZC_NONE;
			return 0;
		}
		return zc_error(r, p, errno, "write to stdout", e);
	}
	r->zc.out_waits_output = false;
	return 0;
}

/* The zero-copy moves of this round, by what was ready.  Returns 0 or
   -1 (*e). */
int
zc_dispatch(struct relay *r, struct sock_err *e)
{
	struct endpoint *p = r->peers[0];
	short pre = p->re, ire = r->local.in_re, ore = r->local.out_re;

	if (r->round.zc_in && (ire || (pre & (POLLOUT | POLLERR))) &&
	    zc_move_in(r, p, ire != 0, e) == -1)
		return -1;
	if (r->round.zc_out &&
	    ((pre & (POLLIN | POLLHUP | POLLERR)) || (ore & POLLOUT)) &&
	    zc_move_out(r, p, pre != 0, e) == -1)
		return -1;
	if (r->round.zc_out && (ore & POLLERR))
		return sock_fail(e, SOCK_ELOCAL, EPIPE, "write to stdout");
	return 0;
}
