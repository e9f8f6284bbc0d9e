/*
 * The libvirt side: what the target stack can do (versions, domain
 * capabilities), which form of the generic-initiator nodes it takes, and
 * defining a domain through the libvirt C API.
 */
#pragma once

#include <stdbool.h>

#include "ga-ctx.h"

/* Versions are encoded as libvirt does: major * 1000000 + minor * 1000 + micro. */
#define GA_VERSION(maj, min, mic) ((maj) * 1000000UL + (min) * 1000UL + (mic))

/* libvirt turns memoryless cells + <hostdev><acpi nodeset> into GI objects. */
#define GA_LIBVIRT_NATIVE_GI GA_VERSION(11, 8, 0)
/* libvirt knows <hostdev><driver model='...'> (vfio variant drivers). */
#define GA_LIBVIRT_DRIVER_MODEL GA_VERSION(10, 0, 0)
/* QEMU has the acpi-generic-initiator object. */
#define GA_QEMU_GI GA_VERSION(9, 0, 0)
/* QEMU writes the GI entry's PCI address in the right byte order. */
#define GA_QEMU_GI_FIXED GA_VERSION(9, 2, 0)

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
};

void ga_target_clear(struct ga_target *t);

/* The installed libvirt library's version (the offline default for the target). */
int ga_target_local(struct ga_ctx *ctx, struct ga_target *t);

/*
 * Open uri read-only and read the libvirt version, the hypervisor version
 * (QEMU drivers only) and the domain capabilities for arch/machine/virttype
 * (missing capabilities are logged, not an error: not every driver has them).
 */
int ga_target_connect(struct ga_ctx *ctx, const char *uri, const char *arch, const char *machine,
		      const char *virttype, struct ga_target *t);

/* What the XML writer should emit for a target. */
struct ga_target_caps {
	enum ga_gi_form form;
	bool driver_model; /* <driver model='nvgrace_gpu_vfio_pci'/> */
};

/*
 * Decide the GI form and the optional elements for target. Refuses QEMU older
 * than 9.0 (no acpi-generic-initiator) and a native form the libvirt cannot
 * take; warns (log) for QEMU 9.0/9.1, which write the GI entry's PCI address
 * in the wrong byte order, and for capabilities without VFIO.
 */
int ga_target_resolve(struct ga_ctx *ctx, const struct ga_target *t, enum ga_gi_form wanted,
		      struct ga_target_caps *caps);

/* Define xml on uri (NULL: libvirt's default) and return its name and UUID. */
int ga_virt_define(struct ga_ctx *ctx, const char *uri, const char *xml, char **name, char **uuid);
