/* sockopt: take a socket (a fresh one, a live connection, a bound or
   listening one, or an inherited descriptor), set each NAME=VALUE in
   order, then print every NAME given, or every readable option of that
   kind of socket.  The option table is the socket module's. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/globals.h"
#include "out/json.h"
#include "modes/modes.h"
#include "cli/options.h"
#include "cli/target.h"
#include "out/report.h"

enum sockopt_target {
	T_FRESH,   /* a new unconnected socket */
	T_CONNECT, /* --connect HOST [PORT] */
	T_LISTEN,  /* --listen [ADDR:]PORT */
	T_FD	   /* --fd N */
};

/* sockopt's options (parse_opts()). */
struct sockopt_opts {
	enum sockopt_target target;
	const char *arg;       /* the argument of --connect, --listen */
	struct hostport where; /* ... split: HOST, PORT */
	int fd;		       /* --fd */
	int type;	       /* SOCK_STREAM or SOCK_DGRAM */
	bool unix_;	       /* --unix */
	bool tcp;	       /* --tcp given */
	bool list;	       /* --list */
};

/* One NAME or NAME=VALUE argument. */
struct item {
	const struct sock_opt *o;
	const char *spec;  /* as given */
	const char *value; /* after '=', or NULL: only read */
	struct sock_optval want;
};

/* One option to print. */
struct out {
	const struct sock_opt *o;
	struct sock_optval got;
	const struct sock_optval *want; /* the last value set, or NULL */
};

/* Parses NAME or NAME=VALUE into it.  Returns 0, or EXIT_USAGE after
   printing the error. */
static int
parse_item(const char *spec, struct item *it)
{
	const char *eq = strchr(spec, '=');
	struct sock_err e;
	char name[64];
	size_t n = eq != NULL ? (size_t)(eq - spec) : strlen(spec);

	memset(it, 0, sizeof(*it));
	it->spec = spec;
	if (n == 0 || n >= sizeof(name))
		return usage_error("bad socket option \"%s\": expected NAME "
				   "or NAME=VALUE",
		    spec);
	memcpy(name, spec, n);
	name[n] = '\0';
	it->o = sock_opt_find(name);
	if (it->o == NULL)
		return usage_error("bad socket option \"%s\": unknown option "
				   "(see 'sockit sockopt --list')",
		    name);
	if (eq == NULL) {
		if (it->o->flags & SOF_WO)
			return usage_error("bad socket option %s: write-only: "
					   "give %s=VALUE",
			    it->o->name, it->o->name);
		return 0;
	}
	it->value = eq + 1;
	if (sock_opt_parse(it->o, it->value, &it->want, &e) == -1)
		return usage_err(&e);
	return 0;
}

/* `sockopt --list`: the option table.  Returns the exit status. */
static int
list_table(void)
{
	const struct sock_opt *o;
	char socks[64];
	struct json j;
	int wn = 4, wl = 5, wt = 4, ws = 7;
	size_t i;

	for (i = 0; i < sock_nopts; i++) {
		o = &sock_opts[i];
		sock_opt_sockets(o, socks, sizeof(socks));
#define WIDEN(w, s) \
	if ((int)strlen(s) > (w)) \
	(w) = (int)strlen(s)
		WIDEN(wn, o->name);
		WIDEN(wl, o->levelname);
		WIDEN(wt, sock_opt_typename(o->type));
		WIDEN(ws, socks);
#undef WIDEN
	}
	for (i = 0; i < sock_nopts; i++) {
		o = &sock_opts[i];
		sock_opt_sockets(o, socks, sizeof(socks));
		if (!G.json) {
			printf("%-*s %-*s %-*s %-2s %-*s %s\n", wn, o->name, wl,
			    o->levelname, wt, sock_opt_typename(o->type),
			    o->flags & SOF_RO	  ? "r" :
				o->flags & SOF_WO ? "w" :
						    "rw",
			    ws, socks, o->desc);
			continue;
		}
		json_begin(&j, stdout);
		json_str(&j, "name", o->name);
		json_str(&j, "level", o->levelname);
		json_str(&j, "type", sock_opt_typename(o->type));
		json_bool(&j, "readable", !(o->flags & SOF_WO));
		json_bool(&j, "writable", !(o->flags & SOF_RO));
		json_str(&j, "sockets", socks);
		json_str(&j, "description", o->desc);
		if (json_end(&j) == -1)
			return finish_stdout(EXIT_LOCAL);
	}
	return finish_stdout(EXIT_OK);
}

/* Milliseconds as a JSON number of seconds. */
static void
json_secs(struct json *j, const char *key, int64_t ms)
{
	if (ms % 1000 == 0)
		json_int(j, key, (long long)(ms / 1000));
	else
		json_num(j, key, (double)ms / 1000.0,
		    ms % 100 == 0    ? 1 :
			ms % 10 == 0 ? 2 :
				       3);
}

static void
json_value(struct json *j, const char *key, const struct sock_optval *v)
{
	struct sock_kv kv[SOCK_TCPINFO_MAX];
	size_t i, n;

	switch (v->type) {
	case SOT_BOOL:
		json_bool(j, key, v->i != 0);
		break;
	case SOT_LINGER:
		if (v->ms < 0)
			json_bool(j, key, false);
		else
			json_secs(j, key, v->ms);
		break;
	case SOT_TIMEVAL:
	case SOT_SECS:
	case SOT_MSECS:
		json_secs(j, key, v->ms);
		break;
	case SOT_STRING:
	case SOT_SOCKTYPE:
		json_str(j, key, v->str);
		break;
	case SOT_TCPINFO:
		n = sock_tcpinfo(v, kv, SOCK_TCPINFO_MAX);
		json_obj(j, key);
		for (i = 0; i < n; i++)
			if (kv[i].is_str)
				json_str(j, kv[i].key, kv[i].str);
			else
				json_uint(j, kv[i].key, kv[i].num);
		json_close(j);
		break;
	default:
		json_int(j, key, (long long)v->i);
		break;
	}
}

/* The text of a value: TCP_INFO as key=value pairs. */
static void
print_value(const struct sock_optval *v)
{
	struct sock_kv kv[SOCK_TCPINFO_MAX];
	char buf[128];
	size_t i, n;

	if (v->type != SOT_TCPINFO) {
		sock_opt_str(v, buf, sizeof(buf));
		fputs(buf[0] != '\0' ? buf : "\"\"", stdout);
		return;
	}
	n = sock_tcpinfo(v, kv, SOCK_TCPINFO_MAX);
	if (n == 0)
		printf("(%u bytes, not decoded)", (unsigned)v->rawlen);
	for (i = 0; i < n; i++) {
		if (kv[i].is_str)
			printf("%s%s=%s", i ? " " : "", kv[i].key,
			    kv[i].str[0] != '\0' ? kv[i].str : "-");
		else
			printf("%s%s=%llu", i ? " " : "", kv[i].key,
			    (unsigned long long)kv[i].num);
	}
}

/* Prints the results.  Returns the exit status. */
static int
print_outs(const struct out *outs, size_t n)
{
	struct json j;
	char buf[128];
	size_t i;
	int w = 0;

	for (i = 0; i < n; i++)
		if ((int)strlen(outs[i].o->name) > w)
			w = (int)strlen(outs[i].o->name);
	for (i = 0; i < n; i++) {
		const struct out *r = &outs[i];

		if (G.json) {
			json_begin(&j, stdout);
			json_str(&j, "name", r->o->name);
			json_str(&j, "level", r->o->levelname);
			json_value(&j, "value", &r->got);
			if (r->want != NULL)
				json_value(&j, "requested", r->want);
			if (json_end(&j) == -1)
				return finish_stdout(EXIT_LOCAL);
			continue;
		}
		printf("%-*s ", w, r->o->name);
		print_value(&r->got);
		if (r->want != NULL && !sock_optval_equal(r->want, &r->got))
			printf(" (requested %s)",
			    sock_opt_str(r->want, buf, sizeof(buf)));
		putchar('\n');
	}
	return finish_stdout(EXIT_OK);
}

/* The addresses of --listen [ADDR:]PORT (a lone word is the PORT: all
   interfaces, IPv4 unless -6) or --connect HOST PORT.  Returns 0 with
   *ai, or an exit status after printing the error. */
static int
where_addrs(const struct sockopt_opts *c, struct sock_ai *ai)
{
	struct target_how how = target_how(c->type, c->target == T_LISTEN);
	const struct hostport *w = &c->where;
	uint16_t p;
	int status;

	if (!w->has_port && how.family == AF_UNSPEC)
		how.family = AF_INET;
	if ((status = target_port(w->has_port ? w->port : c->arg, &how, &p)))
		return status;
	return target_resolve(w->has_port ? w->host :
		how.family == AF_INET	  ? "0.0.0.0" :
					    "::",
	    p, &how, ai);
}

/* Opens (or takes) the socket.  Returns the descriptor, or -1 with
 *status set after printing the error. */
static int
open_socket(const struct sockopt_opts *c, int *status)
{
	struct sock_addr a, peer;
	struct sock_err e;
	struct sock_ai ai;
	int fd = -1, family;

	*status = EXIT_OK;
	switch (c->target) {
	case T_FD:
		return c->fd;
	case T_FRESH:
		family = c->unix_	  ? AF_UNIX :
		    G.family == AF_UNSPEC ? AF_INET :
					    G.family;
		fd = sock_socket(family, c->type, false, &e);
		break;
	case T_LISTEN:
		if ((*status = where_addrs(c, &ai)) != EXIT_OK)
			return -1;
		a = ai.v[0];
		sock_ai_free(&ai);
		if (c->type == SOCK_DGRAM)
			fd = sock_udp(a.family, &a, true, &e);
		else
			fd = sock_listen(&a, true, 0, &e);
		if (fd >= 0 && sock_name(fd, &a, &e) == 0)
			diag(1, "listening on %s %u", a.host, (unsigned)a.port);
		break;
	case T_CONNECT:
		if ((*status = where_addrs(c, &ai)) != EXIT_OK)
			return -1;
		sock_ai_interleave(&ai);
		fd = sock_connect_list(ai.v, ai.n, NULL, G.timeout_ms, &peer,
		    &e);
		sock_ai_free(&ai);
		if (fd >= 0)
			diag(1, "connected to %s %u", peer.host,
			    (unsigned)peer.port);
		break;
	}
	if (fd == -1)
		*status = report(&e);
	return fd;
}

/* Checks the options that do not go together.  Returns 0 or EXIT_USAGE. */
static int
check_opts(const struct sockopt_opts *c)
{
	if (c->target == T_FD && (c->tcp || c->unix_ || c->type == SOCK_DGRAM))
		return usage_error("--fd takes the socket as it is: no --tcp, "
				   "--udp or --unix");
	if (c->tcp && c->type == SOCK_DGRAM)
		return usage_error("--tcp and --udp: choose one");
	if (c->target == T_CONNECT && c->type == SOCK_DGRAM)
		return usage_error("--connect makes a TCP connection: no "
				   "--udp");
	if ((c->target == T_CONNECT || c->target == T_LISTEN) && c->unix_)
		return usage_error("--%s with --unix is not supported",
		    c->target == T_CONNECT ? "connect" : "listen");
	return 0;
}

/* Sets, reads and prints.  Returns the exit status. */
static int
run(int fd, struct item *items, size_t nitems)
{
	struct out *outs;
	struct sock_err e;
	size_t i, k, nouts = 0;
	int family, type, status = EXIT_OK;

	if (sock_fd_kind(fd, &family, &type, &e) == -1)
		return usage_err(&e);
	for (i = 0; i < nitems; i++)
		if (sock_opt_usable(fd, items[i].o, &e) == -1)
			return usage_err(&e);
	for (i = 0; i < nitems; i++) {
		if (items[i].value == NULL)
			continue;
		if (sock_opt_set(fd, items[i].o, &items[i].want, &e) == -1) {
			snprintf(e.what, sizeof(e.what), "set %s=%s",
			    items[i].o->name, items[i].value);
			return report(&e);
		}
	}
	outs = calloc(nitems > 0 ? nitems : sock_nopts, sizeof(*outs));
	if (outs == NULL) {
		fail(SOCK_ELOCAL, "out of memory");
		return EXIT_LOCAL;
	}
	if (nitems == 0) {
		for (i = 0; i < sock_nopts; i++) {
			const struct sock_opt *o = &sock_opts[i];

			if ((o->flags & SOF_WO) ||
			    !sock_opt_applies(o, family, type))
				continue;
			if (sock_opt_get(fd, o, &outs[nouts].got, &e) == -1) {
				/* not on this kernel, or not in this state
				   (IP_MTU before connect): left out */
				diag(1, "%s: %s", e.what, sock_strerror(&e));
				continue;
			}
			outs[nouts++].o = o;
		}
	}
	for (i = 0; i < nitems; i++) {
		for (k = 0; k < nouts && outs[k].o != items[i].o; k++)
			;
		if (k == nouts) {
			outs[nouts++].o = items[i].o;
			if (items[i].o->flags & SOF_WO)
				outs[k].got = items[i].want;
			else if (sock_opt_get(fd, items[i].o, &outs[k].got,
				     &e) == -1) {
				status = report(&e);
				break;
			}
		}
		if (items[i].value != NULL)
			outs[k].want = &items[i].want;
	}
	if (status == EXIT_OK)
		status = print_outs(outs, nouts);
	free(outs);
	return status;
}

/* Reads sockopt's options into *o.  Returns 0, -1 after --help, or an
   exit status after printing. */
static int
parse_opts(struct sockopt_opts *o, int argc, char **argv)
{
	struct opt_value v;
	int c;

	while ((c = opt_next(M_SOCKOPT, argc, argv, &v)) != OPT_END) {
		switch (c) {
		case O_TCP:
			o->tcp = true;
			break;
		case 'u':
			o->type = SOCK_DGRAM;
			break;
		case O_UNIX:
			o->unix_ = true;
			break;
		case O_CONNECT:
		case O_LISTEN:
			o->target = c == O_CONNECT ? T_CONNECT : T_LISTEN;
			o->arg = v.text;
			o->where = v.hostport;
			break;
		case O_FD:
			o->target = T_FD;
			o->fd = (int)v.n;
			break;
		case O_LIST:
			o->list = true;
			break;
		default:
			return c == OPT_HELP ? -1 : opt_status(c);
		}
	}
	return 0;
}

/* The positionals: --connect's PORT when its HOST came alone, then the
   NAME[=VALUE] items, into *items (free it) and *n.  Returns 0, or an
   exit status after printing. */
static int
parse_items(struct sockopt_opts *o, char **pos, int npos, struct item **items,
    size_t *n)
{
	int i, status;

	if (o->target == T_CONNECT && !o->where.has_port) {
		if (npos == 0)
			return usage_error("no PORT given after --connect %s",
			    o->arg);
		snprintf(o->where.port, sizeof(o->where.port), "%s", pos[0]);
		o->where.has_port = true;
		pos++;
		npos--;
	}
	*n = (size_t)npos;
	*items = calloc(*n + 1, sizeof(**items));
	if (*items == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	for (i = 0; i < npos; i++)
		if ((status = parse_item(pos[i], &(*items)[i])) != EXIT_OK)
			return status;
	return 0;
}

int
mode_sockopt(int argc, char **argv)
{
	struct sockopt_opts o = { .target = T_FRESH, .type = SOCK_STREAM };
	struct item *items = NULL;
	size_t n = 0;
	int fd, status;

	if ((status = parse_opts(&o, argc, argv)) != 0)
		return status == -1 ? EXIT_OK : status;
	if (o.list)
		return list_table();
	if ((status = check_opts(&o)) == 0 &&
	    (status = parse_items(&o, argv + optind, argc - optind, &items,
		 &n)) == 0) {
		fd = open_socket(&o, &status);
		if (fd >= 0) {
			status = run(fd, items, n);
			if (o.target != T_FD)
				close(fd);
		}
	}
	free(items);
	return status;
}
