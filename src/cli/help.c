/* What sockit tells about its options: each mode's --help, `sockit
   --list-options`, and getopt_long's complaints (an unknown option, with
   nc's spelling of it; an ambiguous prefix; a missing value). */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/internal.h"
#include "cli/options.h"
#include "out/report.h"

const struct mode *
mode_find(const char *name)
{
	const struct mode *m;

	for (m = modes; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static void
print_rows(FILE *fp, unsigned mode, bool global)
{
	const struct opt *o;
	char left[64];
	int n;

	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode) || is_global(o) != global)
			continue;
		if (o->val < 256 && o->name != NULL)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->val,
			    o->name);
		else if (o->val < 256)
			n = snprintf(left, sizeof(left), "-%c", o->val);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->arg != NULL && n >= 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s",
			    o->arg);
		if (strlen(left) > 23)
			fprintf(fp, "  %s\n  %-23s %s\n", left, "", o->help);
		else
			fprintf(fp, "  %-23s %s\n", left, o->help);
	}
}

void
usage_print(FILE *fp, const struct mode *m)
{
	const struct mode *k;

	if (m == NULL) {
		fprintf(fp,
		    "Usage: sockit [GLOBAL OPTIONS] MODE [OPTIONS] "
		    "ARGS...\n"
		    "A netcat-style network toolkit.\n\nModes:\n");
		for (k = modes; k->name != NULL; k++)
			fprintf(fp, "  %-10s %s\n", k->name, k->summary);
		fprintf(fp, "  %-10s %s\n", "nc",
		    "OpenBSD nc's options (also when run as nc or netcat)");
		fprintf(fp, "\nGlobal options (valid in every mode):\n");
		print_rows(fp, M_TOP, false);
		print_rows(fp, M_GLOBAL, true);
		fprintf(fp,
		    "\nDUR: 250ms, 2s, 1.5 (seconds), 3m, 1h.  "
		    "See 'sockit MODE --help'.\n"
		    "Exit: 0 ok, 1 network, 2 usage, 3 resolution, "
		    "4 local, 5 TLS.\n");
		return;
	}
	fprintf(fp, "Usage: sockit %s %s\n%c%s.\n\nOptions:\n", m->name,
	    m->args, toupper((unsigned char)m->summary[0]), m->summary + 1);
	print_rows(fp, m->bit, false);
	fprintf(fp, "\nGlobal options:\n");
	print_rows(fp, m->bit, true);
	if (m->more != NULL)
		fprintf(fp, "\n%s\n", m->more);
}

void
options_list(FILE *fp)
{
	const struct mode *m;
	const struct opt *o;

	for (m = modes; m->name != NULL; m++)
		for (o = opts; o->help != NULL; o++) {
			if (!(o->modes & m->bit))
				continue;
			fprintf(fp, "%s\t", m->name);
			if (o->val < 256)
				fprintf(fp, "-%c", o->val);
			fprintf(fp, "\t");
			if (o->name != NULL)
				fprintf(fp, "--%s", o->name);
			fprintf(fp, "\t%s\n", o->arg ? o->arg : "");
		}
}

/* nc and ncat options that sockit spells otherwise (SPEC "nc front
   end"): the hint added to "unknown option" in the modes given. */
static const struct nc_hint {
	const char *word;
	unsigned modes;
	const char *hint;
} nc_hints[] = { { "-l", M_LISTEN,
		     "nc's -l is 'sockit listen', which needs no -l" },
	{ "-l", M_UDPRECV,
	    "nc's -l -u is 'sockit udp-recv', which needs no -l" },
	{ "-l", M_MODES, "nc's -l is 'sockit listen'" },
	{ "-p", M_LISTEN,
	    "nc's -p is the PORT operand: 'sockit listen [ADDRESS] PORT'" },
	{ "-p", M_UDPRECV,
	    "nc's -p is the PORT operand: 'sockit udp-recv [ADDRESS] PORT'" },
	{ "-N", M_STREAM,
	    "nc's -N is the default: sockit half-closes at stdin EOF" },
	{ "-d", M_STREAM, "nc's -d is --recv-only" },
	{ "-i", M_UDPSEND, "nc's -i is --interval DUR" },
	{ "-i", M_STREAM, "nc's -i is --delay DUR" },
	{ "-X", M_CONNECT,
	    "nc's -X and -x are --proxy URL: socks5://, socks4://, http://" },
	{ "--ssl", M_STREAM, "ncat's --ssl is --tls" }, { NULL, 0, NULL } };

/* The hint for the unknown option name in mode, or NULL. */
static const char *
nc_hint(unsigned mode, const char *name)
{
	const struct nc_hint *h;

	for (h = nc_hints; h->word != NULL; h++)
		if ((h->modes & mode) && strcmp(h->word, name) == 0)
			return h->hint;
	return NULL;
}

/* Writes to buf the long options of mode that start with prefix
   ("--so"), ", " between them.  Returns how many there are. */
static int
long_candidates(unsigned mode, const char *prefix, char *buf, size_t size)
{
	const struct opt *o, *p;
	size_t len = strlen(prefix), used = 0;
	int n = 0;

	buf[0] = '\0';
	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode) || o->name == NULL ||
		    strncmp(o->name, prefix, len) != 0)
			continue;
		for (p = opts; p < o; p++) /* once each */
			if ((p->modes & mode) && p->name != NULL &&
			    strcmp(p->name, o->name) == 0)
				break;
		if (p < o)
			continue;
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used,
			    "%s--%s", n > 0 ? ", " : "", o->name);
		n++;
	}
	return n;
}

/* Reports an option getopt_long did not know: with a hint when nc or
   ncat spell it so, with the candidates when it is an ambiguous prefix.
   Returns OPT_BAD. */
static int
opt_unknown(unsigned mode, const char *name)
{
	const char *hint = nc_hint(mode, name);
	char list[512];

	if (strncmp(name, "--", 2) == 0 &&
	    long_candidates(mode, name + 2, list, sizeof(list)) > 1)
		usage_error("ambiguous option: %s (%s)", name, list);
	else if (hint != NULL)
		usage_error("unknown option: %s (%s)", name, hint);
	else
		usage_error("unknown option: %s", name);
	return OPT_BAD;
}

/* Reports a usage error of getopt_long; word is the argument it was
   reading.  Returns OPT_BAD. */
int
opt_bad(unsigned mode, int c, const char *word)
{
	const struct opt *o = optopt ? opt_find(mode, optopt) : NULL;
	char name[64];

	if (optopt != 0 && optopt < 256 && strncmp(word, "--", 2) != 0)
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%s", word);
	name[strcspn(name, "=")] = '\0';
	if (c == ':')
		usage_error("option %s needs a value", name);
	else if (o != NULL && strncmp(word, "--", 2) == 0)
		usage_error("option %s takes no value", name);
	else
		return opt_unknown(mode, name);
	return OPT_BAD;
}
