/* connect -z: a result's state, and the results printed in port order
   (text or JSON Lines), each as soon as those before it are out.  Text:
   HOST PORT/tcp STATE LATENCY, then the reason of an error in
   parentheses; HOST[ADDRESS] with --all-addresses, and with -v when
   HOST is a name. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"
#include "out/json.h"
#include "out/report.h"
#include "out/tlsout.h"

static const char *const state_names[] = { "pending", "open", "closed",
	"timeout", "unreachable", "error", "open_filtered", "tls_error",
	"unresolved" };

enum state
check_classify(int err)
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

/* The reason shown for result r, or NULL when its state needs none. */
static const char *
reason(const struct checker *c, const struct result *r)
{
	switch (r->st) {
	case ST_ERROR:
		return r->reason ? r->reason : strerror(r->err);
	case ST_TLS_ERROR:
		return r->why ? r->why : "failed";
	case ST_UNRESOLVED:
		return sock_strerror(&c->unresolved);
	default:
		return NULL;
	}
}

/* Prints result i.  Returns 0 or -1 when stdout failed. */
static int
print_result(const struct checker *c, const struct result *r)
{
	const char *proto = c->o->udp ? "udp" : "tcp";
	const char *address =
	    r->addr != NO_ADDR ? c->addrs[r->addr].host : NULL;
	const char *why = reason(c, r);
	bool timed = r->st != ST_TIMEOUT && r->st != ST_OPEN_FILTERED &&
	    r->st != ST_UNRESOLVED;
	struct json j;

	if (!G.json) {
		printf("%s", c->o->host);
		if (address != NULL &&
		    (c->o->all_addresses ||
			(G.verbose > 0 && strcmp(address, c->o->host) != 0)))
			printf("[%s]", address);
		printf(" %u/%s %s", (unsigned)r->port, proto,
		    state_names[r->st]);
		if (timed)
			printf(" %.2fms", r->latency_ms);
		else
			printf(" -");
		if (why != NULL) {
			/* a proxy's reply: the peer chose it */
			fputs(" (", stdout);
			text_put(stdout, why);
			putchar(')');
		}
		if (r->tls != NULL) {
			putchar(' ');
			tls_text(stdout, r->tls, r->st != ST_TLS_ERROR);
		}
		putchar('\n');
		return ferror(stdout) ? -1 : 0;
	}
	json_begin(&j, stdout);
	json_str(&j, "host", c->o->host);
	/* null when a proxy resolved HOST, or HOST did not resolve */
	json_str(&j, "address", address);
	json_uint(&j, "port", r->port);
	json_str(&j, "proto", proto);
	json_str(&j, "state", state_names[r->st]);
	if (timed)
		json_num(&j, "latency_ms", r->latency_ms, 2);
	else
		json_null(&j, "latency_ms");
	if (why != NULL)
		json_str(&j, "error", why);
	if (r->st == ST_UNRESOLVED)
		json_str(&j, "code", sock_eai_name(c->unresolved.code));
	if (r->tls != NULL) {
		json_obj(&j, "tls");
		tls_json(&j, r->tls);
		json_close(&j);
	}
	/* written whole into stdio's buffer; flushed per batch */
	return json_end_buffered(&j);
}

int
check_print_ready(struct checker *c, bool all)
{
	while (c->printed < c->n && (all || is_done(&c->r[c->printed]))) {
		if (print_result(c, &c->r[c->printed]) == -1)
			return -1;
		c->printed++;
	}
	return 0;
}

void
check_result_reset(struct checker *c, struct result *r)
{
	free(r->reason);
	free(r->tls);
	free(r->why);
	r->reason = NULL;
	r->tls = NULL;
	r->why = NULL;
	r->err = 0;
	r->latency_ms = 0;
	r->tried = 0;
	r->inflight = 0;
	r->queued = false;
	r->best = ST_PENDING;
	r->best_attempt = 0;
	if (!c->o->all_addresses)
		r->addr = NO_ADDR;
	r->st = ST_PENDING;
}

void
check_results_free(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->r[i].reason);
		free(c->r[i].tls);
		free(c->r[i].why);
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
		if (old[i].st != ST_OPEN || old[i].addr != x->addr)
			continue;
		*x = old[i];
		old[i].reason = NULL;
		old[i].tls = NULL;
		old[i].why = NULL;
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
	r = calloc(c->nports * per, sizeof(*r));
	if (r == NULL)
		return -1;
	for (i = 0; i < c->nports; i++) {
		while (o < c->n && c->r[o].port < c->ports[i])
			o++;
		for (k = 0; k < per; k++) {
			x = &r[i * per + k];
			x->port = c->ports[i];
			x->addr = each ? c->cur[k] : NO_ADDR;
			carry_open(x, c->r + o, c->n - o);
		}
	}
	check_results_free(c);
	c->r = r;
	c->n = c->nports * per;
	return 0;
}

void
check_unresolved(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->r[i].st == ST_OPEN)
			continue;
		check_result_reset(c, &c->r[i]);
		c->r[i].st = ST_UNRESOLVED;
	}
}

int
check_status(const struct checker *c)
{
	bool unresolved = false, tls = false, failed = false;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->r[i].st == ST_PENDING && c->status == EXIT_OK)
			return EXIT_LOCAL;
		unresolved |= c->r[i].st == ST_UNRESOLVED;
		tls |= c->r[i].st == ST_TLS_ERROR;
		failed |=
		    c->o->udp ? c->r[i].st == ST_CLOSED : c->r[i].st != ST_OPEN;
	}
	if (unresolved || tls)
		return unresolved ? EXIT_RESOLVE : EXIT_TLS;
	if (c->status != EXIT_OK)
		return c->status;
	return failed ? EXIT_NET : EXIT_OK;
}
