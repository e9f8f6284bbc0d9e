/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read a libvirt domain XML that someone else wrote (virsh define by hand,
 * Nova, the hook's stdin) and check, for one of its PCI hostdevs, what a
 * Grace GPU needs in the guest: ACPI on, generic-initiator (GI) NUMA nodes
 * tied to that hostdev in either form, and a large enough 64-bit MMIO window.
 *
 * GI nodes come in two forms (see DESIGN.md):
 *   native    <cell id='N' memory='0'/> in <cpu><numa> plus
 *             <acpi nodeset='N-M'/> inside the GPU's <hostdev>
 *   fallback  <qemu:commandline>: "-numa node,nodeid=N" and one
 *             "-object acpi-generic-initiator,id=..,pci-dev=ALIAS,node=N"
 *             per node, ALIAS being the hostdev's (user) alias
 * A domain may mix them; nodes are counted once.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-pci.h"

/* Hook input larger than this is not parsed (libvirt's domains are KiB). */
#define GA_DOMAIN_MAX_XML (64u * 1024 * 1024)
#define GA_NOVA_NS_PREFIX "http://openstack.org/xmlns/libvirt/nova/"
/* gpu-assign's own record in a domain's <metadata> (written by ga-domxml) */
#define GA_DOMXML_NS "urn:x-gpu-assign:domain:1"
#define GA_DOMXML_NS_PREFIX "gpu-assign"
/* Largest guest NUMA node id we accept in a domain (QEMU allows 128 nodes). */
#define GA_DOMAIN_MAX_NODE 4095

struct ga_dom_hostdev {
	struct ga_pci_addr addr;
	bool managed;
	char *alias;          /* NULL if none */
	char *driver_model;   /* <driver model=...>, NULL if none */
	bool has_nodeset;     /* <acpi nodeset=...> present */
	unsigned *gi_nodes;   /* its nodeset, sorted */
	size_t ngi_nodes;
	bool standin;         /* added by a test (see ga_domain_add_standin) */
};

struct ga_dom_cell {
	unsigned id;
	uint64_t memory_kib;
	bool has_cpus;           /* a non-empty cpus= */
	unsigned *vcpus;         /* those cpus, sorted; NULL when none or unreadable */
	size_t nvcpus;
	unsigned *host_nodes;    /* the nodeset of its <numatune><memnode>, sorted; NULL when none */
	size_t nhost_nodes;
	bool distances;          /* it has <distances> */
};

/* One "-object acpi-generic-initiator,..." of <qemu:commandline>. */
struct ga_dom_gi_object {
	char *id;
	char *pci_dev;
	unsigned node;
};

/* What an earlier gpu-assign merge recorded in <metadata> (see ga-domxml.c). */
struct ga_dom_record {
	bool present;
	char **aliases;           /* of the hostdevs it wrote */
	size_t naliases;
	unsigned *numa_nodes;     /* guest node ids of its "-numa" arguments */
	size_t nnuma_nodes;
	char *bad_numa_nodes;     /* a numa-nodes list that cannot be read, NULL if none */
	char *machine;            /* its "-machine" argument */
	bool numa, pin, pcihole64, cpu; /* it wrote <cpu><numa>, <cputune>+<numatune>, <pcihole64>, <cpu> */
};

struct ga_domain {
	char *name;
	char *uuid;
	char *arch;           /* <os><type arch=...>, NULL if not given */
	char *machine;
	bool acpi;            /* <features><acpi/> */
	char *vcpu;           /* <vcpu> text as written, NULL if absent */
	char *memory;         /* <memory> text without surrounding blanks, NULL if absent */
	char *memory_unit;    /* its unit attribute, NULL if absent */
	bool has_numa;        /* <cpu><numa> is present, readable cells or not */
	bool nova;            /* carries Nova's metadata */
	char *nova_instance;  /* <nova:name>, NULL if absent */
	char *nova_flavor;    /* <nova:flavor name=...> */
	struct ga_dom_cell *cells;       /* the readable <cpu><numa><cell>s */
	size_t ncells;
	uint64_t memory_devices_kib;     /* the <target><size> of the <devices><memory> (DIMMs, NVDIMMs,
					  * virtio-mem...), which libvirt counts in <memory> beside the cells */
	char *cells_problem;             /* the first cell, memnode or memory device that could not be read, said as
					  * "guest NUMA cell 2 has ..."; NULL when all were read. A
					  * check reads on without it; a merge refuses the domain. */
	struct ga_dom_hostdev *hostdevs; /* PCI subsystem hostdevs only */
	size_t nhostdevs;
	/* from <qemu:commandline> */
	unsigned *numa_nodeids;          /* "-numa node,nodeid=N" */
	size_t nnuma_nodeids;
	struct ga_dom_gi_object *gi_objects;
	size_t ngi_objects;
	char **device_ids;               /* ids of "-device ...,id=X", NULL-terminated */
	uint64_t highmem_mmio_size;      /* "-machine highmem-mmio-size=", 0 if absent */
	uint64_t pcihole64;              /* pcie-root's <pcihole64> in bytes, 0 if absent or unreadable */
	char *root_bus_model;            /* model of <controller type='pci' index='0'>, NULL if none */
	struct ga_dom_record record;     /* gpu-assign's own, if present */
};

/*
 * Cheap pre-check on raw bytes: can this XML hold a <hostdev> at all? False
 * means no PCI hostdev can be in it, so no Grace GPU either; the hook's fast
 * path uses it to avoid parsing. A <hostdev> element always starts with the
 * literal "<hostdev" (markup cannot be escaped), so there are no false
 * negatives; a false positive only costs a parse. ga_domain_next_hostdev:
 * the next "<hostdev" at or after p, NULL when none.
 */
static inline const char *ga_domain_next_hostdev(const char *p, const char *end)
{
	/* inline: the hook's front end uses it without linking the library */
	static const char needle[] = "<hostdev";
	const size_t n = sizeof(needle) - 1;

	while ((size_t)(end - p) >= n) {
		const char *lt = (const char *)memchr(p, '<', (size_t)(end - p) - n + 1);

		if (!lt)
			return NULL;
		if (!memcmp(lt, needle, n))
			return lt;
		p = lt + 1;
	}
	return NULL;
}

static inline bool ga_domain_may_have_hostdev(const char *buf, size_t len)
{
	return ga_domain_next_hostdev(buf, buf + len) != NULL;
}

/*
 * The same for PCI hostdevs only, for the hook's front end when its checker
 * cannot run: a domain that may have one is refused, any other goes on.
 * A "<hostdev" start tag counts unless its attributes read cleanly and its
 * type is another subsystem's ('usb', 'scsi', 'scsi_host', 'mdev', or a
 * mode='capabilities' type): anything unclear counts (fail closed).
 */
static inline bool ga_hostdev_tag_is_pci(const char *p, const char *end)
{
	/* p is just past "<hostdev"; read name='value' pairs up to '>' */
	while (p < end) {
		const char *name, *value;
		size_t nlen, vlen;
		char q;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p >= end)
			return true;
		if (*p == '>' || *p == '/')
			return true; /* no type: a bare subsystem hostdev is taken for PCI */
		name = p;
		while (p < end && *p != '=' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '>')
			p++;
		nlen = (size_t)(p - name);
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p >= end || *p != '=')
			return true;
		p++;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p >= end || (*p != '\'' && *p != '"'))
			return true;
		q = *p++;
		value = p;
		while (p < end && *p != q)
			p++;
		if (p >= end)
			return true;
		vlen = (size_t)(p - value);
		p++;
		if (nlen == 4 && !memcmp(name, "type", 4))
			return vlen == 3 && !memcmp(value, "pci", 3);
	}
	return true;
}

static inline bool ga_domain_may_have_pci_hostdev(const char *buf, size_t len)
{
	const size_t n = sizeof("<hostdev") - 1;
	const char *lt, *end = buf + len;

	for (lt = ga_domain_next_hostdev(buf, end); lt; lt = ga_domain_next_hostdev(lt + 1, end)) {
		if (lt + n == end)
			return true; /* cut short: count it */
		if (lt[n] != ' ' && lt[n] != '\t' && lt[n] != '\n' && lt[n] != '\r' && lt[n] != '>' && lt[n] != '/')
			continue; /* another element's name */
		if (ga_hostdev_tag_is_pci(lt + n, end))
			return true;
	}
	return false;
}

/* Parse a domain XML (with ga-xml's policy: no network, no entities, nothing printed). */
int ga_domain_parse(struct ga_ctx *ctx, const char *buf, size_t len, struct ga_domain **out);

struct _xmlDoc; /* libxml2's xmlDoc: this header is read without libxml2's include path */

/* The steps of ga_domain_parse: the libxml2 tree of a domain XML (root <domain>) ... */
int ga_domain_doc_parse(struct ga_ctx *ctx, const char *buf, size_t len, struct _xmlDoc **out);
/* ... and the model read from it (the merge edits the tree and reads the model). */
int ga_domain_read(struct ga_ctx *ctx, struct _xmlDoc *doc, struct ga_domain **out);
/* Only what sizes the guest (cells, memnodes, memory devices): the merge reads it again once its own parts are out. */
int ga_domain_read_sizes(struct ga_ctx *ctx, struct _xmlDoc *doc, struct ga_domain **out);
void ga_domain_free(struct ga_domain *dom);

static inline void ga_domain_freep(struct ga_domain **dom)
{
	ga_domain_free(*dom);
}
#define _cleanup_domain_ _cleanup_(ga_domain_freep)

/*
 * Tests only: treat the emulated device "-device ...,id=ALIAS" of the
 * domain's <qemu:commandline> as a managed hostdev of host address addr, the
 * way the real-stack tests put an emulated device in the GPU's place.
 * -ENOENT (not reported) if the domain has no such device.
 */
int ga_domain_add_standin(struct ga_ctx *ctx, struct ga_domain *dom, const char *alias,
			  const struct ga_pci_addr *addr);

/* What one GPU hostdev lacks; problems are appended to text as "a; b; c". */
struct ga_dom_findings {
	unsigned gi_found;    /* distinct GI nodes tied to the hostdev */
	unsigned nproblems;
	char text[1024];
};

/*
 * Check hostdev hd of dom for a GPU that needs gi_needed GI nodes and, when
 * mmio_needed is not 0 and the guest is aarch64, that many bytes of 64-bit
 * MMIO window. Never fails; the findings say what is missing.
 */
void ga_domain_check_gpu(const struct ga_domain *dom, const struct ga_dom_hostdev *hd, unsigned gi_needed,
			 uint64_t mmio_needed, struct ga_dom_findings *out);

/*
 * The 64-bit MMIO window an aarch64 'virt' guest gets: the <qemu:commandline>
 * "-machine highmem-mmio-size" (it comes after libvirt's own -machine, so it
 * wins), else pcie-root's <pcihole64> (libvirt >= 11.4 passes it on as
 * highmem-mmio-size), else QEMU's default of 512 GiB.
 */
uint64_t ga_domain_mmio_window(const struct ga_domain *dom);
