/* The telnet filter's scanner (stream/telnet.c), pure: fuzzed by
   fuzz/fuzz_telnet.c. */
#ifndef SOCKIT_TELNET_H
#define SOCKIT_TELNET_H

#include <stddef.h>

/* Takes the telnet commands out of the n bytes at buf, in place, from
   state *at (0 at first; the WILL/WONT/DO/DONT under way in *verb),
   which it updates: a sequence may be split across calls.  IAC IAC is
   one 0xFF byte.  Each option negotiated is answered (refused) in ans,
   which has room for n bytes: DO and DONT with IAC WONT, WILL and WONT
   with IAC DONT; *nans is the answers' length.  Returns the data bytes
   left at buf. */
size_t telnet_scan(unsigned char *at, unsigned char *verb, char *buf, size_t n,
    char *ans, size_t *nans);

#endif
