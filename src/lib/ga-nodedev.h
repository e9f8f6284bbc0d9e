/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's node-device path for binding: let libvirtd detach PCI functions
 * from their host driver (virNodeDeviceDetachFlags) and give them back
 * (virNodeDeviceReAttach), instead of gpu-assign writing sysfs itself.
 *
 * libvirt chooses the vfio driver: from 10.0 it binds a vfio-pci variant
 * driver when the kernel's modules.alias has a "vfio_pci:" alias matching
 * the device (nvgrace_gpu_vfio_pci has them for the Grace GPUs), plain
 * vfio-pci otherwise. It does not check the IOMMU group beyond what the
 * kernel enforces, and a process killed half-way leaves what was detached
 * detached (libvirtd has no journal of ours): reattach by hand.
 */
#pragma once

#include <stddef.h>

#include "ga-ctx.h"
#include "ga-pci.h"

/* "pci_dddd_bb_ss_f", libvirt's name for a PCI node device. */
void ga_nodedev_name(const struct ga_pci_addr *addr, char buf[32]);

/*
 * Detach every address; on a failure, reattach those this call detached
 * (reverse order). A function libvirt already shows on a VFIO driver is
 * left as it is, and so is never reattached by an undo.
 */
int ga_nodedev_detach(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n);

/* Reattach every address; on a failure, detach again those this call reattached. */
int ga_nodedev_reattach(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n);

/* Whether a node device description names a VFIO driver: 1 yes, 0 no, < 0 unreadable (reported). */
int ga_nodedev_xml_on_vfio(struct ga_ctx *ctx, const char *xml);
