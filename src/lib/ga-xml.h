/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one way the library reads XML (domain XML, the configuration, libvirt's
 * domain capabilities), and the small tree helpers its readers share.
 *
 * One safety policy for every input: nothing is fetched from the network, no
 * entity is substituted and no DTD is loaded; a <!DOCTYPE> stops the parse
 * and is refused (libvirt never writes one; it could only bring entity
 * tricks); a document that is well-formed but not namespace-well-formed (a
 * prefix without its declaration) is refused, since written back next to a
 * declaration of ours it would change meaning; input above a size cap is not
 * parsed. libxml2 prints nothing: its errors become one message in the
 * context, of one shape for every caller:
 *
 *   malformed <what> at <where>: <libxml2's reason> (<hint>)
 *   <what> has a <!DOCTYPE> at <where>: gpu-assign reads no DTD (remove it)
 *   <what> of <n> bytes is larger than the <max> bytes gpu-assign reads (<hint>)
 *
 * <where> is "line N", or "NAME:N" for a named file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "ga-ctx.h"
#include "ga-util.h"

#define GA_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* What is being read, for the policy's size cap and the messages. */
struct ga_xml_source {
	const char *what;  /* "domain XML", "configuration", ... */
	const char *name;  /* a file name: places read "NAME:LINE"; NULL: "line LINE" */
	const char *hint;  /* what to do, for a malformed document; NULL: "fix the file" */
	size_t max;        /* larger input is refused unparsed */
	bool drop_blanks;  /* drop whitespace-only text between elements (libxml2's NOBLANKS) */
};

/*
 * Parse len bytes of buf under the policy above; *out is the document, with
 * CDATA sections turned into text. On failure *out is NULL and the context
 * holds one GA_E_PARSE (EFBIG for the size cap, ENOMEM) message.
 */
int ga_xml_parse(struct ga_ctx *ctx, const char *buf, size_t len, const struct ga_xml_source *src,
		 xmlDocPtr *out);

static inline void ga_xml_doc_freep(xmlDocPtr *doc)
{
	if (*doc)
		xmlFreeDoc(*doc);
}
#define _cleanup_xmldoc_ _cleanup_(ga_xml_doc_freep)

static inline void ga_xml_freep(xmlChar **s)
{
	if (*s)
		xmlFree(*s);
}
#define _cleanup_xmlfree_ _cleanup_(ga_xml_freep)

/* An element of libvirt's own vocabulary (no namespace) called name. */
bool ga_xml_is(const xmlNode *n, const char *name);
/* An element called name in the namespace href. */
bool ga_xml_is_ns(const xmlNode *n, const char *href, const char *name);
/* The first child element of parent (NULL is fine) that ga_xml_is / ga_xml_is_ns name. */
xmlNodePtr ga_xml_child(const xmlNode *parent, const char *name);
xmlNodePtr ga_xml_ns_child(const xmlNode *parent, const char *href, const char *name);

/*
 * An attribute of n (NULL is fine) and the text content of n, as malloc'd C
 * strings; NULL when absent, with *oom set when a copy failed.
 */
char *ga_xml_prop(const xmlNode *n, const char *name, bool *oom);
char *ga_xml_text(const xmlNode *n, bool *oom);

/* Remove leading and trailing XML blanks (space, tab, CR, LF) in place; returns s. */
char *ga_xml_strip(char *s);
