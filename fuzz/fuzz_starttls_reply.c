/* What a server answers in a STARTTLS upgrade (connect -z --starttls):
   starttls_reply() on every step of every protocol, and talk_escape(),
   which quotes the reply in the reason and what --expect received.  The
   first byte picks the protocol and step; the rest is the reply so far.
   Checks: the verdict is -1, 0 or 1; a "no" names the protocol and
   quotes the reply in printable ASCII only (the server's bytes never
   reach a terminal raw); the verdict on a reply does not change when
   more bytes follow it (a complete reply stays complete); the escape of
   any bytes is printable ASCII, at most 4 bytes per byte. */
#include "config.h"

#include "fuzz.h"
#include "check/talk.h"

/* true when s is printable ASCII only. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum check_starttls proto;
	unsigned step, nsteps;
	char why[256], why2[256], *esc;
	const char *in;
	int rc, rc2;

	if (size < 1)
		return 0;
	proto = (enum check_starttls)(1 + data[0] % STARTTLS_POSTGRES);
	nsteps = starttls_steps(proto);
	CHECK(nsteps > 0, "%s has no steps", starttls_name(proto));
	step = (unsigned)(data[0] / STARTTLS_POSTGRES) % nsteps;
	in = (const char *)data + 1;
	size--;
	why[0] = '\0';
	rc = starttls_reply(proto, step, in, size, why, sizeof(why));
	CHECK(rc >= -1 && rc <= 1, "verdict %d", rc);
	if (rc == -1) {
		CHECK(strncmp(why, "starttls ", 9) == 0 && printable(why),
		    "reason \"%s\"", why);
	}
	/* a complete reply: its verdict holds with more bytes after it */
	if (rc != 0 && size > 0) {
		rc2 = starttls_reply(proto, step, in, size - 1, why2,
		    sizeof(why2));
		if (rc2 != 0) {
			CHECK(rc2 == rc, "verdict %d, %d with a byte more", rc2,
			    rc);
		}
	}
	esc = talk_escape(in, size);
	CHECK(esc != NULL, "out of memory");
	CHECK(printable(esc) && strlen(esc) <= 4 * size, "escape \"%s\"", esc);
	free(esc);
	return 0;
}
