/* The nc front end (cli/nc.c): OpenBSD nc's command lines as the words
   of connect or listen, and what it refuses with which status. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/nc.h"
#include "../tap.h"
#include "test_cli.h"

/* nc_translate() of line (words at blanks); the mode and the words
   after argv[0] into buf, or "exit N".  Returns buf. */
static const char *
translate(const char *line, char *buf, size_t len)
{
	char copy[256], *argv[32], *w;
	struct nc_cmd cmd;
	int argc = 0, status, i;
	size_t off;

	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok(copy, " "); w != NULL && argc < 31;
	     w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	status = nc_translate(argc, argv, &cmd);
	if (status != 0) {
		snprintf(buf, len, "exit %d", status);
	} else {
		off = (size_t)snprintf(buf, len, "%s", cmd.mode);
		for (i = 1; i < cmd.argc && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, " %s",
			    cmd.argv[i]);
	}
	nc_free(&cmd);
	return buf;
}

/* nc_globals() of line, the word nc at index at: nc's argv that
   results (words at blanks), or "exit N".  Returns buf. */
static const char *
globals(const char *line, int at, char *buf, size_t len)
{
	char copy[256], *argv[32], *w;
	int argc = 0, status, i;
	size_t off = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok(copy, " "); w != NULL && argc < 31;
	     w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	status = nc_globals(&argc, argv, at);
	if (status != 0)
		return snprintf(buf, len, "exit %d", status), buf;
	buf[0] = '\0';
	for (i = 0; i < argc && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? " " : "", argv[i]);
	if (argv[argc] != NULL)
		snprintf(buf, len, "argv[%d] is not NULL", argc);
	return buf;
}

/* sockit's global options before the word nc: nc's own letters kept,
   the others refused. */
static void
test_nc_globals(void)
{
	static const struct {
		const char *line;
		int at;
		const char *want;
	} cases[] = {
		{ "sockit nc -z h 80", 1, "nc -z h 80" },
		{ "sockit -v nc -z h 80", 2, "nc -v -z h 80" },
		{ "sockit -4 -vn nc h 80", 3, "nc -4 -vn h 80" },
		{ "sockit --verbose --numeric nc h 80", 3, "nc -v -n h 80" },
		{ "sockit -w 3 -6 nc h 80", 4, "nc -w 3 -6 h 80" },
		{ "sockit -vw3 nc h 80", 2, "nc -vw3 h 80" },
		{ "sockit --timeout 2 nc h 80", 3, "nc -w 2 h 80" },
		{ "sockit --timeout=2s nc h 80", 2, "nc -w2s h 80" },
		{ "sockit -v -- nc h 80", 3, "nc -v h 80" },
		{ "sockit -j nc h 80", 2, "exit 2" },
		{ "sockit -vj nc h 80", 2, "exit 2" },
		{ "sockit --json nc h 80", 2, "exit 2" },
		{ "sockit --quiet nc h 80", 2, "exit 2" },
	};
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(globals(cases[i].line, cases[i].at, buf, sizeof(buf)),
		    cases[i].want, "nc front end: %s", cases[i].line);
}

void
test_nc(void)
{
	static const struct {
		const char *nc, *sockit;
	} cases[] = {
		{ "nc -l -p 9000", "listen --no-shutdown 9000" },
		{ "nc -l 9000", "listen --no-shutdown 9000" },
		{ "nc -l 127.0.0.1 9000",
		    "listen --no-shutdown 127.0.0.1 9000" },
		{ "nc -l -s ::1 -p 9000", "listen --no-shutdown ::1 9000" },
		{ "nc -lkN -w 5 9000", "listen -k --idle-timeout 5 9000" },
		{ "nc -N -q 2 -w 3 example.org 80",
		    "connect -w 3 -q 2 --idle-timeout 3 example.org 80" },
		{ "nc -q -1 h 80", "connect --no-shutdown h 80" },
		{ "nc -zv -w 1 h 20-25 80", "connect -v -z -w 1 h 20-25 80" },
		{ "nc -d -C -s 10.0.0.1 -p 5000 h 80",
		    "connect -C --no-shutdown --recv-only -s 10.0.0.1 -p 5000 "
		    "h 80" },
		{ "nc -U /run/app.sock",
		    "connect --no-shutdown -U /run/app.sock" },
		{ "nc -lU @app", "listen --no-shutdown -U @app" },
		{ "nc -x 127.0.0.1 h 80",
		    "connect --proxy socks5h://127.0.0.1:1080 h 80" },
		{ "nc -N -X connect -x proxy:8080 h 443",
		    "connect --proxy http://proxy:8080 --shutdown h 443" },
		{ "nc -X 4 -x [::1]:1081 h 1",
		    "connect --proxy socks4://[::1]:1081 h 1" },
		{ "nc -X connect -x ::1 h 1",
		    "connect --proxy http://[::1]:3128 h 1" },
		{ "nc -N -I 4096 -O 8192 -T lowdelay h 1",
		    "connect -O SO_RCVBUF=4096 -O SO_SNDBUF=8192 -O IP_TOS=16 h 1" },
		{ "nc -N -6 -M 7 -T 0x20 h 1",
		    "connect -6 -O IPV6_UNICAST_HOPS=7 -O IP_TOS=32 h 1" },
		{ "nc -u h 53", "connect -u h 53" },
		{ "nc -u -w 2 h 53", "connect -u -w 2 -q 2 h 53" },
		{ "nc -u -q 3 -w 2 h 53", "connect -u -w 2 -q 3 h 53" },
		{ "nc -ul -w 2 9000", "listen -u --idle-timeout 2 9000" },
		{ "nc -zu h 53", "connect -u -z h 53" },
		{ "nc h 80 -n", "connect -n --no-shutdown h 80" },
		{ "nc -i 1 h 1", "connect --no-shutdown --delay 1 h 1" },
		{ "nc -l -i 2 9000", "listen --no-shutdown --delay 2 9000" },
		{ "nc -t h 23", "connect -t --no-shutdown h 23" },
		{ "nc -ltk 23", "listen -t -k --no-shutdown 23" },
		/* what nc refuses too: nc's exit 1 */
		{ "nc h", "exit 1" },
		{ "nc", "exit 1" },
		{ "nc -k h 1", "exit 1" },
		{ "nc -l", "exit 1" },
		{ "nc -Q h 1", "exit 1" },
		{ "nc -w", "exit 1" },
		{ "nc -X 6 -x p h 1", "exit 1" },
		/* nc's options with no equivalent, -e and -c: exit 2 */
		{ "nc -F h 1", "exit 2" },
		{ "nc -S h 1", "exit 2" },
		{ "nc -e /bin/sh -l 9", "exit 2" },
		{ "nc -c date -l 9", "exit 2" },
		{ "nc h 80 81", "exit 2" },
		{ "nc -zU /run/app.sock", "exit 2" },
		{ "nc -u -t h 23", "exit 2" },
		{ "nc -tlu 23", "exit 2" },
	};
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(translate(cases[i].nc, buf, sizeof(buf)),
		    cases[i].sockit, "nc front end: %s", cases[i].nc);
	ok(nc_named("nc") && nc_named("/usr/local/bin/netcat") &&
		!nc_named("sockit") && !nc_named("ncat"),
	    "nc front end: the names nc and netcat");
	test_nc_globals();
}
