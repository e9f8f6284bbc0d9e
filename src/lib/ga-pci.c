// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-pci.h"
#include "ga-sysfs.h"

/* Parse exactly `digits` hex digits from *s, advancing it. */
static bool take_hex(const char **s, int digits, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < digits; i++) {
		char c = (*s)[i];

		if (!isxdigit((unsigned char)c))
			return false;
		v = v * 16 + (unsigned)(isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10);
	}
	*s += digits;
	*out = v;
	return true;
}

static bool take_char(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

bool ga_pci_addr_valid(const char *str, struct ga_pci_addr *out)
{
	unsigned domain = 0, bus, slot, func;
	const char *s = str;
	size_t len;

	if (!str)
		return false;
	len = strlen(str);
	if (len == 12) {
		if (!take_hex(&s, 4, &domain) || !take_char(&s, ':'))
			return false;
	} else if (len != 7) {
		return false;
	}
	if (!take_hex(&s, 2, &bus) || !take_char(&s, ':') || !take_hex(&s, 2, &slot) ||
	    !take_char(&s, '.') || !take_hex(&s, 1, &func) || *s != '\0')
		return false;
	if (slot > 0x1f || func > 7)
		return false;
	if (out) {
		out->domain = (uint16_t)domain;
		out->bus = (uint8_t)bus;
		out->slot = (uint8_t)slot;
		out->func = (uint8_t)func;
	}
	return true;
}

/* Take 1..max hex digits from *s (at least one), advancing it. */
static bool take_hex_upto(const char **s, int max, unsigned *out)
{
	int n = 0;

	while (n < max && isxdigit((unsigned char)(*s)[n]))
		n++;
	if (n == 0 || isxdigit((unsigned char)(*s)[n]))
		return false;
	return take_hex(s, n, out);
}

/* virsh nodedev-list's name: pci_DDDD_BB_SS_F, exact widths. */
static bool nodedev_name(const char *s, size_t len, struct ga_pci_addr *out)
{
	char buf[GA_PCI_ADDR_STRLEN];

	if (len != 16 || strncmp(s, "pci_", 4) || s[8] != '_' || s[11] != '_' || s[14] != '_')
		return false;
	snprintf(buf, sizeof(buf), "%.4s:%.2s:%.2s.%c", s + 4, s + 9, s + 12, s[15]);
	return ga_pci_addr_valid(buf, out);
}

/* lspci's forms: [D{1,4}:]B{1,2}:S{1,2}.F, nothing else in s[0..len). */
static bool lspci_form(const char *s, size_t len, struct ga_pci_addr *out)
{
	unsigned v[4] = { 0 }, n = 0;
	const char *p = s;
	const char *end = s + len;

	while (p < end && n < 3) {
		if (!take_hex_upto(&p, n == 0 ? 4 : 2, &v[n]))
			return false;
		n++;
		if (p < end && *p == ':') {
			p++;
			continue;
		}
		break;
	}
	if (n < 2 || p >= end || *p != '.')
		return false;
	p++;
	if (!take_hex(&p, 1, &v[n]) || p != end)
		return false;
	if (n == 2) { /* BB:SS.F: shift into place, domain 0 */
		v[3] = v[2];
		v[2] = v[1];
		v[1] = v[0];
		v[0] = 0;
	}
	if (v[1] > 0xff || v[2] > 0x1f || v[3] > 7)
		return false;
	*out = (struct ga_pci_addr){ .domain = (uint16_t)v[0], .bus = (uint8_t)v[1],
				     .slot = (uint8_t)v[2], .func = (uint8_t)v[3] };
	return true;
}

int ga_pci_addr_parse(struct ga_ctx *ctx, const char *str, struct ga_pci_addr *out)
{
	const char *s = str ? str : "";
	size_t len;
	struct ga_pci_addr a;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	if (len <= GA_PCI_ADDR_STRLEN + 3 && (lspci_form(s, len, &a) || nodedev_name(s, len, &a))) {
		if (out)
			*out = a;
		return 0;
	}
	return ga_report(ctx, -GA_E_PARSE,
			 "invalid PCI address '%s': expected DDDD:BB:SS.F or BB:SS.F in hex as lspci prints it, or virsh's pci_DDDD_BB_SS_F; slot at most 1f, function at most 7 (e.g. 0009:01:00.0)",
			 str ? str : "");
}

int ga_pci_report_missing(struct ga_ctx *ctx, const struct ga_pci_addr *addr)
{
	char name[GA_PCI_ADDR_STRLEN], hint[GA_PCI_ADDR_STRLEN] = "";
	char **names = NULL;
	int found = 0, r;

	ga_pci_addr_format(addr, name);
	/* a sysfs root that cannot be opened (a mistyped --sysfs-root) is the cause, not this one device */
	r = ga_sysfs_check_root(ctx);
	if (r < 0)
		return r;
	if (addr->domain == 0 && ga_sysfs_list(ctx, &names, GA_SYSFS_PCI_DEVICES) == 0) {
		for (char **n = names; *n; n++) {
			struct ga_pci_addr other;

			if (ga_pci_addr_valid(*n, &other) && other.domain != 0 && other.bus == addr->bus &&
			    other.slot == addr->slot && other.func == addr->func && found++ == 0)
				ga_pci_addr_format(&other, hint);
		}
		ga_strv_free(names);
	}
	if (found == 1)
		return ga_report(ctx, -ENODEV, "PCI device '%s' does not exist on this host: did you mean '%s'?",
				 name, hint);
	return ga_report(ctx, -ENODEV,
			 "PCI device '%s' does not exist on this host (see 'gpu-assign list --all' for the devices present)",
			 name);
}

char *ga_pci_addr_format(const struct ga_pci_addr *addr, char buf[GA_PCI_ADDR_STRLEN])
{
	snprintf(buf, GA_PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", addr->domain, addr->bus, addr->slot & 0x1fu,
		 addr->func & 7u);
	return buf;
}

int ga_pci_addr_cmp(const struct ga_pci_addr *a, const struct ga_pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	return 0;
}

bool ga_pci_addr_equal(const struct ga_pci_addr *a, const struct ga_pci_addr *b)
{
	return ga_pci_addr_cmp(a, b) == 0;
}

void ga_pci_dev_clear(struct ga_pci_dev *dev)
{
	free(dev->driver);
	free(dev->driver_override);
	free(dev->acpi_path);
	memset(dev, 0, sizeof(*dev));
}

/* IORESOURCE_* bits from the kernel's include/linux/ioport.h */
#define RES_IO 0x00000100u
#define RES_MEM 0x00000200u
#define RES_PREFETCH 0x00002000u
#define RES_MEM_64 0x00100000u

int ga_pci_parse_resource(struct ga_ctx *ctx, const char *text, struct ga_pci_bar bars[GA_PCI_NUM_BARS])
{
	const char *line = text;

	memset(bars, 0, sizeof(*bars) * GA_PCI_NUM_BARS);
	for (int i = 0; i < GA_PCI_NUM_BARS; i++) {
		uint64_t start, end, flags;
		int used = 0;

		if (!line || !*line)
			return ga_report(ctx, -GA_E_PARSE,
					 "cannot parse PCI resource table: %d lines, expected at least %d (the host's sysfs looks corrupt)",
					 i, GA_PCI_NUM_BARS);
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64 "%n", &start, &end, &flags, &used) != 3 ||
		    (line[used] != '\n' && line[used] != '\0'))
			return ga_report(ctx, -GA_E_PARSE,
					 "cannot parse PCI resource line %d '%.*s': expected 'start end flags' in hex",
					 i + 1, (int)strcspn(line, "\n"), line);
		if (end > start || (end == start && flags)) {
			bars[i].start = start;
			bars[i].size = end - start + 1;
			bars[i].is_io = flags & RES_IO;
			bars[i].is_64bit = flags & RES_MEM_64;
			bars[i].prefetchable = flags & RES_PREFETCH;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

static int parse_hex_attr(struct ga_ctx *ctx, const char *name, const char *attr, uint32_t max,
			  uint32_t *out)
{
	_cleanup_free_ char *val = NULL;
	unsigned long v;
	char *end;
	int r;

	r = ga_sysfs_read(ctx, &val, GA_SYSFS_PCI_DEV_ATTR, name, attr);
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(val, &end, 16);
	if (errno || end == val || *end != '\0' || v > max || strncmp(val, "0x", 2) != 0)
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse '%s' of PCI device '%s': '%s' is not a hex value (the host's sysfs looks corrupt)",
				 attr, name, val);
	*out = (uint32_t)v;
	return 0;
}

/* An optional link: -ENOENT leaves *out NULL and is not an error. */
static int optional_link(struct ga_ctx *ctx, const char *name, const char *attr, char **out)
{
	int r = ga_sysfs_link_name(ctx, out, GA_SYSFS_PCI_DEV_ATTR, name, attr);

	if (r == -ENOENT) {
		ga_clear_error(ctx);
		return 0;
	}
	return r;
}

static int read_ids(struct ga_ctx *ctx, struct ga_pci_dev *dev)
{
	static const struct {
		const char *attr;
		uint32_t max;
	} ids[] = { { "vendor", 0xffff }, { "device", 0xffff }, { "subsystem_vendor", 0xffff },
		    { "subsystem_device", 0xffff }, { "class", 0xffffff } };
	uint32_t v[GA_ARRAY_SIZE(ids)];
	int r;

	for (size_t i = 0; i < GA_ARRAY_SIZE(ids); i++)
		if ((r = parse_hex_attr(ctx, dev->name, ids[i].attr, ids[i].max, &v[i])) < 0)
			return r;
	dev->vendor = (uint16_t)v[0];
	dev->device = (uint16_t)v[1];
	dev->subsystem_vendor = (uint16_t)v[2];
	dev->subsystem_device = (uint16_t)v[3];
	dev->class = v[4];
	return 0;
}

static int read_numbers(struct ga_ctx *ctx, struct ga_pci_dev *dev)
{
	_cleanup_free_ char *group = NULL;
	long node;
	char *end;
	int r;

	r = ga_sysfs_read_int(ctx, &node, GA_SYSFS_PCI_DEV_ATTR, dev->name, "numa_node");
	if (r == -ENOENT) {
		ga_clear_error(ctx); /* kernels without NUMA have no such attribute */
		node = -1;
	} else if (r < 0) {
		return r;
	}
	if (node < -1 || node > 65535)
		return ga_report(ctx, -GA_E_PARSE, "PCI device '%s' reports NUMA node %ld, which is out of range",
				 dev->name, node);
	dev->numa_node = (int)node;

	r = optional_link(ctx, dev->name, "iommu_group", &group);
	if (r < 0)
		return r;
	dev->iommu_group = -1;
	if (group) {
		long g = strtol(group, &end, 10);

		if (*end != '\0' || end == group || g < 0 || g > 1000000)
			return ga_report(ctx, -GA_E_PARSE,
					 "PCI device '%s' has an IOMMU group link to '%s', which is not a group number",
					 dev->name, group);
		dev->iommu_group = (int)g;
	}
	return 0;
}

static int read_acpi(struct ga_ctx *ctx, struct ga_pci_dev *dev)
{
	int r;

	if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV_ATTR, dev->name, "firmware_node"))
		return 0;
	r = ga_sysfs_read(ctx, &dev->acpi_path, GA_SYSFS_PCI_DEV "/firmware_node/path", dev->name);
	if (r == -ENOENT) {
		/* A companion without a path attribute: record that it exists. */
		ga_clear_error(ctx);
		dev->acpi_path = strdup("(unnamed)");
		if (!dev->acpi_path)
			return ga_report(ctx, -ENOMEM, "out of memory");
		return 0;
	}
	return r;
}

int ga_pci_dev_read(struct ga_ctx *ctx, const struct ga_pci_addr *addr, struct ga_pci_dev *dev)
{
	_cleanup_free_ char *res = NULL;
	int r;

	memset(dev, 0, sizeof(*dev));
	dev->addr = *addr;
	ga_pci_addr_format(addr, dev->name);

	if (!ga_sysfs_exists(ctx, GA_SYSFS_PCI_DEV, dev->name))
		return ga_pci_report_missing(ctx, addr);
	r = read_ids(ctx, dev);
	if (r >= 0)
		r = read_numbers(ctx, dev);
	if (r >= 0)
		r = optional_link(ctx, dev->name, "driver", &dev->driver);
	if (r >= 0)
		r = ga_sysfs_read(ctx, &dev->driver_override, GA_SYSFS_PCI_DEV_ATTR, dev->name,
				  "driver_override");
	if (r >= 0 && dev->driver_override && !strcmp(dev->driver_override, "(null)")) {
		free(dev->driver_override);
		dev->driver_override = NULL;
	}
	if (r >= 0)
		r = read_acpi(ctx, dev);
	if (r >= 0)
		r = ga_sysfs_read(ctx, &res, GA_SYSFS_PCI_DEV_ATTR, dev->name, "resource");
	if (r >= 0)
		r = ga_pci_parse_resource(ctx, res, dev->bars);
	if (r < 0) {
		int code = r;

		ga_pci_dev_clear(dev);
		return code;
	}
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return ga_pci_addr_cmp(a, b);
}

void ga_pci_addr_sort(struct ga_pci_addr *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_addr);
}

int ga_pci_iommu_group_members(struct ga_ctx *ctx, int group, struct ga_pci_addr **out, size_t *n)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	size_t count = 0, i;
	int r;

	*out = NULL;
	*n = 0;
	r = ga_sysfs_list(ctx, &names, GA_SYSFS_IOMMU_GROUP_DEVS, group);
	if (r < 0)
		return r;
	for (i = 0; names[i]; i++)
		;
	addrs = calloc(i + 1, sizeof(*addrs));
	if (!addrs)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (i = 0; names[i]; i++) {
		/* Groups can hold non-PCI devices; those are not ours to bind. */
		if (ga_pci_addr_valid(names[i], &addrs[count]))
			count++;
	}
	ga_pci_addr_sort(addrs, count);
	*out = steal_ptr(addrs);
	*n = count;
	return 0;
}
