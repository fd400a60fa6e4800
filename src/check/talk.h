/* connect -z: what an attempt says and waits for once connected: the
   STARTTLS upgrade before the handshake (starttls.c), --send and
   --expect after it (expect.c).  Each step reads and writes what the
   socket (or the TLS session) takes now and says what poll must wait
   for; the probe (probe.c) owns the socket and the deadline. */
#ifndef SOCKIT_CHECK_TALK_H
#define SOCKIT_CHECK_TALK_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "check/check.h"

/* --expect reads at most this much; --starttls replies are shorter. */
#define TALK_MAX (64 * 1024)
/* received shows at most this many bytes */
#define TALK_SHOWN 256

/* What every attempt's talk shares (set up once, by talk_setup()). */
struct talk_plan {
	enum check_starttls starttls;
	char *send; /* --send, its escapes undone, or NULL */
	size_t send_len;
	bool expect; /* --expect: re holds it */
	regex_t re;
};

/* One attempt's talk. */
struct talk {
	unsigned step; /* starttls: the step; expect: 0 send, 1 receive */
	bool replying; /* starttls: the step's request is sent */
	size_t sent;   /* of the step's request */
	char *in;      /* what came, in reply */
	size_t inlen;
	double sent_at, first_byte_ms; /* -1: no byte yet */
	char *matched;		       /* the match, escaped */
};

enum talk_rc {
	TALK_AGAIN,    /* poll for *events, then call again */
	TALK_OK,       /* done: the upgrade, or the match */
	TALK_FAIL,     /* why says why */
	TALK_MISMATCH, /* --expect: no match */
};

/* expect.c */

/* The plan of o->talk (NULL: none) into *plan.  Returns 0, or -1 with
   *e (EUSAGE): a bad escape in --send, a bad --expect, --starttls
   without --tls, any of them with -u or --proxy. */
int talk_setup(struct talk_plan *, const struct check_opts *o,
    struct sock_err *e);
void talk_plan_free(struct talk_plan *);
/* true when the plan has --send or --expect. */
bool talk_exchanges(const struct talk_plan *);
struct talk *talk_new(void);
void talk_free(struct talk *);
/* --send, then --expect, over fd (through tls when not NULL). */
enum talk_rc expect_step(struct talk *, const struct talk_plan *, int fd,
    struct tls *tls, short *events, char *why, size_t len);
/* The first TALK_SHOWN bytes of what came, escaped (malloc'd). */
char *talk_received(const struct talk *);
/* n bytes of b with C escapes (\r \n \t \\ \xHH): printable ASCII
   only (malloc'd, or NULL when out of memory). */
char *talk_escape(const char *b, size_t n);
/* Reads what fd (or tls) has into t->in, up to max bytes in all.
   Returns the bytes read (> 0), 0 at EOF, -2 (TLS_AGAIN) with *events,
   or -1 (why). */
ssize_t talk_read(struct talk *, int fd, struct tls *, size_t max,
    short *events, char *why, size_t len);
/* Writes b[t->sent, n) to fd (or tls).  Returns 1 when all is sent, 0
   when poll must wait for *events, -1 (why). */
int talk_write(struct talk *, int fd, struct tls *, const char *b, size_t n,
    short *events, char *why, size_t len);

/* starttls.c */

/* One step of the upgrade on fd: TALK_OK when the handshake may start,
   TALK_FAIL with why naming the step. */
enum talk_rc starttls_step(struct talk *, enum check_starttls, int fd,
    short *events, char *why, size_t len);
/* The reply so far (n bytes of in) to step step of proto: 1 when it is
   complete and says yes, 0 while it goes on, -1 when it says no (why
   names the step and quotes the reply, escaped).  Pure: fuzzed. */
int starttls_reply(enum check_starttls, unsigned step, const char *in, size_t n,
    char *why, size_t len);
/* How many steps proto's upgrade has. */
unsigned starttls_steps(enum check_starttls);
/* The name of the step under way ("EHLO"), for a deadline. */
const char *starttls_step_name(const struct talk *, enum check_starttls);
/* "smtp", ... */
const char *starttls_name(enum check_starttls);

#endif
