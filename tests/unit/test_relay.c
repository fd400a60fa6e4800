/* Unit tests of the relay engine (src/stream/): the relay runs in a
   thread of its own over pipes (its local side) and socketpairs (its
   peers); the test is every other end.  One peer both ways with
   half-close, the lossless fan-out of the local side to three peers when
   one stops reading (it leaves mid-chunk, or --idle-timeout drops it),
   -q, the first-peer deadline, a PROXY protocol header read in the
   loop, zero copy against copying, and the
   queues a broker will use.  Every wait is bounded (and alarm() bounds
   the whole). */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy/pp.h"
#include "stream/internal.h"
#include "stream/relay.h"
#include "tap.h"

#define BIG (4 << 20)

/* A relay running in a thread. */
struct run {
	struct relay *r;
	pthread_t thread;
	enum relay_end end;
	struct sock_err e;
	int wake[2]; /* watched: a byte here makes the loop look at stop */
	volatile sig_atomic_t stop;
	/* what the closed hook saw */
	int closed, failed;
	unsigned long idle_id;
	const char *reason; /* the last one told */
	uint64_t bytes_in, bytes_out;
};

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
closed_hook(void *ctx, const struct endpoint *p, bool failed)
{
	struct run *x = ctx;

	x->closed++;
	x->failed += failed;
	x->bytes_in += p->bytes_in;
	x->bytes_out += p->bytes_out;
	if (p->reason != NULL) {
		x->reason = p->reason;
		x->idle_id = p->id;
	}
}

static void
watched_hook(void *ctx, int fd)
{
	char b[16];

	(void)ctx;
	while (read(fd, b, sizeof(b)) > 0)
		;
}

static void *
run_thread(void *arg)
{
	struct run *x = arg;

	x->end = relay_run(x->r, &x->e);
	return NULL;
}

/* A relay over in_fd and out_fd with opts (stop and the hooks set here). */
static void
run_new(struct run *x, int in_fd, int out_fd, struct relay_opts *o)
{
	struct relay_hooks h = { .ctx = x,
		.closed = closed_hook,
		.watched = watched_hook };

	memset(x, 0, sizeof(*x));
	if (pipe2(x->wake, O_CLOEXEC | O_NONBLOCK) == -1)
		bail("pipe");
	o->stop = &x->stop;
	x->r = relay_new(in_fd, out_fd, o, &h);
	if (x->r == NULL || relay_watch(x->r, x->wake[0]) == -1)
		bail("relay_new");
}

static void
run_start(struct run *x)
{
	if (pthread_create(&x->thread, NULL, run_thread, x) != 0)
		bail("pthread_create");
}

/* Stops a -k relay (SIGTERM, as the signal would) and waits for it. */
static void
run_stop(struct run *x)
{
	x->stop = SIGTERM;
	if (write(x->wake[1], "w", 1) == -1)
		bail("write");
}

static void
run_join(struct run *x)
{
	pthread_join(x->thread, NULL);
	relay_free(x->r);
	close(x->wake[0]);
	close(x->wake[1]);
}

static struct relay_opts
opts(void)
{
	struct relay_opts o = { .quit_after_ms = -1,
		.idle_ms = -1,
		.handshake_ms = -1,
		.first_peer_ms = -1 };

	return o;
}

static void
pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		bail("socketpair");
}

static void
pipe_(int p[2])
{
	if (pipe2(p, O_CLOEXEC) == -1)
		bail("pipe");
}

/* The byte at offset i of the test's data. */
static char
byte_at(size_t i)
{
	return (char)((i * 7 + i / 251) & 0xff);
}

static char *
pattern(size_t n)
{
	char *p = malloc(n);
	size_t i;

	if (p == NULL)
		bail("malloc");
	for (i = 0; i < n; i++)
		p[i] = byte_at(i);
	return p;
}

/* Reads fd until EOF or ms pass with nothing; appends to buf (cap).
   Returns the bytes read, *eof when EOF came. */
static size_t
drain(int fd, char *buf, size_t cap, int ms, bool *eof)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	*eof = false;
	while (poll(&p, 1, ms) > 0) {
		n = read(fd, buf + got, cap - got);
		if (n <= 0) {
			*eof = n == 0;
			break;
		}
		got += (size_t)n;
	}
	return got;
}

/* Reads two descriptors at once, each until EOF, or until ms pass with
   nothing from either; appends to buf[k] (cap each), counts in n[k]. */
static void
drain2(const int fd[2], char *buf[2], size_t cap, size_t n[2], bool eof[2],
    int ms)
{
	struct pollfd p[2];
	ssize_t got;
	int k;

	for (;;) {
		for (k = 0; k < 2; k++)
			p[k] = (struct pollfd){ .fd = eof[k] ? -1 : fd[k],
				.events = POLLIN };
		if ((eof[0] && eof[1]) || poll(p, 2, ms) <= 0)
			return;
		for (k = 0; k < 2; k++) {
			if (p[k].revents == 0)
				continue;
			got = read(fd[k], buf[k] + n[k], cap - n[k]);
			if (got <= 0)
				eof[k] = true;
			else
				n[k] += (size_t)got;
		}
	}
}

/* A writer thread: n bytes of the pattern to fd, then fd closed (or,
   half, its sending side shut down). */
struct feed {
	int fd;
	size_t n;
	bool half;
	pthread_t thread;
};

static void *
feed_thread(void *arg)
{
	struct feed *f = arg;
	char *data = pattern(f->n);
	size_t off = 0;
	ssize_t w;

	while (off < f->n) {
		w = write(f->fd, data + off, f->n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (f->half)
		shutdown(f->fd, SHUT_WR);
	else
		close(f->fd);
	free(data);
	return NULL;
}

static void
feed_start(struct feed *f, int fd, size_t n, bool half)
{
	f->fd = fd;
	f->n = n;
	f->half = half;
	if (pthread_create(&f->thread, NULL, feed_thread, f) != 0)
		bail("pthread_create");
}

/* One peer both ways: the peer's EOF ends the output (its reader sees
   EOF) while the local side goes on; the local side's EOF half-closes
   the peer; the session ends when both are done. */
static void
test_both_ways(void)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct run x;
	int in[2], out[2], sv[2];
	char buf[64];
	bool eof;
	size_t n;

	pipe_(in);
	pipe_(out);
	pair(sv);
	run_new(&x, in[0], out[1], &o);
	ok(relay_add(x.r, sv[0], NULL, NULL, &e) == 0, "a peer joins");
	run_start(&x);
	if (write(sv[1], "world", 5) != 5 || shutdown(sv[1], SHUT_WR) == -1)
		bail("write");
	n = drain(out[0], buf, sizeof(buf), 5000, &eof);
	ok(n == 5 && memcmp(buf, "world", 5) == 0 && eof,
	    "the peer's bytes reach out_fd, then its reader sees EOF");
	if (write(in[1], "hello", 5) != 5 || close(in[1]) == -1)
		bail("write");
	n = drain(sv[1], buf, sizeof(buf), 5000, &eof);
	ok(n == 5 && memcmp(buf, "hello", 5) == 0 && eof,
	    "after the peer's EOF the local side's bytes still go to it, "
	    "then EOF (half-close)");
	run_join(&x);
	ok(x.end == RELAY_DONE, "both ways done: the session ends well");
	ok(x.closed == 1 && x.failed == 0 && x.bytes_in == 5 &&
		x.bytes_out == 5,
	    "the closed hook tells 5 bytes in, 5 out");
	close(in[0]);
	close(out[0]);
	close(out[1]);
	close(sv[1]);
}

/* Three peers of a -k relay; the third never reads.  leave: it leaves
   (half-closes) while it owes part of a chunk; else --idle-timeout drops
   it. */
static void
test_fanout(bool leave)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct feed f;
	struct run x;
	char *want = pattern(BIG), *got[2];
	int in[2], sv[3][2], fd[2], k;
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	size_t n[2] = { 0, 0 }, before;
	bool eof[2] = { false, false };

	o.keep_open = true;
	if (!leave)
		o.idle_ms = 500;
	pipe_(in);
	run_new(&x, in[0], nul, &o);
	for (k = 0; k < 3; k++) {
		pair(sv[k]);
		if (relay_add(x.r, sv[k][0], NULL, NULL, &e) == -1)
			bail("relay_add");
	}
	got[0] = malloc(BIG);
	got[1] = malloc(BIG);
	fd[0] = sv[0][1];
	fd[1] = sv[1][1];
	run_start(&x);
	feed_start(&f, in[1], BIG, false);
	/* the two readers take what they can until nothing comes */
	drain2(fd, got, BIG, n, eof, 300);
	before = n[0] > n[1] ? n[0] : n[1];
	ok(before < BIG && !eof[0] && !eof[1],
	    "%s: the slowest reader sets the pace (%zu of %d bytes)",
	    leave ? "leave" : "idle", before, BIG);
	if (leave) /* it leaves owing part of a chunk */
		shutdown(sv[2][1], SHUT_WR);
	drain2(fd, got, BIG, n, eof, 5000);
	ok(n[0] == BIG && n[1] == BIG && eof[0] && eof[1] &&
		memcmp(got[0], want, BIG) == 0 &&
		memcmp(got[1], want, BIG) == 0,
	    "%s: then the others get every byte in order, and EOF",
	    leave ? "a reader that leaves mid-chunk" :
		    "a reader dropped as idle");
	pthread_join(f.thread, NULL);
	run_stop(&x);
	run_join(&x);
	ok(x.end == RELAY_STOPPED && x.closed == 3,
	    "%s: stopped, every peer's closed hook called",
	    leave ? "leave" : "idle");
	if (leave)
		ok(x.idle_id == 0 && x.failed == 0,
		    "leave: nobody failed, nobody idle");
	else
		is_str(x.idle_id == 3 && x.failed >= 1 ? x.reason : "", "idle",
		    "idle: the third peer failed, reason idle");
	for (k = 0; k < 3; k++)
		close(sv[k][1]);
	free(got[0]);
	free(got[1]);
	free(want);
	close(in[0]);
	close(nul);
}

/* A -k relay holding IDLE quiet peers while one more sends BIG bytes: a
   round looks at the peers that were ready or changed, not at every one
   (visits per round stay a handful); the quiet ones are still read when
   they speak, and each is told closed at the stop. */
#define IDLE 300
static void
test_rounds_visit_ready(void)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct feed f;
	struct run x;
	int in[2], busy[2], sv[IDLE][2], k;
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int small = 4096;
	double per_round;
	uint64_t rounds, visited;

	o.keep_open = true;
	pipe_(in);
	run_new(&x, in[0], nul, &o);
	for (k = 0; k < IDLE; k++) {
		pair(sv[k]);
		if (relay_add(x.r, sv[k][0], NULL, NULL, &e) == -1)
			bail("relay_add");
	}
	pair(busy);
	/* a small buffer: a read a round, many rounds */
	setsockopt(busy[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(busy[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	if (relay_add(x.r, busy[0], NULL, NULL, &e) == -1)
		bail("relay_add");
	run_start(&x);
	feed_start(&f, busy[1], BIG, true);
	pthread_join(f.thread, NULL);
	/* its EOF ends its session: the closed hook */
	for (k = 0; k < 500 && __atomic_load_n(&x.closed, __ATOMIC_SEQ_CST) < 1;
	     k++)
		usleep(10000);
	/* what the busy peer's rounds cost (read while the relay waits) */
	rounds = __atomic_load_n(&x.r->visit.rounds, __ATOMIC_SEQ_CST);
	visited = __atomic_load_n(&x.r->visit.visited, __ATOMIC_SEQ_CST);
	per_round = rounds ? (double)visited / (double)rounds : 0;
	for (k = 0; k < IDLE; k++) /* the quiet ones speak at last */
		if (write(sv[k][1], "q", 1) != 1)
			bail("write");
	usleep(200000);
	run_stop(&x);
	pthread_join(x.thread, NULL);
	ok(x.end == RELAY_STOPPED && x.closed == IDLE + 1 &&
		x.bytes_in == (uint64_t)BIG + IDLE,
	    "rounds: %d bytes from the busy peer and a byte from each of %d "
	    "quiet ones (%llu), every one closed (%d)",
	    BIG, IDLE, (unsigned long long)x.bytes_in, x.closed);
	ok(rounds > 100 && per_round < 20,
	    "rounds: %.1f peers looked at a round (%llu rounds), %d held",
	    per_round, (unsigned long long)rounds, IDLE + 1);
	relay_free(x.r);
	close(x.wake[0]);
	close(x.wake[1]);
	for (k = 0; k < IDLE; k++)
		close(sv[k][1]);
	close(busy[1]);
	close(in[0]);
	close(in[1]);
	close(nul);
}

/* -q: the session ends DUR after the local side's EOF, though the peer
   is still open (and it was half-closed). */
static void
test_quit_after(void)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct run x;
	int in[2], sv[2], nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double t0 = sock_now_ms();
	char buf[8];
	bool eof;

	o.quit_after_ms = 200;
	pipe_(in);
	pair(sv);
	close(in[1]);
	run_new(&x, in[0], nul, &o);
	relay_add(x.r, sv[0], NULL, NULL, &e);
	run_start(&x);
	ok(drain(sv[1], buf, sizeof(buf), 5000, &eof) == 0 && eof,
	    "-q: the peer is half-closed at the local side's EOF");
	run_join(&x);
	ok(x.end == RELAY_DONE && sock_now_ms() - t0 < 4000,
	    "-q 200ms: the session ends well, the peer still open");
	close(in[0]);
	close(sv[1]);
	close(nul);
}

/* A datagram peer (connect -u): each line of the local side one
   datagram, newline included, a last one without it at EOF; each
   datagram of the peer to out_fd; the end -q after the last datagram. */
static void
test_datagram(void)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct run x;
	int in[2], out[2], sv[2];
	char got[3][16], buf[64];
	ssize_t n[3];
	size_t i;
	bool eof;

	o.quit_after_ms = 200;
	o.datagram_max = 65507;
	o.lines = true;
	pipe_(in);
	pipe_(out);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == -1)
		bail("socketpair");
	if (write(in[1], "a\nbb\ncc", 7) != 7 ||
	    send(sv[1], "reply", 5, 0) != 5)
		bail("write");
	close(in[1]);
	run_new(&x, in[0], out[1], &o);
	ok(relay_add_dgram(x.r, sv[0], NULL, &e) == 0, "a datagram peer joins");
	run_start(&x);
	for (i = 0; i < 3; i++) {
		struct pollfd p = { .fd = sv[1], .events = POLLIN };

		n[i] = poll(&p, 1, 5000) == 1 ?
		    recv(sv[1], got[i], sizeof(got[i]), 0) :
		    -1;
	}
	ok(n[0] == 2 && memcmp(got[0], "a\n", 2) == 0 && n[1] == 3 &&
		memcmp(got[1], "bb\n", 3) == 0 && n[2] == 2 &&
		memcmp(got[2], "cc", 2) == 0,
	    "datagram lines: a\\n, bb\\n, then cc at EOF, one each");
	run_join(&x);
	close(out[1]);
	ok(drain(out[0], buf, sizeof(buf), 5000, &eof) == 5 &&
		memcmp(buf, "reply", 5) == 0,
	    "the peer's datagram reaches out_fd");
	ok(x.end == RELAY_DONE && x.closed == 1 && x.bytes_out == 7 &&
		x.bytes_in == 5,
	    "-q after the last datagram: the session ends well, 7 bytes "
	    "out, 5 in");
	close(in[0]);
	close(out[0]);
	close(sv[1]);
}

/* The CPU time of thread t, in ms. */
static double
thread_cpu_ms(pthread_t t)
{
	struct timespec ts;
	clockid_t clock;

	if (pthread_getcpuclockid(t, &clock) != 0 ||
	    clock_gettime(clock, &ts) == -1)
		bail("thread clock");
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* --recv-only -q: the local side is never read (at its end from the
   start), and the -q clock, which runs from a real EOF, does not make
   the loop spin while the peer talks on. */
static void
test_recv_only_quit(void)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct run x;
	int in[2], sv[2], nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double cpu;

	o.recv_only = true;
	o.quit_after_ms = 5000;
	pipe_(in);
	pair(sv);
	run_new(&x, in[0], nul, &o);
	relay_add(x.r, sv[0], NULL, NULL, &e);
	run_start(&x);
	usleep(100 * 1000);
	cpu = thread_cpu_ms(x.thread);
	usleep(500 * 1000);
	cpu = thread_cpu_ms(x.thread) - cpu;
	ok(cpu < 100,
	    "--recv-only -q 5s: the relay sleeps (%.0f ms of CPU "
	    "in 500 ms)",
	    cpu);
	shutdown(sv[1], SHUT_WR);
	run_join(&x);
	ok(x.end == RELAY_DONE, "--recv-only: the peer's EOF ends it");
	close(in[0]);
	close(in[1]);
	close(sv[1]);
	close(nul);
}

/* A relay of one client (listen -w): nobody came in time. */
static enum relay_accept
never_hook(void *ctx, int lfd, struct relay_client *cl, struct sock_err *e)
{
	(void)ctx;
	(void)lfd;
	(void)cl;
	(void)e;
	return RELAY_ACCEPT_EMPTY;
}

static void
test_first_peer(void)
{
	struct relay_opts o = opts();
	struct relay_hooks h = { .accept = never_hook };
	struct sock_addr a;
	struct sock_err e;
	struct relay *r;
	double t0 = sock_now_ms();
	int lfd;

	o.first_peer_ms = 200;
	if (sock_addr_ip(&a, "127.0.0.1", 0, AF_INET, &e) == -1 ||
	    (lfd = sock_listen(&a, true, 1, &e)) == -1)
		bail("listen");
	r = relay_new(-1, -1, &o, &h);
	ok(r != NULL && relay_listen(r, lfd) == 0,
	    "a relay with no local side watches a listener");
	ok(relay_run(r, &e) == RELAY_NO_PEER && sock_now_ms() - t0 >= 150 &&
		sock_now_ms() - t0 < 4000,
	    "nobody within first_peer_ms: RELAY_NO_PEER");
	relay_free(r);
}

/* --proxy-protocol: what the hooks saw. */
struct proxied {
	struct run x; /* first: the closed hook's ctx too */
	int lfd;
	int came, refused; /* headers complete; clients refused */
	char first_client[NI_MAXHOST + 8]; /* the first header's client */
	int refused_code;		   /* the first refusal's errno */
	bool refused_after;		   /* ... came after the first header */
};

static enum relay_accept
pp_accept_hook(void *ctx, int lfd, struct relay_client *cl, struct sock_err *e)
{
	(void)ctx;
	cl->fd = sock_accept_ready(lfd, SOCK_NONBLOCK, &cl->peer, e);
	return cl->fd == -1 ? RELAY_ACCEPT_EMPTY : RELAY_ACCEPT_PEER;
}

static int
pp_proxied_hook(void *ctx, struct endpoint *p, const struct pp_header *h)
{
	struct proxied *pr = ctx;

	if (h == NULL) {
		if (pr->refused++ == 0) {
			pr->refused_code = p->err.code;
			pr->refused_after = pr->came > 0;
		}
		return -1;
	}
	if (pr->came++ == 0)
		snprintf(pr->first_client, sizeof(pr->first_client), "%s %u",
		    h->src.host, (unsigned)h->src.port);
	return 0;
}

/* listen -k --proxy-protocol v1: a client that sends nothing holds back
   no other; the header read in pieces; the bytes after it are the
   client's; the silent one refused at its deadline, with no closed
   event. */
static void
test_proxy_header(void)
{
	struct relay_opts o = opts();
	struct relay_hooks h = { .accept = pp_accept_hook,
		.proxied = pp_proxied_hook,
		.closed = closed_hook,
		.watched = watched_hook };
	struct proxied pr;
	struct run *x = &pr.x;
	struct sock_addr a;
	struct sock_err e;
	int out[2], silent, client;
	char got[64];
	size_t len;
	bool eof;

	o.keep_open = true;
	o.handshake_ms = 4000;
	o.proxy_protocol = 1;
	memset(&pr, 0, sizeof(pr));
	pipe_(out);
	if (sock_addr_ip(&a, "127.0.0.1", 0, AF_INET, &e) == -1 ||
	    (pr.lfd = sock_listen(&a, true, 8, &e)) == -1 ||
	    sock_name(pr.lfd, &a, &e) == -1)
		bail("listen");
	run_new(x, -1, out[1], &o);
	h.ctx = &pr;
	x->r->h = h;
	relay_listen(x->r, pr.lfd);
	run_start(x);
	silent = sock_connect(&a, NULL, -1, &e);
	usleep(100000);
	client = sock_connect(&a, NULL, -1, &e);
	if (silent == -1 || client == -1)
		bail("connect");
	if (write(client, "PROXY TCP4 192.0.2.7 ", 21) != 21)
		bail("write");
	usleep(50000);
	if (write(client, "192.0.2.8 4000 80\r\ndata", 23) != 23)
		bail("write");
	shutdown(client, SHUT_WR);
	len = drain(out[0], got, sizeof(got) - 1, 1000, &eof);
	got[len] = '\0';
	ok(len == 4 && memcmp(got, "data", 4) == 0 && pr.came == 1 &&
		pr.refused == 0,
	    "a client with a header (in two pieces) is served while a silent "
	    "one waits: its bytes after the header are the session's");
	ok(strcmp(pr.first_client, "192.0.2.7 4000") == 0,
	    "the proxied hook gets the client the header names");
	for (len = 0; len < 100 && pr.refused == 0; len++)
		usleep(100000);
	ok(pr.refused == 1 && pr.refused_code == ETIMEDOUT && pr.refused_after,
	    "the silent client is refused when handshake_ms passes");
	run_stop(x);
	run_join(x);
	ok(x->closed == 1, "a refused client has no closed event");
	close(silent);
	close(client);
	close(out[0]);
	close(out[1]);
}

/* A peer thread: sends n bytes of the pattern, half-closes, reads all it
   gets. */
struct echo {
	int fd;
	size_t n, got;
	char *buf;
	pthread_t thread;
};

static void *
echo_thread(void *arg)
{
	struct echo *p = arg;
	struct feed f;
	bool eof;

	feed_start(&f, p->fd, p->n, true);
	p->got = drain(p->fd, p->buf, p->n + 1, 5000, &eof);
	pthread_join(f.thread, NULL);
	return NULL;
}

/* n bytes both ways through a relay over pipes; copy: SOCKIT_COPY=1.
   Returns true when both sides got the pattern whole; *zc: the zero-copy
   paths were in use. */
static bool
pipes_both_ways(bool copy, size_t n, bool *zc)
{
	struct relay_opts o = opts();
	struct sock_err e;
	struct echo p;
	struct feed f;
	struct run x;
	int in[2], out[2], sv[2];
	char *want = pattern(n), *got = malloc(n + 1);
	size_t len;
	bool eof, same;

	if (copy)
		setenv("SOCKIT_COPY", "1", 1);
	else
		unsetenv("SOCKIT_COPY");
	pipe_(in);
	pipe_(out);
	pair(sv);
	run_new(&x, in[0], out[1], &o);
	relay_add(x.r, sv[0], NULL, NULL, &e);
	p = (struct echo){ .fd = sv[1], .n = n, .buf = malloc(n + 1) };
	pthread_create(&p.thread, NULL, echo_thread, &p);
	feed_start(&f, in[1], n, false);
	run_start(&x);
	len = drain(out[0], got, n + 1, 5000, &eof);
	pthread_join(f.thread, NULL);
	pthread_join(p.thread, NULL);
	pthread_join(x.thread, NULL);
	*zc = x.r->zc.in == ZC_SPLICE && x.r->zc.out == ZC_SPLICE;
	same = x.end == RELAY_DONE && len == n && memcmp(got, want, n) == 0 &&
	    p.got == n && memcmp(p.buf, want, n) == 0;
	relay_free(x.r);
	close(x.wake[0]);
	close(x.wake[1]);
	close(in[0]);
	close(out[0]);
	close(out[1]);
	close(sv[1]);
	free(p.buf);
	free(got);
	free(want);
	return same;
}

static void
test_zero_copy(void)
{
	bool zc;

	ok(pipes_both_ways(true, 1 << 20, &zc) && !zc,
	    "copying: 1 MiB each way through pipes, intact");
	ok(pipes_both_ways(false, 1 << 20, &zc) && zc,
	    "zero copy (splice both ways): the same bytes");
}

/* The queues a broker will fill: chunks shared, in order, released when
   the last queue is done with them. */
static void
test_queues(void)
{
	struct relay_opts o = opts();
	struct relay *r = relay_new(-1, -1, &o, NULL);
	struct queue a = { 0 }, b = { 0 };
	struct chunk *c[6];
	size_t i, bytes;
	bool order = true;

	for (i = 0; i < 6; i++) {
		c[i] = chunk_new(r);
		c[i]->len = 10 + i;
		c[i]->data[0] = (char)i;
		queue_push(&a, c[i]);
		if (i % 2 == 0)
			queue_push(&b, c[i]);
	}
	bytes = queue_bytes(&a);
	ok(bytes == 10 + 11 + 12 + 13 + 14 + 15 && queue_bytes(&b) == 36,
	    "a queue counts the bytes of every chunk it holds");
	for (i = 0; i < 6; i++)
		chunk_put(r, c[i]); /* the reader's references */
	queue_consume(r, &a, 4);
	ok(queue_bytes(&a) == bytes - 4 && a.head == c[0],
	    "a part of the head written: the rest waits");
	for (i = 0; i < 6 && !queue_empty(&a); i++) {
		order = order && a.head->data[0] == (char)i;
		queue_consume(r, &a, a.head->len - a.off);
	}
	ok(order && i == 6 && queue_empty(&a), "chunks leave in order");
	queue_clear(r, &a); /* its ring */
	ok(b.head == c[0] && c[0]->refs == 1 && c[2]->refs == 1,
	    "a chunk another queue still holds stays");
	queue_clear(r, &b);
	ok(queue_empty(&b) && r->nspare == RELAY_SPARES,
	    "released chunks become spares for the next reads");
	relay_free(r);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	test_both_ways();
	test_fanout(true);
	test_fanout(false);
	test_rounds_visit_ready();
	test_quit_after();
	test_datagram();
	test_recv_only_quit();
	test_first_peer();
	test_proxy_header();
	test_zero_copy();
	test_queues();
	return done();
}
