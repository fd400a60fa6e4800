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

/* Events (-v or --json): a text line or a JSON object on stderr.
	struct event ev;
	if (event_begin(&ev, "listening")) {
		json_str(&ev.j, "address", host); ...
		event_end(&ev, "listening on %s %u", host, port);
	}
   The JSON members are written only in JSON mode; the text only in text
   mode.  always: shown even without -v (not with --quiet). */
struct event {
	struct json j;
	bool json;
};
bool event_begin(struct event *, const char *name);
bool event_begin_always(struct event *, const char *name);
/* Writes the event: the JSON object, or the text line (control
   characters escaped), each with one write(2).  Returns 0, or -1 when
   stderr failed. */
int event_end(struct event *, const char *fmt, ...) PRINTF(2, 3);

#endif
