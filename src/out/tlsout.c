/* TLS facts as JSON members and as text.  No OpenSSL here: the facts
   come in a struct tls_info. */
#include "config.h"

#include <stdio.h>

#include "out/line.h"
#include "out/tlsout.h"

void
tls_json(struct json *j, const struct tls_info *info)
{
	const char *field[] = { "subject", "issuer", "not_before",
		"not_after" };
	const char *value[] = { info->subject, info->issuer, info->not_before,
		info->not_after };
	size_t i;

	json_str(j, "version", info->version);
	json_str(j, "cipher", info->cipher);
	json_str(j, "alpn", info->alpn[0] ? info->alpn : NULL);
	for (i = 0; i < sizeof(field) / sizeof(field[0]); i++)
		json_str(j, field[i],
		    info->have_cert && value[i][0] ? value[i] : NULL);
	if (info->have_cert && info->not_after[0])
		json_int(j, "days_left", info->days_left);
	else
		json_null(j, "days_left");
	json_bool(j, "verified", info->verified);
	json_str(j, "fingerprint_sha256",
	    info->have_cert ? info->fingerprint : NULL);
}

/* The fields come from the peer (its certificate, its ALPN answer):
   their control characters are escaped, here for -z's stdout too. */
void
tls_text(FILE *fp, const struct tls_info *info, bool why)
{
	text_put(fp, info->version);
	fputc(' ', fp);
	text_put(fp, info->cipher);
	if (info->alpn[0]) {
		fputs(" alpn ", fp);
		text_put(fp, info->alpn);
	}
	if (!info->have_cert) {
		fputs(", no certificate", fp);
		return;
	}
	fputs(", ", fp);
	text_put(fp, info->subject);
	fputs(" (issuer ", fp);
	text_put(fp, info->issuer);
	fputs("), expires ", fp);
	text_put(fp, info->not_after);
	fprintf(fp, " (%lld day%s), %s", info->days_left,
	    info->days_left == 1 || info->days_left == -1 ? "" : "s",
	    info->verified ? "verified" : "not verified");
	if (why && !info->verified && info->verify_error[0]) {
		fputs(": ", fp);
		text_put(fp, info->verify_error);
	}
}
