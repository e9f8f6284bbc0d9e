/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nova-config's JSON rendering of the Nova model (the text one is in cmd-nova.c). */
#pragma once

#include "ga-nova.h"

/* Nova's hw:pci_numa_affinity_policy and alias numa_policy: the GPU must be on the guest's node. */
#define NOVA_NUMA_POLICY "required"

void nova_print_json(const char *host, const struct ga_nova *nova);
