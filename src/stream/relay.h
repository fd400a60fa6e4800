/* The relay: moves bytes between stdin/stdout and one or more sockets,
   for listen and connect.  Event-driven (epoll), non-blocking sockets,
   partial writes and EINTR handled; stdin EOF half-closes the sockets,
   a peer's EOF ends its direction.  See SPEC.md "The stream session". */
#ifndef SOCKIT_RELAY_H
#define SOCKIT_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sock/sock.h"
#include "tls/tls.h"

struct relay_opts {
	bool keep_open;	       /* many clients: stdin to all, all to stdout;
				  a client's EOF ends that client */
	bool crlf;	       /* -C: send LF as CRLF */
	bool no_shutdown;      /* no half-close at stdin EOF */
	bool send_only;	       /* never read the socket */
	bool recv_only;	       /* never read stdin, never send */
	int64_t quit_after_ms; /* -q: end this long after stdin EOF; -1 */
	int64_t idle_ms;       /* --idle-timeout: -1 for none */
	int64_t handshake_ms;  /* --tls: handshake deadline, -1 for none */
};

struct relay;

/* One client connection, as the relay's hooks see it.  What every round
   of the event loop reads comes first, in one cache line: a listen -k
   holding thousands of clients walks them all each round. */
struct conn {
	int fd;
	int reg;  /* events in the relay's epoll set, or -1 */
	short re; /* what was ready this round */
	short rd_ev, wr_ev, hs_ev;
	bool rd_eof, wr_shut, dead;
	bool hs;	/* the handshake is under way */
	bool closing;	/* close_notify waits for the socket */
	bool truncated; /* EOF came without close_notify */
	bool hup;	/* told a hang-up or an error while it waited
			   for nothing: out of the set until it waits */
	size_t sent;	/* bytes of the current stdin chunk sent */
	double last_ms;
	double hs_end; /* handshake deadline, or -1 */
	/* --tls: bytes move through the session; epoll waits for the
	   direction it wants (plain: POLLIN to read, POLLOUT to write) */
	struct tls *tls; /* NULL: plain */
	double start_ms;
	uint64_t bytes_in;  /* received from the peer */
	uint64_t bytes_out; /* sent to the peer */
	struct sock_addr peer;
	struct sock_err err;  /* why it ended, when it failed */
	const char *reason;   /* the closed event's reason ("idle"), or NULL */
	double wr_ms;	      /* when its socket last took stdin bytes, or
				 was handed a chunk (-k --idle-timeout) */
	unsigned long log_id; /* which client a -o/-x record is of */
};

/* Hooks of the mode that drives the relay.  Each may be NULL. */
struct relay_hooks {
	void *ctx;
	/* A client came to listener lfd (non-blocking): accept it or not.
	   Returns the accepted descriptor, non-blocking (its peer in *peer),
	   -1 when that client was
	   refused or gone, -2 when descriptors ran out (accepting pauses a
	   moment), -3 when no client is waiting any more. */
	int (*accept)(void *ctx, int lfd, struct sock_addr *peer);
	/* A connection ended (closed event); failed when it broke. */
	void (*closed)(void *ctx, const struct conn *, bool failed);
	/* --tls: the session for a newly accepted fd (the relay runs its
	   handshake), or NULL to drop the client. */
	struct tls *(*tls_wrap)(void *ctx, int fd);
	/* A handshake finished (tls event).  Returns 0, or -1 with c->err
	   filled to fail the connection. */
	int (*tls_ready)(void *ctx, struct conn *c);
	/* -o, -x: n bytes at buf moved: sent to c (dir '>') or received
	   from it ('<'); c's bytes_out or bytes_in does not count them yet.
	   Returns 0, or -1 with *e: the relay stops, once stdout has what
	   came before.  When set, no zero-copy path is taken. */
	int (*log)(void *ctx, const struct conn *c, char dir, const char *buf,
	    size_t n, struct sock_err *e);
};

/* A relay over stdin (fd 0) and stdout (fd 1).  Returns NULL on out of
   memory. */
struct relay *relay_new(const struct relay_opts *, const struct relay_hooks *);
/* Adds a connected socket.  Returns 0, or -1 (ELOCAL). */
int relay_add(struct relay *, int fd, const struct sock_addr *peer,
    struct sock_err *);
/* Adds a connected socket wrapped in tls (owned by the relay from now
   on, even on failure), whose handshake the relay runs.  Returns 0, or
   -1 (ELOCAL). */
int relay_add_tls(struct relay *, int fd, const struct sock_addr *peer,
    struct tls *tls, struct sock_err *);
/* Watches a listening socket, made non-blocking: the accept hook is
   called when it is ready.  Without keep_open it is closed after the
   first client. */
int relay_listen(struct relay *, int lfd);
/* Connections now open. */
size_t relay_count(const struct relay *);
/* Runs until the session ends (without keep_open: the one connection is
   done both ways) or, with keep_open, forever unless an error stops it.
   Returns 0, or -1 with *e: ENET for a reset, an idle timeout or a
   failed peer; ELOCAL for stdin/stdout errors (code EPIPE when stdout's
   reader went away) and for the log hook's error, which stops the relay
   at once, once stdout has what came before. */
int relay_run(struct relay *, struct sock_err *e);
/* Closes everything the relay holds and frees it; stdin and stdout get
   their file status flags back. */
void relay_free(struct relay *);

#endif
