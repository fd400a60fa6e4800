/* -e/-c: a child process per client, the socket as its stdin/stdout. */
#ifndef SOCKIT_EXEC_H
#define SOCKIT_EXEC_H

#include <sys/types.h>

#include "sock/sock.h"

/* Splits cmd into words at blanks; '...' and "..." group, nothing else
   is expanded.  Returns a NULL-terminated vector (free with free()), or
   NULL: errno ENOMEM, or EINVAL with *open_quote the quote left open
   ('\0' when cmd has no word). */
char **exec_split(const char *cmd, char *open_quote);
/* Checks that argv[0] can be run (a path, or found in PATH).  Returns 0,
   or -1 with errno set. */
int exec_check(char *const *argv);
/* Starts argv with fd as its stdin and stdout.  Returns the child's pid,
   or -1 with errno set.  When exec fails, the child hands the error to
   report (it writes "exec ARGV0: why") and exits 127 or 126. */
pid_t exec_spawn(char *const *argv, int fd,
    void (*report)(const struct sock_err *));

#endif
