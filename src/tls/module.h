/* The TLS module: src/tls/tls.c and src/tls/cert.c built as
   sockit-tls.so, linked with OpenSSL, and loaded by src/tls/load.c only
   when a run asks for --tls, so every other run starts without mapping
   and relocating libssl and libcrypto.
   The module exports one symbol, a table of the functions of tls.h. */
#ifndef SOCKIT_TLS_MODULE_H
#define SOCKIT_TLS_MODULE_H

#include "tls/tls.h"

#define TLS_MODULE_FILE	  "sockit-tls.so"
#define TLS_MODULE_SYMBOL "sockit_tls_module"
/* A module of another build is refused: the table and the structs it
   takes must be the ones this binary was compiled with. */
#define TLS_MODULE_ABI "sockit-tls " PACKAGE_VERSION " abi 1"

struct tls_module {
	const char *abi;
	struct tls_ctx *(*ctx_new)(const struct tls_opts *, struct sock_err *);
	int (*ctx_selfsigned)(struct tls_ctx *, const char *const *, size_t,
	    char *, size_t, struct sock_err *);
	void (*ctx_free)(struct tls_ctx *);
	struct tls *(
	    *new)(struct tls_ctx *, int, const char *, struct sock_err *);
	int (*handshake)(struct tls *, short *, struct sock_err *);
	ssize_t (
	    *read)(struct tls *, void *, size_t, short *, struct sock_err *);
	ssize_t (*write)(struct tls *, const void *, size_t, short *,
	    struct sock_err *);
	bool (*pending)(const struct tls *);
	bool (*truncated)(const struct tls *);
	int (*close)(struct tls *, short *);
	void (*info)(const struct tls *, struct tls_info *);
	void (*free)(struct tls *);
	size_t opts_size, info_size, err_size;
};

#endif
