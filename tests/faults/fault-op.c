// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One bind, release or repair on a sample host with the fake kernel behind
 * sysfs (tests/unit/fake-kernel.c), as a process of its own, so that
 * tests/faults/run can kill it at any system call (strace) or at any write
 * to a sysfs attribute the fake kernel handles, and check what repair makes
 * of the remains. The library code is the real one; only the kernel's
 * reaction to sysfs writes is simulated.
 *
 *   fault-op SYSROOT STATE RULES PROC OP [ADDRESS...]
 *     OP: bind, bind-p, release, release-p, repair, snapshot
 *   FAULT_EXIT_AT=N   the process ends (_exit, as if killed) at sysfs write N
 *
 * Prints "sysfs-writes N" at the end (the count of a clean run), or for
 * snapshot the devices as "ADDRESS DRIVER OVERRIDE" lines. Exit 0, or 1 with
 * the library's message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-kernel.h"
#include "ga-bind.h"
#include "ga-ctx.h"

int main(int argc, char **argv)
{
	struct ga_bind_opts opts = { .lock_timeout_ms = 2000 };
	struct ga_bind_summary sum;
	struct fake_kernel fk;
	struct ga_pci_addr *addrs;
	struct ga_ctx *ctx;
	const char *op, *exit_at = getenv("FAULT_EXIT_AT");
	size_t n = 0;
	int r = 0;

	if (argc < 6) {
		fprintf(stderr, "usage: fault-op SYSROOT STATE RULES PROC bind|bind-p|release|release-p|repair|snapshot [ADDRESS...]\n");
		return 2;
	}
	op = argv[5];
	if (ga_ctx_new(&ctx) < 0 || ga_ctx_set_sysfs_root(ctx, argv[1]) < 0 ||
	    ga_ctx_set(ctx, GA_SETTING_PROC_ROOT, argv[4]) < 0) {
		fprintf(stderr, "fault-op: cannot set up the context\n");
		return 2;
	}
	opts.state_dir = argv[2];
	opts.rules_dir = argv[3];
	opts.persistent = !strcmp(op, "bind-p") || !strcmp(op, "release-p");
	addrs = calloc((size_t)argc, sizeof(*addrs));
	for (int i = 6; addrs && i < argc; i++)
		if (!ga_pci_addr_valid(argv[i], &addrs[n++])) {
			fprintf(stderr, "fault-op: bad address '%s'\n", argv[i]);
			return 2;
		}
	fk_init(&fk, argv[1], ctx);
	if (exit_at)
		fk.exit_at = atoi(exit_at);
	if (!strcmp(op, "snapshot")) {
		char *snap = fk_snapshot(&fk);

		fputs(snap, stdout);
		free(snap);
	} else {
		if (!strncmp(op, "bind", 4))
			r = ga_bind_apply(ctx, addrs, n, &opts, &sum);
		else if (!strncmp(op, "release", 7))
			r = ga_bind_release(ctx, addrs, n, &opts, &sum);
		else if (!strcmp(op, "repair"))
			r = ga_bind_repair(ctx, &opts, &sum);
		else {
			fprintf(stderr, "fault-op: unknown operation '%s'\n", op);
			r = -1;
		}
		if (r < 0)
			fprintf(stderr, "fault-op %s: %s\n", op, ga_last_error(ctx)->message);
		else
			printf("sysfs-writes %d\n", fk.writes);
	}
	fk_free(&fk);
	free(addrs);
	ga_ctx_free(ctx);
	return r < 0;
}
