#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "ga-config.h"
#include "ga-error.h"

static const char *const policy_names[GA_HOOK_POLICY_LAST] = {
	[GA_HOOK_ENFORCE] = "enforce",
	[GA_HOOK_WARN] = "warn",
	[GA_HOOK_OFF] = "off",
};

static const char *const release_names[GA_RELEASE_POLICY_LAST] = {
	[GA_RELEASE_RESTORE] = "restore",
	[GA_RELEASE_KEEP] = "keep",
};

const char *ga_hook_policy_to_string(enum ga_hook_policy policy)
{
	return policy < GA_HOOK_POLICY_LAST ? policy_names[policy] : "?";
}

int ga_hook_policy_from_string(const char *str)
{
	for (int i = 0; i < GA_HOOK_POLICY_LAST; i++)
		if (str && !strcmp(str, policy_names[i]))
			return i;
	return -1;
}

const char *ga_release_policy_to_string(enum ga_release_policy policy)
{
	return policy < GA_RELEASE_POLICY_LAST ? release_names[policy] : "?";
}

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
	first->set = true;
	first->line = err->line;
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

static void doc_freep(xmlDocPtr *doc)
{
	if (*doc)
		xmlFreeDoc(*doc);
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

static bool attr_is(xmlNodePtr node, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)attr);
	bool same = v && !strcmp((const char *)v, value);

	xmlFree(v);
	return same;
}

static int read_elements(struct ga_ctx *ctx, xmlNodePtr root, const char *name, struct ga_config *cfg)
{
	for (xmlNodePtr n = root->children; n; n = n->next) {
		const char *el = (const char *)n->name;
		xmlChar *v;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp(el, "hook")) {
			v = xmlGetProp(n, (const xmlChar *)"policy");
			if (v)
				cfg->policy = (enum ga_hook_policy)ga_hook_policy_from_string((const char *)v);
			xmlFree(v);
			if (xmlHasProp(n, (const xmlChar *)"bind"))
				cfg->bind = attr_is(n, "bind", "yes");
		} else if (!strcmp(el, "release")) {
			cfg->release = attr_is(n, "policy", "keep") ? GA_RELEASE_KEEP : GA_RELEASE_RESTORE;
		} else if (!strcmp(el, "gi-nodes")) {
			v = xmlGetProp(n, (const xmlChar *)"count");
			cfg->gi_nodes = v ? (unsigned)strtoul((const char *)v, NULL, 10) : 0;
			xmlFree(v);
		} else if (!strcmp(el, "log")) {
			if (xmlHasProp(n, (const xmlChar *)"syslog"))
				cfg->syslog = attr_is(n, "syslog", "yes");
			v = xmlGetProp(n, (const xmlChar *)"file");
			if (v) {
				free(cfg->log_file);
				cfg->log_file = strdup((const char *)v);
				xmlFree(v);
				if (!cfg->log_file)
					return ga_report(ctx, -ENOMEM, "out of memory");
			}
		} else if (!strcmp(el, "reserved")) {
			cfg->has_reserved = true;
			for (xmlNodePtr g = n->children; g; g = g->next) {
				struct ga_pci_addr addr, *grown;
				bool ok;

				if (g->type != XML_ELEMENT_NODE)
					continue;
				v = xmlGetProp(g, (const xmlChar *)"address");
				ok = v && ga_pci_addr_valid((const char *)v, &addr);
				xmlFree(v);
				if (!ok)
					return ga_report(ctx, -GA_E_PARSE,
							 "invalid configuration %s:%ld: bad GPU address (write DDDD:BB:SS.F, slot at most 1f)",
							 name, xmlGetLineNo(g));
				if (ga_config_gpu_reserved(cfg, &addr) && cfg->nreserved)
					return ga_report(ctx, -GA_E_PARSE,
							 "invalid configuration %s:%ld: GPU listed twice in <reserved> (remove one)",
							 name, xmlGetLineNo(g));
				grown = realloc(cfg->reserved, (cfg->nreserved + 1) * sizeof(*grown));
				if (!grown)
					return ga_report(ctx, -ENOMEM, "out of memory");
				cfg->reserved = grown;
				cfg->reserved[cfg->nreserved++] = addr;
			}
		}
	}
	return 0;
}

int ga_config_parse(struct ga_ctx *ctx, const char *buf, size_t len, const char *name,
		    struct ga_config **out)
{
	_cleanup_(doc_freep) xmlDocPtr doc = NULL;
	_cleanup_config_ struct ga_config *cfg = NULL;
	struct first_error first = { 0 };
	xmlParserCtxtPtr pctx;
	int r;

	*out = NULL;
	if (len > GA_CONFIG_MAX_SIZE)
		return ga_report(ctx, -EFBIG, "invalid configuration %s: larger than %d bytes (it should be a few lines)",
				 name, GA_CONFIG_MAX_SIZE);
	if (len == 0)
		return ga_report(ctx, -GA_E_PARSE,
				 "invalid configuration %s:1: the file is empty (write at least '<gpu-assign/>' or remove it)",
				 name);
	pctx = xmlNewParserCtxt();
	if (!pctx)
		return ga_report(ctx, -ENOMEM, "out of memory");
	/* No network, no entity expansion, nothing printed: the error is ours to report. */
	doc = xmlCtxtReadMemory(pctx, buf, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	if (!doc || !pctx->wellFormed) {
		xmlErrorPtr err = xmlCtxtGetLastError(pctx);

		if (err)
			keep_first_error(&first, err);
		xmlFreeParserCtxt(pctx);
		return ga_report(ctx, -GA_E_PARSE, "invalid configuration %s:%d: %s (it must be well-formed XML)",
				 name, first.set ? first.line : 1, first.set ? first.msg : "not XML");
	}
	xmlFreeParserCtxt(pctx);
	r = validate(ctx, doc, name);
	if (r < 0)
		return r;
	r = ga_config_new_default(ctx, &cfg);
	if (r < 0)
		return r;
	r = read_elements(ctx, xmlDocGetRootElement(doc), name, cfg);
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
	struct stat st;
	size_t len = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;

		if (err == ENOENT && missing_ok)
			return ga_config_new_default(ctx, out);
		return ga_report(ctx, -err, "cannot read configuration '%s': %s (%s)", path, strerror(err),
				 err == ENOENT ? "create it, see gpu-assign.conf(5)" : "check its permissions");
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ga_report(ctx, -EINVAL, "cannot read configuration '%s': not a regular file (point to the XML file)",
				 path);
	if (st.st_size > GA_CONFIG_MAX_SIZE)
		return ga_report(ctx, -EFBIG, "invalid configuration %s: larger than %d bytes (it should be a few lines)",
				 path, GA_CONFIG_MAX_SIZE);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return ga_report(ctx, -ENOMEM, "out of memory");
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ga_report(ctx, -errno, "cannot read configuration '%s': %s (check the file)", path,
					 strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return ga_config_parse(ctx, buf, len, path, out);
}
