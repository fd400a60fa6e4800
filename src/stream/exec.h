/* -e/-c: a child process per client, the socket as its stdin/stdout. */
#ifndef SOCKIT_EXEC_H
#define SOCKIT_EXEC_H

#include <sys/types.h>

/* Splits cmd into words at blanks; '...' and "..." group, nothing else
   is expanded.  Returns a NULL-terminated vector (free with free()), or
   NULL after printing a usage error. */
char **exec_split(const char *cmd);
/* Checks that argv[0] can be run (a path, or found in PATH).  Returns 0,
   or -1 with errno set. */
int exec_check(char *const *argv);
/* Starts argv with fd as its stdin and stdout.  Returns the child's pid,
   or -1 with errno set. */
pid_t exec_spawn(char *const *argv, int fd);

#endif
