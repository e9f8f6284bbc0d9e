/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI addresses and what sysfs tells about one PCI function. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ga-ctx.h"

/* "dddd:bb:ss.f" plus NUL */
#define GA_PCI_ADDR_STRLEN 13
#define GA_PCI_NUM_BARS 6

struct ga_pci_addr {
	uint16_t domain;
	uint8_t bus;
	uint8_t slot; /* 0..0x1f */
	uint8_t func; /* 0..7 */
};

/*
 * Parse an address as an operator types it: "DDDD:BB:SS.F", "BB:SS.F" (domain
 * 0), lspci's short forms with fewer digits ("9:1:0.0"), or virsh's node
 * device name "pci_DDDD_BB_SS_F"; hex in either case, blanks around it
 * ignored. Anything else is refused: the result is used to build sysfs paths.
 */
int ga_pci_addr_parse(struct ga_ctx *ctx, const char *str, struct ga_pci_addr *out);
/*
 * Report that addr is not on this host (-ENODEV). For an address in domain 0
 * whose bus:slot.function exists in exactly one other domain, the message
 * asks "did you mean" that one.
 */
int ga_pci_report_missing(struct ga_ctx *ctx, const struct ga_pci_addr *addr);
/* Only the canonical "DDDD:BB:SS.F" or "BB:SS.F", exact widths, no error
 * recorded: for names that come from sysfs and our own state files. */
bool ga_pci_addr_valid(const char *str, struct ga_pci_addr *out);
/* Canonical lower-case "dddd:bb:ss.f"; returns buf. */
char *ga_pci_addr_format(const struct ga_pci_addr *addr, char buf[GA_PCI_ADDR_STRLEN]);
int ga_pci_addr_cmp(const struct ga_pci_addr *a, const struct ga_pci_addr *b);
/* Sort n addresses in ga_pci_addr_cmp order. */
void ga_pci_addr_sort(struct ga_pci_addr *v, size_t n);
bool ga_pci_addr_equal(const struct ga_pci_addr *a, const struct ga_pci_addr *b);

#define GA_PCI_VENDOR_NVIDIA 0x10de
#define GA_PCI_CLASS_BRIDGE 0x06     /* base class */
#define GA_PCI_CLASS_DISPLAY 0x03    /* base class: VGA, 3D (the GPUs) */

struct ga_pci_bar {
	uint64_t start;
	uint64_t size;  /* 0: unused */
	bool is_io;
	bool is_64bit;
	bool prefetchable;
};

struct ga_pci_dev {
	struct ga_pci_addr addr;
	char name[GA_PCI_ADDR_STRLEN];
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class;           /* 24-bit class code */
	char *driver;             /* bound driver, NULL if none */
	char *driver_override;    /* NULL if unset */
	int iommu_group;          /* -1: no IOMMU group (IOMMU off) */
	int numa_node;            /* -1: none reported */
	char *acpi_path;          /* ACPI companion's path, NULL if none */
	struct ga_pci_bar bars[GA_PCI_NUM_BARS];
};

/* Read everything about one function. Reports a missing device clearly. */
int ga_pci_dev_read(struct ga_ctx *ctx, const struct ga_pci_addr *addr, struct ga_pci_dev *dev);
void ga_pci_dev_clear(struct ga_pci_dev *dev);

static inline bool ga_pci_dev_is_bridge(const struct ga_pci_dev *dev)
{
	return (dev->class >> 16) == GA_PCI_CLASS_BRIDGE;
}

/* Parse the kernel's "resource" attribute (start end flags per line). */
int ga_pci_parse_resource(struct ga_ctx *ctx, const char *text, struct ga_pci_bar bars[GA_PCI_NUM_BARS]);

/* Addresses of the functions in an IOMMU group, sorted; *n set to the count. */
int ga_pci_iommu_group_members(struct ga_ctx *ctx, int group, struct ga_pci_addr **out, size_t *n);
