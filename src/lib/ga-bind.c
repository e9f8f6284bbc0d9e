#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ga-acpi-dev.h"
#include "ga-bind.h"
#include "ga-catalog.h"
#include "ga-ctx.h"
#include "ga-grace.h"
#include "ga-kmod.h"
#include "ga-lock.h"
#include "ga-persist.h"
#include "ga-sysfs.h"

/* One function the operation may change. */
struct item {
	struct ga_pci_addr addr;
	char name[GA_PCI_ADDR_STRLEN];
	char target[GA_DRIVER_NAME_MAX];   /* bind: driver to end on; release: driver to go back to */
	char target_override[GA_DRIVER_NAME_MAX]; /* release: driver_override to restore */
	bool any_driver;                   /* release without a record: whatever the kernel picks */
	char cur[GA_DRIVER_NAME_MAX];      /* driver now, "" none */
	char cur_override[GA_DRIVER_NAME_MAX];
	int group;
	bool coherent;                     /* a Grace GPU (memory checks before it leaves its driver) */
	bool explicit_;                    /* named by the caller (vs. a companion function) */
	bool noop;
};

struct plan {
	struct item *v;
	size_t n;
};

static void plan_clear(struct plan *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static struct item *plan_find(const struct plan *p, const struct ga_pci_addr *addr)
{
	for (size_t i = 0; i < p->n; i++)
		if (ga_pci_addr_equal(&p->v[i].addr, addr))
			return &p->v[i];
	return NULL;
}

static struct item *plan_add(struct ga_ctx *ctx, struct plan *p, const struct ga_pci_addr *addr)
{
	struct item *grown = realloc(p->v, (p->n + 1) * sizeof(*grown));

	if (!grown) {
		ga_report(ctx, -ENOMEM, "out of memory");
		return NULL;
	}
	p->v = grown;
	memset(&p->v[p->n], 0, sizeof(*p->v));
	p->v[p->n].addr = *addr;
	ga_pci_addr_format(addr, p->v[p->n].name);
	return &p->v[p->n++];
}

/* Testing aid: the step-delay-ms setting pauses between sysfs steps, so that a test can kill or unplug mid-way. */
static void step_pause(struct ga_ctx *ctx)
{
	unsigned delay_ms = ga_ctx_step_delay_ms(ctx);

	if (delay_ms)
		usleep((useconds_t)delay_ms * 1000);
}

static void copy_name(char dst[GA_DRIVER_NAME_MAX], const char *src)
{
	snprintf(dst, GA_DRIVER_NAME_MAX, "%s", src ? src : "");
}

/* The function's driver now ("" none); -ENODEV if the function is gone. */
static int read_driver(struct ga_ctx *ctx, const char *name, char out[GA_DRIVER_NAME_MAX])
{
	_cleanup_free_ char *drv = NULL;
	int r;

	out[0] = '\0';
	if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, name))
		return ga_report(ctx, -ENODEV,
				 "PCI device '%s' disappeared (removed or hot-unplugged; rescan the bus if it should be there)",
				 name);
	r = ga_sysfs_link_name(ctx, &drv, GA_SYSFS_PCI_DEV_ATTR, name, "driver");
	if (r == -ENOENT) {
		ga_clear_error(ctx);
		return 0;
	}
	if (r < 0)
		return r;
	if (!ga_driver_name_valid(drv))
		return ga_report(ctx, -EINVAL, "PCI device '%s' is bound to a driver with an unexpected name '%s'", name,
				 drv);
	copy_name(out, drv);
	return 0;
}

static int read_override(struct ga_ctx *ctx, const char *name, char out[GA_DRIVER_NAME_MAX])
{
	_cleanup_free_ char *val = NULL;
	int r;

	out[0] = '\0';
	r = ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, name, "driver_override");
	if (r < 0)
		return r;
	if (!*val || !strcmp(val, "(null)"))
		return 0;
	if (!ga_driver_name_valid(val))
		return ga_report(ctx, -EINVAL,
				 "PCI device '%s' has an unexpected driver_override '%s' (clear it: echo > .../driver_override)",
				 name, val);
	copy_name(out, val);
	return 0;
}

/* A write failed: if the function vanished, say so rather than "No such file". */
static int write_failed(struct ga_ctx *ctx, const char *name, int r)
{
	if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, name))
		return ga_report(ctx, -ENODEV,
				 "PCI device '%s' disappeared during the operation (removed or hot-unplugged); the other devices were put back",
				 name);
	return r;
}

static int set_override(struct ga_ctx *ctx, const char *name, const char *driver)
{
	/* A lone newline clears driver_override. */
	int r = ga_sysfs_write(ctx, *driver ? driver : "\n", GA_SYSFS_PCI_DEV_ATTR, name, "driver_override");

	step_pause(ctx);
	return r < 0 ? write_failed(ctx, name, r) : 0;
}

static int unbind(struct ga_ctx *ctx, const char *name, const char *driver)
{
	int r = ga_sysfs_write(ctx, name, GA_SYSFS_PCI_DRIVER_ATTR, driver, "unbind");

	step_pause(ctx);
	return r < 0 ? write_failed(ctx, name, r) : 0;
}

static int probe(struct ga_ctx *ctx, const char *name)
{
	int r = ga_sysfs_write(ctx, name, GA_SYSFS_PCI_DRIVERS_PROBE);

	step_pause(ctx);
	return r < 0 ? write_failed(ctx, name, r) : 0;
}

/* Move one function to `target`: override, unbind, probe, verify. */
static int bind_one(struct ga_ctx *ctx, const struct item *it)
{
	char now[GA_DRIVER_NAME_MAX];
	int r;

	ga_info(ctx, "binding '%s' to '%s' (was on '%s')", it->name, it->target, *it->cur ? it->cur : "no driver");
	r = set_override(ctx, it->name, it->target);
	if (r < 0)
		return r;
	r = read_driver(ctx, it->name, now);
	if (r < 0)
		return r;
	if (*now && strcmp(now, it->target)) {
		r = unbind(ctx, it->name, now);
		if (r < 0)
			return r;
	}
	if (strcmp(now, it->target)) {
		r = probe(ctx, it->name);
		if (r < 0)
			return r;
	}
	r = read_driver(ctx, it->name, now);
	if (r < 0)
		return r;
	if (strcmp(now, it->target))
		return ga_report(ctx, -EIO,
				 "PCI device '%s' did not bind to driver '%s' (it is on '%s'): the driver refused it, see dmesg",
				 it->name, it->target, *now ? now : "no driver");
	return 0;
}

/*
 * Put a function on `driver` ("" none) with driver_override `override`.
 * any: no driver recorded, let the kernel pick after clearing the override.
 * Works from any intermediate state, so it serves rollback, repair and release.
 */
static int restore_one(struct ga_ctx *ctx, const char *name, const char *driver, const char *override, bool any)
{
	char now[GA_DRIVER_NAME_MAX];
	int r;

	r = read_driver(ctx, name, now);
	if (r < 0)
		return r;
	if (*now && (any || strcmp(now, driver))) {
		r = unbind(ctx, name, now);
		if (r < 0)
			return r;
		now[0] = '\0';
	}
	r = set_override(ctx, name, override);
	if (r < 0)
		return r;
	if (!*now && (*driver || any)) {
		r = probe(ctx, name);
		if (r < 0)
			return r;
		r = read_driver(ctx, name, now);
		if (r < 0)
			return r;
		if (*driver && !*now) {
			/* The driver may not match on ids alone (it was bound by hand): bind explicitly. */
			r = ga_sysfs_write(ctx, name, GA_SYSFS_PCI_DRIVER_ATTR, driver, "bind");
			step_pause(ctx);
			if (r < 0 && !ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, name))
				return write_failed(ctx, name, r);
			ga_clear_error(ctx);
			r = read_driver(ctx, name, now);
			if (r < 0)
				return r;
		}
	}
	if (!any && strcmp(now, driver))
		return ga_report(ctx, -EIO,
				 "PCI device '%s' did not go back to driver '%s' (it is on '%s'): see dmesg, then 'gpu-assign repair'",
				 name, *driver ? driver : "no driver", *now ? now : "no driver");
	return 0;
}

/* Remember the first error while more work (rollback) may report others. */
struct saved_error {
	int code;
	char message[sizeof(((struct ga_error *)0)->message)];
};

static void save_error(struct ga_ctx *ctx, struct saved_error *s)
{
	const struct ga_error *e = ga_last_error(ctx);

	s->code = e->code;
	snprintf(s->message, sizeof(s->message), "%s", e->message);
}

static int restore_error(struct ga_ctx *ctx, const struct saved_error *s, const char *suffix)
{
	return ga_report(ctx, s->code, "%s%s", s->message, suffix ? suffix : "");
}

/*
 * Put the journal's functions back (in reverse order) and its bindings
 * records as they were. Keeps the journal if a function still present could
 * not be restored.
 */
static int journal_rollback(struct ga_ctx *ctx, struct ga_lock *lock, const struct ga_journal *j, size_t *count)
{
	struct ga_bindings b = { 0 };
	int r, failed = 0;
	struct saved_error first = { 0 };

	for (size_t i = j->n; i-- > 0;) {
		const struct ga_journal_entry *e = &j->v[i];
		char name[GA_PCI_ADDR_STRLEN];

		ga_pci_addr_format(&e->addr, name);
		r = restore_one(ctx, name, e->driver, e->override, false);
		if (r == -ENODEV) {
			ga_warn(ctx, "'%s' is gone; nothing to put back", name);
			ga_clear_error(ctx);
			continue;
		}
		if (r < 0) {
			if (!failed)
				save_error(ctx, &first);
			failed++;
			continue;
		}
		if (count)
			(*count)++;
	}
	r = ga_bindings_load(ctx, lock->dirfd, lock->dir, &b);
	if (r < 0)
		return r;
	for (size_t i = 0; i < j->n; i++) {
		if (j->v[i].had_binding)
			r = ga_bindings_put(ctx, &b, &j->v[i].binding);
		else
			ga_bindings_del(&b, &j->v[i].addr);
		if (r < 0)
			break;
	}
	if (r >= 0)
		r = ga_bindings_store(ctx, lock->dirfd, lock->dir, &b);
	ga_bindings_clear(&b);
	if (r < 0)
		return r;
	if (failed)
		return restore_error(ctx, &first, " (the journal is kept: fix this and run 'gpu-assign repair')");
	return ga_journal_remove(ctx, lock->dirfd, lock->dir);
}

/* A journal left behind by a killed process: finish its rollback. */
static int replay_journal(struct ga_ctx *ctx, struct ga_lock *lock, size_t *count)
{
	struct ga_journal j;
	bool exists;
	int r;

	r = ga_journal_load(ctx, lock->dirfd, lock->dir, &j, &exists);
	if (r < 0 || !exists)
		return r;
	ga_info(ctx, "rolling back an interrupted '%s' of pid %ld (%zu device(s))", j.op, j.pid, j.n);
	r = journal_rollback(ctx, lock, &j, count);
	ga_journal_clear(&j);
	return r;
}

static int lock_and_replay(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_lock *lock,
			   struct ga_bind_summary *sum)
{
	int timeout = opts->lock_timeout_ms ? opts->lock_timeout_ms : GA_LOCK_TIMEOUT_MS_DEFAULT;
	int r;

	r = ga_lock_take(ctx, opts->state_dir, timeout < 0 ? 0 : timeout, lock);
	if (r < 0)
		return r;
	r = replay_journal(ctx, lock, &sum->repaired);
	if (r < 0)
		ga_lock_release(lock);
	return r;
}

/* Fill an item's current driver and override. */
static int item_read_state(struct ga_ctx *ctx, struct item *it)
{
	int r = read_driver(ctx, it->name, it->cur);

	if (r >= 0)
		r = read_override(ctx, it->name, it->cur_override);
	return r;
}

static bool same_slot(const struct ga_pci_addr *a, const struct ga_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

/* Append "addr (driver)" to a list of functions in the way. */
static void list_add(char *buf, size_t size, const char *name, const char *driver)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s'%s' (%s)", len ? ", " : "", name, *driver ? driver : "no driver");
}

/* Add the other functions of each explicit item's IOMMU group, or refuse. */
static int plan_group_peers(struct ga_ctx *ctx, struct plan *p, const struct ga_bind_opts *opts)
{
	size_t nexplicit = p->n;

	for (size_t i = 0; i < nexplicit; i++) {
		_cleanup_free_ struct ga_pci_addr *members = NULL;
		char blocked[1024] = "";
		size_t n;
		int r;

		r = ga_pci_iommu_group_members(ctx, p->v[i].group, &members, &n);
		if (r < 0)
			return r;
		for (size_t m = 0; m < n; m++) {
			struct ga_pci_dev dev;
			struct item *peer;

			if (plan_find(p, &members[m]))
				continue;
			r = ga_pci_dev_read(ctx, &members[m], &dev);
			if (r < 0)
				return r;
			if (ga_pci_dev_is_bridge(&dev) || ga_driver_is_vfio(dev.driver)) {
				ga_pci_dev_clear(&dev);
				continue;
			}
			if (!same_slot(&members[m], &p->v[i].addr)) {
				list_add(blocked, sizeof(blocked), dev.name, dev.driver ? dev.driver : "");
				ga_pci_dev_clear(&dev);
				continue;
			}
			ga_pci_dev_clear(&dev);
			/* Another function of the same device (audio, USB-C, ...) goes along. */
			peer = plan_add(ctx, p, &members[m]);
			if (!peer)
				return -ENOMEM;
			copy_name(peer->target, opts->driver ? opts->driver : GA_DRIVER_VFIO_PCI);
			peer->group = p->v[i].group;
			r = item_read_state(ctx, peer);
			if (r < 0)
				return r;
		}
		if (*blocked)
			return ga_report(ctx, -GA_E_NOT_ASSIGNABLE,
					 "cannot bind '%s': its IOMMU group %d also holds %s, which would have to leave their drivers too (name them on the command line to bind them as well, or use a slot with its own IOMMU group)",
					 p->v[i].name, p->v[i].group, blocked);
	}
	return 0;
}

static int plan_bind(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n, const struct ga_bind_opts *opts,
		     struct plan *p)
{
	int r;

	if (opts->driver && !ga_driver_name_valid(opts->driver))
		return ga_report(ctx, -EINVAL, "invalid driver name '%s': expected letters, digits, '_', '-' or '.'",
				 opts->driver);
	if (opts->driver && !ga_driver_is_vfio(opts->driver))
		return ga_report(ctx, -EINVAL,
				 "refusing driver '%s': not a vfio driver (give vfio-pci or a vfio-pci variant driver such as " GA_DRIVER_NVGRACE ")",
				 opts->driver);
	for (size_t i = 0; i < n; i++) {
		const struct ga_catalog_entry *model;
		struct ga_pci_dev dev;
		struct item *it;

		if (plan_find(p, &addrs[i]))
			continue;
		r = ga_pci_dev_read(ctx, &addrs[i], &dev);
		if (r < 0)
			return r;
		if (ga_pci_dev_is_bridge(&dev)) {
			ga_pci_dev_clear(&dev);
			return ga_report(ctx, -GA_E_NOT_ASSIGNABLE,
					 "cannot bind '%s': it is a PCI bridge, which stays with the host (give the GPU's address)",
					 ga_pci_addr_format(&addrs[i], (char[GA_PCI_ADDR_STRLEN]){ 0 }));
		}
		if (dev.iommu_group < 0) {
			ga_pci_dev_clear(&dev);
			return ga_report(ctx, -GA_E_NOT_ASSIGNABLE,
					 "cannot bind '%s': it has no IOMMU group (enable the IOMMU: intel_iommu=on or amd_iommu=on, SMMU on Arm, and reboot)",
					 ga_pci_addr_format(&addrs[i], (char[GA_PCI_ADDR_STRLEN]){ 0 }));
		}
		model = ga_catalog_lookup(dev.vendor, dev.device);
		it = plan_add(ctx, p, &addrs[i]);
		if (!it) {
			ga_pci_dev_clear(&dev);
			return -ENOMEM;
		}
		it->explicit_ = true;
		it->group = dev.iommu_group;
		it->coherent = model && model->coherent;
		copy_name(it->target, opts->driver ? opts->driver : model ? model->driver : GA_DRIVER_VFIO_PCI);
		ga_pci_dev_clear(&dev);
		r = item_read_state(ctx, it);
		if (r < 0)
			return r;
	}
	return plan_group_peers(ctx, p, opts);
}

static int journal_entry_for(struct ga_ctx *ctx, struct ga_journal *j, const struct item *it,
			     const struct ga_bindings *b)
{
	struct ga_journal_entry e = { .addr = it->addr };
	const struct ga_binding *rec = ga_bindings_find(b, &it->addr);

	copy_name(e.driver, it->cur);
	copy_name(e.override, it->cur_override);
	if (rec) {
		e.had_binding = true;
		e.binding = *rec;
	}
	return ga_journal_add(ctx, j, &e);
}

/* Rollback of a failed call: restore every touched item (reverse), keep the first error. */
static int rollback(struct ga_ctx *ctx, struct ga_lock *lock, struct ga_journal *j, const struct ga_rules *old_rules,
		    bool rules_written, const struct ga_bind_opts *opts)
{
	struct saved_error first;
	int r;

	save_error(ctx, &first);
	if (rules_written && ga_rules_store(ctx, opts->rules_dir, old_rules) < 0)
		ga_warn(ctx, "could not restore the udev rules: %s", ga_last_error(ctx)->message);
	r = journal_rollback(ctx, lock, j, NULL);
	if (r < 0) {
		char suffix[1200];

		snprintf(suffix, sizeof(suffix), "; rolling back also failed: %s", ga_last_error(ctx)->message);
		return restore_error(ctx, &first, suffix);
	}
	return restore_error(ctx, &first, NULL);
}

static long long now_epoch(void)
{
	return (long long)time(NULL);
}

/*
 * The common tail of bind and release: journal, change, rules, commit.
 * change() moves one item; commit_rec() updates the bindings for one item.
 */
static int run_transaction(struct ga_ctx *ctx, struct ga_lock *lock, struct plan *p, const struct ga_bind_opts *opts,
			   const char *op, int (*change)(struct ga_ctx *, const struct item *),
			   int (*commit_rec)(struct ga_ctx *, struct ga_bindings *, const struct item *, const struct ga_journal *),
			   const char *rule_driver_of_bind, struct ga_bind_summary *sum)
{
	struct ga_journal j = { .pid = (long)getpid(), .started = now_epoch() };
	struct ga_bindings b = { 0 };
	struct ga_rules rules = { 0 }, old_rules = { 0 };
	bool rules_dirty = false, rules_written = false;
	size_t nchange = 0;
	int r;

	(void)rule_driver_of_bind;
	snprintf(j.op, sizeof(j.op), "%s", op);
	r = ga_bindings_load(ctx, lock->dirfd, lock->dir, &b);
	if (r < 0)
		goto out;
	if (opts->persistent) {
		r = ga_rules_load(ctx, opts->rules_dir, &rules);
		if (r >= 0)
			r = ga_rules_load(ctx, opts->rules_dir, &old_rules);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < p->n && r >= 0; i++) {
			const struct ga_rule *cur = ga_rules_find(&rules, &p->v[i].addr);

			if (!strcmp(op, "bind")) {
				if (!cur || strcmp(cur->driver, p->v[i].target)) {
					r = ga_rules_set(ctx, &rules, &p->v[i].addr, p->v[i].target);
					rules_dirty = true;
					sum->rules++;
				}
			} else if (cur) {
				r = ga_rules_set(ctx, &rules, &p->v[i].addr, NULL);
				rules_dirty = true;
				sum->rules++;
			}
		}
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].noop) {
			sum->unchanged++;
			continue;
		}
		r = journal_entry_for(ctx, &j, &p->v[i], &b);
		if (r < 0)
			goto out;
		nchange++;
	}
	if (nchange == 0 && !rules_dirty) {
		r = 0;
		goto out;
	}
	/* The journal is on disk before the first change. */
	r = ga_journal_store(ctx, lock->dirfd, lock->dir, &j);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].noop)
			continue;
		r = change(ctx, &p->v[i]);
		if (r < 0) {
			r = rollback(ctx, lock, &j, &old_rules, rules_written, opts);
			goto out;
		}
		sum->changed++;
	}
	if (rules_dirty) {
		r = ga_rules_store(ctx, opts->rules_dir, &rules);
		if (r < 0) {
			sum->changed = 0;
			r = rollback(ctx, lock, &j, &old_rules, false, opts);
			goto out;
		}
		rules_written = true;
	}
	for (size_t i = 0; i < p->n && r >= 0; i++)
		r = commit_rec(ctx, &b, &p->v[i], &j);
	if (r >= 0)
		r = ga_bindings_store(ctx, lock->dirfd, lock->dir, &b);
	if (r < 0) {
		sum->changed = 0;
		r = rollback(ctx, lock, &j, &old_rules, rules_written, opts);
		goto out;
	}
	/* Committed: the bindings file says what we did; the journal is no longer needed. */
	r = ga_journal_remove(ctx, lock->dirfd, lock->dir);
	if (rules_written)
		ga_udev_reload(ctx, opts->rules_dir);
out:
	ga_journal_clear(&j);
	ga_bindings_clear(&b);
	ga_rules_clear(&rules);
	ga_rules_clear(&old_rules);
	return r;
}

static int bind_commit_rec(struct ga_ctx *ctx, struct ga_bindings *b, const struct item *it,
			   const struct ga_journal *j)
{
	const struct ga_binding *old = ga_bindings_find(b, &it->addr);
	struct ga_binding rec = { .addr = it->addr, .since = j->started };

	if (it->noop)
		return 0;
	copy_name(rec.driver, it->target);
	if (old) {
		/* Rebound from one vfio driver to another: keep where it first came from. */
		copy_name(rec.orig_driver, old->orig_driver);
		copy_name(rec.orig_override, old->orig_override);
	} else {
		copy_name(rec.orig_driver, it->cur);
		copy_name(rec.orig_override, it->cur_override);
	}
	return ga_bindings_put(ctx, b, &rec);
}

/*
 * The GPU's memory range from its ACPI _DSD, so that only that GPU's memory
 * has to be offline. False when it cannot be known (no companion, tables
 * unreadable, no static _DSD, values cut to 32 bits): the caller then counts
 * every NVIDIA memory range, the safe side, and says so.
 */
static bool gpu_mem_range(struct ga_ctx *ctx, struct ga_acpi_cache *acpi, const char *name, struct ga_grace_mem *mem)
{
	struct ga_acpi_gpu_mem m;

	if (ga_acpi_dev_gpu_mem(ctx, acpi, name, &m) < 0)
		goto unknown;
	if (!m.has_base || !m.has_size || !m.size) {
		ga_report(ctx, -ENOENT, "the _DSD in %s has no nvidia,gpu-mem-base-pa/size", m.table);
		goto unknown;
	}
	if (!ga_acpi_int_seen(&m, m.base_pa) || !ga_acpi_int_seen(&m, m.size)) {
		ga_report(ctx, -ERANGE, "the _DSD in %s gives a GPU memory range beyond 32 bits, which the kernel cuts (DSDT revision %u)",
			  m.table, m.table_revision);
		goto unknown;
	}
	mem->base = m.base_pa;
	mem->size = m.size;
	return true;
unknown:
	ga_info(ctx, "GPU '%s': its memory range is not known (%s): any NVIDIA memory still online blocks it", name,
		ga_last_error(ctx)->message);
	ga_clear_error(ctx);
	return false;
}

int ga_bind_apply(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n, const struct ga_bind_opts *opts,
		  struct ga_bind_summary *sum)
{
	struct ga_acpi_cache acpi = { 0 };
	struct ga_lock lock = { .fd = -1, .dirfd = -1 };
	struct plan p = { 0 };
	bool grace_checked = false;
	int r;

	memset(sum, 0, sizeof(*sum));
	if (n == 0)
		return ga_report(ctx, -EINVAL, "nothing to bind: give one or more PCI addresses");
	r = lock_and_replay(ctx, opts, &lock, sum);
	if (r < 0)
		return r;
	r = plan_bind(ctx, addrs, n, opts, &p);
	for (size_t i = 0; r >= 0 && i < p.n; i++) {
		struct item *it = &p.v[i];

		it->noop = !strcmp(it->cur, it->target);
		if (it->noop)
			continue;
		r = ga_kmod_ensure_driver(ctx, it->target);
		if (r >= 0 && it->coherent && *it->cur && !ga_driver_is_vfio(it->cur)) {
			struct ga_grace_mem mem;
			bool known = gpu_mem_range(ctx, &acpi, it->name, &mem);

			/* one host-wide check covers every GPU whose range is unknown */
			if (known || !grace_checked)
				r = ga_grace_check_release(ctx, it->name, known ? &mem : NULL, opts->wait_sec);
			grace_checked = grace_checked || !known;
		}
	}
	ga_acpi_cache_clear(&acpi);
	if (r >= 0)
		r = run_transaction(ctx, &lock, &p, opts, "bind", bind_one, bind_commit_rec, NULL, sum);
	plan_clear(&p);
	ga_lock_release(&lock);
	return r;
}

static int release_one(struct ga_ctx *ctx, const struct item *it)
{
	ga_info(ctx, "releasing '%s' from '%s' back to '%s'", it->name, *it->cur ? it->cur : "no driver",
		it->any_driver ? "the kernel's choice" : *it->target ? it->target : "no driver");
	return restore_one(ctx, it->name, it->target, it->target_override, it->any_driver);
}

static int release_commit_rec(struct ga_ctx *ctx, struct ga_bindings *b, const struct item *it,
			      const struct ga_journal *j)
{
	(void)ctx;
	(void)j;
	if (!it->noop)
		ga_bindings_del(b, &it->addr);
	return 0;
}

/* One function to release; also pulls in recorded peers of its IOMMU group. */
static int plan_release_one(struct ga_ctx *ctx, struct plan *p, const struct ga_pci_addr *addr,
			    const struct ga_bindings *b, const struct ga_rules *rules, const struct ga_bind_opts *opts,
			    bool peer)
{
	const struct ga_binding *rec = ga_bindings_find(b, addr);
	struct ga_pci_dev dev;
	struct item *it;
	int r;

	if (plan_find(p, addr))
		return 0;
	r = ga_pci_dev_read(ctx, addr, &dev);
	if (r < 0)
		return r;
	it = plan_add(ctx, p, addr);
	if (!it) {
		ga_pci_dev_clear(&dev);
		return -ENOMEM;
	}
	it->group = dev.iommu_group;
	it->explicit_ = !peer;
	ga_pci_dev_clear(&dev);
	r = item_read_state(ctx, it);
	if (r < 0)
		return r;
	if (rec) {
		copy_name(it->target, rec->orig_driver);
		copy_name(it->target_override, rec->orig_override);
		it->noop = !strcmp(it->cur, it->target) && !strcmp(it->cur_override, it->target_override);
	} else if (ga_driver_is_vfio(it->cur) && (*it->cur_override || ga_rules_find(rules, addr))) {
		/* Bound by a persistent rule (after a reboot) or by hand: clear and let the kernel pick. */
		it->any_driver = true;
	} else if (!ga_driver_is_vfio(it->cur)) {
		/* Not on a vfio driver and nothing recorded: already released (release is idempotent). */
		it->noop = true;
	} else {
		return ga_report(ctx, -GA_E_NOT_ASSIGNABLE,
				 "cannot release '%s': it is on '%s' but gpu-assign did not bind it (see 'gpu-assign status'; unbind it by hand if it is yours)",
				 it->name, it->cur);
	}
	if (!peer && it->group >= 0) {
		_cleanup_free_ struct ga_pci_addr *members = NULL;
		size_t n;

		r = ga_pci_iommu_group_members(ctx, it->group, &members, &n);
		if (r < 0)
			return r;
		for (size_t m = 0; m < n; m++) {
			if (ga_bindings_find(b, &members[m])) {
				r = plan_release_one(ctx, p, &members[m], b, rules, opts, true);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

/* release --all: records of functions that no longer exist (unplugged) are dropped. */
static int forget_absent(struct ga_ctx *ctx, struct ga_lock *lock)
{
	struct ga_bindings b = { 0 };
	size_t before;
	int r;

	r = ga_bindings_load(ctx, lock->dirfd, lock->dir, &b);
	before = b.n;
	for (size_t i = b.n; r >= 0 && i-- > 0;) {
		char name[GA_PCI_ADDR_STRLEN];

		if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, ga_pci_addr_format(&b.v[i].addr, name))) {
			ga_info(ctx, "forgetting '%s': it no longer exists", name);
			ga_bindings_del(&b, &b.v[i].addr);
		}
	}
	if (r >= 0 && b.n != before)
		r = ga_bindings_store(ctx, lock->dirfd, lock->dir, &b);
	ga_bindings_clear(&b);
	return r;
}

int ga_bind_release(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n,
		    const struct ga_bind_opts *opts, struct ga_bind_summary *sum)
{
	struct ga_lock lock = { .fd = -1, .dirfd = -1 };
	struct ga_bindings b = { 0 };
	struct ga_rules rules = { 0 };
	struct plan p = { 0 };
	int r;

	memset(sum, 0, sizeof(*sum));
	if (n == 0 && !opts->all)
		return ga_report(ctx, -EINVAL, "nothing to release: give one or more PCI addresses or --all");
	r = lock_and_replay(ctx, opts, &lock, sum);
	if (r < 0)
		return r;
	r = ga_bindings_load(ctx, lock.dirfd, lock.dir, &b);
	if (r >= 0)
		r = ga_rules_load(ctx, opts->rules_dir, &rules);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = plan_release_one(ctx, &p, &addrs[i], &b, &rules, opts, false);
	for (size_t i = 0; r >= 0 && opts->all && i < b.n; i++) {
		if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, ga_pci_addr_format(&b.v[i].addr, (char[GA_PCI_ADDR_STRLEN]){ 0 })))
			continue; /* gone since: handled below */
		r = plan_release_one(ctx, &p, &b.v[i].addr, &b, &rules, opts, false);
	}
	if (r >= 0 && opts->all && opts->persistent) {
		for (size_t i = 0; r >= 0 && i < rules.n; i++)
			if (!plan_find(&p, &rules.v[i].addr) &&
			    ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, ga_pci_addr_format(&rules.v[i].addr, (char[GA_PCI_ADDR_STRLEN]){ 0 })))
				r = plan_release_one(ctx, &p, &rules.v[i].addr, &b, &rules, opts, false);
	}
	/* Modules of the drivers we go back to must be there before anything changes. */
	for (size_t i = 0; r >= 0 && i < p.n; i++)
		if (!p.v[i].noop && *p.v[i].target)
			r = ga_kmod_ensure_driver(ctx, p.v[i].target);
	if (r >= 0)
		r = run_transaction(ctx, &lock, &p, opts, "release", release_one, release_commit_rec, NULL, sum);
	if (r >= 0 && opts->all)
		r = forget_absent(ctx, &lock);
	ga_bindings_clear(&b);
	ga_rules_clear(&rules);
	plan_clear(&p);
	ga_lock_release(&lock);
	return r;
}

int ga_bind_repair(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_bind_summary *sum)
{
	struct ga_lock lock = { .fd = -1, .dirfd = -1 };
	int r;

	memset(sum, 0, sizeof(*sum));
	r = lock_and_replay(ctx, opts, &lock, sum);
	if (r < 0)
		return r;
	ga_lock_release(&lock);
	return 0;
}

void ga_bind_status_clear(struct ga_bind_status *st)
{
	free(st->v);
	ga_journal_clear(&st->journal);
	memset(st, 0, sizeof(*st));
}

static struct ga_status_entry *status_entry(struct ga_ctx *ctx, struct ga_bind_status *st, const struct ga_pci_addr *addr)
{
	struct ga_status_entry *grown;
	size_t i;

	for (i = 0; i < st->n; i++)
		if (ga_pci_addr_equal(&st->v[i].addr, addr))
			return &st->v[i];
	grown = realloc(st->v, (st->n + 1) * sizeof(*grown));
	if (!grown) {
		ga_report(ctx, -ENOMEM, "out of memory");
		return NULL;
	}
	st->v = grown;
	for (i = st->n; i > 0 && ga_pci_addr_cmp(&st->v[i - 1].addr, addr) > 0; i--)
		st->v[i] = st->v[i - 1];
	memset(&st->v[i], 0, sizeof(st->v[i]));
	st->v[i].addr = *addr;
	st->n++;
	return &st->v[i];
}

int ga_bind_status_read(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_bind_status *out)
{
	struct ga_lock state = { .fd = -1, .dirfd = -1 };
	struct ga_bindings b = { 0 };
	struct ga_rules rules = { 0 };
	int r;

	memset(out, 0, sizeof(*out));
	r = ga_state_open(ctx, opts->state_dir, &state);
	if (r < 0)
		return r;
	r = ga_bindings_load(ctx, state.dirfd, state.dir, &b);
	if (r >= 0)
		r = ga_journal_load(ctx, state.dirfd, state.dir, &out->journal, &out->interrupted);
	if (r >= 0)
		r = ga_rules_load(ctx, opts->rules_dir, &rules);
	for (size_t i = 0; r >= 0 && i < b.n; i++) {
		struct ga_status_entry *e = status_entry(ctx, out, &b.v[i].addr);

		if (!e) {
			r = -ENOMEM;
			break;
		}
		e->recorded = true;
		e->binding = b.v[i];
	}
	for (size_t i = 0; r >= 0 && i < rules.n; i++) {
		struct ga_status_entry *e = status_entry(ctx, out, &rules.v[i].addr);

		if (!e) {
			r = -ENOMEM;
			break;
		}
		copy_name(e->persistent, rules.v[i].driver);
	}
	for (size_t i = 0; r >= 0 && i < out->n; i++) {
		struct ga_status_entry *e = &out->v[i];
		char name[GA_PCI_ADDR_STRLEN];

		ga_pci_addr_format(&e->addr, name);
		r = read_driver(ctx, name, e->current);
		e->present = r != -ENODEV;
		if (r == -ENODEV) {
			ga_clear_error(ctx);
			r = 0;
		}
	}
	ga_bindings_clear(&b);
	ga_rules_clear(&rules);
	ga_lock_release(&state);
	if (r < 0)
		ga_bind_status_clear(out);
	return r;
}
