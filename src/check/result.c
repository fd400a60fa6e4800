/* connect -z: the results.  Each is the best outcome of its attempts
   (rank()), laid out per port (and address) for a round, and handed to
   the mode's callback in port order, each as soon as those before it are
   out. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"

static const char *const state_names[] = { "pending", "open", "closed",
	"timeout", "unreachable", "error", "open_filtered", "tls_error",
	"unresolved", "mismatch" };

const char *
check_state_name(enum check_state st)
{
	return st < CHECK_STATES ? state_names[st] : "pending";
}

void
check_facts_free(struct check_facts *f)
{
	if (f == NULL)
		return;
	free(f->received);
	free(f->matched);
	free(f);
}

/* How much an outcome says about the port: an answer beats silence,
   silence beats a local error. */
static int
rank(enum check_state st)
{
	switch (st) {
	case CHECK_OPEN:
		return 6;
	case CHECK_TLS_ERROR:
	case CHECK_MISMATCH:
	case CHECK_OPEN_FILTERED:
		return 5;
	case CHECK_CLOSED:
		return 4;
	case CHECK_UNREACHABLE:
		return 3;
	case CHECK_TIMEOUT:
		return 2;
	case CHECK_ERROR:
		return 1;
	default:
		return 0;
	}
}

void
result_attempt(struct result *r, uint16_t attempt, uint32_t addr,
    struct probe_outcome *out)
{
	if (rank(out->state) > rank(r->best) ||
	    (rank(out->state) == rank(r->best) && attempt < r->best_attempt)) {
		r->best = out->state;
		r->best_attempt = attempt;
		r->addr = addr;
		r->latency_ms = out->latency_ms;
		r->err = out->err;
		r->mptcp = out->mptcp;
		free(r->why);
		r->why = out->why[0] != '\0' ? strdup(out->why) : NULL;
		free(r->tls);
		r->tls = out->tls;
		out->tls = NULL;
		check_facts_free(r->facts);
		r->facts = out->facts;
		out->facts = NULL;
	}
	free(out->tls);
	out->tls = NULL;
	check_facts_free(out->facts);
	out->facts = NULL;
}

/* The reason shown for result r, or NULL when its state needs none. */
static const char *
reason(const struct checker *c, const struct result *r)
{
	switch (r->st) {
	case CHECK_ERROR:
		return r->reason ? r->reason :
		    r->why	 ? r->why :
				   strerror(r->err);
	case CHECK_TLS_ERROR:
		return r->why ? r->why : "failed";
	case CHECK_UNRESOLVED:
		return sock_strerror(&c->unresolved);
	default:
		return NULL;
	}
}

/* Result r as the callback sees it. */
static void
view(const struct checker *c, const struct result *r, struct check_result *v)
{
	v->host = c->o->host;
	v->address = r->addr != NO_ADDR ? c->addrs[r->addr].host : NULL;
	v->each_address = c->o->all_addresses;
	v->port = r->port;
	v->udp = c->o->udp;
	v->state = r->st;
	v->latency_ms = r->latency_ms;
	v->error = reason(c, r);
	v->error_code = r->st == CHECK_UNRESOLVED ?
	    sock_eai_name(c->unresolved.code) :
	    NULL;
	v->tls = r->tls;
	v->mptcp_asked = c->o->mptcp && r->st == CHECK_OPEN;
	v->mptcp = r->mptcp;
	v->reason = r->st == CHECK_CLOSED ? "refused" : NULL;
	v->dns_ms = r->addr != NO_ADDR ? c->dns_ms : -1;
	v->tls_on = c->o->tls != NULL;
	v->expect_on = c->o->talk != NULL && c->o->talk->expect != NULL;
	v->facts = r->facts;
}

/* The callbacks said stop: every thread stops. */
static int
stop(struct checker *c)
{
	c->stopped = true;
	if (c->pool != NULL)
		pool_stop(c->pool);
	return -1;
}

int
check_deliver(struct checker *c)
{
	const struct check_opts *o = c->o;
	size_t from = c->delivered;
	struct check_result v;

	if (c->stopped)
		return -1;
	while (c->delivered < c->n && is_done(&c->r[c->delivered])) {
		view(c, &c->r[c->delivered], &v);
		if (o->result(o->ctx, &v) == -1)
			return stop(c);
		c->delivered++;
	}
	if (c->delivered > from && o->flush != NULL && o->flush(o->ctx) == -1)
		return stop(c);
	return 0;
}

int
check_deliver_while(struct checker *c, int every_ms)
{
	unsigned running;
	int rc = 0;

	do {
		/* a thread that ends (or says so) wakes this one early */
		running = pool_wait(c->pool, every_ms);
		if (rc == 0 && c->stream && check_deliver(c) == -1)
			rc = -1; /* the reader went away: all stop */
		if (c->o->stop != NULL && *c->o->stop)
			pool_stop(c->pool);
	} while (running > 0);
	return rc;
}

void
check_fail(struct checker *c, const struct sock_err *e)
{
	if (!__atomic_exchange_n(&c->failed, true, __ATOMIC_ACQ_REL))
		c->error = *e; /* read once the threads are joined */
	if (c->pool != NULL)
		pool_stop(c->pool);
}

void
check_fail_oom(struct checker *c)
{
	struct sock_err e;

	memset(&e, 0, sizeof(e));
	e.kind = SOCK_ELOCAL;
	snprintf(e.msg, sizeof(e.msg), "out of memory");
	check_fail(c, &e);
}

bool
check_stopping(struct checker *c)
{
	if (__atomic_load_n(&c->failed, __ATOMIC_ACQUIRE))
		return true;
	if (c->o->stop != NULL && *c->o->stop) {
		if (c->pool != NULL)
			pool_stop(c->pool);
		return true;
	}
	return c->pool != NULL ? pool_stopped(c->pool) : c->stopped;
}

void
check_result_reset(struct checker *c, struct result *r)
{
	free(r->reason);
	free(r->tls);
	free(r->why);
	check_facts_free(r->facts);
	r->reason = NULL;
	r->tls = NULL;
	r->why = NULL;
	r->facts = NULL;
	r->err = 0;
	r->latency_ms = 0;
	r->tried = 0;
	r->inflight = 0;
	r->queued = false;
	r->best = CHECK_PENDING;
	r->best_attempt = 0;
	if (!c->o->all_addresses)
		r->addr = NO_ADDR;
	r->st = CHECK_PENDING;
}

void
check_results_free(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->r[i].reason);
		free(c->r[i].tls);
		free(c->r[i].why);
		check_facts_free(c->r[i].facts);
	}
	free(c->r);
	c->r = NULL;
	c->n = 0;
}

/* Result x takes over the open result of its port and address among
   the n results from old (in port order, from the first of its port),
   if there is one. */
static void
carry_open(struct result *x, struct result *old, size_t n)
{
	size_t i;

	for (i = 0; i < n && old[i].port == x->port; i++) {
		if (old[i].st != CHECK_OPEN || old[i].addr != x->addr)
			continue;
		*x = old[i];
		old[i].reason = NULL;
		old[i].tls = NULL;
		old[i].why = NULL;
		old[i].facts = NULL;
		return;
	}
}

int
check_layout(struct checker *c, bool resolved)
{
	bool each = c->o->all_addresses && resolved;
	size_t per = each ? c->ncur : 1, i, k, o = 0;
	struct result *r, *x;

	if (c->r != NULL && !each)
		return 0; /* a result per port: as before */
	r = calloc(c->o->nports * per, sizeof(*r));
	if (r == NULL)
		return -1;
	for (i = 0; i < c->o->nports; i++) {
		while (o < c->n && c->r[o].port < c->o->ports[i])
			o++;
		for (k = 0; k < per; k++) {
			x = &r[i * per + k];
			x->port = c->o->ports[i];
			x->addr = each ? c->cur[k] : NO_ADDR;
			if (c->r != NULL) /* an earlier round's */
				carry_open(x, c->r + o, c->n - o);
		}
	}
	check_results_free(c);
	c->r = r;
	c->n = c->o->nports * per;
	return 0;
}

void
check_unresolved(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->r[i].st == CHECK_OPEN)
			continue;
		check_result_reset(c, &c->r[i]);
		c->r[i].st = CHECK_UNRESOLVED;
	}
}

void
check_tally(const struct checker *c, struct check_tally *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->results = c->n;
	for (i = 0; i < c->n; i++)
		t->state[c->r[i].st < CHECK_STATES ? c->r[i].st :
						     CHECK_PENDING]++;
}
