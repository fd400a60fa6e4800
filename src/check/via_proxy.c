/* connect -z --proxy: each check is a whole proxy_connect() (connect to
   the proxy, handshake, the proxy's answer about the port), which is
   blocking, so the checks run on pool threads (util/pool.c): at most
   --parallel, bounded by RLIMIT_NOFILE, each taking the next port until
   none is left and publishing its result; the calling thread hands them
   over in port order.  A failure of the proxy itself (not reachable,
   credentials refused) stops every check: it would be the same for each
   port.  With --tls, each open port's tunnel then runs a TLS handshake
   within the same time bound.
   Through a proxy, HOST is the proxy's to resolve (socks5h, socks4a,
   http), or resolved here and its first address sent (socks5, socks4):
   a check through a proxy is one connection, whatever HOST's addresses. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/internal.h"
#include "proxy/proxy.h"

#define PROXY_THREADS_MAX 512 /* threads at most, whatever --parallel */
#define PROXY_STACK	  (1024 * 1024)
/* The calling thread looks at o->stop at least this often. */
#define PROXY_WAKE_MS 100

struct proxy_round {
	struct checker *c;
	const char *host;     /* the target as sent to the proxy: a name, or
				 the address resolved here (socks5, socks4) */
	struct proxy_hop hop; /* family, numeric, timeout_ms, src, addrs */
};

/* --tls: the handshake over the tunnel fd, within timeout_ms (-1: no
   bound) of t0; its facts in out->tls, or why it failed in out->why. */
static void
tunnel_tls(const struct checker *c, int fd, int timeout_ms, double t0,
    struct probe_outcome *out)
{
	struct sock_err e;
	struct tls *t = NULL;
	struct pollfd p = { .fd = fd };
	short want = POLLIN;
	int rc, left = -1;

	/* the tunnel comes blocking: the handshake must not wait past -w */
	if (sock_set_nonblock(fd, true, &e) == 0)
		t = tls_new(c->target.ctx, fd, c->target.host, &e);
	rc = t == NULL ? -1 : TLS_AGAIN;
	while (rc == TLS_AGAIN) {
		rc = tls_handshake(t, &want, &e);
		if (rc != TLS_AGAIN)
			break;
		if (timeout_ms >= 0) {
			left = timeout_ms - (int)(sock_now_ms() - t0);
			if (left <= 0) {
				sock_failmsg(&e, SOCK_ETLS,
				    "handshake timed out", "TLS");
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
	if (rc == 0 && (out->tls = malloc(sizeof(*out->tls))) != NULL)
		tls_info(t, out->tls);
	else if (rc == 0)
		snprintf(out->why, sizeof(out->why), "out of memory");
	else
		snprintf(out->why, sizeof(out->why), "%s", sock_strerror(&e));
	if (rc == 0)
		tls_close(t, &want); /* close_notify, if it fits now */
	tls_free(t);
}

/* The tunnel to the port is open: with --tls, the handshake and its
   verdict. */
static void
tunnel_open(const struct proxy_round *pr, int fd, double t0,
    struct probe_outcome *out)
{
	const struct checker *c = pr->c;
	const char *why;
	char buf[128];

	double start = sock_now_ms();

	out->state = CHECK_OPEN;
	if (c->target.ctx == NULL)
		return;
	tunnel_tls(c, fd, pr->hop.timeout_ms, t0, out);
	if (out->tls != NULL &&
	    (out->facts = calloc(1, sizeof(*out->facts))) != NULL) {
		out->facts->tls_ms = sock_now_ms() - start;
		out->facts->first_byte_ms = -1;
	}
	why = out->tls != NULL ?
	    probe_tls_verdict(c->target.tls, out->tls, buf, sizeof(buf)) :
	    out->why;
	if (why != NULL) {
		out->state = CHECK_TLS_ERROR;
		if (why != out->why)
			snprintf(out->why, sizeof(out->why), "%s", why);
	}
}

/* Checks result r through the proxy and publishes it.  Returns 0, or -1
   with *e when the proxy itself failed. */
static int
check_one(const struct proxy_round *pr, struct result *r, struct sock_err *e)
{
	const struct checker *c = pr->c;
	struct proxy_hop hop = pr->hop;
	struct probe_outcome out = { .spare_fd = -1 };
	double t0 = sock_now_ms();
	int fd;

	fd = proxy_connect(c->o->proxy, pr->host, r->port, &hop, e);
	if (fd == -1 && !hop.at_target)
		return -1;
	out.latency_ms = sock_now_ms() - t0; /* not the handshake's */
	if (fd != -1) {
		tunnel_open(pr, fd, t0, &out);
		close(fd);
	} else {
		/* the proxy's answer about the port: refused, unreachable, no
		   answer, or another reason (code 0) */
		out.err = e->code;
		out.state =
		    e->code != 0 ? check_classify(e->code, false) : CHECK_ERROR;
		free(r->reason);
		r->reason = NULL;
		if (out.state == CHECK_ERROR &&
		    (r->reason = strdup(sock_strerror(e))) == NULL)
			out.err = ENOMEM;
	}
	result_attempt(r, 0, c->ncur > 0 ? c->cur[0] : NO_ADDR, &out);
	publish(r, r->best);
	return 0;
}

/* A pool thread: checks the next pending port until none is left. */
static void
proxy_thread(struct pool *p, void *arg, unsigned index)
{
	struct proxy_round *pr = arg;
	struct checker *c = pr->c;
	struct sock_err e;
	size_t i;

	(void)index;
	while (pool_take(p, 1, &i) == 1) {
		if (c->r[i].st != CHECK_PENDING)
			continue; /* --wait: open in an earlier round */
		memset(&e, 0, sizeof(e));
		if (check_one(pr, &c->r[i], &e) == -1) {
			check_fail(c, &e);
			return;
		}
		pool_progress(p);
	}
}

/* How many threads: --parallel, a descriptor each (two while v6 and v4
   race to the proxy), PROXY_THREADS_MAX, and no more than the ports. */
static unsigned
proxy_threads(const struct checker *c)
{
	const struct check_opts *o = c->o;
	unsigned n =
	    check_fd_budget(o->parallel > 32767 ? 65535 : o->parallel * 2) / 2;
	size_t pending = 0, i;

	for (i = 0; i < c->n; i++)
		if (c->r[i].st == CHECK_PENDING)
			pending++;
	if (n > o->parallel)
		n = o->parallel;
	if (n > PROXY_THREADS_MAX)
		n = PROXY_THREADS_MAX;
	if (n > pending)
		n = (unsigned)pending;
	return n == 0 ? 1 : n;
}

/* Runs the round's threads and hands the results over.  Returns 0, or
   -1 when the checks stopped. */
static int
run_threads(struct checker *c, struct proxy_round *pr)
{
	struct sock_err e;
	size_t i;
	int rc;

	if ((c->pool = pool_new(c->n, false)) == NULL) {
		check_fail_oom(c);
		return -1;
	}
	if (pool_start(c->pool, proxy_threads(c), PROXY_STACK, proxy_thread,
		pr) == 0) {
		pool_end(c->pool);
		c->pool = NULL;
		sock_fail(&e, SOCK_ELOCAL, EAGAIN, "start a thread");
		check_fail(c, &e);
		return -1;
	}
	rc = check_deliver_while(c, PROXY_WAKE_MS);
	pool_end(c->pool);
	c->pool = NULL;
	if (rc == -1 || __atomic_load_n(&c->failed, __ATOMIC_ACQUIRE))
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->r[i].st == CHECK_PENDING)
			return -1; /* stopped */
	return 0;
}

int
check_round_proxy(struct checker *c)
{
	const struct check_opts *o = c->o;
	struct proxy_round pr = {
		.c = c,
		.host = c->ncur > 0 ? c->addrs[c->cur[0]].host : o->host,
		.hop = { .family = o->family,
		    .numeric = o->numeric,
		    .timeout_ms =
			c->attempt_ms > INT_MAX ? INT_MAX : (int)c->attempt_ms,
		    .src = o->proxy_src },
	};
	struct sock_err e;
	struct sock_ai ai;
	size_t i;
	int rc;

	for (i = 0; i < c->n && c->r[i].st != CHECK_PENDING; i++)
		;
	if (i == c->n)
		return 0; /* nothing to check */
	/* the proxy's name is resolved once for every check */
	if (proxy_resolve(o->proxy, &pr.hop, &ai, &e) == -1) {
		check_fail(c, &e);
		return -1;
	}
	pr.hop.addrs = &ai;
	rc = run_threads(c, &pr);
	sock_ai_free(&ai);
	return rc;
}
