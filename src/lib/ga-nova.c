// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-gpu.h"
#include "ga-nova.h"
#include "ga-plan.h"
#include "ga-util.h"

void ga_nova_free(struct ga_nova *nova)
{
	if (!nova)
		return;
	for (size_t i = 0; i < nova->nskipped; i++)
		free(nova->skipped[i]);
	free(nova->skipped);
	free(nova->aliases);
	free(nova->gpus);
	free(nova);
}

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

static int add_skipped(struct ga_ctx *ctx, struct ga_nova *nova, const struct ga_gpu *gpu, const char *why)
{
	char **grown = realloc(nova->skipped, (nova->nskipped + 1) * sizeof(*grown));

	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	nova->skipped = grown;
	if (asprintf(&nova->skipped[nova->nskipped], "%s (%s): %s", gpu->dev->name, gpu->model->name, why) < 0)
		return ga_report(ctx, -ENOMEM, "out of memory");
	nova->nskipped++;
	return 0;
}

/* The alias of the GPU's product, made on its first GPU: its index, or -ENOMEM (reported). */
static int alias_for(struct ga_ctx *ctx, struct ga_nova *nova, const struct ga_gpu *gpu)
{
	struct ga_nova_alias *grown, *a;

	for (size_t i = 0; i < nova->naliases; i++)
		if (nova->aliases[i].product == gpu->dev->device)
			return (int)i;
	grown = realloc(nova->aliases, (nova->naliases + 1) * sizeof(*grown));
	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	nova->aliases = grown;
	a = &nova->aliases[nova->naliases];
	*a = (struct ga_nova_alias){ .product = gpu->dev->device, .model = gpu->model };
	alias_name(gpu->model, a->name, sizeof(a->name));
	return (int)nova->naliases++;
}

/* Offer gpu: its record, its alias, the alias's counts. */
static int add_gpu(struct ga_ctx *ctx, struct ga_nova *nova, struct ga_acpi_cache *acpi, const struct ga_config *cfg,
		   const struct ga_gpu *gpu)
{
	const struct ga_gi_query q = {
		.pci_name = gpu->dev->name, .catalogue = gpu->model->gi_nodes,
		.given = cfg->gi_nodes, .given_by = GA_GI_SOURCE_CONFIG,
	};
	struct ga_nova_gpu *g;
	bool seen = false;
	int a = alias_for(ctx, nova, gpu);

	if (a < 0)
		return a;
	/* a new host node for this alias? */
	for (size_t k = 0; k < nova->ngpus; k++)
		seen = seen || (nova->gpus[k].alias == (size_t)a && nova->gpus[k].dev->numa_node == gpu->dev->numa_node);
	if (!seen)
		nova->aliases[a].nnodes++;
	nova->aliases[a].count++;
	g = &nova->gpus[nova->ngpus++];
	g->dev = gpu->dev;
	g->model = gpu->model;
	g->group = gpu->verdict == GA_VERDICT_GROUP;
	g->alias = (size_t)a;
	g->gi_source = ga_gi_count(ctx, acpi, &q, &g->gi_nodes, NULL);
	g->bar_bytes = ga_plan_bar_bytes(gpu->dev->bars);
	nova->aliases[a].bar_bytes_sum += g->bar_bytes;
	if (g->bar_bytes > nova->aliases[a].bar_bytes_max)
		nova->aliases[a].bar_bytes_max = g->bar_bytes;
	return 0;
}

/* Sort one NVIDIA function into the model: offered, skipped with a reason, or not a Grace GPU. */
static int consider(struct ga_ctx *ctx, struct ga_nova *nova, struct ga_acpi_cache *acpi, const struct ga_host *host,
		    const struct ga_config *cfg, const struct ga_pci_dev *dev)
{
	struct ga_gpu gpu;
	int r = ga_gpu_assess(ctx, host, dev, &gpu);

	if (r < 0)
		return r;
	if (!gpu.model || !gpu.model->coherent)
		r = 0;
	else if (!ga_gpu_is_assignable(&gpu))
		r = add_skipped(ctx, nova, &gpu, gpu.reason);
	else if (gpu.driver_problem[0]) /* the hook could not bind it on this host */
		r = add_skipped(ctx, nova, &gpu, gpu.driver_problem);
	else if (!ga_config_gpu_reserved(cfg, &dev->addr))
		r = add_skipped(ctx, nova, &gpu, "not in <reserved> of the configuration");
	else
		r = add_gpu(ctx, nova, acpi, cfg, &gpu);
	ga_gpu_clear(&gpu);
	return r;
}

int ga_nova_build(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_config *cfg,
		  struct ga_nova **out)
{
	_cleanup_(ga_acpi_cache_clear) struct ga_acpi_cache acpi = { 0 };
	_cleanup_nova_ struct ga_nova *nova = calloc(1, sizeof(*nova));
	int r;

	*out = NULL;
	if (!nova)
		return ga_report(ctx, -ENOMEM, "out of memory");
	nova->gpus = calloc(host->ndevs + 1, sizeof(*nova->gpus));
	if (!nova->gpus)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < host->ndevs; i++) {
		const struct ga_pci_dev *dev = &host->devs[i];

		if (dev->vendor != GA_PCI_VENDOR_NVIDIA || ga_pci_dev_is_bridge(dev))
			continue;
		r = consider(ctx, nova, &acpi, host, cfg, dev);
		if (r < 0)
			return r;
	}
	if (!nova->ngpus)
		return ga_report(ctx, -ENODEV,
				 "no Grace GPU on this host can be offered to Nova%s%s (see 'gpu-assign list'; discrete GPUs need no gpu-assign: Nova's plain PCI passthrough serves them)",
				 nova->nskipped ? ": " : "", nova->nskipped ? nova->skipped[0] : "");
	nova->gi_shared = nova->gpus[0].gi_nodes;
	for (size_t i = 1; i < nova->ngpus; i++)
		if (nova->gpus[i].gi_nodes != nova->gi_shared)
			nova->gi_shared = 0;
	*out = steal_ptr(nova);
	return 0;
}

uint64_t ga_nova_flavor_mmio(const struct ga_nova_alias *a, struct ga_nova_flavor fl)
{
	/* the flavor of all the alias's GPUs takes them all; a smaller one, at most that many of the largest */
	uint64_t bars = fl.gpus >= a->count ? a->bar_bytes_sum : fl.gpus * a->bar_bytes_max;

	return bars + GA_PLAN_MMIO_RESERVE;
}

/* Nova's documentation of each item: the release that added it. */
static const struct {
	const char *name;
	unsigned since;
} nova_items[GA_NOVA_ITEM_LAST] = {
	[GA_NOVA_ITEM_ALIAS_NUMA_POLICY] = { "[pci] alias numa_policy", 17 },        /* Queens */
	[GA_NOVA_ITEM_PCI_NUMA_AFFINITY] = { "hw:pci_numa_affinity_policy", 21 },    /* Ussuri */
	[GA_NOVA_ITEM_REPORT_IN_PLACEMENT] = { "[pci] report_in_placement", 27 },    /* 2023.1 */
	[GA_NOVA_ITEM_MANAGED] = { "[pci] device_spec managed", 31 },                /* 2025.1 */
	[GA_NOVA_ITEM_ONE_TIME_USE] = { "[pci] device_spec one_time_use", 32 },      /* 2025.2 */
};

const char *ga_nova_item_name(enum ga_nova_item item)
{
	return item < GA_NOVA_ITEM_LAST ? nova_items[item].name : NULL;
}

unsigned ga_nova_item_since(enum ga_nova_item item)
{
	return item < GA_NOVA_ITEM_LAST ? nova_items[item].since : 0;
}

static void release_name(unsigned major, char *buf, size_t size)
{
	unsigned n = major - GA_NOVA_MAJOR_2023_1;

	snprintf(buf, size, "%u.%u", 2023 + n / 2, n % 2 + 1);
}

/* A whole number of at most 4 digits at *p, advancing p; -1 if none. */
static int small_number(const char **p)
{
	int v = 0, digits = 0;

	while (isdigit((unsigned char)**p) && digits < 5) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits && digits < 5 ? v : -1;
}

/* What may follow a nova version's major number: ".0.0", "~rc1", a Debian "-4", "+deb13u1". */
static bool version_tail_ok(const char *p)
{
	if (*p && *p != '.' && *p != '-' && *p != '~' && *p != '+')
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-~+", *p))
			return false;
	return true;
}

int ga_nova_release_parse(struct ga_ctx *ctx, const char *text, struct ga_nova_release *rel)
{
	const char *p = text, *colon = strchr(text, ':');
	int a, b = -1;

	*rel = (struct ga_nova_release){ 0 };
	if (colon)
		p = colon + 1; /* a Debian epoch */
	a = small_number(&p);
	if (a >= 2000) { /* a release: YEAR.1 or YEAR.2 */
		if (*p == '.') {
			p++;
			b = small_number(&p);
		}
		if ((b != 1 && b != 2) || *p)
			a = -1;
		else if (a < 2023)
			return ga_report(ctx, -EINVAL, "Nova %s is older than 2023.1: gpu-assign needs Nova 2025.1 or later",
					 text);
		else
			rel->major = GA_NOVA_MAJOR_2023_1 + (unsigned)(a - 2023) * 2 + (unsigned)(b - 1);
	} else if (a >= 1 && a < 1000 && version_tail_ok(p)) { /* a nova version */
		if (a < GA_NOVA_MAJOR_2023_1)
			return ga_report(ctx, -EINVAL,
					 "Nova version '%s' is older than 2023.1 (nova %d.x): gpu-assign needs Nova 2025.1 or later",
					 text, GA_NOVA_MAJOR_2023_1);
		rel->major = (unsigned)a;
	} else {
		a = -1;
	}
	if (a < 0)
		return ga_report(ctx, -EINVAL,
				 "invalid Nova release '%s': give a release such as 2026.2 or a nova version such as 34.0.0",
				 text);
	release_name(rel->major, rel->name, sizeof(rel->name));
	return 0;
}

int ga_nova_release_check(struct ga_ctx *ctx, const struct ga_nova_release *rel, bool one_time_use)
{
	for (int i = 0; i < GA_NOVA_ITEM_LAST; i++) {
		char since[GA_NOVA_RELEASE_STRLEN];

		if (i == GA_NOVA_ITEM_ONE_TIME_USE && !one_time_use)
			continue;
		if (i == GA_NOVA_ITEM_REPORT_IN_PLACEMENT && !one_time_use)
			continue;
		if (rel->major >= nova_items[i].since)
			continue;
		release_name(nova_items[i].since < GA_NOVA_MAJOR_2023_1 ? GA_NOVA_MAJOR_2023_1 : nova_items[i].since,
			     since, sizeof(since));
		return ga_report(ctx, -ENOTSUP,
				 "Nova %s does not read %s (Nova %s and later): upgrade Nova%s",
				 rel->name, nova_items[i].name, since,
				 i == GA_NOVA_ITEM_ONE_TIME_USE ? ", or leave out --one-time-use" : "");
	}
	return 0;
}
