/* connect -z: a poll loop (loop.c) and its slots, which round.c runs on
   the calling thread or one per pool thread. */
#ifndef SOCKIT_CHECK_LOOP_H
#define SOCKIT_CHECK_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/internal.h"

/* One attempt in flight: a result's check at one of its addresses. */
struct slot {
	struct probe probe;
	size_t idx;	  /* into the results */
	uint32_t addr;	  /* into checker.addrs */
	uint16_t attempt; /* the result's attempt number, from 0 */
};

/* One poll loop and its share of the checks in flight. */
struct loop {
	struct checker *c;
	unsigned cap; /* attempts in flight at most */
	struct slot *slots;
	struct pollfd *pfd; /* cap, and one for the pool's stop pipe */
	int *spare[2];	    /* refused sockets, to connect again: IPv4 [0],
			       IPv6 [1] */
	size_t nspare[2];
	bool reuse;    /* refused sockets are connected again */
	unsigned live; /* slots in use */
	size_t *again; /* results whose next attempt is due */
	size_t nagain;
	size_t next, end; /* the block of results being started */
	size_t done;	  /* results done since they were last handed over */
	int rc;		  /* of run() */
};

/* Allocates l's slots, poll list, spare sockets and queue for l->cap
   attempts (before its thread starts: a thread that never calls malloc
   gets no arena of its own).  Returns 0, or -1 when out of memory. */
int loop_alloc(struct loop *);
void loop_free(struct loop *);
/* l's poll loop (l->c, l->cap and l->reuse set; l->end = c->n when alone,
   else blocks come from c->pool): starts attempts up to l->cap, settles
   them as poll reports them; alone, hands the results over as they are
   done.  Frees what it allocated.  Returns 0 when every result it took
   is done, -1 when the checks stopped (a failure, the callbacks,
   o->stop). */
int loop_run(struct loop *);

#endif
