/* connect -z: every port checked with a non-blocking connect (or a UDP
   probe) on a poll(2) loop, at most --parallel at once and never more
   descriptors than RLIMIT_NOFILE allows (check_probe.c, check_workers.c),
   or through --proxy (check_proxy.c).  Results are printed in port order
   as soon as the order allows (check_result.c).  Here: the address and
   source, the rounds (--wait retries until every port is open) and the
   exit status. */
#include "config.h"

#include <sys/resource.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "check_int.h"
#include "check_proxy.h"
#include "parse.h"
#include "report.h"

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

/* A proxy check has finished: into the results; printed when its turn
   has come.  Returns 0, or -1 when stdout failed. */
static int
proxy_ready(void *ctx, size_t idx)
{
	struct checker *c = ctx;
	struct proxy_probe *pr = c->probes + idx;
	struct result *r = &c->r[idx];
	const char *why = NULL;
	char buf[128];
	enum state st;

	r->latency_ms = pr->latency_ms;
	st = pr->err == -1 ? ST_ERROR : check_classify(pr->err);
	free(r->reason);
	free(r->tls);		/* --wait: an earlier round's */
	free(r->why);
	r->reason = NULL;
	r->tls = NULL;
	r->why = NULL;
	if (st == ST_ERROR && (r->reason = strdup(pr->reason)) == NULL)
		r->err = ENOMEM;
	if (st == ST_OPEN && c->ctx != NULL) {
		/* --tls: the handshake through the tunnel, and its verdict */
		r->tls = pr->tls;
		pr->tls = NULL;
		why = r->tls != NULL ? check_tls_verdict(c->o->tls, r->tls, buf,
		    sizeof(buf)) : pr->tls_error;
		if (why != NULL) {
			st = ST_TLS_ERROR;
			r->why = strdup(why);
		}
	}
	r->st = st;
	if (!c->stream)
		return 0;
	if (check_print_ready(c, false) == -1 || fflush(stdout) == EOF)
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
		.ctx_tls = c->ctx,
		.tls_host = o->host,
	};
	struct sock_err e;
	size_t i;
	int rc;

	if (pp.workers > o->parallel)
		pp.workers = o->parallel;
	if (pp.workers == 0)
		pp.workers = 1;
	c->probes = calloc(c->n, sizeof(*c->probes));
	if (c->probes == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		c->status = EXIT_LOCAL;
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		c->probes[i].port = c->r[i].port;
		c->probes[i].todo = c->r[i].st == ST_PENDING;
	}
	rc = proxy_probe_run(&pp, c->probes, c->n, &e);
	for (i = 0; i < c->n; i++)
		free(c->probes[i].tls);	/* not taken: the checks stopped */
	free(c->probes);
	c->probes = NULL;
	if (rc == -1) {
		c->status = report(&e);
		return -1;
	}
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
		fail(SOCK_ERESOLVE, "%s: %s", c->o->host, sock_strerror(&e));
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
			fail(SOCK_ERESOLVE, "source %s: %s", c->o->source,
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
		fail(SOCK_ELOCAL, "out of memory");
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
		if ((o->proxy != NULL ? round_proxy(&c) : check_round(&c)) ==
		    -1)
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
		check_print_ready(&c, false);
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
