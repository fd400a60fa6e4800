/* connect -z: port checks on poll(2) loops (one per CPU for a long list),
   results in port order. */
#ifndef SOCKIT_CHECK_H
#define SOCKIT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/args.h"
#include "tls/tls.h"

struct proxy;

struct check_opts {
	const char *host;	   /* as the user wrote it */
	const char *ports;	   /* PORTS: "22", "20-25", "22,80,8000-8100" */
	bool udp;		   /* -u: a UDP probe */
	unsigned parallel;	   /* --parallel: checks in flight at once */
	int64_t timeout_ms;	   /* -w: each attempt (default 2 s) */
	int64_t wait_ms;	   /* --wait: retry until all open; -1: no */
	bool all_addresses;	   /* --all-addresses: a result per address */
	const char *source;	   /* -s */
	const char *source_port;   /* -p */
	const struct sockopts *so; /* -O */
	const struct proxy *proxy; /* --proxy, or NULL */
	const struct sock_addr *proxy_src; /* -s/-p for it, or NULL */
	const struct tls_opts *tls;	   /* --tls, or NULL */
};

/* Checks every port at every address of HOST and prints one result per
   port (per port and address with all_addresses).  Returns the exit
   status: 0 when every port is open (with -u: none closed), else 1
   (5 when a --tls check failed, 3 when HOST did not resolve); 2 or 4 for
   bad ports, local failures. */
int check_run(const struct check_opts *);

#endif
