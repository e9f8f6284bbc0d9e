// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-catalog: the Grace parts of the variant driver's id table, families,
 * drivers; the companion module (src/kmod/main.c) serves the same Grace ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-catalog.h"
#include "ga-ctx.h"
#include "ga-pci.h"
#include "test-common.h"

static void test_grace_parts(void)
{
	/* The in-tree nvgrace-gpu id table: every one is coherent and needs a Grace variant driver. */
	static const uint16_t grace[] = { 0x2342, 0x2345, 0x2348, 0x2941, 0x31c2 };

	for (size_t i = 0; i < sizeof(grace) / sizeof(grace[0]); i++) {
		const struct ga_catalog_entry *e = ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, grace[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_TRUE(e->coherent);
		/* which Grace variant driver is the running kernel's business (ga-variant) */
		CU_ASSERT_PTR_NULL(e->driver);
		CU_ASSERT_EQUAL(e->gi_nodes, 8);
		CU_ASSERT(e->family == GA_FAMILY_GRACE_HOPPER || e->family == GA_FAMILY_GRACE_BLACKWELL);
	}
	CU_ASSERT_EQUAL(ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, 0x2342)->family, GA_FAMILY_GRACE_HOPPER);
	CU_ASSERT_EQUAL(ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, 0x2941)->family, GA_FAMILY_GRACE_BLACKWELL);
}

static void test_discrete_and_unknown(void)
{
	const struct ga_catalog_entry *h100 = ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, 0x2331);

	CU_ASSERT_PTR_NOT_NULL_FATAL(h100);
	CU_ASSERT_FALSE(h100->coherent);
	CU_ASSERT_STRING_EQUAL(h100->driver, GA_DRIVER_VFIO_PCI);
	CU_ASSERT_EQUAL(h100->gi_nodes, 0);
	/* Same id under another vendor, and an id nobody knows. */
	CU_ASSERT_PTR_NULL(ga_catalog_lookup(0x8086, 0x2342));
	CU_ASSERT_PTR_NULL(ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, 0xffff));
}

static void test_sorted_unique(void)
{
	const struct ga_catalog_entry *prev = NULL, *e;

	for (unsigned i = 0; (e = ga_catalog_entry_at(i)); i++) {
		if (prev)
			CU_ASSERT(prev->device < e->device);
		CU_ASSERT_PTR_NOT_NULL(e->name);
		CU_ASSERT_EQUAL(e->driver == NULL, e->coherent);
		CU_ASSERT_EQUAL(e->coherent, e->gi_nodes > 0);
		prev = e;
	}
	CU_ASSERT_PTR_NOT_NULL(prev);
}

static void test_family_strings(void)
{
	for (int f = 0; f < GA_FAMILY_LAST; f++)
		CU_ASSERT_EQUAL(ga_family_from_string(ga_family_to_string((enum ga_family)f)), f);
	CU_ASSERT_EQUAL(ga_family_from_string("nope"), -1);
	CU_ASSERT_EQUAL(ga_family_from_string(NULL), -1);
	CU_ASSERT_STRING_EQUAL(ga_family_to_string(GA_FAMILY_LAST), "unknown");
}

static void test_vfio_drivers(void)
{
	CU_ASSERT_TRUE(ga_driver_is_vfio("vfio-pci"));
	CU_ASSERT_TRUE(ga_driver_is_vfio("nvgrace_gpu_vfio_pci"));
	CU_ASSERT_TRUE(ga_driver_is_vfio(GA_DRIVER_NVGRACE_COMPANION));
	CU_ASSERT_TRUE(ga_driver_is_vfio("mlx5_vfio_pci"));
	CU_ASSERT_FALSE(ga_driver_is_vfio("nvidia"));
	CU_ASSERT_FALSE(ga_driver_is_vfio("vfio_pci"));
	CU_ASSERT_FALSE(ga_driver_is_vfio(NULL));
	CU_ASSERT_TRUE(ga_driver_is_nvgrace("nvgrace_gpu_vfio_pci"));
	CU_ASSERT_FALSE(ga_driver_is_nvgrace("vfio-pci"));
}

/*
 * The companion module's id table, read as text: the lines
 * "GA_ID(0xDEVICE, GA_GEN_HOPPER|GA_GEN_BLACKWELL)," of ga_pci_table. Each id
 * is a coherent catalogue entry of the matching Grace family, and every
 * coherent entry is in the table.
 */
static void test_companion_ids(void)
{
	const char *srcdir = getenv("srcdir");
	char *path = NULL, line[256];
	unsigned seen = 0, coherent = 0;
	const struct ga_catalog_entry *e;
	FILE *f;

	CU_ASSERT_FATAL(asprintf(&path, "%s/src/kmod/main.c", srcdir && *srcdir ? srcdir : ".") > 0);
	f = fopen(path, "re");
	if (!f)
		fprintf(stderr, "cannot open %s: %m\n", path);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, "GA_ID(0x");
		unsigned device;
		char gen[16];

		if (!at)
			continue;
		CU_ASSERT_EQUAL_FATAL(sscanf(at, "GA_ID(0x%x, GA_GEN_%15[A-Z])", &device, gen), 2);
		e = ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, (uint16_t)device);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_TRUE(e->coherent);
		CU_ASSERT_EQUAL(e->family, strcmp(gen, "HOPPER") ? GA_FAMILY_GRACE_BLACKWELL : GA_FAMILY_GRACE_HOPPER);
		seen++;
	}
	fclose(f);
	for (unsigned i = 0; (e = ga_catalog_entry_at(i)); i++)
		coherent += e->coherent;
	CU_ASSERT(seen > 0);
	CU_ASSERT_EQUAL(seen, coherent);
}

/*
 * The test overrides' catalog-standin entries: a stand-in of any vendor is a
 * coherent Grace part of the family given, found before the table, and never
 * in it (the id-table comparison above stays the production one).
 */
static void test_standin_entries(void)
{
	struct ga_ctx *ctx = NULL;
	const struct ga_catalog_entry *e, *f, *grace;
	unsigned n = 0;

	CU_ASSERT_EQUAL_FATAL(ga_ctx_new(&ctx), 0);
	CU_ASSERT_PTR_NULL(ga_catalog_find(ctx, 0x1234, 0x1111));
	grace = ga_catalog_find(ctx, GA_PCI_VENDOR_NVIDIA, 0x2342);
	CU_ASSERT_PTR_EQUAL(grace, ga_catalog_lookup(GA_PCI_VENDOR_NVIDIA, 0x2342));
	for (unsigned i = 0; ga_catalog_entry_at(i); i++)
		n++;

	CU_ASSERT_EQUAL_FATAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "1234:1111=grace-hopper,1AF4:1050=grace-blackwell"), 0);
	e = ga_catalog_find(ctx, 0x1234, 0x1111);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->name, "test stand-in 1234:1111");
	CU_ASSERT_EQUAL(e->family, GA_FAMILY_GRACE_HOPPER);
	CU_ASSERT_TRUE(e->coherent);
	CU_ASSERT_EQUAL(e->gi_nodes, 8);
	CU_ASSERT_PTR_NULL(e->driver);
	/* found again as the same entry: a GPU keeps its model pointer */
	CU_ASSERT_PTR_EQUAL(ga_catalog_find(ctx, 0x1234, 0x1111), e);
	f = ga_catalog_find(ctx, 0x1af4, 0x1050);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->family, GA_FAMILY_GRACE_BLACKWELL);
	CU_ASSERT_STRING_EQUAL(f->name, "test stand-in 1af4:1050");
	/* vendor and device both count; the real table is untouched */
	CU_ASSERT_PTR_NULL(ga_catalog_find(ctx, 0x1111, 0x1234));
	CU_ASSERT_PTR_NULL(ga_catalog_find(ctx, 0x1234, 0x1050));
	CU_ASSERT_PTR_NULL(ga_catalog_lookup(0x1234, 0x1111));
	CU_ASSERT_PTR_EQUAL(ga_catalog_find(ctx, GA_PCI_VENDOR_NVIDIA, 0x2342), grace);
	for (unsigned i = 0; ga_catalog_entry_at(i); i++)
		n--;
	CU_ASSERT_EQUAL(n, 0);

	/* a new value replaces the entries; none left after NULL */
	CU_ASSERT_EQUAL_FATAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, "10de:ffff=grace-blackwell"), 0);
	CU_ASSERT_PTR_NULL(ga_catalog_find(ctx, 0x1234, 0x1111));
	e = ga_catalog_find(ctx, GA_PCI_VENDOR_NVIDIA, 0xffff);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->family, GA_FAMILY_GRACE_BLACKWELL);
	CU_ASSERT_EQUAL_FATAL(ga_ctx_set(ctx, GA_SETTING_CATALOG_STANDIN, NULL), 0);
	CU_ASSERT_PTR_NULL(ga_catalog_find(ctx, GA_PCI_VENDOR_NVIDIA, 0xffff));
	ga_ctx_free(ctx);
}

static const struct test_case cases[] = {
	{ "Grace parts", test_grace_parts },
	{ "discrete and unknown ids", test_discrete_and_unknown },
	{ "sorted, complete entries", test_sorted_unique },
	{ "family strings", test_family_strings },
	{ "vfio driver names", test_vfio_drivers },
	{ "the companion module serves the Grace ids", test_companion_ids },
	{ "test catalogue entries (catalog-standin)", test_standin_entries },
	{ NULL, NULL },
};

TEST_MAIN("ga-catalog", cases)
