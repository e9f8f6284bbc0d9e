/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

#include <stdbool.h>
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

/* Missing file or directory: no rules. dir NULL: ga_rules_dir_default(). */
int ga_rules_load(struct ga_ctx *ctx, const char *dir, struct ga_rules *out);
/* The file's exact text; *text NULL when there is no file. */
int ga_rules_read_text(struct ga_ctx *ctx, const char *dir, char **text);
/*
 * Put the file back to text (NULL: no file) unless it already is; *written
 * tells whether it changed. Rollback and repair, from the journal.
 */
int ga_rules_restore_text(struct ga_ctx *ctx, const char *dir, const char *text, bool *written);
/* Write (or, when empty, remove) the file. */
int ga_rules_store(struct ga_ctx *ctx, const char *dir, const struct ga_rules *rules);

/* Edit in memory: set addr's driver, or with driver NULL remove addr. */
int ga_rules_set(struct ga_ctx *ctx, struct ga_rules *rules, const struct ga_pci_addr *addr, const char *driver);
/*
 * The diff of a bind or release --persistent: make addr's rule name driver
 * (NULL: no rule), counting in *changed the lines that this adds, changes or
 * removes.
 */
int ga_rules_want(struct ga_ctx *ctx, struct ga_rules *rules, const struct ga_pci_addr *addr, const char *driver,
		  size_t *changed);

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
