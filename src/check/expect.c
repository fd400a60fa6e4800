/* connect -z --send DATA --expect REGEX: once connected (and after the
   handshake with --tls), DATA is sent; then what comes within -w (at
   most 64K, or until the peer closes) must match REGEX (POSIX extended,
   over the bytes as they came: REG_STARTEND, so a NUL byte ends
   nothing).  No match is state mismatch, with the first 256 bytes
   received, escaped. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/talk.h"

/* The value of hex digit c, or -1. */
static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s with its escapes undone into *out (malloc'd), *n bytes.  Returns 0,
   or -1 with *e. */
static int
unescape(const char *s, char **out, size_t *n, struct sock_err *e)
{
	char *b = malloc(strlen(s) + 1);
	size_t k = 0;

	if (b == NULL) {
		sock_fail(e, SOCK_ELOCAL, ENOMEM, "--send");
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			b[k++] = *s;
			continue;
		}
		switch (*++s) {
		case 'r':
			b[k++] = '\r';
			break;
		case 'n':
			b[k++] = '\n';
			break;
		case 't':
			b[k++] = '\t';
			break;
		case '\\':
			b[k++] = '\\';
			break;
		case 'x':
			if (hex(s[1]) >= 0 && hex(s[2]) >= 0) {
				b[k++] = (char)(hex(s[1]) * 16 + hex(s[2]));
				s += 2;
				break;
			}
			/* FALLTHROUGH */
		default:
			free(b);
			sock_failmsg(e, SOCK_EUSAGE,
			    "expected the escapes \\r \\n \\t \\\\ \\xHH",
			    "--send");
			return -1;
		}
	}
	*out = b;
	*n = k;
	return 0;
}

int
talk_setup(struct talk_plan *p, const struct check_opts *o, struct sock_err *e)
{
	const struct check_talk *t = o->talk;
	char why[128];
	int rc;

	memset(p, 0, sizeof(*p));
	if (t == NULL ||
	    (t->send == NULL && t->expect == NULL &&
		t->starttls == STARTTLS_NONE))
		return 0;
	if (o->udp || o->proxy != NULL)
		return sock_failmsg(e, SOCK_EUSAGE, "not with -u or --proxy",
		    "--send, --expect or --starttls");
	if (t->starttls != STARTTLS_NONE && o->tls == NULL)
		return sock_failmsg(e, SOCK_EUSAGE, "needs --tls",
		    "--starttls");
	p->starttls = t->starttls;
	if (t->send != NULL && unescape(t->send, &p->send, &p->send_len, e))
		return -1;
	if (t->expect == NULL)
		return 0;
	if ((rc = regcomp(&p->re, t->expect, REG_EXTENDED)) != 0) {
		regerror(rc, &p->re, why, sizeof(why));
		sock_failmsg(e, SOCK_EUSAGE, why, "--expect \"%s\"", t->expect);
		free(p->send);
		p->send = NULL;
		return -1;
	}
	p->expect = true;
	return 0;
}

void
talk_plan_free(struct talk_plan *p)
{
	free(p->send);
	p->send = NULL;
	if (p->expect)
		regfree(&p->re);
	p->expect = false;
}

bool
talk_exchanges(const struct talk_plan *p)
{
	return p->send != NULL || p->expect;
}

struct talk *
talk_new(void)
{
	struct talk *t = calloc(1, sizeof(*t));

	if (t != NULL)
		t->first_byte_ms = -1;
	return t;
}

void
talk_free(struct talk *t)
{
	if (t == NULL)
		return;
	free(t->in);
	free(t->matched);
	free(t);
}

char *
talk_escape(const char *b, size_t n)
{
	char *s = malloc(4 * n + 1), *w = s;
	unsigned char c;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		c = (unsigned char)b[i];
		if (c == '\r' || c == '\n' || c == '\t' || c == '\\') {
			*w++ = '\\';
			*w++ = c == '\r' ? 'r' :
			    c == '\n'	 ? 'n' :
			    c == '\t'	 ? 't' :
					   '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			*w++ = (char)c;
		} else {
			w += sprintf(w, "\\x%02x", c);
		}
	}
	*w = '\0';
	return s;
}

char *
talk_received(const struct talk *t)
{
	return talk_escape(t->in != NULL ? t->in : "",
	    t->inlen < TALK_SHOWN ? t->inlen : TALK_SHOWN);
}

ssize_t
talk_read(struct talk *t, int fd, struct tls *tls, size_t max, short *events,
    char *why, size_t len)
{
	struct sock_err e;
	ssize_t n;

	if (t->in == NULL && (t->in = malloc(max)) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	if (tls != NULL) {
		n = tls_read(tls, t->in + t->inlen, max - t->inlen, events, &e);
		if (n == -1)
			snprintf(why, len, "%s", sock_strerror(&e));
	} else {
		n = recv(fd, t->in + t->inlen, max - t->inlen, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			*events = POLLIN;
			n = TLS_AGAIN;
		} else if (n == -1) {
			snprintf(why, len, "%s", strerror(errno));
		}
	}
	if (n > 0)
		t->inlen += (size_t)n;
	return n;
}

int
talk_write(struct talk *t, int fd, struct tls *tls, const char *b, size_t n,
    short *events, char *why, size_t len)
{
	struct sock_err e;
	ssize_t w;

	while (t->sent < n) {
		if (tls != NULL) {
			w = tls_write(tls, b + t->sent, n - t->sent, events,
			    &e);
			if (w == TLS_AGAIN)
				return 0;
			if (w == -1)
				snprintf(why, len, "%s", sock_strerror(&e));
		} else {
			w = send(fd, b + t->sent, n - t->sent,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w == -1 && (errno == EAGAIN || errno == EINTR)) {
				*events = POLLOUT;
				return 0;
			}
			if (w == -1)
				snprintf(why, len, "%s", strerror(errno));
		}
		if (w == -1)
			return -1;
		t->sent += (size_t)w;
	}
	return 1;
}

/* true when what came matches: the match kept, escaped. */
static bool
matches(struct talk *t, const struct talk_plan *p)
{
	regmatch_t m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)t->inlen;
	if (regexec(&p->re, t->in, 1, m, REG_STARTEND) != 0)
		return false;
	t->matched =
	    talk_escape(t->in + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
	return true;
}

enum talk_rc
expect_step(struct talk *t, const struct talk_plan *p, int fd, struct tls *tls,
    short *events, char *why, size_t len)
{
	ssize_t n;
	int rc;

	if (t->step == 0) {
		rc = p->send == NULL ? 1 :
				       talk_write(t, fd, tls, p->send,
					   p->send_len, events, why, len);
		if (rc <= 0)
			return rc == 0 ? TALK_AGAIN : TALK_FAIL;
		if (!p->expect)
			return TALK_OK;
		t->step = 1;
		t->sent_at = sock_now_ms();
	}
	for (;;) {
		n = talk_read(t, fd, tls, TALK_MAX, events, why, len);
		if (n == TLS_AGAIN)
			return TALK_AGAIN;
		if (n == -1)
			return TALK_FAIL;
		if (n > 0 && t->first_byte_ms < 0)
			t->first_byte_ms = sock_now_ms() - t->sent_at;
		if (n > 0 && matches(t, p))
			return TALK_OK;
		if (n == 0 || t->inlen == TALK_MAX)
			return TALK_MISMATCH; /* the peer's EOF, or 64K */
	}
}
