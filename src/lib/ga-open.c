// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-open.h"

int ga_open_regular(int dirfd, const char *path, int flags, unsigned mode)
{
	struct stat st;
	int fd, fl;

	fd = openat(dirfd, path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0) {
		int err = errno;

		/*
		 * EISDIR: a directory opened for writing. ENXIO: a FIFO opened
		 * O_WRONLY|O_NONBLOCK with no reader, a socket, or a device
		 * without its driver. None of them is a regular file.
		 */
		return err == EISDIR || err == ENXIO ? -EINVAL : -err;
	}
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

const char *ga_open_why(int err)
{
	if (err < 0)
		err = -err;
	if (err == EINVAL)
		return "not a regular file";
	if (err == ELOOP)
		return "it is a symlink";
	return strerror(err);
}

FILE *ga_fopen_regular(const char *path)
{
	int fd = ga_open_regular(AT_FDCWD, path, O_RDONLY, 0);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return f;
}
