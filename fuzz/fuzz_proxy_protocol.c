/* A PROXY protocol header as a listener receives it: the first byte
   picks the version asked (0: either, 1, 2), the rest is the stream,
   read by pp_parse() as stream/header.c reads it.  Checks: the verdict on
   every prefix shorter than a header is "more" (header.c consumes what the
   parser wants more of: a prefix must never be judged alone); a header
   is at most 107 bytes (v1) or 16 + its length (v2) and of the version
   asked; a refusal gives a printable reason; a header naming a client
   is built again by pp_build() into one that reads the same. */
#include "config.h"

#include "fuzz.h"
#include "proxy/pp.h"

static void
reason_sane(const struct pp_header *h)
{
	const char *p;

	CHECK(h->reason[0] != '\0', "a refusal without a reason");
	for (p = h->reason; *p != '\0'; p++)
		CHECK(*p >= 0x20 && *p < 0x7f, "reason byte 0x%02x",
		    (unsigned char)*p);
}

/* The header h (read from b) built again from its addresses. */
static void
round_trip(const struct pp_header *h)
{
	unsigned char b[256];
	struct pp_header again;
	size_t n = pp_build(h->version, &h->src, &h->dst, b, sizeof(b));

	CHECK(n > 0, "no header built");
	CHECK(pp_parse(b, n, h->version, &again) == PP_DONE, "built: %s",
	    again.reason);
	CHECK(again.len == n && again.has_addr, "built: len %zu of %zu",
	    again.len, n);
	CHECK(sock_addr_equal(&again.src, &h->src) &&
		sock_addr_equal(&again.dst, &h->dst),
	    "built: %s %u, read %s %u", h->src.host, h->src.port,
	    again.src.host, again.src.port);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_header h, part;
	enum pp_verdict v;
	int version;
	size_t i;

	if (size < 1)
		return 0;
	version = data[0] % 3;
	data++;
	size--;
	v = pp_parse(data, size, version, &h);
	if (v == PP_BAD) {
		reason_sane(&h);
		return 0;
	}
	if (v == PP_MORE) {
		CHECK(size < PP_V2_MAX, "more asked of %zu bytes", size);
		return 0;
	}
	CHECK(h.len >= 15 && h.len <= size, "len %zu of %zu", h.len, size);
	CHECK(version == 0 || h.version == version, "v%d of v%d", h.version,
	    version);
	CHECK(h.version == 2 || h.len <= PP_V1_MAX, "v1 of %zu bytes", h.len);
	CHECK(h.version == 1 ||
		h.len == 16 + ((size_t)data[14] << 8 | data[15]),
	    "v2 len %zu", h.len);
	for (i = 0; i < h.len; i++)
		CHECK(pp_parse(data, i, version, &part) == PP_MORE,
		    "a prefix of %zu of a %zu-byte header: %s", i, h.len,
		    part.reason);
	if (h.has_addr)
		round_trip(&h);
	return 0;
}
