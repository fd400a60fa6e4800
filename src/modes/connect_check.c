/* connect -z as the check engine runs it: the targets (HOST PORTS, or a
   line each of --targets, every line's options read by the same option
   table as the command line, all before anything is checked), each a
   check_run() of check/, in parallel; the probes (once, or --count
   times every --interval); the output (a result per line as it comes,
   or kept for --format tap|junit|prometheus and the --count summaries);
   and --wait's -- CMD, run once every check passed. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "cli/globals.h"
#include "cli/options.h"
#include "cli/parse.h"
#include "cli/targets.h"
#include "modes/connect.h"
#include "out/formats.h"
#include "out/report.h"
#include "out/results.h"
#include "out/signals.h"

/* Targets checked at once, each on a thread of its own (a --wait keeps
   its thread for as long as it waits: every target waits at once). */
#define MAX_THREADS 256

/* One target: HOST PORTS, or a line of --targets. */
struct job {
	struct connect_opts *o; /* its options */
	bool own_opts;		/* o is the job's (a line's copy) */
	const char *where;	/* "FILE line N", or NULL */
	struct target t;
	struct check_opts co;
	struct sock_ai src; /* -s/-p, resolved once */
	struct results out;
	struct kept keep;
	bool buffered; /* output into text, handed out in order */
	char *text;
	size_t len;
	struct check_tally tally;
	struct sock_err e;
	int rc; /* check_run()'s */
};

struct run {
	struct job *jobs;
	size_t n;
	size_t next; /* the next job a thread takes (atomic) */
	struct kept keep;
};

/* The options of the checks that do not go together (modes/connect.c
   refused the rest).  Returns 0 or an exit status. */
static int
refusals(const struct connect_opts *o)
{
	const struct session *s = &o->s;

	if (s->unix_path != NULL || s->output_path != NULL ||
	    s->hexdump_path != NULL || s->ro.crlf || s->ro.no_shutdown ||
	    s->ro.send_only || s->ro.recv_only || s->ro.quit_after_ms >= 0 ||
	    s->ro.idle_ms >= 0 || o->shutdown)
		return usage_error(
		    "-z checks ports: -U, -o, -x, -C, -q, "
		    "--no-shutdown, --shutdown, --send-only, --recv-only and "
		    "--idle-timeout do not apply");
	if (o->use_proxy && o->udp)
		return usage_error("-u: UDP does not go through --proxy");
	if (o->use_proxy && o->all_addresses)
		return usage_error("--all-addresses checks each address "
				   "directly: not through --proxy");
	if (o->use_proxy && o->s.so.n > 0)
		return usage_error("-O does not apply to -z --proxy");
	if (o->s.tls.on && o->udp)
		return usage_error("--tls and -u exclude each other");
	if (!o->counting && o->interval_ms >= 0)
		return usage_error("--interval goes with --count");
	if (o->counting && (o->wait_ms >= 0 || o->cmd != NULL))
		return usage_error("--count and --wait, -- CMD exclude each "
				   "other");
	return 0;
}

/* The check_opts of job j, options o, target t (under the global
   options of now: a line's).  Returns 0 or an exit status. */
static int
job_fill(struct job *j, struct connect_opts *o, const struct target *t)
{
	struct target_how how =
	    target_how(o->udp ? SOCK_DGRAM : SOCK_STREAM, true);
	struct sock_err e;
	int st;

	j->o = o;
	j->t = *t;
	j->co = (struct check_opts){ .host = j->t.host,
		.udp = o->udp,
		.family = G.family,
		.numeric = G.numeric,
		.parallel = o->parallel,
		.timeout_ms = G.timeout_ms >= 0 ? G.timeout_ms : 2000,
		.wait_ms = o->wait_ms,
		.all_addresses = o->all_addresses,
		.source = o->src.host,
		.so = &o->s.so,
		.tls = o->s.tls.on ? &o->s.tls : NULL,
		.mptcp = o->s.mptcp,
		.talk = &o->talk,
		.result = results_print,
		.flush = results_flush,
		.note = results_note,
		.ctx = &j->out };
	if ((st = refusals(o)) != 0)
		return st;
	if (o->s.mptcp && (st = session_mptcp_available()) != 0)
		return st;
	if (parse_ports(j->t.port, o->udp ? "udp" : "tcp", G.numeric,
		&j->co.ports, &j->co.nports, &e) == -1)
		return usage_err(&e);
	/* the source, resolved here once: check/ and the proxy take it */
	if ((st = target_source(&o->src, &how, &j->src)) != 0)
		return st;
	j->co.sources = j->src.v;
	j->co.nsources = j->src.n;
	if (o->use_proxy) {
		j->co.proxy = &o->proxy;
		j->co.proxy_src = j->src.n > 0 ? &j->src.v[0] : NULL;
	}
	/* a line's bad --expect or --ca fails before any line is checked
	   (one target's, in its check_run(), before it checks anything) */
	if (j->where != NULL && check_validate(&j->co, &e) == -1)
		return e.kind == SOCK_EUSAGE ? usage_err(&e) : report(&e);
	return 0;
}

/* A line's options differ from the command line's in one that is the
   whole run's. */
static bool
whole_run_changed(const struct connect_opts *a, const struct connect_opts *b,
    const struct globals *was)
{
	return a->counting != b->counting || a->count != b->count ||
	    a->interval_ms != b->interval_ms || a->wait_ms != b->wait_ms ||
	    a->format != b->format || a->targets != NULL ||
	    G.json != was->json || G.verbose != was->verbose ||
	    G.quiet != was->quiet;
}

/* Job j of line l: the command line's options, then the line's own
   (its -4, -6, -n, -w too: G is the line's while it is read).  Returns
   0 or an exit status, the message naming the line. */
static int
line_job(struct job *j, const struct connect_opts *base, struct target_line *l)
{
	struct globals was = G;
	struct target t;
	int st;

	if ((j->o = malloc(sizeof(*j->o))) == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	*j->o = *base;
	j->o->targets = NULL; /* the line's target is its own */
	j->own_opts = true;
	j->where = l->where;
	report_context(l->where);
	st = connect_parse_opts(j->o, l->argc, l->argv);
	if (st == 0 && whole_run_changed(j->o, base, &was)) {
		G = was; /* -j on a line: the message is still text */
		st = usage_error("--count, --interval, --wait, --format, "
				 "--targets, -j, -v and --quiet are the whole "
				 "run's, not a line's");
	}
	if (st == 0)
		st = connect_parse_target(j->o, l->argc, l->argv, &t);
	if (st == 0)
		st = job_fill(j, j->o, &t);
	report_context(NULL);
	G = was;
	return st == -1 ? EXIT_USAGE : st; /* -1: --help on a line */
}

/* The jobs of --targets: every line read, its options parsed and its
   source resolved before anything is checked.  Returns 0 or an exit
   status. */
static int
file_jobs(struct run *r, const struct connect_opts *o,
    struct target_lines *lines)
{
	size_t i;
	int st;

	if ((st = targets_read(o->targets, lines)) != 0)
		return st;
	if (lines->n == 0)
		return usage_error("--targets %s: no HOST PORTS in it",
		    o->targets);
	if ((r->jobs = calloc(lines->n, sizeof(*r->jobs))) == NULL)
		return fail(SOCK_ELOCAL, "out of memory");
	for (i = 0; i < lines->n; i++) {
		r->n++;
		if ((st = line_job(&r->jobs[i], o, &lines->v[i])) != 0)
			return st;
	}
	return 0;
}

/* One probe of job j: its checks, its output into j->text when
   buffered. */
static void
job_probe(struct job *j)
{
	FILE *mem = NULL;

	if (j->buffered) {
		if ((mem = open_memstream(&j->text, &j->len)) == NULL) {
			j->rc = -1;
			sock_fail(&j->e, SOCK_ELOCAL, errno, "output buffer");
			return;
		}
		j->out.fp = mem;
	}
	j->rc = check_run(&j->co, &j->tally, &j->e);
	if (mem != NULL && fclose(mem) == EOF && j->rc == 0) {
		j->rc = -1;
		sock_fail(&j->e, SOCK_ELOCAL, errno, "output buffer");
	}
}

static void *
worker(void *arg)
{
	struct run *r = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED)) < r->n)
		job_probe(&r->jobs[i]);
	return NULL;
}

/* The worse of two exit statuses: usage, local, resolve, TLS, network,
   success, in that order. */
static int
worse(int a, int b)
{
	static const int order[] = { EXIT_OK, EXIT_NET, EXIT_TLS, EXIT_RESOLVE,
		EXIT_LOCAL, EXIT_USAGE };
	int i, ra = 0, rb = 0;

	for (i = 0; i < 6; i++) {
		ra = order[i] == a ? i : ra;
		rb = order[i] == b ? i : rb;
	}
	return ra >= rb ? a : b;
}

/* Job j's probe is done: its output, its results kept, its status. */
static int
job_done(struct run *r, struct job *j)
{
	struct check_tally *t = &j->tally;
	int st;

	if (j->text != NULL) {
		fwrite(j->text, 1, j->len, stdout);
		free(j->text);
		j->text = NULL;
	}
	if (stop_signal && j->rc == 0) { /* --count 0 ends so: not a fault */
		t->results -= t->state[CHECK_PENDING];
		t->state[CHECK_PENDING] = 0;
	}
	report_context(j->where);
	st = j->rc == -1 ? usage_err(&j->e) : results_status(t, j->o->udp);
	report_context(NULL);
	if (kept_move(&r->keep, &j->keep) == -1)
		st = worse(st, fail(SOCK_ELOCAL, "out of memory"));
	return st;
}

/* One probe of every job, in parallel; the outputs in their order.
   Returns the exit status of the probe. */
static int
probe(struct run *r)
{
	pthread_t threads[MAX_THREADS];
	size_t i, nthreads = r->n < MAX_THREADS ? r->n : MAX_THREADS;
	int st = EXIT_OK;

	r->next = 0;
	if (r->n == 1)
		job_probe(&r->jobs[0]);
	for (i = 0; r->n > 1 && i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, r) != 0)
			break;
	nthreads = r->n > 1 ? i : 0;
	if (r->n > 1 && nthreads == 0)
		worker(r); /* no thread: all here */
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < r->n; i++)
		st = worse(st, job_done(r, &r->jobs[i]));
	if (fflush(stdout) == EOF)
		st = worse(st, EXIT_LOCAL);
	return st;
}

/* Sleeps until at (sock_now_ms()), or until a signal stops the run. */
static void
pause_until(double at)
{
	double left;

	while (!stop_signal && (left = at - sock_now_ms()) > 0) {
		if (left > 100)
			left = 100;
		nanosleep(&(struct timespec){ 0, (long)(left * 1e6) }, NULL);
	}
}

/* The probes: once, or --count times every --interval (until a signal
   with --count 0), then the summaries and the formats written whole.
   Returns the exit status. */
static int
probes(struct run *r, const struct connect_opts *o)
{
	bool keep = o->counting || o->format >= FORMAT_TAP;
	uint64_t seq;
	double start;
	size_t i;
	int st = EXIT_OK;

	if (o->counting) {
		signals_catch();
		for (i = 0; i < r->n; i++)
			r->jobs[i].co.stop = &stop_signal;
	}
	for (i = 0; i < r->n; i++) {
		r->jobs[i].out = (struct results){ .fp = stdout,
			.whole = o->format >= FORMAT_TAP,
			.target = i,
			.keep = keep ? &r->jobs[i].keep : NULL };
		r->jobs[i].buffered = r->n > 1;
		if (r->n > 1 && r->jobs[i].co.parallel > 16)
			r->jobs[i].co.parallel = 16; /* descriptors shared */
	}
	for (seq = 1;; seq++) {
		start = sock_now_ms();
		for (i = 0; i < r->n; i++)
			r->jobs[i].out.seq = o->counting ? seq : 0;
		st = worse(st, probe(r));
		if (!o->counting || (o->count > 0 && seq >= o->count) ||
		    stop_signal)
			break;
		pause_until(start +
		    (o->interval_ms >= 0 ? (double)o->interval_ms : 1000));
	}
	if (o->counting && o->format <= FORMAT_JSON &&
	    summary_print(stdout, G.json, &r->keep) == -1)
		st = worse(st, EXIT_LOCAL);
	if (o->format >= FORMAT_TAP &&
	    formats_print(stdout, o->format, &r->keep) == -1)
		st = worse(st, EXIT_LOCAL);
	/* ^C ends probes over time as ping's does: the summary, a status */
	if (o->counting && stop_signal == SIGINT)
		stop_signal = 0;
	return st;
}

/* --wait ... -- CMD: every check passed; CMD in sockit's place. */
static int
run_command(char **cmd)
{
	if (finish_stdout(EXIT_OK) != EXIT_OK)
		return EXIT_LOCAL;
	execvp(cmd[0], cmd);
	return fail(SOCK_ELOCAL, "run %s: %s", cmd[0], strerror(errno));
}

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->jobs[i].co.ports);
		sock_ai_free(&r->jobs[i].src);
		kept_free(&r->jobs[i].keep);
		if (r->jobs[i].own_opts)
			free(r->jobs[i].o);
	}
	free(r->jobs);
	kept_free(&r->keep);
}

int
connect_checks(struct connect_opts *o, const struct target *t)
{
	struct target_lines lines = { 0 };
	struct job one = { 0 };
	struct run r = { 0 };
	int st;

	if (t != NULL) {
		r.jobs = &one;
		r.n = 1;
		st = job_fill(&one, o, t);
	} else {
		st = file_jobs(&r, o, &lines);
	}
	if (st == 0)
		st = probes(&r, o);
	if (t != NULL) {
		free(one.co.ports);
		sock_ai_free(&one.src);
		kept_free(&one.keep);
		kept_free(&r.keep);
	} else {
		run_free(&r);
	}
	targets_free(&lines);
	if (st == EXIT_OK && o->cmd != NULL)
		return run_command(o->cmd);
	return finish_stdout(st);
}
