/* Where to connect or bind: the HOST PORT positionals as the user wrote
   them. */
#ifndef SOCKIT_TARGET_H
#define SOCKIT_TARGET_H

#include <stdbool.h>

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

#endif
