/* The option table and the mode table: one row per option of each mode,
   one per mode.  getopt_long's strings, each mode's --help and `sockit
   --list-options` are all built from these rows (options.c). */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/options.h"

const struct opt opts[] = {
	/* udp-send */
	{ 'l', "lines", ARG_NONE, M_UDPSEND,
	    "stdin: one datagram per line (newline not sent)" },
	{ O_EMPTY, "empty", ARG_NONE, M_UDPSEND,
	    "with --lines, send empty lines (else skipped)" },
	{ O_COUNT, "count", ARG_UINT(1, UINT64_C(1) << 48), M_UDPSEND,
	    "send the payload N times" },
	{ O_INTERVAL, "interval", ARG_DUR, M_UDPSEND,
	    "wait DUR between datagrams" },
	{ 'b', "broadcast", ARG_NONE, M_UDPSEND,
	    "allow broadcast addresses (SO_BROADCAST)" },
	{ O_TTL, "ttl", ARG_UINT(0, 255), M_UDPSEND,
	    "unicast and multicast TTL (hops)" },
	{ 's', "source", ARG_STRING("ADDR"), M_UDPSEND,
	    "send from local address ADDR" },
	{ 'p', "source-port", ARG_PORT, M_UDPSEND, "send from local PORT" },
	{ O_REPLY, "reply", ARG_NONE, M_UDPSEND,
	    "wait for one datagram back and print it" },
	{ 'w', "timeout", ARG_DUR, M_UDPSEND,
	    "with --reply: wait DUR for it (default 2s)" },
	/* udp-recv */
	{ O_COUNT, "count", ARG_UINT(1, UINT64_MAX), M_UDPRECV,
	    "stop after N datagrams" },
	{ 'w', "timeout", ARG_DUR, M_UDPRECV,
	    "stop once DUR passes with no datagram" },
	{ O_ECHO, "echo", ARG_NONE, M_UDPRECV,
	    "send each datagram back to its sender" },
	{ O_JOIN, "join", ARG_STRING("GROUP"), M_UDPRECV,
	    "join multicast GROUP (IPv4 or IPv6)" },
	{ O_INTERFACE, "interface", ARG_STRING("IF"), M_UDPRECV,
	    "with --join: join on interface IF" },
	{ O_LINES, "lines", ARG_NONE, M_UDPRECV,
	    "text: a newline after each datagram without one" },
	/* udp-send, udp-recv */
	{ 'O', "sockopt", ARG_SOCKOPT, M_UDPSEND | M_UDPRECV,
	    "set a socket option (repeatable)" },
	{ 'U', "unix", ARG_FILE("PATH"), M_UDPSEND | M_UDPRECV,
	    "Unix datagram socket PATH (@NAME: abstract)" },
	/* resolve */
	{ O_SERVICE, "service", ARG_STRING("SERVICE"), M_RESOLVE,
	    "resolve SERVICE (port or name) too" },
	{ 't', "type", ARG_CHOICE("TYPE", "stream|dgram|any"), M_RESOLVE,
	    "socket type: stream (default), dgram or any" },
	{ O_PASSIVE, "passive", ARG_NONE, M_RESOLVE,
	    "addresses for binding (AI_PASSIVE)" },
	{ O_CANONICAL, "canonical", ARG_NONE, M_RESOLVE,
	    "report the canonical name (AI_CANONNAME)" },
	{ 'r', "reverse", ARG_NONE, M_RESOLVE,
	    "NAMEs are addresses: look up host names" },
	/* listen */
	{ 'k', "keep-open", ARG_NONE, M_LISTEN,
	    "keep accepting: clients served at once, stdin to all" },
	{ 'e', "exec", ARG_STRING("CMD"), M_LISTEN,
	    "run CMD per client (no shell), socket as stdin/out" },
	{ 'c', "sh-exec", ARG_STRING("CMD"), M_LISTEN,
	    "run /bin/sh -c CMD per client" },
	{ 'm', "max-conns", ARG_UINT(1, 1000000), M_LISTEN,
	    "at most N clients at once; more are refused" },
	{ O_ALLOW, "allow", ARG_CIDR, M_LISTEN,
	    "only clients from CIDR (repeatable)" },
	{ O_DENY, "deny", ARG_CIDR, M_LISTEN,
	    "refuse clients from CIDR (repeatable; wins)" },
	{ O_BACKLOG, "backlog", ARG_UINT(1, 65535), M_LISTEN,
	    "listen queue length (default min(SOMAXCONN, 128))" },
	{ 'w', "timeout", ARG_DUR, M_LISTEN,
	    "how long to wait for the first client (exit 1)" },
	{ O_BROKER, "broker", ARG_NONE, M_LISTEN,
	    "every client's bytes to every other (implies -k)" },
	{ O_CHAT, "chat", ARG_NONE, M_LISTEN,
	    "line chat: <userN> LINE, joins, leaves (a broker)" },
	{ O_MAX_QUEUE, "max-queue", ARG_SIZE(1, UINT64_C(1) << 30), M_LISTEN,
	    "broker: a client behind by SIZE is dropped (1M)" },
	{ 'u', "udp", ARG_NONE, M_LISTEN,
	    "UDP: the first sender is the peer (-k: every sender)" },
	/* connect */
	{ 's', "source", ARG_STRING("ADDR"), M_CONNECT,
	    "connect from local address ADDR" },
	{ 'p', "source-port", ARG_PORT, M_CONNECT, "connect from local PORT" },
	{ 'w', "timeout", ARG_DUR, M_CONNECT,
	    "deadline of each connect attempt and of all" },
	{ 'z', "check", ARG_NONE, M_CONNECT,
	    "check PORTS (22,80,8000-8100), sending no data" },
	{ 'u', "udp", ARG_NONE, M_CONNECT,
	    "UDP: a datagram session; with -z, UDP probes" },
	{ O_WAIT, "wait", ARG_DUR, M_CONNECT,
	    "with -z: retry until every port is open or DUR passed" },
	{ O_PARALLEL, "parallel", ARG_UINT(1, 65535), M_CONNECT,
	    "with -z: checks at once (default 256)" },
	{ O_ALL_ADDRESSES, "all-addresses", ARG_NONE, M_CONNECT,
	    "with -z: a result per address; all must be open" },
	{ O_COUNT, "count", ARG_UINT(0, UINT64_C(1) << 48), M_CONNECT,
	    "with -z: probe N times (0: until interrupted), summary" },
	{ O_INTERVAL, "interval", ARG_DUR, M_CONNECT,
	    "with --count: DUR between probes (default 1s)" },
	{ O_TARGETS, "targets", ARG_FILE("FILE"), M_CONNECT,
	    "with -z: a check per line: HOST PORTS [opt=value...]" },
	{ O_FORMAT, "format",
	    ARG_CHOICE("FORMAT", "text|json|tap|junit|prometheus"), M_CONNECT,
	    "with -z: results as text, json, tap, junit, prometheus" },
	{ O_PROXY, "proxy", ARG_STRING("URL"), M_CONNECT,
	    "through a proxy: socks5[h]://, socks4[a]://, http://" },
	{ O_SHUTDOWN, "shutdown", ARG_NONE, M_CONNECT,
	    "with --proxy: half-close the tunnel at stdin EOF" },
	{ 'e', "exec", ARG_STRING("CMD"), M_CONNECT,
	    "run CMD (no shell), socket as stdin/out; its exit" },
	{ 'c', "sh-exec", ARG_STRING("CMD"), M_CONNECT,
	    "run /bin/sh -c CMD, socket as stdin/out; its exit" },
	{ O_SNI, "sni", ARG_STRING("NAME"), M_CONNECT,
	    "with --tls: name sent and verified instead of HOST" },
	{ O_INSECURE, "insecure", ARG_NONE, M_CONNECT,
	    "with --tls: do not verify the server's certificate" },
	{ O_MIN_DAYS, "min-days", ARG_UINT(0, 100000), M_CONNECT,
	    "with --tls: fail a certificate expiring in < N days" },
	{ O_SEND, "send", ARG_STRING("DATA"), M_CONNECT,
	    "with -z: send DATA (\\r \\n \\t \\\\ \\xHH) once connected" },
	{ O_EXPECT, "expect", ARG_STRING("REGEX"), M_CONNECT,
	    "with -z: the reply must match REGEX, else mismatch" },
	{ O_STARTTLS, "starttls",
	    ARG_CHOICE("PROTO", "smtp|imap|pop3|ftp|postgres"), M_CONNECT,
	    "with -z --tls: the protocol's upgrade to TLS first" },
	/* the stream session: listen and connect */
	{ 'U', "unix", ARG_FILE("PATH"), M_STREAM,
	    "Unix socket PATH (@NAME: abstract); no HOST/PORT" },
	{ 'C', "crlf", ARG_NONE, M_STREAM, "send LF as CRLF" },
	{ O_NO_SHUTDOWN, "no-shutdown", ARG_NONE, M_STREAM,
	    "do not half-close the socket at stdin EOF" },
	{ 'q', "quit-after", ARG_DUR, M_STREAM,
	    "end the session DUR after stdin EOF (exit 0)" },
	{ O_SEND_ONLY, "send-only", ARG_NONE, M_STREAM,
	    "only send stdin; ignore what the peer sends" },
	{ O_RECV_ONLY, "recv-only", ARG_NONE, M_STREAM,
	    "only receive; never read stdin" },
	{ O_IDLE_TIMEOUT, "idle-timeout", ARG_DUR, M_STREAM,
	    "end a session with no traffic for DUR (exit 1)" },
	{ 'O', "sockopt", ARG_SOCKOPT, M_STREAM,
	    "set a socket option (see sockit sockopt --list)" },
	{ O_PROXY_PROTOCOL, "proxy-protocol", ARG_CHOICE("VERSION", "v1|v2"),
	    M_STREAM, "PROXY protocol header (connect: send, listen: need)" },
	{ O_MPTCP, "mptcp", ARG_NONE, M_STREAM,
	    "Multipath TCP (falls back to TCP; -z too)" },
	{ 'o', "output", ARG_FILE("FILE"), M_STREAM,
	    "write a copy of both directions to FILE" },
	{ 'x', "hexdump", ARG_FILE("FILE"), M_STREAM,
	    "hex dump of both directions to FILE (- = stderr)" },
	{ O_TLS, "tls", ARG_NONE, M_STREAM,
	    "TLS (handshake deadline: connect -w, else 10s)" },
	{ O_CA, "ca", ARG_FILE("FILE"), M_STREAM,
	    "with --tls: CAs to trust (listen: client certs)" },
	{ O_CERT, "cert", ARG_FILE("FILE"), M_STREAM,
	    "with --tls: PEM certificate (listen: else self-signed)" },
	{ O_KEY, "key", ARG_FILE("FILE"), M_STREAM,
	    "with --tls: private key of --cert (default: in it)" },
	{ O_ALPN, "alpn", ARG_STRING("LIST"), M_STREAM,
	    "with --tls: ALPN protocols offered: h2,http/1.1" },
	{ 't', "telnet", ARG_NONE, M_STREAM,
	    "refuse telnet options; keep IAC off stdout" },
	{ O_DELAY, "delay", ARG_DUR, M_STREAM,
	    "send stdin a line at a time, DUR apart" },
	{ O_RAW, "raw", ARG_NONE, M_STREAM,
	    "with -u: a read of stdin is a datagram (not a line)" },
	/* sockopt */
	{ O_TCP, "tcp", ARG_NONE, M_SOCKOPT, "a TCP socket (the default)" },
	{ 'u', "udp", ARG_NONE, M_SOCKOPT,
	    "a UDP socket (with --unix: datagram)" },
	{ O_UNIX, "unix", ARG_NONE, M_SOCKOPT,
	    "a Unix socket (stream, or --udp)" },
	{ O_CONNECT, "connect", ARG_HOSTPORT("HOST"), M_SOCKOPT,
	    "a live TCP connection to HOST:PORT, or HOST PORT" },
	{ O_LISTEN, "listen", ARG_HOSTPORT("[ADDR:]PORT"), M_SOCKOPT,
	    "a socket bound (TCP: listening) on ADDR (any) PORT" },
	{ O_FD, "fd", ARG_UINT(0, INT_MAX), M_SOCKOPT,
	    "the inherited socket N (inetd, systemd)" },
	{ O_LIST, "list", ARG_NONE, M_SOCKOPT,
	    "print the table of known options and exit" },
	{ 'w', "timeout", ARG_DUR, M_SOCKOPT,
	    "with --connect: connect deadline" },
	/* global */
	{ '4', NULL, ARG_NONE, M_ALL, "IPv4 only" },
	{ '6', NULL, ARG_NONE, M_ALL, "IPv6 only" },
	{ 'j', "json", ARG_NONE, M_ALL, "JSON Lines output" },
	{ 'v', "verbose", ARG_NONE, M_ALL,
	    "more diagnostics on stderr (repeatable)" },
	{ O_QUIET, "quiet", ARG_NONE, M_ALL, "no diagnostics but errors" },
	{ 'w', "timeout", ARG_DUR, M_TOP,
	    "deadline: connect, accept, receive (see MODE --help)" },
	{ 'w', "timeout", ARG_DUR, M_RESOLVE,
	    "give up on names not resolved within DUR" },
	{ 'n', "numeric", ARG_NONE, M_ALL,
	    "no DNS: numeric hosts and ports only" },
	{ 'h', "help", ARG_NONE, M_ALL | M_TOP, "show this help and exit" },
	{ 'V', "version", ARG_NONE, M_TOP, "show the version and exit" },
	{ 0, NULL, ARG_NONE, 0, NULL }
};

const struct mode modes[] = {
	{ "listen", M_LISTEN, "[OPTIONS] [ADDRESS] PORT",
	    "TCP/Unix server: relay stdin/stdout with clients",
	    "ADDRESS defaults to all interfaces (dual-stack).  PORT 0 picks a "
	    "free port.\nWith LISTEN_FDS/LISTEN_PID (systemd), serves the "
	    "inherited sockets.\nWith -u, the first sender is the peer (-k: "
	    "every sender, until silent for\n--idle-timeout); a line of stdin "
	    "is a datagram to each peer." },
	{ "connect", M_CONNECT, "[OPTIONS] HOST PORT[,PORTS]",
	    "TCP/Unix client: relay stdin/stdout, or check ports (-z)",
	    "HOST PORT may be one argument: HOST:PORT or [V6ADDR]:PORT.\n"
	    "Every address of HOST is tried (IPv6 and IPv4 raced).  With -z, "
	    "-w bounds\neach check (default 2s); exit 0 when every port is "
	    "open.  With -z, ports may\nalso be separate arguments: "
	    "HOST 22 80 443.\n"
	    "With -u, a line of stdin is a datagram; replies are printed until "
	    "-q\n(default 1s) of quiet after stdin ends.  With -z -u, a "
	    "closed port is an ICMP\nport unreachable, silence is "
	    "open_filtered." },
	{ "udp-send", M_UDPSEND, "[OPTIONS] HOST PORT [MESSAGE...]",
	    "send datagrams (MESSAGE, or stdin)",
	    "MESSAGE words are joined by single spaces into one datagram.\n"
	    "Without MESSAGE, all of stdin is one datagram; with --lines, each\n"
	    "line is sent as soon as it is complete.  A payload over the limit\n"
	    "(65507 bytes over IPv4, 65527 over IPv6) is exit 2, and nothing is\n"
	    "sent (--lines: nothing from that line on)." },
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
