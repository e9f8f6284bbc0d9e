// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-acpi: the static AML reader on the iasl-compiled fixtures in
 * tests/data/acpi (a quad-GH200-like DSDT, an SSDT adding a _DSD by Scope,
 * an SSDT of awkward cases), on tables built here byte by byte (encodings
 * iasl does not emit), on every truncation and on flipped bytes; and the
 * table reader on a fixture sysfs tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-acpi.h"
#include "ga-ctx.h"
#include "ga-sysfs-priv.h"
#include "ga-sysfs.h"
#include "test-common.h"

#define GPU(n) "\\_SB_." n ".RP00.GPU0"

static struct ga_ctx *ctx;

static void ctx_new(void)
{
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
}

static void ctx_free(void)
{
	ga_ctx_free(ctx);
	ctx = NULL;
}

static bool msg_has(const char *needle)
{
	const char *msg = ga_last_error(ctx)->message;

	if (strstr(msg, needle))
		return true;
	fprintf(stderr, "\n  message '%s' lacks '%s'\n", msg, needle);
	return false;
}

/* A fixture .aml as a table (a malloc'ed copy of exactly its size, so ASan sees overreads). */
static struct ga_acpi_table load(const char *file, const char *name)
{
	struct ga_acpi_table t = { .data = NULL };
	char rel[128];
	char *path;
	FILE *f;
	long n;

	snprintf(rel, sizeof(rel), "data/acpi/%s", file);
	path = test_srcpath(rel);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	CU_ASSERT_FATAL(n > 36);
	t.data = malloc((size_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.data);
	CU_ASSERT_FATAL(fread(t.data, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	free(path);
	t.len = (size_t)n;
	snprintf(t.name, sizeof(t.name), "%s", name);
	return t;
}

/* DSDT, SSDT1 (scope), SSDT2 (edge cases), as the reader would get them from sysfs. */
static struct ga_acpi_table fixtures[3];

static void fixtures_load(void)
{
	fixtures[0] = load("dsdt-quad.aml", "DSDT");
	fixtures[1] = load("ssdt-scope.aml", "SSDT1");
	fixtures[2] = load("ssdt-edge.aml", "SSDT2");
}

static void fixtures_free(void)
{
	for (size_t i = 0; i < GA_ARRAY_SIZE(fixtures); i++) {
		free(fixtures[i].data);
		fixtures[i].data = NULL;
	}
}

static int find(const char *path, struct ga_acpi_gpu_mem *m)
{
	return ga_acpi_find_gpu_mem(ctx, fixtures, GA_ARRAY_SIZE(fixtures), path, m);
}

static void test_quad(void)
{
	static const struct {
		const char *path;
		uint64_t base, pxm;
	} gpus[] = {
		{ GPU("PCI9"), 0x400000000000, 4 },
		{ GPU("PC19"), 0x480000000000, 12 },
		{ GPU("PC29"), 0x500000000000, 20 },
		{ GPU("PC39"), 0x580000000000, 28 },
	};
	struct ga_acpi_gpu_mem m;

	ctx_new();
	fixtures_load();
	for (size_t i = 0; i < GA_ARRAY_SIZE(gpus); i++) {
		CU_ASSERT_EQUAL_FATAL(find(gpus[i].path, &m), 0);
		CU_ASSERT_TRUE(m.has_base && m.has_size && m.has_pxm_start && m.has_pxm_count);
		CU_ASSERT_TRUE(m.has_dev_props);
		CU_ASSERT_EQUAL(m.base_pa, gpus[i].base);
		CU_ASSERT_EQUAL(m.size, 0x17C0000000);
		CU_ASSERT_EQUAL(m.pxm_start, gpus[i].pxm);
		CU_ASSERT_EQUAL(m.pxm_count, 8);
		CU_ASSERT_STRING_EQUAL(m.table, "DSDT");
		CU_ASSERT_EQUAL(m.table_revision, 2);
		CU_ASSERT_FALSE(m.ints_32bit);
	}
	/* the DSDT alone is enough for these */
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, fixtures, 1, GPU("PC39"), &m), 0);
	CU_ASSERT_EQUAL(m.pxm_start, 28);
	/* short segments are padded as sysfs would print them */
	CU_ASSERT_EQUAL(find("\\_SB.PC29.RP00.GPU0", &m), 0);
	CU_ASSERT_EQUAL(m.pxm_start, 20);
	fixtures_free();
	ctx_free();
}

static void test_exact_path(void)
{
	struct ga_acpi_gpu_mem m;

	ctx_new();
	fixtures_load();
	/* the decoy \_SB.PCI9.RP02.GPU0 */
	CU_ASSERT_EQUAL_FATAL(find("\\_SB_.PCI9.RP02.GPU0", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x1111);
	CU_ASSERT_EQUAL(m.pxm_start, 0x63);
	CU_ASSERT_FALSE(m.has_size || m.has_pxm_count);
	/* the GPU's child has a _DSD of its own */
	CU_ASSERT_EQUAL_FATAL(find(GPU("PCI9") ".CHLD", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0xDEAD0000);
	CU_ASSERT_EQUAL(m.size, 0xBEEF);
	/* a bridge without _DSD, a device nowhere */
	CU_ASSERT_EQUAL(find("\\_SB_.PCI9.RP00", &m), -ENOENT);
	CU_ASSERT_TRUE(msg_has("ACPI device '\\_SB_.PCI9.RP00' has no _DSD in any of the 3 ACPI tables"));
	CU_ASSERT_EQUAL(find("\\_SB_.PC49.RP00.GPU0", &m), -ENOENT);
	CU_ASSERT_TRUE(msg_has("no ACPI table defines device '\\_SB_.PC49.RP00.GPU0' (searched 3 tables"));
	CU_ASSERT_FALSE(m.has_base);
	fixtures_free();
	ctx_free();
}

static void test_scope_ssdt(void)
{
	struct ga_acpi_gpu_mem m;

	ctx_new();
	fixtures_load();
	CU_ASSERT_EQUAL_FATAL(find("\\_SB_.PCI9.RP01.DEV1", &m), 0);
	CU_ASSERT_STRING_EQUAL(m.table, "SSDT1");
	CU_ASSERT_EQUAL(m.base_pa, 0x440000000000);
	CU_ASSERT_EQUAL(m.size, 0x400000000);
	CU_ASSERT_EQUAL(m.pxm_start, 0x24);
	CU_ASSERT_EQUAL(m.pxm_count, 2);
	/* without the SSDT, the DSDT defines the device but gives no _DSD */
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, fixtures, 1, "\\_SB_.PCI9.RP01.DEV1", &m), -ENOENT);
	CU_ASSERT_TRUE(msg_has("has no _DSD"));
	/* the SSDT alone still has it (the device comes through Scope/External) */
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, fixtures + 1, 1, "\\_SB_.PCI9.RP01.DEV1", &m), 0);
	CU_ASSERT_EQUAL(m.pxm_count, 2);
	fixtures_free();
	ctx_free();
}

static void test_edge_cases(void)
{
	struct ga_acpi_gpu_mem m;

	ctx_new();
	fixtures_load();
	CU_ASSERT_EQUAL(find("\\_SB_.ODDS.DMTH", &m), -ENOENT);
	CU_ASSERT_TRUE(msg_has("the _DSD of ACPI device '\\_SB_.ODDS.DMTH' in SSDT2 is a Method, not a static package"));
	CU_ASSERT_FALSE(m.has_base);

	CU_ASSERT_EQUAL_FATAL(find("\\_SB_.ODDS.DOTH", &m), 0);
	CU_ASSERT_FALSE(m.has_dev_props || m.has_base || m.has_size || m.has_pxm_start || m.has_pxm_count);
	CU_ASSERT_STRING_EQUAL(m.table, "SSDT2");

	CU_ASSERT_EQUAL_FATAL(find("\\_SB_.ODDS.DPRT", &m), 0);
	CU_ASSERT_TRUE(m.has_base && m.has_size);
	CU_ASSERT_EQUAL(m.size, 0x17C0000000);
	CU_ASSERT_FALSE(m.has_pxm_start); /* a String */
	CU_ASSERT_FALSE(m.has_pxm_count);

	CU_ASSERT_EQUAL_FATAL(find("\\_SB_.ODDS.DINT", &m), 0);
	CU_ASSERT_TRUE(m.has_base && m.has_size && m.has_pxm_start && m.has_pxm_count);
	CU_ASSERT_EQUAL(m.base_pa, 0x1234);     /* not 0x77 behind the byte-swapped UUID */
	CU_ASSERT_EQUAL(m.size, 0x12345678);    /* the first of two */
	CU_ASSERT_EQUAL(m.pxm_start, 0);
	CU_ASSERT_EQUAL(m.pxm_count, 1);

	CU_ASSERT_EQUAL(find("\\_SB_.ODDS.NODS", &m), -ENOENT);
	CU_ASSERT_TRUE(msg_has("has no _DSD"));
	fixtures_free();
	ctx_free();
}

static void test_bad_paths(void)
{
	static const char *const bad[] = {
		"_SB_.PCI9", "\\", "\\_SB_.", "\\_SB_..PCI9", "\\_SB_.PCI99", "\\_sb_.PCI9",
		"\\_SB_.9PCI", "\\_SB_/PCI9", "",
	};
	struct ga_acpi_gpu_mem m;

	ctx_new();
	fixtures_load();
	for (size_t i = 0; i < GA_ARRAY_SIZE(bad); i++) {
		CU_ASSERT_EQUAL(find(bad[i], &m), -EINVAL);
		CU_ASSERT_TRUE(msg_has("is not an absolute ACPI device path"));
	}
	CU_ASSERT_EQUAL(find(NULL, &m), -EINVAL);
	fixtures_free();
	ctx_free();
}

/* The root-port SSDT shape of Grace firmware: a region whose offset is a patched Name. */
static void test_root_port(void)
{
	struct ga_acpi_table t = load("ssdt-rootport.aml", "SSDT4");
	struct ga_acpi_gpu_mem m;

	ctx_new();
	CU_ASSERT_EQUAL_FATAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.PCI9.RP00.GPU0", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x400000000000ULL);
	CU_ASSERT_EQUAL(m.size, 0x1780000000ULL);
	CU_ASSERT_EQUAL(m.pxm_start, 4);
	CU_ASSERT_EQUAL(m.pxm_count, 8);
	CU_ASSERT_STRING_EQUAL(m.table, "SSDT4");
	CU_ASSERT_EQUAL(ga_last_error(ctx)->code, 0);
	free(t.data);
	ctx_free();
}

/* ---- tables built byte by byte ---- */

struct aml {
	unsigned char b[1024];
	size_t n;
};

static void put(struct aml *a, const void *p, size_t n)
{
	CU_ASSERT_FATAL(a->n + n <= sizeof(a->b));
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

#define PUT(a, ...) put(a, (const unsigned char[]){ __VA_ARGS__ }, sizeof((const unsigned char[]){ __VA_ARGS__ }))

/* op, a PkgLength (one byte, or two when wide), then inner */
static void put_block(struct aml *a, const unsigned char *op, size_t oplen, const struct aml *inner, bool wide)
{
	put(a, op, oplen);
	if (!wide && inner->n + 1 < 64) {
		PUT(a, (unsigned char)(inner->n + 1));
	} else {
		size_t total = inner->n + 2;

		CU_ASSERT_FATAL(total < 4096);
		PUT(a, (unsigned char)(0x40 | (total & 0x0f)), (unsigned char)(total >> 4));
	}
	put(a, inner->b, inner->n);
}

static void put_str(struct aml *a, const char *s)
{
	PUT(a, 0x0d);
	put(a, s, strlen(s) + 1);
}

static void put_qword(struct aml *a, uint64_t v)
{
	PUT(a, 0x0e);
	for (int i = 0; i < 8; i++)
		PUT(a, (unsigned char)(v >> (8 * i)));
}

/* Package () { ToUUID (device properties), Package () { Package () { "nvidia,gpu-mem-base-pa", base } } } */
static void put_dsd_pkg(struct aml *a, uint64_t base)
{
	static const unsigned char uuid[] = { 0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
					      0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01 };
	struct aml buf = { .n = 0 }, prop = { .n = 0 }, props = { .n = 0 }, dsd = { .n = 0 };

	PUT(&buf, 0x0a, 0x10);
	put(&buf, uuid, sizeof(uuid));
	PUT(&prop, 0x02);
	put_str(&prop, "nvidia,gpu-mem-base-pa");
	put_qword(&prop, base);
	PUT(&props, 0x01);
	put_block(&props, (const unsigned char[]){ 0x12 }, 1, &prop, false);
	PUT(&dsd, 0x02);
	put_block(&dsd, (const unsigned char[]){ 0x11 }, 1, &buf, false);
	put_block(&dsd, (const unsigned char[]){ 0x12 }, 1, &props, true);
	put_block(a, (const unsigned char[]){ 0x12 }, 1, &dsd, true);
}

/* A table around body: header with the right length, given signature and revision. */
static struct ga_acpi_table mk_table(const char *name, const char *sig, unsigned rev, const struct aml *body)
{
	struct ga_acpi_table t;
	size_t len = 36 + body->n;
	unsigned char sum = 0;

	snprintf(t.name, sizeof(t.name), "%s", name);
	t.len = len;
	t.data = calloc(1, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.data);
	memcpy(t.data, sig, 4);
	for (int i = 0; i < 4; i++)
		t.data[4 + i] = (unsigned char)(len >> (8 * i));
	t.data[8] = (unsigned char)rev;
	memcpy(t.data + 10, "GATEST", 6);
	memcpy(t.data + 36, body->b, body->n);
	for (size_t i = 0; i < len; i++)
		sum = (unsigned char)(sum + t.data[i]);
	t.data[9] = (unsigned char)(0x100 - sum);
	return t;
}

static const unsigned char SEG_SB[] = { '_', 'S', 'B', '_' };

/*
 * External (\_SB_.GPUX, DeviceObj) at top level, Mutex, Event, NoOp, an
 * OperationRegion with QWord operands, then
 * Name (\_SB_.GPUX._DSD, Package ...) through a MultiNamePrefix, and a device
 * with a Method _DSD reached through a DualNamePrefix.
 */
static void build_names(struct aml *body, uint64_t base)
{
	PUT(body, 0x15, '\\', 0x2e, '_', 'S', 'B', '_', 'G', 'P', 'U', 'X', 0x06, 0x00);
	PUT(body, 0x5b, 0x01, 'M', 'T', 'X', '0', 0x00);
	PUT(body, 0x5b, 0x02, 'E', 'V', 'T', '0');
	PUT(body, 0xa3);
	PUT(body, 0x5b, 0x80, 'R', 'E', 'G', '0', 0x00);
	put_qword(body, 0x80000000);
	put_qword(body, 0x1000);
	PUT(body, 0x08, '\\', 0x2f, 0x03);
	put(body, SEG_SB, 4);
	PUT(body, 'G', 'P', 'U', 'X', '_', 'D', 'S', 'D');
	put_dsd_pkg(body, base);
}

static void test_built_names(void)
{
	struct ga_acpi_gpu_mem m;
	struct ga_acpi_table t;
	struct aml body = { .n = 0 }, scope = { .n = 0 }, dev = { .n = 0 }, meth = { .n = 0 };

	ctx_new();
	build_names(&body, 0x4000000000000000);
	/* Scope (\_SB) { Device (^_SB_.DMTH) { Method (_DSD) {} } }: a parent prefix and a dual name */
	PUT(&meth, '_', 'D', 'S', 'D', 0x00);
	put_block(&dev, (const unsigned char[]){ 0x14 }, 1, &meth, false);
	PUT(&scope, '\\', '_', 'S', 'B', '_');
	{
		struct aml d = { .n = 0 };

		PUT(&d, '^', 0x2e, '_', 'S', 'B', '_', 'D', 'M', 'T', 'H');
		put(&d, dev.b, dev.n);
		put_block(&scope, (const unsigned char[]){ 0x5b, 0x82 }, 2, &d, true);
	}
	put_block(&body, (const unsigned char[]){ 0x10 }, 1, &scope, false);
	t = mk_table("SSDT7", "SSDT", 2, &body);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x4000000000000000);
	CU_ASSERT_STRING_EQUAL(m.table, "SSDT7");
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.DMTH", &m), -ENOENT);
	CU_ASSERT_TRUE(msg_has("'\\_SB_.DMTH' in SSDT7 is a Method"));
	free(t.data);

	/* revision 1: the raw 64-bit value, flagged */
	t = mk_table("SSDT8", "SSDT", 1, &body);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x4000000000000000);
	CU_ASSERT_TRUE(m.ints_32bit);
	CU_ASSERT_EQUAL(m.table_revision, 1);
	/* ... but the DSDT's revision decides the width for every table */
	{
		struct aml empty = { .n = 0 };
		struct ga_acpi_table both[2];

		both[0] = mk_table("DSDT", "DSDT", 2, &empty);
		both[1] = t;
		CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, both, 2, "\\_SB_.GPUX", &m), 0);
		CU_ASSERT_FALSE(m.ints_32bit);
		CU_ASSERT_EQUAL(m.table_revision, 2);
		CU_ASSERT_STRING_EQUAL(m.table, "SSDT8");
		free(both[0].data);
	}
	free(t.data);
	ctx_free();
}

static void expect_einval(const struct aml *body, const char *needle)
{
	struct ga_acpi_gpu_mem m;
	struct ga_acpi_table t = mk_table("SSDT9", "SSDT", 2, body);

	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), -EINVAL);
	CU_ASSERT_TRUE(msg_has(needle));
	free(t.data);
}

/*
 * OperationRegion operands that name data objects declared before them: a
 * Name in the same scope (found by the upward search from a child scope
 * too), a prefixed path, and an External of a non-method type.
 */
static void test_region_names(void)
{
	struct ga_acpi_gpu_mem m;
	struct ga_acpi_table t;
	struct aml body = { .n = 0 }, dev = { .n = 0 }, sub = { .n = 0 };

	ctx_new();
	/* Device (\_SB_.RP00) { Name (ADDR, Ones) Device (SUB0) { OperationRegion (SMEM, SystemMemory, ADDR, 0x10) } } */
	PUT(&sub, 'S', 'U', 'B', '0', 0x5b, 0x80, 'S', 'M', 'E', 'M', 0x00, 'A', 'D', 'D', 'R', 0x0a, 0x10);
	PUT(&dev, '\\', 0x2e, '_', 'S', 'B', '_', 'R', 'P', '0', '0', 0x08, 'A', 'D', 'D', 'R', 0xff);
	put_block(&dev, (const unsigned char[]){ 0x5b, 0x82 }, 2, &sub, false);
	put_block(&body, (const unsigned char[]){ 0x5b, 0x82 }, 2, &dev, false);
	/* External (\_SB_.XLEN, IntObj) and a region at the root using it and a path to ADDR */
	PUT(&body, 0x15, '\\', 0x2e, '_', 'S', 'B', '_', 'X', 'L', 'E', 'N', 0x01, 0x00);
	PUT(&body, 0x5b, 0x80, 'R', 'E', 'G', '1', 0x00, '\\', 0x2f, 0x03, '_', 'S', 'B', '_', 'R', 'P', '0', '0', 'A', 'D',
	    'D', 'R', '\\', 0x2e, '_', 'S', 'B', '_', 'X', 'L', 'E', 'N');
	build_names(&body, 0x4100000000000000);
	t = mk_table("SSDT3", "SSDT", 2, &body);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x4100000000000000);
	CU_ASSERT_EQUAL(ga_last_error(ctx)->code, 0);
	free(t.data);

	/* the Name in a sibling scope is not on the search path */
	body = (struct aml){ .n = 0 };
	dev = (struct aml){ .n = 0 };
	PUT(&dev, 'R', 'P', '0', '1', 0x08, 'A', 'D', 'D', 'R', 0xff);
	put_block(&body, (const unsigned char[]){ 0x5b, 0x82 }, 2, &dev, false);
	dev = (struct aml){ .n = 0 };
	PUT(&dev, 'R', 'P', '0', '2', 0x5b, 0x80, 'S', 'M', 'E', 'M', 0x00, 'A', 'D', 'D', 'R', 0x0a, 0x10);
	put_block(&body, (const unsigned char[]){ 0x5b, 0x82 }, 2, &dev, false);
	expect_einval(&body, "names ADDR, which is not declared before it");
	ctx_free();
}

static void test_built_errors(void)
{
	struct aml body;

	ctx_new();
	body = (struct aml){ .n = 0 };
	PUT(&body, 0xa3, 0x8a, 0x68, 0x00, 'C', 'D', 'W', '1'); /* CreateDWordField */
	expect_einval(&body, "unsupported AML opcode 0x8a at byte offset 37 in ACPI table SSDT9");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x5b, 0x88, 'D', 'R', 'G', '0', 0x0d, 'F', 'A', 'C', 'P', 0x00, 0x00, 0x00); /* DataTableRegion */
	expect_einval(&body, "unsupported AML opcode 0x5b 0x88 at byte offset 36 in ACPI table SSDT9");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x5b, 0x80, 'R', 'E', 'G', '0', 0x00, 'B', 'A', 'S', 'E', 0x0a, 0x10);
	expect_einval(&body, "OperationRegion offset at byte offset 43 in ACPI table SSDT9 names BASE, which is not declared before it");

	/* External (\XMTH, MethodObj, 0): a method, which may take arguments */
	body = (struct aml){ .n = 0 };
	PUT(&body, 0x15, '\\', 'X', 'M', 'T', 'H', 0x08, 0x00);
	PUT(&body, 0x5b, 0x80, 'R', 'E', 'G', '0', 0x00, 0x0a, 0x10, '\\', 'X', 'M', 'T', 'H');
	expect_einval(&body, "OperationRegion length at byte offset 53 in ACPI table SSDT9 names \\XMTH,");

	/* Add (BASE, 0x10, ) as the offset: an expression */
	body = (struct aml){ .n = 0 };
	PUT(&body, 0x08, 'B', 'A', 'S', 'E', 0x00);
	PUT(&body, 0x5b, 0x80, 'R', 'E', 'G', '0', 0x00, 0x72, 'B', 'A', 'S', 'E', 0x0a, 0x10, 0x00, 0x0a, 0x10);
	expect_einval(&body, "OperationRegion offset at byte offset 49 in ACPI table SSDT9 is not an integer constant or a name");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x10, 0x06, '^', 'X', 'X', 'X', 'X');
	expect_einval(&body, "at byte offset 38: a name climbs above the namespace root");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x10, 0x20, '_', 'S', 'B', '_');
	expect_einval(&body, "ACPI table SSDT9 is malformed at byte offset 37: a block of 32 bytes runs past");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x08, '\\', 0x2f, 0x03, '_', 'S', 'B', '_', 'G', 'P', 'U', 'X', '_', 'D', 'S', 'D', 0x00);
	expect_einval(&body, "the _DSD of '\\_SB_.GPUX' in ACPI table SSDT9 (byte offset 37) is not a Package");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x08, 'A', 'b', 'C', 'D', 0x00);
	expect_einval(&body, "byte 0x62 is not allowed in an ACPI name");

	body = (struct aml){ .n = 0 };
	PUT(&body, 0x08, 'S', 'T', 'R', '0', 0x0d, 'a', 'b');
	expect_einval(&body, "a string runs past the end of its enclosing block");
	ctx_free();
}

/* A broken table does not hide a _DSD found in another one; alone, its error is the answer. */
static void test_broken_neighbour(void)
{
	struct ga_acpi_table t[2];
	struct ga_acpi_gpu_mem m;
	struct aml good = { .n = 0 }, broken = { .n = 0 };

	ctx_new();
	PUT(&broken, 0x70, 0x0a, 0x01, 0x60); /* Store (1, Local0) at table level */
	build_names(&good, 0x1234);
	t[0] = mk_table("SSDT1", "SSDT", 2, &broken);
	t[1] = mk_table("SSDT2", "SSDT", 2, &good);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, t, 2, "\\_SB_.GPUX", &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x1234);
	CU_ASSERT_EQUAL(ga_last_error(ctx)->code, 0);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, t, 2, "\\_SB_.OTHR", &m), -EINVAL);
	CU_ASSERT_TRUE(msg_has("unsupported AML opcode 0x70 at byte offset 36 in ACPI table SSDT1"));
	free(t[0].data);
	free(t[1].data);
	ctx_free();
}

static void test_headers(void)
{
	struct ga_acpi_table t;
	struct ga_acpi_gpu_mem m;
	struct aml body = { .n = 0 };

	ctx_new();
	build_names(&body, 1);
	t = mk_table("FACP", "FACP", 2, &body);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), -EINVAL);
	CU_ASSERT_TRUE(msg_has("its signature is 'FACP', not DSDT or SSDT"));
	memcpy(t.data, "SSDT", 4);
	t.data[4]++;
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), -EINVAL);
	CU_ASSERT_TRUE(msg_has("at byte offset 4: its header gives a length of"));
	t.data[4]--;
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), 0);
	t.len = 35;
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, &t, 1, "\\_SB_.GPUX", &m), -EINVAL);
	CU_ASSERT_TRUE(msg_has("35 bytes are shorter than the 36-byte table header"));
	free(t.data);
	ctx_free();
}

/*
 * Every prefix of every fixture: with the header as it was (always -EINVAL)
 * and with the header's length made to match (-EINVAL, or a clean answer:
 * never different values than the whole table gives, never a crash).
 */
static void test_truncations(void)
{
	static const char *const paths[] = { GPU("PC39"), "\\_SB_.PCI9.RP01.DEV1", "\\_SB_.ODDS.DINT" };
	struct ga_acpi_gpu_mem whole, m;
	unsigned einval = 0, ok = 0;

	ctx_new();
	fixtures_load();
	for (size_t f = 0; f < GA_ARRAY_SIZE(fixtures); f++) {
		const struct ga_acpi_table *src = &fixtures[f];
		int r_whole = ga_acpi_find_gpu_mem(ctx, src, 1, paths[f], &whole);

		CU_ASSERT_EQUAL(r_whole, 0);
		for (size_t len = 0; len < src->len; len++) {
			struct ga_acpi_table t = { .len = len };
			int r;

			memcpy(t.name, src->name, sizeof(t.name));
			t.data = malloc(len ? len : 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(t.data);
			memcpy(t.data, src->data, len);
			r = ga_acpi_find_gpu_mem(ctx, &t, 1, paths[f], &m);
			CU_ASSERT_EQUAL(r, -EINVAL);
			if (len >= 8) {
				for (int i = 0; i < 4; i++)
					t.data[4 + i] = (unsigned char)(len >> (8 * i));
				r = ga_acpi_find_gpu_mem(ctx, &t, 1, paths[f], &m);
				CU_ASSERT(r == 0 || r == -EINVAL || r == -ENOENT);
				if (r == 0) {
					ok++;
					CU_ASSERT_EQUAL(memcmp(&m, &whole, sizeof(m)), 0);
				} else {
					einval += r == -EINVAL;
					CU_ASSERT(ga_last_error(ctx)->message[0] != '\0');
				}
			}
			free(t.data);
		}
	}
	/* most prefixes cut a block short; a few end after the wanted _DSD */
	CU_ASSERT(einval > 1000);
	CU_ASSERT(ok > 0);
	fixtures_free();
	ctx_free();
}

/* Every byte of the DSDT flipped three ways: an answer or a message, never a crash. */
static void test_flips(void)
{
	static const unsigned char masks[] = { 0x01, 0x40, 0xff };
	struct ga_acpi_gpu_mem m;
	unsigned changed = 0;

	ctx_new();
	fixtures_load();
	for (size_t pos = 0; pos < fixtures[0].len; pos++) {
		for (size_t k = 0; k < GA_ARRAY_SIZE(masks); k++) {
			int r;

			fixtures[0].data[pos] ^= masks[k];
			r = ga_acpi_find_gpu_mem(ctx, fixtures, 1, GPU("PC29"), &m);
			fixtures[0].data[pos] ^= masks[k];
			CU_ASSERT(r == 0 || r == -EINVAL || r == -ENOENT);
			if (r < 0)
				CU_ASSERT(ga_last_error(ctx)->message[0] != '\0');
			changed += r != 0 || m.base_pa != 0x500000000000 || m.pxm_start != 20;
		}
	}
	CU_ASSERT(changed > 100);
	CU_ASSERT_EQUAL(ga_acpi_find_gpu_mem(ctx, fixtures, 1, GPU("PC29"), &m), 0);
	fixtures_free();
	ctx_free();
}

/* ---- reading the tables from a sysfs tree ---- */

static void write_bin(const char *root, const char *rel, const unsigned char *data, size_t len)
{
	char path[4096];
	int fd;

	test_write_file(root, rel, ""); /* parents */
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static char *tables_root(void)
{
	char *root = test_tmpdir_new();

	fixtures_load();
	write_bin(root, "firmware/acpi/tables/DSDT", fixtures[0].data, fixtures[0].len);
	write_bin(root, "firmware/acpi/tables/SSDT1", fixtures[1].data, fixtures[1].len);
	write_bin(root, "firmware/acpi/tables/SSDT2", fixtures[2].data, fixtures[2].len);
	write_bin(root, "firmware/acpi/tables/FACP", (const unsigned char *)"FACP", 4);
	test_write_file(root, "firmware/acpi/tables/dynamic/.keep", "");
	test_write_file(root, "firmware/acpi/tables/data/BERT", "");
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, root) == 0);
	return root;
}

static void test_read_tables(void)
{
	struct ga_acpi_table *t = NULL;
	struct ga_acpi_gpu_mem m;
	size_t n = 0;
	char *root;

	ctx_new();
	root = tables_root();
	CU_ASSERT_EQUAL_FATAL(ga_acpi_read_tables(ctx, &t, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(t[0].name, "DSDT");
	CU_ASSERT_STRING_EQUAL(t[1].name, "SSDT1");
	CU_ASSERT_STRING_EQUAL(t[2].name, "SSDT2");
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(t[i].len, fixtures[i].len);
		CU_ASSERT_EQUAL(memcmp(t[i].data, fixtures[i].data, t[i].len), 0);
	}
	ga_acpi_tables_free(t, n);
	CU_ASSERT_EQUAL(ga_acpi_gpu_mem(ctx, "\\_SB_.PCI9.RP01.DEV1", &m), 0);
	CU_ASSERT_STRING_EQUAL(m.table, "SSDT1");
	CU_ASSERT_EQUAL(m.pxm_start, 0x24);
	CU_ASSERT_EQUAL(ga_acpi_gpu_mem(ctx, GPU("PC19"), &m), 0);
	CU_ASSERT_EQUAL(m.base_pa, 0x480000000000);
	fixtures_free();
	test_tmpdir_remove(root);
	ctx_free();
}

static int deny_ssdt2(void *data, const char *path)
{
	(void)data;
	return strstr(path, "SSDT2") ? -EACCES : 0;
}

static const struct ga_sysfs_hooks deny_hooks = { .read = deny_ssdt2 };

static void test_read_errors(void)
{
	struct ga_acpi_table *t = (struct ga_acpi_table *)1;
	struct ga_acpi_gpu_mem m;
	size_t n = 7;
	char path[4096];
	char *root;

	ctx_new();
	root = tables_root();
	/* an unreadable table (as a non-root user sees them: mode 0400) */
	ga_sysfs_set_hooks(ctx, &deny_hooks, NULL);
	CU_ASSERT_EQUAL(ga_acpi_read_tables(ctx, &t, &n), -EACCES);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_TRUE(msg_has("/firmware/acpi/tables/SSDT2': reading ACPI tables needs root (run as root)"));
	CU_ASSERT_EQUAL(ga_acpi_gpu_mem(ctx, GPU("PC19"), &m), -EACCES);
	ga_sysfs_set_hooks(ctx, NULL, NULL);
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/firmware/acpi/tables/SSDT1", root);
		CU_ASSERT(chmod(path, 0) == 0);
		CU_ASSERT_EQUAL(ga_acpi_read_tables(ctx, &t, &n), -EACCES);
		CU_ASSERT_TRUE(msg_has("reading ACPI tables needs root"));
		CU_ASSERT(chmod(path, 0400) == 0);
	}

	/* a table over the limit (sparse, so cheap) */
	snprintf(path, sizeof(path), "%s/firmware/acpi/tables/SSDT3", root);
	test_write_file(root, "firmware/acpi/tables/SSDT3", "");
	CU_ASSERT_FATAL(truncate(path, (off_t)GA_ACPI_TABLE_MAX + 1) == 0);
	CU_ASSERT_EQUAL(ga_acpi_read_tables(ctx, &t, &n), -EFBIG);
	CU_ASSERT_TRUE(msg_has("/firmware/acpi/tables/SSDT3': it is larger than 16777216 bytes"));
	CU_ASSERT(unlink(path) == 0);

	/* no DSDT */
	snprintf(path, sizeof(path), "%s/firmware/acpi/tables/DSDT", root);
	CU_ASSERT(unlink(path) == 0);
	CU_ASSERT_EQUAL(ga_acpi_read_tables(ctx, &t, &n), -ENOENT);
	CU_ASSERT_TRUE(msg_has("/firmware/acpi/tables' has no DSDT"));
	fixtures_free();
	test_tmpdir_remove(root);

	/* no directory */
	root = test_tmpdir_new();
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, root) == 0);
	CU_ASSERT_EQUAL(ga_acpi_read_tables(ctx, &t, &n), -ENOENT);
	CU_ASSERT_TRUE(msg_has("no ACPI tables in '"));
	CU_ASSERT_EQUAL(ga_acpi_gpu_mem(ctx, GPU("PC19"), &m), -ENOENT);
	test_tmpdir_remove(root);
	ctx_free();
}

/* ga_sysfs_read_bin: the size limit exactly, and a file whose size stat does not tell. */
static void test_read_bin(void)
{
	unsigned char data[100], *out = NULL;
	size_t len = 0;
	char *root;

	ctx_new();
	root = test_tmpdir_new();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	write_bin(root, "blob", data, sizeof(data));
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(ctx, root) == 0);
	CU_ASSERT_EQUAL_FATAL(ga_sysfs_read_bin(ctx, &out, &len, 100, "%s", "blob"), 0);
	CU_ASSERT_EQUAL(len, 100);
	CU_ASSERT_EQUAL(memcmp(out, data, 100), 0);
	free(out);
	CU_ASSERT_EQUAL(ga_sysfs_read_bin(ctx, &out, &len, 99, "%s", "blob"), -EFBIG);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_TRUE(msg_has("it is larger than 99 bytes"));
	CU_ASSERT_EQUAL(ga_sysfs_read_bin(ctx, &out, &len, 100, "%s", "nope"), -ENOENT);
	CU_ASSERT_TRUE(msg_has("cannot read '"));
	/* /proc files stat as empty: the buffer must grow */
	test_symlink(root, "maps", "/proc/self/maps");
	CU_ASSERT_EQUAL_FATAL(ga_sysfs_read_bin(ctx, &out, &len, GA_ACPI_TABLE_MAX, "%s", "maps"), 0);
	CU_ASSERT(len > 0);
	CU_ASSERT_PTR_NOT_NULL(memchr(out, '\n', len));
	free(out);
	CU_ASSERT_EQUAL(ga_sysfs_read_bin(ctx, &out, &len, 10, "%s", "maps"), -EFBIG);
	test_tmpdir_remove(root);
	ctx_free();
}

static const struct test_case cases[] = {
	{ "quad GH200 DSDT", test_quad },
	{ "exact paths, children and decoys", test_exact_path },
	{ "_DSD added by an SSDT Scope", test_scope_ssdt },
	{ "Method _DSD, other UUID, partial and odd values", test_edge_cases },
	{ "bad device paths", test_bad_paths },
	{ "hand-built name encodings", test_built_names },
	{ "Grace root-port SSDT: region at a patched Name", test_root_port },
	{ "OperationRegion operands that name data objects", test_region_names },
	{ "hand-built malformed and unsupported AML", test_built_errors },
	{ "a broken table next to a good one", test_broken_neighbour },
	{ "table headers", test_headers },
	{ "every truncation", test_truncations },
	{ "flipped bytes", test_flips },
	{ "reading tables from sysfs", test_read_tables },
	{ "read errors: root, size, DSDT, directory", test_read_errors },
	{ "binary reads", test_read_bin },
	{ NULL, NULL },
};

TEST_MAIN("ga-acpi", cases)
