/* The option table and the mode table: one row per option of each mode,
   one per mode.  getopt_long's strings, each mode's --help and `sockit
   --list-options` are all built from these rows (options.c). */
#include "config.h"

#include <stddef.h>

#include "cli/options.h"

const struct opt opts[] = {
	/* udp-send */
	{ 'l', "lines", NULL, M_UDPSEND,
	    "stdin: one datagram per line (newline not sent)" },
	{ O_EMPTY, "empty", NULL, M_UDPSEND,
	    "with --lines, send empty lines (else skipped)" },
	{ O_COUNT, "count", "N", M_UDPSEND, "send the payload N times" },
	{ O_INTERVAL, "interval", "DUR", M_UDPSEND,
	    "wait DUR between datagrams" },
	{ 'b', "broadcast", NULL, M_UDPSEND,
	    "allow broadcast addresses (SO_BROADCAST)" },
	{ O_TTL, "ttl", "N", M_UDPSEND, "unicast and multicast TTL (hops)" },
	{ 's', "source", "ADDR", M_UDPSEND, "send from local address ADDR" },
	{ 'p', "source-port", "PORT", M_UDPSEND, "send from local PORT" },
	{ O_REPLY, "reply", NULL, M_UDPSEND,
	    "wait for one datagram back and print it" },
	{ 'w', "timeout", "DUR", M_UDPSEND,
	    "with --reply: wait DUR for it (default 2s)" },
	/* udp-recv */
	{ O_COUNT, "count", "N", M_UDPRECV, "stop after N datagrams" },
	{ 'w', "timeout", "DUR", M_UDPRECV,
	    "stop once DUR passes with no datagram" },
	{ O_ECHO, "echo", NULL, M_UDPRECV,
	    "send each datagram back to its sender" },
	{ O_JOIN, "join", "GROUP", M_UDPRECV,
	    "join multicast GROUP (IPv4 or IPv6)" },
	{ O_INTERFACE, "interface", "IF", M_UDPRECV,
	    "with --join: join on interface IF" },
	{ O_LINES, "lines", NULL, M_UDPRECV,
	    "text: a newline after each datagram without one" },
	/* udp-send, udp-recv */
	{ 'O', "sockopt", "NAME=VALUE", M_UDPSEND | M_UDPRECV,
	    "set a socket option (repeatable)" },
	/* resolve */
	{ O_SERVICE, "service", "SERVICE", M_RESOLVE,
	    "resolve SERVICE (port or name) too" },
	{ 't', "type", "TYPE", M_RESOLVE,
	    "socket type: stream (default), dgram or any" },
	{ O_PASSIVE, "passive", NULL, M_RESOLVE,
	    "addresses for binding (AI_PASSIVE)" },
	{ O_CANONICAL, "canonical", NULL, M_RESOLVE,
	    "report the canonical name (AI_CANONNAME)" },
	{ 'r', "reverse", NULL, M_RESOLVE,
	    "NAMEs are addresses: look up host names" },
	/* listen */
	{ 'k', "keep-open", NULL, M_LISTEN,
	    "keep accepting: clients served at once, stdin to all" },
	{ 'e', "exec", "CMD", M_LISTEN,
	    "run CMD per client (no shell), socket as stdin/out" },
	{ 'c', "sh-exec", "CMD", M_LISTEN, "run /bin/sh -c CMD per client" },
	{ 'm', "max-conns", "N", M_LISTEN,
	    "at most N clients at once; more are refused" },
	{ O_ALLOW, "allow", "CIDR", M_LISTEN,
	    "only clients from CIDR (repeatable)" },
	{ O_DENY, "deny", "CIDR", M_LISTEN,
	    "refuse clients from CIDR (repeatable; wins)" },
	{ O_BACKLOG, "backlog", "N", M_LISTEN,
	    "listen queue length (default min(SOMAXCONN, 128))" },
	{ 'w', "timeout", "DUR", M_LISTEN,
	    "how long to wait for the first client (exit 1)" },
	/* connect */
	{ 's', "source", "ADDR", M_CONNECT, "connect from local address ADDR" },
	{ 'p', "source-port", "PORT", M_CONNECT, "connect from local PORT" },
	{ 'w', "timeout", "DUR", M_CONNECT,
	    "deadline of each connect attempt and of all" },
	{ 'z', "check", NULL, M_CONNECT,
	    "check PORTS (22,80,8000-8100), sending no data" },
	{ 'u', "udp", NULL, M_CONNECT,
	    "with -z: UDP probe (ICMP: closed, else open_filtered)" },
	{ O_WAIT, "wait", "DUR", M_CONNECT,
	    "with -z: retry until every port is open or DUR passed" },
	{ O_PARALLEL, "parallel", "N", M_CONNECT,
	    "with -z: checks at once (default 256)" },
	{ O_ALL_ADDRESSES, "all-addresses", NULL, M_CONNECT,
	    "with -z: a result per address; all must be open" },
	{ O_PROXY, "proxy", "URL", M_CONNECT,
	    "through a proxy: socks5[h]://, socks4[a]://, http://" },
	{ O_SHUTDOWN, "shutdown", NULL, M_CONNECT,
	    "with --proxy: half-close the tunnel at stdin EOF" },
	{ O_SNI, "sni", "NAME", M_CONNECT,
	    "with --tls: name sent and verified instead of HOST" },
	{ O_INSECURE, "insecure", NULL, M_CONNECT,
	    "with --tls: do not verify the server's certificate" },
	{ O_MIN_DAYS, "min-days", "N", M_CONNECT,
	    "with --tls: fail a certificate expiring in < N days" },
	/* the stream session: listen and connect */
	{ 'U', "unix", "PATH", M_STREAM,
	    "Unix socket PATH (@NAME: abstract); no HOST/PORT" },
	{ 'C', "crlf", NULL, M_STREAM, "send LF as CRLF" },
	{ O_NO_SHUTDOWN, "no-shutdown", NULL, M_STREAM,
	    "do not half-close the socket at stdin EOF" },
	{ 'q', "quit-after", "DUR", M_STREAM,
	    "end the session DUR after stdin EOF (exit 0)" },
	{ O_SEND_ONLY, "send-only", NULL, M_STREAM,
	    "only send stdin; ignore what the peer sends" },
	{ O_RECV_ONLY, "recv-only", NULL, M_STREAM,
	    "only receive; never read stdin" },
	{ O_IDLE_TIMEOUT, "idle-timeout", "DUR", M_STREAM,
	    "end a session with no traffic for DUR (exit 1)" },
	{ 'O', "sockopt", "NAME=VALUE", M_STREAM,
	    "set a socket option (see sockit sockopt --list)" },
	{ 'o', "output", "FILE", M_STREAM,
	    "write a copy of both directions to FILE" },
	{ 'x', "hexdump", "FILE", M_STREAM,
	    "hex dump of both directions to FILE (- = stderr)" },
	{ O_TLS, "tls", NULL, M_STREAM,
	    "TLS (handshake deadline: connect -w, else 10s)" },
	{ O_CA, "ca", "FILE", M_STREAM,
	    "with --tls: CAs to trust (listen: client certs)" },
	{ O_CERT, "cert", "FILE", M_STREAM,
	    "with --tls: PEM certificate (listen: else self-signed)" },
	{ O_KEY, "key", "FILE", M_STREAM,
	    "with --tls: private key of --cert (default: in it)" },
	{ O_ALPN, "alpn", "LIST", M_STREAM,
	    "with --tls: ALPN protocols offered: h2,http/1.1" },
	/* sockopt */
	{ O_TCP, "tcp", NULL, M_SOCKOPT, "a TCP socket (the default)" },
	{ 'u', "udp", NULL, M_SOCKOPT, "a UDP socket (with --unix: datagram)" },
	{ O_UNIX, "unix", NULL, M_SOCKOPT, "a Unix socket (stream, or --udp)" },
	{ O_CONNECT, "connect", "HOST", M_SOCKOPT,
	    "a live TCP connection to HOST:PORT, or HOST PORT" },
	{ O_LISTEN, "listen", "[ADDR:]PORT", M_SOCKOPT,
	    "a socket bound (TCP: listening) on ADDR (any) PORT" },
	{ O_FD, "fd", "N", M_SOCKOPT,
	    "the inherited socket N (inetd, systemd)" },
	{ O_LIST, "list", NULL, M_SOCKOPT,
	    "print the table of known options and exit" },
	{ 'w', "timeout", "DUR", M_SOCKOPT,
	    "with --connect: connect deadline" },
	/* global */
	{ '4', NULL, NULL, M_ALL, "IPv4 only" },
	{ '6', NULL, NULL, M_ALL, "IPv6 only" },
	{ 'j', "json", NULL, M_ALL, "JSON Lines output" },
	{ 'v', "verbose", NULL, M_ALL,
	    "more diagnostics on stderr (repeatable)" },
	{ O_QUIET, "quiet", NULL, M_ALL, "no diagnostics but errors" },
	{ 'w', "timeout", "DUR", M_TOP,
	    "deadline: connect, accept, receive (see MODE --help)" },
	{ 'w', "timeout", "DUR", M_RESOLVE,
	    "give up on names not resolved within DUR" },
	{ 'n', "numeric", NULL, M_ALL, "no DNS: numeric hosts and ports only" },
	{ 'h', "help", NULL, M_ALL | M_TOP, "show this help and exit" },
	{ 'V', "version", NULL, M_TOP, "show the version and exit" },
	{ 0, NULL, NULL, 0, NULL }
};

const struct mode modes[] = {
	{ "listen", M_LISTEN, "[OPTIONS] [ADDRESS] PORT",
	    "TCP/Unix server: relay stdin/stdout with clients",
	    "ADDRESS defaults to all interfaces (dual-stack).  PORT 0 picks a "
	    "free port.\nWith LISTEN_FDS/LISTEN_PID (systemd), serves the "
	    "inherited sockets." },
	{ "connect", M_CONNECT, "[OPTIONS] HOST PORT[,PORTS]",
	    "TCP/Unix client: relay stdin/stdout, or check ports (-z)",
	    "HOST PORT may be one argument: HOST:PORT or [V6ADDR]:PORT.\n"
	    "Every address of HOST is tried (IPv6 and IPv4 raced).  With -z, "
	    "-w bounds\neach check (default 2s); exit 0 when every port is "
	    "open.  With -z, ports may\nalso be separate arguments: "
	    "HOST 22 80 443." },
	{ "udp-send", M_UDPSEND, "[OPTIONS] HOST PORT [MESSAGE...]",
	    "send datagrams (MESSAGE, or stdin)",
	    "MESSAGE words are joined by single spaces into one datagram.\n"
	    "Without MESSAGE, all of stdin is one datagram; with --lines, stdin is\n"
	    "read to its end first, then each line is sent.  A payload over the\n"
	    "limit (65507 bytes over IPv4, 65527 over IPv6) is exit 2, and\n"
	    "nothing is sent." },
	{ "udp-recv", M_UDPRECV, "[OPTIONS] [ADDRESS] PORT",
	    "receive datagrams, print them",
	    "Writes each payload to stdout as it arrives; with --json, one\n"
	    "object per datagram.  --echo never sends back more bytes than it\n"
	    "received.  Exit 1 when -w passes before any datagram." },
	{ "sockopt", M_SOCKOPT, "[OPTIONS] [NAME[=VALUE]...]",
	    "show/set socket options on a socket",
	    "Sets each NAME=VALUE in order, then prints every NAME given (all\n"
	    "readable options of the socket when none is).  NAME is case-\n"
	    "insensitive (rcvbuf = SO_RCVBUF); see --list.  VALUE: a number\n"
	    "(K, M, G), on/off, a DUR for timeouts, off or a DUR for SO_LINGER,\n"
	    "a DSCP name (ef, af41) for IP_TOS.  A fresh socket is IPv4 unless\n"
	    "-6.  Exit 2 for a bad NAME or VALUE, 4 when the kernel refuses one." },
	{ "resolve", M_RESOLVE, "[OPTIONS] NAME...",
	    "name and service resolution (getaddrinfo)",
	    "Exit 3 when any NAME fails to resolve; the others are still "
	    "printed." },
	{ NULL, 0, NULL, NULL, NULL }
};
