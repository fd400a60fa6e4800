/* What connect.c (the options, the relay) and connect_check.c (-z: the
   check engine's runs) share. */
#ifndef SOCKIT_CONNECT_H
#define SOCKIT_CONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include "check/check.h"
#include "cli/target.h"
#include "modes/session.h"
#include "proxy/proxy.h"

struct connect_opts {
	struct session s;
	struct source src;  /* -s, -p */
	bool check;	    /* -z */
	bool udp;	    /* -u, with -z */
	int64_t wait_ms;    /* --wait, with -z */
	unsigned parallel;  /* --parallel, with -z */
	bool all_addresses; /* --all-addresses, with -z */
	bool use_proxy;	    /* --proxy */
	bool shutdown;	    /* --shutdown: half-close through a proxy */
	struct proxy proxy;
	struct check_talk talk; /* --send, --expect, --starttls, with -z */
	bool counting;		/* --count, with -z */
	uint64_t count;		/* its N: 0 is until interrupted */
	int64_t interval_ms;	/* --interval, or -1 (1 s) */
	int format;		/* --format: out/formats.h */
	const char *targets;	/* --targets FILE, or NULL */
	char **cmd;		/* --wait ... -- CMD ARGS, or NULL */
};

/* Reads connect's options of argv into *o (a line of --targets too).
   Returns 0, an exit status, or -1 when --help was printed. */
int connect_parse_opts(struct connect_opts *o, int argc, char **argv);
/* The target (HOST PORT, PORTS with -z, nothing with -U) and the
   options that do not go together.  Returns 0 or an exit status. */
int connect_parse_target(struct connect_opts *o, int argc, char **argv,
    struct target *t);
/* connect -z: the checks of HOST PORTS (t), or of every line of
   --targets (t NULL), once, --count times, or until up (--wait), then
   -- CMD.  Returns the exit status (or does not return: CMD). */
int connect_checks(struct connect_opts *o, const struct target *t);

#endif
