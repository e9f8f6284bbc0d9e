// SPDX-License-Identifier: LGPL-2.1-or-later
/* list, show, check: what the host has and what can be assigned. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "ga-ctx.h"
#include "ga-gi.h"
#include "ga-gpu.h"
#include "ga-units.h"
#include "table.h"

static const char *model_name(const struct ga_gpu *gpu)
{
	if (gpu->model)
		return gpu->model->name;
	return gpu->verdict == GA_VERDICT_UNKNOWN_MODEL ? "unknown NVIDIA GPU" : "-";
}

/*
 * How many GI nodes the GPU gets in a guest, and from where: the rule plan
 * applies without --gi-nodes (ga_gi_count). A GPU that needs none has 0 and
 * no source.
 */
struct gi_info {
	unsigned n;
	const char *source;
};

static struct gi_info gi_info(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const struct ga_gpu *gpu)
{
	struct gi_info gi = { 0, NULL };
	struct ga_gi_query q;

	if (!gpu->model || !gpu->model->coherent || !gpu->model->gi_nodes)
		return gi;
	q = (struct ga_gi_query){ .pci_name = gpu->dev->name, .catalogue = gpu->model->gi_nodes };
	gi.source = ga_gi_source_to_string(ga_gi_count(ctx, cache, &q, &gi.n, NULL));
	return gi;
}

/* One device: an object in list's array, or (document) show's whole document. */
static void json_device(struct json *j, const struct ga_gpu *gpu, const struct gi_info *gi, bool document)
{
	const struct ga_pci_dev *dev = gpu->dev;
	char buf[32];

	if (document)
		json_begin_document(j, stdout);
	else
		json_begin_object(j);
	json_kv_string(j, "address", dev->name);
	snprintf(buf, sizeof(buf), "0x%04x", dev->vendor);
	json_kv_string(j, "vendor", buf);
	snprintf(buf, sizeof(buf), "0x%04x", dev->device);
	json_kv_string(j, "device", buf);
	snprintf(buf, sizeof(buf), "0x%04x", dev->subsystem_vendor);
	json_kv_string(j, "subsystem_vendor", buf);
	snprintf(buf, sizeof(buf), "0x%04x", dev->subsystem_device);
	json_kv_string(j, "subsystem_device", buf);
	snprintf(buf, sizeof(buf), "0x%06x", dev->class);
	json_kv_string(j, "class", buf);
	json_kv_string(j, "model", gpu->model ? gpu->model->name : NULL);
	json_kv_string(j, "family", ga_family_to_string(gpu->model ? gpu->model->family : GA_FAMILY_UNKNOWN));
	json_kv_bool(j, "coherent", gpu->model && gpu->model->coherent);
	json_kv_string(j, "driver", dev->driver);
	json_kv_string(j, "driver_override", dev->driver_override);
	json_key(j, "iommu_group");
	if (dev->iommu_group >= 0)
		json_int(j, dev->iommu_group);
	else
		json_null(j);
	json_key(j, "iommu_group_peers");
	json_begin_array(j);
	for (size_t i = 0; i < gpu->npeers; i++)
		json_string(j, ga_pci_addr_format(&gpu->peers[i], buf));
	json_end_array(j);
	json_key(j, "numa_node");
	if (dev->numa_node >= 0)
		json_int(j, dev->numa_node);
	else
		json_null(j);
	json_kv_string(j, "acpi_companion", dev->acpi_path);
	json_key(j, "bars");
	json_begin_array(j);
	for (int i = 0; i < GA_PCI_NUM_BARS; i++) {
		const struct ga_pci_bar *bar = &dev->bars[i];

		if (!bar->size)
			continue;
		json_begin_object(j);
		json_kv_int(j, "index", i);
		snprintf(buf, sizeof(buf), "0x%" PRIx64, bar->start);
		json_kv_string(j, "start", buf);
		json_kv_uint(j, "size", bar->size);
		json_kv_string(j, "type", bar->is_io ? "io" : "memory");
		json_kv_bool(j, "64bit", bar->is_64bit);
		json_kv_bool(j, "prefetchable", bar->prefetchable);
		json_end_object(j);
	}
	json_end_array(j);
	json_kv_bool(j, "assignable", ga_gpu_is_assignable(gpu));
	json_kv_string(j, "verdict", ga_verdict_to_string(gpu->verdict));
	json_kv_string(j, "reason", gpu->reason);
	json_kv_string(j, "target_driver", gpu->driver[0] ? gpu->driver : NULL);
	json_kv_uint(j, "gi_nodes", gi->n);
	json_kv_string(j, "gi_source", gi->source);
	json_end_object(j);
}

/* "5", "5 +0009:01:00.1", "-" */
static void group_column(const struct ga_gpu *gpu, char *buf, size_t size)
{
	size_t used;

	if (gpu->dev->iommu_group < 0) {
		snprintf(buf, size, "-");
		return;
	}
	used = (size_t)snprintf(buf, size, "%d", gpu->dev->iommu_group);
	for (size_t i = 0; i < gpu->npeers && used < size; i++) {
		char name[GA_PCI_ADDR_STRLEN];

		used += (size_t)snprintf(buf + used, size - used, " +%s", ga_pci_addr_format(&gpu->peers[i], name));
	}
}

static const char *yes_no(const struct ga_gpu *gpu)
{
	switch (gpu->verdict) {
	case GA_VERDICT_ASSIGNABLE:
		return "yes";
	case GA_VERDICT_GROUP:
		return "yes, with group";
	case GA_VERDICT_UNKNOWN_MODEL:
		return "no (unknown model)";
	case GA_VERDICT_NO_IOMMU:
		return "no (no IOMMU)";
	case GA_VERDICT_NO_ACPI:
		return "no (no ACPI companion)";
	default:
		return "no";
	}
}

const struct cli_option list_options[] = {
	{ "all", no_argument, 'a', NULL, "every PCI function, not only NVIDIA ones", NULL, NULL },
	{ "json", no_argument, 'j', NULL, "one JSON document (gpu-assign(1), JSON OUTPUT)", NULL, NULL },
	{ NULL }
};

/* One row of the list's table. */
static void table_device(struct table *t, const struct ga_pci_dev *dev, const struct ga_gpu *gpu)
{
	char group[160], id[16], numa[12];
	const char *row[] = {
		dev->name, id, model_name(gpu),
		ga_family_to_string(gpu->model ? gpu->model->family : GA_FAMILY_UNKNOWN),
		dev->driver ? dev->driver : "(none)", group,
		dev->numa_node >= 0 ? numa : "-", yes_no(gpu),
	};

	group_column(gpu, group, sizeof(group));
	snprintf(id, sizeof(id), "%04x:%04x", dev->vendor, dev->device);
	snprintf(numa, sizeof(numa), "%d", dev->numa_node);
	table_add(t, row);
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	_cleanup_host_ struct ga_host *host = NULL;
	_cleanup_(ga_acpi_cache_clear) struct ga_acpi_cache acpi = { 0 };
	static const char *const header[] = { "ADDRESS", "ID", "MODEL", "FAMILY", "DRIVER",
					      "IOMMU-GROUP", "NUMA", "ASSIGNABLE", NULL };
	bool all = false, as_json = false;
	struct table t = { 0 };
	struct json j;
	size_t shown = 0;
	int c;

	const struct cli_option *o;

	while ((c = cli_getopt(cli, argc, argv, &o)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'a')
			all = true;
		else
			as_json = true;
	}
	if (optind < argc)
		return cli_usage_error("list: unexpected argument '%s' (usage: %s)", argv[optind], cli_usage(cli));
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);

	if (as_json) {
		json_begin_document(&j, stdout);
		json_key(&j, "devices");
		json_begin_array(&j);
	} else if (table_init(&t, header) < 0) {
		return cli_oom();
	}
	for (size_t i = 0; i < host->ndevs; i++) {
		const struct ga_pci_dev *dev = &host->devs[i];
		struct ga_gpu gpu;

		/* Without --all: NVIDIA functions, minus the Grace root ports and other bridges. */
		if (!all && ((dev->vendor != GA_PCI_VENDOR_NVIDIA && !ga_catalog_find(cli->ctx, dev->vendor, dev->device)) ||
			     ga_pci_dev_is_bridge(dev)))
			continue;
		if (ga_gpu_assess(cli->ctx, host, dev, &gpu) < 0) {
			if (!as_json)
				table_free(&t);
			return cli_fail(cli);
		}
		shown++;
		if (as_json) {
			struct gi_info gi = gi_info(cli->ctx, &acpi, &gpu);

			json_device(&j, &gpu, &gi, false);
		} else {
			table_device(&t, dev, &gpu);
		}
		ga_gpu_clear(&gpu);
	}
	if (as_json) {
		json_end_array(&j);
		json_end_object(&j);
		json_end(&j);
	} else {
		table_print(&t, stdout);
		table_free(&t);
		if (!shown)
			printf("(no %s devices found)\n", all ? "PCI" : "NVIDIA");
	}
	return EXIT_OK;
}

static int parse_one_address(struct cli *cli, const char *cmd, int argc, char **argv,
			     struct ga_pci_addr *addr)
{
	if (optind >= argc)
		return cli_usage_error("%s: no PCI address given (usage: %s)", cmd, cli_usage(cli));
	if (optind + 1 < argc)
		return cli_usage_error("%s: unexpected argument '%s' (give one address)", cmd, argv[optind + 1]);
	if (ga_pci_addr_parse(cli->ctx, argv[optind], addr) < 0)
		return cli_fail_usage(cli);
	return EXIT_OK;
}

static void show_text(const struct ga_host *host, const struct ga_gpu *gpu, const struct gi_info *gi)
{
	const struct ga_pci_dev *dev = gpu->dev;
	char size[32];
	bool any = false;

	printf("Address:         %s\n", dev->name);
	printf("Device:          %04x:%04x, subsystem %04x:%04x, class 0x%06x\n", dev->vendor, dev->device,
	       dev->subsystem_vendor, dev->subsystem_device, dev->class);
	printf("Model:           %s", model_name(gpu));
	if (gpu->model)
		printf(" (%s%s)", ga_family_to_string(gpu->model->family),
		       gpu->model->coherent ? ", coherent memory" : "");
	printf("\nDriver:          %s\n", dev->driver ? dev->driver : "(none)");
	printf("Driver override: %s\n", dev->driver_override ? dev->driver_override : "(none)");
	if (dev->iommu_group >= 0) {
		printf("IOMMU group:     %d", dev->iommu_group);
		if (gpu->npeers) {
			printf(", shared with");
			for (size_t i = 0; i < gpu->npeers; i++) {
				char name[GA_PCI_ADDR_STRLEN];
				const struct ga_pci_dev *peer = ga_host_find_dev(host, &gpu->peers[i]);

				printf(" %s (%s)", ga_pci_addr_format(&gpu->peers[i], name),
				       peer && peer->driver ? peer->driver : "no driver");
			}
		} else {
			printf(" (alone)");
		}
		printf("\n");
	} else {
		printf("IOMMU group:     (none)\n");
	}
	if (dev->numa_node >= 0)
		printf("NUMA node:       %d\n", dev->numa_node);
	else
		printf("NUMA node:       (none)\n");
	printf("ACPI companion:  %s\n", dev->acpi_path ? dev->acpi_path : "(none)");
	printf("BARs:           ");
	for (int i = 0; i < GA_PCI_NUM_BARS; i++) {
		const struct ga_pci_bar *bar = &dev->bars[i];

		if (!bar->size)
			continue;
		printf("%s %d: %s %s%s%s", any ? "," : "", i, ga_size_format_exact(bar->size, size, sizeof(size)),
		       bar->is_io ? "I/O" : bar->is_64bit ? "64-bit" : "32-bit",
		       bar->prefetchable ? " prefetchable" : "", "");
		any = true;
	}
	printf("%s\n", any ? "" : " (none)");
	if (gpu->model) {
		char how[256];

		if (gpu->driver[0] && gpu->variant.driver[0])
			printf("Target driver:   %s (%s)\n", gpu->driver,
			       ga_variant_describe(&gpu->variant, how, sizeof(how)));
		else if (gpu->driver[0])
			printf("Target driver:   %s\n", gpu->driver);
		else if (gpu->driver_problem[0])
			printf("Target driver:   (none) %s\n", gpu->driver_problem);
		if (gi->source)
			printf("GI NUMA nodes:   %u per GPU (%s)\n", gi->n, gi->source);
	}
	printf("Assignable:      %s: %s\n", ga_gpu_is_assignable(gpu) ? "yes" : "no", gpu->reason);
}

const struct cli_option show_options[] = {
	{ "json", no_argument, 'j', NULL, "one JSON document (gpu-assign(1), JSON OUTPUT)", NULL, NULL },
	{ NULL }
};

int cmd_show(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *o;
	_cleanup_host_ struct ga_host *host = NULL;
	_cleanup_(ga_acpi_cache_clear) struct ga_acpi_cache acpi = { 0 };
	const struct ga_pci_dev *dev;
	struct ga_pci_addr addr;
	struct gi_info gi;
	bool as_json = false;
	struct ga_gpu gpu;
	int c, r;

	while ((c = cli_getopt(cli, argc, argv, &o)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		as_json = true;
	}
	r = parse_one_address(cli, "show", argc, argv, &addr);
	if (r != EXIT_OK)
		return r;
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);
	dev = ga_host_find_dev(host, &addr);
	if (!dev) {
		ga_pci_report_missing(cli->ctx, &addr);
		return cli_fail(cli);
	}
	if (ga_gpu_assess(cli->ctx, host, dev, &gpu) < 0)
		return cli_fail(cli);
	gi = gi_info(cli->ctx, &acpi, &gpu);
	if (as_json) {
		struct json j;

		json_device(&j, &gpu, &gi, true);
		json_end(&j);
	} else {
		show_text(host, &gpu, &gi);
	}
	ga_gpu_clear(&gpu);
	return EXIT_OK;
}

const struct cli_option check_options[] = { { NULL } };

int cmd_check(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *o;
	_cleanup_host_ struct ga_host *host = NULL;
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	struct ga_gpu *gpus;
	struct ga_variant v;
	int n, r = EXIT_OK;

	if (cli_getopt(cli, argc, argv, &o) != -1)
		return EXIT_USAGE;
	n = argc - optind;
	if (n <= 0)
		return cli_usage_error("check: no PCI address given (usage: %s)", cli_usage(cli));
	addrs = calloc((size_t)n, sizeof(*addrs));
	if (!addrs)
		return cli_oom();
	/* Parse everything before touching sysfs: bad input fails fast. */
	for (int i = 0; i < n; i++)
		if (ga_pci_addr_parse(cli->ctx, argv[optind + i], &addrs[i]) < 0)
			return cli_fail_usage(cli);
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);
	gpus = calloc((size_t)n, sizeof(*gpus));
	if (!gpus)
		return cli_oom();
	/* All or nothing: print only once every address has passed. */
	for (int i = 0; i < n && r == EXIT_OK; i++) {
		if (ga_gpu_require(cli->ctx, host, &addrs[i], &gpus[i]) < 0)
			r = cli_fail(cli);
		/* a coherent GPU without a Grace variant driver cannot be assigned on this kernel */
		else if (gpus[i].driver_problem[0] && ga_variant_detect(cli->ctx, gpus[i].dev, NULL, &v) < 0)
			r = cli_fail(cli);
	}
	for (int i = 0; i < n; i++) {
		if (r == EXIT_OK)
			printf("%s: %s\n", gpus[i].dev->name, gpus[i].reason);
		ga_gpu_clear(&gpus[i]);
	}
	free(gpus);
	return r;
}
