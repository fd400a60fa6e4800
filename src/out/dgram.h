/* Received datagrams on stdout, shared by udp-recv and udp-send --reply:
   the payload as it is, or one JSON object per datagram. */
#ifndef SOCKIT_DGRAM_H
#define SOCKIT_DGRAM_H

#include <stddef.h>
#include <time.h>

#include "sock/sock.h"

/* "2026-11-22T07:08:04.123456Z" (ISO 8601, UTC, microseconds) into buf;
   returns buf. */
const char *iso_time(const struct timespec *, char *buf, size_t len);

/* Writes d to stdout: its payload (text), or with json the object
   {"from","port","bytes","data" or "data_base64","time"} and "truncated"
   when the kernel cut it.  The text is not flushed; the object is.
   Returns 0, or -1 when stdout failed. */
int dgram_print(const struct sock_dgram *d, bool json);

#endif
