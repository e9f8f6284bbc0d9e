#include <string.h>

#include "ga-catalog.h"
#include "ga-pci.h"
#include "ga-util.h"

static const char *const family_names[GA_FAMILY_LAST] = {
	[GA_FAMILY_UNKNOWN] = "unknown",
	[GA_FAMILY_GRACE_HOPPER] = "grace-hopper",
	[GA_FAMILY_GRACE_BLACKWELL] = "grace-blackwell",
	[GA_FAMILY_HOPPER] = "hopper",
	[GA_FAMILY_BLACKWELL] = "blackwell",
	[GA_FAMILY_ADA] = "ada",
	[GA_FAMILY_AMPERE] = "ampere",
};

const char *ga_family_to_string(enum ga_family family)
{
	return family < GA_FAMILY_LAST ? family_names[family] : "unknown";
}

int ga_family_from_string(const char *str)
{
	for (int i = 0; i < GA_FAMILY_LAST; i++)
		if (str && !strcmp(str, family_names[i]))
			return i;
	return -1;
}

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
static const struct ga_catalog_entry catalog[] = {
	/* [pciids] 20b0 GA100 [A100 SXM4 40GB]; discrete, plain vfio-pci */
	{ 0x20b0, "A100 SXM4 40GB", GA_FAMILY_AMPERE, false, 0, GA_DRIVER_VFIO_PCI },
	/* [pciids] 20b5 GA100 [A100 PCIe 80GB] */
	{ 0x20b5, "A100 PCIe 80GB", GA_FAMILY_AMPERE, false, 0, GA_DRIVER_VFIO_PCI },
	/* [pciids] 2321 GH100 [H100 NVL] */
	{ 0x2321, "H100 NVL", GA_FAMILY_HOPPER, false, 0, GA_DRIVER_VFIO_PCI },
	/* [pciids] 2330 GH100 [H100 SXM5 80GB] */
	{ 0x2330, "H100 SXM5 80GB", GA_FAMILY_HOPPER, false, 0, GA_DRIVER_VFIO_PCI },
	/* [pciids] 2331 GH100 [H100 PCIe] */
	{ 0x2331, "H100 PCIe", GA_FAMILY_HOPPER, false, 0, GA_DRIVER_VFIO_PCI },
	/* [pciids] 2335 GH100 [H200 SXM 141GB] */
	{ 0x2335, "H200 SXM 141GB", GA_FAMILY_HOPPER, false, 0, GA_DRIVER_VFIO_PCI },
	/* [nvgrace] "GH200 120GB" */
	{ 0x2342, "GH200 120GB", GA_FAMILY_GRACE_HOPPER, true, 8, NULL },
	/* [nvgrace] "GH200 480GB" */
	{ 0x2345, "GH200 480GB", GA_FAMILY_GRACE_HOPPER, true, 8, NULL },
	/* [nvgrace] "GH200 SKU" (144GB HBM3e) */
	{ 0x2348, "GH200 144GB HBM3e", GA_FAMILY_GRACE_HOPPER, true, 8, NULL },
	/* [pciids] 26b9 AD102GL [L40S] */
	{ 0x26b9, "L40S", GA_FAMILY_ADA, false, 0, GA_DRIVER_VFIO_PCI },
	/* [pciids] 2901 GB100 [B200] */
	{ 0x2901, "B200", GA_FAMILY_BLACKWELL, false, 0, GA_DRIVER_VFIO_PCI },
	/* [nvgrace] "GB200 SKU" */
	{ 0x2941, "GB200", GA_FAMILY_GRACE_BLACKWELL, true, 8, NULL },
	/* [nvgrace] "GB300 SKU" */
	{ 0x31c2, "GB300", GA_FAMILY_GRACE_BLACKWELL, true, 8, NULL },
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
