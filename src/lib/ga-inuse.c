// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-grace.h"
#include "ga-inuse.h"
#include "ga-open.h"
#include "ga-sysfs.h"

/* The device number in a sysfs "dev" file ("MAJ:MIN"), 0 when there is none. */
static dev_t sysfs_devt(struct ga_ctx *ctx, const char *path)
{
	_cleanup_free_ char *s = NULL;
	unsigned maj, min;

	if (ga_sysfs_read(ctx, &s, "%s", path) < 0) {
		ga_clear_error(ctx);
		return 0;
	}
	return sscanf(s, "%u:%u", &maj, &min) == 2 ? makedev(maj, min) : 0;
}

/*
 * The VFIO files that hold a function: its group's and its device file's
 * path under /dev, and their device numbers (0: unknown). A process whose
 * /dev is not ours (QEMU in libvirt's private /dev, or in a chroot) shows
 * another path for the same file: the device number still tells.
 */
struct vfio_files {
	char group[64], cdev[64]; /* "" when the function has none */
	dev_t group_devt, cdev_devt;
	const char *what;         /* the one found */
};

static void vfio_files_get(struct ga_ctx *ctx, const char *name, int group, struct vfio_files *v)
{
	char **names = NULL, path[PATH_MAX];

	memset(v, 0, sizeof(*v));
	if (group >= 0) {
		snprintf(v->group, sizeof(v->group), "/dev/vfio/%d", group);
		snprintf(path, sizeof(path), GA_SYSFS_VFIO_GROUP_DEVT, group);
		v->group_devt = sysfs_devt(ctx, path);
	}
	/* the iommufd way: the function's own VFIO device file */
	if (ga_sysfs_list(ctx, &names, GA_SYSFS_PCI_DEV_ATTR, name, "vfio-dev") < 0) {
		ga_clear_error(ctx);
		return;
	}
	if (names[0] && !strncmp(names[0], "vfio", 4)) {
		snprintf(v->cdev, sizeof(v->cdev), "/dev/vfio/devices/%.40s", names[0]);
		snprintf(path, sizeof(path), GA_SYSFS_PCI_VFIO_DEVT, name, names[0]);
		v->cdev_devt = sysfs_devt(ctx, path);
	}
	ga_strv_free(names);
}

static bool is_vfio_file(const char *fd, const char *target, void *data)
{
	struct vfio_files *v = data;
	struct stat st;

	if (*v->group && !strcmp(target, v->group))
		v->what = v->group;
	else if (*v->cdev && !strcmp(target, v->cdev))
		v->what = v->cdev;
	else if ((v->group_devt || v->cdev_devt) && stat(fd, &st) == 0 && S_ISCHR(st.st_mode))
		v->what = v->group_devt && st.st_rdev == v->group_devt ? v->group
			  : v->cdev_devt && st.st_rdev == v->cdev_devt ? v->cdev
								       : NULL;
	return v->what != NULL;
}

int ga_inuse_check_files(struct ga_ctx *ctx, const struct ga_pci_addr *addr, int group)
{
	const char *root = ga_ctx_get(ctx, GA_SETTING_PROC_ROOT);
	char name[GA_PCI_ADDR_STRLEN];
	struct vfio_files v;
	struct dirent *de;
	DIR *dir;
	int r = 0;

	ga_pci_addr_format(addr, name);
	vfio_files_get(ctx, name, group, &v);
	if (!*v.group && !*v.cdev)
		return 0;
	dir = opendir(root);
	if (!dir)
		return ga_report(ctx, -errno, "cannot list processes in '%s': %s (is /proc mounted?)", root, strerror(errno));
	while (r == 0 && (de = readdir(dir))) {
		char procdir[PATH_MAX], path[PATH_MAX], comm[64] = "?";
		FILE *f;

		if (!strchr("123456789", de->d_name[0]) || strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		if ((size_t)snprintf(procdir, sizeof(procdir), "%s/%s", root, de->d_name) >= sizeof(procdir) ||
		    !ga_proc_holds(procdir, is_vfio_file, &v))
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
			      name, de->d_name, comm, v.what == v.cdev ? "device file" : "group", v.what);
	}
	closedir(dir);
	return r;
}
