/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `gpu-assign plan`, `xml` and `define` share before they write
 * anything: the domain to merge into (which supplies the vCPUs, the memory
 * and the architecture the request leaves out), the host, the plan, and the
 * target stack with the GI form it takes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ga-domxml.h"
#include "ga-host.h"
#include "ga-plan.h"
#include "ga-virt.h"

struct ga_plan_input {
	const struct ga_host *host;     /* the host to plan on; NULL: discovered after the domain is read */
	struct ga_plan_request req;     /* vcpus, memory_kib 0 and arch auto: the domain's, when there is one */
	const char *domain_file;        /* a domain to plan for and merge into ("-": standard input), or NULL */
	bool connect;                   /* ask the target libvirt at uri for its versions and capabilities */
	const char *uri;                /* NULL: libvirt's default */
	unsigned long libvirt_version;  /* without connect: the target's (0: the installed libvirt's) */
	unsigned long qemu_version;     /* without connect: the target's (0: unknown) */
	enum ga_gi_form form;           /* the GI form wanted (auto: the target's best) */
	bool managed_yes;               /* managed='yes' asked for (refused before libvirt 10.0) */
	const char *driver_model;       /* the Grace variant driver to name, NULL: this kernel's (see below) */
	const char *virt_type;          /* "kvm" (NULL) or "qemu": the domain capabilities to read */
};

struct ga_prepared {
	char *domain;                   /* the domain file's text; NULL without one */
	size_t domain_len;
	struct ga_domxml_info info;     /* what the domain says of itself */
	const struct ga_host *host;     /* the input's, or the one discovered */
	struct ga_host *discovered;
	struct ga_plan *plan;
	struct ga_target target;
	struct ga_target_caps caps;     /* what the XML writer should emit for target */
};

/*
 * Read the domain (when given), discover the host, plan, and resolve the
 * target (the version gates of ga_target_resolve). Each GPU's variant driver
 * is driver_model when given; else, on a target that is another host, none
 * (libvirt there picks it, and a warning says so); else the one this kernel
 * offers (ga_variant_detect: refused, naming both drivers, when it offers
 * none). For libvirt 9.7 - 9.x a warning says who binds it. The request's vCPUs and memory win over the domain's; a domain
 * without them where the request has none is refused. On failure nothing is
 * left in *out to free.
 */
int ga_plan_prepare(struct ga_ctx *ctx, const struct ga_plan_input *in, struct ga_prepared *out);
void ga_prepared_clear(struct ga_prepared *p);

/*
 * What the target decides in the domain XML options: the GI form, whether a
 * <driver model> is written, whether the aarch64 MMIO window is <pcihole64>
 * (libvirt >= 11.4) or an argument and, for a libvirt that binds no variant driver
 * itself (9.7 - 9.x), managed='no' whatever was asked (the variant driver is
 * bound before the start, never by libvirt).
 */
void ga_prepared_domxml_opts(const struct ga_prepared *p, struct ga_domxml_opts *o);

/*
 * The driver step of ga_plan_prepare on its own (p's plan, host, target and
 * caps resolved): each GPU's variant driver and what the target does with it
 * (caps.driver_model off where no model is named), with its warnings.
 */
int ga_prepared_resolve_drivers(struct ga_ctx *ctx, const struct ga_plan_input *in, struct ga_prepared *p);
