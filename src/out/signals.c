/* SIGINT and SIGTERM, caught so that sessions end and are reported. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "out/signals.h"

volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

void
signals_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll(2) returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
signals_finish(void)
{
	int sig = stop_signal;

	if (sig == 0)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}
