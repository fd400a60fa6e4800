/* PORTS lists ("22,80,8000-8100", service names): parse_ports().  The
   first byte picks -n and tcp/udp.  Checks: the list is sorted, has no
   duplicate and no port 0, and each item of a numeric list is in it. */
#include "config.h"

#include "fuzz.h"
#include "cli/parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_err e;
	uint16_t *ports = NULL, lo;
	char *s, *dup, *item, *save = NULL;
	size_t n = 99, i;
	bool numeric;
	int rc;

	if (size < 1)
		return 0;
	numeric = (data[0] & 1) != 0;
	s = fuzz_str(data + 1, size - 1);
	rc = parse_ports(s, data[0] & 2 ? "udp" : "tcp", numeric, &ports, &n,
	    &e);
	if (rc == -1) {
		CHECK(ports == NULL && n == 0, "output on failure");
		CHECK(e.kind == SOCK_EUSAGE &&
			fuzz_err_ok(e.what, sizeof(e.what)),
		    "error of \"%s\"", s);
		free(s);
		return 0;
	}
	CHECK(rc == 0 && n >= 1 && n <= 65535, "rc %d, n %zu", rc, n);
	CHECK(ports[0] != 0, "port 0 in \"%s\"", s);
	for (i = 1; i < n; i++)
		CHECK(ports[i - 1] < ports[i], "not sorted at %zu: \"%s\"", i,
		    s);
	/* every plain number of the list is in it */
	dup = strdup(s);
	for (item = strtok_r(dup, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (strspn(item, "0123456789") != strlen(item) ||
		    strlen(item) > 5)
			continue;
		lo = (uint16_t)atoi(item);
		for (i = 0; i < n && ports[i] != lo; i++)
			;
		CHECK(i < n, "%u missing from \"%s\"", lo, s);
	}
	free(dup);
	free(ports);
	free(s);
	return 0;
}
