/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What gpu-assign remembers in its state directory (see gpu-assign(1), FILES):
 *
 *   bindings  one line per device we bound: where it came from, when, and
 *             for whom (the hook records the domain it bound a GPU for).
 *             Release puts the device back on the driver recorded here.
 *   journal   exists only while an operation changes drivers: the state of
 *             every device it is about to touch and the previous content of
 *             every file it is about to change (bindings, udev rules),
 *             written before the first change. Finding it means an operation
 *             died mid-way; the next operation (or `repair`) puts every
 *             listed device and file back.
 *
 * Both are text, one record per line, replaced atomically, starting with a
 * line "version 2". A file without it was written by the previous release
 * (version 1: no owners, no file records) and is still read: /run outlives
 * a package upgrade. So are that release's hook-ADDRESS files, which named
 * the domain the hook bound a GPU for. Every value read back is validated
 * (addresses, driver names, directories) before it can reach a path.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ga-ctx.h"
#include "ga-pci.h"

#define GA_DRIVER_NAME_MAX 64
#define GA_BINDINGS_FILE "bindings"
#define GA_JOURNAL_FILE "journal"
/* The state format this code writes; it reads this one and version 1. */
#define GA_STATE_VERSION 2
/* Longest owner (a domain name) a binding records, with its NUL. */
#define GA_OWNER_MAX 256
/* Version 1 kept the hook's owner in <state dir>/hook-ADDRESS. */
#define GA_LEGACY_OWNER_PREFIX "hook-"

/* A driver name as the kernel spells them: [A-Za-z0-9_.-], 1..63 chars, not "."/"..". */
bool ga_driver_name_valid(const char *name);

struct ga_binding {
	struct ga_pci_addr addr;
	char driver[GA_DRIVER_NAME_MAX];        /* what we bound it to */
	char orig_driver[GA_DRIVER_NAME_MAX];   /* what it had before, "" none */
	char orig_override[GA_DRIVER_NAME_MAX]; /* its driver_override before, "" none */
	long long since;                        /* seconds since the epoch */
	char owner[GA_OWNER_MAX];               /* bound for (the hook: a domain name), "" none */
};

struct ga_bindings {
	struct ga_binding *v;
	size_t n;
};

void ga_bindings_clear(struct ga_bindings *b);
struct ga_binding *ga_bindings_find(const struct ga_bindings *b, const struct ga_pci_addr *addr);
/* Insert or replace the record for b->addr. */
int ga_bindings_put(struct ga_ctx *ctx, struct ga_bindings *b, const struct ga_binding *rec);
void ga_bindings_del(struct ga_bindings *b, const struct ga_pci_addr *addr);

int ga_bindings_parse(struct ga_ctx *ctx, const char *text, struct ga_bindings *out);
char *ga_bindings_format(const struct ga_bindings *b);
/* Missing file: empty. */
int ga_bindings_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_bindings *out);
/* Atomic; an empty set removes the file. */
int ga_bindings_store(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_bindings *b);

struct ga_journal_entry {
	struct ga_pci_addr addr;
	char driver[GA_DRIVER_NAME_MAX];   /* driver before the operation, "" none */
	char override[GA_DRIVER_NAME_MAX]; /* driver_override before, "" none */
	bool had_binding;                  /* a bindings record existed before */
	struct ga_binding binding;         /* ... and this was it */
};

/* A file the operation changes, as it was before: a rollback writes it back. */
struct ga_journal_file {
	bool recorded; /* the journal holds its previous state (version 2) */
	bool existed;  /* ... and there was a file */
	char *content; /* its content then (existed) */
	char *dir;     /* its directory; NULL for the bindings (beside the journal) */
};

struct ga_journal {
	unsigned version;    /* of the file read: 1 or 2 */
	long pid;            /* who wrote it */
	char op[16];         /* "bind", "release" */
	long long started;
	struct ga_journal_entry *v;
	size_t n;
	struct ga_journal_file bindings; /* bindings file before the operation */
	struct ga_journal_file rules;    /* udev rules file, when the operation changes it */
};

void ga_journal_clear(struct ga_journal *j);
/* Record a file's previous state; content NULL: there was none. dir NULL: the bindings. */
int ga_journal_keep_file(struct ga_ctx *ctx, struct ga_journal_file *f, const char *dir, const char *content);
int ga_journal_add(struct ga_ctx *ctx, struct ga_journal *j, const struct ga_journal_entry *e);
int ga_journal_parse(struct ga_ctx *ctx, const char *text, struct ga_journal *out);
char *ga_journal_format(const struct ga_journal *j);
/* *exists tells whether a journal was found (an interrupted operation). */
int ga_journal_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_journal *out, bool *exists);
int ga_journal_store(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_journal *j);
int ga_journal_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath);

/*
 * The owner a version-1 hook recorded in <dirpath>/hook-ADDRESS ("" when
 * there is no such file), and removing that file once the device is released.
 */
int ga_legacy_owner_read(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_pci_addr *addr,
			 char owner[GA_OWNER_MAX]);
int ga_legacy_owner_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_pci_addr *addr);

/*
 * Remove the ".<name>.tmp.<pid>" files that ga_file_write_atomic() leaves
 * when its process is killed between creating and renaming one, for pids
 * that no longer run. Never an error (a file that stays is harmless: no
 * reader looks at it); returns how many it removed.
 */
int ga_journal_remove_stale_temps(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name);
