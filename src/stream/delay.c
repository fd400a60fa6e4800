/* --delay DUR (nc -i, ncat -d): the local side's input goes out one
   line at a time, DUR apart.  A chunk read from in_fd is held, and each
   round that finds its time come (and every peer done with the line
   before) routes its next line as a chunk of its own, as read_local()
   routes a whole chunk: whatever the peers' kind, each gets the lines.
   in_fd is read again once the held chunk is all sent, so its EOF comes
   after the last line. */
#include "config.h"

#include <string.h>

#include "stream/internal.h"

/* With --delay, takes the local side's chunk c (a reference of its own)
   to send a line at a time.  Returns true when it took it. */
bool
delay_holds(struct relay *r, struct chunk *c)
{
	if (r->o.delay_ms <= 0)
		return false;
	c->refs++;
	r->held = c;
	r->held_off = 0;
	return true;
}

/* Whether the held chunk's next line may go now: nobody owes the last
   one (a broker waits for nobody) and a peer is there to take it. */
static bool
line_may_go(const struct relay *r)
{
	return r->held != NULL && r->n > 0 && (r->owing == 0 || r->o.broker);
}

/* When the next line is due, or -1: nothing held, or not up to time. */
double
delay_deadline(const struct relay *r)
{
	return line_may_go(r) ? r->delay_next : -1;
}

/* Sends the held chunk's next line (through its newline, or the rest
   of the chunk) when it is due. */
void
delay_send(struct relay *r, double now)
{
	struct chunk *h = r->held, *line;
	const char *start, *nl;
	size_t len, i;

	if (!line_may_go(r) || now < r->delay_next)
		return;
	start = h->data + r->held_off;
	nl = memchr(start, '\n', h->len - r->held_off);
	len = nl != NULL ? (size_t)(nl - start) + 1 : h->len - r->held_off;
	if ((line = chunk_new(r)) == NULL)
		return; /* the next round tries again */
	memcpy(line->data, start, len);
	line->len = len;
	r->held_off += len;
	if (r->held_off == h->len) {
		r->held = NULL;
		chunk_put(r, h);
	}
	if (route_from_local(r, line, now) == 0)
		fanout_done(r);
	chunk_put(r, line);
	for (i = 0; i < r->n; i++)
		peer_send(r, r->peers[i]);
	r->delay_next = now + (double)r->o.delay_ms;
}
