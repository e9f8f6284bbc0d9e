/*
 * ga-escape: control characters never reach a message or a log line raw
 * (issue 12 item 3). The escaper itself, and the two places that use it for
 * the whole library: ga_report (every error message) and ga_log (every log
 * line the front ends print or send to syslog).
 */
#include <stdio.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-escape.h"
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

static const struct test_case cases[] = {
	{ "escape", test_escape },
	{ "truncate never splits an escape", test_truncate },
	{ "ga_report and ga_log escape", test_report_and_log },
	{ NULL, NULL },
};

TEST_MAIN("escape", cases)
