// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-escape: control characters never reach a message or a log line raw
 * (issue 12 item 3). The escaper itself, and the two places that use it for
 * the whole library: ga_report (every error message) and ga_log (every log
 * line the front ends print or send to syslog).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-escape.h"
#include "ga-sysfs-priv.h"
#include "ga-sysfs.h"
#include "test-common.h"

static void test_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain text, 'quoted' and \\ backslash", "plain text, 'quoted' and \\ backslash" },
		{ "vm\nfake line", "vm\\nfake line" },
		{ "a\rb\tc", "a\\rb\\tc" },
		{ "\x01\x1b[31m\x7f", "\\x01\\x1b[31m\\x7f" },
		{ "gr\xc3\xa5 \xe2\x80\x94 utf-8", "gr\xc3\xa5 \xe2\x80\x94 utf-8" },
	};
	char out[128], again[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = ga_escape_ctrl(out, sizeof(out), cases[i].in);

		CU_ASSERT_STRING_EQUAL(out, cases[i].out);
		CU_ASSERT_EQUAL(n, strlen(cases[i].out));
		/* escaping twice changes nothing */
		ga_escape_ctrl(again, sizeof(again), out);
		CU_ASSERT_STRING_EQUAL(again, out);
	}
}

static void test_truncate(void)
{
	char out[6];

	/* room for 5 bytes: "ab\n" fits as "ab\\n", the next escape would not: dropped whole */
	CU_ASSERT_EQUAL(ga_escape_ctrl(out, sizeof(out), "ab\ncd"), 5);
	CU_ASSERT_STRING_EQUAL(out, "ab\\nc");
	CU_ASSERT_EQUAL(ga_escape_ctrl(out, sizeof(out), "abc\x01z"), 3);
	CU_ASSERT_STRING_EQUAL(out, "abc");
	CU_ASSERT_EQUAL(ga_escape_ctrl(out, 1, "x"), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static char logged[1024];

static void log_capture(void *data, enum ga_log_level level, const char *msg)
{
	(void)data;
	(void)level;
	snprintf(logged, sizeof(logged), "%s", msg);
}

static void test_report_and_log(void)
{
	struct ga_ctx *ctx;
	struct ga_error_saved saved;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_ctx_set_log_fn(ctx, log_capture, NULL);
	ga_ctx_set_log_level(ctx, GA_LOG_INFO);
	/* a name from outside with a newline: one line in the message */
	CU_ASSERT_EQUAL(ga_report(ctx, -EINVAL, "domain '%s' refused", "vm\n2026-12-01 gpu-assign: allowed"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
			       "domain 'vm\\n2026-12-01 gpu-assign: allowed' refused");
	/* a rollback that writes "\n" (the format itself holds the byte): still one line */
	ga_report(ctx, -EIO, "cannot write '%s' to 'unbind'", "\n");
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, "cannot write '\\n' to 'unbind'");
	/* save/restore keeps it one line */
	ga_error_save(ctx, &saved);
	ga_report(ctx, -ENOENT, "other");
	CU_ASSERT_EQUAL(ga_error_restore(ctx, &saved, " (rolled back)"), -EIO);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, "cannot write '\\n' to 'unbind' (rolled back)");
	/* log lines (stderr, syslog through the front ends' callbacks) */
	ga_info(ctx, "bound %s\tfor '%s'", "0009:01:00.0", "a\x1b]0;title\x07");
	CU_ASSERT_STRING_EQUAL(logged, "bound 0009:01:00.0\\tfor 'a\\x1b]0;title\\x07'");
	ga_ctx_free(ctx);
}

static int refuse_write(void *data, const char *path, const char *value)
{
	(void)data;
	(void)path;
	(void)value;
	return -EBUSY;
}

/*
 * Issue 12 item 6: a rollback clears driver_override by writing a lone
 * newline; when that write failed, the message broke in two lines. Now it is
 * one, the newline written as \n.
 */
static void test_sysfs_newline_write(void)
{
	static const struct ga_sysfs_hooks hooks = { .write = refuse_write };
	char *root = test_tmpdir_new(), sys[1024], want[2048];
	struct ga_ctx *ctx;

	snprintf(sys, sizeof(sys), "%s/sys", root);
	test_write_file(root, "sys/bus/pci/devices/0009:01:00.0/driver_override", "(null)\n");
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, sys) == 0);
	ga_sysfs_set_hooks(ctx, &hooks, NULL);
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "\n", "bus/pci/devices/%s/driver_override", "0009:01:00.0"), -EBUSY);
	snprintf(want, sizeof(want),
		 "cannot write '\\n' to '%s/bus/pci/devices/0009:01:00.0/driver_override': Device or resource busy (check the host's sysfs)",
		 sys);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, want);
	CU_ASSERT_PTR_NULL(strchr(ga_last_error(ctx)->message, '\n'));
	ga_ctx_free(ctx);
	test_tmpdir_remove(root);
}

static const struct test_case cases[] = {
	{ "escape", test_escape },
	{ "truncate never splits an escape", test_truncate },
	{ "ga_report and ga_log escape", test_report_and_log },
	{ "a failed write of a lone newline: one line", test_sysfs_newline_write },
	{ NULL, NULL },
};

TEST_MAIN("escape", cases)
