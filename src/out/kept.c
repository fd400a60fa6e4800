/* The results kept for the formats and the --count summaries, and the
   summaries: a line (or a JSON object) per target and port with the
   count of probes, how many were open, the share that failed and the
   latency figures of check/summary.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "out/facts.h"
#include "out/formats.h"
#include "out/json.h"
#include "out/line.h"
#include "check/summary.h"

bool
answered(enum check_state st)
{
	return st != CHECK_TIMEOUT && st != CHECK_OPEN_FILTERED &&
	    st != CHECK_UNRESOLVED && st != CHECK_PENDING;
}

bool
passed(const struct kept_result *k)
{
	return k->state == CHECK_OPEN ||
	    (k->udp && k->state == CHECK_OPEN_FILTERED);
}

/* "2027-01-31T12:00:00Z" as seconds since the epoch, or 0. */
static time_t
iso_seconds(const char *text)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(text, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static char *
copy(const char *s, bool *failed)
{
	char *c;

	if (s == NULL)
		return NULL;
	if ((c = strdup(s)) == NULL)
		*failed = true;
	return c;
}

int
kept_add(struct kept *k, const struct check_result *r, size_t target,
    uint64_t seq)
{
	struct kept_result *v, *x;
	char icmp[128];
	bool failed = false;

	if (k->n == k->cap) {
		v = realloc(k->v, (k->cap ? k->cap * 2 : 64) * sizeof(*v));
		if (v == NULL)
			return -1;
		k->v = v;
		k->cap = k->cap ? k->cap * 2 : 64;
	}
	x = &k->v[k->n];
	memset(x, 0, sizeof(*x));
	x->target = target;
	x->seq = seq;
	x->port = r->port;
	x->udp = r->udp;
	x->each_address = r->each_address;
	x->state = r->state;
	x->latency_ms = r->latency_ms;
	if (r->tls != NULL && r->tls->have_cert) {
		x->have_cert = true;
		x->not_after = iso_seconds(r->tls->not_after);
	}
	x->host = copy(r->host, &failed);
	x->address = copy(r->address, &failed);
	x->error = copy(r->error, &failed);
	if (r->facts != NULL) {
		x->received = copy(r->facts->received, &failed);
		facts_icmp_words(icmp, sizeof(icmp), r->facts);
		x->icmp = copy(icmp[0] != '\0' ? icmp : NULL, &failed);
	}
	k->n++;
	return failed ? -1 : 0;
}

int
kept_move(struct kept *to, struct kept *from)
{
	struct kept_result *v;
	size_t need = to->n + from->n;

	if (need > to->cap) {
		if ((v = realloc(to->v, need * sizeof(*v))) == NULL)
			return -1;
		to->v = v;
		to->cap = need;
	}
	if (from->n > 0)
		memcpy(to->v + to->n, from->v, from->n * sizeof(*v));
	to->n = need;
	from->n = 0;
	return 0;
}

void
kept_free(struct kept *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].host);
		free(k->v[i].address);
		free(k->v[i].error);
		free(k->v[i].received);
		free(k->v[i].icmp);
	}
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* a and b are probes of the same target, port and (--all-addresses)
   address. */
static bool
same_target(const struct kept_result *a, const struct kept_result *b)
{
	return a->target == b->target && a->port == b->port &&
	    a->udp == b->udp && a->each_address == b->each_address &&
	    (!a->each_address ||
		(a->address && b->address &&
		    strcmp(a->address, b->address) == 0));
}

static void
summary_text(FILE *fp, const struct kept_result *k, size_t probes, size_t open,
    const struct check_summary *s)
{
	double failed = 100.0 * (double)(probes - open) / (double)probes;

	text_put(fp, k->host);
	if (k->each_address && k->address != NULL)
		fprintf(fp, "[%s]", k->address);
	fprintf(fp, " %u/%s: %zu probes, %zu open, %.*f%% failed, ",
	    (unsigned)k->port, k->udp ? "udp" : "tcp", probes, open,
	    failed == (double)(long)failed ? 0 : 1, failed);
	if (s->n == 0)
		fputs("latency min/avg/p50/p95/max -\n", fp);
	else
		fprintf(fp,
		    "latency min/avg/p50/p95/max "
		    "%.2f/%.2f/%.2f/%.2f/%.2f ms\n",
		    s->min, s->avg, s->p50, s->p95, s->max);
}

static int
summary_json(FILE *fp, const struct kept_result *k, size_t probes, size_t open,
    const struct check_summary *s)
{
	struct json j;

	json_begin(&j, fp);
	json_bool(&j, "summary", true);
	json_str(&j, "host", k->host);
	if (k->each_address)
		json_str(&j, "address", k->address);
	json_uint(&j, "port", k->port);
	json_str(&j, "proto", k->udp ? "udp" : "tcp");
	json_uint(&j, "probes", probes);
	json_uint(&j, "open", open);
	json_num(&j, "failed_pct",
	    100.0 * (double)(probes - open) / (double)probes, 1);
	if (s->n == 0) {
		json_null(&j, "latency_ms");
	} else {
		json_obj(&j, "latency_ms");
		json_num(&j, "min", s->min, 2);
		json_num(&j, "avg", s->avg, 2);
		json_num(&j, "p50", s->p50, 2);
		json_num(&j, "p95", s->p95, 2);
		json_num(&j, "p99", s->p99, 2);
		json_num(&j, "max", s->max, 2);
		json_num(&j, "stddev", s->stddev, 2);
		json_close(&j);
	}
	return json_end_buffered(&j);
}

/* Orders results by target, port, address, probe: the order of the
   results of one probe, each target's probes together. */
static int
by_target(const void *x, const void *y)
{
	const struct kept_result *a = *(const struct kept_result *const *)x,
				 *b = *(const struct kept_result *const *)y;
	int c;

	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->each_address && a->address && b->address &&
	    (c = strcmp(a->address, b->address)) != 0)
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The summary of the n probes of one target, from v. */
static int
summary_one(FILE *fp, bool json, struct kept_result *const *v, size_t n,
    double *lat)
{
	struct check_summary s;
	size_t i, open = 0;

	for (i = 0; i < n; i++)
		if (v[i]->state == CHECK_OPEN)
			lat[open++] = v[i]->latency_ms;
	check_summarize(lat, open, &s);
	if (json)
		return summary_json(fp, v[0], n, open, &s);
	summary_text(fp, v[0], n, open, &s);
	return ferror(fp) ? -1 : 0;
}

int
summary_print(FILE *fp, bool json, const struct kept *k)
{
	struct kept_result **v;
	double *lat;
	size_t i, first;
	int rc = 0;

	if (k->n == 0)
		return 0;
	v = malloc(k->n * sizeof(*v));
	lat = malloc(k->n * sizeof(*lat));
	if (v == NULL || lat == NULL) {
		free(v);
		free(lat);
		return -1;
	}
	for (i = 0; i < k->n; i++)
		v[i] = &k->v[i];
	qsort(v, k->n, sizeof(*v), by_target);
	for (first = 0, i = 1; i <= k->n && rc == 0; i++)
		if (i == k->n || !same_target(v[first], v[i])) {
			rc = summary_one(fp, json, v + first, i - first, lat);
			first = i;
		}
	free(v);
	free(lat);
	return rc;
}
