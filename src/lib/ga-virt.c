// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/uri.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-units.h"
#include "ga-util.h"
#include "ga-virt-priv.h"
#include "ga-virt.h"
#include "ga-xml.h"

int ga_version_parse(struct ga_ctx *ctx, const char *str, unsigned long *out)
{
	unsigned long part[3] = { 0, 0, 0 };
	const char *p = str;
	int n = 0;

	if (!str)
		goto bad;
	for (;;) {
		unsigned long v = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (unsigned long)(*p - '0');
			p++;
			digits++;
		}
		if (!digits || v > 999)
			goto bad;
		part[n++] = v;
		if (*p == '\0')
			break;
		if (*p != '.' || n == 3)
			goto bad;
		p++;
	}
	if (n < 2)
		goto bad;
	*out = GA_VERSION(part[0], part[1], part[2]);
	return 0;
bad:
	return ga_report(ctx, -GA_E_PARSE, "invalid version '%s': expected MAJOR.MINOR[.MICRO], e.g. '11.3.0'",
			 str ? str : "");
}

char *ga_version_format(unsigned long v, char *buf, size_t size)
{
	if (!v)
		snprintf(buf, size, "unknown");
	else
		snprintf(buf, size, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
	return buf;
}

GA_ENUM_STRINGS(ga_gi_form, enum ga_gi_form, GA_GI_FORM_LAST,
		[GA_GI_FORM_AUTO] = "auto", [GA_GI_FORM_NATIVE] = "native", [GA_GI_FORM_FALLBACK] = "fallback")

void ga_target_clear(struct ga_target *t)
{
	free(t->uri);
	free(t->driver);
	free(t->domcaps_machine);
	memset(t, 0, sizeof(*t));
}

static void quiet_errors(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

void ga_virt_quiet(void)
{
	virSetErrorFunc(NULL, quiet_errors);
}

const char *ga_virt_error(void)
{
	const char *msg = virGetLastErrorMessage();

	return msg && *msg ? msg : "unknown libvirt error";
}

int ga_virt_open(struct ga_ctx *ctx, const char *uri, bool read_only_ok, const char *hint, virConnectPtr *out)
{
	ga_virt_quiet();
	*out = virConnectOpen(uri);
	if (!*out && read_only_ok) {
		ga_info(ctx, "cannot open '%s' read-write (%s); reading it read-only, without domain capabilities",
			uri ? uri : "(default)", ga_virt_error());
		*out = virConnectOpenReadOnly(uri);
	}
	if (!*out)
		return ga_report(ctx, -ECONNREFUSED, "cannot connect to libvirt at '%s': %s (%s)", uri ? uri : "(default)",
				 ga_virt_error(), hint);
	return 0;
}

int ga_target_local(struct ga_ctx *ctx, struct ga_target *t)
{
	unsigned long v = 0;

	ga_virt_quiet();
	if (virGetVersion(&v, NULL, NULL) < 0)
		return ga_report(ctx, -EIO, "cannot read the libvirt library version: %s", ga_virt_error());
	t->libvirt_version = v;
	return 0;
}

static void xpath_ctx_freep(xmlXPathContextPtr *x)
{
	if (*x)
		xmlXPathFreeContext(*x);
}

static void xpath_obj_freep(xmlXPathObjectPtr *o)
{
	if (*o)
		xmlXPathFreeObject(*o);
}

/* Whether the capabilities list vfio among the PCI hostdev backends. */
static int parse_domcaps(struct ga_ctx *ctx, const char *xml, struct ga_target *t)
{
	static const struct ga_xml_source src = {
		.what = "domain capabilities XML from libvirt",
		.hint = "check the libvirt daemon that wrote it",
		.max = 16u * 1024 * 1024, /* a few KiB in practice */
	};
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_(xpath_ctx_freep) xmlXPathContextPtr xp = NULL;
	_cleanup_(xpath_obj_freep) xmlXPathObjectPtr vfio = NULL, machine = NULL;
	int r;

	r = ga_xml_parse(ctx, xml, strlen(xml), &src, &doc);
	if (r < 0)
		return r;
	xp = xmlXPathNewContext(doc);
	if (!xp)
		return ga_report(ctx, -ENOMEM, "out of memory");
	vfio = xmlXPathEvalExpression(
		BAD_CAST "/domainCapabilities/devices/hostdev[@supported='yes']/enum[@name='pciBackend']/value[text()='vfio']",
		xp);
	machine = xmlXPathEvalExpression(BAD_CAST "string(/domainCapabilities/machine)", xp);
	t->domcaps = true;
	t->hostdev_vfio = vfio && vfio->nodesetval && vfio->nodesetval->nodeNr > 0;
	if (machine && machine->stringval && machine->stringval[0]) {
		t->domcaps_machine = strdup((const char *)machine->stringval);
		if (!t->domcaps_machine)
			return ga_report(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

bool ga_uri_is_remote(const char *uri)
{
	xmlURIPtr u;
	bool remote;

	if (!uri)
		return false;
	u = xmlParseURI(uri);
	if (!u)
		return false;
	remote = u->server && u->server[0] && strcmp(u->server, "localhost");
	xmlFreeURI(u);
	return remote;
}

int ga_target_connect(struct ga_ctx *ctx, const char *uri, const char *arch, const char *machine,
		      const char *virttype, struct ga_target *t)
{
	_cleanup_(ga_virt_closep) virConnectPtr conn = NULL;
	_cleanup_free_ char *caps = NULL;
	unsigned long v = 0;
	const char *type;
	char *u;
	int r;

	/*
	 * Read-write if we may: libvirt refuses the domain capabilities to a
	 * read-only connection. Nothing is changed through it.
	 */
	r = ga_virt_open(ctx, uri, true, "is libvirtd running?", &conn);
	if (r < 0)
		return r;
	if (virConnectGetLibVersion(conn, &v) < 0)
		return ga_report(ctx, -EIO, "cannot read the libvirt version of '%s': %s", uri ? uri : "(default)",
				 ga_virt_error());
	t->libvirt_version = v;
	u = virConnectGetURI(conn);
	t->uri = u ? strdup(u) : NULL;
	free(u);
	t->remote = ga_uri_is_remote(t->uri ? t->uri : uri);
	type = virConnectGetType(conn);
	if (type) {
		t->driver = strdup(type);
		if (!t->driver)
			return ga_report(ctx, -ENOMEM, "out of memory");
	}
	/* The hypervisor version is QEMU's only on a QEMU driver. */
	if (type && !strcmp(type, "QEMU")) {
		v = 0;
		if (virConnectGetVersion(conn, &v) < 0)
			return ga_report(ctx, -EIO, "cannot read the QEMU version of '%s': %s",
					 uri ? uri : "(default)", ga_virt_error());
		t->qemu_version = v;
	}
	/* Other drivers' capabilities (the test driver's) say nothing about QEMU. */
	if (!type || strcmp(type, "QEMU"))
		return 0;
	caps = virConnectGetDomainCapabilities(conn, NULL, arch, machine, virttype, 0);
	if (!caps) {
		ga_info(ctx, "no domain capabilities from '%s' for %s/%s: %s", uri ? uri : "(default)",
			arch ? arch : "-", machine ? machine : "-", ga_virt_error());
		return 0;
	}
	return parse_domcaps(ctx, caps, t);
}

/* The libvirt gates: refusals first, then what the <hostdev> looks like. */
static int resolve_libvirt(struct ga_ctx *ctx, const struct ga_target *t, const struct ga_target_want *want,
			   const char *lv, struct ga_target_caps *caps)
{
	/* 0: unknown, which only a broken libvirt reports; nothing to gate on. */
	if (t->libvirt_version && t->libvirt_version < GA_LIBVIRT_VARIANT_UNMANAGED)
		return ga_report(ctx, -GA_E_UNSUPPORTED,
				 "libvirt %s starts a domain with a GPU only on plain vfio-pci, which loses the Grace GPU's memory: upgrade the target to libvirt 9.7 or newer (10.0 or newer binds the variant driver itself)",
				 lv);
	caps->unmanaged = t->libvirt_version && t->libvirt_version < GA_LIBVIRT_DRIVER_MODEL;
	caps->driver_model = !caps->unmanaged;
	if (caps->unmanaged && want->managed_yes)
		return ga_report(ctx, -GA_E_UNSUPPORTED,
				 "libvirt %s binds a managed='yes' GPU to plain vfio-pci, which loses the Grace GPU's memory: drop --managed yes (the <hostdev> is then managed='no' and the variant driver is bound before the start), or upgrade the target to libvirt 10.0 or newer",
				 lv);
	if (want->form == GA_GI_FORM_NATIVE && t->libvirt_version && t->libvirt_version < GA_LIBVIRT_NATIVE_GI)
		return ga_report(ctx, -GA_E_UNSUPPORTED,
				 "libvirt %s cannot take the native GI form (memoryless cells with <acpi nodeset>, libvirt 11.8 or newer): use --gi-form fallback or auto",
				 lv);
	/* libvirt 0 (unknown): the argument, which every libvirt passes on */
	caps->virt_pcihole64 = t->libvirt_version >= GA_LIBVIRT_VIRT_PCIHOLE64;
	switch (want->form) {
	case GA_GI_FORM_NATIVE:
	case GA_GI_FORM_FALLBACK:
		caps->form = want->form;
		break;
	default:
		caps->form = t->libvirt_version >= GA_LIBVIRT_NATIVE_GI ? GA_GI_FORM_NATIVE : GA_GI_FORM_FALLBACK;
		break;
	}
	return 0;
}

int ga_target_resolve(struct ga_ctx *ctx, const struct ga_target *t, const struct ga_target_want *want,
		      struct ga_target_caps *caps)
{
	char lv[32], qv[32], window[32];
	int r;

	*caps = (struct ga_target_caps){ 0 };
	ga_version_format(t->libvirt_version, lv, sizeof(lv));
	ga_version_format(t->qemu_version, qv, sizeof(qv));
	if (t->qemu_version && t->qemu_version < GA_QEMU_GI)
		return ga_report(ctx, -GA_E_UNSUPPORTED,
				 "QEMU %s has no acpi-generic-initiator object, so the guest cannot get the GPU's NUMA nodes: upgrade the target to QEMU 9.2 or newer",
				 qv);
	if (t->qemu_version && t->qemu_version < GA_QEMU_HIGHMEM_MMIO && want->highmem_mmio)
		return ga_report(ctx, -GA_E_UNSUPPORTED,
				 "QEMU %s has no -machine highmem-mmio-size, which this plan needs for a %s 64-bit MMIO window (the GPUs' BARs do not fit in the 'virt' machine's default 512G): upgrade the target to QEMU 10.0 or newer",
				 qv, ga_size_format_qemu(want->highmem_mmio, window, sizeof(window)));
	r = resolve_libvirt(ctx, t, want, lv, caps);
	if (r < 0)
		return r;
	/* A connection to another driver (the test driver) has no QEMU to ask. */
	if (!t->qemu_version && !(t->driver && strcmp(t->driver, "QEMU")))
		ga_warn(ctx,
			"QEMU version unknown (no --connect, no --qemu-version): assuming QEMU 10.0 or newer (acpi-generic-initiator with the GI byte-order fix of 9.2, -machine highmem-mmio-size); give --qemu-version or --connect to check the target");
	if (t->qemu_version && t->qemu_version < GA_QEMU_GI_FIXED)
		ga_warn(ctx,
			"QEMU %s writes the GI entry's PCI address in the wrong byte order (fixed in 9.2): the guest's NVIDIA driver will report an outdated hypervisor stack; upgrade to QEMU 9.2 or newer",
			qv);
	/*
	 * Only a warning: the XML may be prepared on one host for another, and
	 * libvirt itself refuses the hostdev at start (or define) if VFIO is
	 * still missing then.
	 */
	if (t->domcaps && !t->hostdev_vfio)
		ga_warn(ctx,
			"the target '%s' lists no VFIO PCI hostdev backend in its domain capabilities: libvirt will refuse the GPUs until vfio-pci is loaded on that host",
			t->uri ? t->uri : "(default)");
	return 0;
}

static void dom_freep(virDomainPtr *d)
{
	if (*d)
		virDomainFree(*d);
}

int ga_virt_define(struct ga_ctx *ctx, const char *uri, const char *xml, char **name, char **uuid)
{
	_cleanup_(ga_virt_closep) virConnectPtr conn = NULL;
	_cleanup_(dom_freep) virDomainPtr dom = NULL;
	char buf[VIR_UUID_STRING_BUFLEN];
	const char *n;
	int r;

	*name = NULL;
	*uuid = NULL;
	r = ga_virt_open(ctx, uri, false, "is libvirtd running?", &conn);
	if (r < 0)
		return r;
	dom = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
	if (!dom)
		return ga_report(ctx, -EINVAL, "libvirt refused the domain: %s", ga_virt_error());
	n = virDomainGetName(dom);
	if (!n || virDomainGetUUIDString(dom, buf) < 0)
		return ga_report(ctx, -EIO, "cannot read the defined domain's name and UUID: %s", ga_virt_error());
	*name = strdup(n);
	*uuid = strdup(buf);
	if (!*name || !*uuid) {
		free(*name);
		free(*uuid);
		*name = *uuid = NULL;
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}
