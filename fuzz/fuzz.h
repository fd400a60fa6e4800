/* Shared by the libFuzzer targets in fuzz/: input as C strings, and a
   check that aborts (a crash libFuzzer reports) when an invariant fails. */
#ifndef SOCKIT_FUZZ_H
#define SOCKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the message when cond is false. */
#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, \
			    "fuzz check failed at %s:%d: %s: ", __FILE__, \
			    __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* The n bytes as a string in a buffer of exactly n + 1 bytes (so ASan sees
   a read past its end); a NUL inside ends the string early.  Free it. */
static inline char *
fuzz_str(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* true when the error names what failed: what is a terminated string. */
static inline int
fuzz_err_ok(const char *what, size_t cap)
{
	return memchr(what, '\0', cap) != NULL;
}

#endif
