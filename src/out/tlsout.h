/* The facts of a TLS session as output: the "tls" event of listen and
   connect, and the "tls" object and text of connect -z --tls. */
#ifndef SOCKIT_TLSOUT_H
#define SOCKIT_TLSOUT_H

#include <stdio.h>

#include "out/json.h"
#include "tls/tls.h"

/* The members of a "tls" object (opened by the caller). */
void tls_json(struct json *, const struct tls_info *);
/* A short text form: "TLSv1.3 TLS_AES_128_GCM_SHA256 alpn h2, CN=x
   (issuer CN=ca), expires 2027-01-01T00:00:00Z (10 days), verified";
   why: after "not verified", the reason. */
void tls_text(FILE *, const struct tls_info *, bool why);

#endif
