/* Where to connect or bind: the HOST PORT positionals. */
#include "config.h"

#include <stdio.h>
#include <string.h>

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
