/* -o and -x: the records of what a stream session moved, written to
   their files as the relay's log hook hands them over; and the words
   that name a peer in messages and in those records. */
#ifndef SOCKIT_LOG_H
#define SOCKIT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock/sock.h"

/* Which records get a "# HOST PORT" line before them. */
enum log_marks {
	LOG_MARKS_NONE,	  /* one connection */
	LOG_MARKS_CHANGE, /* -k: when another client's came last */
	LOG_MARKS_SHARED  /* -k -e: the files are shared with other
			     processes: when another wrote since */
};

/* What one read or send moved. */
struct log_record {
	char dir;		      /* '>' sent to the peer, '<' received */
	unsigned long client;	      /* which client: the marks tell apart */
	const struct sock_addr *peer; /* its address, for the mark */
	uint64_t offset;	      /* of these bytes in their direction */
	const char *buf;
	size_t n;
};

/* The -o and -x files of a session. */
struct session_log {
	int output_fd;	/* -o: a copy of both directions, or -1 */
	int hexdump_fd; /* -x: a dump of both directions, or -1 */
	const char *output_name, *hexdump_name; /* for messages */
	enum log_marks marks;
	unsigned long output_last, hexdump_last; /* see log_one() */
	char *buf;				 /* one record, formatted */
	size_t cap;
};

/* No files yet: output_fd and hexdump_fd -1. */
void session_log_init(struct session_log *);
/* true when -o or -x is on. */
bool session_log_on(const struct session_log *);
/* Writes a record to the -o file (the bytes) and the -x file (their
   dump), each with one write() where the file takes it whole.  Returns
   0, or -1 with *e (ELOCAL, what: the file's name). */
int session_log_write(struct session_log *, const struct log_record *,
    struct sock_err *e);
/* Frees the buffer; the files stay open. */
void session_log_free(struct session_log *);
/* "HOST PORT" or the path of an address, for messages. */
const char *addr_words(const struct sock_addr *, char *buf, size_t len);

#endif
