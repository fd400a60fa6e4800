/* bench/floor_server.c: the least a keep-open server can do for a client
   of bench/keepopen.sh, the floor its closed loop is read against: a
   blocking accept, reads to EOF, close.  No stdin, no output, no events.
   Usage: floor_server PORT (on 127.0.0.1).  Built by `make bench`. */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[4096];
	int l, c, on = 1;

	if (argc != 2)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l == -1 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(l, 128) == -1)
		return 1;
	for (;;) {
		c = accept(l, NULL, NULL);
		if (c == -1)
			continue;
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}
