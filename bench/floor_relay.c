/* bench/floor_relay.c: the least a relay can do, the floor bench/relay.sh
   reads sockit against: the kernel's part only, splice(2) and sendfile(2)
   with blocking descriptors, no poll, no options, no output.
     floor_relay listen PORT   accepts one client on 127.0.0.1, moves what
			       it sends to stdout (splice into stdout when
			       it is a pipe, else through a pipe of its
			       own: socket -> pipe -> stdout), exits at EOF
     floor_relay connect PORT  connects to 127.0.0.1, moves stdin to the
			       socket (sendfile from a file, splice from a
			       pipe), exits at EOF
   The pipes are 1 MiB (F_SETPIPE_SZ) and every call asks for 1 MiB, as
   sockit's zero-copy path does.  Built by `make bench`. */
#define _GNU_SOURCE
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static int
sock_to_out(int s)
{
	struct stat st;
	int p[2], in = s, out = STDOUT_FILENO;
	ssize_t n, m;

	if (fstat(out, &st) == -1)
		return 1;
	if (S_ISFIFO(st.st_mode)) {
		fcntl(out, F_SETPIPE_SZ, CHUNK);
		while (
		    (n = splice(in, NULL, out, NULL, CHUNK, SPLICE_F_MOVE)) > 0)
			;
		return n == 0 ? 0 : 1;
	}
	if (pipe(p) == -1)
		return 1;
	fcntl(p[0], F_SETPIPE_SZ, CHUNK);
	while ((n = splice(in, NULL, p[1], NULL, CHUNK, SPLICE_F_MOVE)) > 0)
		for (; n > 0; n -= m)
			if ((m = splice(p[0], NULL, out, NULL, (size_t)n,
				 SPLICE_F_MOVE)) <= 0)
				return 1;
	return n == 0 ? 0 : 1;
}

static int
in_to_sock(int s)
{
	struct stat st;
	ssize_t n;

	if (fstat(STDIN_FILENO, &st) == -1)
		return 1;
	if (S_ISREG(st.st_mode)) {
		while ((n = sendfile(s, STDIN_FILENO, NULL, CHUNK)) > 0)
			;
	} else {
		fcntl(STDIN_FILENO, F_SETPIPE_SZ, CHUNK);
		while ((n = splice(STDIN_FILENO, NULL, s, NULL, CHUNK,
			    SPLICE_F_MOVE)) > 0)
			;
	}
	return n == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s, l, on = 1, rc;

	if (argc != 3)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s == -1)
		return 1;
	if (strcmp(argv[1], "listen") == 0) {
		if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ==
			-1 ||
		    bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 ||
		    listen(s, 1) == -1 || (l = accept(s, NULL, NULL)) == -1)
			return 1;
		return sock_to_out(l);
	}
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == -1)
		return 1;
	rc = in_to_sock(s);
	close(s);
	return rc;
}
