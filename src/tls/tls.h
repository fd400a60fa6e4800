/* TLS over a connected socket (OpenSSL): client and server contexts, a
   non-blocking handshake, read/write/close that say which way poll(2)
   must wait (POLLIN or POLLOUT in *want), the facts of the peer's
   certificate, and a fresh self-signed certificate for servers.  Never
   prints, never exits.  Errors are SOCK_ETLS with OpenSSL's reason
   (SOCK_ELOCAL when a file cannot be read).  Built without OpenSSL
   (./configure --without-tls), tls_available() is false and
   tls_ctx_new() fails; nothing else can then be reached. */
#ifndef SOCKIT_TLS_H
#define SOCKIT_TLS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sock/sock.h"

#define TLS_AGAIN (-2) /* would block: poll for *want, then retry */

struct tls_opts {
	bool on;	  /* --tls */
	bool server;	  /* listen */
	bool insecure;	  /* --insecure: no verification */
	bool check;	  /* -z: verification never fails a handshake;
			     tls_info() tells the result */
	const char *ca;	  /* --ca FILE: the trust store */
	const char *cert; /* --cert FILE */
	const char *key;  /* --key FILE (default: the --cert file) */
	const char *alpn; /* --alpn "h2,http/1.1" */
	const char *sni;  /* --sni NAME: sent and verified instead */
	int64_t min_days; /* --min-days N, -1 for none */
};

/* The facts SPEC.md names for the "tls" event and object. */
struct tls_info {
	char version[16]; /* "TLSv1.3" */
	char cipher[64];
	char alpn[64];	/* "" when none was agreed */
	bool have_cert; /* the peer sent one: the fields below */
	char subject[256], issuer[256];	    /* RFC 2253 */
	char not_before[24], not_after[24]; /* ISO 8601 UTC */
	long long days_left;	/* whole days until not_after, rounded down */
	bool verified;		/* chain and name verified */
	char verify_error[128]; /* why not, when verification ran */
	char fingerprint[100];	/* SHA-256, "AB:CD:..." */
};

struct tls_ctx;
struct tls;

/* true when sockit was built with OpenSSL. */
bool tls_available(void);
/* Writes the path of the module that --tls loads (beside the executable
   when it is there, else in PKGLIBDIR) to path, without loading it.
   Returns true when the file is there; built without TLS, false and "". */
bool tls_module_path(char *path, size_t len);
/* A context for clients or servers (OpenSSL is set up on first use).
   Returns NULL with *e when a file cannot be loaded. */
struct tls_ctx *tls_ctx_new(const struct tls_opts *, struct sock_err *);
/* Makes a self-signed certificate (EC P-256, valid from an hour ago for
   a year) for the n names (DNS names or IP addresses; the first is the
   subject CN) and serves it.  Writes its SHA-256 fingerprint to fp.
   Returns 0, or -1 with *e. */
int tls_ctx_selfsigned(struct tls_ctx *, const char *const *names, size_t n,
    char *fp, size_t fplen, struct sock_err *);
void tls_ctx_free(struct tls_ctx *);

/* A session on the connected socket fd (which stays the caller's).  A
   client sends host as SNI unless it is numeric, and verifies the
   certificate against it (an IP address: the IP SANs); --sni replaces
   it.  Returns NULL with *e. */
struct tls *tls_new(struct tls_ctx *, int fd, const char *host,
    struct sock_err *);
/* One step of the handshake.  Returns 0 when done, TLS_AGAIN with *want,
   or -1 with *e (SOCK_ETLS: the verification error or OpenSSL's
   reason; SOCK_ENET for a reset). */
int tls_handshake(struct tls *, short *want, struct sock_err *);
/* Returns the bytes read (> 0), 0 at the peer's EOF (see
   tls_truncated()), TLS_AGAIN with *want, or -1 with *e. */
ssize_t tls_read(struct tls *, void *, size_t, short *want, struct sock_err *);
/* Returns the bytes written (> 0), TLS_AGAIN with *want, or -1 with *e.
   After TLS_AGAIN, retry with the same bytes. */
ssize_t tls_write(struct tls *, const void *, size_t, short *want,
    struct sock_err *);
/* true when decrypted bytes wait inside TLS (poll cannot see them). */
bool tls_pending(const struct tls *);
/* true when the peer's EOF came without close_notify. */
bool tls_truncated(const struct tls *);
/* Sends close_notify.  Returns 0 when sent (or when it cannot be: the
   caller goes on to shutdown(2)), or TLS_AGAIN with *want. */
int tls_close(struct tls *, short *want);
/* The facts of the session after the handshake. */
void tls_info(const struct tls *, struct tls_info *);
void tls_free(struct tls *);

#endif
