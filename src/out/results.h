/* connect -z results as output: the callbacks check/ hands each result
   and note to, and the exit status of the whole.  Text and JSON Lines
   now; the other formats of the check engine (TAP, JUnit, Prometheus)
   belong here too. */
#ifndef SOCKIT_RESULTS_H
#define SOCKIT_RESULTS_H

#include <stdbool.h>
#include <stdio.h>

#include "check/check.h"
#include "out/formats.h"

/* Where and how results go: the callbacks' ctx. */
struct results {
	FILE *fp;	   /* stdout, or a --targets line's buffer */
	bool whole;	   /* --format tap|junit|prometheus: kept only */
	uint64_t seq;	   /* --count: the probe, from 1 (JSON "seq"); 0 */
	size_t target;	   /* --targets: the line's index */
	struct kept *keep; /* results kept (formats, summaries), or NULL */
};

/* check_opts.result: one result, text (HOST PORT/tcp STATE LATENCY,
   HOST[ADDRESS] with --all-addresses, or with -v when HOST is a name,
   then an error's reason in parentheses and the TLS facts) or a JSON
   object, into stdio's buffer.  Returns 0, or -1 when the output
   failed. */
int results_print(void *ctx, const struct check_result *);
/* check_opts.flush: the batch out.  Returns 0, or -1 when it failed. */
int results_flush(void *ctx);
/* check_opts.note: a diagnostic (-v). */
void results_note(void *ctx, const struct check_note *);
/* SPEC.md's exit status of the results: 0 when every result is open
   (with -u: none closed), 3 when HOST did not resolve, 5 for a TLS
   failure, else 1; 4 when one was never checked (the output failed). */
int results_status(const struct check_tally *, bool udp);

#endif
