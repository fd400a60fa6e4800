/* --count: min/avg/p50/p95/p99/max/stddev of a target's latencies. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check/summary.h"

/* The square root of x >= 0 by Newton's method: libm (sqrt) would be
   the only library sockit maps for it, ~300 KiB of every process's RSS. */
static double
square_root(double x)
{
	double r = x > 1 ? x : 1, prev = 0;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 200 && r != prev; i++) {
		prev = r;
		r = (r + x / r) / 2;
	}
	return r;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile pct of the n sorted values of v. */
static double
rank(const double *v, size_t n, size_t pct)
{
	size_t k = (pct * n + 99) / 100; /* ceil(pct% of n) */

	return v[k > 0 ? k - 1 : 0];
}

void
check_summarize(double *v, size_t n, struct check_summary *s)
{
	double sum = 0, squares = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	if ((s->n = n) == 0)
		return;
	qsort(v, n, sizeof(*v), by_value);
	for (i = 0; i < n; i++)
		sum += v[i];
	s->avg = sum / (double)n;
	for (i = 0; i < n; i++)
		squares += (v[i] - s->avg) * (v[i] - s->avg);
	s->stddev = square_root(squares / (double)n);
	s->min = v[0];
	s->max = v[n - 1];
	s->p50 = rank(v, n, 50);
	s->p95 = rank(v, n, 95);
	s->p99 = rank(v, n, 99);
}
