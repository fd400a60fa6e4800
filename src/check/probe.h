/* connect -z: one attempt of a check, at one address: a non-blocking
   connect (or an empty UDP datagram) and, with --tls, a handshake.  The
   probe owns its socket from probe_start() to its outcome and knows
   nothing of the loop that polls it: the loop polls p->fd for p->events
   and calls probe_settle() or probe_expire(); the probe answers with a
   status and, once done, an outcome. */
#ifndef SOCKIT_CHECK_PROBE_H
#define SOCKIT_CHECK_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"
#include "check/talk.h"

/* What every attempt at a target shares. */
struct probe_target {
	const char *host; /* --tls: the name sent and verified */
	bool udp;	  /* -u: an empty datagram; silence is open_filtered */
	struct tls_ctx *ctx;	      /* --tls, or NULL */
	const struct tls_opts *tls;   /* --tls: the verdict's options */
	const struct sockopts *so;    /* -O, or NULL */
	const struct talk_plan *talk; /* --send, --expect, --starttls */
	bool have_source;	      /* -s/-p given: */
	struct sock_addr source[2];   /* for IPv4 [0], IPv6 [1] */
	/* a refused socket may be connected again for the next attempt (a
	   plain TCP check: no --tls, -s/-p or -O), which saves a socket()
	   and a close() per closed port */
	bool reusable;
	bool mptcp; /* --mptcp: MPTCP sockets */
};

/* One attempt under way. */
struct probe {
	int fd;	      /* in: a refused socket to connect again, or -1 */
	bool reuse;   /* in: settle by connecting again, so that a refused
			 socket can be handed back (outcome.spare_fd) */
	short events; /* what poll waits for on fd */
	double start;
	struct tls *tls; /* --tls: the handshake under way */
	enum probe_phase {
		PHASE_CONNECT,
		PHASE_STARTTLS,
		PHASE_TLS,
		PHASE_EXPECT
	} phase;
	struct talk *talk;     /* --starttls, --send, --expect: or NULL */
	struct tls_info *info; /* --tls: the handshake's facts, once done */
	double tls_start;      /* --tls: the upgrade's start */
	double tls_ms;	       /* --tls: the upgrade and handshake */
	socklen_t len;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} to;
};

enum probe_status {
	PROBE_PENDING,	/* under way: poll p->fd for p->events */
	PROBE_DONE,	/* the outcome is in; the socket is gone or handed
			   back */
	PROBE_LATER,	/* not started: out of descriptors or local ports
			   for now */
	PROBE_NO_REUSE, /* this system does not connect a refused socket
			   again: the one given is closed; start again with
			   none, and hand none any more */
	PROBE_FAILED	/* a local failure that would fail every check (an
			   -O the socket refuses): *e */
};

struct probe_outcome {
	enum check_state state;
	bool mptcp;		   /* --mptcp, open: the connection ran MPTCP */
	int err;		   /* errno behind the state (0: open) */
	double latency_ms;	   /* from the start to the answer */
	struct tls_info *tls;	   /* --tls: the handshake's facts (the caller
				      takes them), or NULL */
	char why[160];		   /* tls_error, error: why; else "" */
	struct check_facts *facts; /* the caller takes them; or NULL */
	int spare_fd; /* a refused socket to connect again, or -1 */
};

/* Starts an attempt at address to, port port (p->fd and p->reuse set by
   the caller).  PROBE_DONE when it ended at once. */
enum probe_status probe_start(struct probe *, const struct probe_target *,
    const struct sock_addr *to, uint16_t port, struct probe_outcome *,
    struct sock_err *e);
/* Goes on with the attempt now that poll reported revents. */
enum probe_status probe_settle(struct probe *, const struct probe_target *,
    short revents, struct probe_outcome *);
/* Ends the attempt: its deadline has passed. */
void probe_expire(struct probe *, const struct probe_target *,
    struct probe_outcome *);
/* Ends the attempt unreported (another address answered first). */
void probe_cancel(struct probe *);
/* The state of an attempt that ended with err (0: open; ETIMEDOUT: no
   answer), the one place errno becomes a state. */
enum check_state check_classify(int err, bool udp);
/* --tls: the verdict on a finished handshake's facts: NULL when the
   check passes, else why not (in buf, or in the facts). */
const char *probe_tls_verdict(const struct tls_opts *, const struct tls_info *,
    char *buf, size_t len);

#endif
