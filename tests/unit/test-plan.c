// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-plan: cells, GI nodes, host memory nodes, distances, MMIO, refusals. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "plan-fixture.h"

#define GiB_KIB (1ULL << 20)

static void test_quad_all(void)
{
	struct fixture_spec spec = { .sockets = 4, .gpus_per_socket = 1 };
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, NULL, 0, 64, 128 * GiB_KIB, &plan), 0);
	CU_ASSERT_EQUAL(plan->ncells, 4);
	CU_ASSERT_EQUAL(plan->ngpus, 4);
	CU_ASSERT_EQUAL(plan->nnodes, 36);
	CU_ASSERT_EQUAL(plan->arch, GA_ARCH_AARCH64);
	for (size_t i = 0; i < 4; i++) {
		const struct ga_plan_gpu *g = &plan->gpus[i];

		CU_ASSERT_EQUAL(plan->cells[i].host_node, (int)i);
		CU_ASSERT_EQUAL(plan->cells[i].nvcpus, 16);
		CU_ASSERT_EQUAL(plan->cells[i].first_vcpu, 16 * i);
		CU_ASSERT_EQUAL(plan->cells[i].memory_kib, 32 * GiB_KIB);
		CU_ASSERT_EQUAL(g->ngi, 8);
		CU_ASSERT_EQUAL(g->gi_source, GA_GI_SOURCE_CATALOG);
		CU_ASSERT_EQUAL(g->first_gi, 4 + 8 * i);
		CU_ASSERT_EQUAL(g->cell, i);
		CU_ASSERT_EQUAL(g->host_node, (int)i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(g->host_mem_nodes);
		CU_ASSERT_EQUAL(g->nhost_mem_nodes, 8);
		CU_ASSERT_EQUAL(g->host_mem_nodes[0], (int)(4 + 8 * i));
		CU_ASSERT_EQUAL(g->host_mem_nodes[7], (int)(11 + 8 * i));
		CU_ASSERT_STRING_EQUAL(g->driver, "nvgrace_gpu_vfio_pci");
		/* BARs 16M + 128G + 32M, all powers of two already */
		CU_ASSERT_EQUAL(g->bar_bytes, (128ULL << 30) + (48ULL << 20));
	}
	CU_ASSERT_STRING_EQUAL(plan->gpus[0].alias, "ua-gpu-0008-01-00-0");
	CU_ASSERT_EQUAL(plan->dist_source, GA_DIST_SOURCE_HOST);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 0), 10);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 1), 40);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 4), 80);   /* cell 0 to its own GPU */
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 12), 120); /* to socket 1's GPU */
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 12, 1), 80);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 4, 5), 255);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 35, 35), 10);
	/* 4 x 128.05 GiB + 1 GiB > 512 GiB: the next power of two */
	CU_ASSERT_EQUAL(plan->mmio_needed, 4 * ((128ULL << 30) + (48ULL << 20)) + (1ULL << 30));
	CU_ASSERT_EQUAL(plan->mmio_window, 1ULL << 40);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_one_gpu(void)
{
	struct fixture_spec spec = { .sockets = 4, .gpus_per_socket = 1 };
	struct ga_pci_addr gpu = fixture_gpu_addr(2, 0);
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, &gpu, 1, 8, 16 * GiB_KIB, &plan), 0);
	CU_ASSERT_EQUAL(plan->ncells, 1);
	CU_ASSERT_EQUAL(plan->cells[0].host_node, 2);
	CU_ASSERT_STRING_EQUAL(plan->cells[0].host_cpus, "144-215");
	CU_ASSERT_EQUAL(plan->nnodes, 9);
	CU_ASSERT_EQUAL(plan->gpus[0].first_gi, 1);
	CU_ASSERT_EQUAL(plan->gpus[0].host_mem_nodes[0], 20);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 1), 80);
	CU_ASSERT_EQUAL(plan->mmio_window, 0); /* fits the 512 GiB default */
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_two_per_socket(void)
{
	/* GB200 tray: two GPUs per Grace; blocks go to GPUs in address order */
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 2, .device = 0x2941, .bar2 = 256ULL << 30 };
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, NULL, 0, 8, 16 * GiB_KIB, &plan), 0);
	CU_ASSERT_EQUAL(plan->ncells, 2);
	CU_ASSERT_EQUAL(plan->nnodes, 34);
	CU_ASSERT_EQUAL(plan->gpus[0].host_mem_nodes[0], 2);
	CU_ASSERT_EQUAL(plan->gpus[1].host_mem_nodes[0], 10);
	CU_ASSERT_EQUAL(plan->gpus[2].host_mem_nodes[0], 18);
	CU_ASSERT_EQUAL(plan->gpus[3].host_mem_nodes[0], 26);
	CU_ASSERT_EQUAL(plan->gpus[1].cell, 0);
	CU_ASSERT_EQUAL(plan->gpus[2].cell, 1);
	CU_ASSERT_STRING_EQUAL(plan->gpus[0].model->name, "GB200");
	CU_ASSERT_EQUAL(plan->mmio_window, 2ULL << 40);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_gi_override_and_split(void)
{
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 1 };
	struct ga_plan_request req = { .all_gpus = true, .vcpus = 7, .memory_kib = 3 * 1024 + 1024, .gi_nodes = 4 };
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_EQUAL(plan->gpus[0].ngi, 4);
	CU_ASSERT_EQUAL(plan->gpus[0].gi_source, GA_GI_SOURCE_OPTION);
	CU_ASSERT_EQUAL(plan->gpus[1].first_gi, 6);
	CU_ASSERT_EQUAL(plan->nnodes, 10);
	/* 7 vCPUs over 2 cells: 4 + 3; 4 MiB: 2 + 2 */
	CU_ASSERT_EQUAL(plan->cells[0].nvcpus, 4);
	CU_ASSERT_EQUAL(plan->cells[1].nvcpus, 3);
	CU_ASSERT_EQUAL(plan->cells[1].first_vcpu, 4);
	CU_ASSERT_EQUAL(plan->cells[0].memory_kib, 2048);
	CU_ASSERT_EQUAL(plan->cells[1].memory_kib, 2048);
	/* the host's block is still 8: GI node m stands for host node m of it */
	CU_ASSERT_EQUAL(plan->gpus[1].nhost_mem_nodes, 8);
	CU_ASSERT_EQUAL(plan->dist_source, GA_DIST_SOURCE_HOST);
	ga_plan_free(plan);

	req.memory_kib = 3 * 1024;
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_EQUAL(plan->cells[0].memory_kib, 2048);
	CU_ASSERT_EQUAL(plan->cells[1].memory_kib, 1024);
	ga_plan_free(plan);

	/* a size libvirt gives in KiB: whole MiB split, the rest to the first cell, exactly the total */
	req.memory_kib = 219100;
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_EQUAL(plan->cells[0].memory_kib, 107 * 1024 + 988);
	CU_ASSERT_EQUAL(plan->cells[1].memory_kib, 106 * 1024);
	CU_ASSERT_EQUAL(plan->cells[0].memory_kib + plan->cells[1].memory_kib, 219100);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_model_distances(void)
{
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 1, .no_distances = true };
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, NULL, 0, 4, 8 * GiB_KIB, &plan), 0);
	CU_ASSERT_PTR_NULL(plan->gpus[0].host_mem_nodes);
	CU_ASSERT_EQUAL(plan->dist_source, GA_DIST_SOURCE_MODEL);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 1), GA_DIST_CPU_CPU);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 2), GA_DIST_CPU_GI_LOCAL);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 0, 10), GA_DIST_CPU_GI_REMOTE);
	CU_ASSERT_EQUAL(ga_plan_distance(plan, 2, 3), GA_DIST_GI_GI);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_mem_nodes_uneven(void)
{
	/* 7 CPU-less nodes for one GPU would be fine; 9 for 2 GPUs is not */
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1, .block = 9 };
	struct fixture f;
	int *nodes = NULL;
	unsigned n = 0;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL(ga_plan_gpu_mem_nodes(f.ctx, f.host, &f.host->devs[0], &nodes, &n), 0);
	CU_ASSERT_EQUAL(n, 9);
	free(nodes);
	/* a second coherent GPU on the host: 9 nodes do not split over 2 */
	fixture_add_dev(&f, (struct ga_pci_addr){ .domain = 0x30, .bus = 1 }, 0x10de, 0x2342, 0x030200, 0, 300,
			128ULL << 30);
	CU_ASSERT_EQUAL(ga_plan_gpu_mem_nodes(f.ctx, f.host, &f.host->devs[0], &nodes, &n), -ENOENT);
	CU_ASSERT_PTR_NULL(nodes);
	fixture_fini(&f);
}

/* Each impossible request: the exact code and message. */
static void test_refusals(void)
{
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 1, .extra_devices = true };
	struct ga_pci_addr g0 = fixture_gpu_addr(0, 0), g1 = fixture_gpu_addr(1, 0);
	struct ga_pci_addr h100 = { .domain = 0, .bus = 0xc1 }, nic = { .domain = 0, .bus = 0x01 };
	struct ga_pci_addr missing = { .domain = 0x77, .bus = 1 };
	struct ga_pci_addr twice[] = { g0, g0 }, both[] = { g0, g1 };
	static const struct {
		const char *name;
		int which; /* 0: g0, 1: twice, 2: h100, 3: nic, 4: missing, 5: both */
		unsigned vcpus;
		uint64_t mem_kib;
		unsigned gi;
		bool pin;
		int code;
		const char *msg;
	} cases[] = {
		{ "too many vCPUs", 0, 145, 1024, 0, false, -EINVAL,
		  "cannot give the guest 145 vCPUs: the host has 144 CPUs (ask for at most 144)" },
		{ "fewer vCPUs than cells", 5, 1, 2048, 0, false, -EINVAL,
		  "cannot spread 1 vCPUs over 2 guest NUMA cells (one per Grace socket of the chosen GPUs): ask for at least 2" },
		{ "memory above the node", 0, 4, 121 * GiB_KIB, 0, false, -EINVAL,
		  "cannot give guest NUMA cell 0 123904 MiB: its host node 0 has only 122880 MiB (ask for at most 122880 MiB in all)" },
		{ "memory below one MiB per cell", 5, 4, 1024, 0, false, -EINVAL,
		  "cannot spread 1 MiB over 2 guest NUMA cells: give at least 2 MiB" },
		{ "no memory", 0, 4, 0, 0, false, -EINVAL, "no guest memory size given (give e.g. --memory 64G)" },
		{ "GPU twice", 1, 4, 1024, 0, false, -EINVAL, "GPU '0008:01:00.0' is given twice (give each GPU once)" },
		{ "discrete GPU", 2, 4, 1024, 0, false, -GA_E_NOT_GPU,
		  "GPU '0000:c1:00.0' (H100 PCIe) is not a Grace GPU: gpu-assign plans coherent GH200/GB200 GPUs only (assign a discrete GPU with a plain <hostdev>)" },
		{ "not NVIDIA", 3, 4, 1024, 0, false, -GA_E_NOT_GPU,
		  "'0000:01:00.0' is not an NVIDIA GPU: not an NVIDIA device (vendor 0x15b3) (pick one from 'gpu-assign list')" },
		{ "no such device", 4, 4, 1024, 0, false, -ENODEV,
		  "PCI device '0077:01:00.0' does not exist on this host (see 'gpu-assign list --all' for the devices present)" },
		{ "pin more vCPUs than the node", 0, 73, 1024, 0, true, -EINVAL,
		  "cannot pin 73 vCPUs of guest NUMA cell 0 to host node 0: it has 72 CPUs" },
		{ "too many GI nodes", 5, 4, 4096, 100, false, -EINVAL,
		  "the plan needs more than 128 guest NUMA nodes (2 cells + 100 GI nodes per GPU x 2 GPUs), QEMU's limit: assign fewer GPUs or lower --gi-nodes" },
		{ "GI count above the limit", 0, 4, 1024, 128, false, -EINVAL, "invalid GI node count 128: at most 127 per GPU" },
		{ "zero vCPUs", 0, 0, 1024, 0, false, -EINVAL,
		  "invalid vCPU count 0: give at least one vCPU per guest NUMA cell (1)" },
	};
	struct fixture f;

	fixture_init(&f, &spec);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		const struct ga_pci_addr *gpus[] = { &g0, twice, &h100, &nic, &missing, both };
		size_t ns[] = { 1, 2, 1, 1, 1, 2 };
		struct ga_plan_request req = {
			.gpus = gpus[cases[i].which], .ngpus = ns[cases[i].which], .vcpus = cases[i].vcpus,
			.memory_kib = cases[i].mem_kib, .gi_nodes = cases[i].gi, .pin = cases[i].pin,
		};
		struct ga_plan *plan = NULL;
		int r = ga_plan_build(f.ctx, f.host, &req, &plan);

		if (r != cases[i].code || strcmp(ga_last_error(f.ctx)->message, cases[i].msg))
			fprintf(stderr, "case '%s': got %d '%s'\n", cases[i].name, r, ga_last_error(f.ctx)->message);
		CU_ASSERT_EQUAL(r, cases[i].code);
		CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message, cases[i].msg);
		CU_ASSERT_PTR_NULL(plan);
	}
	fixture_fini(&f);
}

static void test_no_grace_for_all(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 0, .extra_devices = true };
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL(fixture_plan(&f, NULL, 0, 4, GiB_KIB, &plan), -ENODEV);
	CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message,
			       "no assignable Grace GPU on this host for '--gpu all' (see 'gpu-assign list' for why)");
	fixture_fini(&f);
}

static void test_size_parse(void)
{
	static const struct {
		const char *in;
		uint64_t kib; /* 0: refused */
	} cases[] = {
		{ "64G", 64 << 20 }, { "64GiB", 64 << 20 }, { "64g", 64 << 20 }, { "65536", 64 << 20 },
		{ "512M", 512 << 10 }, { "512MiB", 512 << 10 }, { "1T", 1ULL << 30 }, { "2TiB", 2ULL << 30 },
		{ "1024K", 1024 }, { "1048576B", 1024 }, { "0", 0 }, { "0G", 0 }, { "-1G", 0 }, { "1.5G", 0 },
		{ "G", 0 }, { "64X", 0 }, { "", 0 }, { "64 G", 0 }, { "1000B", 0 },
		{ "99999999999999999999", 0 }, { "20000000T", 0 }, { "64GB", 0 },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		uint64_t kib = 0;
		int r = ga_size_parse(ctx, cases[i].in, &kib);

		if (cases[i].kib) {
			CU_ASSERT_EQUAL(r, 0);
			CU_ASSERT_EQUAL(kib, cases[i].kib);
		} else {
			CU_ASSERT_EQUAL(r, -GA_E_PARSE);
			if (r == 0)
				fprintf(stderr, "'%s' accepted as %llu KiB\n", cases[i].in, (unsigned long long)kib);
		}
	}
	CU_ASSERT_EQUAL(ga_size_parse(ctx, "12Q", &(uint64_t){ 0 }), -GA_E_PARSE);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
			       "invalid memory size '12Q': expected a number with an optional unit K, M, G or T (binary; a bare number means MiB), e.g. '64G'");
	ga_ctx_free(ctx);
}

static void test_idlist(void)
{
	unsigned a[] = { 1, 2, 3, 5, 7, 8 }, b[] = { 4 };
	char buf[64];

	CU_ASSERT_STRING_EQUAL(ga_idlist_format(a, 6, buf, sizeof(buf)), "1-3,5,7-8");
	CU_ASSERT_STRING_EQUAL(ga_idlist_format(b, 1, buf, sizeof(buf)), "4");
	CU_ASSERT_STRING_EQUAL(ga_idlist_format(b, 0, buf, sizeof(buf)), "");
	CU_ASSERT_EQUAL(ga_arch_from_string("aarch64"), GA_ARCH_AARCH64);
	CU_ASSERT_EQUAL(ga_arch_from_string("ppc64"), -1);
}

/* Put a table from tests/hosts/acpi/ in the fixture as its DSDT. */
static void put_dsdt(struct fixture *f, const char *aml)
{
	char *src = test_srcpath(aml), cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/firmware/acpi/tables' && cp '%s' '%s/firmware/acpi/tables/DSDT'",
		 f->root, src, f->root);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	free(src);
}

/* The host's _DSD gives the GI count when it can; the catalogue otherwise. */
static void test_gi_count_from_acpi(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct ga_pci_addr gpu = fixture_gpu_addr(0, 0);
	char name[GA_PCI_ADDR_STRLEN], rel[256];
	struct ga_plan *plan = NULL;
	struct fixture f;

	fixture_init(&f, &spec);
	ga_pci_addr_format(&gpu, name);
	/* no tables at all: the catalogue */
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, &gpu, 1, 2, GiB_KIB, &plan), 0);
	CU_ASSERT_EQUAL(plan->gpus[0].ngi, 8);
	CU_ASSERT_EQUAL(plan->gpus[0].gi_source, GA_GI_SOURCE_CATALOG);
	CU_ASSERT_FALSE(plan->gpus[0].acpi_known);
	ga_plan_free(plan);

	/* firmware that gives this GPU 4 proximity domains */
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/firmware_node/path", name);
	test_write_file(f.root, rel, "\\_SB_.PCI9.RP00.GPU0\n");
	put_dsdt(&f, "hosts/acpi/test-pxm4.aml");
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, &gpu, 1, 2, GiB_KIB, &plan), 0);
	CU_ASSERT_EQUAL(plan->gpus[0].ngi, 4);
	CU_ASSERT_EQUAL(plan->gpus[0].gi_source, GA_GI_SOURCE_ACPI);
	CU_ASSERT_STRING_EQUAL(ga_gi_source_to_string(plan->gpus[0].gi_source), "acpi");
	CU_ASSERT_TRUE(plan->gpus[0].acpi_known);
	CU_ASSERT_STRING_EQUAL(plan->gpus[0].acpi_table, "DSDT");
	CU_ASSERT_EQUAL(plan->gpus[0].mem_base, 0x400000000000ULL);
	CU_ASSERT_EQUAL(plan->gpus[0].mem_size, 0x17C0000000ULL);
	CU_ASSERT_EQUAL(plan->gpus[0].pxm_start, 1);
	CU_ASSERT_EQUAL(plan->nnodes, 1 + 4);
	ga_plan_free(plan);

	/* --gi-nodes still wins */
	{
		struct ga_plan_request req = { .gpus = &gpu, .ngpus = 1, .vcpus = 2, .memory_kib = GiB_KIB, .gi_nodes = 2 };

		CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
		CU_ASSERT_EQUAL(plan->gpus[0].ngi, 2);
		CU_ASSERT_EQUAL(plan->gpus[0].gi_source, GA_GI_SOURCE_OPTION);
		ga_plan_free(plan);
	}
	/* the hook's and nova-config's rule: configuration, firmware, catalogue */
	{
		struct ga_acpi_cache acpi = { 0 };
		struct ga_gi_query q = { .pci_name = name, .catalogue = 8, .given = 3, .given_by = GA_GI_SOURCE_CONFIG };
		unsigned n = 0;

		CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &acpi, &q, &n, NULL), GA_GI_SOURCE_CONFIG);
		CU_ASSERT_EQUAL(n, 3);
		q.given = 0;
		CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &acpi, &q, &n, NULL), GA_GI_SOURCE_ACPI);
		CU_ASSERT_EQUAL(n, 4);
		q.pci_name = "0000:77:00.0";
		CU_ASSERT_EQUAL(ga_gi_count(f.ctx, &acpi, &q, &n, NULL), GA_GI_SOURCE_CATALOG);
		CU_ASSERT_EQUAL(n, 8);
		CU_ASSERT_EQUAL(ga_last_error(f.ctx)->code, 0);
		ga_acpi_cache_clear(&acpi);
	}

	/* a count no plan can use: the catalogue's */
	put_dsdt(&f, "hosts/acpi/test-pxm0.aml");
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, &gpu, 1, 2, GiB_KIB, &plan), 0);
	CU_ASSERT_EQUAL(plan->gpus[0].ngi, 8);
	CU_ASSERT_EQUAL(plan->gpus[0].gi_source, GA_GI_SOURCE_CATALOG);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static const struct test_case cases[] = {
	{ "quad GH200, all GPUs: 32 GI nodes", test_quad_all },
	{ "one GPU: 8 GI nodes on its socket", test_one_gpu },
	{ "two GPUs per socket (GB200 tray)", test_two_per_socket },
	{ "--gi-nodes and uneven splits", test_gi_override_and_split },
	{ "no host distances: the model", test_model_distances },
	{ "host memory nodes need an even split", test_mem_nodes_uneven },
	{ "impossible requests are refused", test_refusals },
	{ "--gpu all without Grace GPUs", test_no_grace_for_all },
	{ "memory sizes", test_size_parse },
	{ "id lists and arch names", test_idlist },
	{ "GI count from the host's ACPI _DSD", test_gi_count_from_acpi },
	{ NULL, NULL }
};

TEST_MAIN("ga-plan", cases)
