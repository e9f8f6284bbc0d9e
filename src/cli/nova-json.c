// SPDX-License-Identifier: LGPL-2.1-or-later
/* `gpu-assign nova-config --json`: the GPUs offered, the [pci] options and the flavors. */
#include <stdio.h>

#include "json.h"
#include "nova-print.h"

static void json_hex(struct json *j, const char *key, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%04x", v);
	json_kv_string(j, key, buf);
}

static void json_gpus(struct json *j, const struct ga_nova *nova)
{
	json_key(j, "gpus");
	json_begin_array(j);
	for (size_t i = 0; i < nova->ngpus; i++) {
		const struct ga_nova_gpu *g = &nova->gpus[i];

		json_begin_object(j);
		json_kv_string(j, "address", g->dev->name);
		json_hex(j, "vendor_id", g->dev->vendor);
		json_hex(j, "product_id", g->dev->device);
		json_kv_string(j, "model", g->model->name);
		json_key(j, "numa_node");
		if (g->dev->numa_node >= 0)
			json_int(j, g->dev->numa_node);
		else
			json_null(j);
		json_kv_string(j, "driver", g->dev->driver);
		json_kv_uint(j, "gi_nodes", g->gi_nodes);
		json_kv_string(j, "gi_source", ga_gi_source_to_string(g->gi_source));
		json_kv_bool(j, "with_iommu_group", g->group);
		json_kv_string(j, "alias", nova->aliases[g->alias].name);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "not_offered");
	json_begin_array(j);
	for (size_t i = 0; i < nova->nskipped; i++)
		json_string(j, nova->skipped[i]);
	json_end_array(j);
}

static void json_nova_conf(struct json *j, const struct ga_nova *nova)
{
	json_key(j, "nova_conf");
	json_begin_object(j);
	json_key(j, "pci");
	json_begin_object(j);
	json_key(j, "device_spec");
	json_begin_array(j);
	for (size_t i = 0; i < nova->ngpus; i++) {
		json_begin_object(j);
		json_hex(j, "vendor_id", nova->gpus[i].dev->vendor);
		json_hex(j, "product_id", nova->gpus[i].dev->device);
		json_kv_string(j, "address", nova->gpus[i].dev->name);
		json_kv_string(j, "managed", "no");
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "alias");
	json_begin_array(j);
	for (size_t a = 0; a < nova->naliases; a++) {
		json_begin_object(j);
		json_kv_string(j, "name", nova->aliases[a].name);
		json_kv_string(j, "vendor_id", "10de");
		json_hex(j, "product_id", nova->aliases[a].product);
		json_kv_string(j, "device_type", "type-PCI");
		json_kv_string(j, "numa_policy", NOVA_NUMA_POLICY);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	json_key(j, "filter_scheduler");
	json_begin_object(j);
	json_kv_string(j, "enabled_filters_add", "PciPassthroughFilter");
	json_end_object(j);
	json_end_object(j);
}

static void json_flavors(struct json *j, const struct ga_nova *nova)
{
	json_key(j, "flavors");
	json_begin_array(j);
	for (size_t a = 0; a < nova->naliases; a++) {
		const struct ga_nova_alias *al = &nova->aliases[a];

		for (unsigned c = 0; c < ga_nova_nflavors(al); c++) {
			struct ga_nova_flavor fl = ga_nova_flavor(al, c);
			char spec[96], nodes[16];

			snprintf(spec, sizeof(spec), "%.63s:%u", al->name, fl.gpus);
			snprintf(nodes, sizeof(nodes), "%u", fl.nodes);
			json_begin_object(j);
			json_kv_uint(j, "gpu_count", fl.gpus);
			json_key(j, "extra_specs");
			json_begin_object(j);
			json_kv_string(j, "pci_passthrough:alias", spec);
			json_kv_string(j, "hw:pci_numa_affinity_policy", NOVA_NUMA_POLICY);
			json_kv_string(j, "hw:numa_nodes", nodes);
			json_end_object(j);
			json_end_object(j);
		}
	}
	json_end_array(j);
}

void nova_print_json(const char *host, const struct ga_nova *nova)
{
	struct json j;

	json_begin_document(&j, stdout);
	json_kv_string(&j, "host", host);
	json_gpus(&j, nova);
	json_nova_conf(&j, nova);
	json_flavors(&j, nova);
	json_key(&j, "nova_lacks");
	json_begin_array(&j);
	json_string(&j, "generic-initiator NUMA nodes: memoryless guest NUMA cells and <acpi nodeset> in the GPU's <hostdev> (libvirt >= 11.8)");
	json_end_array(&j);
	json_end_object(&j);
	json_end(&j);
}
