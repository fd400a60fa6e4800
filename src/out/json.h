/* JSON Lines writer: one object, built whole, written on one line. */
#ifndef SOCKIT_JSON_H
#define SOCKIT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH 16

struct json {
	FILE *fp;
	char *buf;
	size_t len, cap;
	int depth;
	bool first[JSON_DEPTH]; /* no member written yet at this depth */
	char close[JSON_DEPTH]; /* the bracket that closes each depth */
	bool oom;
};

/* Starts an object to be written to fp.  Members take a key (NULL inside
   arrays).  Strings are escaped (C0, DEL and C1 controls as \u00XX);
   invalid UTF-8 is written as \ufffd. */
void json_begin(struct json *, FILE *fp);
void json_str(struct json *, const char *key, const char *val); /* NULL: null */
void json_strn(struct json *, const char *key, const void *val, size_t n);
void json_int(struct json *, const char *key, long long v);
void json_uint(struct json *, const char *key, unsigned long long v);
/* A number with the given decimals; NaN or infinity is null. */
void json_num(struct json *, const char *key, double v, int decimals);
/* Milliseconds: %.3f, null for NaN/Inf. */
void json_ms(struct json *, const char *key, double ms);
void json_bool(struct json *, const char *key, bool v);
void json_null(struct json *, const char *key);
void json_obj(struct json *, const char *key); /* opens {, json_close() */
void json_arr(struct json *, const char *key); /* opens [, json_close() */
void json_close(struct json *);
/* Base64 of the bytes as a string member. */
void json_base64(struct json *, const char *key, const void *val, size_t n);
/* Writes the object and "\n", flushes.  Returns 0, or -1 when the write
   failed (or memory ran out). */
int json_end(struct json *);
/* As json_end(), leaving the flush to the caller (many lines at once). */
int json_end_buffered(struct json *);
/* Ends the object ("}\n") without writing it: the line and its length,
   valid until json_abort(), or NULL when memory ran out. */
const char *json_line(struct json *, size_t *len);
/* Drops an object without writing it. */
void json_abort(struct json *);

/* true when the n bytes are valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const void *s, size_t n);
/* The length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0
   when the bytes there are not one. */
size_t utf8_len(const void *s, size_t n);

#endif
