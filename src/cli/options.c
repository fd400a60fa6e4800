/* The option table's readers: getopt_long's short string and long
   table, each mode's --help and `sockit --list-options` are all built
   from the rows of option_table.c. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/internal.h"
#include "cli/options.h"
#include "out/report.h"

/* The row of val for mode, or NULL. */
const struct opt *
opt_row(unsigned mode, int val)
{
	const struct opt *o;

	for (o = opts; o->help != NULL; o++)
		if (o->val == val && (o->modes & mode))
			return o;
	return NULL;
}

bool
is_global(const struct opt *o)
{
	return (o->modes & M_GLOBAL) != 0;
}

/* Builds getopt_long's strings for mode, once per process. */
static void
opt_tables(unsigned mode, char *shorts, size_t slen, struct option *longs)
{
	const struct opt *o;
	size_t s = 0, l = 0;

	shorts[s++] = ':'; /* ':' tells a missing value from an unknown one */
	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode))
			continue;
		if (o->val < 256 && s + 3 < slen) {
			shorts[s++] = (char)o->val;
			if (o->arg != NULL)
				shorts[s++] = ':';
		}
		if (o->name != NULL) {
			longs[l].name = o->name;
			longs[l].has_arg =
			    o->arg ? required_argument : no_argument;
			longs[l].flag = NULL;
			longs[l].val = o->val;
			l++;
		}
	}
	shorts[s] = '\0';
	memset(&longs[l], 0, sizeof(longs[l]));
}

/* Applies a global option.  Returns 0, or OPT_BAD. */
static int
opt_global(int c, char *arg)
{
	struct sock_err e;
	int64_t ms;

	switch (c) {
	case '4':
		G.family = AF_INET;
		break;
	case '6':
		G.family = AF_INET6;
		break;
	case 'j':
		G.json = true;
		break;
	case 'v':
		G.verbose++;
		break;
	case O_QUIET:
		G.quiet = true;
		break;
	case 'n':
		G.numeric = true;
		break;
	case 'w':
		if (sock_parse_dur(arg, &ms, &e) == -1) {
			usage_err(&e);
			return OPT_BAD;
		}
		G.timeout_ms = ms;
		break;
	}
	return 0;
}

int
opt_next(unsigned mode, int argc, char **argv, char **arg)
{
	static char shorts[128];
	static struct option longs[128];
	static unsigned built;
	const struct opt *o;
	int c;

	if (built != mode) {
		opt_tables(mode, shorts, sizeof(shorts), longs);
		built = mode;
		optind = 0; /* glibc: start a fresh scan */
	}
	for (;;) {
		opterr = 0;
		c = getopt_long(argc, argv, shorts, longs, NULL);
		*arg = optarg;
		if (c == -1)
			return OPT_END;
		if (c == '?' || c == ':')
			return opt_bad(mode, c, argv[optind - 1]);
		if (c == 'h') {
			usage_print(stdout, mode_find(G.mode));
			return finish_stdout(0) == 0 ? OPT_HELP : OPT_BAD;
		}
		o = opt_row(mode, c);
		if (o != NULL && is_global(o)) {
			if (opt_global(c, optarg) != 0)
				return OPT_BAD;
			continue;
		}
		if (c == 'w') { /* per-mode row of a global option */
			if (opt_global(c, optarg) != 0)
				return OPT_BAD;
			continue;
		}
		return c;
	}
}

int
opt_status(int c)
{
	return c == OPT_HELP ? EXIT_OK : EXIT_USAGE;
}
