/* -O NAME=VALUE lists, shared by the modes. */
#include "config.h"

#include <string.h>

#include "cli/args.h"
#include "compat.h"
#include "out/report.h"

int
sockopts_add(struct sockopts *so, const char *spec)
{
	if (so->n >= sizeof(so->spec) / sizeof(so->spec[0]))
		return usage_error("too many -O options");
	so->spec[so->n++] = spec;
	return 0;
}

int
sockopts_apply(const struct sockopts *so, int fd, const struct sock_addr *peer,
    struct sock_err *e)
{
	const struct sock_opt *o;
	struct sock_optval v;
	size_t i;

	/* only what was asked: the socket keeps the system's settings */
	(void)peer;
	for (i = 0; i < so->n; i++)
		if (sock_opt_check(so->spec[i], &o, &v, e) == -1 ||
		    sock_opt_usable(fd, o, e) == -1 ||
		    sock_opt_set(fd, o, &v, e) == -1)
			return -1;
	return 0;
}
