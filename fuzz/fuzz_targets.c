/* --targets FILE: targets_read_fp(), the lines split into words as an
   argv for the option table.  Checks: a line is "connect" and at least
   one word, NULL-terminated, numbered within the input's lines in
   ascending order, its words no longer than the input; a failure leaves
   no line.  (Its messages go to /dev/null.) */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "cli/targets.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	if (null != -1)
		dup2(null, 2);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target_lines t;
	FILE *fp;
	size_t i, newlines = 0;
	int k, last = 0, status;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	for (i = 0; i < size; i++)
		newlines += data[i] == '\n';
	status = targets_read_fp(fp, "fuzz", &t);
	fclose(fp);
	CHECK(status == 0 || t.n == 0, "a failure (%d) left %zu lines", status,
	    t.n);
	for (i = 0; i < t.n; i++) {
		CHECK(t.v[i].argc >= 2 &&
			strcmp(t.v[i].argv[0], "connect") == 0,
		    "line %zu: %d words", i, t.v[i].argc);
		CHECK(t.v[i].argv[t.v[i].argc] == NULL, "line %zu: no NULL", i);
		CHECK(t.v[i].number > last &&
			(size_t)t.v[i].number <= newlines + 1,
		    "line %zu numbered %d", i, t.v[i].number);
		last = t.v[i].number;
		for (k = 1; k < t.v[i].argc; k++)
			CHECK(strlen(t.v[i].argv[k]) <= size + 2,
			    "a word longer than the input");
	}
	targets_free(&t);
	return 0;
}
