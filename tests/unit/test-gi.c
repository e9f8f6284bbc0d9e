// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-gi: the one GI count rule (a given count, then the host's _DSD, then the
 * catalogue) on a fixture host whose DSDT gives the GPU a chosen count.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-gi.h"
#include "plan-fixture.h"

#define UNKNOWN_GPU "0000:77:00.0"

/* The GPU's ACPI companion and a DSDT (test-pxm4.aml with its count byte patched) giving it count. */
static void put_dsdt(struct fixture *f, const char *pci_name, unsigned char count)
{
	static const char key[] = "nvidia,gpu-mem-pxm-count";
	char *src = test_srcpath("hosts/acpi/test-pxm4.aml"), path[PATH_MAX], rel[256];
	unsigned char buf[4096], *hit;
	size_t n;
	FILE *in = fopen(src, "rb"), *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	free(src);
	hit = memmem(buf, n, key, sizeof(key)); /* with its NUL: then ByteConst (0x0a) 4 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
	hit += sizeof(key);
	CU_ASSERT_FATAL(hit[0] == 0x0a && hit[1] == 4);
	hit[1] = count;
	test_write_file(f->root, "firmware/acpi/tables/DSDT", "");
	snprintf(path, sizeof(path), "%s/firmware/acpi/tables/DSDT", f->root);
	out = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(fwrite(buf, 1, n, out), n);
	fclose(out);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/firmware_node/path", pci_name);
	test_write_file(f->root, rel, "\\_SB_.PCI9.RP00.GPU0\n");
}

static void gpu_name(char name[GA_PCI_ADDR_STRLEN])
{
	struct ga_pci_addr a = fixture_gpu_addr(0, 0);

	ga_pci_addr_format(&a, name);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(ga_gi_source_to_string(GA_GI_SOURCE_CATALOG), "catalogue");
	CU_ASSERT_STRING_EQUAL(ga_gi_source_to_string(GA_GI_SOURCE_OPTION), "option");
	CU_ASSERT_STRING_EQUAL(ga_gi_source_to_string(GA_GI_SOURCE_ACPI), "acpi");
	CU_ASSERT_STRING_EQUAL(ga_gi_source_to_string(GA_GI_SOURCE_CONFIG), "configuration");
	CU_ASSERT_STRING_EQUAL(ga_gi_source_to_string(GA_GI_SOURCE_LAST), "unknown");
}

/* A given count wins and, unless the caller asks for the _DSD, the tables are not even read. */
static void test_given_wins(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct ga_acpi_cache cache = { 0 };
	char name[GA_PCI_ADDR_STRLEN];
	struct ga_gi_query q = { .pci_name = name, .catalogue = 8, .given = 3, .given_by = GA_GI_SOURCE_CONFIG };
	struct ga_gi_acpi a;
	struct fixture f;
	unsigned n = 0;

	fixture_init(&f, &spec);
	gpu_name(name);
	put_dsdt(&f, name, 4);
	CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, NULL), GA_GI_SOURCE_CONFIG);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_FALSE(cache.loaded);
	q.given_by = GA_GI_SOURCE_OPTION;
	CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, &a), GA_GI_SOURCE_OPTION);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE(cache.loaded);
	CU_ASSERT_EQUAL(a.r, 0);
	CU_ASSERT_TRUE(a.has_count);
	CU_ASSERT_EQUAL(a.count, 4);
	CU_ASSERT_STRING_EQUAL(a.mem.table, "DSDT");
	/* no count given: the firmware's */
	q.given = 0;
	CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, NULL), GA_GI_SOURCE_ACPI);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(ga_last_error(f.ctx)->code, 0);
	ga_acpi_cache_clear(&cache);
	fixture_fini(&f);
}

/* The firmware's count counts from 1 to GA_PLAN_MAX_NODES - 1; anything else leaves the catalogue's. */
static void test_firmware_bounds(void)
{
	static const struct {
		unsigned char count;
		enum ga_gi_source want;
		unsigned n;
	} cases[] = {
		{ 1, GA_GI_SOURCE_ACPI, 1 },
		{ GA_PLAN_MAX_NODES - 1, GA_GI_SOURCE_ACPI, GA_PLAN_MAX_NODES - 1 },
		{ GA_PLAN_MAX_NODES, GA_GI_SOURCE_CATALOG, 8 },
		{ 200, GA_GI_SOURCE_CATALOG, 8 },
		{ 0, GA_GI_SOURCE_CATALOG, 8 },
	};
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	char name[GA_PCI_ADDR_STRLEN];
	struct fixture f;

	fixture_init(&f, &spec);
	gpu_name(name);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_acpi_cache cache = { 0 };
		struct ga_gi_query q = { .pci_name = name, .catalogue = 8 };
		struct ga_gi_acpi a;
		unsigned n = 0;

		put_dsdt(&f, name, cases[i].count);
		CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, &a), cases[i].want);
		CU_ASSERT_EQUAL(n, cases[i].n);
		CU_ASSERT_TRUE(a.mem.has_pxm_count);
		CU_ASSERT_EQUAL(a.mem.pxm_count, cases[i].count);
		CU_ASSERT_EQUAL(a.has_count, cases[i].want == GA_GI_SOURCE_ACPI);
		ga_acpi_cache_clear(&cache);
	}
	fixture_fini(&f);
}

/* No tables, or no companion: the catalogue, the reason kept for the caller, no error left behind. */
static void test_unreadable(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct ga_acpi_cache cache = { 0 };
	char name[GA_PCI_ADDR_STRLEN], rel[256];
	struct ga_gi_query q = { .pci_name = name, .catalogue = 8 };
	struct ga_gi_acpi a;
	struct fixture f;
	unsigned n = 0;

	fixture_init(&f, &spec);
	gpu_name(name);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/firmware_node/path", name);
	test_write_file(f.root, rel, "\\_SB_.PCI9.RP00.GPU0\n");
	CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, &a), GA_GI_SOURCE_CATALOG);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT(a.r < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.why, "firmware/acpi/tables"));
	CU_ASSERT_EQUAL(ga_last_error(f.ctx)->code, 0);
	q.pci_name = UNKNOWN_GPU;
	CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, &a), GA_GI_SOURCE_CATALOG);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.why, "has no readable ACPI companion path"));
	CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &cache, &q, &n, NULL), GA_GI_SOURCE_CATALOG);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(ga_last_error(f.ctx)->code, 0);
	ga_acpi_cache_clear(&cache);
	fixture_fini(&f);
}

static const struct test_case cases[] = {
	{ "source names", test_names },
	{ "a given count wins, tables unread", test_given_wins },
	{ "the firmware's count from 1 to 127", test_firmware_bounds },
	{ "unreadable tables: the catalogue", test_unreadable },
	{ NULL, NULL }
};

TEST_MAIN("ga-gi", cases)
