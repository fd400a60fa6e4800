/* Socket option specs NAME=VALUE (-O and the sockopt mode):
   sock_opt_check() on the input as it is, then the input as the VALUE of
   every option of the table.  Checks: a parsed value prints with
   sock_opt_str() and that text parses back to the same value. */
#include "config.h"

#include "fuzz.h"
#include "sock/sock.h"

static void
check_spec(const char *spec)
{
	const struct sock_opt *o = NULL;
	struct sock_optval v, w;
	struct sock_err e;
	char text[128], again[256];

	if (sock_opt_check(spec, &o, &v, &e) == -1) {
		CHECK(e.kind == SOCK_EUSAGE &&
			fuzz_err_ok(e.what, sizeof(e.what)),
		    "error of \"%s\"", spec);
		return;
	}
	CHECK(o != NULL && !(o->flags & SOF_RO), "\"%s\" sets %s", spec,
	    o ? o->name : "?");
	CHECK(v.type == o->type, "type of \"%s\"", spec);
	sock_opt_str(&v, text, sizeof(text));
	snprintf(again, sizeof(again), "%s=%s", o->name, text);
	CHECK(sock_opt_check(again, &o, &w, &e) == 0,
	    "\"%s\" (from \"%s\"): %s", again, spec, sock_strerror(&e));
	CHECK(sock_optval_equal(&v, &w), "\"%s\" reads back as \"%s\"", spec,
	    again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *spec;
	size_t i, n;

	check_spec(s);
	for (i = 0; i < sock_nopts; i++) {
		n = strlen(sock_opts[i].name);
		spec = malloc(n + 1 + strlen(s) + 1);
		if (spec == NULL)
			abort();
		memcpy(spec, sock_opts[i].name, n);
		spec[n] = '=';
		strcpy(spec + n + 1, s);
		check_spec(spec);
		free(spec);
	}
	free(s);
	return 0;
}
