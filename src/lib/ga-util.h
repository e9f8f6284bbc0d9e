/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/*
 * The names of an enum whose values run from 0 to last - 1, in one table:
 *   GA_ENUM_STRINGS(ga_arch, enum ga_arch, GA_ARCH_LAST,
 *                   [GA_ARCH_AUTO] = "auto", [GA_ARCH_X86_64] = "x86_64", ...)
 * defines the table ga_arch_names (NULL-terminated) and the pair
 *   const char *ga_arch_to_string(enum ga_arch value): GA_ENUM_UNKNOWN for a
 *       value out of range or without a name;
 *   int ga_arch_from_string(const char *str): the value, -1 for NULL or a
 *       string that names none.
 * The enum's header declares the two functions.
 */
#define GA_ENUM_UNKNOWN "unknown"
#define GA_ENUM_STRINGS(prefix, type, last, ...)                               \
	static const char *const prefix##_names[(last) + 1] = { __VA_ARGS__ }; \
	const char *prefix##_to_string(type value)                             \
	{                                                                      \
		return ga_enum_to_string(prefix##_names, (last), (int)value);  \
	}                                                                      \
	int prefix##_from_string(const char *str)                              \
	{                                                                      \
		return ga_enum_from_string(prefix##_names, (last), str);       \
	}

/* The two halves of GA_ENUM_STRINGS, over a table of n names. */
const char *ga_enum_to_string(const char *const *names, int n, int value);
int ga_enum_from_string(const char *const *names, int n, const char *str);
