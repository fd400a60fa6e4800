/* listen --broker and --chat (SPEC "More of what ncat and nc do"): one
   more routing rule and one more queue policy of the relay.  A peer's
   chunk goes to the local side and to every other peer; each peer's
   queue holds at most --max-queue bytes, and a chunk that would overflow
   it drops that peer (reason "slow") instead of waiting for it: nobody
   waits for the slowest reader.  A short read is copied into a chunk of
   its own size, so that a queue's bytes, not its chunks' room, are what
   it holds.

   Pace: a client that reads, only slower than the others send, is not
   dropped for that: while a queue is over half full and its socket took
   bytes within the last BROKER_STALL_MS, nobody is read (the senders
   wait for it, as TCP would make them).  A client whose socket took
   nothing for BROKER_STALL_MS holds nobody: its queue fills and it is
   dropped.  So the others wait at most that long, once, for a client
   that stopped reading.

   --chat is line based: each peer's unfinished line is kept (4K at
   most: a longer one is cut, its rest dropped), and each finished one
   goes out as "<userN> LINE" with control characters replaced by "?";
   joins and leaves are told as "* userN joined from ADDR PORT" and
   "* userN left".  The local side's output gets every line: the
   transcript. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/internal.h"

#define CHAT_LINE	4096
#define BROKER_STALL_MS 1000.0

/* A chat peer's line, until its newline. */
struct chat {
	size_t len;
	bool cut; /* over CHAT_LINE: the rest of the line is dropped */
	char line[CHAT_LINE];
};

/* A chunk of exactly the n bytes at data, freed at its last put. */
static struct chunk *
chunk_fit(const char *data, size_t n)
{
	struct chunk *c = malloc(sizeof(*c) + n);

	if (c == NULL)
		return NULL;
	c->refs = 1;
	c->fit = true;
	c->len = n;
	memcpy(c->data, data, n);
	return c;
}

/* Whether p's queue, over half full, holds the senders: its socket
   took bytes lately. */
static bool
holds(const struct relay *r, const struct endpoint *p, double now)
{
	return !p->dead && 2 * queue_bytes(&p->out) > r->o.max_queue &&
	    now - p->wr_ms < BROKER_STALL_MS;
}

/* This round's pace: room when no queue holds the senders; else, when
   the first holder would stall. */
void
broker_arm(struct relay *r, double now)
{
	struct endpoint *p;
	size_t i;

	r->round.room = true;
	r->round.room_at = -1;
	if (!r->o.broker)
		return;
	for (i = 0; i < r->n; i++) {
		p = r->peers[i];
		if (!holds(r, p, now))
			continue;
		r->round.room = false;
		if (r->round.room_at < 0 ||
		    p->wr_ms + BROKER_STALL_MS < r->round.room_at)
			r->round.room_at = p->wr_ms + BROKER_STALL_MS;
	}
}

/* How much one read takes: a quarter of --max-queue at most, so that a
   chunk never fills a queue that had room. */
size_t
broker_read_max(const struct relay *r)
{
	if (!r->o.broker || r->o.max_queue / 4 >= RELAY_BUF)
		return RELAY_BUF;
	return r->o.max_queue >= 4 ? r->o.max_queue / 4 : 1;
}

/* Pushes c to peer p's queue under its bound: a full queue drops p.
   Returns 0 when p took it, -1 when not (gone, its handshake under way,
   or dropped now). */
int
broker_push(struct relay *r, struct endpoint *p, struct chunk *c)
{
	bool was_empty = queue_empty(&p->out);

	if (p->dead || p->hs)
		return -1;
	if (queue_bytes(&p->out) + c->len > r->o.max_queue) {
		peer_fail(r, p, ENOBUFS, "too slow: its --max-queue is full");
		p->reason = "slow";
		return -1;
	}
	if (queue_push(&p->out, c) == -1) {
		peer_fail(r, p, ENOMEM, NULL);
		return -1;
	}
	if (was_empty)
		r->owing++;
	if (holds(r, p, sock_now_ms()))
		r->round.room = false; /* no more reads this round */
	return 0;
}

/* c, from peer from (NULL: none), to the local side and to every other
   peer, sent at once as far as each socket takes it. */
static void
deliver(struct relay *r, struct endpoint *from, struct chunk *c)
{
	struct endpoint *p;
	size_t i;

	if (queue_push(&r->local.out, c) == -1 && from != NULL)
		peer_fail(r, from, ENOMEM, NULL);
	for (i = 0; i < r->n; i++) {
		p = r->peers[i];
		if (p != from && broker_push(r, p, c) == 0)
			peer_send(r, p);
	}
}

/* The n bytes of text at data, from peer from, to all the others. */
static void
announce(struct relay *r, struct endpoint *from, const char *data, size_t n)
{
	struct chunk *c = chunk_fit(data, n);

	if (c == NULL) {
		peer_fail(r, from, ENOMEM, NULL);
		return;
	}
	deliver(r, from, c);
	chunk_put(r, c);
}

/* Peer p's finished line (len bytes at line, without its newline), as
   "<userN> LINE\n", its control characters replaced by "?". */
static void
chat_line(struct relay *r, struct endpoint *p, const char *line, size_t len)
{
	char text[CHAT_LINE + 40];
	unsigned char ch;
	size_t n, i;

	n = (size_t)snprintf(text, sizeof(text), "<user%lu> ", p->id);
	for (i = 0; i < len; i++) {
		ch = (unsigned char)line[i];
		text[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	text[n++] = '\n';
	announce(r, p, text, n);
}

/* The n bytes at data from chat peer p: each finished line goes out. */
static void
chat_read(struct relay *r, struct endpoint *p, const char *data, size_t n)
{
	struct chat *ch = p->chat;
	size_t i;

	if (ch == NULL) {
		peer_fail(r, p, ENOMEM, NULL);
		return;
	}
	for (i = 0; i < n && !p->dead; i++) {
		if (data[i] == '\n') {
			/* a CRLF line ends as an LF one */
			if (ch->len > 0 && ch->line[ch->len - 1] == '\r')
				ch->len--;
			if (!ch->cut)
				chat_line(r, p, ch->line, ch->len);
			ch->len = 0;
			ch->cut = false;
		} else if (ch->cut) {
			continue;
		} else if (ch->len == CHAT_LINE) {
			chat_line(r, p, ch->line, ch->len);
			ch->len = 0;
			ch->cut = true;
		} else {
			ch->line[ch->len++] = data[i];
		}
	}
}

/* Peer from's chunk c: to the local side and every other peer (--chat:
   its finished lines). */
void
broker_route(struct relay *r, struct endpoint *from, struct chunk *c)
{
	struct chunk *fit = c;

	if (r->o.chat) {
		chat_read(r, from, c->data, c->len);
		return;
	}
	/* a short read in a chunk of its own size */
	if (c->len < r->chunk_cap / 4 &&
	    (fit = chunk_fit(c->data, c->len)) == NULL) {
		peer_fail(r, from, ENOMEM, NULL);
		return;
	}
	deliver(r, from, fit);
	if (fit != c)
		chunk_put(r, fit);
}

/* --chat: p came in (its name is user<id>): the others are told.
   Returns 0, or -1 when memory ran out. */
int
broker_join(struct relay *r, struct endpoint *p)
{
	char text[sizeof(p->peer.host) + 64];
	int n;

	if (!r->o.chat)
		return 0;
	if ((p->chat = calloc(1, sizeof(*p->chat))) == NULL)
		return -1;
	if (p->peer.family == AF_INET || p->peer.family == AF_INET6)
		n = snprintf(text, sizeof(text),
		    "* user%lu joined from %s %u\n", p->id, p->peer.host,
		    (unsigned)p->peer.port);
	else
		n = snprintf(text, sizeof(text), "* user%lu joined\n", p->id);
	announce(r, p, text, (size_t)n);
	return 0;
}

/* --chat: p leaves: its unfinished line goes out, and the others are
   told. */
void
broker_leave(struct relay *r, struct endpoint *p)
{
	char text[64];
	int n;

	if (p->chat == NULL)
		return;
	if (p->chat->len > 0 && !p->chat->cut)
		chat_line(r, p, p->chat->line, p->chat->len);
	n = snprintf(text, sizeof(text), "* user%lu left\n", p->id);
	announce(r, p, text, (size_t)n);
	free(p->chat);
	p->chat = NULL;
}
