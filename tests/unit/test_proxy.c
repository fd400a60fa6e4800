/* Unit tests of the proxy URL parser (src/proxy.c): schemes, default
   ports, credentials (percent-decoded, never in messages), hosts, and a
   usage error naming the part that is wrong. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proxy.h"
#include "tap.h"

static void
test_good(void)
{
	static const struct {
		const char *url;
		enum proxy_type type;
		const char *host;
		unsigned port;
		const char *user, *pass;
		const char *shown;
	} t[] = {
		{ "socks5://127.0.0.1:1080", PROXY_SOCKS5, "127.0.0.1", 1080,
		    NULL, NULL, "socks5://127.0.0.1:1080" },
		{ "socks5://127.0.0.1", PROXY_SOCKS5, "127.0.0.1", 1080, NULL,
		    NULL, "socks5://127.0.0.1:1080" },
		{ "socks5h://proxy.example:9050/", PROXY_SOCKS5H,
		    "proxy.example", 9050, NULL, NULL,
		    "socks5h://proxy.example:9050" },
		{ "SOCKS4://10.0.0.1", PROXY_SOCKS4, "10.0.0.1", 1080, NULL,
		    NULL, "socks4://10.0.0.1:1080" },
		{ "socks4a://me@gw:1081", PROXY_SOCKS4A, "gw", 1081, "me", NULL,
		    "socks4a://***@gw:1081" },
		{ "http://proxy", PROXY_HTTP, "proxy", 8080, NULL, NULL,
		    "http://proxy:8080" },
		{ "Http://[::1]:3128", PROXY_HTTP, "::1", 3128, NULL, NULL,
		    "http://[::1]:3128" },
		{ "http://[2001:db8::1]", PROXY_HTTP, "2001:db8::1", 8080, NULL,
		    NULL, "http://[2001:db8::1]:8080" },
		{ "socks5://alice:s3cret@127.0.0.1:1", PROXY_SOCKS5,
		    "127.0.0.1", 1, "alice", "s3cret",
		    "socks5://***@127.0.0.1:1" },
		{ "http://al%40ice:p%3Aw%2Fd%25@proxy:65535", PROXY_HTTP,
		    "proxy", 65535, "al@ice", "p:w/d%",
		    "http://***@proxy:65535" },
		{ "http://bob:p@ss@proxy", PROXY_HTTP, "proxy", 8080, "bob",
		    "p@ss", "http://***@proxy:8080" },
		{ "http://bob:@proxy", PROXY_HTTP, "proxy", 8080, "bob", "",
		    "http://***@proxy:8080" },
		{ "http://bob@proxy", PROXY_HTTP, "proxy", 8080, "bob", NULL,
		    "http://***@proxy:8080" },
	};
	struct proxy p;
	struct sock_err e;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = proxy_parse(t[i].url, &p, &e);

		ok(rc == 0, "%s parses", t[i].url);
		if (rc != 0) {
			printf("# %s: %s\n", e.what, sock_strerror(&e));
			continue;
		}
		ok(p.type == t[i].type, "%s: type %s", t[i].url,
		    proxy_scheme(p.type));
		is_str(p.host, t[i].host, "%s: host", t[i].url);
		ok(p.port == t[i].port, "%s: port %u", t[i].url,
		    (unsigned)p.port);
		ok(p.has_user == (t[i].user != NULL), "%s: has_user", t[i].url);
		if (t[i].user != NULL)
			is_str(p.user, t[i].user, "%s: user decoded", t[i].url);
		ok(p.has_pass == (t[i].pass != NULL), "%s: has_pass", t[i].url);
		if (t[i].pass != NULL)
			is_str(p.pass, t[i].pass, "%s: password decoded",
			    t[i].url);
		is_str(p.shown, t[i].shown, "%s: shown without credentials",
		    t[i].url);
	}
}

static void
test_bad(void)
{
	static const struct {
		const char *url;
		const char *msg; /* a part of the message */
	} t[] = {
		{ "127.0.0.1:1080", "no scheme" },
		{ "ftp://proxy", "unknown scheme" },
		{ "://proxy", "unknown scheme" },
		{ "https://proxy", "https" },
		{ "socks5://", "no host" },
		{ "socks5://:1080", "no host" },
		{ "socks5://u:p@", "no host" },
		{ "socks5://proxy:0", "bad port" },
		{ "socks5://proxy:65536", "bad port" },
		{ "socks5://proxy:", "bad port" },
		{ "socks5://proxy:80x", "bad port" },
		{ "socks5://proxy:-1", "bad port" },
		{ "socks5://proxy:1080/path", "path" },
		{ "http://proxy:8080?x=1", "path" },
		{ "http://::1:8080", "brackets" },
		{ "http://[::1:8080", "']'" },
		{ "http://[nothex]:8080", "IPv6" },
		{ "http://[::1]x", "after ']'" },
		{ "http://pro xy:8080", "bad character in the host" },
		{ "socks5://@proxy", "empty user name" },
		{ "socks5://:pw@proxy", "empty user name" },
		{ "socks5://user@proxy", "no password" },
		{ "socks5://user:@proxy", "no password" },
		{ "socks4://user:pw@proxy", "not a password" },
		{ "http://us%zzer:pw@proxy", "bad user name" },
		{ "http://user:pw%4@proxy", "bad password" },
		{ "http://user:pw%00@proxy", "bad password: %00" },
	};
	char long_user[400], url[600];
	struct proxy p;
	struct sock_err e;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(proxy_parse(t[i].url, &p, &e) == -1 && e.kind == SOCK_EUSAGE,
		    "%s is a usage error", t[i].url);
		ok(strstr(sock_strerror(&e), t[i].msg) != NULL,
		    "%s: message names it (\"%s\": got \"%s\")", t[i].url,
		    t[i].msg, sock_strerror(&e));
		ok(strncmp(e.what, "proxy URL \"", 11) == 0,
		    "%s: what is the URL (\"%s\")", t[i].url, e.what);
	}
	memset(long_user, 'u', 256);
	long_user[256] = '\0';
	snprintf(url, sizeof(url), "socks5://%s:pw@proxy", long_user);
	ok(proxy_parse(url, &p, &e) == -1 &&
		strstr(sock_strerror(&e), "255") != NULL,
	    "a user name past 255 bytes is refused");
	long_user[255] = '\0';
	snprintf(url, sizeof(url), "socks5://%s:pw@proxy", long_user);
	ok(proxy_parse(url, &p, &e) == 0 && strlen(p.user) == 255,
	    "a user name of 255 bytes is taken");
}

static void
test_secrets(void)
{
	static const char *const urls[] = {
		"socks5://alice:TOPSECRET@proxy:99999",
		"socks5://alice:TOPSECRET@proxy:1080/x",
		"socks4://alice:TOPSECRET@proxy",
		"http://alice:TOPSECRET@[::1",
		"http://alice:TOP%zzSECRET@proxy",
		"ftp://alice:TOPSECRET@proxy",
	};
	struct proxy p;
	struct sock_err e;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		ok(proxy_parse(urls[i], &p, &e) == -1, "%s fails", urls[i]);
		ok(strstr(e.what, "SECRET") == NULL &&
			strstr(e.what, "alice") == NULL &&
			strstr(sock_strerror(&e), "SECRET") == NULL,
		    "the message of %s hides the credentials (%s: %s)", urls[i],
		    e.what, sock_strerror(&e));
	}
	ok(proxy_parse("socks5h://alice:TOPSECRET@proxy", &p, &e) == 0 &&
		strstr(p.shown, "SECRET") == NULL &&
		strstr(p.shown, "alice") == NULL,
	    "the URL shown hides the credentials (%s)", p.shown);
	is_str(proxy_redact("http://u:p@h:1", buf, sizeof(buf)),
	    "http://***@h:1", "proxy_redact hides user and password");
	is_str(proxy_redact("http://h:1", buf, sizeof(buf)), "http://h:1",
	    "proxy_redact leaves a URL without credentials alone");
	ok(proxy_resolves(PROXY_SOCKS5H) && proxy_resolves(PROXY_SOCKS4A) &&
		proxy_resolves(PROXY_HTTP) && !proxy_resolves(PROXY_SOCKS5) &&
		!proxy_resolves(PROXY_SOCKS4),
	    "socks5h, socks4a and http let the proxy resolve names");
}

int
main(void)
{
	test_good();
	test_bad();
	test_secrets();
	return done();
}
