/* Replacements for libc functions some systems lack. */
#ifndef COMPAT_H
#define COMPAT_H

#include "config.h"

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t strlcpy(char *dst, const char *src, size_t size);
#endif

#endif
