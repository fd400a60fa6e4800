/* connect -z: a result's state, and the results printed in port order
   (text or JSON Lines), each as soon as those before it are out. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check_int.h"
#include "json.h"
#include "report.h"
#include "tlsout.h"

static const char *const state_names[] = {
	"pending", "open", "closed", "timeout", "unreachable", "error",
	"open_filtered", "tls_error"
};

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

