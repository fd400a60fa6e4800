/* Lines on stderr, each written with one write(2): a text line with its
   control characters escaped, or a JSON object; and the builder of an
   event's line.  The only code that writes to stderr. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/report.h"

/* The bytes of the control character at s (n bytes left): 1 for C0, DEL
   or a lone byte 0x80-0x9f that is not UTF-8, 2 for C1 as UTF-8; 0 when
   s is not one.  *len: the bytes of what is at s. */
static size_t
control_at(const unsigned char *s, size_t n, size_t *len)
{
	size_t k = utf8_len(s, n);

	*len = k == 0 ? 1 : k;
	if (k == 0)
		return s[0] >= 0x80 && s[0] <= 0x9f ? 1 : 0;
	if (k == 1)
		return s[0] < 0x20 || s[0] == 0x7f ? 1 : 0;
	return k == 2 && s[0] == 0xc2 && s[1] <= 0x9f ? 2 : 0;
}

/* Escapes the n bytes of s into out (room for 4 * n bytes): each byte of
   a control character as \xHH.  Returns the length written. */
static size_t
escape(char *out, const char *in, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t written = 0, len, i;

	while (n > 0) {
		if (control_at(s, n, &len) == 0) {
			memcpy(out + written, s, len);
			written += len;
		} else {
			for (i = 0; i < len; i++)
				written += (size_t)sprintf(out + written,
				    "\\x%02x", s[i]);
		}
		s += len;
		n -= len;
	}
	return written;
}

void
text_put(FILE *fp, const char *s)
{
	size_t n = strlen(s);
	char small[256], *out = n <= sizeof(small) / 4 ? small : malloc(4 * n);

	if (out == NULL) {
		fputs("(out of memory)", fp);
		return;
	}
	fwrite(out, 1, escape(out, s, n), fp);
	if (out != small)
		free(out);
}

char *
text_format(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

int
stderr_text(const char *prefix, const char *text, const char *after)
{
	size_t n = strlen(text), plen = strlen(prefix), alen = strlen(after);
	size_t len;
	char *line = malloc(plen + 4 * n + 1 + alen);
	int rc;

	if (line == NULL)
		return -1;
	memcpy(line, prefix, plen);
	len = plen + escape(line + plen, text, n);
	line[len++] = '\n';
	memcpy(line + len, after, alen);
	rc = write_whole(STDERR_FILENO, line, len + alen);
	free(line);
	return rc;
}

int
stderr_json(struct json *j)
{
	size_t n;
	const char *line = json_line(j, &n);
	int rc = line == NULL ? -1 : write_whole(STDERR_FILENO, line, n);

	json_abort(j);
	return rc;
}

bool
line_begin(struct line *l, const char *event, bool always)
{
	l->json = G.json;
	l->text = l->small;
	l->text[0] = '\0';
	l->len = 0;
	l->cap = sizeof(l->small);
	l->failed = false;
	if (G.quiet || !(always || G.json || G.verbose > 0))
		return false;
	if (l->json) {
		json_begin(&l->j, stderr);
		json_str(&l->j, "event", event);
	}
	return true;
}

/* Adds formatted words to the text line, in small while they fit (most
   lines do: no allocation), then in a buffer grown to fit. */
static void text_add(struct line *, const char *, va_list) PRINTF(2, 0);
static void
text_add(struct line *l, const char *fmt, va_list ap)
{
	size_t room = l->cap - l->len, cap;
	va_list again;
	char *grown;
	int n;

	if (l->failed)
		return;
	va_copy(again, ap);
	n = vsnprintf(l->text + l->len, room, fmt, again);
	va_end(again);
	if (n >= 0 && (size_t)n >= room) {
		cap = 2 * (l->len + (size_t)n + 1);
		grown =
		    l->text == l->small ? malloc(cap) : realloc(l->text, cap);
		if (grown == NULL) {
			l->failed = true;
			return;
		}
		if (l->text == l->small)
			memcpy(grown, l->small, l->len);
		l->text = grown;
		l->cap = cap;
		vsnprintf(l->text + l->len, cap - l->len, fmt, ap);
	}
	if (n < 0)
		l->failed = true;
	else
		l->len += (size_t)n;
}

/* text_add() of its arguments. */
static void text_words(struct line *, const char *, ...) PRINTF(2, 3);
static void
text_words(struct line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_add(l, fmt, ap);
	va_end(ap);
}

void
line_text(struct line *l, const char *fmt, ...)
{
	va_list ap;

	if (l->json)
		return;
	va_start(ap, fmt);
	text_add(l, fmt, ap);
	va_end(ap);
}

void
line_str(struct line *l, const char *key, const char *before, const char *value)
{
	if (l->json && key != NULL)
		json_str(&l->j, key, value);
	else if (!l->json && before != NULL)
		text_words(l, "%s%s", before, value != NULL ? value : "");
}

void
line_uint(struct line *l, const char *key, const char *before,
    unsigned long long value)
{
	if (l->json && key != NULL)
		json_uint(&l->j, key, value);
	else if (!l->json && before != NULL)
		text_words(l, "%s%llu", before, value);
}

void
line_ms(struct line *l, const char *key, const char *before, double ms)
{
	if (l->json && key != NULL)
		json_ms(&l->j, key, ms);
	else if (!l->json && before != NULL)
		text_words(l, "%s%.2f", before, ms);
}

void
line_null(struct line *l, const char *key)
{
	if (l->json)
		json_null(&l->j, key);
}

int
line_end(struct line *l)
{
	int rc;

	if (l->json)
		return stderr_json(&l->j);
	rc = l->failed ? -1 : stderr_text("", l->text, "");
	if (l->text != l->small)
		free(l->text);
	return rc;
}
