// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The native GI form: each GI node is a memoryless <cell id='N' memory='0'/>
 * of <cpu><numa> (with its distances), tied to the GPU by <acpi nodeset='N-M'/>
 * inside the GPU's <hostdev> (libvirt >= 11.8). See ga-form.h.
 */
#include <errno.h>

#include "ga-ctx.h"
#include "ga-form.h"
#include "ga-host.h"

/* read: the hostdev's <acpi nodeset> */
static int read_hostdev(struct ga_ctx *ctx, struct ga_dom_hostdev *hd, xmlNodePtr el)
{
	bool oom = false;
	_cleanup_free_ char *v = ga_xml_prop(ga_xml_child(el, "acpi"), "nodeset", &oom);
	int r;

	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (!v)
		return 0;
	hd->has_nodeset = true;
	/* "2-9", "2,4,6-7", "2-9,^5": libvirt's list syntax. One we cannot read ties no node; the check says so. */
	r = ga_libvirt_list_parse(ctx, v, GA_DOMAIN_MAX_NODE + 1, &hd->gi_nodes, &hd->ngi_nodes);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		ga_clear_error(ctx);
	return 0;
}

/* check: the nodes of its nodeset must be memoryless cells without cpus */
static void check(const struct ga_domain *dom, const struct ga_dom_hostdev *hd, unsigned char *seen,
		  unsigned *found, struct ga_dom_findings *out)
{
	unsigned bad = 0;

	for (size_t i = 0; i < hd->ngi_nodes; i++) {
		unsigned id = hd->gi_nodes[i];

		if (!ga_dom_memoryless_cell(dom, id)) {
			bad++;
			continue;
		}
		if (!seen[id]++)
			(*found)++;
	}
	if (hd->has_nodeset && hd->ngi_nodes == 0)
		ga_dom_problem(out, "its <acpi nodeset> cannot be read (write it like '2-9')");
	if (bad)
		ga_dom_problem(out, "%u node(s) of its <acpi nodeset> are not memoryless <cell memory='0'> cells without cpus",
			       bad);
}

/* write: a memoryless cell per GI node, after the CPU cells */
static void write_cells(struct ga_builder *b, xmlNodePtr numa, const struct ga_plan *plan)
{
	for (unsigned id = (unsigned)plan->ncells; id < plan->nnodes; id++) {
		xmlNodePtr cell = ga_builder_add(b, numa, NULL, "cell");

		ga_builder_set(b, cell, "id", "%u", id);
		ga_builder_set(b, cell, "memory", "0");
		ga_builder_set(b, cell, "unit", "KiB");
		ga_builder_distances(b, cell, plan, id, true);
	}
}

/*
 * write: <acpi nodeset> naming the GPU's GI cells, before the hostdev's guest
 * <address>: where libvirt formats it, so that 'virsh dumpxml' of the defined
 * domain merges back to the same document
 */
static void write_hostdev(struct ga_builder *b, xmlNodePtr hostdev, const struct ga_plan_gpu *g)
{
	char buf[512];
	xmlNodePtr n = ga_builder_insert(b, hostdev, ga_xml_child(hostdev, "address"), "acpi");

	ga_builder_set(b, n, "nodeset", "%s", ga_plan_gpu_gi_list(g, buf, sizeof(buf)));
}

/* remove: nothing of its own; its cells go with <cpu><numa>, its nodeset with the <hostdev> */
const struct ga_gi_form_ops ga_gi_form_native = {
	.form = GA_GI_FORM_NATIVE,
	.read_hostdev = read_hostdev,
	.check = check,
	.gi_cells = true,
	.write_cells = write_cells,
	.write_hostdev = write_hostdev,
};
