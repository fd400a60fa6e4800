/* -e/-c: each client gets its own child with the socket as stdin/stdout.
   The command line is split here and exec'd directly: no shell is
   involved unless the user asked for one with -c.  Nothing here prints:
   the mode tells what failed. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/exec.h"

char **
exec_split(const char *cmd, char *open_quote)
{
	size_t n = 0, len = strlen(cmd);
	char **v, *buf, *w;
	const char *p = cmd;
	char quote;

	/* at most len/2+1 words; the words fit in len+1 bytes after v */
	*open_quote = '\0';
	v = malloc((len / 2 + 2) * sizeof(*v) + len + 1);
	if (v == NULL)
		return NULL;
	buf = (char *)(v + len / 2 + 2);
	w = buf;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		v[n++] = w;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'' || *p == '"') {
				quote = *p++;
				while (*p != '\0' && *p != quote)
					*w++ = *p++;
				if (*p == '\0') {
					free(v);
					*open_quote = quote;
					errno = EINVAL;
					return NULL;
				}
				p++;
			} else {
				*w++ = *p++;
			}
		}
		*w++ = '\0';
	}
	v[n] = NULL;
	if (n == 0) {
		free(v);
		errno = EINVAL;
		return NULL;
	}
	return v;
}

int
exec_check(char *const *argv)
{
	const char *path, *p, *end;
	char full[4096];
	size_t n;

	if (strchr(argv[0], '/') != NULL)
		return access(argv[0], X_OK);
	path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		n = end ? (size_t)(end - p) : strlen(p);
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)n, p,
			n ? "/" : "", argv[0]) < (int)sizeof(full) &&
		    access(full, X_OK) == 0)
			return 0;
		if (end == NULL)
			break;
	}
	errno = ENOENT;
	return -1;
}

/* Closes every descriptor from lo up. */
static void
close_from(int lo)
{
	long max, fd;

#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned)lo, ~0U, 0) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lo; fd < max; fd++)
		close((int)fd);
}

pid_t
exec_spawn(char *const *argv, int fd, void (*report)(const struct sock_err *))
{
	pid_t pid = fork();
	struct sock_err e;
	sigset_t none;
	int saved;

	if (pid != 0)
		return pid;
	/* the child: the socket is stdin and stdout, stderr stays ours; no
	   signal blocked (the relay blocks SIGINT and SIGTERM between waits) */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1)
		_exit(126);
	if (fd > 1)
		close(fd);
	close_from(3); /* nothing of ours, nor of our parent, leaks */
	execvp(argv[0], argv);
	saved = errno;
	sock_fail(&e, SOCK_ELOCAL, saved, "exec %s", argv[0]);
	report(&e);
	_exit(saved == ENOENT ? 127 : 126);
}
