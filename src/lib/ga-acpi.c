// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Static AML walk for a GPU's _DSD (see ga-acpi.h for what is and is not
 * understood). Facts used, from the ACPI specification (6.5, chapter 20,
 * "ACPI Machine Language Specification"):
 *
 * - a table starts with a 36-byte header: signature (4), length (u32 LE,
 *   header included), revision (1), checksum, OEM fields, creator fields;
 * - a PkgLength is 1 to 4 bytes: bits 7-6 of the first byte count the bytes
 *   that follow; with none, bits 5-0 are the length, otherwise bits 3-0 are
 *   its low nibble and each following byte adds 8 more bits above. The length
 *   counts the PkgLength bytes themselves and the rest of the block;
 * - a NameString is '\' or any number of '^', then one 4-character segment,
 *   0x2E and two segments, 0x2F, a count byte and that many segments, or
 *   0x00 (no segment);
 * - the _DSD device-properties UUID is stored as a 16-byte Buffer whose first
 *   three fields are little-endian and last two are in text order.
 *
 * Every read is bounds-checked against the end of the enclosing block, and
 * every failure names the table and byte offset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-acpi.h"
#include "ga-ctx.h"
#include "ga-sysfs.h"

#define HDR_LEN 36
#define SEG_LEN 4
#define MAX_LEVELS 64 /* segments in one absolute path */
#define MAX_NEST 64   /* Scope/Device/... blocks inside each other */

/* The device-properties UUID of the _DSD specification. */
#define DEV_PROPS_UUID "daffd814-6eba-4d8c-8a91-bc9bbf4aa301"

enum {
	OP_ZERO = 0x00, /* also NullName where a name is expected */
	OP_ONE = 0x01,
	OP_ALIAS = 0x06,
	OP_NAME = 0x08,
	OP_BYTE = 0x0a,
	OP_WORD = 0x0b,
	OP_DWORD = 0x0c,
	OP_STRING = 0x0d,
	OP_QWORD = 0x0e,
	OP_SCOPE = 0x10,
	OP_BUFFER = 0x11,
	OP_PACKAGE = 0x12,
	OP_VAR_PACKAGE = 0x13,
	OP_METHOD = 0x14,
	OP_EXTERNAL = 0x15,
	OP_DUAL_NAME = 0x2e,
	OP_MULTI_NAME = 0x2f,
	OP_EXT = 0x5b, /* the second byte picks one of EXT_* */
	OP_ROOT = 0x5c,
	OP_PARENT = 0x5e,
	OP_IF = 0xa0,
	OP_ELSE = 0xa1,
	OP_WHILE = 0xa2,
	OP_NOOP = 0xa3,
	OP_ONES = 0xff,
};

enum {
	EXT_MUTEX = 0x01,
	EXT_EVENT = 0x02,
	EXT_REVISION = 0x30,
	EXT_REGION = 0x80,
	EXT_FIELD = 0x81,
	EXT_DEVICE = 0x82,
	EXT_PROCESSOR = 0x83,
	EXT_POWER_RES = 0x84,
	EXT_THERMAL_ZONE = 0x85,
	EXT_INDEX_FIELD = 0x86,
	EXT_BANK_FIELD = 0x87,
};

/* An absolute namespace path as segments; n == 0 is the root. */
struct ns_path {
	unsigned n;
	char seg[MAX_LEVELS][SEG_LEN];
};

/* A NameString as encoded, before it is resolved against a scope. */
struct aml_name {
	size_t off;           /* where it starts, for messages */
	bool root;
	unsigned up;          /* number of '^' */
	unsigned nseg;
	const unsigned char *seg;
};

/* One table's walk. */
struct walk {
	struct ga_ctx *ctx;
	const char *table;         /* its name, for messages */
	const unsigned char *aml;  /* the whole table */
	const char *path;          /* the device, as the caller spelled it */
	const struct ns_path *target;
	struct ga_acpi_gpu_mem *out;
	bool defined;              /* something defines or opens the target path */
	bool method_dsd;           /* the target's _DSD is a Method here */
	bool found;                /* the target's static _DSD was read: stop */
	struct ns_path *objs;      /* data objects declared so far: Name, External of a non-method */
	size_t nobjs, cap;
};

static int bad(struct walk *w, size_t off, const char *fmt, ...) GA_PRINTF(3, 4);
static int bad(struct walk *w, size_t off, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ga_report(w->ctx, -EINVAL,
			 "ACPI table %.16s is malformed at byte offset %zu: %s (a static AML reader cannot use it)",
			 w->table, off, what);
}

static int unsupported(struct walk *w, size_t off)
{
	if (w->aml[off] == OP_EXT)
		return ga_report(w->ctx, -EINVAL,
				 "unsupported AML opcode 0x5b 0x%02x at byte offset %zu in ACPI table %.16s (a static reader only skips declarations)",
				 w->aml[off + 1], off, w->table);
	return ga_report(w->ctx, -EINVAL,
			 "unsupported AML opcode 0x%02x at byte offset %zu in ACPI table %.16s (a static reader only skips declarations)",
			 w->aml[off], off, w->table);
}

static int past_end(struct walk *w, size_t off, const char *what)
{
	return bad(w, off, "%s runs past the end of its enclosing block", what);
}

/* A PkgLength at *pos: *blk_end is where its block ends (within end), *pos moves past it. */
static int pkg_length(struct walk *w, size_t *pos, size_t end, size_t *blk_end)
{
	size_t start = *pos, len;
	unsigned extra;

	if (start >= end)
		return past_end(w, start, "a block length");
	extra = w->aml[start] >> 6;
	if (end - start < 1 + (size_t)extra)
		return past_end(w, start, "a block length");
	if (extra == 0) {
		len = w->aml[start] & 0x3f;
	} else {
		len = w->aml[start] & 0x0f;
		for (unsigned i = 1; i <= extra; i++)
			len |= (size_t)w->aml[start + i] << (8 * i - 4);
	}
	if (len < 1 + (size_t)extra)
		return bad(w, start, "a block length of %zu is shorter than its own encoding", len);
	if (len > end - start)
		return bad(w, start, "a block of %zu bytes runs past the end of its enclosing block (%zu bytes left)",
			   len, end - start);
	*blk_end = start + len;
	*pos = start + 1 + extra;
	return 0;
}

static bool lead_char(unsigned c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(unsigned c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

static bool starts_name(unsigned c)
{
	return lead_char(c) || c == OP_ROOT || c == OP_PARENT || c == OP_DUAL_NAME || c == OP_MULTI_NAME;
}

static int name_string(struct walk *w, size_t *pos, size_t end, struct aml_name *nm)
{
	size_t p = *pos;

	*nm = (struct aml_name){ .off = p };
	if (p < end && w->aml[p] == OP_ROOT) {
		nm->root = true;
		p++;
	} else {
		while (p < end && w->aml[p] == OP_PARENT) {
			nm->up++;
			p++;
		}
	}
	if (p >= end)
		return past_end(w, nm->off, "a name");
	switch (w->aml[p]) {
	case OP_ZERO:
		p++;
		break;
	case OP_DUAL_NAME:
		nm->nseg = 2;
		p++;
		break;
	case OP_MULTI_NAME:
		if (end - p < 2)
			return past_end(w, nm->off, "a name");
		nm->nseg = w->aml[p + 1];
		p += 2;
		break;
	default:
		if (!lead_char(w->aml[p]))
			return bad(w, p, "expected a name, found byte 0x%02x", w->aml[p]);
		nm->nseg = 1;
		break;
	}
	if ((end - p) / SEG_LEN < nm->nseg)
		return past_end(w, nm->off, "a name");
	for (size_t i = 0; i < (size_t)nm->nseg * SEG_LEN; i++) {
		unsigned c = w->aml[p + i];

		if (i % SEG_LEN == 0 ? !lead_char(c) : !name_char(c))
			return bad(w, p + i, "byte 0x%02x is not allowed in an ACPI name", c);
	}
	nm->seg = w->aml + p;
	*pos = p + (size_t)nm->nseg * SEG_LEN;
	return 0;
}

/* A NameString as ASL spells it ("\\_SB_.RP00", "^ADDR"), cut to fit size. */
static const char *name_text(const struct aml_name *nm, char *buf, size_t size)
{
	size_t n = 0;

	if (nm->root && n + 1 < size)
		buf[n++] = '\\';
	for (unsigned i = 0; i < nm->up && n + 1 < size; i++)
		buf[n++] = '^';
	for (unsigned i = 0; i < nm->nseg && n + SEG_LEN + 1 < size; i++) {
		if (i)
			buf[n++] = '.';
		memcpy(buf + n, nm->seg + (size_t)i * SEG_LEN, SEG_LEN);
		n += SEG_LEN;
	}
	buf[n] = '\0';
	return buf;
}

/* Where a name defined in scope lands. */
static int name_resolve(struct walk *w, const struct ns_path *scope, const struct aml_name *nm,
			struct ns_path *out)
{
	out->n = 0;
	if (!nm->root) {
		if (nm->up > scope->n)
			return bad(w, nm->off, "a name climbs above the namespace root");
		out->n = scope->n - nm->up;
		memcpy(out->seg, scope->seg, (size_t)out->n * SEG_LEN);
	}
	if (nm->nseg > MAX_LEVELS - out->n)
		return bad(w, nm->off, "a name is nested deeper than %d levels", MAX_LEVELS);
	if (nm->nseg)
		memcpy(out->seg[out->n], nm->seg, (size_t)nm->nseg * SEG_LEN);
	out->n += nm->nseg;
	return 0;
}

static bool path_equal(const struct ns_path *a, const struct ns_path *b)
{
	return a->n == b->n && !memcmp(a->seg, b->seg, (size_t)a->n * SEG_LEN);
}

/* Whether path is <target>.<seg>. */
static bool is_child(const struct ns_path *path, const struct ns_path *target, const char *seg)
{
	return path->n == target->n + 1 && !memcmp(path->seg, target->seg, (size_t)target->n * SEG_LEN) &&
	       !memcmp(path->seg[target->n], seg, SEG_LEN);
}

/* An integer constant at *pos: 1 with its value, 0 (nothing consumed) when something else is there. */
static int int_const(struct walk *w, size_t *pos, size_t end, uint64_t *v)
{
	size_t p = *pos, width;

	if (p >= end)
		return past_end(w, p, "an object");
	switch (w->aml[p]) {
	case OP_ZERO:
		*v = 0;
		*pos = p + 1;
		return 1;
	case OP_ONE:
		*v = 1;
		*pos = p + 1;
		return 1;
	case OP_ONES:
		*v = UINT64_MAX;
		*pos = p + 1;
		return 1;
	case OP_BYTE:
		width = 1;
		break;
	case OP_WORD:
		width = 2;
		break;
	case OP_DWORD:
		width = 4;
		break;
	case OP_QWORD:
		width = 8;
		break;
	default:
		return 0;
	}
	if (end - p - 1 < width)
		return past_end(w, p, "an integer");
	*v = 0;
	for (size_t i = width; i-- > 0;)
		*v = *v << 8 | w->aml[p + 1 + i];
	*pos = p + 1 + width;
	return 1;
}

/* A String object at *pos (OP_STRING checked by the caller): its text, up to its NUL. */
static int string_obj(struct walk *w, size_t *pos, size_t end, const char **text, size_t *len)
{
	const unsigned char *nul;
	size_t p = *pos + 1;

	nul = p < end ? memchr(w->aml + p, '\0', end - p) : NULL;
	if (!nul)
		return past_end(w, *pos, "a string");
	*text = (const char *)w->aml + p;
	*len = (size_t)(nul - (w->aml + p));
	*pos = (size_t)(nul - w->aml) + 1;
	return 0;
}

/* Skip a DataObject: integer, String, Buffer, Package, VarPackage or Revision. */
static int skip_data(struct walk *w, size_t *pos, size_t end)
{
	size_t p = *pos, blk_end;
	const char *text;
	uint64_t v;
	size_t len;
	int r;

	r = int_const(w, pos, end, &v);
	if (r != 0)
		return r < 0 ? r : 0;
	switch (w->aml[p]) {
	case OP_STRING:
		return string_obj(w, pos, end, &text, &len);
	case OP_BUFFER:
	case OP_PACKAGE:
	case OP_VAR_PACKAGE:
		p++;
		r = pkg_length(w, &p, end, &blk_end);
		if (r < 0)
			return r;
		*pos = blk_end;
		return 0;
	case OP_EXT:
		if (end - p >= 2 && w->aml[p + 1] == EXT_REVISION) {
			*pos = p + 2;
			return 0;
		}
		if (end - p < 2)
			return past_end(w, p, "an object");
		return unsupported(w, p);
	default:
		return unsupported(w, p);
	}
}

/* Skip one package element: a DataObject or a name (a reference to another object). */
static int skip_element(struct walk *w, size_t *pos, size_t end)
{
	struct aml_name nm;

	if (*pos < end && starts_name(w->aml[*pos]))
		return name_string(w, pos, end, &nm);
	return skip_data(w, pos, end);
}

/* Enter a Package or VarPackage at *pos: *pos moves to its first element, *blk_end is after its last. */
static int package_enter(struct walk *w, size_t *pos, size_t end, size_t *blk_end)
{
	size_t p = *pos + 1;
	uint64_t count;
	int r;

	r = pkg_length(w, &p, end, blk_end);
	if (r < 0)
		return r;
	if (w->aml[*pos] == OP_PACKAGE) {
		if (p >= *blk_end)
			return past_end(w, p, "a package's element count");
		p++;
	} else {
		r = int_const(w, &p, *blk_end, &count);
		if (r < 0)
			return r;
		if (r == 0)
			return bad(w, p, "a VarPackage's element count is not an integer constant");
	}
	*pos = p;
	return 0;
}

static bool is_package(struct walk *w, size_t pos, size_t end)
{
	return pos < end && (w->aml[pos] == OP_PACKAGE || w->aml[pos] == OP_VAR_PACKAGE);
}

/* The 16 bytes ToUUID() stores for a UUID in text form (first three fields little-endian). */
static void uuid_to_acpi(const char *text, unsigned char out[16])
{
	/* out[i] takes the text's byte at this index */
	static const unsigned char order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned char raw[16];
	size_t n = 0;

	for (const char *c = text; *c && n < 32; c++) {
		unsigned nib;

		if (*c == '-')
			continue;
		nib = *c <= '9' ? (unsigned)(*c - '0') : (unsigned)(*c - 'a' + 10);
		if (n % 2 == 0)
			raw[n / 2] = (unsigned char)(nib << 4);
		else
			raw[n / 2] |= (unsigned char)nib;
		n++;
	}
	for (size_t i = 0; i < 16; i++)
		out[i] = raw[order[i]];
}

/* One element at the UUID place of a _DSD: whether it is the device-properties UUID. */
static int read_uuid(struct walk *w, size_t *pos, size_t end, bool *is_props)
{
	unsigned char want[16];
	size_t p = *pos, blk_end;
	uint64_t size;
	int r;

	*is_props = false;
	if (w->aml[p] != OP_BUFFER)
		return skip_element(w, pos, end);
	p++;
	r = pkg_length(w, &p, end, &blk_end);
	if (r < 0)
		return r;
	r = int_const(w, &p, blk_end, &size);
	if (r < 0)
		return r;
	uuid_to_acpi(DEV_PROPS_UUID, want);
	*is_props = r == 1 && size == 16 && blk_end - p == 16 && !memcmp(w->aml + p, want, 16);
	*pos = blk_end;
	return 0;
}

static bool key_is(const char *key, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(key, name, len);
}

/* Where a property goes, or false when we do not want it. */
static bool prop_slot(struct ga_acpi_gpu_mem *m, const char *key, size_t len, bool **has, uint64_t **val)
{
	if (key_is(key, len, "nvidia,gpu-mem-base-pa")) {
		*has = &m->has_base;
		*val = &m->base_pa;
	} else if (key_is(key, len, "nvidia,gpu-mem-size")) {
		*has = &m->has_size;
		*val = &m->size;
	} else if (key_is(key, len, "nvidia,gpu-mem-pxm-start")) {
		*has = &m->has_pxm_start;
		*val = &m->pxm_start;
	} else if (key_is(key, len, "nvidia,gpu-mem-pxm-count")) {
		*has = &m->has_pxm_count;
		*val = &m->pxm_count;
	} else {
		return false;
	}
	return true;
}

/* One property: Package () { "key", value }. Unknown keys and other shapes are passed over. */
static int read_property(struct walk *w, size_t *pos, size_t end)
{
	size_t p = *pos, blk_end, keylen;
	const char *key;
	uint64_t *val, v;
	bool *has;
	int r;

	r = package_enter(w, &p, end, &blk_end);
	if (r < 0)
		return r;
	*pos = blk_end;
	if (p >= blk_end || w->aml[p] != OP_STRING)
		return 0;
	r = string_obj(w, &p, blk_end, &key, &keylen);
	if (r < 0)
		return r;
	if (!prop_slot(w->out, key, keylen, &has, &val) || p >= blk_end)
		return 0;
	r = int_const(w, &p, blk_end, &v);
	if (r < 0)
		return r;
	if (r == 0) {
		ga_info(w->ctx, "ACPI table %.16s: property '%.*s' of '%s' is not an integer: ignored", w->table,
			(int)keylen, key, w->path);
		return 0;
	}
	if (!*has) {
		*has = true;
		*val = v;
	}
	return 0;
}

/* The package that follows the device-properties UUID: a list of properties. */
static int read_props(struct walk *w, size_t *pos, size_t end)
{
	size_t p = *pos, blk_end;
	int r;

	r = package_enter(w, &p, end, &blk_end);
	while (r == 0 && p < blk_end)
		r = is_package(w, p, blk_end) ? read_property(w, &p, blk_end) : skip_element(w, &p, blk_end);
	*pos = blk_end;
	return r;
}

/* Name (_DSD, Package () { UUID, Package () {...}, UUID, ... }) of the target; at *pos is the object. */
static int read_dsd(struct walk *w, size_t *pos, size_t end, size_t name_off)
{
	size_t p = *pos, blk_end;
	bool props = false;
	unsigned idx = 0;
	int r;

	if (p >= end)
		return past_end(w, p, "the _DSD object");
	if (!is_package(w, p, end))
		return ga_report(w->ctx, -EINVAL,
				 "the _DSD of '%s' in ACPI table %.16s (byte offset %zu) is not a Package (the firmware's _DSD is malformed)",
				 w->path, w->table, name_off);
	r = package_enter(w, &p, end, &blk_end);
	for (; r == 0 && p < blk_end; idx++) {
		if (idx % 2 == 0) {
			r = read_uuid(w, &p, blk_end, &props);
		} else if (props && is_package(w, p, blk_end)) {
			w->out->has_dev_props = true;
			r = read_props(w, &p, blk_end);
		} else {
			r = skip_element(w, &p, blk_end);
		}
	}
	if (r < 0)
		return r;
	*pos = blk_end;
	w->found = true;
	return 0;
}

static int walk_terms(struct walk *w, const struct ns_path *scope, size_t pos, size_t end, unsigned nest);

/* The head of Scope, Device, Method and the like: PkgLength, then the name it defines. */
/* A NameString at *pos and where it lands in scope. */
static int name_at(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end, struct aml_name *nm,
		   struct ns_path *path)
{
	int r = name_string(w, pos, end, nm);

	return r < 0 ? r : name_resolve(w, scope, nm, path);
}

static int block_head(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end, size_t *blk_end,
		      struct ns_path *path)
{
	struct aml_name nm;
	int r = pkg_length(w, pos, end, blk_end);

	return r < 0 ? r : name_at(w, scope, pos, *blk_end, &nm, path);
}

/* A block that opens a scope: PkgLength, name, skip bytes of fixed operands, then a term list. */
static int enter_block(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end, size_t fixed,
		       unsigned nest)
{
	struct ns_path inner;
	size_t blk_end;
	int r;

	r = block_head(w, scope, pos, end, &blk_end, &inner);
	if (r < 0)
		return r;
	if (blk_end - *pos < fixed)
		return past_end(w, *pos, "a block's operands");
	if (path_equal(&inner, w->target))
		w->defined = true;
	r = walk_terms(w, &inner, *pos + fixed, blk_end, nest + 1);
	*pos = blk_end;
	return r;
}

/* Skip a block by its PkgLength (the opcode is already consumed). */
static int skip_block(struct walk *w, size_t *pos, size_t end)
{
	size_t blk_end;
	int r = pkg_length(w, pos, end, &blk_end);

	if (r == 0)
		*pos = blk_end;
	return r;
}

/* A name operand, optionally followed by fixed bytes. */
static int skip_name(struct walk *w, size_t *pos, size_t end, size_t fixed)
{
	struct aml_name nm;
	int r = name_string(w, pos, end, &nm);

	if (r < 0)
		return r;
	if (end - *pos < fixed)
		return past_end(w, *pos, "an object's operands");
	*pos += fixed;
	return 0;
}

/* Remember a data object declared at path, for the operands that name it. */
static int note_object(struct walk *w, const struct ns_path *path)
{
	if (w->nobjs == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct ns_path *grown = reallocarray(w->objs, cap, sizeof(*grown));

		if (!grown)
			return ga_report(w->ctx, -ENOMEM, "out of memory");
		w->objs = grown;
		w->cap = cap;
	}
	w->objs[w->nobjs++] = *path;
	return 0;
}

static bool object_known(const struct walk *w, const struct ns_path *path)
{
	for (size_t i = 0; i < w->nobjs; i++)
		if (path_equal(&w->objs[i], path))
			return true;
	return false;
}

/*
 * Whether a name used in scope refers to a data object declared before it.
 * A bare one-segment name is looked up in scope and then in each enclosing
 * scope up to the root (the ACPI search rule); any other name is exact.
 */
static bool reference_known(struct walk *w, const struct ns_path *scope, const struct aml_name *nm)
{
	struct ns_path path;

	if (nm->root || nm->up || nm->nseg != 1) {
		if (name_resolve(w, scope, nm, &path) < 0) {
			ga_clear_error(w->ctx);
			return false;
		}
		return object_known(w, &path);
	}
	for (unsigned n = scope->n + 1; n-- > 0;) {
		if (n >= MAX_LEVELS)
			continue;
		path.n = n + 1;
		memcpy(path.seg, scope->seg, (size_t)n * SEG_LEN);
		memcpy(path.seg[n], nm->seg, SEG_LEN);
		if (object_known(w, &path))
			return true;
	}
	return false;
}

/* Name (X, data): read it when it is the target's _DSD, skip it otherwise. */
static int do_name(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end)
{
	struct ns_path path;
	struct aml_name nm;
	int r;

	r = name_at(w, scope, pos, end, &nm, &path);
	if (r < 0)
		return r;
	if (is_child(&path, w->target, "_DSD")) {
		w->defined = true;
		return read_dsd(w, pos, end, nm.off);
	}
	r = note_object(w, &path);
	return r < 0 ? r : skip_data(w, pos, end);
}

/* External (X, type, argument count): a declaration; one that is not a method can be an operand. */
static int do_external(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end)
{
	enum { METHOD_OBJ = 8 };
	struct ns_path path;
	struct aml_name nm;
	int r;

	r = name_at(w, scope, pos, end, &nm, &path);
	if (r < 0)
		return r;
	if (end - *pos < 2)
		return past_end(w, *pos, "an object's operands");
	if (w->aml[*pos] != METHOD_OBJ)
		r = note_object(w, &path);
	*pos += 2;
	return r;
}

static int do_method(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end)
{
	struct ns_path path;
	size_t blk_end;
	int r;

	r = block_head(w, scope, pos, end, &blk_end, &path);
	if (r < 0)
		return r;
	if (is_child(&path, w->target, "_DSD"))
		w->defined = w->method_dsd = true;
	*pos = blk_end;
	return 0;
}

/*
 * An OperationRegion's offset or length: an integer constant, or the name of
 * a data object declared before it (firmware often keeps a region's base in
 * a Name it patches at boot). A name we have not seen could be a method call
 * whose arguments follow, which a reader that evaluates nothing cannot skip.
 */
static int region_operand(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end, const char *what)
{
	size_t at = *pos;
	struct aml_name nm;
	uint64_t v;
	int r;

	r = int_const(w, pos, end, &v);
	if (r != 0)
		return r < 0 ? r : 0;
	if (!starts_name(w->aml[at]))
		return ga_report(w->ctx, -EINVAL,
				 "OperationRegion %s at byte offset %zu in ACPI table %.16s is not an integer constant or a name (a static reader cannot evaluate it)",
				 what, at, w->table);
	r = name_string(w, pos, end, &nm);
	if (r < 0)
		return r;
	if (!reference_known(w, scope, &nm)) {
		char text[MAX_LEVELS * (SEG_LEN + 1) + 2];

		return ga_report(w->ctx, -EINVAL,
				 "OperationRegion %s at byte offset %zu in ACPI table %.16s names %s, which is not declared before it by a Name or a non-method External (a static reader cannot tell a method call from a value)",
				 what, at, w->table, name_text(&nm, text, sizeof(text)));
	}
	return 0;
}

/* OperationRegion (name, space, offset, length). */
static int do_region(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end)
{
	int r;

	r = skip_name(w, pos, end, 1);
	if (r == 0)
		r = region_operand(w, scope, pos, end, "offset");
	if (r == 0)
		r = region_operand(w, scope, pos, end, "length");
	return r;
}

static int walk_ext(struct walk *w, const struct ns_path *scope, size_t *pos, size_t end, unsigned nest)
{
	size_t at = *pos - 1;

	if (*pos >= end)
		return past_end(w, at, "an opcode");
	switch (w->aml[(*pos)++]) {
	case EXT_MUTEX:
		return skip_name(w, pos, end, 1);
	case EXT_EVENT:
		return skip_name(w, pos, end, 0);
	case EXT_REGION:
		return do_region(w, scope, pos, end);
	case EXT_FIELD:
	case EXT_INDEX_FIELD:
	case EXT_BANK_FIELD:
		return skip_block(w, pos, end);
	case EXT_DEVICE:
	case EXT_THERMAL_ZONE:
		return enter_block(w, scope, pos, end, 0, nest);
	case EXT_PROCESSOR: /* ProcID (1), PblkAddr (4), PblkLen (1) */
		return enter_block(w, scope, pos, end, 6, nest);
	case EXT_POWER_RES: /* SystemLevel (1), ResourceOrder (2) */
		return enter_block(w, scope, pos, end, 3, nest);
	default:
		return unsupported(w, at);
	}
}

/* A term list at namespace level, between pos and end, inside scope. */
static int walk_terms(struct walk *w, const struct ns_path *scope, size_t pos, size_t end, unsigned nest)
{
	int r = 0;

	if (nest > MAX_NEST)
		return bad(w, pos, "blocks are nested deeper than %d levels", MAX_NEST);
	while (r == 0 && pos < end && !w->found) {
		size_t at = pos;

		switch (w->aml[pos++]) {
		case OP_SCOPE:
			r = enter_block(w, scope, &pos, end, 0, nest);
			break;
		case OP_NAME:
			r = do_name(w, scope, &pos, end);
			break;
		case OP_METHOD:
			r = do_method(w, scope, &pos, end);
			break;
		case OP_IF:
		case OP_ELSE:
		case OP_WHILE:
		case OP_BUFFER:
		case OP_PACKAGE:
		case OP_VAR_PACKAGE:
			r = skip_block(w, &pos, end);
			break;
		case OP_EXTERNAL:
			r = do_external(w, scope, &pos, end);
			break;
		case OP_ALIAS:
			r = skip_name(w, &pos, end, 0);
			if (r == 0)
				r = skip_name(w, &pos, end, 0);
			break;
		case OP_NOOP:
			break;
		case OP_EXT:
			r = walk_ext(w, scope, &pos, end, nest);
			break;
		default:
			r = unsupported(w, at);
			break;
		}
	}
	return r;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int walk_table(struct walk *w, const struct ga_acpi_table *t)
{
	const struct ns_path root = { .n = 0 };
	char sig[5];
	uint32_t len;

	if (!t->data || t->len < HDR_LEN)
		return ga_report(w->ctx, -EINVAL,
				 "ACPI table %.16s is malformed at byte offset 0: %zu bytes are shorter than the %d-byte table header (a static AML reader cannot use it)",
				 t->name, t->data ? t->len : 0, HDR_LEN);
	if (memcmp(t->data, "DSDT", 4) && memcmp(t->data, "SSDT", 4)) {
		for (int i = 0; i < 4; i++)
			sig[i] = t->data[i] >= 0x20 && t->data[i] < 0x7f ? (char)t->data[i] : '?';
		sig[4] = '\0';
		return ga_report(w->ctx, -EINVAL,
				 "ACPI table %.16s is malformed at byte offset 0: its signature is '%s', not DSDT or SSDT (only AML tables can be searched)",
				 t->name, sig);
	}
	len = le32(t->data + 4);
	if (len != t->len)
		return bad(w, 4, "its header gives a length of %u bytes but the table has %zu (truncated or corrupt copy?)",
			   len, t->len);
	return walk_terms(w, &root, HDR_LEN, len, 0);
}

/* "\_SB_.PCI9.GPU0" as segments; shorter segments are padded with '_' as ACPI does. */
static int path_parse(struct ga_ctx *ctx, const char *path, struct ns_path *out)
{
	const char *p = path;

	out->n = 0;
	if (!path || *p != '\\')
		goto invalid;
	for (p++; *p;) {
		size_t k = strcspn(p, ".");

		if (k == 0 || k > SEG_LEN || out->n == MAX_LEVELS || !lead_char((unsigned char)p[0]))
			goto invalid;
		memset(out->seg[out->n], '_', SEG_LEN);
		for (size_t i = 0; i < k; i++) {
			if (!name_char((unsigned char)p[i]))
				goto invalid;
			out->seg[out->n][i] = p[i];
		}
		out->n++;
		p += k;
		if (*p == '.' && !*++p)
			goto invalid;
	}
	if (out->n == 0)
		goto invalid;
	return 0;
invalid:
	return ga_report(ctx, -EINVAL,
			 "'%s' is not an absolute ACPI device path (expected the form of firmware_node/path, e.g. '\\_SB_.PCI9.GPU0')",
			 path ? path : "(null)");
}

/*
 * The revision that decides the integer width: ACPICA takes it from the DSDT
 * for every table it loads; without a DSDT among tables, the table's own.
 */
static uint8_t width_revision(const struct ga_acpi_table *tables, size_t ntables, const struct ga_acpi_table *found)
{
	for (size_t i = 0; i < ntables; i++)
		if (tables[i].len > 8 && !memcmp(tables[i].data, "DSDT", 4))
			return tables[i].data[8];
	return found->data[8];
}

int ga_acpi_find_gpu_mem(struct ga_ctx *ctx, const struct ga_acpi_table *tables, size_t ntables,
			 const char *path, struct ga_acpi_gpu_mem *out)
{
	struct ga_error first_err = { .code = 0 };
	const char *method_table = NULL;
	struct ns_path target;
	bool defined = false;
	int r;

	memset(out, 0, sizeof(*out));
	r = path_parse(ctx, path, &target);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ntables; i++) {
		struct walk w = {
			.ctx = ctx, .table = tables[i].name, .aml = tables[i].data,
			.path = path, .target = &target, .out = out,
		};

		r = walk_table(&w, &tables[i]);
		free(w.objs);
		defined |= w.defined;
		if (w.method_dsd && !method_table)
			method_table = tables[i].name;
		if (r < 0) {
			/* the _DSD may still be in another table: keep the first failure for later */
			if (!first_err.code)
				first_err = *ga_last_error(ctx);
			memset(out, 0, sizeof(*out));
			continue;
		}
		if (!w.found)
			continue;
		snprintf(out->table, sizeof(out->table), "%.15s", tables[i].name);
		out->table_revision = width_revision(tables, ntables, &tables[i]);
		out->ints_32bit = out->table_revision < 2;
		if (first_err.code) {
			ga_info(ctx, "%s (the _DSD of '%s' was found in %s all the same)", first_err.message, path,
				out->table);
			ga_clear_error(ctx);
		}
		if (out->ints_32bit && ((out->has_base && out->base_pa > UINT32_MAX) ||
					(out->has_size && out->size > UINT32_MAX)))
			ga_warn(ctx, "ACPI table %s has revision %u, so the kernel sees only the low 32 bits of the _DSD integers of '%s'",
				out->table, out->table_revision, path);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (method_table)
		return ga_report(ctx, -ENOENT,
				 "the _DSD of ACPI device '%s' in %.16s is a Method, not a static package (it cannot be read without evaluating AML)",
				 path, method_table);
	if (first_err.code)
		return ga_report(ctx, first_err.code, "%s", first_err.message);
	if (defined)
		return ga_report(ctx, -ENOENT,
				 "ACPI device '%s' has no _DSD in any of the %zu ACPI tables (the firmware gives it no GPU memory properties)",
				 path, ntables);
	return ga_report(ctx, -ENOENT,
			 "no ACPI table defines device '%s' (searched %zu tables; check the device's firmware_node/path)",
			 path, ntables);
}

void ga_acpi_tables_free(struct ga_acpi_table *tables, size_t ntables)
{
	if (!tables)
		return;
	for (size_t i = 0; i < ntables; i++)
		free(tables[i].data);
	free(tables);
}

static int needs_root(struct ga_ctx *ctx, int code, const char *name)
{
	return ga_report(ctx, code, "cannot read '%s/" GA_SYSFS_ACPI_TABLES "%s%s': reading ACPI tables needs root (run as root)",
			 ga_ctx_get_sysfs_root(ctx), name ? "/" : "", name ? name : "");
}

static int read_table(struct ga_ctx *ctx, const char *name, struct ga_acpi_table *t)
{
	int r;

	snprintf(t->name, sizeof(t->name), "%s", name);
	r = ga_sysfs_read_bin(ctx, &t->data, &t->len, GA_ACPI_TABLE_MAX, GA_SYSFS_ACPI_TABLES "/%s", name);
	if (r == -EACCES || r == -EPERM)
		return needs_root(ctx, r, name);
	return r;
}

static bool is_ssdt(const char *name)
{
	return !strncmp(name, "SSDT", 4) && strlen(name) < sizeof(((struct ga_acpi_table *)NULL)->name);
}

int ga_acpi_read_tables(struct ga_ctx *ctx, struct ga_acpi_table **tables, size_t *ntables)
{
	_cleanup_strv_ char **names = NULL;
	struct ga_acpi_table *t;
	bool has_dsdt = false;
	size_t count = 0, n = 0;
	int r;

	*tables = NULL;
	*ntables = 0;
	r = ga_sysfs_list(ctx, &names, GA_SYSFS_ACPI_TABLES);
	if (r == -ENOENT || r == -ENOTDIR)
		return ga_report(ctx, -ENOENT,
				 "no ACPI tables in '%s/" GA_SYSFS_ACPI_TABLES "' (not an ACPI host, or the kernel does not export its tables)",
				 ga_ctx_get_sysfs_root(ctx));
	if (r == -EACCES || r == -EPERM)
		return needs_root(ctx, r, NULL);
	if (r < 0)
		return r;
	for (char **s = names; *s; s++) {
		has_dsdt |= !strcmp(*s, "DSDT");
		count += is_ssdt(*s);
	}
	if (!has_dsdt)
		return ga_report(ctx, -ENOENT,
				 "'%s/" GA_SYSFS_ACPI_TABLES "' has no DSDT (the firmware's AML tables are not exported)",
				 ga_ctx_get_sysfs_root(ctx));
	t = calloc(count + 1, sizeof(*t));
	if (!t)
		return ga_report(ctx, -ENOMEM, "out of memory");
	r = read_table(ctx, "DSDT", &t[n++]);
	for (char **s = names; r == 0 && *s; s++)
		if (is_ssdt(*s))
			r = read_table(ctx, *s, &t[n++]);
	if (r < 0) {
		ga_acpi_tables_free(t, n);
		return r;
	}
	*tables = t;
	*ntables = n;
	return 0;
}

int ga_acpi_gpu_mem(struct ga_ctx *ctx, const char *path, struct ga_acpi_gpu_mem *out)
{
	struct ga_acpi_table *tables;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	r = ga_acpi_read_tables(ctx, &tables, &n);
	if (r < 0)
		return r;
	r = ga_acpi_find_gpu_mem(ctx, tables, n, path, out);
	ga_acpi_tables_free(tables, n);
	return r;
}
