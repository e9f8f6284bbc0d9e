/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libvirt side: what the target stack can do (versions, domain
 * capabilities), which form of the generic-initiator nodes it takes, and
 * defining a domain through the libvirt C API.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ga-ctx.h"

/* Versions are encoded as libvirt does: major * 1000000 + minor * 1000 + micro. */
#define GA_VERSION(maj, min, mic) ((maj) * 1000000UL + (min) * 1000UL + (mic))

/* libvirt turns memoryless cells + <hostdev><acpi nodeset> into GI objects. */
#define GA_LIBVIRT_NATIVE_GI GA_VERSION(11, 8, 0)
/* libvirt knows <hostdev><driver model='...'> and binds a vfio variant driver for managed='yes'. */
#define GA_LIBVIRT_DRIVER_MODEL GA_VERSION(10, 0, 0)
/* libvirt accepts a managed='no' device that is already on a vfio variant driver (not only vfio-pci). */
#define GA_LIBVIRT_VARIANT_UNMANAGED GA_VERSION(9, 7, 0)
/*
 * libvirt turns pcie-root's <pcihole64> into -machine highmem-mmio-size on
 * aarch64 'virt' (with QEMU >= 10.0; 11.3 refuses it: "Setting the 64-bit PCI
 * hole size is not supported for machine 'virt'"). Neither the domain
 * capabilities nor any other API says so: the version is the only witness.
 */
#define GA_LIBVIRT_VIRT_PCIHOLE64 GA_VERSION(11, 4, 0)
/* QEMU has the acpi-generic-initiator object. */
#define GA_QEMU_GI GA_VERSION(9, 0, 0)
/* QEMU writes the GI entry's PCI address in the right byte order. */
#define GA_QEMU_GI_FIXED GA_VERSION(9, 2, 0)
/* QEMU's aarch64 'virt' machine has the highmem-mmio-size property. */
#define GA_QEMU_HIGHMEM_MMIO GA_VERSION(10, 0, 0)

/* Parse "MAJOR.MINOR[.MICRO]" (each part 0..999). */
int ga_version_parse(struct ga_ctx *ctx, const char *str, unsigned long *out);
/* "11.3.0", or "unknown" for 0; returns buf. */
char *ga_version_format(unsigned long v, char *buf, size_t size);

enum ga_gi_form {
	GA_GI_FORM_AUTO,
	GA_GI_FORM_NATIVE,   /* memoryless <cell>s + <hostdev><acpi nodeset> (libvirt >= 11.8) */
	GA_GI_FORM_FALLBACK, /* -numa node + -object acpi-generic-initiator in <qemu:commandline> */
	GA_GI_FORM_LAST
};

const char *ga_gi_form_to_string(enum ga_gi_form form);
int ga_gi_form_from_string(const char *str); /* -1 if unknown */

struct ga_target {
	unsigned long libvirt_version; /* 0: unknown */
	unsigned long qemu_version;    /* 0: unknown (not asked, or not a QEMU driver) */
	char *uri;                     /* the connection's URI, NULL offline */
	char *driver;                  /* the connection's driver type ("QEMU", "TEST"), NULL offline */
	bool domcaps;                  /* domain capabilities were read */
	bool hostdev_vfio;             /* ...and they list the vfio PCI hostdev backend */
	char *domcaps_machine;         /* ...the machine type they were read for */
	bool remote;                   /* the connection's URI names another host: this kernel says nothing there */
};

void ga_target_clear(struct ga_target *t);

/* Whether a libvirt URI names a host ("qemu+ssh://gh1/system"; "localhost" is this one). */
bool ga_uri_is_remote(const char *uri);

/* The installed libvirt library's version (the offline default for the target). */
int ga_target_local(struct ga_ctx *ctx, struct ga_target *t);

/*
 * Open uri read-only and read the libvirt version, the hypervisor version
 * (QEMU drivers only) and the domain capabilities for arch/machine/virttype
 * (missing capabilities are logged, not an error: not every driver has them).
 */
int ga_target_connect(struct ga_ctx *ctx, const char *uri, const char *arch, const char *machine,
		      const char *virttype, struct ga_target *t);

/* What the plan asks of the target. */
struct ga_target_want {
	enum ga_gi_form form;   /* auto: the target's best */
	bool managed_yes;       /* <hostdev managed='yes'> asked for */
	uint64_t highmem_mmio;  /* the aarch64 -machine highmem-mmio-size the plan asks for (bytes), 0 none */
};

/* What the XML writer should emit for a target. */
struct ga_target_caps {
	enum ga_gi_form form;
	bool driver_model; /* libvirt takes <driver model='...'/> (>= 10.0) */
	bool unmanaged;    /* libvirt 9.7 - 9.x: managed='no', the hook or 'gpu-assign bind' binds the variant driver */
	bool virt_pcihole64; /* aarch64 'virt': the MMIO window as pcie-root's <pcihole64> (libvirt >= 11.4), not
			      * -machine highmem-mmio-size in <qemu:commandline> */
};

/*
 * The version gates, one message each (refusals are errors, the rest
 * warnings in the log):
 *   libvirt < 9.7                 refused: it accepts a GPU only on plain vfio-pci;
 *   9.7 <= libvirt < 10.0         managed='no' (caps->unmanaged), --managed yes refused;
 *   libvirt >= 10.0               managed='yes' with <driver model>;
 *   native form, libvirt < 11.8   refused;
 *   QEMU < 9.0                    refused (no acpi-generic-initiator);
 *   QEMU < 10.0 and highmem_mmio  refused (no -machine highmem-mmio-size);
 *   libvirt >= 11.4               the aarch64 window as <pcihole64> (caps->virt_pcihole64), older
 *                                 ones get the argument in <qemu:commandline>;
 *   QEMU 9.0, 9.1                 warned (the GI entry's PCI address byte order);
 *   QEMU unknown                  warned, saying what is assumed (10.0 or newer);
 *   capabilities without VFIO     warned.
 */
int ga_target_resolve(struct ga_ctx *ctx, const struct ga_target *t, const struct ga_target_want *want,
		      struct ga_target_caps *caps);

/* Define xml on uri (NULL: libvirt's default) and return its name and UUID. */
int ga_virt_define(struct ga_ctx *ctx, const char *uri, const char *xml, char **name, char **uuid);
