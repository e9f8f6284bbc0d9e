// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-util: the one reader of whole files (ga_read_fd, ga_read_file) on files,
 * pipes and stdin; the enum names of GA_ENUM_STRINGS, every table of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ga-catalog.h"
#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-gi.h"
#include "ga-gpu.h"
#include "ga-plan.h"
#include "ga-util.h"
#include "ga-variant.h"
#include "ga-virt.h"
#include "test-common.h"

#define MAX 4096

static char *root;
static struct ga_ctx *ctx;

static void setup(void)
{
	root = test_tmpdir_new();
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
}

static void teardown(void)
{
	ga_ctx_free(ctx);
	test_tmpdir_remove(root);
}

/* A file of n bytes 'a'..'z' repeated under root; its path. */
static const char *put(const char *name, size_t n, char path[PATH_MAX])
{
	char *body = malloc(n + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	for (size_t i = 0; i < n; i++)
		body[i] = (char)('a' + i % 26);
	body[n] = '\0';
	test_write_file(root, name, body);
	free(body);
	snprintf(path, PATH_MAX, "%s/%s", root, name);
	return path;
}

static void check_body(const char *buf, size_t len, size_t want)
{
	CU_ASSERT_EQUAL_FATAL(len, want);
	CU_ASSERT_EQUAL(buf[len], '\0');
	CU_ASSERT_EQUAL(buf[0], 'a');
	CU_ASSERT_EQUAL(buf[len - 1], 'a' + (len - 1) % 26);
}

static void test_limits(void)
{
	char path[PATH_MAX], msg[PATH_MAX + 64];
	char *buf;
	size_t len;

	setup();
	CU_ASSERT_EQUAL(ga_read_file(ctx, put("max", MAX, path), "test file", MAX, &buf, &len), 0);
	check_body(buf, len, MAX);
	free(buf);
	CU_ASSERT_EQUAL(ga_read_file(ctx, put("empty", 0, path), "test file", MAX, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	free(buf);
	CU_ASSERT_EQUAL(ga_read_file(ctx, put("over", MAX + 1, path), "test file", MAX, &buf, &len), -EFBIG);
	CU_ASSERT_PTR_NULL(buf);
	CU_ASSERT_EQUAL(len, 0);
	/* the message names whole MiB: a 1 MiB limit */
	CU_ASSERT_EQUAL(ga_read_file(ctx, put("big", (1 << 20) + 1, path), "test file", 1 << 20, &buf, &len), -EFBIG);
	snprintf(msg, sizeof(msg), "test file '%s' is larger than 1 MiB", path);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, msg);
	snprintf(path, sizeof(path), "%s/missing", root);
	CU_ASSERT_EQUAL(ga_read_file(ctx, path, "test file", MAX, &buf, &len), -ENOENT);
	snprintf(msg, sizeof(msg), "cannot open test file '%s': No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, msg);
	/* not a regular file (issue 12 item 2; a FIFO: tests/unit/test-open.c) */
	CU_ASSERT_EQUAL(ga_read_file(ctx, root, "test file", MAX, &buf, &len), -EINVAL);
	snprintf(msg, sizeof(msg), "test file '%s' is not a regular file (give a file, or '-' to read standard input)", root);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, msg);
	teardown();
}

/* A pipe has no size: the buffer grows, up to the limit and not past it. */
static int pipe_of(size_t n)
{
	int fds[2];
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < n; i++) {
			char c = (char)('a' + i % 26);

			if (write(fds[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void reap(int fd)
{
	close(fd);
	while (wait(NULL) > 0)
		;
}

static void test_pipes(void)
{
	char *buf;
	size_t len;
	int fd;

	fd = pipe_of(100000);
	CU_ASSERT_EQUAL(ga_read_fd(fd, 1 << 20, &buf, &len), 0);
	check_body(buf, len, 100000);
	free(buf);
	reap(fd);
	fd = pipe_of(MAX + 1);
	CU_ASSERT_EQUAL(ga_read_fd(fd, MAX, &buf, &len), -EFBIG);
	CU_ASSERT_PTR_NULL(buf);
	reap(fd);
	fd = pipe_of(MAX);
	CU_ASSERT_EQUAL(ga_read_fd(fd, MAX, &buf, &len), 0);
	check_body(buf, len, MAX);
	free(buf);
	reap(fd);
	CU_ASSERT_EQUAL(ga_read_fd(-1, MAX, &buf, &len), -EBADF);
}

/* "-" reads standard input. */
static void test_stdin(void)
{
	char path[PATH_MAX];
	char *buf;
	size_t len;
	int saved, fd;

	setup();
	fd = open(put("in", 5000, path), O_RDONLY | O_CLOEXEC);
	saved = dup(STDIN_FILENO);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0 && dup2(fd, STDIN_FILENO) == STDIN_FILENO);
	close(fd);
	CU_ASSERT_EQUAL(ga_read_file(ctx, "-", "test file", MAX * 2, &buf, &len), 0);
	check_body(buf, len, 5000);
	free(buf);
	/* stdin stays open */
	CU_ASSERT_EQUAL(fcntl(STDIN_FILENO, F_GETFD), 0);
	CU_ASSERT_FATAL(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
	close(saved);
	teardown();
}

/* The two halves on a table with a hole, negative and past-the-end values. */
static void test_enum_halves(void)
{
	static const char *const names[4] = { [0] = "zero", [2] = "two" };

	CU_ASSERT_STRING_EQUAL(ga_enum_to_string(names, 3, 0), "zero");
	CU_ASSERT_STRING_EQUAL(ga_enum_to_string(names, 3, 2), "two");
	CU_ASSERT_STRING_EQUAL(ga_enum_to_string(names, 3, 1), GA_ENUM_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(ga_enum_to_string(names, 3, -1), GA_ENUM_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(ga_enum_to_string(names, 3, 3), GA_ENUM_UNKNOWN);
	CU_ASSERT_EQUAL(ga_enum_from_string(names, 3, "two"), 2);
	CU_ASSERT_EQUAL(ga_enum_from_string(names, 3, "zero"), 0);
	CU_ASSERT_EQUAL(ga_enum_from_string(names, 3, "one"), -1);
	CU_ASSERT_EQUAL(ga_enum_from_string(names, 3, ""), -1);
	CU_ASSERT_EQUAL(ga_enum_from_string(names, 3, NULL), -1);
}

/*
 * Every value of every named enum has a name that reads back as itself (a
 * value left out of its table would read back as -1), and the value past the
 * end is GA_ENUM_UNKNOWN.
 */
#define CHECK_ENUM(prefix, type, last)                                                        \
	do {                                                                                  \
		for (int v = 0; v < (last); v++)                                              \
			CU_ASSERT_EQUAL(prefix##_from_string(prefix##_to_string((type)v)), v); \
		CU_ASSERT_STRING_EQUAL(prefix##_to_string((type)(last)), GA_ENUM_UNKNOWN);   \
		CU_ASSERT_EQUAL(prefix##_from_string(NULL), -1);                              \
		CU_ASSERT_EQUAL(prefix##_from_string("no such name"), -1);                    \
	} while (0)

static void test_enum_tables(void)
{
	CHECK_ENUM(ga_log_level, enum ga_log_level, GA_LOG_LAST);
	CHECK_ENUM(ga_family, enum ga_family, GA_FAMILY_LAST);
	CHECK_ENUM(ga_verdict, enum ga_verdict, GA_VERDICT_LAST);
	CHECK_ENUM(ga_arch, enum ga_arch, GA_ARCH_LAST);
	CHECK_ENUM(ga_dist_source, enum ga_dist_source, GA_DIST_SOURCE_LAST);
	CHECK_ENUM(ga_gi_form, enum ga_gi_form, GA_GI_FORM_LAST);
	CHECK_ENUM(ga_gi_source, enum ga_gi_source, GA_GI_SOURCE_LAST);
	CHECK_ENUM(ga_hook_policy, enum ga_hook_policy, GA_HOOK_POLICY_LAST);
	CHECK_ENUM(ga_release_policy, enum ga_release_policy, GA_RELEASE_POLICY_LAST);
	CHECK_ENUM(ga_variant_source, enum ga_variant_source, GA_VARIANT_SOURCE_LAST);
	CU_ASSERT_STRING_EQUAL(ga_arch_to_string(GA_ARCH_X86_64), "x86_64");
	CU_ASSERT_EQUAL(ga_hook_policy_from_string("warn"), GA_HOOK_WARN);
}

static const struct test_case cases[] = {
	{ "enum names: the two halves", test_enum_halves },
	{ "enum names: every table", test_enum_tables },
	{ "limits and failures", test_limits },
	{ "pipes grow the buffer", test_pipes },
	{ "'-' is standard input", test_stdin },
	{ NULL, NULL }
};

TEST_MAIN("ga-util", cases)
