/* Diagnostics and errors: every message sockit prints to stderr. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

struct globals G = {
	.mode = NULL,
	.family = AF_UNSPEC,
	.timeout_ms = -1,
};

volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

void
signals_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: poll(2) returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
signals_finish(void)
{
	int sig = stop_signal;

	if (sig == 0)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
vmsg(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (G.mode != NULL)
		fprintf(stderr, "sockit: %s: %s\n", G.mode, line);
	else
		fprintf(stderr, "sockit: %s\n", line);
	fflush(stderr);
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

void
error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int
report(const struct sock_err *e)
{
	if (e->what[0] != '\0')
		error_msg("%s: %s", e->what, sock_strerror(e));
	else
		error_msg("%s", sock_strerror(e));
	return exit_status(e->kind);
}

int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	if (G.mode != NULL)
		fprintf(stderr, "Try 'sockit %s --help'.\n", G.mode);
	else
		fprintf(stderr, "Try 'sockit --help'.\n");
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

	if (G.quiet || G.verbose < level)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int
finish_stdout(int status)
{
	if (fflush(stdout) != EOF && !ferror(stdout))
		return status;
	if (errno != EPIPE)
		error_msg("write to stdout: %s", strerror(errno));
	return EXIT_LOCAL;
}

static bool
event_open(struct event *ev, const char *name, bool shown)
{
	ev->json = G.json;
	if (!shown || G.quiet)
		return false;
	json_begin(&ev->j, stderr);
	json_str(&ev->j, "event", name);
	return true;
}

bool
event_begin(struct event *ev, const char *name)
{
	return event_open(ev, name, G.json || G.verbose > 0);
}

bool
event_begin_always(struct event *ev, const char *name)
{
	return event_open(ev, name, true);
}

int
event_end(struct event *ev, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (ev->json)
		return json_end(&ev->j);
	json_abort(&ev->j);
	va_start(ap, fmt);
	rc = vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (rc < 0 || fputc('\n', stderr) == EOF || fflush(stderr) == EOF)
		return -1;
	return 0;
}
