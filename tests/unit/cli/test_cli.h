/* What the files of test_cli share. */
#ifndef TEST_CLI_H
#define TEST_CLI_H

/* options.c: the option table, its types, getopt's strings, opt_next()
   and opt_takes_next(). */
void test_options(void);
/* nc.c: the nc front end's translation. */
void test_nc(void);

#endif
