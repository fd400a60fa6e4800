/* Parsers of command-line values: HOST:PORT, port lists and address
   blocks. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/parse.h"
#include "compat.h"

int
parse_hostport(const char *arg, char *host, size_t hostlen, char *port,
    size_t portlen, struct sock_err *e)
{
	const char *colon, *close;
	size_t n;

	port[0] = '\0';
	if (arg[0] == '[') {
		close = strchr(arg, ']');
		if (close == NULL)
			return sock_failmsg(e, SOCK_EUSAGE, "missing ']'",
			    "address \"%s\"", arg);
		n = (size_t)(close - arg - 1);
		if (n == 0 || n >= hostlen)
			return sock_failmsg(e, SOCK_EUSAGE, "bad host",
			    "address \"%s\"", arg);
		if (close[1] == '\0') {
			memcpy(host, arg + 1, n);
			host[n] = '\0';
			return 0;
		}
		if (close[1] != ':' || close[2] == '\0')
			return sock_failmsg(e, SOCK_EUSAGE,
			    "expected [ADDRESS]:PORT", "address \"%s\"", arg);
		if (strlcpy(port, close + 2, portlen) >= portlen)
			return sock_failmsg(e, SOCK_EUSAGE, "port too long",
			    "address \"%s\"", arg);
		memcpy(host, arg + 1, n);
		host[n] = '\0';
		return 1;
	}
	colon = strchr(arg, ':');
	if (colon == NULL || strchr(colon + 1, ':') != NULL) {
		/* a name, an IPv4 address, or a bare IPv6 address */
		if (strlcpy(host, arg, hostlen) >= hostlen)
			return sock_failmsg(e, SOCK_EUSAGE, "host too long",
			    "host \"%.64s...\"", arg);
		return 0;
	}
	n = (size_t)(colon - arg);
	if (n == 0 || colon[1] == '\0')
		return sock_failmsg(e, SOCK_EUSAGE, "expected HOST:PORT",
		    "address \"%s\"", arg);
	if (n >= hostlen || strlcpy(port, colon + 1, portlen) >= portlen)
		return sock_failmsg(e, SOCK_EUSAGE, "too long",
		    "address \"%.64s\"", arg);
	memcpy(host, arg, n);
	host[n] = '\0';
	return 1;
}

/* One port of a list: a number 1-65535 or a service name. */
static int
list_port(const char *item, const char *s, const char *proto, bool numeric,
    uint16_t *port, struct sock_err *e)
{
	if (sock_parse_port(s, proto, numeric, port, e) == -1) {
		snprintf(e->what, sizeof(e->what), "port \"%s\"", item);
		return -1;
	}
	if (*port == 0)
		return sock_failmsg(e, SOCK_EUSAGE, "port 0 cannot be checked",
		    "port \"%s\"", item);
	return 0;
}

/* One item of a port list ("22", "20-25", "ssh") into lo..hi.  Returns
   0, or -1 (EUSAGE) naming the item. */
static int
list_item(char *item, const char *proto, bool numeric, uint16_t *lo,
    uint16_t *hi, struct sock_err *e)
{
	char *dash = strchr(item, '-');
	int rc;

	/* a range, unless the dash is part of a service name */
	if (dash == NULL || dash == item || item[0] < '0' || item[0] > '9') {
		if ((rc = list_port(item, item, proto, numeric, lo, e)) == 0)
			*hi = *lo;
		return rc;
	}
	*dash = '\0';
	rc = list_port(item, item, proto, true, lo, e) == -1 ||
		list_port(dash + 1, dash + 1, proto, true, hi, e) == -1 ?
	    -1 :
	    0;
	*dash = '-';
	if (rc == -1) {
		snprintf(e->what, sizeof(e->what), "port range \"%s\"", item);
		return -1;
	}
	if (*lo > *hi)
		return sock_failmsg(e, SOCK_EUSAGE, "range runs backwards",
		    "port range \"%s\"", item);
	return 0;
}

/* The ports set in set (65536 bits, count of them) as an ascending
   list.  Returns 0, or -1 (ELOCAL) when out of memory. */
static int
ports_of(const unsigned char *set, size_t count, uint16_t **ports,
    struct sock_err *e)
{
	size_t k = 0;
	unsigned v;

	*ports = malloc(count * sizeof(**ports));
	if (*ports == NULL)
		return sock_failmsg(e, SOCK_ELOCAL, "out of memory", "ports");
	for (v = 1; v < 65536; v++)
		if (set[v >> 3] & (1u << (v & 7)))
			(*ports)[k++] = (uint16_t)v;
	return 0;
}

/* A list of one item (no comma): its ports are in order and each once,
   and need no set.  Returns 0, or -1 (*e). */
static int
one_item(const char *s, const char *proto, bool numeric, uint16_t **ports,
    size_t *n, struct sock_err *e)
{
	char item[64];
	size_t len = strlen(s);
	uint16_t lo, hi;
	unsigned v;

	if (len == 0 || len >= sizeof(item))
		return sock_failmsg(e, SOCK_EUSAGE,
		    len ? "too long" : "empty item", "port list \"%s\"", s);
	memcpy(item, s, len + 1);
	if (list_item(item, proto, numeric, &lo, &hi, e) == -1)
		return -1;
	*ports = malloc(((size_t)hi - lo + 1) * sizeof(**ports));
	if (*ports == NULL)
		return sock_failmsg(e, SOCK_ELOCAL, "out of memory", "ports");
	for (v = lo; v <= hi; v++)
		(*ports)[v - lo] = (uint16_t)v;
	*n = (size_t)hi - lo + 1;
	return 0;
}

int
parse_ports(const char *s, const char *proto, bool numeric, uint16_t **ports,
    size_t *n, struct sock_err *e)
{
	unsigned char *set;
	char item[64];
	const char *p = s, *comma;
	uint16_t lo, hi;
	size_t len, count = 0;
	unsigned v;
	int rc = 0;

	*ports = NULL;
	*n = 0;
	if (strchr(s, ',') == NULL)
		return one_item(s, proto, numeric, ports, n, e);
	/* a bit per port: 8 KiB to clear at every start, not 64 */
	set = calloc(65536 / 8, 1);
	if (set == NULL)
		return sock_failmsg(e, SOCK_ELOCAL, "out of memory", "ports");
	for (; rc == 0; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(item)) {
			rc = sock_failmsg(e, SOCK_EUSAGE,
			    len ? "too long" : "empty item", "port list \"%s\"",
			    s);
			break;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if ((rc = list_item(item, proto, numeric, &lo, &hi, e)) == -1)
			break;
		for (v = lo; v <= hi; v++)
			if (!(set[v >> 3] & (1u << (v & 7)))) {
				set[v >> 3] |= (unsigned char)(1u << (v & 7));
				count++;
			}
		if (comma == NULL)
			break;
	}
	if (rc == 0 && (rc = ports_of(set, count, ports, e)) == 0)
		*n = count;
	free(set);
	return rc;
}

int
parse_cidr(const char *s, struct cidr *c, struct sock_err *e)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t bits;
	int max;

	memset(c, 0, sizeof(*c));
	if (len == 0 || len >= sizeof(host))
		return sock_failmsg(e, SOCK_EUSAGE, "expected ADDRESS[/BITS]",
		    "address block \"%s\"", s);
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return sock_failmsg(e, SOCK_EUSAGE, "not a numeric address",
		    "address block \"%s\"", s);
	}
	c->bits = max;
	if (slash != NULL) {
		if (sock_parse_uint(slash + 1, (uint64_t)max, &bits, e) == -1)
			return sock_failmsg(e, SOCK_EUSAGE,
			    max == 32 ? "prefix length is not 0-32" :
					"prefix length is not 0-128",
			    "address block \"%s\"", s);
		c->bits = (int)bits;
	}
	/* a v4-mapped block is the IPv4 block it carries: peers are
	   matched as IPv4 (::ffff:0:0/96 = 0.0.0.0/0); a shorter one is
	   about IPv6 addresses too and stays IPv6 */
	if (c->family == AF_INET6 && c->bits >= 96 &&
	    IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(void *)c->addr)) {
		c->family = AF_INET;
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->bits -= 96;
	}
	return 0;
}

/* true when the first bits of a and b agree. */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

bool
cidr_match(const struct cidr *c, const struct sock_addr *a)
{
	const struct sockaddr_in *in = (const void *)&a->ss;
	const struct sockaddr_in6 *in6 = (const void *)&a->ss;
	const unsigned char *bytes;

	if (a->family == AF_INET) {
		if (c->family != AF_INET)
			return false;
		return prefix_equal(c->addr,
		    (const unsigned char *)&in->sin_addr, c->bits);
	}
	if (a->family != AF_INET6)
		return false;
	bytes = in6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		if (c->family == AF_INET)
			return prefix_equal(c->addr, bytes + 12, c->bits);
	}
	if (c->family != AF_INET6)
		return false;
	return prefix_equal(c->addr, bytes, c->bits);
}
