/* Diagnostics and errors: every message sockit prints to stderr. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/report.h"

int
write_whole(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
				return -1;
		} else if (w == 0 || errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

/* The bytes of the control character at s (n bytes left): 1 for C0, DEL
   or a lone byte 0x80-0x9f that is not UTF-8, 2 for C1 as UTF-8; 0 when
   s is not one.  *len: the bytes of what is at s. */
static size_t
control_at(const unsigned char *s, size_t n, size_t *len)
{
	size_t k = utf8_len(s, n);

	*len = k == 0 ? 1 : k;
	if (k == 0)
		return s[0] >= 0x80 && s[0] <= 0x9f ? 1 : 0;
	if (k == 1)
		return s[0] < 0x20 || s[0] == 0x7f ? 1 : 0;
	return k == 2 && s[0] == 0xc2 && s[1] <= 0x9f ? 2 : 0;
}

/* Escapes the n bytes of s into out (room for 4 * n bytes): each byte of
   a control character as \xHH.  Returns the length written. */
static size_t
escape(char *out, const char *in, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, len, i;

	while (n > 0) {
		if (control_at(s, n, &len) == 0) {
			memcpy(out + o, s, len);
			o += len;
		} else {
			for (i = 0; i < len; i++)
				o += (size_t)sprintf(out + o, "\\x%02x", s[i]);
		}
		s += len;
		n -= len;
	}
	return o;
}

void
text_put(FILE *fp, const char *s)
{
	size_t n = strlen(s);
	char small[256], *out = n <= sizeof(small) / 4 ? small : malloc(4 * n);

	if (out == NULL) {
		fputs("(out of memory)", fp);
		return;
	}
	fwrite(out, 1, escape(out, s, n), fp);
	if (out != small)
		free(out);
}

/* The formatted text, malloc'd, or NULL when memory ran out. */
static char *PRINTF(1, 0) format(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Writes "PREFIX" TEXT "\n" AFTER to stderr with one write(2), TEXT's
   control characters escaped.  Returns 0, or -1 when stderr failed. */
static int
text_line(const char *prefix, const char *text, const char *after)
{
	size_t n = strlen(text), plen = strlen(prefix), alen = strlen(after);
	size_t len;
	char *line = malloc(plen + 4 * n + 1 + alen);
	int rc;

	if (line == NULL)
		return -1;
	memcpy(line, prefix, plen);
	len = plen + escape(line + plen, text, n);
	line[len++] = '\n';
	memcpy(line + len, after, alen);
	rc = write_whole(STDERR_FILENO, line, len + alen);
	free(line);
	return rc;
}

/* Writes a JSON object built in j to stderr with one write(2), and
   drops it.  Returns 0, or -1 when stderr failed. */
static int
json_line_out(struct json *j)
{
	size_t n;
	const char *line = json_line(j, &n);
	int rc = line == NULL ? -1 : write_whole(STDERR_FILENO, line, n);

	json_abort(j);
	return rc;
}

/* "sockit: MODE: " (or "sockit: " before the mode is known) into buf. */
static const char *
line_prefix(char *buf, size_t len)
{
	snprintf(buf, len, "sockit: %s%s", G.mode != NULL ? G.mode : "",
	    G.mode != NULL ? ": " : "");
	return buf;
}

static const char *
kind_name(enum sock_kind kind)
{
	switch (kind) {
	case SOCK_ENET:
		return "network";
	case SOCK_EUSAGE:
		return "usage";
	case SOCK_ERESOLVE:
		return "resolve";
	case SOCK_ETLS:
		return "tls";
	case SOCK_OK:
	case SOCK_ELOCAL:
		break;
	}
	return "local";
}

/* Prints msg (NULL: memory ran out) as the error of kind: the text
   line(s), or the error event, whose "exit" is null unless fatal. */
static void
error_out(enum sock_kind kind, bool fatal, const char *msg)
{
	char prefix[64], after[80] = "";
	struct json j;

	if (msg == NULL)
		msg = "out of memory";
	if (G.json) {
		json_begin(&j, stderr);
		json_str(&j, "event", "error");
		json_str(&j, "mode", G.mode);
		json_str(&j, "kind", kind_name(kind));
		json_str(&j, "message", msg);
		if (fatal)
			json_int(&j, "exit", exit_status(kind));
		else
			json_null(&j, "exit");
		json_line_out(&j);
		return;
	}
	if (kind == SOCK_EUSAGE && fatal)
		snprintf(after, sizeof(after), "Try 'sockit %s%s--help'.\n",
		    G.mode != NULL ? G.mode : "", G.mode != NULL ? " " : "");
	text_line(line_prefix(prefix, sizeof(prefix)), msg, after);
}

/* error_out() of a formatted message. */
static void PRINTF(3, 0)
    verror(enum sock_kind kind, bool fatal, const char *fmt, va_list ap)
{
	char *msg = format(fmt, ap);

	error_out(kind, fatal, msg);
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
	struct json j;
	va_list ap;
	char *msg, prefix[64];

	if (G.quiet || G.verbose < level)
		return;
	va_start(ap, fmt);
	msg = format(fmt, ap);
	va_end(ap);
	if (msg == NULL)
		return;
	if (G.json) {
		json_begin(&j, stderr);
		json_str(&j, "event", "diagnostic");
		json_str(&j, "mode", G.mode);
		json_str(&j, "message", msg);
		json_line_out(&j);
	} else {
		text_line(line_prefix(prefix, sizeof(prefix)), msg, "");
	}
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
	char *text;
	int rc;

	if (ev->json)
		return json_line_out(&ev->j);
	json_abort(&ev->j);
	va_start(ap, fmt);
	text = format(fmt, ap);
	va_end(ap);
	rc = text == NULL ? -1 : text_line("", text, "");
	free(text);
	return rc;
}
