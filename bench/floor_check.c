/* bench/floor_check.c: the least a one-port check can do, the floor of
   bench/check.sh's "one -z check": exec (the caller's), one blocking TCP
   connect to 127.0.0.1:PORT, close, exit 0 when it connected, 1 if not.
   Linked like sockit (dynamically, libc only).  Usage: floor_check PORT.
   Built by `make bench`. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s;

	if (argc != 2)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s == -1 || connect(s, (struct sockaddr *)&a, sizeof(a)) == -1)
		return 1;
	close(s);
	return 0;
}
