/* -o and -x.  A record (what one read or send moved) is formatted in
   one buffer and written with one write() where the file takes it whole,
   so that a line is never cut by another writer of the file (stdout's
   bytes, with 2>&1; the other -e helpers of a listen -k).  A write error
   is handed back: the relay stops, the mode tells it. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out/log.h"
#include "out/report.h"

#define HEX_LINE 96 /* "> 00000000  xx ... xx  |0123456789abcdef|\n" */

void
session_log_init(struct session_log *l)
{
	memset(l, 0, sizeof(*l));
	l->output_fd = l->hexdump_fd = -1;
	l->output_last = l->hexdump_last = (unsigned long)-1; /* none yet */
}

bool
session_log_on(const struct session_log *l)
{
	return l->output_fd >= 0 || l->hexdump_fd >= 0;
}

void
session_log_free(struct session_log *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = 0;
}

const char *
addr_words(const struct sock_addr *a, char *buf, size_t len)
{
	if (a->family == AF_UNIX || a->family == 0)
		snprintf(buf, len, "%s", a->host[0] ? a->host : "(unnamed)");
	else
		snprintf(buf, len, "%s %u", a->host, (unsigned)a->port);
	return buf;
}

/* "# HOST PORT\n" (or the path) of peer at out; control bytes of a name
   the peer chose are written \xHH.  Returns its length. */
static size_t
log_mark(char *out, const struct sock_addr *peer)
{
	const char *host = peer->host[0] ? peer->host : "(unnamed)";
	size_t n = 0;

	out[n++] = '#';
	out[n++] = ' ';
	for (; *host != '\0'; host++) {
		if ((unsigned char)*host < 0x20 || *host == 0x7f)
			n += (size_t)sprintf(out + n, "\\x%02x",
			    (unsigned char)*host);
		else
			out[n++] = *host;
	}
	if (peer->family == AF_INET || peer->family == AF_INET6)
		n += (size_t)sprintf(out + n, " %u", (unsigned)peer->port);
	out[n++] = '\n';
	return n;
}

/* The -x lines of n bytes at buf, from offset, at out.  Returns their
   length. */
static size_t
hex_lines(char *out, char dir, uint64_t offset, const char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k, len = 0;

	for (i = 0; i < n; i += 16) {
		len += (size_t)sprintf(out + len, "%c %08llx ", dir,
		    (unsigned long long)(offset + i));
		for (k = 0; k < 16; k++) {
			out[len++] = ' ';
			unsigned char byte =
			    i + k < n ? (unsigned char)buf[i + k] : 0;

			out[len++] = i + k < n ? hex[byte >> 4] : ' ';
			out[len++] = i + k < n ? hex[byte & 15] : ' ';
			if (k == 7)
				out[len++] = ' ';
		}
		memcpy(out + len, "  |", 3);
		len += 3;
		for (k = 0; k < 16 && i + k < n; k++)
			out[len++] = isprint((unsigned char)buf[i + k]) ?
			    buf[i + k] :
			    '.';
		out[len++] = '|';
		out[len++] = '\n';
	}
	return len;
}

/* Writes record rec to fd (-o: the bytes; hex: their dump), after a "#
   HOST PORT" line when another client's record came last (*last: the
   client, or for a shared file where it ended).  Returns 0, or -1
   (errno). */
static int
log_one(struct session_log *l, int fd, unsigned long *last,
    const struct log_record *rec, bool hex)
{
	struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	size_t need = 4 * NI_MAXHOST + 16 +
	    (hex ? (rec->n / 16 + 1) * HEX_LINE : rec->n),
	       len = 0;
	bool shared = l->marks == LOG_MARKS_SHARED, locked = false;
	off_t at = -1;
	char *grown;
	int rc;

	if (need > l->cap) {
		if ((grown = realloc(l->buf, need)) == NULL)
			return -1;
		l->buf = grown;
		l->cap = need;
	}
	if (shared) {
		/* a lock between processes (fcntl locks are per process),
		   then: did another write since our last record? */
		locked = fcntl(fd, F_SETLKW, &lock) == 0;
		at = lseek(fd, 0, SEEK_CUR);
	}
	if ((shared && (at == -1 || (unsigned long)at != *last)) ||
	    (l->marks == LOG_MARKS_CHANGE && *last != rec->client))
		len = log_mark(l->buf, rec->peer);
	if (hex) {
		len += hex_lines(l->buf + len, rec->dir, rec->offset, rec->buf,
		    rec->n);
	} else {
		memcpy(l->buf + len, rec->buf, rec->n);
		len += rec->n;
	}
	/* a stderr that another process made non-blocking waits: nothing
	   is dropped */
	rc = write_whole(fd, l->buf, len);
	if (shared) {
		at = lseek(fd, 0, SEEK_CUR);
		*last = at == -1 ? 0 : (unsigned long)at;
	} else {
		*last = rec->client;
	}
	if (locked) {
		lock.l_type = F_UNLCK;
		fcntl(fd, F_SETLK, &lock);
	}
	return rc;
}

int
session_log_write(struct session_log *l, const struct log_record *rec,
    struct sock_err *e)
{
	if (l->output_fd >= 0 &&
	    log_one(l, l->output_fd, &l->output_last, rec, false) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "%s", l->output_name);
	if (l->hexdump_fd >= 0 &&
	    log_one(l, l->hexdump_fd, &l->hexdump_last, rec, true) == -1)
		return sock_fail(e, SOCK_ELOCAL, errno, "%s", l->hexdump_name);
	return 0;
}
