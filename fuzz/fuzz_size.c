/* SIZE (bytes, K, M, G, base 1024): sock_parse_size() against a
   reference parser written here. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>

#include "fuzz.h"
#include "sock/sock.h"

/* The grammar: DIGITS [kKmMgG], no more, in 64 bits.  0 or -1. */
static int
ref_size(const char *s, uint64_t *v)
{
	uint64_t n = 0, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		s++;
		break;
	case 'm':
	case 'M':
		mul = 1ULL << 20;
		s++;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		s++;
		break;
	default:
		return -1;
	}
	if (*s != '\0' || n > UINT64_MAX / mul)
		return -1;
	*v = n * mul;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_err e;
	uint64_t got = 7, want = 7;
	char *s = fuzz_str(data, size);
	int rc = sock_parse_size(s, &got, &e), ref = ref_size(s, &want);

	CHECK(rc == ref, "\"%s\": %d, the reference says %d", s, rc, ref);
	if (rc == 0)
		CHECK(got == want, "\"%s\": %" PRIu64 ", not %" PRIu64, s, got,
		    want);
	else
		CHECK(got == 7 && e.kind == SOCK_EUSAGE &&
			fuzz_err_ok(e.what, sizeof(e.what)),
		    "error of \"%s\"", s);
	free(s);
	return 0;
}
