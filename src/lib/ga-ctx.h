/* The library context: where sysfs lives, where log lines go, the last error. */
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

typedef void (*ga_log_fn)(void *data, enum ga_log_level level, const char *msg);

/* Create a context. The sysfs root is $GA_SYSFS_ROOT when set, else "/sys". */
int ga_ctx_new(struct ga_ctx **out);
void ga_ctx_free(struct ga_ctx *ctx);

static inline void ga_ctx_freep(struct ga_ctx **ctx)
{
	ga_ctx_free(*ctx);
}
#define _cleanup_ctx_ _cleanup_(ga_ctx_freep)

/* Point the context at another sysfs tree (tests, --sysfs-root). */
int ga_ctx_set_sysfs_root(struct ga_ctx *ctx, const char *root);
const char *ga_ctx_get_sysfs_root(const struct ga_ctx *ctx);

/* Log lines go nowhere until a callback is set. */
void ga_ctx_set_log_fn(struct ga_ctx *ctx, ga_log_fn fn, void *data);
void ga_ctx_set_log_level(struct ga_ctx *ctx, enum ga_log_level level);

void ga_log(struct ga_ctx *ctx, enum ga_log_level level, const char *fmt, ...) GA_PRINTF(3, 4);
#define ga_warn(ctx, ...) ga_log(ctx, GA_LOG_WARNING, __VA_ARGS__)
#define ga_info(ctx, ...) ga_log(ctx, GA_LOG_INFO, __VA_ARGS__)
#define ga_dbg(ctx, ...) ga_log(ctx, GA_LOG_DEBUG, __VA_ARGS__)
