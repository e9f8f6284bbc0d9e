/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nova-config's renderings of the Nova model: text (cmd-nova.c) and JSON (nova-json.c). */
#pragma once

#include <stdbool.h>

#include "ga-nova.h"

/* Nova's hw:pci_numa_affinity_policy and alias numa_policy: the GPU must be on the guest's node. */
#define NOVA_NUMA_POLICY "required"

/* The scheduler filters the flavor keys need: PCI claims, and NUMA/PCI affinity at scheduling time. */
#define NOVA_FILTERS_N 2
extern const char *const nova_filters[NOVA_FILTERS_N];

/* What nova-config was asked for, and the Nova release it writes for. */
struct nova_out {
	const char *host;
	const struct ga_nova *nova;
	struct ga_nova_release release;
	char version[64];        /* the nova version found or given, "" when a release name was given */
	const char *source;      /* "option", "python", "dpkg" or "default" */
	bool one_time_use;
	const char *command;     /* the installed gpu-assign, for [gpu_assign] command */
	const char *config_path; /* gpu-assign.conf, where the shared GI count goes */
};

void nova_print_json(const struct nova_out *o);
