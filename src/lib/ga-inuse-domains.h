/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whether a running libvirt domain holds a PCI function (its <hostdev> names
 * it), so that release does not pull a GPU out from under a running VM.
 * Never from the hook: a hook that calls libvirtd deadlocks it (the hook only
 * has ga_inuse_check_files, ga-inuse.h).
 */
#pragma once

#include <stddef.h>

#include "ga-ctx.h"
#include "ga-pci.h"

/*
 * 0 when no running domain of the libvirt at uri (NULL: the default) has one
 * of addrs as a hostdev; -EBUSY naming the domain otherwise. Without a
 * libvirt to ask (no daemon: no running domain) it logs that and returns 0.
 */
int ga_inuse_check_domains(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n);
