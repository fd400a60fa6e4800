/* Arguments shared by the modes: HOST PORT positionals and -O lists. */
#ifndef SOCKIT_ARGS_H
#define SOCKIT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "sock/sock.h"

/* Where to connect or bind, as the user wrote it. */
struct target {
	char host[NI_MAXHOST]; /* "" when left out (listen: all interfaces) */
	char port[1024];       /* PORT, a list of ports, or a service name */
};

/* HOST PORT, or one HOST:PORT / [V6]:PORT argument (SPEC.md: the first
   positional is taken as that form when it is [...]:PORT or holds exactly
   one ':').  With host_optional (listen, udp-recv), a lone argument that
   is not in that form is the PORT.  Returns 0, or EXIT_USAGE after
   printing the error. */
int target_parse(char **args, int n, bool host_optional, struct target *t);

/* As target_parse for connect -z: HOST PORT [PORT...] (or HOST:PORT
   [PORT...]), the PORT arguments joined by commas into one list, as nc -z
   takes them.  Returns 0, or EXIT_USAGE after printing the error. */
int target_parse_ports(char **args, int n, struct target *t);

/* -O NAME=VALUE options, checked when given and applied to each socket. */
struct sockopts {
	const char *spec[32];
	size_t n;
};
/* Checks and keeps spec.  Returns 0, or EXIT_USAGE after printing. */
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
