// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-inuse.h"
#include "ga-open.h"
#include "ga-sysfs.h"

/* The function's VFIO device file (iommufd cdev), "" when it has none. */
static void vfio_cdev(struct ga_ctx *ctx, const char *name, char out[64])
{
	char **names = NULL;

	out[0] = '\0';
	if (ga_sysfs_list(ctx, &names, GA_SYSFS_PCI_DEV_ATTR, name, "vfio-dev") < 0) {
		ga_clear_error(ctx);
		return;
	}
	if (names[0] && !strncmp(names[0], "vfio", 4))
		snprintf(out, 64, "/dev/vfio/devices/%.40s", names[0]);
	ga_strv_free(names);
}

/* Whether one of pid's open files is group or cdev; *what: the one found. */
static bool pid_holds(const char *procdir, const char *group, const char *cdev, const char **what)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	if ((size_t)snprintf(path, sizeof(path), "%s/fd", procdir) >= sizeof(path))
		return false;
	dir = opendir(path);
	if (!dir)
		return false; /* exited, or a kernel thread */
	while (!found && (de = readdir(dir))) {
		ssize_t n;

		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/fd/%s", procdir, de->d_name) >= sizeof(path))
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (*group && !strcmp(target, group))
			*what = group, found = true;
		else if (*cdev && !strcmp(target, cdev))
			*what = cdev, found = true;
	}
	closedir(dir);
	return found;
}

int ga_inuse_check_files(struct ga_ctx *ctx, const struct ga_pci_addr *addr, int group)
{
	const char *root = ga_ctx_get(ctx, GA_SETTING_PROC_ROOT);
	char name[GA_PCI_ADDR_STRLEN], group_dev[64] = "", cdev[64];
	struct dirent *de;
	DIR *dir;
	int r = 0;

	ga_pci_addr_format(addr, name);
	if (group >= 0)
		snprintf(group_dev, sizeof(group_dev), "/dev/vfio/%d", group);
	vfio_cdev(ctx, name, cdev);
	if (!*group_dev && !*cdev)
		return 0;
	dir = opendir(root);
	if (!dir)
		return ga_report(ctx, -errno, "cannot list processes in '%s': %s (is /proc mounted?)", root, strerror(errno));
	while (r == 0 && (de = readdir(dir))) {
		char procdir[PATH_MAX], path[PATH_MAX], comm[64] = "?";
		const char *what = NULL;
		FILE *f;

		if (!strchr("123456789", de->d_name[0]) || strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		if ((size_t)snprintf(procdir, sizeof(procdir), "%s/%s", root, de->d_name) >= sizeof(procdir) ||
		    !pid_holds(procdir, group_dev, cdev, &what))
			continue;
		/* comm may hold anything: ga_report escapes it */
		if ((size_t)snprintf(path, sizeof(path), "%s/comm", procdir) < sizeof(path) &&
		    (f = ga_fopen_regular(path))) {
			if (!fgets(comm, sizeof(comm), f))
				snprintf(comm, sizeof(comm), "?");
			fclose(f);
			comm[strcspn(comm, "\n")] = '\0';
		}
		r = ga_report(ctx, -EBUSY,
			      "cannot release '%s': process %s (%s) has its VFIO %s '%s' open (stop that process or its VM first; --force releases it anyway)",
			      name, de->d_name, comm, what == cdev ? "device file" : "group", what);
	}
	closedir(dir);
	return r;
}
