/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest NUMA plan: which guest NUMA cells hold the vCPUs and the RAM,
 * which generic-initiator (GI) nodes each GPU gets, the distances between all
 * guest nodes, and the 64-bit MMIO window the GPUs' BARs need. Pure data: the
 * XML writer (ga-domxml) and `gpu-assign plan --json` both render it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ga-catalog.h"
#include "ga-gi.h"
#include "ga-host.h"
#include "ga-pci.h"
#include "ga-units.h"
#include "ga-variant.h"

enum ga_arch {
	GA_ARCH_AUTO,    /* from the host model: Grace GPUs live on aarch64 hosts */
	GA_ARCH_AARCH64, /* machine 'virt', UEFI */
	GA_ARCH_X86_64,  /* machine 'q35', UEFI */
	GA_ARCH_LAST
};

const char *ga_arch_to_string(enum ga_arch arch);
int ga_arch_from_string(const char *str); /* -1 if unknown */
/* QEMU's machine type for a guest of arch: "virt" (aarch64, and auto) or "q35" (x86_64). */
const char *ga_arch_machine(enum ga_arch arch);

/* QEMU limits a guest to 128 NUMA nodes (MAX_NODES). */
#define GA_PLAN_MAX_NODES 128
/* The 64-bit MMIO window QEMU's aarch64 'virt' machine has without highmem-mmio-size. */
#define GA_PLAN_VIRT_DEFAULT_MMIO (512ULL << 30)
/* Room kept in the window for the guest's other 64-bit BARs (virtio, NICs). */
#define GA_PLAN_MMIO_RESERVE (1ULL << 30)

/*
 * The 64-bit MMIO a GPU's BARs take in the guest: each 64-bit memory BAR
 * rounded up to a power of two, as the variant driver presents it. A domain
 * needs the sum over its GPUs plus GA_PLAN_MMIO_RESERVE.
 */
uint64_t ga_plan_bar_bytes(const struct ga_pci_bar bars[GA_PCI_NUM_BARS]);

/* The default distance model, used where the host does not expose a value. */
#define GA_DIST_SELF 10
#define GA_DIST_CPU_CPU 40
#define GA_DIST_CPU_GI_LOCAL 80
#define GA_DIST_CPU_GI_REMOTE 120
#define GA_DIST_GI_GI 255

/*
 * A guest NUMA cell the domain to merge into has of its own: the plan keeps
 * it as it is (its vCPUs, its memory) and ties GPUs to it (see ga-plan.c).
 */
struct ga_plan_user_cell {
	unsigned id;
	unsigned *vcpus;            /* its cpus, sorted; NULL for a cell without CPUs */
	size_t nvcpus;
	uint64_t memory_kib;
	unsigned *host_nodes;       /* the nodeset of its <numatune><memnode>, sorted; NULL when none */
	size_t nhost_nodes;
};

struct ga_plan_request {
	const struct ga_pci_addr *gpus; /* the GPUs asked for; ignored when all_gpus */
	size_t ngpus;
	bool all_gpus;                  /* every assignable Grace GPU of the host */
	unsigned vcpus;
	uint64_t memory_kib;
	unsigned gi_nodes;              /* 0: the catalogue's count per GPU */
	bool gi_from_config;            /* gi_nodes is the configuration's <gi-nodes> (else an option's) */
	bool pin;                       /* <cputune>/<numatune> to the GPUs' host nodes */
	enum ga_arch arch;
	/* the domain's own cells (ids 0..n-1): kept, the GI nodes follow them; NULL: the planner's */
	const struct ga_plan_user_cell *user_cells;
	size_t nuser_cells;
	bool user_distances;            /* the user's cells carry <distances> */
};

struct ga_plan_cell {
	unsigned id;          /* guest node id */
	int host_node;        /* the host CPU node it stands for */
	unsigned first_vcpu;
	unsigned nvcpus;
	uint64_t memory_kib;
	char *host_cpus;      /* the host node's cpulist (for pinning) */
	char *vcpu_list;      /* a user's cell: its cpus ("0-3,8"), NULL for the planner's */
	unsigned *vcpu_ids;   /* a user's cell: its nvcpus vCPU ids; NULL: first_vcpu.. in a row */
};

/* How a GPU is tied to its guest cell. */
enum ga_plan_tie {
	GA_PLAN_TIE_HOST_NODE,  /* the planner's cell for the GPU's host node */
	GA_PLAN_TIE_NUMATUNE,   /* the user's cell whose <numatune><memnode> is on the GPU's host node */
	GA_PLAN_TIE_CHOSEN,     /* a user's cell the planner chose: no memnode names that node (warned) */
	GA_PLAN_TIE_LAST
};

const char *ga_plan_tie_to_string(enum ga_plan_tie tie);
int ga_plan_tie_from_string(const char *str); /* -1 if unknown */

#define GA_ALIAS_PREFIX "ua-gpu-"
#define GA_ALIAS_STRLEN 32

struct ga_plan_gpu {
	struct ga_pci_addr addr;
	char name[GA_PCI_ADDR_STRLEN];
	char alias[GA_ALIAS_STRLEN];  /* "ua-gpu-0009-01-00-0" */
	const struct ga_catalog_entry *model;
	char driver[GA_VARIANT_NAME_MAX]; /* the Grace variant driver (this kernel's, or forced); "" when
				       * none is named: ga_plan_prepare decides (see ga-prepare.h) */
	int host_node;                /* host CPU node of the GPU */
	unsigned cell;                /* index into plan->cells */
	enum ga_plan_tie tie;         /* how the GPU came to that cell */
	unsigned first_gi;            /* guest GI node ids first_gi .. first_gi+ngi-1 */
	unsigned ngi;
	enum ga_gi_source gi_source;
	bool acpi_known;              /* the host's _DSD gave the values below */
	char acpi_table[16];          /* the table holding it ("DSDT", "SSDT3") */
	uint64_t mem_base, mem_size;  /* nvidia,gpu-mem-base-pa/size (0 when absent) */
	bool has_pxm_start, has_pxm;  /* nvidia,gpu-mem-pxm-start, a usable -count */
	unsigned pxm_start, pxm_count;
	int *host_mem_nodes;          /* the GPU's memory nodes on the host, or NULL if unknown */
	unsigned nhost_mem_nodes;     /* GI node m stands for host_mem_nodes[m] when m < this */
	uint64_t bar_bytes;           /* 64-bit BARs, each rounded up to a power of two */
	int iommu_group;
	struct ga_pci_addr *peers;    /* the other (non-bridge) functions of its IOMMU group */
	unsigned npeers;
};

enum ga_dist_source {
	GA_DIST_SOURCE_HOST,    /* every value from the host's node distance files */
	GA_DIST_SOURCE_MIXED,   /* some from the host, the rest from the default model */
	GA_DIST_SOURCE_MODEL,   /* the default model only */
	GA_DIST_SOURCE_LAST
};

const char *ga_dist_source_to_string(enum ga_dist_source src);
int ga_dist_source_from_string(const char *str); /* -1 if unknown */

struct ga_plan {
	enum ga_arch arch;
	unsigned vcpus;
	uint64_t memory_kib;
	bool pin;
	bool user_cells;              /* cells are the domain's own (merge), not the planner's */
	bool no_distances;            /* write no <distances>/-numa dist: the user's cells have none */
	struct ga_plan_cell *cells;
	size_t ncells;
	struct ga_plan_gpu *gpus;     /* sorted by address */
	size_t ngpus;
	unsigned nnodes;              /* cells + all GI nodes */
	uint8_t *distance;            /* nnodes x nnodes, row-major */
	enum ga_dist_source dist_source;
	uint64_t mmio_needed;         /* the GPUs' BARs plus the reserve, bytes */
	uint64_t mmio_window;         /* 64-bit window to ask for; 0: the machine's default is enough */
};

/*
 * Plan a guest for req on host. Refuses, with one message naming the reason,
 * what cannot work: unknown or unassignable GPUs, non-Grace GPUs, a GPU given
 * twice, more vCPUs than the host has, memory larger than the chosen host
 * nodes, more guest NUMA nodes than QEMU allows.
 */
int ga_plan_build(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_plan_request *req,
		  struct ga_plan **out);
void ga_plan_free(struct ga_plan *plan);

static inline void ga_plan_freep(struct ga_plan **plan)
{
	ga_plan_free(*plan);
}
#define _cleanup_plan_ _cleanup_(ga_plan_freep)

static inline unsigned ga_plan_distance(const struct ga_plan *plan, unsigned from, unsigned to)
{
	return plan->distance[from * plan->nnodes + to];
}

/*
 * The host NUMA nodes that hold a Grace GPU's memory (see the comment in
 * ga-plan.c for how they are found): *out is a malloc'd array of *n node ids.
 * -ENOENT (no error recorded) when the host's layout allows no sure answer;
 * -ENOMEM (reported) when out of memory.
 */
int ga_plan_gpu_mem_nodes(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_pci_dev *dev,
			  int **out, unsigned *n);

/* ga_size_parse (a --memory size) is in ga-units.h. */

/* Format a node/CPU id list the way the kernel does ("1-8,10"); returns buf. */
char *ga_idlist_format(const unsigned *ids, size_t n, char *buf, size_t size);
