/*
 * The libvirt qemu hook's logic, apart from main() so that the unit tests
 * and the fuzzer can run it in-process. libvirt calls the hook as
 *   gpu-assign OBJECT OPERATION SUB-OPERATION EXTRA   (domain XML on stdin)
 * We act on "prepare begin" (check, then bind) and "release end" (release);
 * every other operation returns at once, before stdin is even read.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

struct hook_opts {
	const char *config_path;  /* gpu-assign.conf; a missing file means the defaults */
	const char *trace_path;   /* $GA_HOOK_LOG: one line per invocation, or NULL */
	const char *standin;      /* $GA_HOOK_TEST_STANDIN (tests only), or NULL */
	FILE *err;                /* where the one-line verdict goes (stderr) */
	bool syslog;              /* may log to syslog (false in tests and the fuzzer) */
};

enum hook_op hook_op_classify(const char *op, const char *subop);

/* Record one line in the trace file (no-op without one). */
void hook_trace(const struct hook_opts *o, const char *domain, const char *op, const char *subop,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Handle one invocation whose stdin has been read into xml/len. */
int hook_handle(const struct hook_opts *o, const char *domain, const char *op, const char *subop,
		const char *xml, size_t len);
