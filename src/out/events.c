/* The events of SPEC.md on stderr (with -v or --json): one function per
   event. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "out/events.h"
#include "out/log.h"
#include "out/report.h"
#include "out/tlsout.h"

void
session_connected_event(int fd, const struct sock_addr *peer, double ms,
    const char *proxy)
{
	struct sock_addr local;
	struct sock_err e;
	struct event ev;
	bool unix_ = peer->family == AF_UNIX;

	if (!event_begin(&ev, "connected"))
		return;
	if (sock_name(fd, &local, &e) == -1)
		memset(&local, 0, sizeof(local));
	json_str(&ev.j, "address", peer->host);
	if (unix_)
		json_null(&ev.j, "port");
	else
		json_uint(&ev.j, "port", peer->port);
	json_str(&ev.j, "local_address", unix_ ? NULL : local.host);
	if (unix_)
		json_null(&ev.j, "local_port");
	else
		json_uint(&ev.j, "local_port", local.port);
	json_ms(&ev.j, "connect_ms", ms);
	if (proxy != NULL)
		json_str(&ev.j, "proxy", proxy);
	if (proxy != NULL)
		event_end(&ev,
		    "connected through proxy %s (%s %u) from %s "
		    "%u in %.2f ms",
		    proxy, peer->host, (unsigned)peer->port, local.host,
		    (unsigned)local.port, ms);
	else if (unix_)
		event_end(&ev, "connected to %s in %.2f ms", peer->host, ms);
	else
		event_end(&ev, "connected to %s %u from %s %u in %.2f ms",
		    peer->host, (unsigned)peer->port, local.host,
		    (unsigned)local.port, ms);
}

void
session_listening_event(int fd, bool always)
{
	struct sock_addr a;
	struct sock_err e;
	struct event ev;
	const char *proto;
	bool shown;

	if (sock_name(fd, &a, &e) == -1)
		return;
	proto = a.family == AF_UNIX ? "unix" : "tcp";
	shown = always ? event_begin_always(&ev, "listening") :
			 event_begin(&ev, "listening");
	if (!shown)
		return;
	json_str(&ev.j, "address", a.host);
	if (a.family == AF_UNIX)
		json_null(&ev.j, "port");
	else
		json_uint(&ev.j, "port", a.port);
	json_str(&ev.j, "proto", proto);
	if (a.family == AF_UNIX)
		event_end(&ev, "listening on %s", a.host);
	else
		event_end(&ev, "listening on %s %u", a.host, (unsigned)a.port);
}

void
session_peer_event(const char *name, const struct sock_addr *peer,
    const char *reason)
{
	char words[NI_MAXHOST + 8];
	struct event ev;

	if (!event_begin(&ev, name))
		return;
	json_str(&ev.j, "peer", peer->host[0] ? peer->host : NULL);
	if (peer->family == AF_UNIX)
		json_null(&ev.j, "peer_port");
	else
		json_uint(&ev.j, "peer_port", peer->port);
	if (reason != NULL) {
		json_str(&ev.j, "reason", reason);
		event_end(&ev, "%s %s: %s", name,
		    addr_words(peer, words, sizeof(words)), reason);
	} else {
		event_end(&ev, "%s %s", name,
		    addr_words(peer, words, sizeof(words)));
	}
}

void
session_closed_event(const struct endpoint *c, bool with_peer, bool bytes)
{
	double ms = sock_now_ms() - c->start_ms;
	char words[NI_MAXHOST + 8], why[32];
	struct event ev;

	if (c->truncated) /* --tls: EOF, but say so */
		diag(1, "%s closed the connection without TLS close_notify",
		    c->peer.host[0] ?
			addr_words(&c->peer, words, sizeof(words)) :
			"the peer");
	if (!event_begin(&ev, "closed"))
		return;
	if (with_peer) {
		/* null for an unnamed Unix client, as in "accepted" */
		json_str(&ev.j, "peer", c->peer.host[0] ? c->peer.host : NULL);
		if (c->peer.family == AF_UNIX)
			json_null(&ev.j, "peer_port");
		else
			json_uint(&ev.j, "peer_port", c->peer.port);
	}
	if (bytes) {
		json_uint(&ev.j, "bytes_in", c->bytes_in);
		json_uint(&ev.j, "bytes_out", c->bytes_out);
	} else {
		json_null(&ev.j, "bytes_in");
		json_null(&ev.j, "bytes_out");
	}
	json_ms(&ev.j, "duration_ms", ms);
	if (c->reason != NULL)
		json_str(&ev.j, "reason", c->reason);
	why[0] = '\0';
	if (c->reason != NULL)
		snprintf(why, sizeof(why), " (%s)", c->reason);
	if (!bytes)
		event_end(&ev, "closed %s after %.2f ms%s",
		    addr_words(&c->peer, words, sizeof(words)), ms, why);
	else if (with_peer)
		event_end(&ev, "closed %s: %llu bytes in, %llu out, %.2f ms%s",
		    addr_words(&c->peer, words, sizeof(words)),
		    (unsigned long long)c->bytes_in,
		    (unsigned long long)c->bytes_out, ms, why);
	else
		event_end(&ev, "closed: %llu bytes in, %llu out, %.2f ms%s",
		    (unsigned long long)c->bytes_in,
		    (unsigned long long)c->bytes_out, ms, why);
}

void
tls_event(const struct tls_info *in, const struct sock_addr *peer)
{
	char words[NI_MAXHOST + 8], *text = NULL;
	size_t len = 0;
	struct event ev;
	FILE *mem;

	if (!event_begin(&ev, "tls"))
		return;
	if (peer != NULL) {
		json_str(&ev.j, "peer", peer->host[0] ? peer->host : NULL);
		if (peer->family == AF_UNIX)
			json_null(&ev.j, "peer_port");
		else
			json_uint(&ev.j, "peer_port", peer->port);
	}
	tls_json(&ev.j, in);
	mem = open_memstream(&text, &len);
	if (mem != NULL) {
		tls_text(mem, in, true);
		fclose(mem);
	}
	if (peer != NULL)
		event_end(&ev, "tls %s: %s",
		    addr_words(peer, words, sizeof(words)), text ? text : "");
	else
		event_end(&ev, "tls %s", text ? text : "");
	free(text);
}
