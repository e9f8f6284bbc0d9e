/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the domain XML writer (ga-domxml.c) and the remover of an earlier
 * merge's parts (ga-domxml-remove.c) share; library-internal.
 */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>

#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "ga-domxml.h"
#include "ga-form.h"
#include "ga-pci.h"

/* ga-domxml.c */
/* Unlink and free n (NULL is fine). */
void ga_domxml_drop(xmlNodePtr n);
/* A whole number in libvirt's spelling of it ("2", "0x02"), at most 0xffff; -1 when absent or not one. */
long ga_domxml_prop_num(xmlNodePtr n, const char *name);
/* A <controller type='pci'>. */
bool ga_domxml_is_pci_controller(xmlNodePtr c);
/*
 * A GPU's pcie-expander-bus and pcie-root-port, each spelled exactly as
 * libvirt formats it after define, unattached (b->oom on failure).
 */
void ga_domxml_build_expander(struct ga_builder *b, const struct ga_domxml_place *pl, xmlNodePtr *pxb,
			      xmlNodePtr *rp);

/* ga-domxml-remove.c */
/* The device has <alias name='alias'>. */
bool ga_domxml_alias_is(xmlNodePtr dev, const char *alias);
/* The element's value attribute is v (a <qemu:arg>). */
bool ga_domxml_value_is(xmlNodePtr n, const char *v);
/* A number attribute as libvirt writes it ("0x0009", "9"), at most max. */
bool ga_domxml_num_prop(xmlNodePtr n, const char *name, unsigned long max, unsigned long *out);
/* The host address in a PCI <hostdev>'s <source>. */
bool ga_domxml_hostdev_source(xmlNodePtr h, struct ga_pci_addr *a);
/*
 * Take out of the tree what an earlier merge wrote, as far as the record
 * (rec_el, read into r) is honoured: see ga-domxml-remove.c. Removes the
 * record element too.
 */
int ga_domxml_remove_ours(struct ga_ctx *ctx, xmlNodePtr root, xmlNodePtr rec_el, const struct ga_dom_record *r);
