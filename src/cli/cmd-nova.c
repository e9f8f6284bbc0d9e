/*
 * nova-config: what an OpenStack operator adds to nova.conf and to a flavor
 * so that Nova can hand this host's Grace GPUs to instances.
 *
 * Nova's syntax (nova/conf/pci.py, admin/pci-passthrough): [pci] device_spec
 * and alias are repeated options whose value is one JSON object; vendor and
 * product ids are hex without "0x"; device_type "type-PCI" for a device
 * without SR-IOV; the "managed" tag (Nova 2025.1) is "yes" or "no": "no"
 * tells libvirt not to detach/re-attach the device, because we bind it
 * (the hook at start, or `gpu-assign bind --persistent`). Flavors ask with
 * pci_passthrough:alias=NAME:COUNT and hw:pci_numa_affinity_policy, which
 * needs a guest NUMA topology (hw:numa_nodes).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ga-config.h"
#include "ga-error.h"
#include "ga-nova.h"

#define NUMA_POLICY "required"
#define NOVA_USAGE "gpu-assign nova-config [--json] [--config FILE]"

/* Flavors per alias: one GPU on one node, and (when there are several) all of them. */
static unsigned flavor_count(const struct ga_nova_alias *a)
{
	return a->count > 1 ? 2 : 1;
}

static unsigned flavor_gpus(const struct ga_nova_alias *a, unsigned c)
{
	return c == 0 ? 1 : a->count;
}

static unsigned flavor_nodes(const struct ga_nova_alias *a, unsigned c)
{
	return c == 0 ? 1 : a->nnodes;
}

static void print_text(const char *host, const struct ga_nova *nova)
{
	printf("# gpu-assign nova-config: %zu Grace GPU(s) on %s\n", nova->ngpus, host);
	printf("# nova.conf of this compute node. The [pci] alias lines go into the\n"
	       "# nova.conf of nova-api (controllers) too, identical.\n");
	for (size_t i = 0; i < nova->nskipped; i++)
		printf("# not offered: %s\n", nova->skipped[i]);
	printf("[pci]\n");
	for (size_t i = 0; i < nova->ngpus; i++) {
		const struct ga_pci_dev *dev = nova->gpus[i].dev;

		if (nova->gpus[i].group)
			printf("# %s: the other functions of its IOMMU group are bound with it\n", dev->name);
		printf("device_spec = { \"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"address\": \"%s\", \"managed\": \"no\" }\n",
		       dev->vendor, dev->device, dev->name);
	}
	for (size_t a = 0; a < nova->naliases; a++)
		printf("alias = { \"name\": \"%s\", \"vendor_id\": \"10de\", \"product_id\": \"%04x\", \"device_type\": \"type-PCI\", \"numa_policy\": \"%s\" }\n",
		       nova->aliases[a].name, nova->aliases[a].product, NUMA_POLICY);
	printf("\n# nova-scheduler: add PciPassthroughFilter to [filter_scheduler] enabled_filters.\n");
	printf("\n# Flavors (extra specs). The guest needs one NUMA node per host socket it uses.\n");
	for (size_t a = 0; a < nova->naliases; a++)
		for (unsigned c = 0; c < flavor_count(&nova->aliases[a]); c++)
			printf("openstack flavor set FLAVOR --property pci_passthrough:alias=%s:%u"
			       " --property hw:pci_numa_affinity_policy=%s --property hw:numa_nodes=%u\n",
			       nova->aliases[a].name, flavor_gpus(&nova->aliases[a], c), NUMA_POLICY,
			       flavor_nodes(&nova->aliases[a], c));
	printf("\n# What Nova cannot do yet: it writes no generic-initiator NUMA nodes into the\n"
	       "# domain, and the libvirt hook cannot add them at start, so the hook refuses\n"
	       "# such instances (policy enforce) or lets them start without the GPU memory's\n"
	       "# NUMA nodes (policy warn). Each GPU here needs:\n");
	for (size_t i = 0; i < nova->ngpus; i++)
		printf("#   %s: %u GI nodes (from the %s)\n", nova->gpus[i].dev->name, nova->gpus[i].gi_nodes,
		       nova->gpus[i].gi_source == GA_GI_SOURCE_ACPI ? "host's ACPI _DSD"
								    : ga_gi_source_to_string(nova->gpus[i].gi_source));
	printf("# 'gpu-assign plan --json --gpu ADDRESS' gives the layout a Nova change needs;\n"
	       "# see gpu-assign-hook(8).\n");
}

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
		json_kv_string(j, "numa_policy", NUMA_POLICY);
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

		for (unsigned c = 0; c < flavor_count(al); c++) {
			char spec[96], nodes[16];

			snprintf(spec, sizeof(spec), "%.63s:%u", al->name, flavor_gpus(al, c));
			snprintf(nodes, sizeof(nodes), "%u", flavor_nodes(al, c));
			json_begin_object(j);
			json_kv_uint(j, "gpus", flavor_gpus(al, c));
			json_key(j, "extra_specs");
			json_begin_object(j);
			json_kv_string(j, "pci_passthrough:alias", spec);
			json_kv_string(j, "hw:pci_numa_affinity_policy", NUMA_POLICY);
			json_kv_string(j, "hw:numa_nodes", nodes);
			json_end_object(j);
			json_end_object(j);
		}
	}
	json_end_array(j);
}

static void print_json(const char *host, const struct ga_nova *nova)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
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

int cmd_nova_config(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{}
	};
	_cleanup_host_ struct ga_host *host = NULL;
	_cleanup_config_ struct ga_config *cfg = NULL;
	_cleanup_nova_ struct ga_nova *nova = NULL;
	const char *config = getenv("GA_HOOK_CONFIG");
	char hostname[256] = "this host";
	bool as_json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jc:", opts, NULL)) != -1) {
		if (c == 'j')
			as_json = true;
		else if (c == 'c')
			config = optarg;
		else
			return cli_usage_error("nova-config: invalid option (usage: " NOVA_USAGE ")");
	}
	if (optind < argc)
		return cli_usage_error("nova-config: unexpected argument '%s' (usage: " NOVA_USAGE ")", argv[optind]);
	if (ga_config_load(cli->ctx, config && *config ? config : GA_CONFIG_PATH, true, &cfg) < 0)
		return cli_fail(cli);
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		snprintf(hostname, sizeof(hostname), "this host");
	if (ga_nova_build(cli->ctx, host, cfg, &nova) < 0)
		return cli_fail(cli);
	if (as_json)
		print_json(hostname, nova);
	else
		print_text(hostname, nova);
	return EXIT_OK;
}
