#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * Split one line into words; a word "key=value" is looked up with get().
 * Lines are short: anything over 512 bytes is not ours.
 */
#define MAX_WORDS 16
struct words {
	char buf[512];
	char *w[MAX_WORDS];
	size_t n;
};

static bool split_line(const char *line, size_t len, struct words *out)
{
	char *save = NULL, *tok;

	if (len >= sizeof(out->buf))
		return false;
	memcpy(out->buf, line, len);
	out->buf[len] = '\0';
	out->n = 0;
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
static bool parse_binding_fields(const struct words *w, size_t from, const char *prefix, struct ga_binding *rec)
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
	return true;
}

/* Iterate over non-empty, non-comment lines; fn returns false on a bad line. */
static int each_line(struct ga_ctx *ctx, const char *text, const char *what,
		     bool (*fn)(void *data, const struct words *w), void *data)
{
	unsigned lineno = 0;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct words w;

		lineno++;
		if (len > 0 && p[0] != '#') {
			if (!split_line(p, len, &w) || (w.n > 0 && !fn(data, &w)))
				return ga_report(ctx, -GA_E_PARSE,
						 "cannot parse the %s, line %u '%.*s' (the file was not written by this gpu-assign: move it away)",
						 what, lineno, (int)(len > 80 ? 80 : len), p);
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

struct bindings_parse {
	struct ga_ctx *ctx;
	struct ga_bindings *b;
};

static bool bindings_line(void *data, const struct words *w)
{
	struct bindings_parse *bp = data;
	struct ga_binding rec = { 0 };

	if (!ga_pci_addr_valid(w->w[0], &rec.addr) || !parse_binding_fields(w, 1, "", &rec))
		return false;
	if (ga_bindings_find(bp->b, &rec.addr))
		return false; /* a device listed twice */
	return ga_bindings_put(bp->ctx, bp->b, &rec) == 0;
}

int ga_bindings_parse(struct ga_ctx *ctx, const char *text, struct ga_bindings *out)
{
	struct bindings_parse bp = { ctx, out };
	int r;

	out->v = NULL;
	out->n = 0;
	r = each_line(ctx, text, "bindings file", bindings_line, &bp);
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

static void format_binding(struct sbuf *sb, const char *prefix, const struct ga_binding *rec)
{
	sb_printf(sb, "%sdriver=%s %sfrom=%s %soverride=%s %ssince=%lld", prefix, rec->driver, prefix,
		  none_dash(rec->orig_driver), prefix, none_dash(rec->orig_override), prefix, rec->since);
}

char *ga_bindings_format(const struct ga_bindings *b)
{
	struct sbuf sb = { 0 };
	char name[GA_PCI_ADDR_STRLEN];

	sb_printf(&sb, "# gpu-assign bindings v1: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH\n");
	for (size_t i = 0; i < b->n; i++) {
		sb_printf(&sb, "%s ", ga_pci_addr_format(&b->v[i].addr, name));
		format_binding(&sb, "", &b->v[i]);
		sb_printf(&sb, "\n");
	}
	return sb_steal(&sb);
}

int ga_bindings_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_bindings *out)
{
	_cleanup_free_ char *text = NULL;
	int r;

	out->v = NULL;
	out->n = 0;
	if (dirfd < 0)
		return 0;
	r = ga_file_read(ctx, dirfd, dirpath, GA_BINDINGS_FILE, &text);
	if (r < 0 || !text)
		return r;
	return ga_bindings_parse(ctx, text, out);
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

void ga_journal_clear(struct ga_journal *j)
{
	free(j->v);
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

struct journal_parse {
	struct ga_ctx *ctx;
	struct ga_journal *j;
	bool have_header;
};

static bool journal_line(void *data, const struct words *w)
{
	struct journal_parse *jp = data;
	struct ga_journal_entry e = { 0 };
	const char *v;
	long long ll;

	if (!strcmp(w->w[0], "op")) {
		if (!(v = get(w, 1, "name")) || (strcmp(v, "bind") && strcmp(v, "release")))
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
	if (strcmp(w->w[0], "dev") || w->n < 2 || !ga_pci_addr_valid(w->w[1], &e.addr))
		return false;
	if (!(v = get(w, 2, "driver")) || !take_name(v, e.driver))
		return false;
	if (!(v = get(w, 2, "override")) || !take_name(v, e.override))
		return false;
	if (!(v = get(w, 2, "recorded")) || (strcmp(v, "0") && strcmp(v, "1")))
		return false;
	e.had_binding = v[0] == '1';
	if (e.had_binding) {
		if (!parse_binding_fields(w, 2, "r", &e.binding))
			return false;
		e.binding.addr = e.addr;
	}
	return ga_journal_add(jp->ctx, jp->j, &e) == 0;
}

int ga_journal_parse(struct ga_ctx *ctx, const char *text, struct ga_journal *out)
{
	struct journal_parse jp = { ctx, out, false };
	int r;

	memset(out, 0, sizeof(*out));
	r = each_line(ctx, text, "journal", journal_line, &jp);
	if (r == 0 && !jp.have_header)
		r = ga_report(ctx, -GA_E_PARSE,
			      "cannot parse the journal: no 'op' line (the file was not written by this gpu-assign: move it away)");
	if (r < 0)
		ga_journal_clear(out);
	return r;
}

char *ga_journal_format(const struct ga_journal *j)
{
	struct sbuf sb = { 0 };
	char name[GA_PCI_ADDR_STRLEN];

	sb_printf(&sb, "# gpu-assign journal v1: an operation in progress; if its process is gone, 'gpu-assign repair' puts these devices back\n");
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
	return sb_steal(&sb);
}

int ga_journal_load(struct ga_ctx *ctx, int dirfd, const char *dirpath, struct ga_journal *out, bool *exists)
{
	_cleanup_free_ char *text = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	*exists = false;
	if (dirfd < 0)
		return 0;
	r = ga_file_read(ctx, dirfd, dirpath, GA_JOURNAL_FILE, &text);
	if (r < 0 || !text)
		return r;
	*exists = true;
	return ga_journal_parse(ctx, text, out);
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
