/* What listen.c (the server: options, listeners, the relay) and
   listen_exec.c (-e/-c: a child per client) share. */
#ifndef SOCKIT_LISTEN_H
#define SOCKIT_LISTEN_H

#include <sys/types.h>

#include "cli/parse.h"
#include "modes/session.h"

#define MAX_LISTEN   16
#define MAX_CIDR     64
#define BROKER_QUEUE (1024 * 1024) /* --max-queue by default */

/* An -e/-c child and its client, for the closed event. */
struct child {
	pid_t pid;
	struct endpoint c; /* peer and start time */
};

/* listen's options (parse_opts()). */
struct listen_opts {
	struct session s;
	bool keep_open;
	bool udp;	    /* -u: a datagram session */
	uint64_t max_conns; /* 0: no limit */
	struct cidr allow[MAX_CIDR], deny[MAX_CIDR];
	size_t nallow, ndeny;
	int backlog;
	bool broker;	    /* --broker (or --chat) */
	bool chat;	    /* --chat */
	uint64_t max_queue; /* --max-queue: 0 for the default */
};

struct server {
	struct listen_opts o;
	int lfd[MAX_LISTEN];
	size_t nl;
	bool lfd_relayed; /* the relay closes lfd[], not the mode */
	struct relay *r;
	struct sock_addr peer; /* without -k: the client */
	bool peer_came;	       /* ... came in */
	struct child *kids;
	size_t nkids, capkids;
	bool spawn_failed;	    /* without -k: its child did not start */
	bool port_zero;		    /* PORT 0: the bound port is always told */
	bool made_unix;		    /* we created the -U socket file: */
	struct sock_file unix_file; /* this one, removed at exit */
	struct tls_ctx *tls;	    /* --tls */
};

/* listen_open.c */
/* Opens the listening sockets of type, SOCK_STREAM or SOCK_DGRAM (-u):
   inherited (LISTEN_FDS), a Unix path, or ADDRESS PORT.  Returns 0 or an
   exit status. */
int listen_open(struct server *, char **args, int nargs, int type);

/* listen.c */
/* Accepts one client from lfd (ready, non-blocking) and lets it in or
   not: into *fd, non-blocking unless an -e/-c child is to have it.
   Refusals and the failures listen -k goes on after are told here;
   RELAY_ACCEPT_FAILED leaves *e to the caller. */
enum relay_accept take_client(struct server *, int lfd, int *fd,
    struct sock_addr *peer, struct sock_err *e);
/* proxy_header.c */
/* --proxy-protocol: a client's header came (the accepted event), or it
   is refused (h NULL: the refused event, and the error with -k). */
int proxied_hook(void *ctx, struct endpoint *p, const struct pp_header *h);
/* --tls: the tls event of a client whose handshake is done. */
int tls_ready_hook(void *ctx, struct endpoint *p);

/* listen_exec.c */
/* Serves -e/-c: a child per client, every client with -k, else the
   first.  Returns the exit status. */
int serve_exec(struct server *);

/* listen.c */
/* The exit status of a server's relay that ended with end (*e); nobody
   names what did not come within -w ("client", "datagram"). */
int serve_status(struct server *, enum relay_end end, struct sock_err *e,
    const char *nobody);

#endif
