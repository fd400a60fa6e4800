/* The socket options sockit knows: one row each, read by -O, the sockopt
   mode and sockopt --list (src/sock/opt.c). */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stddef.h>

#include "sock/sock.h"

#define ST  (SOF_STREAM)
#define DG  (SOF_DGRAM)
#define ANY (SOF_STREAM | SOF_DGRAM | SOF_UNIX)
#define IP  (SOF_STREAM | SOF_DGRAM)

const struct sock_opt sock_opts[] = {
	{ "SO_ACCEPTCONN", "SOL_SOCKET", SOL_SOCKET, SO_ACCEPTCONN, SOT_BOOL,
	    ANY | SOF_RO, "socket is listening" },
	{ "SO_BROADCAST", "SOL_SOCKET", SOL_SOCKET, SO_BROADCAST, SOT_BOOL, DG,
	    "may send to broadcast addresses" },
	{ "SO_DEBUG", "SOL_SOCKET", SOL_SOCKET, SO_DEBUG, SOT_BOOL, ANY,
	    "kernel socket debugging (needs CAP_NET_ADMIN)" },
	{ "SO_ERROR", "SOL_SOCKET", SOL_SOCKET, SO_ERROR, SOT_INT, ANY | SOF_RO,
	    "pending socket error (read clears it)" },
	{ "SO_KEEPALIVE", "SOL_SOCKET", SOL_SOCKET, SO_KEEPALIVE, SOT_BOOL, ST,
	    "send TCP keepalive probes" },
	{ "SO_LINGER", "SOL_SOCKET", SOL_SOCKET, SO_LINGER, SOT_LINGER, ST,
	    "close waits for unsent data: off or DUR" },
	{ "SO_OOBINLINE", "SOL_SOCKET", SOL_SOCKET, SO_OOBINLINE, SOT_BOOL, ST,
	    "urgent data inline" },
	{ "SO_RCVBUF", "SOL_SOCKET", SOL_SOCKET, SO_RCVBUF, SOT_SIZE, ANY,
	    "receive buffer size (the kernel doubles it)" },
	{ "SO_RCVLOWAT", "SOL_SOCKET", SOL_SOCKET, SO_RCVLOWAT, SOT_SIZE, ANY,
	    "minimum bytes for a read to return" },
	{ "SO_RCVTIMEO", "SOL_SOCKET", SOL_SOCKET, SO_RCVTIMEO, SOT_TIMEVAL,
	    ANY, "receive timeout (DUR, 0 = none)" },
	{ "SO_REUSEADDR", "SOL_SOCKET", SOL_SOCKET, SO_REUSEADDR, SOT_BOOL, IP,
	    "allow binding an address in TIME_WAIT" },
#ifdef SO_REUSEPORT
	{ "SO_REUSEPORT", "SOL_SOCKET", SOL_SOCKET, SO_REUSEPORT, SOT_BOOL, IP,
	    "several sockets may bind the same port" },
#endif
	{ "SO_SNDBUF", "SOL_SOCKET", SOL_SOCKET, SO_SNDBUF, SOT_SIZE, ANY,
	    "send buffer size (the kernel doubles it)" },
	{ "SO_SNDLOWAT", "SOL_SOCKET", SOL_SOCKET, SO_SNDLOWAT, SOT_SIZE,
	    ANY | SOF_RO, "minimum bytes for a send" },
	{ "SO_SNDTIMEO", "SOL_SOCKET", SOL_SOCKET, SO_SNDTIMEO, SOT_TIMEVAL,
	    ANY, "send timeout (DUR, 0 = none)" },
	{ "SO_TYPE", "SOL_SOCKET", SOL_SOCKET, SO_TYPE, SOT_SOCKTYPE,
	    ANY | SOF_RO, "socket type" },
#ifdef SO_PRIORITY
	{ "SO_PRIORITY", "SOL_SOCKET", SOL_SOCKET, SO_PRIORITY, SOT_INT, ANY,
	    "queueing priority of sent packets (0-6 unprivileged)" },
#endif
#ifdef SO_MARK
	{ "SO_MARK", "SOL_SOCKET", SOL_SOCKET, SO_MARK, SOT_INT, IP,
	    "firewall mark (needs CAP_NET_ADMIN)" },
#endif
#ifdef SO_BINDTODEVICE
	{ "SO_BINDTODEVICE", "SOL_SOCKET", SOL_SOCKET, SO_BINDTODEVICE,
	    SOT_STRING, IP, "bind to a network interface" },
#endif
	{ "TCP_NODELAY", "IPPROTO_TCP", IPPROTO_TCP, TCP_NODELAY, SOT_BOOL, ST,
	    "send at once, no Nagle" },
#ifdef TCP_QUICKACK
	{ "TCP_QUICKACK", "IPPROTO_TCP", IPPROTO_TCP, TCP_QUICKACK, SOT_BOOL,
	    ST, "acknowledge at once, no delayed ACK" },
#endif
#ifdef TCP_CORK
	{ "TCP_CORK", "IPPROTO_TCP", IPPROTO_TCP, TCP_CORK, SOT_BOOL, ST,
	    "hold partial frames until uncorked" },
#endif
#ifdef TCP_KEEPIDLE
	{ "TCP_KEEPIDLE", "IPPROTO_TCP", IPPROTO_TCP, TCP_KEEPIDLE, SOT_SECS,
	    ST, "idle time before keepalive probes (DUR)" },
#endif
#ifdef TCP_KEEPINTVL
	{ "TCP_KEEPINTVL", "IPPROTO_TCP", IPPROTO_TCP, TCP_KEEPINTVL, SOT_SECS,
	    ST, "time between keepalive probes (DUR)" },
#endif
#ifdef TCP_KEEPCNT
	{ "TCP_KEEPCNT", "IPPROTO_TCP", IPPROTO_TCP, TCP_KEEPCNT, SOT_INT, ST,
	    "keepalive probes before the connection drops" },
#endif
	{ "TCP_MAXSEG", "IPPROTO_TCP", IPPROTO_TCP, TCP_MAXSEG, SOT_INT, ST,
	    "maximum segment size" },
#ifdef TCP_SYNCNT
	{ "TCP_SYNCNT", "IPPROTO_TCP", IPPROTO_TCP, TCP_SYNCNT, SOT_INT, ST,
	    "SYN retransmits before connect gives up" },
#endif
#ifdef TCP_DEFER_ACCEPT
	{ "TCP_DEFER_ACCEPT", "IPPROTO_TCP", IPPROTO_TCP, TCP_DEFER_ACCEPT,
	    SOT_SECS, ST, "wake accept only when data arrives (DUR)" },
#endif
#ifdef TCP_FASTOPEN
	{ "TCP_FASTOPEN", "IPPROTO_TCP", IPPROTO_TCP, TCP_FASTOPEN, SOT_INT, ST,
	    "TCP Fast Open queue length (listeners)" },
#endif
#ifdef TCP_USER_TIMEOUT
	{ "TCP_USER_TIMEOUT", "IPPROTO_TCP", IPPROTO_TCP, TCP_USER_TIMEOUT,
	    SOT_MSECS, ST, "unacknowledged data timeout (DUR, 0 = kernel's)" },
#endif
#ifdef TCP_CONGESTION
	{ "TCP_CONGESTION", "IPPROTO_TCP", IPPROTO_TCP, TCP_CONGESTION,
	    SOT_STRING, ST, "congestion control algorithm" },
#endif
#ifdef TCP_INFO
	{ "TCP_INFO", "IPPROTO_TCP", IPPROTO_TCP, TCP_INFO, SOT_TCPINFO,
	    ST | SOF_RO, "connection state and statistics" },
#endif
	{ "IP_TOS", "IPPROTO_IP", IPPROTO_IP, IP_TOS, SOT_TOS, IP | SOF_INET,
	    "type of service: a number or a DSCP name (ef, af41, cs1)" },
	{ "IP_TTL", "IPPROTO_IP", IPPROTO_IP, IP_TTL, SOT_INT, IP | SOF_INET,
	    "time to live of unicast packets" },
#ifdef IP_MTU
	{ "IP_MTU", "IPPROTO_IP", IPPROTO_IP, IP_MTU, SOT_INT,
	    IP | SOF_INET | SOF_RO, "path MTU (connected sockets)" },
#endif
#ifdef IP_FREEBIND
	{ "IP_FREEBIND", "IPPROTO_IP", IPPROTO_IP, IP_FREEBIND, SOT_BOOL,
	    IP | SOF_INET, "may bind an address not (yet) configured" },
#endif
	{ "IP_MULTICAST_TTL", "IPPROTO_IP", IPPROTO_IP, IP_MULTICAST_TTL,
	    SOT_INT, DG | SOF_INET, "time to live of multicast packets" },
	{ "IP_MULTICAST_LOOP", "IPPROTO_IP", IPPROTO_IP, IP_MULTICAST_LOOP,
	    SOT_BOOL, DG | SOF_INET, "multicast sent is looped back" },
	{ "IPV6_V6ONLY", "IPPROTO_IPV6", IPPROTO_IPV6, IPV6_V6ONLY, SOT_BOOL,
	    IP | SOF_INET6, "IPv6 only, no v4-mapped addresses" },
	{ "IPV6_UNICAST_HOPS", "IPPROTO_IPV6", IPPROTO_IPV6, IPV6_UNICAST_HOPS,
	    SOT_INT, IP | SOF_INET6, "hop limit of unicast packets" },
#ifdef IPV6_TCLASS
	{ "IPV6_TCLASS", "IPPROTO_IPV6", IPPROTO_IPV6, IPV6_TCLASS, SOT_TOS,
	    IP | SOF_INET6, "traffic class: a number or a DSCP name" },
#endif
	{ "IPV6_MULTICAST_HOPS", "IPPROTO_IPV6", IPPROTO_IPV6,
	    IPV6_MULTICAST_HOPS, SOT_INT, DG | SOF_INET6,
	    "hop limit of multicast packets" },
	{ "IPV6_MULTICAST_LOOP", "IPPROTO_IPV6", IPPROTO_IPV6,
	    IPV6_MULTICAST_LOOP, SOT_BOOL, DG | SOF_INET6,
	    "multicast sent is looped back" },
};
const size_t sock_nopts = sizeof(sock_opts) / sizeof(sock_opts[0]);
