/* The global options of the command line, valid in every mode: set by
   main() and the option parser, read by the modes and by out/ (never by
   the subsystems below the modes, which get what they need in their own
   options). */
#ifndef SOCKIT_GLOBALS_H
#define SOCKIT_GLOBALS_H

#include <stdbool.h>
#include <stdint.h>

/* The global options, valid in every mode. */
struct globals {
	const char *mode;   /* the mode word, for messages */
	int family;	    /* AF_UNSPEC, or AF_INET with -4, AF_INET6 -6 */
	bool json;	    /* -j */
	int verbose;	    /* -v, repeatable */
	bool quiet;	    /* --quiet */
	int64_t timeout_ms; /* -w, -1 when not given */
	bool numeric;	    /* -n */
	bool nc; /* run as nc (sockit nc, or named nc): nc's -z output and
		    exit status, an idle -w ends well */
};
extern struct globals G;

#endif
