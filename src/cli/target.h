/* Where to connect or bind: the HOST PORT positionals, -s and -p, and
   the one resolution of a host every mode goes through. */
#ifndef SOCKIT_TARGET_H
#define SOCKIT_TARGET_H

#include <stdbool.h>
#include <stdint.h>

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

/* HOST PORT or one HOST:PORT argument at the head of args, more words
   after them (udp-send's MESSAGE): *used is how many it took.  Returns
   0, or EXIT_USAGE after printing the error. */
int target_parse_lead(char **args, int n, struct target *t, int *used);

/* How a host is resolved. */
struct target_how {
	int family;   /* AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6) */
	int socktype; /* SOCK_STREAM or SOCK_DGRAM: the PORT's protocol */
	bool passive; /* addresses to bind (AI_PASSIVE) */
	bool numeric; /* -n: numeric hosts and ports only, no DNS */
};
/* The command line's: the family of -4/-6 and -n. */
struct target_how target_how(int socktype, bool passive);

/* PORT: a number 0-65535, or a service name of how's protocol (not with
   numeric).  Returns 0, or EXIT_USAGE after printing "bad port ...". */
int target_port(const char *text, const struct target_how *how, uint16_t *port);

/* The addresses of host, each with port, in the resolver's order: the
   one resolution of every mode (getaddrinfo: a numeric host is taken as
   it is, a name only without numeric).  Returns 0 with *ai (free it with
   sock_ai_free()), or an exit status after printing the error: "HOST:
   why", exit 3. */
int target_resolve(const char *host, uint16_t port,
    const struct target_how *how, struct sock_ai *ai);

/* -s ADDR and -p PORT, as the option table parsed them. */
struct source {
	const char *host;      /* -s: an address or a name, or NULL */
	const char *port_text; /* -p as given, or NULL */
	uint16_t port;	       /* -p */
};
/* The local addresses to send or connect from: -s resolved for binding
   as target_resolve() does (its message says "source HOST: why"), each
   with -p's port; -p alone is one record of family AF_UNSPEC (the
   wildcard of the peer's family).  Returns 0 with *ai (no record when
   neither is given; free it with sock_ai_free()), or an exit status
   after printing the error. */
int target_source(const struct source *, const struct target_how *how,
    struct sock_ai *ai);

#endif
