/* The values of the command line the module parses: durations, sizes,
   numbers, booleans (src/sock/value.c). */
#include "config.h"

#include "test_sock.h"

void
test_values(void)
{
	static const struct {
		const char *in;
		int64_t ms;
	} dur[] = {
		{ "250ms", 250 },
		{ "2s", 2000 },
		{ "1.5", 1500 },
		{ "3m", 180000 },
		{ "1h", 3600000 },
		{ "0", 0 },
		{ ".5", 500 },
		{ "0.25s", 250 },
		{ "1.0005", 1001 },
		/* float noise is not a fraction (the fuzzer found this one) */
		{ "4444.4448m", 266666688 },
		{ "0.1s", 100 },
		{ "0.3", 300 },
		/* past INT_MAX ms, up to the limit of 365 days (audit 9) */
		{ "700h", 2520000000LL },
		{ "8760h", 31536000000LL },
		{ "525600m", 31536000000LL },
		{ "31536000", 31536000000LL },
		{ "31536000000ms", 31536000000LL },
	};
	static const char *bad_dur[] = { "5x", "", "-1", "s", "1.5.5", "ms",
		"1 s", "nan", "inf", "1e400", "0x10", "0x1p4s", "1e3",
		/* past 365 days (audit 9) */
		"8760.001h", "525601m", "31536000001ms", "31536000.001",
		"10000000h", "99999999999999999999999999" };
	static const struct {
		const char *in;
		uint64_t bytes;
	} size[] = {
		{ "0", 0 },
		{ "100", 100 },
		{ "64K", 65536 },
		{ "64k", 65536 },
		{ "1M", 1048576 },
		{ "2G", 2147483648ULL },
	};
	static const char *bad_size[] = { "3X", "", "K", "1KB", "-1",
		"99999999999999999999", "17179869184G" };
	static const char *on[] = { "on", "ON", "true", "yes", "1" };
	static const char *off[] = { "off", "False", "no", "0" };
	static const char *bad_bool[] = { "maybe", "", "2", "onn" };
	struct sock_err e;
	int64_t ms;
	uint64_t u;
	bool b;
	size_t i;

	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++) {
		ms = -42;
		ok(sock_parse_dur(dur[i].in, &ms, &e) == 0 && ms == dur[i].ms,
		    "sock_parse_dur \"%s\" is %lld ms", dur[i].in,
		    (long long)dur[i].ms);
	}
	for (i = 0; i < sizeof(bad_dur) / sizeof(bad_dur[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(sock_parse_dur(bad_dur[i], &ms, &e) == -1 &&
			e.kind == SOCK_EUSAGE && e.msg[0] != '\0',
		    "sock_parse_dur refuses \"%s\" (%s)", bad_dur[i], e.msg);
	}
	for (i = 0; i < sizeof(size) / sizeof(size[0]); i++)
		ok(sock_parse_size(size[i].in, &u, &e) == 0 &&
			u == size[i].bytes,
		    "sock_parse_size \"%s\" is %llu", size[i].in,
		    (unsigned long long)size[i].bytes);
	for (i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(sock_parse_size(bad_size[i], &u, &e) == -1 &&
			e.kind == SOCK_EUSAGE,
		    "sock_parse_size refuses \"%s\" (%s)", bad_size[i], e.msg);
	}
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		ok(sock_parse_bool(on[i], &b, &e) == 0 && b,
		    "sock_parse_bool \"%s\" is true", on[i]);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		ok(sock_parse_bool(off[i], &b, &e) == 0 && !b,
		    "sock_parse_bool \"%s\" is false", off[i]);
	for (i = 0; i < sizeof(bad_bool) / sizeof(bad_bool[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(sock_parse_bool(bad_bool[i], &b, &e) == -1 &&
			e.kind == SOCK_EUSAGE,
		    "sock_parse_bool refuses \"%s\"", bad_bool[i]);
	}
	ok(sock_parse_uint("255", 255, &u, &e) == 0 && u == 255 &&
		sock_parse_uint("256", 255, &u, &e) == -1,
	    "sock_parse_uint takes its maximum and refuses one more");
}
