/* TLS with OpenSSL: contexts and sessions (src/tls/cert.c: the
   certificates).  Built, when configure found OpenSSL (HAVE_TLS), as the
   module sockit-tls.so (tls/module.h), which sockit loads on the first
   tls_ctx_new(): a run without --tls never maps libssl or libcrypto.
   Everything here is hidden but the table at the end. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/module.h"
#include "tls/openssl.h"

/* OpenSSL's last reason in the error queue (which it empties), or
   dflt. */
const char *
tls_reason(const char *dflt)
{
	static char buf[160];
	unsigned long err, last = 0;
	const char *r;

	while ((err = ERR_get_error()) != 0)
		last = err;
	if (last == 0)
		return dflt;
	r = ERR_reason_error_string(last);
	if (r != NULL)
		return r;
	ERR_error_string_n(last, buf, sizeof(buf));
	return buf;
}

/* A file the context needs: SOCK_ELOCAL when it cannot be read, else
   SOCK_ETLS with OpenSSL's reason.  Returns -1. */
static int
file_fail(struct sock_err *e, const char *what, const char *path)
{
	FILE *fp = fopen(path, "re");

	if (fp == NULL) {
		ERR_clear_error();
		return sock_fail(e, SOCK_ELOCAL, errno, "%s %s", what, path);
	}
	fclose(fp);
	return sock_failmsg(e, SOCK_ETLS, tls_reason("cannot be loaded"),
	    "%s %s", what, path);
}

/* "h2,http/1.1" in ALPN's wire format.  Returns 0 or -1 (EUSAGE). */
static int
alpn_wire(struct tls_ctx *c, const char *list, struct sock_err *e)
{
	const char *p = list, *end;
	size_t n;

	c->alpn_len = 0;
	for (;;) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || n > 255 || c->alpn_len + 1 + n > sizeof(c->alpn))
			return sock_failmsg(e, SOCK_EUSAGE,
			    "expected names of 1-255 bytes, comma-separated",
			    "--alpn \"%s\"", list);
		c->alpn[c->alpn_len++] = (unsigned char)n;
		memcpy(c->alpn + c->alpn_len, p, n);
		c->alpn_len += n;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* The server picks the first of its --alpn names the client offers. */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls_ctx *c = arg;

	(void)ssl;
	if (SSL_select_next_proto((unsigned char **)out, outlen, c->alpn,
		(unsigned int)c->alpn_len, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	return SSL_TLSEXT_ERR_OK;
}

struct tls_ctx *
tls_ctx_new(const struct tls_opts *o, struct sock_err *e)
{
	struct tls_ctx *c = calloc(1, sizeof(*c));
	int verify;

	if (c == NULL) {
		sock_fail(e, SOCK_ELOCAL, ENOMEM, "TLS");
		return NULL;
	}
	c->o = *o;
	if (o->alpn != NULL && alpn_wire(c, o->alpn, e) == -1)
		goto fail;
	c->ctx =
	    SSL_CTX_new(o->server ? TLS_server_method() : TLS_client_method());
	if (c->ctx == NULL) {
		sock_failmsg(e, SOCK_ETLS, tls_reason("out of memory"),
		    "TLS setup");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(c->ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (o->ca != NULL) {
		if (SSL_CTX_load_verify_locations(c->ctx, o->ca, NULL) != 1) {
			file_fail(e, "CA file", o->ca);
			goto fail;
		}
	} else if (!o->server) {
		SSL_CTX_set_default_verify_paths(c->ctx);
	}
	if (o->cert != NULL) {
		const char *key = o->key != NULL ? o->key : o->cert;

		if (SSL_CTX_use_certificate_chain_file(c->ctx, o->cert) != 1) {
			file_fail(e, "certificate", o->cert);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(c->ctx, key,
			SSL_FILETYPE_PEM) != 1) {
			file_fail(e, "key", key);
			goto fail;
		}
		if (SSL_CTX_check_private_key(c->ctx) != 1) {
			sock_failmsg(e, SOCK_ETLS, tls_reason("does not match"),
			    "key %s", key);
			goto fail;
		}
	}
	if (o->server) {
		/* with --ca, a server asks for a client certificate */
		verify = o->ca != NULL ?
		    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT :
		    SSL_VERIFY_NONE;
		if (c->alpn_len > 0)
			SSL_CTX_set_alpn_select_cb(c->ctx, alpn_select, c);
	} else {
		verify =
		    o->insecure || o->check ? SSL_VERIFY_NONE : SSL_VERIFY_PEER;
		if (c->alpn_len > 0 &&
		    SSL_CTX_set_alpn_protos(c->ctx, c->alpn,
			(unsigned int)c->alpn_len) != 0) {
			sock_failmsg(e, SOCK_ETLS, tls_reason("refused"),
			    "--alpn");
			goto fail;
		}
	}
	SSL_CTX_set_verify(c->ctx, verify, NULL);
	return c;
fail:
	tls_ctx_free(c);
	return NULL;
}

void
tls_ctx_free(struct tls_ctx *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

/* true when s is a numeric IPv4 or IPv6 address. */
static bool
is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

struct tls *
tls_new(struct tls_ctx *c, int fd, const char *host, struct sock_err *e)
{
	struct tls *t = calloc(1, sizeof(*t));
	const char *name = c->o.sni != NULL ? c->o.sni : host;
	bool ok = true;

	if (t == NULL) {
		sock_fail(e, SOCK_ELOCAL, ENOMEM, "TLS");
		return NULL;
	}
	t->c = c;
	ERR_clear_error();
	t->ssl = SSL_new(c->ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		sock_failmsg(e, SOCK_ETLS, tls_reason("out of memory"),
		    "TLS setup");
		tls_free(t);
		return NULL;
	}
	if (c->o.server) {
		SSL_set_accept_state(t->ssl);
		return t;
	}
	if (name == NULL || name[0] == '\0') {
		/* a chain without a name proves nothing about the peer */
		if (!c->o.insecure && !c->o.check) {
			sock_failmsg(e, SOCK_EUSAGE,
			    "no name to verify the "
			    "certificate against (--sni)",
			    "TLS");
			tls_free(t);
			return NULL;
		}
	} else {
		t->name_checked = true;
		if (is_ip(name)) {
			ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(
							       t->ssl),
				 name) == 1;
		} else {
			ok = SSL_set_tlsext_host_name(t->ssl, name) == 1 &&
			    SSL_set1_host(t->ssl, name) == 1;
			SSL_set_hostflags(t->ssl,
			    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		}
	}
	if (!ok) {
		sock_failmsg(e, SOCK_EUSAGE, tls_reason("not a valid name"),
		    "TLS name \"%s\"", name);
		tls_free(t);
		return NULL;
	}
	SSL_set_connect_state(t->ssl);
	return t;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* What ret of an SSL call means: TLS_AGAIN with *want, 0 for the peer's
   EOF (truncated noted), or -1 with *e. */
static int
outcome(struct tls *t, int ret, short *want, const char *what,
    struct sock_err *e)
{
	int err = SSL_get_error(t->ssl, ret), saved = errno;
	unsigned long q;
	long vr;

	switch (err) {
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		return TLS_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		return TLS_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0; /* close_notify */
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (saved == 0 || saved == EAGAIN) {
				/* TCP EOF without close_notify */
				t->truncated = true;
				if (!t->established)
					return sock_failmsg(e, SOCK_ETLS,
					    "the peer closed the connection",
					    "%s", what);
				return 0;
			}
			return sock_fail(e, SOCK_ENET, saved, "%s", what);
		}
		break;
	case SSL_ERROR_SSL:
		break;
	default:
		return sock_failmsg(e, SOCK_ETLS, tls_reason("failed"), "%s",
		    what);
	}
	q = ERR_peek_last_error();
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	if (ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING &&
	    t->established) {
		ERR_clear_error();
		t->truncated = true;
		return 0;
	}
#endif
	(void)q;
	vr = SSL_get_verify_result(t->ssl);
	if (!t->established && vr != X509_V_OK) {
		ERR_clear_error();
		return sock_failmsg(e, SOCK_ETLS,
		    X509_verify_cert_error_string(vr), "%s", what);
	}
	return sock_failmsg(e, SOCK_ETLS, tls_reason("failed"), "%s", what);
}

int
tls_handshake(struct tls *t, short *want, struct sock_err *e)
{
	int ret, rc;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(t->ssl);
	if (ret == 1) {
		t->established = true;
		return 0;
	}
	rc = outcome(t, ret, want, "TLS handshake", e);
	if (rc == 0)
		return sock_failmsg(e, SOCK_ETLS,
		    "the peer closed the connection", "TLS handshake");
	return rc;
}

ssize_t
tls_read(struct tls *t, void *buf, size_t len, short *want, struct sock_err *e)
{
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_read(t->ssl, buf, len > 0x40000000 ? 0x40000000 : (int)len);
	if (ret > 0)
		return ret;
	return outcome(t, ret, want, "TLS", e);
}

ssize_t
tls_write(struct tls *t, const void *buf, size_t len, short *want,
    struct sock_err *e)
{
	int ret, rc;

	ERR_clear_error();
	errno = 0;
	ret = SSL_write(t->ssl, buf, len > 0x40000000 ? 0x40000000 : (int)len);
	if (ret > 0)
		return ret;
	rc = outcome(t, ret, want, "TLS", e);
	if (rc == 0)
		return sock_fail(e, SOCK_ENET, EPIPE, "TLS");
	return rc;
}

bool
tls_pending(const struct tls *t)
{
	return SSL_pending(t->ssl) > 0;
}

bool
tls_truncated(const struct tls *t)
{
	return t->truncated;
}

int
tls_close(struct tls *t, short *want)
{
	int ret, err;

	ERR_clear_error();
	ret = SSL_shutdown(t->ssl);
	if (ret >= 0)
		return 0;
	err = SSL_get_error(t->ssl, ret);
	ERR_clear_error();
	if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
		*want = err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
		return TLS_AGAIN;
	}
	return 0; /* the peer is gone: nothing to tell it */
}

/* What the sockit binary finds with dlsym(). */
__attribute__((
    visibility("default"))) extern const struct tls_module sockit_tls_module;
const struct tls_module sockit_tls_module = {
	.abi = TLS_MODULE_ABI,
	.ctx_new = tls_ctx_new,
	.ctx_selfsigned = tls_ctx_selfsigned,
	.ctx_free = tls_ctx_free,
	.new = tls_new,
	.handshake = tls_handshake,
	.read = tls_read,
	.write = tls_write,
	.pending = tls_pending,
	.truncated = tls_truncated,
	.close = tls_close,
	.info = tls_info,
	.free = tls_free,
	.opts_size = sizeof(struct tls_opts),
	.info_size = sizeof(struct tls_info),
	.err_size = sizeof(struct sock_err),
};
