/* Lines on stderr, each written with one write(2): a text line with its
   control characters escaped, or a JSON object; and the builder of an
   event's line.  The only code that writes to stderr. */
#ifndef SOCKIT_LINE_H
#define SOCKIT_LINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "out/json.h"

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Writes s to fp with control characters (C0, DEL, C1 as UTF-8 or as a
   lone byte) as \xHH, so a peer-chosen string never reaches a terminal
   raw.  Every text line on stderr is escaped so already. */
void text_put(FILE *fp, const char *s);
/* The formatted text, malloc'd, or NULL when memory ran out. */
char *text_format(const char *fmt, va_list ap) PRINTF(1, 0);
/* Writes "PREFIX" TEXT "\n" AFTER to stderr with one write(2), TEXT's
   control characters escaped.  Returns 0, or -1 when stderr failed. */
int stderr_text(const char *prefix, const char *text, const char *after);
/* Writes a JSON object built in j to stderr with one write(2), and
   drops it.  Returns 0, or -1 when stderr failed. */
int stderr_json(struct json *j);

/* An event's line, built one field at a time: each call writes its field
   in the form asked, the JSON member with --json, else its words in the
   text line (iproute2's json_print habit), so a field is named once:
	struct line l;
	if (line_begin(&l, "listening", always)) {
		line_str(&l, "address", "listening on ", host);
		line_uint(&l, "port", " ", port);
		line_str(&l, "proto", NULL, "tcp");
		line_end(&l);
	}
   key: the JSON member, or NULL for words only in text; before: the text
   written before the value, or NULL for a member only in JSON. */
struct line {
	bool json;     /* --json: j, else the text */
	struct json j; /* the JSON object */
	char *text;    /* the text line: small, or malloc'd when longer */
	size_t len, cap;
	bool failed; /* memory ran out */
	char small[256];
};
/* Starts the line of event: with -v or --json, or always (a port the
   kernel picked); never with --quiet.  Returns false when it is not
   shown (nothing to end then). */
bool line_begin(struct line *, const char *event, bool always);
/* Words only in text. */
void line_text(struct line *, const char *fmt, ...) PRINTF(2, 3);
/* A string (NULL: null in JSON, nothing in text). */
void line_str(struct line *, const char *key, const char *before,
    const char *value);
void line_uint(struct line *, const char *key, const char *before,
    unsigned long long value);
/* Milliseconds: %.3f in JSON, %.2f in text. */
void line_ms(struct line *, const char *key, const char *before, double ms);
/* null, only in JSON. */
void line_null(struct line *, const char *key);
/* Writes the line to stderr with one write(2) (the text's control
   characters escaped).  Returns 0, or -1 when stderr failed. */
int line_end(struct line *);

#endif
