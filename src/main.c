/* sockit: main() only.  Finds the mode word, runs the mode, and decides
   the exit status. */
#include "config.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "cli/nc.h"
#include "cli/options.h"
#include "modes/modes.h"
#include "out/report.h"
#include "out/signals.h"
#include "tls/tls.h"

/* The run function of each mode of the mode table. */
static const struct {
	unsigned bit;
	int (*run)(int argc, char **argv);
} runs[] = {
	{ M_LISTEN, mode_listen },
	{ M_CONNECT, mode_connect },
	{ M_UDPSEND, mode_udp_send },
	{ M_UDPRECV, mode_udp_recv },
	{ M_SOCKOPT, mode_sockopt },
	{ M_RESOLVE, mode_resolve },
};

/* Runs mode m.  Returns its exit status. */
static int
run_mode(const struct mode *m, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		if (runs[i].bit == m->bit)
			return runs[i].run(argc, argv);
	return usage_error("unknown mode \"%s\"", m->name);
}

/* The nc front end (`sockit nc ...`, or run as nc or netcat): nc's
   command line as a mode's, run as any other, with nc's exit statuses:
   0, or 1 for any failure (2 when the front end refused an option). */
static int
run_nc(int argc, char **argv)
{
	struct nc_cmd cmd;
	int status;

	G.nc = true;
	G.mode = "nc";
	status = nc_translate(argc, argv, &cmd);
	if (status == 0) {
		status = run_mode(mode_find(cmd.mode), cmd.argc, cmd.argv);
		signals_finish(); /* a caught SIGINT/SIGTERM ends us by it */
		status = status == EXIT_OK ? EXIT_OK : EXIT_NET;
	}
	nc_free(&cmd);
	return status == -1 ? finish_stdout(EXIT_OK) : status;
}

/* A closed stdin, stdout or stderr (`<&-`) becomes /dev/null, as if it
   were given: otherwise the first socket opened takes its number, and
   would be read as stdin or written to as stdout. */
static void
std_open(void)
{
	int fd, nul;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		nul = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nul != -1 && nul != fd) {
			/* a lower one was closed too: it took that */
			dup2(nul, fd);
			close(nul);
		}
	}
}

/* --version: the version (SPEC's first line), the TLS library sockit is
   built with and the module --tls would load (not loaded here: a run
   without --tls never maps OpenSSL), and the features compiled in, one
   per line, so that a bug report says what ran. */
static void
version_print(void)
{
	char module[PATH_MAX];
	bool found = tls_module_path(module, sizeof(module));

	printf("sockit %s\n", PACKAGE_VERSION);
#ifdef TLS_LIBRARY
	printf("tls: %s, module %s%s\n", TLS_LIBRARY, module,
	    found ? "" : " (missing)");
#else
	(void)found;
	printf("tls: none (built without TLS)\n");
#endif
	/* the kernel interfaces sockit uses, then what this build has */
	fputs("features: epoll splice sendfile sendmmsg recvmmsg", stdout);
#if defined(__linux__) && defined(TCP_INFO)
	fputs(" tcp-info", stdout);
#endif
#ifdef SO_TIMESTAMPNS
	fputs(" rx-timestamps", stdout);
#endif
#ifdef HAVE_CLOSE_RANGE
	fputs(" close-range", stdout);
#endif
#ifdef SYS_kcmp
	fputs(" kcmp", stdout);
#endif
#ifdef __SANITIZE_ADDRESS__
	fputs(" asan", stdout);
#endif
	putchar('\n');
}

int
main(int argc, char **argv)
{
	const struct mode *m;
	int i, at = -1, status;

	std_open();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (nc_named(argv[0]))
		return run_nc(argc, argv);
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--") == 0) {
			at = i + 1 < argc ? i + 1 : -1;
			break;
		}
		if (w[0] != '-' || w[1] == '\0') {
			at = i;
			break;
		}
		if (strcmp(w, "--version") == 0 || strcmp(w, "-V") == 0) {
			version_print();
			return finish_stdout(EXIT_OK);
		}
		if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
			usage_print(stdout, NULL);
			return finish_stdout(EXIT_OK);
		}
		if (strcmp(w, "--list-options") == 0) {
			options_list(stdout);
			return finish_stdout(EXIT_OK);
		}
		if (opt_takes_next(w, M_TOP | M_GLOBAL))
			i++;
	}
	if (at >= 0 && strcmp(argv[at], "nc") == 0) {
		G.mode = "nc"; /* -j or --quiet before nc: exit 2 */
		status = nc_globals(&argc, argv, at);
		return status != 0 ? status : run_nc(argc, argv);
	}
	m = at < 0 ? NULL : mode_find(argv[at]);
	G.json = opt_json_asked(argc, argv, m != NULL ? m->bit : M_GLOBAL);
	if (at < 0)
		return usage_error("no mode given");
	if (m == NULL)
		return usage_error("unknown mode \"%s\"", argv[at]);
	G.mode = m->name;
	/* the mode sees "sockit" and every other word, options in place */
	memmove(&argv[at], &argv[at + 1], (size_t)(argc - at) * sizeof(*argv));
	argc--;
	status = run_mode(m, argc, argv);
	signals_finish(); /* a caught SIGINT/SIGTERM ends us by it */
	return status;
}
