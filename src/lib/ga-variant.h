/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which vfio-pci variant driver the running kernel offers for a coherent
 * Grace GPU: the in-tree nvgrace_gpu_vfio_pci, gpu-assign's companion module
 * gpu_assign_nvgrace, both, or neither. Detected, never assumed.
 *
 * The choice among several is the one libvirt (>= 10.0) makes for a
 * managed='yes' hostdev without <driver model>: of the "alias vfio_pci:"
 * lines of modules.alias that match the device's modalias, the one with the
 * fewest '*' fields, the earliest line on a tie. A field matches when it is
 * '*' or equal to the device's field (libvirt compares, it does not glob).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ga-ctx.h"
#include "ga-pci.h"

#define GA_MODALIAS_MAX 64
#define GA_VARIANT_NAME_MAX 64

/* The device's modalias as the kernel writes it ("pci:v000010DEd00002342sv..."). */
void ga_pci_modalias(const struct ga_pci_dev *dev, char buf[GA_MODALIAS_MAX]);

enum ga_variant_source {
	GA_VARIANT_NONE,       /* the kernel offers no variant driver */
	GA_VARIANT_OPTION,     /* forced by the caller (--driver-model) */
	GA_VARIANT_ALIAS,      /* modules.alias, libvirt's rule */
	GA_VARIANT_REGISTERED, /* a known variant driver registered in /sys/bus/pci/drivers */
	GA_VARIANT_SOURCE_LAST
};
const char *ga_variant_source_to_string(enum ga_variant_source source);
int ga_variant_source_from_string(const char *str); /* -1 if unknown */

struct ga_variant {
	char driver[GA_VARIANT_NAME_MAX];   /* the choice, "" for none */
	enum ga_variant_source source;
	unsigned wildcards;                 /* for GA_VARIANT_ALIAS */
	char other[GA_VARIANT_NAME_MAX];    /* another variant the kernel offers, "" none */
};

/*
 * Rank the "alias vfio_pci:" lines of a modules.alias text for modalias,
 * leaving vfio_pci itself out (it loses the GPU memory). Fills out->driver
 * (module names with '-' turned into '_'), out->wildcards and out->other;
 * returns 1 when a variant matched, 0 when none did.
 */
int ga_variant_rank_aliases(const char *alias_text, const char *modalias, struct ga_variant *out);

/*
 * The variant driver for dev: forced (when not NULL, validated), else from the
 * kernel's modules.alias (the context's modules-dir, else libkmod's default
 * /lib/modules/`uname -r`), else a known Grace variant driver already
 * registered. -ENOENT naming both drivers and how to get each when none is
 * offered.
 */
int ga_variant_detect(struct ga_ctx *ctx, const struct ga_pci_dev *dev, const char *forced,
		      struct ga_variant *out);

/*
 * One phrase saying where v came from, for show/check and the plan:
 * "from modules.alias", "registered in /sys/bus/pci/drivers", "forced",
 * and, when the kernel offers another one, which one libvirt picks and why.
 * Returns buf.
 */
char *ga_variant_describe(const struct ga_variant *v, char *buf, size_t size);
