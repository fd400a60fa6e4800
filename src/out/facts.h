/* connect -z results: the phases, the reason, the ICMP error and what
   --expect received, in text and JSON (out/results.c calls these). */
#ifndef SOCKIT_OUT_FACTS_H
#define SOCKIT_OUT_FACTS_H

#include <stdbool.h>
#include <stdio.h>

#include "check/check.h"
#include "out/json.h"

/* dns_ms, connect_ms (when answered), tls_ms, first_byte_ms, reason,
   received, matched, icmp. */
void facts_json(struct json *, const struct check_result *, bool answered);
/* After the latency: "received", (ICMP type T code C from ADDR). */
void facts_text(FILE *, const struct check_result *);

#endif
