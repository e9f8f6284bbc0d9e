// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-open.h"
#include "ga-util.h"
#include "ga-xml.h"

GA_ENUM_STRINGS(ga_hook_policy, enum ga_hook_policy, GA_HOOK_POLICY_LAST,
		[GA_HOOK_ENFORCE] = "enforce", [GA_HOOK_WARN] = "warn", [GA_HOOK_OFF] = "off")
GA_ENUM_STRINGS(ga_release_policy, enum ga_release_policy, GA_RELEASE_POLICY_LAST,
		[GA_RELEASE_RESTORE] = "restore", [GA_RELEASE_KEEP] = "keep")

int ga_config_new_default(struct ga_ctx *ctx, struct ga_config **out)
{
	struct ga_config *cfg = calloc(1, sizeof(*cfg));

	*out = NULL;
	if (!cfg)
		return ga_report(ctx, -ENOMEM, "out of memory");
	cfg->policy = GA_HOOK_ENFORCE;
	cfg->bind = true;
	cfg->release = GA_RELEASE_RESTORE;
	cfg->syslog = true;
	*out = cfg;
	return 0;
}

void ga_config_free(struct ga_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->reserved);
	free(cfg->log_file);
	free(cfg);
}

bool ga_config_gpu_reserved(const struct ga_config *cfg, const struct ga_pci_addr *addr)
{
	if (!cfg->has_reserved)
		return true;
	for (size_t i = 0; i < cfg->nreserved; i++)
		if (ga_pci_addr_equal(&cfg->reserved[i], addr))
			return true;
	return false;
}

/*
 * libxml2 hands errors to a callback; keep the first one with its line so
 * that the report names it. Messages end in '\n': strip it.
 */
struct first_error {
	bool set;
	int line;
	char msg[512];
};

static void keep_first_error(void *data, const xmlError *err)
{
	struct first_error *first = data;
	size_t len;

	if (first->set || !err || err->level < XML_ERR_ERROR)
		return;
	/* RelaxNG's first complaint often has no line; wait for one that has */
	if (err->line <= 0 && err->node)
		first->line = (int)xmlGetLineNo((xmlNodePtr)err->node);
	else
		first->line = err->line;
	if (first->line <= 0 && err->domain == XML_FROM_RELAXNGV)
		return;
	first->set = true;
	snprintf(first->msg, sizeof(first->msg), "%s", err->message ? err->message : "invalid");
	len = strlen(first->msg);
	while (len && (first->msg[len - 1] == '\n' || first->msg[len - 1] == ' '))
		first->msg[--len] = '\0';
}

/* libxml2 2.9 declares the callback with a non-const xmlErrorPtr. */
static void keep_first_error_cb(void *data, xmlErrorPtr err)
{
	keep_first_error(data, err);
}

static int validate(struct ga_ctx *ctx, xmlDocPtr doc, const char *name)
{
	struct first_error first = { 0 };
	xmlRelaxNGParserCtxtPtr pctx;
	xmlRelaxNGValidCtxtPtr vctx;
	xmlRelaxNGPtr schema;
	int r;

	pctx = xmlRelaxNGNewMemParserCtxt(ga_config_schema_rng, (int)strlen(ga_config_schema_rng));
	if (!pctx)
		return ga_report(ctx, -ENOMEM, "out of memory");
	schema = xmlRelaxNGParse(pctx);
	xmlRelaxNGFreeParserCtxt(pctx);
	if (!schema)
		return ga_report(ctx, -EINVAL,
				 "the configuration schema built into gpu-assign does not compile (please report this)");
	vctx = xmlRelaxNGNewValidCtxt(schema);
	if (!vctx) {
		xmlRelaxNGFree(schema);
		return ga_report(ctx, -ENOMEM, "out of memory");
	}
	xmlRelaxNGSetValidStructuredErrors(vctx, keep_first_error_cb, &first);
	r = xmlRelaxNGValidateDoc(vctx, doc);
	xmlRelaxNGFreeValidCtxt(vctx);
	xmlRelaxNGFree(schema);
	if (r == 0)
		return 0;
	if (first.set)
		return ga_report(ctx, -GA_E_PARSE, "invalid configuration %s:%d: %s (see gpu-assign.conf(5))",
				 name, first.line, first.msg);
	return ga_report(ctx, -GA_E_PARSE,
			 "invalid configuration %s: it does not follow the schema (see gpu-assign.conf(5))", name);
}

/*
 * The schema is the contract, but libxml2's RelaxNG messages for an
 * <interleave> say little ("Extra element hook in interleave", often without
 * a line). So walk the document first and name the line and the exact
 * problem for every mistake we can foresee; the schema then catches the rest.
 */
#define BAD(node, ...) bad(ctx, name, node, __VA_ARGS__)

GA_PRINTF(4, 5) static int bad(struct ga_ctx *ctx, const char *name, xmlNodePtr node, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ga_report(ctx, -GA_E_PARSE, "invalid configuration %s:%ld: %s (see gpu-assign.conf(5))", name,
			 xmlGetLineNo(node), msg);
}

/* Only the listed attributes, each at most once (XML guarantees that). */
static int check_attrs(struct ga_ctx *ctx, const char *name, xmlNodePtr n, const char *const *allowed)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		bool ok = false;

		for (size_t i = 0; allowed[i]; i++)
			ok = ok || !strcmp((const char *)a->name, allowed[i]);
		if (!ok || a->ns)
			return BAD(n, "<%s> has no attribute '%s'", (const char *)n->name, (const char *)a->name);
	}
	if (n->children && xmlFirstElementChild(n) && strcmp((const char *)n->name, "reserved"))
		return BAD(xmlFirstElementChild(n), "<%s> takes no child elements", (const char *)n->name);
	return 0;
}

/* An attribute that must be one of values (NULL-terminated); -1 if absent. */
static int choice(struct ga_ctx *ctx, const char *name, xmlNodePtr n, const char *attr,
		  const char *const *values, int *out)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);

	*out = -1;
	if (!v)
		return 0;
	for (int i = 0; values[i]; i++) {
		if (!strcmp((const char *)v, values[i])) {
			*out = i;
			xmlFree(v);
			return 0;
		}
	}
	{
		char list[128] = "";

		for (int i = 0; values[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'", i ? ", " : "", values[i]);
		BAD(n, "%s='%s' is not one of %s", attr, (const char *)v, list);
	}
	xmlFree(v);
	return -GA_E_PARSE;
}

static const char *const yes_no[] = { "no", "yes", NULL };

static int read_hook(struct ga_ctx *ctx, const char *name, xmlNodePtr n, struct ga_config *cfg)
{
	static const char *const attrs[] = { "policy", "bind", NULL };
	int v, r;

	if ((r = check_attrs(ctx, name, n, attrs)) < 0 || (r = choice(ctx, name, n, "policy", ga_hook_policy_names, &v)) < 0)
		return r;
	if (v >= 0)
		cfg->policy = (enum ga_hook_policy)v;
	if ((r = choice(ctx, name, n, "bind", yes_no, &v)) < 0)
		return r;
	if (v >= 0)
		cfg->bind = v == 1;
	return 0;
}

static int read_release(struct ga_ctx *ctx, const char *name, xmlNodePtr n, struct ga_config *cfg)
{
	static const char *const attrs[] = { "policy", NULL };
	int v, r;

	if ((r = check_attrs(ctx, name, n, attrs)) < 0 || (r = choice(ctx, name, n, "policy", ga_release_policy_names, &v)) < 0)
		return r;
	if (v < 0)
		return BAD(n, "<release> needs policy='restore' or policy='keep'");
	cfg->release = (enum ga_release_policy)v;
	return 0;
}

static int read_gi_nodes(struct ga_ctx *ctx, const char *name, xmlNodePtr n, struct ga_config *cfg)
{
	static const char *const attrs[] = { "count", NULL };
	xmlChar *v;
	unsigned long count = 0;
	char *end = NULL;
	int r;

	if ((r = check_attrs(ctx, name, n, attrs)) < 0)
		return r;
	v = xmlGetProp(n, (const xmlChar *)"count");
	if (v && v[0] >= '0' && v[0] <= '9')
		count = strtoul((const char *)v, &end, 10);
	if (!v || !end || *end || count < 1 || count > 64) {
		r = BAD(n, "<gi-nodes count='%s'> must be a number from 1 to 64", v ? (const char *)v : "");
		xmlFree(v);
		return r;
	}
	xmlFree(v);
	cfg->gi_nodes = (unsigned)count;
	return 0;
}

static int read_log(struct ga_ctx *ctx, const char *name, xmlNodePtr n, struct ga_config *cfg)
{
	static const char *const attrs[] = { "syslog", "file", NULL };
	xmlChar *file;
	int v, r;

	if ((r = check_attrs(ctx, name, n, attrs)) < 0 || (r = choice(ctx, name, n, "syslog", yes_no, &v)) < 0)
		return r;
	if (v >= 0)
		cfg->syslog = v == 1;
	file = xmlGetProp(n, (const xmlChar *)"file");
	if (!file)
		return 0;
	if (file[0] != '/' || !file[1]) {
		r = BAD(n, "<log file='%s'> must be an absolute path", (const char *)file);
		xmlFree(file);
		return r;
	}
	free(cfg->log_file);
	cfg->log_file = strdup((const char *)file);
	xmlFree(file);
	return cfg->log_file ? 0 : ga_report(ctx, -ENOMEM, "out of memory");
}

static int read_reserved(struct ga_ctx *ctx, const char *name, xmlNodePtr n, struct ga_config *cfg)
{
	static const char *const none[] = { NULL }, *const gpu_attrs[] = { "address", NULL };
	int r;

	if ((r = check_attrs(ctx, name, n, none)) < 0)
		return r;
	cfg->has_reserved = true;
	for (xmlNodePtr g = n->children; g; g = g->next) {
		struct ga_pci_addr addr, *grown;
		xmlChar *v;
		bool ok;

		if (g->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)g->name, "gpu") || g->ns)
			return BAD(g, "<reserved> holds only <gpu address='DDDD:BB:SS.F'/> elements, not <%s>",
				   (const char *)g->name);
		if ((r = check_attrs(ctx, name, g, gpu_attrs)) < 0)
			return r;
		v = xmlGetProp(g, (const xmlChar *)"address");
		ok = v && ga_pci_addr_valid((const char *)v, &addr);
		if (!ok) {
			r = BAD(g, "GPU address '%s' is not DDDD:BB:SS.F (hex, slot at most 1f, function at most 7)",
				v ? (const char *)v : "");
			xmlFree(v);
			return r;
		}
		xmlFree(v);
		if (cfg->nreserved && ga_config_gpu_reserved(cfg, &addr))
			return BAD(g, "GPU listed twice in <reserved>: remove one");
		grown = realloc(cfg->reserved, (cfg->nreserved + 1) * sizeof(*grown));
		if (!grown)
			return ga_report(ctx, -ENOMEM, "out of memory");
		cfg->reserved = grown;
		cfg->reserved[cfg->nreserved++] = addr;
	}
	return 0;
}

static int read_elements(struct ga_ctx *ctx, xmlNodePtr root, const char *name, struct ga_config *cfg)
{
	static const struct {
		const char *name;
		int (*read)(struct ga_ctx *, const char *, xmlNodePtr, struct ga_config *);
	} elements[] = {
		{ "hook", read_hook },
		{ "release", read_release },
		{ "reserved", read_reserved },
		{ "gi-nodes", read_gi_nodes },
		{ "log", read_log },
	};
	bool seen[GA_ARRAY_SIZE(elements)] = { false };

	if (!root || strcmp((const char *)root->name, "gpu-assign") || root->ns)
		return BAD(root, "the root element must be <gpu-assign>, not <%s>",
			   root ? (const char *)root->name : "");
	if (root->properties)
		return BAD(root, "<gpu-assign> has no attributes");
	for (xmlNodePtr n = root->children; n; n = n->next) {
		size_t i;
		int r;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < GA_ARRAY_SIZE(elements); i++)
			if (!strcmp((const char *)n->name, elements[i].name) && !n->ns)
				break;
		if (i == GA_ARRAY_SIZE(elements))
			return BAD(n, "unknown element <%s> (known: hook, release, reserved, gi-nodes, log)",
				   (const char *)n->name);
		if (seen[i])
			return BAD(n, "<%s> given twice: keep one", elements[i].name);
		seen[i] = true;
		r = elements[i].read(ctx, name, n, cfg);
		if (r < 0)
			return r;
	}
	return 0;
}

int ga_config_parse(struct ga_ctx *ctx, const char *buf, size_t len, const char *name,
		    struct ga_config **out)
{
	const struct ga_xml_source src = {
		.what = "configuration", .name = name, .max = GA_CONFIG_MAX_SIZE, .drop_blanks = true,
	};
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_config_ struct ga_config *cfg = NULL;
	const char *nul;
	int r;

	*out = NULL;
	if (len == 0)
		return ga_report(ctx, -GA_E_PARSE,
				 "invalid configuration %s:1: the file is empty (write at least '<gpu-assign/>' or remove it)",
				 name);
	nul = memchr(buf, '\0', len);
	if (nul) {
		unsigned line = 1;

		for (const char *c = buf; c < nul; c++)
			line += *c == '\n';
		return ga_report(ctx, -GA_E_PARSE,
				 "invalid configuration %s:%u: a NUL byte at offset %zu (the file must be plain XML text: remove the byte)",
				 name, line, (size_t)(nul - buf));
	}
	r = ga_xml_parse(ctx, buf, len, &src, &doc);
	if (r < 0)
		return r;
	r = ga_config_new_default(ctx, &cfg);
	if (r < 0)
		return r;
	r = read_elements(ctx, xmlDocGetRootElement(doc), name, cfg);
	if (r < 0)
		return r;
	r = validate(ctx, doc, name);
	if (r < 0)
		return r;
	cfg->path = strdup(name);
	if (!cfg->path)
		return ga_report(ctx, -ENOMEM, "out of memory");
	*out = steal_ptr(cfg);
	return 0;
}

int ga_config_load(struct ga_ctx *ctx, const char *path, bool missing_ok, struct ga_config **out)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int r;

	*out = NULL;
	/* an administrator may symlink the file: followed, but it must end at a regular file */
	fd = ga_open_regular(AT_FDCWD, path, O_RDONLY, 0);
	if (fd == -ENOENT && missing_ok)
		return ga_config_new_default(ctx, out);
	if (fd == -EINVAL)
		return ga_report(ctx, -EINVAL, "cannot read configuration '%s': not a regular file (point to the XML file)",
				 path);
	if (fd < 0)
		return ga_report(ctx, fd, "cannot read configuration '%s': %s (%s)", path, strerror(-fd),
				 fd == -ENOENT ? "create it, see gpu-assign.conf(5)" : "check its permissions");
	r = ga_read_fd(fd, GA_CONFIG_MAX_SIZE, &buf, &len);
	if (r == -EFBIG)
		return ga_report(ctx, -EFBIG, "invalid configuration %s: larger than %d bytes (it should be a few lines)",
				 path, GA_CONFIG_MAX_SIZE);
	if (r == -ENOMEM)
		return ga_report(ctx, r, "out of memory");
	if (r < 0)
		return ga_report(ctx, r, "cannot read configuration '%s': %s (check the file)", path, strerror(-r));
	return ga_config_parse(ctx, buf, len, path, out);
}
