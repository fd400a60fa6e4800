/* The option table and the mode table.  getopt_long's short string and
   long table, each mode's --help and `sockit --list-options` are all
   built from these rows. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "out/report.h"

const struct opt opts[] = {
	/* udp-send */
	{ 'l', "lines", NULL, M_UDPSEND,
	    "stdin: one datagram per line (newline not sent)" },
	{ O_EMPTY, "empty", NULL, M_UDPSEND,
	    "with --lines, send empty lines (else skipped)" },
	{ O_COUNT, "count", "N", M_UDPSEND, "send the payload N times" },
	{ O_INTERVAL, "interval", "DUR", M_UDPSEND,
	    "wait DUR between datagrams" },
	{ 'b', "broadcast", NULL, M_UDPSEND,
	    "allow broadcast addresses (SO_BROADCAST)" },
	{ O_TTL, "ttl", "N", M_UDPSEND, "unicast and multicast TTL (hops)" },
	{ 's', "source", "ADDR", M_UDPSEND, "send from local address ADDR" },
	{ 'p', "source-port", "PORT", M_UDPSEND, "send from local PORT" },
	{ O_REPLY, "reply", NULL, M_UDPSEND,
	    "wait for one datagram back and print it" },
	{ 'w', "timeout", "DUR", M_UDPSEND,
	    "with --reply: wait DUR for it (default 2s)" },
	/* udp-recv */
	{ O_COUNT, "count", "N", M_UDPRECV, "stop after N datagrams" },
	{ 'w', "timeout", "DUR", M_UDPRECV,
	    "stop once DUR passes with no datagram" },
	{ O_ECHO, "echo", NULL, M_UDPRECV,
	    "send each datagram back to its sender" },
	{ O_JOIN, "join", "GROUP", M_UDPRECV,
	    "join multicast GROUP (IPv4 or IPv6)" },
	{ O_INTERFACE, "interface", "IF", M_UDPRECV,
	    "with --join: join on interface IF" },
	{ O_LINES, "lines", NULL, M_UDPRECV,
	    "text: a newline after each datagram without one" },
	/* udp-send, udp-recv */
	{ 'O', "sockopt", "NAME=VALUE", M_UDPSEND | M_UDPRECV,
	    "set a socket option (repeatable)" },
	/* resolve */
	{ O_SERVICE, "service", "SERVICE", M_RESOLVE,
	    "resolve SERVICE (port or name) too" },
	{ 't', "type", "TYPE", M_RESOLVE,
	    "socket type: stream (default), dgram or any" },
	{ O_PASSIVE, "passive", NULL, M_RESOLVE,
	    "addresses for binding (AI_PASSIVE)" },
	{ O_CANONICAL, "canonical", NULL, M_RESOLVE,
	    "report the canonical name (AI_CANONNAME)" },
	{ 'r', "reverse", NULL, M_RESOLVE,
	    "NAMEs are addresses: look up host names" },
	/* listen */
	{ 'k', "keep-open", NULL, M_LISTEN,
	    "keep accepting: clients served at once, stdin to all" },
	{ 'e', "exec", "CMD", M_LISTEN,
	    "run CMD per client (no shell), socket as stdin/out" },
	{ 'c', "sh-exec", "CMD", M_LISTEN, "run /bin/sh -c CMD per client" },
	{ 'm', "max-conns", "N", M_LISTEN,
	    "at most N clients at once; more are refused" },
	{ O_ALLOW, "allow", "CIDR", M_LISTEN,
	    "only clients from CIDR (repeatable)" },
	{ O_DENY, "deny", "CIDR", M_LISTEN,
	    "refuse clients from CIDR (repeatable; wins)" },
	{ O_BACKLOG, "backlog", "N", M_LISTEN,
	    "listen queue length (default min(SOMAXCONN, 128))" },
	{ 'w', "timeout", "DUR", M_LISTEN,
	    "how long to wait for the first client (exit 1)" },
	/* connect */
	{ 's', "source", "ADDR", M_CONNECT, "connect from local address ADDR" },
	{ 'p', "source-port", "PORT", M_CONNECT, "connect from local PORT" },
	{ 'w', "timeout", "DUR", M_CONNECT,
	    "deadline of each connect attempt and of all" },
	{ 'z', "check", NULL, M_CONNECT,
	    "check PORTS (22,80,8000-8100), sending no data" },
	{ 'u', "udp", NULL, M_CONNECT,
	    "with -z: UDP probe (ICMP: closed, else open_filtered)" },
	{ O_WAIT, "wait", "DUR", M_CONNECT,
	    "with -z: retry until every port is open or DUR passed" },
	{ O_PARALLEL, "parallel", "N", M_CONNECT,
	    "with -z: checks at once (default 256)" },
	{ O_ALL_ADDRESSES, "all-addresses", NULL, M_CONNECT,
	    "with -z: a result per address; all must be open" },
	{ O_PROXY, "proxy", "URL", M_CONNECT,
	    "through a proxy: socks5[h]://, socks4[a]://, http://" },
	{ O_SHUTDOWN, "shutdown", NULL, M_CONNECT,
	    "with --proxy: half-close the tunnel at stdin EOF" },
	{ O_SNI, "sni", "NAME", M_CONNECT,
	    "with --tls: name sent and verified instead of HOST" },
	{ O_INSECURE, "insecure", NULL, M_CONNECT,
	    "with --tls: do not verify the server's certificate" },
	{ O_MIN_DAYS, "min-days", "N", M_CONNECT,
	    "with --tls: fail a certificate expiring in < N days" },
	/* the stream session: listen and connect */
	{ 'U', "unix", "PATH", M_STREAM,
	    "Unix socket PATH (@NAME: abstract); no HOST/PORT" },
	{ 'C', "crlf", NULL, M_STREAM, "send LF as CRLF" },
	{ O_NO_SHUTDOWN, "no-shutdown", NULL, M_STREAM,
	    "do not half-close the socket at stdin EOF" },
	{ 'q', "quit-after", "DUR", M_STREAM,
	    "end the session DUR after stdin EOF (exit 0)" },
	{ O_SEND_ONLY, "send-only", NULL, M_STREAM,
	    "only send stdin; ignore what the peer sends" },
	{ O_RECV_ONLY, "recv-only", NULL, M_STREAM,
	    "only receive; never read stdin" },
	{ O_IDLE_TIMEOUT, "idle-timeout", "DUR", M_STREAM,
	    "end a session with no traffic for DUR (exit 1)" },
	{ 'O', "sockopt", "NAME=VALUE", M_STREAM,
	    "set a socket option (see sockit sockopt --list)" },
	{ 'o', "output", "FILE", M_STREAM,
	    "write a copy of both directions to FILE" },
	{ 'x', "hexdump", "FILE", M_STREAM,
	    "hex dump of both directions to FILE (- = stderr)" },
	{ O_TLS, "tls", NULL, M_STREAM,
	    "TLS (handshake deadline: connect -w, else 10s)" },
	{ O_CA, "ca", "FILE", M_STREAM,
	    "with --tls: CAs to trust (listen: client certs)" },
	{ O_CERT, "cert", "FILE", M_STREAM,
	    "with --tls: PEM certificate (listen: else self-signed)" },
	{ O_KEY, "key", "FILE", M_STREAM,
	    "with --tls: private key of --cert (default: in it)" },
	{ O_ALPN, "alpn", "LIST", M_STREAM,
	    "with --tls: ALPN protocols offered: h2,http/1.1" },
	/* sockopt */
	{ O_TCP, "tcp", NULL, M_SOCKOPT, "a TCP socket (the default)" },
	{ 'u', "udp", NULL, M_SOCKOPT, "a UDP socket (with --unix: datagram)" },
	{ O_UNIX, "unix", NULL, M_SOCKOPT, "a Unix socket (stream, or --udp)" },
	{ O_CONNECT, "connect", "HOST", M_SOCKOPT,
	    "a live TCP connection to HOST:PORT, or HOST PORT" },
	{ O_LISTEN, "listen", "[ADDR:]PORT", M_SOCKOPT,
	    "a socket bound (TCP: listening) on ADDR (any) PORT" },
	{ O_FD, "fd", "N", M_SOCKOPT,
	    "the inherited socket N (inetd, systemd)" },
	{ O_LIST, "list", NULL, M_SOCKOPT,
	    "print the table of known options and exit" },
	{ 'w', "timeout", "DUR", M_SOCKOPT,
	    "with --connect: connect deadline" },
	/* global */
	{ '4', NULL, NULL, M_ALL, "IPv4 only" },
	{ '6', NULL, NULL, M_ALL, "IPv6 only" },
	{ 'j', "json", NULL, M_ALL, "JSON Lines output" },
	{ 'v', "verbose", NULL, M_ALL,
	    "more diagnostics on stderr (repeatable)" },
	{ O_QUIET, "quiet", NULL, M_ALL, "no diagnostics but errors" },
	{ 'w', "timeout", "DUR", M_TOP,
	    "deadline: connect, accept, receive (see MODE --help)" },
	{ 'w', "timeout", "DUR", M_RESOLVE,
	    "give up on names not resolved within DUR" },
	{ 'n', "numeric", NULL, M_ALL, "no DNS: numeric hosts and ports only" },
	{ 'h', "help", NULL, M_ALL | M_TOP, "show this help and exit" },
	{ 'V', "version", NULL, M_TOP, "show the version and exit" },
	{ 0, NULL, NULL, 0, NULL }
};

const struct mode modes[] = {
	{ "listen", M_LISTEN, mode_listen, "[OPTIONS] [ADDRESS] PORT",
	    "TCP/Unix server: relay stdin/stdout with clients",
	    "ADDRESS defaults to all interfaces (dual-stack).  PORT 0 picks a "
	    "free port.\nWith LISTEN_FDS/LISTEN_PID (systemd), serves the "
	    "inherited sockets." },
	{ "connect", M_CONNECT, mode_connect, "[OPTIONS] HOST PORT[,PORTS]",
	    "TCP/Unix client: relay stdin/stdout, or check ports (-z)",
	    "HOST PORT may be one argument: HOST:PORT or [V6ADDR]:PORT.\n"
	    "Every address of HOST is tried (IPv6 and IPv4 raced).  With -z, "
	    "-w bounds\neach check (default 2s); exit 0 when every port is "
	    "open.  With -z, ports may\nalso be separate arguments: "
	    "HOST 22 80 443." },
	{ "udp-send", M_UDPSEND, mode_udp_send,
	    "[OPTIONS] HOST PORT [MESSAGE...]",
	    "send datagrams (MESSAGE, or stdin)",
	    "MESSAGE words are joined by single spaces into one datagram.\n"
	    "Without MESSAGE, all of stdin is one datagram; with --lines, stdin is\n"
	    "read to its end first, then each line is sent.  A payload over the\n"
	    "limit (65507 bytes over IPv4, 65527 over IPv6) is exit 2, and\n"
	    "nothing is sent." },
	{ "udp-recv", M_UDPRECV, mode_udp_recv, "[OPTIONS] [ADDRESS] PORT",
	    "receive datagrams, print them",
	    "Writes each payload to stdout as it arrives; with --json, one\n"
	    "object per datagram.  --echo never sends back more bytes than it\n"
	    "received.  Exit 1 when -w passes before any datagram." },
	{ "sockopt", M_SOCKOPT, mode_sockopt, "[OPTIONS] [NAME[=VALUE]...]",
	    "show/set socket options on a socket",
	    "Sets each NAME=VALUE in order, then prints every NAME given (all\n"
	    "readable options of the socket when none is).  NAME is case-\n"
	    "insensitive (rcvbuf = SO_RCVBUF); see --list.  VALUE: a number\n"
	    "(K, M, G), on/off, a DUR for timeouts, off or a DUR for SO_LINGER,\n"
	    "a DSCP name (ef, af41) for IP_TOS.  A fresh socket is IPv4 unless\n"
	    "-6.  Exit 2 for a bad NAME or VALUE, 4 when the kernel refuses one." },
	{ "resolve", M_RESOLVE, mode_resolve, "[OPTIONS] NAME...",
	    "name and service resolution (getaddrinfo)",
	    "Exit 3 when any NAME fails to resolve; the others are still "
	    "printed." },
	{ NULL, 0, NULL, NULL, NULL, NULL }
};

const struct mode *
mode_find(const char *name)
{
	const struct mode *m;

	for (m = modes; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

/* The row of val for mode, or NULL. */
static const struct opt *
opt_row(unsigned mode, int val)
{
	const struct opt *o;

	for (o = opts; o->help != NULL; o++)
		if (o->val == val && (o->modes & mode))
			return o;
	return NULL;
}

static bool
is_global(const struct opt *o)
{
	return (o->modes & M_GLOBAL) != 0;
}

static void
print_rows(FILE *fp, unsigned mode, bool global)
{
	const struct opt *o;
	char left[64];
	int n;

	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode) || is_global(o) != global)
			continue;
		if (o->val < 256 && o->name != NULL)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->val,
			    o->name);
		else if (o->val < 256)
			n = snprintf(left, sizeof(left), "-%c", o->val);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->arg != NULL && n >= 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s",
			    o->arg);
		if (strlen(left) > 23)
			fprintf(fp, "  %s\n  %-23s %s\n", left, "", o->help);
		else
			fprintf(fp, "  %-23s %s\n", left, o->help);
	}
}

void
usage_print(FILE *fp, const struct mode *m)
{
	const struct mode *k;

	if (m == NULL) {
		fprintf(fp,
		    "Usage: sockit [GLOBAL OPTIONS] MODE [OPTIONS] "
		    "ARGS...\n"
		    "A netcat-style network toolkit.\n\nModes:\n");
		for (k = modes; k->name != NULL; k++)
			fprintf(fp, "  %-10s %s\n", k->name, k->summary);
		fprintf(fp, "\nGlobal options (valid in every mode):\n");
		print_rows(fp, M_TOP, false);
		print_rows(fp, M_GLOBAL, true);
		fprintf(fp,
		    "\nDUR: 250ms, 2s, 1.5 (seconds), 3m, 1h.  "
		    "See 'sockit MODE --help'.\n"
		    "Exit: 0 ok, 1 network, 2 usage, 3 resolution, "
		    "4 local, 5 TLS.\n");
		return;
	}
	fprintf(fp, "Usage: sockit %s %s\n%c%s.\n\nOptions:\n", m->name,
	    m->args, toupper((unsigned char)m->summary[0]), m->summary + 1);
	print_rows(fp, m->bit, false);
	fprintf(fp, "\nGlobal options:\n");
	print_rows(fp, m->bit, true);
	if (m->more != NULL)
		fprintf(fp, "\n%s\n", m->more);
}

void
options_list(FILE *fp)
{
	const struct mode *m;
	const struct opt *o;

	for (m = modes; m->name != NULL; m++)
		for (o = opts; o->help != NULL; o++) {
			if (!(o->modes & m->bit))
				continue;
			fprintf(fp, "%s\t", m->name);
			if (o->val < 256)
				fprintf(fp, "-%c", o->val);
			fprintf(fp, "\t");
			if (o->name != NULL)
				fprintf(fp, "--%s", o->name);
			fprintf(fp, "\t%s\n", o->arg ? o->arg : "");
		}
}

/* Builds getopt_long's strings for mode, once per process. */
static void
opt_tables(unsigned mode, char *shorts, size_t slen, struct option *longs)
{
	const struct opt *o;
	size_t s = 0, l = 0;

	shorts[s++] = ':'; /* ':' tells a missing value from an unknown one */
	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode))
			continue;
		if (o->val < 256 && s + 3 < slen) {
			shorts[s++] = (char)o->val;
			if (o->arg != NULL)
				shorts[s++] = ':';
		}
		if (o->name != NULL) {
			longs[l].name = o->name;
			longs[l].has_arg =
			    o->arg ? required_argument : no_argument;
			longs[l].flag = NULL;
			longs[l].val = o->val;
			l++;
		}
	}
	shorts[s] = '\0';
	memset(&longs[l], 0, sizeof(longs[l]));
}

/* Applies a global option.  Returns 0, or OPT_BAD. */
static int
opt_global(int c, char *arg)
{
	struct sock_err e;
	int64_t ms;

	switch (c) {
	case '4':
		G.family = AF_INET;
		break;
	case '6':
		G.family = AF_INET6;
		break;
	case 'j':
		G.json = true;
		break;
	case 'v':
		G.verbose++;
		break;
	case O_QUIET:
		G.quiet = true;
		break;
	case 'n':
		G.numeric = true;
		break;
	case 'w':
		if (sock_parse_dur(arg, &ms, &e) == -1) {
			usage_err(&e);
			return OPT_BAD;
		}
		G.timeout_ms = ms;
		break;
	}
	return 0;
}

/* nc and ncat options that sockit spells otherwise (SPEC "nc front
   end"): the hint added to "unknown option" in the modes given. */
static const struct nc_hint {
	const char *word;
	unsigned modes;
	const char *hint;
} nc_hints[] = { { "-l", M_LISTEN,
		     "nc's -l is 'sockit listen', which needs no -l" },
	{ "-l", M_UDPRECV,
	    "nc's -l -u is 'sockit udp-recv', which needs no -l" },
	{ "-l", M_MODES, "nc's -l is 'sockit listen'" },
	{ "-p", M_LISTEN,
	    "nc's -p is the PORT operand: 'sockit listen [ADDRESS] PORT'" },
	{ "-p", M_UDPRECV,
	    "nc's -p is the PORT operand: 'sockit udp-recv [ADDRESS] PORT'" },
	{ "-N", M_STREAM,
	    "nc's -N is the default: sockit half-closes at stdin EOF" },
	{ "-d", M_STREAM, "nc's -d is --recv-only" },
	{ "-i", M_UDPSEND, "nc's -i is --interval DUR" },
	{ "-i", M_STREAM,
	    "nc's -i is planned as --delay DUR, not in this version" },
	{ "-t", M_STREAM,
	    "nc's -t is planned as --telnet, not in this version" },
	{ "-X", M_CONNECT,
	    "nc's -X and -x are --proxy URL: socks5://, socks4://, http://" },
	{ "--ssl", M_STREAM, "ncat's --ssl is --tls" }, { NULL, 0, NULL } };

/* The hint for the unknown option name in mode, or NULL. */
static const char *
nc_hint(unsigned mode, const char *name)
{
	const struct nc_hint *h;

	for (h = nc_hints; h->word != NULL; h++)
		if ((h->modes & mode) && strcmp(h->word, name) == 0)
			return h->hint;
	return NULL;
}

/* Writes to buf the long options of mode that start with prefix
   ("--so"), ", " between them.  Returns how many there are. */
static int
long_candidates(unsigned mode, const char *prefix, char *buf, size_t size)
{
	const struct opt *o, *p;
	size_t len = strlen(prefix), used = 0;
	int n = 0;

	buf[0] = '\0';
	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode) || o->name == NULL ||
		    strncmp(o->name, prefix, len) != 0)
			continue;
		for (p = opts; p < o; p++) /* once each */
			if ((p->modes & mode) && p->name != NULL &&
			    strcmp(p->name, o->name) == 0)
				break;
		if (p < o)
			continue;
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used,
			    "%s--%s", n > 0 ? ", " : "", o->name);
		n++;
	}
	return n;
}

/* Reports an option getopt_long did not know: with a hint when nc or
   ncat spell it so, with the candidates when it is an ambiguous prefix.
   Returns OPT_BAD. */
static int
opt_unknown(unsigned mode, const char *name)
{
	const char *hint = nc_hint(mode, name);
	char list[512];

	if (strncmp(name, "--", 2) == 0 &&
	    long_candidates(mode, name + 2, list, sizeof(list)) > 1)
		usage_error("ambiguous option: %s (%s)", name, list);
	else if (hint != NULL)
		usage_error("unknown option: %s (%s)", name, hint);
	else
		usage_error("unknown option: %s", name);
	return OPT_BAD;
}

/* Reports a usage error of getopt_long; word is the argument it was
   reading.  Returns OPT_BAD. */
static int
opt_bad(unsigned mode, int c, const char *word)
{
	const struct opt *o = optopt ? opt_row(mode, optopt) : NULL;
	char name[64];

	if (optopt != 0 && optopt < 256 && strncmp(word, "--", 2) != 0)
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%s", word);
	name[strcspn(name, "=")] = '\0';
	if (c == ':')
		usage_error("option %s needs a value", name);
	else if (o != NULL && strncmp(word, "--", 2) == 0)
		usage_error("option %s takes no value", name);
	else
		return opt_unknown(mode, name);
	return OPT_BAD;
}

int
opt_next(unsigned mode, int argc, char **argv, char **arg)
{
	static char shorts[128];
	static struct option longs[128];
	static unsigned built;
	const struct opt *o;
	int c;

	if (built != mode) {
		opt_tables(mode, shorts, sizeof(shorts), longs);
		built = mode;
		optind = 0; /* glibc: start a fresh scan */
	}
	for (;;) {
		opterr = 0;
		c = getopt_long(argc, argv, shorts, longs, NULL);
		*arg = optarg;
		if (c == -1)
			return OPT_END;
		if (c == '?' || c == ':')
			return opt_bad(mode, c, argv[optind - 1]);
		if (c == 'h') {
			usage_print(stdout, mode_find(G.mode));
			return finish_stdout(0) == 0 ? OPT_HELP : OPT_BAD;
		}
		o = opt_row(mode, c);
		if (o != NULL && is_global(o)) {
			if (opt_global(c, optarg) != 0)
				return OPT_BAD;
			continue;
		}
		if (c == 'w') { /* per-mode row of a global option */
			if (opt_global(c, optarg) != 0)
				return OPT_BAD;
			continue;
		}
		return c;
	}
}

int
opt_status(int c)
{
	return c == OPT_HELP ? EXIT_OK : EXIT_USAGE;
}
