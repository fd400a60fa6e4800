/* -t/--telnet: a filter on the relay's inbound path.  The peer's bytes
   pass through it before they are routed: an IAC sequence never reaches
   the local side (IAC IAC is one 0xFF byte), and every option
   negotiation is refused as nc and ncat do: DO and DONT are answered
   WONT, WILL and WONT are answered DONT.  A sequence may be split
   across reads: where the filter stands is kept in the endpoint. */
#include "config.h"

#include <errno.h>

#include "stream/internal.h"
#include "stream/telnet.h"

enum {
	TELNET_SE = 240,
	TELNET_SB = 250,
	TELNET_WILL = 251,
	TELNET_WONT,
	TELNET_DO,
	TELNET_DONT,
	TELNET_IAC
};

/* Where the filter stands in the peer's bytes. */
enum { AT_DATA, AT_IAC, AT_OPTION, AT_SUB, AT_SUB_IAC };

/* The next state after byte b in state at; an option's answer is added
   to ans (*nans bytes). */
static unsigned char
step(unsigned char at, unsigned char b, unsigned char *verb, char *ans,
    size_t *nans)
{
	switch (at) {
	case AT_IAC:
		if (b >= TELNET_WILL && b <= TELNET_DONT) {
			*verb = b;
			return AT_OPTION;
		}
		return b == TELNET_SB ? AT_SUB : AT_DATA;
	case AT_OPTION:
		ans[(*nans)++] = (char)TELNET_IAC;
		ans[(*nans)++] =
		    (char)(*verb >= TELNET_DO ? TELNET_WONT : TELNET_DONT);
		ans[(*nans)++] = (char)b;
		return AT_DATA;
	case AT_SUB:
		return b == TELNET_IAC ? AT_SUB_IAC : AT_SUB;
	case AT_SUB_IAC:
		return b == TELNET_SE ? AT_DATA : AT_SUB;
	}
	return AT_DATA;
}

size_t
telnet_scan(unsigned char *at, unsigned char *verb, char *buf, size_t n,
    char *ans, size_t *nans)
{
	unsigned char s = *at, b;
	size_t i, k = 0;

	*nans = 0;
	for (i = 0; i < n; i++) {
		b = (unsigned char)buf[i];
		if (s == AT_DATA) {
			if (b == TELNET_IAC)
				s = AT_IAC;
			else
				buf[k++] = (char)b;
		} else if (s == AT_IAC && b == TELNET_IAC) {
			buf[k++] = (char)b; /* IAC IAC: one 0xFF */
			s = AT_DATA;
		} else {
			s = step(s, b, verb, ans, nans);
		}
	}
	*at = s;
	return k;
}

/* The answers in chunk c, to peer p's queue, sent as far as its socket
   takes them now. */
static void
answer(struct relay *r, struct endpoint *p, struct chunk *c)
{
	bool was_empty = queue_empty(&p->out);

	if (p->dead || p->wr_shut)
		return;
	if (queue_push(&p->out, c) == -1) {
		peer_fail(r, p, ENOMEM, NULL);
		return;
	}
	if (was_empty)
		r->owing++;
	peer_send(r, p);
}

/* Filters the n bytes at buf from peer p in place.  Returns how many are
   data. */
size_t
telnet_filter(struct relay *r, struct endpoint *p, char *buf, size_t n)
{
	struct chunk *ans = chunk_new(r);
	size_t k;

	if (ans == NULL) {
		peer_fail(r, p, ENOMEM, NULL);
		return 0;
	}
	/* an answer (3 bytes) for each option (3 bytes): n at most */
	k = telnet_scan(&p->telnet_state, &p->telnet_verb, buf, n, ans->data,
	    &ans->len);
	if (ans->len > 0)
		answer(r, p, ans);
	chunk_put(r, ans);
	return k;
}
