/* A TAP producer for the C unit tests: ok() lines, then the plan.  A
   test of several files includes it in each: the counters are weak
   symbols, one for the whole program. */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((weak)) int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline void __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
}

static inline void __attribute__((format(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...)
{
	char name[512];
	va_list ap;
	int pass = got != NULL && want != NULL && strcmp(got, want) == 0;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tap_ok(pass, file, line, "%s", name);
	if (!pass)
		printf("#      got: \"%s\"\n#     want: \"%s\"\n",
		    got ? got : "(null)", want ? want : "(null)");
}

/* Prints the plan; failures are the "not ok" lines. */
static inline int
done(void)
{
	printf("1..%d\n", tap_n);
	return 0;
}

#endif
