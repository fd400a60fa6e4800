/* Global options, diagnostics and errors: the one place that prints them. */
#ifndef SOCKIT_REPORT_H
#define SOCKIT_REPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "sock/sock.h"

/* Exit statuses of SPEC.md. */
enum {
	EXIT_OK = 0,
	EXIT_NET = 1,		/* refused, timed out, unreachable, reset */
	EXIT_USAGE = 2,		/* bad option, port, duration, value */
	EXIT_RESOLVE = 3,	/* name resolution failed */
	EXIT_LOCAL = 4,		/* bind, permission, I/O on stdin/stdout */
	EXIT_TLS = 5		/* TLS handshake or verification */
};

/* The global options, valid in every mode. */
struct globals {
	const char *mode;	/* the mode word, for messages */
	int family;		/* AF_UNSPEC, or AF_INET with -4, AF_INET6 -6 */
	bool json;		/* -j */
	int verbose;		/* -v, repeatable */
	bool quiet;		/* --quiet */
	int64_t timeout_ms;	/* -w, -1 when not given */
	bool numeric;		/* -n */
};
extern struct globals G;

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Prints "sockit: MODE: what: why" and returns the exit status of the
   error's kind. */
int report(const struct sock_err *);
/* Prints "sockit: MODE: message" (an error: even with --quiet). */
void error_msg(const char *fmt, ...) PRINTF(1, 2);
/* Prints "sockit: MODE: message" and "Try 'sockit MODE --help'.", and
   returns EXIT_USAGE for the mode to return. */
int usage_error(const char *fmt, ...) PRINTF(1, 2);
/* A usage error from a sock_err of kind SOCK_EUSAGE (or report() for the
   other kinds). */
int usage_err(const struct sock_err *);
/* A diagnostic shown with at least `level` -v (0: unless --quiet). */
void diag(int level, const char *fmt, ...) PRINTF(2, 3);
/* Flushes stdout at the end of a mode.  Returns status, or EXIT_LOCAL
   when stdout could not be written (quietly when the reader went away). */
int finish_stdout(int status);
/* The exit status of a sock_err kind. */
int exit_status(enum sock_kind);

#endif

/* SIGINT and SIGTERM: after signals_catch(), they set stop_signal and
   interrupt poll(2) instead of killing the process, so a mode can end
   its sessions (and report them) before signals_finish() dies by it. */
extern volatile sig_atomic_t stop_signal;
void signals_catch(void);
/* Re-raises a caught signal with its default action; returns otherwise. */
void signals_finish(void);

/* Events (-v or --json): a text line or a JSON object on stderr.
	struct event ev;
	if (event_begin(&ev, "listening")) {
		json_str(&ev.j, "address", host); ...
		event_end(&ev, "listening on %s %u", host, port);
	}
   The JSON members are written only in JSON mode; the text only in text
   mode.  always: shown even without -v (not with --quiet). */
#include "json.h"
struct event {
	struct json j;
	bool json;
};
bool event_begin(struct event *, const char *name);
bool event_begin_always(struct event *, const char *name);
/* Writes the event.  Returns 0, or -1 when stderr failed. */
int event_end(struct event *, const char *fmt, ...) PRINTF(2, 3);
