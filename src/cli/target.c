/* Where to connect or bind: the HOST PORT positionals, -s and -p, and
   target_resolve(), the one resolution of a host that listen, connect,
   udp-send, udp-recv and sockopt share (so -4/-6, -n and the messages
   are the same in each). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "cli/parse.h"
#include "cli/target.h"
#include "compat.h"
#include "out/report.h"

int
target_parse(char **args, int n, bool host_optional, struct target *t)
{
	struct sock_err e;
	int split;

	memset(t, 0, sizeof(*t));
	if (n == 0)
		return usage_error(
		    host_optional ? "no PORT given" : "no HOST and PORT given");
	split = parse_hostport(args[0], t->host, sizeof(t->host), t->port,
	    sizeof(t->port), &e);
	if (split == -1)
		return usage_err(&e);
	if (split == 1) {
		if (n > 1)
			return usage_error("unexpected argument \"%s\" after "
					   "%s",
			    args[1], args[0]);
		return 0;
	}
	if (n == 1) {
		if (!host_optional)
			return usage_error("no PORT given after \"%s\"",
			    args[0]);
		t->host[0] = '\0';
		if (strlcpy(t->port, args[0], sizeof(t->port)) >=
		    sizeof(t->port))
			return usage_error("bad port \"%s\": too long",
			    args[0]);
		return 0;
	}
	if (n > 2)
		return usage_error("unexpected argument \"%s\"", args[2]);
	if (strlcpy(t->port, args[1], sizeof(t->port)) >= sizeof(t->port))
		return usage_error("bad port \"%s\": too long", args[1]);
	return 0;
}

int
target_parse_ports(char **args, int n, struct target *t)
{
	struct sock_err e;
	size_t used;
	int first = 2, i, status;

	/* HOST:PORT is one argument, HOST PORT two; more are ports */
	if (n > 0 &&
	    parse_hostport(args[0], t->host, sizeof(t->host), t->port,
		sizeof(t->port), &e) == 1)
		first = 1;
	if ((status = target_parse(args, n < first ? n : first, false, t)) != 0)
		return status;
	for (i = first; i < n; i++) {
		used = strlen(t->port);
		if ((size_t)snprintf(t->port + used, sizeof(t->port) - used,
			",%s", args[i]) >= sizeof(t->port) - used)
			return usage_error("bad port list: over %zu characters",
			    sizeof(t->port) - 1);
	}
	return 0;
}

int
target_parse_lead(char **args, int n, struct target *t, int *used)
{
	char host[NI_MAXHOST], port[64];
	struct sock_err e;

	*used = n > 0 &&
		parse_hostport(args[0], host, sizeof(host), port, sizeof(port),
		    &e) == 1 ?
	    1 :
	    2;
	return target_parse(args, n < *used ? n : *used, false, t);
}

struct target_how
target_how(int socktype, bool passive)
{
	struct target_how how = { .family = G.family,
		.socktype = socktype,
		.passive = passive,
		.numeric = G.numeric };

	return how;
}

int
target_port(const char *text, const struct target_how *how, uint16_t *port)
{
	struct sock_err e;

	if (sock_parse_port(text, how->socktype == SOCK_DGRAM ? "udp" : "tcp",
		how->numeric, port, &e) == -1)
		return usage_err(&e);
	return 0;
}

/* target_resolve(), its message starting with label ("source ") */
static int
resolve_labeled(const char *label, const char *host, uint16_t port,
    const struct target_how *how, struct sock_ai *ai)
{
	struct sock_err e;
	char serv[8];

	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	if (sock_resolve(host, serv, how->family, how->socktype,
		(how->passive ? SOCK_R_PASSIVE : 0) |
		    (how->numeric ? SOCK_R_NUMERIC : 0),
		ai, &e) == -1) {
		if (e.kind != SOCK_ERESOLVE)
			return report(&e);
		return fail(SOCK_ERESOLVE, "%s%s: %s", label, host,
		    sock_strerror(&e));
	}
	if (ai->n == 0) {
		sock_ai_free(ai);
		return fail(SOCK_ERESOLVE, "%s%s: no address", label, host);
	}
	return 0;
}

int
target_resolve(const char *host, uint16_t port, const struct target_how *how,
    struct sock_ai *ai)
{
	return resolve_labeled("", host, port, how, ai);
}

int
target_source(const struct source *s, const struct target_how *how,
    struct sock_ai *ai)
{
	struct target_how bind = *how;

	memset(ai, 0, sizeof(*ai));
	if (s->host != NULL) {
		bind.passive = true;
		return resolve_labeled("source ", s->host, s->port, &bind, ai);
	}
	if (s->port_text == NULL)
		return 0;
	if ((ai->v = calloc(1, sizeof(*ai->v))) == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	ai->v[0].family = AF_UNSPEC;
	ai->v[0].port = s->port;
	ai->n = 1;
	return 0;
}
