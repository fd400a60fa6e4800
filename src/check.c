/* connect -z: every port checked with a non-blocking connect (or a UDP
   probe) on a poll(2) loop, at most --parallel at once and never more
   descriptors than RLIMIT_NOFILE allows.  Results are printed in port
   order as soon as the order allows.  A check sends no data: connect,
   then a plain close (the peer sees an ordinary EOF, not a reset).
   With --tls, a connected check goes on with a non-blocking handshake
   on the same loop (in the same -w deadline), then close_notify.

   A long list is split across worker threads, one per CPU we may run
   on, each with its own poll loop and its share of the descriptors; they
   take the ports in blocks, lowest first, and the calling thread prints
   the results in port order as they come.  A short list (and --tls) is
   checked on the calling thread alone.  A TCP socket whose connect was
   refused is connected again for the next port (Linux resets it for
   that), which saves a socket() and a close() per closed port. */
#include "config.h"

#include <sys/resource.h>
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

#include "check.h"
#include "check_proxy.h"
#include "json.h"
#include "parse.h"
#include "report.h"
#include "tlsout.h"

/* Workers only for lists of at least this many ports per worker: below,
   starting threads costs more than they save. */
#define PORTS_PER_WORKER 128
/* Ports a worker takes at a time: small enough that the workers move up
   the list together and results print steadily. */
#define BLOCK 64
/* With workers, the printer looks for results every PRINT_MS: a batch
   printed in one write, no wake-up per result. */
#define PRINT_MS 10

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

static const char *const state_names[] = {
	"pending", "open", "closed", "timeout", "unreachable", "error",
	"open_filtered", "tls_error"
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
static void
publish(struct result *r, enum state st)
{
	__atomic_store_n(&r->st, st, __ATOMIC_RELEASE);
}

static bool
is_done(const struct result *r)
{
	return __atomic_load_n(&r->st, __ATOMIC_ACQUIRE) != ST_PENDING;
}

static bool
stopped(struct checker *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE);
}

/* Stops every worker: their polls wake on the pipe. */
static void
stop_all(struct checker *c)
{
	if (!c->threaded || __atomic_exchange_n(&c->stop, true,
	    __ATOMIC_ACQ_REL))
		return;
	while (write(c->stop_fd[1], "", 1) == -1 && errno == EINTR)
		;
}

/* Raises the soft descriptor limit to the hard one and returns how many
   checks may be in flight within it. */
static unsigned
fd_budget(unsigned want)
{
	struct rlimit rl;
	rlim_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return want < 64 ? want : 64;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* stdio, the resolver, the stop pipe and a few spare stay free */
	room = rl.rlim_cur > 24 ? rl.rlim_cur - 16 : 1;
	if (rl.rlim_cur == RLIM_INFINITY || room > want)
		return want;
	return (unsigned)room;
}

/* The CPUs this process may run on (at least 1). */
static unsigned
cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static enum state
classify(int err)
{
	switch (err) {
	case 0:
		return ST_OPEN;
	case ECONNREFUSED:
		return ST_CLOSED;
	case ETIMEDOUT:
		return ST_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		return ST_UNREACHABLE;
	default:
		return ST_ERROR;
	}
}

/* Prints result i.  Returns 0 or -1 when stdout failed. */
static int
print_result(const struct checker *c, const struct result *r)
{
	const char *proto = c->o->udp ? "udp" : "tcp";
	bool timed = r->st != ST_TIMEOUT && r->st != ST_OPEN_FILTERED;
	struct json j;

	if (!G.json) {
		if (timed)
			printf("%s %u/%s %s %.2fms", c->o->host,
			    (unsigned)r->port, proto, state_names[r->st],
			    r->latency_ms);
		else
			printf("%s %u/%s %s -", c->o->host, (unsigned)r->port,
			    proto, state_names[r->st]);
		if (r->st == ST_ERROR)
			printf(" (%s)", r->reason ? r->reason :
			    strerror(r->err));
		if (r->st == ST_TLS_ERROR)
			printf(" (%s)", r->why ? r->why : "failed");
		if (r->tls != NULL) {
			putchar(' ');
			tls_text(stdout, r->tls, r->st != ST_TLS_ERROR);
		}
		putchar('\n');
		return ferror(stdout) ? -1 : 0;
	}
	json_begin(&j, stdout);
	json_str(&j, "host", c->o->host);
	/* null when a proxy resolved HOST */
	json_str(&j, "address", c->addr.family != AF_UNSPEC ? c->addr.host :
	    NULL);
	json_uint(&j, "port", r->port);
	json_str(&j, "proto", proto);
	json_str(&j, "state", state_names[r->st]);
	if (timed)
		json_num(&j, "latency_ms", r->latency_ms, 2);
	else
		json_null(&j, "latency_ms");
	if (r->st == ST_ERROR)
		json_str(&j, "error", r->reason ? r->reason :
		    strerror(r->err));
	if (r->st == ST_TLS_ERROR)
		json_str(&j, "error", r->why ? r->why : "failed");
	if (r->tls != NULL) {
		json_obj(&j, "tls");
		tls_json(&j, r->tls);
		json_close(&j);
	}
	/* written whole into stdio's buffer; flushed per batch */
	return json_end_buffered(&j);
}

/* Prints the results whose turn has come (all: every result, done or
   not; only once the workers are gone).  Returns 0 or -1. */
static int
print_ready(struct checker *c, bool all)
{
	while (c->printed < c->n && (all || is_done(&c->r[c->printed]))) {
		if (print_result(c, &c->r[c->printed]) == -1)
			return -1;
		c->printed++;
	}
	return 0;
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
	return print_ready(c, false) == -1 || fflush(stdout) == EOF ? -1 : 0;
}

/* Puts a status (a local failure) where check_run() finds it. */
static void
set_status(struct checker *c, int status)
{
	if (c->threaded)
		pthread_mutex_lock(&c->lock);
	c->status = status;
	if (c->threaded)
		pthread_mutex_unlock(&c->lock);
}

/* Ends slot s's check with err (0: open); its socket is closed, or kept
   to connect again. */
static void
end_check(struct worker *w, struct slot *s, int err, bool keep)
{
	struct checker *c = w->c;
	struct result *r = &c->r[s->idx];
	enum state st = classify(err);

	r->latency_ms = sock_now_ms() - s->start;
	r->err = err;
	if (c->o->udp && st == ST_TIMEOUT)
		st = ST_OPEN_FILTERED;
	if (keep && w->nspare < w->cap)
		w->spare[w->nspare++] = s->fd;
	else
		close(s->fd);
	s->fd = -1;
	publish(r, st);
	w->done++;
}

/* Ends slot s's check with err (0: open).  A socket refused is kept to
   connect again. */
static void
finish(struct worker *w, struct slot *s, int err)
{
	end_check(w, s, err, w->reuse && err == ECONNREFUSED);
}

/* Ends the --tls check of slot s: open, or tls_error for why. */
static void
finish_tls(struct worker *w, struct slot *s, const char *why)
{
	struct result *r = &w->c->r[s->idx];
	short want;

	r->latency_ms = sock_now_ms() - s->start;
	if (why != NULL)
		r->why = strdup(why);
	if (s->t != NULL && why == NULL)
		tls_close(s->t, &want);	/* close_notify, if it fits now */
	tls_free(s->t);
	s->t = NULL;
	close(s->fd);
	s->fd = -1;
	publish(r, why != NULL ? ST_TLS_ERROR : ST_OPEN);
	w->done++;
}

/* One step of slot s's handshake; when done, the verdict. */
static void
tls_step(struct worker *w, struct slot *s)
{
	const struct tls_opts *o = w->c->o->tls;
	struct result *r = &w->c->r[s->idx];
	struct sock_err e;
	char why[128];
	int rc = tls_handshake(s->t, &s->ev, &e);

	if (rc == TLS_AGAIN)
		return;
	if (rc == -1) {
		finish_tls(w, s, sock_strerror(&e));
		return;
	}
	r->tls = malloc(sizeof(*r->tls));
	if (r->tls == NULL) {
		finish_tls(w, s, "out of memory");
		return;
	}
	tls_info(s->t, r->tls);
	if (!o->insecure && !r->tls->verified) {
		finish_tls(w, s, r->tls->verify_error[0] ?
		    r->tls->verify_error : "certificate not verified");
	} else if (o->min_days >= 0 && r->tls->have_cert &&
	    r->tls->days_left < o->min_days) {
		snprintf(why, sizeof(why), "certificate expires in %lld days "
		    "(--min-days %lld)", r->tls->days_left,
		    (long long)o->min_days);
		finish_tls(w, s, why);
	} else {
		finish_tls(w, s, NULL);
	}
}

/* Slot s connected: the handshake begins. */
static void
tls_begin(struct worker *w, struct slot *s)
{
	struct sock_err e;

	s->t = tls_new(w->c->ctx, s->fd, w->c->o->host, &e);
	if (s->t == NULL) {
		finish_tls(w, s, sock_strerror(&e));
		return;
	}
	tls_step(w, s);
}

/* Points w's copy of the address at port. */
static void
set_port(struct worker *w, uint16_t port)
{
	if (w->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)&w->ss)->sin6_port =
		    htons(port);
	else
		((struct sockaddr_in *)(void *)&w->ss)->sin_port = htons(port);
}

/* true when fd is connected to itself: checking a local address, the
   kernel picked the very port checked as the local port (a TCP
   simultaneous open).  Nothing listens there. */
static bool
self_connected(int fd)
{
	struct sockaddr_storage me, peer;
	socklen_t mlen = sizeof(me), plen = sizeof(peer);
	const struct sockaddr_in *m = (const void *)&me;
	const struct sockaddr_in *p = (const void *)&peer;
	const struct sockaddr_in6 *m6 = (const void *)&me;
	const struct sockaddr_in6 *p6 = (const void *)&peer;

	if (getsockname(fd, (struct sockaddr *)&me, &mlen) == -1 ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen) == -1 ||
	    me.ss_family != peer.ss_family)
		return false;
	if (me.ss_family == AF_INET)
		return m->sin_port == p->sin_port &&
		    m->sin_addr.s_addr == p->sin_addr.s_addr;
	if (me.ss_family == AF_INET6)
		return m6->sin6_port == p6->sin6_port &&
		    memcmp(&m6->sin6_addr, &p6->sin6_addr,
		    sizeof(m6->sin6_addr)) == 0;
	return false;
}

/* A TCP check of slot s connected (or, err, did not): the verdict, or
   the TLS handshake. */
static void
connected(struct worker *w, struct slot *s, int err)
{
	struct checker *c = w->c;

	if (err == 0 && self_connected(s->fd)) {
		/* closed, really; the socket is connected: not kept */
		end_check(w, s, ECONNREFUSED, false);
		return;
	}
	if (err == 0 && c->ctx != NULL)
		tls_begin(w, s);
	else
		finish(w, s, err);
}

/* Starts the check of result idx.  Returns 1 when it is in flight, 0 when
   it finished at once, -1 when it must wait for a descriptor. */
static int
start(struct worker *w, size_t idx, struct slot *s)
{
	struct checker *c = w->c;
	struct result *r = &c->r[idx];
	struct sock_err e;
	bool again = false;
	int fd, rc, on = 1;

	free(r->tls);		/* --wait: a new try */
	free(r->why);
	r->tls = NULL;
	r->why = NULL;
	s->t = NULL;
	s->ev = POLLOUT;
	s->idx = idx;
	set_port(w, r->port);
	s->start = sock_now_ms();
retry:
	if (w->nspare > 0) {
		fd = w->spare[--w->nspare];
		again = true;
	} else {
		fd = socket(c->addr.family, (c->o->udp ? SOCK_DGRAM :
		    SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			return -1;
		s->fd = -1;
		r->err = errno;
		publish(r, ST_ERROR);
		w->done++;
		return 0;
	}
	s->fd = fd;
	if (c->o->so != NULL && sockopts_apply(c->o->so, fd, &e) == -1) {
		set_status(c, report(&e));
		finish(w, s, e.code);
		return 0;
	}
	if (c->have_src) {
		if (c->src.port != 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
			    sizeof(on));
		if (bind(fd, (struct sockaddr *)&c->src.ss, c->src.len) == -1) {
			finish(w, s, errno);
			return 0;
		}
	}
	do
		rc = connect(fd, (struct sockaddr *)&w->ss, w->len);
	while (rc == -1 && errno == EINTR);
	if (rc == -1 && again && (errno == EISCONN || errno == EALREADY ||
	    errno == EINVAL || errno == EBADFD)) {
		/* this system does not connect a refused socket again */
		close(fd);
		while (w->nspare > 0)
			close(w->spare[--w->nspare]);
		w->reuse = false;
		again = false;
		goto retry;
	}
	if (rc == -1 && (errno == EAGAIN || errno == EADDRNOTAVAIL)) {
		/* out of local ports for now: try again shortly */
		close(fd);
		s->fd = -1;
		return -1;
	}
	if (rc == -1 && errno != EINPROGRESS) {
		finish(w, s, errno);
		return 0;
	}
	if (c->o->udp) {
		/* an empty datagram: ICMP port unreachable says closed */
		if (send(fd, "", 0, MSG_NOSIGNAL) == -1 && errno != EAGAIN) {
			finish(w, s, errno);
			return 0;
		}
		return 1;
	}
	if (rc == 0) {
		connected(w, s, 0);
		return s->fd == -1 ? 0 : 1;	/* in flight: a handshake */
	}
	return 1;
}

/* The outcome of slot s now that poll reported revents. */
static void
settle(struct worker *w, struct slot *s, short revents)
{
	struct checker *c = w->c;
	char b[1];
	int err = 0, rc;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (s->t != NULL) {
		tls_step(w, s);
		return;
	}
	if (!c->o->udp && w->reuse) {
		/* connect again: 0 when connected, else why not; a refused
		   socket is then ready for the next port */
		set_port(w, c->r[s->idx].port);
		rc = connect(s->fd, (struct sockaddr *)&w->ss, w->len);
		if (rc == -1 && (errno == EALREADY || errno == EINPROGRESS ||
		    errno == EINTR))
			return;	/* not yet */
		connected(w, s, rc == 0 || errno == EISCONN ? 0 : errno);
		return;
	}
	if (!c->o->udp) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		connected(w, s, err);
		return;
	}
	n = recv(s->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n >= 0) {
		finish(w, s, 0);	/* an answer: open */
		return;
	}
	if (errno == EAGAIN && !(revents & POLLERR))
		return;
	finish(w, s, errno);
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
		w->next = __atomic_fetch_add(&c->claim, BLOCK,
		    __ATOMIC_RELAXED);
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
	free(w->spare);
	w->slots = NULL;
	w->pfd = NULL;
	w->spare = NULL;
}

/* Allocates w's slots, poll list and spare sockets for w->cap checks
   (before its thread starts: a worker that never calls malloc gets no
   arena of its own).  Returns 0, or -1 when out of memory. */
static int
worker_alloc(struct worker *w)
{
	w->slots = calloc(w->cap, sizeof(*w->slots));
	w->pfd = calloc(w->cap + 1, sizeof(*w->pfd));	/* + the stop pipe */
	w->spare = calloc(w->cap, sizeof(*w->spare));
	if (w->slots != NULL && w->pfd != NULL && w->spare != NULL)
		return 0;
	worker_free(w);
	return -1;
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
	size_t live = 0, i, idx = c->n;
	unsigned cap = w->cap;
	double now, deadline;
	int rc, wait;
	nfds_t npfd;

	w->rc = -1;
	if (w->slots == NULL && worker_alloc(w) == -1) {
		error_msg("out of memory");
		set_status(c, EXIT_LOCAL);
		return -1;
	}
	slots = w->slots;
	pfd = w->pfd;
	for (;;) {
		if (c->threaded && stopped(c))
			break;
		while (live < cap && (idx = next_pending(w)) < c->n) {
			rc = start(w, idx, &slots[live]);
			if (rc == -1) {
				/* descriptors or ports ran out: fewer at
				   once */
				if (live > 0)
					cap = (unsigned)live;
				else
					nanosleep(&(struct timespec){ 0,
					    10000000 }, NULL);
				break;
			}
			if (rc == 1)
				live++;
			w->next++;
		}
		if (print_batch(w) == -1)
			break;
		if (live == 0 && idx >= c->n) {
			w->rc = 0;
			break;
		}
		now = sock_now_ms();
		deadline = -1;
		for (i = 0; i < live; i++) {
			double t = slots[i].start + (double)c->attempt_ms;

			pfd[i] = (struct pollfd){ .fd = slots[i].fd,
			    .events = c->o->udp ? POLLIN : slots[i].ev };
			if (deadline < 0 || t < deadline)
				deadline = t;
		}
		npfd = live;
		if (c->threaded)
			pfd[npfd++] = (struct pollfd){ .fd = c->stop_fd[0],
			    .events = POLLIN };
		wait = live == 0 ? 10 : deadline <= now ? 0 :
		    (int)(deadline - now) + 1;
		rc = poll(pfd, npfd, wait);
		if (rc == -1 && errno != EINTR) {
			error_msg("poll: %s", strerror(errno));
			set_status(c, EXIT_LOCAL);
			stop_all(c);
			break;
		}
		now = sock_now_ms();
		for (i = 0; i < live; i++) {
			if (rc > 0 && pfd[i].revents != 0)
				settle(w, &slots[i], pfd[i].revents);
			if (slots[i].fd != -1 && slots[i].t != NULL &&
			    now - slots[i].start >= (double)c->attempt_ms)
				finish_tls(w, &slots[i],
				    "handshake timed out");
			else if (slots[i].fd != -1 &&
			    now - slots[i].start >= (double)c->attempt_ms)
				finish(w, &slots[i], ETIMEDOUT);
			if (slots[i].fd == -1) {
				/* done: the last slot takes its place */
				slots[i] = slots[live - 1];
				pfd[i] = pfd[live - 1];
				live--;
				i--;
			}
		}
	}
	for (i = 0; i < live; i++) {
		tls_free(slots[i].t);
		close(slots[i].fd);
	}
	while (w->nspare > 0)
		close(w->spare[--w->nspare]);
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
		if (rc == 0 && c->stream && (print_ready(c, false) == -1 ||
		    fflush(stdout) == EOF)) {
			rc = -1;
			stop_all(c);	/* the reader went away: all stop */
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
	fd = fcntl(c->stop_fd[1], F_DUPFD_CLOEXEC, c->stop_fd[1] + 1 +
	    (int)(c->cap < c->n ? c->cap : c->n));
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

/* Checks the pending results once, on nw workers (0: on this thread
   alone).  Returns 0, or -1 when stdout failed or a local failure
   stopped it. */
static int
round_run(struct checker *c, unsigned nw)
{
	unsigned i, started, n = nw == 0 ? 1 : nw;
	struct worker *w;
	int rc;

	w = calloc(n, sizeof(*w));
	if (w == NULL) {
		error_msg("out of memory");
		c->status = EXIT_LOCAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		w[i].c = c;
		w[i].cap = c->cap / n + (i < c->cap % n);
		w[i].reuse = !c->o->udp && c->ctx == NULL && !c->have_src &&
		    (c->o->so == NULL || c->o->so->n == 0);
		memcpy(&w[i].ss, &c->addr.ss, sizeof(w[i].ss));
		w[i].len = c->addr.len;
		if (nw > 0 && worker_alloc(&w[i]) == -1)
			nw = 0;
	}
	c->claim = 0;
	started = spawn(c, w, nw);
	if (started == 0) {
		for (i = 0; i < n; i++)
			worker_free(&w[i]);
		w[0].cap = c->cap;	/* alone: every descriptor */
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
		worker_free(&w[i]);	/* never started */
	if (stopped(c))
		rc = -1;
	unspawn(c);
	free(w);
	return rc;
}

/* A proxy check has finished: into the results; printed when its turn
   has come.  Returns 0, or -1 when stdout failed. */
static int
proxy_ready(void *ctx, size_t idx)
{
	struct checker *c = ctx;
	struct proxy_probe *pr = c->probes + idx;
	struct result *r = &c->r[idx];

	r->latency_ms = pr->latency_ms;
	r->st = pr->err == -1 ? ST_ERROR : classify(pr->err);
	free(r->reason);
	r->reason = NULL;
	if (r->st == ST_ERROR && (r->reason = strdup(pr->reason)) == NULL)
		r->err = ENOMEM;
	if (!c->stream)
		return 0;
	if (print_ready(c, false) == -1 || fflush(stdout) == EOF)
		return -1;
	return 0;
}

/* Checks the pending results once through the proxy (check_proxy.c).
   Returns 0, or -1 when stdout failed or the proxy itself failed. */
static int
round_proxy(struct checker *c)
{
	const struct check_opts *o = c->o;
	struct proxy_probes pp = {
		.proxy = o->proxy,
		.host = c->addr.family != AF_UNSPEC ? c->addr.host : o->host,
		.hop = { .family = G.family, .numeric = G.numeric,
		    .timeout_ms = (int)c->attempt_ms, .src = o->proxy_src },
		/* a check holds one descriptor, two while v6/v4 race */
		.workers = fd_budget(o->parallel > 32767 ? 65535 :
		    o->parallel * 2) / 2,
		.ready = proxy_ready,
		.ctx = c,
	};
	struct sock_err e;
	size_t i;

	if (pp.workers > o->parallel)
		pp.workers = o->parallel;
	if (pp.workers == 0)
		pp.workers = 1;
	c->probes = calloc(c->n, sizeof(*c->probes));
	if (c->probes == NULL) {
		error_msg("out of memory");
		c->status = EXIT_LOCAL;
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		c->probes[i].port = c->r[i].port;
		c->probes[i].todo = c->r[i].st == ST_PENDING;
	}
	if (proxy_probe_run(&pp, c->probes, c->n, &e) == -1) {
		c->status = report(&e);
		free(c->probes);
		c->probes = NULL;
		return -1;
	}
	free(c->probes);
	c->probes = NULL;
	for (i = 0; i < c->n; i++)
		if (c->r[i].st == ST_PENDING)
			return -1;	/* stopped: stdout failed */
	return 0;
}

/* The address to check: the first of HOST's addresses in the preferred
   family.  Returns 0 or an exit status. */
static int
pick_address(struct checker *c)
{
	struct sock_err e;
	struct sock_ai ai;

	/* through a proxy, -4/-6 are for reaching the proxy */
	if (sock_resolve(c->o->host, NULL, c->o->proxy == NULL ? G.family :
	    c->o->proxy->type == PROXY_SOCKS4 ? AF_INET : AF_UNSPEC,
	    c->o->udp ? SOCK_DGRAM : SOCK_STREAM,
	    G.numeric ? SOCK_R_NUMERICHOST : 0, &ai, &e) == -1) {
		error_msg("%s: %s", c->o->host, sock_strerror(&e));
		return EXIT_RESOLVE;
	}
	c->addr = ai.v[0];
	if (ai.n > 1)
		diag(1, "%s has %zu addresses: checking %s", c->o->host, ai.n,
		    c->addr.host);
	sock_ai_free(&ai);
	return 0;
}

/* The -s/-p source.  Returns 0 or an exit status. */
static int
pick_source(struct checker *c)
{
	struct sock_err e;
	struct sock_ai ai;
	uint16_t port = 0;

	if (c->o->source == NULL && c->o->source_port == NULL)
		return 0;
	if (c->o->source_port != NULL && sock_parse_port(c->o->source_port,
	    c->o->udp ? "udp" : "tcp", G.numeric, &port, &e) == -1)
		return usage_err(&e);
	if (c->o->source == NULL) {
		sock_addr_any(&c->src, c->addr.family, port);
	} else {
		if (sock_resolve(c->o->source, NULL, c->addr.family, 0,
		    SOCK_R_PASSIVE | (G.numeric ? SOCK_R_NUMERICHOST : 0), &ai,
		    &e) == -1) {
			error_msg("source %s: %s", c->o->source,
			    sock_strerror(&e));
			return EXIT_RESOLVE;
		}
		if (sock_addr_ip(&c->src, ai.v[0].host, port, ai.v[0].family,
		    &e) == -1) {
			sock_ai_free(&ai);
			return report(&e);
		}
		sock_ai_free(&ai);
	}
	c->have_src = true;
	return 0;
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
check_run(const struct check_opts *o)
{
	struct checker c = { .o = o, .status = EXIT_OK };
	struct sock_err e;
	uint16_t *ports;
	double end = 0, backoff = 100, pause;
	size_t i, left;
	int rounds = 0, st;

	if (parse_ports(o->ports, o->udp ? "udp" : "tcp", G.numeric, &ports,
	    &c.n, &e) == -1)
		return usage_err(&e);
	if (o->tls != NULL && o->udp) {
		free(ports);
		return usage_error("--tls and -u exclude each other");
	}
	if (o->tls != NULL && o->proxy != NULL) {
		free(ports);
		return usage_error("-z --tls does not go through --proxy yet "
		    "(connect --tls --proxy does)");
	}
	if (o->proxy != NULL) {
		/* only names resolved here (socks5, socks4) need an address */
		if (!proxy_resolves(o->proxy->type) &&
		    (st = pick_address(&c)) != 0) {
			free(ports);
			return st;
		}
	} else if ((st = pick_address(&c)) != 0 ||
	    (st = pick_source(&c)) != 0) {
		free(ports);
		return st;
	}
	if (o->tls != NULL) {
		/* OpenSSL is set up only now, and only for --tls */
		struct tls_opts to = *o->tls;

		to.check = true;
		c.ctx = tls_ctx_new(&to, &e);
		if (c.ctx == NULL) {
			free(ports);
			return usage_err(&e);
		}
		if (to.insecure)
			diag(1, "--insecure: certificates are not verified");
	}
	c.r = calloc(c.n, sizeof(*c.r));
	if (c.r == NULL) {
		free(ports);
		error_msg("out of memory");
		return EXIT_LOCAL;
	}
	for (i = 0; i < c.n; i++)
		c.r[i].port = ports[i];
	free(ports);
	c.cap = fd_budget(o->parallel);
	c.attempt_ms = o->timeout_ms;
	c.stream = o->wait_ms < 0;
	if (o->wait_ms >= 0)
		end = sock_now_ms() + (double)o->wait_ms;
	for (;;) {
		rounds++;
		if (o->wait_ms >= 0) {
			double left_ms = end - sock_now_ms();

			c.attempt_ms = o->timeout_ms;
			if (left_ms < (double)c.attempt_ms)
				c.attempt_ms = left_ms > 50 ? (int64_t)left_ms :
				    50;
		}
		if ((o->proxy != NULL ? round_proxy(&c) :
		    round_run(&c, workers_for(&c))) == -1)
			break;
		if (o->wait_ms < 0)
			break;
		for (i = 0, left = 0; i < c.n; i++)
			if (c.r[i].st != ST_OPEN)
				left++;
		if (left == 0 || sock_now_ms() >= end)
			break;
		diag(1, "round %d: %zu of %zu ports not open yet", rounds,
		    left, c.n);
		/* back off 100 ms, doubling up to 1 s, never past the end */
		pause = end - sock_now_ms() < backoff ? end - sock_now_ms() :
		    backoff;
		if (pause < 0)
			pause = 0;
		nanosleep(&(struct timespec){ (time_t)(pause / 1000),
		    (long)((int64_t)pause % 1000) * 1000000L }, NULL);
		backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
		for (i = 0; i < c.n; i++)
			if (c.r[i].st != ST_OPEN)
				c.r[i].st = ST_PENDING;
	}
	if (c.status == EXIT_OK || c.status == EXIT_NET) {
		print_ready(&c, false);
		for (i = 0; i < c.n && c.status == EXIT_OK; i++) {
			if (c.r[i].st == ST_PENDING)
				c.status = EXIT_LOCAL;
			else if (o->udp ? c.r[i].st == ST_CLOSED :
			    c.r[i].st != ST_OPEN)
				c.status = EXIT_NET;
		}
		for (i = 0; i < c.n && c.status == EXIT_NET; i++)
			if (c.r[i].st == ST_TLS_ERROR)
				c.status = EXIT_TLS;
	}
	for (i = 0; i < c.n; i++) {
		free(c.r[i].tls);
		free(c.r[i].why);
	}
	for (i = 0; i < c.n; i++)
		free(c.r[i].reason);
	free(c.r);
	tls_ctx_free(c.ctx);
	return finish_stdout(c.status);
}
