/* TLS facts as JSON members and as text.  No OpenSSL here: the facts
   come in a struct tls_info. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/report.h"
#include "out/log.h"
#include "out/tlsout.h"

void
tls_json(struct json *j, const struct tls_info *in)
{
	const char *cert[] = { "subject", "issuer", "not_before", "not_after" };
	const char *val[] = { in->subject, in->issuer, in->not_before,
		in->not_after };
	size_t i;

	json_str(j, "version", in->version);
	json_str(j, "cipher", in->cipher);
	json_str(j, "alpn", in->alpn[0] ? in->alpn : NULL);
	for (i = 0; i < sizeof(cert) / sizeof(cert[0]); i++)
		json_str(j, cert[i],
		    in->have_cert && val[i][0] ? val[i] : NULL);
	if (in->have_cert && in->not_after[0])
		json_int(j, "days_left", in->days_left);
	else
		json_null(j, "days_left");
	json_bool(j, "verified", in->verified);
	json_str(j, "fingerprint_sha256",
	    in->have_cert ? in->fingerprint : NULL);
}

/* The fields come from the peer (its certificate, its ALPN answer):
   their control characters are escaped, here for -z's stdout too. */
void
tls_text(FILE *fp, const struct tls_info *in, bool why)
{
	text_put(fp, in->version);
	fputc(' ', fp);
	text_put(fp, in->cipher);
	if (in->alpn[0]) {
		fputs(" alpn ", fp);
		text_put(fp, in->alpn);
	}
	if (!in->have_cert) {
		fputs(", no certificate", fp);
		return;
	}
	fputs(", ", fp);
	text_put(fp, in->subject);
	fputs(" (issuer ", fp);
	text_put(fp, in->issuer);
	fputs("), expires ", fp);
	text_put(fp, in->not_after);
	fprintf(fp, " (%lld day%s), %s", in->days_left,
	    in->days_left == 1 || in->days_left == -1 ? "" : "s",
	    in->verified ? "verified" : "not verified");
	if (why && !in->verified && in->verify_error[0]) {
		fputs(": ", fp);
		text_put(fp, in->verify_error);
	}
}
