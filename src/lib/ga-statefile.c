#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-ctx.h"
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
	struct stat st;

	*out = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ga_report(ctx, -errno, "cannot open '%s/%s': %s (%s)", dirpath, name, strerror(errno),
				 errno == ELOOP ? "it is a symlink: remove it" : "check its permissions");
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ga_report(ctx, -EINVAL, "refusing '%s/%s': not a regular file (remove it)", dirpath, name);
	buf = malloc(GA_STATEFILE_MAX + 1);
	if (!buf)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + len, GA_STATEFILE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ga_report(ctx, -errno, "cannot read '%s/%s': %s", dirpath, name, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == GA_STATEFILE_MAX)
			return ga_report(ctx, -EFBIG, "cannot read '%s/%s': larger than %d bytes (it is not ours: move it away)",
					 dirpath, name, GA_STATEFILE_MAX);
	}
	buf[len] = '\0';
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
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return ga_report(ctx, -errno, "cannot create '%s/%s': %s (%s)", dirpath, tmp, strerror(errno),
				 errno == EACCES || errno == EROFS ? "run as root on a writable file system"
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
