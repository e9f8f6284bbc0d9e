/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * THE opening policy for every file gpu-assign reads or writes outside
 * sysfs: state files (journal, bindings, lock), the udev rules file, the
 * configuration, the test overrides file, modules.alias, /proc files, the
 * hook's log. Libc only (the hook's front end links it without the library).
 */
#pragma once

#include <stdio.h>

/*
 * openat(dirfd, path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode), then
 * refuse anything but a regular file: O_NONBLOCK keeps a FIFO from hanging us
 * before fstat says what it is (it is cleared again once the file is known to
 * be regular). Give O_NOFOLLOW in flags for files only gpu-assign writes (state
 * files); an administrator may symlink the configuration or a log.
 *
 * Returns the fd, or -errno: -EINVAL for something that is not a regular file
 * (a directory, FIFO, socket or device), -ELOOP for a symlink under
 * O_NOFOLLOW, else what openat(2) said. Reports nothing: callers word the
 * message (see ga_open_why()).
 */
int ga_open_regular(int dirfd, const char *path, int flags, unsigned mode);

/* ga_open_regular(AT_FDCWD, path, O_RDONLY) as a stdio stream; NULL with errno set (EINVAL: not a regular file). */
FILE *ga_fopen_regular(const char *path);

/* What a ga_open_regular() error means, for a message: "not a regular file", "a symlink", or strerror(). */
const char *ga_open_why(int err);
