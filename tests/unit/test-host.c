// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-host: CPU lists and the NUMA view read from a fixture tree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-host.h"
#include "test-common.h"

static void test_cpulist(void)
{
	static const struct {
		const char *in;
		int n;          /* -1: refused */
		unsigned first, last;
		int libvirt_n;  /* the same in libvirt's syntax (ga_libvirt_list_parse) */
	} cases[] = {
		{ "0-3", 4, 0, 3, 4 },
		{ "0", 1, 0, 0, 1 },
		{ "", 0, 0, 0, 0 },
		{ "0-71,144-215", 144, 0, 215, 144 },
		{ "5,1,3", 3, 1, 5, 3 },
		{ "1-2,2-3", 3, 1, 3, 3 },
		{ "3-1", -1, 0, 0, -1 },
		{ "0-", -1, 0, 0, -1 },
		{ "a", -1, 0, 0, -1 },
		{ "0,,1", -1, 0, 0, -1 },
		{ "0-1 ", -1, 0, 1, 2 },
		{ "70000", -1, 0, 0, -1 },
		{ "-1", -1, 0, 0, -1 },
		/* libvirt's own: blanks and ^N (numatune-memnode.xml, libvirt's tests) */
		{ "0-2,^1", -1, 0, 2, 2 },
		{ "1-2,5-7,^6", -1, 1, 7, 4 },
		{ " 0 - 3 , ^3 ", -1, 0, 2, 3 },
		{ "^1,0-2", -1, 0, 2, 3 },
		{ "0-8,^8", -1, 0, 7, 8 },
		{ "^1-2", -1, 0, 0, -1 },
		{ "0,^", -1, 0, 0, -1 },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned *list = NULL;
		size_t n = 0;
		int r = ga_cpulist_parse(ctx, cases[i].in, 65536, &list, &n);

		if (cases[i].n < 0) {
			CU_ASSERT_EQUAL(r, -GA_E_PARSE);
		} else {
			CU_ASSERT_EQUAL(r, 0);
			CU_ASSERT_EQUAL(n, (size_t)cases[i].n);
			if (n) {
				CU_ASSERT_EQUAL(list[0], cases[i].first);
				CU_ASSERT_EQUAL(list[n - 1], cases[i].last);
			}
		}
		free(list);
		list = NULL;
		r = ga_libvirt_list_parse(ctx, cases[i].in, 65536, &list, &n);
		if (cases[i].libvirt_n < 0) {
			CU_ASSERT_EQUAL(r, -GA_E_PARSE);
		} else {
			CU_ASSERT_EQUAL(r, 0);
			CU_ASSERT_EQUAL(n, (size_t)cases[i].libvirt_n);
			if (n != (size_t)cases[i].libvirt_n)
				fprintf(stderr, "\nlibvirt list '%s': %zu items\n", cases[i].in, n);
			if (n) {
				CU_ASSERT_EQUAL(list[0], cases[i].first);
				CU_ASSERT_EQUAL(list[n - 1], cases[i].last);
			}
		}
		free(list);
	}
	ga_ctx_free(ctx);
}

static void test_numa_view(void)
{
	char *root = test_tmpdir_new();
	struct ga_host host = { 0 };
	struct ga_ctx *ctx;

	test_write_file(root, "devices/system/node/online", "0-1\n");
	test_write_file(root, "devices/system/node/node0/cpulist", "0-71\n");
	test_write_file(root, "devices/system/node/node0/meminfo",
			"Node 0 MemTotal:       491520000 kB\nNode 0 MemFree:        1 kB\n");
	test_write_file(root, "devices/system/node/node0/distance", "10 80\n");
	test_write_file(root, "devices/system/node/node1/cpulist", "\n");
	test_write_file(root, "devices/system/node/node1/meminfo", "Node 1 MemTotal:       100663296 kB\n");
	test_write_file(root, "devices/system/node/node1/distance", "80 10\n");
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, root) == 0);
	CU_ASSERT_EQUAL_FATAL(ga_host_read_numa(ctx, &host), 0);
	CU_ASSERT_EQUAL(host.nnodes, 2);
	CU_ASSERT_EQUAL(host.ncpus, 72);
	CU_ASSERT_EQUAL(host.nodes[0].ncpus, 72);
	CU_ASSERT_EQUAL(host.nodes[1].ncpus, 0);
	CU_ASSERT_EQUAL(host.nodes[1].mem_total_kib, 100663296);
	CU_ASSERT_EQUAL(ga_host_node_distance(&host, 0, 1), 80);
	CU_ASSERT_EQUAL(ga_host_node_distance(&host, 1, 1), 10);
	CU_ASSERT_EQUAL(ga_host_node_distance(&host, 1, 7), -1);
	CU_ASSERT_PTR_NOT_NULL(ga_host_find_node(&host, 1));
	CU_ASSERT_PTR_NULL(ga_host_find_node(&host, 2));

	/* A short distance row is corrupt, not silently padded. */
	test_write_file(root, "devices/system/node/node1/distance", "80\n");
	free(host.nodes[0].cpulist);
	free(host.nodes[0].distance);
	free(host.nodes[1].cpulist);
	free(host.nodes[1].distance);
	free(host.nodes);
	memset(&host, 0, sizeof(host));
	CU_ASSERT_EQUAL(ga_host_read_numa(ctx, &host), -GA_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "distance row of NUMA node 1"));
	for (size_t i = 0; i < host.nnodes; i++) {
		free(host.nodes[i].cpulist);
		free(host.nodes[i].distance);
	}
	free(host.nodes);
	ga_ctx_free(ctx);
	test_tmpdir_remove(root);
}

static const struct test_case cases[] = {
	{ "cpu lists", test_cpulist },
	{ "NUMA view", test_numa_view },
	{ NULL, NULL },
};

TEST_MAIN("ga-host", cases)
