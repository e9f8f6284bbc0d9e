// SPDX-License-Identifier: GPL-2.0-only
/*
 * gpu_assign_nvgrace: the emulated BARs seen through config space, region
 * info and read/write.
 */
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/sched/signal.h>
#include "gpu_assign_nvgrace.h"

/* Bounce buffer size for read/write: no user copy runs under our locks. */
#define GA_BOUNCE_SIZE SZ_64K

void ga_bar_reset_regs(struct ga_dev *gd)
{
	gd->usemem.bar_val = 0;
	gd->resmem.bar_val = 0;
}

/* Config space offset of the emulated BAR register pair of a region. */
static unsigned int ga_bar_reg(unsigned int index)
{
	return PCI_BASE_ADDRESS_0 + index * 4;
}

/* Value the emulated 64-bit BAR reads back: address bits + type flags. */
static u64 ga_bar_readback(const struct ga_region *r)
{
	return (r->bar_val & ~(r->bar_size - 1)) |
	       PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH;
}

/*
 * Bytes [pos, pos+count) intersect register [reg, reg+8)? Gives the first
 * overlapping byte's offset in the buffer and in the register.
 */
static bool ga_overlap(loff_t pos, size_t count, unsigned int reg,
		       size_t *buf_off, size_t *reg_off, size_t *len)
{
	loff_t start = max_t(loff_t, pos, reg);
	loff_t end = min_t(loff_t, pos + count, reg + 8);

	if (start >= end)
		return false;
	*buf_off = start - pos;
	*reg_off = start - reg;
	*len = end - start;
	return true;
}

ssize_t ga_config_read(struct ga_dev *gd, char __user *buf, size_t count,
		       loff_t *ppos)
{
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	static const unsigned int idx[] = { GA_RESMEM_INDEX, GA_USEMEM_INDEX };
	size_t boff, roff, len;
	ssize_t ret;
	unsigned int i;

	ret = vfio_pci_core_read(&gd->core.vdev, buf, count, ppos);
	if (ret <= 0)
		return ret;

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		struct ga_region *r = ga_region_get(gd, idx[i]);
		__le64 val;

		if (!r || !ga_overlap(pos, ret, ga_bar_reg(idx[i]),
				      &boff, &roff, &len))
			continue;
		val = cpu_to_le64(ga_bar_readback(r));
		if (copy_to_user(buf + boff, (u8 *)&val + roff, len)) {
			*ppos -= ret;
			return -EFAULT;
		}
	}
	return ret;
}

/*
 * Config writes go to vfio-pci-core, except into our BAR registers. What
 * the write turned off (COMMAND.MEMORY, D3 through the PM capability) is
 * read back from the core's state once it is done, never guessed from the
 * user's buffer; the core copies that buffer before it takes any lock, and
 * an FLR it starts reaches us through reset_prepare.
 */
ssize_t ga_config_write(struct ga_dev *gd, const char __user *buf,
			size_t count, loff_t *ppos)
{
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	static const unsigned int idx[] = { GA_RESMEM_INDEX, GA_USEMEM_INDEX };
	unsigned int i;
	ssize_t ret;

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		struct ga_region *r = ga_region_get(gd, idx[i]);
		unsigned int reg = ga_bar_reg(idx[i]);
		__le64 val;
		size_t n;

		if (!r)
			continue;
		if (pos >= reg && pos < reg + 8) {
			/* A write into our register: store the bytes. */
			n = min_t(size_t, count, reg + 8 - pos);
			val = cpu_to_le64(r->bar_val);
			if (copy_from_user((u8 *)&val + (pos - reg), buf, n))
				return -EFAULT;
			r->bar_val = le64_to_cpu(val);
			*ppos += n;
			return n;
		}
		/* Stop a write that runs into our register just before it. */
		if (pos < reg && pos + count > reg)
			count = reg - pos;
	}

	ret = vfio_pci_core_write(&gd->core.vdev, buf, count, ppos);
	if (ret > 0)
		ga_zap_if_off(gd);
	return ret;
}

/*
 * Region info of an emulated BAR: its size, and one sparse-mmap area that
 * covers only the real memory (the rest of the BAR reads ~0 and cannot be
 * mapped). Fills INFO's size, offset and flags and adds the capability to
 * CAPS; the caller copies both out.
 */
static int ga_region_info_fill(struct ga_region *r,
			       struct vfio_region_info *info,
			       struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;
	size_t size;
	int ret;

	size = struct_size(sparse, areas, 1);
	sparse = kzalloc(size, GFP_KERNEL);
	if (!sparse)
		return -ENOMEM;
	sparse->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sparse->header.version = 1;
	sparse->nr_areas = 1;
	sparse->areas[0].offset = 0;
	sparse->areas[0].size = round_down(r->len, PAGE_SIZE);
	ret = vfio_info_add_capability(caps, &sparse->header, size);
	kfree(sparse);
	if (ret)
		return ret;

	info->offset = VFIO_PCI_INDEX_TO_OFFSET(info->index);
	info->size = r->bar_size;
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		      VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	return 0;
}

#ifdef GA_HAVE_VFIO_OPS_GET_REGION_INFO_CAPS
/*
 * Kernels with the get_region_info_caps op copy the argument in and the
 * answer and capabilities out themselves (and free CAPS).
 */
int ga_get_region_info_caps(struct vfio_device *vdev,
			    struct vfio_region_info *info,
			    struct vfio_info_cap *caps)
{
	struct ga_region *r = ga_region_get(ga_from_vdev(vdev), info->index);

	if (!r)
		return vfio_pci_ioctl_get_region_info(vdev, info, caps);
	return ga_region_info_fill(r, info, caps);
}
#else
/* Older kernels hand VFIO_DEVICE_GET_REGION_INFO to the .ioctl op. */
long ga_get_region_info(struct ga_dev *gd, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_region_info info;
	struct ga_region *r;
	int ret;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	r = ga_region_get(gd, info.index);
	if (!r)
		return vfio_pci_core_ioctl(&gd->core.vdev,
					   VFIO_DEVICE_GET_REGION_INFO, arg);

	ret = ga_region_info_fill(r, &info, &caps);
	if (ret) {
		kfree(caps.buf);
		return ret;
	}
	info.cap_offset = 0;
	if (info.argsz < sizeof(info) + caps.size) {
		info.argsz = sizeof(info) + caps.size;
	} else {
		vfio_info_cap_shift(&caps, sizeof(info));
		if (copy_to_user((void __user *)arg + sizeof(info), caps.buf,
				 caps.size))
			ret = -EFAULT;
		info.cap_offset = sizeof(info);
	}
	kfree(caps.buf);
	if (!ret && copy_to_user((void __user *)arg, &info, minsz))
		ret = -EFAULT;
	return ret;
}
#endif

/*
 * Copy one chunk between the bounce buffer and the memory with the gate
 * open, sleeping (killable) through a reset and the readiness wait after
 * it. 0: copied; 1: access is off (memory disabled, D3), nothing copied;
 * -EINTR: killed; -EIO: the memory did not become ready after a reset.
 */
static int ga_mem_copy(struct ga_dev *gd, struct ga_region *r, void *bounce,
		       u64 off, size_t n, bool iswrite)
{
	enum ga_state st;

	for (;;) {
		if (down_read_killable(&gd->core.memory_lock))
			return -EINTR;
		down_read(&gd->gate_lock);
		st = ga_state(gd, false);
		if (st == GA_OPEN && r->va) {
			if (r->cached && iswrite)
				memcpy(r->va + off, bounce, n);
			else if (r->cached)
				memcpy(bounce, r->va + off, n);
			else if (iswrite)
				memcpy_toio((void __iomem __force *)r->va + off, bounce, n);
			else
				memcpy_fromio(bounce, (void __iomem __force *)r->va + off, n);
		}
		up_read(&gd->gate_lock);
		up_read(&gd->core.memory_lock);

		switch (st) {
		case GA_OPEN:
			return r->va ? 0 : 1;
		case GA_OFF:
			return 1;
		case GA_FAILED:
			return -EIO;
		case GA_RESET:
		case GA_UNREADY:
			if (ga_wait_gate(gd, st))
				return -EINTR;
			break;
		}
	}
}

/*
 * read/write of an emulated BAR. Offsets at or past the BAR size fail with
 * -EINVAL; a request running past it is cut short. Bytes past the real
 * memory, and every byte while memory is disabled or the device is in D3,
 * read as ~0 and ignore writes (what a PCI device does when it is not
 * decoding). A reset in progress is waited for. The user copies happen
 * with no lock held, chunk by chunk, and a fatal signal ends the transfer
 * between chunks.
 */
ssize_t ga_mem_rw(struct ga_dev *gd, struct ga_region *r, char __user *buf,
		  size_t count, loff_t *ppos, bool iswrite)
{
	u64 off = *ppos & VFIO_PCI_OFFSET_MASK;
	size_t done = 0;
	ssize_t err = 0;
	void *bounce;

	if (off >= r->bar_size)
		return -EINVAL;
	count = min_t(u64, count, r->bar_size - off);
	if (!count)
		return 0;
	bounce = kmalloc(min_t(size_t, count, GA_BOUNCE_SIZE), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (done < count) {
		size_t n = min_t(size_t, count - done, GA_BOUNCE_SIZE);
		u64 at = off + done;
		size_t real = at < r->len ? min_t(u64, n, r->len - at) : 0;
		int rc = 1;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (iswrite && copy_from_user(bounce, buf + done, n)) {
			err = -EFAULT;
			break;
		}
		if (real)
			rc = ga_mem_copy(gd, r, bounce, at, real, iswrite);
		if (rc < 0) {
			err = rc;
			break;
		}
		if (!iswrite) {
			if (rc)
				real = 0;
			memset(bounce + real, 0xff, n - real);
			if (copy_to_user(buf + done, bounce, n)) {
				err = -EFAULT;
				break;
			}
		}
		done += n;
		cond_resched();
	}
	kfree(bounce);
	if (!done)
		return err;
	*ppos += done;
	return done;
}
