/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What an OpenStack operator offers Nova on this host: the Grace GPUs that
 * can go to instances (assignable, and reserved by the configuration), one
 * PCI alias per product, and the GPUs left out with the reason. nova-config
 * prints it as nova.conf lines and flavor extra specs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ga-catalog.h"
#include "ga-config.h"
#include "ga-gi.h"
#include "ga-host.h"

#define GA_NOVA_ALIAS_STRLEN 64

struct ga_nova_gpu {
	const struct ga_pci_dev *dev;          /* in the host the model was built from */
	const struct ga_catalog_entry *model;
	bool group;                            /* assignable together with its IOMMU group peers */
	size_t alias;                          /* index into aliases */
	unsigned gi_nodes;                     /* GI nodes it needs (ga_gi_count, as the hook counts) */
	enum ga_gi_source gi_source;
};

struct ga_nova_alias {
	char name[GA_NOVA_ALIAS_STRLEN];       /* "gh200-120gb": the model's name, lower case, shell-safe */
	uint16_t product;
	const struct ga_catalog_entry *model;
	unsigned count;                        /* GPUs of this product offered */
	unsigned nnodes;                       /* distinct host NUMA nodes they sit on */
};

struct ga_nova {
	struct ga_nova_gpu *gpus;              /* in host order */
	size_t ngpus;
	struct ga_nova_alias *aliases;         /* in the order their first GPU came */
	size_t naliases;
	char **skipped;                        /* "<address> (<model>): <why it is not offered>" */
	size_t nskipped;
};

/* A flavor asking for an alias: how many of its GPUs, over how many guest NUMA nodes. */
struct ga_nova_flavor {
	unsigned gpus;
	unsigned nodes;
};

/* The flavors worth offering for an alias: one GPU, and (when there are several) all of them. */
static inline unsigned ga_nova_nflavors(const struct ga_nova_alias *a)
{
	return a->count > 1 ? 2 : 1;
}

static inline struct ga_nova_flavor ga_nova_flavor(const struct ga_nova_alias *a, unsigned i)
{
	return i == 0 ? (struct ga_nova_flavor){ 1, 1 } : (struct ga_nova_flavor){ a->count, a->nnodes };
}

/*
 * Build the model for host (which must outlive it) under cfg. Reports
 * -ENODEV ("no Grace GPU on this host can be offered to Nova...") when no GPU
 * can be offered.
 */
int ga_nova_build(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_config *cfg,
		  struct ga_nova **out);
void ga_nova_free(struct ga_nova *nova);

static inline void ga_nova_freep(struct ga_nova **nova)
{
	ga_nova_free(*nova);
}
#define _cleanup_nova_ _cleanup_(ga_nova_freep)
