/* The relay's insides, shared by its files: relay.c (the event loop:
   reap, arm, wait, dispatch), accept.c (listeners), queue.c (chunks, queues and
   where a chunk goes), endpoint.c (a peer's I/O), local.c (the local side's
   I/O) and zerocopy.c (the path that moves bytes without copying them). */
#ifndef SOCKIT_STREAM_INTERNAL_H
#define SOCKIT_STREAM_INTERNAL_H

#include "stream/relay.h"

#define RELAY_BUF	 (128 * 1024) /* one read, either way */
#define RELAY_MAX_LISTEN 16
#define RELAY_MAX_WATCH	 4
#define RELAY_EVENTS	 256  /* ready descriptors taken per wait */
#define RELAY_SPARES	 2    /* chunks kept for the next reads */
#define RELAY_GOES_ON	 (-1) /* not an enum relay_end: no end yet */

/* Bytes read from one side, shared by the queues they go to. */
struct chunk {
	unsigned refs;
	bool fit; /* sized to its bytes (a broker's): freed, not spared */
	size_t len;
	char data[];
};

/* The chunks of a queue after its head, in a ring. */
struct chunk_ring {
	size_t first, count, cap;
	struct chunk *v[];
};

/* The local side: in_fd read to the peers, the peers' bytes written to
   out_fd (stdin and stdout, or one socket both ways). */
struct local {
	int in_fd, out_fd;
	int in_reg, out_reg; /* their events in the epoll set */
	short in_re, out_re; /* what was ready this round */
	bool in_eof, in_tty, in_poll, in_restore;
	bool in_hup;	  /* told a hang-up while not wanted */
	bool in_quiet;	  /* told ready while not wanted */
	bool in_dontwait; /* a socket shared with stderr: MSG_DONTWAIT */
	char in_last;	  /* -C: the last byte of the previous chunk */
	int in_flags;
	double in_eof_at;
	bool out_closed, out_poll, out_restore;
	bool out_dontwait; /* a socket shared with stderr: MSG_DONTWAIT */
	bool out_dup;	   /* out_fd is our duplicate of in_fd */
	int out_flags;
	struct queue out; /* the peers' bytes, for out_fd */
	/* datagram lines: the start of a line not yet complete */
	char *carry;
	size_t carry_len;
};

/* The zero-copy path (one peer, nothing that must see the bytes). */
enum { ZC_NONE, ZC_SPLICE, ZC_SENDFILE, ZC_PIPE };
struct zerocopy {
	int in;		    /* ZC_SPLICE (in_fd a pipe), ZC_SENDFILE (a file) */
	int out;	    /* ZC_SPLICE (out_fd a pipe), ZC_PIPE (via pipe) */
	bool in_waits_peer; /* in_fd -> peer waits for the peer */
	bool out_waits_output; /* peer -> out_fd waits for out_fd */
	int pipe[2];	       /* the pipe in the middle for ZC_PIPE */
	size_t piped;	       /* bytes in it */
};

/* What this round waits for, worked out by relay_arm() for dispatch(). */
struct round {
	bool want_in;	/* the local side is read (copying) */
	bool in_want;	/* in_fd is waited for (copying or splice) */
	bool zc_in;	/* in_fd -> peer by zero copy */
	bool zc_out;	/* peer -> out_fd by zero copy */
	bool pending;	/* a TLS session holds decrypted bytes */
	bool room;	/* --broker: every queue has room: read (broker.c) */
	double room_at; /* ... again then (a slow client stalls), or -1 */
};

/* Which peers a round looks at (visit.c). */
struct visit {
	struct endpoint **next;	 /* marked for the next round */
	struct endpoint **now;	 /* this round's, when not all */
	struct endpoint **ready; /* dispatched this round */
	size_t nnext, nnow, nready;
	uint64_t gen;	/* next's generation: a peer's next_gen says it is in */
	uint64_t rgen;	/* ready's, and a peer's ready_gen */
	bool all;	/* this round walks every peer */
	unsigned state; /* what every peer depends on, last round */
	double hs_at;	/* the earliest handshake deadline seen, or -1 */
	uint64_t rounds, visited; /* rounds, and peers looked at (tests) */
};

/* Why the relay stops at once, at the top of its loop. */
enum halt { HALT_NONE, HALT_LOG, HALT_ACCEPT };

struct relay {
	struct relay_opts o;
	/* with o.stop: SIGINT and SIGTERM are blocked while a round works and
	   let through only while it waits (epoll_pwait), so that one which
	   comes between two waits ends the next wait, not a later one */
	sigset_t wait_mask;
	bool masked;
	struct relay_hooks h;
	struct endpoint **peers;
	size_t n, cap;
	struct local local;
	int lfd[RELAY_MAX_LISTEN];
	int l_reg[RELAY_MAX_LISTEN];
	short l_re[RELAY_MAX_LISTEN];
	bool l_dgram[RELAY_MAX_LISTEN]; /* a datagram listener */
	size_t nl;
	unsigned l_streak; /* rounds in a row with a listener ready */
	int wfd[RELAY_MAX_WATCH];
	int w_reg[RELAY_MAX_WATCH];
	short w_re[RELAY_MAX_WATCH];
	size_t nw;
	int ep;		     /* the epoll set */
	bool had_peer;	     /* a peer came (or was handed off) */
	double accept_pause; /* no accepting before this (EMFILE) */
	double first_peer_by;
	size_t owing; /* peers whose queue is not empty */
	struct chunk *spare[RELAY_SPARES];
	size_t nspare;
	size_t chunk_cap;
	unsigned long ids; /* peers so far */
	enum halt halt;
	struct sock_err halt_err;
	struct round round;
	struct visit visit;
	struct zerocopy zc;
	struct chunk *held; /* --delay: the local side's chunk, sent a line
			       at a time (delay.c) */
	size_t held_off;    /* its bytes already sent */
	double delay_next;  /* its next line not before this */
};

/* relay.c */
int relay_epoll_set(struct relay *, int fd, int *reg, int ev, short *re);
int peer_epoll_set(struct relay *, struct endpoint *, int ev);

/* Registers fd in the epoll set for ev (poll(2) bits; 0 still reports
   errors and hang-ups, as poll does), or takes it out (ev -1).  *reg is
   what it is registered for (-1: not in the set); a ready fd writes its
   events to *re at the wait.  Returns 0, or -1 (errno).  Every round
   asks it for every peer: what did not change costs no call. */
static inline int
relay_set_watch(struct relay *r, int fd, int *reg, int ev, short *re)
{
	return ev == *reg ? 0 : relay_epoll_set(r, fd, reg, ev, re);
}

/* relay_set_watch() for a peer: its events come to p->re, and p to the
   round's ready list. */
static inline int
peer_set_watch(struct relay *r, struct endpoint *p, int ev)
{
	return ev == p->reg ? 0 : peer_epoll_set(r, p, ev);
}

static inline bool
queue_empty(const struct queue *q)
{
	return q->head == NULL;
}

/* The lossless policy (queue.c): the local side is read when every peer
   took its last chunk ... */
static inline bool
local_may_read(const struct relay *r)
{
	/* a broker bounds each queue instead (broker.c); --delay reads
	   again when its chunk is all sent */
	return (r->o.broker ? r->round.room : r->owing == 0) && r->held == NULL;
}

/* ... and a peer when the local side took its last (and, with a
   broker, every peer that reads has room). */
static inline bool
peer_may_read(const struct relay *r, const struct endpoint *p)
{
	(void)p;
	return queue_empty(&r->local.out) && (!r->o.broker || r->round.room);
}

/* accept.c */
void accept_clients(struct relay *);

/* queue.c */
struct chunk *chunk_new(struct relay *);
void chunk_put(struct relay *, struct chunk *);
size_t queue_bytes(const struct queue *);
int queue_push(struct queue *, struct chunk *);
void queue_consume(struct relay *, struct queue *, size_t n);
void queue_clear(struct relay *, struct queue *);
void peer_queue_consume(struct relay *, struct endpoint *, size_t n);
void peer_queue_clear(struct relay *, struct endpoint *);
bool local_takers(const struct relay *);
size_t route_from_local(struct relay *, struct chunk *, double now);
void route_from_peer(struct relay *, struct endpoint *, struct chunk *);
void fanout_done(struct relay *);

/* broker.c */
void broker_arm(struct relay *, double now);
size_t broker_read_max(const struct relay *);
int broker_push(struct relay *, struct endpoint *, struct chunk *);
void broker_route(struct relay *, struct endpoint *from, struct chunk *);
int broker_join(struct relay *, struct endpoint *);
void broker_leave(struct relay *, struct endpoint *);

/* telnet.c */
size_t telnet_filter(struct relay *, struct endpoint *, char *buf, size_t n);

/* header.c */
int header_start(struct relay *, struct endpoint *);
void header_step(struct relay *, struct endpoint *);
void header_refuse(struct relay *, struct endpoint *, int code,
    const char *reason);
void header_free(struct endpoint *);

/* delay.c */
bool delay_holds(struct relay *, struct chunk *);
void delay_send(struct relay *, double now);
double delay_deadline(const struct relay *);

/* endpoint.c */
int peer_add(struct relay *, int fd, const struct sock_addr *peer,
    struct tls *tls, struct sock_err *);
void peer_fail(struct relay *, struct endpoint *, int code, const char *reason);
void peer_dead(struct relay *, struct endpoint *);
void peer_send(struct relay *, struct endpoint *);
void peer_received(struct relay *, struct endpoint *, struct chunk *);
int peer_dispatch(struct relay *, struct endpoint *, struct sock_err *);
int peer_try_read(struct relay *, struct endpoint *, struct sock_err *);
void peer_shutdown(struct relay *, struct endpoint *);
void peer_handshake(struct relay *, struct endpoint *);
double peer_idle_at(const struct relay *, const struct endpoint *);
void peer_drop(struct relay *, size_t i);
void peer_free(struct relay *, struct endpoint *);

/* local.c */
int local_open(struct relay *, int in_fd, int out_fd);
int local_read(struct relay *, struct chunk **, struct sock_err *);
int local_flush(struct relay *, struct sock_err *);
void local_drain(struct relay *);
void local_end_output(struct relay *);
void local_close(struct relay *);
bool local_quiet(const struct relay *);

/* datagram.c */
int dgram_read_local(struct relay *, struct chunk *, size_t got,
    struct sock_err *);
size_t dgram_local_room(const struct relay *);
ssize_t dgram_write(struct endpoint *, const char *buf, size_t n, bool lines,
    size_t max);
size_t dgram_recv(struct relay *, struct endpoint *, char *buf, size_t len);
void dgram_accept(struct relay *, size_t i);

/* visit.c */
int visit_grow(struct relay *, size_t cap);
void visit_free(struct relay *);
void visit_mark(struct relay *, struct endpoint *);
void visit_ready(struct relay *, struct endpoint *);
void visit_ready_clear(struct relay *);
void visit_forget(struct relay *, struct endpoint *);
void visit_reset(struct relay *);
void visit_begin(struct relay *, double now);
size_t visit_count(const struct relay *);
void visit_deadline(struct relay *, const struct endpoint *);

/* The k-th peer this round visits (below visit_count()), or NULL. */
static inline struct endpoint *
visit_peer(const struct relay *r, size_t k)
{
	return r->visit.all ? r->peers[k] : r->visit.now[k];
}

/* zerocopy.c */
void zc_setup(struct relay *);
int zc_dispatch(struct relay *, struct sock_err *);
void zc_close(struct relay *);

/* relay.c: when -q ends the session, or -1. */
double quit_at(const struct relay *r);
/* wait.c: what each descriptor waits for this round; 0, or -1 (*e). */
int relay_arm(struct relay *r, double now, struct sock_err *e);
/* wait.c: the wait for it, until the next deadline: 1 when something may
   be ready, 0 when a signal came, or -1 (*e). */
int relay_wait(struct relay *r, double now, struct sock_err *e);

#endif
