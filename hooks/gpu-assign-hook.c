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
 *
 * It reads no settings. When a test overrides file is in effect
 * ($GA_TEST_OVERRIDES, or the installed file exists: see gpu-assign(1)) it
 * hands every call, untouched, to the checker: the checker reads the file
 * (trace log, stand-ins, paths) and takes the same early exits through the
 * same code (hook_start, ga_domain_may_have_hostdev). A test that needs
 * another checker bind-mounts it over the installed one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "ga-escape.h"
#include "hook.h"

#ifndef GA_HOOK_CHECK_PATH
#define GA_HOOK_CHECK_PATH "/usr/libexec/gpu-assign/gpu-assign-hook-check"
#endif

/* Next to this program (the build tree), else the installed path. */
static const char *checker(char *buf, size_t size)
{
	ssize_t n;
	char *slash;

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
static int not_checked(char **argv, const char *what, int err)
{
	char raw[PATH_MAX + 512], line[PATH_MAX + 512];

	snprintf(raw, sizeof(raw), "domain '%s' %s %s: %s: %s: not checked (reinstall gpu-assign)", argv[1], argv[2],
		 argv[3], what, strerror(err));
	ga_escape_ctrl(line, sizeof(line), raw);
	openlog("gpu-assign-hook", LOG_PID, LOG_DAEMON);
	syslog(LOG_ERR, "%s", line);
	closelog();
	return HOOK_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct hook_opts o = { 0 };
	const char *overrides = getenv("GA_TEST_OVERRIDES");
	char *xml = NULL, path[PATH_MAX];
	const char *check;
	size_t len, done = 0;
	int fd, r;

	/* Under test overrides the checker answers every call (if it cannot start, go on as usual). */
	if ((overrides && *overrides) || access(GA_TEST_OVERRIDES_PATH, F_OK) == 0)
		execv(checker(path, sizeof(path)), argv);
	r = hook_start(&o, argc, argv, &xml, &len);
	if (r >= 0)
		return r;
	if (!ga_domain_may_have_hostdev(xml, len)) {
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
		return not_checked(argv, "cannot pass the domain XML on to the checker", errno);
	check = checker(path, sizeof(path));
	execv(check, argv);
	{
		char what[PATH_MAX + 64];

		snprintf(what, sizeof(what), "cannot run the checker '%s'", check);
		return not_checked(argv, what, errno);
	}
}
