/* The events of SPEC.md on stderr, one function per event: a text line,
   or with --json a JSON object, each written with one write(2).  Shown
   with -v or --json (listening and certificate also without, error
   always), never with --quiet (but error).  Each event function takes
   what the event says, not how a mode found it out; each returns 0, or
   -1 when stderr failed. */
#ifndef SOCKIT_EVENTS_H
#define SOCKIT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock/sock.h"
#include "tls/tls.h"

/* listening: the bound address of a listener; proto "tcp", "udp" or
   "unix" (then address is the path and port null).  always: even
   without -v (PORT 0: the port the kernel picked).
   text: listening on ADDRESS PORT */
int event_listening(const struct sock_addr *, const char *proto, bool always);
/* accepted: a client of listen (peer, peer_port; null for an unnamed
   Unix client), and when not NULL the client a PROXY protocol header
   names (client, client_port).
   text: accepted PEER [for CLIENT] */
int event_accepted(const struct sock_addr *peer,
    const struct sock_addr *client);
/* refused: a client closed at once (peer, peer_port, reason: "denied",
   "not allowed", "max-conns").
   text: refused PEER: REASON */
int event_refused(const struct sock_addr *peer, const char *reason);
/* peer: the sender listen -u takes as its peer; expired: a peer of
   listen -u -k that was silent for --idle-timeout (peer, peer_port).
   text: peer PEER, expired PEER */
int event_peer(const struct sock_addr *peer);
int event_expired(const struct sock_addr *peer);

/* What the "connected" event says (connect). */
struct event_connected {
	const struct sock_addr *peer;  /* the address connected to: the
					  proxy's through --proxy */
	const struct sock_addr *local; /* its local end; NULL: unknown */
	double connect_ms;	       /* how long the connect took */
	const char *proxy;	       /* --proxy as shown, or NULL */
	const char *proto;	       /* "udp" for connect -u, or NULL */
};
/* connected: address, port, local_address, local_port (null for Unix),
   connect_ms, proxy (through one), proto (UDP).
   text: connected to ADDRESS PORT from LOCAL PORT in MS ms, or
   connected through proxy URL (ADDRESS PORT) from LOCAL PORT in MS ms */
int event_connected(const struct event_connected *);

/* What the "closed" event says: how a connection ended. */
struct event_closed {
	const struct sock_addr *peer; /* listen: the client; NULL: none */
	bool counted;		      /* false: an -e/-c child owned the
					 socket, the byte counts are null */
	uint64_t bytes_in, bytes_out;
	bool datagrams; /* UDP sessions: the datagram counts too */
	uint64_t datagrams_in, datagrams_out;
	double duration_ms;
	const char *reason; /* why sockit closed it ("idle", "slow"), or
			       NULL */
};
/* closed: peer, peer_port, datagrams_in, datagrams_out, bytes_in,
   bytes_out, duration_ms, reason.
   text: closed [PEER]: IN bytes in, OUT out, MS ms [(REASON)], or
   closed PEER after MS ms [(REASON)] when not counted */
int event_closed(const struct event_closed *);

/* certificate: the self-signed certificate listen --tls made (subject,
   fingerprint_sha256); shown without -v too.
   text: certificate sha256 AB:CD:... */
int event_certificate(const char *subject, const char *fingerprint);
/* tls: a handshake done (peer, peer_port in listen; peer NULL in
   connect), and the facts of tls_json().
   text: tls [PEER:] the short form of tls_text() */
int event_tls(const struct tls_info *, const struct sock_addr *peer);
/* sent: one datagram of udp-send (address, port, bytes).
   text: sent BYTES bytes to ADDRESS PORT */
int event_sent(const struct sock_addr *to, size_t bytes);

/* error: the failure of kind (mode, kind: usage, network, resolve,
   local or tls, message, exit: its exit status, or null when sockit goes
   on); shown even with --quiet.
   text: sockit: MODE: MESSAGE, and for a usage error that ends sockit
   a second line Try 'sockit MODE --help'. */
int event_error(enum sock_kind, bool fatal, const char *message);
/* diagnostic: a message (mode, message); report.c's diag() decides
   whether it is shown.
   text: sockit: MODE: MESSAGE */
int event_diagnostic(const char *message);

#endif
