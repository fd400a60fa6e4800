/* The relay's insides, shared by its files: relay.c (the loop) and
   zerocopy.c (the path that moves bytes without copying them). */
#ifndef SOCKIT_STREAM_INTERNAL_H
#define SOCKIT_STREAM_INTERNAL_H

#include "stream/relay.h"

#define RELAY_BUF	 (128 * 1024) /* one read, either way */
#define RELAY_MAX_LISTEN 16
#define RELAY_EVENTS	 256 /* ready descriptors taken per wait */

struct relay {
	struct relay_opts o;
	struct relay_hooks h;
	struct conn **c;
	size_t n, cap;
	int lfd[RELAY_MAX_LISTEN];
	int l_reg[RELAY_MAX_LISTEN];
	short l_re[RELAY_MAX_LISTEN];
	size_t nl;
	unsigned l_streak;   /* rounds in a row with a listener ready */
	int ep;		     /* the epoll set */
	int in_reg, out_reg; /* stdin's and stdout's events in it */
	short in_re, out_re; /* what was ready this round */
	bool had_conn;	     /* a connection was added */
	double accept_pause; /* no accepting before this (EMFILE) */
	/* stdin */
	bool in_eof, in_tty, in_poll, in_restore;
	bool in_hup;	  /* told a hang-up while not wanted */
	bool in_quiet;	  /* told ready while not wanted */
	bool in_dontwait; /* a socket shared with stderr: MSG_DONTWAIT */
	char in_last;	  /* -C: the last byte of the previous chunk */
	int in_flags;
	double in_eof_at;
	char *ibuf;
	size_t ilen;
	/* stdout */
	bool out_closed, out_poll, out_restore;
	bool out_dontwait; /* a socket shared with stderr: MSG_DONTWAIT */
	int out_flags;
	char *obuf;
	size_t olen, ooff;
	/* -o, -x */
	unsigned long log_ids; /* clients so far */
	bool log_failed;       /* a write failed: stop */
	struct sock_err log_err;
	/* zero copy (one connection, nothing that must see the bytes) */
	int zc_in;	    /* ZC_SPLICE (stdin a pipe), ZC_SENDFILE (a file) */
	int zc_out;	    /* ZC_SPLICE (stdout a pipe), ZC_PIPE (via zp) */
	bool zin_wait_sock; /* stdin -> socket waits for the socket */
	bool zout_wait_out; /* socket -> stdout waits for stdout */
	int zp[2];	    /* the pipe in the middle for ZC_PIPE */
	size_t zlen;	    /* bytes in it */
};

enum { ZC_NONE, ZC_SPLICE, ZC_SENDFILE, ZC_PIPE };

#define ZC_CHUNK (1 << 20) /* at most per splice/sendfile call */

/* Marks c failed with errno code (see relay.c). */
void conn_fail(struct conn *c, int code, const char *reason);

/* zerocopy.c */
void zc_setup(struct relay *);
int zc_move_in(struct relay *, struct conn *, bool by_stdin, struct sock_err *);
int zc_drain(struct relay *, struct sock_err *);
int zc_move_out(struct relay *, struct conn *, bool by_sock, struct sock_err *);

#endif
