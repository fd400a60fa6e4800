/* What a SOCKS4 or SOCKS4a proxy sends: the 8-byte reply (VN CD DSTPORT
   DSTIP), read by src/proxy/reply.c as io.c reads it.  Checks
   (fuzz_proxy.h): 8 bytes are asked for, no verdict comes early or
   changes; only code 90 of version 0 or 4 is granted, and a refusal at
   the target (91) is ECONNREFUSED. */
#include "config.h"

#include <errno.h>

#include "fuzz_proxy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_reply r;
	size_t used = fuzz_feed(proxy_socks4_reply, data, size, &r);

	if (used == 0)
		return 0;
	CHECK(used == 8, "a SOCKS4 reply of %zu bytes", used);
	if (r.verdict == PROXY_GRANTED)
		CHECK((data[0] == 0 || data[0] == 4) && data[1] == 90,
		    "VN %u CD %u granted", data[0], data[1]);
	if (r.verdict == PROXY_REFUSED && data[1] == 91)
		CHECK(r.at_target && r.code == ECONNREFUSED,
		    "91: at_target %d code %d", r.at_target, r.code);
	return 0;
}
