/* The zero-copy path of the relay: splice(2) and sendfile(2) move the
   bytes between stdin/stdout and the one connection inside the kernel,
   when nothing must see them. */
#include "config.h"

#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

/* Chooses the zero-copy paths: splice(2) from a stdin pipe and into a
   stdout pipe, sendfile(2) from a stdin file, splice through a pipe of
   our own into a stdout file or /dev/null.  Only for one connection and
   when nothing must see the bytes (-C, -o, -x); SOCKIT_COPY=1 in the
   environment forces the copying path (the tests run both). */
void
zc_setup(struct relay *r)
{
	struct stat in, out;
	const char *copy = getenv("SOCKIT_COPY");

	r->zp[0] = r->zp[1] = -1;
	if (r->o.keep_open || r->n != 1 || r->c[0]->tls != NULL || r->o.crlf ||
	    r->h.log != NULL || (copy != NULL && strcmp(copy, "1") == 0))
		return;
	if (!r->in_eof && fstat(0, &in) == 0) {
		if (S_ISFIFO(in.st_mode)) {
			r->zc_in = ZC_SPLICE;
			fcntl(0, F_SETPIPE_SZ, ZC_CHUNK);
		} else if (S_ISREG(in.st_mode)) {
			r->zc_in = ZC_SENDFILE;
		}
	}
	if (r->o.send_only || fstat(1, &out) == -1)
		return;
	if (S_ISFIFO(out.st_mode)) {
		r->zc_out = ZC_SPLICE;
		fcntl(1, F_SETPIPE_SZ, ZC_CHUNK);
	} else if ((S_ISREG(out.st_mode) && !(fcntl(1, F_GETFL) & O_APPEND)) ||
	    (S_ISCHR(out.st_mode) && out.st_rdev == makedev(1, 3))) {
		if (pipe2(r->zp, O_CLOEXEC | O_NONBLOCK) == 0) {
			fcntl(r->zp[0], F_SETPIPE_SZ, ZC_CHUNK);
			r->zc_out = ZC_PIPE;
		}
	}
}

/* An error of a zero-copy move: the connection's, or ours (-1, *e). */
static int
zc_error(struct conn *c, int err, const char *local, struct sock_err *e)
{
	if (err == EPIPE || err == ECONNRESET || err == ENOTCONN ||
	    err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH) {
		if (local == NULL || err != EPIPE) {
			conn_fail(c, err, NULL);
			return 0;
		}
	}
	return sock_fail(e, SOCK_ELOCAL, err, "%s",
	    local ? local : "read from stdin");
}

/* stdin -> socket without copying.  by_stdin: poll said stdin is
   readable (else: the socket is writable).  Returns 0 or -1 (*e). */
int
zc_move_in(struct relay *r, struct conn *c, bool by_stdin, struct sock_err *e)
{
	ssize_t n;
	int k;

	for (k = 0; k < 16 && !c->dead; k++) {
		if (r->zc_in == ZC_SENDFILE)
			n = sendfile(c->fd, 0, NULL, ZC_CHUNK);
		else
			n = splice(0, NULL, c->fd, NULL, ZC_CHUNK,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			c->bytes_out += (uint64_t)n;
			c->last_ms = sock_now_ms();
			continue;
		}
		if (n == 0) {
			r->in_eof = true;
			r->in_eof_at = sock_now_ms();
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			/* the other side than the one poll told about */
			r->zin_wait_sock = r->zc_in == ZC_SENDFILE || by_stdin;
			return 0;
		}
		if (errno == EINVAL || errno == ENOSYS) {
			r->zc_in = ZC_NONE; /* not for these: copy */
			return 0;
		}
		return zc_error(c, errno, NULL, e);
	}
	r->zin_wait_sock = false;
	return 0;
}

/* Empties the pipe in the middle into stdout.  Returns 0 or -1 (*e). */
int
zc_drain(struct relay *r, struct sock_err *e)
{
	ssize_t n;

	while (r->zlen > 0) {
		n = splice(r->zp[0], NULL, 1, NULL, r->zlen, SPLICE_F_MOVE);
		if (n > 0) {
			r->zlen -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		return sock_fail(e, SOCK_ELOCAL, n == 0 ? EIO : errno,
		    "write to stdout");
	}
	return 0;
}

/* socket -> stdout without copying.  by_sock: poll said the socket is
   readable (else: stdout is writable).  Returns 0 or -1 (*e). */
int
zc_move_out(struct relay *r, struct conn *c, bool by_sock, struct sock_err *e)
{
	int out = r->zc_out == ZC_PIPE ? r->zp[1] : 1;
	ssize_t n;
	int k;

	for (k = 0; k < 16 && !c->dead && !c->rd_eof; k++) {
		n = splice(c->fd, NULL, out, NULL, ZC_CHUNK,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			c->bytes_in += (uint64_t)n;
			c->last_ms = sock_now_ms();
			if (r->zc_out == ZC_PIPE) {
				r->zlen += (size_t)n;
				if (zc_drain(r, e) == -1)
					return -1;
			}
			continue;
		}
		if (n == 0) {
			c->rd_eof = true;
			c->last_ms = sock_now_ms();
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			r->zout_wait_out = r->zc_out == ZC_SPLICE && by_sock;
			return 0;
		}
		if (errno == EINVAL || errno == ENOSYS) {
			if (r->zc_out == ZC_PIPE && zc_drain(r, e) == -1)
				return -1;
			r->zc_out = ZC_NONE;
			return 0;
		}
		return zc_error(c, errno, "write to stdout", e);
	}
	r->zout_wait_out = false;
	return 0;
}
