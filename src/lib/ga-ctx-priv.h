/* The context's insides, shared by library files; not for front ends. */
#pragma once

#include "ga-ctx.h"
#include "ga-error.h"

struct ga_sysfs_hooks;

struct ga_ctx {
	char *sysfs_root;
	int sysfs_fd;                 /* O_PATH dirfd of sysfs_root, -1 until first use */
	ga_log_fn log_fn;
	void *log_data;
	enum ga_log_level log_level;
	struct ga_error error;
	const struct ga_sysfs_hooks *sysfs_hooks; /* tests only, see ga-sysfs-priv.h */
	void *sysfs_hooks_data;
};
