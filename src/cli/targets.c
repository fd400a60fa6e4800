/* --targets FILE: its lines as argvs for connect's option table. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/targets.h"
#include "out/report.h"

/* true when word is the long name of an option of connect. */
static bool
option_word(const char *word)
{
	const struct opt *o;

	for (o = opts; o->help != NULL; o++)
		if ((o->modes & M_CONNECT) && o->name != NULL &&
		    strcmp(o->name, word) == 0)
			return true;
	return false;
}

/* Adds word (the first of its line when first) to l's argv, as the
   option table reads it.  Returns 0, or -1 when out of memory. */
static int
add_word(struct target_line *l, const char *word, bool first)
{
	char **v = realloc(l->argv, (size_t)(l->argc + 2) * sizeof(*v));
	char *w;

	if (v == NULL)
		return -1;
	l->argv = v;
	if (!first && word[0] != '-' &&
	    (strchr(word, '=') != NULL || option_word(word))) {
		if ((w = malloc(strlen(word) + 3)) != NULL)
			sprintf(w, "--%s", word);
	} else {
		w = strdup(word);
	}
	if (w == NULL)
		return -1;
	l->argv[l->argc++] = w;
	l->argv[l->argc] = NULL;
	return 0;
}

/* The next word of *p into word (as long as the line): quotes taken
   out.  Returns 1 with a word, 0 at the end of the line (or a comment),
   or -1 for a quote left open. */
static int
next_word(const char **p, char *word)
{
	const char *s = *p + strspn(*p, " \t\r\n");
	bool quoted = false;
	size_t n = 0;

	if (*s == '\0' || *s == '#')
		return 0;
	for (; *s != '\0' && (quoted || strchr(" \t\r\n", *s) == NULL); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (quoted && s[0] == '\\' && s[1] == '"')
			word[n++] = *++s;
		else
			word[n++] = *s;
	}
	word[n] = '\0';
	*p = s;
	return quoted ? -1 : 1;
}

/* Splits text, line number of path, into l.  Returns 0, or an exit
   status after printing. */
static int
split_line(const char *path, int number, const char *text,
    struct target_line *l)
{
	char *word = malloc(strlen(text) + 1);
	const char *p = text;
	int rc;

	memset(l, 0, sizeof(*l));
	l->number = number;
	snprintf(l->where, sizeof(l->where), "%s line %d",
	    strcmp(path, "-") == 0 ? "stdin" : path, number);
	if (word == NULL || add_word(l, "connect", true) == -1)
		rc = -2;
	else
		while ((rc = next_word(&p, word)) == 1)
			if (add_word(l, word, l->argc == 1) == -1) {
				rc = -2;
				break;
			}
	free(word);
	if (rc == -2)
		return fail(SOCK_ELOCAL, "out of memory");
	if (rc == -1)
		return usage_error("%s: a quote is left open", l->where);
	return 0;
}

static void
line_free(struct target_line *l)
{
	int i;

	for (i = 0; i < l->argc; i++)
		free(l->argv[i]);
	free(l->argv);
}

/* Adds line number of path to t when it holds a check.  Returns 0, or
   an exit status. */
static int
add_line(struct target_lines *t, const char *path, int number, const char *text)
{
	struct target_line l, *v;
	int status;

	if ((status = split_line(path, number, text, &l)) != 0) {
		line_free(&l);
		return status;
	}
	if (l.argc == 1) { /* blank, or a comment */
		line_free(&l);
		return 0;
	}
	if ((v = realloc(t->v, (t->n + 1) * sizeof(*v))) == NULL) {
		line_free(&l);
		return fail(SOCK_ELOCAL, "out of memory");
	}
	t->v = v;
	t->v[t->n++] = l;
	return 0;
}

int
targets_read_fp(FILE *fp, const char *path, struct target_lines *t)
{
	char *text = NULL;
	size_t size = 0;
	int number = 0, status = 0;

	memset(t, 0, sizeof(*t));
	while (status == 0 && getline(&text, &size, fp) != -1)
		status = add_line(t, path, ++number, text);
	if (status == 0 && ferror(fp))
		status = fail(SOCK_ELOCAL, "--targets %s: %s", path,
		    strerror(errno));
	free(text);
	if (status != 0)
		targets_free(t);
	return status;
}

int
targets_read(const char *path, struct target_lines *t)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int status;

	memset(t, 0, sizeof(*t));
	if (fp == NULL)
		return fail(SOCK_ELOCAL, "--targets %s: %s", path,
		    strerror(errno));
	status = targets_read_fp(fp, path, t);
	if (fp != stdin)
		fclose(fp);
	return status;
}

void
targets_free(struct target_lines *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		line_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
