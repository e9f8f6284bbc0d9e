/*
 * One error per failed call. The lowest function that knows the device, path
 * or driver records it with ga_report(); callers just pass the code on.
 *
 * A message is one sentence "<what failed>: <why> (<what to do>)" with quoted
 * values; front ends print it as "gpu-assign: <message>".
 */
#pragma once

#include "ga-ctx.h"

/* Library-specific codes, beyond errno values. Always returned negated. */
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
