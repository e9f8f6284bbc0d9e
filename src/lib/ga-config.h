/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The configuration file, /etc/gpu-assign/gpu-assign.conf: an XML document
 * validated against xml-schemas/gpu-assign-conf.rng (compiled into the
 * library) every time it is loaded. See gpu-assign.conf(5).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ga-ctx.h"
#include "ga-pci.h"

/* Refuse larger files outright: a configuration is a few hundred bytes. */
#define GA_CONFIG_MAX_SIZE (1024 * 1024)

enum ga_hook_policy {
	GA_HOOK_ENFORCE, /* refuse to start a domain whose GPU lacks what it needs */
	GA_HOOK_WARN,    /* log the problem, let it start */
	GA_HOOK_OFF,     /* the hook does nothing for GPU domains */
	GA_HOOK_POLICY_LAST
};

enum ga_release_policy {
	GA_RELEASE_RESTORE, /* give a GPU the hook bound back to its previous driver */
	GA_RELEASE_KEEP,    /* leave it on the VFIO driver, ready for the next start */
	GA_RELEASE_POLICY_LAST
};

struct ga_config {
	char *path;                  /* file it came from; NULL: built-in defaults */
	enum ga_hook_policy policy;  /* default enforce */
	bool bind;                   /* hook binds managed='no' GPUs; default yes */
	enum ga_release_policy release; /* default restore */
	unsigned gi_nodes;           /* GI nodes per GPU; 0 (default): the GPU's own */
	bool has_reserved;           /* a <reserved> list was given */
	struct ga_pci_addr *reserved;
	size_t nreserved;
	bool syslog;                 /* default yes */
	char *log_file;              /* NULL: none */
};

const char *ga_hook_policy_to_string(enum ga_hook_policy policy);
int ga_hook_policy_from_string(const char *str); /* -1 if unknown */
const char *ga_release_policy_to_string(enum ga_release_policy policy);
int ga_release_policy_from_string(const char *str); /* -1 if unknown */

/* The built-in defaults (what a missing file means). */
int ga_config_new_default(struct ga_ctx *ctx, struct ga_config **out);

/*
 * Parse and validate a configuration held in memory; name is used in error
 * messages ("<name>:<line>: ..."). Reports -GA_E_PARSE with the line of the
 * first problem.
 */
int ga_config_parse(struct ga_ctx *ctx, const char *buf, size_t len, const char *name,
		    struct ga_config **out);

/*
 * Load a file. With missing_ok, a file that does not exist gives the
 * defaults; any other failure (unreadable, invalid) is reported.
 */
int ga_config_load(struct ga_ctx *ctx, const char *path, bool missing_ok, struct ga_config **out);

void ga_config_free(struct ga_config *cfg);

static inline void ga_config_freep(struct ga_config **cfg)
{
	ga_config_free(*cfg);
}
#define _cleanup_config_ _cleanup_(ga_config_freep)

/* Whether the configuration allows this GPU to be given to VMs. */
bool ga_config_gpu_reserved(const struct ga_config *cfg, const struct ga_pci_addr *addr);

/* The schema text compiled into the library (generated from the .rng). */
extern const char ga_config_schema_rng[];
