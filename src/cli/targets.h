/* connect -z --targets FILE: a check per line, `HOST PORTS [option=value
   ...]`, each line's words turned into an argv for the option table, so
   that every option of connect reads the same on a line as on the
   command line. */
#ifndef SOCKIT_TARGETS_H
#define SOCKIT_TARGETS_H

#include <stddef.h>
#include <stdio.h>

struct target_line {
	int number;	/* in the file, from 1 */
	int argc;	/* argv[0] is "connect" */
	char **argv;	/* HOST PORTS, then --name=value or --name for each
			   option word; NULL-terminated */
	char where[80]; /* "FILE line N", for its messages */
};

struct target_lines {
	struct target_line *v;
	size_t n;
};

/* Reads path ("-": stdin).  A line holds words separated by blanks; a
   word may hold "double quoted" text (blanks kept; \" is a quote); '#'
   at the start of a word starts a comment; blank lines are skipped.
   After HOST, a word with '=' or naming an option of connect (tls, udp)
   is that option: name=value is --name=value.  Returns 0, or an exit
   status after printing the error: the file cannot be read (4), a line
   cannot be split into words (2, naming its line). */
int targets_read(const char *path, struct target_lines *);
/* As targets_read(), from fp (path names it in messages). */
int targets_read_fp(FILE *fp, const char *path, struct target_lines *);
void targets_free(struct target_lines *);

#endif
