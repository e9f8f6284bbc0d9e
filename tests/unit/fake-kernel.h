/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small model of the kernel's PCI driver core behind ga-sysfs writes, for
 * bind tests on a fake sysfs tree (after libvirt's tests/virpcimock.c).
 * Only the kernel's reaction to these writes is simulated:
 *
 *   devices/X/driver_override   stores the name, or "(null)" for "\n"
 *   drivers/D/unbind  X         drops the driver links (-ENODEV if X is not on D)
 *   drivers_probe  X            binds an unbound X: to driver_override if set,
 *                               else to its native driver (the one it had when
 *                               the model started); nothing if that driver is
 *                               not registered (no bus/pci/drivers/D)
 *   drivers/D/bind  X           binds X to D if D matches (-EBUSY if bound)
 *   devices/X/remove            the device disappears
 *
 * Faults: fail the Nth write, remove a device at the Nth write, _exit() at
 * the Nth write (a killed process), or a driver that refuses every device.
 */
#pragma once

#include <stdbool.h>

#include "ga-ctx.h"

#define FK_MAX_DEVS 64
/* Where the first model of a tree records the native drivers, for the models of later processes. */
#define FK_NATIVE_FILE ".fake-kernel-native"

struct fake_kernel {
	char *root;
	struct ga_ctx *ctx;
	size_t ndevs;
	char devs[FK_MAX_DEVS][16];
	char native[FK_MAX_DEVS][64];
	int writes;           /* writes seen so far */
	int fail_at;          /* 1-based; 0: never */
	int fail_errno;
	int remove_at;        /* remove remove_dev when write number remove_at arrives */
	char remove_dev[16];
	int exit_at;          /* _exit(77) when write number exit_at arrives */
	char refuse[64];      /* a driver that fails every probe */
};

/* Record the tree's devices and their drivers, and hook into ctx's sysfs. */
void fk_init(struct fake_kernel *fk, const char *root, struct ga_ctx *ctx);
void fk_free(struct fake_kernel *fk);

/* "ADDRESS DRIVER OVERRIDE\n" for every present device, sorted: the host as seen. */
char *fk_snapshot(struct fake_kernel *fk);

/*
 * Which Grace variant drivers the fake kernel offers (fk_offer bits): a
 * modules.alias in modules_dir with a vfio_pci alias for GH200 0x2342 per
 * offered driver (in-tree first: on a tie libvirt takes the earlier line),
 * and each offered driver registered in root's bus/pci/drivers (as if
 * loaded), each other one unregistered. Call before fk_init.
 */
enum fk_offer { FK_OFFER_NONE = 0, FK_OFFER_INTREE = 1, FK_OFFER_COMPANION = 2, FK_OFFER_BOTH = 3 };
void fk_offer_variants(const char *root, const char *modules_dir, unsigned offer);
