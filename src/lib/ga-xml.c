// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library's one XML parse (policy in ga-xml.h) and the shared tree helpers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlversion.h>

#include "ga-ctx.h"
#include "ga-xml.h"

/* libxml2 2.12 made the error handed to a structured handler const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *ga_xml_error_ptr;
#else
typedef xmlErrorPtr ga_xml_error_ptr;
#endif

/* What one parse learned besides the document; hung on the parser context. */
struct parse_state {
	int doctype_line;    /* > 0: a <!DOCTYPE> stopped the parse there */
	bool fatal;          /* msg is a well-formedness error (the first one) */
	bool set;
	int line;
	char msg[256];
};

/*
 * The first fatal error is the cause and those after it its consequences;
 * namespace errors do not stop the parse, and of those the last is kept.
 */
static void keep_error(void *user, ga_xml_error_ptr err)
{
	xmlParserCtxtPtr pctx = user;
	struct parse_state *st = pctx->_private;
	bool fatal = err->level == XML_ERR_FATAL;
	size_t n;

	if (err->level < XML_ERR_ERROR || st->fatal)
		return;
	st->fatal = fatal;
	st->set = true;
	st->line = err->line;
	snprintf(st->msg, sizeof(st->msg), "%s", err->message ? err->message : "not XML");
	n = strlen(st->msg);
	while (n && (st->msg[n - 1] == '\n' || st->msg[n - 1] == ' '))
		st->msg[--n] = '\0';
}

/* SAX: a <!DOCTYPE> starts; stop before its internal subset is read. */
static void refuse_doctype(void *user, const xmlChar *name, const xmlChar *public_id, const xmlChar *system_id)
{
	xmlParserCtxtPtr pctx = user;
	struct parse_state *st = pctx->_private;

	(void)name;
	(void)public_id;
	(void)system_id;
	st->doctype_line = pctx->input && pctx->input->line > 0 ? pctx->input->line : 1;
	xmlStopParser(pctx);
}

static void parser_freep(xmlParserCtxtPtr *p)
{
	if (*p)
		xmlFreeParserCtxt(*p);
}

/* "line N" or "NAME:N" */
static const char *where(const struct ga_xml_source *src, int line, char *buf, size_t size)
{
	if (line <= 0)
		line = 1;
	if (src->name)
		snprintf(buf, size, "%s:%d", src->name, line);
	else
		snprintf(buf, size, "line %d", line);
	return buf;
}

int ga_xml_parse(struct ga_ctx *ctx, const char *buf, size_t len, const struct ga_xml_source *src,
		 xmlDocPtr *out)
{
	_cleanup_(parser_freep) xmlParserCtxtPtr pctx = NULL;
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	struct parse_state st = { 0 };
	const char *hint = src->hint ? src->hint : "fix the file";
	size_t max = src->max < INT_MAX ? src->max : INT_MAX;
	int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
	char at[512];

	*out = NULL;
	if (len > max)
		return ga_report(ctx, -EFBIG, "%s%s%s of %zu bytes is larger than the %zu bytes gpu-assign reads (%s)",
				 src->what, src->name ? " " : "", src->name ? src->name : "", len, max,
				 "not read");
	if (!buf || len == 0)
		return ga_report(ctx, -GA_E_PARSE, "malformed %s at %s: Document is empty (%s)", src->what,
				 where(src, 1, at, sizeof(at)), hint);
	pctx = xmlNewParserCtxt();
	if (!pctx || !pctx->sax)
		return ga_report(ctx, -ENOMEM, "out of memory");
	pctx->_private = &st;
	pctx->sax->serror = keep_error;
	pctx->sax->internalSubset = refuse_doctype;
	if (src->drop_blanks)
		options |= XML_PARSE_NOBLANKS;
	doc = xmlCtxtReadMemory(pctx, buf, (int)len, src->name ? src->name : "input.xml", NULL, options);
	if (st.doctype_line)
		return ga_report(ctx, -GA_E_PARSE, "%s has a <!DOCTYPE> at %s: gpu-assign reads no DTD (remove it)",
				 src->what, where(src, st.doctype_line, at, sizeof(at)));
	if (!doc || !pctx->wellFormed || !pctx->nsWellFormed || st.set)
		return ga_report(ctx, -GA_E_PARSE, "malformed %s at %s: %s (%s)", src->what,
				 where(src, st.set ? st.line : 1, at, sizeof(at)), st.set ? st.msg : "not XML", hint);
	if (!xmlDocGetRootElement(doc))
		return ga_report(ctx, -GA_E_PARSE, "malformed %s at %s: no root element (%s)", src->what,
				 where(src, 1, at, sizeof(at)), hint);
	*out = steal_ptr(doc);
	return 0;
}

bool ga_xml_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

bool ga_xml_is_ns(const xmlNode *n, const char *href, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href && !strcmp((const char *)n->ns->href, href) &&
	       !strcmp((const char *)n->name, name);
}

xmlNodePtr ga_xml_child(const xmlNode *parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (ga_xml_is(c, name))
			return c;
	return NULL;
}

xmlNodePtr ga_xml_ns_child(const xmlNode *parent, const char *href, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (ga_xml_is_ns(c, href, name))
			return c;
	return NULL;
}

/* Hand an xmlChar string over as a libc one (NULL stays NULL). */
static char *take(xmlChar *v, bool *oom)
{
	char *copy;

	if (!v)
		return NULL;
	copy = strdup((const char *)v);
	xmlFree(v);
	if (!copy)
		*oom = true;
	return copy;
}

char *ga_xml_prop(const xmlNode *n, const char *name, bool *oom)
{
	return take(n ? xmlGetProp(n, (const xmlChar *)name) : NULL, oom);
}

char *ga_xml_text(const xmlNode *n, bool *oom)
{
	return take(n ? xmlNodeGetContent(n) : NULL, oom);
}

char *ga_xml_strip(char *s)
{
	size_t start = 0, end;

	if (!s)
		return s;
	end = strlen(s);
	while (start < end && strchr(" \t\r\n", s[start]))
		start++;
	while (end > start && strchr(" \t\r\n", s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}
