/* The option table (src/cli/option_table.c) and its readers: each row's
   type parses good values and refuses bad ones in the one message form,
   the ranges, getopt_long's strings built from the rows, opt_next() and
   opt_takes_next(). */
#include "config.h"

#include <getopt.h>
#include <netdb.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/globals.h"
#include "cli/options.h"
#include "out/report.h"
#include "../tap.h"
#include "test_cli.h"

/* A mode that has row o (its first bit). */
static unsigned
mode_of(const struct opt *o)
{
	const struct mode *m;

	for (m = modes; m->name != NULL; m++)
		if (o->modes & m->bit)
			return m->bit;
	return M_TOP;
}

/* "-w" or "--timeout": how the row is named in messages. */
static const char *
row_name(const struct opt *o, char *buf, size_t len)
{
	if (o->name != NULL)
		snprintf(buf, len, "--%s", o->name);
	else
		snprintf(buf, len, "-%c", o->val);
	return buf;
}

/* Parses text as row o's value; *msg is the message usage_err() would
   print after "sockit: MODE: ". */
static int
parse(const struct opt *o, bool numeric, const char *text, struct opt_value *v,
    char *msg, size_t len)
{
	static char copy[256]; /* v->text points into it */
	struct sock_err e;
	int rc;

	snprintf(copy, sizeof(copy), "%s", text);
	memset(v, 0, sizeof(*v));
	memset(&e, 0, sizeof(e));
	rc = opt_parse_value(o, mode_of(o), numeric, copy, v, &e);
	snprintf(msg, len, "bad %s: %s", e.what,
	    rc == -1 ? sock_strerror(&e) : "");
	return rc;
}

/* Row o refuses text with the message want (NULL: the one form with
   why after the name and the value). */
static void
refuses(const struct opt *o, bool numeric, const char *text, const char *why)
{
	struct opt_value v;
	char msg[512], want[512], name[64];

	snprintf(want, sizeof(want), "bad %s \"%s\": %s",
	    row_name(o, name, sizeof(name)), text, why);
	ok(parse(o, numeric, text, &v, msg, sizeof(msg)) == -1 &&
		strcmp(msg, want) == 0,
	    "%s refuses \"%s\": %s", name, text, msg);
}

static void
test_dur(const struct opt *o)
{
	static const struct {
		const char *in;
		int64_t ms;
	} good[] = { { "250ms", 250 }, { "2s", 2000 }, { "1.5", 1500 },
		{ "3m", 180000 }, { "1h", 3600000 } };
	struct opt_value v;
	char msg[512], name[64];
	size_t i;
	int rc;

	row_name(o, name, sizeof(name));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rc = parse(o, false, good[i].in, &v, msg, sizeof(msg));
		ok(rc == 0 && v.ms == good[i].ms,
		    "%s (mode %#x) takes \"%s\": %lld ms", name, o->modes,
		    good[i].in, (long long)v.ms);
	}
	refuses(o, false, "5x", "unknown unit (ms, s, m, h)");
	refuses(o, false, "", "empty");
	refuses(o, false, "10000000h", "too large (at most 8760h)");
}

static void
test_size(const struct opt *o)
{
	struct opt_value v;
	char why[96], name[64], msg[512];

	row_name(o, name, sizeof(name));
	ok(parse(o, false, "64K", &v, msg, sizeof(msg)) == 0 && v.n == 65536,
	    "%s takes 64K: %" PRIu64, name, v.n);
	ok(parse(o, false, "2M", &v, msg, sizeof(msg)) == 0 &&
		v.n == 2 * 1024 * 1024,
	    "%s takes 2M: %" PRIu64, name, v.n);
	snprintf(why, sizeof(why),
	    "expected a size %" PRIu64 "-%" PRIu64 " bytes (K, M, G)", o->min,
	    o->max);
	refuses(o, false, "5x", why);
	refuses(o, false, "", why);
	if (o->min > 0)
		refuses(o, false, "0", why);
}

static void
test_uint(const struct opt *o)
{
	struct opt_value v;
	char text[32], why[96], msg[512], name[64];

	row_name(o, name, sizeof(name));
	snprintf(why, sizeof(why), "expected a number %" PRIu64 "-%" PRIu64,
	    o->min, o->max);
	snprintf(text, sizeof(text), "%" PRIu64, o->min);
	ok(parse(o, false, text, &v, msg, sizeof(msg)) == 0 && v.n == o->min,
	    "%s takes its least value %s", name, text);
	snprintf(text, sizeof(text), "%" PRIu64, o->max);
	ok(parse(o, false, text, &v, msg, sizeof(msg)) == 0 && v.n == o->max,
	    "%s takes its greatest value %s", name, text);
	if (o->min > 0) {
		snprintf(text, sizeof(text), "%" PRIu64, o->min - 1);
		refuses(o, false, text, why);
	}
	if (o->max < UINT64_MAX) {
		snprintf(text, sizeof(text), "%" PRIu64, o->max + 1);
		refuses(o, false, text, why);
	} else {
		refuses(o, false, "18446744073709551616", why);
	}
	refuses(o, false, "x", why);
	refuses(o, false, "-1", why);
	refuses(o, false, "1k", why);
}

static void
test_port(const struct opt *o)
{
	struct opt_value v;
	char msg[512], name[64];

	row_name(o, name, sizeof(name));
	ok(parse(o, false, "0", &v, msg, sizeof(msg)) == 0 && v.port == 0 &&
		parse(o, false, "65535", &v, msg, sizeof(msg)) == 0 &&
		v.port == 65535,
	    "%s takes 0 and 65535", name);
	ok(parse(o, false, "domain", &v, msg, sizeof(msg)) == 0 && v.port == 53,
	    "%s takes a service name (domain: 53)", name);
	if (getservbyname("babel", "udp") != NULL &&
	    getservbyname("babel", "tcp") == NULL)
		ok(parse(o, false, "babel", &v, msg, sizeof(msg)) == 0 &&
			v.port == 6696,
		    "%s takes a UDP-only service (babel: 6696)", name);
	refuses(o, false, "65536", "out of range 0-65535");
	refuses(o, false, "no-such-service", "unknown service");
	refuses(o, true, "domain", "service names are not looked up with -n");
}

static void
test_cidr(const struct opt *o)
{
	struct opt_value v;
	char msg[512], name[64];

	row_name(o, name, sizeof(name));
	ok(parse(o, false, "10.0.0.0/8", &v, msg, sizeof(msg)) == 0 &&
		v.cidr.family == AF_INET && v.cidr.bits == 8,
	    "%s takes 10.0.0.0/8", name);
	ok(parse(o, false, "::1", &v, msg, sizeof(msg)) == 0 &&
		v.cidr.family == AF_INET6 && v.cidr.bits == 128,
	    "%s takes ::1 (a host: /128)", name);
	refuses(o, false, "10.0.0.0/33", "prefix length is not 0-32");
	refuses(o, false, "nope", "not a numeric address");
}

static void
test_hostport(const struct opt *o)
{
	struct opt_value v;
	char msg[512], name[64];

	row_name(o, name, sizeof(name));
	ok(parse(o, false, "example.org:80", &v, msg, sizeof(msg)) == 0 &&
		v.hostport.has_port &&
		strcmp(v.hostport.host, "example.org") == 0 &&
		strcmp(v.hostport.port, "80") == 0,
	    "%s splits example.org:80", name);
	ok(parse(o, false, "[::1]:22", &v, msg, sizeof(msg)) == 0 &&
		v.hostport.has_port && strcmp(v.hostport.host, "::1") == 0,
	    "%s splits [::1]:22", name);
	ok(parse(o, false, "8080", &v, msg, sizeof(msg)) == 0 &&
		!v.hostport.has_port && strcmp(v.text, "8080") == 0,
	    "%s takes a lone word as it is", name);
	refuses(o, false, "[::1", "missing ']'");
	refuses(o, false, ":80", "expected HOST:PORT");
}

static void
test_choice(const struct opt *o)
{
	struct opt_value v;
	char msg[512], word[160], list[128], name[64], why[160];
	const char *w = o->choices, *bar;
	size_t len, used = 0;
	int i;

	row_name(o, name, sizeof(name));
	list[0] = '\0';
	for (i = 0; w != NULL; i++, w = bar != NULL ? bar + 1 : NULL) {
		bar = strchr(w, '|');
		len = bar != NULL ? (size_t)(bar - w) : strlen(w);
		snprintf(word, sizeof(word), "%.*s", (int)len, w);
		ok(parse(o, false, word, &v, msg, sizeof(msg)) == 0 &&
			v.choice == i,
		    "%s takes \"%s\" as choice %d", name, word, i);
		used +=
		    (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
			i == 0		? "" :
			    bar == NULL ? " or " :
					  ", ",
			word);
	}
	/* not in word: a list of five words is longer */
	snprintf(why, sizeof(why), "expected %s", list);
	refuses(o, false, "raw", why);
	refuses(o, false, "", why);
}

static void
test_sockopt(const struct opt *o)
{
	struct opt_value v;
	char msg[512], name[64];

	row_name(o, name, sizeof(name));
	ok(parse(o, false, "SO_RCVBUF=64K", &v, msg, sizeof(msg)) == 0 &&
		strcmp(v.text, "SO_RCVBUF=64K") == 0,
	    "%s takes SO_RCVBUF=64K", name);
	ok(parse(o, false, "SO_RCVBUF=x", &v, msg, sizeof(msg)) == -1 &&
		strcmp(msg, "bad value \"x\" for SO_RCVBUF: not a number") == 0,
	    "%s refuses SO_RCVBUF=x naming the socket option: %s", name, msg);
	ok(parse(o, false, "nosuch=1", &v, msg, sizeof(msg)) == -1 &&
		strstr(msg, "\"nosuch\": unknown option") != NULL,
	    "%s refuses an unknown socket option: %s", name, msg);
}

/* Every row of the table: its type parses good values and refuses bad
   ones in the one form; a row has an argument exactly when it has a
   type. */
static void
test_rows(void)
{
	const struct opt *o;
	char msg[512], name[64];
	struct opt_value v;
	size_t n = 0, typed = 0;

	for (o = opts; o->help != NULL; o++) {
		n++;
		if ((o->arg == NULL) != (o->type == OPT_NONE))
			ok(0, "row %s: an argument (%s) goes with a type",
			    row_name(o, name, sizeof(name)),
			    o->arg ? o->arg : "none");
		if (o->type == OPT_UINT && o->min > o->max)
			ok(0, "row --%s: min > max", o->name);
		typed += o->type != OPT_NONE;
		switch (o->type) {
		case OPT_DUR:
			test_dur(o);
			break;
		case OPT_UINT:
			test_uint(o);
			break;
		case OPT_SIZE:
			test_size(o);
			break;
		case OPT_PORT:
			test_port(o);
			break;
		case OPT_CIDR:
			test_cidr(o);
			break;
		case OPT_HOSTPORT:
			test_hostport(o);
			break;
		case OPT_CHOICE:
			test_choice(o);
			break;
		case OPT_SOCKOPT:
			test_sockopt(o);
			break;
		case OPT_STRING:
		case OPT_FILE:
			ok(parse(o, false, "any text: x=1", &v, msg,
			       sizeof(msg)) == 0 &&
				strcmp(v.text, "any text: x=1") == 0,
			    "%s keeps its value as given",
			    row_name(o, name, sizeof(name)));
			break;
		case OPT_NONE:
			break;
		}
	}
	ok(n > 50 && typed > 30,
	    "the table has rows (%zu), most with a typed value (%zu)", n,
	    typed);
}

/* The modes' bits, and M_TOP (before the mode word). */
static const unsigned all_modes[] = { M_LISTEN, M_CONNECT, M_UDPSEND, M_UDPRECV,
	M_SOCKOPT, M_RESOLVE, M_TOP | M_GLOBAL };

/* getopt_long's strings of each mode hold every row of the mode, once,
   a short option with ':' exactly when it takes a value. */
static void
test_getopt(void)
{
	char shorts[128], *p;
	struct option longs[128];
	const struct opt *o;
	size_t i, k, nlong, want;
	bool good;

	for (i = 0; i < sizeof(all_modes) / sizeof(all_modes[0]); i++) {
		opt_getopt(all_modes[i], shorts, sizeof(shorts), longs,
		    sizeof(longs) / sizeof(longs[0]));
		for (nlong = 0; longs[nlong].name != NULL; nlong++)
			;
		good = shorts[0] == ':';
		want = 0;
		for (o = opts; o->help != NULL; o++) {
			if (!(o->modes & all_modes[i]))
				continue;
			if (o->val < 256) {
				p = strchr(shorts + 1, o->val);
				good = good && p != NULL &&
				    (p[1] == ':') == (o->arg != NULL) &&
				    strchr(p + 1, o->val) == NULL;
			}
			if (o->name == NULL)
				continue;
			want++;
			for (k = 0;
			     k < nlong && strcmp(longs[k].name, o->name) != 0;
			     k++)
				;
			good = good && k < nlong && longs[k].val == o->val &&
			    longs[k].has_arg ==
				(o->arg ? required_argument : no_argument);
		}
		ok(good && nlong == want,
		    "getopt strings of mode %#x: \"%s\" and %zu long options, "
		    "one per row, a value where the row has one",
		    all_modes[i], shorts, nlong);
	}
}

/* opt_takes_next() for every row: the option alone takes the next
   argument exactly when it has a value; "--NAME=V" and "-xV" never. */
static void
test_takes_next(void)
{
	char word[80];
	const struct opt *o;
	size_t i;
	bool good, has;

	for (i = 0; i < sizeof(all_modes) / sizeof(all_modes[0]); i++) {
		good = true;
		for (o = opts; o->help != NULL; o++) {
			if (!(o->modes & all_modes[i]))
				continue;
			has = o->arg != NULL;
			if (o->val < 256) {
				snprintf(word, sizeof(word), "-%c", o->val);
				good = good &&
				    opt_takes_next(word, all_modes[i]) == has;
				snprintf(word, sizeof(word), "-%cV", o->val);
				good = good &&
				    !(has &&
					opt_takes_next(word, all_modes[i]));
			}
			if (o->name == NULL)
				continue;
			snprintf(word, sizeof(word), "--%s", o->name);
			good =
			    good && opt_takes_next(word, all_modes[i]) == has;
			snprintf(word, sizeof(word), "--%s=V", o->name);
			good = good && !opt_takes_next(word, all_modes[i]);
			if (!good)
				break;
		}
		ok(good,
		    "opt_takes_next in mode %#x: every option with a value "
		    "takes the next argument, no other (%s)",
		    all_modes[i], good ? "all rows" : word);
	}
	ok(opt_takes_next("-jw", M_TOP | M_GLOBAL) &&
		!opt_takes_next("-wj", M_TOP | M_GLOBAL) &&
		opt_takes_next("--time", M_TOP | M_GLOBAL) &&
		!opt_takes_next("2s", M_TOP | M_GLOBAL) &&
		!opt_takes_next("--", M_TOP | M_GLOBAL),
	    "before the mode: -jw and --time take the next argument; -wj, "
	    "2s and -- do not");
	ok(opt_takes_next("-rt", M_RESOLVE) &&
		!opt_takes_next("-tr", M_RESOLVE) &&
		!opt_takes_next("--li", M_SOCKOPT),
	    "-rt takes the next argument, -tr not (r is -t's value); an "
	    "ambiguous prefix (--li: --list, --listen) does not");
}

/* Scans argv (NULL-terminated) in mode: the options opt_next() returns,
   as "c=value" words, into buf; returns the last answer. */
static int
scan(unsigned mode, const char *mode_name, char **argv, char *buf, size_t len)
{
	struct opt_value v;
	size_t used = 0;
	int argc, c;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	memset(&G, 0, sizeof(G));
	G.mode = mode_name;
	G.timeout_ms = -1;
	buf[0] = '\0';
	while ((c = opt_next(mode, argc, argv, &v)) >= 0 && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%s%d=%s",
		    used ? " " : "", c, v.text ? v.text : "");
	return c;
}

/* opt_next(): values parsed by type, the global options stored in G
   wherever they stand, -n known before a PORT is parsed, and a bad
   value ends the scan. */
static void
test_opt_next(void)
{
	char *listen[] = { "sockit", "--backlog", "7", "-k", "0", "-w", "2s",
		"-4", NULL };
	char *late_n[] = { "sockit", "-p", "domain", "127.0.0.1", "1", "-n",
		NULL };
	char *early[] = { "sockit", "-p", "domain", "127.0.0.1", "1", NULL };
	char *bad[] = { "sockit", "--backlog", "0", "-k", NULL };
	char buf[256], want[64];
	int c;

	c = scan(M_LISTEN, "listen", listen, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%d=7 %d=", O_BACKLOG, 'k');
	ok(c == OPT_END && strcmp(buf, want) == 0 &&
		strcmp(listen[optind], "0") == 0,
	    "opt_next returns --backlog and -k, then the PORT (%s)", buf);
	ok(G.timeout_ms == 2000 && G.family == AF_INET,
	    "and stores -w 2s and -4 in G (%lld ms, family %d)",
	    (long long)G.timeout_ms, G.family);
	ok(scan(M_CONNECT, "connect", late_n, buf, sizeof(buf)) == OPT_BAD &&
		G.numeric,
	    "-n after -p domain still refuses the service name");
	ok(scan(M_CONNECT, "connect", early, buf, sizeof(buf)) == OPT_END,
	    "without -n, -p domain is taken (%s)", buf);
	ok(scan(M_LISTEN, "listen", bad, buf, sizeof(buf)) == OPT_BAD &&
		buf[0] == '\0',
	    "--backlog 0 ends the scan as a usage error");
}

void
test_options(void)
{
	test_rows();
	test_getopt();
	test_takes_next();
	test_opt_next();
}
