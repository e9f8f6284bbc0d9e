/*
 * gpu-assign-hook-check: the part of the libvirt hook that links the
 * library. The front end (gpu-assign-hook.c) runs it only for "prepare
 * begin" and "release end" of a domain whose XML has a <hostdev>, with the
 * XML on stdin and the hook's own arguments. It can also be run by hand the
 * same way. No libvirt connection (calling back into libvirt from a hook can
 * deadlock the daemon); no libudev enumeration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ga-config.h"
#include "ga-domcheck.h"
#include "ga-util.h"
#include "hook.h"

int main(int argc, char **argv)
{
	struct hook_opts o = {
		.config_path = getenv("GA_HOOK_CONFIG"),
		.trace_path = getenv("GA_HOOK_LOG"),
		.standin = getenv("GA_HOOK_TEST_STANDIN"),
		.err = stderr,
		.syslog = true,
	};
	_cleanup_free_ char *xml = NULL;
	bool too_big, hostdev_seen;
	size_t len;

	if (argc < 4) {
		fprintf(stderr, "gpu-assign-hook: libvirt calls this as 'gpu-assign DOMAIN OPERATION SUB-OPERATION EXTRA' with the domain XML on stdin (see gpu-assign-hook(8))\n");
		return HOOK_EXIT_USAGE;
	}
	if (!o.config_path || !*o.config_path)
		o.config_path = GA_CONFIG_PATH;
	if (o.trace_path && !*o.trace_path)
		o.trace_path = NULL;

	/* The fast path: nothing to do for this operation, do not even read stdin. */
	if (hook_op_classify(argv[2], argv[3]) == HOOK_OP_OTHER) {
		hook_trace(&o, argv[1], argv[2], argv[3], "not an operation we act on");
		return HOOK_EXIT_OK;
	}
	if (hook_read_stdin(&xml, &len, &too_big, &hostdev_seen) < 0) {
		fprintf(stderr, "gpu-assign-hook: domain '%s': out of memory reading the domain XML\n", argv[1]);
		return HOOK_EXIT_REFUSE;
	}
	if (too_big) {
		hook_trace(&o, argv[1], argv[2], argv[3], "domain XML larger than %u bytes%s: not checked",
			   GA_DOMAIN_MAX_XML, hostdev_seen ? " (it has a <hostdev>)" : "");
		return HOOK_EXIT_OK;
	}
	return hook_handle(&o, argv[1], argv[2], argv[3], xml, len);
}
