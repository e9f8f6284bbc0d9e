// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gpu-assign-hook: the libvirt qemu hook for Grace GPUs, installed as
 * $(qemuhooksdir)/gpu-assign; its checker is $(hookcheckdir)/gpu-assign-hook-check
 * (configure --with-libvirt-hooks-dir). See gpu-assign-hook(8).
 *
 * libvirt runs it for every operation of every QEMU domain, so this program
 * links nothing but libc and decides on its own for everything the hook does
 * not act on: any operation but "prepare begin" and "release end" returns
 * before stdin is read; a domain XML without a PCI <hostdev> element returns
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
 *
 * It fails closed: when the checker cannot be started, a domain that may
 * have a PCI hostdev is refused (see not_checked()).
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
#define GA_HOOK_CHECK_PATH "/etc/libvirt/hooks/gpu-assign/gpu-assign-hook-check"
#endif

/*
 * A checker next to this program (the build tree; a test's copy), else the
 * installed path. One that is there but not executable is still the one
 * meant: it fails below rather than silently falling back.
 */
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
			if (access(buf, F_OK) == 0)
				return buf;
		}
	}
	return GA_HOOK_CHECK_PATH;
}

/* What to do about a checker execve() refused, in the words of its errno. */
static const char *checker_fix(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return "it is not installed: run 'make install' in gpu-assign's build tree";
	case EACCES:
	case EPERM:
		return "a security policy or a missing execute bit: under AppArmor the checker must be under "
		       "/etc/libvirt/hooks/, where 'make install' puts it, and 'journalctl -k -g apparmor' shows "
		       "denials; reinstall with 'make install'";
	default:
		return "reinstall gpu-assign with 'make install' in its build tree";
	}
}

/*
 * The checker could not be started, so the domain cannot be checked. Fail
 * closed where it matters: at "prepare begin", a domain that may have a PCI
 * hostdev (a Grace GPU or not: this program reads neither sysfs nor the
 * configuration, so not the policy either) is refused with one line naming
 * the checker, the reason and the fix; any other domain goes on. At
 * "release end" nothing can be refused: it is logged.
 */
static int not_checked(char **argv, const char *xml, size_t len, const char *check, const char *what, int err)
{
	bool refuse = hook_op_classify(argv[2], argv[3]) == HOOK_OP_PREPARE && ga_domain_may_have_pci_hostdev(xml, len);
	char raw[PATH_MAX * 2 + 512], line[PATH_MAX * 2 + 512];

	snprintf(raw, sizeof(raw),
		 "domain '%s' %s: %s '%s': %s: its PCI host devices cannot be checked (%s; or remove the hook %s "
		 "and restart libvirtd to stop checking domains)",
		 argv[1], refuse ? "refused" : "not checked", what, check, strerror(err), checker_fix(err), argv[0]);
	ga_escape_ctrl(line, sizeof(line), raw); /* the domain name comes from outside */
	openlog("gpu-assign-hook", LOG_PID, LOG_DAEMON);
	syslog(LOG_ERR, "%s", line);
	closelog();
	if (!refuse)
		return HOOK_EXIT_OK;
	fprintf(stderr, "gpu-assign-hook: %s\n", line);
	return HOOK_EXIT_REFUSE;
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
	/* only PCI hostdevs can be Grace GPUs: a USB/SCSI/mdev-only domain never needs the checker */
	if (!ga_domain_may_have_pci_hostdev(xml, len)) {
		free(xml);
		return HOOK_EXIT_OK;
	}

	/* Hand over to the checker with the XML as its stdin. */
	check = checker(path, sizeof(path));
	errno = 0;
	fd = memfd_create("gpu-assign-domain-xml", MFD_CLOEXEC);
	while (fd >= 0 && done < len) {
		ssize_t n = write(fd, xml + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			close(fd);
			fd = -1;
			break;
		}
		done += (size_t)n;
	}
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, STDIN_FILENO) < 0) {
		r = not_checked(argv, xml, len, check, "cannot pass the domain XML to the checker", errno);
		free(xml);
		return r;
	}
	execv(check, argv);
	r = not_checked(argv, xml, len, check, "cannot run the checker", errno);
	free(xml);
	return r;
}
