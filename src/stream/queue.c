/* Chunks, output queues, and where a chunk goes.

   A chunk is what one read took from one side; each queue it is pushed
   to holds a reference, and the last one released gives it back to a
   few spares the next reads take (no allocation while bytes flow).

   Where it goes is the routing rule: the local side's chunk to every
   peer, a peer's chunk to the local side.  When a side may be read is
   the queue policy (local_may_read(), peer_may_read() in internal.h):
   lossless, the reader waits until every queue its chunk goes to is
   empty (r->owing counts the peers' queues that are not), so memory
   stays about two chunks whatever the sizes and speeds.
   A broker (SPEC "More of what ncat and nc do") adds one rule: a peer's
   chunk to every other peer too, and one policy: a peer's queue bounded
   by --max-queue (queue_bytes()), a full one drops its peer (reason
   "slow"), and nobody waits for it. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stream/internal.h"

struct chunk *
chunk_new(struct relay *r)
{
	struct chunk *c;

	if (r->nspare > 0)
		c = r->spare[--r->nspare];
	else if ((c = malloc(sizeof(*c) + r->chunk_cap)) == NULL)
		return NULL;
	c->refs = 1;
	c->fit = false;
	c->len = 0;
	return c;
}

void
chunk_put(struct relay *r, struct chunk *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	if (!c->fit && r->nspare < RELAY_SPARES)
		r->spare[r->nspare++] = c;
	else
		free(c);
}

/* The bytes queued and not yet written. */
size_t
queue_bytes(const struct queue *q)
{
	return q->bytes;
}

/* Appends c to q, with a reference of its own.  Returns 0, or -1 when
   memory ran out (the ring could not grow). */
int
queue_push(struct queue *q, struct chunk *c)
{
	struct chunk_ring *m = q->more, *nm;
	size_t cap, i;

	if (q->head == NULL) {
		q->head = c;
		q->off = 0;
	} else {
		if (m == NULL || m->count == m->cap) {
			cap = m == NULL ? 4 : 2 * m->cap;
			nm = malloc(sizeof(*nm) + cap * sizeof(nm->v[0]));
			if (nm == NULL)
				return -1;
			nm->first = 0;
			nm->count = m == NULL ? 0 : m->count;
			nm->cap = cap;
			for (i = 0; i < nm->count; i++)
				nm->v[i] = m->v[(m->first + i) % m->cap];
			free(m);
			q->more = m = nm;
		}
		m->v[(m->first + m->count++) % m->cap] = c;
	}
	c->refs++;
	q->bytes += c->len;
	return 0;
}

/* The head's next chunk becomes the head. */
static void
queue_next(struct relay *r, struct queue *q)
{
	struct chunk_ring *m = q->more;

	chunk_put(r, q->head);
	q->head = NULL;
	q->off = 0;
	if (m == NULL || m->count == 0)
		return;
	q->head = m->v[m->first];
	m->first = (m->first + 1) % m->cap;
	m->count--;
}

/* n more bytes of the head were written. */
void
queue_consume(struct relay *r, struct queue *q, size_t n)
{
	q->off += n;
	q->bytes -= n;
	if (q->off >= q->head->len)
		queue_next(r, q);
}

/* Drops what q holds. */
void
queue_clear(struct relay *r, struct queue *q)
{
	while (q->head != NULL)
		queue_next(r, q);
	free(q->more);
	q->more = NULL;
	q->bytes = 0;
}

/* As queue_consume() and queue_clear() for a peer's queue, which the
   lossless policy counts. */
void
peer_queue_consume(struct relay *r, struct endpoint *p, size_t n)
{
	queue_consume(r, &p->out, n);
	if (queue_empty(&p->out) && --r->owing == 0)
		fanout_done(r);
}

void
peer_queue_clear(struct relay *r, struct endpoint *p)
{
	if (queue_empty(&p->out))
		return;
	queue_clear(r, &p->out);
	if (--r->owing == 0)
		fanout_done(r);
}

/* Every peer took the local side's chunk.  With -k the time a peer
   waited for the others was not idleness: its clock starts again. */
void
fanout_done(struct relay *r)
{
	double now;
	size_t i;

	if (!r->o.keep_open)
		return;
	now = sock_now_ms();
	for (i = 0; i < r->n; i++)
		if (now > r->peers[i]->last_ms)
			r->peers[i]->last_ms = now;
}

/* Whether a chunk of the local side would go to a peer: with -k a peer
   whose handshake (or PROXY protocol header) is under way takes none,
   so with only such peers the local side waits, as with nobody. */
bool
local_takers(const struct relay *r)
{
	size_t i;

	if (!r->o.keep_open)
		return r->n > 0;
	for (i = 0; i < r->n; i++)
		if (!r->peers[i]->hs && !r->peers[i]->dead)
			return true;
	return false;
}

/* The local side's chunk c goes to every peer that takes part: with -k
   a peer whose handshake is under way joins from the next chunk.  Each
   is handed it now (their idle clocks).  Returns how many took it. */
size_t
route_from_local(struct relay *r, struct chunk *c, double now)
{
	struct endpoint *p;
	size_t i, n = 0;

	for (i = 0; i < r->n; i++) {
		p = r->peers[i];
		if (p->dead || (p->hs && r->o.keep_open))
			continue;
		if (r->o.broker) {
			n += broker_push(r, p, c) == 0;
			continue;
		}
		if (queue_empty(&p->out))
			r->owing++;
		if (queue_push(&p->out, c) == -1) {
			peer_fail(r, p, ENOMEM, NULL);
			continue;
		}
		p->wr_ms = now;
		n++;
	}
	return n;
}

/* Peer from's chunk c goes to the local side.  (A broker: and to every
   other peer, each under its bound.) */
void
route_from_peer(struct relay *r, struct endpoint *from, struct chunk *c)
{
	if (r->o.broker) {
		broker_route(r, from, c);
		return;
	}
	/* read only when the local side's queue is empty: the head takes
	   it, no allocation */
	if (queue_push(&r->local.out, c) == -1)
		peer_fail(r, from, ENOMEM, NULL);
}
