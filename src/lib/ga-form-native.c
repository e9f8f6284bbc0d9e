/*
 * The native GI form: each GI node is a memoryless <cell id='N' memory='0'/>
 * of <cpu><numa> (with its distances), tied to the GPU by <acpi nodeset='N-M'/>
 * inside the GPU's <hostdev> (libvirt >= 11.8). See ga-form.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-form.h"

/*
 * A libvirt nodeset as written in <acpi nodeset>: "2-9", "2,4,6-7". Sorted,
 * de-duplicated; false for anything else (such as the "^N" exclusions).
 */
static bool parse_nodeset(const char *s, unsigned **out, size_t *n)
{
	unsigned char seen[GA_DOMAIN_MAX_NODE + 1];
	unsigned *list;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	memset(seen, 0, sizeof(seen));
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*s < '0' || *s > '9')
			return false;
		lo = hi = strtoul(s, &end, 10);
		s = end;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return false;
			hi = strtoul(s, &end, 10);
			s = end;
		}
		if (lo > hi || hi > GA_DOMAIN_MAX_NODE)
			return false;
		for (unsigned long i = lo; i <= hi; i++)
			seen[i] = 1;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return false;
	}
	for (size_t i = 0; i <= GA_DOMAIN_MAX_NODE; i++)
		count += seen[i];
	list = malloc(count * sizeof(*list) + 1);
	if (!list)
		return false;
	count = 0;
	for (unsigned i = 0; i <= GA_DOMAIN_MAX_NODE; i++)
		if (seen[i])
			list[count++] = i;
	*out = list;
	*n = count;
	return true;
}

/* read: the hostdev's <acpi nodeset> */
static int read_hostdev(struct ga_ctx *ctx, struct ga_dom_hostdev *hd, xmlNodePtr el)
{
	bool oom = false;
	_cleanup_free_ char *v = ga_xml_prop(ga_xml_child(el, "acpi"), "nodeset", &oom);

	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (!v)
		return 0;
	hd->has_nodeset = true;
	/* a nodeset we cannot read ties no node; the check says so */
	if (!parse_nodeset(v, &hd->gi_nodes, &hd->ngi_nodes)) {
		hd->gi_nodes = NULL;
		hd->ngi_nodes = 0;
	}
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

/* write: <acpi nodeset> naming the GPU's GI cells */
static void write_hostdev(struct ga_builder *b, xmlNodePtr hostdev, const struct ga_plan_gpu *g)
{
	char buf[512];
	xmlNodePtr n = ga_builder_add(b, hostdev, NULL, "acpi");

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
