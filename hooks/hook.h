/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libvirt qemu hook's logic, apart from main() so that the unit tests
 * and the fuzzer can run it in-process. libvirt calls the hook as
 *   gpu-assign OBJECT OPERATION SUB-OPERATION EXTRA   (domain XML on stdin)
 * We act on "prepare begin" (check, then bind) and "release end" (release);
 * every other operation returns at once, before stdin is even read.
 *
 * Two programs: the installed hook (hooks/gpu-assign-hook.c) links nothing
 * but libc and answers on its own for every operation and domain it does
 * not act on; for a domain XML with a <hostdev> it hands the XML (in a
 * memfd on stdin) to gpu-assign-hook-check (hooks/hook-check.c), which
 * links the library and runs hook_handle().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum {
	HOOK_EXIT_OK = 0,     /* let libvirt go on */
	HOOK_EXIT_REFUSE = 1, /* refuse the start; one line on stderr says why and what to do */
	HOOK_EXIT_USAGE = 2,  /* not called the way libvirt calls hooks */
};

enum hook_op {
	HOOK_OP_OTHER,   /* anything we do not act on: exit 0 at once */
	HOOK_OP_PREPARE, /* "prepare begin" */
	HOOK_OP_RELEASE, /* "release end" */
};

struct ga_ctx;

struct hook_opts {
	struct ga_ctx *ctx;       /* the checker's settings (test overrides loaded); hook_handle reports into it */
	const char *config_path;  /* gpu-assign.conf; a missing file means the defaults */
	const char *trace_path;   /* test overrides' hook-log: one line per invocation, or NULL */
	const char *standin;      /* test overrides' hook-standin (tests only), or NULL */
	FILE *err;                /* where the one-line verdict goes (stderr) */
	bool syslog;              /* may log to syslog (false in tests and the fuzzer) */
};

static inline enum hook_op hook_op_classify(const char *op, const char *subop)
{
	if (!op || !subop)
		return HOOK_OP_OTHER;
	if (!strcmp(op, "prepare") && !strcmp(subop, "begin"))
		return HOOK_OP_PREPARE;
	if (!strcmp(op, "release") && !strcmp(subop, "end"))
		return HOOK_OP_RELEASE;
	return HOOK_OP_OTHER;
}

/*
 * Read all of stdin into *out (NUL-terminated). Beyond GA_DOMAIN_MAX_XML
 * it keeps draining but sets *too_big and only says whether a <hostdev>
 * went by.
 */
int hook_read_stdin(char **out, size_t *len, bool *too_big, bool *hostdev_seen);

/*
 * The start both hook programs share: check the arguments, let every
 * operation the hook does not act on through without reading stdin, read the
 * domain XML, let an oversized one through. Returns the exit status when the
 * program is done, or -1 with the XML in *xml and its length in *len
 * (free it) to go on.
 */
int hook_start(const struct hook_opts *o, int argc, char **argv, char **xml, size_t *len);

/* Append one line "<time> gpu-assign-hook[pid]: domain 'D' OP SUB: msg" to path (hooks/trace.c). */
void hook_log_line(const char *path, const char *domain, const char *op, const char *subop, const char *msg);

/* Print "gpu-assign-hook: <message>\n" to err, control characters escaped (the one writer of the verdict line). */
void hook_say(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record one line in the trace file (no-op without one). */
void hook_trace(const struct hook_opts *o, const char *domain, const char *op, const char *subop,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Handle one invocation whose stdin has been read into xml/len. */
int hook_handle(const struct hook_opts *o, const char *domain, const char *op, const char *subop,
		const char *xml, size_t len);
