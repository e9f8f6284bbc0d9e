/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who still uses a PCI function on a vfio driver, so that release does not
 * pull a GPU out from under a running VM:
 *   - a process with the function's VFIO group (/dev/vfio/GROUP) or VFIO
 *     device file (/dev/vfio/devices/vfioN) open, found in <proc-root>/PID/fd;
 *     safe anywhere, the libvirt hook included;
 *   - a running libvirt domain whose <hostdev> names the function: see
 *     ga-inuse-domains.h (it reads domain XML, a layer up).
 */
#pragma once

#include <stddef.h>

#include "ga-ctx.h"
#include "ga-pci.h"

/* 0 when no process holds addr (group: its IOMMU group, -1 none); -EBUSY naming the process otherwise. */
int ga_inuse_check_files(struct ga_ctx *ctx, const struct ga_pci_addr *addr, int group);
