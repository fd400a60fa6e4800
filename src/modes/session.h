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
	int proxy_protocol;	  /* --proxy-protocol: 1, 2; 0: off */
	bool mptcp;		  /* --mptcp */
	char **exec_argv;	  /* -e/-c (free with free()) */
	bool raw;		  /* --raw: with -u, a read is a datagram */
};

/* Defaults: no timers. */
void session_init(struct session *);
/* Takes option c (with its argument) when it is a session option.
   Returns 1 when taken, 0 when not a session option, or -1 after a
   usage error was printed. */
int session_opt(struct session *, int c, const struct opt_value *v);
/* -e CMD (split into words here) or -c CMD (run by /bin/sh -c): the
   command into s->exec_argv.  Returns 0 or an exit status. */
int session_exec_opt(struct session *, int c, char *cmd);
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
/* As session_connected(), with --mptcp (mptcp_asked): whether fd runs
   MPTCP. */
void session_connected_mptcp(int fd, const struct sock_addr *peer, double ms,
    const char *proxy, bool mptcp_asked);
/* The "closed" event of peer c (with its address when with_peer; byte
   counts null unless counted: an -e child owned the socket); first,
   with -v, a TLS peer that closed without close_notify. */
void session_closed(const struct endpoint *c, bool with_peer, bool counted);

/* --mptcp: whether the kernel makes MPTCP sockets.  Returns 0, or
   EXIT_LOCAL after saying why. */
int session_mptcp_available(void);

/* connect_exec.c: connect -e/-c. */
/* The options that do not go with --mptcp, --proxy-protocol or -e/-c
   in connect (check: -z; udp: -u; proxy: --proxy).  Returns 0 or
   EXIT_USAGE after printing. */
int connect_check(const struct session *, bool check, bool udp, bool proxy);
/* Runs the command with fd (connected, blocking; closed here) as its
   stdin and stdout, and waits for it.  Returns its exit status (128 +
   the signal that killed it). */
int connect_exec(const struct session *, int fd);

/* proxy_header.c: --proxy-protocol. */
/* listen: proxied_hook() (modes/listen.h), the relay's hook for the
   header it reads of each client. */
/* connect: sends the header naming fd's two ends.  Returns 0, or an
   exit status after printing. */
int proxy_header_send(const struct session *, int fd, int64_t timeout_ms);

#endif
