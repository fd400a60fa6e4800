/* connect -z results: text or JSON Lines, one call site per field.  Text:
   HOST PORT/tcp STATE LATENCY, then the reason of an error in
   parentheses (escaped: a proxy's reply is the peer's choice) and the TLS
   facts; HOST[ADDRESS] with --all-addresses, and with -v when HOST is a
   name.  Written into stdio's buffer, flushed per batch. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/globals.h"
#include "out/facts.h"
#include "out/json.h"
#include "out/line.h"
#include "out/report.h"
#include "out/results.h"
#include "out/tlsout.h"

/* The latency is shown for a state that is an answer. */
static bool
timed(enum check_state st)
{
	return st != CHECK_TIMEOUT && st != CHECK_OPEN_FILTERED &&
	    st != CHECK_UNRESOLVED;
}

static int
print_text(FILE *fp, const struct check_result *r)
{
	fputs(r->host, fp);
	if (r->address != NULL &&
	    (r->each_address ||
		(G.verbose > 0 && strcmp(r->address, r->host) != 0)))
		fprintf(fp, "[%s]", r->address);
	fprintf(fp, " %u/%s %s", (unsigned)r->port, r->udp ? "udp" : "tcp",
	    check_state_name(r->state));
	if (timed(r->state))
		fprintf(fp, " %.2fms", r->latency_ms);
	else
		fputs(" -", fp);
	if (r->error != NULL) {
		fputs(" (", fp);
		text_put(fp, r->error);
		putc(')', fp);
	}
	if (r->mptcp_asked)
		fputs(r->mptcp ? " (mptcp)" : " (tcp: no MPTCP)", fp);
	facts_text(fp, r);
	if (r->tls != NULL) {
		putc(' ', fp);
		tls_text(fp, r->tls, r->state != CHECK_TLS_ERROR);
	}
	putc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

static int
print_json(FILE *fp, const struct check_result *r, uint64_t seq)
{
	struct json j;

	json_begin(&j, fp);
	if (seq > 0) /* --count */
		json_uint(&j, "seq", seq);
	json_str(&j, "host", r->host);
	/* null when a proxy resolved HOST, or HOST did not resolve */
	json_str(&j, "address", r->address);
	json_uint(&j, "port", r->port);
	json_str(&j, "proto", r->udp ? "udp" : "tcp");
	json_str(&j, "state", check_state_name(r->state));
	if (timed(r->state))
		json_num(&j, "latency_ms", r->latency_ms, 2);
	else
		json_null(&j, "latency_ms");
	if (r->error != NULL)
		json_str(&j, "error", r->error);
	if (r->error_code != NULL)
		json_str(&j, "code", r->error_code);
	if (r->mptcp_asked)
		json_bool(&j, "mptcp", r->mptcp);
	facts_json(&j, r, timed(r->state));
	if (r->tls != NULL) {
		json_obj(&j, "tls");
		tls_json(&j, r->tls);
		json_close(&j);
	}
	/* written whole into stdio's buffer; flushed per batch */
	return json_end_buffered(&j);
}

/* Run as nc (nc -z): nothing on stdout; with -v, nc's line per port on
   stderr, "Connection to HOST (ADDRESS) PORT port [tcp/SERVICE]
   succeeded!" or "connect to ADDRESS port PORT (tcp) failed: WHY". */
static int
print_nc(const struct check_result *r)
{
	const char *proto = r->udp ? "udp" : "tcp", *at = r->address;
	char text[2 * NI_MAXHOST + 128], service[64], *why;

	if (G.verbose == 0 || G.quiet)
		return 0;
	if (at == NULL)
		at = r->host;
	if (r->state == CHECK_OPEN || r->state == CHECK_OPEN_FILTERED) {
		sock_service_name(r->port, proto, service, sizeof(service));
		snprintf(text, sizeof(text),
		    "Connection to %s%s%s%s %u port [%s/%s] succeeded!",
		    r->host, strcmp(at, r->host) != 0 ? " (" : "",
		    strcmp(at, r->host) != 0 ? at : "",
		    strcmp(at, r->host) != 0 ? ")" : "", (unsigned)r->port,
		    proto, G.numeric ? "*" : service);
		return stderr_text("", text, "");
	}
	why = r->state == CHECK_CLOSED ? "Connection refused" :
	    r->state == CHECK_TIMEOUT  ? "Connection timed out" :
	    r->error != NULL	       ? (char *)r->error :
					 (char *)check_state_name(r->state);
	snprintf(text, sizeof(text), "connect to %s port %u (%s) failed: %s",
	    at, (unsigned)r->port, proto, why);
	return stderr_text("nc: ", text, "");
}

int
results_print(void *ctx, const struct check_result *r)
{
	struct results *out = ctx;

	if (out->keep != NULL &&
	    kept_add(out->keep, r, out->target, out->seq) == -1)
		return -1;
	if (out->whole)
		return 0;
	if (G.nc)
		return print_nc(r);
	return G.json ? print_json(out->fp, r, out->seq) :
			print_text(out->fp, r);
}

int
results_flush(void *ctx)
{
	struct results *out = ctx;

	return fflush(out->fp) == EOF ? -1 : 0;
}

/* -v: HOST's addresses, the list cut at about 500 bytes. */
static void
note_addresses(const struct check_note *n)
{
	char list[512];
	size_t i, len = 0;

	if (n->via_proxy) {
		diag(1, "%s has %zu addresses: %s goes to the proxy", n->host,
		    n->count, n->addresses[0]);
		return;
	}
	list[0] = '\0';
	for (i = 0; i < n->count && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? " " : "", n->addresses[i]);
	diag(1, "%s has %zu addresses: %s", n->host, n->count, list);
}

void
results_note(void *ctx, const struct check_note *n)
{
	(void)ctx;
	switch (n->kind) {
	case CHECK_NOTE_ADDRESSES:
		note_addresses(n);
		break;
	case CHECK_NOTE_UNRESOLVED:
		diag(1, "round %d: %s does not resolve yet: %s", n->round,
		    n->host, n->why);
		break;
	case CHECK_NOTE_NOT_OPEN:
		diag(1, "round %d: %zu of %zu %s not open yet", n->round,
		    n->count, n->total,
		    n->each_address ? "ports and addresses" : "ports");
		break;
	case CHECK_NOTE_INSECURE:
		diag(1, "--insecure: certificates are not verified");
		break;
	}
}

int
results_status(const struct check_tally *t, bool udp)
{
	const size_t *n = t->state;
	bool failed = udp ? n[CHECK_CLOSED] > 0 : n[CHECK_OPEN] < t->results;

	if (G.nc) /* nc -z: any port open is success */
		return n[CHECK_OPEN] + n[CHECK_OPEN_FILTERED] > 0 ? EXIT_OK :
								    EXIT_NET;
	if (n[CHECK_PENDING] > 0)
		return EXIT_LOCAL;
	if (n[CHECK_UNRESOLVED] > 0)
		return EXIT_RESOLVE;
	if (n[CHECK_TLS_ERROR] > 0)
		return EXIT_TLS;
	return failed ? EXIT_NET : EXIT_OK;
}
