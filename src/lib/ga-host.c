// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-host.h"
#include "ga-sysfs.h"

#define GA_MAX_CPUS 65536
#define GA_MAX_NODES 4096

static void udev_enum_unrefp(struct udev_enumerate **e)
{
	if (*e)
		udev_enumerate_unref(*e);
}

static void udev_unrefp(struct udev **u)
{
	if (*u)
		udev_unref(*u);
}

static const char *skip_spaces(const char *p, bool libvirt)
{
	while (libvirt && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * The one list parser: the kernel's "0-3,8,10-11", and with libvirt set
 * the syntax of libvirt's cpus/nodeset attributes as well: blanks around
 * the items, and "^N" taking N out of what the items before it gave.
 */
static int list_parse(struct ga_ctx *ctx, const char *str, unsigned limit, bool libvirt, unsigned **out, size_t *n)
{
	_cleanup_free_ unsigned char *seen = NULL;
	_cleanup_free_ unsigned *list = NULL;
	const char *p = skip_spaces(str, libvirt);
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (!*p)
		return 0;
	seen = calloc(limit, 1);
	if (!seen)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (;;) {
		unsigned long lo, hi;
		bool exclude = libvirt && *p == '^';
		char *end;

		if (exclude)
			p = skip_spaces(p + 1, libvirt);
		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = skip_spaces(end, libvirt);
		if (*p == '-' && !exclude) {
			p = skip_spaces(p + 1, libvirt);
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
			p = skip_spaces(end, libvirt);
		}
		if (hi < lo || hi >= limit)
			goto bad;
		for (unsigned long i = lo; i <= hi; i++)
			seen[i] = !exclude;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
		p = skip_spaces(p, libvirt);
	}
	for (unsigned i = 0; i < limit; i++)
		count += seen[i];
	list = malloc((count ? count : 1) * sizeof(*list));
	if (!list)
		return ga_report(ctx, -ENOMEM, "out of memory");
	count = 0;
	for (unsigned i = 0; i < limit; i++)
		if (seen[i])
			list[count++] = i;
	*out = count ? steal_ptr(list) : NULL;
	*n = count;
	return 0;
bad:
	return ga_report(ctx, -GA_E_PARSE, "invalid CPU/node list '%s': expected ranges like '0-3,8'%s below %u", str,
			 libvirt ? " (or '^N' to leave N out)" : "", limit);
}

int ga_cpulist_parse(struct ga_ctx *ctx, const char *str, unsigned limit, unsigned **out, size_t *n)
{
	return list_parse(ctx, str, limit, false, out, n);
}

int ga_libvirt_list_parse(struct ga_ctx *ctx, const char *str, unsigned limit, unsigned **out, size_t *n)
{
	return list_parse(ctx, str, limit, true, out, n);
}

static void node_clear(struct ga_numa_node *node)
{
	free(node->cpulist);
	free(node->distance);
}

void ga_host_free(struct ga_host *host)
{
	if (!host)
		return;
	for (size_t i = 0; i < host->ndevs; i++)
		ga_pci_dev_clear(&host->devs[i]);
	for (size_t i = 0; i < host->nnodes; i++)
		node_clear(&host->nodes[i]);
	free(host->devs);
	free(host->nodes);
	free(host);
}

/* "Node 0 MemTotal:  123 kB" -> 123 */
static int parse_memtotal(struct ga_ctx *ctx, int id, const char *meminfo, uint64_t *kib)
{
	const char *line = strstr(meminfo, "MemTotal:");
	unsigned long long v;

	if (!line || sscanf(line, "MemTotal: %llu kB", &v) != 1)
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse MemTotal of NUMA node %d: unexpected meminfo format (the host's sysfs looks corrupt)",
				 id);
	*kib = v;
	return 0;
}

static int parse_distances(struct ga_ctx *ctx, int id, const char *text, size_t nnodes, int **out)
{
	_cleanup_free_ int *row = calloc(nnodes ? nnodes : 1, sizeof(int));
	const char *p = text;
	size_t i;

	if (!row)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < nnodes; i++) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 0 || v > 255)
			break;
		row[i] = (int)v;
		p = end;
		while (*p == ' ')
			p++;
	}
	if (i != nnodes || *p != '\0')
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse the distance row of NUMA node %d: '%s' does not list %zu distances",
				 id, text, nnodes);
	*out = steal_ptr(row);
	return 0;
}

static int read_node(struct ga_ctx *ctx, struct ga_numa_node *node, size_t nnodes)
{
	_cleanup_free_ char *meminfo = NULL, *dist = NULL;
	_cleanup_free_ unsigned *cpus = NULL;
	size_t ncpus;
	int r;

	r = ga_sysfs_read(ctx, &node->cpulist, GA_SYSFS_NODE_ATTR, node->id, "cpulist");
	if (r < 0)
		return r;
	r = ga_cpulist_parse(ctx, node->cpulist, GA_MAX_CPUS, &cpus, &ncpus);
	if (r < 0)
		return r;
	node->ncpus = (unsigned)ncpus;
	r = ga_sysfs_read(ctx, &meminfo, GA_SYSFS_NODE_ATTR, node->id, "meminfo");
	if (r < 0)
		return r;
	r = parse_memtotal(ctx, node->id, meminfo, &node->mem_total_kib);
	if (r < 0)
		return r;
	r = ga_sysfs_read(ctx, &dist, GA_SYSFS_NODE_ATTR, node->id, "distance");
	if (r == -ENOENT) {
		ga_clear_error(ctx);
		return 0;
	}
	if (r < 0)
		return r;
	return parse_distances(ctx, node->id, dist, nnodes, &node->distance);
}

int ga_host_read_numa(struct ga_ctx *ctx, struct ga_host *host)
{
	_cleanup_free_ char *online = NULL;
	_cleanup_free_ unsigned *ids = NULL;
	size_t n;
	int r;

	/* The kernel prints distances to the online nodes, in this order. */
	r = ga_sysfs_read(ctx, &online, GA_SYSFS_NODE_DIR "/%s", "online");
	if (r == -ENOENT) {
		/* No NUMA support in this kernel: one implicit node, nothing to plan. */
		ga_clear_error(ctx);
		return 0;
	}
	if (r < 0)
		return r;
	r = ga_cpulist_parse(ctx, online, GA_MAX_NODES, &ids, &n);
	if (r < 0)
		return r;
	host->nodes = calloc(n ? n : 1, sizeof(*host->nodes));
	if (!host->nodes)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		host->nodes[i].id = (int)ids[i];
		host->nnodes = i + 1;
		r = read_node(ctx, &host->nodes[i], n);
		if (r < 0)
			return r;
		host->ncpus += host->nodes[i].ncpus;
	}
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	return ga_pci_addr_cmp(&((const struct ga_pci_dev *)a)->addr,
			       &((const struct ga_pci_dev *)b)->addr);
}

/* The PCI function names libudev knows, as addresses. */
static int enumerate(struct ga_ctx *ctx, struct ga_pci_addr **out, size_t *n)
{
	_cleanup_(udev_unrefp) struct udev *udev = udev_new();
	_cleanup_(udev_enum_unrefp) struct udev_enumerate *en = NULL;
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	struct udev_list_entry *entry;
	size_t count = 0, cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (!udev)
		return ga_report(ctx, -ENOMEM, "cannot create a udev context: out of memory");
	en = udev_enumerate_new(udev);
	if (!en)
		return ga_report(ctx, -ENOMEM, "cannot enumerate devices: out of memory");
	r = udev_enumerate_add_match_subsystem(en, "pci");
	if (r >= 0)
		r = udev_enumerate_scan_devices(en);
	if (r < 0)
		return ga_report(ctx, r, "cannot enumerate PCI devices with libudev: %s (is /sys mounted?)",
				 strerror(-r));
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		const char *syspath = udev_list_entry_get_name(entry);
		const char *name = strrchr(syspath, '/');
		struct ga_pci_addr addr;

		name = name ? name + 1 : syspath;
		if (!ga_pci_addr_valid(name, &addr)) {
			ga_dbg(ctx, "skipping PCI device '%s': address outside DDDD:BB:SS.F", name);
			continue;
		}
		if (count == cap) {
			struct ga_pci_addr *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(addrs, cap * sizeof(*addrs));
			if (!grown)
				return ga_report(ctx, -ENOMEM, "out of memory");
			addrs = grown;
		}
		addrs[count++] = addr;
	}
	*out = steal_ptr(addrs);
	*n = count;
	return 0;
}

int ga_host_discover(struct ga_ctx *ctx, struct ga_host **out)
{
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	_cleanup_host_ struct ga_host *host = NULL;
	size_t n;
	int r;

	*out = NULL;
	host = calloc(1, sizeof(*host));
	if (!host)
		return ga_report(ctx, -ENOMEM, "out of memory");
	r = enumerate(ctx, &addrs, &n);
	if (r < 0)
		return r;
	host->devs = calloc(n ? n : 1, sizeof(*host->devs));
	if (!host->devs)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		r = ga_pci_dev_read(ctx, &addrs[i], &host->devs[host->ndevs]);
		if (r < 0)
			return r;
		host->ndevs++;
	}
	qsort(host->devs, host->ndevs, sizeof(*host->devs), cmp_dev);
	r = ga_host_read_numa(ctx, host);
	if (r < 0)
		return r;
	*out = steal_ptr(host);
	return 0;
}

const struct ga_pci_dev *ga_host_find_dev(const struct ga_host *host, const struct ga_pci_addr *addr)
{
	struct ga_pci_dev key = { .addr = *addr };

	return bsearch(&key, host->devs, host->ndevs, sizeof(*host->devs), cmp_dev);
}

static ssize_t node_index(const struct ga_host *host, int id)
{
	for (size_t i = 0; i < host->nnodes; i++)
		if (host->nodes[i].id == id)
			return (ssize_t)i;
	return -1;
}

const struct ga_numa_node *ga_host_find_node(const struct ga_host *host, int id)
{
	ssize_t i = node_index(host, id);

	return i < 0 ? NULL : &host->nodes[i];
}

int ga_host_node_distance(const struct ga_host *host, int from, int to)
{
	ssize_t i = node_index(host, from), j = node_index(host, to);

	if (i < 0 || j < 0 || !host->nodes[i].distance)
		return -1;
	return host->nodes[i].distance[j];
}
