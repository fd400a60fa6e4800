/* Built without OpenSSL (./configure --without-tls): no context can be
   made, so nothing else here is ever reached. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "tls.h"

bool
tls_available(void)
{
	return false;
}

struct tls_ctx *
tls_ctx_new(const struct tls_opts *o, struct sock_err *e)
{
	(void)o;
	sock_failmsg(e, SOCK_EUSAGE, "sockit was built without TLS", "--tls");
	return NULL;
}

int
tls_ctx_selfsigned(struct tls_ctx *c, const char *const *names, size_t n,
    char *fp, size_t fplen, struct sock_err *e)
{
	(void)c;
	(void)names;
	(void)n;
	(void)fp;
	(void)fplen;
	return sock_failmsg(e, SOCK_EUSAGE, "sockit was built without TLS",
	    "--tls");
}

void
tls_ctx_free(struct tls_ctx *c)
{
	(void)c;
}

struct tls *
tls_new(struct tls_ctx *c, int fd, const char *host, struct sock_err *e)
{
	(void)c;
	(void)fd;
	(void)host;
	sock_failmsg(e, SOCK_EUSAGE, "sockit was built without TLS", "--tls");
	return NULL;
}

int
tls_handshake(struct tls *t, short *want, struct sock_err *e)
{
	(void)t;
	(void)want;
	return sock_failmsg(e, SOCK_ETLS, "built without TLS", "TLS");
}

ssize_t
tls_read(struct tls *t, void *buf, size_t len, short *want,
    struct sock_err *e)
{
	(void)t;
	(void)buf;
	(void)len;
	(void)want;
	return sock_failmsg(e, SOCK_ETLS, "built without TLS", "TLS");
}

ssize_t
tls_write(struct tls *t, const void *buf, size_t len, short *want,
    struct sock_err *e)
{
	(void)t;
	(void)buf;
	(void)len;
	(void)want;
	return sock_failmsg(e, SOCK_ETLS, "built without TLS", "TLS");
}

bool
tls_pending(const struct tls *t)
{
	(void)t;
	return false;
}

bool
tls_truncated(const struct tls *t)
{
	(void)t;
	return false;
}

int
tls_close(struct tls *t, short *want)
{
	(void)t;
	(void)want;
	return 0;
}

void
tls_info(const struct tls *t, struct tls_info *in)
{
	(void)t;
	(void)in;
}

void
tls_free(struct tls *t)
{
	(void)t;
}
