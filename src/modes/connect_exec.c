/* connect -e/-c: the connected socket becomes CMD's stdin and stdout
   (stream/exec.c starts it, as for listen -e); sockit waits for it and
   exits with its status.  And what connect's --mptcp, --proxy-protocol
   and -e/-c do not go with. */
#include "config.h"

#include <sys/wait.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "modes/session.h"
#include "out/report.h"
#include "stream/exec.h"

int
connect_check(const struct session *s, bool check, bool udp, bool proxy)
{
	const struct relay_opts *ro = &s->ro;

	if (s->mptcp && (s->unix_path != NULL || proxy || udp))
		return usage_error(
		    "--mptcp is TCP: not with -U, -u or --proxy");
	if (s->proxy_protocol != 0 && check)
		return usage_error("--proxy-protocol goes with a session, "
				   "not -z");
	if (udp && !check && (s->proxy_protocol != 0 || s->ro.telnet))
		return usage_error(
		    "--proxy-protocol and -t are TCP's: not with "
		    "-u");
	if (s->exec_argv == NULL)
		return 0;
	if (check)
		return usage_error("-e/-c run a command on a connection: "
				   "not with -z");
	if (udp)
		return usage_error("-e/-c run a command on a TCP or Unix "
				   "stream connection: not with -u");
	if (s->tls.on || s->output_path != NULL || s->hexdump_path != NULL ||
	    ro->crlf || ro->no_shutdown || ro->send_only || ro->recv_only ||
	    ro->quit_after_ms >= 0 || ro->idle_ms >= 0 || ro->telnet ||
	    ro->delay_ms > 0)
		return usage_error(
		    "-e/-c give the socket to the command: --tls, -o, -x, "
		    "-C, -q, --no-shutdown, --send-only, --recv-only, "
		    "--idle-timeout, -t and --delay do not apply");
	if (exec_check(s->exec_argv) == -1)
		return usage_error("cannot run \"%s\": %s", s->exec_argv[0],
		    strerror(errno));
	return 0;
}

int
connect_exec(const struct session *s, int fd)
{
	struct endpoint c;
	pid_t pid;
	int st, saved;

	memset(&c, 0, sizeof(c));
	c.start_ms = sock_now_ms();
	pid = exec_spawn(s->exec_argv, fd, report_nonfatal);
	saved = errno;
	close(fd);
	if (pid == -1)
		return fail(SOCK_ELOCAL, "fork: %s", strerror(saved));
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return fail(SOCK_ELOCAL, "waitpid: %s",
			    strerror(errno));
	session_closed(&c, false, false);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}
