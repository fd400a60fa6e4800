/* The option table and the mode table: the single source of getopt's
   strings, of each mode's --help, and of `sockit --list-options`. */
#ifndef SOCKIT_OPTIONS_H
#define SOCKIT_OPTIONS_H

#include <stdio.h>

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
	O_SHUTDOWN
};

struct opt {
	int val;	  /* short letter, or O_* for long only */
	const char *name; /* long name */
	const char *arg;  /* argument's name, NULL for a flag */
	unsigned modes;	  /* the modes that take it (M_ALL: global) */
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

/* opt_next() answers these besides option letters. */
enum {
	OPT_END = -1,  /* no more options: optind is the first arg */
	OPT_HELP = -2, /* --help was printed: exit 0 */
	OPT_BAD = -3   /* a usage error was printed: exit 2 */
};
/* The next option of mode's argv, getopt_long style (permuting, "--"
   ends options).  Global options are stored in G and not returned;
   --help prints the mode's help.  *arg is the option's argument. */
int opt_next(unsigned mode, int argc, char **argv, char **arg);
/* The exit status for OPT_HELP or OPT_BAD. */
int opt_status(int c);
/* The mode named name, or NULL. */
const struct mode *mode_find(const char *name);
/* The usage of one mode (or of sockit when m is NULL) to fp. */
void usage_print(FILE *fp, const struct mode *m);
/* `sockit --list-options`: TSV of MODE, -x, --long, ARG. */
void options_list(FILE *fp);

#endif
