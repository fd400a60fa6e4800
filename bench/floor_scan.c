/* bench/floor_scan.c: the least a TCP port scanner can do, the floor of
   bench/check.sh's 65535-port check: one thread per CPU, each with its
   share of the ports (every nth), one non-blocking socket and connect per
   port, up to 256 of them in flight per thread, poll(2) for the ones in
   progress (1 s at most), close.  Prints each open port; nothing else (no
   names, no order, no retries, no resolution).
   Usage: floor_scan FIRST LAST (on 127.0.0.1).  Built by `make bench`. */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define WINDOW 256

static int first, last, nthreads;

static void
reap(struct pollfd *fds, int *ports, int *n, int timeout_ms)
{
	int i, err;
	socklen_t len = sizeof(err);

	if (poll(fds, (nfds_t)*n, timeout_ms) <= 0) {
		/* nothing answered in time: filtered */
		for (i = 0; i < *n; i++)
			close(fds[i].fd);
		*n = 0;
		return;
	}
	for (i = 0; i < *n;) {
		if (fds[i].revents == 0) {
			i++;
			continue;
		}
		if (getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) ==
			0 &&
		    err == 0)
			printf("%d\n", ports[i]);
		close(fds[i].fd);
		fds[i] = fds[--*n];
		ports[i] = ports[*n];
	}
}

static void *
scan(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd fds[WINDOW];
	int ports[WINDOW], n = 0, port, s;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (port = first + (int)(long)arg; port <= last; port += nthreads) {
		if (n == WINDOW)
			reap(fds, ports, &n, 1000);
		s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (s == -1)
			continue;
		a.sin_port = htons((unsigned short)port);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
			printf("%d\n", port);
		} else if (errno == EINPROGRESS) {
			fds[n] = (struct pollfd){ .fd = s, .events = POLLOUT };
			ports[n++] = port;
			continue;
		}
		close(s);
	}
	while (n > 0)
		reap(fds, ports, &n, 1000);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[256];
	long i;

	if (argc != 3)
		return 2;
	first = atoi(argv[1]);
	last = atoi(argv[2]);
	nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 256)
		nthreads = 256;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, scan, (void *)i) != 0)
			return 1;
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
