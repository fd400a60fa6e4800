/* connect -z inside: the records that check.c, round.c, loop.c,
   via_proxy.c and result.c share.  check_run() (check.c) runs rounds; a
   round resolves HOST again and checks every pending result once, on
   poll loops (check_round(), round.c and loop.c) or through a proxy
   (check_round_proxy(), via_proxy.c); one check is one or more attempts
   (probe.c), one per address of HOST, raced as Happy Eyeballs does;
   results are handed over in port order (result.c). */
#ifndef SOCKIT_CHECK_INT_H
#define SOCKIT_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"
#include "check/probe.h"
#include "util/pool.h"

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
	enum check_state st;   /* set last, by publish(): then it is done */
	enum check_state best; /* the best outcome of an attempt so far */
	uint16_t best_attempt; /* the attempt that gave it */
	uint32_t addr;	       /* its address (--all-addresses: the
				  result's own), or NO_ADDR */
	uint16_t tried;	       /* attempts started this round */
	uint16_t inflight;     /* attempts under way */
	bool queued;	       /* in its loop's queue for the next attempt */
	double latency_ms;
	int err;		   /* errno for CHECK_ERROR */
	char *reason;		   /* or a proxy's reason, or NULL */
	struct tls_info *tls;	   /* --tls: the handshake's facts, or NULL */
	char *why;		   /* CHECK_TLS_ERROR: the reason */
	bool mptcp;		   /* --mptcp: the best attempt ran MPTCP */
	struct check_facts *facts; /* or NULL */
};

struct checker {
	const struct check_opts *o;
	struct probe_target target;
	bool src_has[2]; /* -s has an address of IPv4 [0], IPv6 [1] */
	/* every address HOST has resolved to in any round, each once; the
	   results point into it */
	struct sock_addr *addrs;
	size_t naddrs;
	uint32_t *cur; /* this round's addresses, in Happy Eyeballs order */
	size_t ncur;
	bool race;		    /* a result tries several addresses */
	struct sock_err unresolved; /* why HOST did not resolve */
	double dns_ms;		    /* resolving HOST this round */
	struct talk_plan talk;	    /* --send, --expect, --starttls */
	struct result *r;
	size_t n;
	size_t delivered; /* results [0, delivered) are handed over */
	bool stream;	  /* hand over as results come (not with --wait) */
	unsigned cap;	  /* checks in flight at most */
	int64_t attempt_ms;
	bool stopped; /* o->result, o->flush or o->stop said stop */
	/* a failure that stops the checks (first one wins): */
	bool failed; /* (atomic) */
	struct sock_err error;
	struct pool *pool; /* the round's threads, or NULL */
};

/* A result is done once its state is no longer pending: the fields are
   written first, the state last (release), and the thread that hands
   results over reads the state first (acquire). */
static inline void
publish(struct result *r, enum check_state st)
{
	__atomic_store_n(&r->st, st, __ATOMIC_RELEASE);
}

static inline bool
is_done(const struct result *r)
{
	return __atomic_load_n(&r->st, __ATOMIC_ACQUIRE) != CHECK_PENDING;
}

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

/* result.c */

void check_facts_free(struct check_facts *);
/* Attempt attempt of r, at address addr, ended with out: into r when it
   says more than the attempts before.  Takes out->tls. */
void result_attempt(struct result *r, uint16_t attempt, uint32_t addr,
    struct probe_outcome *out);
/* Hands the results whose turn has come to o->result, then o->flush when
   there were some.  Returns 0, or -1 when they said stop (c->stopped). */
int check_deliver(struct checker *);
/* While the pool's threads run: every every_ms (and when a thread says
   so) hands the results whose turn has come over.  Returns 0, or -1 when
   the callbacks said stop (the pool is stopped then). */
int check_deliver_while(struct checker *, int every_ms);
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
void check_tally(const struct checker *, struct check_tally *);
/* A failure that stops the checks: the first one is kept (any thread). */
void check_fail(struct checker *, const struct sock_err *);
void check_fail_oom(struct checker *);
/* true once the checks must end: a failure, or stop set. */
bool check_stopping(struct checker *);

/* check.c */

/* Raises the soft descriptor limit to the hard one and returns how many
   checks (of a descriptor each) may be in flight within it, want at
   most. */
unsigned check_fd_budget(unsigned want);
/* --wait's pause between rounds: base +-10%, at random (seed). */
double check_backoff(double base, unsigned *seed);

/* round.c */

/* Checks the pending results once: on one poll loop per CPU (pool
   threads) for a long list, else on this thread alone.  Returns 0, or -1
   when the checks stopped (c->stopped, or c->failed). */
int check_round(struct checker *);

/* via_proxy.c */

/* Checks the pending results once through the proxy, on pool threads.
   Returns 0, or -1 when the checks stopped. */
int check_round_proxy(struct checker *);

#endif
