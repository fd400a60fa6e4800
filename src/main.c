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

#include "cli/options.h"
#include "out/report.h"
#include "tls/tls.h"

/* true when word is a global option that takes the next argument as its
   value ("-w 2s", "--timeout 2s", "-jw 2s"). */
static bool
takes_next(const char *word)
{
	size_t n;

	if (strcmp(word, "--timeout") == 0)
		return true;
	if (word[0] != '-' || word[1] == '-')
		return false;
	n = strlen(word);
	return strchr(word, 'w') == word + n - 1;
}

/* The row of the option word names in mode (a long name, or a prefix of
   just one), or NULL. */
static const struct opt *
long_row(const char *word, unsigned mode)
{
	const struct opt *o, *found = NULL;
	size_t n = strcspn(word, "=");

	for (o = opts; o->help != NULL; o++) {
		if (!(o->modes & mode) || o->name == NULL ||
		    strncmp(o->name, word, n) != 0)
			continue;
		if (o->name[n] == '\0')
			return o; /* exact */
		if (found != NULL && strcmp(found->name, o->name) != 0)
			return NULL; /* ambiguous */
		found = o;
	}
	return found;
}

/* true when the row of short option c in mode takes a value. */
static bool
short_takes_value(int c, unsigned mode)
{
	const struct opt *o;

	for (o = opts; o->help != NULL; o++)
		if (o->val == c && (o->modes & mode))
			return o->arg != NULL;
	return false;
}

/* true when argv holds -j or --json (alone, in a group of short options,
   or a long prefix), not as another option's value: a usage error found
   before getopt reaches it (`connect --bogus -j`) is JSON too. */
static bool
json_asked(int argc, char **argv, unsigned mode)
{
	const struct opt *o;
	const char *w, *p;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		w = argv[i];
		if (w[0] != '-' || w[1] == '\0')
			continue;
		if (w[1] == '-') {
			o = long_row(w + 2, mode);
			if (o != NULL && o->val == 'j')
				return true;
			if (o != NULL && o->arg != NULL && !strchr(w, '='))
				i++;
			continue;
		}
		for (p = w + 1; *p != '\0'; p++) {
			if (*p == 'j')
				return true;
			if (short_takes_value((unsigned char)*p, mode)) {
				i += p[1] == '\0';
				break;
			}
		}
	}
	return false;
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
		if (takes_next(w))
			i++;
	}
	m = at < 0 ? NULL : mode_find(argv[at]);
	G.json = json_asked(argc, argv, m != NULL ? m->bit : M_GLOBAL);
	if (at < 0)
		return usage_error("no mode given");
	if (m == NULL)
		return usage_error("unknown mode \"%s\"", argv[at]);
	G.mode = m->name;
	/* the mode sees "sockit" and every other word, options in place */
	memmove(&argv[at], &argv[at + 1], (size_t)(argc - at) * sizeof(*argv));
	argc--;
	status = m->run(argc, argv);
	signals_finish(); /* a caught SIGINT/SIGTERM ends us by it */
	return status;
}
