// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-gpu.h"
#include "ga-util.h"

GA_ENUM_STRINGS(ga_verdict, enum ga_verdict, GA_VERDICT_LAST,
		[GA_VERDICT_ASSIGNABLE] = "assignable", [GA_VERDICT_GROUP] = "assignable-with-group",
		[GA_VERDICT_NOT_NVIDIA] = "not-nvidia", [GA_VERDICT_NOT_GPU] = "not-gpu",
		[GA_VERDICT_UNKNOWN_MODEL] = "unknown-model", [GA_VERDICT_NO_IOMMU] = "no-iommu",
		[GA_VERDICT_NO_ACPI] = "no-acpi-companion")

void ga_gpu_clear(struct ga_gpu *gpu)
{
	free(gpu->peers);
	memset(gpu, 0, sizeof(*gpu));
}

static void set_verdict(struct ga_gpu *gpu, enum ga_verdict verdict, const char *fmt, ...) GA_PRINTF(3, 4);
static void set_verdict(struct ga_gpu *gpu, enum ga_verdict verdict, const char *fmt, ...)
{
	va_list ap;

	gpu->verdict = verdict;
	va_start(ap, fmt);
	vsnprintf(gpu->reason, sizeof(gpu->reason), fmt, ap);
	va_end(ap);
}

/* Members of dev's IOMMU group other than dev itself, bridges left out. */
static int find_peers(struct ga_ctx *ctx, const struct ga_host *host, struct ga_gpu *gpu)
{
	_cleanup_free_ struct ga_pci_addr *members = NULL;
	size_t n;
	int r;

	r = ga_pci_iommu_group_members(ctx, gpu->dev->iommu_group, &members, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct ga_pci_dev *peer = ga_host_find_dev(host, &members[i]);

		if (ga_pci_addr_equal(&members[i], &gpu->dev->addr))
			continue;
		/* Bridges stay with the host; vfio accepts them in a group. */
		if (peer && ga_pci_dev_is_bridge(peer))
			continue;
		members[gpu->npeers++] = members[i];
	}
	gpu->peers = steal_ptr(members);
	return 0;
}

static void describe_peers(const struct ga_gpu *gpu, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < gpu->npeers && used < size; i++) {
		char name[GA_PCI_ADDR_STRLEN];
		int n = snprintf(buf + used, size - used, "%s'%s'", i ? ", " : "",
				 ga_pci_addr_format(&gpu->peers[i], name));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/*
 * The driver to assign the GPU with, into gpu->driver, the phrase the verdict
 * names it with ("driver X", or for a coherent GPU the running kernel offers
 * no variant driver for, what it needs: gpu->driver_problem keeps the
 * detection's message) and, for a coherent GPU, how it was found.
 */
static int target_driver(struct ga_ctx *ctx, struct ga_gpu *gpu, char *drv, size_t drv_size, char *how,
			 size_t how_size)
{
	int r;

	how[0] = '\0';
	if (!gpu->model->coherent) {
		snprintf(gpu->driver, sizeof(gpu->driver), "%s", gpu->model->driver);
		snprintf(drv, drv_size, "driver %s", gpu->driver);
		return 0;
	}
	r = ga_variant_detect(ctx, gpu->dev, NULL, &gpu->variant);
	if (r == -ENOENT) {
		snprintf(gpu->driver_problem, sizeof(gpu->driver_problem), "%s", ga_last_error(ctx)->message);
		ga_clear_error(ctx);
		snprintf(drv, drv_size, "a Grace vfio-pci variant driver");
		snprintf(how, how_size, "this kernel offers neither %s nor %s", GA_DRIVER_NVGRACE,
			 GA_DRIVER_NVGRACE_COMPANION);
		return 0;
	}
	if (r < 0)
		return r;
	snprintf(gpu->driver, sizeof(gpu->driver), "%s", gpu->variant.driver);
	snprintf(drv, drv_size, "driver %s", gpu->driver);
	ga_variant_describe(&gpu->variant, how, how_size);
	return 0;
}

int ga_gpu_assess(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_pci_dev *dev,
		  struct ga_gpu *out)
{
	const struct ga_catalog_entry *model;
	char peers[256], drv[128], how[256];
	int r;

	memset(out, 0, sizeof(*out));
	out->dev = dev;
	model = ga_catalog_find(ctx, dev->vendor, dev->device);
	out->model = model;

	/* (a test catalogue entry, catalog-standin, may name another vendor's stand-in) */
	if (dev->vendor != GA_PCI_VENDOR_NVIDIA && !model) {
		set_verdict(out, GA_VERDICT_NOT_NVIDIA, "not an NVIDIA device (vendor 0x%04x)", dev->vendor);
		return 0;
	}
	if ((dev->class >> 16) != GA_PCI_CLASS_DISPLAY) {
		set_verdict(out, GA_VERDICT_NOT_GPU,
			    "an NVIDIA function of class 0x%06x, not a GPU (display class 0x03)", dev->class);
		return 0;
	}
	if (!model) {
		set_verdict(out, GA_VERDICT_UNKNOWN_MODEL,
			    "unknown NVIDIA GPU 10de:%04x, not assignable by default (not in gpu-assign's catalogue)",
			    dev->device);
		return 0;
	}
	if (dev->iommu_group < 0) {
		set_verdict(out, GA_VERDICT_NO_IOMMU,
			    "no IOMMU group: the IOMMU is off (enable the SMMU/IOMMU in firmware and on the kernel command line)");
		return 0;
	}
	if (model->coherent && !dev->acpi_path) {
		set_verdict(out, GA_VERDICT_NO_ACPI,
			    "coherent %s without an ACPI companion: the variant driver cannot find its memory (check the firmware)",
			    model->name);
		return 0;
	}
	r = target_driver(ctx, out, drv, sizeof(drv), how, sizeof(how));
	if (r < 0)
		return r;
	r = find_peers(ctx, host, out);
	if (r < 0)
		return r;
	if (out->npeers) {
		describe_peers(out, peers, sizeof(peers));
		set_verdict(out, GA_VERDICT_GROUP, "assignable with %s%s%s%s together with IOMMU group %d's other functions %s",
			    drv, how[0] ? " (" : "", how, how[0] ? ")" : "", dev->iommu_group, peers);
		return 0;
	}
	if (model->coherent)
		set_verdict(out, GA_VERDICT_ASSIGNABLE,
			    "assignable with %s (%s%scoherent memory, ACPI generic-initiator NUMA nodes)", drv, how,
			    how[0] ? "; " : "");
	else
		set_verdict(out, GA_VERDICT_ASSIGNABLE, "assignable with %s", drv);
	return 0;
}

int ga_gpu_require(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_pci_addr *addr,
		   struct ga_gpu *out)
{
	const struct ga_pci_dev *dev = ga_host_find_dev(host, addr);
	char name[GA_PCI_ADDR_STRLEN];
	int r;

	memset(out, 0, sizeof(*out));
	ga_pci_addr_format(addr, name);
	if (!dev)
		return ga_pci_report_missing(ctx, addr);
	r = ga_gpu_assess(ctx, host, dev, out);
	if (r < 0)
		return r;
	switch (out->verdict) {
	case GA_VERDICT_ASSIGNABLE:
	case GA_VERDICT_GROUP:
		return 0;
	case GA_VERDICT_NOT_NVIDIA:
	case GA_VERDICT_NOT_GPU:
		r = ga_report(ctx, -GA_E_NOT_GPU, "'%s' is not an NVIDIA GPU: %s (pick one from 'gpu-assign list')",
			      name, out->reason);
		break;
	default:
		r = ga_report(ctx, -GA_E_NOT_ASSIGNABLE, "GPU '%s' is not assignable: %s", name, out->reason);
		break;
	}
	ga_gpu_clear(out);
	return r;
}
