/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What we know about NVIDIA device ids: model, family, how to assign them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct ga_ctx;

enum ga_family {
	GA_FAMILY_UNKNOWN,
	GA_FAMILY_GRACE_HOPPER,     /* GH200: Hopper GPU coherent with a Grace CPU */
	GA_FAMILY_GRACE_BLACKWELL,  /* GB200 / GB300 */
	GA_FAMILY_HOPPER,           /* discrete PCIe/SXM Hopper */
	GA_FAMILY_BLACKWELL,        /* discrete Blackwell */
	GA_FAMILY_ADA,
	GA_FAMILY_AMPERE,
	GA_FAMILY_LAST
};

const char *ga_family_to_string(enum ga_family family);
/* -1 if unknown */
int ga_family_from_string(const char *str);

/* The in-tree variant driver (Linux >= 6.9) and our companion module's driver. */
#define GA_DRIVER_NVGRACE "nvgrace_gpu_vfio_pci"
#define GA_DRIVER_NVGRACE_COMPANION "gpu_assign_nvgrace"
#define GA_DRIVER_VFIO_PCI "vfio-pci"

struct ga_catalog_entry {
	uint16_t device;        /* vendor is always NVIDIA */
	const char *name;       /* marketing name */
	enum ga_family family;
	bool coherent;          /* memory is CPU-coherent, not a PCI BAR: needs a Grace vfio-pci variant driver */
	unsigned gi_nodes;      /* guest generic-initiator NUMA nodes per GPU (0: none) */
	const char *driver;     /* driver to bind for assignment; NULL for a coherent GPU: which Grace
				 * variant driver the running kernel offers is detected (ga-variant) */
};

/* NULL for non-NVIDIA vendors and for NVIDIA ids we do not know. */
const struct ga_catalog_entry *ga_catalog_lookup(uint16_t vendor, uint16_t device);

/*
 * What the tools use: ga_catalog_lookup(), after the test catalogue entries
 * of the context's catalog-standin setting (test overrides only: a stand-in
 * device, any vendor, taken as a coherent Grace GPU of the family given, so
 * that a guest test binds it to the Grace variant driver without --force).
 * The entry lives as long as the context and its catalog-standin value.
 */
const struct ga_catalog_entry *ga_catalog_find(struct ga_ctx *ctx, uint16_t vendor, uint16_t device);

/* Iterate: entries are in id order; returns NULL past the end. */
const struct ga_catalog_entry *ga_catalog_entry_at(unsigned index);

/*
 * Whether a driver name is one that hands the device to VFIO
 * (vfio-pci or a vfio-pci variant such as the Grace driver).
 */
bool ga_driver_is_vfio(const char *driver);

/* The drivers that can serve a coherent Grace GPU, in-tree first. */
bool ga_driver_is_nvgrace(const char *driver);
