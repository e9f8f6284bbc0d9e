// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "ga-inuse-domains.h"
#include "ga-virt-priv.h"

/* 1 and the domain's name when its XML has one of addrs as a PCI hostdev. */
static int domain_holds(struct ga_ctx *ctx, virDomainPtr d, const struct ga_pci_addr *addrs, size_t n, size_t *which)
{
	struct ga_domain *dom = NULL;
	char *xml = virDomainGetXMLDesc(d, 0);
	int found = 0;

	if (!xml)
		return 0; /* stopped meanwhile */
	if (ga_domain_parse(ctx, xml, strlen(xml), &dom) < 0) {
		ga_clear_error(ctx);
		free(xml);
		return 0;
	}
	for (size_t h = 0; !found && h < dom->nhostdevs; h++)
		for (size_t i = 0; !found && i < n; i++)
			if (ga_pci_addr_equal(&dom->hostdevs[h].addr, &addrs[i])) {
				*which = i;
				found = 1;
			}
	ga_domain_free(dom);
	free(xml);
	return found;
}

int ga_inuse_check_domains(struct ga_ctx *ctx, const char *uri, const struct ga_pci_addr *addrs, size_t n)
{
	virDomainPtr *doms = NULL;
	virConnectPtr conn;
	int ndoms, r = 0;

	if (n == 0)
		return 0;
	ga_virt_quiet();
	conn = virConnectOpenReadOnly(uri);
	if (!conn) {
		ga_info(ctx, "not checked for running domains: no libvirt at '%s' (%s)", uri ? uri : "(default)",
			ga_virt_error());
		return 0;
	}
	ndoms = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (ndoms < 0) {
		r = ga_report(ctx, -EIO, "cannot list the running domains of libvirt at '%s': %s (check libvirtd; --force skips this check)",
			      uri ? uri : "(default)", ga_virt_error());
		virConnectClose(conn);
		return r;
	}
	for (int i = 0; i < ndoms; i++) {
		size_t which;

		if (r == 0 && domain_holds(ctx, doms[i], addrs, n, &which)) {
			char name[GA_PCI_ADDR_STRLEN];
			const char *dname = virDomainGetName(doms[i]);

			r = ga_report(ctx, -EBUSY,
				      "cannot release '%s': the running domain '%s' has it as a hostdev (shut the domain down or detach the device first; --force releases it anyway)",
				      ga_pci_addr_format(&addrs[which], name), dname ? dname : "?");
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	virConnectClose(conn);
	return r;
}
