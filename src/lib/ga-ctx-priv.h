/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context's insides, shared by library files; not for front ends. */
#pragma once

#include <stdbool.h>

#include "ga-ctx.h"

struct ga_sysfs_hooks;

/*
 * ga_ctx_load_overrides() on any path; installed: the rules of the installed
 * file (missing is fine, root-owned and not group/world-writable). For tests.
 */
int ga_ctx_load_overrides_at(struct ga_ctx *ctx, const char *path, bool installed);

struct ga_ctx {
	char *settings[GA_SETTING_LAST]; /* NULL: the default (ga_ctx_get) */
	unsigned step_delay_ms;       /* GA_SETTING_STEP_DELAY_MS, parsed */
	char *overrides_path;         /* the test overrides file loaded, or NULL */
	void *catalog_standin;        /* ga-catalog's parsed catalog-standin entries (one block, free()d), or NULL */
	int sysfs_fd;                 /* O_PATH dirfd of the sysfs root, -1 until first use */
	ga_log_fn log_fn;
	void *log_data;
	enum ga_log_level log_level;
	struct ga_error error;
	const struct ga_sysfs_hooks *sysfs_hooks; /* tests only, see ga-sysfs-priv.h */
	void *sysfs_hooks_data;
};
