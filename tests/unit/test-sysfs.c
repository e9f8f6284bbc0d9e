// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-sysfs: reads, links, listings and writes under an injected root. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-sysfs-priv.h"
#include "ga-sysfs.h"
#include "test-common.h"

static char *root;
static struct ga_ctx *ctx;

static void setup(void)
{
	root = test_tmpdir_new();
	test_write_file(root, "devices/pci0009:00/0009:01:00.0/vendor", "0x10de\n");
	test_write_file(root, "devices/pci0009:00/0009:01:00.0/numa_node", "3\n");
	test_write_file(root, "devices/pci0009:00/0009:01:00.0/junk", "abc\n");
	test_write_file(root, "devices/pci0009:00/0009:01:00.0/driver_override", "(null)\n");
	test_symlink(root, "bus/pci/devices/0009:01:00.0", "../../../devices/pci0009:00/0009:01:00.0");
	test_symlink(root, "devices/pci0009:00/0009:01:00.0/driver", "../../../bus/pci/drivers/nvidia");
	test_write_file(root, "bus/pci/drivers/nvidia/bind", "");
	test_write_file(root, "kernel/iommu_groups/5/devices/.keep", "");
	test_symlink(root, "kernel/iommu_groups/5/devices/0009:01:00.1", "x");
	test_symlink(root, "kernel/iommu_groups/5/devices/0009:01:00.0", "y");
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, root) == 0);
}

static void teardown(void)
{
	ga_ctx_free(ctx);
	test_tmpdir_remove(root);
	root = NULL;
	ctx = NULL;
}

static void test_read(void)
{
	char *val = NULL;
	long n;

	setup();
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "vendor"), 0);
	CU_ASSERT_STRING_EQUAL(val, "0x10de");
	free(val);
	CU_ASSERT_EQUAL(ga_sysfs_read_int(ctx, &n, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "numa_node"), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(ga_sysfs_read_int(ctx, &n, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "junk"), -GA_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "'abc' is not a number"));
	teardown();
}

static void test_missing(void)
{
	char *val = (char *)"sentinel";

	setup();
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "nope"), -ENOENT);
	CU_ASSERT_PTR_NULL(val);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "cannot read '"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "/bus/pci/devices/0009:01:00.0/nope'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "No such file or directory"));
	CU_ASSERT_FALSE(ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, "0009:02:00.0"));
	CU_ASSERT_TRUE(ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, "0009:01:00.0"));
	teardown();
}

static void test_refuses_escape(void)
{
	char *val = NULL;

	setup();
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, "%s", "../etc/passwd"), -EINVAL);
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, "%s", "/etc/passwd"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "not a plain relative path"));
	CU_ASSERT_FALSE(ga_sysfs_exists(ctx, "%s", "../"));
	teardown();
}

static void test_link_and_list(void)
{
	char *name = NULL, **names = NULL;

	setup();
	CU_ASSERT_EQUAL(ga_sysfs_link_name(ctx, &name, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver"), 0);
	CU_ASSERT_STRING_EQUAL(name, "nvidia");
	free(name);
	CU_ASSERT_EQUAL(ga_sysfs_link_name(ctx, &name, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "iommu_group"),
			-ENOENT);
	CU_ASSERT_EQUAL_FATAL(ga_sysfs_list(ctx, &names, GA_SYSFS_IOMMU_GROUP_DEVS, 5), 0);
	CU_ASSERT_STRING_EQUAL(names[0], ".keep");
	CU_ASSERT_STRING_EQUAL(names[1], "0009:01:00.0");
	CU_ASSERT_STRING_EQUAL(names[2], "0009:01:00.1");
	CU_ASSERT_PTR_NULL(names[3]);
	ga_strv_free(names);
	CU_ASSERT_EQUAL(ga_sysfs_list(ctx, &names, GA_SYSFS_IOMMU_GROUP_DEVS, 6), -ENOENT);
	teardown();
}

static void test_write(void)
{
	char *val = NULL;

	setup();
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "vfio-pci", GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver_override"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver_override"), 0);
	CU_ASSERT_STRING_EQUAL(val, "vfio-pci");
	free(val);
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "x", GA_SYSFS_PCI_DRIVER_ATTR, "nope", "bind"), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "for writing"));
	teardown();
}


/* A fixture's "unbind -> FILE" must not make root overwrite FILE; no attribute is written through a symlink. */
static void test_write_no_symlinks(void)
{
	char *outside = test_tmpdir_new(), target[4096], want[8192], *val = NULL;
	const char *names[] = { "unbind", "new_id", "remove_id" };

	setup();
	test_write_file(outside, "victim", "precious\n");
	snprintf(target, sizeof(target), "%s/victim", outside);
	test_symlink(root, "bus/pci/drivers/nvidia/unbind", target);                        /* absolute, out */
	test_symlink(root, "bus/pci/drivers/nvidia/new_id", "../../../../../../../../../../../../..");  /* relative, out */
	test_symlink(root, "bus/pci/drivers/nvidia/remove_id", "bind");                      /* in the root */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int r = ga_sysfs_write(ctx, "0009:01:00.0", GA_SYSFS_PCI_DRIVER_ATTR, "nvidia", names[i]);

		CU_ASSERT_TRUE(r == -ELOOP || r == -EXDEV);
		snprintf(want, sizeof(want),
			 "refusing to write '%s/bus/pci/drivers/nvidia/%s': it is a symlink or leads out of the sysfs root (a sysfs attribute is a plain file: check the tree)",
			 root, names[i]);
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, want);
	}
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, "../%s", "x"), -EINVAL);
	free(val);
	val = NULL;
	{
		FILE *f = fopen(target, "r");
		char buf[64] = "";

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_PTR_NOT_NULL(fgets(buf, sizeof(buf), f));
		fclose(f);
		CU_ASSERT_STRING_EQUAL(buf, "precious\n");
	}
	/* The relative links of sysfs itself (bus/pci/devices/X -> ../../../devices/...) still work. */
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "vfio-pci", GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver_override"), 0);
	teardown();
	test_tmpdir_remove(outside);
}

static int hook_writes;
static int fake_write(void *data, const char *path, const char *value)
{
	(void)data;
	hook_writes++;
	if (strstr(path, "unbind"))
		return -EBUSY;
	return strcmp(value, "pass") ? 0 : 1;
}

static int fake_read(void *data, const char *path)
{
	(void)data;
	return strstr(path, "vendor") ? -EACCES : 0;
}

static const struct ga_sysfs_hooks hooks = { .write = fake_write, .read = fake_read };

static void test_hooks(void)
{
	char *val = NULL;

	setup();
	ga_sysfs_set_hooks(ctx, &hooks, NULL);
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "0009:01:00.0", GA_SYSFS_PCI_DRIVER_ATTR, "nvidia", "unbind"), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "Device or resource busy"));
	/* handled by the hook: the file is not written */
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "handled", GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver_override"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(ctx, "pass", GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver_override"), 0);
	CU_ASSERT_EQUAL(hook_writes, 3);
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "driver_override"), 0);
	CU_ASSERT_STRING_EQUAL(val, "pass");
	free(val);
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, "0009:01:00.0", "vendor"), -EACCES);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "(run as root)"));
	teardown();
}

static void test_bad_root(void)
{
	char *val = NULL;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL(ga_ctx_set_sysfs_root(ctx, "relative/dir"), -EINVAL);
	CU_ASSERT_EQUAL(ga_ctx_set_sysfs_root(ctx, "/nonexistent-ga-root"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_read(ctx, &val, "%s", "x"), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "cannot open sysfs root '/nonexistent-ga-root'"));
	ga_ctx_free(ctx);
	ctx = NULL;
}

static const struct test_case cases[] = {
	{ "read attributes", test_read },
	{ "missing attribute", test_missing },
	{ "paths stay under the root", test_refuses_escape },
	{ "links and listings", test_link_and_list },
	{ "writes", test_write },
	{ "writes never follow a symlink", test_write_no_symlinks },
	{ "test hooks", test_hooks },
	{ "bad root", test_bad_root },
	{ NULL, NULL },
};

TEST_MAIN("ga-sysfs", cases)
