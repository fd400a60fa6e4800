/* connect -z: every port checked with a non-blocking connect (or a UDP
   probe) on poll(2) loops, at most --parallel at once and never more
   descriptors than RLIMIT_NOFILE allows (loop.c, probe.c), or through
   --proxy (via_proxy.c).  Results are handed over in port order as soon
   as the order allows (result.c).  Here: the source, the rounds (--wait
   retries until every port is open), each resolving HOST again (a name
   that does not resolve yet is not ready yet), the results laid out for
   the round's addresses. */
#include "config.h"

#include <sys/resource.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/internal.h"
#include "proxy/proxy.h"

unsigned
check_fd_budget(unsigned want)
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

static void
note(const struct checker *c, const struct check_note *n)
{
	if (c->o->note != NULL)
		c->o->note(c->o->ctx, n);
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

/* A note of HOST's addresses, when it has several and they changed since
   the last round. */
static void
note_addresses(const struct checker *c, const uint32_t *was, size_t nwas)
{
	struct check_note n = { .kind = CHECK_NOTE_ADDRESSES,
		.host = c->o->host,
		.count = c->ncur,
		.via_proxy = c->o->proxy != NULL };
	const char **list;
	size_t i;

	if (c->ncur < 2 || c->o->note == NULL ||
	    (nwas == c->ncur && memcmp(was, c->cur, nwas * sizeof(*was)) == 0))
		return;
	if ((list = calloc(c->ncur, sizeof(*list))) == NULL)
		return; /* a note only */
	for (i = 0; i < c->ncur; i++)
		list[i] = c->addrs[c->cur[i]].host;
	n.addresses = list;
	note(c, &n);
	free(list);
}

/* This round's addresses of HOST from ai, each once, of the families -s
   has.  Returns how many, or -1 when out of memory. */
static int
take_addresses(struct checker *c, const struct sock_ai *ai, uint32_t *cur)
{
	size_t i, j, n = 0;
	uint32_t k;

	for (i = 0; i < ai->n; i++) {
		if (!c->src_has[ai->v[i].family == AF_INET6])
			continue;
		if ((k = known_address(c, &ai->v[i])) == NO_ADDR)
			return -1;
		for (j = 0; j < n && cur[j] != k; j++)
			;
		if (j == n)
			cur[n++] = k;
	}
	return (int)n;
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
	int family = o->family, n, rc;
	uint32_t *cur, *was = c->cur;
	size_t nwas = c->ncur;
	struct sock_ai ai;

	if (o->proxy != NULL && proxy_resolves(o->proxy->type))
		return 0;
	/* through a proxy, -4/-6 are for reaching the proxy */
	if (o->proxy != NULL)
		family = o->proxy->type == PROXY_SOCKS4 ? AF_INET : AF_UNSPEC;
	c->ncur = 0;
	c->race = false;
	c->dns_ms = sock_now_ms();
	rc = sock_resolve(o->host, NULL, family,
	    o->udp ? SOCK_DGRAM : SOCK_STREAM,
	    o->numeric ? SOCK_R_NUMERICHOST : 0, &ai, &c->unresolved);
	c->dns_ms = sock_now_ms() - c->dns_ms;
	if (rc == -1)
		return c->unresolved.kind == SOCK_ERESOLVE ? 1 : -1;
	if (ai.n == 0) {
		sock_ai_free(&ai);
		sock_fail(&c->unresolved, SOCK_ERESOLVE, EAI_NONAME,
		    "resolve %s", o->host);
		return 1;
	}
	sock_ai_interleave(&ai);
	cur = malloc(ai.n * sizeof(*cur));
	n = cur != NULL ? take_addresses(c, &ai, cur) : -1;
	sock_ai_free(&ai);
	if (n <= 0) {
		free(cur);
		return n == 0 ? 2 : -1;
	}
	c->cur = cur;
	c->ncur = (size_t)n;
	note_addresses(c, was, nwas);
	free(was);
	/* through a proxy, the first address goes to the proxy */
	c->race = o->proxy == NULL && !o->all_addresses && c->ncur > 1;
	return 0;
}

/* The -s/-p source the mode resolved, for each family it has
   (c->src_has; HOST's addresses of the others are left out). */
static void
pick_source(struct checker *c)
{
	const struct check_opts *o = c->o;
	struct sock_addr *src = c->target.source;
	bool *have = c->src_has;
	size_t i;
	int v6;

	if (o->nsources == 0)
		return;
	c->target.have_source = true;
	if (o->sources[0].family == AF_UNSPEC) { /* -p alone */
		sock_addr_any(&src[0], AF_INET, o->sources[0].port);
		sock_addr_any(&src[1], AF_INET6, o->sources[0].port);
		return;
	}
	have[0] = have[1] = false;
	for (i = 0; i < o->nsources; i++) {
		v6 = o->sources[i].family == AF_INET6;
		if (!have[v6])
			src[v6] = o->sources[i];
		have[v6] = true;
	}
}

/* What every check shares: the source, the TLS context, the budget.
   Returns 0, or -1 with *e. */
static int
setup(struct checker *c, struct sock_err *e)
{
	const struct check_opts *o = c->o;
	struct tls_opts to;

	c->target.host = o->host;
	c->target.udp = o->udp;
	c->target.mptcp = o->mptcp;
	c->target.so = o->so != NULL && o->so->n > 0 ? o->so : NULL;
	/* through a proxy, -s/-p are for reaching it (modes/connect.c) */
	if (o->proxy == NULL)
		pick_source(c);
	if (o->tls != NULL) {
		/* OpenSSL is set up only now, and only for --tls */
		to = *o->tls;
		to.check = true;
		if ((c->target.ctx = tls_ctx_new(&to, e)) == NULL)
			return -1;
		c->target.tls = o->tls;
		if (to.insecure)
			note(c,
			    &(struct check_note){ .kind = CHECK_NOTE_INSECURE,
				.host = o->host });
	}
	if (talk_setup(&c->talk, o, e) == -1)
		return -1;
	c->target.talk = &c->talk;
	c->target.reusable = !o->udp && c->target.ctx == NULL &&
	    !c->target.have_source && c->target.so == NULL;
	c->cap = check_fd_budget(o->parallel);
	c->attempt_ms = o->timeout_ms;
	c->stream = o->wait_ms < 0;
	return 0;
}

int
check_validate(const struct check_opts *o, struct sock_err *e)
{
	struct talk_plan p;
	struct tls_opts to;
	struct tls_ctx *ctx;

	if (talk_setup(&p, o, e) == -1)
		return -1;
	talk_plan_free(&p);
	if (o->tls == NULL)
		return 0;
	to = *o->tls; /* its files read as check_run() will */
	to.check = true;
	if ((ctx = tls_ctx_new(&to, e)) == NULL)
		return -1;
	tls_ctx_free(ctx);
	return 0;
}

/* One round: HOST resolved again, the results laid out for its
   addresses, the pending ones checked (or, when HOST did not resolve,
   unresolved).  Returns 0 when checked, 1 when HOST did not resolve, or
   -1 when the checks must stop. */
static int
round_once(struct checker *c, int round, double end)
{
	const struct check_opts *o = c->o;
	double left_ms;
	struct sock_err e;
	char why[160];
	int rc = resolve_round(c);

	if (rc == 2) {
		snprintf(why, sizeof(why),
		    "no address of the family of source %s", o->source);
		sock_failmsg(&e, SOCK_ERESOLVE, why, "%s", o->host);
		check_fail(c, &e);
		return -1;
	}
	if (rc == -1 || check_layout(c, rc == 0) == -1) {
		check_fail_oom(c);
		return -1;
	}
	if (rc == 1) {
		check_unresolved(c);
		if (o->wait_ms >= 0)
			note(c,
			    &(struct check_note){ .kind = CHECK_NOTE_UNRESOLVED,
				.host = o->host,
				.round = round,
				.why = sock_strerror(&c->unresolved) });
		return 1;
	}
	if (o->wait_ms >= 0) {
		/* resolving took some of the time left */
		left_ms = end - sock_now_ms();
		c->attempt_ms = o->timeout_ms;
		if (left_ms < (double)c->attempt_ms)
			c->attempt_ms = left_ms > 50 ? (int64_t)left_ms : 50;
	}
	return o->proxy != NULL ? check_round_proxy(c) : check_round(c);
}

/* Sleeps ms milliseconds (none when ms <= 0). */
static void
pause_ms(double ms)
{
	if (ms <= 0)
		return;
	/* the fraction of a millisecond too: a pause of 0.6 ms to the end
	   is no pause of 0 (a round at once, again and again) */
	nanosleep(&(struct timespec){ (time_t)(ms / 1000),
		      (long)((ms - (double)(int64_t)(ms / 1000) * 1000) *
			  1e6) },
	    NULL);
}

double
check_backoff(double base, unsigned *seed)
{
	/* 0.90 to 1.10 of base, in steps of a thousandth */
	return base * (0.9 + (double)(rand_r(seed) % 201) / 1000.0);
}

/* The rounds: one, or with --wait until every result is open or the
   time is up, backing off between them from 100 ms, doubling up to
   2 s, each pause +-10% (check_backoff()): many waiting clients do not
   knock in step. */
static void
rounds(struct checker *c)
{
	const struct check_opts *o = c->o;
	double end = sock_now_ms() + (double)o->wait_ms, backoff = 100, pause;
	unsigned seed = (unsigned)sock_now_ms() ^ (unsigned)(uintptr_t)c;
	size_t i, left;
	int round = 0, rc;

	for (;;) {
		rc = round_once(c, ++round, end);
		if (rc == -1 || o->wait_ms < 0 || check_stopping(c))
			return;
		for (i = 0, left = 0; i < c->n; i++)
			if (c->r[i].st != CHECK_OPEN)
				left++;
		if (left == 0 || sock_now_ms() >= end)
			return;
		if (rc == 0)
			note(c,
			    &(struct check_note){ .kind = CHECK_NOTE_NOT_OPEN,
				.host = o->host,
				.round = round,
				.count = left,
				.total = c->n,
				.each_address = o->all_addresses });
		/* never past the end */
		pause = check_backoff(backoff, &seed);
		pause_ms(
		    end - sock_now_ms() < pause ? end - sock_now_ms() : pause);
		backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
		for (i = 0; i < c->n; i++)
			if (c->r[i].st != CHECK_OPEN)
				check_result_reset(c, &c->r[i]);
	}
}

int
check_run(const struct check_opts *o, struct check_tally *tally,
    struct sock_err *e)
{
	struct checker c = { .o = o, .src_has = { true, true } };
	int rc = -1;

	memset(tally, 0, sizeof(*tally));
	if (setup(&c, e) == 0) {
		rounds(&c);
		/* what is done and not handed over yet (--wait: all) */
		check_deliver(&c);
		check_tally(&c, tally);
		rc = c.failed ? -1 : 0;
		if (c.failed)
			*e = c.error;
	}
	check_results_free(&c);
	free(c.addrs);
	free(c.cur);
	tls_ctx_free(c.target.ctx);
	talk_plan_free(&c.talk);
	return rc;
}
