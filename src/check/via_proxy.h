/* connect -z --proxy: port checks through a proxy, each a blocking
   proxy_connect() on a small pool of threads. */
#ifndef SOCKIT_CHECK_PROXY_H
#define SOCKIT_CHECK_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy/proxy.h"
#include "tls/tls.h"

#define PROXY_PROBE_THREADS_MAX 512 /* threads at most, whatever --parallel */

struct proxy_probe {
	uint16_t port;	   /* in */
	bool todo;	   /* in: check this port */
	int err;	   /* out: 0 open; ECONNREFUSED (closed), ETIMEDOUT,
			      EHOSTUNREACH, ENETUNREACH; -1 another
			      refusal (reason says why) */
	char reason[160];  /* out: the proxy's reason when it refused */
	double latency_ms; /* out: time to the proxy's answer (with --tls,
			      to the end of the handshake) */
	/* --tls, when the port is open: */
	struct tls_info *tls; /* out: the handshake's facts (the caller
				 frees), or NULL */
	char tls_error[160];  /* out: why the handshake failed, or "" */
};

struct proxy_probes {
	const struct proxy *proxy;
	const char *host;     /* the target as sent to the proxy: a name, or
				 the address resolved here (socks5, socks4) */
	struct proxy_hop hop; /* family, numeric, timeout_ms, src */
	unsigned workers;     /* threads at most (also bounded by the work) */
	struct tls_ctx *ctx_tls; /* --tls: a handshake on each open port */
	const char *tls_host;	 /* --tls: the name sent and verified */
	/* Called in the calling thread, one probe at a time, as each is
	   done.  Returns 0, or -1 to stop (no more checks are started). */
	int (*ready)(void *ctx, size_t idx);
	void *ctx;
};

/* Checks every probe with todo set.  Returns 0 when all were checked (or
   ready() asked to stop), or -1 with *e when the proxy itself failed: its
   name did not resolve, it could not be reached, it refused our
   credentials or broke the protocol; the checks stop then.  ELOCAL when no
   thread could be started. */
int proxy_probe_run(const struct proxy_probes *, struct proxy_probe *, size_t n,
    struct sock_err *e);

#endif
