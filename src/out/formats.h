/* connect -z output beyond a result per line: the results kept for
   --format tap|junit|prometheus (written whole at the end) and for the
   --count summaries.  check_result's strings live during the callback
   only: a kept result holds its own copies. */
#ifndef SOCKIT_FORMATS_H
#define SOCKIT_FORMATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "check/check.h"

/* --format: the words of its option row, in order. */
enum check_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_TAP,
	FORMAT_JUNIT,
	FORMAT_PROMETHEUS
};

struct kept_result {
	size_t target; /* which target (a --targets line) it is of */
	uint64_t seq;  /* --count: the probe, from 1; else 0 */
	char *host, *address, *error;
	char *received; /* mismatch: what --expect got, escaped */
	char *icmp;	/* the ICMP error behind it, as text words it */
	uint16_t port;
	bool udp, each_address;
	enum check_state state;
	double latency_ms; /* when answered(state) */
	bool have_cert;	   /* --tls: not_after is the certificate's */
	time_t not_after;
};

struct kept {
	struct kept_result *v;
	size_t n, cap;
};

/* Keeps a copy of r, of target target and probe seq.  Returns 0, or -1
   when out of memory. */
int kept_add(struct kept *, const struct check_result *r, size_t target,
    uint64_t seq);
/* Moves every result of from to the end of to.  Returns 0, or -1. */
int kept_move(struct kept *to, struct kept *from);
void kept_free(struct kept *);
/* The state is an answer: it has a latency. */
bool answered(enum check_state);
/* The result passed: open (with -u, open or open_filtered). */
bool passed(const struct kept_result *);

/* --count: a summary per target and port (and address with
   --all-addresses), in the order they first came, text or JSON:
   HOST PORT/tcp: 10 probes, 9 open, 10% failed, latency
   min/avg/p50/p95/max 0.10/0.21/0.19/0.40/0.52 ms.  The latencies are
   those of the open probes.  Returns 0, or -1 when the output failed. */
int summary_print(FILE *fp, bool json, const struct kept *);

/* The whole of the results in format (TAP 14, JUnit XML, Prometheus
   text).  Returns 0, or -1 when the output failed. */
int formats_print(FILE *fp, enum check_format, const struct kept *);

#endif
