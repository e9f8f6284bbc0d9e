// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-catalog.h"
#include "ga-ctx.h"
#include "ga-journal.h"
#include "ga-kmod-priv.h"
#include "ga-open.h"
#include "ga-sysfs.h"
#include "ga-util.h"
#include "ga-variant.h"

/* modules.alias of a distribution kernel is about 1.4 MB; refuse absurd ones. */
#define ALIAS_FILE_MAX (64u << 20)

GA_ENUM_STRINGS(ga_variant_source, enum ga_variant_source, GA_VARIANT_SOURCE_LAST,
		[GA_VARIANT_NONE] = "none", [GA_VARIANT_OPTION] = "option", [GA_VARIANT_ALIAS] = "modules.alias",
		[GA_VARIANT_REGISTERED] = "registered")

void ga_pci_modalias(const struct ga_pci_dev *dev, char buf[GA_MODALIAS_MAX])
{
	snprintf(buf, GA_MODALIAS_MAX, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", dev->vendor, dev->device,
		 dev->subsystem_vendor, dev->subsystem_device, (dev->class >> 16) & 0xffu,
		 (dev->class >> 8) & 0xffu, dev->class & 0xffu);
}

#define NFIELDS 7
static const char *const markers[NFIELDS] = { "v", "d", "sv", "sd", "bc", "sc", "i" };

/*
 * Split "v...d...sv...sd...bc...sc...i..." (up to end) into its seven values:
 * each runs to the next lower-case letter (values are upper-case hex or '*').
 */
static bool split_fields(const char *s, const char *end, const char *val[NFIELDS], size_t len[NFIELDS])
{
	for (int f = 0; f < NFIELDS; f++) {
		size_t m = strlen(markers[f]);
		const char *v;

		if ((size_t)(end - s) < m || memcmp(s, markers[f], m))
			return false;
		v = s += m;
		while (s < end && !(*s >= 'a' && *s <= 'z'))
			s++;
		val[f] = v;
		len[f] = (size_t)(s - v);
	}
	return s == end;
}

/* One modules.alias line against the device: a better variant replaces best. */
static void consider_line(const char *line, size_t n, const char *const dev[NFIELDS],
			  const size_t dev_len[NFIELDS], struct ga_variant *best)
{
	static const char prefix[] = "alias vfio_pci:";
	const char *val[NFIELDS], *pattern, *pend, *mod, *mend;
	size_t len[NFIELDS];
	unsigned wild = 0;
	char name[GA_VARIANT_NAME_MAX];

	if (n < sizeof(prefix) || memcmp(line, prefix, sizeof(prefix) - 1))
		return;
	pattern = line + sizeof(prefix) - 1;
	pend = memchr(pattern, ' ', n - (size_t)(pattern - line));
	if (!pend)
		return;
	mod = pend + 1;
	mend = line + n;
	while (mend > mod && (mend[-1] == ' ' || mend[-1] == '\t' || mend[-1] == '\r'))
		mend--;
	if (mend == mod || (size_t)(mend - mod) >= sizeof(name) || !split_fields(pattern, pend, val, len))
		return;
	for (int f = 0; f < NFIELDS; f++) {
		if (len[f] == 1 && val[f][0] == '*')
			wild++;
		else if (len[f] != dev_len[f] || memcmp(val[f], dev[f], len[f]))
			return;
	}
	memcpy(name, mod, (size_t)(mend - mod));
	name[mend - mod] = '\0';
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	if (!strcmp(name, "vfio_pci") || !ga_driver_name_valid(name))
		return;
	if (best->driver[0] && !strcmp(best->driver, name))
		return;
	if (!best->driver[0] || wild < best->wildcards) {
		if (best->driver[0])
			memcpy(best->other, best->driver, sizeof(best->other));
		memcpy(best->driver, name, sizeof(best->driver));
		best->wildcards = wild;
		best->source = GA_VARIANT_ALIAS;
	} else if (!best->other[0]) {
		memcpy(best->other, name, sizeof(best->other));
	}
}

struct alias_scan {
	const char *dev[NFIELDS];
	size_t dev_len[NFIELDS];
};

static bool scan_init(struct alias_scan *scan, const char *modalias)
{
	if (strncmp(modalias, "pci:", 4))
		return false;
	return split_fields(modalias + 4, modalias + strlen(modalias), scan->dev, scan->dev_len);
}

int ga_variant_rank_aliases(const char *alias_text, const char *modalias, struct ga_variant *out)
{
	struct alias_scan scan;

	memset(out, 0, sizeof(*out));
	if (!scan_init(&scan, modalias))
		return 0;
	for (const char *line = alias_text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		consider_line(line, n, scan.dev, scan.dev_len, out);
		line = nl ? nl + 1 : NULL;
	}
	return out->driver[0] ? 1 : 0;
}

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/* Stream modules.alias (opened without blocking on a FIFO, regular files only). */
static int scan_alias_file(struct ga_ctx *ctx, const char *path, const char *modalias, struct ga_variant *out)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct alias_scan scan;
	size_t cap = 0, total = 0;
	struct stat st;
	ssize_t n;
	int fd;

	if (!scan_init(&scan, modalias))
		return ga_report(ctx, -EINVAL, "invalid modalias '%s'", modalias);
	fd = ga_open_regular(AT_FDCWD, path, O_RDONLY, 0);
	if (fd == -ENOENT)
		return -ENOENT; /* no modules: only registered drivers count */
	if (fd < 0 && fd != -EINVAL)
		return ga_report(ctx, fd, "cannot open '%s': %s (check its permissions)", path, strerror(-fd));
	if (fd < 0)
		return ga_report(ctx, -EINVAL, "refusing '%s': not a regular file (regenerate it with depmod)", path);
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return ga_report(ctx, -err, "cannot stat '%s': %s", path, strerror(err));
	}
	if (st.st_size > (off_t)ALIAS_FILE_MAX) {
		close(fd);
		return ga_report(ctx, -EFBIG, "refusing '%s': larger than 64 MiB (not a modules.alias)", path);
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	while ((n = getline(&line, &cap, f)) > 0 && (total += (size_t)n) <= ALIAS_FILE_MAX) {
		if (memchr(line, '\0', (size_t)n))
			return ga_report(ctx, -EINVAL, "refusing '%s': it holds a NUL byte (regenerate it with depmod)",
					 path);
		consider_line(line, line[n - 1] == '\n' ? (size_t)n - 1 : (size_t)n, scan.dev, scan.dev_len, out);
	}
	if (ferror(f))
		return ga_report(ctx, -EIO, "cannot read '%s': %s", path, strerror(errno));
	if (total > ALIAS_FILE_MAX)
		return ga_report(ctx, -EFBIG, "refusing '%s': larger than 64 MiB (not a modules.alias)", path);
	return 0;
}

/* Known Grace variant drivers that are registered already (loaded or built in). */
static void registered_variant(struct ga_ctx *ctx, struct ga_variant *out)
{
	static const char *const known[] = { GA_DRIVER_NVGRACE, GA_DRIVER_NVGRACE_COMPANION };

	for (size_t i = 0; i < GA_ARRAY_SIZE(known); i++) {
		if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DRIVER, known[i]))
			continue;
		if (!out->driver[0]) {
			snprintf(out->driver, sizeof(out->driver), "%s", known[i]);
			out->source = GA_VARIANT_REGISTERED;
		} else if (strcmp(out->driver, known[i]) && !out->other[0]) {
			snprintf(out->other, sizeof(out->other), "%s", known[i]);
		}
	}
}

int ga_variant_detect(struct ga_ctx *ctx, const struct ga_pci_dev *dev, const char *forced,
		      struct ga_variant *out)
{
	_cleanup_(ga_kmod_unrefp) struct kmod_ctx *kmod = NULL;
	_cleanup_free_ char *path = NULL;
	char modalias[GA_MODALIAS_MAX];
	int r;

	memset(out, 0, sizeof(*out));
	if (forced) {
		if (!ga_driver_name_valid(forced) || !strcmp(forced, "vfio_pci") || !strcmp(forced, GA_DRIVER_VFIO_PCI))
			return ga_report(ctx, -EINVAL,
					 "invalid driver model '%s': give a vfio-pci variant driver such as %s or %s",
					 forced, GA_DRIVER_NVGRACE, GA_DRIVER_NVGRACE_COMPANION);
		snprintf(out->driver, sizeof(out->driver), "%s", forced);
		out->source = GA_VARIANT_OPTION;
		return 0;
	}
	ga_pci_modalias(dev, modalias);
	kmod = ga_kmod_new(ctx);
	if (!kmod)
		return ga_report(ctx, -ENOMEM, "cannot look up drivers: libkmod could not start");
	if (asprintf(&path, "%s/modules.alias", kmod_get_dirname(kmod)) < 0) {
		path = NULL;
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	r = scan_alias_file(ctx, path, modalias, out);
	if (r < 0 && r != -ENOENT)
		return r;
	registered_variant(ctx, out);
	if (out->driver[0])
		return 0;
	return ga_report(ctx, -ENOENT,
			 "no vfio-pci variant driver for GPU '%s' in this kernel: neither %s (in-tree, Linux >= 6.9) nor %s (gpu-assign's companion module: 'make module-install' as root in gpu-assign's build tree, or DKMS) offers %04x:%04x (%s has no matching vfio_pci alias)",
			 dev->name, GA_DRIVER_NVGRACE, GA_DRIVER_NVGRACE_COMPANION, dev->vendor, dev->device, path);
}

char *ga_variant_describe(const struct ga_variant *v, char *buf, size_t size)
{
	switch (v->source) {
	case GA_VARIANT_OPTION:
		snprintf(buf, size, "forced with --driver-model");
		break;
	case GA_VARIANT_ALIAS:
		if (v->other[0])
			snprintf(buf, size,
				 "this kernel offers %s too; libvirt picks %s, the most specific vfio_pci match in modules.alias",
				 v->other, v->driver);
		else
			snprintf(buf, size, "from modules.alias");
		break;
	case GA_VARIANT_REGISTERED:
		if (v->other[0])
			snprintf(buf, size, "registered in /sys/bus/pci/drivers, as is %s; no modules.alias entry decides",
				 v->other);
		else
			snprintf(buf, size, "registered in /sys/bus/pci/drivers");
		break;
	default:
		snprintf(buf, size, "none");
		break;
	}
	return buf;
}
