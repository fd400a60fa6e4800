/* Proxies (--proxy URL): SOCKS5 (RFC 1928, with RFC 1929 username/password
   authentication), SOCKS4 and 4a, and HTTP CONNECT.  proxy_parse() is a
   pure function; proxy_connect() gives a descriptor connected to the
   target through the proxy, with nothing of the proxy's replies left
   unread on it (TLS or the relay take it from there).  Like the socket
   module, neither prints nor exits. */
#ifndef SOCKIT_PROXY_H
#define SOCKIT_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock/sock.h"

enum proxy_type {
	PROXY_SOCKS5,  /* names resolved here */
	PROXY_SOCKS5H, /* names resolved by the proxy */
	PROXY_SOCKS4,  /* IPv4 addresses resolved here */
	PROXY_SOCKS4A, /* names resolved by the proxy */
	PROXY_HTTP     /* HTTP/1.1 CONNECT */
};

struct proxy {
	enum proxy_type type;
	char host[NI_MAXHOST]; /* the proxy's host, without brackets */
	uint16_t port;
	bool has_user; /* USER@ or USER:PASS@ was given */
	bool has_pass;
	char user[256]; /* percent-decoded */
	char pass[256];
	char addr[NI_MAXHOST + 8];   /* "127.0.0.1:1080", "[::1]:1080" */
	char shown[NI_MAXHOST + 32]; /* the URL, credentials as *** */
};

/* The name of a type: "socks5", "socks5h", "socks4", "socks4a", "http". */
const char *proxy_scheme(enum proxy_type);
/* true when the proxy, not sockit, resolves the target's name. */
bool proxy_resolves(enum proxy_type);

/* Parses URL: SCHEME://[USER[:PASS]@]HOST[:PORT][/], SCHEME one of
   socks5, socks5h, socks4, socks4a, http (any case); HOST a name, an IPv4
   address or [IPv6]; PORT defaults to 1080 for SOCKS and 8080 for http;
   USER and PASS are percent-decoded.  Returns 0, or -1 (EUSAGE, what =
   `proxy URL "..."` with the credentials shown as ***, msg naming the part
   that is wrong). */
int proxy_parse(const char *url, struct proxy *, struct sock_err *);
/* url with the user information (before the last '@' of the authority)
   replaced by ***, into buf; returns buf. */
const char *proxy_redact(const char *url, char *buf, size_t len);

/* How proxy_connect() reaches the proxy, and what it tells back. */
struct proxy_hop {
	int family;	/* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
	bool numeric;	/* -n: numeric hosts only */
	int timeout_ms; /* the whole hop: connect and handshake; -1 */
	const struct sock_addr *src; /* -s/-p, or NULL */
	const struct sock_ai *addrs; /* the proxy's addresses, or NULL to
					resolve p->host each time */
	struct sock_addr via;	     /* out: the proxy's address connected to */
	bool at_target;		     /* out, on failure: the proxy answered that
					the target cannot be reached (e->code:
					ECONNREFUSED, EHOSTUNREACH, ENETUNREACH,
					ETIMEDOUT, or 0 for any other reason),
					rather than the proxy itself failing */
};

/* Connects to host port through p within hop->timeout_ms.  Returns the
   descriptor (blocking, CLOEXEC), or -1 with *e: ERESOLVE for a name not
   resolved (the proxy's, or the target's for socks5/socks4); ENET with
   what = "proxy HOST:PORT" when the proxy cannot be reached or breaks the
   protocol; ENET with what = "proxy HOST:PORT refused TARGET:PORT" and
   the proxy's reason when it refuses (authentication, a rule, the target
   unreachable; see hop->at_target); EUSAGE for a target the protocol
   cannot carry (IPv6 through SOCKS4, a name past 255 bytes). */
int proxy_connect(const struct proxy *p, const char *host, uint16_t port,
    struct proxy_hop *hop, struct sock_err *e);

/* Resolves p's host for hop (family, numeric) into ai in RFC 8305 order,
   to be given as hop->addrs.  Returns 0, or -1 (ERESOLVE, what = "proxy
   HOST"). */
int proxy_resolve(const struct proxy *p, const struct proxy_hop *hop,
    struct sock_ai *ai, struct sock_err *e);

#endif
