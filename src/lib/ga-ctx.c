// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-ctx-priv.h"
#include "ga-escape.h"
#include "ga-open.h"

/* A test overrides file is a dozen lines; anything much larger is not one. */
#define OVERRIDES_MAX_SIZE 65536

enum value_kind { VALUE_PATH, VALUE_MS, VALUE_STANDIN, VALUE_CATALOG };

static const struct {
	const char *name;
	const char *fallback; /* the default ga_ctx_get returns, may be NULL */
	enum value_kind kind;
} settings[GA_SETTING_LAST] = {
	[GA_SETTING_SYSFS_ROOT] = { "sysfs-root", "/sys", VALUE_PATH },
	[GA_SETTING_STATE_DIR] = { "state-dir", GA_STATEDIR, VALUE_PATH },
	[GA_SETTING_RULES_DIR] = { "rules-dir", "/etc/udev/rules.d", VALUE_PATH },
	[GA_SETTING_MODULES_DIR] = { "modules-dir", NULL, VALUE_PATH },
	[GA_SETTING_PROC_ROOT] = { "proc-root", "/proc", VALUE_PATH },
	[GA_SETTING_CONFIG] = { "config", GA_CONFIG_PATH, VALUE_PATH },
	[GA_SETTING_HOOK_LOG] = { "hook-log", NULL, VALUE_PATH },
	[GA_SETTING_STEP_DELAY_MS] = { "step-delay-ms", "0", VALUE_MS },
	[GA_SETTING_HOOK_STANDIN] = { "hook-standin", NULL, VALUE_STANDIN },
	[GA_SETTING_CATALOG_STANDIN] = { "catalog-standin", NULL, VALUE_CATALOG },
};

int ga_ctx_new(struct ga_ctx **out)
{
	struct ga_ctx *ctx = calloc(1, sizeof(*ctx));

	*out = NULL;
	if (!ctx)
		return -ENOMEM;
	ctx->sysfs_fd = -1;
	ctx->log_level = GA_LOG_INFO;
	*out = ctx;
	return 0;
}

void ga_ctx_free(struct ga_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->sysfs_fd >= 0)
		close(ctx->sysfs_fd);
	for (size_t i = 0; i < GA_SETTING_LAST; i++)
		free(ctx->settings[i]);
	free(ctx->overrides_path);
	free(ctx->catalog_standin);
	free(ctx);
}

GA_ENUM_STRINGS(ga_log_level, enum ga_log_level, GA_LOG_LAST,
		[GA_LOG_ERR] = "error", [GA_LOG_WARNING] = "warning", [GA_LOG_INFO] = "info", [GA_LOG_DEBUG] = "debug")

const char *ga_setting_name(enum ga_setting key)
{
	return key < GA_SETTING_LAST ? settings[key].name : NULL;
}

/* "ALIAS=DDDD:BB:SS.F": the alias as libvirt writes it, the address in full hexadecimal form. */
static bool standin_item_valid(const char *item, size_t len)
{
	static const char addr_shape[] = "hhhh:hh:hh.h";
	const char *eq = memchr(item, '=', len);
	size_t alias_len = eq ? (size_t)(eq - item) : 0;

	if (!alias_len || strspn(item, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != alias_len)
		return false;
	if (len - alias_len - 1 != sizeof(addr_shape) - 1)
		return false;
	for (size_t i = 0; addr_shape[i]; i++) {
		char c = eq[1 + i];

		if (addr_shape[i] == 'h' ? !strchr("0123456789abcdefABCDEF", c) || !c : c != addr_shape[i])
			return false;
	}
	return eq[1 + 11] <= '7'; /* a function number is 0-7 */
}

/* "VVVV:DDDD=FAMILY": ids in four hexadecimal digits each, a coherent Grace family. */
static bool catalog_item_valid(const char *item, size_t len)
{
	static const char *const families[] = { "grace-hopper", "grace-blackwell" };
	size_t id_len = sizeof("vvvv:dddd") - 1;

	if (len <= id_len + 1 || item[4] != ':' || item[id_len] != '=')
		return false;
	for (size_t i = 0; i < id_len; i++)
		if (i != 4 && !strchr("0123456789abcdefABCDEF", item[i]))
			return false;
	for (size_t i = 0; i < GA_ARRAY_SIZE(families); i++)
		if (len - id_len - 1 == strlen(families[i]) && !memcmp(item + id_len + 1, families[i], len - id_len - 1))
			return true;
	return false;
}

/* Why value is not acceptable for key, or NULL when it is; *ms receives a step delay. */
static const char *value_problem(enum ga_setting key, const char *value, unsigned *ms)
{
	switch (settings[key].kind) {
	case VALUE_PATH:
		return value[0] == '/' ? NULL : "it must be an absolute path";
	case VALUE_MS: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || *end || errno || v > 60000)
			return "it must be a whole number of milliseconds from 0 to 60000";
		*ms = (unsigned)v;
		return NULL;
	}
	case VALUE_STANDIN:
		for (const char *item = value;;) {
			size_t len = strcspn(item, ",");

			if (!standin_item_valid(item, len))
				return "it must be ALIAS=DDDD:BB:SS.F, or several of them separated by commas";
			if (!item[len])
				return NULL;
			item += len + 1;
		}
	case VALUE_CATALOG: {
		unsigned n = 0;

		for (const char *item = value;; item += strcspn(item, ",") + 1) {
			size_t len = strcspn(item, ",");

			if (!catalog_item_valid(item, len) || ++n > GA_CATALOG_STANDIN_MAX)
				return "it must be VVVV:DDDD=grace-hopper or VVVV:DDDD=grace-blackwell (the stand-in's PCI vendor and device ids), or up to 8 of them separated by commas";
			if (!item[len])
				return NULL;
		}
	}
	}
	return "unknown setting";
}

/* Store a checked value (NULL: the default). */
static int store(struct ga_ctx *ctx, enum ga_setting key, const char *value, unsigned ms)
{
	char *copy = NULL;

	if (value && !(copy = strdup(value)))
		return ga_report(ctx, -ENOMEM, "out of memory");
	free(ctx->settings[key]);
	ctx->settings[key] = copy;
	if (key == GA_SETTING_STEP_DELAY_MS)
		ctx->step_delay_ms = ms;
	if (key == GA_SETTING_CATALOG_STANDIN) {
		free(ctx->catalog_standin); /* ga-catalog parses the new value when next asked */
		ctx->catalog_standin = NULL;
	}
	if (key == GA_SETTING_SYSFS_ROOT && ctx->sysfs_fd >= 0) {
		close(ctx->sysfs_fd);
		ctx->sysfs_fd = -1;
	}
	return 0;
}

int ga_ctx_set(struct ga_ctx *ctx, enum ga_setting key, const char *value)
{
	const char *why;
	unsigned ms = 0;

	if (key >= GA_SETTING_LAST)
		return ga_report(ctx, -EINVAL, "internal error: unknown setting %d", (int)key);
	why = value ? value_problem(key, value, &ms) : NULL;
	if (why)
		return ga_report(ctx, -EINVAL, "invalid %s '%s': %s", settings[key].name, value, why);
	return store(ctx, key, value, ms);
}

const char *ga_ctx_get(const struct ga_ctx *ctx, enum ga_setting key)
{
	if (key >= GA_SETTING_LAST)
		return NULL;
	return ctx->settings[key] ? ctx->settings[key] : settings[key].fallback;
}

unsigned ga_ctx_step_delay_ms(const struct ga_ctx *ctx)
{
	return ctx->step_delay_ms;
}

int ga_ctx_set_sysfs_root(struct ga_ctx *ctx, const char *root)
{
	if (!root || root[0] != '/')
		return ga_report(ctx, -EINVAL,
				 "invalid sysfs root '%s': it must be an absolute path (give e.g. '/sys')",
				 root ? root : "");
	return ga_ctx_set(ctx, GA_SETTING_SYSFS_ROOT, root);
}

const char *ga_ctx_get_sysfs_root(const struct ga_ctx *ctx)
{
	return ga_ctx_get(ctx, GA_SETTING_SYSFS_ROOT);
}

const char *ga_ctx_get_overrides(const struct ga_ctx *ctx)
{
	return ctx->overrides_path;
}

/* The whole file into *out (NUL-terminated, *len bytes before it); 0: no installed file. */
static int overrides_read(struct ga_ctx *ctx, const char *path, bool installed, char **out, size_t *len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t n = 0;
	int r;

	*out = NULL;
	fd = ga_open_regular(AT_FDCWD, path, O_RDONLY, 0);
	/*
	 * The installed file is in effect only where it can be read: absent, or
	 * out of this user's reach (a configuration directory in a 0700 tree,
	 * as under distcheck), means none for this process.
	 */
	if (installed && (fd == -ENOENT || fd == -ENOTDIR || (fd == -EACCES && geteuid() != 0)))
		return 0;
	if (fd == -EINVAL)
		return ga_report(ctx, -EINVAL, "test overrides file '%s' is not a regular file (give a file of 'key = value' lines)",
				 path);
	if (fd < 0)
		return ga_report(ctx, fd, "cannot open test overrides file '%s': %s", path, strerror(-fd));
	if (fstat(fd, &st) < 0)
		return ga_report(ctx, -errno, "cannot read test overrides file '%s': %s", path, strerror(errno));
	if (installed && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))))
		return ga_report(ctx, -EPERM,
				 "refusing test overrides file '%s': it must be owned by root and not writable by group or others (remove it, or chown root and chmod go-w it)",
				 path);
	r = ga_read_fd(fd, OVERRIDES_MAX_SIZE, &buf, &n);
	if (r == -EFBIG)
		return ga_report(ctx, -EFBIG, "test overrides file '%s' is larger than %d bytes (it holds a few 'key = value' lines)",
				 path, OVERRIDES_MAX_SIZE);
	if (r == -ENOMEM)
		return ga_report(ctx, -ENOMEM, "out of memory");
	if (r < 0)
		return ga_report(ctx, r, "cannot read test overrides file '%s': %s", path, strerror(-r));
	*len = n;
	*out = steal_ptr(buf);
	return 1;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

static int lookup(const char *name)
{
	for (int i = 0; i < GA_SETTING_LAST; i++)
		if (!strcmp(settings[i].name, name))
			return i;
	return -1;
}

/* "sysfs-root, state-dir, ..." */
static void known_keys(char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0, used = 0; i < GA_SETTING_LAST && used < size; i++, used = strlen(buf))
		snprintf(buf + used, size - used, "%s%s", i ? ", " : "", settings[i].name);
}

static int line_error(struct ga_ctx *ctx, const char *path, unsigned line, const char *fmt, ...) GA_PRINTF(4, 5);
static int line_error(struct ga_ctx *ctx, const char *path, unsigned line, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ga_report(ctx, -EINVAL, "test overrides file %s:%u: %s", path, line, what);
}

/* Every "key = value" line into value[key]; each checked, nothing stored yet. */
static int overrides_parse(struct ga_ctx *ctx, const char *path, char *text, size_t len, const char *value[],
			   unsigned line_of[], unsigned *ms)
{
	unsigned line = 0;

	for (char *p = text; p < text + len;) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		char *end = nl ? nl : text + len;
		char *eq, *key, *val;
		const char *why;
		int k;

		line++;
		if (memchr(p, '\0', (size_t)(end - p)))
			return line_error(ctx, path, line, "NUL byte in the line (the file must be text)");
		key = trim(p, end);
		p = end + 1;
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return line_error(ctx, path, line, "expected 'key = value', got '%s'", key);
		val = trim(eq + 1, eq + 1 + strlen(eq + 1));
		key = trim(key, eq);
		k = lookup(key);
		if (k < 0) {
			char known[256];

			known_keys(known, sizeof(known));
			return line_error(ctx, path, line, "unknown key '%s' (known: %s)", key, known);
		}
		if (line_of[k])
			return line_error(ctx, path, line, "'%s' is already set on line %u", key, line_of[k]);
		why = *val ? value_problem((enum ga_setting)k, val, ms) : "it is empty";
		if (why)
			return line_error(ctx, path, line, "invalid value '%s' for '%s': %s", val, key, why);
		value[k] = val;
		line_of[k] = line;
	}
	return 0;
}

int ga_ctx_load_overrides(struct ga_ctx *ctx, const char *path)
{
	if (!path || !*path)
		return ga_ctx_load_overrides_at(ctx, GA_TEST_OVERRIDES_PATH, true);
	return ga_ctx_load_overrides_at(ctx, path, false);
}

int ga_ctx_load_overrides_at(struct ga_ctx *ctx, const char *path, bool installed)
{
	_cleanup_free_ char *text = NULL;
	const char *value[GA_SETTING_LAST] = { NULL };
	unsigned line_of[GA_SETTING_LAST] = { 0 };
	char *copy, list[2048] = "";
	unsigned ms = 0;
	size_t len = 0;
	int r;

	r = overrides_read(ctx, path, installed, &text, &len);
	if (r <= 0)
		return r;
	r = overrides_parse(ctx, path, text, len, value, line_of, &ms);
	if (r < 0)
		return r;
	copy = strdup(path);
	if (!copy)
		return ga_report(ctx, -ENOMEM, "out of memory");
	free(ctx->overrides_path);
	ctx->overrides_path = copy;
	for (int k = 0; k < GA_SETTING_LAST; k++) {
		size_t used = strlen(list);

		if (!line_of[k])
			continue;
		r = store(ctx, (enum ga_setting)k, value[k], ms);
		if (r < 0)
			return r;
		snprintf(list + used, sizeof(list) - used, "%s%s=%s", used ? ", " : "", settings[k].name, value[k]);
	}
	ga_info(ctx, "test overrides from '%s': %s", path, list[0] ? list : "none");
	return 1;
}

void ga_ctx_set_log_fn(struct ga_ctx *ctx, ga_log_fn fn, void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

void ga_ctx_set_log_level(struct ga_ctx *ctx, enum ga_log_level level)
{
	if (level < GA_LOG_LAST)
		ctx->log_level = level;
}

void ga_log(struct ga_ctx *ctx, enum ga_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx->log_fn || level > ctx->log_level)
		return;
	/* a value from outside must not forge a line on stderr or in syslog */
	va_start(ap, fmt);
	ga_escape_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_data, level, msg);
}

/* Errors */

int ga_reportv(struct ga_ctx *ctx, int code, const char *fmt, va_list ap)
{
	ctx->error.code = code;
	/* one line, whatever the values in it hold (a name with a newline, a byte written) */
	ga_escape_vformat(ctx->error.message, sizeof(ctx->error.message), fmt, ap);
	ga_log(ctx, GA_LOG_DEBUG, "error %s: %s", ga_error_code_name(code), ctx->error.message);
	return code;
}

int ga_report(struct ga_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ga_reportv(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

const struct ga_error *ga_last_error(const struct ga_ctx *ctx)
{
	return &ctx->error;
}

void ga_clear_error(struct ga_ctx *ctx)
{
	ctx->error.code = 0;
	ctx->error.message[0] = '\0';
}

void ga_error_save(const struct ga_ctx *ctx, struct ga_error_saved *s)
{
	s->code = ctx->error.code;
	snprintf(s->message, sizeof(s->message), "%s", ctx->error.message);
}

int ga_error_restore(struct ga_ctx *ctx, const struct ga_error_saved *s, const char *suffix)
{
	if (!s->code && !suffix) { /* there was none: nothing to report again */
		ga_clear_error(ctx);
		return 0;
	}
	return ga_report(ctx, s->code, "%s%s", s->message, suffix ? suffix : "");
}

const char *ga_error_code_name(int code)
{
	static const char *const ga_names[] = {
		[GA_E_PARSE - GA_E_BASE] = "GA_E_PARSE",
		[GA_E_NOT_GPU - GA_E_BASE] = "GA_E_NOT_GPU",
		[GA_E_NOT_ASSIGNABLE - GA_E_BASE] = "GA_E_NOT_ASSIGNABLE",
		[GA_E_UNSUPPORTED - GA_E_BASE] = "GA_E_UNSUPPORTED",
	};
	int c = -code;

	if (c == 0)
		return "OK";
	if (c > GA_E_BASE && c < GA_E_LAST)
		return ga_names[c - GA_E_BASE];
	/* strerrorname_np() needs glibc 2.32; Debian 12 has 2.36. */
	return strerrorname_np(c) ? strerrorname_np(c) : "EUNKNOWN";
}
