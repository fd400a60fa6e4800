/* connect -z: every port checked with a non-blocking connect (or a UDP
   probe) on a poll(2) loop, at most --parallel at once and never more
   descriptors than RLIMIT_NOFILE allows (probe.c, loop.c),
   or through --proxy (via_proxy.c).  Results are printed in port order
   as soon as the order allows (result.c).  Here: the source, the
   rounds (--wait retries until every port is open), each resolving HOST
   again (a name that does not resolve yet is not ready yet), the results
   laid out for the round's addresses, and the exit status.
   Through a proxy, HOST is the proxy's to resolve (socks5h, socks4a,
   http), or resolved here and its first address sent (socks5, socks4):
   a check through a proxy is one connection, whatever HOST's addresses. */
#include "config.h"

#include <sys/resource.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h"
#include "check/internal.h"
#include "check/via_proxy.h"
#include "cli/parse.h"
#include "out/report.h"

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
	r->addr = c->ncur > 0 ? c->cur[0] : NO_ADDR;
	st = pr->err == -1 ? ST_ERROR : check_classify(pr->err);
	free(r->reason);
	free(r->tls); /* --wait: an earlier round's */
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
		why = r->tls != NULL ?
		    check_tls_verdict(c->o->tls, r->tls, buf, sizeof(buf)) :
		    pr->tls_error;
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

/* Checks the pending results once through the proxy (via_proxy.c).
   Returns 0, or -1 when stdout failed or the proxy itself failed. */
static int
round_proxy(struct checker *c)
{
	const struct check_opts *o = c->o;
	struct proxy_probes pp = {
		.proxy = o->proxy,
		.host = c->ncur > 0 ? c->addrs[c->cur[0]].host : o->host,
		.hop = { .family = G.family,
		    .numeric = G.numeric,
		    .timeout_ms =
			c->attempt_ms > INT_MAX ? INT_MAX : (int)c->attempt_ms,
		    .src = o->proxy_src },
		/* a check holds one descriptor, two while v6/v4 race */
		.workers =
		    fd_budget(o->parallel > 32767 ? 65535 : o->parallel * 2) /
		    2,
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
		free(c->probes[i].tls); /* not taken: the checks stopped */
	free(c->probes);
	c->probes = NULL;
	if (rc == -1) {
		c->status = report(&e);
		return -1;
	}
	for (i = 0; i < c->n; i++)
		if (c->r[i].st == ST_PENDING)
			return -1; /* stopped: stdout failed */
	return 0;
}

/* The index of address a in c->addrs, where it is added the first time.
   Returns NO_ADDR when out of memory. */
static uint32_t
known_address(struct checker *c, const struct sock_addr *a)
{
	struct sock_addr *v;
	size_t i;

	for (i = 0; i < c->naddrs; i++)
		if (c->addrs[i].family == a->family &&
		    strcmp(c->addrs[i].host, a->host) == 0)
			return (uint32_t)i;
	v = realloc(c->addrs, (c->naddrs + 1) * sizeof(*v));
	if (v == NULL)
		return NO_ADDR;
	c->addrs = v;
	c->addrs[c->naddrs] = *a;
	return (uint32_t)c->naddrs++;
}

/* -v: HOST's addresses, when it has several and they changed since the
   last round. */
static void
show_addresses(const struct checker *c, const uint32_t *was, size_t nwas)
{
	char list[512];
	size_t i, len = 0;

	if (c->ncur < 2 ||
	    (nwas == c->ncur && memcmp(was, c->cur, nwas * sizeof(*was)) == 0))
		return;
	list[0] = '\0';
	for (i = 0; i < c->ncur && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? " " : "", c->addrs[c->cur[i]].host);
	if (c->o->proxy != NULL)
		diag(1, "%s has %zu addresses: %s goes to the proxy",
		    c->o->host, c->ncur, c->addrs[c->cur[0]].host);
	else
		diag(1, "%s has %zu addresses: %s", c->o->host, c->ncur, list);
}

/* This round's addresses of HOST, in Happy Eyeballs order (RFC 8305),
   each once, of the families -s has; through a proxy that resolves
   names, none.  Returns 0, 1 when HOST did not resolve (c->unresolved
   says why), 2 when none of its addresses is of a family of -s, or -1
   when out of memory. */
static int
resolve_round(struct checker *c)
{
	const struct check_opts *o = c->o;
	int family = G.family;
	uint32_t *cur, *was = c->cur, k;
	size_t i, j, n = 0, nwas = c->ncur, nai;
	struct sock_ai ai;

	if (o->proxy != NULL && proxy_resolves(o->proxy->type))
		return 0;
	/* through a proxy, -4/-6 are for reaching the proxy */
	if (o->proxy != NULL)
		family = o->proxy->type == PROXY_SOCKS4 ? AF_INET : AF_UNSPEC;
	c->ncur = 0;
	c->race = false;
	if (sock_resolve(o->host, NULL, family,
		o->udp ? SOCK_DGRAM : SOCK_STREAM,
		G.numeric ? SOCK_R_NUMERICHOST : 0, &ai, &c->unresolved) == -1)
		return c->unresolved.kind == SOCK_ERESOLVE ? 1 : -1;
	if (ai.n == 0) {
		sock_ai_free(&ai);
		sock_fail(&c->unresolved, SOCK_ERESOLVE, EAI_NONAME,
		    "resolve %s", o->host);
		return 1;
	}
	sock_ai_interleave(&ai);
	nai = ai.n;
	cur = malloc(nai * sizeof(*cur));
	for (i = 0; cur != NULL && i < nai; i++) {
		if (!c->src_has[ai.v[i].family == AF_INET6])
			continue;
		if ((k = known_address(c, &ai.v[i])) == NO_ADDR)
			break;
		for (j = 0; j < n && cur[j] != k; j++)
			;
		if (j == n)
			cur[n++] = k;
	}
	sock_ai_free(&ai);
	if (cur == NULL || i < nai || n == 0) {
		free(cur);
		return cur != NULL && i == nai ? 2 : -1;
	}
	c->cur = cur;
	c->ncur = n;
	show_addresses(c, was, nwas);
	free(was);
	/* through a proxy, the first address goes to the proxy */
	c->race = o->proxy == NULL && !o->all_addresses && c->ncur > 1;
	return 0;
}

/* The -s/-p source, for each family it has (c->src_has; HOST's
   addresses of the others are left out).  Returns 0 or an exit
   status. */
static int
pick_source(struct checker *c)
{
	struct sock_err e;
	struct sock_ai ai;
	uint16_t port = 0;
	bool *have = c->src_has;
	size_t i;
	int v6;

	if (c->o->source == NULL && c->o->source_port == NULL)
		return 0;
	if (c->o->source_port != NULL &&
	    sock_parse_port(c->o->source_port, c->o->udp ? "udp" : "tcp",
		G.numeric, &port, &e) == -1)
		return usage_err(&e);
	c->have_src = true;
	if (c->o->source == NULL) {
		sock_addr_any(&c->src[0], AF_INET, port);
		sock_addr_any(&c->src[1], AF_INET6, port);
		return 0;
	}
	have[0] = have[1] = false;
	if (sock_resolve(c->o->source, NULL, G.family, 0,
		SOCK_R_PASSIVE | (G.numeric ? SOCK_R_NUMERICHOST : 0), &ai,
		&e) == -1) {
		fail(SOCK_ERESOLVE, "source %s: %s", c->o->source,
		    sock_strerror(&e));
		return EXIT_RESOLVE;
	}
	for (i = 0; i < ai.n; i++) {
		v6 = ai.v[i].family == AF_INET6;
		if (have[v6])
			continue;
		if (sock_addr_ip(&c->src[v6], ai.v[i].host, port,
			ai.v[i].family, &e) == -1) {
			sock_ai_free(&ai);
			return report(&e);
		}
		have[v6] = true;
	}
	sock_ai_free(&ai);
	return 0;
}

/* Sleeps ms milliseconds (none when ms <= 0). */
static void
pause_ms(double ms)
{
	if (ms <= 0)
		return;
	nanosleep(&(struct timespec){ (time_t)(ms / 1000),
		      (long)((int64_t)ms % 1000) * 1000000L },
	    NULL);
}

/* One round: HOST resolved again, the results laid out for its
   addresses, the pending ones checked (or, when HOST did not resolve,
   unresolved).  Returns 0 when checked, 1 when HOST did not resolve, or
   -1 when the checks must stop (c->status says why). */
static int
round_once(struct checker *c, int round, double end)
{
	const struct check_opts *o = c->o;
	double left_ms;
	int rc = resolve_round(c);

	if (rc == 2) {
		fail(SOCK_ERESOLVE, "%s: no address of the family of source %s",
		    o->host, o->source);
		c->status = EXIT_RESOLVE;
		return -1;
	}
	if (rc == -1 || check_layout(c, rc == 0) == -1) {
		c->status = fail(SOCK_ELOCAL, "out of memory");
		return -1;
	}
	if (rc == 1) {
		check_unresolved(c);
		if (o->wait_ms >= 0)
			diag(1, "round %d: %s does not resolve yet: %s", round,
			    o->host, sock_strerror(&c->unresolved));
		return 1;
	}
	if (o->wait_ms >= 0) {
		/* resolving took some of the time left */
		left_ms = end - sock_now_ms();
		c->attempt_ms = o->timeout_ms;
		if (left_ms < (double)c->attempt_ms)
			c->attempt_ms = left_ms > 50 ? (int64_t)left_ms : 50;
	}
	return o->proxy != NULL ? round_proxy(c) : check_round(c);
}

int
check_run(const struct check_opts *o)
{
	struct checker c = { .o = o,
		.status = EXIT_OK,
		.src_has = { true, true } };
	struct sock_err e;
	double end = 0, backoff = 100;
	size_t i, left;
	int rounds = 0, st, rc;

	if (parse_ports(o->ports, o->udp ? "udp" : "tcp", G.numeric, &c.ports,
		&c.nports, &e) == -1)
		return usage_err(&e);
	if (o->tls != NULL && o->udp) {
		free(c.ports);
		return usage_error("--tls and -u exclude each other");
	}
	/* through a proxy, -s/-p are for reaching it (modes/connect.c) */
	if (o->proxy == NULL && (st = pick_source(&c)) != 0) {
		free(c.ports);
		return st;
	}
	if (o->tls != NULL) {
		/* OpenSSL is set up only now, and only for --tls */
		struct tls_opts to = *o->tls;

		to.check = true;
		c.ctx = tls_ctx_new(&to, &e);
		if (c.ctx == NULL) {
			free(c.ports);
			return usage_err(&e);
		}
		if (to.insecure)
			diag(1, "--insecure: certificates are not verified");
	}
	c.cap = fd_budget(o->parallel);
	c.attempt_ms = o->timeout_ms;
	c.stream = o->wait_ms < 0;
	if (o->wait_ms >= 0)
		end = sock_now_ms() + (double)o->wait_ms;
	for (;;) {
		rc = round_once(&c, ++rounds, end);
		if (rc == -1 || o->wait_ms < 0)
			break;
		for (i = 0, left = 0; i < c.n; i++)
			if (c.r[i].st != ST_OPEN)
				left++;
		if (left == 0 || sock_now_ms() >= end)
			break;
		if (rc == 0)
			diag(1, "round %d: %zu of %zu %s not open yet", rounds,
			    left, c.n,
			    o->all_addresses ? "ports and addresses" : "ports");
		/* back off 100 ms, doubling up to 1 s, never past the end */
		pause_ms(end - sock_now_ms() < backoff ? end - sock_now_ms() :
							 backoff);
		backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
		for (i = 0; i < c.n; i++)
			if (c.r[i].st != ST_OPEN)
				check_result_reset(&c, &c.r[i]);
	}
	if (c.status == EXIT_OK || c.status == EXIT_NET) {
		check_print_ready(&c, false);
		c.status = check_status(&c);
	}
	check_results_free(&c);
	free(c.addrs);
	free(c.cur);
	free(c.ports);
	tls_ctx_free(c.ctx);
	return finish_stdout(c.status);
}
