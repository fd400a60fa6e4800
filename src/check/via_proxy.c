/* connect -z --proxy: each check is a whole proxy_connect() (connect to
   the proxy, handshake, the proxy's answer about the port), which is
   blocking, so the checks run on a pool of threads: at most
   probes->workers (check.c bounds it by --parallel and RLIMIT_NOFILE),
   each taking the next port until none is left.  Results go back to the
   calling thread through a queue, in the order they finish; check.c puts
   them in port order.  A failure of the proxy itself (not reachable,
   credentials refused) stops every check: it would be the same for each
   port.  With --tls, each open port's tunnel then runs a TLS handshake
   within the same time bound; its verdict is check.c's. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/via_proxy.h"

struct pool {
	const struct proxy_probes *pp;
	struct proxy_probe *pr;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next;	     /* the next probe to look at */
	size_t *done;	     /* finished probes, in order */
	size_t ndone, taken; /* queued, and handed to ready() */
	unsigned running;    /* workers not yet ended */
	bool stop;
	bool failed; /* err holds the proxy's failure */
	struct sock_err err;
};

/* --tls: the handshake over the tunnel fd, within timeout_ms (-1: no
   bound) of t0; its facts in pr->tls, or why it failed in
   pr->tls_error. */
static void
probe_tls(const struct proxy_probes *pp, struct proxy_probe *pr, int fd,
    int timeout_ms, double t0)
{
	struct sock_err e;
	struct tls *t = NULL;
	struct pollfd p = { .fd = fd };
	short want = POLLIN;
	int rc, left = -1;

	/* the tunnel comes blocking: the handshake must not wait past -w */
	if (sock_set_nonblock(fd, true, &e) == 0)
		t = tls_new(pp->ctx_tls, fd, pp->tls_host, &e);
	rc = t == NULL ? -1 : TLS_AGAIN;

	while (rc == TLS_AGAIN) {
		rc = tls_handshake(t, &want, &e);
		if (rc != TLS_AGAIN)
			break;
		if (timeout_ms >= 0) {
			left = timeout_ms - (int)(sock_now_ms() - t0);
			if (left <= 0) {
				sock_failmsg(&e, SOCK_ETLS,
				    "handshake timed "
				    "out",
				    "TLS");
				rc = -1;
				break;
			}
		}
		p.events = want;
		if (poll(&p, 1, left) == -1 && errno != EINTR) {
			sock_fail(&e, SOCK_ELOCAL, errno, "poll");
			rc = -1;
		}
	}
	if (rc == 0) {
		pr->tls = malloc(sizeof(*pr->tls));
		if (pr->tls != NULL)
			tls_info(t, pr->tls);
		else
			snprintf(pr->tls_error, sizeof(pr->tls_error),
			    "out of memory");
		tls_close(t, &want); /* close_notify, if it fits now */
	} else {
		snprintf(pr->tls_error, sizeof(pr->tls_error), "%s",
		    sock_strerror(&e));
	}
	tls_free(t);
}

/* One check.  Returns 0, or -1 with *e when the proxy itself failed. */
static int
probe(const struct proxy_probes *pp, struct proxy_probe *pr, struct sock_err *e)
{
	struct proxy_hop hop = pp->hop;
	double t0 = sock_now_ms();
	int fd;

	fd = proxy_connect(pp->proxy, pp->host, pr->port, &hop, e);
	if (fd != -1) {
		pr->tls_error[0] = '\0';
		if (pp->ctx_tls != NULL)
			probe_tls(pp, pr, fd, pp->hop.timeout_ms, t0);
		pr->latency_ms = sock_now_ms() - t0;
		close(fd);
		pr->err = 0;
		return 0;
	}
	pr->latency_ms = sock_now_ms() - t0;
	if (!hop.at_target)
		return -1;
	switch (e->code) {
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
		pr->err = e->code;
		break;
	default:
		pr->err = -1;
		break;
	}
	snprintf(pr->reason, sizeof(pr->reason), "%s", sock_strerror(e));
	return 0;
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct sock_err e;
	size_t i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next < p->n && !p->pr[p->next].todo)
			p->next++;
		if (p->stop || p->next >= p->n)
			break;
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		memset(&e, 0, sizeof(e));
		if (probe(p->pp, &p->pr[i], &e) == -1) {
			pthread_mutex_lock(&p->mu);
			if (!p->failed) {
				p->failed = true;
				p->err = e;
			}
			p->stop = true;
			break;
		}
		pthread_mutex_lock(&p->mu);
		p->done[p->ndone++] = i;
		pthread_cond_signal(&p->cv);
	}
	p->running--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
proxy_probe_run(const struct proxy_probes *pp, struct proxy_probe *pr, size_t n,
    struct sock_err *e)
{
	struct pool p = { .pp = pp, .pr = pr, .n = n };
	struct proxy_probes local = *pp;
	struct sock_ai ai;
	pthread_attr_t attr;
	pthread_t *tids;
	size_t todo = 0, i;
	unsigned want, started = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (pr[i].todo)
			todo++;
	if (todo == 0)
		return 0;
	/* the proxy's name is resolved once for every check */
	if (proxy_resolve(pp->proxy, &pp->hop, &ai, e) == -1)
		return -1;
	local.hop.addrs = &ai;
	p.pp = &local;
	want = pp->workers == 0 ? 1 : pp->workers;
	if (want > PROXY_PROBE_THREADS_MAX)
		want = PROXY_PROBE_THREADS_MAX;
	if (want > todo)
		want = (unsigned)todo;
	p.done = calloc(todo, sizeof(*p.done));
	tids = calloc(want, sizeof(*tids));
	if (p.done == NULL || tids == NULL) {
		free(p.done);
		free(tids);
		sock_ai_free(&ai);
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "proxy checks");
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	pthread_mutex_lock(&p.mu);
	for (; started < want; started++) {
		p.running++;
		if (pthread_create(&tids[started], &attr, worker, &p) != 0) {
			/* fewer threads: as many as the system gives */
			p.running--;
			break;
		}
	}
	if (started == 0) {
		pthread_mutex_unlock(&p.mu);
		rc = sock_fail(e, SOCK_ELOCAL, EAGAIN, "start a thread");
		goto out;
	}
	for (;;) {
		while (p.taken < p.ndone) {
			i = p.done[p.taken++];
			pthread_mutex_unlock(&p.mu);
			rc = pp->ready(pp->ctx, i);
			pthread_mutex_lock(&p.mu);
			if (rc == -1)
				p.stop = true;
		}
		if (p.running == 0)
			break;
		pthread_cond_wait(&p.cv, &p.mu);
	}
	pthread_mutex_unlock(&p.mu);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	rc = 0;
	if (p.failed) {
		*e = p.err;
		rc = -1;
	}
out:
	pthread_attr_destroy(&attr);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.done);
	free(tids);
	sock_ai_free(&ai);
	return rc;
}
