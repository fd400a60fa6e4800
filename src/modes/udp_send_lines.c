/* udp-send --lines: each line of stdin is sent as soon as it is complete,
   never waiting for stdin's EOF (`tail -f log | sockit udp-send --lines
   HOST PORT`). */
#include "config.h"

#include <sys/uio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out/events.h"
#include "out/report.h"
#include "modes/udp_send.h"

#define LINES_READ 65536 /* one read of stdin */

/* The line at p (len bytes, the n-th), --count times, paced by
   --interval.  Returns 0, or an exit status after printing. */
static int
send_line(struct send *s, const char *p, size_t len, bool *sent_any)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };
	struct sock_err e;
	uint64_t k;

	if (len == 0 && !s->o.empty)
		return 0;
	for (k = 0; k < s->o.count; k++) {
		if (*sent_any && s->o.interval_ms > 0)
			sleep_ms(s->o.interval_ms);
		if (sock_sendmany(s->fd, &iov, 1, NULL, -1, &e) == -1)
			return net_error(s, &e);
		*sent_any = true;
		if (event_sent(&s->to, len) == -1)
			return EXIT_LOCAL;
	}
	return 0;
}

/* A line over the limit (the n-th, of which the buffer held len bytes
   without its end): read on to its end to name its size.  Returns the
   exit status. */
static int
too_long(struct send *s, size_t n, size_t len, char *buf)
{
	const char *nl = NULL;
	ssize_t got;

	while (nl == NULL) {
		got = read(STDIN_FILENO, buf, LINES_READ);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		nl = memchr(buf, '\n', (size_t)got);
		len += nl != NULL ? (size_t)(nl - buf) : (size_t)got;
	}
	fail(SOCK_EUSAGE,
	    "line %zu is %zu bytes, over the limit of %zu bytes for a "
	    "datagram over %s; it and the lines after it were not sent",
	    n, len, s->max, family_name(s->to.family));
	return EXIT_USAGE;
}

/* Sends the complete lines at buf (*len bytes; all of them at EOF) and
   keeps the rest.  Returns 0, or an exit status after printing. */
static int
send_complete(struct send *s, char *buf, size_t *len, bool eof, size_t *n,
    bool *sent_any)
{
	char *p = buf, *end = buf + *len, *nl;
	size_t l;
	int rc;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL && !eof)
			break;
		l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		++*n;
		if (l > s->max)
			return too_long(s, *n, l, buf);
		if ((rc = send_line(s, p, l, sent_any)) != 0)
			return rc;
		p += l + (nl != NULL);
	}
	*len = (size_t)(end - p);
	memmove(buf, p, *len);
	if (*len > s->max)
		return too_long(s, *n + 1, *len, buf);
	return 0;
}

int
send_lines(struct send *s)
{
	size_t len = 0, n = 0, cap = s->max + 1 + LINES_READ;
	bool sent_any = false, eof = false;
	struct sock_err e;
	ssize_t got;
	char *buf;
	int rc = 0;

	if ((buf = malloc(cap)) == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	while (!eof && rc == 0) {
		got = read(STDIN_FILENO, buf + len, cap - len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			rc = fail(SOCK_ELOCAL, "read from stdin: %s",
			    strerror(errno));
			break;
		}
		eof = got == 0;
		len += (size_t)got;
		rc = send_complete(s, buf, &len, eof, &n, &sent_any);
	}
	free(buf);
	/* an ICMP error the kernel already holds (loopback: at once) */
	if (rc == 0 && sock_pending_error(s->fd, &s->to, &e) == -1)
		return net_error(s, &e);
	return rc;
}
