/* Unix stream sockets: paths, listening, connecting (src/sock/tcp.c,
   src/sock/connect.c). */
#include "config.h"

#include "test_sock.h"

void
test_unix(void)
{
	char dir[] = "/tmp/test_sock.XXXXXX", path[128], abs[64], buf[8];
	struct sock_addr a, peer, name;
	struct sock_err e;
	struct stat st;
	int lfd, fd, sfd, f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp for the Unix socket tests");
		return;
	}
	snprintf(path, sizeof(path), "%s/s", dir);
	sock_addr_unix(&a, path, &e);
	lfd = sock_listen(&a, false, 0, &e);
	ok(lfd >= 0 && stat(path, &st) == 0 && S_ISSOCK(st.st_mode),
	    "sock_listen on a Unix path makes the socket file");
	fd = lfd >= 0 ? sock_connect(&a, NULL, WAIT_MS, &e) : -1;
	ok(fd >= 0, "sock_connect to the Unix socket");
	sfd = fd >= 0 ? sock_accept(lfd, WAIT_MS, &peer, &e) : -1;
	ok(sfd >= 0 && peer.family == AF_UNIX,
	    "sock_accept of a Unix client (unnamed, AF_UNIX)");
	ok(fd >= 0 && sfd >= 0 && write(fd, "unix", 4) == 4 &&
		read_all(sfd, buf, 4) && memcmp(buf, "unix", 4) == 0,
	    "bytes cross the Unix socket");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);

	/* a live listener is not taken over */
	memset(&e, 0, sizeof(e));
	fd = sock_listen(&a, false, 0, &e);
	ok(fd == -1 && e.kind == SOCK_ELOCAL && e.code == EADDRINUSE,
	    "sock_listen on a path someone listens on: ELOCAL, EADDRINUSE");
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);

	/* the file stays, nobody listens: stale, replaced */
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode),
	    "closing the listener leaves a stale socket file");
	lfd = sock_listen(&a, false, 0, &e);
	fd = lfd >= 0 ? sock_connect(&a, NULL, WAIT_MS, &e) : -1;
	ok(lfd >= 0 && fd >= 0,
	    "sock_listen replaces the stale socket file, and it works");
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	unlink(path);

	/* anything else at the path is left alone */
	f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok(f >= 0 && write(f, "keep", 4) == 4, "a regular file at the path");
	if (f >= 0)
		close(f);
	memset(&e, 0, sizeof(e));
	lfd = sock_listen(&a, false, 0, &e);
	ok(lfd == -1 && e.kind == SOCK_ELOCAL,
	    "sock_listen refuses a path holding a regular file: ELOCAL (%s: "
	    "%s)",
	    e.what, sock_strerror(&e));
	memset(buf, 0, sizeof(buf));
	f = open(path, O_RDONLY | O_CLOEXEC);
	ok(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4 &&
		f >= 0 && read(f, buf, sizeof(buf)) == 4 &&
		memcmp(buf, "keep", 4) == 0,
	    "the regular file is left intact");
	if (f >= 0)
		close(f);
	if (lfd >= 0)
		close(lfd);
	unlink(path);

	/* the abstract namespace: no file */
	snprintf(abs, sizeof(abs), "@sockit-test-%ld", (long)getpid());
	sock_addr_unix(&a, abs, &e);
	lfd = sock_listen(&a, false, 0, &e);
	ok(lfd >= 0, "sock_listen on abstract \"%s\"", abs);
	ok(lfd >= 0 && sock_name(lfd, &name, &e) == 0 &&
		name.family == AF_UNIX && strcmp(name.host, abs) == 0,
	    "sock_name of the abstract listener is \"%s\"", abs);
	fd = lfd >= 0 ? sock_connect(&a, NULL, WAIT_MS, &e) : -1;
	sfd = fd >= 0 ? sock_accept(lfd, WAIT_MS, &peer, &e) : -1;
	ok(fd >= 0 && sfd >= 0 && write(sfd, "abs", 3) == 3 &&
		read_all(fd, buf, 3) && memcmp(buf, "abs", 3) == 0,
	    "connect, accept and bytes over the abstract socket");
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);

	/* nobody at a path: refused */
	snprintf(path, sizeof(path), "%s/none", dir);
	sock_addr_unix(&a, path, &e);
	memset(&e, 0, sizeof(e));
	fd = sock_connect(&a, NULL, WAIT_MS, &e);
	ok(fd == -1 && e.kind == SOCK_ENET && e.code == ENOENT,
	    "sock_connect to a missing Unix path: ENET, ENOENT");
	if (fd >= 0)
		close(fd);
	rmdir(dir);
}
