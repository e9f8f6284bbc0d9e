/* Small helpers shared by every file: cleanup attributes and array sizes. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define GA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void ga_freep(void *p)
{
	free(*(void **)p);
}

static inline void ga_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

/* Free a NULL-terminated array of strings and the array itself. */
void ga_strv_free(char **strv);

static inline void ga_strv_freep(char ***strv)
{
	ga_strv_free(*strv);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(ga_freep)
#define _cleanup_close_ _cleanup_(ga_closep)
#define _cleanup_strv_ _cleanup_(ga_strv_freep)

/* Hand a pointer over to the caller: return it and clear the local copy. */
#define steal_ptr(p)                       \
	({                                 \
		__typeof__(p) stolen_ = p; \
		p = NULL;                  \
		stolen_;                   \
	})

#define GA_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
