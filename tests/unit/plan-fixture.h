/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * In-memory Grace hosts for the planner and XML tests: `sockets` CPU nodes
 * (72 CPUs, 120 GiB each), then for every GPU a block of `block` CPU-less
 * nodes, distances like a GH200 host (10/40/80/120/255) unless told not to,
 * and a small sysfs tree holding the GPUs' IOMMU groups (ga_gpu_require
 * reads them). Built directly, so no libudev or umockdev is needed.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-host.h"
#include "ga-plan.h"
#include "test-common.h"

struct fixture {
	char *root;
	struct ga_ctx *ctx;
	struct ga_host *host;
};

struct fixture_spec {
	unsigned sockets;
	unsigned gpus_per_socket;
	unsigned block;         /* CPU-less nodes per GPU; 0: 8 */
	bool no_distances;
	bool extra_devices;     /* an H100 PCIe and a NIC besides the GPUs */
	uint16_t device;        /* GPU device id; 0: 0x2342 (GH200) */
	uint64_t bar2;          /* 0: 128 GiB */
};

static inline struct ga_pci_addr fixture_gpu_addr(unsigned socket, unsigned j)
{
	struct ga_pci_addr a = { .domain = (uint16_t)(0x10 * socket + 0x8 + j), .bus = 1, .slot = 0, .func = 0 };

	return a;
}

static inline void fixture_add_dev(struct fixture *f, struct ga_pci_addr addr, uint16_t vendor, uint16_t device,
				   uint32_t class, int node, int group, uint64_t bar2)
{
	struct ga_pci_dev *d = &f->host->devs[f->host->ndevs++];
	char rel[256];

	memset(d, 0, sizeof(*d));
	d->addr = addr;
	ga_pci_addr_format(&addr, d->name);
	d->vendor = vendor;
	d->device = device;
	d->class = class;
	d->numa_node = node;
	d->iommu_group = group;
	d->acpi_path = strdup("\\_SB_.PCI0.GPU0");
	d->bars[0] = (struct ga_pci_bar){ .start = 0x1000000000ULL, .size = 16ULL << 20, .is_64bit = true, .prefetchable = true };
	d->bars[2] = (struct ga_pci_bar){ .start = 0x2000000000ULL, .size = bar2, .is_64bit = true, .prefetchable = true };
	d->bars[4] = (struct ga_pci_bar){ .start = 0x3000000000ULL, .size = 32ULL << 20, .is_64bit = true, .prefetchable = true };
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", group, d->name);
	test_write_file(f->root, rel, "");
}

static int fixture_cmp_dev(const void *a, const void *b)
{
	return ga_pci_addr_cmp(&((const struct ga_pci_dev *)a)->addr, &((const struct ga_pci_dev *)b)->addr);
}

static inline void fixture_init(struct fixture *f, const struct fixture_spec *spec)
{
	unsigned block = spec->block ? spec->block : 8;
	unsigned ngpus = spec->sockets * spec->gpus_per_socket;
	unsigned nnodes = spec->sockets + ngpus * block;
	unsigned id = 0;
	int group = 100;

	memset(f, 0, sizeof(*f));
	f->root = test_tmpdir_new();
	if (ga_ctx_new(&f->ctx) < 0 || ga_ctx_set_sysfs_root(f->ctx, f->root) < 0)
		abort();
	/* the kernel: no modules.alias, the in-tree Grace driver registered (never the build host's) */
	{
		char modules[4096];

		snprintf(modules, sizeof(modules), "%s/no-modules", f->root);
		if (ga_ctx_set(f->ctx, GA_SETTING_MODULES_DIR, modules) < 0)
			abort();
		test_write_file(f->root, "bus/pci/drivers/nvgrace_gpu_vfio_pci/bind", "");
	}
	f->host = calloc(1, sizeof(*f->host));
	f->host->nodes = calloc(nnodes, sizeof(*f->host->nodes));
	f->host->devs = calloc(ngpus + 4, sizeof(*f->host->devs));
	if (!f->host || !f->host->nodes || !f->host->devs)
		abort();
	/* CPU nodes, then each GPU's block (socket by socket, GPU by GPU) */
	for (unsigned s = 0; s < spec->sockets; s++, id++) {
		struct ga_numa_node *n = &f->host->nodes[id];
		char list[32];

		snprintf(list, sizeof(list), "%u-%u", s * 72, s * 72 + 71);
		n->id = (int)id;
		n->ncpus = 72;
		n->cpulist = strdup(list);
		n->mem_total_kib = 120ULL << 20;
		f->host->ncpus += 72;
	}
	for (unsigned g = 0; g < ngpus * block; g++, id++) {
		struct ga_numa_node *n = &f->host->nodes[id];

		n->id = (int)id;
		n->cpulist = strdup("");
		n->mem_total_kib = g % block == 0 ? 96ULL << 20 : 0;
	}
	f->host->nnodes = nnodes;
	if (!spec->no_distances) {
		for (unsigned i = 0; i < nnodes; i++) {
			int *row = calloc(nnodes, sizeof(int));

			if (!row)
				abort();
			for (unsigned j = 0; j < nnodes; j++) {
				bool ci = i < spec->sockets, cj = j < spec->sockets;
				unsigned si = ci ? i : (i - spec->sockets) / block / spec->gpus_per_socket;
				unsigned sj = cj ? j : (j - spec->sockets) / block / spec->gpus_per_socket;

				if (i == j)
					row[j] = 10;
				else if (ci && cj)
					row[j] = 40;
				else if (!ci && !cj)
					row[j] = 255;
				else
					row[j] = si == sj ? 80 : 120;
			}
			f->host->nodes[i].distance = row;
		}
	}
	for (unsigned s = 0; s < spec->sockets; s++)
		for (unsigned j = 0; j < spec->gpus_per_socket; j++)
			fixture_add_dev(f, fixture_gpu_addr(s, j), 0x10de, spec->device ? spec->device : 0x2342,
					0x030200, (int)s, group++, spec->bar2 ? spec->bar2 : 128ULL << 30);
	if (spec->extra_devices) {
		struct ga_pci_addr h100 = { .domain = 0, .bus = 0xc1 }, nic = { .domain = 0, .bus = 0x01 };

		fixture_add_dev(f, h100, 0x10de, 0x2331, 0x030200, 0, group++, 128ULL << 30);
		fixture_add_dev(f, nic, 0x15b3, 0x1021, 0x020000, 0, group++, 32ULL << 20);
	}
	qsort(f->host->devs, f->host->ndevs, sizeof(*f->host->devs), fixture_cmp_dev);
}

static inline void fixture_fini(struct fixture *f)
{
	ga_host_free(f->host);
	ga_ctx_free(f->ctx);
	test_tmpdir_remove(f->root);
	memset(f, 0, sizeof(*f));
}

/* Plan for the given GPUs (NULL, 0: all). */
static inline int fixture_plan(struct fixture *f, const struct ga_pci_addr *gpus, size_t n, unsigned vcpus,
			       uint64_t mem_kib, struct ga_plan **out)
{
	struct ga_plan_request req = {
		.gpus = gpus, .ngpus = n, .all_gpus = !n, .vcpus = vcpus, .memory_kib = mem_kib,
	};

	return ga_plan_build(f->ctx, f->host, &req, out);
}
