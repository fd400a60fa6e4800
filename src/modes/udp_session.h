/* The datagram sessions of connect -u and listen -u (SPEC "UDP
   sessions"): the relay with a datagram endpoint. */
#ifndef SOCKIT_UDP_SESSION_H
#define SOCKIT_UDP_SESSION_H

#include "cli/target.h"
#include "modes/session.h"

struct listen_opts;
struct server;

/* connect -u: a connected datagram socket to t (or -U's path), from
   src, and the relay with it.  Returns the exit status. */
int connect_udp(struct session *, const struct source *src,
    const struct target *t);

/* listen -u: the options that do not go with it.  Returns 0, or
   EXIT_USAGE after printing. */
int listen_udp_check(const struct listen_opts *);
/* The relay over it: the first sender (with -k every one) a peer.
   Returns the exit status. */
int serve_udp(struct server *);

/* A receive buffer of 4 MiB on fd, for bursts (-O SO_RCVBUF=... after it
   wins). */
void udp_rcvbuf(int fd);

/* The closed event of a datagram peer (with its address when
   with_peer). */
void udp_closed(const struct endpoint *p, bool with_peer);

#endif
