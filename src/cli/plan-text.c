// SPDX-License-Identifier: LGPL-2.1-or-later
/* `gpu-assign plan` as text: the guest, the target, cells, GPUs, distances, MMIO. */
#include <stdio.h>

#include "ga-units.h"
#include "plan-print.h"
#include "table.h"

static void gi_ids(const struct ga_plan_gpu *g, char *buf, size_t size)
{
	unsigned ids[GA_PLAN_MAX_NODES];

	for (unsigned i = 0; i < g->ngi; i++)
		ids[i] = g->first_gi + i;
	ga_idlist_format(ids, g->ngi, buf, size);
}

static void host_mem_ids(const struct ga_plan_gpu *g, char *buf, size_t size)
{
	unsigned ids[GA_PLAN_MAX_NODES * 4];
	unsigned n = g->nhost_mem_nodes < GA_ARRAY_SIZE(ids) ? g->nhost_mem_nodes : (unsigned)GA_ARRAY_SIZE(ids);

	if (!g->host_mem_nodes) {
		snprintf(buf, size, "unknown");
		return;
	}
	for (unsigned i = 0; i < n; i++)
		ids[i] = (unsigned)g->host_mem_nodes[i];
	ga_idlist_format(ids, n, buf, size);
}

/* The guest cells, columns fitted to their contents. */
static void print_cells(const struct ga_plan *plan)
{
	const char *const header[] = { "CELL", "HOST-NODE", "VCPUS", "MEMORY",
				       plan->pin ? "PINNED-TO-HOST-CPUS" : "HOST-CPUS", NULL };
	struct table t;

	if (table_init(&t, header) < 0)
		return;
	for (size_t i = 0; i < plan->ncells; i++) {
		const struct ga_plan_cell *c = &plan->cells[i];
		char id[16], node[16], v[32], mem[64];
		const char *row[] = { id, node, v, mem, c->host_cpus };

		snprintf(id, sizeof(id), "%u", c->id);
		snprintf(node, sizeof(node), "%d", c->host_node);
		if (c->vcpu_list)
			snprintf(v, sizeof(v), "%s", c->vcpu_list);
		else if (c->nvcpus == 1)
			snprintf(v, sizeof(v), "%u", c->first_vcpu);
		else
			snprintf(v, sizeof(v), "%u-%u", c->first_vcpu, c->first_vcpu + c->nvcpus - 1);
		ga_size_format_human(c->memory_kib * 1024, mem, sizeof(mem));
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static void print_gpus(const struct ga_plan *plan)
{
	static const char *const header[] = { "GPU", "MODEL", "ALIAS", "CELL", "GI-NODES", "GI-COUNT",
					      "HOST-MEM-NODES", "64-BIT-BARS", NULL };
	struct table t;

	if (table_init(&t, header) < 0)
		return;
	for (size_t i = 0; i < plan->ngpus; i++) {
		const struct ga_plan_gpu *g = &plan->gpus[i];
		char gi[64], hm[64], count[64], cell[16], bars[64];
		const char *row[] = { g->name, g->model->name, g->alias, cell, gi, count, hm, bars };

		gi_ids(g, gi, sizeof(gi));
		host_mem_ids(g, hm, sizeof(hm));
		snprintf(count, sizeof(count), "%u (%s)", g->ngi, ga_gi_source_to_string(g->gi_source));
		snprintf(cell, sizeof(cell), "%u", g->cell);
		ga_size_format_human(g->bar_bytes, bars, sizeof(bars));
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

void plan_print_text(const struct ga_prepared *p)
{
	const struct ga_plan *plan = p->plan;
	char b1[64], b2[64], b3[512];

	printf("Guest: %u vCPU%s, %s RAM, %s '%s', %zu GPU%s, %u NUMA nodes (%zu CPU cell%s + %u GI nodes)\n",
	       plan->vcpus, plan->vcpus == 1 ? "" : "s", ga_size_format_human(plan->memory_kib * 1024, b1, sizeof(b1)),
	       ga_arch_to_string(plan->arch), ga_arch_machine(plan->arch), plan->ngpus,
	       plan->ngpus == 1 ? "" : "s", plan->nnodes, plan->ncells, plan->ncells == 1 ? "" : "s",
	       plan->nnodes - (unsigned)plan->ncells);
	printf("Target: libvirt %s, QEMU %s: GI nodes in the %s form, <driver model> %s%s\n",
	       ga_version_format(p->target.libvirt_version, b1, sizeof(b1)),
	       ga_version_format(p->target.qemu_version, b2, sizeof(b2)), ga_gi_form_to_string(p->caps.form),
	       p->caps.driver_model ? "yes" : "no",
	       p->caps.unmanaged ? ", managed='no' (the variant driver is bound before the start)" : "");
	printf("\n");
	print_cells(plan);
	printf("\n");
	print_gpus(plan);
	printf("\nDistances (%s):\n     ", ga_dist_source_to_string(plan->dist_source));
	for (unsigned j = 0; j < plan->nnodes; j++)
		printf(" %3u", j);
	printf("\n");
	for (unsigned i = 0; i < plan->nnodes; i++) {
		printf("  %3u", i);
		for (unsigned j = 0; j < plan->nnodes; j++)
			printf(" %3u", ga_plan_distance(plan, i, j));
		printf("\n");
	}
	printf("\nMMIO: 64-bit BARs %s + reserve %s = %s; ", ga_size_format_human(plan->mmio_needed - GA_PLAN_MMIO_RESERVE, b1, sizeof(b1)),
	       ga_size_format_human(GA_PLAN_MMIO_RESERVE, b2, sizeof(b2)), ga_size_format_human(plan->mmio_needed, b3, sizeof(b3)));
	if (plan->arch == GA_ARCH_AARCH64) {
		if (plan->mmio_window)
			printf("above the 512 GiB default: highmem-mmio-size=%s\n",
			       ga_size_format_qemu(plan->mmio_window, b1, sizeof(b1)));
		else
			printf("the 512 GiB default is enough\n");
	} else {
		printf("pcihole64 %s\n", ga_size_format_human(plan->mmio_window, b1, sizeof(b1)));
	}
}
