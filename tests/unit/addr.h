/* Shared by the C unit tests that need sockets: the bound of a wait that
   should succeed, and address records for numeric hosts. */
#ifndef TEST_ADDR_H
#define TEST_ADDR_H

#include <stdio.h>
#include <stdlib.h>

#include "sock/sock.h"

#define WAIT_MS 3000 /* the bound of a wait that should succeed */

/* An address record for a numeric host, or exits: a test setup step. */
static inline struct sock_addr
addr(const char *host, uint16_t port)
{
	struct sock_addr a;
	struct sock_err e;

	if (sock_addr_ip(&a, host, port, AF_UNSPEC, &e) == -1) {
		printf("Bail out! %s: %s\n", e.what, sock_strerror(&e));
		exit(1);
	}
	return a;
}

#endif
