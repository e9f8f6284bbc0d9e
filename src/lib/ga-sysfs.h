/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every sysfs access goes through here. Paths are relative to the context's
 * sysfs root and are opened with openat() on a directory fd of that root, so
 * tests can point the whole library at a fixture tree (GA_SYSFS_ROOT).
 *
 * Paths are given as printf formats; the GA_SYSFS_* formats below are the
 * only places where the layout of /sys is spelled out.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ga-ctx.h"

#define GA_SYSFS_PCI_DEVICES "bus/pci/devices"
#define GA_SYSFS_PCI_DEV "bus/pci/devices/%s"          /* + address */
#define GA_SYSFS_PCI_DEV_ATTR "bus/pci/devices/%s/%s"  /* + address, attribute */
#define GA_SYSFS_PCI_DRIVER "bus/pci/drivers/%s"       /* + driver name */
#define GA_SYSFS_PCI_DRIVER_ATTR "bus/pci/drivers/%s/%s"
#define GA_SYSFS_PCI_DRIVERS_PROBE "bus/pci/drivers_probe"
#define GA_SYSFS_IOMMU_GROUP_DEVS "kernel/iommu_groups/%d/devices"
#define GA_SYSFS_VFIO_GROUP_DEVT "class/vfio/%d/dev"           /* + group: "MAJ:MIN" of /dev/vfio/GROUP */
#define GA_SYSFS_PCI_VFIO_DEVT "bus/pci/devices/%s/vfio-dev/%s/dev" /* + address, vfioN */
#define GA_SYSFS_NODE_DIR "devices/system/node"
#define GA_SYSFS_NODE_ATTR "devices/system/node/node%d/%s"
#define GA_SYSFS_ACPI_TABLES "firmware/acpi/tables" /* DSDT, SSDT1, ... (root only) */

/* Largest attribute we read; sysfs attributes are at most a page. */
#define GA_SYSFS_MAX_READ 65536

/*
 * Read a whole attribute into a new string with the trailing newline removed.
 * Reports "cannot read '<root>/<path>': <why>" on failure.
 */
int ga_sysfs_read(struct ga_ctx *ctx, char **out, const char *fmt, ...) GA_PRINTF(3, 4);

/*
 * Read a whole binary file (an ACPI table) into a new buffer of *len bytes,
 * refusing more than max bytes (-EFBIG, "larger than N bytes"). Errors are
 * reported as for ga_sysfs_read. Free *out with free().
 */
int ga_sysfs_read_bin(struct ga_ctx *ctx, unsigned char **out, size_t *len, size_t max, const char *fmt, ...)
	GA_PRINTF(5, 6);

/* The last path component of a symlink's target ("nvidia" for a driver link). */
int ga_sysfs_link_name(struct ga_ctx *ctx, char **out, const char *fmt, ...) GA_PRINTF(3, 4);

/* The names in a directory, sorted, without "." and "..", NULL-terminated. */
int ga_sysfs_list(struct ga_ctx *ctx, char ***out, const char *fmt, ...) GA_PRINTF(3, 4);

/* Write value (no newline added) in one write(2). */
int ga_sysfs_write(struct ga_ctx *ctx, const char *value, const char *fmt, ...) GA_PRINTF(3, 4);

/* Whether the path exists (follows symlinks). Never reports. */
bool ga_sysfs_exists(struct ga_ctx *ctx, const char *fmt, ...) GA_PRINTF(2, 3);

/* 0 if the sysfs root opens, else the reported error ("cannot open sysfs root '...'"). */
int ga_sysfs_check_root(struct ga_ctx *ctx);

/* Helpers that parse what ga_sysfs_read returns. */
int ga_sysfs_read_int(struct ga_ctx *ctx, long *out, const char *fmt, ...) GA_PRINTF(3, 4);
