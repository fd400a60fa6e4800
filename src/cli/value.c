/* An option's value, parsed by the type of its row: the one place where
   option values are checked and where a bad one is worded, as "bad
   --backlog "x": expected a number 1-65535".  DUR and PORT are the
   socket module's parsers (socket option values need them too). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "cli/parse.h"

/* A number from o->min to o->max.  Returns 0, or -1 (EUSAGE). */
static int
parse_range(const struct opt *o, const char *text, uint64_t *n,
    struct sock_err *e)
{
	if (sock_parse_uint(text, o->max, n, e) == 0 && *n >= o->min)
		return 0;
	return sock_failmsg(e, SOCK_EUSAGE, "", "number");
}

/* SIZE: bytes with K, M or G, from o->min to o->max.  Returns 0, or -1
   (EUSAGE). */
static int
parse_size(const struct opt *o, const char *text, uint64_t *n,
    struct sock_err *e)
{
	if (sock_parse_size(text, n, e) == -1)
		return -1;
	if (*n < o->min || *n > o->max)
		return sock_failmsg(e, SOCK_EUSAGE, "out of range", "size");
	return 0;
}

/* One of the words of o->choices ("stream|dgram|any"): *choice is its
   index.  Returns 0, or -1 (EUSAGE) listing the words. */
static int
parse_choice(const struct opt *o, const char *text, int *choice,
    struct sock_err *e)
{
	const char *w = o->choices, *bar;
	char list[128];
	size_t len, used;
	int i;

	used = (size_t)snprintf(list, sizeof(list), "expected ");
	for (i = 0; w != NULL; i++) {
		bar = strchr(w, '|');
		len = bar != NULL ? (size_t)(bar - w) : strlen(w);
		if (strlen(text) == len && strncmp(text, w, len) == 0) {
			*choice = i;
			return 0;
		}
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used,
			    sizeof(list) - used, "%s%.*s",
			    i == 0	    ? "" :
				bar == NULL ? " or " :
					      ", ",
			    (int)len, w);
		w = bar != NULL ? bar + 1 : NULL;
	}
	return sock_failmsg(e, SOCK_EUSAGE, list, "choice");
}

/* PORT: a number, or a service of the mode's protocol: UDP for udp-send
   and udp-recv; TCP for connect, else UDP (-z -u).  Returns 0, or -1
   (EUSAGE). */
static int
parse_port(unsigned mode, bool numeric, const char *text, uint16_t *port,
    struct sock_err *e)
{
	struct sock_err udp_err;

	if (mode & (M_UDPSEND | M_UDPRECV))
		return sock_parse_port(text, "udp", numeric, port, e);
	if (sock_parse_port(text, "tcp", numeric, port, e) == 0)
		return 0;
	if ((mode & M_CONNECT) &&
	    sock_parse_port(text, "udp", numeric, port, &udp_err) == 0)
		return 0;
	return -1;
}

/* HOST, HOST:PORT or [V6]:PORT.  Returns 0, or -1 (EUSAGE). */
static int
parse_split(const char *text, struct hostport *hp, struct sock_err *e)
{
	int rc = parse_hostport(text, hp->host, sizeof(hp->host), hp->port,
	    sizeof(hp->port), e);

	hp->has_port = rc == 1;
	return rc == -1 ? -1 : 0;
}

int
opt_parse_value(const struct opt *o, unsigned mode, bool numeric, char *text,
    struct opt_value *v, struct sock_err *e)
{
	const struct sock_opt *so;
	struct sock_optval sv;
	char why[sizeof(e->msg)];
	int rc;

	v->text = text;
	switch (o->type) {
	case OPT_DUR:
		rc = sock_parse_dur(text, &v->ms, e);
		break;
	case OPT_UINT:
		rc = parse_range(o, text, &v->n, e);
		break;
	case OPT_SIZE:
		rc = parse_size(o, text, &v->n, e);
		break;
	case OPT_PORT:
		rc = parse_port(mode, numeric, text, &v->port, e);
		break;
	case OPT_CIDR:
		rc = parse_cidr(text, &v->cidr, e);
		break;
	case OPT_HOSTPORT:
		rc = parse_split(text, &v->hostport, e);
		break;
	case OPT_CHOICE:
		rc = parse_choice(o, text, &v->choice, e);
		break;
	case OPT_SOCKOPT: /* its message names the socket option */
		return sock_opt_check(text, &so, &sv, e);
	default:
		return 0;
	}
	if (rc == 0)
		return 0;
	/* the one form: bad --NAME "TEXT": why */
	if (o->type == OPT_UINT)
		snprintf(why, sizeof(why), "expected a number %llu-%llu",
		    (unsigned long long)o->min, (unsigned long long)o->max);
	else if (o->type == OPT_SIZE)
		snprintf(why, sizeof(why),
		    "expected a size %llu-%llu bytes (K, M, G)",
		    (unsigned long long)o->min, (unsigned long long)o->max);
	else
		snprintf(why, sizeof(why), "%s", sock_strerror(e));
	if (o->name != NULL)
		return sock_failmsg(e, SOCK_EUSAGE, why, "--%s \"%s\"", o->name,
		    text);
	return sock_failmsg(e, SOCK_EUSAGE, why, "-%c \"%s\"", o->val, text);
}
