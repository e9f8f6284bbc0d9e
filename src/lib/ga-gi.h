/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How many generic-initiator (GI) nodes a Grace GPU needs in a guest, and
 * who decided it: the one rule `gpu-assign plan`, nova-config and the hook
 * share. An explicit count (--gi-nodes, or the configuration's <gi-nodes>)
 * wins; else the count the host's firmware gives the GPU (its _DSD
 * "nvidia,gpu-mem-pxm-count", when the kernel sees it whole and it is between
 * 1 and GA_PLAN_MAX_NODES - 1); else the catalogue's count for the model.
 */
#pragma once

#include <stdbool.h>

#include "ga-acpi-dev.h"

enum ga_gi_source {
	GA_GI_SOURCE_CATALOG,  /* the catalogue's per-model count */
	GA_GI_SOURCE_OPTION,   /* --gi-nodes */
	GA_GI_SOURCE_ACPI,     /* the GPU's _DSD nvidia,gpu-mem-pxm-count (the host's own) */
	GA_GI_SOURCE_CONFIG,   /* the configuration's <gi-nodes> */
	GA_GI_SOURCE_LAST
};

/* "catalogue", "option", "acpi", "configuration". */
const char *ga_gi_source_to_string(enum ga_gi_source src);
int ga_gi_source_from_string(const char *str); /* -1 if unknown */

/* What the count is decided from. */
struct ga_gi_query {
	const char *pci_name;              /* the GPU, "0009:01:00.0" */
	unsigned catalogue;                /* its model's count (ga_catalog_entry.gi_nodes) */
	unsigned given;                    /* an explicit count; 0: none */
	enum ga_gi_source given_by;        /* GA_GI_SOURCE_OPTION or GA_GI_SOURCE_CONFIG */
};

/* What the GPU's _DSD said, for a caller that shows it (the planner). */
struct ga_gi_acpi {
	int r;                             /* 0: mem holds the _DSD; < 0: it could not be read, see why */
	char why[1024];                    /* the reason it could not be read */
	struct ga_acpi_gpu_mem mem;
	bool has_count;                    /* the firmware's count is usable: count */
	unsigned count;
};

/*
 * Decide how many GI nodes q's GPU needs: the count goes to *n, the source
 * that gave it is returned. Never fails: a firmware table that cannot be read
 * leaves the catalogue's count, and no error is left in ctx.
 *
 * The tables are read through cache (once per cache). Without acpi they are
 * read only when no count is given; with acpi they are always read and what
 * they said is returned there.
 */
enum ga_gi_source ga_gi_count(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const struct ga_gi_query *q,
			      unsigned *n, struct ga_gi_acpi *acpi);
