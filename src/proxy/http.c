/* HTTP CONNECT (RFC 9110 9.3.6): the response is peeked and only its
   header consumed, so the target's first bytes stay on the socket. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy/io.h"

#define HTTP_HEAD_MAX 16384 /* the longest response header taken */

static void
base64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = t[v & 63];
	}
	if (i < n) {
		v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* Receives the response header into head (HTTP_HEAD_MAX bytes), and
   no byte past it: what is peeked is consumed only up to the header's
   end (the target's first bytes may follow in the same segment).
   Returns its length, or 0 after filling the error. */
static size_t
http_head(struct io *io, char *head)
{
	size_t len = 0, end = 0, from;
	ssize_t n;

	while (end == 0) {
		if (len == HTTP_HEAD_MAX) {
			hop_fail(io, EPROTO,
			    "response header longer than 16 KiB");
			return 0;
		}
		n = io_recv(io, head + len, HTTP_HEAD_MAX - len, MSG_PEEK);
		if (n == -1)
			return 0;
		from = len;
		end = proxy_http_head_end(head, len + (size_t)n,
		    from > 2 ? from - 2 : 0);
		n = end ? (ssize_t)(end - len) : n;
		if (io_recv(io, head + len, (size_t)n, 0) == -1)
			return 0;
		len += (size_t)n;
	}
	return len;
}

int
proxy_http_connect(struct io *io, const char *host, uint16_t port)
{
	const struct proxy *p = io->p;
	char *req, *head, cred[520], auth[700];
	struct proxy_reply r;
	size_t len;
	ssize_t n;
	int rc = -1;
	bool v6 = strchr(host, ':') != NULL;

	io->stage = "HTTP CONNECT";
	auth[0] = '\0';
	if (p->has_user) {
		snprintf(cred, sizeof(cred), "%s:%s", p->user, p->pass);
		strcpy(auth, "Proxy-Authorization: Basic ");
		base64((const unsigned char *)cred, strlen(cred),
		    auth + strlen(auth));
		strcat(auth, "\r\n");
		explicit_bzero(cred, sizeof(cred));
	}
	head = malloc(HTTP_HEAD_MAX);
	req = malloc(2 * NI_MAXHOST + sizeof(auth) + 128);
	if (head == NULL || req == NULL) {
		free(head);
		free(req);
		explicit_bzero(auth, sizeof(auth));
		return sock_fail(io->e, SOCK_ELOCAL, ENOMEM, "proxy %s",
		    p->addr);
	}
	snprintf(req, 2 * NI_MAXHOST + sizeof(auth) + 128,
	    "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n%s\r\n",
	    v6 ? "[" : "", host, v6 ? "]" : "", (unsigned)port, v6 ? "[" : "",
	    host, v6 ? "]" : "", (unsigned)port, auth);
	explicit_bzero(auth, sizeof(auth));
	n = io_send(io, req, strlen(req));
	explicit_bzero(req, strlen(req));
	free(req);
	if (n != -1) {
		io->asked = true;
		len = http_head(io, head);
		if (len > 0) {
			proxy_http_reply(head, len, &r);
			rc = io_verdict(io, &r);
		}
	}
	free(head);
	return rc;
}
