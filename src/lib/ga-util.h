/* Small helpers shared by every file: cleanup attributes and array sizes. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

struct ga_ctx;

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

/*
 * THE reader of whole files: read fd to its end into a new buffer (*out,
 * *len bytes, a NUL after them, free with free()), refusing more than max
 * bytes. Reports nothing (it takes no context): returns 0, -EFBIG for more
 * than max bytes, -ENOMEM, or the -errno of a failed read(2), for the caller
 * to report in its own words.
 */
int ga_read_fd(int fd, size_t max, char **out, size_t *len);

/*
 * ga_read_fd on the file at path ("-": standard input), opened by
 * ga_open_regular() (a path that is not a regular file gives -EINVAL,
 * "<what> '<path>' is not a regular file ..."), reporting what fails
 * with `what` naming the file: "cannot open <what> '<path>': <why>",
 * "<what> '<path>' is larger than <max> MiB" (-EFBIG), "cannot read <what>
 * '<path>': <why>".
 */
int ga_read_file(struct ga_ctx *ctx, const char *path, const char *what, size_t max, char **out, size_t *len);

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
