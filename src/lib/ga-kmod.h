/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Make sure a PCI driver is registered before we ask the kernel to bind a
 * device to it: if /sys/bus/pci/drivers/NAME is missing, resolve NAME to a
 * module with libkmod (aliases and module names, as modprobe does; dashes and
 * underscores are the same) and insert it with its dependencies.
 */
#pragma once

#include "ga-ctx.h"

/*
 * 0 when the driver is (now) registered. -ENOENT with "no kernel module
 * provides driver 'NAME'" when nothing resolves, or the insert error.
 * The modules directory is libkmod's default (/lib/modules/`uname -r`)
 * unless the context's GA_SETTING_MODULES_DIR names another (tests).
 */
int ga_kmod_ensure_driver(struct ga_ctx *ctx, const char *driver);
