// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-journal.h"
#include "ga-statefile.h"

bool ga_driver_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strlen(name);
	if (len == 0 || len >= GA_DRIVER_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

void ga_bindings_clear(struct ga_bindings *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

struct ga_binding *ga_bindings_find(const struct ga_bindings *b, const struct ga_pci_addr *addr)
{
	for (size_t i = 0; i < b->n; i++)
		if (ga_pci_addr_equal(&b->v[i].addr, addr))
			return &b->v[i];
	return NULL;
}

int ga_bindings_put(struct ga_ctx *ctx, struct ga_bindings *b, const struct ga_binding *rec)
{
	struct ga_binding *old = ga_bindings_find(b, &rec->addr), *grown;
	size_t i;

	if (old) {
		*old = *rec;
		return 0;
	}
	grown = realloc(b->v, (b->n + 1) * sizeof(*grown));
	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	b->v = grown;
	/* keep them sorted by address */
	for (i = b->n; i > 0 && ga_pci_addr_cmp(&b->v[i - 1].addr, &rec->addr) > 0; i--)
		b->v[i] = b->v[i - 1];
	b->v[i] = *rec;
	b->n++;
	return 0;
}

void ga_bindings_del(struct ga_bindings *b, const struct ga_pci_addr *addr)
{
	for (size_t i = 0; i < b->n; i++) {
		if (ga_pci_addr_equal(&b->v[i].addr, addr)) {
			memmove(&b->v[i], &b->v[i + 1], (b->n - i - 1) * sizeof(*b->v));
			b->n--;
			return;
		}
	}
}

/* "-" stands for "none" in the files. */
static const char *none_dash(const char *s)
{
	return *s ? s : "-";
}

/* Copy a driver-name value: "-" is none, anything else must be a valid name. */
static bool take_name(const char *val, char out[GA_DRIVER_NAME_MAX])
{
	if (!strcmp(val, "-")) {
		out[0] = '\0';
		return true;
	}
	if (!ga_driver_name_valid(val))
		return false;
	snprintf(out, GA_DRIVER_NAME_MAX, "%s", val);
	return true;
}

static bool take_ll(const char *val, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(val, &end, 10);
	return !errno && end != val && *end == '\0' && *out >= 0;
}

/*
 * Free text in a word (an owner, a directory): bytes outside this set are
 * written %XX, and a lone "-" is "%2D" because "-" means none.
 */
static bool plain_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("_.:@+/-", c));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a word written by sb_encoded(); "-" is "". False if malformed, a NUL or longer than size - 1. */
static bool decode(const char *val, char *out, size_t size)
{
	size_t n = 0;

	if (!strcmp(val, "-")) {
		out[0] = '\0';
		return true;
	}
	for (const char *p = val; *p; p++) {
		int c = (unsigned char)*p;

		if (*p == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return false;
			c = hi * 16 + lo;
			p += 2;
		} else if (!plain_byte((unsigned char)c)) {
			return false;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n > 0;
}

/* A directory to write to on repair: absolute, as ga_dir_open() wants it (the one it was read from). */
static bool dir_valid(const char *dir)
{
	return dir[0] == '/';
}

/*
 * Split one line into words; a word "key=value" is looked up with get().
 * A line longer than LINE_MAX_LEN is not ours.
 */
#define MAX_WORDS 16
#define LINE_MAX_LEN 16384
struct words {
	char *buf;
	char *w[MAX_WORDS];
	size_t n;
};

static bool split_line(const char *line, size_t len, struct words *out)
{
	char *save = NULL, *tok;

	out->n = 0;
	if (len >= LINE_MAX_LEN || !(out->buf = strndup(line, len)))
		return false;
	for (tok = strtok_r(out->buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (out->n == MAX_WORDS)
			return false;
		out->w[out->n++] = tok;
	}
	return true;
}

static const char *get(const struct words *w, size_t from, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = from; i < w->n; i++)
		if (!strncmp(w->w[i], key, klen) && w->w[i][klen] == '=')
			return w->w[i] + klen + 1;
	return NULL;
}

/* Parse the binding fields of a line, keys prefixed by `prefix`, after word `from`. */
static bool parse_binding_fields(const struct words *w, size_t from, const char *prefix, unsigned version,
				 struct ga_binding *rec)
{
	char key[32];
	const char *v;

	snprintf(key, sizeof(key), "%sdriver", prefix);
	if (!(v = get(w, from, key)) || !ga_driver_name_valid(v))
		return false;
	snprintf(rec->driver, sizeof(rec->driver), "%s", v);
	snprintf(key, sizeof(key), "%sfrom", prefix);
	if (!(v = get(w, from, key)) || !take_name(v, rec->orig_driver))
		return false;
	snprintf(key, sizeof(key), "%soverride", prefix);
	if (!(v = get(w, from, key)) || !take_name(v, rec->orig_override))
		return false;
	snprintf(key, sizeof(key), "%ssince", prefix);
	if (!(v = get(w, from, key)) || !take_ll(v, &rec->since))
		return false;
	if (version < 2)
		return true; /* version 1 had no owners */
	snprintf(key, sizeof(key), "%sowner", prefix);
	return (v = get(w, from, key)) && decode(v, rec->owner, sizeof(rec->owner));
}

/*
 * The version line "version N" opens a file of version 2 on; a file without
 * it is version 1. *rest is the text after it.
 */
static int read_version(struct ga_ctx *ctx, const char *text, const char *what, unsigned *version, const char **rest)
{
	long long v;
	char num[24];
	size_t len;

	*version = 1;
	*rest = text;
	if (strncmp(text, "version ", 8))
		return 0;
	len = strcspn(text + 8, "\n");
	snprintf(num, sizeof(num), "%.*s", (int)(len < sizeof(num) - 1 ? len : sizeof(num) - 1), text + 8);
	if (len >= sizeof(num) - 1 || !take_ll(num, &v) || v < 2)
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse the %s: bad version line '%.*s' (the file was not written by this gpu-assign: move it away)",
				 what, (int)(len > 40 ? 40 : len), text + 8);
	if (v > GA_STATE_VERSION)
		return ga_report(ctx, -GA_E_UNSUPPORTED,
				 "the %s has state version %lld, this gpu-assign reads up to %d (it was written by a newer gpu-assign: use that one, or move the file away)",
				 what, v, GA_STATE_VERSION);
	*version = (unsigned)v;
	*rest = text[8 + len] ? text + 8 + len + 1 : text + 8 + len;
	return 0;
}

/*
 * Iterate over the non-empty, non-comment lines after the version line; fn
 * gets the raw line and its words (none for a content line, which starts
 * with '|') and returns false on a bad line; it is called once more at the
 * end with line NULL.
 */
typedef bool (*line_fn)(void *data, const char *line, size_t len, const struct words *w);

static int each_line(struct ga_ctx *ctx, const char *text, const char *what, unsigned *version, line_fn fn, void *data)
{
	unsigned lineno = 0;
	int r = read_version(ctx, text, what, version, &text);

	if (r < 0)
		return r;
	lineno = *version > 1;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct words w = { 0 };
		bool ok = true;

		lineno++;
		if (len > 0 && p[0] == '|')
			ok = fn(data, p, len, NULL);
		else if (len > 0 && p[0] != '#')
			ok = split_line(p, len, &w) && (w.n == 0 || fn(data, p, len, &w));
		free(w.buf);
		if (!ok)
			return ga_report(ctx, -GA_E_PARSE,
					 "cannot parse the %s, line %u '%.*s' (the file was not written by this gpu-assign: move it away)",
					 what, lineno, (int)(len > 80 ? 80 : len), p);
		p = nl ? nl + 1 : NULL;
	}
	if (!fn(data, NULL, 0, NULL))
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse the %s: it ends in the middle of a record (the file was not written by this gpu-assign: move it away)",
				 what);
	return 0;
}

struct bindings_parse {
	struct ga_ctx *ctx;
	struct ga_bindings *b;
	unsigned version;
};

static bool bindings_line(void *data, const char *line, size_t len, const struct words *w)
{
	struct bindings_parse *bp = data;
	struct ga_binding rec = { 0 };

	(void)len;
	if (!line)
		return true;
	if (!w || !ga_pci_addr_valid(w->w[0], &rec.addr) || !parse_binding_fields(w, 1, "", bp->version, &rec))
		return false;
	if (ga_bindings_find(bp->b, &rec.addr))
		return false; /* a device listed twice */
	return ga_bindings_put(bp->ctx, bp->b, &rec) == 0;
}

int ga_bindings_parse(struct ga_ctx *ctx, const char *text, struct ga_bindings *out)
{
	struct bindings_parse bp = { ctx, out, 1 };
	int r;

	out->v = NULL;
	out->n = 0;
	r = each_line(ctx, text, "bindings file", &bp.version, bindings_line, &bp);
	if (r < 0)
		ga_bindings_clear(out);
	return r;
}

/* Append to a growing string; returns false when out of memory. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void GA_PRINTF(2, 3) sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->s ? sb->s + sb->len : NULL, sb->s ? sb->cap - sb->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->oom = true;
			return;
		}
		if (sb->s && sb->len + (size_t)n < sb->cap) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = (sb->cap + (size_t)n + 1) * 2;
		char *grown = realloc(sb->s, cap);

		if (!grown) {
			sb->oom = true;
			return;
		}
		sb->s = grown;
		sb->cap = cap;
	}
}

static char *sb_steal(struct sbuf *sb)
{
	if (sb->oom) {
		free(sb->s);
		return NULL;
	}
	if (!sb->s)
		return strdup("");
	return sb->s;
}

/* A free-text value as a word (see plain_byte). */
static void sb_encoded(struct sbuf *sb, const char *s)
{
	if (!*s || !strcmp(s, "-")) {
		sb_printf(sb, "%s", *s ? "%2D" : "-");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (plain_byte(*p))
			sb_printf(sb, "%c", *p);
		else
			sb_printf(sb, "%%%02X", *p);
	}
}

static void format_binding(struct sbuf *sb, const char *prefix, const struct ga_binding *rec)
{
	sb_printf(sb, "%sdriver=%s %sfrom=%s %soverride=%s %ssince=%lld %sowner=", prefix, rec->driver, prefix,
		  none_dash(rec->orig_driver), prefix, none_dash(rec->orig_override), prefix, rec->since, prefix);
	sb_encoded(sb, rec->owner);
}

char *ga_bindings_format(const struct ga_bindings *b)
{
	struct sbuf sb = { 0 };
	char name[GA_PCI_ADDR_STRLEN];

	sb_printf(&sb, "version %d\n", GA_STATE_VERSION);
	sb_printf(&sb, "# gpu-assign bindings: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH owner=FOR ('-': none)\n");
	for (size_t i = 0; i < b->n; i++) {
		sb_printf(&sb, "%s ", ga_pci_addr_format(&b->v[i].addr, name));
		format_binding(&sb, "", &b->v[i]);
		sb_printf(&sb, "\n");
	}
	return sb_steal(&sb);
}

/* A state file's text; NULL (and 0) without a directory (dirfd < 0) or without the file. */
static int load_text(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name, char **text)
{
	*text = NULL;
	return dirfd < 0 ? 0 : ga_file_read(ctx, dirfd, dirpath, name, text);
}

int ga_bindings_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_bindings *out)
{
	_cleanup_free_ char *text = NULL;
	int r = load_text(ctx, dirfd, dirpath, GA_BINDINGS_FILE, &text);

	out->v = NULL;
	out->n = 0;
	return r < 0 || !text ? r : ga_bindings_parse(ctx, text, out);
}

int ga_bindings_store(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_bindings *b)
{
	_cleanup_free_ char *text = NULL;

	if (b->n == 0)
		return ga_file_remove(ctx, dirfd, dirpath, GA_BINDINGS_FILE);
	text = ga_bindings_format(b);
	if (!text)
		return ga_report(ctx, -ENOMEM, "out of memory");
	return ga_file_write_atomic(ctx, dirfd, dirpath, GA_BINDINGS_FILE, text, 0644);
}

static void journal_file_clear(struct ga_journal_file *f)
{
	free(f->content);
	free(f->dir);
	memset(f, 0, sizeof(*f));
}

void ga_journal_clear(struct ga_journal *j)
{
	free(j->v);
	journal_file_clear(&j->bindings);
	journal_file_clear(&j->rules);
	memset(j, 0, sizeof(*j));
}

int ga_journal_add(struct ga_ctx *ctx, struct ga_journal *j, const struct ga_journal_entry *e)
{
	struct ga_journal_entry *grown;

	for (size_t i = 0; i < j->n; i++)
		if (ga_pci_addr_equal(&j->v[i].addr, &e->addr))
			return 0; /* first state wins */
	grown = realloc(j->v, (j->n + 1) * sizeof(*grown));
	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	j->v = grown;
	j->v[j->n++] = *e;
	return 0;
}

int ga_journal_keep_file(struct ga_ctx *ctx, struct ga_journal_file *f, const char *dir, const char *content)
{
	journal_file_clear(f);
	f->recorded = true;
	f->existed = content != NULL;
	if ((dir && !(f->dir = strdup(dir))) || (content && !(f->content = strdup(content)))) {
		journal_file_clear(f);
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

struct journal_parse {
	struct ga_ctx *ctx;
	struct ga_journal *j;
	bool have_header;
	struct ga_journal_file *file; /* whose content lines come next */
	struct sbuf content;
	long long bytes;              /* ... and how many bytes they make */
};

static bool op_line(struct journal_parse *jp, const struct words *w)
{
	const char *v;
	long long ll;

	if (jp->have_header || !(v = get(w, 1, "name")) || (strcmp(v, "bind") && strcmp(v, "release")))
		return false;
	snprintf(jp->j->op, sizeof(jp->j->op), "%s", v);
	if (!(v = get(w, 1, "pid")) || !take_ll(v, &ll))
		return false;
	jp->j->pid = (long)ll;
	if (!(v = get(w, 1, "started")) || !take_ll(v, &jp->j->started))
		return false;
	jp->have_header = true;
	return true;
}

static bool dev_line(struct journal_parse *jp, const struct words *w)
{
	struct ga_journal_entry e = { 0 };
	const char *v;

	if (w->n < 2 || !ga_pci_addr_valid(w->w[1], &e.addr))
		return false;
	if (!(v = get(w, 2, "driver")) || !take_name(v, e.driver))
		return false;
	if (!(v = get(w, 2, "override")) || !take_name(v, e.override))
		return false;
	if (!(v = get(w, 2, "recorded")) || (strcmp(v, "0") && strcmp(v, "1")))
		return false;
	e.had_binding = v[0] == '1';
	if (e.had_binding) {
		if (!parse_binding_fields(w, 2, "r", jp->j->version, &e.binding))
			return false;
		e.binding.addr = e.addr;
	}
	return ga_journal_add(jp->ctx, jp->j, &e) == 0;
}

/* The content lines of the last file record are complete: check their length and keep them. */
static bool file_done(struct journal_parse *jp)
{
	struct ga_journal_file *f = jp->file;
	struct sbuf *c = &jp->content;

	if (!f)
		return true;
	jp->file = NULL;
	if (c->oom)
		return false;
	/* every content line was taken with its newline; the file's last line may have had none */
	if (c->len == (size_t)jp->bytes + 1 && c->s[c->len - 1] == '\n')
		c->s[--c->len] = '\0';
	if (c->len != (size_t)jp->bytes)
		return false;
	f->content = sb_steal(c);
	memset(c, 0, sizeof(*c));
	return f->content != NULL;
}

/* "file bindings existed=0|1 bytes=N" or "file rules dir=DIR existed=0|1 bytes=N", then N bytes as '|' lines. */
static bool file_line(struct journal_parse *jp, const struct words *w)
{
	struct ga_journal_file *f;
	const char *v, *dir;
	char path[4096];

	if (jp->j->version < 2 || w->n < 2)
		return false;
	f = !strcmp(w->w[1], "bindings") ? &jp->j->bindings : !strcmp(w->w[1], "rules") ? &jp->j->rules : NULL;
	if (!f || f->recorded)
		return false;
	dir = get(w, 2, "dir");
	if ((f == &jp->j->rules) != (dir != NULL))
		return false;
	if (dir && (!decode(dir, path, sizeof(path)) || !dir_valid(path) || !(f->dir = strdup(path))))
		return false;
	if (!(v = get(w, 2, "existed")) || (strcmp(v, "0") && strcmp(v, "1")))
		return false;
	f->recorded = true;
	f->existed = v[0] == '1';
	if (!(v = get(w, 2, "bytes")) || !take_ll(v, &jp->bytes) || (!f->existed && jp->bytes))
		return false;
	if (f->existed)
		jp->file = f;
	return true;
}

static bool journal_line(void *data, const char *line, size_t len, const struct words *w)
{
	struct journal_parse *jp = data;

	if (line && !w) {
		/* content of the file record above: the rest of the line, and its newline */
		if (!jp->file || jp->content.len + len > (size_t)jp->bytes + 1)
			return false;
		sb_printf(&jp->content, "%.*s\n", (int)(len - 1), line + 1);
		return true;
	}
	if (!file_done(jp))
		return false;
	if (!line)
		return true;
	if (!strcmp(w->w[0], "op"))
		return op_line(jp, w);
	if (!strcmp(w->w[0], "dev"))
		return dev_line(jp, w);
	if (!strcmp(w->w[0], "file"))
		return file_line(jp, w);
	return false;
}

int ga_journal_parse(struct ga_ctx *ctx, const char *text, struct ga_journal *out)
{
	struct journal_parse jp = { .ctx = ctx, .j = out };
	int r;

	memset(out, 0, sizeof(*out));
	r = each_line(ctx, text, "journal", &out->version, journal_line, &jp);
	free(jp.content.s);
	if (r == 0 && !jp.have_header)
		r = ga_report(ctx, -GA_E_PARSE,
			      "cannot parse the journal: no 'op' line (the file was not written by this gpu-assign: move it away)");
	if (r < 0)
		ga_journal_clear(out);
	return r;
}

static void format_file(struct sbuf *sb, const char *name, const struct ga_journal_file *f)
{
	const char *p;

	if (!f->recorded)
		return;
	sb_printf(sb, "file %s ", name);
	if (f->dir) {
		sb_printf(sb, "dir=");
		sb_encoded(sb, f->dir);
		sb_printf(sb, " ");
	}
	sb_printf(sb, "existed=%d bytes=%zu\n", f->existed ? 1 : 0, f->existed ? strlen(f->content) : 0);
	for (p = f->existed ? f->content : ""; *p;) {
		size_t len = strcspn(p, "\n");

		sb_printf(sb, "|%.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

char *ga_journal_format(const struct ga_journal *j)
{
	struct sbuf sb = { 0 };
	char name[GA_PCI_ADDR_STRLEN];

	sb_printf(&sb, "version %d\n", GA_STATE_VERSION);
	sb_printf(&sb, "# gpu-assign journal: an operation in progress; if its process is gone, 'gpu-assign repair' puts these devices and files back\n");
	sb_printf(&sb, "op name=%s pid=%ld started=%lld\n", j->op, j->pid, j->started);
	for (size_t i = 0; i < j->n; i++) {
		const struct ga_journal_entry *e = &j->v[i];

		sb_printf(&sb, "dev %s driver=%s override=%s recorded=%d", ga_pci_addr_format(&e->addr, name),
			  none_dash(e->driver), none_dash(e->override), e->had_binding ? 1 : 0);
		if (e->had_binding) {
			sb_printf(&sb, " ");
			format_binding(&sb, "r", &e->binding);
		}
		sb_printf(&sb, "\n");
	}
	format_file(&sb, "bindings", &j->bindings);
	format_file(&sb, "rules", &j->rules);
	return sb_steal(&sb);
}

int ga_journal_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_journal *out, bool *exists)
{
	_cleanup_free_ char *text = NULL;
	int r = load_text(ctx, dirfd, dirpath, GA_JOURNAL_FILE, &text);

	memset(out, 0, sizeof(*out));
	*exists = r >= 0 && text;
	return r < 0 || !text ? r : ga_journal_parse(ctx, text, out);
}

int ga_journal_store(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_journal *j)
{
	_cleanup_free_ char *text = ga_journal_format(j);

	if (!text)
		return ga_report(ctx, -ENOMEM, "out of memory");
	return ga_file_write_atomic(ctx, dirfd, dirpath, GA_JOURNAL_FILE, text, 0600);
}

int ga_journal_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath)
{
	return ga_file_remove(ctx, dirfd, dirpath, GA_JOURNAL_FILE);
}

static void legacy_name(const struct ga_pci_addr *addr, char name[64])
{
	char a[GA_PCI_ADDR_STRLEN];

	snprintf(name, 64, GA_LEGACY_OWNER_PREFIX "%s", ga_pci_addr_format(addr, a));
}

int ga_legacy_owner_read(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_pci_addr *addr,
			 char owner[GA_OWNER_MAX])
{
	_cleanup_free_ char *text = NULL;
	char name[64];
	size_t len;
	int r;

	owner[0] = '\0';
	if (dirfd < 0)
		return 0;
	legacy_name(addr, name);
	r = ga_file_read(ctx, dirfd, dirpath, name, &text);
	if (r < 0 || !text)
		return r;
	/* the domain name and a newline; a longer one could never match, as in version 1 */
	len = strcspn(text, "\n");
	if (len < GA_OWNER_MAX)
		snprintf(owner, GA_OWNER_MAX, "%.*s", (int)len, text);
	return 0;
}

int ga_legacy_owner_remove(struct ga_ctx *ctx, int dirfd, const char *dirpath, const struct ga_pci_addr *addr)
{
	char name[64];

	legacy_name(addr, name);
	if (unlinkat(dirfd, name, 0) < 0)
		return errno == ENOENT ? 0 : ga_report(ctx, -errno, "cannot remove '%s/%s': %s", dirpath, name, strerror(errno));
	fsync(dirfd);
	return 0;
}

int ga_journal_remove_stale_temps(struct ga_ctx *ctx, int dirfd, const char *dirpath, const char *name)
{
	char prefix[256];
	struct dirent *de;
	size_t plen;
	int fd, removed = 0;
	DIR *d;

	if ((size_t)snprintf(prefix, sizeof(prefix), ".%s.tmp.", name) >= sizeof(prefix))
		return 0;
	plen = strlen(prefix);
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, prefix, plen))
			continue;
		errno = 0;
		pid = strtol(de->d_name + plen, &end, 10);
		if (errno || *end || pid <= 0 || (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0) {
			ga_info(ctx, "removed '%s/%s', left by a process that was killed while writing it", dirpath,
				de->d_name);
			removed++;
		}
	}
	closedir(d);
	return removed;
}
