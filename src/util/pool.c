/* The thread pool of pool.h: a job counter taken atomically, a progress
   count the waiting thread compares (so a wake-up is never lost), and a
   stop flag with an optional pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/pool.h"

struct pool_thread {
	struct pool *pool;
	unsigned index;
	pthread_t tid;
};

struct pool {
	size_t jobs;
	size_t next; /* the next job to take (atomic) */
	bool stop;   /* (atomic) */
	int stop_pipe[2];
	pool_fn *fn;
	void *arg;
	struct pool_thread *threads;
	unsigned started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* under lock: */
	unsigned running;	/* threads not ended */
	unsigned long progress; /* pool_progress() calls and thread ends */
	unsigned long seen;	/* progress as pool_wait() last saw it */
	bool left;		/* pool_leave(): the last thread frees */
};

static void
pool_free(struct pool *p)
{
	if (p->stop_pipe[0] != -1) {
		close(p->stop_pipe[0]);
		close(p->stop_pipe[1]);
	}
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

struct pool *
pool_new(size_t jobs, bool stop_pipe)
{
	struct pool *p = calloc(1, sizeof(*p));
	pthread_condattr_t attr;

	if (p == NULL)
		return NULL;
	p->jobs = jobs;
	p->stop_pipe[0] = p->stop_pipe[1] = -1;
	if (stop_pipe && pipe2(p->stop_pipe, O_CLOEXEC) == -1) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &attr);
	pthread_condattr_destroy(&attr);
	return p;
}

static void *
pool_main(void *arg)
{
	struct pool_thread *t = arg;
	struct pool *p = t->pool;
	bool last;

	p->fn(p, p->arg, t->index);
	pthread_mutex_lock(&p->lock);
	p->running--;
	p->progress++;
	last = p->left && p->running == 0;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (last)
		pool_free(p);
	return NULL;
}

unsigned
pool_start(struct pool *p, unsigned threads, size_t stack_size, pool_fn *fn,
    void *arg)
{
	pthread_attr_t attr;
	unsigned i;

	if (threads == 0 || p->threads != NULL)
		return 0;
	p->threads = calloc(threads, sizeof(*p->threads));
	if (p->threads == NULL)
		return 0;
	p->fn = fn;
	p->arg = arg;
	pthread_attr_init(&attr);
	if (stack_size > 0)
		pthread_attr_setstacksize(&attr, stack_size);
	/* threads that do not start leave their jobs to the others */
	for (i = 0; i < threads; i++) {
		p->threads[i].pool = p;
		p->threads[i].index = i;
		pthread_mutex_lock(&p->lock);
		p->running++;
		pthread_mutex_unlock(&p->lock);
		if (pthread_create(&p->threads[i].tid, &attr, pool_main,
			&p->threads[i]) != 0) {
			pthread_mutex_lock(&p->lock);
			p->running--;
			pthread_mutex_unlock(&p->lock);
			break;
		}
	}
	pthread_attr_destroy(&attr);
	p->started = i;
	return i;
}

size_t
pool_take(struct pool *p, size_t block, size_t *first)
{
	size_t at;

	if (pool_stopped(p) || block == 0)
		return 0;
	at = __atomic_fetch_add(&p->next, block, __ATOMIC_RELAXED);
	if (at >= p->jobs)
		return 0;
	*first = at;
	return p->jobs - at < block ? p->jobs - at : block;
}

void
pool_progress(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->progress++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* The time timeout_ms from now, on the condition's clock. */
static struct timespec
pool_deadline(int timeout_ms)
{
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_sec += timeout_ms / 1000;
	at.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	return at;
}

unsigned
pool_wait(struct pool *p, int timeout_ms)
{
	struct timespec at = pool_deadline(timeout_ms > 0 ? timeout_ms : 0);
	unsigned running;

	pthread_mutex_lock(&p->lock);
	/* a spurious wake-up returns early: the caller looks and waits again */
	if (p->progress == p->seen && p->running > 0 && timeout_ms < 0)
		pthread_cond_wait(&p->cond, &p->lock);
	else if (p->progress == p->seen && p->running > 0 && timeout_ms > 0)
		pthread_cond_timedwait(&p->cond, &p->lock, &at);
	p->seen = p->progress;
	running = p->running;
	pthread_mutex_unlock(&p->lock);
	return running;
}

void
pool_stop(struct pool *p)
{
	if (__atomic_exchange_n(&p->stop, true, __ATOMIC_ACQ_REL))
		return;
	if (p->stop_pipe[1] != -1)
		while (write(p->stop_pipe[1], "", 1) == -1 && errno == EINTR)
			;
}

bool
pool_stopped(struct pool *p)
{
	return __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE);
}

int
pool_stop_fd(const struct pool *p)
{
	return p->stop_pipe[0];
}

void
pool_end(struct pool *p)
{
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; i < p->started; i++)
		pthread_join(p->threads[i].tid, NULL);
	pool_free(p);
}

void
pool_leave(struct pool *p)
{
	unsigned i;
	bool last;

	pool_stop(p);
	for (i = 0; i < p->started; i++)
		pthread_detach(p->threads[i].tid);
	pthread_mutex_lock(&p->lock);
	p->left = true;
	last = p->running == 0;
	pthread_mutex_unlock(&p->lock);
	if (last)
		pool_free(p);
}
