/* What listen and connect share: the stream session's options (-C, -q,
   --no-shutdown, --send-only, --recv-only, --idle-timeout, -o, -x, -O)
   and its events. */
#ifndef SOCKIT_SESSION_H
#define SOCKIT_SESSION_H

#include "cli/args.h"
#include "cli/options.h"
#include "out/log.h"
#include "stream/relay.h"
#include "tls/tls.h"

struct session {
	struct relay_opts ro;
	struct sockopts so;
	struct session_log log;	  /* -o, -x */
	const char *output_path;  /* -o */
	const char *hexdump_path; /* -x */
	const char *unix_path;	  /* -U */
	struct tls_opts tls;	  /* --tls and its options */
	bool raw;		  /* --raw: with -u, a read is a datagram */
};

/* Defaults: no timers. */
void session_init(struct session *);
/* Takes option c (with its argument) when it is a session option.
   Returns 1 when taken, 0 when not a session option, or -1 after a
   usage error was printed. */
int session_opt(struct session *, int c, const struct opt_value *v);
/* Checks the TLS options: they go with --tls.  Returns 0, or EXIT_USAGE
   after printing. */
int session_tls_check(const struct session *);
/* Opens the -o and -x files.  Returns 0, or EXIT_LOCAL after printing. */
int session_files(struct session *);
/* Closes them. */
void session_close(struct session *);
/* The relay's log hook, for the session's -o/-x files: a record of what
   moved to or from peer c. */
int session_log_peer(struct session *, const struct endpoint *c, char dir,
    const char *buf, size_t n, struct sock_err *e);
/* The "connected" event of fd to peer, after ms; through proxy (its
   URL as shown) when not NULL. */
void session_connected(int fd, const struct sock_addr *peer, double ms,
    const char *proxy);
/* The "closed" event of peer c (with its address when with_peer; byte
   counts null unless counted: an -e child owned the socket); first,
   with -v, a TLS peer that closed without close_notify. */
void session_closed(const struct endpoint *c, bool with_peer, bool counted);

#endif
