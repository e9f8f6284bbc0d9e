// SPDX-License-Identifier: LGPL-2.1-or-later
/* `gpu-assign plan --json`: the plan and the target it was resolved for, as one object. */
#include <stdio.h>

#include "json.h"
#include "plan-print.h"

static void json_version(struct json *j, const char *key, unsigned long v)
{
	char buf[32];

	json_key(j, key);
	if (v)
		json_string(j, ga_version_format(v, buf, sizeof(buf)));
	else
		json_null(j);
}

static void json_target(struct json *j, const struct ga_prepared *p)
{
	json_key(j, "target");
	json_begin_object(j);
	json_version(j, "libvirt_version", p->target.libvirt_version);
	json_version(j, "qemu_version", p->target.qemu_version);
	json_kv_string(j, "uri", p->target.uri);
	json_kv_string(j, "gi_form", ga_gi_form_to_string(p->caps.form));
	json_kv_bool(j, "driver_model", p->caps.driver_model);
	json_end_object(j);
}

static void json_cells(struct json *j, const struct ga_plan *plan)
{
	json_key(j, "cells");
	json_begin_array(j);
	for (size_t i = 0; i < plan->ncells; i++) {
		const struct ga_plan_cell *c = &plan->cells[i];

		json_begin_object(j);
		json_kv_uint(j, "id", c->id);
		json_kv_int(j, "host_node", c->host_node);
		json_key(j, "vcpu_ids");
		json_begin_array(j);
		for (unsigned v = 0; v < c->nvcpus; v++)
			json_uint(j, c->vcpu_ids ? c->vcpu_ids[v] : c->first_vcpu + v);
		json_end_array(j);
		json_kv_uint(j, "memory_kib", c->memory_kib);
		json_kv_string(j, "host_cpus", c->host_cpus);
		json_end_object(j);
	}
	json_end_array(j);
}

/* What the host's _DSD says of the GPU, or null. */
static void json_acpi(struct json *j, const struct ga_plan_gpu *g)
{
	json_key(j, "acpi");
	if (!g->acpi_known) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_string(j, "table", g->acpi_table);
	if (g->mem_size) {
		json_kv_uint(j, "gpu_mem_base", g->mem_base);
		json_kv_uint(j, "gpu_mem_size", g->mem_size);
	}
	if (g->has_pxm_start)
		json_kv_uint(j, "gpu_mem_pxm_start", g->pxm_start);
	if (g->has_pxm)
		json_kv_uint(j, "gpu_mem_pxm_count", g->pxm_count);
	json_end_object(j);
}

/* Where the domain XML puts the GPU: its bus (QEMU's id of it), slot, and guest NUMA node. */
static void json_guest(struct json *j, const struct ga_domxml_place *pl)
{
	char bus[16];

	json_key(j, "guest");
	if (!pl) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	if (pl->bus)
		snprintf(bus, sizeof(bus), "pci.%u", pl->bus);
	else
		snprintf(bus, sizeof(bus), "pcie.0");
	json_kv_string(j, "bus", bus);
	json_kv_uint(j, "slot", pl->slot);
	json_key(j, "numa_node");
	if (pl->expander)
		json_uint(j, pl->node);
	else
		json_null(j);
	json_key(j, "expander");
	if (pl->expander) {
		json_begin_object(j);
		json_kv_uint(j, "index", pl->pxb_index);
		json_kv_uint(j, "bus_nr", pl->pxb_bus_nr);
		json_kv_uint(j, "slot", pl->pxb_slot);
		json_kv_uint(j, "root_port", pl->bus);
		json_end_object(j);
	} else {
		json_null(j);
	}
	json_end_object(j);
}

static void json_gpu(struct json *j, const struct ga_plan_gpu *g, const struct ga_domxml_place *pl)
{
	char peer[GA_PCI_ADDR_STRLEN];

	json_begin_object(j);
	json_kv_string(j, "address", g->name);
	json_kv_string(j, "model", g->model->name);
	json_kv_string(j, "alias", g->alias);
	json_kv_string(j, "driver", g->driver[0] ? g->driver : NULL);
	json_kv_int(j, "host_node", g->host_node);
	json_kv_uint(j, "cell", g->cell);
	json_kv_string(j, "cell_tie", ga_plan_tie_to_string(g->tie));
	json_kv_uint(j, "gi_nodes", g->ngi);
	json_key(j, "gi_node_ids");
	json_begin_array(j);
	for (unsigned k = 0; k < g->ngi; k++)
		json_uint(j, g->first_gi + k);
	json_end_array(j);
	json_kv_string(j, "gi_source", ga_gi_source_to_string(g->gi_source));
	json_guest(j, pl);
	json_acpi(j, g);
	json_key(j, "host_memory_nodes");
	if (g->host_mem_nodes) {
		json_begin_array(j);
		for (unsigned k = 0; k < g->nhost_mem_nodes; k++)
			json_int(j, g->host_mem_nodes[k]);
		json_end_array(j);
	} else {
		json_null(j);
	}
	json_kv_uint(j, "bar_bytes", g->bar_bytes);
	json_kv_int(j, "iommu_group", g->iommu_group);
	json_key(j, "iommu_group_peers");
	json_begin_array(j);
	for (unsigned k = 0; k < g->npeers; k++)
		json_string(j, ga_pci_addr_format(&g->peers[k], peer));
	json_end_array(j);
	json_end_object(j);
}

static void json_distances(struct json *j, const struct ga_plan *plan)
{
	json_key(j, "distances");
	json_begin_object(j);
	json_kv_string(j, "source", ga_dist_source_to_string(plan->dist_source));
	json_key(j, "matrix");
	json_begin_array(j);
	for (unsigned a = 0; a < plan->nnodes; a++) {
		json_begin_array(j);
		for (unsigned b = 0; b < plan->nnodes; b++)
			json_uint(j, ga_plan_distance(plan, a, b));
		json_end_array(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void json_mmio(struct json *j, const struct ga_plan *plan)
{
	char buf[64];

	json_key(j, "mmio");
	json_begin_object(j);
	json_kv_uint(j, "needed_bytes", plan->mmio_needed);
	json_kv_uint(j, "default_bytes", plan->arch == GA_ARCH_AARCH64 ? GA_PLAN_VIRT_DEFAULT_MMIO : 0);
	json_key(j, "window_bytes");
	if (plan->mmio_window)
		json_uint(j, plan->mmio_window);
	else
		json_null(j);
	json_key(j, "highmem_mmio_size");
	if (plan->mmio_window && plan->arch == GA_ARCH_AARCH64)
		json_string(j, ga_size_format_qemu(plan->mmio_window, buf, sizeof(buf)));
	else
		json_null(j);
	json_end_object(j);
}

void plan_print_json(const struct ga_prepared *p, const struct ga_domxml_place *places)
{
	const struct ga_plan *plan = p->plan;
	struct json j;

	json_begin_document(&j, stdout);
	json_kv_string(&j, "arch", ga_arch_to_string(plan->arch));
	json_kv_string(&j, "machine", ga_arch_machine(plan->arch));
	json_kv_uint(&j, "vcpus", plan->vcpus);
	json_kv_uint(&j, "memory_kib", plan->memory_kib);
	json_kv_bool(&j, "pin", plan->pin);
	json_target(&j, p);
	json_cells(&j, plan);
	json_key(&j, "gpus");
	json_begin_array(&j);
	for (size_t i = 0; i < plan->ngpus; i++)
		json_gpu(&j, &plan->gpus[i], places ? &places[i] : NULL);
	json_end_array(&j);
	json_kv_uint(&j, "gi_nodes", plan->nnodes - (unsigned)plan->ncells);
	json_key(&j, "gi_node_ids");
	json_begin_array(&j);
	for (unsigned id = (unsigned)plan->ncells; id < plan->nnodes; id++)
		json_uint(&j, id);
	json_end_array(&j);
	json_kv_uint(&j, "nodes", plan->nnodes);
	json_distances(&j, plan);
	json_mmio(&j, plan);
	json_end_object(&j);
	json_end(&j);
}
