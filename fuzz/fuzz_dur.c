/* DUR ("250ms", "2s", "1.5", "3m", "1h"): sock_parse_dur().  Checks: only
   SPEC.md's grammar is taken (a decimal number, one unit); a duration is
   never negative nor past the limit; whole numbers are exact; the
   milliseconds read back as themselves. */
#include "config.h"

#include <inttypes.h>

#include "fuzz.h"
#include "sock/sock.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_err e;
	int64_t ms = -7, ms2;
	char *s, buf[64];
	const char *p;

	s = fuzz_str(data, size);
	if (sock_parse_dur(s, &ms, &e) == -1) {
		CHECK(ms == -7, "*ms written on failure");
		CHECK(e.kind == SOCK_EUSAGE &&
			fuzz_err_ok(e.what, sizeof(e.what)),
		    "error of \"%s\"", s);
		free(s);
		return 0;
	}
	CHECK(ms >= 0 && ms <= SOCK_DUR_MAX_MS, "\"%s\" is %" PRId64, s, ms);
	/* DIGITS[.DIGITS] or .DIGITS, then "", ms, s, m or h */
	p = s + strspn(s, "0123456789.");
	CHECK(p != s && strchr(s, '.') == strrchr(s, '.') && strcmp(s, ".") &&
		(*p == '\0' || strcmp(p, "ms") == 0 || strcmp(p, "s") == 0 ||
		    strcmp(p, "m") == 0 || strcmp(p, "h") == 0),
	    "\"%s\" is not a DUR but is %" PRId64 " ms", s, ms);
	/* plain digits and a unit: exact */
	p = s + strspn(s, "0123456789");
	if (p != s && p - s <= 9 &&
	    (strcmp(p, "ms") == 0 || strcmp(p, "s") == 0 || *p == '\0')) {
		ms2 = strtoll(s, NULL, 10) * (strcmp(p, "ms") == 0 ? 1 : 1000);
		CHECK(ms == ms2, "\"%s\" is %" PRId64 ", not %" PRId64, s, ms,
		    ms2);
	}
	/* the milliseconds read back */
	snprintf(buf, sizeof(buf), "%" PRId64 "ms", ms);
	CHECK(sock_parse_dur(buf, &ms2, &e) == 0 && ms2 == ms,
	    "\"%s\" does not read back", buf);
	free(s);
	return 0;
}
