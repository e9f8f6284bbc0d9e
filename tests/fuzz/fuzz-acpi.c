// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the static AML reader (ga-acpi) on arbitrary tables.
 * The input is cut into tables by their own header's length field (a table
 * whose field is too small or too large takes the rest), each copied into a
 * buffer of exactly its size so that any read past its end is caught. Two
 * fixed device paths are looked up; the reader must answer 0, -ENOENT or
 * -EINVAL, with a message on failure and a table name it was given on success.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ga-acpi.h"
#include "ga-ctx.h"

#define MAX_TABLES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t table_len(const uint8_t *p, size_t left)
{
	uint32_t len;

	if (left < 8)
		return left;
	len = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	return len >= 36 && len <= left ? len : left;
}

static void lookup(struct ga_ctx *ctx, const struct ga_acpi_table *t, size_t n, const char *path)
{
	struct ga_acpi_gpu_mem m;
	int r = ga_acpi_find_gpu_mem(ctx, t, n, path, &m);
	bool known = false;

	if (r != 0 && r != -ENOENT && r != -EINVAL)
		abort();
	if (r < 0) {
		if (!ga_last_error(ctx)->message[0] || m.has_base || m.has_size || m.has_dev_props)
			abort();
		return;
	}
	for (size_t i = 0; i < n; i++)
		known |= !strcmp(m.table, t[i].name);
	if (!known || m.ints_32bit != (m.table_revision < 2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ga_ctx *ctx;
	struct ga_acpi_table t[MAX_TABLES];
	size_t n = 0, off = 0;

	if (!ctx && ga_ctx_new(&ctx) < 0)
		abort();
	while (off < size && n < MAX_TABLES) {
		size_t len = table_len(data + off, size - off);

		t[n].len = len;
		t[n].data = malloc(len);
		if (!t[n].data)
			abort();
		memcpy(t[n].data, data + off, len);
		memcpy(t[n].name, n ? "SSDT" : "DSDT", 5);
		if (n)
			t[n].name[4] = (char)('0' + n);
		n++;
		off += len;
	}
	lookup(ctx, t, n, "\\_SB_.PCI9.RP00.GPU0");
	lookup(ctx, t, n, "\\_SB_.PCI9.RP01.DEV1");
	for (size_t i = 0; i < n; i++)
		free(t[i].data);
	return 0;
}
