/* connect -z: every port checked with a non-blocking connect (or a UDP
   probe) on one poll(2) loop, at most --parallel at once and never more
   descriptors than RLIMIT_NOFILE allows.  Results are printed in port
   order as soon as the order allows.  A check sends no data: connect,
   then a plain close (the peer sees an ordinary EOF, not a reset).
   With --tls, a connected check goes on with a non-blocking handshake
   on the same loop (in the same -w deadline), then close_notify. */
#include "config.h"

#include <sys/resource.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "check_proxy.h"
#include "json.h"
#include "parse.h"
#include "report.h"
#include "tlsout.h"

enum state {
	ST_PENDING,
	ST_OPEN,
	ST_CLOSED,
	ST_TIMEOUT,
	ST_UNREACHABLE,
	ST_ERROR,
	ST_OPEN_FILTERED,
	ST_TLS_ERROR
};

static const char *const state_names[] = {
	"pending", "open", "closed", "timeout", "unreachable", "error",
	"open_filtered", "tls_error"
};

struct result {
	uint16_t port;
	enum state st;
	double latency_ms;
	int err;		/* errno for ST_ERROR */
	char *reason;		/* or a proxy's reason, or NULL */
	struct tls_info *tls;	/* --tls: the handshake's facts, or NULL */
	char *why;		/* ST_TLS_ERROR: the reason */
};

struct slot {
	int fd;
	size_t idx;		/* into the results */
	double start;
	short ev;		/* what poll waits for */
	struct tls *t;		/* --tls: the handshake under way */
};

struct checker {
	const struct check_opts *o;
	struct sock_addr addr;	/* the address checked (port set per check) */
	struct sock_addr src;
	bool have_src;
	struct result *r;
	size_t n;
	size_t printed;		/* results [0, printed) are out */
	bool stream;		/* print as results come (not with --wait) */
	unsigned cap;		/* checks in flight at most */
	int64_t attempt_ms;
	int status;
	struct proxy_probe *probes;	/* --proxy: this round's checks */
	struct tls_ctx *ctx;	/* --tls */
};

/* Raises the soft descriptor limit to the hard one and returns how many
   checks may be in flight within it. */
static unsigned
fd_budget(unsigned want)
{
	struct rlimit rl;
	rlim_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return want < 64 ? want : 64;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* stdio, the resolver and a few spare stay free */
	room = rl.rlim_cur > 24 ? rl.rlim_cur - 16 : 1;
	if (rl.rlim_cur == RLIM_INFINITY || room > want)
		return want;
	return (unsigned)room;
}

static enum state
classify(int err)
{
	switch (err) {
	case 0:
		return ST_OPEN;
	case ECONNREFUSED:
		return ST_CLOSED;
	case ETIMEDOUT:
		return ST_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		return ST_UNREACHABLE;
	default:
		return ST_ERROR;
	}
}

/* Prints result i.  Returns 0 or -1 when stdout failed. */
static int
print_result(const struct checker *c, const struct result *r)
{
	const char *proto = c->o->udp ? "udp" : "tcp";
	bool timed = r->st != ST_TIMEOUT && r->st != ST_OPEN_FILTERED;
	struct json j;

	if (!G.json) {
		if (timed)
			printf("%s %u/%s %s %.2fms", c->o->host,
			    (unsigned)r->port, proto, state_names[r->st],
			    r->latency_ms);
		else
			printf("%s %u/%s %s -", c->o->host, (unsigned)r->port,
			    proto, state_names[r->st]);
		if (r->st == ST_ERROR)
			printf(" (%s)", r->reason ? r->reason :
			    strerror(r->err));
		if (r->st == ST_TLS_ERROR)
			printf(" (%s)", r->why ? r->why : "failed");
		if (r->tls != NULL) {
			putchar(' ');
			tls_text(stdout, r->tls, r->st != ST_TLS_ERROR);
		}
		putchar('\n');
		return ferror(stdout) ? -1 : 0;
	}
	json_begin(&j, stdout);
	json_str(&j, "host", c->o->host);
	/* null when a proxy resolved HOST */
	json_str(&j, "address", c->addr.family != AF_UNSPEC ? c->addr.host :
	    NULL);
	json_uint(&j, "port", r->port);
	json_str(&j, "proto", proto);
	json_str(&j, "state", state_names[r->st]);
	if (timed)
		json_num(&j, "latency_ms", r->latency_ms, 2);
	else
		json_null(&j, "latency_ms");
	if (r->st == ST_ERROR)
		json_str(&j, "error", r->reason ? r->reason :
		    strerror(r->err));
	if (r->st == ST_TLS_ERROR)
		json_str(&j, "error", r->why ? r->why : "failed");
	if (r->tls != NULL) {
		json_obj(&j, "tls");
		tls_json(&j, r->tls);
		json_close(&j);
	}
	/* written whole into stdio's buffer; flushed per batch */
	return json_end_buffered(&j);
}

/* Prints the results whose turn has come.  Returns 0 or -1. */
static int
print_ready(struct checker *c, bool all)
{
	while (c->printed < c->n &&
	    (all || c->r[c->printed].st != ST_PENDING)) {
		if (print_result(c, &c->r[c->printed]) == -1)
			return -1;
		c->printed++;
	}
	return 0;
}

static void
finish(struct checker *c, struct slot *s, int err)
{
	struct result *r = &c->r[s->idx];

	r->latency_ms = sock_now_ms() - s->start;
	r->st = classify(err);
	r->err = err;
	if (c->o->udp && r->st == ST_TIMEOUT)
		r->st = ST_OPEN_FILTERED;
	close(s->fd);
	s->fd = -1;
}

/* Ends the --tls check of slot s: open, or tls_error for why. */
static void
finish_tls(struct checker *c, struct slot *s, const char *why)
{
	struct result *r = &c->r[s->idx];
	short want;

	r->latency_ms = sock_now_ms() - s->start;
	r->st = why != NULL ? ST_TLS_ERROR : ST_OPEN;
	if (why != NULL)
		r->why = strdup(why);
	if (s->t != NULL && why == NULL)
		tls_close(s->t, &want);	/* close_notify, if it fits now */
	tls_free(s->t);
	s->t = NULL;
	close(s->fd);
	s->fd = -1;
}

/* One step of slot s's handshake; when done, the verdict. */
static void
tls_step(struct checker *c, struct slot *s)
{
	const struct tls_opts *o = c->o->tls;
	struct result *r = &c->r[s->idx];
	struct sock_err e;
	char why[128];
	int rc = tls_handshake(s->t, &s->ev, &e);

	if (rc == TLS_AGAIN)
		return;
	if (rc == -1) {
		finish_tls(c, s, sock_strerror(&e));
		return;
	}
	r->tls = malloc(sizeof(*r->tls));
	if (r->tls == NULL) {
		finish_tls(c, s, "out of memory");
		return;
	}
	tls_info(s->t, r->tls);
	if (!o->insecure && !r->tls->verified) {
		finish_tls(c, s, r->tls->verify_error[0] ?
		    r->tls->verify_error : "certificate not verified");
	} else if (o->min_days >= 0 && r->tls->have_cert &&
	    r->tls->days_left < o->min_days) {
		snprintf(why, sizeof(why), "certificate expires in %lld days "
		    "(--min-days %lld)", r->tls->days_left,
		    (long long)o->min_days);
		finish_tls(c, s, why);
	} else {
		finish_tls(c, s, NULL);
	}
}

/* Slot s connected: the handshake begins. */
static void
tls_begin(struct checker *c, struct slot *s)
{
	struct sock_err e;

	s->t = tls_new(c->ctx, s->fd, c->o->host, &e);
	if (s->t == NULL) {
		finish_tls(c, s, sock_strerror(&e));
		return;
	}
	tls_step(c, s);
}

/* Starts the check of result idx.  Returns 1 when it is in flight, 0 when
   it finished at once, -1 when it must wait for a descriptor. */
static int
start(struct checker *c, size_t idx, struct slot *s)
{
	struct sock_addr a = c->addr;
	struct sockaddr_in6 *in6 = (void *)&a.ss;
	struct sockaddr_in *in = (void *)&a.ss;
	struct sock_err e;
	int fd, rc, on = 1;

	a.port = c->r[idx].port;
	free(c->r[idx].tls);	/* --wait: a new try */
	free(c->r[idx].why);
	c->r[idx].tls = NULL;
	c->r[idx].why = NULL;
	s->t = NULL;
	s->ev = POLLOUT;
	if (a.family == AF_INET6)
		in6->sin6_port = htons(a.port);
	else
		in->sin_port = htons(a.port);
	s->idx = idx;
	s->start = sock_now_ms();
	fd = socket(a.family, (c->o->udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			return -1;
		s->fd = -1;
		c->r[idx].st = ST_ERROR;
		c->r[idx].err = errno;
		return 0;
	}
	s->fd = fd;
	if (c->o->so != NULL && sockopts_apply(c->o->so, fd, &e) == -1) {
		c->status = report(&e);
		finish(c, s, e.code);
		return 0;
	}
	if (c->have_src) {
		if (c->src.port != 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
			    sizeof(on));
		if (bind(fd, (struct sockaddr *)&c->src.ss, c->src.len) == -1) {
			finish(c, s, errno);
			return 0;
		}
	}
	do
		rc = connect(fd, (struct sockaddr *)&a.ss, a.len);
	while (rc == -1 && errno == EINTR);
	if (rc == -1 && (errno == EAGAIN || errno == EADDRNOTAVAIL)) {
		/* out of local ports for now: try again shortly */
		close(fd);
		s->fd = -1;
		return -1;
	}
	if (rc == -1 && errno != EINPROGRESS) {
		finish(c, s, errno);
		return 0;
	}
	if (c->o->udp) {
		/* an empty datagram: ICMP port unreachable says closed */
		if (send(fd, "", 0, MSG_NOSIGNAL) == -1 && errno != EAGAIN) {
			finish(c, s, errno);
			return 0;
		}
		return 1;
	}
	if (rc == 0 && c->ctx != NULL) {
		tls_begin(c, s);
		return s->fd == -1 ? 0 : 1;
	}
	if (rc == 0) {
		finish(c, s, 0);
		return 0;
	}
	return 1;
}

/* The outcome of slot s now that poll reported revents. */
static void
settle(struct checker *c, struct slot *s, short revents)
{
	char b[1];
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (s->t != NULL) {
		tls_step(c, s);
		return;
	}
	if (!c->o->udp) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err == 0 && c->ctx != NULL)
			tls_begin(c, s);
		else
			finish(c, s, err);
		return;
	}
	n = recv(s->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n >= 0) {
		finish(c, s, 0);	/* an answer: open */
		return;
	}
	if (errno == EAGAIN && !(revents & POLLERR))
		return;
	finish(c, s, errno);
}

/* Checks the pending results once.  Returns 0, or -1 when stdout failed
   or a local failure stopped it. */
static int
round_run(struct checker *c)
{
	struct slot *slots;
	struct pollfd *pfd;
	size_t next = 0, live = 0, i;
	unsigned cap = c->cap;
	double now, deadline;
	int rc, wait;

	slots = calloc(cap, sizeof(*slots));
	pfd = calloc(cap, sizeof(*pfd));
	if (slots == NULL || pfd == NULL) {
		free(slots);
		free(pfd);
		error_msg("out of memory");
		c->status = EXIT_LOCAL;
		return -1;
	}
	for (;;) {
		while (next < c->n && c->r[next].st != ST_PENDING)
			next++;
		while (next < c->n && live < cap) {
			rc = start(c, next, &slots[live]);
			if (rc == -1) {
				/* descriptors or ports ran out: fewer at once */
				if (live > 0)
					cap = (unsigned)live;
				else
					nanosleep(&(struct timespec){ 0,
					    10000000 }, NULL);
				break;
			}
			if (rc == 1)
				live++;
			next++;
			while (next < c->n && c->r[next].st != ST_PENDING)
				next++;
		}
		if (c->stream && print_ready(c, false) == -1)
			break;
		if (live == 0 && next >= c->n)
			break;
		if (c->stream && fflush(stdout) == EOF)
			break;
		now = sock_now_ms();
		deadline = -1;
		for (i = 0; i < live; i++) {
			double t = slots[i].start + (double)c->attempt_ms;

			pfd[i] = (struct pollfd){ .fd = slots[i].fd,
			    .events = c->o->udp ? POLLIN : slots[i].ev };
			if (deadline < 0 || t < deadline)
				deadline = t;
		}
		wait = live == 0 ? 10 : deadline <= now ? 0 :
		    (int)(deadline - now) + 1;
		rc = poll(pfd, live, wait);
		if (rc == -1 && errno != EINTR) {
			error_msg("poll: %s", strerror(errno));
			c->status = EXIT_LOCAL;
			break;
		}
		now = sock_now_ms();
		for (i = 0; i < live; i++) {
			if (rc > 0 && pfd[i].revents != 0)
				settle(c, &slots[i], pfd[i].revents);
			if (slots[i].fd != -1 && slots[i].t != NULL &&
			    now - slots[i].start >= (double)c->attempt_ms)
				finish_tls(c, &slots[i],
				    "handshake timed out");
			else if (slots[i].fd != -1 &&
			    now - slots[i].start >= (double)c->attempt_ms)
				finish(c, &slots[i], ETIMEDOUT);
			if (slots[i].fd == -1) {
				/* done: the last slot takes its place */
				slots[i] = slots[live - 1];
				pfd[i] = pfd[live - 1];
				live--;
				i--;
			}
		}
	}
	for (i = 0; i < live; i++) {
		tls_free(slots[i].t);
		close(slots[i].fd);
	}
	free(slots);
	free(pfd);
	return live == 0 && next >= c->n ? 0 : -1;
}

/* A proxy check has finished: into the results; printed when its turn
   has come.  Returns 0, or -1 when stdout failed. */
static int
proxy_ready(void *ctx, size_t idx)
{
	struct checker *c = ctx;
	struct proxy_probe *pr = c->probes + idx;
	struct result *r = &c->r[idx];

	r->latency_ms = pr->latency_ms;
	r->st = pr->err == -1 ? ST_ERROR : classify(pr->err);
	free(r->reason);
	r->reason = NULL;
	if (r->st == ST_ERROR && (r->reason = strdup(pr->reason)) == NULL)
		r->err = ENOMEM;
	if (!c->stream)
		return 0;
	if (print_ready(c, false) == -1 || fflush(stdout) == EOF)
		return -1;
	return 0;
}

/* Checks the pending results once through the proxy (check_proxy.c).
   Returns 0, or -1 when stdout failed or the proxy itself failed. */
static int
round_proxy(struct checker *c)
{
	const struct check_opts *o = c->o;
	struct proxy_probes pp = {
		.proxy = o->proxy,
		.host = c->addr.family != AF_UNSPEC ? c->addr.host : o->host,
		.hop = { .family = G.family, .numeric = G.numeric,
		    .timeout_ms = (int)c->attempt_ms, .src = o->proxy_src },
		/* a check holds one descriptor, two while v6/v4 race */
		.workers = fd_budget(o->parallel > 32767 ? 65535 :
		    o->parallel * 2) / 2,
		.ready = proxy_ready,
		.ctx = c,
	};
	struct sock_err e;
	size_t i;

	if (pp.workers > o->parallel)
		pp.workers = o->parallel;
	if (pp.workers == 0)
		pp.workers = 1;
	c->probes = calloc(c->n, sizeof(*c->probes));
	if (c->probes == NULL) {
		error_msg("out of memory");
		c->status = EXIT_LOCAL;
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		c->probes[i].port = c->r[i].port;
		c->probes[i].todo = c->r[i].st == ST_PENDING;
	}
	if (proxy_probe_run(&pp, c->probes, c->n, &e) == -1) {
		c->status = report(&e);
		free(c->probes);
		c->probes = NULL;
		return -1;
	}
	free(c->probes);
	c->probes = NULL;
	for (i = 0; i < c->n; i++)
		if (c->r[i].st == ST_PENDING)
			return -1;	/* stopped: stdout failed */
	return 0;
}

/* The address to check: the first of HOST's addresses in the preferred
   family.  Returns 0 or an exit status. */
static int
pick_address(struct checker *c)
{
	struct sock_err e;
	struct sock_ai ai;

	/* through a proxy, -4/-6 are for reaching the proxy */
	if (sock_resolve(c->o->host, NULL, c->o->proxy == NULL ? G.family :
	    c->o->proxy->type == PROXY_SOCKS4 ? AF_INET : AF_UNSPEC,
	    c->o->udp ? SOCK_DGRAM : SOCK_STREAM,
	    G.numeric ? SOCK_R_NUMERICHOST : 0, &ai, &e) == -1) {
		error_msg("%s: %s", c->o->host, sock_strerror(&e));
		return EXIT_RESOLVE;
	}
	c->addr = ai.v[0];
	if (ai.n > 1)
		diag(1, "%s has %zu addresses: checking %s", c->o->host, ai.n,
		    c->addr.host);
	sock_ai_free(&ai);
	return 0;
}

/* The -s/-p source.  Returns 0 or an exit status. */
static int
pick_source(struct checker *c)
{
	struct sock_err e;
	struct sock_ai ai;
	uint16_t port = 0;

	if (c->o->source == NULL && c->o->source_port == NULL)
		return 0;
	if (c->o->source_port != NULL && sock_parse_port(c->o->source_port,
	    c->o->udp ? "udp" : "tcp", G.numeric, &port, &e) == -1)
		return usage_err(&e);
	if (c->o->source == NULL) {
		sock_addr_any(&c->src, c->addr.family, port);
	} else {
		if (sock_resolve(c->o->source, NULL, c->addr.family, 0,
		    SOCK_R_PASSIVE | (G.numeric ? SOCK_R_NUMERICHOST : 0), &ai,
		    &e) == -1) {
			error_msg("source %s: %s", c->o->source,
			    sock_strerror(&e));
			return EXIT_RESOLVE;
		}
		if (sock_addr_ip(&c->src, ai.v[0].host, port, ai.v[0].family,
		    &e) == -1) {
			sock_ai_free(&ai);
			return report(&e);
		}
		sock_ai_free(&ai);
	}
	c->have_src = true;
	return 0;
}

int
check_run(const struct check_opts *o)
{
	struct checker c = { .o = o, .status = EXIT_OK };
	struct sock_err e;
	uint16_t *ports;
	double end = 0, backoff = 100, pause;
	size_t i, left;
	int rounds = 0, st;

	if (parse_ports(o->ports, o->udp ? "udp" : "tcp", G.numeric, &ports,
	    &c.n, &e) == -1)
		return usage_err(&e);
	if (o->tls != NULL && o->udp) {
		free(ports);
		return usage_error("--tls and -u exclude each other");
	}
	if (o->tls != NULL && o->proxy != NULL) {
		free(ports);
		return usage_error("-z --tls does not go through --proxy yet "
		    "(connect --tls --proxy does)");
	}
	if (o->proxy != NULL) {
		/* only names resolved here (socks5, socks4) need an address */
		if (!proxy_resolves(o->proxy->type) &&
		    (st = pick_address(&c)) != 0) {
			free(ports);
			return st;
		}
	} else if ((st = pick_address(&c)) != 0 ||
	    (st = pick_source(&c)) != 0) {
		free(ports);
		return st;
	}
	if (o->tls != NULL) {
		/* OpenSSL is set up only now, and only for --tls */
		struct tls_opts to = *o->tls;

		to.check = true;
		c.ctx = tls_ctx_new(&to, &e);
		if (c.ctx == NULL) {
			free(ports);
			return usage_err(&e);
		}
		if (to.insecure)
			diag(1, "--insecure: certificates are not verified");
	}
	c.r = calloc(c.n, sizeof(*c.r));
	if (c.r == NULL) {
		free(ports);
		error_msg("out of memory");
		return EXIT_LOCAL;
	}
	for (i = 0; i < c.n; i++)
		c.r[i].port = ports[i];
	free(ports);
	c.cap = fd_budget(o->parallel);
	c.attempt_ms = o->timeout_ms;
	c.stream = o->wait_ms < 0;
	if (o->wait_ms >= 0)
		end = sock_now_ms() + (double)o->wait_ms;
	for (;;) {
		rounds++;
		if (o->wait_ms >= 0) {
			double left_ms = end - sock_now_ms();

			c.attempt_ms = o->timeout_ms;
			if (left_ms < (double)c.attempt_ms)
				c.attempt_ms = left_ms > 50 ? (int64_t)left_ms :
				    50;
		}
		if ((o->proxy != NULL ? round_proxy(&c) : round_run(&c)) == -1)
			break;
		if (o->wait_ms < 0)
			break;
		for (i = 0, left = 0; i < c.n; i++)
			if (c.r[i].st != ST_OPEN)
				left++;
		if (left == 0 || sock_now_ms() >= end)
			break;
		diag(1, "round %d: %zu of %zu ports not open yet", rounds,
		    left, c.n);
		/* back off 100 ms, doubling up to 1 s, never past the end */
		pause = end - sock_now_ms() < backoff ? end - sock_now_ms() :
		    backoff;
		if (pause < 0)
			pause = 0;
		nanosleep(&(struct timespec){ (time_t)(pause / 1000),
		    (long)((int64_t)pause % 1000) * 1000000L }, NULL);
		backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
		for (i = 0; i < c.n; i++)
			if (c.r[i].st != ST_OPEN)
				c.r[i].st = ST_PENDING;
	}
	if (c.status == EXIT_OK || c.status == EXIT_NET) {
		print_ready(&c, false);
		for (i = 0; i < c.n && c.status == EXIT_OK; i++) {
			if (c.r[i].st == ST_PENDING)
				c.status = EXIT_LOCAL;
			else if (o->udp ? c.r[i].st == ST_CLOSED :
			    c.r[i].st != ST_OPEN)
				c.status = EXIT_NET;
		}
		for (i = 0; i < c.n && c.status == EXIT_NET; i++)
			if (c.r[i].st == ST_TLS_ERROR)
				c.status = EXIT_TLS;
	}
	for (i = 0; i < c.n; i++) {
		free(c.r[i].tls);
		free(c.r[i].why);
	}
	for (i = 0; i < c.n; i++)
		free(c.r[i].reason);
	free(c.r);
	tls_ctx_free(c.ctx);
	return finish_stdout(c.status);
}
