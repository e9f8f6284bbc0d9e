// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-open.h"
#include "ga-statefile.h"

int ga_dir_open(struct ga_ctx *ctx, const char *path, bool create, unsigned mode, bool private_dir)
{
	struct stat st;
	int fd;

	if (!path || path[0] != '/')
		return ga_report(ctx, -EINVAL, "invalid directory '%s': it must be an absolute path",
				 path ? path : "");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return ga_report(ctx, -errno, "cannot create directory '%s': %s (%s)", path,
					 strerror(errno), errno == EACCES ? "run as root" : "check its parent");
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		int err = errno;

		if (err == ELOOP || err == ENOTDIR)
			return ga_report(ctx, -err, "refusing directory '%s': it is a symlink or not a directory (remove it)",
					 path);
		return ga_report(ctx, -err, "cannot open directory '%s': %s (%s)", path, strerror(err),
				 err == EACCES ? "run as root" : "check the path");
	}
	if (private_dir) {
		if (fstat(fd, &st) < 0) {
			int err = errno;

			close(fd);
			return ga_report(ctx, -err, "cannot stat '%s': %s", path, strerror(err));
		}
		if (st.st_uid != geteuid() || (st.st_mode & 022)) {
			close(fd);
			return ga_report(ctx, -EPERM,
					 "refusing state directory '%s': it is owned by uid %u or writable by others (make it owned by the user running gpu-assign, mode 0700)",
					 path, (unsigned)st.st_uid);
		}
	}
	return fd;
}

int ga_file_read(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name, char **out)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	char *nul;
	int r;

	*out = NULL;
	fd = ga_open_regular(dirfd, name, O_RDONLY | O_NOFOLLOW, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd == -EINVAL)
		return ga_report(ctx, -EINVAL, "refusing '%s/%s': not a regular file (remove it)", dirpath, name);
	if (fd < 0)
		return ga_report(ctx, fd, "cannot open '%s/%s': %s (%s)", dirpath, name, strerror(-fd),
				 fd == -ELOOP ? "it is a symlink: remove it" : "check its permissions");
	r = ga_read_fd(fd, GA_STATEFILE_MAX - 1, &buf, &len);
	if (r == -EFBIG)
		return ga_report(ctx, -EFBIG, "cannot read '%s/%s': larger than %d bytes (it is not ours: move it away)",
				 dirpath, name, GA_STATEFILE_MAX);
	if (r == -ENOMEM)
		return ga_report(ctx, r, "out of memory");
	if (r < 0)
		return ga_report(ctx, r, "cannot read '%s/%s': %s", dirpath, name, strerror(-r));
	/* a NUL would end every parser early and silently: the rest of the file unread */
	nul = memchr(buf, '\0', len);
	if (nul)
		return ga_report(ctx, -EINVAL,
				 "refusing '%s/%s': it holds a NUL byte at offset %zu (damaged or not ours: look at it, then move it away)",
				 dirpath, name, (size_t)(nul - buf));
	*out = steal_ptr(buf);
	return 0;
}

int ga_file_write_atomic(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name,
			 const char *content, unsigned mode)
{
	char tmp[256];
	size_t len = strlen(content), done = 0;
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld", name, (long)getpid()) >= sizeof(tmp))
		return ga_report(ctx, -ENAMETOOLONG, "file name '%s' too long", name);
	unlinkat(dirfd, tmp, 0);
	fd = ga_open_regular(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd < 0)
		return ga_report(ctx, fd, "cannot create '%s/%s': %s (%s)", dirpath, tmp, strerror(-fd),
				 fd == -EACCES || fd == -EROFS ? "run as root on a writable file system"
							       : "check the directory");
	while (done < len) {
		ssize_t n = write(fd, content + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	fsync(dirfd);
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return ga_report(ctx, -err, "cannot write '%s/%s': %s (check free space and permissions)", dirpath, name,
			 strerror(err));
}

int ga_file_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return ga_report(ctx, -errno, "cannot remove '%s/%s': %s", dirpath, name, strerror(errno));
	fsync(dirfd);
	return 0;
}
