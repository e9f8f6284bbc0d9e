// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fallback GI form, for libvirt without <acpi nodeset>: QEMU arguments in
 * <qemu:commandline>, "-numa node,nodeid=N" per GI node, "-numa dist" for its
 * distances and one "-object acpi-generic-initiator,id=ga-giN,pci-dev=ALIAS,
 * node=N" per node, ALIAS being the GPU hostdev's (user) alias. See ga-form.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-form.h"

#define GI_OBJECT_ID "acpi-generic-initiator,id=" GA_GI_OBJECT_PREFIX

/* read: "-numa node,nodeid=N" and "-object acpi-generic-initiator,..." */
static int read_qemu_arg(struct ga_ctx *ctx, struct ga_domain *dom, const char *opt, const char *val)
{
	char buf[256], id[128], dev[128];
	struct ga_dom_gi_object *gi;
	unsigned long num;
	int r;

	if (!strcmp(opt, "-numa")) {
		if (strncmp(val, "node,", 5) || !ga_dom_opt_value(val, "nodeid", buf, sizeof(buf)) ||
		    !ga_dom_parse_num(buf, GA_DOMAIN_MAX_NODE, &num))
			return 0;
		r = ga_dom_push(ctx, (void **)&dom->numa_nodeids, &dom->nnuma_nodeids, sizeof(*dom->numa_nodeids));
		if (r < 0)
			return r;
		dom->numa_nodeids[dom->nnuma_nodeids - 1] = (unsigned)num;
		return 0;
	}
	if (strcmp(opt, "-object"))
		return 0;
	if (strncmp(val, "acpi-generic-initiator,", 23) || !ga_dom_opt_value(val, "pci-dev", dev, sizeof(dev)) ||
	    !ga_dom_opt_value(val, "node", buf, sizeof(buf)) || !ga_dom_parse_num(buf, GA_DOMAIN_MAX_NODE, &num))
		return 0;
	if (!ga_dom_opt_value(val, "id", id, sizeof(id)))
		id[0] = '\0';
	r = ga_dom_push(ctx, (void **)&dom->gi_objects, &dom->ngi_objects, sizeof(*dom->gi_objects));
	if (r < 0)
		return r;
	gi = &dom->gi_objects[dom->ngi_objects - 1];
	gi->node = (unsigned)num;
	gi->id = strdup(id);
	gi->pci_dev = strdup(dev);
	if (!gi->id || !gi->pci_dev)
		return ga_report(ctx, -ENOMEM, "out of memory");
	return 0;
}

static bool numa_declared(const struct ga_domain *dom, unsigned id)
{
	for (size_t i = 0; i < dom->nnuma_nodeids; i++)
		if (dom->numa_nodeids[i] == id)
			return true;
	return false;
}

/* check: objects naming the hostdev's alias, each for a declared node */
static void check(const struct ga_domain *dom, const struct ga_dom_hostdev *hd, unsigned char *seen,
		  unsigned *found, struct ga_dom_findings *out)
{
	unsigned undeclared = 0;

	for (size_t i = 0; hd->alias && i < dom->ngi_objects; i++) {
		const struct ga_dom_gi_object *gi = &dom->gi_objects[i];

		if (strcmp(gi->pci_dev, hd->alias))
			continue;
		if (!numa_declared(dom, gi->node) && !ga_dom_memoryless_cell(dom, gi->node)) {
			undeclared++;
			continue;
		}
		if (!seen[gi->node]++)
			(*found)++;
	}
	if (undeclared)
		ga_dom_problem(out,
			       "%u acpi-generic-initiator object(s) for alias '%s' name a node that no '-numa node,nodeid=N' declares",
			       undeclared, hd->alias);
	if (!hd->alias && dom->ngi_objects && !hd->has_nodeset)
		ga_dom_problem(out, "its <hostdev> has no <alias name='ua-...'/>, so no acpi-generic-initiator object can name it");
}

/* write: -numa node / -numa dist / acpi-generic-initiator, and the node ids in our record */
static void write_domain(struct ga_builder *b, xmlNodePtr root, const struct ga_plan *plan)
{
	unsigned first = (unsigned)plan->ncells;

	for (unsigned id = first; id < plan->nnodes; id++)
		ga_builder_qemu_arg(b, root, "-numa", "node,nodeid=%u", id);
	/* Every pair with a GI node once; QEMU mirrors a symmetric value. */
	for (unsigned i = 0; i < plan->nnodes && !plan->no_distances; i++) {
		for (unsigned j = 0; j < plan->nnodes; j++) {
			unsigned d = ga_plan_distance(plan, i, j);

			if (i == j || (i < first && j < first))
				continue;
			if (j < i && ga_plan_distance(plan, j, i) == d)
				continue;
			ga_builder_qemu_arg(b, root, "-numa", "dist,src=%u,dst=%u,val=%u", i, j, d);
		}
	}
	for (size_t g = 0; g < plan->ngpus; g++) {
		const struct ga_plan_gpu *pg = &plan->gpus[g];

		for (unsigned k = 0; k < pg->ngi; k++)
			ga_builder_qemu_arg(b, root, "-object", GI_OBJECT_ID "%u,pci-dev=%s,node=%u", pg->first_gi + k,
					    pg->alias, pg->first_gi + k);
	}
	if (plan->nnodes > first)
		ga_builder_set(b, ga_builder_qemu_record(b), "numa-nodes", "%u-%u", first, plan->nnodes - 1);
}

static bool in_record(const struct ga_dom_record *rec, unsigned id)
{
	for (size_t i = 0; i < rec->nnuma_nodes; i++)
		if (rec->numa_nodes[i] == id)
			return true;
	return false;
}

/* remove: our -numa for recorded node ids, and every acpi-generic-initiator object with our id prefix */
static bool is_ours_arg(const char *flag, const char *value, const struct ga_dom_record *rec)
{
	unsigned a, b, d;
	int end = -1;

	if (!strcmp(flag, "-numa")) {
		if (sscanf(value, "node,nodeid=%u%n", &a, &end) == 1 && end > 0 && !value[end])
			return in_record(rec, a);
		end = -1;
		if (sscanf(value, "dist,src=%u,dst=%u,val=%u%n", &a, &b, &d, &end) == 3 && end > 0 && !value[end])
			return in_record(rec, a) || in_record(rec, b);
		return false;
	}
	if (!strcmp(flag, "-object"))
		return !strncmp(value, GI_OBJECT_ID, strlen(GI_OBJECT_ID));
	return false;
}

const struct ga_gi_form_ops ga_gi_form_fallback = {
	.form = GA_GI_FORM_FALLBACK,
	.read_qemu_arg = read_qemu_arg,
	.check = check,
	.gi_cells = false,
	.write_domain = write_domain,
	.is_ours_arg = is_ours_arg,
};
