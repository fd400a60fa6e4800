/* The nc front end: OpenBSD nc's options (netcat-openbsd 1.219, Debian's
   -q included) read with nc's own getopt string, then said as the words
   of `sockit connect` or `sockit listen`.  What nc does that the modes do
   otherwise is G.nc's (main.c sets it): -z's output and exit status, an
   idle -w ending well, every failure exit 1. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/nc.h"
#include "out/line.h"
#include "out/report.h"

/* OpenBSD nc's getopt string, with -e and -c (traditional nc's) so that
   they get their hint; ':' first: a missing value is told apart. */
#define NC_OPTS ":46CDdFhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Zze:c:"

/* What nc's command line asked, before it becomes words. */
struct nc_line {
	bool listen, keep, unix_sock, check, half_close, recv_only, v6, udp;
	bool telnet;
	const char *source_port, *source, *timeout, *quit, *interval;
	const char *proxy, *proxy_kind; /* -x ADDR[:PORT], -X 4|5|connect */
	const char *rcvbuf, *sndbuf, *ttl, *tos;
	char tos_buf[16]; /* -T 0xHH in decimal */
};

/* nc's options that sockit has no equivalent of, and what they do. */
static const struct {
	char letter;
	const char *what;
} missing[] = {
	{ 'F', "pass the first connected socket to stdout" },
	{ 'm', "minimum TTL of incoming packets" },
	{ 'P', "proxy user name (with a password prompt)" },
	{ 'S', "TCP MD5 signatures" },
	{ 'V', "routing table" },
	{ 'W', "stop after N packets received" },
	{ 'Z', "DCCP" },
};

/* nc -T's names of type-of-service values, as numbers for IP_TOS; the
   DSCP names (af11, cs1, ef) and numbers go to IP_TOS as they are. */
static const struct {
	const char *name, *value;
} tos_names[] = {
	{ "critical", "160" },
	{ "inetcontrol", "192" },
	{ "lowdelay", "16" },
	{ "netcontrol", "224" },
	{ "reliability", "4" },
	{ "throughput", "8" },
};

bool
nc_named(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, "nc") == 0 || strcmp(base, "netcat") == 0;
}

/* `nc -h`: what sockit nc takes, on stdout. */
static void
nc_usage(void)
{
	fputs("usage: nc [-46CDdhklNnrtUuvz] [-I length] [-i interval] "
	      "[-M ttl]\n"
	      "          [-O length] [-p source_port] [-q seconds] "
	      "[-s sourceaddr]\n"
	      "          [-T keyword] "
	      "[-w timeout] [-X proxy_protocol]\n"
	      "          [-x proxy_address[:port]] [destination] [port]\n"
	      "OpenBSD nc's options, run as sockit connect or sockit listen "
	      "(man sockit:\nNC FRONT END).  -F -m -P -S -V -W -Z: "
	      "no equivalent (exit 2).\n",
	    stdout);
}

/* Adds a word to cmd's argv (sized by nc_translate() for every word). */
static void
add(struct nc_cmd *cmd, const char *word)
{
	cmd->argv[cmd->argc++] = (char *)word;
	cmd->argv[cmd->argc] = NULL;
}

/* Adds "-O" and NAME=VALUE, made here.  Returns 0, or -1 (no memory). */
static int
add_sockopt(struct nc_cmd *cmd, const char *name, const char *value)
{
	char *w;

	if (value == NULL)
		return 0;
	if (cmd->nown == (int)(sizeof(cmd->own) / sizeof(cmd->own[0])) ||
	    asprintf(&w, "%s=%s", name, value) == -1)
		return -1;
	cmd->own[cmd->nown++] = w;
	add(cmd, "-O");
	add(cmd, w);
	return 0;
}

/* nc -T KEYWORD as an IP_TOS value: a name's number, a hex number in
   decimal (into buf), or the keyword as it is. */
static const char *
tos_value(const char *keyword, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(tos_names) / sizeof(tos_names[0]); i++)
		if (strcmp(tos_names[i].name, keyword) == 0)
			return tos_names[i].value;
	if (strncasecmp(keyword, "0x", 2) == 0 && keyword[2] != '\0' &&
	    strspn(keyword + 2, "0123456789abcdefABCDEF") ==
		strlen(keyword + 2)) {
		snprintf(buf, len, "%ld", strtol(keyword, NULL, 16));
		return buf;
	}
	return keyword;
}

/* A command line nc refuses too: the message, and nc's exit 1. */
static int PRINTF(1, 2) nc_refuses(const char *fmt, ...)
{
	va_list ap;
	char *message;

	va_start(ap, fmt);
	message = text_format(fmt, ap);
	va_end(ap);
	usage_error("%s", message != NULL ? message : "out of memory");
	free(message);
	return EXIT_NET;
}

/* An option nc has and sockit does not, or traditional nc's -e and -c:
   exit 2 naming it. */
static int
refuse(int letter)
{
	size_t i;

	if (letter == 'e' || letter == 'c')
		return usage_error(
		    "-%c: not an option of OpenBSD nc "
		    "(sockit listen -%c CMD runs CMD per client)",
		    letter, letter);
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		if (missing[i].letter == letter)
			return usage_error("nc's -%c (%s) has no equivalent "
					   "in sockit",
			    letter, missing[i].what);
	return nc_refuses("unknown option -%c", letter);
}

/* Where *l keeps the value of nc's option c, or NULL when c takes none
   (or is -T, whose value is turned into a number). */
static const char **
value_of(struct nc_line *l, int c)
{
	switch (c) {
	case 'p':
		return &l->source_port;
	case 's':
		return &l->source;
	case 'w':
		return &l->timeout;
	case 'q':
		return &l->quit;
	case 'x':
		return &l->proxy;
	case 'X':
		return &l->proxy_kind;
	case 'I':
		return &l->rcvbuf;
	case 'O':
		return &l->sndbuf;
	case 'M':
		return &l->ttl;
	case 'i':
		return &l->interval;
	}
	return NULL;
}

/* One of nc's options into *l, or the flags that are words as they are
   into cmd.  Returns 0, -1 for -h, or an exit status. */
static int
take(struct nc_line *l, struct nc_cmd *cmd, int c)
{
	static const char same[] = "46nvCkut";
	const char **value = value_of(l, c);

	if (value != NULL) {
		*value = optarg;
		return 0;
	}

	if (c != 0 && strchr(same, c) != NULL) {
		add(cmd,
		    c == '4'	 ? "-4" :
			c == '6' ? "-6" :
			c == 'n' ? "-n" :
			c == 'v' ? "-v" :
			c == 'C' ? "-C" :
			c == 'k' ? "-k" :
			c == 't' ? "-t" :
				   "-u");
		l->keep |= c == 'k';
		l->udp |= c == 'u';
		l->telnet |= c == 't';
		l->v6 = c == '6' || (l->v6 && c != '4');
		return 0;
	}
	switch (c) {
	case 'h':
		nc_usage();
		return -1;
	case 'l':
		l->listen = true;
		break;
	case 'U':
		l->unix_sock = true;
		break;
	case 'z':
		l->check = true;
		break;
	case 'N':
		l->half_close = true;
		break;
	case 'd':
		l->recv_only = true;
		break;
	case 'r':
		break; /* -z's results are in port order anyway */
	case 'D':
		return add_sockopt(cmd, "SO_DEBUG", "on") == 0 ? 0 : 4;
	case 'T':
		l->tos = tos_value(optarg, l->tos_buf, sizeof(l->tos_buf));
		break;
	case ':':
		return nc_refuses("-%c needs a value", optopt);
	case '?':
		return refuse(optopt);
	default:
		return refuse(c);
	}
	return 0;
}

/* -x ADDR[:PORT] with -X KIND as a --proxy URL, made here: SOCKS 5 with
   the name sent to the proxy (nc's way: socks5h), SOCKS 4, or HTTP
   CONNECT, on nc's default ports (1080, 3128).  Returns 0 or an exit
   status. */
static int
add_proxy(struct nc_cmd *cmd, const struct nc_line *l)
{
	const char *kind = l->proxy_kind ? l->proxy_kind : "5", *scheme;
	const char *close = strrchr(l->proxy, ']'), *colon;
	bool has_port;
	char *url;

	if (strcmp(kind, "5") == 0)
		scheme = "socks5h";
	else if (strcmp(kind, "4") == 0)
		scheme = "socks4";
	else if (strcmp(kind, "connect") == 0)
		scheme = "http";
	else
		return nc_refuses("-X %s: a proxy protocol is 4, 5 or connect",
		    kind);
	colon = strrchr(l->proxy, ':');
	has_port = close != NULL ?
	    colon > close :
	    colon != NULL && colon == strchr(l->proxy, ':');
	if (cmd->nown == (int)(sizeof(cmd->own) / sizeof(cmd->own[0])) ||
	    asprintf(&url, "%s://%s%s%s%s", scheme,
		close == NULL && colon != NULL && !has_port ? "[" : "",
		l->proxy,
		close == NULL && colon != NULL && !has_port ? "]" : "",
		has_port			? "" :
		    strcmp(scheme, "http") == 0 ? ":3128" :
						  ":1080") == -1)
		return fail(SOCK_ELOCAL, "out of memory");
	cmd->own[cmd->nown++] = url;
	add(cmd, "--proxy");
	add(cmd, url);
	if (l->half_close && !l->check)
		add(cmd, "--shutdown");
	return 0;
}

/* The words of the session: -N, -q, -d, -w's idle part.  UDP (connect
   -u, listen -u) has no half-close; connect -u's -q is how long replies
   are awaited after stdin EOF: nc -u -w's idle end. */
static void
add_session(struct nc_cmd *cmd, const struct nc_line *l)
{
	const char *quit = l->quit;
	bool udp_quit = l->udp && !l->listen && l->timeout != NULL;

	if (l->check)
		return; /* nc -z sends nothing: these do not apply */
	if (!l->half_close && l->proxy == NULL && !l->udp)
		add(cmd, "--no-shutdown"); /* nc half-closes only with -N */
	if (udp_quit && (quit == NULL || quit[0] == '-'))
		quit = l->timeout;
	if (quit != NULL && quit[0] != '-') { /* negative: never */
		add(cmd, "-q");
		add(cmd, quit);
	}
	if (l->recv_only)
		add(cmd, "--recv-only");
	if (l->interval != NULL) { /* a line at a time, -i apart */
		add(cmd, "--delay");
		add(cmd, l->interval);
	}
	if (l->timeout != NULL && !udp_quit) { /* an idle session ends */
		add(cmd, "--idle-timeout");
		add(cmd, l->timeout);
	}
}

/* listen's words: [-U] [-s ADDRESS] [-p PORT] [ADDRESS] [PORT] as
   listen's [ADDRESS] PORT.  Returns 0 or an exit status. */
static int
add_listen(struct nc_cmd *cmd, const struct nc_line *l, int n, char **args)
{
	const char *address = l->source, *port = l->source_port;

	if (l->unix_sock) {
		if (n != 1)
			return nc_refuses("-U takes one PATH");
		add(cmd, "-U");
		add(cmd, args[0]);
		return 0;
	}
	if (n > 2 || (n == 2 && port != NULL))
		return nc_refuses("too many arguments for -l");
	if (n == 2 || (n == 1 && port != NULL))
		address = args[0];
	if (n >= 1 && port == NULL)
		port = args[n - 1];
	if (port == NULL)
		return nc_refuses("missing port number");
	if (address != NULL)
		add(cmd, address);
	add(cmd, port);
	return 0;
}

/* connect's words: HOST PORT (several ports with -z), or -U PATH.
   Returns 0 or an exit status. */
static int
add_connect(struct nc_cmd *cmd, const struct nc_line *l, int n, char **args)
{
	int i;

	if (l->source != NULL) {
		add(cmd, "-s");
		add(cmd, l->source);
	}
	if (l->source_port != NULL) {
		add(cmd, "-p");
		add(cmd, l->source_port);
	}
	if (l->unix_sock) {
		if (n != 1)
			return nc_refuses("-U takes one PATH");
		add(cmd, "-U");
		add(cmd, args[0]);
		return 0;
	}
	if (n < 2)
		return nc_refuses("missing %s",
		    n == 0 ? "destination" : "port number");
	if (n > 2 && !l->check)
		return usage_error("one port at a time without -z (nc "
				   "connects to each in turn: no equivalent)");
	for (i = 0; i < n; i++)
		add(cmd, args[i]);
	return 0;
}

/* The words of the whole line.  Returns 0 or an exit status. */
static int
add_words(struct nc_cmd *cmd, const struct nc_line *l, int n, char **args)
{
	const char *ttl = l->v6 ? "IPV6_UNICAST_HOPS" : "IP_TTL";
	int status;

	if (l->keep && !l->listen)
		return nc_refuses("must use -l with -k");
	if (l->check && l->unix_sock)
		return usage_error("-z with -U (a check of a Unix socket) has "
				   "no equivalent in sockit");
	if (l->telnet && l->udp)
		return usage_error("-t with -u (telnet negotiation over UDP) "
				   "has no equivalent in sockit");
	if (l->check)
		add(cmd, "-z");
	if (l->timeout != NULL && !l->listen) {
		add(cmd, "-w"); /* the connect deadline */
		add(cmd, l->timeout);
	}
	add_session(cmd, l);
	if (add_sockopt(cmd, "SO_RCVBUF", l->rcvbuf) == -1 ||
	    add_sockopt(cmd, "SO_SNDBUF", l->sndbuf) == -1 ||
	    add_sockopt(cmd, ttl, l->ttl) == -1 ||
	    add_sockopt(cmd, "IP_TOS", l->tos) == -1)
		return fail(SOCK_ELOCAL, "out of memory");
	if (l->proxy != NULL && (status = add_proxy(cmd, l)) != 0)
		return status;
	if (l->listen)
		return add_listen(cmd, l, n, args);
	return add_connect(cmd, l, n, args);
}

int
nc_translate(int argc, char **argv, struct nc_cmd *cmd)
{
	static const struct option help[] = { { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	struct nc_line l;
	int c, status;

	memset(&l, 0, sizeof(l));
	memset(cmd, 0, sizeof(*cmd));
	cmd->argv = calloc((size_t)argc * 3 + 24, sizeof(*cmd->argv));
	if (cmd->argv == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	add(cmd, argv[0]);
	optind = 0; /* glibc: a fresh scan, permuting as nc's getopt does */
	opterr = 0;
	while ((c = getopt_long(argc, argv, NC_OPTS, help, NULL)) != -1) {
		if ((status = take(&l, cmd, c)) != 0)
			return status;
	}
	cmd->mode = l.listen ? "listen" : "connect";
	return add_words(cmd, &l, argc - optind, argv + optind);
}

void
nc_free(struct nc_cmd *cmd)
{
	while (cmd->nown > 0)
		free(cmd->own[--cmd->nown]);
	free(cmd->argv);
}
