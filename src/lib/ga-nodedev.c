// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libvirt/libvirt.h>
#include <stdio.h>

#include "ga-ctx.h"
#include "ga-nodedev.h"
#include "ga-virt-priv.h"

void ga_nodedev_name(const struct ga_pci_addr *addr, char buf[32])
{
	snprintf(buf, 32, "pci_%04x_%02x_%02x_%x", addr->domain, addr->bus, addr->slot & 0x1fu, addr->func & 7u);
}

enum op { DETACH, REATTACH };

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
	ga_info(ctx, "%s '%s' through libvirt", op == DETACH ? "detaching" : "reattaching", name);
	r = op == DETACH ? virNodeDeviceDetachFlags(dev, "vfio", 0) : virNodeDeviceReAttach(dev);
	if (r < 0)
		r = ga_report(ctx, -EIO, "libvirt could not %s '%s': %s", op == DETACH ? "detach" : "reattach", pci,
			      ga_virt_error());
	virNodeDeviceFree(dev);
	return r;
}

static int run(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n, enum op op)
{
	_cleanup_(ga_virt_closep) virConnectPtr conn = NULL;
	int r;

	r = ga_virt_open(ctx, uri, false, "is libvirtd running? are you root?", &conn);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = do_one(ctx, conn, uri, &addrs[i], op);
		if (r < 0) {
			/* Undo in reverse what this call did; keep the first error. */
			struct ga_error first = *ga_last_error(ctx);

			while (i-- > 0)
				if (do_one(ctx, conn, uri, &addrs[i], op == DETACH ? REATTACH : DETACH) < 0)
					ga_warn(ctx, "undo failed: %s", ga_last_error(ctx)->message);
			return ga_report(ctx, first.code, "%s", first.message);
		}
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
