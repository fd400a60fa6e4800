/* A few threads sharing a list of jobs, for work that blocks or that one
   CPU cannot do alone: connect -z's poll loops (one per CPU), its checks
   through a proxy (each a blocking proxy_connect()) and resolve's lookups
   (each a blocking getaddrinfo()).  The threads take the jobs by index,
   in blocks, lowest first (pool_take()); the calling thread waits for
   their progress (pool_wait()) and hands the results on in order.
   Includes only libc: check/ and modes/ use it alike. */
#ifndef SOCKIT_POOL_H
#define SOCKIT_POOL_H

#include <stdbool.h>
#include <stddef.h>

struct pool;

/* What each thread runs: index is the thread's number, from 0. */
typedef void pool_fn(struct pool *, void *arg, unsigned index);

/* A pool for jobs [0, jobs); with stop_pipe, pool_stop_fd() is a
   descriptor that becomes readable once pool_stop() is called (for
   threads that wait in poll(2)).  Returns NULL when out of memory or
   descriptors. */
struct pool *pool_new(size_t jobs, bool stop_pipe);
/* Starts up to threads threads running fn(pool, arg, index), each with a
   stack of stack_size bytes (0: the default).  Returns how many started
   (0: none; the caller does the work itself or fails). */
unsigned pool_start(struct pool *, unsigned threads, size_t stack_size,
    pool_fn *fn, void *arg);
/* Takes the next block of at most block jobs: *first and the count.
   Returns 0 when none is left or the pool is stopped. */
size_t pool_take(struct pool *, size_t block, size_t *first);
/* Wakes the thread in pool_wait(): some job is done. */
void pool_progress(struct pool *);
/* Waits until a thread calls pool_progress() or ends (since the last
   pool_wait()), or timeout_ms passes (-1: no bound, 0: no wait).
   Returns how many threads are still running. */
unsigned pool_wait(struct pool *, int timeout_ms);
/* Asks every thread to stop: pool_take() gives no more jobs, and
   pool_stop_fd() becomes readable. */
void pool_stop(struct pool *);
bool pool_stopped(struct pool *);
/* The read end of the stop pipe, or -1 without one. */
int pool_stop_fd(const struct pool *);
/* Waits for every thread and frees the pool (NULL: nothing). */
void pool_end(struct pool *);
/* Stops the pool and leaves its threads to end on their own (they are
   inside calls that cannot be interrupted, getaddrinfo); the last one
   frees it.  What their jobs use must outlive them. */
void pool_leave(struct pool *);

#endif
