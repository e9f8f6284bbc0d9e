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
	size_t len;
	int r;

	if (!o.config_path || !*o.config_path)
		o.config_path = GA_CONFIG_PATH;
	if (o.trace_path && !*o.trace_path)
		o.trace_path = NULL;
	r = hook_start(&o, argc, argv, &xml, &len);
	if (r >= 0)
		return r;
	return hook_handle(&o, argv[1], argv[2], argv[3], xml, len);
}
