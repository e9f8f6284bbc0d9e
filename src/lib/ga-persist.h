/*
 * Persistent bindings, the way driverctl keeps them: one udev rules file,
 * one line per device, setting driver_override when the device appears, then
 * loading the driver's module and probing the device again, so the kernel
 * binds it to the vfio driver at boot instead of its native driver. Written
 * atomically.
 *
 *   <rules dir>/70-gpu-assign.rules   (before 80-drivers.rules loads drivers)
 *
 * The rules directory is the caller's, else the context's
 * (GA_SETTING_RULES_DIR: /etc/udev/rules.d unless a test moves it).
 */
#pragma once

#include <stddef.h>

#include "ga-ctx.h"
#include "ga-journal.h"
#include "ga-pci.h"

#define GA_UDEV_RULES_DIR_DEFAULT "/etc/udev/rules.d"
#define GA_UDEV_RULES_FILE "70-gpu-assign.rules"

struct ga_rule {
	struct ga_pci_addr addr;
	char driver[GA_DRIVER_NAME_MAX];
};

struct ga_rules {
	struct ga_rule *v;
	size_t n;
};

void ga_rules_clear(struct ga_rules *rules);
const struct ga_rule *ga_rules_find(const struct ga_rules *rules, const struct ga_pci_addr *addr);

/* The exact text of the file for these rules (sorted by address). */
char *ga_rules_format(const struct ga_rules *rules);
/* Only lines this code writes are accepted; anything else is an error. */
int ga_rules_parse(struct ga_ctx *ctx, const char *text, struct ga_rules *out);

/* Missing file or directory: no rules. */
int ga_rules_load(struct ga_ctx *ctx, const char *dir, struct ga_rules *out);
/* Write (or, when empty, remove) the file. */
int ga_rules_store(struct ga_ctx *ctx, const char *dir, const struct ga_rules *rules);

/* Edit in memory: set addr's driver, or with driver NULL remove addr. */
int ga_rules_set(struct ga_ctx *ctx, struct ga_rules *rules, const struct ga_pci_addr *addr, const char *driver);

/*
 * After the rules file in the default directory changed: when a udevd runs
 * (its control socket exists), ask it to reread its rules now with
 * `udevadm control --reload`, found at a fixed path (no $PATH lookup). udevd
 * notices changed files on its own only every few seconds, so a GPU
 * hot-added right after `bind --persistent` could miss the rule. Never an
 * error: without udevd, or with another rules directory, nothing is done; a
 * failed reload is a warning.
 */
void ga_udev_reload(struct ga_ctx *ctx, const char *dir);
