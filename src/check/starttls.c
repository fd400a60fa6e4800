/* connect -z --tls --starttls PROTO: the plaintext dialogue that turns
   a connection into TLS, step by step (a request, or none for the
   greeting, and the reply it must get), as openssl s_client -starttls
   does it:
     smtp      220 greeting, EHLO -> 250, STARTTLS -> 220
     imap      * OK greeting, a1 STARTTLS -> a1 OK
     pop3      +OK greeting, STLS -> +OK
     ftp       220 greeting, AUTH TLS -> 234
     postgres  SSLRequest -> S
   A failure names the step and quotes the server's reply. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/talk.h"

/* A reply is complete ... */
enum reply {
	R_CODE,	  /* at the line "NNN text" (SMTP, FTP: "NNN-" goes on) */
	R_LINE,	  /* at its first line */
	R_TAGGED, /* at the line of the tag "a1 " (IMAP) */
	R_BYTE	  /* at its first byte (PostgreSQL) */
};

struct step {
	const char *name;
	const char *send; /* or NULL */
	size_t send_len;
	enum reply reply;
	const char *want; /* what the reply's last line starts with */
};

#define REQ(s) s, sizeof(s) - 1

static const struct step smtp[] = {
	{ "greeting", NULL, 0, R_CODE, "220" },
	{ "EHLO", REQ("EHLO sockit.invalid\r\n"), R_CODE, "250" },
	{ "STARTTLS", REQ("STARTTLS\r\n"), R_CODE, "220" },
	{ NULL, NULL, 0, R_LINE, NULL },
};
static const struct step imap[] = {
	{ "greeting", NULL, 0, R_LINE, "* OK" },
	{ "STARTTLS", REQ("a1 STARTTLS\r\n"), R_TAGGED, "a1 OK" },
	{ NULL, NULL, 0, R_LINE, NULL },
};
static const struct step pop3[] = {
	{ "greeting", NULL, 0, R_LINE, "+OK" },
	{ "STLS", REQ("STLS\r\n"), R_LINE, "+OK" },
	{ NULL, NULL, 0, R_LINE, NULL },
};
static const struct step ftp[] = {
	{ "greeting", NULL, 0, R_CODE, "220" },
	{ "AUTH TLS", REQ("AUTH TLS\r\n"), R_CODE, "234" },
	{ NULL, NULL, 0, R_LINE, NULL },
};
static const struct step postgres[] = {
	{ "SSLRequest", REQ("\0\0\0\x08\x04\xd2\x16\x2f"), R_BYTE, "S" },
	{ NULL, NULL, 0, R_LINE, NULL },
};

static const struct step *const steps[] = { NULL, smtp, imap, pop3, ftp,
	postgres };
static const char *const names[] = { "none", "smtp", "imap", "pop3", "ftp",
	"postgres" };

unsigned
starttls_steps(enum check_starttls proto)
{
	unsigned n = 0;

	while (proto != STARTTLS_NONE && steps[proto][n].name != NULL)
		n++;
	return n;
}

const char *
starttls_name(enum check_starttls proto)
{
	return names[proto];
}

const char *
starttls_step_name(const struct talk *t, enum check_starttls proto)
{
	const struct step *s = &steps[proto][t->step];

	return s->name != NULL ? s->name : "handshake";
}

/* The last line of a complete reply in b (n bytes), or NULL while the
   reply goes on; *end past it. */
static const char *
last_line(const char *b, size_t n, enum reply kind, const char **end)
{
	const char *line = b, *nl;

	if (kind == R_BYTE) {
		*end = b + (n > 0);
		return n > 0 ? b : NULL;
	}
	while ((nl = memchr(line, '\n', n - (size_t)(line - b))) != NULL) {
		*end = nl;
		if (kind == R_LINE)
			return line;
		/* memcmp within the line: the reply is bytes, not a string */
		if (kind == R_TAGGED && nl - line >= 3 &&
		    memcmp(line, "a1 ", 3) == 0)
			return line;
		if (kind == R_CODE && nl - line >= 3 &&
		    isdigit((unsigned char)line[0]) &&
		    isdigit((unsigned char)line[1]) &&
		    isdigit((unsigned char)line[2]) &&
		    (nl - line == 3 || line[3] != '-'))
			return line;
		line = nl + 1;
	}
	return NULL;
}

int
starttls_reply(enum check_starttls proto, unsigned step, const char *in,
    size_t n, char *why, size_t len)
{
	const struct step *s = &steps[proto][step];
	const char *end, *line = last_line(in, n, s->reply, &end);
	char *shown;
	size_t k;

	if (line == NULL)
		return 0;
	if ((size_t)(end - line) >= strlen(s->want) &&
	    memcmp(line, s->want, strlen(s->want)) == 0)
		return 1;
	k = (size_t)(end - line);
	if (k > 0 && line[k - 1] == '\r')
		k--;
	shown = talk_escape(line, k < 100 ? k : 100);
	snprintf(why, len, "starttls %s: %s: the server said \"%s\"",
	    names[proto], s->name, shown != NULL ? shown : "");
	free(shown);
	return -1;
}

enum talk_rc
starttls_step(struct talk *t, enum check_starttls proto, int fd, short *events,
    char *why, size_t len)
{
	const struct step *s;
	char reason[128];
	ssize_t n;
	int rc;

	for (;;) {
		s = &steps[proto][t->step];
		if (s->name == NULL)
			return TALK_OK;
		if (!t->replying && s->send != NULL) {
			rc = talk_write(t, fd, NULL, s->send, s->send_len,
			    events, reason, sizeof(reason));
			if (rc == 0)
				return TALK_AGAIN;
			if (rc == -1)
				break;
		}
		t->replying = true;
		/* one byte at a time for PostgreSQL: TLS follows at once */
		n = talk_read(t, fd, NULL,
		    s->reply == R_BYTE ? t->inlen + 1 : 4096, events, reason,
		    sizeof(reason));
		if (n == TLS_AGAIN)
			return TALK_AGAIN;
		if (n == 0)
			snprintf(reason, sizeof(reason),
			    t->inlen == 4096 ?
				"reply too long" :
				"the server closed the connection");
		if (n <= 0)
			break;
		rc = starttls_reply(proto, t->step, t->in, t->inlen, why, len);
		if (rc == -1)
			return TALK_FAIL;
		if (rc == 1) {
			t->step++;
			t->replying = false;
			t->sent = 0;
			t->inlen = 0;
		}
	}
	snprintf(why, len, "starttls %s: %s: %s", names[proto], s->name,
	    reason);
	return TALK_FAIL;
}
