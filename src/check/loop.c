/* connect -z: the poll loops.  A long list is split across worker
   threads, one per CPU we may run on, each with its own poll loop and its
   share of the descriptors; they take the ports in blocks, lowest first,
   and the calling thread prints the results in port order as they come.
   A short list (and --tls) is checked on the calling thread alone, on
   the same loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/internal.h"
#include "out/report.h"

/* Workers only for lists of at least this many ports per worker: below,
   starting threads costs more than they save. */
#define PORTS_PER_WORKER 128
/* Ports a worker takes at a time: small enough that the workers move up
   the list together and results print steadily. */
#define BLOCK 64
/* With workers, the printer looks for results every PRINT_MS: a batch
   printed in one write, no wake-up per result. */
#define PRINT_MS 10

static bool
stopped(struct checker *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE);
}

/* Stops every worker: their polls wake on the pipe. */
static void
stop_all(struct checker *c)
{
	if (!c->threaded ||
	    __atomic_exchange_n(&c->stop, true, __ATOMIC_ACQ_REL))
		return;
	while (write(c->stop_fd[1], "", 1) == -1 && errno == EINTR)
		;
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

/* Alone, a worker prints the results done since it last looked (in one
   write); with workers, the printer does, every PRINT_MS.  Returns 0, or
   -1 when stdout failed. */
static int
print_batch(struct worker *w)
{
	struct checker *c = w->c;

	if (w->done == 0 || !c->stream || c->threaded)
		return 0;
	w->done = 0;
	return check_print_ready(c, false) == -1 || fflush(stdout) == EOF ? -1 :
									    0;
}

void
check_spares_close(struct worker *w)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		while (w->nspare[v6] > 0)
			close(w->spare[v6][--w->nspare[v6]]);
}

void
check_set_status(struct checker *c, int status)
{
	if (c->threaded)
		pthread_mutex_lock(&c->lock);
	c->status = status;
	if (c->threaded)
		pthread_mutex_unlock(&c->lock);
}

/* The next result for w to start: the next pending one of its block,
   or of a new block it takes.  Returns c->n when none is left. */
static size_t
next_pending(struct worker *w)
{
	struct checker *c = w->c;

	for (;;) {
		while (w->next < w->end && c->r[w->next].st != ST_PENDING)
			w->next++;
		if (w->next < w->end)
			return w->next;
		if (w->end >= c->n)
			return c->n;
		w->next =
		    __atomic_fetch_add(&c->claim, BLOCK, __ATOMIC_RELAXED);
		if (w->next >= c->n) {
			w->next = w->end = c->n;
			return c->n;
		}
		w->end = c->n - w->next > BLOCK ? w->next + BLOCK : c->n;
	}
}

static void
worker_free(struct worker *w)
{
	free(w->slots);
	free(w->pfd);
	free(w->spare[0]);
	free(w->spare[1]);
	free(w->again);
	w->slots = NULL;
	w->pfd = NULL;
	w->spare[0] = w->spare[1] = NULL;
	w->again = NULL;
}

/* Allocates w's slots, poll list, spare sockets and queue for w->cap
   checks (before its thread starts: a worker that never calls malloc
   gets no arena of its own).  Returns 0, or -1 when out of memory. */
static int
worker_alloc(struct worker *w)
{
	w->slots = calloc(w->cap, sizeof(*w->slots));
	w->pfd = calloc(w->cap + 1, sizeof(*w->pfd)); /* + the stop pipe */
	w->spare[0] = calloc(w->cap, sizeof(*w->spare[0]));
	w->spare[1] = calloc(w->cap, sizeof(*w->spare[1]));
	w->again = calloc(w->cap, sizeof(*w->again));
	if (w->slots != NULL && w->pfd != NULL && w->spare[0] != NULL &&
	    w->spare[1] != NULL && w->again != NULL)
		return 0;
	worker_free(w);
	return -1;
}

/* Starts attempts until *cap are in flight: first the next attempts
   that are due, then the first attempts of new results, only while no
   attempt is due (so that a worker never has more results under way
   than slots).  Returns 1 when nothing is left to start, 0 when some
   is. */
static int
start_more(struct worker *w, unsigned *cap)
{
	struct checker *c = w->c;
	size_t idx;
	bool due;
	int rc;

	while (w->live < *cap) {
		due = w->nagain > 0;
		if (due) {
			idx = w->again[--w->nagain];
			c->r[idx].queued = false;
			if (c->r[idx].st != ST_PENDING)
				continue; /* open meanwhile */
		} else if ((idx = next_pending(w)) >= c->n) {
			return 1;
		}
		rc = check_start(w, idx, &w->slots[w->live]);
		if (rc == -1) {
			if (due) {
				c->r[idx].queued = true;
				w->again[w->nagain++] = idx;
			}
			/* descriptors or ports ran out: fewer at once */
			if (w->live > 0)
				*cap = w->live;
			else
				nanosleep(&(struct timespec){ 0, 10000000 },
				    NULL);
			return 0;
		}
		if (rc == 1)
			w->live++;
		if (!due)
			w->next++;
	}
	return 0;
}

/* When w's poll must wake at the latest: the first -w deadline or race
   start of its attempts. */
static double
next_deadline(const struct worker *w)
{
	const struct checker *c = w->c;
	double deadline = -1, t, race_at;
	unsigned i;

	for (i = 0; i < w->live; i++) {
		t = w->slots[i].start + (double)c->attempt_ms;
		race_at = check_race_at(c, &w->slots[i]);
		if (race_at >= 0 && race_at < t)
			t = race_at;
		if (deadline < 0 || t < deadline)
			deadline = t;
	}
	return deadline;
}

/* w's poll loop: starts checks up to w->cap, settles them as poll
   reports them.  Returns 0 when every result it took is done, -1 when
   stdout failed or a local failure (or another worker's) stopped it. */
static int
work(struct worker *w)
{
	struct checker *c = w->c;
	struct slot *slots;
	struct pollfd *pfd;
	unsigned i, cap = w->cap;
	double now, deadline;
	int rc, wait, all_started;
	nfds_t npfd;

	w->rc = -1;
	if (w->slots == NULL && worker_alloc(w) == -1) {
		fail(SOCK_ELOCAL, "out of memory");
		check_set_status(c, EXIT_LOCAL);
		return -1;
	}
	slots = w->slots;
	pfd = w->pfd;
	w->live = 0;
	w->nagain = 0;
	for (;;) {
		if (c->threaded && stopped(c))
			break;
		all_started = start_more(w, &cap);
		if (print_batch(w) == -1)
			break;
		if (w->live == 0 && all_started) {
			w->rc = 0;
			break;
		}
		now = sock_now_ms();
		deadline = next_deadline(w);
		for (i = 0; i < w->live; i++)
			pfd[i] = (struct pollfd){ .fd = slots[i].fd,
				.events = c->o->udp ? POLLIN : slots[i].ev };
		npfd = w->live;
		if (c->threaded)
			pfd[npfd++] = (struct pollfd){ .fd = c->stop_fd[0],
				.events = POLLIN };
		wait = w->live == 0 ? 10 : sock_poll_ms(deadline, now);
		rc = poll(pfd, npfd, wait);
		if (rc == -1 && errno != EINTR) {
			fail(SOCK_ELOCAL, "poll: %s", strerror(errno));
			check_set_status(c, EXIT_LOCAL);
			stop_all(c);
			break;
		}
		now = sock_now_ms();
		for (i = 0; i < w->live; i++) {
			/* an attempt ended by another's success has fd -1 */
			if (rc > 0 && pfd[i].revents != 0 && slots[i].fd != -1)
				check_settle(w, &slots[i], pfd[i].revents);
			check_expire(w, &slots[i], now);
		}
		for (i = 0; i < w->live;) {
			if (slots[i].fd != -1)
				i++;
			else /* done: the last slot takes its place */
				slots[i] = slots[--w->live];
		}
	}
	for (i = 0; i < w->live; i++) {
		tls_free(slots[i].t);
		if (slots[i].fd != -1)
			close(slots[i].fd);
	}
	check_spares_close(w);
	worker_free(w);
	return w->rc;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct checker *c = w->c;

	if (work(w) == -1)
		stop_all(c);
	pthread_mutex_lock(&c->lock);
	c->running--;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* The printer, while workers run: every PRINT_MS (and when a worker is
   done), prints the results whose turn has come.  Returns 0, or -1 when
   stdout failed. */
static int
print_while(struct checker *c)
{
	struct timespec at;
	unsigned running;
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += PRINT_MS * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		/* a worker that is done signals; a spurious wake-up is fine */
		if (c->running > 0)
			pthread_cond_timedwait(&c->cond, &c->lock, &at);
		running = c->running;
		pthread_mutex_unlock(&c->lock);
		if (rc == 0 && c->stream &&
		    (check_print_ready(c, false) == -1 ||
			fflush(stdout) == EOF)) {
			rc = -1;
			stop_all(c); /* the reader went away: all stop */
		}
		if (running == 0)
			return rc;
		pthread_mutex_lock(&c->lock);
	}
}

static void unspawn(struct checker *);

/* Starts nw workers on c's pending results.  Returns how many started
   (0: the checks run on this thread). */
static unsigned
spawn(struct checker *c, struct worker *w, unsigned nw)
{
	pthread_condattr_t ca;
	unsigned i;
	int fd;

	if (nw == 0 || pipe2(c->stop_fd, O_CLOEXEC) == -1)
		return 0;
	/* The descriptor table grows now, while this thread is alone: in a
	   process with threads, each growth waits for an RCU grace period
	   (milliseconds).  A descriptor past the highest the checks take
	   makes the kernel size it once. */
	fd = fcntl(c->stop_fd[1], F_DUPFD_CLOEXEC,
	    c->stop_fd[1] + 1 + (int)(c->cap < c->n ? c->cap : c->n));
	if (fd != -1)
		close(fd);
	c->threaded = true;
	c->stop = false;
	c->running = 0;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&c->lock);
	/* workers that do not start leave their ports to the others */
	for (i = 0; i < nw; i++) {
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
			break;
		c->running++;
	}
	pthread_mutex_unlock(&c->lock);
	if (i == 0)
		unspawn(c);
	return i;
}

/* After the workers: the pipe, the lock and the condition go. */
static void
unspawn(struct checker *c)
{
	close(c->stop_fd[0]);
	close(c->stop_fd[1]);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	c->threaded = false;
}

/* How many workers a round of c takes: 0 (the calling thread alone) for
   a short list, --tls (OpenSSL's work stays on one thread) or fewer than
   two CPUs; else one per CPU, each with PORTS_PER_WORKER ports at least
   and a descriptor at least. */
static unsigned
workers_for(const struct checker *c)
{
	size_t pending = 0, i;
	unsigned nw;

	if (c->ctx != NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		if (c->r[i].st == ST_PENDING)
			pending++;
	if (pending < 2 * PORTS_PER_WORKER || c->cap < 2)
		return 0;
	nw = cpus();
	if (nw > pending / PORTS_PER_WORKER)
		nw = (unsigned)(pending / PORTS_PER_WORKER);
	if (nw > c->cap)
		nw = c->cap;
	return nw < 2 ? 0 : nw;
}

int
check_round(struct checker *c)
{
	unsigned nw = workers_for(c);
	unsigned i, started, n = nw == 0 ? 1 : nw;
	struct worker *w;
	int rc;

	w = calloc(n, sizeof(*w));
	if (w == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		c->status = EXIT_LOCAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		w[i].c = c;
		w[i].cap = c->cap / n + (i < c->cap % n);
		w[i].reuse = !c->o->udp && c->ctx == NULL && !c->have_src &&
		    (c->o->so == NULL || c->o->so->n == 0);
		w[i].aimed = NO_ADDR;
		if (nw > 0 && worker_alloc(&w[i]) == -1)
			nw = 0;
	}
	c->claim = 0;
	started = spawn(c, w, nw);
	if (started == 0) {
		for (i = 0; i < n; i++)
			worker_free(&w[i]);
		w[0].cap = c->cap; /* alone: every descriptor */
		rc = work(&w[0]);
		free(w);
		return rc;
	}
	rc = print_while(c);
	for (i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].rc == -1)
			rc = -1;
	}
	for (i = started; i < nw; i++)
		worker_free(&w[i]); /* never started */
	if (stopped(c))
		rc = -1;
	unspawn(c);
	free(w);
	return rc;
}
