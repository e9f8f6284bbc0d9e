// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "ga-ctx.h"
#include "ga-gi.h"
#include "ga-plan.h"
#include "ga-util.h"

GA_ENUM_STRINGS(ga_gi_source, enum ga_gi_source, GA_GI_SOURCE_LAST,
		[GA_GI_SOURCE_CATALOG] = "catalogue", [GA_GI_SOURCE_OPTION] = "option", [GA_GI_SOURCE_ACPI] = "acpi",
		[GA_GI_SOURCE_CONFIG] = "configuration")

/* Read the GPU's _DSD into a, keeping the reason when it cannot be read. */
static void read_acpi(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const char *pci_name, struct ga_gi_acpi *a)
{
	const struct ga_acpi_gpu_mem *m = &a->mem;

	*a = (struct ga_gi_acpi){ 0 };
	a->r = ga_acpi_dev_gpu_mem(ctx, cache, pci_name, &a->mem);
	if (a->r < 0) {
		snprintf(a->why, sizeof(a->why), "%s", ga_last_error(ctx)->message);
		ga_clear_error(ctx);
		return;
	}
	/* ACPICA cuts a 32-bit host's integers: a count the kernel sees cut is no count */
	if (!m->has_pxm_count || !ga_acpi_int_seen(m, m->pxm_count) || m->pxm_count < 1 || m->pxm_count > GA_PLAN_MAX_NODES - 1)
		return;
	a->has_count = true;
	a->count = (unsigned)m->pxm_count;
}

enum ga_gi_source ga_gi_count(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const struct ga_gi_query *q,
			      unsigned *n, struct ga_gi_acpi *acpi)
{
	struct ga_gi_acpi local;

	/* a caller that shows the _DSD gets it even when a given count wins */
	if (acpi)
		read_acpi(ctx, cache, q->pci_name, acpi);
	if (q->given) {
		*n = q->given;
		return q->given_by;
	}
	if (!acpi) {
		acpi = &local;
		read_acpi(ctx, cache, q->pci_name, acpi);
	}
	if (acpi->has_count) {
		*n = acpi->count;
		return GA_GI_SOURCE_ACPI;
	}
	*n = q->catalogue;
	return GA_GI_SOURCE_CATALOG;
}
