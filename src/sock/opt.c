/* Socket options: one table of names drives -O, the sockopt mode and
   sockopt --list. */
#include "config.h"

#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "sock/sock.h"

const struct sock_opt *
sock_opt_find(const char *name)
{
	const struct sock_opt *hit = NULL;
	const char *base;
	size_t i;

	for (i = 0; i < sock_nopts; i++)
		if (strcasecmp(sock_opts[i].name, name) == 0)
			return &sock_opts[i];
	/* a short form: the name without its prefix, when only one has it */
	for (i = 0; i < sock_nopts; i++) {
		base = strchr(sock_opts[i].name, '_') + 1;
		if (strncmp(sock_opts[i].name, "IPV6_", 5) == 0 ||
		    strncmp(sock_opts[i].name, "IP_", 3) == 0)
			continue; /* IP_TTL vs IPV6_...: keep them whole */
		if (strcasecmp(base, name) != 0)
			continue;
		if (hit != NULL)
			return NULL;
		hit = &sock_opts[i];
	}
	return hit;
}

/* DSCP names of RFC 4594 into TOS bytes (DSCP << 2). */
static int
tos_name(const char *s, int64_t *v)
{
	static const struct {
		const char *name;
		int dscp;
	} names[] = {
		{ "cs0", 0 },
		{ "cs1", 8 },
		{ "cs2", 16 },
		{ "cs3", 24 },
		{ "cs4", 32 },
		{ "cs5", 40 },
		{ "cs6", 48 },
		{ "cs7", 56 },
		{ "af11", 10 },
		{ "af12", 12 },
		{ "af13", 14 },
		{ "af21", 18 },
		{ "af22", 20 },
		{ "af23", 22 },
		{ "af31", 26 },
		{ "af32", 28 },
		{ "af33", 30 },
		{ "af41", 34 },
		{ "af42", 36 },
		{ "af43", 38 },
		{ "ef", 46 },
		{ "va", 44 },
		{ "le", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*v = names[i].dscp << 2;
			return 0;
		}
	return -1;
}

int
sock_opt_parse(const struct sock_opt *o, const char *text,
    struct sock_optval *v, struct sock_err *e)
{
	uint64_t u;
	int64_t ms;
	bool b;

	memset(v, 0, sizeof(*v));
	v->type = o->type;
	if (o->flags & SOF_RO)
		return sock_failmsg(e, SOCK_EUSAGE, "read-only",
		    "socket option %s", o->name);
	switch (o->type) {
	case SOT_INT:
		if (sock_parse_uint(text, INT32_MAX, &u, e) == -1)
			goto bad;
		v->i = (int64_t)u;
		return 0;
	case SOT_SIZE:
		if (sock_parse_size(text, &u, e) == -1)
			goto bad;
		if (u > INT32_MAX)
			return sock_failmsg(e, SOCK_EUSAGE, "too large",
			    "value \"%s\" for %s", text, o->name);
		v->i = (int64_t)u;
		return 0;
	case SOT_BOOL:
		if (sock_parse_bool(text, &b, e) == -1)
			goto bad;
		v->i = b;
		return 0;
	case SOT_TOS:
		if (tos_name(text, &v->i) == 0)
			return 0;
		if (sock_parse_uint(text, 255, &u, e) == -1)
			return sock_failmsg(e, SOCK_EUSAGE,
			    "not 0-255 or a DSCP name", "value \"%s\" for %s",
			    text, o->name);
		v->i = (int64_t)u;
		return 0;
	case SOT_LINGER:
		if (strcasecmp(text, "off") == 0) {
			v->ms = -1;
			return 0;
		}
		/* FALLTHROUGH */
	case SOT_TIMEVAL:
	case SOT_SECS:
	case SOT_MSECS:
		if (sock_parse_dur(text, &ms, e) == -1)
			goto bad;
		if (ms > (int64_t)INT32_MAX)
			return sock_failmsg(e, SOCK_EUSAGE, "too large",
			    "value \"%s\" for %s", text, o->name);
		v->ms = ms;
		v->i = o->type == SOT_SECS ? (ms + 999) / 1000 : ms;
		return 0;
	case SOT_STRING:
		if (text[0] == '\0' || strlen(text) >= sizeof(v->str))
			return sock_failmsg(e, SOCK_EUSAGE, "bad name",
			    "value \"%s\" for %s", text, o->name);
		strlcpy(v->str, text, sizeof(v->str));
		return 0;
	case SOT_SOCKTYPE:
	case SOT_TCPINFO:
		break;
	}
	return sock_failmsg(e, SOCK_EUSAGE, "read-only", "socket option %s",
	    o->name);
bad:
	snprintf(e->what, sizeof(e->what), "value \"%s\" for %s", text,
	    o->name);
	return -1;
}

/* The kernel has no congestion control name (ENOENT): a wrong value,
   said with the ones it has.  Returns -1 (EUSAGE). */
static int
cc_unknown(const char *name, struct sock_err *e)
{
	char avail[100] = "", msg[sizeof(e->msg)], *cut;
	FILE *fp;
	size_t n;

	fp = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "re");
	if (fp != NULL) {
		if (fgets(avail, sizeof(avail), fp) == NULL)
			avail[0] = '\0';
		fclose(fp);
	}
	n = strcspn(avail, "\n");
	if (avail[n] == '\0' && n == sizeof(avail) - 1 &&
	    (cut = strrchr(avail, ' ')) != NULL)
		strlcpy(cut, " ...", sizeof(avail) - (size_t)(cut - avail));
	avail[strcspn(avail, "\n")] = '\0';
	if (avail[0] != '\0')
		snprintf(msg, sizeof(msg),
		    "not an available congestion "
		    "control (available: %s)",
		    avail);
	else
		snprintf(msg, sizeof(msg),
		    "not an available congestion "
		    "control");
	sock_failmsg(e, SOCK_EUSAGE, msg, "set TCP_CONGESTION=%s", name);
	e->code = ENOENT;
	return -1;
}

int
sock_opt_set(int fd, const struct sock_opt *o, const struct sock_optval *v,
    struct sock_err *e)
{
	struct timeval tv;
	struct linger l;
	const void *p;
	socklen_t len;
	int i;

	switch (o->type) {
	case SOT_TIMEVAL:
		tv.tv_sec = (time_t)(v->ms / 1000);
		tv.tv_usec = (suseconds_t)(v->ms % 1000) * 1000;
		p = &tv;
		len = sizeof(tv);
		break;
	case SOT_LINGER:
		l.l_onoff = v->ms >= 0;
		l.l_linger = v->ms >= 0 ? (int)((v->ms + 999) / 1000) : 0;
		p = &l;
		len = sizeof(l);
		break;
	case SOT_STRING:
		p = v->str;
		len = (socklen_t)strlen(v->str);
		break;
	default:
		i = (int)v->i;
		p = &i;
		len = sizeof(i);
		break;
	}
	if (setsockopt(fd, o->level, o->optname, p, len) == 0)
		return 0;
#ifdef TCP_CONGESTION
	if (o->level == IPPROTO_TCP && o->optname == TCP_CONGESTION &&
	    errno == ENOENT)
		return cc_unknown(v->str, e);
#endif
	return sock_fail(e, SOCK_ELOCAL, errno, "set %s", o->name);
}

int
sock_opt_get(int fd, const struct sock_opt *o, struct sock_optval *v,
    struct sock_err *e)
{
	struct timeval tv;
	struct linger l;
	socklen_t len;
	int i = 0;

	memset(v, 0, sizeof(*v));
	v->type = o->type;
	switch (o->type) {
	case SOT_TIMEVAL:
		len = sizeof(tv);
		if (getsockopt(fd, o->level, o->optname, &tv, &len) == -1)
			break;
		v->ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
		return 0;
	case SOT_LINGER:
		len = sizeof(l);
		if (getsockopt(fd, o->level, o->optname, &l, &len) == -1)
			break;
		v->ms = l.l_onoff ? (int64_t)l.l_linger * 1000 : -1;
		return 0;
	case SOT_STRING:
		len = sizeof(v->str) - 1;
		if (getsockopt(fd, o->level, o->optname, v->str, &len) == -1)
			break;
		v->str[len] = '\0';
		return 0;
	case SOT_TCPINFO:
		len = sizeof(v->raw);
		if (getsockopt(fd, o->level, o->optname, v->raw, &len) == -1)
			break;
		v->rawlen = len;
		return 0;
	default:
		len = sizeof(i);
		if (getsockopt(fd, o->level, o->optname, &i, &len) == -1)
			break;
		v->i = i;
		v->ms = o->type == SOT_SECS ? (int64_t)i * 1000 : i;
		if (o->type == SOT_SOCKTYPE)
			snprintf(v->str, sizeof(v->str), "%s",
			    i == SOCK_STREAM	    ? "SOCK_STREAM" :
				i == SOCK_DGRAM	    ? "SOCK_DGRAM" :
				i == SOCK_SEQPACKET ? "SOCK_SEQPACKET" :
				i == SOCK_RAW	    ? "SOCK_RAW" :
						      "SOCK_?");
		return 0;
	}
	return sock_fail(e, SOCK_ELOCAL, errno, "get %s", o->name);
}

/* Milliseconds as seconds: "2", "1.5", "0.252". */
static void
secs_str(int64_t ms, char *buf, size_t len)
{
	char *p;

	if (ms % 1000 == 0) {
		snprintf(buf, len, "%lld", (long long)(ms / 1000));
		return;
	}
	snprintf(buf, len, "%lld.%03lld", (long long)(ms / 1000),
	    (long long)(ms % 1000));
	p = buf + strlen(buf);
	while (p > buf && p[-1] == '0')
		*--p = '\0';
}

const char *
sock_opt_str(const struct sock_optval *v, char *buf, size_t len)
{
	switch (v->type) {
	case SOT_BOOL:
		snprintf(buf, len, "%s", v->i ? "on" : "off");
		break;
	case SOT_LINGER:
		if (v->ms < 0) {
			snprintf(buf, len, "off");
			break;
		}
		/* FALLTHROUGH */
	case SOT_TIMEVAL:
	case SOT_SECS:
	case SOT_MSECS:
		secs_str(v->ms, buf, len);
		break;
	case SOT_STRING:
	case SOT_SOCKTYPE:
		snprintf(buf, len, "%s", v->str);
		break;
	case SOT_TCPINFO:
		snprintf(buf, len, "(%u bytes)", (unsigned)v->rawlen);
		break;
	default:
		snprintf(buf, len, "%lld", (long long)v->i);
		break;
	}
	return buf;
}

int
sock_opt_check(const char *spec, const struct sock_opt **o,
    struct sock_optval *v, struct sock_err *e)
{
	const char *eq = strchr(spec, '=');
	char name[64];
	size_t n;

	if (eq == NULL)
		return sock_failmsg(e, SOCK_EUSAGE, "expected NAME=VALUE",
		    "socket option \"%s\"", spec);
	n = (size_t)(eq - spec);
	if (n == 0 || n >= sizeof(name))
		return sock_failmsg(e, SOCK_EUSAGE, "bad name",
		    "socket option \"%s\"", spec);
	memcpy(name, spec, n);
	name[n] = '\0';
	*o = sock_opt_find(name);
	if (*o == NULL)
		return sock_failmsg(e, SOCK_EUSAGE,
		    "unknown option (see 'sockit sockopt --list')",
		    "socket option \"%s\"", name);
	return sock_opt_parse(*o, eq + 1, v, e);
}

int
sock_opt_apply(int fd, const char *spec, struct sock_err *e)
{
	const struct sock_opt *o;
	struct sock_optval v;

	if (sock_opt_check(spec, &o, &v, e) == -1)
		return -1;
	return sock_opt_set(fd, o, &v, e);
}

const char *
sock_opt_typename(enum sock_opt_type t)
{
	switch (t) {
	case SOT_INT:
		return "int";
	case SOT_BOOL:
		return "bool";
	case SOT_SIZE:
		return "size";
	case SOT_TIMEVAL:
		return "timeval";
	case SOT_LINGER:
		return "linger";
	case SOT_SECS:
		return "seconds";
	case SOT_MSECS:
		return "milliseconds";
	case SOT_STRING:
		return "string";
	case SOT_SOCKTYPE:
		return "socktype";
	case SOT_TOS:
		return "tos";
	case SOT_TCPINFO:
		return "tcp_info";
	}
	return "?";
}

const char *
sock_opt_sockets(const struct sock_opt *o, char *buf, size_t len)
{
	unsigned fam = o->flags & (SOF_INET | SOF_INET6);

	snprintf(buf, len, "%s%s%s%s%s%s", o->flags & SOF_STREAM ? "tcp" : "",
	    (o->flags & SOF_STREAM) && (o->flags & SOF_DGRAM) ? "," : "",
	    o->flags & SOF_DGRAM ? "udp" : "",
	    o->flags & SOF_UNIX ? ",unix" : "",
	    fam == SOF_INET	 ? "/IPv4" :
		fam == SOF_INET6 ? "/IPv6" :
				   "",
	    "");
	return buf;
}

bool
sock_opt_applies(const struct sock_opt *o, int family, int type)
{
	unsigned fam = o->flags & (SOF_INET | SOF_INET6);
	bool stream = type == SOCK_STREAM || type == SOCK_SEQPACKET;
	bool dgram = type == SOCK_DGRAM;

	if ((stream && !(o->flags & SOF_STREAM)) ||
	    (dgram && !(o->flags & SOF_DGRAM)) || (!stream && !dgram))
		return false;
	switch (family) {
	case AF_INET:
		return fam == 0 || (fam & SOF_INET) != 0;
	case AF_INET6:
		return true; /* SOF_INET: the IPv4 side of dual-stack */
	case AF_UNIX:
		return (o->flags & SOF_UNIX) != 0;
	default:
		return o->level == SOL_SOCKET && (o->flags & SOF_UNIX) != 0;
	}
}

int
sock_opt_usable(int fd, const struct sock_opt *o, struct sock_err *e)
{
	char kind[64], msg[96];
	int family, type;

	if (sock_fd_kind(fd, &family, &type, e) == -1)
		return -1;
	if (sock_opt_applies(o, family, type))
		return 0;
	sock_kind_str(family, type, kind, sizeof(kind));
	snprintf(msg, sizeof(msg), "not valid for %s %s",
	    kind[0] == 'I' ? "an" : "a", kind);
	return sock_failmsg(e, SOCK_EUSAGE, msg, "socket option %s", o->name);
}

bool
sock_optval_equal(const struct sock_optval *a, const struct sock_optval *b)
{
	switch (a->type) {
	case SOT_TIMEVAL:
	case SOT_LINGER:
	case SOT_SECS:
	case SOT_MSECS:
		return a->ms == b->ms;
	case SOT_STRING:
	case SOT_SOCKTYPE:
		return strcmp(a->str, b->str) == 0;
	case SOT_TCPINFO:
		return false;
	default:
		return a->i == b->i;
	}
}
