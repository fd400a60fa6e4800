/* The handshake with a proxy (src/proxy/): one descriptor, one deadline
   over the whole hop, one way to fail.  io.c waits, sends and receives
   under that deadline; socks.c and http.c speak the protocols over it. */
#ifndef SOCKIT_PROXY_IO_H
#define SOCKIT_PROXY_IO_H

#include <sys/types.h>

#include "proxy/proxy.h"

/* The handshake: one descriptor, one deadline, one way to fail. */
struct io {
	int fd;
	double deadline; /* sock_now_ms() time, < 0: none */
	const struct proxy *p;
	const char *target; /* "example:80", for messages */
	const char *stage;  /* "SOCKS5 handshake", for messages */
	struct sock_err *e;
	struct proxy_hop *hop;
	bool asked; /* the request for the target is sent: what
		       fails now is about the target */
};

typedef enum proxy_verdict (
    *reply_parser)(const unsigned char *, size_t, struct proxy_reply *);

/* The proxy failed: what = "proxy HOST:PORT".  Once the request is sent,
   the failure is the target's (a check says timeout or error).  Returns
   -1. */
int hop_fail(struct io *, int code, const char *msg);
/* Sends all of buf.  Returns 0 or -1. */
int io_send(struct io *, const void *buf, size_t len);
/* Receives exactly len bytes (flags: 0 or MSG_PEEK for "what is there,
   at most len").  Returns the bytes received, or -1. */
ssize_t io_recv(struct io *, void *buf, size_t len, int flags);
/* What a reply means for the hop.  Returns 0 when granted, or -1 after
   filling the error. */
int io_verdict(struct io *, const struct proxy_reply *);
/* Receives a reply into b (cap bytes) for as long as parse asks for
   more, never past its end.  Returns 0 when it grants, or -1. */
int io_reply(struct io *, unsigned char *b, size_t cap, reply_parser parse);

/* The handshakes, on a connected io: ta is the target's address when it
   was resolved here (else AF_UNSPEC: the proxy resolves host).  Each
   returns 0 when the proxy is through to the target, or -1. */
int proxy_socks5_connect(struct io *, const char *host, uint16_t port,
    const struct sock_addr *ta);
int proxy_socks4_connect(struct io *, const char *host, uint16_t port,
    const struct sock_addr *ta);
int proxy_http_connect(struct io *, const char *host, uint16_t port);

#endif
