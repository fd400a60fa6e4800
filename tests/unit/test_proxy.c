/* Unit tests of the proxy URL parser (src/proxy/proxy.c): schemes, default
   ports, credentials (percent-decoded, never in messages), hosts, and a
   usage error naming the part that is wrong. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proxy/proxy.h"
#include "tap.h"

void test_pp(void); /* proxy/pp.c */

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
		/* audit 6: the authority ends at '/': x@y is a path */
		{ "socks5://alice:s@h:1080/x@y", "path" },
		{ "socks5://alice:pa/ss@h:1080", "%2F" },
		{ "http://h:1080#frag@x", "path" },
		{ "socks5:/alice:s@h:1080", "no scheme" },
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
		/* audit 6: without "://", and past a path */
		"socks5:/alice:TOPSECRET@proxy:1080",
		"socks5:alice:TOPSECRET@proxy:1080",
		"alice:TOPSECRET@proxy:1080",
		"socks5://alice:TOPSECRET@proxy:1080/x@y",
		"socks5://alice:TOP/SECRET@proxy:1080",
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
	is_str(proxy_redact("socks5:/alice:secret@h:1080", buf, sizeof(buf)),
	    "socks5:***@h:1080", "audit 6: proxy_redact without ://");
	is_str(proxy_redact("alice:secret@h:1080", buf, sizeof(buf)),
	    "***@h:1080", "audit 6: proxy_redact without a scheme");
	is_str(proxy_redact("socks5://a:s@h:1/x@y", buf, sizeof(buf)),
	    "socks5://***@y", "audit 6: proxy_redact hides up to the last '@'");
	is_str(proxy_redact("http://h\r\n:1", buf, sizeof(buf)),
	    "http://h\\r\\n:1", "proxy_redact escapes control bytes");
	ok(proxy_resolves(PROXY_SOCKS5H) && proxy_resolves(PROXY_SOCKS4A) &&
		proxy_resolves(PROXY_HTTP) && !proxy_resolves(PROXY_SOCKS5) &&
		!proxy_resolves(PROXY_SOCKS4),
	    "socks5h, socks4a and http let the proxy resolve names");
}

/* audit 6: credentials from the environment fill what the URL lacks */
static void
test_env(void)
{
	struct proxy p;
	struct sock_err e;

	ok(proxy_parse_with("socks5://h", "alice", "pw", &p, &e) == 0 &&
		p.has_user && p.has_pass && strcmp(p.user, "alice") == 0 &&
		strcmp(p.pass, "pw") == 0,
	    "audit 6: user and password from the environment");
	is_str(p.shown, "socks5://***@h:1080",
	    "audit 6: credentials from the environment are hidden too");
	ok(proxy_parse_with("socks5://bob:url@h", "alice", "pw", &p, &e) == 0 &&
		strcmp(p.user, "bob") == 0 && strcmp(p.pass, "url") == 0,
	    "audit 6: the URL's credentials win");
	ok(proxy_parse_with("socks5://bob@h", "alice", "pw", &p, &e) == 0 &&
		strcmp(p.user, "bob") == 0 && strcmp(p.pass, "pw") == 0,
	    "audit 6: the URL's user, the environment's password");
	ok(proxy_parse_with("socks5://h", "", "", &p, &e) == 0 && !p.has_user &&
		!p.has_pass,
	    "audit 6: empty variables are unset");
	ok(proxy_parse_with("http://h", "alice", NULL, &p, &e) == 0 &&
		p.has_user && !p.has_pass,
	    "audit 6: http takes a user without a password");
	ok(proxy_parse_with("socks5://h", "alice", NULL, &p, &e) == -1 &&
		strstr(sock_strerror(&e), "no password") != NULL,
	    "audit 6: socks5 with a user and no password is refused");
	ok(proxy_parse_with("socks5://h", NULL, "s3cret", &p, &e) == -1 &&
		e.kind == SOCK_EUSAGE &&
		strcmp(e.what, "SOCKIT_PROXY_PASSWORD") == 0 &&
		strstr(sock_strerror(&e), "no user") != NULL &&
		strstr(sock_strerror(&e), "s3cret") == NULL,
	    "audit 6: a password without a user is refused (%s: %s)", e.what,
	    sock_strerror(&e));
	ok(proxy_parse_with("socks4://h", "me", NULL, &p, &e) == 0 &&
		strcmp(p.user, "me") == 0,
	    "audit 6: socks4 takes its user id from the environment");
	ok(proxy_parse_with("socks4://h", "me", "pw", &p, &e) == -1 &&
		strstr(sock_strerror(&e), "SOCKIT_PROXY_PASSWORD") != NULL,
	    "audit 6: socks4 with SOCKIT_PROXY_PASSWORD is refused, saying "
	    "why");
}

/* audit 6: the password scrubbed from argv in place */
static void
test_scrub(void)
{
	static const struct {
		const char *url, *want;
	} t[] = {
		{ "socks5h://alice:s3cretpw@127.0.0.1:1080",
		    "socks5h://alice:***@127.0.0.1:1080" },
		{ "http://bob:p%40ss%3Aword@h:8080/",
		    "http://bob:***@h:8080/" },
		{ "http://bob:p@ss@h", "http://bob:***@h" },
		{ "http://bob:xy@h", "http://bob:**@h" },
		{ "http://bob:x@h", "http://bob:*@h" },
		{ "http://bob:abc@h", "http://bob:***@h" },
		{ "http://bob:@h", "http://bob:@h" },
		{ "socks4://me@h", "socks4://me@h" },
		{ "socks5://h:1080", "socks5://h:1080" },
	};
	char buf[128];
	size_t i, j, n;
	bool nuls;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = strlen(t[i].url);
		memset(buf, 'X', sizeof(buf));
		memcpy(buf, t[i].url, n + 1);
		proxy_scrub(buf);
		is_str(buf, t[i].want, "audit 6: %s scrubbed", t[i].url);
		for (j = strlen(buf), nuls = true; j <= n; j++)
			nuls = nuls && buf[j] == '\0';
		ok(nuls && buf[n + 1] == 'X',
		    "audit 6: %s keeps its length, NULs after", t[i].url);
	}
}

/* audit 4: what may go into a proxy's request as the target host */
static void
test_target(void)
{
	static const char *const good[] = { "localhost", "example.org",
		"example.org.", "a-b.c_d.test", "127.0.0.1", "::1",
		"2001:db8::1", "::ffff:10.0.0.1", "xn--bcher-kva.example",
		"1.2.3" };
	static const struct {
		const char *host, *msg, *what;
	} bad[] = {
		{ "a\r\nb", "control", "host \"a\\r\\nb\"" },
		{ "a b", "blank", "host \"a b\"" },
		{ "a\tb", "control", "host \"a\\tb\"" },
		{ "x\x7f", "control", "host \"x\\x7f\"" },
		{ "b\xc3\xbc"
		  "cher.example",
		    "xn--", "host \"b\\xc3\\xbccher.example\"" },
		{ "", "empty", "host \"\"" },
		{ ".", "empty", NULL },
		{ "a..b", "empty label", NULL },
		{ ".a", "empty label", NULL },
		{ "-a.test", "starts with '-'", NULL },
		{ "a-.test", "ends with '-'", NULL },
		{ "a.test-", "ends with '-'", NULL },
		{ "a/b", "other than", NULL },
		{ "a:b", "other than", NULL },
		{ "fe80::1%eth0", "other than", NULL },
		{ "a\"b", "other than", "host \"a\\\"b\"" },
	};
	char name[300];
	struct sock_err e;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(proxy_target_check(good[i], &e) == 0,
		    "audit 4: %s is a host", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		ok(proxy_target_check(bad[i].host, &e) == -1 &&
			e.kind == SOCK_EUSAGE &&
			strstr(sock_strerror(&e), bad[i].msg) != NULL,
		    "audit 4: bad host %zu refused (%s: %s)", i, e.what,
		    sock_strerror(&e));
		if (bad[i].what != NULL)
			is_str(e.what, bad[i].what, "audit 4: named, escaped");
	}
	memset(name, 'a', 63);
	name[63] = '\0';
	ok(proxy_target_check(name, &e) == 0, "audit 4: a 63-byte label");
	name[63] = 'a';
	name[64] = '\0';
	ok(proxy_target_check(name, &e) == -1 &&
		strstr(sock_strerror(&e), "63") != NULL,
	    "audit 4: a 64-byte label is refused");
	for (i = 0; i < 253; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[253] = '\0';
	ok(proxy_target_check(name, &e) == 0, "audit 4: a 253-byte name");
	name[253] = '.';
	name[254] = '\0';
	ok(proxy_target_check(name, &e) == 0,
	    "audit 4: a 253-byte name and its final dot");
	name[253] = 'a';
	ok(proxy_target_check(name, &e) == -1 &&
		strstr(sock_strerror(&e), "253") != NULL,
	    "audit 4: a 254-byte name is refused");
}

/* The replies of reply.c, byte by byte as proxy.c feeds them. */
static void
test_replies(void)
{
	static const unsigned char ok4[] = { 5, 0, 0, 1, 127, 0, 0, 1, 4, 56 };
	static const unsigned char ok6[22] = { 5, 0, 0, 4 };
	static const unsigned char name[] = { 5, 0, 0, 3, 5, 'p', 'r', 'o', 'x',
		'y', 0, 80 };
	static const unsigned char refused5[] = { 5, 5 };
	static const unsigned char odd5[] = { 5, 0, 0, 7, 0 };
	static const unsigned char ok4a[] = { 0, 90, 0, 80, 0, 0, 0, 0 };
	static const unsigned char no4[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
	static const unsigned char ident4[] = { 0, 92, 0, 0, 0, 0, 0, 0 };
	static const char h200[] =
	    "HTTP/1.1 200 Connection established\r\n\r\n";
	static const char h407[] = "HTTP/1.0 407 Proxy Authentication Required"
				   "\r\nProxy-Authenticate: Basic\r\n\r\n";
	static const char h503[] =
	    "HTTP/1.1 503 Service \x1b[31mUnavailable\n\n";
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct proxy_reply r;

	ok(proxy_socks5_method((const unsigned char *)"\5", 1, false, &r) ==
		    PROXY_MORE &&
		r.need == 2,
	    "socks5 method: 1 byte asks for 2");
	ok(proxy_socks5_method((const unsigned char *)"\5\2", 2, true, &r) ==
		    PROXY_GRANTED &&
		r.auth,
	    "socks5 method 2 with a user: authenticate");
	ok(proxy_socks5_method((const unsigned char *)"\5\2", 2, false, &r) ==
		    PROXY_REFUSED &&
		strstr(r.reason, "SOCKIT_PROXY_USER") != NULL,
	    "socks5 method 2 without a user: refused, saying how (%s)",
	    r.reason);
	ok(proxy_socks5_method((const unsigned char *)"\4\0", 2, false, &r) ==
		PROXY_BROKEN,
	    "socks5 method: version 4 is not SOCKS5");
	ok(proxy_socks5_auth((const unsigned char *)"\1\1", 2, &r) ==
		PROXY_REFUSED,
	    "socks5 auth status 1: refused");
	ok(proxy_socks5_reply(ok4, 2, &r) == PROXY_MORE && r.need == 5 &&
		proxy_socks5_reply(ok4, 5, &r) == PROXY_MORE && r.need == 10 &&
		proxy_socks5_reply(ok4, 10, &r) == PROXY_GRANTED && r.len == 10,
	    "socks5 reply, IPv4: 2, then 5, then 10 bytes");
	ok(proxy_socks5_reply(ok6, 5, &r) == PROXY_MORE && r.need == 22 &&
		proxy_socks5_reply(ok6, 22, &r) == PROXY_GRANTED,
	    "socks5 reply, IPv6: 22 bytes");
	ok(proxy_socks5_reply(name, 5, &r) == PROXY_MORE && r.need == 12 &&
		proxy_socks5_reply(name, 12, &r) == PROXY_GRANTED &&
		r.len == 12,
	    "socks5 reply, a BND.ADDR name: its length decides");
	ok(proxy_socks5_reply(refused5, 2, &r) == PROXY_REFUSED &&
		r.at_target && r.code == ECONNREFUSED &&
		strcmp(r.reason, "connection refused") == 0,
	    "socks5 reply 5: refused at the target from 2 bytes");
	ok(proxy_socks5_reply(odd5, 5, &r) == PROXY_BROKEN &&
		strstr(r.reason, "address type 7") != NULL,
	    "socks5 reply: an unknown address type is broken");
	ok(proxy_socks5_reply((const unsigned char *)"\5\x42", 2, &r) ==
		    PROXY_REFUSED &&
		strstr(r.reason, "code 66") != NULL,
	    "socks5 reply: an unknown code is named");
	ok(proxy_socks4_reply(ok4a, 7, &r) == PROXY_MORE && r.need == 8 &&
		proxy_socks4_reply(ok4a, 8, &r) == PROXY_GRANTED,
	    "socks4 reply 90: granted after 8 bytes");
	ok(proxy_socks4_reply(no4, 8, &r) == PROXY_REFUSED && r.at_target &&
		r.code == ECONNREFUSED,
	    "socks4 reply 91: refused");
	ok(proxy_socks4_reply(ident4, 8, &r) == PROXY_REFUSED && !r.at_target,
	    "socks4 reply 92: the proxy's own refusal");
	ok(proxy_http_head_end(h200, sizeof(h200) - 1, 0) == sizeof(h200) - 1 &&
		proxy_http_head_end(h200, sizeof(h200) - 2, 0) == 0,
	    "http: the header ends at the empty line");
	ok(proxy_http_reply(h200, sizeof(h200) - 1, &r) == PROXY_GRANTED,
	    "http 200: granted");
	ok(proxy_http_reply(h407, sizeof(h407) - 1, &r) == PROXY_REFUSED &&
		!r.at_target &&
		strcmp(r.reason,
		    "HTTP/1.0 407 Proxy Authentication Required") == 0,
	    "http 407: refused by the proxy, the status line as reason");
	ok(proxy_http_reply(h503, sizeof(h503) - 1, &r) == PROXY_REFUSED &&
		r.at_target && r.code == ECONNREFUSED &&
		strchr(r.reason, '\x1b') != NULL,
	    "http 503: refused at the target, the status line as sent (the "
	    "printers escape it)");
	ok(proxy_http_reply(ssh, sizeof(ssh) - 1, &r) == PROXY_BROKEN &&
		strstr(r.reason, "not an HTTP proxy") != NULL,
	    "http: SSH is not HTTP");
}

int
main(void)
{
	test_good();
	test_bad();
	test_secrets();
	test_env();
	test_scrub();
	test_target();
	test_replies();
	test_pp();
	return done();
}
