/* connect -z results: what the check engine learned beyond the state
   (SPEC.md "The check engine"): the phases' times, why a port is not
   open (reason refused, the ICMP error that caused an unreachable or
   error), what --expect received or matched.  Text and JSON. */
#include "config.h"

#include <stdio.h>

#include "out/facts.h"
#include "out/json.h"
#include "out/report.h"

/* A phase's time, or null when it had none. */
static void
phase(struct json *j, const char *key, double ms)
{
	if (ms >= 0)
		json_num(j, key, ms, 2);
	else
		json_null(j, key);
}

void
facts_json(struct json *j, const struct check_result *r, bool answered)
{
	const struct check_facts *f = r->facts;

	phase(j, "dns_ms", r->dns_ms);
	phase(j, "connect_ms", answered ? r->latency_ms : -1);
	if (r->tls_on)
		phase(j, "tls_ms", f != NULL ? f->tls_ms : -1);
	if (r->expect_on)
		phase(j, "first_byte_ms", f != NULL ? f->first_byte_ms : -1);
	if (r->reason != NULL)
		json_str(j, "reason", r->reason);
	if (f == NULL)
		return;
	if (f->received != NULL)
		json_str(j, "received", f->received);
	if (f->matched != NULL)
		json_str(j, "matched", f->matched);
	if (f->have_icmp) {
		json_obj(j, "icmp");
		json_uint(j, "type", f->icmp.type);
		json_uint(j, "code", f->icmp.code);
		json_str(j, "from", f->icmp.from[0] ? f->icmp.from : NULL);
		json_close(j);
	}
}

void
facts_text(FILE *fp, const struct check_result *r)
{
	const struct check_facts *f = r->facts;
	char words[128];

	if (f == NULL)
		return;
	if (f->received != NULL) {
		fputs(" \"", fp);
		text_put(fp, f->received); /* escaped already */
		putc('"', fp);
	}
	if (f->have_icmp) {
		facts_icmp_words(words, sizeof(words), f);
		fprintf(fp, " (%s)", words);
	}
}

void
facts_icmp_words(char *buf, size_t size, const struct check_facts *f)
{
	int n;

	buf[0] = '\0';
	if (f == NULL || !f->have_icmp)
		return;
	n = snprintf(buf, size, "ICMP%s type %u code %u",
	    f->icmp.v6 ? "v6" : "", (unsigned)f->icmp.type,
	    (unsigned)f->icmp.code);
	if (f->icmp.from[0] != '\0' && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " from %s", f->icmp.from);
}
