/* connect -z: port checks on poll(2) loops (one per CPU for a long
   list), or through a proxy; each result handed to a callback in port
   order, as soon as the order allows.  check/ never prints: the mode
   gives the callbacks (out/results.c writes text or JSON). */
#ifndef SOCKIT_CHECK_H
#define SOCKIT_CHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/args.h"
#include "tls/tls.h"

struct proxy;

enum check_state {
	CHECK_PENDING, /* not checked (yet) */
	CHECK_OPEN,
	CHECK_CLOSED,	     /* refused */
	CHECK_TIMEOUT,	     /* no answer within -w */
	CHECK_UNREACHABLE,   /* no route to the host or its network */
	CHECK_ERROR,	     /* another failure: see the result's error */
	CHECK_OPEN_FILTERED, /* -u: no answer */
	CHECK_TLS_ERROR,     /* --tls: the handshake or its verdict failed */
	CHECK_UNRESOLVED,    /* HOST did not resolve */
	CHECK_MISMATCH,	     /* --expect: the reply did not match */
	CHECK_STATES
};

/* SPEC.md's name of a state: "open", "open_filtered", ... */
const char *check_state_name(enum check_state);

/* --starttls: the protocol's upgrade before the handshake. */
enum check_starttls {
	STARTTLS_NONE,
	STARTTLS_SMTP,
	STARTTLS_IMAP,
	STARTTLS_POP3,
	STARTTLS_FTP,
	STARTTLS_POSTGRES
};

/* What a check says and waits for once connected (check/expect.c,
   check/starttls.c). */
struct check_talk {
	const char *send;   /* --send DATA, with its C escapes; or NULL */
	const char *expect; /* --expect REGEX (POSIX extended), or NULL */
	enum check_starttls starttls;
};

/* What an attempt learned beyond its state and latency: its later
   phases, what it received, the ICMP error behind it. */
struct check_facts {
	double tls_ms;	      /* --tls: the upgrade and handshake; -1 */
	double first_byte_ms; /* --expect: sent to first byte; -1: none */
	char *received;	      /* mismatch: the first 256 bytes, escaped */
	char *matched;	      /* --expect, open: the match, escaped */
	bool have_icmp;	      /* an ICMP error ended it: */
	struct sock_icmp icmp;
};

/* A finished check, handed to check_opts.result (valid during the call
   only). */
struct check_result {
	const char *host;    /* as the user wrote it */
	const char *address; /* the address that gave the state, or NULL
				(HOST did not resolve, or a proxy resolved
				it) */
	bool each_address;   /* --all-addresses: the result is this
				address's alone */
	uint16_t port;
	bool udp;
	enum check_state state;
	double latency_ms;	/* to the answer (open, closed, ...); none
				   for timeout, open_filtered, unresolved */
	const char *error;	/* why, for error, tls_error, unresolved */
	const char *error_code; /* unresolved: the resolver's ("EAI_NONAME") */
	const struct tls_info *tls; /* --tls: the handshake's facts, or NULL */
	bool mptcp_asked;   /* --mptcp and open: then mptcp says whether the */
	bool mptcp;	    /* connection ran MPTCP, or fell back to TCP */
	const char *reason; /* closed: "refused"; else NULL */
	double dns_ms;	    /* resolving HOST this round; -1: none */
	bool tls_on, expect_on; /* --tls, --expect: their phases shown */
	const struct check_facts *facts; /* or NULL */
};

/* Something worth telling with -v, as it happens. */
enum check_note_kind {
	CHECK_NOTE_ADDRESSES,  /* HOST has several addresses (new ones) */
	CHECK_NOTE_UNRESOLVED, /* --wait: HOST does not resolve yet */
	CHECK_NOTE_NOT_OPEN,   /* --wait: a round left some not open */
	CHECK_NOTE_INSECURE    /* --tls --insecure: nothing is verified */
};

struct check_note {
	enum check_note_kind kind;
	const char *host;
	int round;    /* --wait: from 1 */
	size_t count; /* ADDRESSES: of addresses; NOT_OPEN: not open */
	size_t total; /* NOT_OPEN: results in all */
	const char *const *addresses; /* ADDRESSES: in the order tried */
	bool via_proxy;		      /* ADDRESSES: the first goes to it */
	bool each_address; /* NOT_OPEN: a result per port and address */
	const char *why;   /* UNRESOLVED: the resolver's message */
};

/* How the results came out: how many ended in each state (pending: never
   checked, as the checks were stopped). */
struct check_tally {
	size_t results;
	size_t state[CHECK_STATES];
};

struct check_opts {
	const char *host; /* as the user wrote it */
	uint16_t *ports;  /* ascending, each once (parse_ports()) */
	size_t nports;
	bool udp;		   /* -u: a UDP probe */
	int family;		   /* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
	bool numeric;		   /* -n */
	unsigned parallel;	   /* --parallel: checks in flight at once */
	int64_t timeout_ms;	   /* -w: each attempt */
	int64_t wait_ms;	   /* --wait: retry until all open; -1: no */
	bool all_addresses;	   /* --all-addresses: a result per address */
	const char *source;	   /* -s, or NULL */
	const struct sockopts *so; /* -O, or NULL */
	const struct proxy *proxy; /* --proxy, or NULL */
	const struct sock_addr *proxy_src; /* -s/-p for it, or NULL */
	const struct sock_addr *sources;   /* -s/-p resolved: see below */
	size_t nsources;		   /* how many */
	const struct tls_opts *tls;	   /* --tls, or NULL */
	bool mptcp;			   /* --mptcp: MPTCP sockets */
	const struct check_talk *talk;	   /* --send, --expect, --starttls */
	/* set (by a signal): the checks end as soon as they can; or NULL */
	const volatile sig_atomic_t *stop;
	/* Each result, on the calling thread, in port order (per port, in
	   the order of HOST's addresses), as soon as those before it are
	   handed over (with --wait, at the end).  Returns 0, or -1 to stop
	   the checks (stdout failed). */
	int (*result)(void *ctx, const struct check_result *);
	/* After a batch of results: the output may be flushed now (a batch
	   rather than every result, so that a 65535-port check does not
	   write once per port).  Returns 0, or -1 to stop.  May be NULL. */
	int (*flush)(void *ctx);
	/* A note (-v).  May be NULL. */
	void (*note)(void *ctx, const struct check_note *);
	void *ctx;
};

/* Checks every port at every address of HOST: a result per port (per
   port and address with all_addresses), handed to o->result.  Returns 0
   with *tally when the checks ran (results left pending were stopped by
   o->result, o->flush or o->stop), or -1 with *e when a failure stopped
   them (the results done before it are handed over): a bad -p or --tls
   file (EUSAGE, as usage_err() words it: "bad WHAT: why"), an -O the
   sockets refuse (EUSAGE or ELOCAL), a source with no address of HOST's
   families (ERESOLVE), the proxy itself failing (ENET), a local failure
   (ELOCAL).  sources: -s/-p as the mode resolved them (cli/target.c
   target_source()), the first of each family the source of that
   family's checks; -p alone is one record of family AF_UNSPEC. */
int check_run(const struct check_opts *, struct check_tally *tally,
    struct sock_err *e);
/* What check_run() would refuse in o before checking anything, found
   now (--targets reads every line first): --send's escapes, --expect's
   regular expression, --send, --expect or --starttls with -u or a
   proxy, --starttls without --tls (EUSAGE); with --tls, its files (a
   context made and freed: ELOCAL for a file that cannot be read, ETLS
   for one OpenSSL refuses).  Returns 0, or -1 with *e. */
int check_validate(const struct check_opts *o, struct sock_err *e);

#endif
