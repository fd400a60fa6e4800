/* Proxies (--proxy URL): SOCKS5 (RFC 1928, with RFC 1929 username/password
   authentication), SOCKS4 and 4a, and HTTP CONNECT.  The URL and the
   proxy's replies are read by pure functions (url.c,
   reply.c); proxy_connect() gives a descriptor connected to the
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
   USER and PASS are percent-decoded.  The authority ends at the first
   '/', '?' or '#': anything after it but one final '/' is an error.  A
   user name or password the URL does not give comes from env_user and
   env_pass (SOCKIT_PROXY_USER, SOCKIT_PROXY_PASSWORD; NULL or "" for
   none, taken as they are).  Returns 0, or -1 (EUSAGE, what = `proxy
   URL "..."` with the credentials shown as ***, or the variable's name;
   msg naming the part that is wrong, never a credential). */
int proxy_parse_with(const char *url, const char *env_user,
    const char *env_pass, struct proxy *, struct sock_err *);
/* proxy_parse_with() with the credentials of the environment. */
int proxy_parse(const char *url, struct proxy *, struct sock_err *);
/* url with everything between the scheme (SCHEME:// or SCHEME:) and
   the last '@' replaced by ***, and control bytes escaped, into buf;
   returns buf. */
const char *proxy_redact(const char *url, char *buf, size_t len);
/* Overwrites the password of url (one that proxy_parse() took) in
   place: "s://u:secret@h" becomes "s://u:***@h" (a password of one or
   two bytes: as many *), the bytes freed at the end NULs.  For argv,
   so that ps shows no password. */
void proxy_scrub(char *url);
/* s for a message, in buf: \r \n \t \\ \" and \xHH for other control
   bytes and bytes past 0x7e; cut with "..." when buf is full.  Returns
   buf. */
const char *proxy_escape(const char *s, char *buf, size_t len);
/* Checks a target host before it goes into a proxy's request: an IPv4
   or IPv6 address, or a DNS name (labels of letters, digits, '-' and
   '_', 63 bytes each, 253 in all).  Returns 0, or -1 (EUSAGE, what =
   `host "..."` escaped, msg saying what is wrong). */
int proxy_target_check(const char *host, struct sock_err *e);

/* What the proxy's bytes so far mean: the proxy_*_reply() functions
   read a buffer (nothing else) and return one of these. */
enum proxy_verdict {
	PROXY_GRANTED, /* done: the reply is len bytes */
	PROXY_REFUSED, /* the proxy said no: reason, code, at_target */
	PROXY_BROKEN,  /* not the protocol: reason */
	PROXY_MORE     /* the reply is need bytes at least: read more */
};

struct proxy_reply {
	enum proxy_verdict verdict;
	size_t need;	  /* PROXY_MORE */
	size_t len;	  /* PROXY_GRANTED: the bytes the reply takes */
	bool auth;	  /* SOCKS5 method: username/password was chosen */
	bool at_target;	  /* PROXY_REFUSED: about the target (code:
			     ECONNREFUSED, EHOSTUNREACH, ENETUNREACH,
			     ETIMEDOUT or 0), not the proxy itself */
	int code;	  /* errno-like, or 0 */
	char reason[160]; /* PROXY_REFUSED, PROXY_BROKEN: why (printable
			     ASCII) */
};

/* The SOCKS5 server's method choice (VER METHOD); have_user: we
   offered username/password. */
enum proxy_verdict proxy_socks5_method(const unsigned char *b, size_t n,
    bool have_user, struct proxy_reply *r);
/* The RFC 1929 status (VER STATUS). */
enum proxy_verdict proxy_socks5_auth(const unsigned char *b, size_t n,
    struct proxy_reply *r);
/* The CONNECT reply: VER REP RSV ATYP BND.ADDR BND.PORT; a refusal is
   told from VER REP alone. */
enum proxy_verdict proxy_socks5_reply(const unsigned char *b, size_t n,
    struct proxy_reply *r);
/* The SOCKS4/4a reply: VN CD DSTPORT DSTIP, 8 bytes. */
enum proxy_verdict proxy_socks4_reply(const unsigned char *b, size_t n,
    struct proxy_reply *r);
/* Where an HTTP response header ends in b[0, n), looking from index
   from on (the index past "\r\n\r\n" or "\n\n"), or 0 when not yet. */
size_t proxy_http_head_end(const char *b, size_t n, size_t from);
/* The HTTP response header head[0, n) (all of it, up to its end):
   GRANTED for 2xx (len = n), REFUSED with the status line as reason,
   or BROKEN when it is not HTTP/1.x. */
enum proxy_verdict proxy_http_reply(const char *head, size_t n,
    struct proxy_reply *r);

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
   unreachable; see hop->at_target); EUSAGE, before anything is sent,
   for a host that proxy_target_check() refuses or a target the protocol
   cannot carry (IPv6 through SOCKS4). */
int proxy_connect(const struct proxy *p, const char *host, uint16_t port,
    struct proxy_hop *hop, struct sock_err *e);

/* Resolves p's host for hop (family, numeric) into ai in RFC 8305 order,
   to be given as hop->addrs.  Returns 0, or -1 (ERESOLVE, what = "proxy
   HOST"). */
int proxy_resolve(const struct proxy *p, const struct proxy_hop *hop,
    struct sock_ai *ai, struct sock_err *e);

#endif
