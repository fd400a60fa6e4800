/* The telnet filter (connect -t): telnet_scan() against a reference
   written here, in one call and split in two at a point the input picks
   (a sequence split across reads). */
#include "config.h"

#include "fuzz.h"
#include "stream/telnet.h"

enum {
	IAC = 255,
	DONT = 254,
	DO = 253,
	WONT = 252,
	WILL = 251,
	SB = 250,
	SE = 240
};

/* The reference: RFC 854's grammar read with an index, not a state. */
static size_t
ref_scan(const unsigned char *in, size_t n, unsigned char *out,
    unsigned char *ans, size_t *nans)
{
	size_t i = 0, k = 0;

	*nans = 0;
	while (i < n) {
		if (in[i] != IAC) {
			out[k++] = in[i++];
		} else if (i + 1 >= n) {
			i++;
		} else if (in[i + 1] == IAC) {
			out[k++] = IAC;
			i += 2;
		} else if (in[i + 1] >= WILL && in[i + 1] <= DONT) {
			if (i + 2 < n) {
				ans[(*nans)++] = IAC;
				ans[(*nans)++] = in[i + 1] >= DO ? WONT : DONT;
				ans[(*nans)++] = in[i + 2];
			}
			i += 3;
		} else if (in[i + 1] == SB) {
			/* to IAC SE; IAC IAC inside is data of the option */
			for (i += 2; i < n; i++) {
				if (in[i] != IAC)
					continue;
				if (i + 1 < n && in[i + 1] == SE) {
					i += 2;
					break;
				}
				i++;
			}
		} else {
			i += 2; /* a command of two bytes (NOP, GA, ...) */
		}
	}
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *want = malloc(size + 1), *want_ans = malloc(size + 1);
	char *whole = malloc(size + 1), *split = malloc(size + 1);
	char *ans = malloc(size + 1), *ans2 = malloc(size + 1);
	unsigned char at = 0, verb = 0;
	size_t k, k1, k2, n, n1, n2, cut, wk, wn;

	if (size > 0) {
		memcpy(whole, data, size);
		memcpy(split, data, size);
	}
	wk = ref_scan(data, size, want, want_ans, &wn);
	k = telnet_scan(&at, &verb, whole, size, ans, &n);
	CHECK(k == wk && (k == 0 || memcmp(whole, want, k) == 0),
	    "data: %zu bytes, the reference %zu", k, wk);
	CHECK(n == wn && (n == 0 || memcmp(ans, want_ans, n) == 0),
	    "answers: %zu bytes, the reference %zu", n, wn);
	/* split at a point the first byte picks: the same result */
	cut = size > 0 ? data[0] % (size + 1) : 0;
	at = verb = 0;
	k1 = telnet_scan(&at, &verb, split, cut, ans2, &n1);
	memmove(split + k1, split + cut, size - cut);
	k2 = telnet_scan(&at, &verb, split + k1, size - cut, ans2 + n1, &n2);
	CHECK(k1 + k2 == k && (k == 0 || memcmp(split, whole, k) == 0),
	    "split at %zu: data differs", cut);
	CHECK(n1 + n2 == n && (n == 0 || memcmp(ans2, ans, n) == 0),
	    "split at %zu: answers differ", cut);
	free(want);
	free(want_ans);
	free(whole);
	free(split);
	free(ans);
	free(ans2);
	return 0;
}
