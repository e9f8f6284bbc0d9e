// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdint.h>
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
#include "ga-inuse.h"
#include "ga-kmod.h"
#include "ga-lock.h"
#include "ga-persist.h"
#include "ga-statefile.h"
#include "ga-sysfs.h"
#include "ga-variant.h"

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
	bool gpu;                          /* bind: in the catalogue, or a display-class function */
	uint32_t class;                    /* bind: its PCI class code */
	bool noop;
};

/* The functions one call works on: those named and the companions it pulls in. */
struct worklist {
	struct item *v;
	size_t n;
};

static void worklist_clear(struct worklist *wl)
{
	free(wl->v);
	wl->v = NULL;
	wl->n = 0;
}

static struct item *worklist_find(const struct worklist *wl, const struct ga_pci_addr *addr)
{
	for (size_t i = 0; i < wl->n; i++)
		if (ga_pci_addr_equal(&wl->v[i].addr, addr))
			return &wl->v[i];
	return NULL;
}

static struct item *worklist_add(struct ga_ctx *ctx, struct worklist *wl, const struct ga_pci_addr *addr)
{
	struct item *grown = realloc(wl->v, (wl->n + 1) * sizeof(*grown));

	if (!grown) {
		ga_report(ctx, -ENOMEM, "out of memory");
		return NULL;
	}
	wl->v = grown;
	memset(&wl->v[wl->n], 0, sizeof(*wl->v));
	wl->v[wl->n].addr = *addr;
	ga_pci_addr_format(addr, wl->v[wl->n].name);
	return &wl->v[wl->n++];
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

/* Put the journal's functions back, in reverse order; *failed counts those that could not be. */
static void restore_devices(struct ga_ctx *ctx, const struct ga_journal *j, size_t *count, size_t *failed,
			    struct ga_error_saved *first)
{
	for (size_t i = j->n; i-- > 0;) {
		const struct ga_journal_entry *e = &j->v[i];
		char name[GA_PCI_ADDR_STRLEN];
		int r;

		ga_pci_addr_format(&e->addr, name);
		r = restore_one(ctx, name, e->driver, e->override, false);
		if (r == -ENODEV) {
			ga_warn(ctx, "'%s' is gone; nothing to put back", name);
			ga_clear_error(ctx);
			continue;
		}
		if (r < 0) {
			if (!(*failed)++)
				ga_error_save(ctx, first);
			continue;
		}
		if (count)
			(*count)++;
	}
}

/*
 * The bindings file as it was: the journal's copy, or (a version-1 journal)
 * the current file with the journal's records put back.
 */
static int restore_bindings(struct ga_ctx *ctx, struct ga_lock *lock, const struct ga_journal *j)
{
	const struct ga_journal_file *f = &j->bindings;
	struct ga_bindings b = { 0 };
	int r;

	if (f->recorded) {
		_cleanup_free_ char *now = NULL;

		r = ga_file_read(ctx, lock->dirfd, lock->dir, GA_BINDINGS_FILE, &now);
		if (r < 0 || (f->existed ? now && !strcmp(now, f->content) : !now))
			return r;
		if (!f->existed)
			return ga_file_remove(ctx, lock->dirfd, lock->dir, GA_BINDINGS_FILE);
		return ga_file_write_atomic(ctx, lock->dirfd, lock->dir, GA_BINDINGS_FILE, f->content, 0644);
	}
	r = ga_bindings_load(ctx, lock->dirfd, lock->dir, &b);
	for (size_t i = 0; r >= 0 && i < j->n; i++) {
		if (j->v[i].had_binding)
			r = ga_bindings_put(ctx, &b, &j->v[i].binding);
		else
			ga_bindings_del(&b, &j->v[i].addr);
	}
	if (r >= 0)
		r = ga_bindings_store(ctx, lock->dirfd, lock->dir, &b);
	ga_bindings_clear(&b);
	return r;
}

/* The udev rules file as it was, when the operation was changing it. */
static int restore_rules(struct ga_ctx *ctx, const struct ga_journal *j, size_t *failed, struct ga_error_saved *first)
{
	const struct ga_journal_file *f = &j->rules;
	bool written;

	if (!f->recorded)
		return 0;
	if (ga_rules_restore_text(ctx, f->dir, f->existed ? f->content : NULL, &written) < 0) {
		if (!(*failed)++)
			ga_error_save(ctx, first);
		return -1;
	}
	if (written) {
		ga_info(ctx, "put back the udev rules file '%s/" GA_UDEV_RULES_FILE "'", f->dir);
		ga_udev_reload(ctx, f->dir);
	}
	return 0;
}

/*
 * Put the journal's functions and files back as they were. Keeps the
 * journal if a function still present or the rules file could not be
 * restored.
 */
static int journal_rollback(struct ga_ctx *ctx, struct ga_lock *lock, const struct ga_journal *j, size_t *count)
{
	struct ga_error_saved first = { 0 };
	size_t failed = 0;
	int r;

	restore_devices(ctx, j, count, &failed, &first);
	restore_rules(ctx, j, &failed, &first);
	r = restore_bindings(ctx, lock, j);
	if (r < 0)
		return r;
	if (failed)
		return ga_error_restore(ctx, &first, " (the journal is kept: fix this and run 'gpu-assign repair')");
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

/* What a killed ga_file_write_atomic() left: the state files' temporaries, and the rules file's. */
static void remove_stale_temps(struct ga_ctx *ctx, struct ga_lock *lock, const struct ga_bind_opts *opts)
{
	const char *rules_dir = opts->rules_dir ? opts->rules_dir : ga_ctx_get(ctx, GA_SETTING_RULES_DIR);
	_cleanup_close_ int dfd = -1;

	ga_journal_remove_stale_temps(ctx, lock->dirfd, lock->dir, GA_JOURNAL_FILE);
	ga_journal_remove_stale_temps(ctx, lock->dirfd, lock->dir, GA_BINDINGS_FILE);
	dfd = ga_dir_open(ctx, rules_dir, false, 0755, false);
	if (dfd >= 0)
		ga_journal_remove_stale_temps(ctx, dfd, rules_dir, GA_UDEV_RULES_FILE);
	ga_clear_error(ctx);
}

/*
 * A sysfs root other than /sys is a test or a fixture: its binds must not
 * touch the host's real state, rules or udevd, so the state and rules
 * directories have to be the test's own.
 */
static int check_fixture_dirs(struct ga_ctx *ctx, const struct ga_bind_opts *opts)
{
	const char *root = ga_ctx_get_sysfs_root(ctx);
	const char *state = opts->state_dir ? opts->state_dir : ga_ctx_get(ctx, GA_SETTING_STATE_DIR);
	const char *rules = opts->rules_dir ? opts->rules_dir : ga_ctx_get(ctx, GA_SETTING_RULES_DIR);
	const char *real = NULL;

	if (!strcmp(root, "/sys"))
		return 0;
	if (!state || !strcmp(state, GA_STATEDIR))
		real = state ? state : GA_STATEDIR;
	else if (!rules || !strcmp(rules, GA_UDEV_RULES_DIR_DEFAULT))
		real = rules ? rules : GA_UDEV_RULES_DIR_DEFAULT;
	if (!real)
		return 0;
	return ga_report(ctx, -EINVAL,
			 "refusing to use the host's '%s' with the sysfs root '%s': give the test its own state and rules directories (--state-dir DIR --rules-dir DIR, or state-dir and rules-dir in the test overrides file)",
			 real, root);
}

static int lock_and_replay(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_lock *lock,
			   struct ga_bind_summary *sum)
{
	int timeout = opts->lock_timeout_ms ? opts->lock_timeout_ms : GA_LOCK_TIMEOUT_MS_DEFAULT;
	int r;

	r = check_fixture_dirs(ctx, opts);
	if (r < 0)
		return r;
	r = ga_lock_take(ctx, opts->state_dir, timeout < 0 ? 0 : timeout, lock);
	if (r < 0)
		return r;
	r = replay_journal(ctx, lock, &sum->repaired);
	if (r < 0) {
		ga_lock_release(lock);
		return r;
	}
	remove_stale_temps(ctx, lock, opts);
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
static int collect_group_peers(struct ga_ctx *ctx, struct worklist *wl, const struct ga_bind_opts *opts)
{
	size_t nexplicit = wl->n;

	for (size_t i = 0; i < nexplicit; i++) {
		_cleanup_free_ struct ga_pci_addr *members = NULL;
		char blocked[1024] = "";
		size_t n;
		int r;

		r = ga_pci_iommu_group_members(ctx, wl->v[i].group, &members, &n);
		if (r < 0)
			return r;
		for (size_t m = 0; m < n; m++) {
			struct ga_pci_dev dev;
			struct item *peer;

			if (worklist_find(wl, &members[m]))
				continue;
			r = ga_pci_dev_read(ctx, &members[m], &dev);
			if (r < 0)
				return r;
			if (ga_pci_dev_is_bridge(&dev) || ga_driver_is_vfio(dev.driver)) {
				ga_pci_dev_clear(&dev);
				continue;
			}
			/* another device on no driver keeps the group viable for VFIO: it stays as it is */
			if (!dev.driver && !same_slot(&members[m], &wl->v[i].addr)) {
				ga_info(ctx, "'%s': IOMMU group %d also holds '%s', on no driver: left as it is",
					wl->v[i].name, wl->v[i].group, dev.name);
				ga_pci_dev_clear(&dev);
				continue;
			}
			if (!same_slot(&members[m], &wl->v[i].addr)) {
				list_add(blocked, sizeof(blocked), dev.name, dev.driver ? dev.driver : "");
				ga_pci_dev_clear(&dev);
				continue;
			}
			ga_pci_dev_clear(&dev);
			/* Another function of the same device (audio, USB-C, ...) goes along. */
			peer = worklist_add(ctx, wl, &members[m]);
			if (!peer)
				return -ENOMEM;
			copy_name(peer->target, opts->driver ? opts->driver : GA_DRIVER_VFIO_PCI);
			peer->group = wl->v[i].group;
			r = item_read_state(ctx, peer);
			if (r < 0)
				return r;
		}
		if (*blocked)
			return ga_report(ctx, -GA_E_NOT_ASSIGNABLE,
					 "cannot bind '%s': its IOMMU group %d also holds %s, which would have to leave their drivers too (name them on the command line to bind them as well, or use a slot with its own IOMMU group)",
					 wl->v[i].name, wl->v[i].group, blocked);
	}
	return 0;
}

/* What a function of PCI base class `base` is, and what the host loses while it is on vfio. */
static void class_words(uint32_t class, const char **what, const char **loss)
{
	switch (class >> 16) {
	case 0x01:
		*what = "a storage controller";
		*loss = "the disks behind it";
		return;
	case 0x02:
		*what = "a network controller";
		*loss = "its network links";
		return;
	case 0x04:
		*what = "a multimedia controller";
		*loss = "its audio or video";
		return;
	case 0x0c:
		*what = "a serial bus controller (USB, ...)";
		*loss = "the devices attached to it";
		return;
	default:
		*what = "a device that is not a GPU";
		*loss = "whatever it does for the host";
		return;
	}
}

/*
 * A typo in an address must not take the host's NIC or disk controller:
 * bind takes a function that is not a GPU only when it shares the IOMMU
 * group of a GPU named in the same call (its peer goes along anyway), or
 * with force.
 */
static int check_is_gpu(struct ga_ctx *ctx, const struct worklist *wl, const struct item *it,
			const struct ga_bind_opts *opts)
{
	const char *what, *loss;

	if (!it->explicit_ || it->gpu || opts->force || ga_driver_is_vfio(it->cur))
		return 0;
	for (size_t i = 0; i < wl->n; i++)
		if (wl->v[i].explicit_ && wl->v[i].gpu && wl->v[i].group == it->group)
			return 0;
	class_words(it->class, &what, &loss);
	if (*it->cur)
		return ga_report(ctx, -GA_E_NOT_GPU,
				 "refusing to bind '%s': it is %s (class 0x%06x) on driver '%s', not a GPU, and the host would lose %s while it is on vfio (check the address; --force binds it anyway)",
				 it->name, what, it->class, it->cur, loss);
	return ga_report(ctx, -GA_E_NOT_GPU,
			 "refusing to bind '%s': it is %s (class 0x%06x, no driver now), not a GPU, and the host could not use it while it is on vfio (check the address; --force binds it anyway)",
			 it->name, what, it->class);
}

static int collect_bind(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n,
			const struct ga_bind_opts *opts, struct worklist *wl)
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
		struct ga_variant variant;
		struct ga_pci_dev dev;
		struct item *it;

		if (worklist_find(wl, &addrs[i]))
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
		model = ga_catalog_find(ctx, dev.vendor, dev.device);
		/* A coherent GPU goes to the Grace variant driver this kernel offers. */
		if (!opts->driver && model && model->coherent) {
			r = ga_variant_detect(ctx, &dev, NULL, &variant);
			if (r < 0) {
				ga_pci_dev_clear(&dev);
				return r;
			}
		}
		it = worklist_add(ctx, wl, &addrs[i]);
		if (!it) {
			ga_pci_dev_clear(&dev);
			return -ENOMEM;
		}
		it->explicit_ = true;
		it->group = dev.iommu_group;
		it->coherent = model && model->coherent;
		it->class = dev.class;
		it->gpu = model || (dev.class >> 16) == GA_PCI_CLASS_DISPLAY;
		copy_name(it->target, opts->driver                 ? opts->driver
				      : model && model->coherent ? variant.driver
				      : model                    ? model->driver
								 : GA_DRIVER_VFIO_PCI);
		ga_pci_dev_clear(&dev);
		r = item_read_state(ctx, it);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < wl->n; i++) {
		r = check_is_gpu(ctx, wl, &wl->v[i], opts);
		if (r < 0)
			return r;
	}
	return collect_group_peers(ctx, wl, opts);
}

/* The state of one bind or release call, from its journal to its commit. */
struct txn {
	struct ga_ctx *ctx;
	struct ga_lock *lock;
	const struct ga_bind_opts *opts;
	struct worklist *wl;
	struct ga_bind_summary *sum;
	struct ga_journal j;
	struct ga_bindings b;  /* the bindings file, updated as the call commits */
	struct ga_rules rules; /* --persistent: the udev rules the call leaves */
	const char *rules_dir;
	bool rules_dirty;
};

/* What bind and release each do to one function; run_transaction() does the rest. */
struct txn_ops {
	const char *name; /* the journal's op */
	/* Move one function (not a no-op) where the call wants it. */
	int (*change)(struct ga_ctx *ctx, const struct item *it);
	/* --persistent: the driver its udev rule names afterwards, NULL for no rule. */
	const char *(*rule_driver)(const struct item *it);
	/* Update its record in t->b. */
	int (*record)(struct txn *t, const struct item *it);
};

static void txn_clear(struct txn *t)
{
	ga_journal_clear(&t->j);
	ga_bindings_clear(&t->b);
	ga_rules_clear(&t->rules);
}

static int journal_entry_for(struct txn *t, const struct item *it)
{
	struct ga_journal_entry e = { .addr = it->addr };
	const struct ga_binding *rec = ga_bindings_find(&t->b, &it->addr);

	copy_name(e.driver, it->cur);
	copy_name(e.override, it->cur_override);
	if (rec) {
		e.had_binding = true;
		e.binding = *rec;
	}
	return ga_journal_add(t->ctx, &t->j, &e);
}

/* Rollback of a failed call: put back every function and file (reverse), keep the first error. */
static int rollback(struct txn *t)
{
	struct ga_error_saved first;
	int r;

	ga_error_save(t->ctx, &first);
	r = journal_rollback(t->ctx, t->lock, &t->j, NULL);
	if (r < 0) {
		char suffix[1200];

		snprintf(suffix, sizeof(suffix), "; rolling back also failed: %s", ga_last_error(t->ctx)->message);
		return ga_error_restore(t->ctx, &first, suffix);
	}
	return ga_error_restore(t->ctx, &first, NULL);
}

static long long now_epoch(void)
{
	return (long long)time(NULL);
}

/* --persistent: the rules the call leaves, and the file as it was in the journal. */
static int txn_rules(const struct txn_ops *ops, struct txn *t)
{
	_cleanup_free_ char *text = NULL;
	size_t before = t->sum->rules;
	int r;

	r = ga_rules_read_text(t->ctx, t->rules_dir, &text);
	if (r >= 0 && text)
		r = ga_rules_parse(t->ctx, text, &t->rules);
	for (size_t i = 0; r >= 0 && i < t->wl->n; i++)
		r = ga_rules_want(t->ctx, &t->rules, &t->wl->v[i].addr, ops->rule_driver(&t->wl->v[i]), &t->sum->rules);
	if (r < 0)
		return r;
	t->rules_dirty = t->sum->rules > before;
	return t->rules_dirty ? ga_journal_keep_file(t->ctx, &t->j.rules, t->rules_dir, text) : 0;
}

/* Read the state the call starts from and fill the journal; 0: nothing to do. */
static int txn_prepare(const struct txn_ops *ops, struct txn *t)
{
	_cleanup_free_ char *bindings = NULL;
	size_t nchange = 0;
	int r;

	t->j.pid = (long)getpid();
	t->j.started = now_epoch();
	snprintf(t->j.op, sizeof(t->j.op), "%s", ops->name);
	t->rules_dir = t->opts->rules_dir ? t->opts->rules_dir : ga_ctx_get(t->ctx, GA_SETTING_RULES_DIR);
	r = ga_file_read(t->ctx, t->lock->dirfd, t->lock->dir, GA_BINDINGS_FILE, &bindings);
	if (r >= 0 && bindings)
		r = ga_bindings_parse(t->ctx, bindings, &t->b);
	if (r >= 0)
		r = ga_journal_keep_file(t->ctx, &t->j.bindings, NULL, bindings);
	if (r >= 0 && t->opts->persistent)
		r = txn_rules(ops, t);
	for (size_t i = 0; r >= 0 && i < t->wl->n; i++) {
		if (t->wl->v[i].noop) {
			t->sum->unchanged++;
			continue;
		}
		r = journal_entry_for(t, &t->wl->v[i]);
		nchange++;
	}
	if (r < 0)
		return r;
	return nchange > 0 || t->rules_dirty;
}

/* Change every function, then the rules and bindings files; any failure rolls everything back. */
static int txn_apply(const struct txn_ops *ops, struct txn *t)
{
	int r = 0;

	for (size_t i = 0; i < t->wl->n; i++) {
		if (t->wl->v[i].noop)
			continue;
		r = ops->change(t->ctx, &t->wl->v[i]);
		if (r < 0)
			return rollback(t);
		t->sum->changed++;
	}
	if (t->rules_dirty)
		r = ga_rules_store(t->ctx, t->rules_dir, &t->rules);
	for (size_t i = 0; r >= 0 && i < t->wl->n; i++)
		r = ops->record(t, &t->wl->v[i]);
	if (r >= 0)
		r = ga_bindings_store(t->ctx, t->lock->dirfd, t->lock->dir, &t->b);
	if (r < 0) {
		t->sum->changed = 0;
		return rollback(t);
	}
	return 0;
}

/* The common tail of bind and release: journal, change, rules, bindings, commit. */
static int run_transaction(struct ga_ctx *ctx, struct ga_lock *lock, struct worklist *wl,
			   const struct ga_bind_opts *opts, const struct txn_ops *ops, struct ga_bind_summary *sum)
{
	struct txn t = { .ctx = ctx, .lock = lock, .opts = opts, .wl = wl, .sum = sum };
	int r;

	r = txn_prepare(ops, &t);
	if (r > 0) {
		/* The journal is on disk before the first change. */
		r = ga_journal_store(ctx, lock->dirfd, lock->dir, &t.j);
		if (r >= 0)
			r = txn_apply(ops, &t);
		if (r >= 0) {
			/* Committed: the bindings file says what we did; the journal is no longer needed. */
			r = ga_journal_remove(ctx, lock->dirfd, lock->dir);
			if (t.rules_dirty)
				ga_udev_reload(ctx, t.rules_dir);
		}
	}
	txn_clear(&t);
	return r;
}

static const char *bind_rule_driver(const struct item *it)
{
	return it->target;
}

static int bind_record(struct txn *t, const struct item *it)
{
	const struct ga_binding *old = ga_bindings_find(&t->b, &it->addr);
	struct ga_binding rec = { .addr = it->addr, .since = t->j.started };

	if (it->noop)
		return 0;
	copy_name(rec.driver, it->target);
	if (old) {
		/* Rebound from one vfio driver to another: keep where it first came from, and for whom. */
		copy_name(rec.orig_driver, old->orig_driver);
		copy_name(rec.orig_override, old->orig_override);
		snprintf(rec.owner, sizeof(rec.owner), "%s", old->owner);
	} else {
		copy_name(rec.orig_driver, it->cur);
		copy_name(rec.orig_override, it->cur_override);
	}
	if (t->opts->owner)
		snprintf(rec.owner, sizeof(rec.owner), "%s", t->opts->owner);
	return ga_bindings_put(t->ctx, &t->b, &rec);
}

static const struct txn_ops bind_ops = {
	.name = "bind",
	.change = bind_one,
	.rule_driver = bind_rule_driver,
	.record = bind_record,
};

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
	struct worklist wl = { 0 };
	bool grace_checked = false;
	int r;

	memset(sum, 0, sizeof(*sum));
	if (n == 0)
		return ga_report(ctx, -EINVAL, "nothing to bind: give one or more PCI addresses");
	if (opts->owner && (!*opts->owner || strlen(opts->owner) >= GA_OWNER_MAX))
		return ga_report(ctx, -EINVAL, "cannot record owner '%.60s': it must be 1 to %d bytes long", opts->owner,
				 GA_OWNER_MAX - 1);
	r = lock_and_replay(ctx, opts, &lock, sum);
	if (r < 0)
		return r;
	r = collect_bind(ctx, addrs, n, opts, &wl);
	for (size_t i = 0; r >= 0 && i < wl.n; i++) {
		struct item *it = &wl.v[i];

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
		r = run_transaction(ctx, &lock, &wl, opts, &bind_ops, sum);
	worklist_clear(&wl);
	ga_lock_release(&lock);
	return r;
}

static int release_one(struct ga_ctx *ctx, const struct item *it)
{
	ga_info(ctx, "releasing '%s' from '%s' back to '%s'", it->name, *it->cur ? it->cur : "no driver",
		it->any_driver ? "the kernel's choice" : *it->target ? it->target : "no driver");
	return restore_one(ctx, it->name, it->target, it->target_override, it->any_driver);
}

static const char *release_rule_driver(const struct item *it)
{
	(void)it;
	return NULL;
}

static int release_record(struct txn *t, const struct item *it)
{
	if (!it->noop)
		ga_bindings_del(&t->b, &it->addr);
	return 0;
}

static const struct txn_ops release_ops = {
	.name = "release",
	.change = release_one,
	.rule_driver = release_rule_driver,
	.record = release_record,
};

/* One function to release; also pulls in recorded peers of its IOMMU group. */
static int collect_release_one(struct ga_ctx *ctx, struct worklist *wl, const struct ga_pci_addr *addr,
			       const struct ga_bindings *b, const struct ga_rules *rules, bool peer)
{
	const struct ga_binding *rec = ga_bindings_find(b, addr);
	struct ga_pci_dev dev;
	struct item *it;
	int r;

	if (worklist_find(wl, addr))
		return 0;
	r = ga_pci_dev_read(ctx, addr, &dev);
	if (r < 0)
		return r;
	it = worklist_add(ctx, wl, addr);
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
				r = collect_release_one(ctx, wl, &members[m], b, rules, true);
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

/*
 * The rules file as release and status see it. A line it cannot parse (a
 * foreign rule) must not keep a GPU on vfio at VM stop: without --persistent
 * the rules only tell which devices a rule bound at boot, so release warns
 * and goes on without them (status too: going_on says how); with
 * --persistent it would have to rewrite the file, so it refuses before
 * anything changes.
 */
static int load_rules_tolerant(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_rules *rules,
			       const char *going_on)
{
	int r = ga_rules_load(ctx, opts->rules_dir, rules);

	if (r != -GA_E_PARSE)
		return r;
	if (opts->persistent) {
		struct ga_error_saved e;

		ga_error_save(ctx, &e);
		return ga_report(ctx, e.code, "release --persistent changed nothing: %s", e.message);
	}
	ga_warn(ctx, "%s; %s", ga_last_error(ctx)->message, going_on);
	ga_clear_error(ctx);
	return 0;
}

/* A tidying step after the commit failed: say so, keep the operation's result. */
static void tidy_warn(struct ga_ctx *ctx, int r)
{
	if (r >= 0)
		return;
	ga_warn(ctx, "%s", ga_last_error(ctx)->message);
	ga_clear_error(ctx);
}

int ga_bind_release(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n,
		    const struct ga_bind_opts *opts, struct ga_bind_summary *sum)
{
	struct ga_lock lock = { .fd = -1, .dirfd = -1 };
	struct ga_bindings b = { 0 };
	struct ga_rules rules = { 0 };
	struct worklist wl = { 0 };
	int r;

	memset(sum, 0, sizeof(*sum));
	if (n == 0 && !opts->all)
		return ga_report(ctx, -EINVAL, "nothing to release: give one or more PCI addresses or --all");
	r = lock_and_replay(ctx, opts, &lock, sum);
	if (r < 0)
		return r;
	r = ga_bindings_load(ctx, lock.dirfd, lock.dir, &b);
	if (r >= 0)
		r = load_rules_tolerant(ctx, opts, &rules, "releasing without the udev rules");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = collect_release_one(ctx, &wl, &addrs[i], &b, &rules, false);
	for (size_t i = 0; r >= 0 && opts->all && i < b.n; i++) {
		if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, ga_pci_addr_format(&b.v[i].addr, (char[GA_PCI_ADDR_STRLEN]){ 0 })))
			continue; /* gone since: handled below */
		r = collect_release_one(ctx, &wl, &b.v[i].addr, &b, &rules, false);
	}
	if (r >= 0 && opts->all && opts->persistent) {
		for (size_t i = 0; r >= 0 && i < rules.n; i++)
			if (!worklist_find(&wl, &rules.v[i].addr) &&
			    ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, ga_pci_addr_format(&rules.v[i].addr, (char[GA_PCI_ADDR_STRLEN]){ 0 })))
				r = collect_release_one(ctx, &wl, &rules.v[i].addr, &b, &rules, false);
	}
	/* A VM (any process) with the function's VFIO files open keeps it, unless forced. */
	for (size_t i = 0; r >= 0 && !opts->force && i < wl.n; i++)
		if (!wl.v[i].noop && ga_driver_is_vfio(wl.v[i].cur))
			r = ga_inuse_check_files(ctx, &wl.v[i].addr, wl.v[i].group);
	/* Modules of the drivers we go back to must be there before anything changes. */
	for (size_t i = 0; r >= 0 && i < wl.n; i++)
		if (!wl.v[i].noop && *wl.v[i].target)
			r = ga_kmod_ensure_driver(ctx, wl.v[i].target);
	if (r >= 0)
		r = run_transaction(ctx, &lock, &wl, opts, &release_ops, sum);
	/*
	 * Released and committed: what follows only tidies the state (a
	 * version-1 hook's owner file is stale now; records of devices gone),
	 * so a failure there is a warning, never the release's result.
	 */
	for (size_t i = 0; r >= 0 && i < wl.n; i++)
		tidy_warn(ctx, ga_legacy_owner_remove(ctx, lock.dirfd, lock.dir, &wl.v[i].addr));
	if (r >= 0 && opts->all)
		tidy_warn(ctx, forget_absent(ctx, &lock));
	ga_bindings_clear(&b);
	ga_rules_clear(&rules);
	worklist_clear(&wl);
	ga_lock_release(&lock);
	return r;
}

int ga_bind_owner(struct ga_ctx *ctx, const struct ga_bind_opts *opts, const struct ga_pci_addr *addr,
		  char owner[GA_OWNER_MAX])
{
	struct ga_lock state = { .fd = -1, .dirfd = -1 };
	struct ga_bindings b = { 0 };
	const struct ga_binding *rec;
	int r;

	owner[0] = '\0';
	r = ga_state_open(ctx, opts->state_dir, &state);
	if (r >= 0)
		r = ga_bindings_load(ctx, state.dirfd, state.dir, &b);
	rec = r >= 0 ? ga_bindings_find(&b, addr) : NULL;
	if (rec && *rec->owner)
		snprintf(owner, GA_OWNER_MAX, "%s", rec->owner);
	else if (r >= 0)
		r = ga_legacy_owner_read(ctx, state.dirfd, state.dir, addr, owner);
	ga_bindings_clear(&b);
	ga_lock_release(&state);
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
		r = load_rules_tolerant(ctx, &(struct ga_bind_opts){ .rules_dir = opts->rules_dir }, &rules,
					"status shows no persistent rules");
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

int ga_bind_release_all_addrs(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_pci_addr **out,
			      size_t *n)
{
	struct ga_bind_status st;
	int r;

	*out = NULL;
	*n = 0;
	r = ga_bind_status_read(ctx, opts, &st);
	if (r < 0)
		return r;
	if (st.n) {
		*out = calloc(st.n, sizeof(**out));
		if (!*out) {
			ga_bind_status_clear(&st);
			return ga_report(ctx, -ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; i < st.n; i++)
		if (st.v[i].recorded || (opts->persistent && st.v[i].persistent[0]))
			(*out)[(*n)++] = st.v[i].addr;
	ga_bind_status_clear(&st);
	return 0;
}
