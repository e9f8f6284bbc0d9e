// SPDX-License-Identifier: LGPL-2.1-or-later
/* Test code: paths are built in PATH_MAX buffers from short names; truncation would abort below. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "ga-catalog.h"
#include "ga-sysfs-priv.h"
#include "ga-sysfs.h"
#include "ga-util.h"
#include "test-common.h"

static void path_of(const struct fake_kernel *fk, char *buf, size_t size, const char *fmt, const char *a, const char *b)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), fmt, a, b);
	if ((size_t)snprintf(buf, size, "%s/%s", fk->root, rel) >= size)
		abort();
}

static bool dev_present(const struct fake_kernel *fk, const char *dev)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(fk, p, sizeof(p), "bus/pci/devices/%s%s", dev, "");
	return stat(p, &st) == 0;
}

static bool driver_registered(const struct fake_kernel *fk, const char *drv)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(fk, p, sizeof(p), "bus/pci/drivers/%s%s", drv, "");
	return *drv && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Current driver of dev into out ("" none). */
static void cur_driver(const struct fake_kernel *fk, const char *dev, char out[64])
{
	char p[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	out[0] = '\0';
	path_of(fk, p, sizeof(p), "bus/pci/devices/%s/%s", dev, "driver");
	n = readlink(p, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, 64, "%s", base ? base + 1 : target);
}

static void cur_override(const struct fake_kernel *fk, const char *dev, char out[64])
{
	char p[PATH_MAX];
	FILE *f;

	out[0] = '\0';
	path_of(fk, p, sizeof(p), "bus/pci/devices/%s/%s", dev, "driver_override");
	f = fopen(p, "r");
	if (!f)
		return;
	if (!fgets(out, 64, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	if (!strcmp(out, "(null)"))
		out[0] = '\0';
}

static const char *native_of(const struct fake_kernel *fk, const char *dev)
{
	for (size_t i = 0; i < fk->ndevs; i++)
		if (!strcmp(fk->devs[i], dev))
			return fk->native[i];
	return "";
}

static void attach(struct fake_kernel *fk, const char *dev, const char *drv)
{
	char link[PATH_MAX], devdir[PATH_MAX], drvdir[PATH_MAX], real[PATH_MAX];

	path_of(fk, devdir, sizeof(devdir), "bus/pci/devices/%s%s", dev, "");
	if (!realpath(devdir, real))
		abort();
	path_of(fk, drvdir, sizeof(drvdir), "bus/pci/drivers/%s%s", drv, "");
	snprintf(link, sizeof(link), "%s/driver", real);
	if (symlink(drvdir, link) < 0)
		abort();
	path_of(fk, link, sizeof(link), "bus/pci/drivers/%s/%s", drv, dev);
	unlink(link); /* a process killed inside detach() may have left it */
	if (symlink(real, link) < 0)
		abort();
}

static void detach(struct fake_kernel *fk, const char *dev, const char *drv)
{
	char p[PATH_MAX];

	path_of(fk, p, sizeof(p), "bus/pci/devices/%s/%s", dev, "driver");
	unlink(p);
	path_of(fk, p, sizeof(p), "bus/pci/drivers/%s/%s", drv, dev);
	unlink(p);
}

static bool matches(const struct fake_kernel *fk, const char *dev, const char *drv)
{
	char ovr[64];

	if (!driver_registered(fk, drv) || !strcmp(drv, fk->refuse))
		return false;
	cur_override(fk, dev, ovr);
	return *ovr ? !strcmp(ovr, drv) : !strcmp(native_of(fk, dev), drv);
}

static void remove_dev(struct fake_kernel *fk, const char *dev)
{
	char drv[64], p[PATH_MAX];

	cur_driver(fk, dev, drv);
	if (*drv)
		detach(fk, dev, drv);
	path_of(fk, p, sizeof(p), "bus/pci/devices/%s%s", dev, "");
	unlink(p);
}

static int fk_write(void *data, const char *path, const char *value)
{
	struct fake_kernel *fk = data;
	char dev[64] = "", drv[64] = "", attr[64] = "", cur[64];

	fk->writes++;
	if (fk->exit_at && fk->writes == fk->exit_at)
		_exit(77);
	if (fk->remove_at && fk->writes == fk->remove_at)
		remove_dev(fk, fk->remove_dev);
	if (fk->fail_at && fk->writes == fk->fail_at)
		return -(fk->fail_errno ? fk->fail_errno : EIO);

	if (sscanf(path, "bus/pci/devices/%15[^/]/%63s", dev, attr) == 2) {
		char p[PATH_MAX];
		FILE *f;

		if (!dev_present(fk, dev))
			return -ENOENT;
		if (!strcmp(attr, "remove")) {
			remove_dev(fk, dev);
			return 0;
		}
		if (strcmp(attr, "driver_override"))
			return 1;
		path_of(fk, p, sizeof(p), "bus/pci/devices/%s/%s", dev, attr);
		f = fopen(p, "w");
		if (!f)
			return -errno;
		fprintf(f, "%s\n", strcmp(value, "\n") && *value ? value : "(null)");
		fclose(f);
		return 0;
	}
	if (!strcmp(path, "bus/pci/drivers_probe")) {
		snprintf(dev, sizeof(dev), "%s", value);
		if (!dev_present(fk, dev))
			return -ENODEV;
		cur_driver(fk, dev, cur);
		if (*cur)
			return 0;
		cur_override(fk, dev, cur);
		if (!*cur)
			snprintf(cur, sizeof(cur), "%s", native_of(fk, dev));
		if (*cur && matches(fk, dev, cur))
			attach(fk, dev, cur);
		return 0;
	}
	if (sscanf(path, "bus/pci/drivers/%63[^/]/%63s", drv, attr) == 2) {
		snprintf(dev, sizeof(dev), "%s", value);
		if (!driver_registered(fk, drv))
			return -ENOENT;
		if (!dev_present(fk, dev))
			return -ENODEV;
		cur_driver(fk, dev, cur);
		if (!strcmp(attr, "unbind")) {
			if (strcmp(cur, drv))
				return -ENODEV;
			detach(fk, dev, drv);
			return 0;
		}
		if (!strcmp(attr, "bind")) {
			if (*cur)
				return -EBUSY;
			if (!matches(fk, dev, drv))
				return -ENODEV;
			attach(fk, dev, drv);
			return 0;
		}
		return 1;
	}
	return 1;
}

/*
 * The native drivers live in the tree (FK_NATIVE_FILE), written by the first
 * model of it: a later process (repair after a kill) gets the same kernel.
 */
static void native_keep(struct fake_kernel *fk)
{
	char p[PATH_MAX], dev[64], drv[64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/" FK_NATIVE_FILE, fk->root);
	f = fopen(p, "r");
	if (f) {
		while (fscanf(f, "%63s %63s", dev, drv) == 2)
			for (size_t i = 0; i < fk->ndevs; i++)
				if (!strcmp(fk->devs[i], dev))
					snprintf(fk->native[i], sizeof(fk->native[i]), "%s", strcmp(drv, "-") ? drv : "");
		fclose(f);
		return;
	}
	f = fopen(p, "w");
	if (!f)
		return; /* a read-only tree: this model is the only one */
	for (size_t i = 0; i < fk->ndevs; i++)
		fprintf(f, "%s %s\n", fk->devs[i], *fk->native[i] ? fk->native[i] : "-");
	fclose(f);
}

static const struct ga_sysfs_hooks fk_hooks = { .write = fk_write };

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

void fk_init(struct fake_kernel *fk, const char *root, struct ga_ctx *ctx)
{
	char **names = NULL;

	memset(fk, 0, sizeof(*fk));
	fk->root = strdup(root);
	fk->ctx = ctx;
	if (ga_sysfs_list(ctx, &names, "bus/pci/devices") < 0)
		abort();
	for (size_t i = 0; names[i] && fk->ndevs < FK_MAX_DEVS; i++) {
		snprintf(fk->devs[fk->ndevs], sizeof(fk->devs[0]), "%s", names[i]);
		cur_driver(fk, names[i], fk->native[fk->ndevs]);
		fk->ndevs++;
	}
	ga_strv_free(names);
	native_keep(fk);
	ga_sysfs_set_hooks(ctx, &fk_hooks, fk);
}

void fk_free(struct fake_kernel *fk)
{
	if (fk->ctx)
		ga_sysfs_set_hooks(fk->ctx, NULL, NULL);
	free(fk->root);
	memset(fk, 0, sizeof(*fk));
}

char *fk_snapshot(struct fake_kernel *fk)
{
	char line[256], *out = calloc(1, FK_MAX_DEVS * sizeof(line) + 1);

	if (!out)
		abort();
	for (size_t i = 0; i < fk->ndevs; i++) {
		char drv[64], ovr[64];

		if (!dev_present(fk, fk->devs[i]))
			continue;
		cur_driver(fk, fk->devs[i], drv);
		cur_override(fk, fk->devs[i], ovr);
		snprintf(line, sizeof(line), "%s %s %s\n", fk->devs[i], *drv ? drv : "-", *ovr ? ovr : "-");
		strcat(out, line);
	}
	(void)cmp_name;
	return out;
}

void fk_offer_variants(const char *root, const char *modules_dir, unsigned offer)
{
	static const struct {
		unsigned bit;
		const char *name;
	} drivers[] = { { FK_OFFER_INTREE, GA_DRIVER_NVGRACE }, { FK_OFFER_COMPANION, GA_DRIVER_NVGRACE_COMPANION } };
	char alias[1024] = "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n", cmd[PATH_MAX * 2];

	for (size_t i = 0; i < GA_ARRAY_SIZE(drivers); i++) {
		char dir[PATH_MAX];
		size_t used = strlen(alias);

		snprintf(dir, sizeof(dir), "bus/pci/drivers/%s", drivers[i].name);
		if (offer & drivers[i].bit) {
			snprintf(alias + used, sizeof(alias) - used, "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* %s\n",
				 drivers[i].name);
			for (const char *const *f = (const char *const[]){ "bind", "unbind", "new_id", "remove_id", NULL };
			     *f; f++) {
				char rel[PATH_MAX];

				snprintf(rel, sizeof(rel), "%s/%s", dir, *f);
				test_write_file(root, rel, "");
			}
		} else {
			snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", root, dir);
			if (system(cmd) != 0)
				abort();
		}
	}
	test_write_file(modules_dir, "modules.alias", alias);
}
