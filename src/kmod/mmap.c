// SPDX-License-Identifier: GPL-2.0-only
/*
 * gpu_assign_nvgrace: user mappings of the emulated BARs and the gate that
 * makes them follow COMMAND.MEMORY and resets.
 *
 * Mappings are filled on fault (PUD/PMD-sized where the kernel can map PFNs
 * that way, else 4 KiB) and zapped whenever the gate closes. A fault with the
 * gate closed by memory-disable gets SIGBUS; one that hits a running reset is
 * retried until the reset is over, as vfio-pci-core's own faults wait on
 * memory_lock during resets.
 *
 * Zapping: where each vfio device has its own inode (GA_HAVE_VFIO_DEVICE_
 * INODE) every mapping of the device file is found through its address
 * space, with no mmap_lock; the core's own zaps also cover ours. Otherwise
 * the VMAs that have PTEs are kept on a list, as vfio-pci-core did itself on
 * those kernels, and zapping takes each mm's mmap_lock.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/sched/mm.h>
#include "gpu_assign_nvgrace.h"

#define GA_PGOFF_MASK ((1UL << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1)

void ga_gate_init(struct ga_dev *gd)
{
	init_rwsem(&gd->gate_lock);
	gd->resets = 0;
	gd->disabling = false;
#ifndef GA_HAVE_VFIO_DEVICE_INODE
	mutex_init(&gd->vma_lock);
	INIT_LIST_HEAD(&gd->vma_list);
#endif
}

/* Called with memory_lock and gate_lock held for read. */
bool ga_mem_usable(struct ga_dev *gd)
{
	struct vfio_pci_core_device *core = &gd->core;
	u16 cmd = le16_to_cpu(*(__le16 *)&core->vconfig[PCI_COMMAND]);

	if (gd->resets || gd->disabling)
		return false;
	if (core->pm_runtime_engaged || core->pdev->current_state >= PCI_D3hot)
		return false;
	return cmd & PCI_COMMAND_MEMORY;
}

void ga_reset_begin(struct ga_dev *gd, bool may_block)
{
	down_write(&gd->gate_lock);
	gd->resets++;
	up_write(&gd->gate_lock);
	ga_zap(gd, may_block);
}

void ga_reset_end(struct ga_dev *gd)
{
	down_write(&gd->gate_lock);
	if (!WARN_ON(gd->resets <= 0))
		gd->resets--;
	up_write(&gd->gate_lock);
}

#ifdef GA_HAVE_VFIO_DEVICE_INODE

void ga_zap(struct ga_dev *gd, bool may_block)
{
	struct address_space *mapping = gd->core.vdev.inode->i_mapping;
	static const unsigned int idx[] = { GA_USEMEM_INDEX, GA_RESMEM_INDEX };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		struct ga_region *r = ga_region_get(gd, idx[i]);

		if (r)
			unmap_mapping_range(mapping,
					    VFIO_PCI_INDEX_TO_OFFSET(idx[i]),
					    PAGE_ALIGN(r->bar_size), true);
	}
}

static int ga_vma_track(struct ga_dev *gd, struct vm_area_struct *vma)
{
	return 0;
}

static void ga_vma_untrack(struct ga_dev *gd, struct vm_area_struct *vma)
{
}

#else /* !GA_HAVE_VFIO_DEVICE_INODE */

struct ga_vma {
	struct vm_area_struct *vma;
	struct list_head node;
};

/* Remember a VMA that is about to get PTEs. Called under the gate. */
static int ga_vma_track(struct ga_dev *gd, struct vm_area_struct *vma)
{
	struct ga_vma *v;

	mutex_lock(&gd->vma_lock);
	list_for_each_entry(v, &gd->vma_list, node) {
		if (v->vma == vma)
			goto out;
	}
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v) {
		mutex_unlock(&gd->vma_lock);
		return -ENOMEM;
	}
	v->vma = vma;
	list_add(&v->node, &gd->vma_list);
out:
	mutex_unlock(&gd->vma_lock);
	return 0;
}

static void ga_vma_untrack(struct ga_dev *gd, struct vm_area_struct *vma)
{
	struct ga_vma *v, *tmp;

	mutex_lock(&gd->vma_lock);
	list_for_each_entry_safe(v, tmp, &gd->vma_list, node) {
		if (v->vma == vma) {
			list_del(&v->node);
			kfree(v);
		}
	}
	mutex_unlock(&gd->vma_lock);
}

/*
 * Zap every tracked VMA, one mm at a time, under that mm's mmap_lock taken
 * with vma_lock dropped (the fault path takes them the other way round).
 * may_block is false where the caller may hold memory_lock, which faults
 * take under mmap_lock: then mmap_lock is only tried, and a busy mm keeps
 * its PTEs (the gate still refuses new faults).
 */
void ga_zap(struct ga_dev *gd, bool may_block)
{
	struct ga_vma *v, *tmp;
	struct mm_struct *mm;

	for (;;) {
		mutex_lock(&gd->vma_lock);
		if (list_empty(&gd->vma_list)) {
			mutex_unlock(&gd->vma_lock);
			return;
		}
		v = list_first_entry(&gd->vma_list, struct ga_vma, node);
		mm = v->vma->vm_mm;
		if (!mmget_not_zero(mm)) {
			/* The mm is going away and takes its PTEs with it. */
			list_del(&v->node);
			kfree(v);
			mutex_unlock(&gd->vma_lock);
			continue;
		}
		mutex_unlock(&gd->vma_lock);

		if (may_block) {
			mmap_read_lock(mm);
		} else if (!mmap_read_trylock(mm)) {
			mmput(mm);
			return;
		}
		mutex_lock(&gd->vma_lock);
		list_for_each_entry_safe(v, tmp, &gd->vma_list, node) {
			if (v->vma->vm_mm != mm)
				continue;
			zap_vma_ptes(v->vma, v->vma->vm_start,
				     v->vma->vm_end - v->vma->vm_start);
			list_del(&v->node);
			kfree(v);
		}
		mutex_unlock(&gd->vma_lock);
		mmap_read_unlock(mm);
		mmput(mm);
	}
}

#endif /* GA_HAVE_VFIO_DEVICE_INODE */

static void ga_vm_open(struct vm_area_struct *vma)
{
#ifndef GA_HAVE_VFIO_DEVICE_INODE
	/*
	 * A copy (fork: its PTEs are copied after this call) or a split half
	 * of a VMA: track it so that zapping finds it. If that cannot be done,
	 * drop its PTEs so that they come back through the fault path.
	 */
	if (ga_vma_track(vma->vm_private_data, vma))
		zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
#endif
}

static void ga_vm_close(struct vm_area_struct *vma)
{
	ga_vma_untrack(vma->vm_private_data, vma);
}

static vm_fault_t ga_insert(struct vm_fault *vmf, unsigned long pfn,
			    unsigned int order)
{
	switch (order) {
	case 0:
		return vmf_insert_pfn(vmf->vma, vmf->address & PAGE_MASK, pfn);
#if defined(GA_HAVE_HUGE_FAULT_ORDER) && defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)
	case PMD_SHIFT - PAGE_SHIFT:
		return vmf_insert_pfn_pmd(vmf, GA_PFN_ARG(pfn), false);
#endif
#if defined(GA_HAVE_HUGE_FAULT_ORDER) && defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP)
	case PUD_SHIFT - PAGE_SHIFT:
		return vmf_insert_pfn_pud(vmf, GA_PFN_ARG(pfn), false);
#endif
	default:
		return VM_FAULT_FALLBACK;
	}
}

static vm_fault_t ga_fault_order(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ga_dev *gd = vma->vm_private_data;
	unsigned int index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	struct ga_region *r = ga_region_get(gd, index);
	unsigned long span = PAGE_SIZE << order;
	unsigned long addr = vmf->address & ~(span - 1);
	unsigned long pgoff, pfn;
	bool retry = false;
	vm_fault_t ret;

	if (!r)
		return VM_FAULT_SIGBUS;
	if (order && (addr < vma->vm_start || addr + span > vma->vm_end))
		return VM_FAULT_FALLBACK;
	pgoff = (vma->vm_pgoff & GA_PGOFF_MASK) +
		((addr - vma->vm_start) >> PAGE_SHIFT);
	if (((u64)pgoff << PAGE_SHIFT) + span > r->len)
		return order ? VM_FAULT_FALLBACK : VM_FAULT_SIGBUS;
	pfn = PHYS_PFN(r->phys) + pgoff;
	if (order && (pfn & ((1UL << order) - 1)))
		return VM_FAULT_FALLBACK;

	down_read(&gd->core.memory_lock);
	down_read(&gd->gate_lock);
	if (gd->resets) {
		retry = true;
		ret = VM_FAULT_NOPAGE;
	} else if (!ga_mem_usable(gd)) {
		ret = VM_FAULT_SIGBUS;
	} else if (ga_vma_track(gd, vma)) {
		ret = VM_FAULT_OOM;
	} else {
		ret = ga_insert(vmf, pfn, order);
	}
	up_read(&gd->gate_lock);
	up_read(&gd->core.memory_lock);

	/* No PTE was made: the access faults again once the reset is over. */
	if (retry)
		msleep(1);
	return ret;
}

static vm_fault_t ga_fault(struct vm_fault *vmf)
{
	return ga_fault_order(vmf, 0);
}

#ifdef GA_HAVE_HUGE_FAULT_ORDER
static vm_fault_t ga_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	return ga_fault_order(vmf, order);
}
#endif

static const struct vm_operations_struct ga_vm_ops = {
	.open = ga_vm_open,
	.close = ga_vm_close,
	.fault = ga_fault,
#ifdef GA_HAVE_HUGE_FAULT_ORDER
	.huge_fault = ga_huge_fault,
#endif
};

int ga_mmap(struct ga_dev *gd, struct ga_region *r, unsigned int index,
	    struct vm_area_struct *vma)
{
	u64 start = (u64)(vma->vm_pgoff & GA_PGOFF_MASK) << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u64 end;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (check_add_overflow(start, len, &end) || end > r->len)
		return -EINVAL;

	if (!r->cached) {
		/* Normal non-cacheable: arm64 KVM may map it so in the guest. */
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		ga_vm_flags_set(vma, VM_ALLOW_ANY_UNCACHED);
	}
	ga_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ga_vm_ops;
	vma->vm_private_data = gd;
	return 0;
}
