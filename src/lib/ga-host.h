/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host as the library sees it: PCI functions and NUMA nodes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ga-ctx.h"
#include "ga-pci.h"

struct ga_numa_node {
	int id;
	unsigned ncpus;
	char *cpulist;           /* as the kernel prints it, "" when CPU-less */
	uint64_t mem_total_kib;
	int *distance;           /* distance[i] to host->nodes[i]; NULL if not exposed */
};

struct ga_host {
	struct ga_pci_dev *devs; /* sorted by address */
	size_t ndevs;
	struct ga_numa_node *nodes; /* sorted by id */
	size_t nnodes;
	unsigned ncpus;          /* online CPUs */
};

/*
 * Enumerate PCI functions with libudev (names only) and read each one, and
 * the NUMA view, through ga-sysfs.
 */
int ga_host_discover(struct ga_ctx *ctx, struct ga_host **out);
void ga_host_free(struct ga_host *host);

static inline void ga_host_freep(struct ga_host **host)
{
	ga_host_free(*host);
}
#define _cleanup_host_ _cleanup_(ga_host_freep)

const struct ga_pci_dev *ga_host_find_dev(const struct ga_host *host, const struct ga_pci_addr *addr);
const struct ga_numa_node *ga_host_find_node(const struct ga_host *host, int id);
/* Distance between two host nodes, -1 if unknown. */
int ga_host_node_distance(const struct ga_host *host, int from, int to);

/* Read only the NUMA view (used by discover; separate for tests). */
int ga_host_read_numa(struct ga_ctx *ctx, struct ga_host *host);

/*
 * Parse a kernel CPU/node list ("0-3,8,10-11", "" for empty) into sorted,
 * unique numbers below `limit`. *out is malloc'd (NULL when empty).
 */
int ga_cpulist_parse(struct ga_ctx *ctx, const char *str, unsigned limit, unsigned **out, size_t *n);
/*
 * The same for a list of a libvirt domain (cell cpus, memnode and acpi
 * nodesets), in libvirt's syntax: blanks around the items are allowed and
 * "^N" leaves N out of what the items before it gave ("0-3,^2": 0,1,3).
 */
int ga_libvirt_list_parse(struct ga_ctx *ctx, const char *str, unsigned limit, unsigned **out, size_t *n);
