// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "ga-ctx.h"
#include "ga-open.h"
#include "ga-util.h"

const char *ga_enum_to_string(const char *const *names, int n, int value)
{
	return value >= 0 && value < n && names[value] ? names[value] : GA_ENUM_UNKNOWN;
}

int ga_enum_from_string(const char *const *names, int n, const char *str)
{
	for (int i = 0; str && i < n; i++)
		if (names[i] && !strcmp(str, names[i]))
			return i;
	return -1;
}

void ga_strv_free(char **strv)
{
	if (!strv)
		return;
	for (char **s = strv; *s; s++)
		free(*s);
	free(strv);
}

/* Make room for one more byte than buf holds: grown by doubling, at most max + 1 in all. */
static int grow(char **buf, size_t *cap, size_t max)
{
	size_t want = *cap - 1 < max / 2 ? 2 * (*cap - 1) + 1 : max + 1;
	char *grown = realloc(*buf, want);

	if (!grown)
		return -ENOMEM;
	*buf = grown;
	*cap = want;
	return 0;
}

int ga_read_fd(int fd, size_t max, char **out, size_t *outlen)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;
	struct stat st;

	*out = NULL;
	*outlen = 0;
	/* a regular file and a binary sysfs attribute (an ACPI table) give a size, text attributes a page */
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		cap = (size_t)st.st_size;
	cap = (cap < max ? cap : max) + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* a full buffer of max + 1 bytes: more than max */
			if (cap > max)
				return -EFBIG;
			if (grow(&buf, &cap, max) < 0)
				return -ENOMEM;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		char *grown = realloc(buf, cap + 1);

		if (!grown)
			return -ENOMEM;
		buf = grown;
	}
	buf[len] = '\0';
	*out = steal_ptr(buf);
	*outlen = len;
	return 0;
}

int ga_read_file(struct ga_ctx *ctx, const char *path, const char *what, size_t max, char **out, size_t *len)
{
	bool in = !strcmp(path, "-");
	int fd = in ? STDIN_FILENO : ga_open_regular(AT_FDCWD, path, O_RDONLY, 0);
	int r;

	*out = NULL;
	*len = 0;
	if (fd == -EINVAL)
		return ga_report(ctx, fd, "%s '%s' is not a regular file (give a file, or '-' to read standard input)",
				 what, path);
	if (fd < 0)
		return ga_report(ctx, fd, "cannot open %s '%s': %s", what, path, strerror(-fd));
	r = ga_read_fd(fd, max, out, len);
	if (!in)
		close(fd);
	if (r == -EFBIG)
		return ga_report(ctx, r, "%s '%s' is larger than %zu MiB", what, path, max >> 20);
	if (r == -ENOMEM)
		return ga_report(ctx, r, "out of memory");
	if (r < 0)
		return ga_report(ctx, r, "cannot read %s '%s': %s", what, path, strerror(-r));
	return 0;
}
