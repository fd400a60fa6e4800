/* resolve: getaddrinfo (or getnameinfo with -r) for each NAME, all at
   once in threads, printed in the order the NAMEs were given. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/json.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "out/report.h"

#define RESOLVE_THREADS 32 /* lookups in flight at once */

struct query {
	const char *name;
	struct sock_ai ai;
	char hostname[NI_MAXHOST]; /* -r */
	struct sock_err err;
	int rc;
	double elapsed_ms;
	bool done;
};

struct job {
	struct query *q;
	size_t n, next;
	const char *service;
	int type, flags;
	bool reverse;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void
lookup(struct job *j, struct query *q)
{
	double t0 = sock_now_ms();

	if (j->reverse)
		q->rc = sock_reverse(q->name, q->hostname, sizeof(q->hostname),
		    &q->err);
	else
		q->rc = sock_resolve(q->name, j->service, G.family, j->type,
		    j->flags, &q->ai, &q->err);
	q->elapsed_ms = sock_now_ms() - t0;
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct query *q, r;

	for (;;) {
		pthread_mutex_lock(&j->lock);
		q = j->next < j->n ? &j->q[j->next++] : NULL;
		if (q != NULL)
			r = *q;
		pthread_mutex_unlock(&j->lock);
		if (q == NULL)
			return NULL;
		lookup(j, &r); /* into a copy: the deadline may pass */
		pthread_mutex_lock(&j->lock);
		if (q->done) {
			sock_ai_free(&r.ai);
		} else {
			*q = r;
			q->done = true;
		}
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
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
	bool any = j->type == 0;
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
	if (j->reverse && !G.json) {
		/* a name from the DNS: its control characters escaped */
		printf("%s ", q->name);
		text_put(stdout, q->hostname);
		return putchar('\n') == EOF ? -1 : 0;
	}
	if (j->reverse) {
		json_begin(&js, stdout);
		json_str(&js, "name", q->name);
		json_str(&js, "hostname", q->hostname);
		json_ms(&js, "elapsed_ms", q->elapsed_ms);
		return json_end(&js);
	}
	if (!G.json) {
		for (i = 0; i < q->ai.n; i++) {
			a = &q->ai.v[i];
			if (seen(&q->ai, i, j->service != NULL))
				continue;
			printf("%s %s", q->name, a->host);
			if (j->service != NULL)
				printf(" %u", (unsigned)a->port);
			if (j->service != NULL && any)
				printf(" %s", type_name(a->socktype));
			if (j->flags & SOCK_R_CANON) {
				putchar(' ');
				text_put(stdout, q->ai.canonical);
			}
			putchar('\n');
		}
		return ferror(stdout) ? -1 : 0;
	}
	json_begin(&js, stdout);
	json_str(&js, "name", q->name);
	if (j->flags & SOCK_R_CANON)
		json_str(&js, "canonical", q->ai.canonical);
	json_arr(&js, "addresses");
	for (i = 0; i < q->ai.n; i++) {
		a = &q->ai.v[i];
		if (seen(&q->ai, i, j->service != NULL))
			continue;
		json_obj(&js, NULL);
		json_str(&js, "address", a->host);
		json_str(&js, "family",
		    a->family == AF_INET6 ? "inet6" : "inet");
		if (j->service != NULL)
			json_uint(&js, "port", a->port);
		if (j->service != NULL && any)
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
	if (j->service != NULL && G.numeric &&
	    sock_parse_port(j->service, "tcp", true, &port, &e) == -1)
		return usage_err(&e);
	if (j->service != NULL && j->service[0] == '\0')
		return usage_error("empty --service");
	for (i = 0; j->reverse && i < n; i++)
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
	size_t i;

	for (i = 0; i < j->n; i++) {
		if (j->q[i].done)
			continue;
		j->q[i].rc = -1;
		j->q[i].err.kind = SOCK_ERESOLVE;
		j->q[i].err.code = EAI_AGAIN;
		snprintf(j->q[i].err.msg, sizeof(j->q[i].err.msg),
		    "timed out after %lld ms", (long long)ms);
		j->q[i].done = true;
	}
}

int
mode_resolve(int argc, char **argv)
{
	pthread_t tid[RESOLVE_THREADS];
	struct job j = { .type = SOCK_STREAM };
	struct timespec until;
	size_t i, nthreads, started = 0;
	int c, status = EXIT_OK, failed = 0;
	char *arg;

	while ((c = opt_next(M_RESOLVE, argc, argv, &arg)) != OPT_END) {
		switch (c) {
		case O_SERVICE:
			j.service = arg;
			break;
		case 't':
			if (strcmp(arg, "stream") == 0)
				j.type = SOCK_STREAM;
			else if (strcmp(arg, "dgram") == 0)
				j.type = SOCK_DGRAM;
			else if (strcmp(arg, "any") == 0)
				j.type = 0;
			else
				return usage_error("bad type \"%s\": expected "
						   "stream, dgram or any",
				    arg);
			break;
		case O_PASSIVE:
			j.flags |= SOCK_R_PASSIVE;
			break;
		case O_CANONICAL:
			j.flags |= SOCK_R_CANON;
			break;
		case 'r':
			j.reverse = true;
			break;
		default:
			return opt_status(c);
		}
	}
	if (G.numeric)
		j.flags |= SOCK_R_NUMERIC;
	if ((status = check_args(&j, argv + optind, argc - optind)) != 0)
		return status;
	j.n = (size_t)(argc - optind);
	j.q = calloc(j.n, sizeof(*j.q));
	if (j.q == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		return EXIT_LOCAL;
	}
	for (i = 0; i < j.n; i++)
		j.q[i].name = argv[optind + (int)i];
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.cond, NULL);
	nthreads = j.n < RESOLVE_THREADS ? j.n : RESOLVE_THREADS;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tid[started], NULL, worker, &j) == 0)
			started++;
	if (G.timeout_ms >= 0) {
		/* lookups go on in threads; the deadline is kept here */
		if (pthread_create(&tid[started], NULL, worker, &j) == 0)
			started++;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(G.timeout_ms / 1000);
		until.tv_nsec += (long)(G.timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	} else {
		worker(&j);
	}
	/* print in argument order, each as soon as it and those before are in
	 */
	for (i = 0; i < j.n; i++) {
		pthread_mutex_lock(&j.lock);
		while (!j.q[i].done) {
			if (G.timeout_ms < 0) {
				pthread_cond_wait(&j.cond, &j.lock);
			} else if (pthread_cond_timedwait(&j.cond, &j.lock,
				       &until) == ETIMEDOUT) {
				time_out(&j, G.timeout_ms);
			}
		}
		pthread_mutex_unlock(&j.lock);
		if (j.q[i].rc == -1)
			failed++;
		if (print_query(&j, &j.q[i]) == -1)
			break;
		if (fflush(stdout) == EOF)
			break;
	}
	if (G.timeout_ms >= 0 && failed > 0) {
		/* threads may still be inside getaddrinfo: do not wait */
		return finish_stdout(EXIT_RESOLVE);
	}
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < j.n; i++)
		sock_ai_free(&j.q[i].ai);
	free(j.q);
	return finish_stdout(failed ? EXIT_RESOLVE : EXIT_OK);
}
