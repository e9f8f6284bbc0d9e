/*
 * gpu-assign-hook: the libvirt qemu hook for Grace GPUs, installed as
 * $(libvirthooksdir)/gpu-assign. See gpu-assign-hook(8).
 *
 * libvirt runs it for every operation of every QEMU domain, so this program
 * links nothing but libc and decides on its own for everything the hook does
 * not act on: any operation but "prepare begin" and "release end" returns
 * before stdin is read; a domain XML without a <hostdev> element returns
 * after one scan of the bytes. Only the rest is handed, as a memfd on stdin
 * with the same arguments, to gpu-assign-hook-check, which links the
 * library (libxml2 and friends cost several milliseconds to load).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include "ga-domcheck.h"
#include "hook.h"

#ifndef GA_HOOK_CHECK_PATH
#define GA_HOOK_CHECK_PATH "/usr/libexec/gpu-assign/gpu-assign-hook-check"
#endif

/* $GA_HOOK_CHECK, else next to this program (the build tree), else the installed path. */
static const char *checker(char *buf, size_t size)
{
	const char *env = getenv("GA_HOOK_CHECK");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, size - 32);
	if (n > 0) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash + 1, "gpu-assign-hook-check");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	return GA_HOOK_CHECK_PATH;
}

/*
 * A half-installed gpu-assign (or a kernel without memfd) must not stop
 * domains that may well have no Grace GPU: say it loudly, let libvirt go on.
 */
static int not_checked(const struct hook_opts *o, char **argv, const char *what, int err)
{
	hook_trace(o, argv[1], argv[2], argv[3], "%s: %s: not checked", what, strerror(err));
	openlog("gpu-assign-hook", LOG_PID, LOG_DAEMON);
	syslog(LOG_ERR, "domain '%s' %s %s: %s: %s: not checked (reinstall gpu-assign)", argv[1], argv[2], argv[3],
	       what, strerror(err));
	closelog();
	return HOOK_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct hook_opts o = {
		.trace_path = getenv("GA_HOOK_LOG"),
		.standin = getenv("GA_HOOK_TEST_STANDIN"),
	};
	char *xml = NULL, path[PATH_MAX];
	const char *check;
	size_t len, done = 0;
	int fd, r;

	if (o.trace_path && !*o.trace_path)
		o.trace_path = NULL;
	r = hook_start(&o, argc, argv, &xml, &len);
	if (r >= 0)
		return r;
	/* (a test stand-in is an emulated device, not a <hostdev>: no pre-scan then) */
	if ((!o.standin || !*o.standin) && !ga_domain_may_have_hostdev(xml, len)) {
		hook_trace(&o, argv[1], argv[2], argv[3], "no <hostdev>: nothing to do");
		free(xml);
		return HOOK_EXIT_OK;
	}

	/* Hand over to the checker with the XML as its stdin. */
	fd = memfd_create("gpu-assign-domain-xml", MFD_CLOEXEC);
	while (fd >= 0 && done < len) {
		ssize_t n = write(fd, xml + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			fd = -1;
			break;
		}
		done += (size_t)n;
	}
	free(xml);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, STDIN_FILENO) < 0)
		return not_checked(&o, argv, "cannot pass the domain XML on to the checker", errno);
	check = checker(path, sizeof(path));
	execv(check, argv);
	{
		char what[PATH_MAX + 64];

		snprintf(what, sizeof(what), "cannot run the checker '%s'", check);
		return not_checked(&o, argv, what, errno);
	}
}
