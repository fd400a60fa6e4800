/* Shared by the fuzz targets of what a proxy answers (fuzz_socks4_reply,
   fuzz_socks5_reply): a reply parser of src/proxy/reply.c fed as io.c
   feeds it, exactly the bytes it asks for, each time from a heap copy of
   exactly that many bytes (so ASan sees a read past them). */
#ifndef SOCKIT_FUZZ_PROXY_H
#define SOCKIT_FUZZ_PROXY_H

#include "fuzz.h"
#include "proxy/proxy.h"

#define FUZZ_REPLY_MAX (4 + 1 + 255 + 2) /* the longest SOCKS reply */

typedef enum proxy_verdict (
    *fuzz_parser)(const unsigned char *, size_t, struct proxy_reply *);

/* parse over the first n bytes of d, as a copy of exactly n bytes. */
static inline enum proxy_verdict
fuzz_parse_copy(fuzz_parser parse, const uint8_t *d, size_t n,
    struct proxy_reply *r)
{
	unsigned char *b = malloc(n > 0 ? n : 1);
	enum proxy_verdict v;

	if (b == NULL)
		abort();
	memcpy(b, d, n);
	v = parse(b, n, r);
	free(b);
	return v;
}

/* Checks what a verdict says: a known verdict, a reason that is a
   terminated string of one line, one when refused or broken.  ascii:
   the reason is sockit's own words (SOCKS), printable ASCII; else it may
   carry the proxy's bytes (an HTTP status line), which the printers
   escape. */
static inline void
fuzz_reply_sane(const struct proxy_reply *r, bool ascii)
{
	size_t i, n;

	CHECK(r->verdict == PROXY_GRANTED || r->verdict == PROXY_REFUSED ||
		r->verdict == PROXY_BROKEN || r->verdict == PROXY_MORE,
	    "verdict %d", (int)r->verdict);
	n = strnlen(r->reason, sizeof(r->reason));
	CHECK(n < sizeof(r->reason), "reason not terminated");
	for (i = 0; i < n; i++)
		CHECK(ascii ? r->reason[i] >= 0x20 && r->reason[i] < 0x7f :
			      r->reason[i] != '\r' && r->reason[i] != '\n',
		    "byte %#x in reason \"%s\"", (unsigned char)r->reason[i],
		    r->reason);
	if (r->verdict == PROXY_REFUSED || r->verdict == PROXY_BROKEN)
		CHECK(n > 0, "a refusal without a reason");
}

/* Feeds d[0, n) to parse as io_reply() does; returns the bytes the reply
   took (0 when d ended first: the proxy closed).  Checks: every request
   for more asks for more than is there and no more than a reply can be;
   a verdict never changes with the same bytes, and no shorter prefix
   gives one; a granted reply took exactly what was read. */
static inline size_t
fuzz_feed(fuzz_parser parse, const uint8_t *d, size_t n, struct proxy_reply *r)
{
	struct proxy_reply again;
	size_t have = 0, k;

	while (fuzz_parse_copy(parse, d, have, r) == PROXY_MORE) {
		fuzz_reply_sane(r, true);
		CHECK(r->need > have && r->need <= FUZZ_REPLY_MAX,
		    "need %zu after %zu bytes", r->need, have);
		if (r->need > n)
			return 0;
		have = r->need;
	}
	fuzz_reply_sane(r, true);
	CHECK(fuzz_parse_copy(parse, d, have, &again) == r->verdict &&
		strcmp(again.reason, r->reason) == 0,
	    "the same %zu bytes, another verdict", have);
	for (k = 0; k < have; k++)
		CHECK(fuzz_parse_copy(parse, d, k, &again) == PROXY_MORE,
		    "a verdict from %zu of %zu bytes", k, have);
	if (r->verdict == PROXY_GRANTED)
		CHECK(r->len == have, "granted: len %zu, read %zu", r->len,
		    have);
	return have;
}

#endif
