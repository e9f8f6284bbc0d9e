/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's one way into libkmod, for ga-kmod and ga-variant: a libkmod
 * context on the context's modules directory that logs to the context.
 */
#pragma once

#include <libkmod.h>

#include "ga-ctx.h"

/*
 * kmod_new() on GA_SETTING_MODULES_DIR (unset or empty: libkmod's default,
 * /lib/modules/`uname -r`), its messages forwarded to ctx at debug level.
 * NULL when libkmod cannot start; reports nothing (callers say what failed).
 */
struct kmod_ctx *ga_kmod_new(struct ga_ctx *ctx);

static inline void ga_kmod_unrefp(struct kmod_ctx **k)
{
	if (*k)
		kmod_unref(*k);
}
