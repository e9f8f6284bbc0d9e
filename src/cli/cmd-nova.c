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
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ga-acpi-dev.h"
#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-gpu.h"
#include "ga-plan.h"

#define NUMA_POLICY "required"
#define MAX_ALIASES 16

struct nova_gpu {
	const struct ga_pci_dev *dev;
	const struct ga_catalog_entry *model;
	bool group;            /* assignable together with its IOMMU group peers */
	unsigned alias;        /* index into aliases[] */
	unsigned gi_nodes;     /* GI nodes it needs, as the hook counts them */
	const char *gi_source; /* "configuration", "acpi" or "catalogue" */
};

struct nova_alias {
	char name[64];
	uint16_t product;
	const struct ga_catalog_entry *model;
	unsigned count;        /* GPUs of this model on the host */
	unsigned nnodes;       /* distinct host NUMA nodes they sit on */
};

/* "GH200 120GB" -> "gh200-120gb": Nova alias names are free text, keep them shell-safe. */
static void alias_name(const struct ga_catalog_entry *model, char *buf, size_t size)
{
	size_t n = 0;
	bool dash = false;

	for (const char *p = model->name; *p && n + 1 < size; p++) {
		if (isalnum((unsigned char)*p)) {
			if (dash && n)
				buf[n++] = '-';
			if (n + 1 < size)
				buf[n++] = (char)tolower((unsigned char)*p);
			dash = false;
		} else {
			dash = true;
		}
	}
	buf[n] = '\0';
}

static void print_text(const char *host, const struct nova_gpu *gpus, size_t ngpus, const struct nova_alias *aliases,
		       size_t naliases, const char *const *skipped, size_t nskipped)
{
	printf("# gpu-assign nova-config: %zu Grace GPU(s) on %s\n", ngpus, host);
	printf("# nova.conf of this compute node. The [pci] alias lines go into the\n"
	       "# nova.conf of nova-api (controllers) too, identical.\n");
	for (size_t i = 0; i < nskipped; i++)
		printf("# not offered: %s\n", skipped[i]);
	printf("[pci]\n");
	for (size_t i = 0; i < ngpus; i++) {
		if (gpus[i].group)
			printf("# %s: the other functions of its IOMMU group are bound with it\n", gpus[i].dev->name);
		printf("device_spec = { \"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"address\": \"%s\", \"managed\": \"no\" }\n",
		       gpus[i].dev->vendor, gpus[i].dev->device, gpus[i].dev->name);
	}
	for (size_t a = 0; a < naliases; a++)
		printf("alias = { \"name\": \"%s\", \"vendor_id\": \"10de\", \"product_id\": \"%04x\", \"device_type\": \"type-PCI\", \"numa_policy\": \"%s\" }\n",
		       aliases[a].name, aliases[a].product, NUMA_POLICY);
	printf("\n# nova-scheduler: add PciPassthroughFilter to [filter_scheduler] enabled_filters.\n");
	printf("\n# Flavors (extra specs). The guest needs one NUMA node per host socket it uses.\n");
	for (size_t a = 0; a < naliases; a++) {
		unsigned counts[2] = { 1, aliases[a].count };

		for (size_t c = 0; c < (aliases[a].count > 1 ? 2u : 1u); c++) {
			unsigned nodes = c == 0 ? 1 : aliases[a].nnodes;

			printf("openstack flavor set FLAVOR --property pci_passthrough:alias=%s:%u"
			       " --property hw:pci_numa_affinity_policy=%s --property hw:numa_nodes=%u\n",
			       aliases[a].name, counts[c], NUMA_POLICY, nodes);
		}
	}
	printf("\n# What Nova cannot do yet: it writes no generic-initiator NUMA nodes into the\n"
	       "# domain, and the libvirt hook cannot add them at start, so the hook refuses\n"
	       "# such instances (policy enforce) or lets them start without the GPU memory's\n"
	       "# NUMA nodes (policy warn). Each GPU here needs:\n");
	for (size_t i = 0; i < ngpus; i++)
		printf("#   %s: %u GI nodes (from the %s)\n", gpus[i].dev->name, gpus[i].gi_nodes,
		       strcmp(gpus[i].gi_source, "acpi") ? gpus[i].gi_source : "host's ACPI _DSD");
	printf("# 'gpu-assign plan --json --gpu ADDRESS' gives the layout a Nova change needs;\n"
	       "# see gpu-assign-hook(8).\n");
}

static void print_json(const char *host, const struct nova_gpu *gpus, size_t ngpus, const struct nova_alias *aliases,
		       size_t naliases, const char *const *skipped, size_t nskipped)
{
	struct json j;
	char buf[64];

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_string(&j, "host", host);
	json_key(&j, "gpus");
	json_begin_array(&j);
	for (size_t i = 0; i < ngpus; i++) {
		json_begin_object(&j);
		json_kv_string(&j, "address", gpus[i].dev->name);
		snprintf(buf, sizeof(buf), "%04x", gpus[i].dev->vendor);
		json_kv_string(&j, "vendor_id", buf);
		snprintf(buf, sizeof(buf), "%04x", gpus[i].dev->device);
		json_kv_string(&j, "product_id", buf);
		json_kv_string(&j, "model", gpus[i].model->name);
		json_key(&j, "numa_node");
		if (gpus[i].dev->numa_node >= 0)
			json_int(&j, gpus[i].dev->numa_node);
		else
			json_null(&j);
		json_kv_string(&j, "driver", gpus[i].dev->driver);
		json_kv_uint(&j, "gi_nodes", gpus[i].gi_nodes);
		json_kv_string(&j, "gi_source", gpus[i].gi_source);
		json_kv_bool(&j, "with_iommu_group", gpus[i].group);
		json_kv_string(&j, "alias", aliases[gpus[i].alias].name);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "not_offered");
	json_begin_array(&j);
	for (size_t i = 0; i < nskipped; i++)
		json_string(&j, skipped[i]);
	json_end_array(&j);

	json_key(&j, "nova_conf");
	json_begin_object(&j);
	json_key(&j, "pci");
	json_begin_object(&j);
	json_key(&j, "device_spec");
	json_begin_array(&j);
	for (size_t i = 0; i < ngpus; i++) {
		json_begin_object(&j);
		snprintf(buf, sizeof(buf), "%04x", gpus[i].dev->vendor);
		json_kv_string(&j, "vendor_id", buf);
		snprintf(buf, sizeof(buf), "%04x", gpus[i].dev->device);
		json_kv_string(&j, "product_id", buf);
		json_kv_string(&j, "address", gpus[i].dev->name);
		json_kv_string(&j, "managed", "no");
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "alias");
	json_begin_array(&j);
	for (size_t a = 0; a < naliases; a++) {
		json_begin_object(&j);
		json_kv_string(&j, "name", aliases[a].name);
		json_kv_string(&j, "vendor_id", "10de");
		snprintf(buf, sizeof(buf), "%04x", aliases[a].product);
		json_kv_string(&j, "product_id", buf);
		json_kv_string(&j, "device_type", "type-PCI");
		json_kv_string(&j, "numa_policy", NUMA_POLICY);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_key(&j, "filter_scheduler");
	json_begin_object(&j);
	json_kv_string(&j, "enabled_filters_add", "PciPassthroughFilter");
	json_end_object(&j);
	json_end_object(&j);

	json_key(&j, "flavors");
	json_begin_array(&j);
	for (size_t a = 0; a < naliases; a++) {
		unsigned counts[2] = { 1, aliases[a].count };

		for (size_t c = 0; c < (aliases[a].count > 1 ? 2u : 1u); c++) {
			char spec[96], nodes[16];

			snprintf(spec, sizeof(spec), "%.63s:%u", aliases[a].name, counts[c]);
			snprintf(nodes, sizeof(nodes), "%u", c == 0 ? 1 : aliases[a].nnodes);
			json_begin_object(&j);
			json_kv_uint(&j, "gpus", counts[c]);
			json_key(&j, "extra_specs");
			json_begin_object(&j);
			json_kv_string(&j, "pci_passthrough:alias", spec);
			json_kv_string(&j, "hw:pci_numa_affinity_policy", NUMA_POLICY);
			json_kv_string(&j, "hw:numa_nodes", nodes);
			json_end_object(&j);
			json_end_object(&j);
		}
	}
	json_end_array(&j);
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
	_cleanup_free_ struct nova_gpu *gpus = NULL;
	_cleanup_(ga_acpi_cache_clear) struct ga_acpi_cache acpi = { 0 };
	struct nova_alias aliases[MAX_ALIASES];
	char *skipped[64];
	size_t ngpus = 0, naliases = 0, nskipped = 0;
	const char *config = ga_ctx_get(cli->ctx, GA_SETTING_CONFIG);
	char hostname[256] = "this host";
	bool as_json = false;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "jc:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'c':
			config = optarg;
			break;
		default:
			return cli_usage_error("nova-config: invalid option (usage: gpu-assign nova-config [--json] [--config FILE])");
		}
	}
	if (optind < argc)
		return cli_usage_error("nova-config: unexpected argument '%s' (usage: gpu-assign nova-config [--json] [--config FILE])",
				       argv[optind]);
	if (ga_config_load(cli->ctx, *config ? config : GA_CONFIG_PATH, true, &cfg) < 0)
		return cli_fail(cli);
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);
	gpus = calloc(host->ndevs + 1, sizeof(*gpus));
	if (!gpus)
		return cli_oom();
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		snprintf(hostname, sizeof(hostname), "this host");

	for (size_t i = 0; i < host->ndevs; i++) {
		const struct ga_pci_dev *dev = &host->devs[i];
		struct ga_gpu gpu;
		size_t a;

		if (dev->vendor != GA_PCI_VENDOR_NVIDIA || ga_pci_dev_is_bridge(dev))
			continue;
		if (ga_gpu_assess(cli->ctx, host, dev, &gpu) < 0) {
			rc = cli_fail(cli);
			goto out;
		}
		if (!gpu.model || !gpu.model->coherent) {
			ga_gpu_clear(&gpu);
			continue;
		}
		if (!ga_gpu_is_assignable(&gpu) || !ga_config_gpu_reserved(cfg, &dev->addr)) {
			if (nskipped < GA_ARRAY_SIZE(skipped) &&
			    asprintf(&skipped[nskipped], "%s (%s): %s", dev->name, gpu.model->name,
				     ga_gpu_is_assignable(&gpu) ? "not in <reserved> of the configuration"
								 : gpu.reason) >= 0)
				nskipped++;
			ga_gpu_clear(&gpu);
			continue;
		}
		for (a = 0; a < naliases; a++)
			if (aliases[a].product == dev->device)
				break;
		if (a == naliases) {
			if (naliases == MAX_ALIASES) {
				ga_gpu_clear(&gpu);
				continue;
			}
			memset(&aliases[a], 0, sizeof(aliases[a]));
			aliases[a].product = dev->device;
			aliases[a].model = gpu.model;
			alias_name(gpu.model, aliases[a].name, sizeof(aliases[a].name));
			naliases++;
		}
		/* a new host node for this alias? */
		{
			bool seen = false;

			for (size_t k = 0; k < ngpus; k++)
				seen = seen || (gpus[k].alias == a && gpus[k].dev->numa_node == dev->numa_node);
			if (!seen)
				aliases[a].nnodes++;
		}
		aliases[a].count++;
		gpus[ngpus].dev = dev;
		gpus[ngpus].model = gpu.model;
		gpus[ngpus].group = gpu.verdict == GA_VERDICT_GROUP;
		gpus[ngpus].alias = (unsigned)a;
		gpus[ngpus].gi_nodes = ga_acpi_gi_needed(cli->ctx, &acpi, dev->name, cfg->gi_nodes, gpu.model->gi_nodes,
							 GA_PLAN_MAX_NODES - 1, &gpus[ngpus].gi_source);
		ngpus++;
		ga_gpu_clear(&gpu);
	}
	if (ngpus == 0) {
		fprintf(stderr, "gpu-assign: no Grace GPU on this host can be offered to Nova%s%s (see 'gpu-assign list'; discrete GPUs need no gpu-assign: Nova's plain PCI passthrough serves them)\n",
			nskipped ? ": " : "", nskipped ? skipped[0] : "");
		rc = EXIT_FAIL;
		goto out;
	}
	if (as_json)
		print_json(hostname, gpus, ngpus, aliases, naliases, (const char *const *)skipped, nskipped);
	else
		print_text(hostname, gpus, ngpus, aliases, naliases, (const char *const *)skipped, nskipped);
out:
	for (size_t i = 0; i < nskipped; i++)
		free(skipped[i]);
	return rc;
}
