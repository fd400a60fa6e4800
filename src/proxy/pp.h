/* HAProxy's PROXY protocol (versions 1 and 2): the header a proxy puts
   before a connection's data to name the client it relays.  pp_parse()
   and pp_build() are pure (bytes in, bytes or a record out); pp_send()
   sends a header on a connected socket (a listener reads one in the
   relay's loop: stream/header.c).  Nothing here prints. */
#ifndef SOCKIT_PP_H
#define SOCKIT_PP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock/sock.h"

/* The longest v1 header (the specification's 107 bytes) and the
   longest v2 header (16 bytes and a length of up to 65535). */
#define PP_V1_MAX 107
#define PP_V2_MAX (16 + 65535)

enum pp_verdict {
	PP_DONE, /* a whole header: len bytes */
	PP_MORE, /* a header's beginning so far: read more */
	PP_BAD	 /* not a valid header: reason */
};

struct pp_header {
	int version;   /* 1 or 2 */
	size_t len;    /* PP_DONE: the bytes the header takes */
	bool has_addr; /* false: v1 UNKNOWN, v2 LOCAL or UNSPEC */
	struct sock_addr src, dst;
	char reason[96]; /* PP_BAD: why (printable ASCII) */
};

/* Reads the n bytes b as a header of version (1 or 2; 0: either).
   Returns PP_DONE with *h filled, PP_MORE when b is a valid beginning,
   or PP_BAD with h->reason. */
enum pp_verdict pp_parse(const unsigned char *b, size_t n, int version,
    struct pp_header *h);
/* A header of version naming src and dst (TCP over IPv4 or IPv6; any
   other family, or two families: v1 UNKNOWN, v2 LOCAL) into buf (cap:
   at least 232 bytes).  Returns the length, or 0 when cap is short. */
size_t pp_build(int version, const struct sock_addr *src,
    const struct sock_addr *dst, unsigned char *buf, size_t cap);

/* Sends the header of version naming fd's own address and its peer's
   within timeout_ms.  Returns 0 or -1 (ENET). */
int pp_send(int fd, int version, int64_t timeout_ms, struct sock_err *e);

#endif
