/* Values shared by socket options and the command line: DUR, SIZE,
   integers and booleans.  Pure functions. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sock/sock.h"

int
sock_parse_dur(const char *s, int64_t *ms, struct sock_err *e)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "", 1000 },
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60000 },
		{ "h", 3600000 },
	};
	char *end;
	double v;
	size_t i;

	if (*s == '\0')
		return sock_failmsg(e, SOCK_EUSAGE, "empty", "duration \"\"");
	if (!(*s >= '0' && *s <= '9') && *s != '.')
		return sock_failmsg(e, SOCK_EUSAGE, "not a number",
		    "duration \"%s\"", s);
	errno = 0;
	v = strtod(s, &end);
	/* decimal only: strtod() also takes "0x10" and "1e3" */
	if (end == s || errno != 0 || !isfinite(v) ||
	    strspn(s, "0123456789.") != (size_t)(end - s))
		return sock_failmsg(e, SOCK_EUSAGE, "not a number",
		    "duration \"%s\"", s);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		v *= units[i].ms;
		/* every wait holds it as int64_t milliseconds */
		if (v > (double)SOCK_DUR_MAX_MS)
			return sock_failmsg(e, SOCK_EUSAGE,
			    "too large (at most 8760h)", "duration \"%s\"", s);
		/* rounded up to the next millisecond, without libm (a whole
		   library mapped for one call costs every start its pages);
		   a fraction below 1e-6 ms is the noise of v's arithmetic
		   ("4444.4448m" is 266666688.00000003), not a fraction */
		*ms = (int64_t)v;
		if (v - (double)*ms > 1e-6)
			(*ms)++;
		return 0;
	}
	return sock_failmsg(e, SOCK_EUSAGE, "unknown unit (ms, s, m, h)",
	    "duration \"%s\"", s);
}

int
sock_parse_size(const char *s, uint64_t *bytes, struct sock_err *e)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	if (!(*s >= '0' && *s <= '9'))
		return sock_failmsg(e, SOCK_EUSAGE, "not a number",
		    "size \"%s\"", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return sock_failmsg(e, SOCK_EUSAGE, "too large", "size \"%s\"",
		    s);
	if (*end != '\0') {
		switch (*end) {
		case 'k':
		case 'K':
			mul = 1024ULL;
			break;
		case 'm':
		case 'M':
			mul = 1024ULL * 1024;
			break;
		case 'g':
		case 'G':
			mul = 1024ULL * 1024 * 1024;
			break;
		default:
			return sock_failmsg(e, SOCK_EUSAGE,
			    "unknown unit (K, M, G)", "size \"%s\"", s);
		}
		if (end[1] != '\0')
			return sock_failmsg(e, SOCK_EUSAGE,
			    "unknown unit (K, M, G)", "size \"%s\"", s);
	}
	if (v > UINT64_MAX / mul)
		return sock_failmsg(e, SOCK_EUSAGE, "too large", "size \"%s\"",
		    s);
	*bytes = v * mul;
	return 0;
}

int
sock_parse_uint(const char *s, uint64_t max, uint64_t *v, struct sock_err *e)
{
	unsigned long long n;
	char *end;

	if (!(*s >= '0' && *s <= '9'))
		return sock_failmsg(e, SOCK_EUSAGE, "not a number",
		    "number \"%s\"", s);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end != '\0')
		return sock_failmsg(e, SOCK_EUSAGE, "not a number",
		    "number \"%s\"", s);
	if (errno != 0 || n > max)
		return sock_failmsg(e, SOCK_EUSAGE, "too large",
		    "number \"%s\"", s);
	*v = n;
	return 0;
}

int
sock_parse_bool(const char *s, bool *v, struct sock_err *e)
{
	static const char *on[] = { "on", "true", "yes", "1" };
	static const char *off[] = { "off", "false", "no", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, on[i]) == 0) {
			*v = true;
			return 0;
		}
		if (strcasecmp(s, off[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return sock_failmsg(e, SOCK_EUSAGE,
	    "not a boolean (on/off/true/false/yes/no/1/0)", "value \"%s\"", s);
}
