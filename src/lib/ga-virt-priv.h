/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's one way into libvirt, for ga-virt and ga-nodedev: a quiet
 * library (libvirt prints its errors on stderr unless told otherwise; we
 * report them ourselves), a connection, and libvirt's last error message.
 */
#pragma once

#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "ga-ctx.h"

/* Keep libvirt from printing errors; every entry point calls it first. */
void ga_virt_quiet(void);

/* libvirt's last error message, or "unknown libvirt error". */
const char *ga_virt_error(void);

/*
 * Open uri (NULL: libvirt's default) read-write, or, when read_only_ok, read-
 * only if read-write is refused (logged). Fails with -ECONNREFUSED:
 * "cannot connect to libvirt at '<uri>': <libvirt's reason> (<hint>)".
 */
int ga_virt_open(struct ga_ctx *ctx, const char *uri, bool read_only_ok, const char *hint, virConnectPtr *out);

static inline void ga_virt_closep(virConnectPtr *c)
{
	if (*c)
		virConnectClose(*c);
}
