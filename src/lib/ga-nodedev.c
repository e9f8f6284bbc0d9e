#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-nodedev.h"

/* libvirt prints errors on stderr by default; the library never prints. */
static void silent(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

static const char *last_virt_error(void)
{
	const virError *err = virGetLastError();

	return err && err->message ? err->message : "unknown libvirt error";
}

void ga_nodedev_name(const struct ga_pci_addr *addr, char buf[32])
{
	snprintf(buf, 32, "pci_%04x_%02x_%02x_%x", addr->domain, addr->bus, addr->slot & 0x1fu, addr->func & 7u);
}

static void conn_closep(virConnectPtr *c)
{
	if (*c)
		virConnectClose(*c);
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
				 uri ? uri : "(default)", name, pci, last_virt_error());
	ga_info(ctx, "%s '%s' through libvirt", op == DETACH ? "detaching" : "reattaching", name);
	r = op == DETACH ? virNodeDeviceDetachFlags(dev, "vfio", 0) : virNodeDeviceReAttach(dev);
	if (r < 0)
		r = ga_report(ctx, -EIO, "libvirt could not %s '%s': %s", op == DETACH ? "detach" : "reattach", pci,
			      last_virt_error());
	virNodeDeviceFree(dev);
	return r;
}

static int run(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n, enum op op)
{
	_cleanup_(conn_closep) virConnectPtr conn = NULL;
	int r = 0;

	virSetErrorFunc(NULL, silent);
	conn = virConnectOpen(uri);
	if (!conn)
		return ga_report(ctx, -ECONNREFUSED, "cannot connect to libvirt at '%s': %s (is libvirtd running? are you root?)",
				 uri ? uri : "(default)", last_virt_error());
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
