/* The tls.h functions of the sockit binary: each forwards to the TLS
   module (tls_module.h), which the first tls_ctx_new() loads.  Every
   other function takes a context or a session, so it can only be
   reached once the module is there.  The module is looked for next to
   the executable first (a build tree: src/sockit beside
   src/sockit-tls.so), then in PKGLIBDIR where `make install` puts it.
   Built without OpenSSL (./configure --without-tls) there is no module:
   tls_available() is false and tls_ctx_new() fails. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tls/module.h"

#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/local/lib/sockit" /* Makefile.am sets it */
#endif

static const struct tls_module *mod;

bool
tls_available(void)
{
#ifdef HAVE_TLS
	return true;
#else
	return false;
#endif
}

#ifdef HAVE_TLS
/* The module beside /proc/self/exe into buf, or "" when there is none. */
static void
beside_exe(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= len - 1) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL ||
	    (size_t)(slash + 1 - buf) + sizeof(TLS_MODULE_FILE) > len) {
		buf[0] = '\0';
		return;
	}
	memcpy(slash + 1, TLS_MODULE_FILE, sizeof(TLS_MODULE_FILE));
	if (access(buf, F_OK) != 0)
		buf[0] = '\0';
}
#endif

bool
tls_module_path(char *path, size_t len)
{
#ifdef HAVE_TLS
	beside_exe(path, len);
	if (path[0] == '\0')
		snprintf(path, len, "%s/%s", PKGLIBDIR, TLS_MODULE_FILE);
	return access(path, F_OK) == 0;
#else
	if (len > 0)
		path[0] = '\0';
	return false;
#endif
}

/* Loads the module once.  Returns it, or NULL with *e. */
static const struct tls_module *
load(struct sock_err *e)
{
#ifdef HAVE_TLS
	char path[PATH_MAX];
	const struct tls_module *m;
	const char *why;
	void *h;

	if (mod != NULL)
		return mod;
	tls_module_path(path, sizeof(path));
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		/* dlerror() names the file and what is missing */
		why = dlerror();
		sock_failmsg(e, SOCK_ELOCAL, why ? why : "cannot be loaded",
		    "TLS module");
		return NULL;
	}
	m = dlsym(h, TLS_MODULE_SYMBOL);
	if (m == NULL || strcmp(m->abi, TLS_MODULE_ABI) != 0 ||
	    m->opts_size != sizeof(struct tls_opts) ||
	    m->info_size != sizeof(struct tls_info) ||
	    m->err_size != sizeof(struct sock_err)) {
		sock_failmsg(e, SOCK_ELOCAL,
		    "not the module of this sockit "
		    "(" TLS_MODULE_ABI ")",
		    "TLS module %s", path);
		dlclose(h);
		return NULL;
	}
	mod = m;
	return mod;
#else
	sock_failmsg(e, SOCK_EUSAGE, "sockit was built without TLS", "--tls");
	return NULL;
#endif
}

struct tls_ctx *
tls_ctx_new(const struct tls_opts *o, struct sock_err *e)
{
	return load(e) == NULL ? NULL : mod->ctx_new(o, e);
}

int
tls_ctx_selfsigned(struct tls_ctx *c, const char *const *names, size_t n,
    char *fp, size_t fplen, struct sock_err *e)
{
	return mod->ctx_selfsigned(c, names, n, fp, fplen, e);
}

void
tls_ctx_free(struct tls_ctx *c)
{
	if (c != NULL)
		mod->ctx_free(c);
}

struct tls *
tls_new(struct tls_ctx *c, int fd, const char *host, struct sock_err *e)
{
	return mod->new (c, fd, host, e);
}

int
tls_handshake(struct tls *t, short *want, struct sock_err *e)
{
	return mod->handshake(t, want, e);
}

ssize_t
tls_read(struct tls *t, void *buf, size_t len, short *want, struct sock_err *e)
{
	return mod->read(t, buf, len, want, e);
}

ssize_t
tls_write(struct tls *t, const void *buf, size_t len, short *want,
    struct sock_err *e)
{
	return mod->write(t, buf, len, want, e);
}

bool
tls_pending(const struct tls *t)
{
	return mod->pending(t);
}

bool
tls_truncated(const struct tls *t)
{
	return mod->truncated(t);
}

int
tls_close(struct tls *t, short *want)
{
	return mod->close(t, want);
}

void
tls_info(const struct tls *t, struct tls_info *in)
{
	mod->info(t, in);
}

void
tls_free(struct tls *t)
{
	if (t != NULL)
		mod->free(t);
}
