// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "ga-acpi-dev.h"
#include "ga-ctx.h"
#include "ga-sysfs.h"
#include "ga-util.h"

int ga_acpi_dev_gpu_mem(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const char *pci_name,
			struct ga_acpi_gpu_mem *out)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = ga_sysfs_read(ctx, &path, GA_SYSFS_PCI_DEV_ATTR, pci_name, "firmware_node/path");
	if (r < 0) {
		char why[sizeof(ga_last_error(ctx)->message)];

		/* the message is formatted into the buffer it quotes: copy it first */
		snprintf(why, sizeof(why), "%s", ga_last_error(ctx)->message);
		return ga_report(ctx, r, "PCI device '%s' has no readable ACPI companion path: %s", pci_name, why);
	}
	if (!cache->loaded) {
		cache->r = ga_acpi_read_tables(ctx, &cache->tables, &cache->ntables);
		cache->loaded = true;
		if (cache->r < 0) {
			snprintf(cache->why, sizeof(cache->why), "%s", ga_last_error(ctx)->message);
			return cache->r;
		}
	}
	if (cache->r < 0)
		return ga_report(ctx, cache->r, "%s", cache->why);
	return ga_acpi_find_gpu_mem(ctx, cache->tables, cache->ntables, path, out);
}

void ga_acpi_cache_clear(struct ga_acpi_cache *cache)
{
	ga_acpi_tables_free(cache->tables, cache->ntables);
	*cache = (struct ga_acpi_cache){ 0 };
}
