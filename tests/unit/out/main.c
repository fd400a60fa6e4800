/* The unit test of out/: main() runs every part in turn. */
#include "config.h"

#include "test_out.h"

int
main(void)
{
	test_json();
	test_events();
	return done();
}
