/* What the two files of the TLS module (src/tls/tls.c: contexts and
   sessions; src/tls/cert.c: certificates) share.  OpenSSL's types are
   seen only here and in those files. */
#ifndef SOCKIT_TLS_OPENSSL_H
#define SOCKIT_TLS_OPENSSL_H

#include <openssl/ssl.h>

#include "tls/tls.h"

struct tls_ctx {
	SSL_CTX *ctx;
	struct tls_opts o;
	unsigned char alpn[256]; /* the ALPN list, wire format */
	size_t alpn_len;
};

struct tls {
	SSL *ssl;
	struct tls_ctx *c;
	bool truncated;	   /* EOF without close_notify */
	bool established;  /* the handshake is done */
	bool name_checked; /* a client: the name is verified too */
};

/* OpenSSL's last reason in the error queue (which it empties), or
   dflt. */
const char *tls_reason(const char *dflt);

#endif
