// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-grace.h"
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

struct vfio_files {
	const char *group, *cdev; /* "" when the function has none */
	const char *what;         /* the one found */
};

static bool is_vfio_file(const char *target, void *data)
{
	struct vfio_files *v = data;

	if (*v->group && !strcmp(target, v->group))
		v->what = v->group;
	else if (*v->cdev && !strcmp(target, v->cdev))
		v->what = v->cdev;
	return v->what != NULL;
}

/* Whether one of pid's open files is group or cdev; *what: the one found. */
static bool pid_holds(const char *procdir, const char *group, const char *cdev, const char **what)
{
	struct vfio_files v = { group, cdev, NULL };
	bool found = ga_proc_holds(procdir, is_vfio_file, &v);

	*what = v.what;
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
