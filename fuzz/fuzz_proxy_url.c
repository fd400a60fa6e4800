/* The proxy URL with its credentials (src/proxy/url.c): proxy_parse_with()
   with the user name and password of the environment, proxy_redact(),
   proxy_scrub() as done on argv, and proxy_target_check() on the same
   bytes as a target host.  The input is URL, then optionally NUL and
   SOCKIT_PROXY_USER, then NUL and SOCKIT_PROXY_PASSWORD.  Checks: an
   error is a usage error whose words hold no control byte and no
   password of the environment; a parsed URL has a host, a port, the
   credentials each protocol can carry, and shows as SCHEME://[***@]ADDR;
   the scrubbed URL keeps its length, parses to the same proxy, and its
   password is only *; a host that passes the check is printable, without
   blanks, at most 254 bytes. */
#include "config.h"

#include "fuzz.h"
#include "proxy/proxy.h"

/* true when s holds no control byte. */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The error of url: a usage error, printable.  Parsed again with a
   password of the environment of the same length but other bytes, it is
   the same error: the password's bytes never reach a message. */
static void
check_failure(const struct sock_err *e, const char *url, const char *user,
    const char *pass)
{
	struct sock_err e2;
	struct proxy q;
	char *other;

	CHECK(e->kind == SOCK_EUSAGE && fuzz_err_ok(e->what, sizeof(e->what)) &&
		fuzz_err_ok(e->msg, sizeof(e->msg)),
	    "error of \"%s\"", url);
	CHECK(strncmp(e->what, "proxy URL \"", 11) == 0 ||
		strcmp(e->what, "SOCKIT_PROXY_USER") == 0 ||
		strcmp(e->what, "SOCKIT_PROXY_PASSWORD") == 0,
	    "what \"%s\"", e->what);
	CHECK(printable(e->what) && printable(e->msg),
	    "raw control byte: %s: %s", e->what, e->msg);
	if (pass == NULL || *pass == '\0')
		return;
	other = strdup(pass);
	if (other == NULL)
		abort();
	memset(other, other[0] == 'Q' ? 'R' : 'Q', strlen(other));
	CHECK(proxy_parse_with(url, user, other, &q, &e2) == -1 &&
		strcmp(e->what, e2.what) == 0 && strcmp(e->msg, e2.msg) == 0,
	    "the password changes the error: %s: %s", e->what, e->msg);
	free(other);
}

static void
check_parsed(const struct proxy *p, const char *url)
{
	char want[sizeof(p->shown)];

	CHECK(p->host[0] != '\0' && p->port != 0, "\"%s\": no host or port",
	    url);
	CHECK(!p->has_pass || p->has_user, "\"%s\": a password, no user", url);
	if (p->type == PROXY_SOCKS4 || p->type == PROXY_SOCKS4A)
		CHECK(!p->has_pass, "\"%s\": socks4 with a password", url);
	if ((p->type == PROXY_SOCKS5 || p->type == PROXY_SOCKS5H) &&
	    p->has_user)
		CHECK(p->has_pass && p->pass[0] != '\0',
		    "\"%s\": socks5 user without a password", url);
	snprintf(want, sizeof(want), "%s://%s%s", proxy_scheme(p->type),
	    p->has_user ? "***@" : "", p->addr);
	CHECK(strcmp(p->shown, want) == 0, "\"%s\" shows as \"%s\"", url,
	    p->shown);
}

/* The URL scrubbed in a buffer of its own size: the same proxy, a
   password of 1-3 '*' when the URL had one. */
static void
check_scrub(const struct proxy *p, const char *url, const char *user,
    const char *pass)
{
	size_t n = strlen(url), i;
	char *s = fuzz_str((const uint8_t *)url, n);
	struct proxy q, bare;
	struct sock_err e;

	proxy_scrub(s);
	for (i = strlen(s); i <= n; i++)
		CHECK(s[i] == '\0', "\"%s\" scrubbed: byte %zu not NUL", url,
		    i);
	CHECK(proxy_parse_with(s, user, pass, &q, &e) == 0,
	    "\"%s\" scrubbed to \"%s\" fails: %s", url, s, e.msg);
	CHECK(q.type == p->type && strcmp(q.host, p->host) == 0 &&
		q.port == p->port && q.has_user == p->has_user &&
		strcmp(q.user, p->user) == 0,
	    "\"%s\" scrubbed to \"%s\": another proxy", url, s);
	if (proxy_parse_with(url, NULL, NULL, &bare, &e) == 0 &&
	    bare.has_pass && bare.pass[0] != '\0')
		CHECK(strspn(q.pass, "*") == strlen(q.pass) &&
			strlen(q.pass) >= 1 && strlen(q.pass) <= 3,
		    "\"%s\" scrubbed to \"%s\": password \"%s\"", url, s,
		    q.pass);
	free(s);
}

static void
check_target(const char *host)
{
	struct sock_err e;
	size_t i;

	if (proxy_target_check(host, &e) == -1) {
		CHECK(e.kind == SOCK_EUSAGE && printable(e.what) &&
			strncmp(e.what, "host \"", 6) == 0,
		    "target error: %s", e.what);
		return;
	}
	CHECK(strlen(host) <= 254, "a host of %zu bytes", strlen(host));
	for (i = 0; host[i] != '\0'; i++)
		CHECK((unsigned char)host[i] > 0x20 &&
			(unsigned char)host[i] < 0x7f,
		    "byte %#x in a host", (unsigned char)host[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *user = NULL, *pass = NULL;
	char shown[512];
	struct proxy p;
	struct sock_err e;
	size_t n = strlen(s);

	/* URL \0 USER \0 PASSWORD */
	if (n + 1 < size) {
		user = s + n + 1;
		if (n + 1 + strlen(user) + 1 < size)
			pass = user + strlen(user) + 1;
	}
	CHECK(printable(proxy_redact(s, shown, sizeof(shown))),
	    "redacted \"%s\"", shown);
	if (proxy_parse_with(s, user, pass, &p, &e) == -1) {
		check_failure(&e, s, user, pass);
	} else {
		check_parsed(&p, s);
		check_scrub(&p, s, user, pass);
	}
	check_target(s);
	free(s);
	return 0;
}
