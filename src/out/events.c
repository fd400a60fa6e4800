/* The events of SPEC.md on stderr, one function per event, each field
   written once for both forms (out/line.c).  Where the text says a field
   at another place than JSON lists it, the field is written twice: once
   as words only (key NULL), once as a member only (before NULL). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/globals.h"
#include "out/events.h"
#include "out/line.h"
#include "out/log.h"
#include "out/report.h"
#include "out/tlsout.h"

/* The members key and port_key of address a (the host null for an
   unnamed Unix client, the port null for a Unix one), and in text its
   words ("HOST PORT", the path) after before. */
static void
line_address(struct line *l, const char *key, const char *port_key,
    const char *before, const struct sock_addr *a)
{
	char words[NI_MAXHOST + 8];

	line_str(l, key, NULL, a->host[0] ? a->host : NULL);
	if (a->family == AF_UNIX)
		line_null(l, port_key);
	else
		line_uint(l, port_key, NULL, a->port);
	line_str(l, NULL, before, addr_words(a, words, sizeof(words)));
}

int
event_listening(const struct sock_addr *a, const char *proto, bool always)
{
	struct line l;

	if (!line_begin(&l, "listening", always))
		return 0;
	line_str(&l, "address", "listening on ", a->host);
	if (a->family == AF_UNIX)
		line_null(&l, "port");
	else
		line_uint(&l, "port", " ", a->port);
	line_str(&l, "proto", NULL, proto);
	return line_end(&l);
}

/* The event name about peer (and client, reason when not NULL). */
static int
peer_event(const char *name, const struct sock_addr *peer,
    const struct sock_addr *client, const char *reason, int mptcp)
{
	struct line l;

	if (!line_begin(&l, name, false))
		return 0;
	line_text(&l, "%s", name);
	line_address(&l, "peer", "peer_port", " ", peer);
	if (client != NULL)
		line_address(&l, "client", "client_port", " for ", client);
	if (reason != NULL)
		line_str(&l, "reason", ": ", reason);
	if (mptcp >= 0)
		line_bool(&l, "mptcp", mptcp, " (mptcp)", " (tcp: no MPTCP)");
	return line_end(&l);
}

int
event_accepted(const struct sock_addr *peer, const struct sock_addr *client)
{
	return peer_event("accepted", peer, client, NULL, -1);
}

int
event_accepted_mptcp(const struct sock_addr *peer,
    const struct sock_addr *client, int mptcp)
{
	return peer_event("accepted", peer, client, NULL, mptcp);
}

int
event_refused(const struct sock_addr *peer, const char *reason)
{
	return peer_event("refused", peer, NULL, reason, -1);
}

int
event_peer(const struct sock_addr *peer)
{
	return peer_event("peer", peer, NULL, NULL, -1);
}

int
event_expired(const struct sock_addr *peer)
{
	return peer_event("expired", peer, NULL, NULL, -1);
}

int
event_connected(const struct event_connected *c)
{
	static const struct sock_addr unknown; /* "" and 0, as before */
	const struct sock_addr *peer = c->peer;
	const struct sock_addr *local = c->local ? c->local : &unknown;
	bool path = peer->family == AF_UNIX;
	struct line l;

	if (!line_begin(&l, "connected", false))
		return 0;
	if (c->proxy != NULL) /* the URL first in text, last in JSON */
		line_str(&l, NULL, "connected through proxy ", c->proxy);
	line_str(&l, "address", c->proxy ? " (" : "connected to ", peer->host);
	if (path)
		line_null(&l, "port");
	else
		line_uint(&l, "port", " ", peer->port);
	line_text(&l, "%s", c->proxy ? ")" : "");
	line_str(&l, "local_address", path ? NULL : " from ",
	    path ? NULL : local->host);
	if (path)
		line_null(&l, "local_port");
	else
		line_uint(&l, "local_port", " ", local->port);
	line_ms(&l, "connect_ms", " in ", c->connect_ms);
	line_text(&l, " ms");
	if (c->proxy != NULL)
		line_str(&l, "proxy", NULL, c->proxy);
	if (c->proto != NULL)
		line_str(&l, "proto", NULL, c->proto);
	if (c->mptcp_asked)
		line_bool(&l, "mptcp", c->mptcp, " (mptcp)",
		    " (tcp: no MPTCP)");
	return line_end(&l);
}

int
event_closed(const struct event_closed *c)
{
	struct line l;

	if (!line_begin(&l, "closed", false))
		return 0;
	line_text(&l, "closed");
	if (c->peer != NULL)
		line_address(&l, "peer", "peer_port", " ", c->peer);
	if (c->datagrams) {
		line_uint(&l, "datagrams_in", ": ", c->datagrams_in);
		line_uint(&l, "datagrams_out", " datagrams in, ",
		    c->datagrams_out);
	}
	if (c->counted) {
		line_uint(&l, "bytes_in", c->datagrams ? " out, " : ": ",
		    c->bytes_in);
		line_uint(&l, "bytes_out", " bytes in, ", c->bytes_out);
		line_ms(&l, "duration_ms", " out, ", c->duration_ms);
	} else {
		line_null(&l, "bytes_in");
		line_null(&l, "bytes_out");
		line_ms(&l, "duration_ms", " after ", c->duration_ms);
	}
	line_text(&l, " ms");
	if (c->reason != NULL) {
		line_str(&l, "reason", " (", c->reason);
		line_text(&l, ")");
	}
	return line_end(&l);
}

int
event_certificate(const char *subject, const char *fingerprint)
{
	struct line l;

	if (!line_begin(&l, "certificate", true))
		return 0;
	line_str(&l, "subject", NULL, subject);
	line_str(&l, "fingerprint_sha256", "certificate sha256 ", fingerprint);
	return line_end(&l);
}

int
event_tls(const struct tls_info *info, const struct sock_addr *peer)
{
	char *text = NULL;
	size_t len = 0;
	struct line l;
	FILE *facts;

	if (!line_begin(&l, "tls", false))
		return 0;
	line_text(&l, "tls");
	if (peer != NULL) {
		line_address(&l, "peer", "peer_port", " ", peer);
		line_text(&l, ":");
	}
	/* the facts are many fields, written by tlsout.c in each form */
	if (l.json)
		tls_json(&l.j, info);
	else if ((facts = open_memstream(&text, &len)) != NULL) {
		tls_text(facts, info, true);
		fclose(facts);
	}
	line_text(&l, " %s", text != NULL ? text : "");
	free(text);
	return line_end(&l);
}

int
event_sent(const struct sock_addr *to, size_t bytes)
{
	struct line l;

	if (!line_begin(&l, "sent", false))
		return 0;
	line_uint(&l, NULL, "sent ", bytes); /* the count first in text */
	line_str(&l, "address", " bytes to ", to->host);
	if (to->family == AF_UNIX) /* a path: no port */
		line_null(&l, "port");
	else
		line_uint(&l, "port", " ", to->port);
	line_uint(&l, "bytes", NULL, bytes);
	return line_end(&l);
}

/* "sockit: MODE: " (or "sockit: " before the mode is known) into buf. */
static const char *
line_prefix(char *buf, size_t len)
{
	snprintf(buf, len, "sockit: %s%s", G.mode != NULL ? G.mode : "",
	    G.mode != NULL ? ": " : "");
	return buf;
}

/* The "kind" word of an error event. */
static const char *
kind_name(enum sock_kind kind)
{
	switch (kind) {
	case SOCK_ENET:
		return "network";
	case SOCK_EUSAGE:
		return "usage";
	case SOCK_ERESOLVE:
		return "resolve";
	case SOCK_ETLS:
		return "tls";
	case SOCK_OK:
	case SOCK_ELOCAL:
		break;
	}
	return "local";
}

int
event_error(enum sock_kind kind, bool fatal, const char *message)
{
	char prefix[64], after[80] = "";
	struct json j;

	if (G.json) {
		json_begin(&j, stderr);
		json_str(&j, "event", "error");
		json_str(&j, "mode", G.mode);
		json_str(&j, "kind", kind_name(kind));
		json_str(&j, "message", message);
		if (fatal)
			json_int(&j, "exit", exit_status(kind));
		else
			json_null(&j, "exit");
		return stderr_json(&j);
	}
	if (kind == SOCK_EUSAGE && fatal)
		snprintf(after, sizeof(after), "Try 'sockit %s%s--help'.\n",
		    G.mode != NULL ? G.mode : "", G.mode != NULL ? " " : "");
	return stderr_text(line_prefix(prefix, sizeof(prefix)), message, after);
}

int
event_diagnostic(const char *message)
{
	char prefix[64];
	struct json j;

	if (G.json) {
		json_begin(&j, stderr);
		json_str(&j, "event", "diagnostic");
		json_str(&j, "mode", G.mode);
		json_str(&j, "message", message);
		return stderr_json(&j);
	}
	return stderr_text(line_prefix(prefix, sizeof(prefix)), message, "");
}
