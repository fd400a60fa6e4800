/* Which peers a round looks at.  A listen -k holding thousands of idle
   clients must not walk them all in every round of one busy client: a
   round visits the peers whose state may have changed since the last
   (marked: they were ready, were handed a chunk, sent, failed, or came),
   and dispatches the ones epoll told ready (or whose TLS session holds
   decrypted bytes).  What every peer's waiting depends on and no mark
   tells (the local side's queue emptied or filled, its EOF, the
   zero-copy path, a handshake deadline that passed, --idle-timeout's
   clocks, the broker's room) makes the round walk them all, as does a
   relay of one peer (without -k).

   Lists hold pointers, each peer at most once per round (a generation
   number says it is in); a peer that leaves is taken out of both. */
#include "config.h"

#include <stdlib.h>

#include "stream/internal.h"

/* The capacity of the lists: as many peers as r->peers holds.  Returns
   0, or -1 when memory ran out (the old ones stay). */
int
visit_grow(struct relay *r, size_t cap)
{
	struct endpoint **v;
	int k;

	for (k = 0; k < 3; k++) {
		struct endpoint ***l = k == 0 ? &r->visit.next :
		    k == 1		      ? &r->visit.now :
						&r->visit.ready;

		if ((v = realloc(*l, cap * sizeof(*v))) == NULL)
			return -1;
		*l = v;
	}
	return 0;
}

void
visit_free(struct relay *r)
{
	free(r->visit.next);
	free(r->visit.now);
	free(r->visit.ready);
}

/* The next round's list without the places of peers that left (there
   is room for every peer there is). */
static void
compact(struct visit *v)
{
	size_t i, n = 0;

	for (i = 0; i < v->nnext; i++) {
		if (v->next[i] == NULL)
			continue;
		v->next[i]->next_at = n;
		v->next[n++] = v->next[i];
	}
	v->nnext = n;
}

/* p's state changed: the next round looks at it. */
void
visit_mark(struct relay *r, struct endpoint *p)
{
	struct visit *v = &r->visit;

	if (p->next_gen == v->gen)
		return;
	if (v->nnext == r->cap) /* peers that left hold places: out */
		compact(v);
	p->next_gen = v->gen;
	p->next_at = v->nnext;
	v->next[v->nnext++] = p;
}

/* p is ready this round: dispatch() looks at it. */
void
visit_ready(struct relay *r, struct endpoint *p)
{
	struct visit *v = &r->visit;

	if (p->ready_gen == v->rgen)
		return;
	p->ready_gen = v->rgen;
	p->ready_at = v->nready;
	v->ready[v->nready++] = p;
}

/* A new list of ready peers (what came before is done). */
void
visit_ready_clear(struct relay *r)
{
	r->visit.nready = 0;
	r->visit.rgen++;
}

/* p leaves the relay: out of the lists that name it. */
void
visit_forget(struct relay *r, struct endpoint *p)
{
	struct visit *v = &r->visit;

	if (p->next_gen == v->gen)
		v->next[p->next_at] = NULL;
	if (p->ready_gen == v->rgen)
		v->ready[p->ready_at] = NULL;
}

/* What no mark tells, as a number: a change walks every peer. */
static unsigned
state_of(const struct relay *r)
{
	return (unsigned)queue_empty(&r->local.out) |
	    (unsigned)r->local.in_eof << 1 | (unsigned)r->zc.in << 2 |
	    (unsigned)r->zc.out << 4 | (unsigned)r->zc.in_waits_peer << 6 |
	    (unsigned)r->zc.out_waits_output << 7;
}

/* The first round of relay_run() walks every peer, and what was listed
   before is forgotten. */
void
visit_reset(struct relay *r)
{
	struct visit *v = &r->visit;

	v->nnext = v->nnow = 0;
	v->gen++;
	visit_ready_clear(r);
	v->state = ~0u;
	v->hs_at = -1;
}

/* The start of a round: the peers marked since the last become the ones
   it visits, or every peer when something they all depend on changed. */
void
visit_begin(struct relay *r, double now)
{
	struct visit *v = &r->visit;
	struct endpoint **t = v->now;
	unsigned state = state_of(r);

	v->now = v->next;
	v->nnow = v->nnext;
	v->next = t;
	v->nnext = 0;
	v->gen++;
	v->rounds++;
	v->all = !r->o.keep_open || r->o.broker || r->o.idle_ms >= 0 ||
	    state != v->state || (v->hs_at >= 0 && now >= v->hs_at);
	v->state = state;
	if (v->all)
		v->hs_at = -1; /* worked out again from every peer */
}

/* The peers this round visits: visit_peer(r, k) for k below this; a peer
   may be NULL (it left). */
size_t
visit_count(const struct relay *r)
{
	return r->visit.all ? r->n : r->visit.nnow;
}

/* A handshake deadline of a peer the round visits. */
void
visit_deadline(struct relay *r, const struct endpoint *p)
{
	struct visit *v = &r->visit;

	if (p->hs && !p->dead && p->hs_end >= 0 &&
	    (v->hs_at < 0 || p->hs_end < v->hs_at))
		v->hs_at = p->hs_end;
}
