/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small files we own outside sysfs (the run-state directory, udev rules):
 * open a directory without following symlinks, read a file in it, replace a
 * file atomically (temporary file, fsync, rename), remove one.
 */
#pragma once

#include <stdbool.h>

#include "ga-ctx.h"

/* Largest state/rule file we read. */
#define GA_STATEFILE_MAX (1024 * 1024)

/*
 * Open directory `path` (O_DIRECTORY|O_NOFOLLOW on the last component).
 * With create, a missing directory is made with `mode` (its parent must exist).
 * With private, the directory must belong to us and not be writable by group
 * or others: a lock or journal in a directory others can write is no lock.
 */
int ga_dir_open(struct ga_ctx *ctx, const char *path, bool create, unsigned mode, bool private_dir);

/*
 * Read dirfd/name into a new string; a missing file gives *out = NULL and 0.
 * Opened by ga_open_regular() with O_NOFOLLOW: a symlink (-ELOOP) or anything
 * but a regular file (-EINVAL) is refused, never waited on; so is a file
 * holding a NUL byte (-EINVAL), which would end its parser early and silently.
 */
int ga_file_read(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name, char **out);

/*
 * Replace dirfd/name with content: write ".<name>.tmp.<pid>", fsync it,
 * rename it over name, fsync the directory. Readers see the old or the new
 * file, never a mix.
 */
int ga_file_write_atomic(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name,
			 const char *content, unsigned mode);

/* Remove dirfd/name; a missing file is fine. */
int ga_file_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name);
