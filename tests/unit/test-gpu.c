// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-gpu: every verdict, on hand-built host models (no GPU here: the devices are data). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-gpu.h"
#include "test-common.h"

static struct ga_pci_dev make_dev(const char *addr, uint16_t vendor, uint16_t device, uint32_t class,
				  int group, const char *acpi)
{
	struct ga_pci_dev d;

	memset(&d, 0, sizeof(d));
	CU_ASSERT_FATAL(ga_pci_addr_valid(addr, &d.addr));
	ga_pci_addr_format(&d.addr, d.name);
	d.vendor = vendor;
	d.device = device;
	d.class = class;
	d.iommu_group = group;
	d.numa_node = 0;
	d.acpi_path = (char *)acpi;
	return d;
}

static char *root;
static struct ga_ctx *ctx;

static void group_link(int group, const char *addr)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", group, addr);
	test_symlink(root, rel, "../../../../devices/x");
}

static void verdict_case(struct ga_host *host, size_t index, enum ga_verdict want, const char *reason_part)
{
	struct ga_gpu gpu;

	CU_ASSERT_EQUAL_FATAL(ga_gpu_assess(ctx, host, &host->devs[index], &gpu), 0);
	CU_ASSERT_EQUAL(gpu.verdict, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(gpu.reason, reason_part));
	if (!strstr(gpu.reason, reason_part))
		fprintf(stderr, "reason was: %s\n", gpu.reason);
	ga_gpu_clear(&gpu);
}

static void test_verdicts(void)
{
	struct ga_pci_dev devs[] = {
		make_dev("0000:01:00.0", 0x15b3, 0x1021, 0x020000, 2, NULL),            /* NIC */
		make_dev("0009:00:00.0", 0x10de, 0x22b1, 0x060400, 10, NULL),           /* Grace root port */
		make_dev("0009:01:00.0", 0x10de, 0x2342, 0x030200, 11, "\\_SB_.GPU0"),  /* GH200 alone */
		make_dev("0009:02:00.0", 0x10de, 0x2342, 0x030200, -1, "\\_SB_.GPU1"),  /* no IOMMU */
		make_dev("0009:03:00.0", 0x10de, 0x2342, 0x030200, 13, NULL),           /* no ACPI node */
		make_dev("0009:04:00.0", 0x10de, 0x2348, 0x030200, 14, "\\_SB_.GPU2"),  /* shares group 14 */
		make_dev("0009:04:00.1", 0x10de, 0x22ba, 0x040300, 14, NULL),           /* ... with audio */
		make_dev("0009:05:00.0", 0x10de, 0x1234, 0x030200, 15, NULL),           /* unknown model */
		make_dev("0000:c1:00.0", 0x10de, 0x2331, 0x030200, 16, NULL),           /* discrete H100 */
	};
	struct ga_host host = { .devs = devs, .ndevs = sizeof(devs) / sizeof(devs[0]) };

	root = test_tmpdir_new();
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, root) == 0);
	{
		char modules[4096];

		snprintf(modules, sizeof(modules), "%s/no-modules", root);
		CU_ASSERT_FATAL(ga_ctx_set(ctx, GA_SETTING_MODULES_DIR, modules) == 0);
	}
	/* no Grace variant driver: still assignable hardware, but the reason says what is missing */
	group_link(11, "0009:01:00.0");
	{
		struct ga_gpu gpu;

		CU_ASSERT_EQUAL_FATAL(ga_gpu_assess(ctx, &host, &devs[2], &gpu), 0);
		CU_ASSERT_STRING_EQUAL(gpu.driver, "");
		CU_ASSERT_STRING_EQUAL(gpu.reason,
				       "assignable with a Grace vfio-pci variant driver (this kernel offers neither nvgrace_gpu_vfio_pci nor gpu_assign_nvgrace; coherent memory, ACPI generic-initiator NUMA nodes)");
		CU_ASSERT_PTR_NOT_NULL(strstr(gpu.driver_problem, "no vfio-pci variant driver for GPU '0009:01:00.0' in this kernel"));
		CU_ASSERT_EQUAL(ga_last_error(ctx)->code, 0);
		ga_gpu_clear(&gpu);
	}
	test_write_file(root, "bus/pci/drivers/nvgrace_gpu_vfio_pci/bind", "");
	group_link(14, "0009:04:00.0");
	group_link(14, "0009:04:00.1");
	group_link(14, "0009:00:00.0"); /* a bridge in the group does not count */
	group_link(16, "0000:c1:00.0");

	verdict_case(&host, 0, GA_VERDICT_NOT_NVIDIA, "vendor 0x15b3");
	verdict_case(&host, 1, GA_VERDICT_NOT_GPU, "class 0x060400");
	verdict_case(&host, 2, GA_VERDICT_ASSIGNABLE,
		     "assignable with driver nvgrace_gpu_vfio_pci (registered in /sys/bus/pci/drivers; coherent memory, ACPI generic-initiator NUMA nodes)");
	verdict_case(&host, 3, GA_VERDICT_NO_IOMMU, "IOMMU is off");
	verdict_case(&host, 4, GA_VERDICT_NO_ACPI, "without an ACPI companion");
	verdict_case(&host, 5, GA_VERDICT_GROUP, "'0009:04:00.1'");
	verdict_case(&host, 6, GA_VERDICT_NOT_GPU, "class 0x040300");
	verdict_case(&host, 7, GA_VERDICT_UNKNOWN_MODEL, "10de:1234, not assignable by default");
	verdict_case(&host, 8, GA_VERDICT_ASSIGNABLE, "vfio-pci");

	/* The group's peers: the audio function only, the bridge left out. */
	{
		struct ga_gpu gpu;

		CU_ASSERT_EQUAL_FATAL(ga_gpu_assess(ctx, &host, &devs[5], &gpu), 0);
		CU_ASSERT_EQUAL(gpu.npeers, 1);
		CU_ASSERT_TRUE(ga_gpu_is_assignable(&gpu));
		ga_gpu_clear(&gpu);
	}
	/* A group directory that vanished is an error, not "alone". */
	{
		struct ga_pci_dev lost = make_dev("0009:06:00.0", 0x10de, 0x2342, 0x030200, 99, "\\_SB_.X");
		struct ga_host h2 = { .devs = &lost, .ndevs = 1 };
		struct ga_gpu gpu;

		CU_ASSERT_EQUAL(ga_gpu_assess(ctx, &h2, &lost, &gpu), -ENOENT);
		CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "kernel/iommu_groups/99/devices"));
	}
	ga_ctx_free(ctx);
	test_tmpdir_remove(root);
}

static void test_require(void)
{
	struct ga_pci_dev devs[] = {
		make_dev("0000:01:00.0", 0x15b3, 0x1021, 0x020000, 2, NULL),
		make_dev("0009:01:00.0", 0x10de, 0x2342, 0x030200, -1, "\\_SB_.GPU0"),
	};
	struct ga_host host = { .devs = devs, .ndevs = 2 };
	struct ga_pci_addr addr;
	struct ga_gpu gpu;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_pci_addr_valid("0000:01:00.0", &addr);
	CU_ASSERT_EQUAL(ga_gpu_require(ctx, &host, &addr, &gpu), -GA_E_NOT_GPU);
	CU_ASSERT_PTR_NULL(gpu.peers);
	ga_pci_addr_valid("0009:01:00.0", &addr);
	CU_ASSERT_EQUAL(ga_gpu_require(ctx, &host, &addr, &gpu), -GA_E_NOT_ASSIGNABLE);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "GPU '0009:01:00.0' is not assignable: no IOMMU group"));
	ga_pci_addr_valid("0009:07:00.0", &addr);
	CU_ASSERT_EQUAL(ga_gpu_require(ctx, &host, &addr, &gpu), -ENODEV);
	CU_ASSERT_STRING_EQUAL(ga_error_code_name(-ENODEV), "ENODEV");
	CU_ASSERT_STRING_EQUAL(ga_error_code_name(-GA_E_NOT_GPU), "GA_E_NOT_GPU");
	for (int v = 0; v < GA_VERDICT_LAST; v++)
		CU_ASSERT_STRING_NOT_EQUAL(ga_verdict_to_string((enum ga_verdict)v), "unknown");
	ga_ctx_free(ctx);
}

static const struct test_case cases[] = {
	{ "verdicts", test_verdicts },
	{ "require", test_require },
	{ NULL, NULL },
};

TEST_MAIN("ga-gpu", cases)
