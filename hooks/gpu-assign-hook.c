/*
 * gpu-assign-hook: libvirt qemu hook for Grace GPUs, installed as
 * $(libvirthooksdir)/gpu-assign. See gpu-assign-hook(8).
 *
 * Everything that is not "prepare begin" or "release end" returns before
 * stdin is read; a domain whose XML has no <hostdev> returns before anything
 * is parsed or a library context exists. No libudev, no libvirt connection
 * (calling back into libvirt from a hook can deadlock the daemon), no lock.
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

/*
 * Read all of stdin. Beyond GA_DOMAIN_MAX_XML we keep draining (libvirt is
 * writing to us) but only remember whether a <hostdev> went by.
 */
static int read_stdin(char **out, size_t *len, bool *too_big, bool *hostdev_seen)
{
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap + 1);

	*too_big = false;
	*hostdev_seen = false;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (used == cap) {
			if (cap >= GA_DOMAIN_MAX_XML) {
				/* keep the last few bytes so a "<hostdev" split across reads is seen */
				*too_big = true;
				*hostdev_seen = *hostdev_seen || ga_domain_may_have_hostdev(buf, used);
				memmove(buf, buf + used - 16, 16);
				used = 16;
			} else {
				char *grown;

				cap *= 2;
				grown = realloc(buf, cap + 1);
				if (!grown) {
					free(buf);
					return -ENOMEM;
				}
				buf = grown;
			}
		}
		n = read(STDIN_FILENO, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	if (*too_big)
		*hostdev_seen = *hostdev_seen || ga_domain_may_have_hostdev(buf, used);
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

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
	if (read_stdin(&xml, &len, &too_big, &hostdev_seen) < 0) {
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
