/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generic-initiator (GI) forms, one source file each (library-internal):
 *
 *   ga-form-native.c    memoryless <cell>s in <cpu><numa> and <acpi nodeset>
 *                       in the GPU's <hostdev>
 *   ga-form-fallback.c  "-numa node", "-numa dist" and
 *                       "-object acpi-generic-initiator" in <qemu:commandline>
 *
 * Each file holds its form's read (XML to struct ga_domain, in ga-domcheck),
 * check (what a GPU's hostdev lacks), write and remove (ga-domxml's merge).
 * A domain may mix the forms: readers, checks and the remover go through
 * every form of ga_gi_forms; the writer through the one the plan chose.
 * What both forms share (the CPU cells, the MMIO window, the hostdev
 * itself) stays in ga-domcheck.c and ga-domxml.c. A new form is a new file
 * with its ops, listed in ga_gi_forms.
 */
#pragma once

#include <stdbool.h>

#include "ga-domcheck.h"
#include "ga-domxml.h"
#include "ga-xml.h"

#define XC(s) ((const xmlChar *)(s))

/* A tree under construction (ga-domxml.c); oom is sticky and checked once at the end. */
struct ga_builder {
	struct ga_ctx *ctx;
	xmlDocPtr doc;
	xmlNsPtr ga_ns;
	xmlNsPtr qemu_ns;
	xmlNodePtr record;    /* our metadata element */
	xmlNodePtr cmdline;   /* <qemu:commandline>, created on first use */
	xmlNodePtr *adopt;    /* merge: per GPU, the user's <hostdev> it adopts, or NULL */
	bool oom;             /* stop building: out of memory, or err */
	int err;              /* when oom: the error already reported, 0 for out of memory */
};

/* ga-domxml.c's tree writers, for the forms. */
xmlNodePtr ga_builder_add(struct ga_builder *b, xmlNodePtr parent, xmlNsPtr ns, const char *name);
/* A new element child of parent before `before` (appended when NULL). */
xmlNodePtr ga_builder_insert(struct ga_builder *b, xmlNodePtr parent, xmlNodePtr before, const char *name);
void ga_builder_set(struct ga_builder *b, xmlNodePtr n, const char *name, const char *fmt, ...) GA_PRINTF(4, 5);
/* Append "flag" and the formatted value as two <qemu:arg> to <qemu:commandline>. */
void ga_builder_qemu_arg(struct ga_builder *b, xmlNodePtr root, const char *flag, const char *fmt, ...)
	GA_PRINTF(4, 5);
/* Our record's <gpu-assign:qemu> element, created on first use. */
xmlNodePtr ga_builder_qemu_record(struct ga_builder *b);
/* <distances> of a cell: to every CPU cell, and to the GI nodes too when gi_too. */
void ga_builder_distances(struct ga_builder *b, xmlNodePtr cell, const struct ga_plan *plan, unsigned id,
			  bool gi_too);
/* A GPU's GI node ids as a list ("1-8"); returns buf. */
char *ga_plan_gpu_gi_list(const struct ga_plan_gpu *g, char *buf, size_t size);

/* ga-domcheck.c's helpers, for the forms. */
/* A number as libvirt writes it ("0x0009", "9"), at most max. */
bool ga_dom_parse_num(const char *s, unsigned long max, unsigned long *out);
/* The value of key in a QEMU option string "type,key=value,..." (copied into buf). */
bool ga_dom_opt_value(const char *opts, const char *key, char *buf, size_t size);
/* Append one more item to a growing array (zeroed); -E2BIG past a million. */
int ga_dom_push(struct ga_ctx *ctx, void **array, size_t *n, size_t size);
/* Node id is a <cell memory='0'> without cpus. */
bool ga_dom_memoryless_cell(const struct ga_domain *dom, unsigned id);
/* Add a problem ("a; b; c") to the findings. */
void ga_dom_problem(struct ga_dom_findings *f, const char *fmt, ...) GA_PRINTF(2, 3);

struct ga_gi_form_ops {
	enum ga_gi_form form;
	/* read: from one PCI <hostdev> element into its model (may be NULL) */
	int (*read_hostdev)(struct ga_ctx *ctx, struct ga_dom_hostdev *hd, xmlNodePtr el);
	/* read: one option and its value from <qemu:commandline> (may be NULL) */
	int (*read_qemu_arg)(struct ga_ctx *ctx, struct ga_domain *dom, const char *opt, const char *val);
	/*
	 * check: count the GI nodes this form ties to hd into *found (a node
	 * once: seen[] is shared by the forms) and add what is wrong to out
	 */
	void (*check)(const struct ga_domain *dom, const struct ga_dom_hostdev *hd, unsigned char *seen,
		      unsigned *found, struct ga_dom_findings *out);
	/* write: the GI nodes are <cell>s, and every cell has distances to them */
	bool gi_cells;
	/* write: into <cpu><numa>, after the CPU cells (may be NULL) */
	void (*write_cells)(struct ga_builder *b, xmlNodePtr numa, const struct ga_plan *plan);
	/* write: into a GPU's <hostdev> (may be NULL) */
	void (*write_hostdev)(struct ga_builder *b, xmlNodePtr hostdev, const struct ga_plan_gpu *g);
	/* write: anywhere else in the domain, last (may be NULL) */
	void (*write_domain)(struct ga_builder *b, xmlNodePtr root, const struct ga_plan *plan);
	/*
	 * remove: whether the <qemu:commandline> pair flag, value is one this
	 * form wrote as rec records it (may be NULL: the form's other parts go
	 * with the <hostdev> and <cpu><numa> the merge removes whole)
	 */
	bool (*is_ours_arg)(const char *flag, const char *value, const struct ga_dom_record *rec);
};

extern const struct ga_gi_form_ops ga_gi_form_native;
extern const struct ga_gi_form_ops ga_gi_form_fallback;
/* Every form, NULL-terminated, in the order checks report them. */
extern const struct ga_gi_form_ops *const ga_gi_forms[];

/* The ops of a resolved form (GA_GI_FORM_NATIVE or GA_GI_FORM_FALLBACK). */
const struct ga_gi_form_ops *ga_gi_form_ops_of(enum ga_gi_form form);
