/* The stream session's options, shared by listen and connect, and the
   facts of its connected and closed events. */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "cli/options.h"
#include "out/events.h"
#include "out/report.h"
#include "out/signals.h"
#include "modes/session.h"
#include "stream/exec.h"

void
session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->ro.quit_after_ms = -1;
	s->ro.idle_ms = -1;
	s->ro.idle_ends = G.nc; /* nc -w: an idle session ends, exit 0 */
	s->ro.handshake_ms = 10000;
	s->ro.first_peer_ms = -1;
	s->ro.stop = &stop_signal;
	session_log_init(&s->log);
	s->tls.min_days = -1;
}

/* The TLS options, as session_opt(). */
static int
tls_opt(struct session *s, int c, const struct opt_value *v)
{
	switch (c) {
	case O_TLS:
		if (!tls_available()) {
			usage_error("--tls: sockit was built without TLS "
				    "(./configure --without-tls)");
			return -1;
		}
		s->tls.on = true;
		return 1;
	case O_CA:
		s->tls.ca = v->text;
		return 1;
	case O_CERT:
		s->tls.cert = v->text;
		return 1;
	case O_KEY:
		s->tls.key = v->text;
		return 1;
	case O_ALPN:
		s->tls.alpn = v->text;
		return 1;
	case O_SNI:
		/* an empty name would verify nothing: --sni "$UNSET" */
		if (v->text[0] == '\0') {
			usage_error("bad --sni \"\": an empty name; give the "
				    "name the certificate must hold");
			return -1;
		}
		s->tls.sni = v->text;
		return 1;
	case O_INSECURE:
		s->tls.insecure = true;
		return 1;
	case O_MIN_DAYS:
		s->tls.min_days = (int64_t)v->n;
		return 1;
	}
	return 0;
}

int
session_exec_opt(struct session *s, int c, char *arg)
{
	char quote;

	if (s->exec_argv != NULL)
		return usage_error("-e and -c: give one command");
	if (c == 'e') {
		s->exec_argv = exec_split(arg, &quote);
		if (s->exec_argv != NULL)
			return 0;
		if (errno == ENOMEM)
			return fail(SOCK_ELOCAL, "out of memory");
		if (quote != '\0')
			return usage_error("unterminated %c in command \"%s\"",
			    quote, arg);
		return usage_error("empty command");
	}
	s->exec_argv = malloc(4 * sizeof(char *));
	if (s->exec_argv == NULL)
		return EXIT_LOCAL;
	s->exec_argv[0] = (char *)"/bin/sh";
	s->exec_argv[1] = (char *)"-c";
	s->exec_argv[2] = arg;
	s->exec_argv[3] = NULL;
	return 0;
}

int
session_tls_check(const struct session *s)
{
	const struct tls_opts *t = &s->tls;

	if (!t->on &&
	    (t->ca || t->cert || t->key || t->alpn || t->sni || t->insecure ||
		t->min_days >= 0))
		return usage_error("--ca, --cert, --key, --alpn, --sni, "
				   "--insecure and --min-days go with --tls");
	if (t->key != NULL && t->cert == NULL)
		return usage_error("--key goes with --cert");
	return 0;
}

int
session_opt(struct session *s, int c, const struct opt_value *v)
{
	switch (c) {
	case 'C':
		s->ro.crlf = true;
		return 1;
	case O_NO_SHUTDOWN:
		s->ro.no_shutdown = true;
		return 1;
	case 'q':
		s->ro.quit_after_ms = v->ms;
		return 1;
	case O_IDLE_TIMEOUT:
		s->ro.idle_ms = v->ms;
		return 1;
	case 't':
		s->ro.telnet = true;
		return 1;
	case O_DELAY:
		s->ro.delay_ms = v->ms;
		return 1;
	case O_SEND_ONLY:
		s->ro.send_only = true;
		return 1;
	case O_RECV_ONLY:
		s->ro.recv_only = true;
		return 1;
	case 'o':
		s->output_path = v->text;
		return 1;
	case 'x':
		s->hexdump_path = v->text;
		return 1;
	case 'U':
		s->unix_path = v->text;
		return 1;
	case 'O':
		return sockopts_add(&s->so, v->text) != 0 ? -1 : 1;
	case O_PROXY_PROTOCOL:
		s->proxy_protocol = v->choice + 1;
		return 1;
	case O_MPTCP:
		s->mptcp = true;
		return 1;
	case O_RAW:
		s->raw = true;
		return 1;
	}
	return tls_opt(s, c, v);
}

/* Opens the log file path (-o/-x; "-" is stderr when dash says so) into
 *fd.  Returns 0, or EXIT_LOCAL after printing. */
static int
log_open(const char *path, bool dash, int *fd, const char **name)
{
	if (dash && strcmp(path, "-") == 0) {
		*fd = 2;
		*name = "stderr";
		return 0;
	}
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	*name = path;
	if (*fd == -1) {
		return fail(SOCK_ELOCAL, "open %s: %s", path, strerror(errno));
	}
	return 0;
}

int
session_files(struct session *s)
{
	struct stat o, x;
	int st;

	if (s->ro.send_only && s->ro.recv_only) {
		usage_error("--send-only and --recv-only exclude each other");
		return EXIT_USAGE;
	}
	if (s->output_path != NULL &&
	    (st = log_open(s->output_path, false, &s->log.output_fd,
		 &s->log.output_name)) != 0)
		return st;
	if (s->hexdump_path != NULL &&
	    (st = log_open(s->hexdump_path, true, &s->log.hexdump_fd,
		 &s->log.hexdump_name)) != 0) {
		session_close(s);
		return st;
	}
	/* one file for both would mix raw bytes and their dump */
	if (s->log.output_fd >= 0 && s->log.hexdump_fd >= 0 &&
	    fstat(s->log.output_fd, &o) == 0 &&
	    fstat(s->log.hexdump_fd, &x) == 0 && o.st_dev == x.st_dev &&
	    o.st_ino == x.st_ino) {
		session_close(s);
		usage_error("-o %s and -x %s are the same file: give two",
		    s->output_path, s->hexdump_path);
		return EXIT_USAGE;
	}
	return 0;
}

void
session_close(struct session *s)
{
	if (s->log.output_fd >= 0)
		close(s->log.output_fd);
	if (s->log.hexdump_fd > 2)
		close(s->log.hexdump_fd);
	s->log.output_fd = s->log.hexdump_fd = -1;
	session_log_free(&s->log);
}

int
session_log_peer(struct session *s, const struct endpoint *c, char dir,
    const char *buf, size_t n, struct sock_err *e)
{
	struct log_record rec = {
		.dir = dir,
		.client = c->id,
		.peer = &c->peer,
		.offset = dir == '>' ? c->bytes_out : c->bytes_in,
		.buf = buf,
		.n = n,
	};

	return session_log_write(&s->log, &rec, e);
}

void
session_connected(int fd, const struct sock_addr *peer, double ms,
    const char *proxy)
{
	session_connected_mptcp(fd, peer, ms, proxy, false);
}

void
session_connected_mptcp(int fd, const struct sock_addr *peer, double ms,
    const char *proxy, bool mptcp_asked)
{
	struct event_connected ev = { .peer = peer,
		.connect_ms = ms,
		.proxy = proxy,
		.mptcp_asked = mptcp_asked,
		.mptcp = mptcp_asked && sock_mptcp(fd) == 1 };
	struct sock_addr local;
	struct sock_err e;

	if (sock_name(fd, &local, &e) == 0)
		ev.local = &local;
	event_connected(&ev);
}

int
session_mptcp_available(void)
{
	struct sock_err e;
	int fd = sock_socket_proto(AF_INET, SOCK_STREAM, SOCK_MPTCP, false, &e);

	if (fd == -1)
		return report(&e);
	close(fd);
	return 0;
}

void
session_closed(const struct endpoint *c, bool with_peer, bool counted)
{
	struct event_closed ev = { .peer = with_peer ? &c->peer : NULL,
		.counted = counted,
		.bytes_in = c->bytes_in,
		.bytes_out = c->bytes_out,
		.duration_ms = sock_now_ms() - c->start_ms,
		.reason = c->reason };
	char words[NI_MAXHOST + 8];

	if (c->truncated) /* --tls: EOF, but say so */
		diag(1, "%s closed the connection without TLS close_notify",
		    c->peer.host[0] ?
			addr_words(&c->peer, words, sizeof(words)) :
			"the peer");
	event_closed(&ev);
}
