/* sockit's global options before the word nc (`sockit -v nc ...`): the
   ones nc has too become nc's; the others are exit 2. */
#include "config.h"

#include <string.h>

#include "cli/nc.h"
#include "out/report.h"

/* A global option before the word nc that nc has no equivalent of. */
static int
refuse_global(const char *word)
{
	return usage_error("%s before the word nc: only -4, -6, -n, -v and -w "
			   "may come before it (sockit nc takes OpenBSD nc's "
			   "options, after nc)",
	    word);
}

/* The global option argv[*i] (before nc), kept at argv[(*out)++] as nc's,
   with -w's value.  Returns 0 or an exit status. */
static int
nc_global(char **argv, int at, int *i, int *out)
{
	char *w = argv[*i], *value;
	size_t j;

	if (strcmp(w, "--verbose") == 0 || strcmp(w, "--numeric") == 0) {
		argv[(*out)++] = w[2] == 'v' ? "-v" : "-n";
		return 0;
	}
	if (strncmp(w, "--timeout=", 10) == 0) { /* "-wVALUE", in place */
		value = w + 10;
		memmove(w + 2, value, strlen(value) + 1);
		w[1] = 'w';
		argv[(*out)++] = w;
		return 0;
	}
	if (strcmp(w, "--timeout") == 0)
		w = "-w";
	else if (w[0] != '-' || w[1] == '-')
		return refuse_global(w);
	for (j = 1; w[j] != '\0'; j++) {
		if (w[j] == 'w')
			break;
		if (strchr("46nv", w[j]) == NULL) {
			char letter[3] = { '-', w[j], '\0' };

			return refuse_global(letter);
		}
	}
	argv[(*out)++] = w;
	if (w[j] == 'w' && w[j + 1] == '\0' && *i + 1 < at)
		argv[(*out)++] = argv[++*i];
	return 0;
}

int
nc_globals(int *argc, char **argv, int at)
{
	int i, out = 1, status;
	char *nc = argv[at];

	for (i = 1; i < at; i++) {
		if (strcmp(argv[i], "--") == 0)
			continue;
		if ((status = nc_global(argv, at, &i, &out)) != 0)
			return status;
	}
	argv[0] = nc;
	for (i = at + 1; i <= *argc; i++) /* the words after nc, and NULL */
		argv[out++] = argv[i];
	*argc = out - 1;
	return 0;
}
