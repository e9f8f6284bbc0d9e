// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gpu-assign-hook-check: the part of the libvirt hook that links the
 * library. The front end (gpu-assign-hook.c) runs it only for "prepare
 * begin" and "release end" of a domain whose XML has a <hostdev>, with the
 * XML on stdin and the hook's own arguments. It can also be run by hand the
 * same way. No libvirt connection (calling back into libvirt from a hook can
 * deadlock the daemon); no libudev enumeration.
 *
 * Tests move its paths with a test overrides file (the one mechanism, see
 * gpu-assign(1)): $GA_TEST_OVERRIDES, else the installed one if present.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ga-ctx.h"
#include "hook.h"

int main(int argc, char **argv)
{
	_cleanup_ctx_ struct ga_ctx *ctx = NULL;
	struct hook_opts o = { .err = stderr, .syslog = true };
	_cleanup_free_ char *xml = NULL;
	size_t len;
	int r;

	/* Nothing can be refused at "release end" (gpu-assign-hook(8): it always exits 0). */
	if (ga_ctx_new(&ctx) < 0) {
		fputs("gpu-assign-hook: out of memory\n", stderr);
		return argc > 3 && hook_op_classify(argv[2], argv[3]) == HOOK_OP_RELEASE ? HOOK_EXIT_OK : HOOK_EXIT_REFUSE;
	}
	if (ga_ctx_load_overrides(ctx, getenv("GA_TEST_OVERRIDES")) < 0) {
		hook_say(stderr, "%s", ga_last_error(ctx)->message);
		return argc > 3 && hook_op_classify(argv[2], argv[3]) == HOOK_OP_RELEASE ? HOOK_EXIT_OK : HOOK_EXIT_REFUSE;
	}
	o.ctx = ctx;
	o.config_path = ga_ctx_get(ctx, GA_SETTING_CONFIG);
	o.trace_path = ga_ctx_get(ctx, GA_SETTING_HOOK_LOG);
	o.standin = ga_ctx_get(ctx, GA_SETTING_HOOK_STANDIN);
	r = hook_start(&o, argc, argv, &xml, &len);
	if (r >= 0)
		return r;
	return hook_handle(&o, argv[1], argv[2], argv[3], xml, len);
}
