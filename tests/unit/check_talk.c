/* Unit tests of what a check says and waits for (src/check/talk.h): the
   STARTTLS reply parser of every protocol (complete or not, yes or no,
   the reason that names the step), and the escapes of --send and of what
   --expect received. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check/talk.h"
#include "tap.h"

void test_talk(void);

/* The verdict on reply (a C string) to step step of proto; the reason
   in why. */
static int
reply(enum check_starttls proto, unsigned step, const char *in, char *why,
    size_t len)
{
	why[0] = '\0';
	return starttls_reply(proto, step, in, strlen(in), why, len);
}

static void
test_replies(void)
{
	static const struct {
		enum check_starttls proto;
		unsigned step;
		const char *in;
		int want;
		const char *why;
	} cases[] = {
		{ STARTTLS_SMTP, 0, "220 mail ESMTP\r\n", 1, "" },
		{ STARTTLS_SMTP, 0, "220-mail\r\n", 0, "" },
		{ STARTTLS_SMTP, 0, "220-mail\r\n220 ready\r\n", 1, "" },
		{ STARTTLS_SMTP, 0, "220 mail", 0, "" },
		{ STARTTLS_SMTP, 1, "250-mail\r\n250-SIZE\r\n250 STARTTLS\r\n",
		    1, "" },
		{ STARTTLS_SMTP, 2, "454 TLS not available\r\n", -1,
		    "starttls smtp: STARTTLS: the server said \"454 TLS not "
		    "available\"" },
		{ STARTTLS_SMTP, 0, "554 no\x1b[2J\r\n", -1,
		    "starttls smtp: greeting: the server said "
		    "\"554 no\\x1b[2J\"" },
		{ STARTTLS_IMAP, 0, "* OK [CAPABILITY IMAP4rev1] ready\r\n", 1,
		    "" },
		{ STARTTLS_IMAP, 0, "* BYE\r\n", -1,
		    "starttls imap: greeting: the server said \"* BYE\"" },
		{ STARTTLS_IMAP, 1, "* CAPABILITY x\r\n", 0, "" },
		{ STARTTLS_IMAP, 1, "* x\r\na1 OK Begin TLS\r\n", 1, "" },
		{ STARTTLS_IMAP, 1, "a1 NO\r\n", -1,
		    "starttls imap: STARTTLS: the server said \"a1 NO\"" },
		{ STARTTLS_POP3, 1, "+OK begin\r\n", 1, "" },
		{ STARTTLS_POP3, 1, "-ERR no\r\n", -1,
		    "starttls pop3: STLS: the server said \"-ERR no\"" },
		{ STARTTLS_FTP, 1, "234 AUTH TLS ok\r\n", 1, "" },
		{ STARTTLS_FTP, 1, "500 no\n", -1,
		    "starttls ftp: AUTH TLS: the server said \"500 no\"" },
		{ STARTTLS_POSTGRES, 0, "S", 1, "" },
		{ STARTTLS_POSTGRES, 0, "", 0, "" },
		{ STARTTLS_POSTGRES, 0, "N", -1,
		    "starttls postgres: SSLRequest: the server said \"N\"" },
	};
	char why[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = reply(cases[i].proto, cases[i].step, cases[i].in, why,
		    sizeof(why));
		ok(rc == cases[i].want && strcmp(why, cases[i].why) == 0,
		    "starttls %s step %u: %d (%s)",
		    starttls_name(cases[i].proto), cases[i].step, rc, why);
	}
	ok(starttls_steps(STARTTLS_SMTP) == 3 &&
		starttls_steps(STARTTLS_IMAP) == 2 &&
		starttls_steps(STARTTLS_POSTGRES) == 1,
	    "the steps of smtp (3), imap (2), postgres (1)");
}

static void
test_escapes(void)
{
	struct check_talk t = { .send = "a\\r\\n\\t\\\\\\x41\\x00z" };
	struct check_opts o = { .talk = &t };
	struct talk_plan p;
	struct sock_err e;
	char *s;

	int rc = talk_setup(&p, &o, &e);

	ok(rc == 0 && p.send_len == 8 &&
		memcmp(p.send, "a\r\n\t\\A\0z", 8) == 0,
	    "--send: \\r \\n \\t \\\\ \\xHH undone, a NUL kept (%zu bytes)",
	    p.send_len);
	talk_plan_free(&p);
	t.send = "a\\q";
	rc = talk_setup(&p, &o, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE,
	    "--send: an unknown escape is a usage error (%s)",
	    sock_strerror(&e));
	t.send = "\\x4";
	ok(talk_setup(&p, &o, &e) == -1, "--send: \\x needs two hex digits");
	t.send = NULL;
	t.expect = "(";
	rc = talk_setup(&p, &o, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE &&
		strstr(e.what, "--expect") != NULL,
	    "--expect: a bad regex is a usage error (%s: %s)", e.what,
	    sock_strerror(&e));
	t.expect = NULL;
	t.starttls = STARTTLS_SMTP;
	rc = talk_setup(&p, &o, &e);
	ok(rc == -1 && strcmp(e.what, "--starttls") == 0,
	    "--starttls without --tls: %s", sock_strerror(&e));
	/* check_validate(): the same refusals, before anything runs */
	ok(check_validate(&o, &e) == -1 && strcmp(e.what, "--starttls") == 0,
	    "check_validate: --starttls without --tls (%s)", e.what);
	t.starttls = STARTTLS_NONE;
	t.expect = "^220 [a-z]+";
	ok(check_validate(&o, &e) == 0, "check_validate: a good --expect");
	t.expect = "a{2";
	ok(check_validate(&o, &e) == -1 && e.kind == SOCK_EUSAGE,
	    "check_validate: a bad --expect (%s)", sock_strerror(&e));
	t.expect = NULL;
	s = talk_escape("ok\r\n\t\\\x01\x7f\xff\0z", 11);
	ok(s != NULL && strcmp(s, "ok\\r\\n\\t\\\\\\x01\\x7f\\xff\\x00z") == 0,
	    "what came, escaped: %s", s);
	free(s);
}

void
test_talk(void)
{
	test_replies();
	test_escapes();
}
