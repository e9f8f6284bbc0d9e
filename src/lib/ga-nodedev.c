// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-catalog.h"
#include "ga-ctx.h"
#include "ga-nodedev.h"
#include "ga-virt-priv.h"
#include "ga-xml.h"

void ga_nodedev_name(const struct ga_pci_addr *addr, char buf[32])
{
	snprintf(buf, 32, "pci_%04x_%02x_%02x_%x", addr->domain, addr->bus, addr->slot & 0x1fu, addr->func & 7u);
}

enum op { DETACH, REATTACH };

int ga_nodedev_xml_on_vfio(struct ga_ctx *ctx, const char *xml)
{
	static const struct ga_xml_source src = { .what = "node device XML", .max = 1 << 20, .drop_blanks = true };
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_free_ char *driver = NULL;
	bool oom = false;
	int r;

	r = ga_xml_parse(ctx, xml, strlen(xml), &src, &doc);
	if (r < 0)
		return r;
	driver = ga_xml_text(ga_xml_child(ga_xml_child(xmlDocGetRootElement(doc), "driver"), "name"), &oom);
	if (oom)
		return ga_report(ctx, -ENOMEM, "out of memory");
	return driver && ga_driver_is_vfio(ga_xml_strip(driver));
}

/*
 * Whether the device is already where op would put it: on a VFIO driver
 * for DETACH, off one for REATTACH. A description that cannot be had or
 * read counts as "not yet": libvirt then decides.
 */
static bool already_done(struct ga_ctx *ctx, virNodeDevicePtr dev, enum op op)
{
	_cleanup_free_ char *xml = virNodeDeviceGetXMLDesc(dev, 0);
	int vfio = xml ? ga_nodedev_xml_on_vfio(ctx, xml) : -EIO;

	if (vfio < 0) {
		ga_clear_error(ctx);
		return false;
	}
	return op == DETACH ? vfio : !vfio;
}

/* 1: done now, 0: it was done before (nothing to undo), < 0: error. */
static int do_one(struct ga_ctx *ctx, virConnectPtr conn, const char *uri, const struct ga_pci_addr *addr, enum op op)
{
	char name[32], pci[GA_PCI_ADDR_STRLEN];
	virNodeDevicePtr dev;
	int r;

	ga_nodedev_name(addr, name);
	ga_pci_addr_format(addr, pci);
	dev = virNodeDeviceLookupByName(conn, name);
	if (!dev)
		return ga_report(ctx, -ENODEV, "libvirt at '%s' has no node device '%s' for '%s': %s (check 'virsh nodedev-list --cap pci')",
				 uri ? uri : "(default)", name, pci, ga_virt_error());
	if (already_done(ctx, dev, op)) {
		ga_info(ctx, "'%s' is already %s", name, op == DETACH ? "on a VFIO driver" : "off VFIO");
		virNodeDeviceFree(dev);
		return 0;
	}
	ga_info(ctx, "%s '%s' through libvirt", op == DETACH ? "detaching" : "reattaching", name);
	r = op == DETACH ? virNodeDeviceDetachFlags(dev, "vfio", 0) : virNodeDeviceReAttach(dev);
	if (r < 0)
		r = ga_report(ctx, -EIO, "libvirt could not %s '%s': %s", op == DETACH ? "detach" : "reattach", pci,
			      ga_virt_error());
	else
		r = 1;
	virNodeDeviceFree(dev);
	return r;
}

static int run(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n, enum op op)
{
	_cleanup_(ga_virt_closep) virConnectPtr conn = NULL;
	_cleanup_free_ bool *changed = calloc(n ? n : 1, sizeof(*changed));
	int r;

	if (!changed)
		return ga_report(ctx, -ENOMEM, "out of memory");
	r = ga_virt_open(ctx, uri, false, "is libvirtd running? are you root?", &conn);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = do_one(ctx, conn, uri, &addrs[i], op);
		if (r < 0) {
			/* Undo in reverse what this call changed (never what was so before); keep the first error. */
			struct ga_error first = *ga_last_error(ctx);

			while (i-- > 0)
				if (changed[i] && do_one(ctx, conn, uri, &addrs[i], op == DETACH ? REATTACH : DETACH) < 0)
					ga_warn(ctx, "undo failed: %s", ga_last_error(ctx)->message);
			return ga_report(ctx, first.code, "%s", first.message);
		}
		changed[i] = r > 0;
	}
	return 0;
}

int ga_nodedev_detach(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n)
{
	return run(ctx, uri, addrs, n, DETACH);
}

int ga_nodedev_reattach(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n)
{
	return run(ctx, uri, addrs, n, REATTACH);
}
