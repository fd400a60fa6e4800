/* The JSON Lines writer (src/out/json.c) and utf8_valid(). */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_out.h"

/* Every line written, checked with jq at the end. */
static char *lines[256];
static size_t nlines;
static bool have_jq;

static FILE *cap_fp;
static char *cap_buf;
static size_t cap_len;

static void
start(struct json *j)
{
	cap_buf = NULL;
	cap_len = 0;
	cap_fp = open_memstream(&cap_buf, &cap_len);
	if (cap_fp == NULL) {
		perror("open_memstream");
		exit(1);
	}
	json_begin(j, cap_fp);
}

/* Ends the object; returns the line written (kept until exit), or NULL
   when json_end() failed. */
static const char *
finish(struct json *j)
{
	int rc = json_end(j);

	fclose(cap_fp);
	if (rc != 0) {
		free(cap_buf);
		return NULL;
	}
	if (nlines == sizeof(lines) / sizeof(lines[0])) {
		fprintf(stderr, "test_out: too many lines kept\n");
		exit(1);
	}
	lines[nlines++] = cap_buf;
	return cap_buf;
}

/* Runs jq -j FILTER on line; stores its output in out (NUL added) and its
   length in *outlen.  Returns jq's exit status, or -1. */
static int
jq(const char *line, const char *filter, char *out, size_t outcap,
    size_t *outlen)
{
	char path[] = "/tmp/test_out.XXXXXX", cmd[256];
	FILE *p;
	size_t n = 0;
	int fd, st;

	fd = mkstemp(path);
	if (fd == -1)
		return -1;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "jq -e -j '%s' < %s 2>/dev/null", filter,
	    path);
	p = popen(cmd, "r");
	if (p == NULL) {
		unlink(path);
		return -1;
	}
	if (out != NULL) {
		n = fread(out, 1, outcap - 1, p);
		out[n] = '\0';
	} else {
		char sink[512];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	if (outlen != NULL)
		*outlen = n;
	st = pclose(p);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_members(void)
{
	struct json j;

	start(&j);
	json_str(&j, "a", "b");
	json_int(&j, "n", -7);
	json_uint(&j, "u", 7);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_null(&j, "z");
	json_str(&j, "s", NULL);
	is_str(finish(&j),
	    "{\"a\":\"b\",\"n\":-7,\"u\":7,\"t\":true,\"f\":false,"
	    "\"z\":null,\"s\":null}\n",
	    "members are comma separated; a NULL string is null");

	start(&j);
	is_str(finish(&j), "{}\n", "an object without members is {}");

	start(&j);
	json_int(&j, "min", LLONG_MIN);
	json_uint(&j, "max", ULLONG_MAX);
	is_str(finish(&j),
	    "{\"min\":-9223372036854775808,\"max\":18446744073709551615}\n",
	    "json_int and json_uint print their extremes in full");
}

static void
test_escapes(void)
{
	struct json j;
	char want[64], name[64];
	unsigned c;

	start(&j);
	json_str(&j, "s", "a\"b\\c/d");
	is_str(finish(&j), "{\"s\":\"a\\\"b\\\\c/d\"}\n",
	    "quote and backslash are escaped, / is not");

	start(&j);
	json_str(&j, "k\"\n", "v");
	is_str(finish(&j), "{\"k\\\"\\n\":\"v\"}\n", "keys are escaped too");

	for (c = 0; c <= 0x20; c++) {
		unsigned char b;

		if (c == 0x20)
			c = 0x7f; /* DEL, the last one */
		b = (unsigned char)c;
		start(&j);
		json_strn(&j, "s", &b, 1);
		if (c == '\n')
			snprintf(want, sizeof(want), "{\"s\":\"\\n\"}\n");
		else if (c == '\t')
			snprintf(want, sizeof(want), "{\"s\":\"\\t\"}\n");
		else if (c == '\r')
			snprintf(want, sizeof(want), "{\"s\":\"\\r\"}\n");
		else
			snprintf(want, sizeof(want), "{\"s\":\"\\u%04x\"}\n",
			    c);
		snprintf(name, sizeof(name),
		    "control byte 0x%02x is written as an escape", c);
		is_str(finish(&j), want, "%s", name);
	}
}

/* Bytes through the writer and back through jq come out the same. */
static void
test_escapes_jq(void)
{
	struct json j;
	unsigned char in[40];
	char out[256];
	size_t n = 0, outlen = 0;
	const char *line;
	unsigned c;
	int rc;

	for (c = 0; c < 0x20; c++)
		in[n++] = (unsigned char)c;
	in[n++] = 0x7f;
	in[n++] = '"';
	in[n++] = '\\';
	in[n++] = 'x';
	start(&j);
	json_strn(&j, "s", in, n);
	line = finish(&j);
	if (!have_jq) {
		ok(1, "control bytes survive a jq round trip # SKIP no jq");
		return;
	}
	rc = jq(line, ".s", out, sizeof(out), &outlen);
	ok(rc == 0 && outlen == n && memcmp(out, in, n) == 0,
	    "control bytes, quote and backslash survive a jq round trip");
}

static void
test_invalid_utf8(void)
{
	static const struct {
		const char *in;
		const char *want; /* the escaped string */
		const char *what;
	} t[] = {
		{ "\xc0\xaf", "\\ufffd\\ufffd", "overlong 2-byte '/' (0xc0)" },
		{ "\xc1\xbf", "\\ufffd\\ufffd", "overlong 2-byte (0xc1)" },
		{ "\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd", "overlong 3-byte" },
		{ "\xf0\x80\x80\xaf", "\\ufffd\\ufffd\\ufffd\\ufffd",
		    "overlong 4-byte" },
		{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd",
		    "high surrogate U+D800" },
		{ "\xed\xbf\xbf", "\\ufffd\\ufffd\\ufffd",
		    "low surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd",
		    "past U+10FFFF" },
		{ "\xe2\x82", "\\ufffd\\ufffd", "truncated at the end" },
		{ "\xe2\x82"
		  "A",
		    "\\ufffd\\ufffdA",
		    "truncated before ASCII (the ASCII byte is kept)" },
		{ "\xf0\x9d\x84", "\\ufffd\\ufffd\\ufffd",
		    "truncated 4-byte sequence" },
		{ "\x80", "\\ufffd", "lone continuation byte" },
		{ "a\xff"
		  "b",
		    "a\\ufffdb", "0xff between ASCII" },
	};
	struct json j;
	char want[128];
	unsigned c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		start(&j);
		json_str(&j, "s", t[i].in);
		snprintf(want, sizeof(want), "{\"s\":\"%s\"}\n", t[i].want);
		is_str(finish(&j), want, "invalid UTF-8: %s is \\ufffd",
		    t[i].what);
		ok(!utf8_valid(t[i].in, strlen(t[i].in)),
		    "utf8_valid is false: %s", t[i].what);
	}
	for (c = 0xf5; c <= 0x100; c++) {
		unsigned char b[2] = { (unsigned char)c, 0x80 };

		if (c == 0x100)
			b[0] = 0xc0; /* 0xc0 and 0xc1 again, alone */
		start(&j);
		json_strn(&j, "s", b, 1);
		is_str(finish(&j), "{\"s\":\"\\ufffd\"}\n",
		    "byte 0x%02x is never valid: \\ufffd", b[0]);
		ok(!utf8_valid(b, 2), "utf8_valid false for 0x%02x 0x80", b[0]);
	}
	{
		unsigned char b = 0xc1;

		start(&j);
		json_strn(&j, "s", &b, 1);
		is_str(finish(&j), "{\"s\":\"\\ufffd\"}\n",
		    "byte 0xc1 is never valid: \\ufffd");
	}
}

static void
test_valid_utf8(void)
{
	static const struct {
		const char *in;
		const char *what;
	} t[] = {
		{ "\xc2\xa0", "U+00A0, the first 2-byte past the C1 controls" },
		{ "\xc3\xa9", "U+00E9 e acute" },
		{ "\xdf\xbf", "U+07FF, the last 2-byte" },
		{ "\xe0\xa0\x80", "U+0800, the first 3-byte" },
		{ "\xe2\x82\xac", "U+20AC euro sign" },
		{ "\xed\x9f\xbf", "U+D7FF, just below the surrogates" },
		{ "\xee\x80\x80", "U+E000, just above the surrogates" },
		{ "\xef\xbf\xbf", "U+FFFF" },
		{ "\xf0\x90\x80\x80", "U+10000, the first 4-byte" },
		{ "\xf0\x9d\x84\x9e", "U+1D11E musical G clef" },
		{ "\xf4\x8f\xbf\xbf", "U+10FFFF, the last code point" },
	};
	struct json j;
	char want[64], out[64];
	const char *line;
	size_t i, outlen;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		start(&j);
		json_str(&j, "s", t[i].in);
		snprintf(want, sizeof(want), "{\"s\":\"%s\"}\n", t[i].in);
		line = finish(&j);
		is_str(line, want, "valid UTF-8 passes through: %s", t[i].what);
		ok(utf8_valid(t[i].in, strlen(t[i].in)),
		    "utf8_valid is true: %s", t[i].what);
		if (have_jq && line != NULL)
			ok(jq(line, ".s", out, sizeof(out), &outlen) == 0 &&
				strcmp(out, t[i].in) == 0,
			    "jq reads back the same bytes: %s", t[i].what);
	}
	ok(utf8_valid("", 0), "utf8_valid: the empty string is valid");
	ok(utf8_valid("plain ascii", 11), "utf8_valid: ASCII is valid");
	ok(utf8_valid("a\0b", 3), "utf8_valid: a NUL byte is valid UTF-8");
	ok(!utf8_valid("\xe2\x82\xac", 2),
	    "utf8_valid: a sequence cut by the length is invalid");
	ok(utf8_valid("h\xc3\xa9llo \xe2\x82\xac", 10),
	    "utf8_valid: mixed ASCII and multibyte is valid");
}

/* C1 controls (U+0080-U+009F) are escaped as C0 is: no terminal that
   reads the line raw takes one for a control. */
static void
test_c1_controls(void)
{
	static const char *const in[] = { "\xc2\x80", "\xc2\x85", "\xc2\x9b",
		"\xc2\x9f" };
	struct json j;
	char want[64], out[64];
	const char *line;
	size_t i, outlen;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		start(&j);
		json_str(&j, "s", in[i]);
		snprintf(want, sizeof(want), "{\"s\":\"\\u%04x\"}\n",
		    (unsigned)(unsigned char)in[i][1]);
		line = finish(&j);
		is_str(line, want, "C1 control U+%04X is written as an escape",
		    (unsigned)(unsigned char)in[i][1]);
		if (have_jq && line != NULL)
			ok(jq(line, ".s", out, sizeof(out), &outlen) == 0 &&
				strcmp(out, in[i]) == 0,
			    "jq reads back U+%04X",
			    (unsigned)(unsigned char)in[i][1]);
	}
}

static void
test_nesting(void)
{
	struct json j;
	char *line;
	int i;

	start(&j);
	json_obj(&j, "o");
	json_int(&j, "x", 1);
	json_arr(&j, "a");
	json_int(&j, NULL, 1);
	json_str(&j, NULL, "two");
	json_obj(&j, NULL);
	json_close(&j);
	json_arr(&j, NULL);
	json_close(&j);
	json_null(&j, NULL);
	json_close(&j);
	json_close(&j);
	json_bool(&j, "after", false);
	is_str(finish(&j),
	    "{\"o\":{\"x\":1,\"a\":[1,\"two\",{},[],null]},\"after\":false}\n",
	    "nested objects and arrays, members after a close");

	start(&j);
	json_close(&j);
	json_int(&j, "x", 1);
	is_str(finish(&j), "{\"x\":1}\n",
	    "json_close at the top level does nothing");

	start(&j);
	for (i = 0; i < JSON_DEPTH + 4; i++)
		json_arr(&j, NULL);
	for (i = 0; i < JSON_DEPTH + 4; i++)
		json_close(&j);
	ok(json_end(&j) == -1, "nesting past JSON_DEPTH makes json_end fail");
	fclose(cap_fp);
	ok(cap_len == 0, "nothing is written when json_end fails");
	free(cap_buf);

	start(&j);
	json_arr(&j, "a");
	for (i = 0; i < 2000; i++)
		json_int(&j, NULL, 10000 + i);
	json_close(&j);
	line = (char *)finish(&j);
	ok(line != NULL && strlen(line) > 2000 * 5 &&
		strchr(line, '\n') == line + strlen(line) - 1,
	    "a large object (buffer grown many times) is one line");

	start(&j);
	json_abort(&j);
	fclose(cap_fp);
	ok(cap_len == 0, "json_abort writes nothing");
	free(cap_buf);
}

static void
test_numbers(void)
{
	struct json j;
	char out[512];
	size_t outlen;
	const char *line;

	start(&j);
	json_ms(&j, "a", 1.5);
	json_ms(&j, "b", 0.0004);
	json_ms(&j, "c", 12.3456);
	json_ms(&j, "d", 0);
	json_ms(&j, "e", 250);
	is_str(finish(&j),
	    "{\"a\":1.500,\"b\":0.000,\"c\":12.346,\"d\":0.000,"
	    "\"e\":250.000}\n",
	    "json_ms prints 3 decimals, rounded");

	start(&j);
	json_ms(&j, "nan", NAN);
	json_ms(&j, "inf", INFINITY);
	json_ms(&j, "ninf", -INFINITY);
	json_num(&j, "n", NAN, 1);
	is_str(finish(&j),
	    "{\"nan\":null,\"inf\":null,\"ninf\":null,\"n\":null}\n",
	    "NaN and +/-Inf are null");

	start(&j);
	json_num(&j, "a", 2.25, 1);
	json_num(&j, "b", 7, 0);
	json_num(&j, "c", -3.14159, 2);
	is_str(finish(&j), "{\"a\":2.2,\"b\":7,\"c\":-3.14}\n",
	    "json_num uses the given decimals");

	/* a number longer than any small buffer is written in full */
	start(&j);
	json_num(&j, "big", 1e300, 3);
	line = finish(&j);
	ok(line != NULL && strlen(line) > 300 &&
		strncmp(line, "{\"big\":10000000000000000525047602552044202487",
		    45) == 0 &&
		strstr(line, ".000}\n") != NULL,
	    "json_num of 1e300 is written in full, not cut");
	if (have_jq && line != NULL)
		ok(jq(line, ".big == 1e300", out, sizeof(out), &outlen) == 0 &&
			strcmp(out, "true") == 0,
		    "jq reads 1e300 back");
}

static void
test_base64(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const unsigned char bin[] = { 0xff, 0xfe, 0x00, 0xfb, 0xef };
	struct json j;
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		start(&j);
		json_base64(&j, "b", t[i].in, strlen(t[i].in));
		snprintf(want, sizeof(want), "{\"b\":\"%s\"}\n", t[i].want);
		is_str(finish(&j), want,
		    "base64 of \"%s\" (RFC 4648) is \"%s\"", t[i].in,
		    t[i].want);
	}
	start(&j);
	json_base64(&j, "b", bin, sizeof(bin));
	is_str(finish(&j), "{\"b\":\"//4A++8=\"}\n",
	    "base64 uses + and / for 62 and 63, and encodes NUL");
}

static void
test_end(void)
{
	struct json j;
	FILE *full;
	const char *line;
	int rc;

	start(&j);
	json_str(&j, "s", "two\nlines");
	rc = json_end(&j);
	fclose(cap_fp);
	ok(rc == 0, "json_end returns 0 on a good stream");
	ok(cap_len > 0 && cap_buf[cap_len - 1] == '\n' &&
		memchr(cap_buf, '\n', cap_len) == cap_buf + cap_len - 1,
	    "json_end writes one line ending in \\n "
	    "(a newline in a value is escaped)");
	if (nlines < sizeof(lines) / sizeof(lines[0]))
		lines[nlines++] = cap_buf;
	else
		free(cap_buf);

	/* two objects to one stream: two lines */
	cap_buf = NULL;
	cap_fp = open_memstream(&cap_buf, &cap_len);
	json_begin(&j, cap_fp);
	json_int(&j, "n", 1);
	rc = json_end(&j);
	json_begin(&j, cap_fp);
	json_int(&j, "n", 2);
	rc |= json_end(&j);
	fclose(cap_fp);
	is_str(rc == 0 ? cap_buf : NULL, "{\"n\":1}\n{\"n\":2}\n",
	    "each json_end writes its own line, flushed in order");
	free(cap_buf);

	full = fopen("/dev/full", "w");
	if (full == NULL) {
		ok(1, "json_end fails on /dev/full # SKIP no /dev/full");
	} else {
		json_begin(&j, full);
		json_str(&j, "s", "x");
		ok(json_end(&j) == -1,
		    "json_end returns -1 when the stream fails (/dev/full)");
		fclose(full);
	}

	start(&j);
	json_str(&j, "after", "failure");
	line = finish(&j);
	is_str(line, "{\"after\":\"failure\"}\n",
	    "a writer can be begun again after a failure");
}

static void
test_all_lines_parse(void)
{
	char out[64];
	size_t i, bad = 0, outlen;

	if (!have_jq) {
		ok(1, "every line written parses as JSON # SKIP no jq");
		return;
	}
	for (i = 0; i < nlines; i++)
		if (jq(lines[i], "type == \"object\"", out, sizeof(out),
			&outlen) != 0 ||
		    strcmp(out, "true") != 0) {
			bad++;
			printf("# does not parse: %s", lines[i]);
		}
	ok(nlines > 50 && bad == 0,
	    "every line written (%zu) parses with jq as one object", nlines);
}

void
test_json(void)
{
	size_t i;

	have_jq = system("jq --version >/dev/null 2>&1") == 0;
	test_members();
	test_escapes();
	test_escapes_jq();
	test_invalid_utf8();
	test_valid_utf8();
	test_c1_controls();
	test_nesting();
	test_numbers();
	test_base64();
	test_end();
	test_all_lines_parse();
	for (i = 0; i < nlines; i++)
		free(lines[i]);
}
