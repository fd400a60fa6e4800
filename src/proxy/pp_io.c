/* The PROXY protocol header on a connected socket: read (taking no byte
   past it: the client's data stays for the relay) or sent. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/pp.h"

#define WAIT (-2) /* read_step(): nothing came yet */

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

/* Takes the next bytes of the header into b + *have: peeks at what came,
   and consumes only the bytes that the parser says are the header's.
   Returns the verdict, WAIT, or -1 after filling *e. */
static int
read_step(int fd, int version, unsigned char *b, size_t *have,
    struct pp_header *h, struct sock_err *e)
{
	const char *what = "PROXY protocol header";
	enum pp_verdict v;
	ssize_t n;

	n = recv(fd, b + *have, PP_V2_MAX - *have, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return WAIT; /* nothing yet */
	if (n == -1)
		return sock_fail(e, SOCK_ENET, errno, "%s", what);
	if (n == 0)
		return sock_failmsg(e, SOCK_ENET,
		    *have ? "the client closed in the middle of it" :
			    "the client closed without sending one",
		    "%s", what);
	v = pp_parse(b, *have + (size_t)n, version, h);
	if (v == PP_BAD)
		return sock_failmsg(e, SOCK_ENET, h->reason, "%s", what);
	if (v == PP_DONE)
		n = (ssize_t)(h->len - *have);
	/* what the parser took (all of it when it wants more) leaves the
	   socket; what follows the header stays */
	if (recv(fd, b + *have, (size_t)n, MSG_DONTWAIT) != n)
		return sock_fail(e, SOCK_ENET, errno ? errno : EIO, "%s", what);
	*have += (size_t)n;
	return v;
}

int
pp_read(int fd, int version, int64_t timeout_ms, struct pp_header *h,
    struct sock_err *e)
{
	double deadline = timeout_ms < 0 ? -1 : sock_now_ms() + timeout_ms;
	unsigned char *b = malloc(PP_V2_MAX);
	size_t have = 0;
	int v;

	if (b == NULL)
		return sock_fail(e, SOCK_ELOCAL, ENOMEM, "PROXY protocol");
	do {
		v = read_step(fd, version, b, &have, h, e);
		if (v == WAIT &&
		    wait_for(fd, POLLIN, deadline, "PROXY protocol header",
			e) == -1)
			v = -1;
	} while (v == WAIT || v == PP_MORE);
	free(b);
	return v == PP_DONE ? 0 : -1;
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
