// SPDX-License-Identifier: LGPL-2.1-or-later
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
#include <unistd.h>

#include "cli.h"
#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-nova.h"
#include "nova-print.h"

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
		       nova->aliases[a].name, nova->aliases[a].product, NOVA_NUMA_POLICY);
	printf("\n# nova-scheduler: add PciPassthroughFilter to [filter_scheduler] enabled_filters.\n");
	printf("\n# Flavors (extra specs). The guest needs one NUMA node per host socket it uses.\n");
	for (size_t a = 0; a < nova->naliases; a++) {
		for (unsigned c = 0; c < ga_nova_nflavors(&nova->aliases[a]); c++) {
			struct ga_nova_flavor fl = ga_nova_flavor(&nova->aliases[a], c);

			printf("openstack flavor set FLAVOR --property pci_passthrough:alias=%s:%u"
			       " --property hw:pci_numa_affinity_policy=%s --property hw:numa_nodes=%u\n",
			       nova->aliases[a].name, fl.gpus, NOVA_NUMA_POLICY, fl.nodes);
		}
	}
	printf("\n# What Nova cannot do yet: it writes no generic-initiator NUMA nodes into the\n"
	       "# domain, and the libvirt hook cannot add them at start, so the hook refuses\n"
	       "# such instances (policy enforce) or lets them start without the GPU memory's\n"
	       "# NUMA nodes (policy warn). Each GPU here needs:\n");
	for (size_t i = 0; i < nova->ngpus; i++)
		printf("#   %s: %u GI nodes (%s)\n", nova->gpus[i].dev->name, nova->gpus[i].gi_nodes,
		       ga_gi_source_to_string(nova->gpus[i].gi_source));
	printf("# 'gpu-assign plan --json --gpu ADDRESS' gives the layout a Nova change needs;\n"
	       "# see gpu-assign-hook(8).\n");
}

const struct cli_option nova_config_options[] = {
	{ "json", no_argument, 'j', NULL, "one JSON document (gpu-assign(1), JSON OUTPUT)", NULL, NULL },
	{ "config", required_argument, 'c', "FILE", "read the reserved GPUs and <gi-nodes> from FILE", NULL, NULL },
	{ NULL }
};

int cmd_nova_config(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *o;
	_cleanup_host_ struct ga_host *host = NULL;
	_cleanup_config_ struct ga_config *cfg = NULL;
	_cleanup_nova_ struct ga_nova *nova = NULL;
	const char *config = ga_ctx_get(cli->ctx, GA_SETTING_CONFIG);
	char hostname[256] = "this host";
	bool as_json = false, explicit = false;
	int c;

	while ((c = cli_getopt(cli, argc, argv, &o)) != -1) {
		if (c == 'j') {
			as_json = true;
		} else if (c == 'c') {
			config = optarg;
			explicit = true;
		} else {
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("nova-config: unexpected argument '%s' (usage: %s)", argv[optind], cli_usage(cli));
	if (explicit && !*config)
		return cli_usage_error("nova-config: --config needs a file name (usage: %s)", cli_usage(cli));
	/* only the default file may be missing (the defaults then); a file named with --config must exist */
	if (ga_config_load(cli->ctx, config && *config ? config : GA_CONFIG_PATH, !explicit, &cfg) < 0)
		return cli_fail(cli);
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		snprintf(hostname, sizeof(hostname), "this host");
	if (ga_nova_build(cli->ctx, host, cfg, &nova) < 0)
		return cli_fail(cli);
	if (as_json)
		nova_print_json(hostname, nova);
	else
		print_text(hostname, nova);
	return EXIT_OK;
}
