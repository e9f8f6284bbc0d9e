#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ga-ctx-priv.h"

int ga_reportv(struct ga_ctx *ctx, int code, const char *fmt, va_list ap)
{
	ctx->error.code = code;
	vsnprintf(ctx->error.message, sizeof(ctx->error.message), fmt, ap);
	ga_log(ctx, GA_LOG_DEBUG, "error %s: %s", ga_error_code_name(code), ctx->error.message);
	return code;
}

int ga_report(struct ga_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ga_reportv(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

const struct ga_error *ga_last_error(const struct ga_ctx *ctx)
{
	return &ctx->error;
}

void ga_clear_error(struct ga_ctx *ctx)
{
	ctx->error.code = 0;
	ctx->error.message[0] = '\0';
}

void ga_error_save(const struct ga_ctx *ctx, struct ga_error_saved *s)
{
	s->code = ctx->error.code;
	snprintf(s->message, sizeof(s->message), "%s", ctx->error.message);
}

int ga_error_restore(struct ga_ctx *ctx, const struct ga_error_saved *s, const char *suffix)
{
	return ga_report(ctx, s->code, "%s%s", s->message, suffix ? suffix : "");
}

const char *ga_error_code_name(int code)
{
	static const char *const ga_names[] = {
		[GA_E_PARSE - GA_E_BASE] = "GA_E_PARSE",
		[GA_E_NOT_GPU - GA_E_BASE] = "GA_E_NOT_GPU",
		[GA_E_NOT_ASSIGNABLE - GA_E_BASE] = "GA_E_NOT_ASSIGNABLE",
		[GA_E_UNSUPPORTED - GA_E_BASE] = "GA_E_UNSUPPORTED",
	};
	int c = -code;

	if (c == 0)
		return "OK";
	if (c > GA_E_BASE && c < GA_E_LAST)
		return ga_names[c - GA_E_BASE];
	/* strerrorname_np() needs glibc 2.32; Debian 12 has 2.36. */
	return strerrorname_np(c) ? strerrorname_np(c) : "EUNKNOWN";
}
