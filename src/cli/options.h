/* The option table and the mode table: the single source of getopt's
   strings, of each mode's --help, of `sockit --list-options`, and of how
   each option's value is parsed and checked. */
#ifndef SOCKIT_OPTIONS_H
#define SOCKIT_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/parse.h"
#include "sock/sock.h"

/* Mode bits. */
enum {
	M_RESOLVE = 1 << 0,
	M_CONNECT = 1 << 1,
	M_LISTEN = 1 << 2,
	M_SOCKOPT = 1 << 5,
	M_UDPSEND = 1 << 3,
	M_UDPRECV = 1 << 4,
	M_MODES = M_RESOLVE | M_CONNECT | M_LISTEN | M_SOCKOPT | M_UDPSEND |
	    M_UDPRECV,
	M_STREAM = M_CONNECT | M_LISTEN, /* the stream session */
	M_GLOBAL = 1 << 14,		 /* a global option row */
	M_TOP = 1 << 15,	   /* `sockit --version` etc., before a mode */
	M_ALL = M_MODES | M_GLOBAL /* global options: every mode */
};

/* Long-only options: values past any character. */
enum {
	O_QUIET = 256,
	O_VERSION,
	O_LIST_OPTIONS,
	O_SERVICE,
	O_PASSIVE,
	O_CANONICAL,
	O_NO_SHUTDOWN,
	O_SEND_ONLY,
	O_RECV_ONLY,
	O_IDLE_TIMEOUT,
	O_BACKLOG,
	O_ALLOW,
	O_DENY,
	O_WAIT,
	O_PARALLEL,
	O_ALL_ADDRESSES,
	O_TCP,
	O_UNIX,
	O_CONNECT,
	O_LISTEN,
	O_FD,
	O_LIST,
	O_COUNT, /* udp-send, udp-recv */
	O_INTERVAL,
	O_TTL,
	O_REPLY,
	O_EMPTY,
	O_ECHO,
	O_JOIN,
	O_INTERFACE,
	O_PROXY,
	O_TLS,
	O_CA,
	O_CERT,
	O_KEY,
	O_ALPN,
	O_SNI,
	O_INSECURE,
	O_MIN_DAYS,
	O_LINES, /* udp-recv (udp-send's is -l) */
	O_SHUTDOWN,
	O_PROXY_PROTOCOL,
	O_MPTCP,
	O_TARGETS, /* connect -z */
	O_FORMAT,
	O_BROKER, /* listen --broker, --chat, --max-queue */
	O_CHAT,
	O_MAX_QUEUE,
	O_DELAY /* the stream session's --delay */,
	O_SEND, /* connect -z: the check engine */
	O_EXPECT,
	O_STARTTLS,
	O_RAW /* connect -u, listen -u */
};

/* What an option's value is: how opt_next() parses and checks it, once,
   for every mode that has the option. */
enum opt_type {
	OPT_NONE,     /* a flag: no value */
	OPT_STRING,   /* text taken as it is: a name, a command, a URL */
	OPT_FILE,     /* a path */
	OPT_DUR,      /* 250ms, 2s, 1.5 (seconds), 3m, 1h: value.ms */
	OPT_UINT,     /* a number from min to max: value.n */
	OPT_PORT,     /* a number 0-65535 or a service name: value.port */
	OPT_CIDR,     /* ADDRESS[/BITS]: value.cidr */
	OPT_HOSTPORT, /* HOST, HOST:PORT or [V6]:PORT: value.hostport */
	OPT_CHOICE,   /* one of the row's words: value.choice, its index */
	OPT_SOCKOPT,  /* a socket option's NAME=VALUE, checked: value.text */
	OPT_SIZE      /* bytes, K, M, G (base 1024) from min to max: value.n */
};

/* The middle of a row: the argument's name in --help (NULL: a flag),
   the type, the range of OPT_UINT, the words of OPT_CHOICE. */
#define ARG_NONE		NULL, OPT_NONE, 0, 0, NULL
#define ARG_STRING(name)	name, OPT_STRING, 0, 0, NULL
#define ARG_FILE(name)		name, OPT_FILE, 0, 0, NULL
#define ARG_DUR			"DUR", OPT_DUR, 0, 0, NULL
#define ARG_UINT(min, max)	"N", OPT_UINT, min, max, NULL
#define ARG_PORT		"PORT", OPT_PORT, 0, 0, NULL
#define ARG_CIDR		"CIDR", OPT_CIDR, 0, 0, NULL
#define ARG_HOSTPORT(name)	name, OPT_HOSTPORT, 0, 0, NULL
#define ARG_CHOICE(name, words) name, OPT_CHOICE, 0, 0, words
#define ARG_SOCKOPT		"NAME=VALUE", OPT_SOCKOPT, 0, 0, NULL
#define ARG_SIZE(min, max)	"SIZE", OPT_SIZE, min, max, NULL

struct opt {
	int val;	     /* short letter, or O_* for long only */
	const char *name;    /* long name */
	const char *arg;     /* argument's name, NULL for a flag */
	enum opt_type type;  /* how the argument is parsed */
	uint64_t min, max;   /* OPT_UINT: the range */
	const char *choices; /* OPT_CHOICE: "stream|dgram|any" */
	unsigned modes;	     /* the modes that take it (M_ALL: global) */
	const char *help;
};

/* A mode as the command line knows it; main.c maps it to its run
   function (only main.c includes modes/). */
struct mode {
	const char *name;
	unsigned bit;
	const char *args; /* "[OPTIONS] NAME..." */
	const char *summary;
	const char *more; /* lines after the options in --help, or NULL */
};

extern const struct opt opts[];
extern const struct mode modes[];

/* An option's value, parsed by its row's type. */
struct opt_value {
	char *text; /* the argument as given (NULL for a flag) */
	union {
		int64_t ms;		  /* OPT_DUR */
		uint64_t n;		  /* OPT_UINT, OPT_SIZE */
		uint16_t port;		  /* OPT_PORT */
		int choice;		  /* OPT_CHOICE */
		struct cidr cidr;	  /* OPT_CIDR */
		struct hostport hostport; /* OPT_HOSTPORT */
	};
};

/* opt_next() answers these besides option letters. */
enum {
	OPT_END = -1,  /* no more options: optind is the first arg */
	OPT_HELP = -2, /* --help was printed: exit 0 */
	OPT_BAD = -3   /* a usage error was printed: exit 2 */
};
/* The next option of mode's argv, getopt_long style (permuting, "--"
   ends options), with its value parsed by its row's type into *v.  The
   global options are stored in G and not returned; the flags among them
   (-4, -6, -n, ...) are applied before any value is parsed, wherever
   they stand.  --help prints the mode's help.  A bad value is reported
   here, in one form: "bad --backlog "x": expected a number 1-65535". */
int opt_next(unsigned mode, int argc, char **argv, struct opt_value *v);
/* The exit status for OPT_HELP or OPT_BAD. */
int opt_status(int c);
/* Parses text as the value of row o in mode into *v: -n (numeric)
   refuses service names; a PORT of udp-send and udp-recv is a UDP
   service, connect's a TCP one or else a UDP one (-z -u).  Returns 0, or -1
   with *e (EUSAGE) whose what names the option and the value, `--backlog "x"`,
   for usage_err()'s "bad WHAT: why" (OPT_SOCKOPT: the socket module's, naming
   the socket option). */
int opt_parse_value(const struct opt *o, unsigned mode, bool numeric,
    char *text, struct opt_value *v, struct sock_err *e);
/* The row of option val (a letter or O_*) in mode, or NULL. */
const struct opt *opt_find(unsigned mode, int val);
/* getopt_long's short string (starting with ':') and long table (ending
   with a zero row) of mode, from the rows; the sizes are the arrays'. */
void opt_getopt(unsigned mode, char *shorts, size_t nshorts,
    struct option *longs, size_t nlongs);
/* true when word is an option of mode that takes the next argument as
   its value: "--timeout", a unique prefix "--time", or a short option
   that ends a group of them ("-w", "-jw"); main() skips that value when
   it looks for the mode word. */
bool opt_takes_next(const char *word, unsigned mode);
/* true when argv holds -j or --json as an option of mode (alone, in a
   group of short options or a long prefix), not as another option's
   value. */
bool opt_json_asked(int argc, char **argv, unsigned mode);
/* The mode named name, or NULL. */
const struct mode *mode_find(const char *name);
/* The usage of one mode (or of sockit when m is NULL) to fp. */
void usage_print(FILE *fp, const struct mode *m);
/* `sockit --list-options`: TSV of MODE, -x, --long, ARG. */
void options_list(FILE *fp);

#endif
