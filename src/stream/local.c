/* The relay's local side: in_fd read in chunks for the peers (LF to CRLF
   with -C), the peers' chunks written to out_fd.  stdin and stdout for
   listen and connect, one socket both ways for an -e child's relay;
   made non-blocking where that is safe, their flags given back at the
   end. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

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
own_description(int fd, bool reading)
{
	char path[32];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path,
	    (reading ? O_RDONLY : O_WRONLY) | O_NONBLOCK | O_CLOEXEC);
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
   fd shares its description with stderr, that one is left as it is: a
   pipe gets a description of its own, a socket is read and written with
   MSG_DONTWAIT (*dontwait), anything else stays blocking.  Returns true
   when fd is to be polled (a regular file is always ready). */
static bool
fd_setup(int fd, bool reading, bool *restore, int *flags, bool *dontwait)
{
	struct stat st;

	*restore = *dontwait = false;
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
		else if (own_description(fd, reading))
			*restore = true; /* blocking again at the end */
		return true;
	}
	if (fcntl(fd, F_SETFL, *flags | O_NONBLOCK) != -1)
		*restore = true;
	return true;
}

/* Sets up the local side.  One descriptor both ways gets a second
   number for writing, so that each way has its place in the epoll set.
   Returns 0, or -1 when no descriptor was left for that. */
int
local_open(struct relay *r, int in_fd, int out_fd)
{
	struct local *l = &r->local;

	l->in_fd = in_fd;
	l->out_fd = out_fd;
	l->in_reg = l->out_reg = -1;
	if (in_fd >= 0 && out_fd == in_fd) {
		l->out_fd = fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
		if (l->out_fd == -1)
			return -1;
		l->out_dup = true;
	}
	if (in_fd >= 0) {
		l->in_tty = isatty(in_fd);
		l->in_poll = fd_setup(in_fd, true, &l->in_restore, &l->in_flags,
		    &l->in_dontwait);
	}
	if (l->out_fd >= 0)
		l->out_poll = fd_setup(l->out_fd, false, &l->out_restore,
		    &l->out_flags, &l->out_dontwait);
	/* nothing to read (or not to be read): at its end from the start */
	l->in_eof = in_fd < 0 || r->o.recv_only;
	l->out_closed = l->out_fd < 0;
	return 0;
}

/* -C: each LF of the n bytes at buf not preceded by CR becomes CRLF:
   count them, then expand from the end, in place (buf has room for
   twice n).  Returns the new length. */
static size_t
crlf_expand(struct local *l, char *buf, size_t n)
{
	char before = l->in_last, prev = before;
	size_t i, k, lf = 0;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' && prev != '\r')
			lf++;
		prev = buf[i];
	}
	l->in_last = prev;
	k = n + lf;
	for (i = n; i > 0 && k > i;) {
		char ch = buf[--i];

		buf[--k] = ch;
		if (ch == '\n' && (i > 0 ? buf[i - 1] : before) != '\r')
			buf[--k] = '\r';
	}
	return n + lf;
}

/* Reads a chunk of in_fd into *out: NULL when none came (not ready, or
   its EOF).  Returns 0, or -1 with *e. */
int
local_read(struct relay *r, struct chunk **out, struct sock_err *e)
{
	struct local *l = &r->local;
	size_t room = RELAY_BUF, start = 0;
	struct chunk *c;
	ssize_t n;

	*out = NULL;
	if ((c = chunk_new(r)) == NULL)
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "relay");
	if (r->o.datagram_max > 0) { /* the start of a line comes first */
		start = l->carry_len;
		if (start > 0)
			memcpy(c->data, l->carry, start);
		room = dgram_local_room(r);
	}
	do
		n = l->in_dontwait ?
		    recv(l->in_fd, c->data + start, room, MSG_DONTWAIT) :
		    read(l->in_fd, c->data + start, room);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		c->len = start +
		    (r->o.crlf ? crlf_expand(l, c->data + start, (size_t)n) :
				 (size_t)n);
		if (r->o.lines && dgram_read_local(r, c, c->len, e) == -1) {
			chunk_put(r, c);
			return -1;
		}
		*out = c;
		return 0;
	}
	if (n == 0 && start > 0) { /* EOF: a last line without newline */
		c->len = start;
		l->carry_len = 0;
		*out = c;
	} else {
		chunk_put(r, c);
	}
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "read from stdin");
	l->in_eof = true;
	l->in_eof_at = sock_now_ms();
	return 0;
}

/* Writes what the local side's queue holds to out_fd, as much as it
   takes now.  Returns 0, or -1 with *e (ELOCAL; EPIPE when the reader
   went away). */
int
local_flush(struct relay *r, struct sock_err *e)
{
	struct local *l = &r->local;
	struct chunk *c;
	ssize_t w;

	while ((c = l->out.head) != NULL) {
		if (l->out_closed) {
			queue_clear(r, &l->out); /* nobody reads: drop */
			break;
		}
		w = l->out_dontwait ?
		    send(l->out_fd, c->data + l->out.off, c->len - l->out.off,
			MSG_DONTWAIT) :
		    write(l->out_fd, c->data + l->out.off, c->len - l->out.off);
		if (w > 0) {
			queue_consume(r, &l->out, (size_t)w);
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return sock_fail(e, SOCK_ELOCAL, w == -1 ? errno : EIO,
		    "write to stdout");
	}
	return 0;
}

/* out_fd gets what the queue holds, waiting for it as the end of a
   session does (before the relay stops at once). */
void
local_drain(struct relay *r)
{
	struct local *l = &r->local;
	struct pollfd p = { .fd = l->out_fd, .events = POLLOUT };
	struct sock_err oe;

	while (!queue_empty(&l->out) && local_flush(r, &oe) == 0 &&
	    !queue_empty(&l->out))
		poll(&p, 1, -1);
}

/* Ends the output for good: its reader sees EOF now (a socket is
   half-closed), and out_fd stays taken (by /dev/null). */
void
local_end_output(struct relay *r)
{
	struct local *l = &r->local;
	int nul;

	if (l->out_closed)
		return;
	l->out_closed = true;
	/* out of the set before out_fd becomes another file */
	relay_set_watch(r, l->out_fd, &l->out_reg, -1, &l->out_re);
	shutdown(l->out_fd, SHUT_WR); /* elsewhere ENOTSOCK */
	if (l->out_restore) {
		fcntl(l->out_fd, F_SETFL, l->out_flags);
		l->out_restore = false;
	}
	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (nul != -1) {
		dup2(nul, l->out_fd);
		close(nul);
	}
}

/* Gives in_fd and out_fd their flags back; drops what was not written. */
void
local_close(struct relay *r)
{
	struct local *l = &r->local;

	queue_clear(r, &l->out);
	free(l->carry);
	if (l->in_restore)
		fcntl(l->in_fd, F_SETFL, l->in_flags);
	if (l->out_restore)
		fcntl(l->out_fd, F_SETFL, l->out_flags);
	if (l->out_dup)
		close(l->out_fd);
}

/* Whether the local side has nothing to read now, as epoll would have
   told: a new -k client may then be read at once, nothing of the local
   side's being due to it first (stdin that waited for a client goes to
   it before its EOF is seen). */
bool
local_quiet(const struct relay *r)
{
	const struct local *l = &r->local;

	if (r->o.recv_only || l->in_eof || l->in_fd < 0)
		return true;
	return l->in_poll && l->in_reg > 0 && !l->in_quiet && !l->in_hup &&
	    !(l->in_re & (POLLIN | POLLHUP | POLLERR));
}
