/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt domain XML for a plan, built and merged with libxml2 only.
 *
 * Everything we write is recorded in one element in the domain's <metadata>,
 * under our own namespace (GA_DOMXML_NS); a later merge removes exactly what
 * that record names and writes the plan again, so running a merge twice gives
 * the same bytes and dropping a GPU from the request drops exactly its parts.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ga-domcheck.h"
#include "ga-plan.h"
#include "ga-units.h"
#include "ga-virt.h"


/* First slot on pcie.0 for the GPUs; libvirt's own root ports start at 1. */
#define GA_DOMXML_FIRST_SLOT 0x10
#define GA_DOMXML_LAST_SLOT 0x1f
/* Our pcie-expander-bus controllers take bus numbers downwards from here (as libvirt's own choice does). */
#define GA_DOMXML_TOP_BUS_NR 256
/* Longest domain name in bytes: libvirt names files after it (NAME.xml, NAME_VARS.fd), 255 bytes at most. */
#define GA_DOMXML_NAME_MAX 200
/* ids of our acpi-generic-initiator objects: "ga-gi" + guest node id */
#define GA_GI_OBJECT_PREFIX "ga-gi"

struct ga_domxml_opts {
	const char *name;        /* new domain: its name (required) */
	enum ga_gi_form form;    /* GA_GI_FORM_NATIVE or GA_GI_FORM_FALLBACK (resolved) */
	bool driver_model;       /* emit <driver model='...'/> */
	bool managed;            /* <hostdev managed='yes'> */
	bool managed_auto;       /* instead: yes, unless the GPU shares its IOMMU group
				  * (libvirt would bind only the GPU, and QEMU refuses a
				  * group that is not all on VFIO): then no, with a warning */
	const char *virt_type;   /* "kvm" (default when NULL) or "qemu" */
	bool flat;               /* every GPU on pcie.0, even in a guest of several cells */
	struct ga_domxml_place *placed; /* when not NULL: where each GPU of the plan went (plan->ngpus entries) */
	bool virt_pcihole64;     /* aarch64: the MMIO window as pcie-root's <pcihole64> (libvirt >= 11.4),
				  * else -machine highmem-mmio-size in <qemu:commandline> */
};

/*
 * Where a GPU's new <hostdev> sits in the guest. A guest of several NUMA
 * cells gets each GPU behind its own pcie-expander-bus (pxb-pcie), whose
 * <target><node> is the guest node of the GPU's CPU cell, with one
 * pcie-root-port on it for the GPU, so the guest driver sees the GPU's
 * NUMA affinity; one cell (or opts.flat) keeps every GPU on pcie.0.
 */
struct ga_domxml_place {
	bool expander;           /* behind its own expander bus and root port */
	unsigned bus;            /* controller index of the GPU's bus: 0 (pcie.0) or its root port */
	unsigned slot;           /* the GPU's slot on that bus */
	unsigned pxb_index;      /* expander: the pcie-expander-bus controller's index */
	unsigned pxb_bus_nr;     /* expander: its <target busNr> */
	unsigned pxb_slot;       /* expander: its slot on pcie.0 */
	unsigned node;           /* expander: its <target><node>, the guest node of the GPU's cell */
};

/* What a user's domain says about its size and machine (merge mode). */
struct ga_domxml_info {
	unsigned vcpus;          /* 0: not given */
	uint64_t memory_kib;     /* 0: not given */
	enum ga_arch arch;       /* GA_ARCH_AUTO: not given or unknown to us */
	char *arch_name;         /* as written, NULL if absent */
	char *machine;           /* NULL if absent */
	char *name;              /* NULL if absent */
	struct ga_plan_user_cell *cells; /* its own guest NUMA cells (not an earlier merge's), in order */
	size_t ncells;
	bool cell_distances;     /* some of them carry <distances> */
	uint64_t memory_devices_kib; /* its <devices><memory> (libvirt's <memory> = cells + these) */
	char *root_bus_model;    /* the model of its <controller type='pci' index='0'>, NULL if none */
};

void ga_domxml_info_clear(struct ga_domxml_info *info);

/* Parse a user's domain just enough to plan for it. */
int ga_domxml_read_info(struct ga_ctx *ctx, const char *xml, size_t len, struct ga_domxml_info *info);
/*
 * Whether a domain's architecture and machine type can take the GPU layout
 * for arch (GA_ARCH_AUTO: only whether its architecture is one we know).
 * Asked before planning too, so that such a domain is refused before any
 * warning of the planner.
 */
int ga_domxml_check_machine(struct ga_ctx *ctx, const struct ga_domxml_info *info, enum ga_arch arch);

/*
 * A complete new domain for plan. *out is a NUL-terminated malloc'd string.
 * The name must be one libvirt takes: not empty, valid UTF-8 without control
 * characters or '/', at most GA_DOMXML_NAME_MAX bytes (the same is asked of
 * the <name> of a domain to merge into).
 */
int ga_domxml_new(struct ga_ctx *ctx, const struct ga_plan *plan, const struct ga_domxml_opts *opts,
		  char **out);

/*
 * Merge plan into the user's domain xml: keep everything that is not ours,
 * replace what an earlier merge wrote (as far as its record is borne out by
 * the elements: see remove_ours). The domain's own NUMA cells stay and the
 * GI nodes follow them (plan them with the cells ga_domxml_read_info read);
 * a <hostdev> of the user's that holds a planned GPU is adopted and only
 * completed. Refuses conflicts (-numa arguments or GI objects of the user's,
 * a GPU alias taken by another device, a machine that is not 'virt' on
 * aarch64, a different architecture).
 */
int ga_domxml_merge(struct ga_ctx *ctx, const char *xml, size_t len, const struct ga_plan *plan,
		    const struct ga_domxml_opts *opts, char **out);

