// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-open: the one opening policy (issue 12 items 2, 7, 8), on every file the
 * library opens. A FIFO in the place of any of them is refused at once with a
 * message naming the file (a blocking open would hang bind under the host
 * lock, or the hook and libvirtd with it); state files refuse symlinks, the
 * configuration may be one; a NUL byte is refused where it would end a
 * parser early. main() sets an alarm: a case that blocks fails, never hangs.
 * (The hook's log: tests/unit/test-hook.c; modules.alias: test-variant.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-grace.h"
#include "ga-journal.h"
#include "ga-lock.h"
#include "ga-open.h"
#include "ga-persist.h"
#include "ga-statefile.h"
#include "ga-sysfs.h"
#include "test-common.h"

static char *root;
static struct ga_ctx *ctx;
static char msg[PATH_MAX * 2];

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

/* root/rel as a path (static buffer, one at a time) */
static const char *at(const char *rel)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

static void fifo(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
}

/* A file holding "<head>\0<tail>" (test_write_file stops at the NUL). */
static void put_nul(const char *rel, const char *head, const char *tail)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(head, 1, strlen(head), f);
	fputc('\0', f);
	fwrite(tail, 1, strlen(tail), f);
	fclose(f);
}

/* r is code and the message is tmpl, its one "%s" standing for the test's root directory. */
static void want(int r, int code, const char *tmpl)
{
	const char *hole = strstr(tmpl, "%s");

	CU_ASSERT_PTR_NOT_NULL_FATAL(hole);
	snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(hole - tmpl), tmpl, root, hole + 2);
	CU_ASSERT_EQUAL(r, code);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, msg);
	if (strcmp(ga_last_error(ctx)->message, msg))
		fprintf(stderr, "\n got: %s\nwant: %s\n", ga_last_error(ctx)->message, msg);
}

static void test_policy(void)
{
	int dfd, fd;

	setup();
	dfd = open(root, O_RDONLY | O_DIRECTORY);
	test_write_file(root, "file", "x");
	test_symlink(root, "link", "file");
	test_symlink(root, "link-fifo", "fifo");
	fifo("fifo");
	mkdir(at("dir"), 0700);

	fd = ga_open_regular(dfd, "file", O_RDONLY, 0);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* cleared once known regular */
	close(fd);
	fd = ga_open_regular(dfd, "link", O_RDONLY, 0); /* the configuration or a log may be a symlink */
	CU_ASSERT(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "link", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "fifo", O_RDONLY, 0), -EINVAL);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "link-fifo", O_RDONLY, 0), -EINVAL);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "fifo", O_WRONLY | O_APPEND | O_CREAT, 0640), -EINVAL);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "fifo", O_RDWR | O_CREAT | O_NOFOLLOW, 0600), -EINVAL);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "dir", O_RDONLY, 0), -EINVAL);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "dir", O_RDWR | O_CREAT, 0600), -EINVAL);
	CU_ASSERT_EQUAL(ga_open_regular(dfd, "missing", O_RDONLY, 0), -ENOENT);
	CU_ASSERT_STRING_EQUAL(ga_open_why(-EINVAL), "not a regular file");
	close(dfd);
	teardown();
}

/* The journal, the bindings, the hook's version-1 owner markers: FIFO, symlink, NUL. */
static void test_state_files(void)
{
	static const char *const names[] = { GA_JOURNAL_FILE, GA_BINDINGS_FILE, GA_LEGACY_OWNER_PREFIX "0009:01:00.0" };
	struct ga_pci_addr addr = { .domain = 9, .bus = 1 };
	char want_msg[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (int kind = 0; kind < 3; kind++) {
			struct ga_journal j;
			struct ga_bindings b;
			char owner[GA_OWNER_MAX];
			bool exists;
			int dfd, r;

			setup();
			if (kind == 0) {
				fifo(names[i]);
				snprintf(want_msg, sizeof(want_msg), "refusing '%%s/%s': not a regular file (remove it)", names[i]);
			} else if (kind == 1) {
				test_write_file(root, "elsewhere", "x\n");
				test_symlink(root, names[i], "elsewhere");
				snprintf(want_msg, sizeof(want_msg),
					 "cannot open '%%s/%s': Too many levels of symbolic links (it is a symlink: remove it)",
					 names[i]);
			} else {
				/* a NUL ends the text for every parser: the rest would be lost without a word */
				put_nul(names[i], "version 2\n", "0009:01:00.0 driver=nvidia\n");
				snprintf(want_msg, sizeof(want_msg),
					 "refusing '%%s/%s': it holds a NUL byte at offset 10 (damaged or not ours: look at it, then move it away)",
					 names[i]);
			}
			dfd = open(root, O_RDONLY | O_DIRECTORY);
			if (i == 0) {
				r = ga_journal_load(ctx, dfd, root, &j, &exists);
				if (r == 0)
					ga_journal_clear(&j);
			} else if (i == 1) {
				r = ga_bindings_load(ctx, dfd, root, &b);
				if (r == 0)
					ga_bindings_clear(&b);
			} else {
				r = ga_legacy_owner_read(ctx, dfd, root, &addr, owner);
			}
			want(r, kind == 1 ? -ELOOP : -EINVAL, want_msg);
			close(dfd);
			teardown();
		}
	}
}

static void test_rules_file(void)
{
	struct ga_rules rules;

	setup();
	fifo(GA_UDEV_RULES_FILE);
	want(ga_rules_load(ctx, root, &rules), -EINVAL, "refusing '%s/" GA_UDEV_RULES_FILE "': not a regular file (remove it)");
	teardown();

	setup();
	put_nul(GA_UDEV_RULES_FILE, "# gpu-assign\n", "\n");
	want(ga_rules_load(ctx, root, &rules), -EINVAL,
	     "refusing '%s/" GA_UDEV_RULES_FILE "': it holds a NUL byte at offset 13 (damaged or not ours: look at it, then move it away)");
	teardown();
}

static void test_lock(void)
{
	struct ga_lock lock;

	/* a FIFO (O_RDWR would not block, but it is no lock) and a directory: remove it, root or not */
	for (int kind = 0; kind < 2; kind++) {
		setup();
		mkdir(at("state"), 0700);
		if (kind == 0)
			fifo("state/lock");
		else
			mkdir(at("state/lock"), 0700);
		want(ga_lock_take(ctx, at("state"), 0, &lock), -EINVAL,
		     "refusing the lock '%s/state/lock': not a regular file (remove it)");
		teardown();
	}
}

static void test_config(void)
{
	struct ga_config *cfg = NULL;

	setup();
	fifo("gpu-assign.conf");
	want(ga_config_load(ctx, at("gpu-assign.conf"), true, &cfg), -EINVAL,
	     "cannot read configuration '%s/gpu-assign.conf': not a regular file (point to the XML file)");
	teardown();

	setup();
	mkdir(at("gpu-assign.conf"), 0700);
	want(ga_config_load(ctx, at("gpu-assign.conf"), true, &cfg), -EINVAL,
	     "cannot read configuration '%s/gpu-assign.conf': not a regular file (point to the XML file)");
	teardown();

	/* item 8: the XML parser would stop at the NUL and accept the rest unread */
	setup();
	put_nul("gpu-assign.conf", "<gpu-assign>\n  <hook policy='warn'/>\n", "<reserved/>\n</gpu-assign>\n");
	want(ga_config_load(ctx, at("gpu-assign.conf"), true, &cfg), -GA_E_PARSE,
	     "invalid configuration %s/gpu-assign.conf:3: a NUL byte at offset 37 (the file must be plain XML text: remove the byte)");
	CU_ASSERT_PTR_NULL(cfg);
	teardown();

	/* item 7: only the default file may be missing */
	setup();
	want(ga_config_load(ctx, at("missing.conf"), false, &cfg), -ENOENT,
	     "cannot read configuration '%s/missing.conf': No such file or directory (create it, see gpu-assign.conf(5))");
	CU_ASSERT_EQUAL(ga_config_load(ctx, at("missing.conf"), true, &cfg), 0);
	ga_config_free(cfg);
	cfg = NULL;
	teardown();

	/* an administrator may symlink the configuration */
	setup();
	test_write_file(root, "real.conf", "<gpu-assign/>\n");
	test_symlink(root, "gpu-assign.conf", "real.conf");
	CU_ASSERT_EQUAL(ga_config_load(ctx, at("gpu-assign.conf"), false, &cfg), 0);
	ga_config_free(cfg);
	teardown();
}

static void test_overrides(void)
{
	setup();
	fifo("overrides");
	want(ga_ctx_load_overrides(ctx, at("overrides")), -EINVAL,
	     "test overrides file '%s/overrides' is not a regular file (give a file of 'key = value' lines)");
	teardown();

	setup();
	put_nul("overrides", "step-delay-ms = 5\n", "state-dir = /x\n");
	want(ga_ctx_load_overrides(ctx, at("overrides")), -EINVAL,
	     "test overrides file %s/overrides:2: NUL byte in the line (the file must be text)");
	teardown();
}

static void test_read_file(void)
{
	char *buf;
	size_t len;

	setup();
	fifo("domain.xml");
	want(ga_read_file(ctx, at("domain.xml"), "domain XML", 4096, &buf, &len), -EINVAL,
	     "domain XML '%s/domain.xml' is not a regular file (give a file, or '-' to read standard input)");
	teardown();
}

static void test_sysfs_and_proc(void)
{
	char *out = NULL;

	setup();
	mkdir(at("sys"), 0755);
	test_write_file(root, "sys/bus/pci/devices/0009:01:00.0/vendor", "0x10de\n");
	fifo("sys/bus/pci/devices/0009:01:00.0/device");
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, at("sys")) == 0);
	want(ga_sysfs_read(ctx, &out, "bus/pci/devices/0009:01:00.0/device"), -EINVAL,
	     "cannot read '%s/sys/bus/pci/devices/0009:01:00.0/device': not a regular file (check the host's sysfs)");
	/* the attributes bind writes: a FIFO (no reader: the open must not wait for one) and a directory */
	fifo("sys/bus/pci/drivers_probe");
	want(ga_sysfs_write(ctx, "0009:01:00.0", "bus/pci/drivers_probe"), -EINVAL,
	     "refusing to write '%s/sys/bus/pci/drivers_probe': not a regular file (a sysfs attribute is a plain file: check the tree)");
	mkdir(at("sys/bus/pci/devices/0009:01:00.0/driver_override"), 0755);
	want(ga_sysfs_write(ctx, "vfio-pci", "bus/pci/devices/0009:01:00.0/driver_override"), -EINVAL,
	     "refusing to write '%s/sys/bus/pci/devices/0009:01:00.0/driver_override': not a regular file (a sysfs attribute is a plain file: check the tree)");
	teardown();

	setup();
	mkdir(at("proc"), 0755);
	fifo("proc/iomem");
	CU_ASSERT_FATAL(ga_ctx_set(ctx, GA_SETTING_PROC_ROOT, at("proc")) == 0);
	want(ga_grace_online_memory(ctx, NULL, &out), -EINVAL, "cannot read '%s/proc/iomem': not a regular file (is /proc mounted?)");
	/* a process's comm that is a FIFO: skipped, not waited on */
	mkdir(at("proc/4242"), 0755);
	fifo("proc/4242/comm");
	CU_ASSERT_EQUAL(ga_grace_users(ctx, &out), 0);
	CU_ASSERT_PTR_NULL(out);
	free(out);
	teardown();
}

static const struct test_case cases[] = {
	{ "the policy: FIFO, directory, symlink", test_policy },
	{ "journal, bindings, owner markers", test_state_files },
	{ "udev rules file", test_rules_file },
	{ "lock", test_lock },
	{ "configuration", test_config },
	{ "test overrides file", test_overrides },
	{ "ga_read_file", test_read_file },
	{ "sysfs attribute and /proc files", test_sysfs_and_proc },
	{ NULL, NULL },
};

int main(void)
{
	alarm(120); /* a FIFO that blocks us fails the test instead of hanging it */
	return test_run_suite("open", cases);
}
