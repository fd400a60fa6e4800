/* The option table's readers: getopt_long's short string and long
   table built from the rows of option_table.c, the scan of a mode's
   argv (opt_next()), and the global options it stores in G. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "cli/internal.h"
#include "cli/options.h"
#include "out/report.h"

const struct opt *
opt_find(unsigned mode, int val)
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

/* true when option val is a global option, stored in G: a row of it is
   global or valid before the mode word (M_TOP), even where a mode gives
   it a row of its own to say what it bounds there (-w). */
static bool
stored_in_g(int val)
{
	const struct opt *o;

	for (o = opts; o->help != NULL; o++)
		if (o->val == val && (o->modes & (M_GLOBAL | M_TOP)))
			return true;
	return false;
}

void
opt_getopt(unsigned mode, char *shorts, size_t nshorts, struct option *longs,
    size_t nlongs)
{
	const struct opt *o;
	size_t s = 0, l = 0;

	shorts[s++] = ':'; /* ':' tells a missing value from an unknown one */
	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode))
			continue;
		if (o->val < 256 && s + 3 < nshorts) {
			shorts[s++] = (char)o->val;
			if (o->arg != NULL)
				shorts[s++] = ':';
		}
		if (o->name != NULL && l + 1 < nlongs) {
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

/* Stores global option c (its value parsed in v) in G. */
static void
opt_global(int c, const struct opt_value *v)
{
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
		G.timeout_ms = v->ms;
		break;
	}
}

/* The scan of one argv in one mode: getopt_long's tables, built when it
   starts. */
static struct {
	unsigned mode;
	char **argv; /* NULL: no scan under way */
	char shorts[128];
	struct option longs[128];
} scan;

/* Starts the scan: the tables, then a first pass that applies the global
   flags (-4, -6, -n, -j, -v, --quiet) wherever they stand, so that every
   value is parsed knowing them (-p http -n).  The pass stops at a usage
   error, which the scan itself reports when it gets there. */
static void
scan_start(unsigned mode, int argc, char **argv)
{
	const struct opt *o;
	int c;

	opt_getopt(mode, scan.shorts, sizeof(scan.shorts), scan.longs,
	    sizeof(scan.longs) / sizeof(scan.longs[0]));
	scan.mode = mode;
	scan.argv = argv;
	opterr = 0;
	optind = 0; /* glibc: start a fresh scan */
	while ((c = getopt_long(argc, argv, scan.shorts, scan.longs, NULL)) !=
		-1 &&
	    c != '?' && c != ':') {
		o = opt_find(mode, c);
		if (o != NULL && o->type == OPT_NONE && c != 'h' &&
		    stored_in_g(c))
			opt_global(c, NULL);
	}
	optind = 0;
}

/* Ends the scan with c: the next opt_next() starts another. */
static int
scan_end(int c)
{
	scan.argv = NULL;
	return c;
}

int
opt_next(unsigned mode, int argc, char **argv, struct opt_value *v)
{
	const struct opt *o;
	struct sock_err e;
	int c;

	if (scan.argv != argv || scan.mode != mode)
		scan_start(mode, argc, argv);
	for (;;) {
		opterr = 0;
		c = getopt_long(argc, argv, scan.shorts, scan.longs, NULL);
		if (c == -1)
			return scan_end(OPT_END);
		if (c == '?' || c == ':')
			return scan_end(opt_bad(mode, c, argv[optind - 1]));
		if (c == 'h') {
			usage_print(stdout, mode_find(G.mode));
			return scan_end(
			    finish_stdout(0) == 0 ? OPT_HELP : OPT_BAD);
		}
		o = opt_find(mode, c);
		memset(v, 0, sizeof(*v));
		if (o != NULL &&
		    opt_parse_value(o, mode, G.numeric, optarg, v, &e) == -1) {
			usage_err(&e);
			return scan_end(OPT_BAD);
		}
		if (!stored_in_g(c))
			return c;
		if (o == NULL ||
		    o->type != OPT_NONE) /* flags: in the first pass */
			opt_global(c, v);
	}
}

int
opt_status(int c)
{
	return c == OPT_HELP ? EXIT_OK : EXIT_USAGE;
}

/* The row of the long option word names in mode (a long name, or a
   prefix of just one), or NULL. */
static const struct opt *
long_row(const char *word, unsigned mode)
{
	const struct opt *o, *found = NULL;
	size_t n = strcspn(word, "=");

	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode) || o->name == NULL ||
		    strncmp(o->name, word, n) != 0)
			continue;
		if (o->name[n] == '\0')
			return o; /* exact */
		if (found != NULL && strcmp(found->name, o->name) != 0)
			return NULL; /* ambiguous */
		found = o;
	}
	return found;
}

/* How word (an argument starting with '-') reads in mode: *json when it
   holds -j or --json.  Returns true when it takes the next argument as
   its value. */
static bool
word_read(const char *word, unsigned mode, bool *json)
{
	const struct opt *o;
	const char *p;

	*json = false;
	if (word[1] == '-') {
		o = long_row(word + 2, mode);
		*json = o != NULL && o->val == 'j';
		return o != NULL && o->arg != NULL && !strchr(word, '=');
	}
	for (p = word + 1; *p != '\0'; p++) {
		o = opt_find(mode, (unsigned char)*p);
		if (o != NULL && o->val == 'j')
			*json = true;
		if (o != NULL && o->arg != NULL) /* the rest is its value */
			return p[1] == '\0';
	}
	return false;
}

bool
opt_takes_next(const char *word, unsigned mode)
{
	bool json;

	if (word[0] != '-' || word[1] == '\0' || strcmp(word, "--") == 0)
		return false;
	return word_read(word, mode, &json);
}

bool
opt_json_asked(int argc, char **argv, unsigned mode)
{
	bool json;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			continue;
		if (word_read(argv[i], mode, &json))
			i++;
		if (json)
			return true;
	}
	return false;
}
