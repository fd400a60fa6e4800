/* The JSON Lines writer (src/out/json.c): random bytes as a key, a string
   value (json_strn, json_str), base64 (json_base64), numbers and nested
   arrays.  The line is read back by the strict RFC 8259 parser below.
   Checks: the output is one line holding one JSON object; every string
   decodes to valid UTF-8; a valid UTF-8 input comes back byte for byte
   (NUL and control bytes too); base64 decodes to the input; utf8_valid()
   agrees with the decoder written here; nesting past JSON_DEPTH fails
   (json_end() -1) and writes nothing. */
#include "config.h"

#include <math.h>

#include "fuzz.h"
#include "out/json.h"

/* Decoded strings of one line, in order. */
struct strs {
	char *s[64];
	size_t n[64];
	size_t count;
};

struct parser {
	const unsigned char *p, *end;
	struct strs *out;
};

/* A code point's UTF-8 into b; returns the length. */
static size_t
utf8_put(unsigned char *b, uint32_t cp)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes one code point of UTF-8 at s (n bytes), the way RFC 3629 says:
   re-encoding it must give the same bytes (no overlong form), and it is
   no surrogate and no more than U+10FFFF.  Returns the length, or 0. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char again[4];
	size_t len, i;

	if (s[0] < 0x80)
		len = 1, *cp = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		len = 2, *cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, *cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, *cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3fu);
	}
	if (*cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff) ||
	    utf8_put(again, *cp) != len)
		return 0;
	return len;
}

static bool
ref_utf8_valid(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	for (; n > 0; s += k, n -= k)
		if ((k = utf8_next(s, n, &cp)) == 0)
			return false;
	return true;
}

static int
hex4(const unsigned char *p, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		*v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			*v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			*v |= p[i] - 'a' + 10u;
		else if (p[i] >= 'A' && p[i] <= 'F')
			*v |= p[i] - 'A' + 10u;
		else
			return -1;
	}
	return 0;
}

/* A string at ps->p (past the quote); decoded into out.  0 or -1. */
static int
parse_string(struct parser *ps)
{
	unsigned char *buf = malloc((size_t)(ps->end - ps->p) * 4 + 4);
	size_t n = 0, k;
	uint32_t cp, lo;

	if (buf == NULL)
		abort();
	for (;;) {
		if (ps->p >= ps->end)
			goto bad;
		if (*ps->p == '"') {
			ps->p++;
			break;
		}
		if (*ps->p < 0x20)
			goto bad; /* a raw control character */
		if (*ps->p != '\\') {
			k = utf8_next(ps->p, (size_t)(ps->end - ps->p), &cp);
			if (k == 0)
				goto bad; /* not UTF-8 */
			memcpy(buf + n, ps->p, k);
			n += k;
			ps->p += k;
			continue;
		}
		if (ps->end - ps->p < 2)
			goto bad;
		switch (ps->p[1]) {
		case '"':
		case '\\':
		case '/':
			buf[n++] = ps->p[1];
			break;
		case 'b':
			buf[n++] = '\b';
			break;
		case 'f':
			buf[n++] = '\f';
			break;
		case 'n':
			buf[n++] = '\n';
			break;
		case 'r':
			buf[n++] = '\r';
			break;
		case 't':
			buf[n++] = '\t';
			break;
		case 'u':
			if (ps->end - ps->p < 6 || hex4(ps->p + 2, &cp) == -1)
				goto bad;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto bad; /* a lone low surrogate */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 12 || ps->p[6] != '\\' ||
				    ps->p[7] != 'u' ||
				    hex4(ps->p + 8, &lo) == -1 || lo < 0xdc00 ||
				    lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				ps->p += 6;
			}
			n += utf8_put(buf + n, cp);
			ps->p += 4;
			break;
		default:
			goto bad;
		}
		ps->p += 2;
	}
	if (ps->out->count < 64) {
		ps->out->s[ps->out->count] = (char *)buf;
		ps->out->n[ps->out->count++] = n;
	} else {
		free(buf);
	}
	return 0;
bad:
	free(buf);
	return -1;
}

static int
parse_number(struct parser *ps)
{
	const unsigned char *p = ps->p, *e = ps->end;

#define DIGIT (p < e && *p >= '0' && *p <= '9')
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (DIGIT)
		while (DIGIT)
			p++;
	else
		return -1;
	if (p < e && *p == '.') {
		p++;
		if (!DIGIT)
			return -1;
		while (DIGIT)
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!DIGIT)
			return -1;
		while (DIGIT)
			p++;
	}
#undef DIGIT
	ps->p = p;
	return 0;
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	    (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' ||
		*ps->p == '\n'))
		ps->p++;
}

static int
literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return -1;
	ps->p += n;
	return 0;
}

static int
parse_value(struct parser *ps, int depth)
{
	if (depth > 64)
		return -1;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return -1;
	switch (*ps->p) {
	case '{':
		ps->p++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return 0;
		}
		for (;;) {
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p++ != '"' ||
			    parse_string(ps) == -1)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p++ != ':' ||
			    parse_value(ps, depth + 1) == -1)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end)
				return -1;
			if (*ps->p == '}') {
				ps->p++;
				return 0;
			}
			if (*ps->p++ != ',')
				return -1;
		}
	case '[':
		ps->p++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 0;
		}
		for (;;) {
			if (parse_value(ps, depth + 1) == -1)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end)
				return -1;
			if (*ps->p == ']') {
				ps->p++;
				return 0;
			}
			if (*ps->p++ != ',')
				return -1;
		}
	case '"':
		ps->p++;
		return parse_string(ps);
	case 't':
		return literal(ps, "true");
	case 'f':
		return literal(ps, "false");
	case 'n':
		return literal(ps, "null");
	default:
		return parse_number(ps);
	}
}

/* Strict base64 (padded) of b64 into out; returns the length or -1. */
static long
unbase64(const char *b64, size_t n, unsigned char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, k, len = 0;
	uint32_t acc;
	int pad;
	const char *c;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		acc = 0;
		pad = 0;
		for (k = 0; k < 4; k++) {
			acc <<= 6;
			if (b64[i + k] == '=' && i + 4 == n && k >= 2) {
				pad++;
				continue;
			}
			if (pad || b64[i + k] == '\0' ||
			    (c = strchr(tab, b64[i + k])) == NULL)
				return -1;
			acc |= (uint32_t)(c - tab);
		}
		out[len++] = (unsigned char)(acc >> 16);
		if (pad < 2)
			out[len++] = (unsigned char)(acc >> 8);
		if (pad < 1)
			out[len++] = (unsigned char)acc;
	}
	return (long)len;
}

/* The decoded string of a value that was valid UTF-8 is the value; of one
   that was not, valid UTF-8 (the parser refused anything else). */
static void
same_or_valid(const struct strs *st, size_t i, const void *in, size_t n,
    const char *what)
{
	CHECK(i < st->count, "no %s", what);
	if (ref_utf8_valid(in, n))
		CHECK(st->n[i] == n && memcmp(st->s[i], in, n) == 0,
		    "%s does not round-trip (%zu bytes in, %zu out)", what, n,
		    st->n[i]);
	else
		CHECK(ref_utf8_valid((const unsigned char *)st->s[i], st->n[i]),
		    "%s decodes to invalid UTF-8", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strs st = { { 0 }, { 0 }, 0 };
	struct parser ps;
	struct json j;
	unsigned char *dec;
	const uint8_t *val;
	char *key, *buf = NULL;
	size_t len = 0, vlen, i, opens;
	long dlen;
	double d;
	int64_t iv;
	FILE *fp;
	bool in_obj;
	int rc;

	if (size < 2)
		return 0;
	/* byte 0: nesting; byte 1: where the key ends and the value begins */
	opens = 1 + (data[0] & 0x1f);
	i = 2 + (size > 2 ? data[1] % (size - 1) : 0);
	if (i > size)
		i = size;
	key = fuzz_str(data + 2, i - 2);
	val = data + i;
	vlen = size - i;
	CHECK(utf8_valid(val, vlen) == ref_utf8_valid(val, vlen),
	    "utf8_valid() of %zu bytes says %d", vlen, utf8_valid(val, vlen));
	memcpy(&d, data + (size >= 8 ? size - 8 : 0), size >= 8 ? 8 : 0);
	if (size < 8)
		d = (double)data[0] / 7;
	iv = (int64_t)(data[0] * 0x9e3779b97f4a7c15ULL + size);

	fp = open_memstream(&buf, &len);
	if (fp == NULL)
		abort();
	json_begin(&j, fp);
	json_strn(&j, key, val, vlen);
	json_base64(&j, "b64", val, vlen);
	json_str(&j, "c", vlen > 0 && val[0] == 0 ? NULL : key);
	json_str(&j, "null", NULL);
	json_num(&j, "n", d, data[0] % 7);
	json_ms(&j, "ms", d);
	json_int(&j, "i", iv);
	json_uint(&j, "u", (unsigned long long)iv);
	json_bool(&j, "t", data[0] & 1);
	/* nested: arrays, or objects when bit 5 is set */
	json_arr(&j, "a");
	for (i = 1, in_obj = false; i < opens; i++) {
		if (data[0] & 0x20)
			json_obj(&j, in_obj ? "o" : NULL);
		else
			json_arr(&j, in_obj ? "o" : NULL);
		in_obj = (data[0] & 0x20) != 0;
	}
	json_strn(&j, in_obj ? "v" : NULL, val, vlen);
	if (data[0] & 0x40)
		json_close(&j); /* the rest json_end() closes */
	rc = json_end(&j);
	fclose(fp);

	if (opens >= JSON_DEPTH) { /* the object and opens levels */
		CHECK(rc == -1 && len == 0, "%zu levels: rc %d, %zu bytes",
		    opens + 1, rc, len);
		goto out;
	}
	CHECK(rc == 0, "json_end() %d", rc);
	CHECK(len >= 3 && buf[len - 1] == '\n' && buf[0] == '{' &&
		memchr(buf, '\n', len - 1) == NULL,
	    "not one line: %zu bytes", len);
	ps.p = (const unsigned char *)buf;
	ps.end = ps.p + len - 1;
	ps.out = &st;
	CHECK(parse_value(&ps, 0) == 0 && ps.p == ps.end,
	    "not JSON at byte %zu: %.*s",
	    (size_t)(ps.p - (const unsigned char *)buf), (int)len, buf);
	/* strings: key, value, "b64", base64, "c", ..., the last: value */
	same_or_valid(&st, 0, key, strlen(key), "the key");
	same_or_valid(&st, 1, val, vlen, "the value");
	CHECK(st.count >= 4 && st.n[2] == 3 && memcmp(st.s[2], "b64", 3) == 0,
	    "no b64 member");
	dec = malloc(st.n[3] + 1);
	if (dec == NULL)
		abort();
	dlen = unbase64(st.s[3], st.n[3], dec);
	CHECK(dlen == (long)vlen && memcmp(dec, val, vlen) == 0,
	    "base64 of %zu bytes decodes to %ld", vlen, dlen);
	free(dec);
	same_or_valid(&st, st.count - 1, val, vlen, "the array value");
	for (i = 0; i < st.count; i++)
		CHECK(ref_utf8_valid((const unsigned char *)st.s[i], st.n[i]),
		    "string %zu is not UTF-8", i);
out:
	for (i = 0; i < st.count; i++)
		free(st.s[i]);
	free(buf);
	free(key);
	return 0;
}
