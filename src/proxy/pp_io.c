/* The PROXY protocol header sent on a connected socket (connect).  A
   listener reads it in the relay's loop: stream/header.c. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "proxy/pp.h"

/* Waits for events on fd until deadline.  Returns 0, or -1 (*e). */
static int
wait_for(int fd, short events, double deadline, const char *what,
    struct sock_err *e)
{
	int ms = deadline < 0 ? -1 : sock_poll_ms(deadline, sock_now_ms());
	int rc = sock_wait(fd, events, ms, e);

	if (rc == 0)
		return sock_fail(e, SOCK_ENET, ETIMEDOUT, "%s", what);
	return rc == -1 ? -1 : 0;
}

int
pp_send(int fd, int version, int64_t timeout_ms, struct sock_err *e)
{
	double deadline = timeout_ms < 0 ? -1 : sock_now_ms() + timeout_ms;
	struct sock_addr local, peer;
	unsigned char b[256];
	size_t len, off = 0;
	ssize_t n;

	if (sock_name(fd, &local, e) == -1 || sock_peer(fd, &peer, e) == -1)
		return -1;
	len = pp_build(version, &local, &peer, b, sizeof(b));
	while (off < len) {
		n = send(fd, b + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return sock_fail(e, SOCK_ENET, errno,
			    "send PROXY protocol header");
		if (wait_for(fd, POLLOUT, deadline,
			"send PROXY protocol header", e) == -1)
			return -1;
	}
	return 0;
}
