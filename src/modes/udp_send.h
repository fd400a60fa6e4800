/* udp-send: what udp_send.c (MESSAGE, all of stdin, --count batches)
   and udp_send_lines.c (--lines: each line sent as it comes) share. */
#ifndef SOCKIT_UDP_SEND_H
#define SOCKIT_UDP_SEND_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/args.h"
#include "cli/target.h"
#include "sock/sock.h"

#define SEND_BATCH 1024 /* datagrams per sendmmsg */

/* One datagram to send: a piece of the payload buffer. */
struct piece {
	const char *p;
	size_t len;
};

/* udp-send's options (parse_opts()). */
struct udp_send_opts {
	bool lines, empty, broadcast, reply;
	uint64_t count;
	int64_t interval_ms; /* 0: none */
	int64_t ttl;	     /* -1: the kernel's */
	struct source src;   /* -s, -p */
	struct sockopts so;
	const char *unix_path; /* -U: a Unix datagram socket */
};

struct send {
	struct udp_send_opts o;
	struct sock_addr to; /* the destination */
	size_t max;	     /* the largest payload for to's family */
	char *buf;	     /* MESSAGE, or stdin */
	size_t len;
	struct piece *pieces;
	size_t n;
	int fd;
};

/* "IPv4" or "IPv6". */
const char *family_name(int family);
/* Reports a failed send or receive: "HOST PORT: why".  Returns the exit
   status. */
int net_error(const struct send *, struct sock_err *);
void sleep_ms(int64_t ms);
/* --lines: each line of stdin, as soon as it is complete, --count times
   (newline not sent; empty lines only with --empty).  Returns 0, or an
   exit status after printing. */
int send_lines(struct send *);

#endif
