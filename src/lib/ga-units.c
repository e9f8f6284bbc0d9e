// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sizes: the one grammar of ga-units.h and its three unit vocabularies. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ga-ctx.h"
#include "ga-units.h"
#include "ga-util.h"

/* Which units a caller's input may carry (the rules are in ga-units.h). */
struct vocabulary {
	const char *letters; /* unit letters, each 1024 times the one before it */
	bool ib;             /* "KiB" as well as "K" */
	bool decimal;        /* "KB" is 1000 */
	bool byte_words;     /* "byte" and "bytes" as well as "b" */
	uint64_t bare;       /* bytes per unit of a number without one */
};

static const struct vocabulary libvirt_units = { "kmgtpe", true, true, true, 1024 };
static const struct vocabulary qemu_units = { "kmgtpe", false, false, false, 1 };
static const struct vocabulary cli_units = { "kmgt", true, false, false, 1024 * 1024 };

/*
 * The leading decimal number of str; *rest points after it. -EINVAL when str
 * does not start with a digit, -ERANGE when the number exceeds 64 bits.
 */
static int scan_number(const char *str, uint64_t *value, const char **rest)
{
	uint64_t v = 0;
	const char *p = str;

	if (!p || *p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return -ERANGE;
	}
	*value = v;
	*rest = p;
	return 0;
}

/* Bytes per unit named by suffix ("" for none), or -EINVAL for a unit outside voc. */
static int unit_scale(const struct vocabulary *voc, const char *suffix, uint64_t *scale)
{
	const char *letter;
	uint64_t base;

	if (!*suffix) {
		*scale = voc->bare;
		return 0;
	}
	if (!strcasecmp(suffix, "b") || (voc->byte_words && (!strcasecmp(suffix, "byte") || !strcasecmp(suffix, "bytes")))) {
		*scale = 1;
		return 0;
	}
	letter = strchr(voc->letters, tolower((unsigned char)suffix[0]));
	if (!letter)
		return -EINVAL;
	if (suffix[1] == '\0' || (voc->ib && !strcasecmp(suffix + 1, "ib")))
		base = 1024;
	else if (voc->decimal && tolower((unsigned char)suffix[1]) == 'b' && suffix[2] == '\0')
		base = 1000;
	else
		return -EINVAL;
	*scale = 1;
	for (const char *l = voc->letters; l <= letter; l++)
		*scale *= base;
	return 0;
}

/* value * scale in bytes, -ERANGE past 64 bits. */
static int scaled(uint64_t value, uint64_t scale, uint64_t *bytes)
{
	return __builtin_mul_overflow(value, scale, bytes) ? -ERANGE : 0;
}

int ga_size_parse_libvirt(const char *value, const char *unit, uint64_t *kib)
{
	const char *rest;
	uint64_t v, scale, bytes;
	int r;

	r = scan_number(value, &v, &rest);
	if (r < 0)
		return r;
	if (*rest)
		return -EINVAL;
	r = unit_scale(&libvirt_units, unit ? unit : "", &scale);
	if (r < 0)
		return r;
	r = scaled(v, scale, &bytes);
	if (r < 0)
		return r;
	/* as libvirt does: a size in bytes rounds up to whole KiB */
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	return 0;
}

int ga_size_parse_qemu(const char *str, uint64_t *bytes)
{
	const char *rest;
	uint64_t v, scale;
	int r;

	r = scan_number(str, &v, &rest);
	if (r < 0)
		return r;
	r = unit_scale(&qemu_units, rest, &scale);
	if (r < 0)
		return r;
	return scaled(v, scale, bytes);
}

int ga_size_parse(struct ga_ctx *ctx, const char *str, uint64_t *kib)
{
	const char *rest;
	uint64_t v, scale, bytes;

	if (scan_number(str, &v, &rest) < 0 || unit_scale(&cli_units, rest, &scale) < 0)
		return ga_report(ctx, -GA_E_PARSE,
				 "invalid memory size '%s': expected a number with an optional unit K, M, G or T (binary; a bare number means MiB), e.g. '64G'",
				 str ? str : "");
	if (v == 0)
		return ga_report(ctx, -GA_E_PARSE, "invalid memory size '%s': it must be larger than 0", str);
	/* the size in bytes must fit in 64 bits */
	if (scaled(v, scale, &bytes) < 0)
		return ga_report(ctx, -GA_E_PARSE, "invalid memory size '%s': too large", str);
	if (bytes % 1024)
		return ga_report(ctx, -GA_E_PARSE, "invalid memory size '%s': not a whole number of KiB", str);
	*kib = bytes / 1024;
	return 0;
}

static const char *const binary_names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };

char *ga_size_format_exact(uint64_t bytes, char *buf, size_t size)
{
	unsigned u = 0;

	while (bytes >= 1024 && bytes % 1024 == 0 && u + 1 < GA_ARRAY_SIZE(binary_names)) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 " %s", bytes, binary_names[u]);
	return buf;
}

char *ga_size_format_human(uint64_t bytes, char *buf, size_t size)
{
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < GA_ARRAY_SIZE(binary_names)) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, size, "%" PRIu64 " %s", (uint64_t)v, binary_names[u]);
	else
		snprintf(buf, size, "%.2f %s", v, binary_names[u]);
	return buf;
}

char *ga_size_format_qemu(uint64_t bytes, char *buf, size_t size)
{
	static const char letters[] = "KMGTPE";
	uint64_t v = bytes;
	unsigned u = 0;

	if (v % 1024) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	v /= 1024;
	while (v % 1024 == 0 && v >= 1024 && u + 1 < sizeof(letters) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 "%c", v, letters[u]);
	return buf;
}
