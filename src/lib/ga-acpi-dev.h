/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PCI device's _DSD properties, by PCI address: its ACPI companion's path
 * from sysfs (firmware_node/path) looked up in the host's AML tables, which
 * are read once per cache (a plan, a bind, a hook run).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ga-acpi.h"
#include "ga-ctx.h"

struct ga_acpi_cache {
	struct ga_acpi_table *tables;
	size_t ntables;
	int r;        /* what reading the tables returned */
	bool loaded;
	char why[1024];/* its message, repeated for every later device */
};

/*
 * The _DSD properties of the PCI function pci_name ("0009:01:00.0"). Returns
 * what ga_acpi_find_gpu_mem returns, or the error of reading the companion's
 * path (-ENOENT: no ACPI companion) or the tables (-EACCES without root);
 * every failure is reported.
 */
int ga_acpi_dev_gpu_mem(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const char *pci_name,
			struct ga_acpi_gpu_mem *out);

void ga_acpi_cache_clear(struct ga_acpi_cache *cache);

/* Whether the kernel sees v as encoded (a 32-bit integer width cuts larger values). */
static inline bool ga_acpi_int_seen(const struct ga_acpi_gpu_mem *m, uint64_t v)
{
	return !m->ints_32bit || v <= UINT32_MAX;
}
