/* bench/floor_udp.c: the least a UDP sender can do, the floor of
   bench/udp.sh: N datagrams of SIZE bytes to 127.0.0.1:PORT from one
   connected socket, handed to the kernel 64 at a time (sendmmsg), one
   message per datagram as udp-send sends them (no UDP_SEGMENT), nothing
   read, nothing printed; exit 0 when all were sent.  Linked like sockit
   (dynamically, libc only).  Usage: floor_udp PORT N SIZE.  Built by
   `make bench`. */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

int
main(int argc, char **argv)
{
	static char data[65507];
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct mmsghdr m[BATCH];
	struct iovec v;
	long n, sent = 0;
	int s, k, size;

	if (argc != 4)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = atol(argv[2]);
	size = atoi(argv[3]);
	if (size < 0 || size > (int)sizeof(data))
		return 2;
	memset(data, 'x', (size_t)size);
	v = (struct iovec){ .iov_base = data, .iov_len = (size_t)size };
	memset(m, 0, sizeof(m));
	for (k = 0; k < BATCH; k++) {
		m[k].msg_hdr.msg_iov = &v;
		m[k].msg_hdr.msg_iovlen = 1;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s == -1 || connect(s, (struct sockaddr *)&a, sizeof(a)) == -1)
		return 1;
	while (sent < n) {
		k = sendmmsg(s, m,
		    n - sent < BATCH ? (unsigned)(n - sent) : BATCH, 0);
		if (k == -1 && errno != EINTR && errno != ECONNREFUSED)
			return 1;
		if (k > 0)
			sent += k;
	}
	return 0;
}
