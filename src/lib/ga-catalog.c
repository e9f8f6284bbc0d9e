// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-catalog.h"
#include "ga-ctx-priv.h"
#include "ga-pci.h"
#include "ga-util.h"

GA_ENUM_STRINGS(ga_family, enum ga_family, GA_FAMILY_LAST,
		[GA_FAMILY_UNKNOWN] = "unknown", [GA_FAMILY_GRACE_HOPPER] = "grace-hopper",
		[GA_FAMILY_GRACE_BLACKWELL] = "grace-blackwell", [GA_FAMILY_HOPPER] = "hopper",
		[GA_FAMILY_BLACKWELL] = "blackwell", [GA_FAMILY_ADA] = "ada", [GA_FAMILY_AMPERE] = "ampere")

/*
 * Sources:
 * [nvgrace] Linux drivers/vfio/pci/nvgrace-gpu/main.c, nvgrace_gpu_vfio_pci_table:
 *           the authoritative list of coherent Grace parts served by the variant
 *           driver (GH200 0x2342/0x2345/0x2348 since v6.9; GB200 0x2941 and
 *           GB300 0x31c2 added in v6.16/v6.17).
 * [pciids]  The PCI ID Repository, https://pci-ids.ucw.cz/read/PC/10de
 *           (names of the discrete parts).
 * [gh200]   NVIDIA "Grace Hopper Superchip Architecture" whitepaper and the
 *           NVIDIA GH200 virtualization notes: the GPU memory is presented to a
 *           VM through 8 ACPI generic-initiator proximity domains so that MIG
 *           partitions each get a NUMA node (the host's _DSD
 *           "nvidia,gpu-mem-pxm-count" is 8).
 * Grace Blackwell parts use the same 8-node scheme in NVIDIA's guest driver
 * (assumed from [gh200]; the planner prefers the host's _DSD count when present).
 */
/* What every coherent Grace part has: its memory as GI nodes; the variant
 * driver is not the catalogue's to name: ga-variant detects it. */
#define GRACE_COHERENT .coherent = true, .gi_nodes = 8, .driver = NULL

static const struct ga_catalog_entry catalog[] = {
	/* [pciids] 20b0 GA100 [A100 SXM4 40GB]; discrete, plain vfio-pci */
	{ .device = 0x20b0, .name = "A100 SXM4 40GB", .family = GA_FAMILY_AMPERE, .driver = GA_DRIVER_VFIO_PCI },
	/* [pciids] 20b5 GA100 [A100 PCIe 80GB] */
	{ .device = 0x20b5, .name = "A100 PCIe 80GB", .family = GA_FAMILY_AMPERE, .driver = GA_DRIVER_VFIO_PCI },
	/* [pciids] 2321 GH100 [H100 NVL] */
	{ .device = 0x2321, .name = "H100 NVL", .family = GA_FAMILY_HOPPER, .driver = GA_DRIVER_VFIO_PCI },
	/* [pciids] 2330 GH100 [H100 SXM5 80GB] */
	{ .device = 0x2330, .name = "H100 SXM5 80GB", .family = GA_FAMILY_HOPPER, .driver = GA_DRIVER_VFIO_PCI },
	/* [pciids] 2331 GH100 [H100 PCIe] */
	{ .device = 0x2331, .name = "H100 PCIe", .family = GA_FAMILY_HOPPER, .driver = GA_DRIVER_VFIO_PCI },
	/* [pciids] 2335 GH100 [H200 SXM 141GB] */
	{ .device = 0x2335, .name = "H200 SXM 141GB", .family = GA_FAMILY_HOPPER, .driver = GA_DRIVER_VFIO_PCI },
	/* [nvgrace] "GH200 120GB" */
	{ .device = 0x2342, .name = "GH200 120GB", .family = GA_FAMILY_GRACE_HOPPER, GRACE_COHERENT },
	/* [nvgrace] "GH200 480GB" */
	{ .device = 0x2345, .name = "GH200 480GB", .family = GA_FAMILY_GRACE_HOPPER, GRACE_COHERENT },
	/* [nvgrace] "GH200 SKU" (144GB HBM3e) */
	{ .device = 0x2348, .name = "GH200 144GB HBM3e", .family = GA_FAMILY_GRACE_HOPPER, GRACE_COHERENT },
	/* [pciids] 26b9 AD102GL [L40S] */
	{ .device = 0x26b9, .name = "L40S", .family = GA_FAMILY_ADA, .driver = GA_DRIVER_VFIO_PCI },
	/* [pciids] 2901 GB100 [B200] */
	{ .device = 0x2901, .name = "B200", .family = GA_FAMILY_BLACKWELL, .driver = GA_DRIVER_VFIO_PCI },
	/* [nvgrace] "GB200 SKU" */
	{ .device = 0x2941, .name = "GB200", .family = GA_FAMILY_GRACE_BLACKWELL, GRACE_COHERENT },
	/* [nvgrace] "GB300 SKU" */
	{ .device = 0x31c2, .name = "GB300", .family = GA_FAMILY_GRACE_BLACKWELL, GRACE_COHERENT },
};

const struct ga_catalog_entry *ga_catalog_lookup(uint16_t vendor, uint16_t device)
{
	if (vendor != GA_PCI_VENDOR_NVIDIA)
		return NULL;
	for (size_t i = 0; i < GA_ARRAY_SIZE(catalog); i++)
		if (catalog[i].device == device)
			return &catalog[i];
	return NULL;
}

/*
 * The test overrides' catalog-standin entries (gpu-assign(1), TEST
 * OVERRIDES), parsed once per context from the value ga-ctx checked. They
 * never join the table above: the table is what the production tools and
 * the companion module's id table agree on (tests/unit/test-catalog.c).
 */
struct standin_table {
	unsigned n;
	uint16_t vendor[GA_CATALOG_STANDIN_MAX];
	struct ga_catalog_entry e[GA_CATALOG_STANDIN_MAX];
	char name[GA_CATALOG_STANDIN_MAX][48];
};

static const struct standin_table *standins(struct ga_ctx *ctx)
{
	const char *spec = ga_ctx_get(ctx, GA_SETTING_CATALOG_STANDIN);
	struct standin_table *t;

	if (!spec)
		return NULL;
	if (ctx->catalog_standin)
		return ctx->catalog_standin;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL; /* out of memory: no stand-in, the device is judged as what it is */
	for (const char *item = spec; t->n < GA_CATALOG_STANDIN_MAX; item += strcspn(item, ",") + 1) {
		unsigned vendor, device;
		char family[24];
		int fam;

		/* ga-ctx checked the shape: "VVVV:DDDD=FAMILY" */
		if (sscanf(item, "%4x:%4x=%23[a-z-]", &vendor, &device, family) == 3 &&
		    (fam = ga_family_from_string(family)) >= 0) {
			struct ga_catalog_entry *e = &t->e[t->n];

			snprintf(t->name[t->n], sizeof(t->name[0]), "test stand-in %04x:%04x", vendor, device);
			t->vendor[t->n] = (uint16_t)vendor;
			*e = (struct ga_catalog_entry){ .device = (uint16_t)device, .name = t->name[t->n],
							.family = (enum ga_family)fam, GRACE_COHERENT };
			t->n++;
		}
		if (!item[strcspn(item, ",")])
			break;
	}
	ctx->catalog_standin = t;
	return t;
}

const struct ga_catalog_entry *ga_catalog_find(struct ga_ctx *ctx, uint16_t vendor, uint16_t device)
{
	const struct standin_table *t = standins(ctx);

	for (unsigned i = 0; t && i < t->n; i++)
		if (t->vendor[i] == vendor && t->e[i].device == device)
			return &t->e[i];
	return ga_catalog_lookup(vendor, device);
}

const struct ga_catalog_entry *ga_catalog_entry_at(unsigned index)
{
	return index < GA_ARRAY_SIZE(catalog) ? &catalog[index] : NULL;
}

bool ga_driver_is_nvgrace(const char *driver)
{
	return driver && (!strcmp(driver, GA_DRIVER_NVGRACE) ||
			  !strcmp(driver, GA_DRIVER_NVGRACE_COMPANION));
}

bool ga_driver_is_vfio(const char *driver)
{
	size_t len;

	if (!driver)
		return false;
	if (!strcmp(driver, GA_DRIVER_VFIO_PCI) || ga_driver_is_nvgrace(driver))
		return true;
	/* vfio-pci variant drivers are named "<something>_vfio_pci" or "<something>-vfio-pci". */
	len = strlen(driver);
	return len > 9 && (!strcmp(driver + len - 9, "_vfio_pci") || !strcmp(driver + len - 9, "-vfio-pci"));
}
