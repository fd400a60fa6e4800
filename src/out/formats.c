/* --format tap|junit|prometheus: the kept results written whole at the
   end.  TAP 14 for prove (a test point per result), JUnit XML for CI
   dashboards (one testsuite, a testcase per result, a failure with the
   reason), the Prometheus text exposition for node_exporter's textfile
   collector (up, latency, certificate expiry).  Strings the peer chose
   (a proxy's reply in an error) are escaped for each format. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/formats.h"

/* s with control characters as \xHH, and in TAP '#' (a directive) as
   \#: a description stays one line of its own. */
static void
put_tap(FILE *fp, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02X", *p);
		else if (*p == '#' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else
			putc(*p, fp);
	}
}

/* s escaped for XML text and attributes; characters XML 1.0 cannot hold
   (C0 but tab and newline) as '?'. */
static void
put_xml(FILE *fp, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&apos;", fp);
			break;
		default:
			putc(*p < 0x20 && *p != '\t' && *p != '\n' ? '?' : *p,
			    fp);
		}
	}
}

/* s as a Prometheus label value: \\, \" and \n escaped. */
static void
put_label(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			putc(*s, fp);
	}
}

/* Why a result is what it is, as text has it after the latency: the
   error in parentheses, what --expect received in quotes, the ICMP
   error behind it in parentheses. */
static void
why(FILE *fp, const struct kept_result *k, void (*put)(FILE *, const char *))
{
	if (k->error != NULL) {
		put(fp, " (");
		put(fp, k->error);
		put(fp, ")");
	}
	if (k->received != NULL) { /* the quotes through put: XML's &quot; */
		put(fp, " \"");
		put(fp, k->received);
		put(fp, "\"");
	}
	if (k->icmp != NULL) {
		put(fp, " (");
		put(fp, k->icmp);
		put(fp, ")");
	}
}

/* The words of a result as text has them, through put:
   HOST[ADDRESS] PORT/tcp STATE LATENCY (ERROR) "RECEIVED"; only HOST[ADDRESS]
   PORT/tcp, the same at every run, when not full. */
static void
describe(FILE *fp, const struct kept_result *k,
    void (*put)(FILE *, const char *), bool full)
{
	char words[64] = "";

	put(fp, k->host);
	if (k->each_address && k->address != NULL) {
		putc('[', fp);
		put(fp, k->address);
		putc(']', fp);
	}
	if (!full)
		fprintf(fp, " %u/%s", (unsigned)k->port,
		    k->udp ? "udp" : "tcp");
	else if (answered(k->state))
		snprintf(words, sizeof(words), " %u/%s %s %.2fms",
		    (unsigned)k->port, k->udp ? "udp" : "tcp",
		    check_state_name(k->state), k->latency_ms);
	else
		snprintf(words, sizeof(words), " %u/%s %s -", (unsigned)k->port,
		    k->udp ? "udp" : "tcp", check_state_name(k->state));
	fputs(full ? words : "", fp);
	if (full)
		why(fp, k, put);
}

static void
print_tap(FILE *fp, const struct kept *k)
{
	size_t i;

	fprintf(fp, "TAP version 14\n1..%zu\n", k->n);
	for (i = 0; i < k->n; i++) {
		fprintf(fp, "%s %zu - ", passed(&k->v[i]) ? "ok" : "not ok",
		    i + 1);
		describe(fp, &k->v[i], put_tap, true);
		putc('\n', fp);
	}
}

static void
print_testcase(FILE *fp, const struct kept_result *k)
{
	fputs("  <testcase classname=\"sockit.", fp);
	put_xml(fp, k->host);
	fputs("\" name=\"", fp);
	describe(fp, k, put_xml, false);
	if (k->seq > 0)
		fprintf(fp, " #%llu", (unsigned long long)k->seq);
	fprintf(fp, "\" time=\"%.6f\"",
	    answered(k->state) ? k->latency_ms / 1000 : 0.0);
	if (passed(k)) {
		fputs("/>\n", fp);
		return;
	}
	fprintf(fp, ">\n    <failure type=\"%s\" message=\"%s",
	    check_state_name(k->state), check_state_name(k->state));
	why(fp, k, put_xml);
	fputs("\">", fp);
	describe(fp, k, put_xml, true);
	fputs("</failure>\n  </testcase>\n", fp);
}

static void
print_junit(FILE *fp, const struct kept *k)
{
	size_t i, failures = 0;
	double seconds = 0;

	for (i = 0; i < k->n; i++) {
		failures += !passed(&k->v[i]);
		if (answered(k->v[i].state))
			seconds += k->v[i].latency_ms / 1000;
	}
	fprintf(fp,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuite name=\"sockit connect -z\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.6f\">\n",
	    k->n, failures, seconds);
	for (i = 0; i < k->n; i++)
		print_testcase(fp, &k->v[i]);
	fputs("</testsuite>\n", fp);
}

/* One series of metric for result r: NAME{host,address,port,proto}. */
static void
series(FILE *fp, const char *metric, const struct kept_result *r)
{
	fprintf(fp, "%s{host=\"", metric);
	put_label(fp, r->host);
	fputs("\",address=\"", fp);
	put_label(fp, r->address);
	fprintf(fp, "\",port=\"%u\",proto=\"%s\"} ", (unsigned)r->port,
	    r->udp ? "udp" : "tcp");
}

/* One series: the results of the last probe (with --count) that have
   its labels, merged: up only when every one passed, the longest
   latency, the earliest certificate expiry.  A --targets file that
   checks a port on several lines still gives each series once. */
struct series {
	const struct kept_result *r; /* the first result of the series */
	bool up, timed, have_cert;
	double latency_ms;
	time_t not_after;
};

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* Orders results by their labels (0: the same series). */
static int
labels_cmp(const struct kept_result *a, const struct kept_result *b)
{
	int c;

	if ((c = strcmp(or_empty(a->host), or_empty(b->host))) != 0 ||
	    (c = strcmp(or_empty(a->address), or_empty(b->address))) != 0)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return (a->udp > b->udp) - (a->udp < b->udp);
}

/* Orders results by their labels, then by their place in the output. */
static int
by_labels(const void *x, const void *y)
{
	const struct kept_result *a = *(const struct kept_result *const *)x,
				 *b = *(const struct kept_result *const *)y;
	int c = labels_cmp(a, b);

	return c != 0 ? c : (a > b) - (a < b);
}

static int
by_place(const void *x, const void *y)
{
	const struct series *a = x, *b = y;

	return (a->r > b->r) - (a->r < b->r);
}

/* Adds result r to series s (a new one when s->r is NULL). */
static void
merge(struct series *s, const struct kept_result *r)
{
	if (s->r == NULL) {
		s->r = r;
		s->up = true;
	}
	s->up = s->up && passed(r);
	if (answered(r->state) && (!s->timed || r->latency_ms > s->latency_ms))
		s->latency_ms = r->latency_ms;
	s->timed = s->timed || answered(r->state);
	if (r->have_cert && (!s->have_cert || r->not_after < s->not_after))
		s->not_after = r->not_after;
	s->have_cert = s->have_cert || r->have_cert;
}

/* The series of k, in the order of their first result; *n their count.
   NULL when out of memory. */
static struct series *
series_of(const struct kept *k, size_t *n)
{
	const struct kept_result **v;
	struct series *s;
	uint64_t last = 0;
	size_t i, m = 0;

	for (i = 0; i < k->n; i++)
		if (k->v[i].seq > last)
			last = k->v[i].seq;
	v = malloc((k->n + 1) * sizeof(*v));
	s = calloc(k->n + 1, sizeof(*s));
	if (v == NULL || s == NULL) {
		free(v);
		free(s);
		return NULL;
	}
	for (i = 0; i < k->n; i++)
		if (k->v[i].seq == last) /* --count: the last probe's */
			v[m++] = &k->v[i];
	qsort(v, m, sizeof(*v), by_labels);
	for (*n = 0, i = 0; i < m; i++) {
		if (i > 0 && labels_cmp(v[i - 1], v[i]) != 0)
			(*n)++;
		merge(&s[*n], v[i]);
	}
	*n += m > 0;
	free(v);
	qsort(s, *n, sizeof(*s), by_place);
	return s;
}

static int
print_prometheus(FILE *fp, const struct kept *k)
{
	struct series *s;
	size_t i, n;

	if ((s = series_of(k, &n)) == NULL)
		return -1;
	fputs("# HELP sockit_check_up 1 when the check passed (open), "
	      "else 0.\n# TYPE sockit_check_up gauge\n",
	    fp);
	for (i = 0; i < n; i++) {
		series(fp, "sockit_check_up", s[i].r);
		fprintf(fp, "%d\n", s[i].up);
	}
	fputs("# HELP sockit_check_latency_seconds Time to the answer "
	      "(open, closed, ...).\n"
	      "# TYPE sockit_check_latency_seconds gauge\n",
	    fp);
	for (i = 0; i < n; i++)
		if (s[i].timed) {
			series(fp, "sockit_check_latency_seconds", s[i].r);
			fprintf(fp, "%.6f\n", s[i].latency_ms / 1000);
		}
	fputs("# HELP sockit_tls_cert_not_after_seconds The certificate's "
	      "notAfter, seconds since the epoch.\n"
	      "# TYPE sockit_tls_cert_not_after_seconds gauge\n",
	    fp);
	for (i = 0; i < n; i++)
		if (s[i].have_cert) {
			series(fp, "sockit_tls_cert_not_after_seconds", s[i].r);
			fprintf(fp, "%lld\n", (long long)s[i].not_after);
		}
	free(s);
	return 0;
}

int
formats_print(FILE *fp, enum check_format format, const struct kept *k)
{
	if (format == FORMAT_TAP)
		print_tap(fp, k);
	else if (format == FORMAT_JUNIT)
		print_junit(fp, k);
	else if (format == FORMAT_PROMETHEUS && print_prometheus(fp, k) == -1)
		return -1;
	return ferror(fp) ? -1 : 0;
}
