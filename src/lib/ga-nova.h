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
	uint64_t bar_bytes;                    /* its 64-bit BARs in the guest (ga_plan_bar_bytes) */
};

struct ga_nova_alias {
	char name[GA_NOVA_ALIAS_STRLEN];       /* "gh200-120gb": the model's name, lower case, shell-safe */
	uint16_t product;
	const struct ga_catalog_entry *model;
	unsigned count;                        /* GPUs of this product offered */
	unsigned nnodes;                       /* distinct host NUMA nodes they sit on */
	uint64_t bar_bytes_max;                /* the largest bar_bytes of its GPUs */
	uint64_t bar_bytes_sum;                /* the sum over its GPUs */
};

struct ga_nova {
	struct ga_nova_gpu *gpus;              /* in host order */
	size_t ngpus;
	struct ga_nova_alias *aliases;         /* in the order their first GPU came */
	size_t naliases;
	char **skipped;                        /* "<address> (<model>): <why it is not offered>" */
	size_t nskipped;
	unsigned gi_shared;                    /* the GI count all offered GPUs need; 0: they differ */
};

/* A flavor asking for an alias: how many of its GPUs, over how many guest NUMA nodes. */
struct ga_nova_flavor {
	unsigned gpus;
	unsigned nodes;
};

/* The 64-bit MMIO window a guest with flavor's GPUs needs (its largest GPUs, plus the reserve). */
uint64_t ga_nova_flavor_mmio(const struct ga_nova_alias *a, struct ga_nova_flavor fl);

/*
 * A Nova release. From 2023.1 on, Nova ships one release each half-year and
 * the nova package's major version counts them: 27 is 2023.1, 34 is 2026.2.
 */
#define GA_NOVA_MAJOR_2023_1 27
#define GA_NOVA_NEWEST_MAJOR 34     /* the newest release the items below were checked against */
#define GA_NOVA_RELEASE_STRLEN 16

struct ga_nova_release {
	unsigned major;                      /* the nova package's major version */
	char name[GA_NOVA_RELEASE_STRLEN];   /* "2026.2" */
};

/*
 * Read a release ("2026.2") or a nova package version ("34.0.0"; a Debian
 * epoch "2:" and revision "-4" are allowed). Reports -EINVAL for anything
 * else and for releases before 2023.1.
 */
int ga_nova_release_parse(struct ga_ctx *ctx, const char *text, struct ga_nova_release *rel);

/* What nova-config writes that not every Nova release reads. */
enum ga_nova_item {
	GA_NOVA_ITEM_ALIAS_NUMA_POLICY,      /* [pci] alias "numa_policy": "required" */
	GA_NOVA_ITEM_PCI_NUMA_AFFINITY,      /* flavor hw:pci_numa_affinity_policy */
	GA_NOVA_ITEM_REPORT_IN_PLACEMENT,    /* [pci] report_in_placement */
	GA_NOVA_ITEM_MANAGED,                /* [pci] device_spec "managed" */
	GA_NOVA_ITEM_ONE_TIME_USE,           /* [pci] device_spec "one_time_use" */
	GA_NOVA_ITEM_LAST
};

/* The item's name as nova.conf or a flavor spells it, and the first release (major) that reads it. */
const char *ga_nova_item_name(enum ga_nova_item item);
unsigned ga_nova_item_since(enum ga_nova_item item);

/*
 * Whether rel reads every item nova-config will write (one_time_use: with
 * that tag): 0, or -ENOTSUP reporting the first it does not read.
 */
int ga_nova_release_check(struct ga_ctx *ctx, const struct ga_nova_release *rel, bool one_time_use);

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
