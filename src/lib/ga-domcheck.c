// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "ga-form.h"
#include "ga-host.h"
#include "ga-units.h"
#include "ga-xml.h"

#define VIRT_DEFAULT_MMIO (512ULL << 30)

static void free_hostdev(struct ga_dom_hostdev *hd)
{
	free(hd->alias);
	free(hd->driver_model);
	free(hd->gi_nodes);
}

void ga_domain_free(struct ga_domain *dom)
{
	if (!dom)
		return;
	free(dom->name);
	free(dom->uuid);
	free(dom->arch);
	free(dom->machine);
	free(dom->nova_instance);
	free(dom->nova_flavor);
	for (size_t i = 0; i < dom->ncells; i++) {
		free(dom->cells[i].vcpus);
		free(dom->cells[i].host_nodes);
	}
	free(dom->cells);
	free(dom->cells_problem);
	free(dom->root_bus_model);
	for (size_t i = 0; i < dom->nhostdevs; i++)
		free_hostdev(&dom->hostdevs[i]);
	free(dom->hostdevs);
	free(dom->numa_nodeids);
	for (size_t i = 0; i < dom->ngi_objects; i++) {
		free(dom->gi_objects[i].id);
		free(dom->gi_objects[i].pci_dev);
	}
	free(dom->gi_objects);
	ga_strv_free(dom->device_ids);
	free(dom->vcpu);
	free(dom->memory);
	free(dom->memory_unit);
	for (size_t i = 0; i < dom->record.naliases; i++)
		free(dom->record.aliases[i]);
	free(dom->record.aliases);
	free(dom->record.numa_nodes);
	free(dom->record.bad_numa_nodes);
	free(dom->record.machine);
	free(dom);
}

/* A number as libvirt writes it in an address ("0x0009", "9"), at most max. */
bool ga_dom_parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return !errno && *end == '\0' && *out <= max;
}

/* Value of key in a QEMU option string "type,key=value,key2=value2" (copied into buf). */
bool ga_dom_opt_value(const char *opts, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = opts;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t vlen = len - klen - 1;

			if (vlen >= size)
				return false;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

int ga_dom_push(struct ga_ctx *ctx, void **array, size_t *n, size_t size)
{
	void *grown;

	if (*n >= 1u << 20)
		return ga_report(ctx, -E2BIG, "domain XML has more than a million items of one kind (refusing to read on)");
	grown = realloc(*array, (*n + 1) * size);
	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	*array = grown;
	memset((char *)grown + *n * size, 0, size);
	(*n)++;
	return 0;
}

static int read_hostdev(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr n)
{
	xmlNodePtr addr = ga_xml_child(ga_xml_child(n, "source"), "address");
	struct ga_dom_hostdev *hd;
	unsigned long dom_, bus, slot, fn;
	char *v;
	bool oom = false, ok;
	int r;

	v = ga_xml_prop(n, "mode", &oom);
	ok = !v || !strcmp(v, "subsystem");
	free(v);
	v = ga_xml_prop(n, "type", &oom);
	ok = ok && v && !strcmp(v, "pci");
	free(v);
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (!ok || !addr)
		return 0;
	{
		char *d = ga_xml_prop(addr, "domain", &oom), *b = ga_xml_prop(addr, "bus", &oom);
		char *s = ga_xml_prop(addr, "slot", &oom), *f = ga_xml_prop(addr, "function", &oom);

		/* libvirt defaults a missing domain to 0 */
		ok = (!d || ga_dom_parse_num(d, 0xffff, &dom_)) && ga_dom_parse_num(b, 0xff, &bus) &&
		     ga_dom_parse_num(s, 0x1f, &slot) && ga_dom_parse_num(f, 7, &fn);
		if (!d)
			dom_ = 0;
		free(d);
		free(b);
		free(s);
		free(f);
	}
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (!ok)
		return 0; /* not an address libvirt would accept: not ours to judge */
	r = ga_dom_push(ctx, (void **)&dom->hostdevs, &dom->nhostdevs, sizeof(*dom->hostdevs));
	if (r < 0)
		return r;
	hd = &dom->hostdevs[dom->nhostdevs - 1];
	hd->addr.domain = (uint16_t)dom_;
	hd->addr.bus = (uint8_t)bus;
	hd->addr.slot = (uint8_t)slot;
	hd->addr.func = (uint8_t)fn;
	v = ga_xml_prop(n, "managed", &oom);
	hd->managed = v && !strcmp(v, "yes");
	free(v);
	hd->alias = ga_xml_prop(ga_xml_child(n, "alias"), "name", &oom);
	hd->driver_model = ga_xml_prop(ga_xml_child(n, "driver"), "model", &oom);
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; ga_gi_forms[i]; i++) {
		if (!ga_gi_forms[i]->read_hostdev)
			continue;
		r = ga_gi_forms[i]->read_hostdev(ctx, hd, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Note the first problem met reading the cells (later ones add nothing). */
__attribute__((format(printf, 3, 4))) static int cells_problem(struct ga_ctx *ctx, struct ga_domain *dom,
								 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (dom->cells_problem)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&dom->cells_problem, fmt, ap);
	va_end(ap);
	if (n < 0) {
		dom->cells_problem = NULL;
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

/* A CPU or node list of the domain; *ok false (and nothing kept) when it is not one. */
static int read_list(struct ga_ctx *ctx, const char *s, unsigned limit, unsigned **out, size_t *n, bool *ok)
{
	struct ga_error_saved saved;
	int r;

	ga_error_save(ctx, &saved);
	r = ga_libvirt_list_parse(ctx, s, limit, out, n);
	*ok = r == 0;
	if (r == -ENOMEM)
		return r;
	ga_error_restore(ctx, &saved, NULL);
	return 0;
}

/* One <cell>: kept when its id (or place) and memory are readable, its cpus parsed. */
static int read_cell(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr n, size_t index)
{
	struct ga_dom_cell cell = { 0 };
	_cleanup_free_ char *id = NULL, *mem = NULL, *unit = NULL, *cpus = NULL;
	unsigned long idv;
	bool oom = false, ok;
	int r;

	id = ga_xml_prop(n, "id", &oom);
	mem = ga_xml_prop(n, "memory", &oom);
	unit = ga_xml_prop(n, "unit", &oom);
	cpus = ga_xml_prop(n, "cpus", &oom);
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	/* as libvirt: a cell without an id is numbered by its place among the cells */
	if (!id)
		idv = index;
	else if (!ga_dom_parse_num(id, GA_DOMAIN_MAX_NODE, &idv))
		return cells_problem(ctx, dom, "guest NUMA cell %zu has no readable id ('%s')", index, id);
	cell.id = (unsigned)idv;
	if (!mem || ga_size_parse_libvirt(ga_xml_strip(mem), unit, &cell.memory_kib) < 0)
		return cells_problem(ctx, dom, "guest NUMA cell %u has memory '%s' (unit '%s'), which is not a size",
				     cell.id, mem ? mem : "", unit ? unit : "KiB");
	cell.has_cpus = cpus && *ga_xml_strip(cpus);
	if (cell.has_cpus) {
		r = read_list(ctx, ga_xml_strip(cpus), 65536, &cell.vcpus, &cell.nvcpus, &ok);
		if (r < 0)
			return r;
		if (!ok) {
			r = cells_problem(ctx, dom, "guest NUMA cell %u has cpus '%s', which is not a CPU list (ranges like '0-3,8')",
					  cell.id, cpus);
			if (r < 0)
				return r;
		}
	}
	cell.distances = ga_xml_child(n, "distances") != NULL;
	r = ga_dom_push(ctx, (void **)&dom->cells, &dom->ncells, sizeof(*dom->cells));
	if (r < 0) {
		free(cell.vcpus);
		return r;
	}
	dom->cells[dom->ncells - 1] = cell;
	return 0;
}

/* The host nodes of each cell's <numatune><memnode cellid nodeset> (the first memnode of a cell counts). */
static int read_memnodes(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr numatune)
{
	for (xmlNodePtr n = numatune ? numatune->children : NULL; n; n = n->next) {
		_cleanup_free_ char *cell = NULL, *nodeset = NULL;
		unsigned long idv;
		bool oom = false, ok;
		int r;

		if (!ga_xml_is(n, "memnode"))
			continue;
		cell = ga_xml_prop(n, "cellid", &oom);
		nodeset = ga_xml_prop(n, "nodeset", &oom);
		if (oom)
			return ga_report(ctx, -ENOMEM, "out of memory");
		if (!cell || !nodeset || !ga_dom_parse_num(cell, GA_DOMAIN_MAX_NODE, &idv))
			continue;
		for (size_t i = 0; i < dom->ncells; i++) {
			struct ga_dom_cell *c = &dom->cells[i];

			if (c->id != idv || c->host_nodes)
				continue;
			r = read_list(ctx, nodeset, GA_DOMAIN_MAX_NODE + 1, &c->host_nodes, &c->nhost_nodes, &ok);
			if (r < 0)
				return r;
			if (!ok) {
				r = cells_problem(ctx, dom, "<numatune><memnode cellid='%lu'> has a nodeset '%s' that is not a node list",
						  idv, nodeset);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

/* A <devices><memory> device: its <target><size> adds to what libvirt wants in <memory>. */
static int read_memory_device(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr n)
{
	xmlNodePtr size = ga_xml_child(ga_xml_child(n, "target"), "size");
	_cleanup_free_ char *text = NULL, *unit = NULL;
	bool oom = false;
	uint64_t kib;

	if (!size)
		return 0;
	text = ga_xml_text(size, &oom);
	unit = ga_xml_prop(size, "unit", &oom);
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (!text || ga_size_parse_libvirt(ga_xml_strip(text), unit, &kib) < 0)
		return cells_problem(ctx, dom, "memory device has a <target><size> '%s' (unit '%s') that is not a size",
				     text ? text : "", unit ? unit : "KiB");
	dom->memory_devices_kib += kib;
	return 0;
}

static int read_cells(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr numa)
{
	size_t index = 0;

	for (xmlNodePtr n = numa ? numa->children : NULL; n; n = n->next) {
		int r;

		if (!ga_xml_is(n, "cell"))
			continue;
		r = read_cell(ctx, dom, n, index++);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_device_id(struct ga_ctx *ctx, struct ga_domain *dom, const char *id)
{
	size_t n = 0;
	char **grown;

	while (dom->device_ids && dom->device_ids[n])
		n++;
	if (n >= 1u << 16)
		return 0;
	grown = realloc(dom->device_ids, (n + 2) * sizeof(*grown));
	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	dom->device_ids = grown;
	grown[n] = strdup(id);
	grown[n + 1] = NULL;
	return grown[n] ? 0 : ga_report(ctx, -ENOMEM, "out of memory");
}

/* One option and its value from <qemu:commandline>: the forms', then the MMIO window and device ids. */
static int read_qemu_option(struct ga_ctx *ctx, struct ga_domain *dom, const char *opt, const char *val)
{
	char buf[256];

	for (size_t i = 0; ga_gi_forms[i]; i++) {
		int r = ga_gi_forms[i]->read_qemu_arg ? ga_gi_forms[i]->read_qemu_arg(ctx, dom, opt, val) : 0;

		if (r < 0)
			return r;
	}
	if (!strcmp(opt, "-machine") || !strcmp(opt, "-M")) {
		uint64_t size;

		if (ga_dom_opt_value(val, "highmem-mmio-size", buf, sizeof(buf)) && ga_size_parse_qemu(buf, &size) == 0)
			dom->highmem_mmio_size = size;
	} else if (!strcmp(opt, "-device")) {
		if (ga_dom_opt_value(val, "id", buf, sizeof(buf)))
			return add_device_id(ctx, dom, buf);
	}
	return 0;
}

static int read_qemu_commandline(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr cl)
{
	char *prev = NULL;
	int r = 0;

	for (xmlNodePtr n = cl->children; n && r == 0; n = n->next) {
		bool oom = false;
		char *value;

		if (!ga_xml_is_ns(n, GA_QEMU_NS, "arg"))
			continue;
		value = ga_xml_prop(n, "value", &oom);
		if (oom) {
			r = ga_report(ctx, -ENOMEM, "out of memory");
			break;
		}
		if (!value)
			continue;
		if (prev)
			r = read_qemu_option(ctx, dom, prev, value);
		free(prev);
		prev = value[0] == '-' ? value : NULL;
		if (!prev)
			free(value);
	}
	free(prev);
	return r;
}

/* The element names of our record, the first one of each kind counting. */
static int read_record(struct ga_ctx *ctx, struct ga_dom_record *rec, xmlNodePtr el)
{
	if (!el)
		return 0;
	rec->present = true;
	for (xmlNodePtr c = el->children; c; c = c->next) {
		bool oom = false;

		if (ga_xml_is_ns(c, GA_DOMXML_NS, "gpu")) {
			char *alias = ga_xml_prop(c, "alias", &oom);

			if (alias && ga_dom_push(ctx, (void **)&rec->aliases, &rec->naliases, sizeof(*rec->aliases)) < 0) {
				free(alias);
				return -ENOMEM;
			}
			if (alias)
				rec->aliases[rec->naliases - 1] = alias;
		} else if (ga_xml_is_ns(c, GA_DOMXML_NS, "qemu")) {
			_cleanup_free_ char *nodes = ga_xml_prop(c, "numa-nodes", &oom);

			free(rec->machine);
			free(rec->numa_nodes);
			free(rec->bad_numa_nodes);
			rec->numa_nodes = NULL;
			rec->nnuma_nodes = 0;
			rec->bad_numa_nodes = NULL;
			rec->machine = ga_xml_prop(c, "machine", &oom);
			if (nodes) {
				int r = ga_cpulist_parse(ctx, nodes, GA_DOMAIN_MAX_NODE + 1, &rec->numa_nodes, &rec->nnuma_nodes);

				if (r == -ENOMEM)
					return r;
				if (r < 0) {
					/* not the reader's to refuse: the merge does */
					ga_clear_error(ctx);
					rec->bad_numa_nodes = steal_ptr(nodes);
				}
			}
		} else if (ga_xml_is_ns(c, GA_DOMXML_NS, "numa")) {
			rec->numa = true;
		} else if (ga_xml_is_ns(c, GA_DOMXML_NS, "pin")) {
			rec->pin = true;
		} else if (ga_xml_is_ns(c, GA_DOMXML_NS, "pcihole64")) {
			rec->pcihole64 = true;
		} else if (ga_xml_is_ns(c, GA_DOMXML_NS, "cpu")) {
			rec->cpu = true;
		}
		if (oom)
			return ga_report(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

static int read_metadata(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr md)
{
	for (xmlNodePtr n = md ? md->children : NULL; n; n = n->next) {
		bool oom = false;

		if (n->type != XML_ELEMENT_NODE || !n->ns || !n->ns->href ||
		    strncmp((const char *)n->ns->href, GA_NOVA_NS_PREFIX, strlen(GA_NOVA_NS_PREFIX)))
			continue;
		dom->nova = true;
		for (xmlNodePtr c = n->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || c->ns != n->ns)
				continue;
			if (!strcmp((const char *)c->name, "name") && !dom->nova_instance)
				dom->nova_instance = ga_xml_text(c, &oom);
			else if (!strcmp((const char *)c->name, "flavor") && !dom->nova_flavor)
				dom->nova_flavor = ga_xml_prop(c, "name", &oom);
		}
		if (oom)
			return ga_report(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

int ga_domain_doc_parse(struct ga_ctx *ctx, const char *buf, size_t len, xmlDocPtr *out)
{
	static const struct ga_xml_source src = { .what = "domain XML", .max = GA_DOMAIN_MAX_XML };
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int r;

	*out = NULL;
	r = ga_xml_parse(ctx, buf, len, &src, &doc);
	if (r < 0)
		return r;
	root = xmlDocGetRootElement(doc);
	if (root->ns && !strcmp((const char *)root->name, "domain"))
		return ga_report(ctx, -GA_E_PARSE,
				 "not a libvirt domain XML: the root element 'domain' is in the namespace '%s', and libvirt's has none (remove xmlns%s%s='%s' from it)",
				 root->ns->href ? (const char *)root->ns->href : "", root->ns->prefix ? ":" : "",
				 root->ns->prefix ? (const char *)root->ns->prefix : "",
				 root->ns->href ? (const char *)root->ns->href : "");
	if (!ga_xml_is(root, "domain"))
		return ga_report(ctx, -GA_E_PARSE,
				 "not a libvirt domain XML: the root element is '%s%s%s', not 'domain' (give the output of 'virsh dumpxml')",
				 root->ns && root->ns->prefix ? (const char *)root->ns->prefix : "",
				 root->ns && root->ns->prefix ? ":" : "", (const char *)root->name);
	*out = steal_ptr(doc);
	return 0;
}

int ga_domain_parse(struct ga_ctx *ctx, const char *buf, size_t len, struct ga_domain **out)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	int r;

	*out = NULL;
	r = ga_domain_doc_parse(ctx, buf, len, &doc);
	if (r < 0)
		return r;
	return ga_domain_read(ctx, doc, out);
}

/* pcie-root's <pcihole64> (libvirt's default unit: KiB); one that cannot be read counts as absent */
/* The model of PCI controller 0, the root bus. */
static int read_root_bus(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr devices)
{
	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		_cleanup_free_ char *type = NULL, *index = NULL;
		bool oom = false;

		if (!ga_xml_is(c, "controller"))
			continue;
		type = ga_xml_prop(c, "type", &oom);
		index = ga_xml_prop(c, "index", &oom);
		if (!oom && type && index && !strcmp(type, "pci") && !strcmp(index, "0"))
			dom->root_bus_model = ga_xml_prop(c, "model", &oom);
		if (oom)
			return ga_report(ctx, -ENOMEM, "out of memory");
		if (dom->root_bus_model)
			return 0;
	}
	return 0;
}

static int read_pcihole64(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr devices)
{
	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		_cleanup_free_ char *type = NULL, *model = NULL, *text = NULL, *unit = NULL;
		xmlNodePtr hole = ga_xml_is(c, "controller") ? ga_xml_child(c, "pcihole64") : NULL;
		bool oom = false;
		uint64_t kib;

		if (!hole)
			continue;
		type = ga_xml_prop(c, "type", &oom);
		model = ga_xml_prop(c, "model", &oom);
		text = ga_xml_strip(ga_xml_text(hole, &oom));
		unit = ga_xml_prop(hole, "unit", &oom);
		if (oom)
			return ga_report(ctx, -ENOMEM, "out of memory");
		if (!type || strcmp(type, "pci") || !model || strcmp(model, "pcie-root") || !text)
			continue;
		if (ga_size_parse_libvirt(text, unit, &kib) == 0 && kib <= UINT64_MAX / 1024)
			dom->pcihole64 = kib * 1024;
		return 0;
	}
	return 0;
}

/* The guest's NUMA cells, their memnodes and the memory devices: what sizes the guest's memory. */
static int read_sizes(struct ga_ctx *ctx, struct ga_domain *dom, xmlNodePtr root)
{
	xmlNodePtr devices = ga_xml_child(root, "devices");
	int r = read_cells(ctx, dom, ga_xml_child(ga_xml_child(root, "cpu"), "numa"));

	if (r == 0)
		r = read_memnodes(ctx, dom, ga_xml_child(root, "numatune"));
	for (xmlNodePtr n = devices ? devices->children : NULL; r == 0 && n; n = n->next)
		if (ga_xml_is(n, "memory"))
			r = read_memory_device(ctx, dom, n);
	return r;
}

int ga_domain_read_sizes(struct ga_ctx *ctx, xmlDocPtr doc, struct ga_domain **out)
{
	_cleanup_domain_ struct ga_domain *dom = calloc(1, sizeof(*dom));
	int r;

	*out = NULL;
	if (!dom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	r = read_sizes(ctx, dom, xmlDocGetRootElement(doc));
	if (r < 0)
		return r;
	*out = steal_ptr(dom);
	return 0;
}

int ga_domain_read(struct ga_ctx *ctx, xmlDocPtr doc, struct ga_domain **out)
{
	_cleanup_domain_ struct ga_domain *dom = NULL;
	xmlNodePtr root = xmlDocGetRootElement(doc), os, devices;
	bool oom = false;
	int r;

	*out = NULL;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	dom->name = ga_xml_text(ga_xml_child(root, "name"), &oom);
	dom->uuid = ga_xml_text(ga_xml_child(root, "uuid"), &oom);
	os = ga_xml_child(ga_xml_child(root, "os"), "type");
	dom->arch = ga_xml_prop(os, "arch", &oom);
	dom->machine = ga_xml_prop(os, "machine", &oom);
	dom->acpi = ga_xml_child(ga_xml_child(root, "features"), "acpi") != NULL;
	dom->vcpu = ga_xml_text(ga_xml_child(root, "vcpu"), &oom);
	dom->memory = ga_xml_strip(ga_xml_text(ga_xml_child(root, "memory"), &oom));
	dom->memory_unit = ga_xml_prop(ga_xml_child(root, "memory"), "unit", &oom);
	dom->has_numa = ga_xml_child(ga_xml_child(root, "cpu"), "numa") != NULL;
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	r = read_record(ctx, &dom->record, ga_xml_ns_child(ga_xml_child(root, "metadata"), GA_DOMXML_NS, "gpu-assign"));
	if (r < 0)
		return r;
	r = read_metadata(ctx, dom, ga_xml_child(root, "metadata"));
	if (r < 0)
		return r;
	r = read_sizes(ctx, dom, root);
	if (r < 0)
		return r;
	devices = ga_xml_child(root, "devices");
	r = read_pcihole64(ctx, dom, devices);
	if (r == 0)
		r = read_root_bus(ctx, dom, devices);
	if (r < 0)
		return r;
	for (xmlNodePtr n = devices ? devices->children : NULL; n; n = n->next) {
		if (!ga_xml_is(n, "hostdev"))
			continue;
		r = read_hostdev(ctx, dom, n);
		if (r < 0)
			return r;
	}
	for (xmlNodePtr n = root->children; n; n = n->next) {
		if (!ga_xml_is_ns(n, GA_QEMU_NS, "commandline"))
			continue;
		r = read_qemu_commandline(ctx, dom, n);
		if (r < 0)
			return r;
	}
	*out = steal_ptr(dom);
	return 0;
}

int ga_domain_add_standin(struct ga_ctx *ctx, struct ga_domain *dom, const char *alias,
			  const struct ga_pci_addr *addr)
{
	struct ga_dom_hostdev *hd;
	bool found = false;
	int r;

	for (size_t i = 0; dom->device_ids && dom->device_ids[i]; i++)
		if (!strcmp(dom->device_ids[i], alias))
			found = true;
	if (!found)
		return -ENOENT;
	r = ga_dom_push(ctx, (void **)&dom->hostdevs, &dom->nhostdevs, sizeof(*dom->hostdevs));
	if (r < 0)
		return r;
	hd = &dom->hostdevs[dom->nhostdevs - 1];
	hd->addr = *addr;
	hd->managed = true;
	hd->standin = true;
	hd->alias = strdup(alias);
	return hd->alias ? 0 : ga_report(ctx, -ENOMEM, "out of memory");
}

uint64_t ga_domain_mmio_window(const struct ga_domain *dom)
{
	if (dom->highmem_mmio_size)
		return dom->highmem_mmio_size;
	return dom->pcihole64 ? dom->pcihole64 : VIRT_DEFAULT_MMIO;
}

void ga_dom_problem(struct ga_dom_findings *f, const char *fmt, ...)
{
	size_t used = strlen(f->text);
	va_list ap;

	if (used && used + 2 < sizeof(f->text)) {
		memcpy(f->text + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	if (used < sizeof(f->text))
		vsnprintf(f->text + used, sizeof(f->text) - used, fmt, ap);
	va_end(ap);
	f->nproblems++;
}

static const struct ga_dom_cell *find_cell(const struct ga_domain *dom, unsigned id)
{
	for (size_t i = 0; i < dom->ncells; i++)
		if (dom->cells[i].id == id)
			return &dom->cells[i];
	return NULL;
}

bool ga_dom_memoryless_cell(const struct ga_domain *dom, unsigned id)
{
	const struct ga_dom_cell *c = find_cell(dom, id);

	return c && c->memory_kib == 0 && !c->has_cpus;
}

void ga_domain_check_gpu(const struct ga_domain *dom, const struct ga_dom_hostdev *hd, unsigned gi_needed,
			 uint64_t mmio_needed, struct ga_dom_findings *out)
{
	unsigned char seen[GA_DOMAIN_MAX_NODE + 1];
	unsigned found = 0;

	memset(out, 0, sizeof(*out));
	memset(seen, 0, sizeof(seen));
	if (!dom->acpi)
		ga_dom_problem(out, "ACPI is off, so the guest gets no SRAT and no GI nodes (add <features><acpi/></features>)");

	for (size_t i = 0; ga_gi_forms[i]; i++)
		ga_gi_forms[i]->check(dom, hd, seen, &found, out);

	out->gi_found = found;
	if (found < gi_needed) {
		if (found == 0)
			ga_dom_problem(out,
				"no generic-initiator NUMA nodes are tied to it (it needs %u: memoryless cells plus <acpi nodeset> in its <hostdev>, or '-numa node' plus 'acpi-generic-initiator' objects naming its alias in <qemu:commandline>)",
				gi_needed);
		else
			ga_dom_problem(out, "only %u of the %u generic-initiator NUMA nodes it needs are tied to it", found,
				gi_needed);
	}

	if (mmio_needed && dom->arch && !strcmp(dom->arch, "aarch64")) {
		uint64_t window = ga_domain_mmio_window(dom), want = VIRT_DEFAULT_MMIO;
		char qemu[32];

		/* QEMU takes a power of two, at least its default */
		while (want < mmio_needed && want <= UINT64_MAX / 2)
			want <<= 1;
		ga_size_format_qemu(want, qemu, sizeof(qemu));
		if (window < mmio_needed)
			ga_dom_problem(out,
				"the guest's 64-bit MMIO window is %" PRIu64 " GiB but the GPUs' BARs need %" PRIu64
				" GiB (give the pcie-root controller <pcihole64 unit='KiB'>%" PRIu64
				"</pcihole64> with libvirt 11.4 or newer, or pass '-machine highmem-mmio-size=%s' in <qemu:commandline>)",
				window >> 30, (uint64_t)((mmio_needed + (1ULL << 30) - 1) >> 30), want >> 10, qemu);
		else if (window & (window - 1))
			ga_dom_problem(out,
				"the guest's 64-bit MMIO window of %" PRIu64
				" KiB is not a power of two, which QEMU refuses for aarch64 'virt' (give %" PRIu64 " KiB, '%s')",
				window >> 10, want >> 10, qemu);
	}
}

const struct ga_gi_form_ops *const ga_gi_forms[] = { &ga_gi_form_native, &ga_gi_form_fallback, NULL };

const struct ga_gi_form_ops *ga_gi_form_ops_of(enum ga_gi_form form)
{
	for (size_t i = 0; ga_gi_forms[i]; i++)
		if (ga_gi_forms[i]->form == form)
			return ga_gi_forms[i];
	return NULL;
}
