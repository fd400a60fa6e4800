/* Diagnostics and errors: their words and exit statuses (out/line.c
   writes them). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/events.h"
#include "out/report.h"

int
write_whole(int fd, const void *buf, size_t n)
{
	const char *rest = buf;
	struct pollfd writable = { .fd = fd, .events = POLLOUT };
	ssize_t written;

	while (n > 0) {
		written = write(fd, rest, n);
		if (written > 0) {
			rest += written;
			n -= (size_t)written;
		} else if (written == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (poll(&writable, 1, -1) == -1 && errno != EINTR)
				return -1;
		} else if (written == 0 || errno != EINTR) {
			if (written == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}

/* The error event of a formatted message (NULL when memory ran out),
   whose "exit" is null unless fatal. */
static void PRINTF(3, 0)
    verror(enum sock_kind kind, bool fatal, const char *fmt, va_list ap)
{
	char *msg = text_format(fmt, ap);

	event_error(kind, fatal, msg != NULL ? msg : "out of memory");
	free(msg);
}

int
exit_status(enum sock_kind kind)
{
	switch (kind) {
	case SOCK_OK:
		return EXIT_OK;
	case SOCK_ENET:
		return EXIT_NET;
	case SOCK_EUSAGE:
		return EXIT_USAGE;
	case SOCK_ERESOLVE:
		return EXIT_RESOLVE;
	case SOCK_ELOCAL:
		return EXIT_LOCAL;
	case SOCK_ETLS:
		return EXIT_TLS;
	}
	return EXIT_LOCAL;
}

int
fail(enum sock_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(kind, true, fmt, ap);
	va_end(ap);
	return exit_status(kind);
}

void
fail_nonfatal(enum sock_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(kind, false, fmt, ap);
	va_end(ap);
}

/* Prints a sock_err as an error; returns its exit status. */
static int
sock_err_out(const struct sock_err *e, bool fatal)
{
	if (fatal && e->what[0] != '\0')
		return fail(e->kind, "%s: %s", e->what, sock_strerror(e));
	if (fatal)
		return fail(e->kind, "%s", sock_strerror(e));
	if (e->what[0] != '\0')
		fail_nonfatal(e->kind, "%s: %s", e->what, sock_strerror(e));
	else
		fail_nonfatal(e->kind, "%s", sock_strerror(e));
	return exit_status(e->kind);
}

int
report(const struct sock_err *e)
{
	return sock_err_out(e, true);
}

void
report_nonfatal(const struct sock_err *e)
{
	sock_err_out(e, false);
}

int
report_session_end(const struct sock_err *e, const char *peer,
    enum session_scope scope)
{
	bool all = scope == SESSION_ALL, many = scope == SESSION_ONE_OF_MANY;

	if (e->kind == SOCK_ELOCAL && e->code == EPIPE)
		; /* the reader went away: no message */
	else if (e->kind == SOCK_ETLS && all)
		fail(e->kind, "%s with %s: %s", e->what, peer,
		    sock_strerror(e));
	else if (e->kind == SOCK_ETLS && many)
		diag(1, "%s with %s: %s", e->what, peer, sock_strerror(e));
	else if (e->kind == SOCK_ETLS)
		fail_nonfatal(e->kind, "%s with %s: %s", e->what, peer,
		    sock_strerror(e));
	else if (e->kind == SOCK_ENET && all)
		fail(e->kind, "%s: %s", peer, sock_strerror(e));
	else if (e->kind == SOCK_ENET)
		diag(many ? 1 : 0, "%s: %s", peer, sock_strerror(e));
	else
		sock_err_out(e, all);
	return exit_status(e->kind);
}

int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(SOCK_EUSAGE, true, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int
usage_err(const struct sock_err *e)
{
	if (e->kind != SOCK_EUSAGE)
		return report(e);
	return usage_error("bad %s: %s", e->what, sock_strerror(e));
}

void
diag(int level, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (G.quiet || G.verbose < level)
		return;
	va_start(ap, fmt);
	msg = text_format(fmt, ap);
	va_end(ap);
	if (msg != NULL)
		event_diagnostic(msg);
	free(msg);
}

int
finish_stdout(int status)
{
	if (fflush(stdout) != EOF && !ferror(stdout))
		return status;
	if (errno != EPIPE)
		fail(SOCK_ELOCAL, "write to stdout: %s", strerror(errno));
	return EXIT_LOCAL;
}
