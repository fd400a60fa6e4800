/* bench/floor_server.c: the least a keep-open server can do for a client
   of bench/keepopen.sh, the floor its loops are read against.  No stdin,
   no output, no events.
     floor_server PORT: a blocking accept, reads to EOF, close (one client
       at a time: the closed loop only).
     floor_server PORT epoll: the least an event loop does: a non-blocking
       listener in a level-triggered epoll set; one accept a wakeup (a
       queue keeps the listener ready), the client read at once (up to
       its EOF) and closed at EOF, or put in the set when it has not sent
       it all yet.
   On 127.0.0.1, backlog 128.  Built by `make bench`. */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[4096];

/* Reads c to EOF and closes it (1), or until it has nothing now (0). */
static int
drain(int c)
{
	ssize_t n;

	while ((n = read(c, buf, sizeof(buf))) > 0)
		;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	close(c);
	return 1;
}

static int
event_loop(int l)
{
	struct epoll_event ev = { .events = EPOLLIN }, ready[256];
	int ep = epoll_create1(0), n, k, c;

	ev.data.fd = l;
	if (ep == -1 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == -1)
		return 1;
	for (;;) {
		n = epoll_wait(ep, ready, 256, -1);
		for (k = 0; k < n; k++) {
			/* a client: read, closed at EOF (out of the set) */
			if (ready[k].data.fd != l) {
				drain(ready[k].data.fd);
				continue;
			}
			c = accept4(l, NULL, NULL, SOCK_NONBLOCK);
			if (c == -1 || drain(c))
				continue;
			ev.data.fd = c;
			epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int l, c, on = 1;
	int epoll = argc == 3 && strcmp(argv[2], "epoll") == 0;

	if (argc != 2 && !epoll)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | (epoll ? SOCK_NONBLOCK : 0), 0);
	if (l == -1 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(l, 128) == -1)
		return 1;
	if (epoll)
		return event_loop(l);
	for (;;) {
		c = accept(l, NULL, NULL);
		if (c == -1)
			continue;
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}
