/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Classify a PCI function: is it a GPU we can assign, and if not, why. */
#pragma once

#include <stdbool.h>

#include "ga-catalog.h"
#include "ga-host.h"
#include "ga-variant.h"

enum ga_verdict {
	GA_VERDICT_ASSIGNABLE,
	GA_VERDICT_GROUP,          /* assignable, but only with the other functions of its IOMMU group */
	GA_VERDICT_NOT_NVIDIA,
	GA_VERDICT_NOT_GPU,        /* NVIDIA, but not a GPU function (bridge, switch, audio) */
	GA_VERDICT_UNKNOWN_MODEL,  /* an NVIDIA GPU that is not in our catalogue */
	GA_VERDICT_NO_IOMMU,
	GA_VERDICT_NO_ACPI,        /* a coherent GPU without its ACPI companion */
	GA_VERDICT_LAST
};

const char *ga_verdict_to_string(enum ga_verdict verdict);
int ga_verdict_from_string(const char *str); /* -1 if unknown */

struct ga_gpu {
	const struct ga_pci_dev *dev;
	const struct ga_catalog_entry *model; /* NULL if unknown */
	enum ga_verdict verdict;
	char reason[512];          /* one sentence: why (not) */
	struct ga_pci_addr *peers; /* other non-bridge functions of the IOMMU group */
	size_t npeers;
	/*
	 * Assignable models: the driver to bind it to: the catalogue's, or for a
	 * coherent GPU the Grace variant driver the running kernel offers
	 * (variant says how it was found); "" when it offers none, and then
	 * driver_problem says so, naming both drivers and how to get each.
	 */
	char driver[GA_VARIANT_NAME_MAX];
	struct ga_variant variant;
	char driver_problem[1024];
};

static inline bool ga_gpu_is_assignable(const struct ga_gpu *gpu)
{
	return gpu->verdict == GA_VERDICT_ASSIGNABLE || gpu->verdict == GA_VERDICT_GROUP;
}

/* Classify dev (a member of host). */
int ga_gpu_assess(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_pci_dev *dev,
		  struct ga_gpu *out);
void ga_gpu_clear(struct ga_gpu *gpu);

/*
 * Look an address up on the host and require an assignable NVIDIA GPU:
 * reports "not an NVIDIA GPU", "not assignable: <why>" and the like.
 */
int ga_gpu_require(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_pci_addr *addr,
		   struct ga_gpu *out);
