// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "ga-ctx.h"
#include "ga-journal.h"
#include "ga-kmod-priv.h"
#include "ga-kmod.h"
#include "ga-sysfs.h"

/* libkmod logs to stderr by default; the library never prints, so forward at debug level. */
static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args) GA_PRINTF(6, 0);
static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args)
{
	struct ga_ctx *ctx = data;
	char msg[512];
	size_t len;

	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	vsnprintf(msg, sizeof(msg), format, args);
	len = strlen(msg);
	if (len && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	ga_dbg(ctx, "libkmod: %s", msg);
}

struct kmod_ctx *ga_kmod_new(struct ga_ctx *ctx)
{
	const char *dir = ga_ctx_get(ctx, GA_SETTING_MODULES_DIR);
	struct kmod_ctx *kmod = kmod_new(dir && *dir ? dir : NULL, NULL);

	if (kmod) {
		kmod_set_log_fn(kmod, kmod_log, ctx);
		kmod_set_log_priority(kmod, LOG_DEBUG);
	}
	return kmod;
}

static void kmod_list_unrefp(struct kmod_list **l)
{
	if (*l)
		kmod_module_unref_list(*l);
}

int ga_kmod_ensure_driver(struct ga_ctx *ctx, const char *driver)
{
	_cleanup_(ga_kmod_unrefp) struct kmod_ctx *kmod = NULL;
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *l;
	int r, loaded = 0;

	if (!ga_driver_name_valid(driver))
		return ga_report(ctx, -EINVAL, "invalid driver name '%s': expected letters, digits, '_', '-' or '.'",
				 driver);
	if (ga_sysfs_exists(ctx, GA_SYSFS_PCI_DRIVER, driver))
		return 0;

	kmod = ga_kmod_new(ctx);
	if (!kmod)
		return ga_report(ctx, -ENOMEM, "cannot load driver '%s': libkmod could not start", driver);
	r = kmod_module_new_from_lookup(kmod, driver, &list);
	if (r < 0 || !list)
		return ga_report(ctx, -ENOENT,
				 "cannot load driver '%s': no kernel module provides it (check the name with 'ls /sys/bus/pci/drivers' or install the module)",
				 driver);
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		ga_info(ctx, "loading module '%s' for driver '%s'", kmod_module_get_name(mod), driver);
		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL, NULL, NULL, NULL);
		if (r > 0) {
			kmod_module_unref(mod);
			return ga_report(ctx, -EPERM,
					 "cannot load driver '%s': its module is blacklisted in modprobe.d (remove the blacklist entry or load it by hand)",
					 driver);
		}
		if (r < 0) {
			int code = ga_report(ctx, r,
					     "cannot load module '%s' for driver '%s': %s (see dmesg; run as root)",
					     kmod_module_get_name(mod), driver, strerror(-r));
			kmod_module_unref(mod);
			return code;
		}
		kmod_module_unref(mod);
		loaded++;
	}
	if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DRIVER, driver))
		return ga_report(ctx, -ENOENT,
				 "driver '%s' is not registered after loading %d module(s) for it (the module may name its driver differently: see 'ls /sys/bus/pci/drivers')",
				 driver, loaded);
	return 0;
}
