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
/* The ICMP error of f as text has it, without the parentheses: "ICMP
   type T code C from ADDR" ("ICMPv6 ..."), into buf; "" when none. */
void facts_icmp_words(char *buf, size_t size, const struct check_facts *f);

#endif
