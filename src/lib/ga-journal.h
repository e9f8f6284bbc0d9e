/*
 * What gpu-assign remembers in its state directory (see gpu-assign(1), FILES):
 *
 *   bindings  one line per device we bound: where it came from, when.
 *             Release puts the device back on the driver recorded here.
 *   journal   exists only while an operation changes drivers: the state of
 *             every device it is about to touch, written before the first
 *             change. Finding it means an operation died mid-way; the next
 *             operation (or `repair`) puts every listed device back.
 *
 * Both are text, one record per line, replaced atomically. Every value read
 * back is validated (addresses, driver names) before it can reach a path.
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

/* A driver name as the kernel spells them: [A-Za-z0-9_.-], 1..63 chars, not "."/"..". */
bool ga_driver_name_valid(const char *name);

struct ga_binding {
	struct ga_pci_addr addr;
	char driver[GA_DRIVER_NAME_MAX];        /* what we bound it to */
	char orig_driver[GA_DRIVER_NAME_MAX];   /* what it had before, "" none */
	char orig_override[GA_DRIVER_NAME_MAX]; /* its driver_override before, "" none */
	long long since;                        /* seconds since the epoch */
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

struct ga_journal {
	long pid;            /* who wrote it */
	char op[16];         /* "bind", "release" */
	long long started;
	struct ga_journal_entry *v;
	size_t n;
};

void ga_journal_clear(struct ga_journal *j);
int ga_journal_add(struct ga_ctx *ctx, struct ga_journal *j, const struct ga_journal_entry *e);
int ga_journal_parse(struct ga_ctx *ctx, const char *text, struct ga_journal *out);
char *ga_journal_format(const struct ga_journal *j);
/* *exists tells whether a journal was found (an interrupted operation). */
int ga_journal_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_journal *out, bool *exists);
int ga_journal_store(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_journal *j);
int ga_journal_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath);
