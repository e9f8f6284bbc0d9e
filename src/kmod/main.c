// SPDX-License-Identifier: GPL-2.0-only
/*
 * gpu_assign_nvgrace: probe, firmware properties, id table and the
 * vfio_device_ops glue. See README for the design and how it differs from
 * the in-tree nvgrace-gpu-vfio-pci driver.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/property.h>
#include <linux/ioport.h>
#include <linux/io.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sizes.h>
#include <linux/overflow.h>
#include <linux/log2.h>
#include <linux/uaccess.h>
#include <linux/pm_runtime.h>
#include <linux/sched/signal.h>
#include "gpu_assign_nvgrace.h"

/* BAR0 status registers that read 0xff once the GPU memory can be used. */
#define GA_C2C_LINK_REG		0x1498
#define GA_HBM_TRAINING_REG	0x200bc
#define GA_STATUS_READY		0xff
#define GA_READY_POLL_MS	100

/* NVIDIA DVSEC telling whether the Hopper MIG workaround is not needed. */
#define GA_DVSEC_GPU_CAP	3
#define GA_DVSEC_BITMAP		0xa
#define GA_DVSEC_CACHED_RESMEM_OK BIT(0)

static unsigned int ready_timeout_ms = 30000;
module_param(ready_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ready_timeout_ms,
	"How long probe, and the first access after each reset, poll the BAR0 C2C-link (0x1498) and HBM-training (0x200bc) registers for 0xff; 0 skips the wait (default 30000)");

#ifdef GA_TEST_STANDIN
/* Only in test builds (make TEST_STANDIN=1); see README. */
static char *test_standin;
module_param(test_standin, charp, 0644);
MODULE_PARM_DESC(test_standin,
	"TEST BUILD ONLY: 'hopper' or 'blackwell' lets a device that is not a Grace GPU be bound through driver_override and treated as that generation (default: unset, such devices are refused)");
MODULE_INFO(test_build, "stand-in devices (TEST_STANDIN=1): not for production");
#endif

/* driver_data of the id table: generation + 1, so 0 means "not ours". */
#define GA_ID(dev, gen) \
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, dev), \
	  .driver_data = (gen) + 1 }

static const struct pci_device_id ga_pci_table[] = {
	GA_ID(0x2342, GA_GEN_HOPPER),		/* GH200 120GB */
	GA_ID(0x2345, GA_GEN_HOPPER),		/* GH200 480GB */
	GA_ID(0x2348, GA_GEN_HOPPER),		/* GH200 */
	GA_ID(0x2941, GA_GEN_BLACKWELL),	/* GB200 */
	GA_ID(0x31c2, GA_GEN_BLACKWELL),	/* GB300 */
	{}
};
MODULE_DEVICE_TABLE(pci, ga_pci_table);

struct ga_region *ga_region_get(struct ga_dev *gd, unsigned int index)
{
	if (index == GA_USEMEM_INDEX)
		return &gd->usemem;
	if (index == GA_RESMEM_INDEX && gd->resmem.len)
		return &gd->resmem;
	return NULL;
}

/* ---- vfio_device_ops ---------------------------------------------------- */

static void ga_unmap_regions(struct ga_dev *gd)
{
	if (gd->usemem.va)
		memunmap(gd->usemem.va);
	gd->usemem.va = NULL;
	if (gd->resmem.va)
		iounmap((void __iomem __force *)gd->resmem.va);
	gd->resmem.va = NULL;
}

static int ga_open_device(struct vfio_device *vdev)
{
	struct ga_dev *gd = ga_from_vdev(vdev);
	int ret;

	ret = vfio_pci_core_enable(&gd->core);
	if (ret)
		return ret;

	/*
	 * Map the memory for read/write now rather than on first use: the
	 * mapping also registers the range's cache type, which the user
	 * mappings made at fault time inherit.
	 */
	gd->usemem.va = memremap(gd->usemem.phys, gd->usemem.len, MEMREMAP_WB);
	if (gd->resmem.len)
		gd->resmem.va = (void __force *)ioremap_wc(gd->resmem.phys,
							    gd->resmem.len);
	if (!gd->usemem.va || (gd->resmem.len && !gd->resmem.va)) {
		pci_err(gd->core.pdev, "cannot map the GPU memory at %pa\n",
			&gd->usemem.phys);
		ga_unmap_regions(gd);
		vfio_pci_core_disable(&gd->core);
		return -ENOMEM;
	}
	ga_bar_reset_regs(gd);
	/*
	 * vfio_pci_core_enable() reset the device: the first access waits
	 * for BAR0 to say the memory is ready, as after any later reset.
	 * BAR0 is mapped without claiming it, which stays the core's to do.
	 */
	if (pci_resource_len(gd->core.pdev, 0) >= GA_HBM_TRAINING_REG + 4) {
		void __iomem *io = pci_iomap_range(gd->core.pdev, 0, 0,
						   GA_HBM_TRAINING_REG + 4);

		down_write(&gd->gate_lock);
		gd->bar0 = io;
		gd->unready = io != NULL;
		gd->ready_err = 0;
		gd->gate_gen++;
		up_write(&gd->gate_lock);
	}
	vfio_pci_core_finish_enable(&gd->core);
	return 0;
}

static void ga_close_device(struct vfio_device *vdev)
{
	struct ga_dev *gd = ga_from_vdev(vdev);
	void __iomem *io;

	ga_unmap_regions(gd);
	down_write(&gd->gate_lock);
	io = gd->bar0;
	gd->bar0 = NULL;
	gd->unready = false;
	gd->ready_err = 0;
	up_write(&gd->gate_lock);
	if (io)
		pci_iounmap(gd->core.pdev, io);
	vfio_pci_core_close_device(vdev);
}

static void ga_release_dev(struct vfio_device *vdev)
{
	ga_gate_release(ga_from_vdev(vdev));
	vfio_pci_core_release_dev(vdev);
}

static long ga_ioctl(struct vfio_device *vdev, unsigned int cmd,
		     unsigned long arg)
{
	switch (cmd) {
#ifndef GA_HAVE_VFIO_OPS_GET_REGION_INFO_CAPS
	case VFIO_DEVICE_GET_REGION_INFO:
		return ga_get_region_info(ga_from_vdev(vdev), arg);
#endif
	case VFIO_DEVICE_IOEVENTFD:
		/*
		 * An ioeventfd writes the real BAR behind the core's back; the
		 * emulated BARs have none. Refused for every region, before
		 * anything is read from the argument (as upstream does).
		 */
		return -ENOTTY;
	default:
		/*
		 * Resets (VFIO_DEVICE_RESET, hot reset) close our gate from
		 * the reset_prepare hook, after the core has copied its
		 * argument: a copy from a mapping of our BARs must never wait
		 * on a gate its own task closed.
		 */
		return vfio_pci_core_ioctl(vdev, cmd, arg);
	}
}

/*
 * Low power entry disables access to the BARs: the core does that under
 * memory_lock, our faults check it there, and our mappings are zapped
 * once the core is done (on kernels with a vfio device inode the core's
 * own zap already covered them).
 */
static int ga_device_feature(struct vfio_device *vdev, u32 flags,
			     void __user *arg, size_t argsz)
{
	int ret = vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);

	if (flags & VFIO_DEVICE_FEATURE_SET)
		ga_zap_if_off(ga_from_vdev(vdev));
	return ret;
}

/* read/write of an emulated BAR wake the device as the core's own do. */
static ssize_t ga_bar_rw(struct ga_dev *gd, struct ga_region *r,
			 char __user *buf, size_t count, loff_t *ppos,
			 bool iswrite)
{
	struct device *dev = &gd->core.pdev->dev;
	ssize_t ret;

	ret = pm_runtime_resume_and_get(dev);
	if (ret) {
		pci_info_ratelimited(gd->core.pdev,
				     "cannot wake the device for a BAR access (%zd)\n",
				     ret);
		return -EIO;
	}
	ret = ga_mem_rw(gd, r, buf, count, ppos, iswrite);
	pm_runtime_put(dev);
	return ret;
}

static ssize_t ga_read(struct vfio_device *vdev, char __user *buf,
		       size_t count, loff_t *ppos)
{
	struct ga_dev *gd = ga_from_vdev(vdev);
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	struct ga_region *r = ga_region_get(gd, index);

	if (r)
		return ga_bar_rw(gd, r, buf, count, ppos, false);
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return ga_config_read(gd, buf, count, ppos);
	return vfio_pci_core_read(vdev, buf, count, ppos);
}

static ssize_t ga_write(struct vfio_device *vdev, const char __user *buf,
			size_t count, loff_t *ppos)
{
	struct ga_dev *gd = ga_from_vdev(vdev);
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	struct ga_region *r = ga_region_get(gd, index);

	if (r)
		return ga_bar_rw(gd, r, (char __user __force *)buf, count,
				 ppos, true);
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return ga_config_write(gd, buf, count, ppos);
	return vfio_pci_core_write(vdev, buf, count, ppos);
}

static int ga_mmap_op(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct ga_dev *gd = ga_from_vdev(vdev);
	unsigned int index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	struct ga_region *r = ga_region_get(gd, index);
	int ret;

	ret = ga_mmap_prepare_file(gd, vma);
	if (ret)
		return ret;
	if (!r)
		return vfio_pci_core_mmap(vdev, vma);
	return ga_mmap(gd, r, vma);
}

static const struct vfio_device_ops ga_vfio_ops = {
	.name		= GA_DRIVER_NAME,
	.init		= vfio_pci_core_init_dev,
	.release	= ga_release_dev,
	.open_device	= ga_open_device,
	.close_device	= ga_close_device,
	.ioctl		= ga_ioctl,
#ifdef GA_HAVE_VFIO_OPS_GET_REGION_INFO_CAPS
	.get_region_info_caps = ga_get_region_info_caps,
#endif
	.device_feature	= ga_device_feature,
	.read		= ga_read,
	.write		= ga_write,
	.mmap		= ga_mmap_op,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
#ifdef GA_HAVE_VFIO_OPS_MATCH_TOKEN_UUID
	.match_token_uuid = vfio_pci_core_match_token_uuid,
#endif
#ifdef GA_HAVE_VFIO_IOMMUFD_PHYSICAL
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
#endif
#ifdef GA_HAVE_VFIO_OPS_DETACH_IOAS
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#endif
};

/* ---- resets from any path (sysfs, a sibling's hot reset, ours) ---------- */

static struct ga_dev *ga_from_pdev(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	return core ? container_of(core, struct ga_dev, core) : NULL;
}

/*
 * Every reset of the function comes through here: our ioctls and config
 * writes (the core calls us with its memory_lock held for write, after it
 * copied from user memory), a sibling's hot reset, sysfs. Close the gate
 * and zap; no mmap_lock is needed for that (mmap.c), so this is safe under
 * memory_lock. AER/DPC recovery does not call these hooks (README).
 */
static void ga_reset_prepare(struct pci_dev *pdev)
{
	struct ga_dev *gd = ga_from_pdev(pdev);

	if (gd)
		ga_reset_begin(gd);
}

/* The emulated BAR registers reset with the function. */
static void ga_reset_done(struct pci_dev *pdev)
{
	struct ga_dev *gd = ga_from_pdev(pdev);

	if (!gd)
		return;
	ga_bar_reset_regs(gd);
	ga_reset_end(gd);
}

static const struct pci_error_handlers ga_err_handlers = {
	.error_detected	= vfio_pci_core_aer_err_detected,
	.reset_prepare	= ga_reset_prepare,
	.reset_done	= ga_reset_done,
};

/* ---- probe --------------------------------------------------------------- */

#ifdef GA_TEST_STANDIN
/* Test builds: the generation test_standin names, or -ENODEV. */
static int ga_standin_generation(struct pci_dev *pdev, enum ga_gen *gen)
{
	int ret = -ENODEV;

	kernel_param_lock(THIS_MODULE);
	if (test_standin && sysfs_streq(test_standin, "hopper")) {
		*gen = GA_GEN_HOPPER;
		ret = 0;
	} else if (test_standin && sysfs_streq(test_standin, "blackwell")) {
		*gen = GA_GEN_BLACKWELL;
		ret = 0;
	}
	kernel_param_unlock(THIS_MODULE);
	if (!ret)
		pci_warn(pdev, "TEST ONLY: treating %04x:%04x as a %s (test_standin)\n",
			 pdev->vendor, pdev->device,
			 *gen == GA_GEN_HOPPER ? "Hopper" : "Blackwell");
	return ret;
}
#endif

static int ga_generation(struct pci_dev *pdev, const struct pci_device_id *id,
			 enum ga_gen *gen)
{
	int dvsec;
	u16 bits;

	if (!id || !id->driver_data) {
#ifdef GA_TEST_STANDIN
		if (!ga_standin_generation(pdev, gen))
			return 0;
		pci_err(pdev, "%04x:%04x is not a Grace GPU this driver knows; refusing to bind (unbind it, or set test_standin= for tests)\n",
			pdev->vendor, pdev->device);
#else
		pci_err(pdev, "%04x:%04x is not a Grace GPU this driver knows; refusing to bind (unbind it)\n",
			pdev->vendor, pdev->device);
#endif
		return -ENODEV;
	}
	*gen = id->driver_data - 1;

	/* Firmware can say that a Hopper-id part needs no uncached carve-out. */
	dvsec = pci_find_dvsec_capability(pdev, PCI_VENDOR_ID_NVIDIA,
					  GA_DVSEC_GPU_CAP);
	if (dvsec && !pci_read_config_word(pdev, dvsec + GA_DVSEC_BITMAP, &bits) &&
	    (bits & GA_DVSEC_CACHED_RESMEM_OK))
		*gen = GA_GEN_BLACKWELL;
	return 0;
}

/*
 * Poll BAR0's readiness registers (io maps at least up to the HBM one)
 * every GA_READY_POLL_MS for ready_timeout_ms; 0 skips the wait. Killable.
 * 0, -ETIMEDOUT (logged: "not ready N ms after <when>") or -EINTR.
 */
int ga_poll_ready(struct pci_dev *pdev, void __iomem *io, const char *when)
{
	unsigned int ms = READ_ONCE(ready_timeout_ms);
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);

	if (!ms || !io)
		return 0;
	for (;;) {
		if (ioread32(io + GA_C2C_LINK_REG) == GA_STATUS_READY &&
		    ioread32(io + GA_HBM_TRAINING_REG) == GA_STATUS_READY)
			return 0;
		if (time_after(jiffies, deadline)) {
			pci_err(pdev, "GPU memory not ready %u ms after %s (BAR0 0x%x=0x%x, 0x%x=0x%x)\n",
				ms, when,
				GA_C2C_LINK_REG, ioread32(io + GA_C2C_LINK_REG),
				GA_HBM_TRAINING_REG,
				ioread32(io + GA_HBM_TRAINING_REG));
			return -ETIMEDOUT;
		}
		schedule_timeout_killable(msecs_to_jiffies(GA_READY_POLL_MS));
		if (fatal_signal_pending(current))
			return -EINTR;
	}
}

static int ga_wait_ready(struct pci_dev *pdev)
{
	void __iomem *io;
	int ret;

	if (!READ_ONCE(ready_timeout_ms))
		return 0;
	if (pci_resource_len(pdev, 0) < GA_HBM_TRAINING_REG + 4) {
		pci_err(pdev, "BAR0 is too small (0x%llx bytes) to hold the readiness registers; refusing to bind\n",
			(u64)pci_resource_len(pdev, 0));
		return -ENODEV;
	}
	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	ret = pci_request_selected_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		goto out_disable;
	io = pci_iomap(pdev, 0, GA_HBM_TRAINING_REG + 4);
	if (!io) {
		ret = -ENOMEM;
		goto out_release;
	}
	ret = ga_poll_ready(pdev, io, "probe started; refusing to bind");
	pci_iounmap(pdev, io);
out_release:
	pci_release_selected_regions(pdev, BIT(0));
out_disable:
	pci_disable_device(pdev);
	return ret;
}

/* The GPU memory range from ACPI _DSD, checked; every refusal says why. */
static int ga_read_memory(struct pci_dev *pdev, u64 *base, u64 *size)
{
	static const char base_prop[] = "nvidia,gpu-mem-base-pa";
	static const char size_prop[] = "nvidia,gpu-mem-size";
	u64 end;
	int ret;

	ret = device_property_read_u64(&pdev->dev, base_prop, base);
	if (!ret)
		ret = device_property_read_u64(&pdev->dev, size_prop, size);
	if (ret) {
		pci_err(pdev, "firmware gives no ACPI _DSD '%s'/'%s' for this GPU (%d); refusing to bind\n",
			base_prop, size_prop, ret);
		return -ENODEV;
	}
	if (*size == 0) {
		pci_err(pdev, "_DSD '%s' is 0 (GPU memory link down?); refusing to bind\n",
			size_prop);
		return -ENODEV;
	}
	if (!PAGE_ALIGNED(*base) || check_add_overflow(*base, *size, &end) ||
	    ((end - 1) >> MAX_PHYSMEM_BITS) || *size < PAGE_SIZE) {
		pci_err(pdev, "_DSD GPU memory base 0x%llx size 0x%llx is not a valid physical range; refusing to bind\n",
			*base, *size);
		return -EINVAL;
	}
	if (region_intersects(*base, *size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pci_err(pdev, "_DSD GPU memory 0x%llx+0x%llx overlaps System RAM; refusing to bind\n",
			*base, *size);
		return -EINVAL;
	}
	return 0;
}

/*
 * Split the memory into the emulated BARs. Hopper: the tail (at least
 * GA_RESMEM_MIN) becomes the uncached BAR 2 and the head, rounded down to
 * GA_MEMBLK_SIZE, the cached BAR 4. Blackwell: all of it is BAR 4.
 */
static int ga_split_memory(struct ga_dev *gd, u64 base, u64 size)
{
	struct pci_dev *pdev = gd->core.pdev;
	u64 use = size;

	if (gd->gen == GA_GEN_HOPPER) {
		use = size > GA_RESMEM_MIN ?
			round_down(size - GA_RESMEM_MIN, GA_MEMBLK_SIZE) : 0;
		if (!use) {
			pci_err(pdev, "GPU memory of 0x%llx bytes leaves nothing usable after the %u MiB uncached region; refusing to bind\n",
				size, GA_RESMEM_MIN >> 20);
			return -EINVAL;
		}
		gd->resmem.phys = base + use;
		gd->resmem.len = size - use;
		gd->resmem.bar_size = roundup_pow_of_two(gd->resmem.len);
		gd->resmem.cached = false;
	}
	gd->usemem.phys = base;
	gd->usemem.len = use;
	gd->usemem.bar_size = roundup_pow_of_two(use);
	gd->usemem.cached = true;
	return 0;
}

static int ga_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ga_dev *gd;
	enum ga_gen gen;
	u64 base, size;
	int ret;

	ret = ga_generation(pdev, id, &gen);
	if (ret)
		return ret;
	ret = ga_read_memory(pdev, &base, &size);
	if (ret)
		return ret;
	ret = ga_wait_ready(pdev);
	if (ret)
		return ret;

	gd = vfio_alloc_device(ga_dev, core.vdev, &pdev->dev, &ga_vfio_ops);
	if (IS_ERR(gd))
		return PTR_ERR(gd);
	gd->gen = gen;
	ga_gate_init(gd);
	dev_set_drvdata(&pdev->dev, &gd->core);

	ret = ga_split_memory(gd, base, size);
	if (ret)
		goto out_put;
	ret = vfio_pci_core_register_device(&gd->core);
	if (ret)
		goto out_put;
	pci_info(pdev, "%s: BAR4 0x%llx bytes at %pa (BAR size 0x%llx)%s\n",
		 gen == GA_GEN_HOPPER ? "Hopper" : "Blackwell",
		 gd->usemem.len, &gd->usemem.phys, gd->usemem.bar_size,
		 gd->resmem.len ? ", BAR2 uncached" : ", BAR2 passed through");
	if (gd->resmem.len)
		pci_info(pdev, "BAR2 0x%llx bytes at %pa (BAR size 0x%llx)\n",
			 gd->resmem.len, &gd->resmem.phys, gd->resmem.bar_size);
	return 0;

out_put:
	dev_set_drvdata(&pdev->dev, NULL);
	vfio_put_device(&gd->core.vdev);
	return ret;
}

static void ga_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(core);
	vfio_put_device(&core->vdev);
}

static struct pci_driver ga_pci_driver = {
	.name			= GA_DRIVER_NAME,
	.id_table		= ga_pci_table,
	.probe			= ga_probe,
	.remove			= ga_remove,
	.err_handler		= &ga_err_handlers,
	.driver_managed_dma	= true,
};

module_pci_driver(ga_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gpu-assign: vfio-pci variant driver for NVIDIA Grace GPUs (GH200, GB200, GB300)");
