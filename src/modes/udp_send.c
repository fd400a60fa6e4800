/* udp-send: MESSAGE (or all of stdin) as one datagram, or one datagram per
   line of stdin; repeated with --count (batched with sendmmsg) or paced
   with --interval; --reply waits for one datagram back and prints it. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/globals.h"
#include "cli/args.h"
#include "out/dgram.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "cli/target.h"
#include "out/events.h"
#include "out/report.h"
#include "modes/udp_send.h"

#define REPLY_WAIT_MS 2000 /* --reply without -w */

const char *
family_name(int family)
{
	if (family == AF_UNIX)
		return "a Unix socket";
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Reads all of stdin into s->buf.  Keeps at most keep bytes, but counts
   every byte in *total.  Returns 0, or an exit status after printing. */
static int
read_stdin(struct send *s, size_t keep, uint64_t *total)
{
	char scratch[65536], *nb;
	size_t cap = 0, room;
	ssize_t n;

	*total = 0;
	for (;;) {
		if (s->len < keep && s->len + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(s->buf, cap)) == NULL) {
				fail(SOCK_ELOCAL,
				    "read from stdin: out of memory");
				return EXIT_LOCAL;
			}
			s->buf = nb;
		}
		if (s->len < keep) {
			room = cap - s->len;
			if (room > keep - s->len)
				room = keep - s->len;
			n = read(STDIN_FILENO, s->buf + s->len, room);
		} else {
			n = read(STDIN_FILENO, scratch, sizeof(scratch));
		}
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fail(SOCK_ELOCAL, "read from stdin: %s",
			    strerror(errno));
			return EXIT_LOCAL;
		}
		if (s->len < keep)
			s->len += (size_t)n;
		*total += (uint64_t)n;
	}
}

/* The payload: MESSAGE words joined by single spaces, or stdin.  Returns
   0, or an exit status after printing. */
static int
payload(struct send *s, char **words, int n)
{
	uint64_t total;
	size_t len = 0;
	int i, rc;

	if (n > 0) {
		for (i = 0; i < n; i++)
			len += strlen(words[i]) + 1;
		if ((s->buf = malloc(len)) == NULL) {
			fail(SOCK_ELOCAL, "out of memory");
			return EXIT_LOCAL;
		}
		s->len = 0;
		for (i = 0; i < n; i++) {
			if (i > 0)
				s->buf[s->len++] = ' ';
			memcpy(s->buf + s->len, words[i], strlen(words[i]));
			s->len += strlen(words[i]);
		}
		total = s->len;
	} else {
		rc = read_stdin(s, s->max + 1, &total);
		if (rc != 0)
			return rc;
	}
	if (total > s->max) {
		fail(SOCK_EUSAGE,
		    "payload of %llu bytes is over the limit "
		    "of %zu bytes for a datagram over %s; nothing sent",
		    (unsigned long long)total, s->max,
		    family_name(s->to.family));
		return EXIT_USAGE;
	}
	if ((s->pieces = malloc(sizeof(*s->pieces))) == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		return EXIT_LOCAL;
	}
	s->pieces[0].p = s->buf != NULL ? s->buf : "";
	s->pieces[0].len = s->len;
	s->n = 1;
	return 0;
}

/* The first record of ai of family, else the first. */
static const struct sock_addr *
of_family(const struct sock_ai *ai, int family)
{
	size_t i;

	for (i = 0; i < ai->n; i++)
		if (ai->v[i].family == family)
			return &ai->v[i];
	return &ai->v[0];
}

/* The destination: the first address HOST resolves to, of the family of
   -4/-6, else of -s's when it has one family only, else the resolver's
   first; and the source of its family (-s, or -p alone: the wildcard).
   Returns 0, or an exit status after printing. */
static int
destination(struct send *s, const struct target *t, struct sock_addr *src,
    bool *bind_src)
{
	struct target_how how = target_how(SOCK_DGRAM, false);
	struct sock_ai ai, from;
	uint16_t port;
	size_t i;
	int status;

	if ((status = target_port(t->port, &how, &port)) != 0 ||
	    (status = target_source(&s->o.src, &how, &from)) != 0)
		return status;
	for (i = 0; i < from.n && from.v[i].family == from.v[0].family; i++)
		;
	if (from.n > 0 && i == from.n && from.v[0].family != AF_UNSPEC)
		how.family = from.v[0].family;
	if ((status = target_resolve(t->host, port, &how, &ai)) != 0) {
		sock_ai_free(&from);
		return status;
	}
	s->to = ai.v[0];
	sock_ai_free(&ai);
	sock_addr_unmap(&s->to);
	s->max = sock_udp_max(s->to.family);
	*bind_src = from.n > 0;
	if (*bind_src)
		*src = *of_family(&from, s->to.family);
	if (*bind_src && src->family == AF_UNSPEC)
		sock_addr_any(src, s->to.family, s->o.src.port);
	sock_ai_free(&from);
	return 0;
}

/* The socket: options, source, destination.  Returns 0, or an exit status
   after printing. */
static int
open_socket(struct send *s, const struct sock_addr *src, bool bind_src)
{
	struct sock_err e;

	s->fd = sock_socket(s->to.family, SOCK_DGRAM, false, &e);
	if (s->fd == -1)
		return report(&e);
	if ((s->o.broadcast && sock_broadcast(s->fd, true, &e) == -1) ||
	    (s->o.ttl >= 0 &&
		sock_ttl(s->fd, s->to.family, (int)s->o.ttl, &e) == -1) ||
	    sockopts_apply(&s->o.so, s->fd, NULL, &e) == -1 ||
	    (bind_src && sock_bind_fd(s->fd, src, false, &e) == -1) ||
	    (s->to.family == AF_UNIX && sock_unix_autobind(s->fd, &e) == -1) ||
	    (s->o.reply && sock_timestamps(s->fd, &e) == -1) ||
	    sock_udp_connect(s->fd, &s->to, &e) == -1)
		return report(&e);
	return 0;
}

int
net_error(const struct send *s, struct sock_err *e)
{
	if (e->kind == SOCK_EUSAGE && e->code == EMSGSIZE) {
		fail(SOCK_EUSAGE,
		    "%s: the kernel refused a datagram as too "
		    "large (%s); the limit is at most %zu bytes over %s",
		    e->what, sock_strerror(e), s->max,
		    family_name(s->to.family));
		return EXIT_USAGE;
	}
	if (e->kind == SOCK_ENET && s->to.family == AF_UNIX)
		snprintf(e->what, sizeof(e->what), "%.200s", s->to.host);
	else if (e->kind == SOCK_ENET)
		snprintf(e->what, sizeof(e->what), "%.200s %u", s->to.host,
		    (unsigned)s->to.port);
	return report(e);
}

void
sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
		(long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Sends every piece, count times, in batches unless paced by --interval.
   Returns 0, or an exit status after printing. */
static int
send_all(struct send *s)
{
	struct iovec iov[SEND_BATCH];
	struct sock_err e;
	uint64_t total = s->o.count * s->n, done = 0, b, i;
	const struct piece *p;
	int k;

	while (done < total) {
		b = s->o.interval_ms > 0 ? 1 : total - done;
		if (b > SEND_BATCH)
			b = SEND_BATCH;
		for (i = 0; i < b; i++) {
			p = &s->pieces[(done + i) % s->n];
			iov[i].iov_base = (void *)(uintptr_t)p->p;
			iov[i].iov_len = p->len;
		}
		k = sock_sendmany(s->fd, iov, (size_t)b, NULL, -1, &e);
		if (k == -1)
			return net_error(s, &e);
		for (i = 0; i < (uint64_t)k; i++)
			if (event_sent(&s->to, iov[i].iov_len) == -1)
				return EXIT_LOCAL;
		done += (uint64_t)k;
		if (s->o.interval_ms > 0 && done < total)
			sleep_ms(s->o.interval_ms);
	}
	/* an ICMP error the kernel already holds (loopback: at once) */
	if (sock_pending_error(s->fd, &s->to, &e) == -1)
		return net_error(s, &e);
	return 0;
}

/* --reply: one datagram from the destination, on stdout.  Returns 0, or
   an exit status after printing. */
static int
reply(struct send *s)
{
	struct sock_dgram d;
	struct sock_err e;
	int64_t ms = G.timeout_ms >= 0 ? G.timeout_ms : REPLY_WAIT_MS;
	int rc;

	memset(&d, 0, sizeof(d));
	d.cap = 65536 + 1;
	if ((d.buf = malloc(d.cap)) == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		return EXIT_LOCAL;
	}
	if (sock_recvmany(s->fd, &d, 1, ms, &e) == -1) {
		free(d.buf);
		if (e.kind == SOCK_ENET && e.code == ETIMEDOUT) {
			fail(SOCK_ENET, "%s %u: no reply within %lld ms",
			    s->to.host, (unsigned)s->to.port, (long long)ms);
			return EXIT_NET;
		}
		return net_error(s, &e);
	}
	if (d.trunc)
		diag(0, "reply from %s %u truncated to %zu bytes", s->to.host,
		    (unsigned)s->to.port, d.len);
	rc = dgram_print(&d, G.json);
	free(d.buf);
	return rc == -1 ? EXIT_LOCAL : 0;
}

/* Reads udp-send's options into *o.  Returns 0, -1 after --help, or an exit
   status after printing. */
static int
parse_opts(struct udp_send_opts *o, int argc, char **argv)
{
	struct opt_value v;
	int c, rc;

	while ((c = opt_next(M_UDPSEND, argc, argv, &v)) != OPT_END) {
		switch (c) {
		case 'l':
			o->lines = true;
			break;
		case O_EMPTY:
			o->empty = true;
			break;
		case O_COUNT:
			o->count = v.n;
			break;
		case O_INTERVAL:
			o->interval_ms = v.ms;
			break;
		case 'b':
			o->broadcast = true;
			break;
		case O_TTL:
			o->ttl = (int64_t)v.n;
			break;
		case 's':
			o->src.host = v.text;
			break;
		case 'p':
			o->src.port_text = v.text;
			o->src.port = v.port;
			break;
		case O_REPLY:
			o->reply = true;
			break;
		case 'O':
			if ((rc = sockopts_add(&o->so, v.text)) != 0)
				return rc;
			break;
		case 'U':
			o->unix_path = v.text;
			break;
		default: /* --help (-1), or a usage error */
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	if (o->empty && !o->lines)
		return usage_error("--empty needs --lines");
	if (o->unix_path != NULL &&
	    (o->src.host != NULL || o->src.port_text != NULL || o->broadcast ||
		o->ttl >= 0))
		return usage_error("-s, -p, -b and --ttl do not go with -U");
	return 0;
}

/* -U: the Unix datagram socket's address; MESSAGE is every word.
   Returns 0, or an exit status after printing. */
static int
unix_destination(struct send *s, int *used)
{
	struct sock_err e;

	*used = 0;
	if (sock_addr_unix(&s->to, s->o.unix_path, &e) == -1)
		return usage_err(&e);
	s->max = SOCK_UDP_MAX4;
	return 0;
}

int
mode_udp_send(int argc, char **argv)
{
	struct send s = { .o = { .count = 1, .ttl = -1 }, .fd = -1 };
	struct sock_addr src;
	struct target t;
	bool bind_src = false;
	int rc, n, used;

	if ((rc = parse_opts(&s.o, argc, argv)) != 0)
		return rc == -1 ? EXIT_OK : rc;
	n = argc - optind;
	/* HOST PORT or HOST:PORT, then the MESSAGE words (-U: no HOST) */
	if (s.o.unix_path == NULL &&
	    (rc = target_parse_lead(argv + optind, n, &t, &used)) != 0)
		return rc;
	if (s.o.unix_path != NULL)
		used = 0;
	if (s.o.lines && n > used)
		return usage_error("--lines reads stdin: no MESSAGE expected");
	memset(&src, 0, sizeof(src));
	rc = s.o.unix_path != NULL ? unix_destination(&s, &used) :
				     destination(&s, &t, &src, &bind_src);
	if (rc == 0 && !s.o.lines)
		rc = payload(&s, argv + optind + used, n > used ? n - used : 0);
	if (rc == 0)
		rc = open_socket(&s, &src, bind_src);
	if (rc == 0)
		rc = s.o.lines ? send_lines(&s) : send_all(&s);
	if (rc == 0 && s.o.reply)
		rc = reply(&s);
	if (s.fd != -1)
		close(s.fd);
	free(s.pieces);
	free(s.buf);
	return finish_stdout(rc);
}
