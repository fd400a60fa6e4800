/* Shared by the files of tests/unit/test_sock, the unit test of the socket
   module (src/sock/): one file per part of the module, each a test_*()
   that main.c runs in turn.  Loopback only; every wait is bounded. */
#ifndef TEST_SOCK_H
#define TEST_SOCK_H

#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sock/sock.h"
#include "../addr.h"
#include "../tap.h"

/* A TCP listener on 127.0.0.1, an ephemeral port; *port is that port. */
int listen_lo(int backlog, uint16_t *port);
/* A port of 127.0.0.1 nobody listens on (listened on, then closed). */
uint16_t closed_port(void);
/* Reads exactly n bytes within WAIT_MS.  Returns true when they came. */
bool read_all(int fd, char *buf, size_t n);

void test_parse_port(void); /* addr.c */
void test_addr(void);
void test_values(void);	 /* value.c */
void test_resolve(void); /* resolve.c */
void test_interleave(void);
void test_tcp(void); /* tcp.c */
void test_connect_timeout(void);
void test_connect_list(void);
void test_dual_stack(void);
void test_unix(void);	  /* unix.c */
void test_udp(void);	  /* udp.c */
void test_opt_find(void); /* opt.c */
void test_opts(void);
void test_opt_table(void);
void test_tcpinfo_layout(void); /* tcpinfo.c */
void test_opt_live(void);

#endif
