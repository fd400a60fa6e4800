/* Parsers of command-line values: pure functions.  DUR, SIZE and PORT
   live in the socket module (src/sock/), which socket option
   values need too. */
#ifndef SOCKIT_PARSE_H
#define SOCKIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock/sock.h"

/* Splits "HOST:PORT" or "[V6]:PORT" when arg is in that form (bracketed,
   or exactly one ':'), else copies arg as the host and leaves *port empty.
   Brackets around a lone host ("[::1]") are removed.  Returns 1 when a
   port was split off, 0 when not, -1 (EUSAGE) for a malformed argument. */
int parse_hostport(const char *arg, char *host, size_t hostlen, char *port,
    size_t portlen, struct sock_err *);

/* HOST, HOST:PORT or [V6]:PORT, split (parse_hostport()). */
struct hostport {
	char host[NI_MAXHOST];
	char port[64];
	bool has_port; /* a PORT was split off */
};

/* PORTS: "22", "20-25", "22,80,8000-8100", service names; into a sorted
   list without duplicates (*ports, free it).  Port 0, a port past 65535,
   a reversed range and an empty item are refused, naming the item.
   Returns 0, or -1 (EUSAGE). */
int parse_ports(const char *s, const char *proto, bool numeric,
    uint16_t **ports, size_t *n, struct sock_err *);

/* An address block: "10.0.0.0/8", "::1/128", "192.0.2.1" (a host). */
struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network order; 4 bytes for AF_INET */
	int bits;
};
/* A v4-mapped IPv6 block of /96 or longer becomes the IPv4 block it
   carries (::ffff:127.0.0.1 = 127.0.0.1/32, ::ffff:0:0/96 = 0.0.0.0/0);
   a shorter one stays IPv6.  Returns 0, or -1 (EUSAGE) naming what is
   wrong. */
int parse_cidr(const char *s, struct cidr *, struct sock_err *);
/* true when a is inside c; a v4-mapped IPv6 address is matched as IPv4. */
bool cidr_match(const struct cidr *c, const struct sock_addr *a);

#endif
