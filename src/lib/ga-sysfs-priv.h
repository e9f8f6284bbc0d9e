/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test hooks for ga-sysfs: a model of the kernel can stand behind writes
 * (a fake tree does not react to "unbind" or "drivers_probe"), and reads can
 * be made to fail. Used by unit tests only; NULL in production.
 */
#pragma once

#include "ga-ctx.h"

struct ga_sysfs_hooks {
	/* Return 1 to let the real write happen, 0 if handled, <0 (-errno) to fail it. */
	int (*write)(void *data, const char *path, const char *value);
	/* Return 0 to let the read happen, <0 (-errno) to fail it. */
	int (*read)(void *data, const char *path);
};

void ga_sysfs_set_hooks(struct ga_ctx *ctx, const struct ga_sysfs_hooks *hooks, void *data);
