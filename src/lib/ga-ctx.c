#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx-priv.h"

int ga_ctx_new(struct ga_ctx **out)
{
	struct ga_ctx *ctx = calloc(1, sizeof(*ctx));
	const char *root = getenv("GA_SYSFS_ROOT");

	*out = NULL;
	if (!ctx)
		return -ENOMEM;
	ctx->sysfs_fd = -1;
	ctx->log_level = GA_LOG_INFO;
	ctx->sysfs_root = strdup(root && *root ? root : "/sys");
	if (!ctx->sysfs_root) {
		free(ctx);
		return -ENOMEM;
	}
	*out = ctx;
	return 0;
}

void ga_ctx_free(struct ga_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->sysfs_fd >= 0)
		close(ctx->sysfs_fd);
	free(ctx->sysfs_root);
	free(ctx);
}

int ga_ctx_set_sysfs_root(struct ga_ctx *ctx, const char *root)
{
	char *copy;

	if (!root || root[0] != '/')
		return ga_report(ctx, -EINVAL,
				 "invalid sysfs root '%s': it must be an absolute path (give e.g. '/sys')",
				 root ? root : "");
	copy = strdup(root);
	if (!copy)
		return ga_report(ctx, -ENOMEM, "out of memory");
	free(ctx->sysfs_root);
	ctx->sysfs_root = copy;
	if (ctx->sysfs_fd >= 0) {
		close(ctx->sysfs_fd);
		ctx->sysfs_fd = -1;
	}
	return 0;
}

const char *ga_ctx_get_sysfs_root(const struct ga_ctx *ctx)
{
	return ctx->sysfs_root;
}

void ga_ctx_set_log_fn(struct ga_ctx *ctx, ga_log_fn fn, void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

void ga_ctx_set_log_level(struct ga_ctx *ctx, enum ga_log_level level)
{
	if (level < GA_LOG_LAST)
		ctx->log_level = level;
}

void ga_log(struct ga_ctx *ctx, enum ga_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx->log_fn || level > ctx->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_data, level, msg);
}
