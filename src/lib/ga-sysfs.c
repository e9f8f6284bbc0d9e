// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

#include "ga-ctx-priv.h"
#include "ga-open.h"
#include "ga-sysfs-priv.h"
#include "ga-sysfs.h"

void ga_sysfs_set_hooks(struct ga_ctx *ctx, const struct ga_sysfs_hooks *hooks, void *data)
{
	ctx->sysfs_hooks = hooks;
	ctx->sysfs_hooks_data = data;
}

static const char *errno_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "run as root";
	case ENOENT:
		return "the kernel does not expose it: check the device and driver";
	default:
		return "check the host's sysfs";
	}
}

static int root_fd(struct ga_ctx *ctx)
{
	if (ctx->sysfs_fd >= 0)
		return ctx->sysfs_fd;
	ctx->sysfs_fd = open(ga_ctx_get_sysfs_root(ctx), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->sysfs_fd < 0) {
		int err = errno;

		return ga_report(ctx, -err, "cannot open sysfs root '%s': %s (%s)",
				 ga_ctx_get_sysfs_root(ctx), strerror(err),
				 err == ENOENT ? "is sysfs mounted? check --sysfs-root/GA_SYSFS_ROOT"
					       : errno_hint(err));
	}
	return ctx->sysfs_fd;
}

int ga_sysfs_check_root(struct ga_ctx *ctx)
{
	int r = root_fd(ctx);

	return r < 0 ? r : 0;
}

/* Format a relative path; paths never start with '/', so openat stays under the root. */
static int build_path(struct ga_ctx *ctx, char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0 || (size_t)n >= size)
		return ga_report(ctx, -ENAMETOOLONG, "sysfs path too long: '%.64s...'", buf);
	if (buf[0] == '/' || strstr(buf, "..") || buf[0] == '\0')
		return ga_report(ctx, -EINVAL, "refusing sysfs path '%s': not a plain relative path", buf);
	return 0;
}

/* Format the path and make sure the root is open: the root fd (>= 0) or the error. */
static int resolve(struct ga_ctx *ctx, char path[PATH_MAX], const char *fmt, va_list ap)
{
	int r = build_path(ctx, path, PATH_MAX, fmt, ap);

	return r < 0 ? r : root_fd(ctx);
}

/* resolve() on the variadic arguments of the function it stands in (after fmt). */
#define RESOLVE(ctx, path, fmt)                       \
	({                                            \
		va_list ap_;                          \
		int r_;                               \
		va_start(ap_, fmt);                   \
		r_ = resolve(ctx, path, fmt, ap_);    \
		va_end(ap_);                          \
		r_;                                   \
	})

static int report_io(struct ga_ctx *ctx, int err, const char *what, const char *path)
{
	return ga_report(ctx, -err, "cannot %s '%s/%s': %s (%s)", what, ga_ctx_get_sysfs_root(ctx), path,
			 strerror(err), errno_hint(err));
}

/* Open a path under the root for reading, after the test hook had its say: an fd or the reported error. */
static int open_read(struct ga_ctx *ctx, const char *path)
{
	int dfd, fd, r;

	if (ctx->sysfs_hooks && ctx->sysfs_hooks->read) {
		r = ctx->sysfs_hooks->read(ctx->sysfs_hooks_data, path);
		if (r < 0)
			return report_io(ctx, -r, "read", path);
	}
	dfd = root_fd(ctx);
	if (dfd < 0)
		return dfd;
	/* sysfs attributes are regular files: anything else (a FIFO in a test tree) is refused, not waited on */
	fd = ga_open_regular(dfd, path, O_RDONLY, 0);
	if (fd == -EINVAL)
		return ga_report(ctx, fd, "cannot read '%s/%s': not a regular file (check the host's sysfs)",
				 ga_ctx_get_sysfs_root(ctx), path);
	if (fd < 0)
		return report_io(ctx, -fd, "read", path);
	return fd;
}

/* ga_read_fd, reporting what fails but -EFBIG, which callers word themselves. */
static int read_all(struct ga_ctx *ctx, int fd, const char *path, size_t max, char **out, size_t *len)
{
	int r = ga_read_fd(fd, max, out, len);

	if (r == -ENOMEM)
		return ga_report(ctx, r, "out of memory");
	if (r < 0 && r != -EFBIG)
		return report_io(ctx, -r, "read", path);
	return r;
}

static int read_path(struct ga_ctx *ctx, const char *path, char **out)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	*out = NULL;
	fd = open_read(ctx, path);
	if (fd < 0)
		return fd;
	/* one byte less than the limit, as this reader always allowed */
	r = read_all(ctx, fd, path, GA_SYSFS_MAX_READ - 1, &buf, &len);
	if (r == -EFBIG)
		return report_io(ctx, EFBIG, "read", path);
	if (r < 0)
		return r;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return ga_report(ctx, -EINVAL, "cannot read '%s/%s': it contains a NUL byte (not a text attribute)",
				 ga_ctx_get_sysfs_root(ctx), path);
	*out = steal_ptr(buf);
	return 0;
}

int ga_sysfs_read(struct ga_ctx *ctx, char **out, const char *fmt, ...)
{
	char path[PATH_MAX];
	int r;

	*out = NULL;
	r = RESOLVE(ctx, path, fmt);
	if (r < 0)
		return r;
	return read_path(ctx, path, out);
}

int ga_sysfs_read_bin(struct ga_ctx *ctx, unsigned char **out, size_t *len, size_t max, const char *fmt, ...)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	char *buf;
	int r;

	*out = NULL;
	*len = 0;
	r = RESOLVE(ctx, path, fmt);
	if (r < 0)
		return r;
	fd = open_read(ctx, path);
	if (fd < 0)
		return fd;
	r = read_all(ctx, fd, path, max, &buf, len);
	if (r == -EFBIG)
		return ga_report(ctx, -EFBIG, "cannot read '%s/%s': it is larger than %zu bytes, the most accepted for it (is it the right file?)",
				 ga_ctx_get_sysfs_root(ctx), path, max);
	if (r < 0)
		return r;
	*out = (unsigned char *)buf;
	return 0;
}

int ga_sysfs_read_int(struct ga_ctx *ctx, long *out, const char *fmt, ...)
{
	_cleanup_free_ char *val = NULL;
	char path[PATH_MAX];
	char *end;
	int r = RESOLVE(ctx, path, fmt);

	if (r >= 0)
		r = read_path(ctx, path, &val);
	if (r < 0)
		return r;
	errno = 0;
	*out = strtol(val, &end, 0);
	if (errno || end == val || *end != '\0')
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse '%s/%s': '%s' is not a number (the host's sysfs looks corrupt)",
				 ga_ctx_get_sysfs_root(ctx), path, val);
	return 0;
}

int ga_sysfs_link_name(struct ga_ctx *ctx, char **out, const char *fmt, ...)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int dfd;

	*out = NULL;
	dfd = RESOLVE(ctx, path, fmt);
	if (dfd < 0)
		return dfd;
	n = readlinkat(dfd, path, target, sizeof(target) - 1);
	if (n < 0)
		return report_io(ctx, errno, "read the link", path);
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base)
		return ga_report(ctx, -EINVAL, "link '%s/%s' points to '%s', which has no name",
				 ga_ctx_get_sysfs_root(ctx), path, target);
	*out = strdup(base);
	return *out ? 0 : ga_report(ctx, -ENOMEM, "out of memory");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ga_sysfs_list(struct ga_ctx *ctx, char ***out, const char *fmt, ...)
{
	_cleanup_strv_ char **names = NULL;
	char path[PATH_MAX];
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int dfd, fd;

	*out = NULL;
	dfd = RESOLVE(ctx, path, fmt);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return report_io(ctx, errno, "list", path);
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return report_io(ctx, errno, "list", path);
	}
	names = calloc(1, sizeof(*names));
	if (!names)
		goto nomem;
	while ((de = readdir(dir))) {
		char **grown;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto nomem;
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto nomem;
		names[++n] = NULL;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	*out = steal_ptr(names);
	return 0;
nomem:
	closedir(dir);
	return ga_report(ctx, -ENOMEM, "out of memory");
}

/* The path an fd is open on, by its /proc/self/fd link; false when it cannot be read. */
static bool fd_path(int fd, char out[PATH_MAX])
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, PATH_MAX - 1);
	if (n <= 0 || n >= PATH_MAX - 1)
		return false;
	out[n] = '\0';
	return true;
}

/*
 * Open an attribute for writing without leaving the root: a fixture (or a
 * hostile tree) may hold "unbind -> /etc/something", and gpu-assign runs as
 * root. The attribute itself must not be a symlink (sysfs attributes never
 * are) and its path must resolve beneath the root (the relative symlinks of
 * sysfs, bus/pci/devices/X -> ../../../devices/..., stay beneath it).
 * openat2(RESOLVE_BENEATH) where the kernel has it (5.6); elsewhere
 * O_NOFOLLOW and a check of the path the fd ended on. -1 with errno
 * (EXDEV, ELOOP, ...) on failure. Opened O_NONBLOCK: a FIFO in a test tree
 * must not hang bind under the host lock (write_target_ok() refuses it).
 */
static int open_write_beneath(int dfd, const char *path)
{
	int flags = O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
	char root[PATH_MAX], where[PATH_MAX];
	size_t len;
	int fd;

#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
	{
		struct open_how how = { .flags = (unsigned)flags, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };

		fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != E2BIG))
			return fd;
	}
#endif
	fd = openat(dfd, path, flags);
	if (fd < 0)
		return -1;
	if (!fd_path(dfd, root) || !fd_path(fd, where))
		return fd; /* no /proc: O_NOFOLLOW is all we have */
	len = strlen(root);
	if (!strcmp(root, "/") || (!strncmp(where, root, len) && where[len] == '/'))
		return fd;
	close(fd);
	errno = EXDEV;
	return -1;
}

/*
 * A sysfs attribute is a regular file: anything else (a FIFO or a directory
 * in a test tree) is refused, and the fd goes back to blocking writes. 0, or
 * -1 with errno EINVAL (not a regular file) or fstat's error.
 */
static int write_target_ok(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return 0;
}

int ga_sysfs_write(struct ga_ctx *ctx, const char *value, const char *fmt, ...)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int dfd, r;

	dfd = RESOLVE(ctx, path, fmt);
	if (dfd < 0)
		return dfd;
	if (ctx->sysfs_hooks && ctx->sysfs_hooks->write) {
		r = ctx->sysfs_hooks->write(ctx->sysfs_hooks_data, path, value);
		if (r < 0)
			return ga_report(ctx, r, "cannot write '%s' to '%s/%s': %s (%s)", value,
					 ga_ctx_get_sysfs_root(ctx), path, strerror(-r), errno_hint(-r));
		if (r == 0)
			return 0;
	}
	fd = open_write_beneath(dfd, path);
	if (fd >= 0 && write_target_ok(fd) < 0) {
		r = errno;
		close(fd);
		fd = -1;
		errno = r == EINVAL ? ENXIO : r;
	}
	/* ENXIO: a FIFO without a reader (O_NONBLOCK) or with one; EISDIR: a directory */
	if (fd < 0 && (errno == ENXIO || errno == EISDIR))
		return ga_report(ctx, -EINVAL,
				 "refusing to write '%s/%s': not a regular file (a sysfs attribute is a plain file: check the tree)",
				 ga_ctx_get_sysfs_root(ctx), path);
	if (fd < 0 && (errno == EXDEV || errno == ELOOP))
		return ga_report(ctx, -errno,
				 "refusing to write '%s/%s': it is a symlink or leads out of the sysfs root (a sysfs attribute is a plain file: check the tree)",
				 ga_ctx_get_sysfs_root(ctx), path);
	if (fd < 0)
		return ga_report(ctx, -errno, "cannot open '%s/%s' for writing: %s (%s)", ga_ctx_get_sysfs_root(ctx),
				 path, strerror(errno), errno_hint(errno));
	n = write(fd, value, len);
	if (n < 0 || (size_t)n != len) {
		int err = n < 0 ? errno : EIO;

		return ga_report(ctx, -err, "cannot write '%s' to '%s/%s': %s (%s)", value,
				 ga_ctx_get_sysfs_root(ctx), path, strerror(err), errno_hint(err));
	}
	return 0;
}

bool ga_sysfs_exists(struct ga_ctx *ctx, const char *fmt, ...)
{
	char path[PATH_MAX];
	struct ga_error_saved saved;
	struct stat st;
	int dfd;

	/* a question, not an operation: what resolving the path reports is not kept */
	ga_error_save(ctx, &saved);
	dfd = RESOLVE(ctx, path, fmt);
	ga_error_restore(ctx, &saved, NULL);
	return dfd >= 0 && fstatat(dfd, path, &st, 0) == 0;
}
