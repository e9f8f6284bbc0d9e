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

static void json_nova_conf(struct json *j, const struct nova_out *o)
{
	const struct ga_nova *nova = o->nova;

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
		if (o->one_time_use)
			json_kv_bool(j, "one_time_use", true);
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
	if (o->one_time_use)
		json_kv_bool(j, "report_in_placement", true);
	json_end_object(j);
	json_key(j, "filter_scheduler");
	json_begin_object(j);
	json_key(j, "enabled_filters_add");
	json_begin_array(j);
	for (size_t i = 0; i < NOVA_FILTERS_N; i++)
		json_string(j, nova_filters[i]);
	json_end_array(j);
	json_end_object(j);
	json_key(j, "gpu_assign");
	json_begin_object(j);
	json_kv_string(j, "command", o->command);
	json_key(j, "product_ids");
	json_begin_array(j);
	for (size_t a = 0; a < nova->naliases; a++) {
		char id[8];

		snprintf(id, sizeof(id), "%04x", nova->aliases[a].product);
		json_string(j, id);
	}
	json_end_array(j);
	json_kv_string(j, "policy", "enforce");
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
			json_kv_uint(j, "mmio_bytes", ga_nova_flavor_mmio(al, fl));
			json_end_object(j);
		}
	}
	json_end_array(j);
}

void nova_print_json(const struct nova_out *o)
{
	struct json j;

	json_begin_document(&j, stdout);
	json_kv_string(&j, "host", o->host);
	json_key(&j, "nova_release");
	json_begin_object(&j);
	json_kv_string(&j, "release", o->release.name);
	json_key(&j, "version");
	if (o->version[0])
		json_string(&j, o->version);
	else
		json_null(&j);
	json_kv_string(&j, "source", o->source);
	json_end_object(&j);
	json_gpus(&j, o->nova);
	json_nova_conf(&j, o);
	json_key(&j, "gpu_assign_conf");
	json_begin_object(&j);
	json_kv_string(&j, "path", o->config_path);
	json_key(&j, "gi_nodes");
	if (o->nova->gi_shared)
		json_uint(&j, o->nova->gi_shared);
	else
		json_null(&j);
	json_end_object(&j);
	json_flavors(&j, o->nova);
	json_key(&j, "nova_lacks");
	json_begin_array(&j);
	json_string(&j, "generic-initiator NUMA nodes: memoryless guest NUMA cells and <acpi nodeset> in the GPU's <hostdev> (libvirt >= 11.8); the gpu-assign Nova extension adds them");
	json_string(&j, "a 64-bit MMIO window sized for the GPUs' BARs; the gpu-assign Nova extension adds it");
	json_end_array(&j);
	json_end_object(&j);
	json_end(&j);
}
