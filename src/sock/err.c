/* Errors of the socket module: filled here, printed by the caller. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sock/sock.h"

static int sock_vfail(struct sock_err *, enum sock_kind, int, const char *,
    const char *, va_list) SOCK_FORMAT(5, 0);

static int
sock_vfail(struct sock_err *e, enum sock_kind kind, int code, const char *msg,
    const char *fmt, va_list ap)
{
	e->kind = kind;
	e->code = code;
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "");
	return -1;
}

int
sock_fail(struct sock_err *e, enum sock_kind kind, int code, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	sock_vfail(e, kind, code, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int
sock_failmsg(struct sock_err *e, enum sock_kind kind, const char *msg,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sock_vfail(e, kind, 0, msg, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
sock_strerror(const struct sock_err *e)
{
	if (e->msg[0] != '\0')
		return e->msg;
	if (e->kind == SOCK_ERESOLVE)
		return gai_strerror(e->code);
	return strerror(e->code);
}

const char *
sock_eai_name(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ EAI_AGAIN, "EAI_AGAIN" },
		{ EAI_BADFLAGS, "EAI_BADFLAGS" },
		{ EAI_FAIL, "EAI_FAIL" },
		{ EAI_FAMILY, "EAI_FAMILY" },
		{ EAI_MEMORY, "EAI_MEMORY" },
		{ EAI_NONAME, "EAI_NONAME" },
		{ EAI_SERVICE, "EAI_SERVICE" },
		{ EAI_SOCKTYPE, "EAI_SOCKTYPE" },
		{ EAI_SYSTEM, "EAI_SYSTEM" },
		{ EAI_OVERFLOW, "EAI_OVERFLOW" },
#ifdef EAI_NODATA
		{ EAI_NODATA, "EAI_NODATA" },
#endif
#ifdef EAI_ADDRFAMILY
		{ EAI_ADDRFAMILY, "EAI_ADDRFAMILY" },
#endif
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "EAI_?";
}
