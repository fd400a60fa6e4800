/* The events of SPEC.md on stderr (with -v or --json): one function per
   event. */
#ifndef SOCKIT_EVENTS_H
#define SOCKIT_EVENTS_H

#include <stdbool.h>

#include "sock/sock.h"
#include "stream/relay.h"
#include "tls/tls.h"

/* The "listening" event of listener fd; always: even without -v. */
void session_listening_event(int fd, bool always);
/* The "accepted" or "refused" (name) event of peer, reason when not
   NULL. */
void session_peer_event(const char *name, const struct sock_addr *peer,
    const char *reason);
/* The "connected" event of fd to peer, after ms; through proxy (its
   shown URL) when not NULL. */
void session_connected_event(int fd, const struct sock_addr *peer, double ms,
    const char *proxy);
/* The "closed" event of a connection (bytes null with exec children). */
void session_closed_event(const struct endpoint *, bool with_peer, bool bytes);
/* The "tls" event (with -v or --json); peer is NULL in connect. */
void tls_event(const struct tls_info *, const struct sock_addr *peer);

#endif
