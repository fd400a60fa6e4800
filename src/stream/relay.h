/* The relay engine: moves bytes between a local side (in_fd to the peers,
   the peers to out_fd: stdin and stdout for listen and connect, the
   socketpair of an -e child for listen -e --tls) and one or more peer
   endpoints.  Event-driven (epoll), non-blocking, partial writes and
   EINTR handled; the local side's EOF half-closes the peers, a peer's
   EOF ends its direction.  See SPEC.md "The stream session".

   Data flow: what is read from one side is a chunk, shared (counted
   references) by the output queue of every endpoint it goes to: the
   local side's chunk to every peer (lossless fan-out: the local side is
   read again when every peer's queue is empty, so the slowest reader
   sets the pace, bounded by --idle-timeout), a peer's chunk to the local
   side (a peer is read when the local side's queue is empty).  A broker
   (every client to every other, a full queue drops its client) is one
   more routing rule and one more queue policy in stream/queue.c. */
#ifndef SOCKIT_RELAY_H
#define SOCKIT_RELAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sock/sock.h"
#include "tls/tls.h"

struct relay_opts {
	bool keep_open;	       /* many peers: the local side to all, all to
				  the local side; a peer's EOF ends it */
	bool crlf;	       /* -C: send LF as CRLF */
	bool no_shutdown;      /* no half-close at the local side's EOF */
	bool send_only;	       /* never read the peers */
	bool recv_only;	       /* never read the local side, never send */
	int64_t quit_after_ms; /* -q: end this long after its EOF; -1 */
	int64_t idle_ms;       /* --idle-timeout: -1 for none */
	bool idle_ends;	       /* an idle peer's session ends well, not
				  failed (nc -w) */
	int64_t handshake_ms;  /* --tls: handshake deadline, -1 for none */
	int64_t first_peer_ms; /* listen -w: the first peer within this,
				  else RELAY_NO_PEER; -1 for none */
	bool broker;	       /* --broker: a peer's bytes to every other
				  peer too (stream/broker.c) */
	bool chat;	       /* --chat: lines as "<userN> LINE", joins
				  and leaves told (with broker) */
	uint64_t max_queue;    /* --broker: bytes a peer's queue holds at
				  most; more drops it ("slow") */
	bool telnet;	       /* -t: telnet negotiation refused, IAC
				  sequences kept off out_fd (telnet.c) */
	int64_t delay_ms;      /* --delay: in_fd's lines DUR apart
				  (delay.c); 0 for none */
	/* non-zero (the signal's number, SIGINT or SIGTERM): every session
	   ends, RELAY_STOPPED; NULL: never looked at */
	const volatile sig_atomic_t *stop;
	/* datagram peers (connect -u, listen -u): the largest datagram;
	   lines: a datagram is a line of the local side (up to and with
	   its newline), sent when complete; else one read is one */
	size_t datagram_max;
	bool lines;
	/* listen --proxy-protocol: 1 or 2, every client's PROXY protocol
	   header first, within handshake_ms (header.c); 0: none */
	int proxy_protocol;
	/* a hook forks children that hold the relay's descriptors for a
	   while (listen -e): a peer leaves the epoll set before its socket
	   is closed, which would not take it out while a child holds it */
	bool children;
};

/* How an endpoint's bytes move. */
enum endpoint_kind {
	ENDPOINT_STREAM, /* a stream socket: send(2), recv(2) */
	ENDPOINT_TLS,	 /* a stream socket under a TLS session */
	ENDPOINT_DGRAM	 /* a datagram socket: one datagram a send, a
			    line (or a read) of the local side each */
};

struct chunk;
struct chunk_ring;
struct chat;
struct header;
struct pp_header;

/* What waits to be written to an endpoint: chunks, in order.  The first
   is held in line; more (a broker's) go in a ring allocated when a
   second comes, so an idle client costs no buffer. */
struct queue {
	struct chunk *head;	 /* being written, or NULL: empty */
	size_t off;		 /* its bytes already written */
	struct chunk_ring *more; /* the chunks after it, or NULL */
	size_t bytes;		 /* queued and not yet written */
};

/* A peer: one connection, as the relay's hooks see it.  What every
   round of the event loop reads comes first, in one cache line: a listen
   -k holding thousands of clients walks them all each round. */
struct endpoint {
	int fd;
	int reg;  /* events in the relay's epoll set, or -1 */
	short re; /* what was ready this round */
	short rd_ev, wr_ev, hs_ev;
	unsigned char kind; /* enum endpoint_kind */
	bool rd_eof, wr_shut, dead;
	bool hs;	  /* the handshake is under way */
	bool closing;	  /* close_notify waits for the socket */
	bool truncated;	  /* EOF came without close_notify */
	bool hup;	  /* told a hang-up or an error while it waited
			     for nothing: out of the set until it waits */
	struct queue out; /* what goes to it */
	double last_ms;
	double hs_end; /* handshake deadline, or -1 */
	double wr_ms;  /* when its socket last took the local side's
			  bytes, or was handed a chunk (-k --idle-timeout) */
	/* --tls: bytes move through the session; epoll waits for the
	   direction it wants (plain: POLLIN to read, POLLOUT to write) */
	struct tls *tls;  /* NULL: plain */
	unsigned long id; /* 1, 2, ... in order of arrival */
	double start_ms;
	uint64_t bytes_in;   /* received from the peer */
	uint64_t bytes_out;  /* sent to the peer */
	const char *reason;  /* the closed event's reason ("idle"), or NULL */
	struct sock_err err; /* why it ended, when it failed */
	struct sock_addr peer;
	struct chat *chat; /* --chat: its unfinished line */
	struct header *pp; /* --proxy-protocol: its header under way (hs) */
	bool refused;	   /* its header was not one: no closed event */
	bool handed_off;   /* served elsewhere once its header came (an -e
			      child): no closed event, no failure */
	unsigned char telnet_state; /* -t: where in an IAC sequence */
	unsigned char telnet_verb;  /* ... and its WILL/WONT/DO/DONT */
	/* ENDPOINT_DGRAM */
	uint64_t datagrams_in, datagrams_out;
	bool shared; /* listen -u -k: fd is the listener's (a duplicate):
			sent to with sendto(peer), read by the listener */
	/* where the relay keeps it (visit.c): its index in the peers, and
	   in the lists of peers to look at and of peers ready */
	size_t slot, next_at, ready_at;
	uint64_t next_gen, ready_gen;
};

/* What the accept hook did with the client waiting at a listener. */
enum relay_accept {
	RELAY_ACCEPT_PEER,	 /* *client joins the relay */
	RELAY_ACCEPT_HANDED_OFF, /* served elsewhere (an -e child): it is
				    the first client, but nothing joins */
	RELAY_ACCEPT_REFUSED,	 /* refused, or gone: the next one */
	RELAY_ACCEPT_NO_FDS,	 /* no descriptor to take it with: accepting
				    pauses until a peer leaves, a watched
				    descriptor is ready or 100 ms pass */
	RELAY_ACCEPT_EMPTY,	 /* nobody else is waiting */
	RELAY_ACCEPT_FAILED	 /* *e: the relay ends with it */
};

/* A client the accept hook lets in. */
struct relay_client {
	int fd;		 /* non-blocking */
	struct tls *tls; /* its session, whose handshake the relay runs
			    (owned by the relay from now on), or NULL */
	struct sock_addr peer;
};

/* Hooks of the mode that drives the relay.  Each may be NULL. */
struct relay_hooks {
	void *ctx;
	/* A client came to listener lfd (non-blocking): take it or not. */
	enum relay_accept (*accept)(void *ctx, int lfd,
	    struct relay_client *client, struct sock_err *e);
	/* A peer ended (closed event); failed when it broke (p->err). */
	void (*closed)(void *ctx, const struct endpoint *p, bool failed);
	/* --proxy-protocol: p's header came (h: the accepted event), or p
	   is refused (h NULL; p->err says why, its what "PROXY protocol
	   header": the refused event).  Returns 0, -1 to refuse p, or 1
	   when p is handed off (the hook took a duplicate of p->fd: p
	   leaves the relay, as with RELAY_ACCEPT_HANDED_OFF). */
	int (*proxied)(void *ctx, struct endpoint *p, const struct pp_header *);
	/* A handshake finished (tls event).  Returns 0, or -1 with p->err
	   filled to fail the peer. */
	int (*tls_ready)(void *ctx, struct endpoint *p);
	/* -o, -x: n bytes at buf moved: sent to p (dir '>') or received
	   from it ('<'); p's bytes_out or bytes_in does not count them yet.
	   Returns 0, or -1 with *e: the relay stops, once the local side's
	   output has what came before.  When set, no zero-copy path. */
	int (*log)(void *ctx, const struct endpoint *p, char dir,
	    const char *buf, size_t n, struct sock_err *e);
	/* A datagram listener's first datagram from p's address made p a
	   peer (the peer event). */
	void (*joined)(void *ctx, const struct endpoint *p);
	/* A descriptor given to relay_watch() is readable (listen -e: the
	   SIGCHLD pipe).  Accepting resumes after it. */
	void (*watched)(void *ctx, int fd);
};

/* How relay_run() ended. */
enum relay_end {
	RELAY_DONE,    /* the session ended well */
	RELAY_FAILED,  /* *e says why */
	RELAY_STOPPED, /* *stop was set: every peer ended (closed hook
			  called); *e is "SIGINT: interrupted" */
	RELAY_NO_PEER  /* first_peer_ms passed with nobody */
};

/* A relay over in_fd (read) and out_fd (written); they may be one
   descriptor (a socket), and -1 for none.  They stay the caller's, and
   get their file status flags back at relay_free().  Returns NULL when
   memory or descriptors ran out. */
struct relay *relay_new(int in_fd, int out_fd, const struct relay_opts *,
    const struct relay_hooks *);
/* Adds a connected socket, plain (tls NULL) or with tls, whose
   handshake the relay runs (tls is the relay's from now on, even on
   failure).  Returns 0, or -1 (ELOCAL). */
int relay_add(struct relay *, int fd, const struct sock_addr *peer,
    struct tls *tls, struct sock_err *);
/* Watches a listening socket, made non-blocking: the accept hook is
   called when it is ready.  The relay owns it from now on: without
   keep_open it is closed after the first client, else by relay_free().
   Returns 0, or -1. */
int relay_listen(struct relay *, int lfd);
/* Adds a connected datagram socket (connect -u): a line of the local
   side a datagram, each datagram received to the local side.  Returns
   0, or -1 (ELOCAL). */
int relay_add_dgram(struct relay *, int fd, const struct sock_addr *peer,
    struct sock_err *);
/* Watches a bound datagram socket (listen -u): the first datagram from
   an address makes its sender a peer (the joined hook).  Without
   keep_open the socket itself becomes the one peer, connected to it;
   with keep_open every sender is a peer, sent to from lfd.  The relay
   owns lfd from now on.  Returns 0, or -1. */
int relay_listen_dgram(struct relay *, int lfd);
/* Watches fd for reading: the watched hook is called when it is ready.
   Returns 0, or -1. */
int relay_watch(struct relay *, int fd);
/* Peers now in the relay. */
size_t relay_count(const struct relay *);
/* Runs until the session ends: without keep_open, the one peer done both
   ways (or broken); with keep_open, when an error stops it.  ENET for a
   reset, an idle timeout or a failed peer; ELOCAL for errors of in_fd
   and out_fd ("read from stdin", "write to stdout"; code EPIPE when the
   reader went away) and for the log hook's error. */
enum relay_end relay_run(struct relay *, struct sock_err *e);
/* Closes the peers and listeners the relay holds and frees it. */
void relay_free(struct relay *);

#endif
