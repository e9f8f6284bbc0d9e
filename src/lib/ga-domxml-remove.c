// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Taking out of a domain what an earlier merge wrote, and only that: the
 * record in <metadata> is honoured entry by entry where the element it
 * names is exactly what gpu-assign writes for it (a hostdev by our alias
 * and the recorded GPU address, cells, pinning, the MMIO window, the
 * expander buses and the <qemu:commandline> arguments by their shape), so
 * that a forged or stale record never removes anything of the user's.
 */
#include <errno.h>
#include <inttypes.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-domxml-priv.h"
#include "ga-domxml.h"
#include "ga-form.h"
#include "ga-host.h"
#include "ga-xml.h"

bool ga_domxml_alias_is(xmlNodePtr dev, const char *alias)
{
	_cleanup_xmlfree_ xmlChar *name = NULL;
	xmlNodePtr a = ga_xml_child(dev, "alias");

	if (!a)
		return false;
	name = xmlGetProp(a, XC("name"));
	return name && !strcmp((const char *)name, alias);
}

bool ga_domxml_value_is(xmlNodePtr n, const char *v)
{
	_cleanup_xmlfree_ xmlChar *value = xmlGetProp(n, XC("value"));

	return value && !strcmp((const char *)value, v);
}

/* Whether the argument pair flag, value is one an earlier merge wrote: a form's, or the MMIO window's. */
static bool is_our_arg(xmlNodePtr flag, xmlNodePtr value, const struct ga_dom_record *r)
{
	_cleanup_xmlfree_ xmlChar *f = xmlGetProp(flag, XC("value"));
	_cleanup_xmlfree_ xmlChar *v = xmlGetProp(value, XC("value"));
	const char *fs = (const char *)f, *vs = (const char *)v;

	if (!fs || !vs)
		return false;
	for (size_t i = 0; ga_gi_forms[i]; i++)
		if (ga_gi_forms[i]->is_ours_arg && ga_gi_forms[i]->is_ours_arg(fs, vs, r))
			return true;
	return !strcmp(fs, "-machine") && r->machine && !strcmp(vs, r->machine);
}

/* The next child of n that counts in a comparison: an element, or text that is not blank. */
static xmlNodePtr significant(xmlNodePtr n)
{
	while (n && !(n->type == XML_ELEMENT_NODE || (n->type == XML_TEXT_NODE && !xmlIsBlankNode(n))))
		n = n->next;
	return n;
}

/* Whether a and b are the same element: name, namespace, attributes and content, blanks aside. */
static bool same_tree(xmlNodePtr a, xmlNodePtr b)
{
	xmlNodePtr ca, cb;
	unsigned na = 0, nb = 0;

	if (a->type != b->type)
		return false;
	if (a->type == XML_TEXT_NODE)
		return xmlStrEqual(a->content, b->content);
	if (a->type != XML_ELEMENT_NODE || !xmlStrEqual(a->name, b->name) ||
	    !xmlStrEqual(a->ns ? a->ns->href : NULL, b->ns ? b->ns->href : NULL))
		return false;
	for (xmlAttrPtr p = a->properties; p; p = p->next) {
		_cleanup_xmlfree_ xmlChar *va = xmlGetProp(a, p->name);
		_cleanup_xmlfree_ xmlChar *vb = p->ns ? NULL : xmlGetNoNsProp(b, p->name);

		na++;
		if (p->ns || !va || !vb || !xmlStrEqual(va, vb))
			return false;
	}
	for (xmlAttrPtr p = b->properties; p; p = p->next)
		nb++;
	if (na != nb)
		return false;
	for (ca = significant(a->children), cb = significant(b->children); ca && cb;
	     ca = significant(ca->next), cb = significant(cb->next))
		if (!same_tree(ca, cb))
			return false;
	return !ca && !cb;
}

/* Whether an element under n other than skip1, skip2 has a guest PCI address on bus (a controller index). */
static bool bus_in_use(xmlNodePtr n, unsigned bus, xmlNodePtr skip1, xmlNodePtr skip2)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		_cleanup_xmlfree_ xmlChar *type = NULL;

		if (c->type != XML_ELEMENT_NODE || c == skip1 || c == skip2 || ga_xml_is(c, "source"))
			continue;
		if (ga_xml_is(c, "address")) {
			type = xmlGetProp(c, XC("type"));
			if (type && !strcmp((const char *)type, "pci") && ga_domxml_prop_num(c, "bus") == (long)bus)
				return true;
			continue;
		}
		if (bus_in_use(c, bus, skip1, skip2))
			return true;
	}
	return false;
}

static xmlNodePtr pci_controller(xmlNodePtr devices, long index)
{
	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next)
		if (ga_domxml_is_pci_controller(c) && ga_domxml_prop_num(c, "index") == index)
			return c;
	return NULL;
}

/* One <gpu-assign:expander> record entry, read strictly: false if any part is missing or malformed. */
static bool read_expander_record(xmlNodePtr el, struct ga_domxml_place *pl)
{
	static const char *const names[] = { "index", "bus-nr", "node", "slot", "root-port" };
	unsigned long v[5];

	for (size_t i = 0; i < GA_ARRAY_SIZE(names); i++) {
		_cleanup_xmlfree_ xmlChar *s = xmlGetProp(el, XC(names[i]));

		if (!s || !ga_dom_parse_num((const char *)s, i == 3 ? GA_DOMXML_LAST_SLOT : 0xff, &v[i]))
			return false;
	}
	*pl = (struct ga_domxml_place){ .expander = true, .pxb_index = (unsigned)v[0], .pxb_bus_nr = (unsigned)v[1],
					.node = (unsigned)v[2], .pxb_slot = (unsigned)v[3], .bus = (unsigned)v[4] };
	return pl->pxb_index && pl->bus && pl->pxb_index != pl->bus;
}

/*
 * Remove the expander buses and root ports an earlier merge wrote: only
 * where both controllers are exactly what that record entry makes us write
 * (a record alone, forged or stale, never takes a controller of the
 * user's) and no device but ours (already gone) sits on their buses.
 */
static void remove_expanders(struct ga_ctx *ctx, xmlNodePtr root, xmlNodePtr rec_el)
{
	struct ga_builder scratch = { .ctx = ctx, .doc = root->doc }, *b = &scratch;
	xmlNodePtr devices = ga_xml_child(root, "devices");

	for (xmlNodePtr e = rec_el ? rec_el->children : NULL; e && devices; e = e->next) {
		struct ga_domxml_place pl;
		xmlNodePtr pxb, rp, want_pxb, want_rp;
		bool ours;

		if (!ga_xml_is_ns(e, GA_DOMXML_NS, "expander") || !read_expander_record(e, &pl))
			continue;
		pxb = pci_controller(devices, pl.pxb_index);
		rp = pci_controller(devices, pl.bus);
		if (!pxb || !rp)
			continue;
		ga_domxml_build_expander(b, &pl, &want_pxb, &want_rp);
		ours = want_pxb && want_rp && same_tree(pxb, want_pxb) && same_tree(rp, want_rp) &&
		       !bus_in_use(devices, pl.pxb_index, pxb, rp) && !bus_in_use(devices, pl.bus, pxb, rp);
		xmlFreeNode(want_pxb);
		xmlFreeNode(want_rp);
		if (ours) {
			ga_domxml_drop(pxb);
			ga_domxml_drop(rp);
		}
	}
}

/*
 * What of an earlier merge's record is honoured (issue 13, item 4): the
 * record is only a claim, so each part goes only where the element is what
 * gpu-assign writes for it. A <hostdev> goes when it carries the recorded
 * alias, which must be ours ("ua-gpu-" and the recorded address), and its
 * source is that address; an adopted one (the user's, which gpu-assign only
 * completed) never goes, only the children the record says were added. Cells,
 * distances, pinning, the MMIO window and arguments go only in the exact
 * shape the planner writes, and GI node ids only count from GPU entries that
 * pass the checks above.
 */
struct rec_gpu {
	struct ga_pci_addr addr;
	char *alias;
	unsigned *gi;
	size_t ngi;
	bool adopted;
	char added[64];          /* adopted: what was added, "alias rom acpi" */
};

struct own_record {
	struct rec_gpu *gpus;
	size_t ngpus;
	unsigned *cells;         /* our CPU cells (<gpu-assign:numa cells>) */
	size_t ncells;
	unsigned char gi_ids[GA_DOMAIN_MAX_NODE + 1]; /* honoured GI node ids */
};

static void own_record_clear(struct own_record *o)
{
	for (size_t i = 0; i < o->ngpus; i++) {
		free(o->gpus[i].alias);
		free(o->gpus[i].gi);
	}
	free(o->gpus);
	free(o->cells);
	memset(o, 0, sizeof(*o));
}

bool ga_domxml_num_prop(xmlNodePtr n, const char *name, unsigned long max, unsigned long *out)
{
	_cleanup_xmlfree_ xmlChar *v = n ? xmlGetProp(n, XC(name)) : NULL;

	return v && ga_dom_parse_num((const char *)v, max, out);
}

bool ga_domxml_hostdev_source(xmlNodePtr h, struct ga_pci_addr *a)
{
	xmlNodePtr src = ga_xml_child(ga_xml_child(h, "source"), "address");
	unsigned long d, b, s, f;

	if (!src || !ga_domxml_num_prop(src, "domain", 0xffff, &d) || !ga_domxml_num_prop(src, "bus", 0xff, &b) ||
	    !ga_domxml_num_prop(src, "slot", 0x1f, &s) || !ga_domxml_num_prop(src, "function", 7, &f))
		return false;
	*a = (struct ga_pci_addr){ .domain = (uint16_t)d, .bus = (uint8_t)b, .slot = (uint8_t)s, .func = (uint8_t)f };
	return true;
}

/* The alias gpu-assign gives the GPU at a. */
static void our_alias(const struct ga_pci_addr *a, char buf[GA_ALIAS_STRLEN])
{
	snprintf(buf, GA_ALIAS_STRLEN, GA_ALIAS_PREFIX "%04x-%02x-%02x-%x", a->domain, a->bus, a->slot, a->func);
}

/* Whether element n has exactly the attributes named (NULL-terminated), no other. */
static bool attrs_exactly(xmlNodePtr n, const char *const *names)
{
	size_t want = 0, have = 0;

	for (; names[want]; want++)
		if (!xmlHasProp(n, XC(names[want])))
			return false;
	for (xmlAttrPtr a = n->properties; a; a = a->next)
		have++;
	return have == want;
}

static bool prop_is(xmlNodePtr n, const char *name, const char *v)
{
	_cleanup_xmlfree_ xmlChar *value = xmlGetProp(n, XC(name));

	return value && !strcmp((const char *)value, v);
}

/* Element children only named child (each with exactly attrs and no content), no text but blanks. */
static bool children_only(xmlNodePtr n, const char *child, const char *const *attrs)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			continue;
		if (!ga_xml_is(c, child) || !attrs_exactly(c, attrs) || c->children)
			return false;
	}
	return true;
}

static const char *const sibling_attrs[] = { "id", "value", NULL };

/* <distances> of <sibling id value/> only, or none; nothing else in the cell. */
static bool cell_children_ours(xmlNodePtr cell)
{
	for (xmlNodePtr c = cell->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			continue;
		if (!ga_xml_is(c, "distances") || c->properties || !children_only(c, "sibling", sibling_attrs))
			return false;
	}
	return true;
}

/* A GI cell as the native form writes it: <cell id memory='0' unit='KiB'> with distances. */
static bool is_our_gi_cell(xmlNodePtr cell)
{
	static const char *const attrs[] = { "id", "memory", "unit", NULL };

	return attrs_exactly(cell, attrs) && prop_is(cell, "memory", "0") && prop_is(cell, "unit", "KiB") &&
	       cell_children_ours(cell);
}

/* A CPU cell as the planner writes it: <cell id cpus memory unit='KiB'> with distances. */
static bool is_our_cpu_cell(xmlNodePtr cell)
{
	static const char *const attrs[] = { "id", "cpus", "memory", "unit", NULL };

	return attrs_exactly(cell, attrs) && prop_is(cell, "unit", "KiB") && cell_children_ours(cell);
}

static bool id_in(const unsigned *ids, size_t n, unsigned long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* One <gpu-assign:gpu> entry, kept in o when well-formed. */
static int own_record_gpu(struct ga_ctx *ctx, xmlNodePtr c, struct own_record *o)
{
	bool oom = false;
	_cleanup_free_ char *addr = ga_xml_prop(c, "address", &oom);
	_cleanup_free_ char *gi = ga_xml_prop(c, "gi-nodes", &oom);
	_cleanup_free_ char *adopted = ga_xml_prop(c, "adopted", &oom);
	_cleanup_free_ char *alias = ga_xml_prop(c, "alias", &oom);
	char want[GA_ALIAS_STRLEN];
	struct ga_pci_addr a;
	struct rec_gpu *g;
	int r;

	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (!addr || !alias || ga_pci_addr_parse(ctx, addr, &a) < 0) {
		ga_clear_error(ctx);
		return 0;
	}
	our_alias(&a, want);
	/* ours: the alias of that address; adopted: a user alias ("ua-") */
	if (adopted ? strncmp(alias, "ua-", 3) != 0 : strcmp(alias, want) != 0)
		return 0;
	r = ga_dom_push(ctx, (void **)&o->gpus, &o->ngpus, sizeof(*o->gpus));
	if (r < 0)
		return r;
	g = &o->gpus[o->ngpus - 1];
	g->addr = a;
	g->alias = steal_ptr(alias);
	g->adopted = adopted != NULL;
	snprintf(g->added, sizeof(g->added), "%s", adopted ? adopted : "");
	if (gi) {
		r = ga_cpulist_parse(ctx, gi, GA_DOMAIN_MAX_NODE + 1, &g->gi, &g->ngi);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			ga_clear_error(ctx);
	}
	for (size_t k = 0; k < g->ngi; k++)
		o->gi_ids[g->gi[k]] = 1;
	return 0;
}

/* Read our record's GPU entries and CPU cells; only well-formed GPU entries count. */
static int own_record_read(struct ga_ctx *ctx, xmlNodePtr rec_el, struct own_record *o)
{
	memset(o, 0, sizeof(*o));
	for (xmlNodePtr c = rec_el ? rec_el->children : NULL; c; c = c->next) {
		int r = 0;

		if (ga_xml_is_ns(c, GA_DOMXML_NS, "gpu")) {
			r = own_record_gpu(ctx, c, o);
		} else if (ga_xml_is_ns(c, GA_DOMXML_NS, "numa") && !o->cells) {
			bool oom = false;
			_cleanup_free_ char *cells = ga_xml_prop(c, "cells", &oom);

			if (oom)
				return ga_report(ctx, -ENOMEM, "out of memory");
			if (cells) {
				r = ga_cpulist_parse(ctx, cells, GA_DOMAIN_MAX_NODE + 1, &o->cells, &o->ncells);
				if (r < 0 && r != -ENOMEM) {
					ga_clear_error(ctx);
					r = 0;
				}
			}
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static bool added_has(const char *added, const char *what)
{
	size_t n = strlen(what);

	for (const char *p = added; (p = strstr(p, what)) != NULL; p += n)
		if ((p == added || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* The recorded entry for a GPU at a, or NULL. */
static const struct rec_gpu *rec_gpu_at(const struct own_record *o, const struct ga_pci_addr *a)
{
	for (size_t i = 0; i < o->ngpus; i++)
		if (ga_pci_addr_equal(&o->gpus[i].addr, a))
			return &o->gpus[i];
	return NULL;
}

/* Take from an adopted <hostdev> what gpu-assign added to it, in the shape it writes. */
static void strip_adopted(xmlNodePtr h, const struct rec_gpu *g)
{
	static const char *const name_attr[] = { "name", NULL }, *const bar_attr[] = { "bar", NULL },
				 *const nodeset_attr[] = { "nodeset", NULL };
	xmlNodePtr n;

	n = ga_xml_child(h, "alias");
	if (added_has(g->added, "alias") && n && attrs_exactly(n, name_attr) && prop_is(n, "name", g->alias) &&
	    !n->children)
		ga_domxml_drop(n);
	n = ga_xml_child(h, "rom");
	if (added_has(g->added, "rom") && n && attrs_exactly(n, bar_attr) && prop_is(n, "bar", "off") && !n->children)
		ga_domxml_drop(n);
	n = ga_xml_child(h, "acpi");
	if (added_has(g->added, "acpi") && n && attrs_exactly(n, nodeset_attr) && !n->children) {
		char buf[512];

		if (prop_is(n, "nodeset", ga_idlist_format(g->gi, g->ngi, buf, sizeof(buf))))
			ga_domxml_drop(n);
	}
}

/* Our hostdevs go; adopted ones lose only what we added. */
static void remove_hostdevs(xmlNodePtr devices, const struct own_record *o)
{
	for (xmlNodePtr c = devices ? devices->children : NULL, next; c; c = next) {
		const struct rec_gpu *g;
		struct ga_pci_addr a;

		next = c->next;
		if (!ga_xml_is(c, "hostdev") || !ga_domxml_hostdev_source(c, &a) || !(g = rec_gpu_at(o, &a)))
			continue;
		if (g->adopted)
			strip_adopted(c, g);
		else if (ga_domxml_alias_is(c, g->alias))
			ga_domxml_drop(c);
	}
}

/*
 * Cells: the GI cells of honoured GPU entries, and, when the record says we
 * wrote <cpu><numa> itself, its CPU cells, but only if every cell in it is
 * one of those in our shape (else the cells are the user's). Then the
 * siblings naming one of our GI nodes (the native form's cells, or the
 * fallback form's "-numa" nodes) that is no cell of the domain.
 */
static void remove_cells(xmlNodePtr root, const struct own_record *o)
{
	xmlNodePtr numa = ga_xml_child(ga_xml_child(root, "cpu"), "numa");
	unsigned char gone[GA_DOMAIN_MAX_NODE + 1] = { 0 };
	bool all_ours = o->ncells > 0;
	unsigned long id;

	if (!numa)
		return;
	for (xmlNodePtr c = numa->children; c && all_ours; c = c->next) {
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			continue;
		if (!ga_xml_is(c, "cell") || !ga_domxml_num_prop(c, "id", GA_DOMAIN_MAX_NODE, &id) ||
		    !((id_in(o->cells, o->ncells, id) && is_our_cpu_cell(c)) || (o->gi_ids[id] && is_our_gi_cell(c))))
			all_ours = false;
	}
	if (all_ours && !numa->properties) {
		ga_domxml_drop(numa);
		return;
	}
	/* our GI cells go; siblings naming a GI node of ours go unless a cell of that id is left */
	for (unsigned i = 0; i <= GA_DOMAIN_MAX_NODE; i++)
		gone[i] = o->gi_ids[i];
	for (xmlNodePtr c = numa->children, next; c; c = next) {
		next = c->next;
		if (!ga_xml_is(c, "cell") || !ga_domxml_num_prop(c, "id", GA_DOMAIN_MAX_NODE, &id))
			continue;
		if (o->gi_ids[id] && is_our_gi_cell(c))
			ga_domxml_drop(c);
		else
			gone[id] = 0;
	}
	for (xmlNodePtr c = numa->children; c; c = c->next) {
		xmlNodePtr d = ga_xml_is(c, "cell") ? ga_xml_child(c, "distances") : NULL;

		for (xmlNodePtr s = d ? d->children : NULL, next; s; s = next) {
			next = s->next;
			if (ga_xml_is(s, "sibling") && attrs_exactly(s, sibling_attrs) &&
			    ga_domxml_num_prop(s, "id", GA_DOMAIN_MAX_NODE, &id) && gone[id])
				ga_domxml_drop(s);
		}
	}
}

/* <cputune> of <vcpupin vcpu cpuset/> only, <numatune> of strict <memory>/<memnode> only. */
static void remove_pinning(xmlNodePtr root)
{
	static const char *const pin[] = { "vcpu", "cpuset", NULL };
	static const char *const mem[] = { "mode", "nodeset", NULL };
	static const char *const node[] = { "cellid", "mode", "nodeset", NULL };
	xmlNodePtr cputune = ga_xml_child(root, "cputune"), numatune = ga_xml_child(root, "numatune");
	bool ours = numatune && !numatune->properties;

	if (cputune && !cputune->properties && children_only(cputune, "vcpupin", pin))
		ga_domxml_drop(cputune);
	for (xmlNodePtr c = numatune ? numatune->children : NULL; c && ours; c = c->next) {
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			continue;
		if (!((ga_xml_is(c, "memory") && attrs_exactly(c, mem)) ||
		      (ga_xml_is(c, "memnode") && attrs_exactly(c, node))) ||
		    !prop_is(c, "mode", "strict") || c->children)
			ours = false;
	}
	if (ours)
		ga_domxml_drop(numatune);
}

/* <pcihole64 unit='KiB'>N</pcihole64>, N a power of two, as write_mmio writes it. */
static bool is_our_pcihole64(xmlNodePtr n)
{
	static const char *const unit[] = { "unit", NULL };
	_cleanup_xmlfree_ xmlChar *text = n ? xmlNodeGetContent(n) : NULL;
	unsigned long long v;
	char *end;

	if (!n || !text || !attrs_exactly(n, unit) || !prop_is(n, "unit", "KiB"))
		return false;
	errno = 0;
	v = strtoull((const char *)text, &end, 10);
	return !errno && end != (const char *)text && !*end && v && !(v & (v - 1));
}

/* Our argument pairs out of <qemu:commandline> (as honoured), and the element when we emptied it. */
static void remove_args(xmlNodePtr cmd, const struct ga_dom_record *honoured)
{
	bool removed = false, again;

	/*
	 * Until nothing more goes: taking a pair out makes its
	 * neighbours adjacent, and a pair of ours formed that way must
	 * go now, or the next merge would take it and not be stable.
	 */
	do {
		again = false;
		for (xmlNodePtr c = cmd->children, next; c; c = next) {
			xmlNodePtr v = c->next;

			next = c->next;
			while (v && v->type != XML_ELEMENT_NODE)
				v = v->next;
			if (!ga_xml_is_ns(c, GA_QEMU_NS, "arg") || !ga_xml_is_ns(v, GA_QEMU_NS, "arg"))
				continue;
			if (is_our_arg(c, v, honoured)) {
				next = v->next;
				ga_domxml_drop(c);
				ga_domxml_drop(v);
				removed = again = true;
			}
		}
	} while (again);
	if (removed && !cmd->children)
		ga_domxml_drop(cmd);
}

int ga_domxml_remove_ours(struct ga_ctx *ctx, xmlNodePtr root, xmlNodePtr rec_el, const struct ga_dom_record *r)
{
	xmlNodePtr devices = ga_xml_child(root, "devices");
	xmlNodePtr cmd = ga_xml_ns_child(root, GA_QEMU_NS, "commandline");
	_cleanup_free_ unsigned *numa_nodes = NULL;
	struct ga_dom_record honoured = { 0 };
	struct own_record o;
	uint64_t size;
	int ret;

	if (!rec_el)
		return 0;
	ret = own_record_read(ctx, rec_el, &o);
	if (ret < 0) {
		own_record_clear(&o);
		return ret;
	}
	remove_hostdevs(devices, &o);
	remove_expanders(ctx, root, rec_el);
	remove_cells(root, &o);
	if (r->cpu) {
		xmlNodePtr cpu = ga_xml_child(root, "cpu");

		/* created by us: goes when nothing of the user's is inside */
		if (cpu && !cpu->children && !cpu->properties)
			ga_domxml_drop(cpu);
	}
	if (r->pin)
		remove_pinning(root);
	if (r->pcihole64 && devices) {
		for (xmlNodePtr c = devices->children; c; c = c->next) {
			_cleanup_xmlfree_ xmlChar *model = ga_xml_is(c, "controller") ? xmlGetProp(c, XC("model")) : NULL;
			xmlNodePtr hole = ga_xml_child(c, "pcihole64");

			if (model && !strcmp((const char *)model, "pcie-root") && is_our_pcihole64(hole))
				ga_domxml_drop(hole);
		}
	}
	/* the recorded "-numa" ids only where they are GI nodes of honoured GPUs; our -machine only */
	numa_nodes = calloc(r->nnuma_nodes ? r->nnuma_nodes : 1, sizeof(*numa_nodes));
	if (!numa_nodes) {
		own_record_clear(&o);
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nnuma_nodes; i++)
		if (o.gi_ids[r->numa_nodes[i]])
			numa_nodes[honoured.nnuma_nodes++] = r->numa_nodes[i];
	honoured.numa_nodes = numa_nodes;
	if (r->machine && !strncmp(r->machine, "highmem-mmio-size=", 18) && ga_size_parse_qemu(r->machine + 18, &size) == 0)
		honoured.machine = r->machine;
	ga_clear_error(ctx);
	if (cmd)
		remove_args(cmd, &honoured);
	ga_domxml_drop(rec_el);
	own_record_clear(&o);
	return 0;
}

