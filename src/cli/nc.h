/* The nc front end: OpenBSD nc's command line (`sockit nc ...`, or sockit
   run as nc or netcat) translated into the words of a sockit mode, which
   then runs as it always does.  No second implementation of the modes:
   only the words, and G.nc for what nc does otherwise (-z's output and
   exit status, an idle -w ending well). */
#ifndef SOCKIT_NC_H
#define SOCKIT_NC_H

#include <stdbool.h>

/* The mode's command line. */
struct nc_cmd {
	const char *mode; /* "connect" or "listen" */
	int argc;
	char **argv;  /* argv[0], then the mode's words; NULL at argc */
	char *own[8]; /* words made here (a URL, NAME=VALUE), freed */
	int nown;
};

/* true when argv0's last component is "nc" or "netcat". */
bool nc_named(const char *argv0);
/* Translates nc's argc/argv (argv[0] the program's name) into *cmd.
   Returns 0; -1 when -h printed the usage (exit 0); or an exit status
   when it printed why not: 2 for an nc option with no equivalent, or a
   command line nc refuses too. */
int nc_translate(int argc, char **argv, struct nc_cmd *cmd);
/* sockit's global options before the word nc (`sockit -v nc ...`,
   argv[at] is "nc"): those nc has too (-4 -6 -n -v -w, and their long
   forms) become nc's; argv is made nc's in place: "nc", those options,
   then the words after nc; *argc its new count.  Returns 0, or 2 when
   another one (-j, --quiet) was given: exit 2 naming it. */
int nc_globals(int *argc, char **argv, int at);
/* Frees what nc_translate() allocated. */
void nc_free(struct nc_cmd *cmd);

#endif
