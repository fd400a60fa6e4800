/* Shared by the files of tests/unit/test_out, the unit test of out/: one
   file per part, each a test_*() that main.c runs in turn. */
#ifndef TEST_OUT_H
#define TEST_OUT_H

#include "out/json.h"
#include "../tap.h"

void test_json(void);	/* json.c: the JSON Lines writer */
void test_events(void); /* events.c: the events and errors on stderr */

#endif
