/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transactional bind and release of PCI functions to vfio drivers.
 *
 * Mechanism: driver_override + unbind + drivers_probe through ga-sysfs (never
 * new_id, which is global and fails when repeated). Every call:
 *   1. takes the host-wide lock (ga-lock) and finishes rolling back any
 *      operation a killed process left in the journal (ga-journal);
 *   2. collects its worklist: the requested functions plus the other
 *      non-bridge functions of the same slot in their IOMMU group; any other
 *      function of the group that is not on a vfio driver makes it refuse,
 *      listing them;
 *   3. checks (driver modules loaded with libkmod; a Grace GPU leaving its
 *      NVIDIA driver must be idle with its memory offline, see ga-grace);
 *   4. writes the journal (previous driver and driver_override of every
 *      function it will touch, previous content of the bindings file and,
 *      with persistent, of the udev rules file), then changes drivers one
 *      function at a time; any failure puts every touched function and file
 *      back, in reverse order;
 *   5. commits: bindings file (and udev rule with persistent), then removes
 *      the journal.
 * Functions already on the requested driver are left alone.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ga-ctx.h"
#include "ga-journal.h"
#include "ga-pci.h"

#define GA_LOCK_TIMEOUT_MS_DEFAULT 60000

struct ga_bind_opts {
	const char *driver;    /* NULL: for a coherent Grace GPU the variant driver this kernel offers
				* (ga_variant_detect), else the catalogue's driver, else vfio-pci */
	const char *state_dir; /* NULL: the context's (GA_SETTING_STATE_DIR) */
	const char *rules_dir; /* NULL: the context's (GA_SETTING_RULES_DIR) */
	bool persistent;       /* also add (bind) / remove (release) the udev rule */
	bool all;              /* release: every function in the bindings file */
	bool force;            /* bind: also a function that is not a GPU (else only a GPU's IOMMU-group peers);
	                          release: even one whose VFIO group or device file a process holds open */
	int wait_sec;          /* Grace GPU: how long to wait for its memory to go offline */
	int lock_timeout_ms;   /* 0: GA_LOCK_TIMEOUT_MS_DEFAULT, <0: fail at once if busy */
	const char *owner;     /* bind: record whom the functions are bound for (the hook: the domain's name) */
};

struct ga_bind_summary {
	size_t changed;   /* functions whose driver changed */
	size_t unchanged; /* already as asked */
	size_t repaired;  /* functions put back from an interrupted operation's journal */
	size_t rules;     /* udev rule lines added or removed */
};

int ga_bind_apply(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n, const struct ga_bind_opts *opts,
		  struct ga_bind_summary *sum);
int ga_bind_release(struct ga_ctx *ctx, const struct ga_pci_addr *addrs, size_t n,
		    const struct ga_bind_opts *opts, struct ga_bind_summary *sum);
/*
 * Whom addr was bound for: the owner of its bindings record, else what a
 * version-1 hook recorded for it; "" when neither names one. Takes no lock.
 */
int ga_bind_owner(struct ga_ctx *ctx, const struct ga_bind_opts *opts, const struct ga_pci_addr *addr,
		  char owner[GA_OWNER_MAX]);
/* Finish rolling back an interrupted operation, if any (sum->repaired): functions, bindings and rules file. */
int ga_bind_repair(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_bind_summary *sum);

struct ga_status_entry {
	struct ga_pci_addr addr;
	bool recorded;                  /* bound by gpu-assign (bindings file) */
	struct ga_binding binding;
	bool present;                   /* the function exists now */
	char current[GA_DRIVER_NAME_MAX]; /* its driver now, "" none */
	char persistent[GA_DRIVER_NAME_MAX]; /* udev rule's driver, "" none */
};

struct ga_bind_status {
	struct ga_status_entry *v; /* sorted by address */
	size_t n;
	bool interrupted;          /* a journal is waiting for repair */
	struct ga_journal journal;
};

/* What we bound and persisted, with each function's driver now. Takes no lock. */
int ga_bind_status_read(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_bind_status *out);
void ga_bind_status_clear(struct ga_bind_status *st);
/*
 * The functions ga_bind_release() with opts->all takes: those of the
 * bindings file and, with opts->persistent, those of the udev rules too.
 * *out is malloc'd (NULL when none). Takes no lock: for questions asked
 * before the release (a running domain that holds one).
 */
int ga_bind_release_all_addrs(struct ga_ctx *ctx, const struct ga_bind_opts *opts, struct ga_pci_addr **out,
			      size_t *n);
