/* JSON Lines writer.  Every object is built in memory and written whole,
   so a line is never half-written; every line parses. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "out/json.h"

static void
put(struct json *j, const void *bytes, size_t n)
{
	char *grown;
	size_t cap;

	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		cap = j->cap ? j->cap : 256;
		while (cap < j->len + n + 1)
			cap *= 2;
		grown = realloc(j->buf, cap);
		if (grown == NULL) {
			j->oom = true;
			return;
		}
		j->buf = grown;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, bytes, n);
	j->len += n;
}

static void
puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
putf(struct json *j, const char *fmt, ...)
{
	char small[64], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n < sizeof(small)) {
		put(j, small, (size_t)n);
		return;
	}
	/* longer than small ("%.3f" of 1e300): never cut a number short */
	big = malloc((size_t)n + 1);
	if (big == NULL) {
		j->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	put(j, big, (size_t)n);
	free(big);
}

size_t
utf8_len(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned c = s[0];
	size_t len, i;
	uint32_t code_point;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		code_point = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		code_point = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		code_point = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		code_point = (code_point << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && code_point < 0x800) ||
	    (len == 4 && code_point < 0x10000) ||
	    (code_point >= 0xd800 && code_point <= 0xdfff) ||
	    code_point > 0x10ffff)
		return 0;
	return len;
}

bool
utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0) {
		k = utf8_len(s, n);
		if (k == 0)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

static void
put_string(struct json *j, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	put(j, "\"", 1);
	while (n > 0) {
		unsigned c = *s;

		if (c == '"' || c == '\\') {
			put(j, "\\", 1);
			put(j, s, 1);
			k = 1;
		} else if (c == '\n') {
			puts_(j, "\\n");
			k = 1;
		} else if (c == '\t') {
			puts_(j, "\\t");
			k = 1;
		} else if (c == '\r') {
			puts_(j, "\\r");
			k = 1;
		} else if (c < 0x20 || c == 0x7f) {
			putf(j, "\\u%04x", c);
			k = 1;
		} else if ((k = utf8_len(s, n)) == 0) {
			puts_(j, "\\ufffd"); /* invalid UTF-8, by design */
			k = 1;
		} else if (k == 2 && c == 0xc2 && s[1] <= 0x9f) {
			/* a C1 control (U+0080-U+009F): escaped, as C0 is */
			putf(j, "\\u%04x", (unsigned)s[1]);
		} else {
			put(j, s, k);
		}
		s += k;
		n -= k;
	}
	put(j, "\"", 1);
}

static void
member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (key != NULL) {
		put_string(j, key, strlen(key));
		put(j, ":", 1);
	}
}

void
json_begin(struct json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	j->first[0] = true;
	put(j, "{", 1);
}

void
json_str(struct json *j, const char *key, const char *val)
{
	if (val == NULL) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, val, strlen(val));
}

void
json_strn(struct json *j, const char *key, const void *val, size_t n)
{
	member(j, key);
	put_string(j, val, n);
}

void
json_int(struct json *j, const char *key, long long v)
{
	member(j, key);
	putf(j, "%lld", v);
}

void
json_uint(struct json *j, const char *key, unsigned long long v)
{
	member(j, key);
	putf(j, "%llu", v);
}

void
json_num(struct json *j, const char *key, double v, int decimals)
{
	member(j, key);
	if (isnan(v) || isinf(v))
		puts_(j, "null");
	else
		putf(j, "%.*f", decimals, v);
}

void
json_ms(struct json *j, const char *key, double ms)
{
	json_num(j, key, ms, 3);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	puts_(j, v ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

static void
open_(struct json *j, const char *key, char bracket)
{
	member(j, key);
	put(j, &bracket, 1);
	if (j->depth + 1 >= JSON_DEPTH) {
		j->oom = true; /* deeper than any object of ours */
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
	j->close[j->depth] = bracket == '{' ? '}' : ']';
}

void
json_obj(struct json *j, const char *key)
{
	open_(j, key, '{');
}

void
json_arr(struct json *j, const char *key)
{
	open_(j, key, '[');
}

void
json_close(struct json *j)
{
	if (j->depth == 0)
		return;
	put(j, &j->close[j->depth], 1);
	j->depth--;
}

void
json_base64(struct json *j, const char *key, const void *val, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = val;
	char out[4];
	size_t i;

	member(j, key);
	put(j, "\"", 1);
	for (i = 0; i + 2 < n; i += 3) {
		out[0] = tab[s[i] >> 2];
		out[1] = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		out[2] = tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		out[3] = tab[s[i + 2] & 63];
		put(j, out, 4);
	}
	if (n - i == 1) {
		out[0] = tab[s[i] >> 2];
		out[1] = tab[(s[i] & 3) << 4];
		out[2] = out[3] = '=';
		put(j, out, 4);
	} else if (n - i == 2) {
		out[0] = tab[s[i] >> 2];
		out[1] = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		out[2] = tab[(s[i + 1] & 15) << 2];
		out[3] = '=';
		put(j, out, 4);
	}
	put(j, "\"", 1);
}

const char *
json_line(struct json *j, size_t *len)
{
	while (j->depth > 0)
		json_close(j); /* a caller's slip must not break the line */
	put(j, "}\n", 2);
	*len = j->len;
	return j->oom ? NULL : j->buf;
}

/* Writes the object and "\n", flushing when asked.  Returns 0 or -1. */
static int
json_write(struct json *j, bool flush)
{
	const char *line;
	size_t len;
	int rc = 0;

	line = json_line(j, &len);
	if (line == NULL || fwrite(line, 1, len, j->fp) != len ||
	    (flush && fflush(j->fp) == EOF) || ferror(j->fp))
		rc = -1;
	json_abort(j);
	return rc;
}

int
json_end(struct json *j)
{
	return json_write(j, true);
}

int
json_end_buffered(struct json *j)
{
	return json_write(j, false);
}

void
json_abort(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}
