/*
 * The socket module: the one place that touches the BSD socket API.
 * Modelled on Chapel's Socket module: address records, listen/accept,
 * connect with timeouts over every resolved address, UDP, socket options.
 *
 * Every function that can fail returns -1 (or NULL) and fills a struct
 * sock_err; it never prints and never exits.  Timeouts are milliseconds
 * (int64_t, up to SOCK_DUR_MAX_MS), -1 for none, as for poll(2); a wait
 * past poll's INT_MAX is taken in slices.  Descriptors are opened with
 * SOCK_CLOEXEC.
 */
#ifndef SOCK_SOCK_H
#define SOCK_SOCK_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SOCK_FORMAT(a, b) __attribute__((format(printf, a, b)))

/* What failed, which decides the exit status (see report.c). */
enum sock_kind {
	SOCK_OK = 0,
	SOCK_ENET,     /* connect, send, recv, reset, timeout */
	SOCK_EUSAGE,   /* syntax of an address, port, value, option name */
	SOCK_ERESOLVE, /* getaddrinfo/getnameinfo */
	SOCK_ELOCAL,   /* bind, listen, setsockopt refused, permissions, fds */
	SOCK_ETLS      /* TLS handshake or verification */
};

struct sock_err {
	enum sock_kind kind;
	int code;	/* errno, or EAI_* for SOCK_ERESOLVE; 0: see msg */
	char what[256]; /* "connect to 127.0.0.1 port 9" */
	char msg[160];	/* a reason of our own, when code is 0 */
};

/* Fills *e and returns -1.  what is a printf format. */
int sock_fail(struct sock_err *e, enum sock_kind kind, int code,
    const char *fmt, ...) SOCK_FORMAT(4, 5);
/* As sock_fail(), with code 0 and a reason of our own. */
int sock_failmsg(struct sock_err *e, enum sock_kind kind, const char *msg,
    const char *fmt, ...) SOCK_FORMAT(4, 5);
/* The reason: strerror(code), gai_strerror(code) or msg. */
const char *sock_strerror(const struct sock_err *e);
/* "EAI_NONAME" for EAI_NONAME; "EAI_?" for an unknown code. */
const char *sock_eai_name(int code);

/* An address record.  host holds a numeric address (an IPv6 one with its
   %scope: 63 bytes) or a Unix path (108 bytes, "@" and a NUL more when
   abstract), never a name: 112 bytes, not NI_MAXHOST (1025), so that a
   record per client of listen -k costs little. */
struct sock_addr {
	char host[112]; /* numeric host, or the Unix path (@ abstract) */
	uint16_t port;
	int family;   /* AF_INET, AF_INET6, AF_UNIX */
	int socktype; /* SOCK_STREAM, SOCK_DGRAM, ... (0: unknown) */
	int protocol; /* for a socket to or on it: 0, or SOCK_MPTCP */
	socklen_t len;
	struct sockaddr_storage ss;
};

/* Fills a record from a sockaddr.  Returns 0, or -1 for a family it
   does not know. */
int sock_addr_from_sa(struct sock_addr *, const struct sockaddr *, socklen_t,
    struct sock_err *);
/* A numeric IPv4 or IPv6 host and a port.  Returns 0, or -1 (EUSAGE)
   when host is not a numeric address of the family (AF_UNSPEC: either). */
int sock_addr_ip(struct sock_addr *, const char *host, uint16_t port,
    int family, struct sock_err *);
/* The wildcard address: "::" (AF_INET6 or AF_UNSPEC) or "0.0.0.0". */
void sock_addr_any(struct sock_addr *, int family, uint16_t port);
/* A Unix socket path; "@name" is Linux's abstract namespace.  Returns 0,
   or -1 (EUSAGE) when the path is empty or too long. */
int sock_addr_unix(struct sock_addr *, const char *path, struct sock_err *);
/* "127.0.0.1:80", "[::1]:80" or the path, into buf; returns buf. */
const char *sock_addr_str(const struct sock_addr *, char *buf, size_t len);
/* The IPv4 address inside a v4-mapped IPv6 record, or the record itself. */
void sock_addr_unmap(struct sock_addr *);
/* true for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: traffic that never
   leaves this host */
bool sock_addr_loopback(const struct sock_addr *);
/* true when a and b are the same family, host and port */
bool sock_addr_equal(const struct sock_addr *a, const struct sock_addr *b);

/* PORT: a number 0-65535 or a service name for proto ("tcp", "udp").
   With numeric, a name is refused.  Returns 0, or -1 (EUSAGE). */
int sock_parse_port(const char *s, const char *proto, bool numeric,
    uint16_t *port, struct sock_err *);

/* Values shared by socket options and the command line. */
/* The longest DUR: 365 days (8760h), far past any wait a user means, and
   one every deadline (a double of milliseconds) holds exactly. */
#define SOCK_DUR_MAX_MS (8760LL * 3600 * 1000)
/* DUR ("250ms", "2s", "1.5", "3m", "1h") into milliseconds, rounded up,
   at most SOCK_DUR_MAX_MS.  Returns 0, or -1 (EUSAGE) naming what is
   wrong. */
int sock_parse_dur(const char *s, int64_t *ms, struct sock_err *);
/* SIZE (bytes with optional K, M, G, base 1024).  Returns 0 or -1. */
int sock_parse_size(const char *s, uint64_t *bytes, struct sock_err *);
/* A non-negative decimal integer no larger than max.  Returns 0 or -1. */
int sock_parse_uint(const char *s, uint64_t max, uint64_t *v,
    struct sock_err *);
/* on/off/true/false/yes/no/1/0.  Returns 0 or -1. */
int sock_parse_bool(const char *s, bool *v, struct sock_err *);

/* Resolution. */
enum {
	SOCK_R_PASSIVE = 1,    /* AI_PASSIVE */
	SOCK_R_CANON = 2,      /* AI_CANONNAME */
	SOCK_R_NUMERIC = 4,    /* AI_NUMERICHOST | AI_NUMERICSERV */
	SOCK_R_NUMERICHOST = 8 /* AI_NUMERICHOST only */
};
struct sock_ai {
	struct sock_addr *v; /* in the resolver's order */
	size_t n;
	char canonical[NI_MAXHOST];
};
/* getaddrinfo(host, serv) into out (free with sock_ai_free).  family is
   AF_UNSPEC, AF_INET or AF_INET6; type 0 for any.  Returns 0, or -1
   (ERESOLVE, code = EAI_*). */
int sock_resolve(const char *host, const char *serv, int family, int type,
    int flags, struct sock_ai *out, struct sock_err *);
void sock_ai_free(struct sock_ai *);
/* Puts the addresses in RFC 8305 order: alternating families, starting
   with the family of the first. */
void sock_ai_interleave(struct sock_ai *);
/* The service name of port for proto ("tcp", "udp") in the services
   database, into name; "*" when it has none (nc -zv's [tcp/ssh]). */
void sock_service_name(uint16_t port, const char *proto, char *name,
    size_t len);
/* getnameinfo of a numeric address to a host name (NI_NAMEREQD).
   Returns 0, or -1 (EUSAGE for a non-numeric address, else ERESOLVE). */
int sock_reverse(const char *addr, char *name, size_t len, struct sock_err *);

/* Sockets. */
/* socket(2) with SOCK_CLOEXEC; nonblock adds SOCK_NONBLOCK.  Returns the
   descriptor, or -1 (ELOCAL). */
int sock_socket(int family, int type, bool nonblock, struct sock_err *);
/* IPPROTO_MPTCP, for libcs that lack it. */
#define SOCK_MPTCP 262
/* As sock_socket(), of protocol (0: the type's own; SOCK_MPTCP:
   Multipath TCP, ELOCAL saying so when the kernel has it off). */
int sock_socket_proto(int family, int type, int protocol, bool nonblock,
    struct sock_err *);
/* Whether the connected stream socket fd runs MPTCP: 1, or 0 for TCP (a
   plain socket, or an MPTCP one that fell back to TCP). */
int sock_mptcp(int fd);
/* Makes fd blocking or not.  Returns 0 or -1 (ELOCAL). */
int sock_set_nonblock(int fd, bool on, struct sock_err *);
/* A bound socket of type on addr; reuse sets SO_REUSEADDR; the IPv6
   wildcard is dual-stack.  A stale Unix socket file (one a connect to
   is refused) is replaced; a live one, or another kind of file, is left
   alone (EADDRINUSE, EEXIST).  Returns the descriptor, or -1 (ELOCAL). */
int sock_bind(const struct sock_addr *, int type, bool reuse,
    struct sock_err *);
/* sock_bind(), and with v6only (-6) an IPv6 socket that takes no IPv4. */
int sock_bind_v6(const struct sock_addr *, int type, bool reuse, bool v6only,
    struct sock_err *);
/* The default backlog: min(SOMAXCONN, 128). */
int sock_backlog_default(void);
/* A listening TCP or Unix stream socket (backlog <= 0: the default).
   Returns the descriptor, or -1 (ELOCAL). */
int sock_listen(const struct sock_addr *, bool reuse, int backlog,
    struct sock_err *);
/* As sock_listen(); with v6only, an IPv6 address takes no IPv4 clients
   (IPV6_V6ONLY on), else it is dual-stack. */
int sock_listen_v6(const struct sock_addr *, bool reuse, bool v6only,
    int backlog, struct sock_err *);
/* Which file a path is (for a Unix socket just bound). */
struct sock_file {
	dev_t dev;
	ino_t ino;
};
/* lstat(2) of path into *f.  Returns 0, or -1 (errno). */
int sock_file_id(const char *path, struct sock_file *f);
/* Removes the Unix socket file at path if it is still the file f.
   Returns true when it was removed. */
bool sock_unix_unlink(const char *path, const struct sock_file *f);
/* Waits up to timeout_ms for a client.  Returns the connected descriptor
   (blocking, CLOEXEC), or -1: ENET with ETIMEDOUT when the time passed,
   ELOCAL otherwise. */
int sock_accept(int lfd, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *);
/* Takes a client already waiting on lfd, which must be non-blocking,
   without waiting: for an event loop that was told lfd is ready.  flags:
   0 or SOCK_NONBLOCK for the new socket (CLOEXEC always).  Returns the
   descriptor, or -1: ENET with ETIMEDOUT when no client waits (any
   more), ELOCAL otherwise. */
int sock_accept_ready(int lfd, int flags, struct sock_addr *peer,
    struct sock_err *);
/* Starts a non-blocking connect to addr from src (NULL: any).  Returns the
   descriptor (connected or in progress), or -1 (ENET or ELOCAL). */
int sock_connect_start(const struct sock_addr *, const struct sock_addr *src,
    int type, struct sock_err *);
/* The outcome of a started connect once poll says POLLOUT.  Returns 0, or
   -1 (ENET) with the error. */
int sock_connect_result(int fd, const struct sock_addr *, struct sock_err *);
/* Connects to addr within timeout_ms.  A Unix listener whose queue is
   full is asked again until the time passes.  Returns the connected
   descriptor (blocking), or -1 (ENET, code ETIMEDOUT when the time
   passed). */
int sock_connect(const struct sock_addr *, const struct sock_addr *src,
    int64_t timeout_ms, struct sock_err *);
/* Connects to the first of list that answers, RFC 8305 style: the next
   address is tried 250 ms after the previous attempt began (or as soon as
   it fails), the first success wins, the rest are closed.  timeout_ms
   bounds each attempt and the whole.  Returns the descriptor (blocking)
   and fills *peer, or -1 with the last error. */
int sock_connect_list(const struct sock_addr *list, size_t n,
    const struct sock_addr *src, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *);
/* Resolves host and serv, then sock_connect_list() over the addresses in
   RFC 8305 order.  Returns the descriptor or -1 (ERESOLVE or ENET). */
int sock_connect_host(const char *host, const char *serv, int family, int flags,
    const struct sock_addr *src, int64_t timeout_ms, struct sock_addr *peer,
    struct sock_err *);

/* UDP. */
/* A UDP socket of family, bound to local when given.  Returns the
   descriptor or -1 (ELOCAL). */
int sock_udp(int family, const struct sock_addr *local, bool reuse,
    struct sock_err *);
/* sendto(2) waiting up to timeout_ms for room.  Returns the bytes sent,
   or -1 (ENET; EMSGSIZE for a datagram too large). */
ssize_t sock_sendto(int fd, const void *buf, size_t len,
    const struct sock_addr *to, int64_t timeout_ms, struct sock_err *);
/* recvfrom(2) waiting up to timeout_ms.  *from (when not NULL) is the
   sender; *stamp (when not NULL) the kernel's receive time (SO_TIMESTAMPNS
   must be on, see sock_timestamps()) or the time now.  *trunc is set when
   the datagram was longer than len.  Returns the bytes stored, or -1
   (ENET, ETIMEDOUT when the time passed). */
ssize_t sock_recvfrom(int fd, void *buf, size_t len, int64_t timeout_ms,
    struct sock_addr *from, struct timespec *stamp, bool *trunc,
    struct sock_err *);
/* Turns on kernel receive timestamps (SO_TIMESTAMPNS). */
int sock_timestamps(int fd, struct sock_err *);

/* The largest UDP payload: 65507 bytes over IPv4, 65527 over IPv6. */
#define SOCK_UDP_MAX4 65507
#define SOCK_UDP_MAX6 65527
size_t sock_udp_max(int family);
/* Binds fd (a socket of a's family) to a; reuse sets SO_REUSEADDR; the
   IPv6 wildcard is dual-stack.  For options that must come before bind.
   Returns 0, or -1 (ELOCAL). */
int sock_bind_fd(int fd, const struct sock_addr *, bool reuse,
    struct sock_err *);
/* connect(2) of a UDP socket: sends need no address, only the peer's
   datagrams are received, and the kernel reports ICMP errors
   (ECONNREFUSED) on later sends and receives.  Returns 0, or -1 (ENET;
   ELOCAL for EACCES, a broadcast address without SO_BROADCAST). */
int sock_udp_connect(int fd, const struct sock_addr *, struct sock_err *);
/* Binds a Unix datagram socket to an address of the kernel's choosing
   (autobind: an abstract name), so that replies can reach it.  Returns
   0, or -1 (ELOCAL). */
int sock_unix_autobind(int fd, struct sock_err *);
/* One datagram of a batch. */
struct sock_dgram {
	void *buf;	       /* the payload */
	size_t cap;	       /* receive: the room in buf */
	size_t len;	       /* the bytes stored (receive) or to send */
	bool trunc;	       /* receive: it was longer than cap and was cut */
	size_t seg;	       /* receive: 0, or the kernel joined datagrams of
				  seg bytes each (the last may be shorter) in
				  buf (UDP_GRO: see sock_gro()) */
	struct sock_addr from; /* receive: the sender */
	struct timespec stamp; /* receive: kernel receive time, else now */
};
/* Sends the n buffers of iov as n datagrams with sendmmsg(2), to *to (NULL
   on a connected socket), waiting up to timeout_ms for room.  Returns how
   many were sent (1..n), or -1: ENET (ECONNREFUSED after an ICMP port
   unreachable, ETIMEDOUT), EUSAGE with code EMSGSIZE for a datagram the
   kernel finds too large. */
int sock_sendmany(int fd, const struct iovec *iov, size_t n,
    const struct sock_addr *to, int64_t timeout_ms, struct sock_err *);
/* Receives up to n datagrams with recvmmsg(2): waits up to timeout_ms for
   the first, then takes what the socket already holds.  Returns how many
   were received (1..n), or -1 (ENET; code ETIMEDOUT when the time
   passed). */
int sock_recvmany(int fd, struct sock_dgram *, size_t n, int64_t timeout_ms,
    struct sock_err *);
/* Asks the kernel to hand datagrams of one sender in batches (UDP_GRO):
   sock_recvmany() then says so in sock_dgram.seg.  Best effort: returns
   0, or -1 where the kernel has no UDP_GRO (nothing changes then). */
int sock_gro(int fd);
/* The error the kernel holds for fd (SO_ERROR), such as ECONNREFUSED from
   an ICMP port unreachable, without waiting.  Returns 0 when there is
   none, or -1 (ENET). */
int sock_pending_error(int fd, const struct sock_addr *peer, struct sock_err *);
/* SO_BROADCAST on or off.  Returns 0, or -1 (ELOCAL). */
int sock_broadcast(int fd, bool on, struct sock_err *);
/* The hop limit of unicast and multicast datagrams (IP_TTL and
   IP_MULTICAST_TTL, or IPV6_UNICAST_HOPS and IPV6_MULTICAST_HOPS).
   Returns 0, or -1 (ELOCAL). */
int sock_ttl(int fd, int family, int ttl, struct sock_err *);
/* true when a is an IPv4 or IPv6 multicast address. */
bool sock_addr_multicast(const struct sock_addr *);
/* Joins the multicast group on interface ifname (NULL: the kernel's
   choice).  Returns 0, or -1: EUSAGE for an unknown interface or an
   address that is no group, ELOCAL when the kernel refuses. */
int sock_join(int fd, const struct sock_addr *group, const char *ifname,
    struct sock_err *);

/* Names and small toggles. */
int sock_name(int fd, struct sock_addr *, struct sock_err *);
int sock_peer(int fd, struct sock_addr *, struct sock_err *);
int sock_nodelay(int fd, bool on, struct sock_err *);  /* Nagle off */
int sock_quickack(int fd, bool on, struct sock_err *); /* delayed ACK off */
/* poll(2) one descriptor for events within timeout_ms, EINTR retried.
   Returns the revents, 0 when the time passed, or -1 (ELOCAL). */
int sock_wait(int fd, short events, int64_t timeout_ms, struct sock_err *);
/* The ICMP error that ended a connect (or a UDP probe), from the
   socket's error queue. */
struct sock_icmp {
	bool v6; /* ICMPv6 */
	uint8_t type, code;
	int err;       /* the errno it stands for */
	char from[46]; /* the sender (a router, or the host), or "" */
};

/* Has the kernel queue the ICMP errors of fd (IP_RECVERR, IPV6_RECVERR
   for family).  Returns 0, or -1 (errno). */
int sock_recverr_on(int fd, int family);
/* Empties fd's error queue; the last ICMP error in it into *icmp.
   Returns 1 when there was one, else 0. */
int sock_icmp_read(int fd, struct sock_icmp *icmp);
/* Monotonic milliseconds, as a double, for deadlines and latencies. */
double sock_now_ms(void);
/* The timeout for poll(2) or epoll_wait(2) until deadline (a
   sock_now_ms() time; < 0: none, -1): the milliseconds left rounded up,
   0 once it passed, at most INT_MAX: a caller that may wait longer
   (a DUR past 24 days) computes it again when the wait ends. */
int sock_poll_ms(double deadline, double now);

/* Socket options: one table drives -O, the sockopt mode and --list. */
enum sock_opt_type {
	SOT_INT,      /* a plain integer */
	SOT_BOOL,     /* on/off */
	SOT_SIZE,     /* bytes, with K/M/G */
	SOT_TIMEVAL,  /* struct timeval, DUR on the command line */
	SOT_LINGER,   /* struct linger: off or DUR */
	SOT_SECS,     /* an int of seconds, DUR on the command line */
	SOT_MSECS,    /* an int of milliseconds, DUR on the command line */
	SOT_STRING,   /* a name (TCP_CONGESTION) */
	SOT_SOCKTYPE, /* SO_TYPE: SOCK_STREAM ... */
	SOT_TOS,      /* IP_TOS: a number or a DSCP name */
	SOT_TCPINFO   /* struct tcp_info, read only */
};
enum {
	SOF_RO = 1,	/* read only */
	SOF_WO = 2,	/* write only */
	SOF_STREAM = 4, /* applies to stream sockets */
	SOF_DGRAM = 8,	/* applies to datagram sockets */
	SOF_INET = 16,	/* IPv4 (and dual-stack IPv6) sockets */
	SOF_INET6 = 32, /* IPv6 sockets only */
	SOF_UNIX = 64	/* Unix sockets too */
};
struct sock_opt {
	const char *name;      /* "SO_RCVBUF" */
	const char *levelname; /* "SOL_SOCKET" */
	int level;
	int optname;
	enum sock_opt_type type;
	unsigned flags;
	const char *desc;
};
struct sock_optval {
	enum sock_opt_type type;
	int64_t i;		/* INT, BOOL (0/1), SIZE, SECS, MSECS, TOS */
	int64_t ms;		/* TIMEVAL, LINGER (ms), -1 for LINGER off */
	char str[64];		/* STRING, SOCKTYPE */
	unsigned char raw[256]; /* TCPINFO */
	socklen_t rawlen;
};
extern const struct sock_opt sock_opts[];
extern const size_t sock_nopts;
/* The row for name (case-insensitive; "rcvbuf" finds SO_RCVBUF when that
   is unambiguous), or NULL. */
const struct sock_opt *sock_opt_find(const char *name);
/* Parses text as the value of o.  Returns 0, or -1 (EUSAGE). */
int sock_opt_parse(const struct sock_opt *o, const char *text,
    struct sock_optval *, struct sock_err *);
/* setsockopt/getsockopt of o.  Return 0, or -1 (ELOCAL with the kernel's
   reason). */
int sock_opt_set(int fd, const struct sock_opt *o, const struct sock_optval *,
    struct sock_err *);
int sock_opt_get(int fd, const struct sock_opt *o, struct sock_optval *,
    struct sock_err *);
/* Formats a value as text ("on", "131072", "2.5", "SOCK_STREAM"). */
const char *sock_opt_str(const struct sock_optval *, char *buf, size_t len);
/* "NAME=VALUE": finds, parses and sets.  Returns 0 or -1. */
int sock_opt_apply(int fd, const char *spec, struct sock_err *);
/* Parses "NAME=VALUE" without a socket (to check -O before any work).
   Returns 0 or -1 (EUSAGE). */
int sock_opt_check(const char *spec, const struct sock_opt **o,
    struct sock_optval *, struct sock_err *);
/* The name of a value type, for --list: "int", "bool", "size", ... */
const char *sock_opt_typename(enum sock_opt_type);
/* The sockets o applies to, for --list: "tcp,udp,unix", "tcp (IPv6)". */
const char *sock_opt_sockets(const struct sock_opt *o, char *buf, size_t len);
/* true when o applies to a socket of family (AF_INET, AF_INET6, AF_UNIX)
   and type (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET), as the table says. */
bool sock_opt_applies(const struct sock_opt *o, int family, int type);
/* The family and type of the socket fd.  Returns 0, or -1: EUSAGE when
   fd is not open or not a socket, ELOCAL when the kernel will not say. */
int sock_fd_kind(int fd, int *family, int *type, struct sock_err *);
/* "IPv4 TCP socket", "IPv6 UDP socket", "Unix stream socket" into buf. */
const char *sock_kind_str(int family, int type, char *buf, size_t len);
/* Returns 0 when o applies to the socket fd, else -1: EUSAGE naming the
   option and the kind of socket (or sock_fd_kind()'s error). */
int sock_opt_usable(int fd, const struct sock_opt *o, struct sock_err *);
/* true when a and b (values of one option) hold the same value. */
bool sock_optval_equal(const struct sock_optval *a,
    const struct sock_optval *b);

/* TCP_INFO decoded into named fields: those the running kernel's struct
   provides (by the length it returned), in the kernel's order.  Keys say
   their unit: rtt_us, last_data_recv_ms; rates are bytes per second. */
struct sock_kv {
	const char *key; /* "rtt_us", "state" */
	bool is_str;	 /* str holds the value, else num */
	char str[48];	 /* "ESTABLISHED" */
	uint64_t num;
};
#define SOCK_TCPINFO_MAX 80
/* Fills at most max fields of the TCP_INFO value v.  Returns the number
   filled (0 when v is not a TCP_INFO value or this system's layout is
   unknown). */
size_t sock_tcpinfo(const struct sock_optval *v, struct sock_kv *kv,
    size_t max);

#endif
