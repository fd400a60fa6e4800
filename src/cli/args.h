/* -O NAME=VALUE lists, shared by the modes. */
#ifndef SOCKIT_ARGS_H
#define SOCKIT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "sock/sock.h"

/* -O NAME=VALUE options, checked when given (the option table's
   OPT_SOCKOPT) and applied to each socket. */
struct sockopts {
	const char *spec[32];
	size_t n;
};
/* Keeps spec (opt_next() checked it).  Returns 0, or EXIT_USAGE after
   printing. */
int sockopts_add(struct sockopts *, const char *spec);
/* Sets every option on fd, in order, and nothing else (SPEC: sockit
   sets no option the user did not ask for).  peer: the connected peer or
   NULL, not used now.  Returns 0, or -1 with *e: EUSAGE for an option
   not valid for this kind of socket (SO_BROADCAST on TCP) or a value the
   kernel does not know (TCP_CONGESTION), ELOCAL when the kernel refuses
   one. */
int sockopts_apply(const struct sockopts *, int fd,
    const struct sock_addr *peer, struct sock_err *e);

#endif
