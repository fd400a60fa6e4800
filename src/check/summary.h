/* --count: the latency figures of a target's probes (min, avg, p50, p95,
   p99, max, stddev), for the summary line out/ prints after them. */
#ifndef SOCKIT_SUMMARY_H
#define SOCKIT_SUMMARY_H

#include <stddef.h>

struct check_summary {
	size_t n; /* latencies: the figures below mean nothing when 0 */
	double min, avg, p50, p95, p99, max;
	double stddev; /* population standard deviation */
};

/* The figures of the n latencies of v (milliseconds; v is sorted in
   place).  Percentiles are nearest-rank: the smallest value with at
   least that share of the values at or below it, so each is one of the
   probes' own latencies. */
void check_summarize(double *v, size_t n, struct check_summary *s);

#endif
