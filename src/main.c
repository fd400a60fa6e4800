/* sockit: main() only.  Finds the mode word, runs the mode, and decides
   the exit status. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "report.h"

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
			printf("sockit %s\n", PACKAGE_VERSION);
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
	if (at < 0)
		return usage_error("no mode given");
	m = mode_find(argv[at]);
	if (m == NULL)
		return usage_error("unknown mode \"%s\"", argv[at]);
	G.mode = m->name;
	/* the mode sees "sockit" and every other word, options in place */
	memmove(&argv[at], &argv[at + 1], (size_t)(argc - at) * sizeof(*argv));
	argc--;
	status = m->run(argc, argv);
	signals_finish();	/* a caught SIGINT/SIGTERM ends us by it */
	return status;
}
