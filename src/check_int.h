/* connect -z inside: the records that check.c, check_result.c,
   check_probe.c and check_workers.c share.  check_run() (check.c) runs
   rounds; a round checks every pending result once, on poll loops
   (check_round(), check_workers.c) or through a proxy (check.c); one
   check is a probe (check_probe.c); results are printed in port order
   (check_result.c). */
#ifndef SOCKIT_CHECK_INT_H
#define SOCKIT_CHECK_INT_H

#include <sys/socket.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

struct proxy_probe;

enum state {
	ST_PENDING,
	ST_OPEN,
	ST_CLOSED,
	ST_TIMEOUT,
	ST_UNREACHABLE,
	ST_ERROR,
	ST_OPEN_FILTERED,
	ST_TLS_ERROR
};

struct result {
	uint16_t port;
	enum state st;		/* set last, by publish(): then it is done */
	double latency_ms;
	int err;		/* errno for ST_ERROR */
	char *reason;		/* or a proxy's reason, or NULL */
	struct tls_info *tls;	/* --tls: the handshake's facts, or NULL */
	char *why;		/* ST_TLS_ERROR: the reason */
};

struct slot {
	int fd;
	size_t idx;		/* into the results */
	double start;
	short ev;		/* what poll waits for */
	struct tls *t;		/* --tls: the handshake under way */
};

struct checker {
	const struct check_opts *o;
	struct sock_addr addr;	/* the address checked (port set per check) */
	struct sock_addr src;
	bool have_src;
	struct result *r;
	size_t n;
	size_t printed;		/* results [0, printed) are out */
	bool stream;		/* print as results come (not with --wait) */
	unsigned cap;		/* checks in flight at most */
	int64_t attempt_ms;
	int status;		/* with workers: under lock */
	struct proxy_probe *probes;	/* --proxy: this round's checks */
	struct tls_ctx *ctx;	/* --tls */
	/* with workers (a round's): */
	bool threaded;
	size_t claim;		/* the next block to take (atomic) */
	bool stop;		/* stdout or a worker failed (atomic) */
	int stop_fd[2];		/* a pipe: readable once stop is set */
	unsigned running;	/* workers not done yet (under lock) */
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a worker is done */
};

/* One poll loop and its share of the checks in flight. */
struct worker {
	struct checker *c;
	unsigned cap;		/* checks in flight at most */
	struct slot *slots;
	struct pollfd *pfd;	/* cap, and one for the stop pipe */
	int *spare;		/* refused sockets, to connect again */
	size_t nspare;
	bool reuse;		/* a refused socket is connected again */
	struct sockaddr_storage ss;	/* the address, port set per check */
	socklen_t len;
	size_t next, end;	/* the block of results being started */
	size_t done;		/* results done since the last print */
	pthread_t tid;
	int rc;			/* of work() */
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

/* check_result.c */

/* The state of a check that ended with err (0: open). */
enum state check_classify(int err);

/* Prints the results whose turn has come (all: every result, done or
   not; only once the workers are gone).  Returns 0 or -1. */
int check_print_ready(struct checker *, bool all);

/* check_probe.c: one port's check on a worker's poll loop */

/* Starts the check of result idx.  Returns 1 when it is in flight, 0 when
   it finished at once, -1 when it must wait for a descriptor. */
int check_start(struct worker *, size_t idx, struct slot *);
/* The outcome of slot s now that poll reported revents. */
void check_settle(struct worker *, struct slot *s, short revents);
/* Ends slot s's check when its -w deadline has passed by now: a timeout,
   or a TLS handshake timed out. */
void check_expire(struct worker *, struct slot *s, double now);
/* --tls: the verdict on a finished handshake's facts: NULL when the
   check passes, else why not (in buf, or in the facts). */
const char *check_tls_verdict(const struct tls_opts *,
    const struct tls_info *, char *buf, size_t len);

/* check_workers.c */

/* Checks the pending results once: on one worker thread per CPU for a
   long list, else on this thread alone.  Returns 0, or -1 when stdout
   failed or a local failure stopped it. */
int check_round(struct checker *);
/* Puts a status (a local failure) where check_run() finds it. */
void check_set_status(struct checker *, int status);

#endif
