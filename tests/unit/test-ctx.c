// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-ctx: settings, their defaults and the test overrides file (every error with its exact message). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-ctx-priv.h"
#include "test-common.h"

static char *dir;
static struct ga_ctx *ctx;
static char logged[2048];

static void log_capture(void *data, enum ga_log_level level, const char *msg)
{
	(void)data;
	(void)level;
	snprintf(logged, sizeof(logged), "%s", msg);
}

static void setup(void)
{
	dir = test_tmpdir_new();
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_ctx_set_log_fn(ctx, log_capture, NULL);
	logged[0] = '\0';
}

static void teardown(void)
{
	ga_ctx_free(ctx);
	test_tmpdir_remove(dir);
	ctx = NULL;
	dir = NULL;
}

/* dir/name with the given content; returns its path (static buffer). */
static const char *file(const char *name, const char *content)
{
	static char path[1024];

	test_write_file(dir, name, content);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

#define ASSERT_MSG(expected)                                                            \
	do {                                                                            \
		if (strcmp(ga_last_error(ctx)->message, (expected)))                    \
			fprintf(stderr, "\n got: %s\nwant: %s\n", ga_last_error(ctx)->message, \
				(expected));                                            \
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, (expected));        \
	} while (0)

static void assert_defaults(void)
{
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_SYSFS_ROOT), "/sys");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get_sysfs_root(ctx), "/sys");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), GA_STATEDIR);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_RULES_DIR), "/etc/udev/rules.d");
	CU_ASSERT_PTR_NULL(ga_ctx_get(ctx, GA_SETTING_MODULES_DIR));
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_PROC_ROOT), "/proc");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_CONFIG), GA_CONFDIR "/gpu-assign.conf");
	CU_ASSERT_PTR_NULL(ga_ctx_get(ctx, GA_SETTING_HOOK_LOG));
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STEP_DELAY_MS), "0");
	CU_ASSERT_EQUAL(ga_ctx_step_delay_ms(ctx), 0);
	CU_ASSERT_PTR_NULL(ga_ctx_get(ctx, GA_SETTING_HOOK_STANDIN));
	CU_ASSERT_PTR_NULL(ga_ctx_get(ctx, GA_SETTING_CATALOG_STANDIN));
	CU_ASSERT_PTR_NULL(ga_ctx_get_overrides(ctx));
}

static void test_defaults(void)
{
	setup();
	assert_defaults();
	/* the configure-time directories: absolute, and not under a prefix's var/run */
	CU_ASSERT_EQUAL(GA_STATEDIR[0], '/');
	CU_ASSERT_EQUAL(GA_CONFDIR[0], '/');
	CU_ASSERT_STRING_EQUAL(GA_TEST_OVERRIDES_PATH, GA_CONFDIR "/test-overrides");
	CU_ASSERT_STRING_EQUAL(ga_setting_name(GA_SETTING_HOOK_STANDIN), "hook-standin");
	CU_ASSERT_PTR_NULL(ga_setting_name(GA_SETTING_LAST));
	CU_ASSERT_PTR_NULL(ga_ctx_get(ctx, GA_SETTING_LAST));
	teardown();
}

static void test_set(void)
{
	setup();
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_STATE_DIR, "/tmp/s"), 0);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), "/tmp/s");
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_STEP_DELAY_MS, "250"), 0);
	CU_ASSERT_EQUAL(ga_ctx_step_delay_ms(ctx), 250);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_HOOK_STANDIN, "ua-gpu0=0009:01:00.0,x_1=000a:FF:1f.7"), 0);
	CU_ASSERT_EQUAL(ga_ctx_set_sysfs_root(ctx, "/tmp/sys"), 0);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get_sysfs_root(ctx), "/tmp/sys");

	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_RULES_DIR, "rules"), -EINVAL);
	ASSERT_MSG("invalid rules-dir 'rules': it must be an absolute path");
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_STEP_DELAY_MS, "60001"), -EINVAL);
	ASSERT_MSG("invalid step-delay-ms '60001': it must be a whole number of milliseconds from 0 to 60000");
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_STEP_DELAY_MS, "-1"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_STEP_DELAY_MS, "1x"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_step_delay_ms(ctx), 250);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_HOOK_STANDIN, "ua-gpu0=9:1:0.0"), -EINVAL);
	ASSERT_MSG("invalid hook-standin 'ua-gpu0=9:1:0.0': it must be ALIAS=DDDD:BB:SS.F, or several of them separated by commas");
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_HOOK_STANDIN, "=0009:01:00.0"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_HOOK_STANDIN, "a=0009:01:00.8"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_HOOK_STANDIN, "a=0009:01:00.0,"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:1111=grace-hopper,1AF4:1050=grace-blackwell"), 0);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:1111=hopper"), -EINVAL);
	ASSERT_MSG("invalid catalog-standin '1234:1111=hopper': it must be VVVV:DDDD=grace-hopper or VVVV:DDDD=grace-blackwell (the stand-in's PCI vendor and device ids), or up to 8 of them separated by commas");
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:111=grace-hopper"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234-1111=grace-hopper"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:111g=grace-hopper"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:1111=grace-hopper,"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:1111=grace-hopperx"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN,
				   "0001:0001=grace-hopper,0001:0002=grace-hopper,0001:0003=grace-hopper,0001:0004=grace-hopper,"
				   "0001:0005=grace-hopper,0001:0006=grace-hopper,0001:0007=grace-hopper,0001:0008=grace-hopper"), 0);
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN,
				   "0001:0001=grace-hopper,0001:0002=grace-hopper,0001:0003=grace-hopper,0001:0004=grace-hopper,"
				   "0001:0005=grace-hopper,0001:0006=grace-hopper,0001:0007=grace-hopper,0001:0008=grace-hopper,"
				   "0001:0009=grace-hopper"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set_sysfs_root(ctx, "sys"), -EINVAL);
	ASSERT_MSG("invalid sysfs root 'sys': it must be an absolute path (give e.g. '/sys')");
	CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_LAST, "/x"), -EINVAL);

	/* NULL: back to the default */
	for (int k = 0; k < GA_SETTING_LAST; k++)
		CU_ASSERT_EQUAL(ga_ctx_set(ctx, (enum ga_setting)k, NULL), 0);
	assert_defaults();
	teardown();
}

static void test_load(void)
{
	const char *path;
	char want[4096];

	setup();
	ga_ctx_set_log_level(ctx, GA_LOG_INFO);
	path = file("ok", "# paths of one test\n"
			  "\n"
			  "sysfs-root = /t/sys\n"
			  "  state-dir=/t/state  \r\n"
			  "rules-dir\t=\t/t/rules\n"
			  "modules-dir = /t/modules\n"
			  "proc-root = /t\n"
			  "config = /t/gpu-assign.conf\n"
			  "hook-log = /t/hook.log\n"
			  "step-delay-ms = 400\n"
			  "hook-standin = ua-gpu0=0009:01:00.0\n"
			  "   # indented comment");
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), 1);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get_sysfs_root(ctx), "/t/sys");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), "/t/state");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_RULES_DIR), "/t/rules");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_MODULES_DIR), "/t/modules");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_PROC_ROOT), "/t");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_CONFIG), "/t/gpu-assign.conf");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_HOOK_LOG), "/t/hook.log");
	CU_ASSERT_EQUAL(ga_ctx_step_delay_ms(ctx), 400);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_HOOK_STANDIN), "ua-gpu0=0009:01:00.0");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get_overrides(ctx), path);
	snprintf(want, sizeof(want),
		 "test overrides from '%s': sysfs-root=/t/sys, state-dir=/t/state, rules-dir=/t/rules, "
		 "modules-dir=/t/modules, proc-root=/t, config=/t/gpu-assign.conf, hook-log=/t/hook.log, "
		 "step-delay-ms=400, hook-standin=ua-gpu0=0009:01:00.0",
		 path);
	CU_ASSERT_STRING_EQUAL(logged, want);

	/* a later file changes only what it names */
	path = file("more", "state-dir = /u\n");
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), 1);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), "/u");
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_RULES_DIR), "/t/rules");
	CU_ASSERT_EQUAL(ga_ctx_step_delay_ms(ctx), 400);

	/* an empty file is valid and changes nothing */
	path = file("empty", "");
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), 1);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), "/u");
	teardown();
}

/* content must be refused with "test overrides file PATH:LINE: what", leaving every setting alone */
static void refused(const char *content, size_t len, unsigned line, const char *what)
{
	char path[1024], want[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad", dir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(fwrite(content, 1, len, f) == len);
	fclose(f);
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), -EINVAL);
	snprintf(want, sizeof(want), "test overrides file %s:%u: %s", path, line, what);
	ASSERT_MSG(want);
	assert_defaults();
}
#define REFUSED(text, line, what) refused(text, sizeof(text) - 1, line, what)

static void test_line_errors(void)
{
	setup();
	REFUSED("state-dir = /s\nsysfs_root = /x\n", 2,
		"unknown key 'sysfs_root' (known: sysfs-root, state-dir, rules-dir, modules-dir, proc-root, config, hook-log, step-delay-ms, hook-standin, catalog-standin)");
	REFUSED("state-dir /s\n", 1, "expected 'key = value', got 'state-dir /s'");
	REFUSED("# c\nstate-dir =  \n", 2, "invalid value '' for 'state-dir': it is empty");
	REFUSED("state-dir = /s\n\nstate-dir = /t\n", 3, "'state-dir' is already set on line 1");
	REFUSED("state-dir = run/gpu-assign\n", 1, "invalid value 'run/gpu-assign' for 'state-dir': it must be an absolute path");
	REFUSED("step-delay-ms = 99999\n", 1,
		"invalid value '99999' for 'step-delay-ms': it must be a whole number of milliseconds from 0 to 60000");
	REFUSED("hook-standin = ua-gpu0=0009:01:00.0,junk\n", 1,
		"invalid value 'ua-gpu0=0009:01:00.0,junk' for 'hook-standin': it must be ALIAS=DDDD:BB:SS.F, or several of them separated by commas");
	REFUSED("catalog-standin = 1234:1111\n", 1,
		"invalid value '1234:1111' for 'catalog-standin': it must be VVVV:DDDD=grace-hopper or VVVV:DDDD=grace-blackwell (the stand-in's PCI vendor and device ids), or up to 8 of them separated by commas");
	REFUSED("state-dir = /s\nproc-root = /p\0/q\n", 2, "NUL byte in the line (the file must be text)");
	REFUSED("= /s\n", 1, "unknown key '' (known: sysfs-root, state-dir, rules-dir, modules-dir, proc-root, config, hook-log, step-delay-ms, hook-standin, catalog-standin)");
	teardown();
}

static void test_file_errors(void)
{
	char path[1024], want[4096], *big;

	setup();
	/* a directory */
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, dir), -EINVAL);
	snprintf(want, sizeof(want), "test overrides file '%s' is not a regular file (give a file of 'key = value' lines)", dir);
	ASSERT_MSG(want);
	/* a FIFO: refused at once, not waited on */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), -EINVAL);
	snprintf(want, sizeof(want), "test overrides file '%s' is not a regular file (give a file of 'key = value' lines)", path);
	ASSERT_MSG(want);
	/* a missing file that a test named */
	snprintf(path, sizeof(path), "%s/missing", dir);
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), -ENOENT);
	snprintf(want, sizeof(want), "cannot open test overrides file '%s': No such file or directory", path);
	ASSERT_MSG(want);
	/* larger than any real one */
	big = malloc(70000);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, '#', 69999);
	big[69999] = '\0';
	snprintf(path, sizeof(path), "%s", file("big", big));
	free(big);
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), -EFBIG);
	snprintf(want, sizeof(want), "test overrides file '%s' is larger than 65536 bytes (it holds a few 'key = value' lines)", path);
	ASSERT_MSG(want);
	assert_defaults();
	teardown();
}

/* The installed file: optional, and only trusted when root-owned and not group/world-writable. */
static void test_installed(void)
{
	char path[1024], want[4096];

	setup();
	snprintf(path, sizeof(path), "%s/test-overrides", dir);
	CU_ASSERT_EQUAL(ga_ctx_load_overrides_at(ctx, path, true), 0);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, "");
	file("test-overrides", "state-dir = /s\n");
	snprintf(want, sizeof(want),
		 "refusing test overrides file '%s': it must be owned by root and not writable by group or others (remove it, or chown root and chmod go-w it)",
		 path);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);
	if (geteuid() == 0) {
		CU_ASSERT_EQUAL(ga_ctx_load_overrides_at(ctx, path, true), 1);
		CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), "/s");
		CU_ASSERT_EQUAL(ga_ctx_set(ctx, GA_SETTING_STATE_DIR, NULL), 0);
		CU_ASSERT_FATAL(chmod(path, 0664) == 0);
		CU_ASSERT_EQUAL(ga_ctx_load_overrides_at(ctx, path, true), -EPERM);
		ASSERT_MSG(want);
		CU_ASSERT_FATAL(chmod(path, 0646) == 0);
		CU_ASSERT_EQUAL(ga_ctx_load_overrides_at(ctx, path, true), -EPERM);
		CU_ASSERT_FATAL(chmod(path, 0644) == 0);
		CU_ASSERT_FATAL(chown(path, 1, 0) == 0);
	}
	/* owned by someone else than root */
	CU_ASSERT_EQUAL(ga_ctx_load_overrides_at(ctx, path, true), -EPERM);
	ASSERT_MSG(want);
	/* a test's own file (GA_TEST_OVERRIDES) may belong to anyone */
	CU_ASSERT_EQUAL(ga_ctx_load_overrides(ctx, path), 1);
	CU_ASSERT_STRING_EQUAL(ga_ctx_get(ctx, GA_SETTING_STATE_DIR), "/s");
	teardown();
}

static const struct test_case cases[] = {
	{ "defaults", test_defaults },
	{ "set and get", test_set },
	{ "load a test overrides file", test_load },
	{ "errors naming file and line", test_line_errors },
	{ "errors about the file", test_file_errors },
	{ "the installed file", test_installed },
	{ NULL, NULL },
};

TEST_MAIN("ga-ctx", cases)
