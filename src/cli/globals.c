/* The global options of the command line. */
#include "config.h"

#include <sys/socket.h>
#include <stddef.h>

#include "cli/globals.h"

struct globals G = {
	.mode = NULL,
	.family = AF_UNSPEC,
	.timeout_ms = -1,
};
