/* The events of SPEC.md and the errors (src/out/events.c, report.c): what
   each writes to stderr, as text and as JSON, read back from a temporary
   file put over fd 2. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/events.h"
#include "out/report.h"
#include "../addr.h"
#include "test_out.h"

static FILE *capture_file;
static int saved_stderr = -1;

/* Puts a temporary file over fd 2, or bails out. */
static void
capture_begin(void)
{
	capture_file = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (capture_file == NULL || saved_stderr == -1 ||
	    dup2(fileno(capture_file), STDERR_FILENO) == -1) {
		printf("Bail out! cannot put a file over stderr\n");
		exit(1);
	}
}

/* Gives fd 2 back; returns what was written to it since capture_begin()
   (valid until the next call). */
static const char *
capture_end(void)
{
	static char got[8192];
	size_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(got, 1, sizeof(got) - 1, capture_file);
	got[n] = '\0';
	fclose(capture_file);
	return got;
}

/* What the statement wrote to stderr. */
#define CAPTURED(statement) (capture_begin(), (void)(statement), capture_end())

/* The global options of a run: text or JSON, -v count, --quiet. */
static void
options(bool json, int verbose, bool quiet)
{
	G.mode = "listen";
	G.json = json;
	G.verbose = verbose;
	G.quiet = quiet;
}

static void
test_listening(void)
{
	struct sock_addr a = addr("127.0.0.1", 8080), path;
	struct sock_err e;

	options(false, 1, false);
	is_str(CAPTURED(event_listening(&a, "tcp", false)),
	    "listening on 127.0.0.1 8080\n", "listening, text");
	options(true, 0, false);
	is_str(CAPTURED(event_listening(&a, "udp", false)),
	    "{\"event\":\"listening\",\"address\":\"127.0.0.1\",\"port\":8080,"
	    "\"proto\":\"udp\"}\n",
	    "listening, JSON (--json alone shows events)");
	if (sock_addr_unix(&path, "/tmp/x.sock", &e) == -1) {
		printf("Bail out! %s\n", sock_strerror(&e));
		exit(1);
	}
	is_str(CAPTURED(event_listening(&path, "unix", false)),
	    "{\"event\":\"listening\",\"address\":\"/tmp/x.sock\",\"port\":null,"
	    "\"proto\":\"unix\"}\n",
	    "listening on a Unix path: port null, proto unix");
	options(false, 1, false);
	is_str(CAPTURED(event_listening(&path, "unix", false)),
	    "listening on /tmp/x.sock\n", "listening on a Unix path, text");
	options(false, 0, false);
	is_str(CAPTURED(event_listening(&a, "tcp", false)), "",
	    "listening is not shown without -v or --json");
	is_str(CAPTURED(event_listening(&a, "tcp", true)),
	    "listening on 127.0.0.1 8080\n",
	    "listening is shown without -v when always (PORT 0)");
	options(false, 0, true);
	is_str(CAPTURED(event_listening(&a, "tcp", true)), "",
	    "--quiet hides even an always event");
}

static void
test_peers(void)
{
	struct sock_addr peer = addr("127.0.0.1", 5000),
			 client = addr("2001:db8::1", 4000);

	options(false, 1, false);
	is_str(CAPTURED(event_accepted(&peer, NULL)),
	    "accepted 127.0.0.1 5000\n", "accepted, text");
	is_str(CAPTURED(event_accepted(&peer, &client)),
	    "accepted 127.0.0.1 5000 for 2001:db8::1 4000\n",
	    "accepted with a PROXY protocol client, text");
	is_str(CAPTURED(event_refused(&peer, "denied")),
	    "refused 127.0.0.1 5000: denied\n", "refused, text");
	is_str(CAPTURED(event_peer(&peer)), "peer 127.0.0.1 5000\n",
	    "peer, text");
	is_str(CAPTURED(event_expired(&peer)), "expired 127.0.0.1 5000\n",
	    "expired, text");
	options(true, 0, false);
	is_str(CAPTURED(event_accepted(&peer, NULL)),
	    "{\"event\":\"accepted\",\"peer\":\"127.0.0.1\",\"peer_port\":5000}\n",
	    "accepted, JSON");
	is_str(CAPTURED(event_accepted(&peer, &client)),
	    "{\"event\":\"accepted\",\"peer\":\"127.0.0.1\",\"peer_port\":5000,"
	    "\"client\":\"2001:db8::1\",\"client_port\":4000}\n",
	    "accepted with a client, JSON");
	is_str(CAPTURED(event_refused(&peer, "proxy_protocol")),
	    "{\"event\":\"refused\",\"peer\":\"127.0.0.1\",\"peer_port\":5000,"
	    "\"reason\":\"proxy_protocol\"}\n",
	    "refused, JSON");
	is_str(CAPTURED(event_expired(&peer)),
	    "{\"event\":\"expired\",\"peer\":\"127.0.0.1\",\"peer_port\":5000}\n",
	    "expired, JSON");
}

static void
test_closed(void)
{
	struct sock_addr peer = addr("127.0.0.1", 5000);
	struct event_closed listen = { .peer = &peer,
		.counted = true,
		.bytes_in = 12,
		.bytes_out = 3,
		.duration_ms = 1.5 };
	struct event_closed connect = listen, child = listen, slow = listen,
			    udp = listen;

	connect.peer = NULL;
	child.counted = false;
	slow.reason = "slow";
	udp.peer = NULL;
	udp.datagrams = true;
	udp.datagrams_in = 2;
	udp.datagrams_out = 1;
	options(false, 1, false);
	is_str(CAPTURED(event_closed(&listen)),
	    "closed 127.0.0.1 5000: 12 bytes in, 3 out, 1.50 ms\n",
	    "closed in listen, text");
	is_str(CAPTURED(event_closed(&connect)),
	    "closed: 12 bytes in, 3 out, 1.50 ms\n", "closed in connect, text");
	is_str(CAPTURED(event_closed(&child)),
	    "closed 127.0.0.1 5000 after 1.50 ms\n",
	    "closed of an -e child, text");
	is_str(CAPTURED(event_closed(&slow)),
	    "closed 127.0.0.1 5000: 12 bytes in, 3 out, 1.50 ms (slow)\n",
	    "closed with a reason, text");
	is_str(CAPTURED(event_closed(&udp)),
	    "closed: 2 datagrams in, 1 out, 12 bytes in, 3 out, 1.50 ms\n",
	    "closed of a UDP session, text");
	options(true, 0, false);
	is_str(CAPTURED(event_closed(&listen)),
	    "{\"event\":\"closed\",\"peer\":\"127.0.0.1\",\"peer_port\":5000,"
	    "\"bytes_in\":12,\"bytes_out\":3,\"duration_ms\":1.500}\n",
	    "closed in listen, JSON");
	is_str(CAPTURED(event_closed(&child)),
	    "{\"event\":\"closed\",\"peer\":\"127.0.0.1\",\"peer_port\":5000,"
	    "\"bytes_in\":null,\"bytes_out\":null,\"duration_ms\":1.500}\n",
	    "closed of an -e child: byte counts null");
	is_str(CAPTURED(event_closed(&slow)),
	    "{\"event\":\"closed\",\"peer\":\"127.0.0.1\",\"peer_port\":5000,"
	    "\"bytes_in\":12,\"bytes_out\":3,\"duration_ms\":1.500,"
	    "\"reason\":\"slow\"}\n",
	    "closed with reason slow, JSON");
	is_str(CAPTURED(event_closed(&udp)),
	    "{\"event\":\"closed\",\"datagrams_in\":2,\"datagrams_out\":1,"
	    "\"bytes_in\":12,\"bytes_out\":3,\"duration_ms\":1.500}\n",
	    "closed of a UDP session, JSON");
}

static void
test_connected(void)
{
	struct sock_addr peer = addr("127.0.0.1", 80),
			 local = addr("127.0.0.1", 40000), path;
	struct event_connected tcp = { .peer = &peer,
		.local = &local,
		.connect_ms = 0.25 };
	struct event_connected proxied = tcp, unix_path = tcp;
	struct sock_err e;

	proxied.proxy = "socks5://127.0.0.1:1080";
	if (sock_addr_unix(&path, "/run/app.sock", &e) == -1) {
		printf("Bail out! %s\n", sock_strerror(&e));
		exit(1);
	}
	unix_path.peer = &path;
	unix_path.local = NULL;
	options(false, 1, false);
	is_str(CAPTURED(event_connected(&tcp)),
	    "connected to 127.0.0.1 80 from 127.0.0.1 40000 in 0.25 ms\n",
	    "connected, text");
	is_str(CAPTURED(event_connected(&proxied)),
	    "connected through proxy socks5://127.0.0.1:1080 (127.0.0.1 80) "
	    "from 127.0.0.1 40000 in 0.25 ms\n",
	    "connected through a proxy, text");
	is_str(CAPTURED(event_connected(&unix_path)),
	    "connected to /run/app.sock in 0.25 ms\n",
	    "connected to a Unix path, text");
	options(true, 1, false);
	is_str(CAPTURED(event_connected(&tcp)),
	    "{\"event\":\"connected\",\"address\":\"127.0.0.1\",\"port\":80,"
	    "\"local_address\":\"127.0.0.1\",\"local_port\":40000,"
	    "\"connect_ms\":0.250}\n",
	    "connected, JSON");
	is_str(CAPTURED(event_connected(&proxied)),
	    "{\"event\":\"connected\",\"address\":\"127.0.0.1\",\"port\":80,"
	    "\"local_address\":\"127.0.0.1\",\"local_port\":40000,"
	    "\"connect_ms\":0.250,\"proxy\":\"socks5://127.0.0.1:1080\"}\n",
	    "connected through a proxy, JSON: proxy last");
	is_str(CAPTURED(event_connected(&unix_path)),
	    "{\"event\":\"connected\",\"address\":\"/run/app.sock\","
	    "\"port\":null,\"local_address\":null,\"local_port\":null,"
	    "\"connect_ms\":0.250}\n",
	    "connected to a Unix path, JSON: the ports null");
}

static void
test_tls_certificate_sent(void)
{
	struct sock_addr peer = addr("127.0.0.1", 443);
	struct tls_info info = { .version = "TLSv1.3",
		.cipher = "TLS_AES_128_GCM_SHA256",
		.alpn = "h2",
		.have_cert = true,
		.subject = "CN=x",
		.issuer = "CN=ca",
		.not_before = "2026-01-01T00:00:00Z",
		.not_after = "2027-01-01T00:00:00Z",
		.days_left = 10,
		.verified = true,
		.fingerprint = "AB:CD" };

	options(false, 1, false);
	is_str(CAPTURED(event_tls(&info, &peer)),
	    "tls 127.0.0.1 443: TLSv1.3 TLS_AES_128_GCM_SHA256 alpn h2, CN=x "
	    "(issuer CN=ca), expires 2027-01-01T00:00:00Z (10 days), "
	    "verified\n",
	    "tls in listen, text");
	is_str(CAPTURED(event_tls(&info, NULL)),
	    "tls TLSv1.3 TLS_AES_128_GCM_SHA256 alpn h2, CN=x (issuer CN=ca), "
	    "expires 2027-01-01T00:00:00Z (10 days), verified\n",
	    "tls in connect, text");
	is_str(CAPTURED(event_sent(&peer, 5)),
	    "sent 5 bytes to 127.0.0.1 443\n", "sent, text");
	options(false, 0, false);
	is_str(CAPTURED(event_certificate("localhost", "AB:CD")),
	    "certificate sha256 AB:CD\n",
	    "certificate, text, shown without -v");
	options(true, 0, false);
	is_str(CAPTURED(event_tls(&info, NULL)),
	    "{\"event\":\"tls\",\"version\":\"TLSv1.3\","
	    "\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"alpn\":\"h2\","
	    "\"subject\":\"CN=x\",\"issuer\":\"CN=ca\","
	    "\"not_before\":\"2026-01-01T00:00:00Z\","
	    "\"not_after\":\"2027-01-01T00:00:00Z\",\"days_left\":10,"
	    "\"verified\":true,\"fingerprint_sha256\":\"AB:CD\"}\n",
	    "tls in connect, JSON");
	is_str(CAPTURED(event_certificate("localhost", "AB:CD")),
	    "{\"event\":\"certificate\",\"subject\":\"localhost\","
	    "\"fingerprint_sha256\":\"AB:CD\"}\n",
	    "certificate, JSON");
	is_str(CAPTURED(event_sent(&peer, 5)),
	    "{\"event\":\"sent\",\"address\":\"127.0.0.1\",\"port\":443,"
	    "\"bytes\":5}\n",
	    "sent, JSON");
}

/* Peer-chosen strings (a client's Unix path, certificate fields) reach
   no terminal raw: C0, DEL and C1 as \xHH in text, \u00XX in JSON. */
static void
test_escaping(void)
{
	struct sock_addr peer;
	struct sock_err e;
	struct tls_info info = { .version = "TLSv1.3",
		.cipher = "X",
		.have_cert = true,
		.subject = "CN=\x1b[2J\xc2\x9b",
		.issuer = "CN=ca\x7f",
		.not_after = "2027-01-01T00:00:00Z",
		.days_left = 1 };

	if (sock_addr_unix(&peer, "/tmp/\x1b]0;owned\x07", &e) == -1) {
		printf("Bail out! %s\n", sock_strerror(&e));
		exit(1);
	}
	options(false, 1, false);
	is_str(CAPTURED(event_accepted(&peer, NULL)),
	    "accepted /tmp/\\x1b]0;owned\\x07\n",
	    "a control character in a peer's name is \\xHH in text");
	is_str(CAPTURED(event_tls(&info, NULL)),
	    "tls TLSv1.3 X, CN=\\x1b[2J\\xc2\\x9b (issuer CN=ca\\x7f), "
	    "expires 2027-01-01T00:00:00Z (1 day), not verified\n",
	    "C0, C1 and DEL in certificate fields are \\xHH in text");
	options(true, 1, false);
	is_str(CAPTURED(event_accepted(&peer, NULL)),
	    "{\"event\":\"accepted\",\"peer\":\"/tmp/\\u001b]0;owned\\u0007\","
	    "\"peer_port\":null}\n",
	    "a control character in a peer's name is \\u00XX in JSON");
	options(false, 1, false);
	is_str(CAPTURED(fail(SOCK_ENET, "peer said \x1b[31mred")),
	    "sockit: listen: peer said \\x1b[31mred\n",
	    "an error's message is escaped too");
}

static void
test_errors(void)
{
	int status = -1;

	G.mode = "connect";
	G.json = true;
	G.quiet = true;
	is_str(CAPTURED(
		   status = fail(SOCK_ENET, "127.0.0.1 1: Connection refused")),
	    "{\"event\":\"error\",\"mode\":\"connect\",\"kind\":\"network\","
	    "\"message\":\"127.0.0.1 1: Connection refused\",\"exit\":1}\n",
	    "-j: an error that ends sockit is the error event, even with "
	    "--quiet");
	ok(status == 1, "fail() returns the kind's exit status (%d)", status);
	is_str(CAPTURED(status = usage_error("unknown option: --bogus")),
	    "{\"event\":\"error\",\"mode\":\"connect\",\"kind\":\"usage\","
	    "\"message\":\"unknown option: --bogus\",\"exit\":2}\n",
	    "-j: a usage error is one error event, no Try line");
	is_str(CAPTURED(fail_nonfatal(SOCK_ETLS, "handshake with x: bad")),
	    "{\"event\":\"error\",\"mode\":\"connect\",\"kind\":\"tls\","
	    "\"message\":\"handshake with x: bad\",\"exit\":null}\n",
	    "-j: an error sockit goes on after has exit null");
	G.quiet = false;
	G.verbose = 1;
	is_str(CAPTURED(diag(1, "trying %s", "::1")),
	    "{\"event\":\"diagnostic\",\"mode\":\"connect\","
	    "\"message\":\"trying ::1\"}\n",
	    "-j: a diagnostic is the diagnostic event");
	G.json = false;
	is_str(CAPTURED(usage_error("unknown option: --bogus")),
	    "sockit: connect: unknown option: --bogus\n"
	    "Try 'sockit connect --help'.\n",
	    "a usage error in text: the line and the Try line");
	is_str(CAPTURED(diag(2, "not shown")), "",
	    "a diagnostic above the -v count is not shown");
	G.mode = NULL;
	is_str(CAPTURED(usage_error("no mode given")),
	    "sockit: no mode given\nTry 'sockit --help'.\n",
	    "before the mode is known, no mode in the words");
}

/* An event returns -1 when stderr cannot be written (/dev/full). */
static void
test_stderr_fails(void)
{
	struct sock_addr a = addr("127.0.0.1", 8080);
	int full = open("/dev/full", O_WRONLY), saved = dup(STDERR_FILENO);
	int rc;

	if (full == -1 || saved == -1) {
		ok(1,
		    "an event on a full stderr returns -1 # SKIP no /dev/full");
		return;
	}
	options(false, 1, false);
	dup2(full, STDERR_FILENO);
	rc = event_listening(&a, "tcp", false);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(full);
	ok(rc == -1, "an event on a full stderr returns -1");
}

void
test_events(void)
{
	test_listening();
	test_peers();
	test_closed();
	test_connected();
	test_tls_certificate_sent();
	test_escaping();
	test_errors();
	test_stderr_fails();
}
