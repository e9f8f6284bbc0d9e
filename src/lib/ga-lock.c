// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-lock.h"
#include "ga-open.h"
#include "ga-statefile.h"

static int lock_init(struct ga_ctx *ctx, const char *state_dir, struct ga_lock *out)
{
	out->fd = -1;
	out->dirfd = -1;
	out->dir = strdup(state_dir ? state_dir : ga_ctx_get(ctx, GA_SETTING_STATE_DIR));
	if (!out->dir)
		return ga_report(ctx, -ENOMEM, "out of memory");
	return 0;
}

int ga_state_open(struct ga_ctx *ctx, const char *state_dir, struct ga_lock *out)
{
	int r = lock_init(ctx, state_dir, out);

	if (r < 0)
		return r;
	r = ga_dir_open(ctx, out->dir, false, 0700, false);
	if (r == -ENOENT) {
		ga_clear_error(ctx);
		return 0;
	}
	if (r < 0) {
		ga_lock_release(out);
		return r;
	}
	out->dirfd = r;
	return 0;
}

int ga_lock_take(struct ga_ctx *ctx, const char *state_dir, int timeout_ms, struct ga_lock *out)
{
	struct timespec start, now;
	const char *fix;
	int r;

	r = lock_init(ctx, state_dir, out);
	if (r < 0)
		return r;
	r = ga_dir_open(ctx, out->dir, true, 0700, true);
	if (r < 0)
		goto fail;
	out->dirfd = r;
	out->fd = ga_open_regular(out->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
	if (out->fd == -EINVAL) {
		/* a directory, FIFO or socket in its place: root or not, only removing it helps */
		r = ga_report(ctx, -EINVAL, "refusing the lock '%s/lock': not a regular file (remove it)", out->dir);
		goto fail;
	}
	if (out->fd < 0) {
		r = out->fd;
		if (r == -ELOOP)
			fix = "it is a symlink: remove it";
		else if ((r == -EACCES || r == -EPERM) && geteuid() != 0)
			fix = "run as root";
		else
			fix = "check the state directory";
		ga_report(ctx, r, "cannot open the lock '%s/lock': %s (%s)", out->dir, strerror(-r), fix);
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long waited;

		if (flock(out->fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = ga_report(ctx, -errno, "cannot lock '%s/lock': %s", out->dir, strerror(errno));
			goto fail;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (timeout_ms >= 0 && waited >= timeout_ms) {
			r = ga_report(ctx, -EBUSY,
				      "busy: another gpu-assign is binding or releasing devices (lock '%s/lock' held for %ld ms; try again)",
				      out->dir, waited);
			goto fail;
		}
		usleep(20000);
	}
fail:
	ga_lock_release(out);
	return r;
}

void ga_lock_release(struct ga_lock *lock)
{
	if (lock->fd >= 0)
		close(lock->fd); /* drops the flock */
	if (lock->dirfd >= 0)
		close(lock->dirfd);
	free(lock->dir);
	lock->fd = -1;
	lock->dirfd = -1;
	lock->dir = NULL;
}
