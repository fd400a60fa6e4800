/* Proxies: the client side of SOCKS5 (RFC 1928, RFC 1929), SOCKS4/4a
   and HTTP CONNECT (RFC 9110 9.3.6).  proxy_connect() reaches the proxy
   and hands the handshake to socks.c or http.c, over io.c's deadline
   I/O; reply.c says what the replies mean.  The handshake is blocking,
   every wait bounded by one deadline over the whole hop, and never reads
   past the proxy's reply: the SOCKS replies have known lengths, the HTTP
   response is peeked and only its header consumed. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy/io.h"
#include "proxy/proxy.h"

/* The target's address for socks5 and socks4, resolved here.  Returns 0
   or -1 (ERESOLVE, or EUSAGE for IPv6 through SOCKS4). */
static int
local_resolve(const struct proxy *p, const char *host,
    const struct proxy_hop *hop, struct sock_addr *a, struct sock_err *e)
{
	struct sock_ai ai;
	/* -4/-6 choose how the proxy is reached, not the target's family */
	int family = p->type == PROXY_SOCKS4 ? AF_INET : AF_UNSPEC;
	unsigned char b6[16];

	if (p->type == PROXY_SOCKS4 && inet_pton(AF_INET6, host, b6) == 1)
		return sock_failmsg(e, SOCK_EUSAGE,
		    "SOCKS4 carries IPv4 "
		    "addresses only (use socks5)",
		    "target %s", host);
	if (sock_resolve(host, NULL, family, SOCK_STREAM,
		hop->numeric ? SOCK_R_NUMERICHOST : 0, &ai, e) == -1)
		return -1;
	*a = ai.v[0];
	sock_ai_free(&ai);
	sock_addr_unmap(a);
	return 0;
}
int
proxy_resolve(const struct proxy *p, const struct proxy_hop *hop,
    struct sock_ai *ai, struct sock_err *e)
{
	char serv[8];

	snprintf(serv, sizeof(serv), "%u", (unsigned)p->port);
	if (sock_resolve(p->host, serv, hop->family, SOCK_STREAM,
		hop->numeric ? SOCK_R_NUMERIC : 0, ai, e) == -1) {
		snprintf(e->what, sizeof(e->what), "proxy %.200s", p->host);
		return -1;
	}
	sock_ai_interleave(ai);
	return 0;
}

int
proxy_connect(const struct proxy *p, const char *host, uint16_t port,
    struct proxy_hop *hop, struct sock_err *e)
{
	struct sock_addr ta;
	struct sock_ai ai;
	struct io io;
	char target[NI_MAXHOST + 16];
	unsigned char b[16];
	double t0 = sock_now_ms();
	int fd, rc;
	bool lit;

	hop->at_target = false;
	/* a name goes into the request as it is: CR/LF would add headers */
	if (proxy_target_check(host, e) == -1)
		return -1;
	memset(&ta, 0, sizeof(ta));
	ta.family = AF_UNSPEC;
	snprintf(target, sizeof(target),
	    strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
	lit = inet_pton(AF_INET, host, b) == 1 ||
	    inet_pton(AF_INET6, host, b) == 1;
	if (p->type == PROXY_SOCKS5 || p->type == PROXY_SOCKS4 ||
	    (lit && (p->type == PROXY_SOCKS5H || p->type == PROXY_SOCKS4A))) {
		/* an address is sent as one, whoever would resolve a name */
		if (local_resolve(p->type == PROXY_SOCKS4A ?
			    &(struct proxy){ .type = PROXY_SOCKS4 } :
			    p,
			host, hop, &ta, e) == -1)
			return -1;
	}
	if (hop->addrs != NULL) {
		ai = *hop->addrs;
	} else if (proxy_resolve(p, hop, &ai, e) == -1) {
		return -1;
	}
	fd = sock_connect_list(ai.v, ai.n, hop->src, hop->timeout_ms, &hop->via,
	    e);
	if (hop->addrs == NULL)
		sock_ai_free(&ai);
	if (fd == -1) {
		if (e->kind == SOCK_ENET)
			snprintf(e->what, sizeof(e->what), "proxy %.200s",
			    p->addr);
		return -1;
	}
	io = (struct io){ .fd = fd,
		.p = p,
		.target = target,
		.e = e,
		.hop = hop,
		.deadline = -1 };
	if (hop->timeout_ms >= 0)
		io.deadline = t0 + hop->timeout_ms;
	switch (p->type) {
	case PROXY_SOCKS5:
	case PROXY_SOCKS5H:
		rc = proxy_socks5_connect(&io, host, port, &ta);
		break;
	case PROXY_SOCKS4:
	case PROXY_SOCKS4A:
		rc = proxy_socks4_connect(&io, host, port, &ta);
		break;
	default:
		rc = proxy_http_connect(&io, host, port);
		break;
	}
	if (rc == -1) {
		close(fd);
		return -1;
	}
	return fd;
}
