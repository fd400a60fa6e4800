/* connect -z inside: the records that check.c, result.c,
   probe.c and loop.c share.  check_run() (check.c) runs
   rounds; a round resolves HOST again and checks every pending result
   once, on poll loops (check_round(), loop.c) or through a
   proxy (check.c); one check is one or more attempts, one per address of
   HOST, raced as Happy Eyeballs does (probe.c); results are
   printed in port order (result.c). */
#ifndef SOCKIT_CHECK_INT_H
#define SOCKIT_CHECK_INT_H

#include <sys/socket.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"

struct proxy_probe;

enum state {
	ST_PENDING,
	ST_OPEN,
	ST_CLOSED,
	ST_TIMEOUT,
	ST_UNREACHABLE,
	ST_ERROR,
	ST_OPEN_FILTERED,
	ST_TLS_ERROR,
	ST_UNRESOLVED /* HOST did not resolve: c->unresolved says why */
};

/* An index into checker.addrs that names no address: HOST did not
   resolve, or a proxy resolved it. */
#define NO_ADDR UINT32_MAX
/* Happy Eyeballs (RFC 8305): a TCP attempt that has had no answer for
   this long is joined by one to the next address. */
#define RACE_DELAY_MS 250

/* One port's check (with --all-addresses, one port at one address).
   While its attempts run, the fields hold the best outcome so far (best,
   and the address, latency and error that gave it). */
struct result {
	uint16_t port;
	enum state st;	       /* set last, by publish(): then it is done */
	enum state best;       /* the best outcome of an attempt so far */
	uint16_t best_attempt; /* the attempt that gave it */
	uint32_t addr;	       /* its address (--all-addresses: the result's
				  own), or NO_ADDR */
	uint16_t tried;	       /* attempts started this round */
	uint16_t inflight;     /* attempts under way */
	bool queued;	       /* in its worker's queue for the next attempt */
	double latency_ms;
	int err;	      /* errno for ST_ERROR */
	char *reason;	      /* or a proxy's reason, or NULL */
	struct tls_info *tls; /* --tls: the handshake's facts, or NULL */
	char *why;	      /* ST_TLS_ERROR: the reason */
};

/* One attempt: a result's check at one of its addresses. */
struct slot {
	int fd;
	size_t idx;	  /* into the results */
	uint32_t addr;	  /* into checker.addrs */
	uint16_t attempt; /* the result's attempt number, from 0 */
	double start;
	short ev;      /* what poll waits for */
	struct tls *t; /* --tls: the handshake under way */
};

struct checker {
	const struct check_opts *o;
	/* every address HOST has resolved to in any round, each once; the
	   results point into it */
	struct sock_addr *addrs;
	size_t naddrs;
	uint32_t *cur; /* this round's addresses, in Happy Eyeballs order */
	size_t ncur;
	bool race;	 /* a result tries several addresses */
	bool src_has[2]; /* -s has an address of IPv4 [0], IPv6 [1] */
	struct sock_err unresolved; /* why HOST did not resolve */
	uint16_t *ports;	    /* PORTS, ascending */
	size_t nports;
	struct sock_addr src[2]; /* -s/-p: for IPv4 [0], for IPv6 [1] */
	bool have_src;
	struct result *r;
	size_t n;
	size_t printed; /* results [0, printed) are out */
	bool stream;	/* print as results come (not with --wait) */
	unsigned cap;	/* checks in flight at most */
	int64_t attempt_ms;
	int status;		    /* with workers: under lock */
	struct proxy_probe *probes; /* --proxy: this round's checks */
	struct tls_ctx *ctx;	    /* --tls */
	/* with workers (a round's): */
	bool threaded;
	size_t claim;	  /* the next block to take (atomic) */
	bool stop;	  /* stdout or a worker failed (atomic) */
	int stop_fd[2];	  /* a pipe: readable once stop is set */
	unsigned running; /* workers not done yet (under lock) */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a worker is done */
};

/* One poll loop and its share of the checks in flight. */
struct worker {
	struct checker *c;
	unsigned cap; /* checks in flight at most */
	struct slot *slots;
	struct pollfd *pfd; /* cap, and one for the stop pipe */
	int *spare[2];	    /* refused sockets, to connect again: IPv4 [0],
			       IPv6 [1] */
	size_t nspare[2];
	bool reuse;		    /* a refused socket is connected again */
	struct sockaddr_storage ss; /* the address, port set per check */
	socklen_t len;
	uint32_t aimed; /* the address in ss, or NO_ADDR */
	unsigned live;	/* slots in use */
	size_t *again;	/* results whose next attempt is due */
	size_t nagain;
	size_t next, end; /* the block of results being started */
	size_t done;	  /* results done since the last print */
	pthread_t tid;
	int rc; /* of work() */
};

/* A result is done once its state is no longer pending: the fields are
   written first, the state last (release), and the printer reads the
   state first (acquire). */
static inline void
publish(struct result *r, enum state st)
{
	__atomic_store_n(&r->st, st, __ATOMIC_RELEASE);
}

static inline bool
is_done(const struct result *r)
{
	return __atomic_load_n(&r->st, __ATOMIC_ACQUIRE) != ST_PENDING;
}

/* result.c */

/* The state of a check that ended with err (0: open). */
enum state check_classify(int err);

/* Prints the results whose turn has come (all: every result, done or
   not; only once the workers are gone).  Returns 0 or -1. */
int check_print_ready(struct checker *, bool all);
/* Lays the results out for a round: one per port; with --all-addresses
   and resolved, one per port and address of the round (a pair found
   open in an earlier round stays open).  Returns 0, or -1 when out of
   memory. */
int check_layout(struct checker *, bool resolved);
/* Every result not open is unresolved (c->unresolved says why). */
void check_unresolved(struct checker *);
/* Makes result r pending again, for a new round. */
void check_result_reset(struct checker *, struct result *r);
void check_results_free(struct checker *);
/* The exit status of the results: 0 when all are open (with -u: none
   closed), 3 when HOST did not resolve, 5 for a TLS failure, else 1; 4
   when one was never checked. */
int check_status(const struct checker *);

/* probe.c: one port's check on a worker's poll loop */

/* How many attempts a result makes: one per address of this round, or
   with --all-addresses one, at its own address. */
static inline size_t
check_attempts(const struct checker *c)
{
	return c->o->all_addresses ? 1 : c->ncur;
}

/* The address of result r's attempt k. */
static inline uint32_t
check_attempt_addr(const struct checker *c, const struct result *r, size_t k)
{
	return c->o->all_addresses ? r->addr : c->cur[k];
}

/* Starts the next attempt of result idx.  Returns 1 when it is in
   flight, 0 when it finished at once, -1 when it must wait for a
   descriptor. */
int check_start(struct worker *, size_t idx, struct slot *);
/* The outcome of slot s now that poll reported revents. */
void check_settle(struct worker *, struct slot *s, short revents);
/* Ends slot s's attempt when its -w deadline has passed by now: a
   timeout, or a TLS handshake timed out; or queues the next attempt when
   it is time for another address to join the race. */
void check_expire(struct worker *, struct slot *s, double now);
/* When slot s's attempt is to be joined by the next address, or -1 when
   it is not. */
double check_race_at(const struct checker *, const struct slot *s);
/* --tls: the verdict on a finished handshake's facts: NULL when the
   check passes, else why not (in buf, or in the facts). */
const char *check_tls_verdict(const struct tls_opts *, const struct tls_info *,
    char *buf, size_t len);

/* loop.c */

/* Checks the pending results once: on one worker thread per CPU for a
   long list, else on this thread alone.  Returns 0, or -1 when stdout
   failed or a local failure stopped it. */
int check_round(struct checker *);
/* Closes w's spare sockets. */
void check_spares_close(struct worker *);
/* Puts a status (a local failure) where check_run() finds it. */
void check_set_status(struct checker *, int status);

#endif
