/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host-wide lock: every operation that changes drivers takes an
 * exclusive flock(2) on <state dir>/lock. The kernel drops it when the
 * process dies, so a killed gpu-assign never leaves a stale lock.
 */
#pragma once

#include "ga-ctx.h"

struct ga_lock {
	char *dir;  /* state directory */
	int dirfd;  /* its fd (journal and bindings live there) */
	int fd;     /* the locked file, -1 when not held */
};

/*
 * state_dir NULL means the context's (GA_SETTING_STATE_DIR).
 *
 * Open (creating, mode 0700) the state directory and take the lock, waiting
 * up to timeout_ms (0: fail at once, <0: forever). Busy after the timeout is
 * -EBUSY with "another gpu-assign is working".
 */
int ga_lock_take(struct ga_ctx *ctx, const char *state_dir, int timeout_ms, struct ga_lock *out);

/* Open the state directory without locking (status). A missing one gives dirfd -1. */
int ga_state_open(struct ga_ctx *ctx, const char *state_dir, struct ga_lock *out);

void ga_lock_release(struct ga_lock *lock);
