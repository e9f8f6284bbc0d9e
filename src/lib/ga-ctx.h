/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library context: the settings a front end passes in (where sysfs,
 * state, rules, modules and /proc live), where log lines go, and the last
 * error.
 *
 * Errors: one per failed call. The lowest function that knows the device,
 * path or driver records it with ga_report(); callers just pass the code on.
 * A message is one sentence "<what failed>: <why> (<what to do>)" with
 * quoted values; front ends print it as "gpu-assign: <message>".
 */
#pragma once

#include <stdarg.h>

#include "ga-util.h"

struct ga_ctx;

enum ga_log_level {
	GA_LOG_ERR,
	GA_LOG_WARNING,
	GA_LOG_INFO,
	GA_LOG_DEBUG,
	GA_LOG_LAST
};

/* "error", "warning", "info", "debug". */
const char *ga_log_level_to_string(enum ga_log_level level);
int ga_log_level_from_string(const char *str); /* -1 if unknown */

typedef void (*ga_log_fn)(void *data, enum ga_log_level level, const char *msg);

/* Create a context with every setting at its default (nothing is read from the environment). */
int ga_ctx_new(struct ga_ctx **out);
void ga_ctx_free(struct ga_ctx *ctx);

static inline void ga_ctx_freep(struct ga_ctx **ctx)
{
	ga_ctx_free(*ctx);
}
#define _cleanup_ctx_ _cleanup_(ga_ctx_freep)

/*
 * Settings. Like libkmod's kmod_new(dirname, config_paths), the library
 * never looks in the environment: the front end passes every place it may
 * touch, and library code asks the context. The names are the keys of the
 * test overrides file (ga_ctx_load_overrides). Defaults:
 */
enum ga_setting {
	GA_SETTING_SYSFS_ROOT,    /* "sysfs-root": /sys (also --sysfs-root, GA_SYSFS_ROOT) */
	GA_SETTING_STATE_DIR,     /* "state-dir": GA_STATEDIR (configure --with-statedir: /run/gpu-assign) */
	GA_SETTING_RULES_DIR,     /* "rules-dir": /etc/udev/rules.d */
	GA_SETTING_MODULES_DIR,   /* "modules-dir": NULL, libkmod's /lib/modules/`uname -r` */
	GA_SETTING_PROC_ROOT,     /* "proc-root": /proc */
	GA_SETTING_CONFIG,        /* "config": GA_CONFDIR/gpu-assign.conf (configure --with-confdir: /etc/gpu-assign) */
	GA_SETTING_HOOK_LOG,      /* "hook-log": NULL; the hook appends one trace line per call to it */
	GA_SETTING_STEP_DELAY_MS, /* "step-delay-ms": 0; bind pauses between sysfs steps (tests kill it mid-way) */
	GA_SETTING_HOOK_STANDIN,  /* "hook-standin": NULL; "ALIAS=DDDD:BB:SS.F[,...]" emulated GPU stand-ins */
	GA_SETTING_CATALOG_STANDIN, /* "catalog-standin": NULL; "VVVV:DDDD=FAMILY[,...]" test catalogue entries
				     * (ga_catalog_find): a stand-in device taken as a coherent Grace GPU */
	GA_SETTING_LAST
};

/* At most this many catalog-standin entries. */
#define GA_CATALOG_STANDIN_MAX 8

/* GA_STATEDIR and GA_CONFDIR come from configure (--with-statedir, --with-confdir). */
#define GA_CONFIG_PATH GA_CONFDIR "/gpu-assign.conf"
/* The test overrides file a front end reads when $GA_TEST_OVERRIDES is not set (see gpu-assign(1)). */
#define GA_TEST_OVERRIDES_PATH GA_CONFDIR "/test-overrides"

/* "sysfs-root", ...; NULL past the end. */
const char *ga_setting_name(enum ga_setting key);

/*
 * Set one setting after checking its value (paths absolute, step-delay-ms
 * 0..60000, hook-standin "ALIAS=DDDD:BB:SS.F[,...]", catalog-standin
 * "VVVV:DDDD=grace-hopper|grace-blackwell[,...]"); NULL restores the
 * default. -EINVAL with a message naming the setting on a bad value.
 */
int ga_ctx_set(struct ga_ctx *ctx, enum ga_setting key, const char *value);
/* The value in effect: the one set, else the default (which may be NULL). */
const char *ga_ctx_get(const struct ga_ctx *ctx, enum ga_setting key);
unsigned ga_ctx_step_delay_ms(const struct ga_ctx *ctx);

/* Shorthands kept for the many callers: the sysfs tree (tests, --sysfs-root). */
int ga_ctx_set_sysfs_root(struct ga_ctx *ctx, const char *root);
const char *ga_ctx_get_sysfs_root(const struct ga_ctx *ctx);

/*
 * Load a test overrides file: "key = value" lines, blank lines and lines
 * starting with '#' ignored, keys as in enum ga_setting, each at most once.
 * path is the file a test names (front ends pass $GA_TEST_OVERRIDES); NULL
 * or "" means the installed GA_TEST_OVERRIDES_PATH, which may be missing
 * (returns 0) but must be owned by root and not writable by group or others
 * (libvirtd starts hooks with an empty environment: a test of the installed
 * hook bind-mounts its file there). Either every line applies or none does:
 * -EINVAL (or the open/read error) with a message naming the file and line.
 * Returns 1 when loaded; logs (info) the settings it changed.
 */
int ga_ctx_load_overrides(struct ga_ctx *ctx, const char *path);
/* The overrides file in effect, or NULL. */
const char *ga_ctx_get_overrides(const struct ga_ctx *ctx);

/* Log lines go nowhere until a callback is set. */
void ga_ctx_set_log_fn(struct ga_ctx *ctx, ga_log_fn fn, void *data);
void ga_ctx_set_log_level(struct ga_ctx *ctx, enum ga_log_level level);

void ga_log(struct ga_ctx *ctx, enum ga_log_level level, const char *fmt, ...) GA_PRINTF(3, 4);
#define ga_warn(ctx, ...) ga_log(ctx, GA_LOG_WARNING, __VA_ARGS__)
#define ga_info(ctx, ...) ga_log(ctx, GA_LOG_INFO, __VA_ARGS__)
#define ga_dbg(ctx, ...) ga_log(ctx, GA_LOG_DEBUG, __VA_ARGS__)

/* Library-specific error codes, beyond errno values. Always returned negated. */
enum ga_error_code {
	GA_E_BASE = 1000,
	GA_E_PARSE,       /* malformed input (address, XML, number) */
	GA_E_NOT_GPU,     /* the device exists but is not what the operation needs */
	GA_E_NOT_ASSIGNABLE,
	GA_E_UNSUPPORTED, /* target lacks a feature */
	GA_E_LAST
};

struct ga_error {
	int code;          /* negative: -errno or -GA_E_* */
	char message[1024];
};

/*
 * Record an error and return code (negative) so that callers can write
 * "return ga_report(ctx, -ENOENT, ...)". A later report replaces an earlier one.
 */
int ga_report(struct ga_ctx *ctx, int code, const char *fmt, ...) GA_PRINTF(3, 4);
int ga_reportv(struct ga_ctx *ctx, int code, const char *fmt, va_list ap) GA_PRINTF(3, 0);

/* The last error; code is 0 and message "" when nothing failed. */
const struct ga_error *ga_last_error(const struct ga_ctx *ctx);
void ga_clear_error(struct ga_ctx *ctx);

/*
 * Keep the first error while more work (a rollback) may report others:
 * save it, do the work, then put it back with ga_error_restore(), which
 * records it again (suffix appended, "" or NULL for none) and returns its code.
 */
struct ga_error_saved {
	int code;
	char message[sizeof(((struct ga_error *)0)->message)];
};

void ga_error_save(const struct ga_ctx *ctx, struct ga_error_saved *s);
int ga_error_restore(struct ga_ctx *ctx, const struct ga_error_saved *s, const char *suffix);

/* A short name for a code: "ENOENT", "GA_E_PARSE", ... */
const char *ga_error_code_name(int code);
