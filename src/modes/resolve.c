/* resolve: getaddrinfo (or getnameinfo with -r) for each NAME, all at
   once on a pool of threads (util/pool.c), printed in the order the
   NAMEs were given. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "out/json.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "out/report.h"
#include "util/pool.h"

#define RESOLVE_THREADS 32 /* lookups in flight at once */

/* A query's state: a thread writes its answer in, or the -w deadline
   marks it timed out, whichever comes first. */
enum { QUERY_PENDING, QUERY_WRITING, QUERY_DONE };

struct query {
	const char *name;
	struct sock_ai ai;
	char hostname[NI_MAXHOST]; /* -r */
	struct sock_err err;
	int rc;
	double elapsed_ms;
	int state; /* (atomic) */
};

/* resolve's options (parse_opts()). */
struct resolve_opts {
	const char *service; /* --service */
	int family, type;    /* -4/-6, -t */
	int flags;	     /* SOCK_R_*: --passive, --canonical, -n */
	bool reverse;	     /* -r */
};

struct job {
	struct query *q;
	size_t n;
	struct resolve_opts o;
};

static void
lookup(const struct job *j, struct query *q)
{
	double t0 = sock_now_ms();

	if (j->o.reverse)
		q->rc = sock_reverse(q->name, q->hostname, sizeof(q->hostname),
		    &q->err);
	else
		q->rc = sock_resolve(q->name, j->o.service, j->o.family,
		    j->o.type, j->o.flags, &q->ai, &q->err);
	q->elapsed_ms = sock_now_ms() - t0;
}

/* A pool thread (or this one): looks the names up, one at a time, each
   into a copy, as the deadline may pass meanwhile. */
static void
lookups(struct pool *p, void *arg, unsigned index)
{
	struct job *j = arg;
	struct query *q, r;
	size_t i;
	int pending;

	(void)index;
	while (pool_take(p, 1, &i) == 1) {
		q = &j->q[i];
		memset(&r, 0, sizeof(r));
		r.name = q->name;
		lookup(j, &r);
		pending = QUERY_PENDING;
		if (__atomic_compare_exchange_n(&q->state, &pending,
			QUERY_WRITING, false, __ATOMIC_ACQUIRE,
			__ATOMIC_RELAXED)) {
			r.state = QUERY_WRITING;
			*q = r;
			__atomic_store_n(&q->state, QUERY_DONE,
			    __ATOMIC_RELEASE);
		} else {
			sock_ai_free(&r.ai); /* timed out meanwhile */
		}
		pool_progress(p);
	}
}

static const char *
type_name(int t)
{
	return t == SOCK_STREAM ? "stream" :
	    t == SOCK_DGRAM	? "dgram" :
	    t == SOCK_RAW	? "raw" :
				  "other";
}

/* true when a[i] repeats an earlier record: the same address (and, with a
   service, the same port and socket type). */
static bool
seen(const struct sock_ai *ai, size_t i, bool service)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (strcmp(ai->v[k].host, ai->v[i].host) == 0 &&
		    (!service ||
			(ai->v[k].port == ai->v[i].port &&
			    ai->v[k].socktype == ai->v[i].socktype)))
			return true;
	return false;
}

/* Prints one NAME's result.  Returns 0, or -1 when stdout failed. */
static int
print_query(const struct job *j, const struct query *q)
{
	const struct sock_addr *a;
	bool any = j->o.type == 0;
	struct json js;
	size_t i;

	if (q->rc == -1) {
		fail(SOCK_ERESOLVE, "%s: %s (%s)", q->name,
		    sock_strerror(&q->err), sock_eai_name(q->err.code));
		if (!G.json)
			return 0;
		json_begin(&js, stdout);
		json_str(&js, "name", q->name);
		json_str(&js, "error", sock_strerror(&q->err));
		json_str(&js, "code", sock_eai_name(q->err.code));
		return json_end(&js);
	}
	if (j->o.reverse && !G.json) {
		/* a name from the DNS: its control characters escaped */
		printf("%s ", q->name);
		text_put(stdout, q->hostname);
		return putchar('\n') == EOF ? -1 : 0;
	}
	if (j->o.reverse) {
		json_begin(&js, stdout);
		json_str(&js, "name", q->name);
		json_str(&js, "hostname", q->hostname);
		json_ms(&js, "elapsed_ms", q->elapsed_ms);
		return json_end(&js);
	}
	if (!G.json) {
		for (i = 0; i < q->ai.n; i++) {
			a = &q->ai.v[i];
			if (seen(&q->ai, i, j->o.service != NULL))
				continue;
			printf("%s %s", q->name, a->host);
			if (j->o.service != NULL)
				printf(" %u", (unsigned)a->port);
			if (j->o.service != NULL && any)
				printf(" %s", type_name(a->socktype));
			if (j->o.flags & SOCK_R_CANON) {
				putchar(' ');
				text_put(stdout, q->ai.canonical);
			}
			putchar('\n');
		}
		return ferror(stdout) ? -1 : 0;
	}
	json_begin(&js, stdout);
	json_str(&js, "name", q->name);
	if (j->o.flags & SOCK_R_CANON)
		json_str(&js, "canonical", q->ai.canonical);
	json_arr(&js, "addresses");
	for (i = 0; i < q->ai.n; i++) {
		a = &q->ai.v[i];
		if (seen(&q->ai, i, j->o.service != NULL))
			continue;
		json_obj(&js, NULL);
		json_str(&js, "address", a->host);
		json_str(&js, "family",
		    a->family == AF_INET6 ? "inet6" : "inet");
		if (j->o.service != NULL)
			json_uint(&js, "port", a->port);
		if (j->o.service != NULL && any)
			json_str(&js, "socktype", type_name(a->socktype));
		json_close(&js);
	}
	json_close(&js);
	json_ms(&js, "elapsed_ms", q->elapsed_ms);
	return json_end(&js);
}

/* Checks the arguments before any lookup.  Returns 0 or an exit status. */
static int
check_args(struct job *j, char **names, int n)
{
	struct sock_addr a;
	struct sock_err e;
	uint16_t port;
	int i;

	if (n == 0)
		return usage_error("no NAME given");
	if (j->o.service != NULL && G.numeric &&
	    sock_parse_port(j->o.service, "tcp", true, &port, &e) == -1)
		return usage_err(&e);
	if (j->o.service != NULL && j->o.service[0] == '\0')
		return usage_error("empty --service");
	for (i = 0; j->o.reverse && i < n; i++)
		if (sock_addr_ip(&a, names[i], 0, AF_UNSPEC, &e) == -1)
			return usage_error("-r takes addresses: \"%s\" is not "
					   "a numeric address",
			    names[i]);
	return 0;
}

/* Marks the queries not done by now as timed out. */
static void
time_out(struct job *j, int64_t ms)
{
	struct query *q;
	size_t i;
	int pending;

	for (i = 0; i < j->n; i++) {
		q = &j->q[i];
		pending = QUERY_PENDING;
		if (!__atomic_compare_exchange_n(&q->state, &pending,
			QUERY_DONE, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue; /* answered (or being written: soon done) */
		q->rc = -1;
		q->err.kind = SOCK_ERESOLVE;
		q->err.code = EAI_AGAIN;
		snprintf(q->err.msg, sizeof(q->err.msg),
		    "timed out after %lld ms", (long long)ms);
	}
}

/* Reads resolve's options into *o.  Returns 0, -1 after --help, or an
   exit status after printing. */
static int
parse_opts(struct resolve_opts *o, int argc, char **argv)
{
	/* -t's words, in the order of its row */
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, 0 };
	struct opt_value v;
	int c;

	while ((c = opt_next(M_RESOLVE, argc, argv, &v)) != OPT_END) {
		switch (c) {
		case O_SERVICE:
			o->service = v.text;
			break;
		case 't':
			o->type = types[v.choice];
			break;
		case O_PASSIVE:
			o->flags |= SOCK_R_PASSIVE;
			break;
		case O_CANONICAL:
			o->flags |= SOCK_R_CANON;
			break;
		case 'r':
			o->reverse = true;
			break;
		default:
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	o->family = G.family;
	if (G.numeric)
		o->flags |= SOCK_R_NUMERIC;
	return 0;
}

/* Starts the lookups: without -w this thread takes its share too (one
   NAME needs no other thread); with -w the threads do them all, and this
   thread keeps the deadline.  Returns the pool, or NULL when out of
   memory. */
static struct pool *
lookups_start(struct job *j)
{
	size_t want = j->n < RESOLVE_THREADS ? j->n : RESOLVE_THREADS;
	struct pool *p = pool_new(j->n, false);

	if (p == NULL)
		return NULL;
	if (G.timeout_ms < 0) {
		pool_start(p, (unsigned)want - 1, 0, lookups, j);
		lookups(p, j, 0);
	} else if (pool_start(p, (unsigned)want, 0, lookups, j) == 0) {
		lookups(p, j, 0); /* no thread: no deadline either */
	}
	return p;
}

/* Waits until query q is done, or the -w deadline end passes. */
static void
wait_query(struct pool *p, struct job *j, struct query *q, double end)
{
	double left;

	while (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) != QUERY_DONE) {
		left = end - sock_now_ms();
		if (G.timeout_ms >= 0 && left <= 0)
			time_out(j, G.timeout_ms);
		else
			pool_wait(p,
			    G.timeout_ms < 0 ? -1 :
				left > 60000 ? 60000 :
					       (int)left + 1);
	}
}

/* Prints the answers in argument order, each as soon as it and those
   before are in.  Returns how many failed. */
static int
print_all(struct pool *p, struct job *j)
{
	double end = sock_now_ms() + (double)G.timeout_ms;
	int failed = 0;
	size_t i;

	for (i = 0; i < j->n; i++) {
		wait_query(p, j, &j->q[i], end);
		if (j->q[i].rc == -1)
			failed++;
		if (print_query(j, &j->q[i]) == -1 || fflush(stdout) == EOF)
			break;
	}
	return failed;
}

int
mode_resolve(int argc, char **argv)
{
	/* on the heap: with -w, threads may outlive this function */
	struct job *j = calloc(1, sizeof(*j));
	struct pool *p = NULL;
	size_t i;
	int status, failed;

	if (j == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	j->o.type = SOCK_STREAM;
	if ((status = parse_opts(&j->o, argc, argv)) != 0 ||
	    (status = check_args(j, argv + optind, argc - optind)) != 0) {
		free(j);
		return status == -1 ? EXIT_OK : status;
	}
	j->n = (size_t)(argc - optind);
	j->q = calloc(j->n, sizeof(*j->q));
	for (i = 0; j->q != NULL && i < j->n; i++)
		j->q[i].name = argv[optind + (int)i];
	if (j->q == NULL || (p = lookups_start(j)) == NULL) {
		free(j->q);
		free(j);
		return fail(SOCK_ELOCAL, "out of memory");
	}
	failed = print_all(p, j);
	if (G.timeout_ms >= 0 && failed > 0) {
		/* threads may still be inside getaddrinfo: do not wait */
		pool_leave(p);
		return finish_stdout(EXIT_RESOLVE);
	}
	pool_end(p);
	for (i = 0; i < j->n; i++)
		sock_ai_free(&j->q[i].ai);
	free(j->q);
	free(j);
	return finish_stdout(failed ? EXIT_RESOLVE : EXIT_OK);
}
