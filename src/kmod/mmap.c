// SPDX-License-Identifier: GPL-2.0-only
/*
 * gpu_assign_nvgrace: user mappings of the emulated BARs and the gate that
 * makes them follow COMMAND.MEMORY, power state and resets.
 *
 * Mappings are filled on fault (PUD/PMD-sized where the kernel can map PFNs
 * that way, else 4 KiB) and zapped whenever access must stop. A fault never
 * returns without a PTE unless it fails: with memory disabled, in D3 or in
 * low power it gets SIGBUS; during a reset, or after one until BAR0 says
 * the memory is ready, it sleeps (killable) and then maps, dropping the
 * mmap/VMA lock first and returning VM_FAULT_RETRY where the fault allows.
 *
 * Zapping never needs an mmap_lock: every mapping of the device is found
 * through one address space, the vfio device's own inode where the kernel
 * has one (GA_HAVE_VFIO_DEVICE_INODE) and otherwise an inode of ours that
 * each device file takes as its f_mapping at its first mmap. That is what
 * lets the reset hooks zap under vfio-pci-core's memory_lock (README, "Lock
 * order").
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pci.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/wait.h>
#include <linux/sched/signal.h>
#include "gpu_assign_nvgrace.h"

#define GA_PGOFF_MASK ((1UL << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1)

void ga_gate_init(struct ga_dev *gd)
{
	init_rwsem(&gd->gate_lock);
	init_waitqueue_head(&gd->gate_wq);
	mutex_init(&gd->ready_lock);
	gd->resets = 0;
	gd->unready = false;
	gd->ready_err = 0;
	gd->gate_gen = 0;
#ifndef GA_HAVE_VFIO_DEVICE_INODE
	mutex_init(&gd->inode_lock);
	gd->inode = NULL;
#endif
}

void ga_gate_release(struct ga_dev *gd)
{
#ifndef GA_HAVE_VFIO_DEVICE_INODE
	if (gd->inode)
		iput(gd->inode);
	gd->inode = NULL;
#endif
}

/*
 * What an access meets now. Called with memory_lock and gate_lock held for
 * read. Faults also stop in low power (as vfio-pci-core's own faults do);
 * read/write wake the device first and so only look at its power state.
 */
enum ga_state ga_state(struct ga_dev *gd, bool fault)
{
	struct vfio_pci_core_device *core = &gd->core;
	u16 cmd = le16_to_cpu(*(__le16 *)&core->vconfig[PCI_COMMAND]);

	if (gd->resets)
		return GA_RESET;
	if (!(cmd & PCI_COMMAND_MEMORY) ||
	    core->pdev->current_state >= PCI_D3hot ||
	    (fault && core->pm_runtime_engaged))
		return GA_OFF;
	if (gd->unready)
		return GA_UNREADY;
	if (gd->ready_err)
		return GA_FAILED;
	return GA_OPEN;
}

/*
 * After a reset, wait until BAR0 says the memory is ready (one poller at a
 * time; the others find the gate open when they get the mutex). A poll
 * that a new reset overtook changes nothing. 0 or -EINTR.
 */
static int ga_await_ready(struct ga_dev *gd)
{
	bool need;
	u64 gen;
	int ret = 0;

	if (mutex_lock_killable(&gd->ready_lock))
		return -EINTR;
	down_read(&gd->gate_lock);
	need = gd->unready && !gd->resets;
	gen = gd->gate_gen;
	up_read(&gd->gate_lock);
	if (need) {
		ret = ga_poll_ready(gd->core.pdev, gd->bar0,
				    "a reset; its BARs fail until the next reset");
		if (ret != -EINTR) {
			down_write(&gd->gate_lock);
			if (gd->gate_gen == gen) {
				gd->unready = false;
				gd->ready_err = ret;
			}
			up_write(&gd->gate_lock);
			wake_up_all(&gd->gate_wq);
		}
	}
	mutex_unlock(&gd->ready_lock);
	return ret == -EINTR ? ret : 0;
}

/* Sleep (killable, no lock held) until st no longer holds. 0 or -EINTR. */
int ga_wait_gate(struct ga_dev *gd, enum ga_state st)
{
	if (st == GA_UNREADY)
		return ga_await_ready(gd);
	return wait_event_killable(gd->gate_wq, !READ_ONCE(gd->resets));
}

void ga_reset_begin(struct ga_dev *gd)
{
	down_write(&gd->gate_lock);
	gd->resets++;
	gd->gate_gen++;
	up_write(&gd->gate_lock);
	ga_zap(gd);
}

void ga_reset_end(struct ga_dev *gd)
{
	down_write(&gd->gate_lock);
	if (!WARN_ON(!gd->resets))
		gd->resets--;
	/* Memory is usable again only once BAR0 says so (first access). */
	if (gd->bar0) {
		gd->unready = true;
		gd->ready_err = 0;
	}
	up_write(&gd->gate_lock);
	wake_up_all(&gd->gate_wq);
}

static struct address_space *ga_mapping(struct ga_dev *gd)
{
#ifdef GA_HAVE_VFIO_DEVICE_INODE
	return gd->core.vdev.inode->i_mapping;
#else
	struct inode *inode = smp_load_acquire(&gd->inode);

	return inode ? inode->i_mapping : NULL;
#endif
}

/* Remove every PTE of both emulated BARs, in every process. */
void ga_zap(struct ga_dev *gd)
{
	static const unsigned int idx[] = { GA_USEMEM_INDEX, GA_RESMEM_INDEX };
	struct address_space *mapping = ga_mapping(gd);
	unsigned int i;

	if (!mapping)
		return;		/* never mapped */
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		struct ga_region *r = ga_region_get(gd, idx[i]);

		if (r)
			unmap_mapping_range(mapping,
					    VFIO_PCI_INDEX_TO_OFFSET(idx[i]),
					    PAGE_ALIGN(r->bar_size), true);
	}
}

/*
 * After vfio-pci-core changed the command register, the power state or low
 * power: zap if access is now off. Faults check the same state under
 * memory_lock, which the core holds for write while it changes it, so a
 * PTE made before the change is removed here and none is made after it.
 */
void ga_zap_if_off(struct ga_dev *gd)
{
	bool off;

	down_read(&gd->core.memory_lock);
	down_read(&gd->gate_lock);
	off = ga_state(gd, true) == GA_OFF;
	up_read(&gd->gate_lock);
	up_read(&gd->core.memory_lock);
	if (off)
		ga_zap(gd);
}

/*
 * Every mmap of the device file comes here first, for any region: on
 * kernels without a vfio device inode, point the file at our own address
 * space before its first mapping is linked into the old one. mmap_region()
 * counted this shared mapping as a writer of the old address space and will
 * uncount it from the new one: move that count along.
 */
int ga_mmap_prepare_file(struct ga_dev *gd, struct vm_area_struct *vma)
{
#ifndef GA_HAVE_VFIO_DEVICE_INODE
	struct file *file = vma->vm_file;
	struct address_space *old;
	int ret = 0;

	if (!(vma->vm_flags & VM_SHARED))
		return 0;	/* refused by the region's mmap anyway */
	mutex_lock(&gd->inode_lock);
	if (!gd->inode) {
		struct inode *inode = alloc_anon_inode(file_inode(file)->i_sb);

		if (IS_ERR(inode)) {
			ret = PTR_ERR(inode);
			goto out;
		}
		smp_store_release(&gd->inode, inode);
	}
	old = file->f_mapping;
	if (old != gd->inode->i_mapping) {
		ret = mapping_map_writable(gd->inode->i_mapping);
		if (ret)
			goto out;
		mapping_unmap_writable(old);
		WRITE_ONCE(file->f_mapping, gd->inode->i_mapping);
	}
out:
	mutex_unlock(&gd->inode_lock);
	return ret;
#else
	return 0;
#endif
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

/* May this fault drop its lock, sleep and ask to be retried? */
static bool ga_fault_may_retry(const struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_ALLOW_RETRY) &&
	       !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT);
}

static void ga_fault_unlock(struct vm_fault *vmf)
{
#ifdef GA_HAVE_RELEASE_FAULT_LOCK
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/*
 * Sleep on the gate for a fault. With the fault's lock dropped where that
 * is allowed (then VM_FAULT_RETRY: the caller faults again); else in place
 * (0: look again, or SIGBUS when killed). The file reference keeps the
 * device alive once the VMA may be gone.
 */
static vm_fault_t ga_fault_wait(struct vm_fault *vmf, struct ga_dev *gd,
				enum ga_state st)
{
	struct file *file;

	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	if (!ga_fault_may_retry(vmf))
		return ga_wait_gate(gd, st) ? VM_FAULT_SIGBUS : 0;
	file = get_file(vmf->vma->vm_file);
	ga_fault_unlock(vmf);
	ga_wait_gate(gd, st);	/* a fatal signal: the retry sees it */
	fput(file);
	return VM_FAULT_RETRY;
}

/* memory_lock for read: sleeping with the fault's lock dropped if allowed. */
static vm_fault_t ga_fault_lock(struct vm_fault *vmf, struct ga_dev *gd)
{
	struct rw_semaphore *lock = &gd->core.memory_lock;
	struct file *file;

	if (down_read_trylock(lock))
		return 0;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	if (!ga_fault_may_retry(vmf))
		return down_read_killable(lock) ? VM_FAULT_SIGBUS : 0;
	file = get_file(vmf->vma->vm_file);
	ga_fault_unlock(vmf);
	if (!down_read_killable(lock))
		up_read(lock);
	fput(file);
	return VM_FAULT_RETRY;
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
	enum ga_state st;
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

	for (;;) {
		ret = ga_fault_lock(vmf, gd);
		if (ret)
			return ret;
		down_read(&gd->gate_lock);
		st = ga_state(gd, true);
		if (st == GA_OPEN)
			ret = ga_insert(vmf, pfn, order);
		up_read(&gd->gate_lock);
		up_read(&gd->core.memory_lock);

		switch (st) {
		case GA_OPEN:
			return ret;
		case GA_OFF:
		case GA_FAILED:
			return VM_FAULT_SIGBUS;
		case GA_RESET:
		case GA_UNREADY:
			ret = ga_fault_wait(vmf, gd, st);
			if (ret)
				return ret;
			break;	/* waited in place: look again */
		}
	}
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
	.fault = ga_fault,
#ifdef GA_HAVE_HUGE_FAULT_ORDER
	.huge_fault = ga_huge_fault,
#endif
};

int ga_mmap(struct ga_dev *gd, struct ga_region *r, struct vm_area_struct *vma)
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
