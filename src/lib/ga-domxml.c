// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Domain XML with libxml2: every element and attribute is a tree node, never
 * a piece of a string. Output is serialized by libxml2 with its indentation
 * after whitespace-only text between elements has been dropped, so that a
 * merge of a merge comes out byte for byte the same.
 *
 * Our record in <metadata>:
 *   <gpu-assign:gpu-assign xmlns:gpu-assign="urn:x-gpu-assign:domain:1"
 *                          form="fallback" arch="aarch64">
 *     <gpu-assign:gpu address="0009:01:00.0" alias="ua-gpu-0009-01-00-0"
 *                     model="GH200 120GB" host-node="0" cell="0" gi-nodes="1-8"/>
 *     <gpu-assign:numa cells="0"/>              we wrote <cpu><numa>
 *     <gpu-assign:pin/>                         we wrote <cputune>, <numatune>
 *     <gpu-assign:qemu numa-nodes="1-8" machine="highmem-mmio-size=1T"/>
 *         we wrote, in <qemu:commandline>: "-numa node" and "-numa dist" for
 *         those node ids, every "-object acpi-generic-initiator,id=ga-gi..."
 *         and that "-machine" argument (the record stays small, and it
 *         survives 'virsh dumpxml', which drops anything unknown elsewhere)
 *     <gpu-assign:pcihole64/>                   we wrote pcie-root's <pcihole64>
 *     <gpu-assign:cpu/>                         we created <cpu> itself
 *   </gpu-assign:gpu-assign>
 */
#include <errno.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-domxml-priv.h"
#include "ga-domxml.h"
#include "ga-form.h"
#include "ga-host.h"
#include "ga-xml.h"

/* The merge's parts, defined with the merge below. */
static void add_gi_cells(struct ga_builder *b, xmlNodePtr cpu, const struct ga_plan *plan,
			 const struct ga_gi_form_ops *form);
static void adopt_hostdev(struct ga_builder *b, xmlNodePtr h, const struct ga_plan_gpu *g, size_t index,
			  const struct ga_gi_form_ops *form);

void ga_domxml_drop(xmlNodePtr n)
{
	if (!n)
		return;
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/*
 * An element that held only blank text (strip_blanks keeps that) gets an
 * element child: drop the blanks first, or the output would be mixed content
 * that the formatter lays out differently from the next merge's.
 */
static void drop_blank_text(xmlNodePtr parent)
{
	for (xmlNodePtr c = parent->children, next; c; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			ga_domxml_drop(c);
	}
}

xmlNodePtr ga_builder_add(struct ga_builder *b, xmlNodePtr parent, xmlNsPtr ns, const char *name)
{
	xmlNodePtr n;

	if (b->oom || !parent)
		return NULL;
	drop_blank_text(parent);
	n = xmlNewChild(parent, ns, XC(name), NULL);
	if (!n)
		b->oom = true;
	return n;
}

static xmlNodePtr add_text(struct ga_builder *b, xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n;

	if (b->oom || !parent)
		return NULL;
	drop_blank_text(parent);
	n = xmlNewTextChild(parent, NULL, XC(name), XC(text));
	if (!n)
		b->oom = true;
	return n;
}

void ga_builder_set(struct ga_builder *b, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (b->oom || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!xmlSetProp(n, XC(name), XC(buf)))
		b->oom = true;
}

/* Insert a new element child of parent before `before` (append when NULL). */
static xmlNodePtr insert(struct ga_builder *b, xmlNodePtr parent, xmlNodePtr before, const char *name)
{
	xmlNodePtr n;

	if (b->oom)
		return NULL;
	if (!before)
		return ga_builder_add(b, parent, NULL, name);
	n = xmlNewDocNode(b->doc, NULL, XC(name), NULL);
	if (!n || !xmlAddPrevSibling(before, n)) {
		xmlFreeNode(n);
		b->oom = true;
		return NULL;
	}
	return n;
}

xmlNodePtr ga_builder_insert(struct ga_builder *b, xmlNodePtr parent, xmlNodePtr before, const char *name)
{
	return insert(b, parent, before, name);
}

/*
 * The order in which libvirt formats the children of <domain> and of
 * <devices> (its domain formatter; checked against 'virsh dumpxml' of
 * libvirt 11.3 and 12.8). A new element goes before the first sibling that
 * libvirt writes after it, so that define + dumpxml leaves it in place and
 * a merge of the dump writes it there again. Names not listed (newer
 * elements, other namespaces) are passed over.
 */
static const char *const domain_order[] = {
	"name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory", "currentMemory",
	"blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads", "iothreadids", "defaultiothread",
	"cputune", "numatune", "resource", "sysinfo", "bootloader", "bootloader_args", "os", "idmap", "features",
	"cpu", "clock", "on_poweroff", "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices",
	"seclabel", "keywrap", "launchSecurity", NULL,
};
static const char *const device_order[] = {
	"emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard", "serial",
	"parallel", "console", "channel", "input", "tpm", "graphics", "sound", "audio", "video", "hostdev",
	"redirdev", "redirfilter", "hub", "watchdog", "memballoon", "rng", "panic", "shmem", "memory",
	"crypto", "iommu", "vsock", "pstore", NULL,
};

static int order_rank(const char *const *order, const char *name)
{
	for (int i = 0; order[i]; i++)
		if (!strcmp(order[i], name))
			return i;
	return -1;
}

/* A new <name> child of parent where libvirt would format it (order: domain_order or device_order). */
static xmlNodePtr insert_ordered(struct ga_builder *b, xmlNodePtr parent, const char *const *order, const char *name)
{
	int rank = order_rank(order, name);

	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !c->ns && order_rank(order, (const char *)c->name) > rank)
			return insert(b, parent, c, name);
	}
	return insert(b, parent, NULL, name);
}

/* el, or when the domain has none a new <name> where libvirt keeps the sizes. */
static xmlNodePtr size_element(struct ga_builder *b, xmlNodePtr root, xmlNodePtr el, const char *name)
{
	return el ? el : insert_ordered(b, root, domain_order, name);
}

/* Whitespace-only text between elements goes, so the serializer can indent. */
static void strip_blanks(xmlNodePtr n)
{
	bool has_el = false;

	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			has_el = true;
	for (xmlNodePtr c = n->children, next; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE)
			strip_blanks(c);
		else if (has_el && c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			ga_domxml_drop(c);
	}
}

char *ga_plan_gpu_gi_list(const struct ga_plan_gpu *g, char *buf, size_t size)
{
	unsigned ids[GA_PLAN_MAX_NODES];

	for (unsigned i = 0; i < g->ngi && i < GA_PLAN_MAX_NODES; i++)
		ids[i] = g->first_gi + i;
	return ga_idlist_format(ids, g->ngi < GA_PLAN_MAX_NODES ? g->ngi : GA_PLAN_MAX_NODES, buf, size);
}

static void write_record(struct ga_builder *b, xmlNodePtr metadata, const struct ga_plan *plan,
			 const struct ga_domxml_opts *opts)
{
	char buf[512];

	b->record = ga_builder_add(b, metadata, NULL, "gpu-assign");
	if (!b->record)
		return;
	b->ga_ns = xmlNewNs(b->record, XC(GA_DOMXML_NS), XC(GA_DOMXML_NS_PREFIX));
	if (!b->ga_ns) {
		b->oom = true;
		return;
	}
	xmlSetNs(b->record, b->ga_ns);
	ga_builder_set(b, b->record, "form", "%s", ga_gi_form_to_string(opts->form));
	ga_builder_set(b, b->record, "arch", "%s", ga_arch_to_string(plan->arch));
	for (size_t i = 0; i < plan->ngpus; i++) {
		const struct ga_plan_gpu *g = &plan->gpus[i];
		xmlNodePtr n = ga_builder_add(b, b->record, b->ga_ns, "gpu");

		ga_builder_set(b, n, "address", "%s", g->name);
		ga_builder_set(b, n, "alias", "%s", g->alias);
		ga_builder_set(b, n, "model", "%s", g->model->name);
		ga_builder_set(b, n, "host-node", "%d", g->host_node);
		ga_builder_set(b, n, "cell", "%u", g->cell);
		ga_builder_set(b, n, "gi-nodes", "%s", ga_plan_gpu_gi_list(g, buf, sizeof(buf)));
	}
}

static void record_flag(struct ga_builder *b, const char *name)
{
	ga_builder_add(b, b->record, b->ga_ns, name);
}

void ga_builder_qemu_arg(struct ga_builder *b, xmlNodePtr root, const char *flag, const char *fmt, ...)
{
	char value[512];
	xmlNodePtr n;
	va_list ap;

	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (!b->qemu_ns) {
		b->qemu_ns = xmlSearchNsByHref(b->doc, root, XC(GA_QEMU_NS));
		if (!b->qemu_ns) {
			xmlNsPtr taken = xmlSearchNs(b->doc, root, XC("qemu"));

			/* libxml2 will not declare a prefix twice on one element: say so, not "out of memory" */
			if (taken) {
				b->err = ga_report(b->ctx, -GA_E_PARSE,
						   "the domain XML binds the prefix 'qemu' to '%s', not to libvirt's QEMU namespace '%s' that the GPU's <qemu:commandline> arguments need (fix or remove that xmlns:qemu)",
						   taken->href ? (const char *)taken->href : "", GA_QEMU_NS);
				b->oom = true;
				return;
			}
			b->qemu_ns = xmlNewNs(root, XC(GA_QEMU_NS), XC("qemu"));
		}
		if (!b->qemu_ns) {
			b->oom = true;
			return;
		}
	}
	if (!b->cmdline) {
		b->cmdline = ga_xml_ns_child(root, GA_QEMU_NS, "commandline");
		if (!b->cmdline)
			b->cmdline = ga_builder_add(b, root, b->qemu_ns, "commandline");
	}
	n = ga_builder_add(b, b->cmdline, b->qemu_ns, "arg");
	ga_builder_set(b, n, "value", "%s", flag);
	n = ga_builder_add(b, b->cmdline, b->qemu_ns, "arg");
	ga_builder_set(b, n, "value", "%s", value);
}

/* The <gpu-assign:qemu> record, created on first use. */
xmlNodePtr ga_builder_qemu_record(struct ga_builder *b)
{
	xmlNodePtr rec = b->record ? ga_xml_ns_child(b->record, GA_DOMXML_NS, "qemu") : NULL;

	return rec ? rec : ga_builder_add(b, b->record, b->ga_ns, "qemu");
}

void ga_builder_distances(struct ga_builder *b, xmlNodePtr cell, const struct ga_plan *plan, unsigned id,
			    bool gi_too)
{
	xmlNodePtr d;
	unsigned limit = gi_too ? plan->nnodes : (unsigned)plan->ncells;

	if (plan->no_distances)
		return;
	d = ga_builder_add(b, cell, NULL, "distances");

	for (unsigned j = 0; j < limit; j++) {
		xmlNodePtr s = ga_builder_add(b, d, NULL, "sibling");

		ga_builder_set(b, s, "id", "%u", j);
		ga_builder_set(b, s, "value", "%u", ga_plan_distance(plan, id, j));
	}
}

static void write_numa(struct ga_builder *b, xmlNodePtr cpu, const struct ga_plan *plan,
		       const struct ga_gi_form_ops *form)
{
	xmlNodePtr numa = ga_builder_add(b, cpu, NULL, "numa");

	for (size_t i = 0; i < plan->ncells; i++) {
		const struct ga_plan_cell *c = &plan->cells[i];
		xmlNodePtr cell = ga_builder_add(b, numa, NULL, "cell");

		ga_builder_set(b, cell, "id", "%u", c->id);
		if (c->nvcpus == 1)
			ga_builder_set(b, cell, "cpus", "%u", c->first_vcpu);
		else
			ga_builder_set(b, cell, "cpus", "%u-%u", c->first_vcpu, c->first_vcpu + c->nvcpus - 1);
		ga_builder_set(b, cell, "memory", "%" PRIu64, c->memory_kib);
		ga_builder_set(b, cell, "unit", "KiB");
		ga_builder_distances(b, cell, plan, c->id, form->gi_cells);
	}
	if (form->write_cells)
		form->write_cells(b, numa, plan);
}

/* <address type='pci'> on domain 0, function 0 (a GPU's in the guest, or one of our controllers'). */
static void add_pci_address(struct ga_builder *b, xmlNodePtr parent, unsigned bus, unsigned slot)
{
	xmlNodePtr n = ga_builder_add(b, parent, NULL, "address");

	ga_builder_set(b, n, "type", "pci");
	ga_builder_set(b, n, "domain", "0x0000");
	ga_builder_set(b, n, "bus", "0x%02x", bus);
	ga_builder_set(b, n, "slot", "0x%02x", slot);
	ga_builder_set(b, n, "function", "0x0");
}

static void write_hostdev(struct ga_builder *b, xmlNodePtr devices, const struct ga_plan_gpu *g,
			  const struct ga_domxml_place *pl, const struct ga_domxml_opts *opts,
			  const struct ga_gi_form_ops *form)
{
	xmlNodePtr h = insert_ordered(b, devices, device_order, "hostdev");
	xmlNodePtr n;

	ga_builder_set(b, h, "mode", "subsystem");
	ga_builder_set(b, h, "type", "pci");
	if (opts->managed_auto && g->npeers && !b->oom)
		ga_warn(b->ctx,
			"GPU '%s' shares IOMMU group %d with %u other function(s): its <hostdev> is managed='no'; bind the whole group first with 'gpu-assign bind %s'",
			g->name, g->iommu_group, g->npeers, g->name);
	ga_builder_set(b, h, "managed", "%s", (opts->managed_auto ? !g->npeers : opts->managed) ? "yes" : "no");
	n = ga_builder_add(b, h, NULL, "driver");
	ga_builder_set(b, n, "name", "vfio");
	if (opts->driver_model && g->driver[0])
		ga_builder_set(b, n, "model", "%s", g->driver);
	n = ga_builder_add(b, ga_builder_add(b, h, NULL, "source"), NULL, "address");
	ga_builder_set(b, n, "domain", "0x%04x", g->addr.domain);
	ga_builder_set(b, n, "bus", "0x%02x", g->addr.bus);
	ga_builder_set(b, n, "slot", "0x%02x", g->addr.slot);
	ga_builder_set(b, n, "function", "0x%x", g->addr.func);
	n = ga_builder_add(b, h, NULL, "alias");
	ga_builder_set(b, n, "name", "%s", g->alias);
	n = ga_builder_add(b, h, NULL, "rom");
	ga_builder_set(b, n, "bar", "off");
	add_pci_address(b, h, pl->bus, pl->slot);
	if (form->write_hostdev)
		form->write_hostdev(b, h, g);
}

static void write_pinning(struct ga_builder *b, xmlNodePtr cputune, xmlNodePtr numatune, const struct ga_plan *plan)
{
	unsigned nodes[GA_PLAN_MAX_NODES];
	char buf[512];
	xmlNodePtr n;

	for (size_t i = 0; i < plan->ncells; i++) {
		const struct ga_plan_cell *c = &plan->cells[i];

		for (unsigned v = c->first_vcpu; v < c->first_vcpu + c->nvcpus; v++) {
			n = ga_builder_add(b, cputune, NULL, "vcpupin");
			ga_builder_set(b, n, "vcpu", "%u", v);
			ga_builder_set(b, n, "cpuset", "%s", c->host_cpus);
		}
		nodes[i] = (unsigned)c->host_node;
	}
	n = ga_builder_add(b, numatune, NULL, "memory");
	ga_builder_set(b, n, "mode", "strict");
	ga_builder_set(b, n, "nodeset", "%s", ga_idlist_format(nodes, plan->ncells, buf, sizeof(buf)));
	for (size_t i = 0; i < plan->ncells; i++) {
		n = ga_builder_add(b, numatune, NULL, "memnode");
		ga_builder_set(b, n, "cellid", "%u", plan->cells[i].id);
		ga_builder_set(b, n, "mode", "strict");
		ga_builder_set(b, n, "nodeset", "%d", plan->cells[i].host_node);
	}
}

/* The domain's pcie-root controller, created where libvirt keeps controllers when there is none. */
static xmlNodePtr new_controller(struct ga_builder *b, unsigned index, const char *model);
static void place_controller(struct ga_builder *b, xmlNodePtr devices, xmlNodePtr c, unsigned index);

static xmlNodePtr pcie_root(struct ga_builder *b, xmlNodePtr devices)
{
	xmlNodePtr ctl;

	for (xmlNodePtr c = devices->children; c; c = c->next) {
		_cleanup_xmlfree_ xmlChar *type = NULL, *model = NULL;

		if (!ga_xml_is(c, "controller"))
			continue;
		type = xmlGetProp(c, XC("type"));
		model = xmlGetProp(c, XC("model"));
		if (type && model && !strcmp((char *)type, "pci") && !strcmp((char *)model, "pcie-root"))
			return c;
	}
	/* first of the PCI controllers (before the layout's expander buses), as libvirt sorts them by index */
	ctl = new_controller(b, 0, "pcie-root");
	place_controller(b, devices, ctl, 0);
	return b->oom ? NULL : ctl;
}

/*
 * The 64-bit MMIO window: pcie-root's <pcihole64>, in KiB (q35, and aarch64
 * 'virt' where libvirt turns it into highmem-mmio-size, 11.4 or newer), else
 * -machine highmem-mmio-size in <qemu:commandline> (QEMU merges that
 * -machine with libvirt's own).
 */
static void write_mmio(struct ga_builder *b, xmlNodePtr root, xmlNodePtr devices, const struct ga_plan *plan,
		       const struct ga_domxml_opts *opts)
{
	xmlNodePtr ctl, hole, before;
	char size[32];

	if (!plan->mmio_window)
		return;
	if (plan->arch == GA_ARCH_AARCH64 && !opts->virt_pcihole64) {
		ga_builder_qemu_arg(b, root, "-machine", "highmem-mmio-size=%s",
			      ga_size_format_qemu(plan->mmio_window, size, sizeof(size)));
		ga_builder_set(b, ga_builder_qemu_record(b), "machine", "highmem-mmio-size=%s", size);
		return;
	}
	ctl = pcie_root(b, devices);
	if (b->oom)
		return;
	/* libvirt writes it before the controller's device info (<alias>, <address>) */
	for (before = ctl->children; before; before = before->next)
		if (ga_xml_is(before, "alias") || ga_xml_is(before, "address"))
			break;
	hole = insert(b, ctl, before, "pcihole64");
	if (hole) {
		char kib[32];

		snprintf(kib, sizeof(kib), "%" PRIu64, plan->mmio_window / 1024);
		xmlNodeSetContent(hole, XC(kib));
	}
	ga_builder_set(b, hole, "unit", "KiB");
	record_flag(b, "pcihole64");
}

static int serialize(struct ga_ctx *ctx, xmlDocPtr doc, char **out)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlSaveCtxtPtr save;
	long r;

	*out = NULL;
	if (!buf)
		return ga_report(ctx, -ENOMEM, "out of memory");
	save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (!save) {
		xmlBufferFree(buf);
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	r = xmlSaveDoc(save, doc);
	xmlSaveClose(save);
	if (r < 0) {
		xmlBufferFree(buf);
		return ga_report(ctx, -EIO, "cannot write the domain XML");
	}
	{
		const char *text = (const char *)xmlBufferContent(buf);
		size_t len = strlen(text);
		bool nl = len && text[len - 1] == '\n';

		*out = malloc(len + 2);
		if (*out) {
			memcpy(*out, text, len);
			if (!nl)
				(*out)[len++] = '\n';
			(*out)[len] = '\0';
		}
	}
	xmlBufferFree(buf);
	if (!*out)
		return ga_report(ctx, -ENOMEM, "out of memory");
	return 0;
}

/* Free slots on pcie.0 (domain 0, bus 0) that no device of the domain takes. */
static void used_slots(xmlNodePtr n, bool used[32])
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (ga_xml_is(c, "address") && !ga_xml_is(n, "source")) {
			_cleanup_xmlfree_ xmlChar *type = xmlGetProp(c, XC("type"));
			_cleanup_xmlfree_ xmlChar *dom = xmlGetProp(c, XC("domain"));
			_cleanup_xmlfree_ xmlChar *bus = xmlGetProp(c, XC("bus"));
			_cleanup_xmlfree_ xmlChar *slot = xmlGetProp(c, XC("slot"));

			if (type && !strcmp((char *)type, "pci") && slot &&
			    (!dom || strtoul((char *)dom, NULL, 0) == 0) && (!bus || strtoul((char *)bus, NULL, 0) == 0)) {
				unsigned long s = strtoul((char *)slot, NULL, 0);

				if (s < 32)
					used[s] = true;
			}
			continue;
		}
		used_slots(c, used);
	}
}

long ga_domxml_prop_num(xmlNodePtr n, const char *name)
{
	unsigned long num;

	return ga_domxml_num_prop(n, name, 0xffff, &num) ? (long)num : -1;
}

bool ga_domxml_is_pci_controller(xmlNodePtr c)
{
	_cleanup_xmlfree_ xmlChar *type = ga_xml_is(c, "controller") ? xmlGetProp(c, XC("type")) : NULL;

	return type && !strcmp((const char *)type, "pci");
}

/*
 * Where each new GPU <hostdev> goes (see struct ga_domxml_place). Flat: a
 * free slot on pcie.0 each. Expander: a free slot on pcie.0 for the
 * pcie-expander-bus, the lowest free controller indexes for it and its
 * root port (libvirt's controllers and the user's keep theirs: a merge of
 * libvirt's dump finds the same ones free again), and bus numbers below the
 * lowest busNr of the domain, two apart, as libvirt picks them itself.
 */
static int place_gpus(struct ga_ctx *ctx, xmlNodePtr devices, const struct ga_plan *plan,
		      const struct ga_domxml_opts *opts, xmlNodePtr const *adopt, struct ga_domxml_place *places)
{
	bool used[32] = { false }, index_used[256] = { false };
	unsigned next = GA_DOMXML_FIRST_SLOT, next_index = 1, nctl = 0;
	long lowest_bus_nr = GA_DOMXML_TOP_BUS_NR;
	bool expander = !opts->flat && plan->ncells > 1;

	if (devices)
		used_slots(devices, used);
	index_used[0] = true;
	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		long index, nr;

		if (!ga_domxml_is_pci_controller(c))
			continue;
		nctl++;
		index = ga_domxml_prop_num(c, "index");
		if (index >= 0 && index < 256)
			index_used[index] = true;
		nr = ga_domxml_prop_num(ga_xml_child(c, "target"), "busNr");
		if (nr >= 0 && nr < lowest_bus_nr)
			lowest_bus_nr = nr;
	}
	for (size_t i = 0; i < plan->ngpus; i++) {
		struct ga_domxml_place *pl = &places[i];

		memset(pl, 0, sizeof(*pl));
		if (adopt && adopt[i]) {
			/* the user's hostdev stays where it is */
			xmlNodePtr a = ga_xml_child(adopt[i], "address");

			pl->bus = ga_domxml_prop_num(a, "bus") > 0 ? (unsigned)ga_domxml_prop_num(a, "bus") : 0;
			pl->slot = ga_domxml_prop_num(a, "slot") > 0 ? (unsigned)ga_domxml_prop_num(a, "slot") : 0;
			continue;
		}
		while (next <= GA_DOMXML_LAST_SLOT && used[next])
			next++;
		if (next > GA_DOMXML_LAST_SLOT)
			return ga_report(ctx, -ENOSPC,
					 "no free slot on the root bus pcie.0 for GPU '%s' (slots 0x%02x-0x%02x are taken): free some or assign fewer GPUs",
					 plan->gpus[i].name, GA_DOMXML_FIRST_SLOT, GA_DOMXML_LAST_SLOT);
		if (!expander) {
			pl->slot = next++;
			continue;
		}
		pl->expander = true;
		pl->pxb_slot = next++;
		pl->node = plan->cells[plan->gpus[i].cell].id;
		for (unsigned k = 0; k < 2; k++) {
			while (next_index < 256 && index_used[next_index])
				next_index++;
			if (next_index > 255)
				return ga_report(ctx, -ENOSPC,
						 "no free PCI controller index (0-255) for the expander bus of GPU '%s': remove PCI controllers or give --flat",
						 plan->gpus[i].name);
			index_used[next_index] = true;
			if (k == 0)
				pl->pxb_index = next_index;
			else
				pl->bus = next_index;
		}
		/* the expander's bus and its root port's: busNr and busNr + 1; pcie.0's own buses stay below */
		lowest_bus_nr -= 2;
		if (lowest_bus_nr <= (long)(nctl + 2 * plan->ngpus))
			return ga_report(ctx, -ENOSPC,
					 "no free PCI bus number below %ld for the expander bus of GPU '%s': lower the busNr of the domain's own expander buses or give --flat",
					 lowest_bus_nr + 2, plan->gpus[i].name);
		pl->pxb_bus_nr = (unsigned)lowest_bus_nr;
		pl->slot = 0;
	}
	return 0;
}

/* A <controller type='pci' index='N' model='M'> element, not yet in the tree. */
static xmlNodePtr new_controller(struct ga_builder *b, unsigned index, const char *model)
{
	xmlNodePtr c = b->oom ? NULL : xmlNewDocNode(b->doc, NULL, XC("controller"), NULL);

	if (!c && !b->oom)
		b->oom = true;
	ga_builder_set(b, c, "type", "pci");
	ga_builder_set(b, c, "index", "%u", index);
	ga_builder_set(b, c, "model", "%s", model);
	return c;
}

/*
 * A GPU's pcie-expander-bus and pcie-root-port, each spelled exactly as
 * libvirt formats it after define (checked with virsh dumpxml on 11.3 and
 * 12.8), so that libvirt's copy of the domain merges back unchanged.
 */
void ga_domxml_build_expander(struct ga_builder *b, const struct ga_domxml_place *pl, xmlNodePtr *pxb, xmlNodePtr *rp)
{
	xmlNodePtr n, t;

	*pxb = new_controller(b, pl->pxb_index, "pcie-expander-bus");
	n = ga_builder_add(b, *pxb, NULL, "model");
	ga_builder_set(b, n, "name", "pxb-pcie");
	t = ga_builder_add(b, *pxb, NULL, "target");
	ga_builder_set(b, t, "busNr", "%u", pl->pxb_bus_nr);
	n = add_text(b, t, "node", "0");
	if (n) {
		char v[16];

		snprintf(v, sizeof(v), "%u", pl->node);
		xmlNodeSetContent(n, XC(v));
	}
	add_pci_address(b, *pxb, 0, pl->pxb_slot);

	*rp = new_controller(b, pl->bus, "pcie-root-port");
	n = ga_builder_add(b, *rp, NULL, "model");
	ga_builder_set(b, n, "name", "pcie-root-port");
	n = ga_builder_add(b, *rp, NULL, "target");
	/* libvirt's defaults: the chassis is the index, the port slot << 3 | function */
	ga_builder_set(b, n, "chassis", "%u", pl->bus);
	ga_builder_set(b, n, "port", "0x0");
	add_pci_address(b, *rp, pl->pxb_index, 0);
}

/*
 * Put controller c where libvirt keeps it: among the PCI controllers in
 * index order, else after the other controllers, else after <emulator>
 * and the disks.
 */
static void place_controller(struct ga_builder *b, xmlNodePtr devices, xmlNodePtr c, unsigned index)
{
	xmlNodePtr after = NULL, last_ctl = NULL, head = NULL;

	if (!c)
		return;
	for (xmlNodePtr n = devices->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (ga_domxml_is_pci_controller(n)) {
			long i = ga_domxml_prop_num(n, "index");

			if (i > (long)index) {
				if (!xmlAddPrevSibling(n, c))
					goto oom;
				return;
			}
			after = n;
		}
		if (ga_xml_is(n, "controller"))
			last_ctl = n;
		if (ga_xml_is(n, "emulator") || ga_xml_is(n, "disk"))
			head = n;
	}
	after = after ? after : last_ctl ? last_ctl : head;
	drop_blank_text(devices);
	if (after ? !xmlAddNextSibling(after, c) : !(devices->children ? xmlAddPrevSibling(devices->children, c)
								: xmlAddChild(devices, c)))
		goto oom;
	return;
oom:
	xmlFreeNode(c);
	b->oom = true;
}

static void write_expander(struct ga_builder *b, xmlNodePtr devices, const struct ga_plan_gpu *g,
			   const struct ga_domxml_place *pl)
{
	xmlNodePtr pxb, rp, n;

	ga_domxml_build_expander(b, pl, &pxb, &rp);
	if (b->oom) {
		xmlFreeNode(pxb);
		xmlFreeNode(rp);
		return;
	}
	place_controller(b, devices, pxb, pl->pxb_index);
	place_controller(b, devices, rp, pl->bus);
	n = ga_builder_add(b, b->record, b->ga_ns, "expander");
	ga_builder_set(b, n, "gpu", "%s", g->name);
	ga_builder_set(b, n, "index", "%u", pl->pxb_index);
	ga_builder_set(b, n, "bus-nr", "%u", pl->pxb_bus_nr);
	ga_builder_set(b, n, "node", "%u", pl->node);
	ga_builder_set(b, n, "slot", "0x%02x", pl->pxb_slot);
	ga_builder_set(b, n, "root-port", "%u", pl->bus);
}

/* The planner's cells (recorded), or GI cells after the domain's own. */
static void write_cells(struct ga_builder *b, xmlNodePtr cpu, const struct ga_plan *plan,
			const struct ga_gi_form_ops *form)
{
	xmlNodePtr rec;
	unsigned ids[GA_PLAN_MAX_NODES];
	char buf[512];

	if (plan->user_cells) {
		add_gi_cells(b, cpu, plan, form);
		return;
	}
	write_numa(b, cpu, plan, form);
	rec = ga_builder_add(b, b->record, b->ga_ns, "numa");
	for (size_t i = 0; i < plan->ncells; i++)
		ids[i] = plan->cells[i].id;
	ga_builder_set(b, rec, "cells", "%s", ga_idlist_format(ids, plan->ncells, buf, sizeof(buf)));
}

/* Write every part of the plan into doc (whose root has none of ours). */
static int apply_plan(struct ga_builder *b, const struct ga_plan *plan, const struct ga_domxml_opts *opts,
		      bool created_cpu)
{
	/* an unresolved form writes no GI nodes at all */
	static const struct ga_gi_form_ops no_form = { .form = GA_GI_FORM_AUTO };
	const struct ga_gi_form_ops *form = ga_gi_form_ops_of(opts->form) ? ga_gi_form_ops_of(opts->form) : &no_form;
	xmlNodePtr root = xmlDocGetRootElement(b->doc);
	xmlNodePtr metadata, features, cpu, devices, before;
	struct ga_domxml_place places[32];
	int r;

	if (plan->ngpus > 32)
		return ga_report(b->ctx, -E2BIG, "too many GPUs (%zu) for one domain", plan->ngpus);
	devices = ga_xml_child(root, "devices");
	if (!devices)
		devices = ga_builder_add(b, root, NULL, "devices");
	if (b->oom)
		return ga_report(b->ctx, -ENOMEM, "out of memory");
	r = place_gpus(b->ctx, devices, plan, opts, b->adopt, places);
	if (r < 0)
		return r;

	metadata = ga_xml_child(root, "metadata");
	if (!metadata)
		metadata = insert_ordered(b, root, domain_order, "metadata");
	write_record(b, metadata, plan, opts);

	features = ga_xml_child(root, "features");
	if (!features)
		features = insert_ordered(b, root, domain_order, "features");
	if (!ga_xml_child(features, "acpi")) {
		/* libvirt writes <acpi/> first of the features */
		before = features ? features->children : NULL;
		while (before && before->type != XML_ELEMENT_NODE)
			before = before->next;
		insert(b, features, before, "acpi");
	}

	cpu = ga_xml_child(root, "cpu");
	if (!cpu) {
		cpu = insert_ordered(b, root, domain_order, "cpu");
		created_cpu = true;
	}
	if (created_cpu)
		record_flag(b, "cpu");
	write_cells(b, cpu, plan, form);

	if (plan->pin) {
		xmlNodePtr cputune = insert_ordered(b, root, domain_order, "cputune");
		xmlNodePtr numatune = insert_ordered(b, root, domain_order, "numatune");

		write_pinning(b, cputune, numatune, plan);
		record_flag(b, "pin");
	}

	for (size_t i = 0; i < plan->ngpus; i++) {
		if (b->adopt && b->adopt[i]) {
			adopt_hostdev(b, b->adopt[i], &plan->gpus[i], i, form);
			continue;
		}
		if (places[i].expander)
			write_expander(b, devices, &plan->gpus[i], &places[i]);
		write_hostdev(b, devices, &plan->gpus[i], &places[i], opts, form);
	}
	if (opts->placed)
		memcpy(opts->placed, places, plan->ngpus * sizeof(*places));

	if (form->write_domain)
		form->write_domain(b, root, plan);
	write_mmio(b, root, devices, plan, opts);
	if (b->oom)
		return b->err ? b->err : ga_report(b->ctx, -ENOMEM, "out of memory");
	return 0;
}

/* The length of the UTF-8 sequence at p (1-4), 0 when it is not one: overlong, surrogate, past U+10FFFF, cut short. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0], n, min;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/*
 * A domain name by libvirt's rules and XML's: not empty, no '/' (libvirt's
 * QEMU driver and schema refuse it), no newline (refused at define) nor any
 * other control character (XML 1.0 cannot carry most of them, and tab or
 * carriage return make a name that virsh prints and parses badly), valid
 * UTF-8 (libxml2 stops at the first bad byte), at most GA_DOMXML_NAME_MAX
 * bytes (libvirt names its files after the domain, and a file name holds 255
 * bytes). what: how the name was given; fix: what to do, for the message.
 */
static int check_name(struct ga_ctx *ctx, const char *name, const char *what, const char *fix)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len = strlen(name);

	if (!len)
		return ga_report(ctx, -EINVAL, "%s is empty (%s)", what, fix);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(p + i);

		if (!n)
			return ga_report(ctx, -EINVAL, "%s is not valid UTF-8: byte 0x%02x at offset %zu (%s)", what, p[i],
					 i, fix);
		if (p[i] < 0x20 || p[i] == 0x7f)
			return ga_report(ctx, -EINVAL, "%s '%s' has the control character 0x%02x, which libvirt refuses (%s)",
					 what, name, p[i], fix);
		if (p[i] == '/')
			return ga_report(ctx, -EINVAL, "%s '%s' has a '/', which libvirt refuses (%s)", what, name, fix);
		i += n;
	}
	if (len > GA_DOMXML_NAME_MAX)
		return ga_report(ctx, -EINVAL, "%s is %zu bytes long: at most %d fit in the file names libvirt makes from it (%s)", what,
				 len, GA_DOMXML_NAME_MAX, fix);
	return 0;
}

int ga_domxml_new(struct ga_ctx *ctx, const struct ga_plan *plan, const struct ga_domxml_opts *opts, char **out)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	struct ga_builder b = { .ctx = ctx };
	xmlNodePtr root, n, os;
	bool kvm = !opts->virt_type || !strcmp(opts->virt_type, "kvm");
	int r;

	*out = NULL;
	if (!opts->name || !*opts->name)
		return ga_report(ctx, -EINVAL, "no domain name given (give --name NAME)");
	r = check_name(ctx, opts->name, "the domain name",
		       "give --name a name in UTF-8 without control characters or '/'");
	if (r < 0)
		return r;
	doc = xmlNewDoc(XC("1.0"));
	if (!doc)
		return ga_report(ctx, -ENOMEM, "out of memory");
	b.doc = doc;
	root = xmlNewDocNode(doc, NULL, XC("domain"), NULL);
	if (!root)
		return ga_report(ctx, -ENOMEM, "out of memory");
	xmlDocSetRootElement(doc, root);
	ga_builder_set(&b, root, "type", "%s", kvm ? "kvm" : "qemu");
	add_text(&b, root, "name", opts->name);
	n = add_text(&b, root, "memory", "0");
	if (n) {
		char v[32];

		snprintf(v, sizeof(v), "%" PRIu64, plan->memory_kib);
		xmlNodeSetContent(n, XC(v));
	}
	ga_builder_set(&b, n, "unit", "KiB");
	n = add_text(&b, root, "vcpu", "0");
	if (n) {
		char v[16];

		snprintf(v, sizeof(v), "%u", plan->vcpus);
		xmlNodeSetContent(n, XC(v));
	}
	ga_builder_set(&b, n, "placement", "static");
	os = ga_builder_add(&b, root, NULL, "os");
	ga_builder_set(&b, os, "firmware", "efi");
	n = add_text(&b, os, "type", "hvm");
	ga_builder_set(&b, n, "arch", "%s", ga_arch_to_string(plan->arch));
	ga_builder_set(&b, n, "machine", "%s", ga_arch_machine(plan->arch));
	ga_builder_add(&b, root, NULL, "features");
	n = ga_builder_add(&b, root, NULL, "cpu");
	/* KVM: the host's CPU as is; TCG (tests): everything QEMU can emulate. */
	ga_builder_set(&b, n, "mode", "%s", kvm ? "host-passthrough" : "maximum");
	ga_builder_set(&b, n, "check", "none");
	ga_builder_add(&b, root, NULL, "devices");
	if (b.oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	r = apply_plan(&b, plan, opts, false);
	if (r < 0)
		return r;
	return serialize(ctx, doc, out);
}

void ga_domxml_info_clear(struct ga_domxml_info *info)
{
	for (size_t i = 0; i < info->ncells; i++) {
		free(info->cells[i].vcpus);
		free(info->cells[i].host_nodes);
	}
	free(info->cells);
	free(info->root_bus_model);
	free(info->arch_name);
	free(info->machine);
	free(info->name);
	memset(info, 0, sizeof(*info));
}

/* What the domain says about its size and machine, from the model. */
static int read_info(struct ga_ctx *ctx, const struct ga_domain *dom, struct ga_domxml_info *info)
{
	memset(info, 0, sizeof(*info));
	if (dom->vcpu) {
		const char *s = dom->vcpu;
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (!(*s >= '0' && *s <= '9') || *end || v == 0 || v > 65536)
			return ga_report(ctx, -GA_E_PARSE, "the domain's <vcpu> '%s' is not a vCPU count", s);
		info->vcpus = (unsigned)v;
	}
	if (dom->memory && ga_size_parse_libvirt(dom->memory, dom->memory_unit, &info->memory_kib) < 0)
		return ga_report(ctx, -GA_E_PARSE, "the domain's <memory> '%s' (unit '%s') is not a size", dom->memory,
				 dom->memory_unit ? dom->memory_unit : "KiB");
	if (dom->name && check_name(ctx, dom->name, "the domain's <name>",
				    "fix <name> in the domain XML: libvirt would refuse the merged domain") < 0)
		return -EINVAL;
	info->memory_devices_kib = dom->memory_devices_kib;
	info->root_bus_model = dom->root_bus_model ? strdup(dom->root_bus_model) : NULL;
	if (dom->root_bus_model && !info->root_bus_model)
		return ga_report(ctx, -ENOMEM, "out of memory");
	info->name = dom->name ? strdup(dom->name) : NULL;
	info->arch_name = dom->arch ? strdup(dom->arch) : NULL;
	info->machine = dom->machine ? strdup(dom->machine) : NULL;
	if ((dom->name && !info->name) || (dom->arch && !info->arch_name) || (dom->machine && !info->machine))
		return ga_report(ctx, -ENOMEM, "out of memory");
	info->arch = GA_ARCH_AUTO;
	if (info->arch_name) {
		int a = ga_arch_from_string(info->arch_name);

		if (a > GA_ARCH_AUTO)
			info->arch = (enum ga_arch)a;
	}
	return 0;
}

static int cmp_user_cell(const void *a, const void *b)
{
	const struct ga_plan_user_cell *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The domain's own guest NUMA cells (what is left once an earlier merge's
 * parts are out, read again by the domain reader's sizes step): vCPUs,
 * memory in any unit libvirt takes, and the host nodes of their
 * <numatune><memnode>. A cell the reader could not read refuses the merge.
 */
static int read_user_cells(struct ga_ctx *ctx, xmlDocPtr doc, struct ga_domxml_info *info)
{
	_cleanup_domain_ struct ga_domain *dom = NULL;
	int r = ga_domain_read_sizes(ctx, doc, &dom);

	if (r < 0)
		return r;
	if (dom->cells_problem)
		return ga_report(ctx, -GA_E_PARSE, "the domain's %s", dom->cells_problem);
	if (!dom->ncells)
		return 0;
	info->cells = calloc(dom->ncells, sizeof(*info->cells));
	if (!info->cells)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < dom->ncells; i++) {
		struct ga_dom_cell *c = &dom->cells[i];
		struct ga_plan_user_cell *u = &info->cells[i];

		u->id = c->id;
		u->memory_kib = c->memory_kib;
		u->vcpus = steal_ptr(c->vcpus);
		u->nvcpus = c->nvcpus;
		u->host_nodes = steal_ptr(c->host_nodes);
		u->nhost_nodes = c->nhost_nodes;
		info->cell_distances |= c->distances;
	}
	info->ncells = dom->ncells;
	/* libvirt takes the cells in any order and sorts them by id: the planner wants them so */
	qsort(info->cells, info->ncells, sizeof(*info->cells), cmp_user_cell);
	return 0;
}

int ga_domxml_read_info(struct ga_ctx *ctx, const char *xml, size_t len, struct ga_domxml_info *info)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_domain_ struct ga_domain *dom = NULL;
	xmlNodePtr root;
	int r;

	memset(info, 0, sizeof(*info));
	r = ga_domain_doc_parse(ctx, xml, len, &doc);
	if (r < 0)
		return r;
	r = ga_domain_read(ctx, doc, &dom);
	if (r < 0)
		return r;
	r = read_info(ctx, dom, info);
	root = xmlDocGetRootElement(doc);
	if (r == 0)
		r = ga_domxml_remove_ours(ctx, root, ga_xml_ns_child(ga_xml_child(root, "metadata"), GA_DOMXML_NS, "gpu-assign"),
				&dom->record);
	if (r == 0)
		r = read_user_cells(ctx, doc, info);
	if (r < 0)
		ga_domxml_info_clear(info);
	return r;
}

/* The <cell> elements of the domain's <cpu><numa>. */
static size_t count_cells(xmlNodePtr root)
{
	xmlNodePtr numa = ga_xml_child(ga_xml_child(root, "cpu"), "numa");
	size_t n = 0;

	for (xmlNodePtr c = numa ? numa->children : NULL; c; c = c->next)
		n += ga_xml_is(c, "cell");
	return n;
}

/*
 * A <hostdev> of the user's that already holds a planned GPU is adopted, not
 * refused: it stays where and as it is, and adopt_hostdev adds only what the
 * GPU lacks. In the fallback form the GI objects name the hostdev by a user
 * alias ("ua-"): its own when it has one, else ours, added. A hostdev with an
 * <acpi nodeset> of its own is refused: its GI nodes would be the user's.
 */
static int find_adoptions(struct ga_ctx *ctx, xmlNodePtr root, struct ga_plan *plan, xmlNodePtr *adopt)
{
	xmlNodePtr devices = ga_xml_child(root, "devices");

	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		struct ga_pci_addr a;

		if (!ga_xml_is(c, "hostdev") || !ga_domxml_hostdev_source(c, &a))
			continue;
		for (size_t i = 0; i < plan->ngpus; i++) {
			struct ga_plan_gpu *g = &plan->gpus[i];
			bool oom = false;
			_cleanup_free_ char *alias = ga_xml_prop(ga_xml_child(c, "alias"), "name", &oom);
			_cleanup_free_ char *nodeset = ga_xml_prop(ga_xml_child(c, "acpi"), "nodeset", &oom);

			if (!ga_pci_addr_equal(&a, &g->addr))
				continue;
			if (oom)
				return ga_report(ctx, -ENOMEM, "out of memory");
			if (adopt[i])
				return ga_report(ctx, -EEXIST,
						 "GPU '%s' is in two <hostdev> elements of the domain: remove one", g->name);
			if (nodeset)
				return ga_report(ctx, -EEXIST,
						 "GPU '%s' is in a <hostdev> with an <acpi nodeset='%s'> of its own: gpu-assign ties the GPU's GI nodes itself (remove that <acpi> and the cells it names)",
						 g->name, nodeset);
			adopt[i] = c;
			if (alias && !strncmp(alias, "ua-", 3)) {
				if (strlen(alias) >= sizeof(g->alias))
					return ga_report(ctx, -EINVAL,
							 "GPU '%s' is in a <hostdev> whose alias '%s' is longer than gpu-assign takes (%zu characters): shorten it",
							 g->name, alias, sizeof(g->alias) - 1);
				snprintf(g->alias, sizeof(g->alias), "%s", alias);
			}
		}
	}
	return 0;
}

/* The first element child of parent named one of names (NULL-terminated), or NULL. */
static xmlNodePtr first_of(xmlNodePtr parent, const char *const *names)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		for (size_t i = 0; names[i]; i++)
			if (ga_xml_is(c, names[i]))
				return c;
	return NULL;
}

/* A new child of parent placed before the first of names, else appended. */
static xmlNodePtr add_before(struct ga_builder *b, xmlNodePtr parent, const char *name, const char *const *names)
{
	xmlNodePtr n = ga_builder_add(b, parent, NULL, name), before = n ? first_of(parent, names) : NULL;

	if (before && before != n) {
		xmlUnlinkNode(n);
		if (!xmlAddPrevSibling(before, n)) {
			xmlFreeNode(n);
			b->oom = true;
			return NULL;
		}
	}
	return n;
}

/*
 * Complete an adopted hostdev (see find_adoptions): the alias the fallback
 * form needs, <rom bar='off'/> when it has no <rom>, the native form's
 * <acpi nodeset>; in libvirt's order (alias, rom, acpi, address). Its own
 * address, driver, managed and the rest stay. The record's GPU entry says
 * what was added, so that a later merge takes exactly that out again.
 */
static void adopt_hostdev(struct ga_builder *b, xmlNodePtr h, const struct ga_plan_gpu *g, size_t index,
			  const struct ga_gi_form_ops *form)
{
	static const char *const after_alias[] = { "rom", "acpi", "address", NULL };
	static const char *const after_rom[] = { "acpi", "address", NULL };
	static const char *const after_acpi[] = { "address", NULL };
	char added[64] = "";
	xmlNodePtr n, rec = NULL;
	size_t k = 0;

	if (form->form == GA_GI_FORM_FALLBACK && !ga_domxml_alias_is(h, g->alias)) {
		n = ga_xml_child(h, "alias");
		if (!n)
			n = add_before(b, h, "alias", after_alias);
		ga_builder_set(b, n, "name", "%s", g->alias);
		strcat(added, " alias");
	}
	if (!ga_xml_child(h, "rom")) {
		n = add_before(b, h, "rom", after_rom);
		ga_builder_set(b, n, "bar", "off");
		strcat(added, " rom");
	}
	if (form->write_hostdev) {
		form->write_hostdev(b, h, g);
		n = ga_xml_child(h, "acpi");
		if (n && first_of(h, after_acpi)) {
			xmlUnlinkNode(n);
			if (!xmlAddPrevSibling(first_of(h, after_acpi), n)) {
				xmlFreeNode(n);
				b->oom = true;
			}
		}
		strcat(added, " acpi");
	}
	for (xmlNodePtr c = b->record ? b->record->children : NULL; c && !rec; c = c->next)
		if (ga_xml_is_ns(c, GA_DOMXML_NS, "gpu") && k++ == index)
			rec = c;
	ga_builder_set(b, rec, "adopted", "%s", added[0] ? added + 1 : "");
}

/*
 * The domain's own cells stay as they are; the GI cells (native form) follow
 * them, and where the user's cells carry <distances> each gets a sibling per
 * GI node.
 */
static void add_gi_cells(struct ga_builder *b, xmlNodePtr cpu, const struct ga_plan *plan,
			 const struct ga_gi_form_ops *form)
{
	xmlNodePtr numa = ga_xml_child(cpu, "numa");
	unsigned long id, place = 0;

	if (!numa)
		return;
	/* a sibling names a cell: only the native form's GI nodes are cells (else "-numa dist" has them) */
	for (xmlNodePtr c = numa->children; c && !plan->no_distances && form->gi_cells; c = c->next) {
		xmlNodePtr d = ga_xml_is(c, "cell") ? ga_xml_child(c, "distances") : NULL;

		if (ga_xml_is(c, "cell"))
			place++;
		/* a cell without an id is numbered by its place, as libvirt does */
		if (!d || (xmlHasProp(c, XC("id")) ? !ga_domxml_num_prop(c, "id", plan->ncells - 1, &id)
						   : (id = place - 1) >= plan->ncells))
			continue;
		for (unsigned gi = (unsigned)plan->ncells; gi < plan->nnodes; gi++) {
			xmlNodePtr s = ga_builder_add(b, d, NULL, "sibling");

			ga_builder_set(b, s, "id", "%u", gi);
			ga_builder_set(b, s, "value", "%u", ga_plan_distance(plan, (unsigned)id, gi));
		}
	}
	if (form->write_cells)
		form->write_cells(b, numa, plan);
}

int ga_domxml_check_machine(struct ga_ctx *ctx, const struct ga_domxml_info *info, enum ga_arch arch)
{
	if (info->arch == GA_ARCH_AUTO && info->arch_name)
		return ga_report(ctx, -EINVAL,
				 "the domain's architecture '%s' is not one gpu-assign supports (aarch64, x86_64)",
				 info->arch_name);
	if (arch == GA_ARCH_AUTO)
		return 0;
	if (info->arch != GA_ARCH_AUTO && info->arch != arch)
		return ga_report(ctx, -EINVAL,
				 "the domain is for architecture '%s' but the plan is for '%s' (give --arch %s or another domain)",
				 info->arch_name, ga_arch_to_string(arch), info->arch_name);
	if (info->machine && arch == GA_ARCH_AARCH64 && strncmp(info->machine, "virt", 4))
		return ga_report(ctx, -EINVAL,
				 "the domain's machine type '%s' is not aarch64 'virt', which the GPU layout needs (set <type machine='virt'>)",
				 info->machine);
	if (info->machine && arch == GA_ARCH_X86_64 && !strstr(info->machine, "q35"))
		return ga_report(ctx, -EINVAL,
				 "the domain's machine type '%s' is not 'q35', which the GPU layout needs (set <type machine='q35'>)",
				 info->machine);
	/* PCI controller 0 is the root bus: a pcie-root on q35 and 'virt', which the layout builds on */
	if (info->root_bus_model && strcmp(info->root_bus_model, "pcie-root"))
		return ga_report(ctx, -EINVAL,
				 "the domain's PCI controller 0 is a '%s', but the GPU layout needs the root bus of a %s machine, a 'pcie-root': make it model='pcie-root' (or remove it: libvirt adds it)",
				 info->root_bus_model, arch == GA_ARCH_AARCH64 ? "'virt'" : "q35");
	return 0;
}

/*
 * What in the user's domain clashes with the plan: the facts of the domain
 * as read (dom, info), and the tree once remove_ours has taken our parts out.
 */
static int check_conflicts(struct ga_ctx *ctx, xmlNodePtr root, const struct ga_plan *plan,
			   const struct ga_domxml_info *info, xmlNodePtr const *adopt)
{
	xmlNodePtr devices = ga_xml_child(root, "devices");
	xmlNodePtr cmd = ga_xml_ns_child(root, GA_QEMU_NS, "commandline");

	int r = ga_domxml_check_machine(ctx, info, plan->arch);

	if (r < 0)
		return r;
	if (plan->user_cells != (count_cells(root) > 0) || (plan->user_cells && count_cells(root) != plan->ncells))
		return ga_report(ctx, -EINVAL,
				 "the plan was made for %zu guest NUMA cells of the domain's own, but the domain has %zu: plan with the same domain",
				 plan->user_cells ? plan->ncells : 0, count_cells(root));
	if (plan->pin && (ga_xml_child(root, "cputune") || ga_xml_child(root, "numatune")))
		return ga_report(ctx, -EEXIST,
				 "the domain already has <cputune> or <numatune> of its own: --pin would replace them (remove them or drop --pin)");
	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (size_t i = 0; i < plan->ngpus; i++) {
			if (c != adopt[i] && ga_domxml_alias_is(c, plan->gpus[i].alias))
				return ga_report(ctx, -EEXIST,
						 "the domain already has a device with alias '%s' that gpu-assign did not write: rename it",
						 plan->gpus[i].alias);
		}
	}
	for (xmlNodePtr c = cmd ? cmd->children : NULL; c; c = c->next) {
		_cleanup_xmlfree_ xmlChar *v = NULL;

		if (!ga_xml_is_ns(c, GA_QEMU_NS, "arg"))
			continue;
		if (ga_domxml_value_is(c, "-numa"))
			return ga_report(ctx, -EEXIST,
					 "the domain passes its own '-numa' in <qemu:commandline>, which would clash with the planned node ids: remove it");
		v = xmlGetProp(c, XC("value"));
		if (v && strstr((const char *)v, "acpi-generic-initiator"))
			return ga_report(ctx, -EEXIST,
					 "the domain passes its own 'acpi-generic-initiator' object in <qemu:commandline>, which would clash with the planned GI nodes: remove it");
	}
	return 0;
}

/* Sizes follow the plan (the same as the domain's unless overridden). */
static void set_sizes(struct ga_builder *b, xmlNodePtr root, const struct ga_plan *plan,
		      const struct ga_domxml_info *info)
{
	xmlNodePtr mem = ga_xml_child(root, "memory"), cur = ga_xml_child(root, "currentMemory");
	xmlNodePtr vcpu = ga_xml_child(root, "vcpu");
	/* libvirt's <memory>: the cells' and the memory devices' (DIMMs, virtio-mem) together */
	uint64_t memory_kib = plan->memory_kib + info->memory_devices_kib;
	char v[32];

	snprintf(v, sizeof(v), "%" PRIu64, memory_kib);
	if (info->memory_kib != memory_kib || !mem) {
		mem = size_element(b, root, mem, "memory");
		if (mem) {
			xmlNodeSetContent(mem, XC(v));
			ga_builder_set(b, mem, "unit", "KiB");
		}
		if (cur) {
			xmlNodeSetContent(cur, XC(v));
			ga_builder_set(b, cur, "unit", "KiB");
		}
	}
	snprintf(v, sizeof(v), "%u", plan->vcpus);
	if (info->vcpus != plan->vcpus || !vcpu) {
		vcpu = size_element(b, root, vcpu, "vcpu");
		if (vcpu) {
			xmlNodeSetContent(vcpu, XC(v));
			xmlUnsetProp(vcpu, XC("current"));
		}
	}
}

int ga_domxml_merge(struct ga_ctx *ctx, const char *xml, size_t len, const struct ga_plan *plan,
		    const struct ga_domxml_opts *opts, char **out)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_domain_ struct ga_domain *dom = NULL;
	struct ga_domxml_info info = { 0 };
	struct ga_builder b = { .ctx = ctx };
	struct ga_plan local;
	struct ga_plan_gpu *gpus = NULL;
	xmlNodePtr root, rec_el, *adopt = NULL;
	bool created_cpu;
	int r;

	*out = NULL;
	/* one reader: the tree to edit, and the model (the hook's) for the facts */
	r = ga_domain_doc_parse(ctx, xml, len, &doc);
	if (r < 0)
		return r;
	r = ga_domain_read(ctx, doc, &dom);
	if (r < 0)
		return r;
	if (dom->record.bad_numa_nodes)
		return ga_report(ctx, -GA_E_PARSE,
				 "the domain's gpu-assign record has a bad numa-nodes list '%s' (remove the <gpu-assign:gpu-assign> element from <metadata> and its parts by hand)",
				 dom->record.bad_numa_nodes);
	root = xmlDocGetRootElement(doc);
	strip_blanks(root);
	rec_el = ga_xml_ns_child(ga_xml_child(root, "metadata"), GA_DOMXML_NS, "gpu-assign");
	r = ga_domxml_remove_ours(ctx, root, rec_el, &dom->record);
	if (r < 0)
		return r;
	/* we created <cpu>: still ours to say so while it stands (libvirt may fill it in) */
	created_cpu = dom->record.cpu;
	r = read_info(ctx, dom, &info);
	if (r < 0)
		goto out;
	/* the plan as this domain takes it: adopted hostdevs may bring their own alias */
	local = *plan;
	local.gpus = gpus = calloc(plan->ngpus ? plan->ngpus : 1, sizeof(*gpus));
	adopt = calloc(plan->ngpus ? plan->ngpus : 1, sizeof(*adopt));
	if (!gpus || !adopt) {
		r = ga_report(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	if (plan->ngpus)
		memcpy(gpus, plan->gpus, plan->ngpus * sizeof(*gpus));
	r = find_adoptions(ctx, root, &local, adopt);
	if (r < 0)
		goto out;
	r = check_conflicts(ctx, root, &local, &info, adopt);
	if (r < 0)
		goto out;

	b.doc = doc;
	b.adopt = adopt;
	set_sizes(&b, root, plan, &info);
	r = apply_plan(&b, &local, opts, created_cpu);
	if (r < 0)
		goto out;
	r = serialize(ctx, doc, out);
out:
	free(gpus);
	free(adopt);
	ga_domxml_info_clear(&info);
	return r;
}
