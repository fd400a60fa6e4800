/* -e CMD: exec_split().  Checks: without quotes the words are those of a
   split at blanks; with them, the words hold no more bytes than CMD and
   no quote that grouped.  (exec_split() prints nothing; stderr goes to
   /dev/null all the same: sanitizer reports do not use the stdio
   stream.) */
#include "config.h"

#include "stream/exec.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	if (null != NULL)
		stderr = null;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmd = fuzz_str(data, size), *dup, *w, *save = NULL, quote;
	char **v = exec_split(cmd, &quote);
	size_t n, total = 0;

	if (v == NULL) {
		/* only an empty command or an open quote is refused */
		CHECK(cmd[strspn(cmd, " \t\n")] == '\0' ||
			strpbrk(cmd, "'\"") != NULL,
		    "\"%s\" refused", cmd);
		free(cmd);
		return 0;
	}
	for (n = 0; v[n] != NULL; n++)
		total += strlen(v[n]);
	CHECK(n >= 1 && total <= strlen(cmd), "%zu words, %zu bytes", n, total);
	if (strpbrk(cmd, "'\"") == NULL) {
		dup = strdup(cmd);
		n = 0;
		for (w = strtok_r(dup, " \t\n", &save); w != NULL;
		     w = strtok_r(NULL, " \t\n", &save), n++)
			CHECK(v[n] != NULL && strcmp(v[n], w) == 0,
			    "word %zu of \"%s\" is \"%s\", not \"%s\"", n, cmd,
			    v[n] ? v[n] : "(none)", w);
		CHECK(v[n] == NULL, "extra word \"%s\" in \"%s\"", v[n], cmd);
		free(dup);
	}
	free(v);
	free(cmd);
	return 0;
}
