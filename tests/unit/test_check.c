/* Unit tests of the check engine (src/check/): check_run() driven
   directly, its results taken from the callback.  Loopback only, on
   127.0.0.43 (no other test's server listens there); every wait is
   bounded. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "check/internal.h"
#include "check/summary.h"
#include "sock/sock.h"
#include "addr.h"
#include "tap.h"

void test_talk(void); /* check_talk.c */

#define HOST	    "127.0.0.43"
#define MAX_RESULTS 2048

/* What the callbacks saw. */
struct seen {
	size_t n;
	uint16_t port[MAX_RESULTS];
	enum check_state state[MAX_RESULTS];
	char address[64];    /* of the first result */
	char error_code[32]; /* of the first result */
	size_t notes[4];     /* by kind */
	size_t flushes;
	size_t stop_after; /* the result callback fails after so many */
	size_t calls;
};

static int
on_result(void *ctx, const struct check_result *r)
{
	struct seen *s = ctx;

	s->calls++;
	if (s->stop_after > 0 && s->n >= s->stop_after)
		return -1;
	if (s->n == 0) {
		snprintf(s->address, sizeof(s->address), "%s",
		    r->address ? r->address : "(null)");
		snprintf(s->error_code, sizeof(s->error_code), "%s",
		    r->error_code ? r->error_code : "(null)");
	}
	if (s->n < MAX_RESULTS) {
		s->port[s->n] = r->port;
		s->state[s->n] = r->state;
	}
	s->n++;
	return 0;
}

static int
on_flush(void *ctx)
{
	((struct seen *)ctx)->flushes++;
	return 0;
}

static void
on_note(void *ctx, const struct check_note *n)
{
	((struct seen *)ctx)->notes[n->kind]++;
}

/* A TCP socket bound to HOST port 0, listening or not; *port is its
   port. */
static int
bound(bool listening, uint16_t *port)
{
	struct sock_addr a = addr(HOST, 0), name;
	struct sock_err e;
	int fd;

	fd = sock_socket(a.family, SOCK_STREAM, false, &e);
	if (fd == -1 || sock_bind_fd(fd, &a, false, &e) == -1 ||
	    sock_name(fd, &name, &e) == -1 ||
	    (listening && listen(fd, 64) == -1)) {
		printf("Bail out! a socket on %s: %s\n", HOST,
		    fd == -1 ? sock_strerror(&e) : strerror(errno));
		exit(1);
	}
	*port = name.port;
	return fd;
}

/* Options for one check of host at ports, the callbacks into s. */
static struct check_opts
opts(const char *host, uint16_t *ports, size_t n, struct seen *s)
{
	struct check_opts o = {
		.host = host,
		.ports = ports,
		.nports = n,
		.family = AF_UNSPEC,
		.parallel = 256,
		.timeout_ms = WAIT_MS,
		.wait_ms = -1,
		.result = on_result,
		.flush = on_flush,
		.note = on_note,
		.ctx = s,
	};

	memset(s, 0, sizeof(*s));
	return o;
}

static int
by_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void
test_open_closed(void)
{
	struct check_tally t;
	struct check_opts o;
	struct sock_err e;
	struct seen s;
	uint16_t ports[2], open_port, closed_port;
	int lfd = bound(true, &open_port), cfd = bound(false, &closed_port);
	int rc;

	ports[0] = open_port < closed_port ? open_port : closed_port;
	ports[1] = open_port < closed_port ? closed_port : open_port;
	o = opts(HOST, ports, 2, &s);
	rc = check_run(&o, &t, &e);
	ok(rc == 0, "a listener and a closed port: run");
	ok(s.n == 2 && t.results == 2, "two results through the callback");
	ok(s.port[0] == ports[0] && s.port[1] == ports[1],
	    "in port order (%u, %u)", (unsigned)s.port[0], (unsigned)s.port[1]);
	ok(s.state[s.port[0] == open_port ? 0 : 1] == CHECK_OPEN,
	    "the listening port is open");
	ok(s.state[s.port[0] == closed_port ? 0 : 1] == CHECK_CLOSED,
	    "the port nothing listens on is closed");
	is_str(s.address, HOST, "the result names the address");
	ok(t.state[CHECK_OPEN] == 1 && t.state[CHECK_CLOSED] == 1 &&
		t.state[CHECK_PENDING] == 0,
	    "the tally: one open, one closed, none pending");
	ok(s.flushes >= 1, "the batch is flushed");
	close(lfd);
	close(cfd);
}

static void
test_unresolved(void)
{
	struct check_tally t;
	struct check_opts o;
	struct sock_err e;
	struct seen s;
	uint16_t ports[] = { 80, 81 };
	int rc;

	/* -n: a name is refused at once, with no DNS */
	o = opts("nosuch.invalid", ports, 2, &s);
	o.numeric = true;
	rc = check_run(&o, &t, &e);
	ok(rc == 0, "a name that does not resolve: run");
	ok(s.n == 2 && s.state[0] == CHECK_UNRESOLVED &&
		s.state[1] == CHECK_UNRESOLVED,
	    "each port is unresolved");
	is_str(s.address, "(null)", "with no address");
	is_str(s.error_code, "EAI_NONAME", "and the resolver's code");
	ok(t.state[CHECK_UNRESOLVED] == 2, "the tally counts them");
}

/* Many ports (threads on a machine with two CPUs or more): every result
   once, in ascending order, the listeners open. */
static void
test_order(void)
{
	enum { LISTENERS = 3, RANGE = 1000 };
	uint16_t *ports = calloc(RANGE + LISTENERS, sizeof(*ports));
	uint16_t lport[LISTENERS];
	int lfd[LISTENERS], i, k, bad = 0, open = 0;
	struct check_tally t;
	struct check_opts o;
	struct sock_err e;
	struct seen *s = malloc(sizeof(*s));
	size_t n = 0;
	int rc;

	if (ports == NULL || s == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < LISTENERS; i++) {
		lfd[i] = bound(true, &lport[i]);
		if (lport[i] > RANGE)
			ports[n++] = lport[i];
	}
	for (i = 1; i <= RANGE; i++)
		ports[n++] = (uint16_t)i;
	qsort(ports, n, sizeof(*ports), by_port);
	o = opts(HOST, ports, n, s);
	rc = check_run(&o, &t, &e);
	ok(rc == 0, "%zu ports: run", n);
	ok(s->n == n, "one result per port (%zu of %zu)", s->n, n);
	for (k = 0; k < (int)s->n && k < MAX_RESULTS; k++) {
		if (s->port[k] != ports[k])
			bad++;
		for (i = 0; i < LISTENERS; i++)
			if (s->port[k] == lport[i] && s->state[k] == CHECK_OPEN)
				open++;
	}
	ok(bad == 0, "in ascending port order (%d out of place)", bad);
	ok(open == LISTENERS, "the %d listeners are open", LISTENERS);
	ok(t.state[CHECK_PENDING] == 0, "none left pending");
	for (i = 0; i < LISTENERS; i++)
		close(lfd[i]);
	free(ports);
	free(s);
}

/* Listens on fd after 300 ms. */
static void *
listen_late(void *arg)
{
	int fd = *(int *)arg;

	nanosleep(&(struct timespec){ 0, 300 * 1000000L }, NULL);
	listen(fd, 64);
	return NULL;
}

static void
test_wait(void)
{
	struct check_tally t;
	struct check_opts o;
	struct sock_err e;
	struct seen s;
	pthread_t tid;
	uint16_t port;
	int fd = bound(false, &port);
	double t0, ms;
	int rc;

	o = opts(HOST, &port, 1, &s);
	o.wait_ms = 10000;
	if (pthread_create(&tid, NULL, listen_late, &fd) != 0) {
		printf("Bail out! pthread_create\n");
		exit(1);
	}
	t0 = sock_now_ms();
	rc = check_run(&o, &t, &e);
	ms = sock_now_ms() - t0;
	ok(rc == 0, "--wait: run");
	pthread_join(tid, NULL);
	ok(s.n == 1 && s.state[0] == CHECK_OPEN,
	    "a listener that comes up after 300 ms is open");
	ok(ms >= 250 && ms < 5000, "once it is up (%.0f ms)", ms);
	ok(s.notes[CHECK_NOTE_NOT_OPEN] >= 1,
	    "a note for a round that left it not open (%zu)",
	    s.notes[CHECK_NOTE_NOT_OPEN]);
	ok(s.flushes == 1, "results handed over once, at the end");
	close(fd);

	fd = bound(false, &port);
	o = opts(HOST, &port, 1, &s);
	o.wait_ms = 500;
	t0 = sock_now_ms();
	rc = check_run(&o, &t, &e);
	ms = sock_now_ms() - t0;
	ok(rc == 0 && s.n == 1 && s.state[0] == CHECK_CLOSED,
	    "--wait: a port that never opens is closed");
	ok(ms >= 450 && ms < 5000, "once the time is up (%.0f ms)", ms);
	close(fd);
}

static void
test_stops(void)
{
	static volatile sig_atomic_t stop = 1;
	uint16_t *ports = calloc(1000, sizeof(*ports));
	struct sockopts so = { .spec = { "SO_BROADCAST=1" }, .n = 1 };
	struct check_tally t;
	struct check_opts o;
	struct sock_err e;
	struct seen s;
	int i;
	int rc;

	for (i = 0; ports != NULL && i < 1000; i++)
		ports[i] = (uint16_t)(i + 1);
	o = opts(HOST, ports, 1000, &s);
	o.stop = &stop;
	rc = check_run(&o, &t, &e);
	ok(rc == 0 && t.state[CHECK_PENDING] > 0,
	    "stop set: the checks end, results left pending (%zu)",
	    t.state[CHECK_PENDING]);

	o = opts(HOST, ports, 1000, &s);
	s.stop_after = 1;
	rc = check_run(&o, &t, &e);
	ok(rc == 0 && s.n == 1 && s.calls == 2,
	    "the callback says stop: it is not called again (%zu calls)",
	    s.calls);

	o = opts(HOST, ports, 3, &s);
	o.so = &so;
	rc = check_run(&o, &t, &e);
	ok(rc == -1 && e.kind == SOCK_EUSAGE && s.n == 0,
	    "an -O the socket refuses: one error, no result (%s)",
	    rc == -1 ? sock_strerror(&e) : "none");
	free(ports);
}

/* --count's figures: nearest-rank percentiles, each a value of the
   list; the population standard deviation. */
static void
test_summary(void)
{
	double v[] = { 5, 1, 4, 2, 3, 10, 9, 8, 7, 6 }, one[] = { 0.5 };
	struct check_summary s;

	check_summarize(v, 10, &s);
	ok(s.n == 10 && s.min == 1 && s.max == 10, "summary: min 1, max 10");
	ok(s.avg == 5.5, "summary: avg 5.5 (%g)", s.avg);
	ok(s.p50 == 5 && s.p95 == 10 && s.p99 == 10,
	    "summary: p50 5, p95 10, p99 10 (nearest rank: %g %g %g)", s.p50,
	    s.p95, s.p99);
	ok(s.stddev > 2.872 && s.stddev < 2.873, "summary: stddev 2.872 (%g)",
	    s.stddev);
	check_summarize(one, 1, &s);
	ok(s.p50 == 0.5 && s.p99 == 0.5 && s.stddev == 0,
	    "summary of one: every figure is it");
	check_summarize(NULL, 0, &s);
	ok(s.n == 0, "summary of none: n 0");
}

/* --wait's pauses: within 10% of the base, not all the same. */
static void
test_backoff(void)
{
	unsigned seed = 42;
	double lo = 1e9, hi = 0, b;
	int i;

	for (i = 0; i < 1000; i++) {
		b = check_backoff(2000, &seed);
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	ok(lo >= 1800 && hi <= 2200, "backoff within 2 s +-10%% (%g-%g)", lo,
	    hi);
	ok(hi - lo > 200, "backoff: jitter spreads the pauses (%g-%g)", lo, hi);
}

int
main(void)
{
	test_summary();
	test_backoff();
	test_open_closed();
	test_unresolved();
	test_order();
	test_wait();
	test_stops();
	test_talk();
	return done();
}
