/* SIGINT and SIGTERM: after signals_catch(), they set stop_signal and
   interrupt poll(2) instead of killing the process, so a mode can end
   its sessions (and report them) before signals_finish() dies by it.
   The relay and the check loop get &stop_signal in their options. */
#ifndef SOCKIT_SIGNALS_H
#define SOCKIT_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t stop_signal;
void signals_catch(void);
/* Re-raises a caught signal with its default action; returns otherwise. */
void signals_finish(void);

#endif
