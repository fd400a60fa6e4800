/* connect -z: a round's checks on poll loops (loop.c).  A long list is
   split across loops on pool threads (util/pool.c), one per CPU we may
   run on, each with its share of the descriptors; they take the ports in
   blocks, lowest first, and the calling thread hands the results over in
   port order as they come.  A short list (and --tls) is checked on the
   calling thread alone, on one loop. */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "check/internal.h"
#include "check/loop.h"

/* Threads only for lists of at least this many ports per thread: below,
   starting threads costs more than they save. */
#define PORTS_PER_THREAD 128
/* With threads, the calling thread hands results over every DELIVER_MS:
   a batch written at once, no wake-up per result. */
#define DELIVER_MS 10

/* A pool thread: its own loop. */
static void
loop_thread(struct pool *p, void *arg, unsigned index)
{
	struct loop *l = arg;

	if (loop_run(&l[index]) == -1)
		pool_stop(p);
}

/* The CPUs this process may run on (at least 1). */
static unsigned
cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* How many threads a round of c takes: 0 (the calling thread alone) for
   a short list, --tls (OpenSSL's work stays on one thread) or fewer than
   two CPUs; else one per CPU, each with PORTS_PER_THREAD ports at least
   and a descriptor at least. */
static unsigned
threads_for(const struct checker *c)
{
	size_t pending = 0, i;
	unsigned n;

	if (c->target.ctx != NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		if (c->r[i].st == CHECK_PENDING)
			pending++;
	if (pending < 2 * PORTS_PER_THREAD || c->cap < 2)
		return 0;
	n = cpus();
	if (n > pending / PORTS_PER_THREAD)
		n = (unsigned)(pending / PORTS_PER_THREAD);
	if (n > c->cap)
		n = c->cap;
	return n < 2 ? 0 : n;
}

/* Starts n loops on pool threads.  Returns how many started (0: the
   checks run on this thread; c->pool is NULL then). */
static unsigned
spawn(struct checker *c, struct loop *l, unsigned n)
{
	unsigned started;
	int fd, stop_fd;

	if (n == 0 || (c->pool = pool_new(c->n, true)) == NULL)
		return 0;
	/* The descriptor table grows now, while this thread is alone: in a
	   process with threads, each growth waits for an RCU grace period
	   (milliseconds).  A descriptor past the highest the checks take
	   makes the kernel size it once. */
	stop_fd = pool_stop_fd(c->pool);
	fd = fcntl(stop_fd, F_DUPFD_CLOEXEC,
	    stop_fd + 1 + (int)(c->cap < c->n ? c->cap : c->n));
	if (fd != -1)
		close(fd);
	started = pool_start(c->pool, n, 0, loop_thread, l);
	if (started == 0) {
		pool_end(c->pool);
		c->pool = NULL;
	}
	return started;
}

/* Descriptors a lone loop needs: its budget, or fewer when the round
   has fewer attempts to make at once (a single check allocates and
   clears one slot, not 256). */
static unsigned
attempts_at_most(const struct checker *c)
{
	size_t most = c->n * (c->ncur > 1 ? c->ncur : 1);

	return most == 0 ? 1 : most < c->cap ? (unsigned)most : c->cap;
}

int
check_round(struct checker *c)
{
	unsigned n = threads_for(c), i, nloops = n == 0 ? 1 : n;
	struct loop *l = calloc(nloops, sizeof(*l));
	int rc;

	if (l == NULL) {
		check_fail_oom(c);
		return -1;
	}
	for (i = 0; i < nloops; i++) {
		l[i].c = c;
		l[i].cap = c->cap / nloops + (i < c->cap % nloops);
		l[i].reuse = c->target.reusable;
		if (n > 0 && loop_alloc(&l[i]) == -1)
			n = 0;
	}
	if (spawn(c, l, n) == 0) {
		for (i = 0; i < nloops; i++)
			loop_free(&l[i]);
		/* alone: every descriptor, or as many as there can be
		   attempts at once (a result races each address) */
		l[0].cap = attempts_at_most(c);
		l[0].end = c->n; /* and every result */
		rc = loop_run(&l[0]);
		free(l);
		return rc;
	}
	rc = check_deliver_while(c, DELIVER_MS);
	if (pool_stopped(c->pool))
		rc = -1;
	pool_end(c->pool);
	c->pool = NULL;
	for (i = 0; i < n; i++)
		loop_free(&l[i]); /* a thread that never started */
	free(l);
	return rc;
}
