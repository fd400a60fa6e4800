/* What the files of cli/ share and nothing else needs. */
#ifndef SOCKIT_CLI_INTERNAL_H
#define SOCKIT_CLI_INTERNAL_H

#include <stdbool.h>

#include "cli/options.h"

/* options.c */
/* true for a row of the global options (M_GLOBAL). */
bool is_global(const struct opt *);

/* help.c */
/* Reports a usage error of getopt_long; word is the argument it was
   reading.  Returns OPT_BAD. */
int opt_bad(unsigned mode, int c, const char *word);

#endif
