/* Name resolution and the order of the addresses (src/sock/resolve.c). */
#include "config.h"

#include "test_sock.h"

void
test_resolve(void)
{
	struct sock_ai ai;
	struct sock_err e;
	char name[NI_MAXHOST];
	size_t i;
	bool all;
	int rc;

	rc = sock_resolve("127.0.0.1", "80", AF_UNSPEC, SOCK_STREAM,
	    SOCK_R_NUMERIC, &ai, &e);
	ok(rc == 0 && ai.n == 1 && ai.v[0].family == AF_INET &&
		strcmp(ai.v[0].host, "127.0.0.1") == 0 && ai.v[0].port == 80 &&
		ai.v[0].socktype == SOCK_STREAM,
	    "sock_resolve of 127.0.0.1 port 80, numeric: one TCP record");
	if (rc == 0)
		sock_ai_free(&ai);

	rc =
	    sock_resolve("localhost", "http", AF_INET, SOCK_STREAM, 0, &ai, &e);
	all = rc == 0 && ai.n > 0;
	for (i = 0; all && i < ai.n; i++)
		all = ai.v[i].family == AF_INET && ai.v[i].port == 80 &&
		    strcmp(ai.v[i].host, "127.0.0.1") == 0;
	ok(all,
	    "sock_resolve localhost, AF_INET, service http: 127.0.0.1 "
	    "port 80");
	if (rc == 0)
		sock_ai_free(&ai);

	memset(&e, 0, sizeof(e));
	rc =
	    sock_resolve("x.invalid", NULL, AF_UNSPEC, SOCK_STREAM, 0, &ai, &e);
	ok(rc == -1 && e.kind == SOCK_ERESOLVE && e.code == EAI_NONAME,
	    "sock_resolve x.invalid fails: ERESOLVE, EAI_NONAME (got %s)",
	    sock_eai_name(e.code));
	is_str(sock_eai_name(e.code), "EAI_NONAME",
	    "sock_eai_name names the code EAI_NONAME");
	ok(strstr(e.what, "x.invalid") != NULL &&
		strcmp(sock_strerror(&e), gai_strerror(EAI_NONAME)) == 0,
	    "the error names the host and gives gai_strerror's reason");
	is_str(sock_eai_name(-12345), "EAI_?",
	    "sock_eai_name of an unknown code is EAI_?");

	memset(&e, 0, sizeof(e));
	rc = sock_resolve("localhost", NULL, AF_UNSPEC, 0, SOCK_R_NUMERICHOST,
	    &ai, &e);
	ok(rc == -1 && e.kind == SOCK_ERESOLVE && e.code == EAI_NONAME,
	    "sock_resolve of a name with SOCK_R_NUMERICHOST is EAI_NONAME");

	rc = sock_reverse("127.0.0.1", name, sizeof(name), &e);
	ok(rc == 0 && name[0] != '\0',
	    "sock_reverse 127.0.0.1 gives a name (%s)", rc == 0 ? name : "");
	memset(&e, 0, sizeof(e));
	ok(sock_reverse("localhost", name, sizeof(name), &e) == -1 &&
		e.kind == SOCK_EUSAGE,
	    "sock_reverse of a name is a usage error");
}

/* A hand-made list of the families, ports 1, 2, ... in order. */
static void
make_ai(struct sock_ai *ai, const int *fam, size_t n)
{
	size_t i;

	memset(ai, 0, sizeof(*ai));
	ai->v = calloc(n, sizeof(*ai->v));
	if (ai->v == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		ai->v[i] = addr(fam[i] == AF_INET6 ? "::1" : "127.0.0.1",
		    (uint16_t)(i + 1));
	ai->n = n;
}

/* The ports of the list, "1,3,2,4". */
static const char *
ai_ports(const struct sock_ai *ai, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ai->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i ? "," : "", (unsigned)ai->v[i].port);
	return buf;
}

void
test_interleave(void)
{
	static const struct {
		int fam[6];
		size_t n;
		const char *want;
		const char *what;
	} t[] = {
		{ { AF_INET6, AF_INET6, AF_INET, AF_INET }, 4, "1,3,2,4",
		    "v6,v6,v4,v4 becomes v6,v4,v6,v4" },
		{ { AF_INET, AF_INET, AF_INET6, AF_INET6 }, 4, "1,3,2,4",
		    "v4,v4,v6,v6 becomes v4,v6,v4,v6 (the first leads)" },
		{ { AF_INET6, AF_INET6, AF_INET6, AF_INET }, 4, "1,4,2,3",
		    "v6,v6,v6,v4: the one v4 comes second" },
		{ { AF_INET6, AF_INET, AF_INET, AF_INET, AF_INET6 }, 5,
		    "1,2,5,3,4", "v6,v4,v4,v4,v6: the other v6 comes third" },
		{ { AF_INET, AF_INET, AF_INET }, 3, "1,2,3",
		    "one family only keeps its order" },
		{ { AF_INET6, AF_INET }, 2, "1,2", "two addresses are kept" },
	};
	struct sock_ai ai;
	char buf[64];
	size_t i, k;
	bool alt;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		make_ai(&ai, t[i].fam, t[i].n);
		sock_ai_interleave(&ai);
		is_str(ai_ports(&ai, buf, sizeof(buf)), t[i].want,
		    "sock_ai_interleave: %s", t[i].what);
		if (i == 0) {
			alt = ai.n == 4;
			for (k = 0; alt && k < ai.n; k++)
				alt = ai.v[k].family ==
				    (k % 2 ? AF_INET : AF_INET6);
			ok(alt, "sock_ai_interleave alternates the families");
		}
		sock_ai_free(&ai);
	}
}
