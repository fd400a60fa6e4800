/* Errors and diagnostics: their words, and the exit status of an error
   kind (out/events.c writes them: the error and diagnostic events). */
#ifndef SOCKIT_REPORT_H
#define SOCKIT_REPORT_H

#include <stddef.h>

#include "out/line.h"
#include "sock/sock.h"

/* Exit statuses of SPEC.md. */
enum {
	EXIT_OK = 0,
	EXIT_NET = 1,	  /* refused, timed out, unreachable, reset */
	EXIT_USAGE = 2,	  /* bad option, port, duration, value */
	EXIT_RESOLVE = 3, /* name resolution failed */
	EXIT_LOCAL = 4,	  /* bind, permission, I/O on stdin/stdout */
	EXIT_TLS = 5	  /* TLS handshake or verification */
};

/* Errors, shown even with --quiet.  In text, the line "sockit: MODE:
   message"; with --json instead the event
   {"event":"error","mode":MODE,"kind":KIND,"message":...,"exit":N}, KIND
   the name of the sock_kind (usage, network, resolve, local, tls) and N
   its exit status.  Each returns that exit status, for the mode to
   return: they are for the failure that ends sockit. */
int fail(enum sock_kind, const char *fmt, ...) PRINTF(2, 3);
/* "sockit: MODE: what: why" of a sock_err, as fail(). */
int report(const struct sock_err *);
/* A usage error, as fail(): in text a second line "Try 'sockit MODE
   --help'.".  Returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) PRINTF(1, 2);
/* A usage error from a sock_err of kind SOCK_EUSAGE (or report() for the
   other kinds). */
int usage_err(const struct sock_err *);
/* As fail() and report(), for a failure sockit goes on after (one
   client's, with listen -k): the event's "exit" is null. */
void fail_nonfatal(enum sock_kind, const char *fmt, ...) PRINTF(2, 3);
void report_nonfatal(const struct sock_err *);
/* A diagnostic shown with at least `level` -v (0: unless --quiet); with
   --json the event {"event":"diagnostic","mode":MODE,"message":...}. */
void diag(int level, const char *fmt, ...) PRINTF(2, 3);
/* Writes the n bytes to fd whole, with one write(2) when the descriptor
   takes them: partial writes go on, EAGAIN (a non-blocking description
   shared with stdout or another process's) waits in poll(2).  Returns 0,
   or -1 (errno). */
int write_whole(int fd, const void *buf, size_t n);
/* Flushes stdout at the end of a mode.  Returns status, or EXIT_LOCAL
   when stdout could not be written (quietly when the reader went away). */
int finish_stdout(int status);
/* The exit status of a sock_err kind. */
int exit_status(enum sock_kind);
/* Whose stream session ended, for report_session_end(). */
enum session_scope {
	SESSION_ALL,   /* sockit's own (connect, listen): an error ends it */
	SESSION_CHILD, /* an -e child's relay, listen without -k */
	SESSION_ONE_OF_MANY /* one client of listen -k (or its -e child) */
};
/* Tells how a stream session with peer (its words: "HOST PORT", a path)
   ended with e, once for every mode: nothing when stdout's reader went
   away (EPIPE: the status says it); a TLS failure as "WHAT with PEER:
   why", a network one as "PEER: why", the rest as report().  An error
   with SESSION_ALL, a message (-v with SESSION_ONE_OF_MANY) or a
   non-fatal error otherwise.  Returns e's exit status. */
int report_session_end(const struct sock_err *e, const char *peer,
    enum session_scope scope);

#endif
