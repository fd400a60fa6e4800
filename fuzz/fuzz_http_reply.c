/* What an HTTP proxy answers to CONNECT: the response header, found
   the way http.c finds it (peek what came, consume only up to the
   header's end, look again from near the last end) and its status line
   read by proxy_http_reply().  The first byte is the size of each segment
   that arrives (1-256); the rest is the stream.  Checks: the end found
   segment by segment is the end found in one piece, it follows a blank
   line, and it is within the 16 KiB taken; the verdict's reason is one
   line (the status line keeps the proxy's bytes: the printers escape
   them); a 2xx HTTP/1.x status line is granted with the whole header,
   anything granted is one. */
#include "config.h"

#include "fuzz_proxy.h"

#define HEAD_MAX 16384 /* as HTTP_HEAD_MAX in src/proxy/http.c */

/* The header's end as http.c's http_head() finds it, segment bytes
   at a time; 0 when the stream or the 16 KiB end first. */
static size_t
segmented_end(const char *s, size_t n, size_t segment)
{
	size_t len = 0, end = 0, got, from;

	while (end == 0) {
		if (len == HEAD_MAX || len == n)
			return 0;
		got = n - len < segment ? n - len : segment;
		if (got > HEAD_MAX - len)
			got = HEAD_MAX - len;
		from = len;
		end =
		    proxy_http_head_end(s, len + got, from > 2 ? from - 2 : 0);
		len += end ? end - len : got;
	}
	return end;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_reply r;
	size_t segment, whole, end;
	char *head;

	if (size < 1)
		return 0;
	segment = (size_t)data[0] + 1;
	data++;
	size--;
	whole = proxy_http_head_end((const char *)data,
	    size < HEAD_MAX ? size : HEAD_MAX, 0);
	end = segmented_end((const char *)data, size, segment);
	CHECK(end == whole, "end %zu in segments of %zu, %zu in one", end,
	    segment, whole);
	if (end == 0)
		return 0;
	CHECK(end >= 2 && end <= HEAD_MAX && data[end - 1] == '\n' &&
		(data[end - 2] == '\n' ||
		    (end >= 3 && data[end - 2] == '\r' &&
			data[end - 3] == '\n')),
	    "end %zu follows no blank line", end);
	head = malloc(end);
	if (head == NULL)
		abort();
	memcpy(head, data, end);
	proxy_http_reply(head, end, &r);
	fuzz_reply_sane(&r, false);
	CHECK(r.verdict != PROXY_MORE, "more asked of a whole header");
	if (r.verdict == PROXY_GRANTED)
		CHECK(end >= 12 && memcmp(head, "HTTP/1.", 7) == 0 &&
			head[8] == ' ' && head[9] == '2' && r.len == end,
		    "granted: \"%.12s\"", head);
	else if (end >= 12 && memcmp(head, "HTTP/1.", 7) == 0 &&
	    head[8] == ' ' && head[9] == '2' && head[10] >= '0' &&
	    head[10] <= '9' && head[11] >= '0' && head[11] <= '9')
		CHECK(0, "2xx not granted: \"%.12s\"", head);
	free(head);
	return 0;
}
