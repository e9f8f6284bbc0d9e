// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-xml: the one parse policy (each refusal, word for word) and the tree helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-domcheck.h"
#include "ga-ctx.h"
#include "ga-xml.h"
#include "test-common.h"

static const struct ga_xml_source test_src = { .what = "test XML", .max = 4096 };

/* Parse text with src; the code, and the message when it fails. */
static int parse(struct ga_ctx *ctx, const struct ga_xml_source *src, const char *text, xmlDocPtr *doc)
{
	return ga_xml_parse(ctx, text, strlen(text), src, doc);
}

static void test_refusals(void)
{
	static const struct ga_xml_source named = { .what = "configuration", .name = "a.conf", .max = 4096 };
	static const struct ga_xml_source hinted = { .what = "test XML", .hint = "ask libvirt", .max = 4096 };
	static const struct ga_xml_source tiny = { .what = "test XML", .max = 16 };
	static const struct {
		const struct ga_xml_source *src;
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		/* a DOCTYPE stops the parse where it stands, entities or not */
		{ &test_src, "<!DOCTYPE d><d/>", -GA_E_PARSE,
		  "test XML has a <!DOCTYPE> at line 1: gpu-assign reads no DTD (remove it)" },
		{ &named, "<?xml version='1.0'?>\n<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><d>&e;</d>",
		  -GA_E_PARSE, "configuration has a <!DOCTYPE> at a.conf:2: gpu-assign reads no DTD (remove it)" },
		{ &test_src,
		  "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]><d>&b;</d>",
		  -GA_E_PARSE, "test XML has a <!DOCTYPE> at line 1: gpu-assign reads no DTD (remove it)" },
		{ &test_src, "<!DOCTYPE d SYSTEM 'http://example.com/d.dtd'><d/>", -GA_E_PARSE,
		  "test XML has a <!DOCTYPE> at line 1: gpu-assign reads no DTD (remove it)" },
		/* an entity without a DTD is not defined */
		{ &test_src, "<d>&e;</d>", -GA_E_PARSE, "malformed test XML at line 1: Entity 'e' not defined (fix the file)" },
		/* well-formed, but a prefix without its declaration: the last such error is named */
		{ &test_src, "<d>\n<q:x>\n<q:y/></q:x></d>", -GA_E_PARSE,
		  "malformed test XML at line 3: Namespace prefix q on y is not defined (fix the file)" },
		{ &named, "<d><q:x/></d>", -GA_E_PARSE,
		  "malformed configuration at a.conf:1: Namespace prefix q on x is not defined (fix the file)" },
		/* too big: not even parsed */
		{ &tiny, "<d>0123456789</d>", -EFBIG,
		  "test XML of 17 bytes is larger than the 16 bytes gpu-assign reads (not read)" },
		{ &test_src, "", -GA_E_PARSE, "malformed test XML at line 1: Document is empty (fix the file)" },
		/* not XML: the first fatal error is the cause, later ones are not named */
		{ &test_src, "hello", -GA_E_PARSE,
		  "malformed test XML at line 1: Start tag expected, '<' not found (fix the file)" },
		{ &named, "<a>\n<b>\n</a>\n", -GA_E_PARSE,
		  "malformed configuration at a.conf:3: Opening and ending tag mismatch: b line 2 and a (fix the file)" },
		{ &hinted, "<a/><b/>", -GA_E_PARSE,
		  "malformed test XML at line 1: Extra content at the end of the document (ask libvirt)" },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		xmlDocPtr doc = (xmlDocPtr)1;
		int r = parse(ctx, cases[i].src, cases[i].text, &doc);

		CU_ASSERT_EQUAL(r, cases[i].code);
		CU_ASSERT_PTR_NULL(doc);
		if (strcmp(ga_last_error(ctx)->message, cases[i].msg))
			fprintf(stderr, "\ncase %zu: '%s'\n", i, ga_last_error(ctx)->message);
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, cases[i].msg);
	}
	/* a NULL buffer is an empty one */
	CU_ASSERT_EQUAL(ga_xml_parse(ctx, NULL, 0, &test_src, &(xmlDocPtr){ NULL }), -GA_E_PARSE);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
			       "malformed test XML at line 1: Document is empty (fix the file)");
	ga_ctx_free(ctx);
}

/* libxml2 prints nothing, whatever it is fed. */
static void test_silent(void)
{
	static const char *const bad[] = {
		"<d>&e;</d>", "<d><q:x/></d>", "hello", "<a>\n<b>\n</a>", "<!DOCTYPE d [<!ENTITY e 'x'>]><d>&e;</d>",
		"<d a='1' a='2'/>", "<?xml version='1.0' encoding='nonsense'?><d/>",
	};
	char path[] = "/tmp/test-xml-stderr.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct ga_ctx *ctx;
	struct stat st;

	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	fflush(stderr);
	dup2(fd, 2);
	for (size_t i = 0; i < GA_ARRAY_SIZE(bad); i++) {
		xmlDocPtr doc = NULL;

		CU_ASSERT(parse(ctx, &test_src, bad[i], &doc) < 0);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CU_ASSERT_EQUAL(fstat(fd, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 0);
	close(fd);
	unlink(path);
	ga_ctx_free(ctx);
}

static void test_parsed(void)
{
	static const struct ga_xml_source blanks = { .what = "test XML", .max = 4096, .drop_blanks = true };
	const char *text = "<d xmlns:q='urn:q'>\n  <a x=' 1 '><![CDATA[<raw>]]></a>\n  <q:a/>\n  <b>  42 \n</b>\n</d>";
	struct ga_ctx *ctx;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, a;
	bool oom = false;
	char *v;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL_FATAL(parse(ctx, &test_src, text, &doc), 0);
	root = xmlDocGetRootElement(doc);
	CU_ASSERT(ga_xml_is(root, "d"));
	CU_ASSERT(!ga_xml_is(root, "a"));
	CU_ASSERT(!ga_xml_is(NULL, "d"));
	a = ga_xml_child(root, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	/* CDATA is text */
	CU_ASSERT_EQUAL(a->children->type, XML_TEXT_NODE);
	v = ga_xml_text(a, &oom);
	CU_ASSERT_STRING_EQUAL(v, "<raw>");
	free(v);
	v = ga_xml_prop(a, "x", &oom);
	CU_ASSERT_STRING_EQUAL(v, " 1 ");
	CU_ASSERT_STRING_EQUAL(ga_xml_strip(v), "1");
	free(v);
	CU_ASSERT_PTR_NULL(ga_xml_prop(a, "y", &oom));
	CU_ASSERT_PTR_NULL(ga_xml_prop(NULL, "y", &oom));
	CU_ASSERT_PTR_NULL(ga_xml_text(NULL, &oom));
	CU_ASSERT(!oom);
	/* a namespaced element is not libvirt's: only ga_xml_ns_child finds it */
	CU_ASSERT_PTR_EQUAL(ga_xml_child(root, "a"), a);
	CU_ASSERT_PTR_NOT_NULL(ga_xml_ns_child(root, "urn:q", "a"));
	CU_ASSERT_PTR_NULL(ga_xml_ns_child(root, "urn:other", "a"));
	CU_ASSERT(ga_xml_is_ns(ga_xml_ns_child(root, "urn:q", "a"), "urn:q", "a"));
	CU_ASSERT_PTR_NULL(ga_xml_child(NULL, "a"));
	v = ga_xml_text(ga_xml_child(root, "b"), &oom);
	CU_ASSERT_STRING_EQUAL(ga_xml_strip(v), "42");
	free(v);
	CU_ASSERT_STRING_EQUAL(ga_xml_strip((char[]){ " \t\r\n" }), "");
	CU_ASSERT_PTR_NULL(ga_xml_strip(NULL));
	/* blank text between elements: kept, or dropped when asked */
	CU_ASSERT_EQUAL(root->children->type, XML_TEXT_NODE);
	xmlFreeDoc(doc);
	CU_ASSERT_EQUAL_FATAL(parse(ctx, &blanks, text, &doc), 0);
	CU_ASSERT_EQUAL(xmlDocGetRootElement(doc)->children->type, XML_ELEMENT_NODE);
	xmlFreeDoc(doc);
	ga_ctx_free(ctx);
}

/* The domain reader on top: the policy plus a <domain> root. */
static void test_domain(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "<network/>",
		  "not a libvirt domain XML: the root element is 'network', not 'domain' (give the output of 'virsh dumpxml')" },
		/* issue 12 item 6: a <domain> in a namespace said "'domain', not 'domain'" */
		{ "<x:domain xmlns:x='urn:y'/>",
		  "not a libvirt domain XML: the root element 'domain' is in the namespace 'urn:y', and libvirt's has none (remove xmlns:x='urn:y' from it)" },
		{ "<domain xmlns='urn:x'/>",
		  "not a libvirt domain XML: the root element 'domain' is in the namespace 'urn:x', and libvirt's has none (remove xmlns='urn:x' from it)" },
		{ "<x:network xmlns:x='urn:y'/>",
		  "not a libvirt domain XML: the root element is 'x:network', not 'domain' (give the output of 'virsh dumpxml')" },
		{ "<domain>", "malformed domain XML at line 1: Premature end of data in tag domain line 1 (fix the file)" },
	};
	struct ga_ctx *ctx;
	xmlDocPtr doc = NULL;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		CU_ASSERT_EQUAL(ga_domain_doc_parse(ctx, cases[i].text, strlen(cases[i].text), &doc), -GA_E_PARSE);
		CU_ASSERT_PTR_NULL(doc);
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, cases[i].msg);
	}
	CU_ASSERT_EQUAL(ga_domain_doc_parse(ctx, "<domain/>", 9, &doc), 0);
	CU_ASSERT_PTR_NOT_NULL(doc);
	xmlFreeDoc(doc);
	CU_ASSERT_EQUAL(ga_domain_doc_parse(ctx, "<domain/>", GA_DOMAIN_MAX_XML + 1ul, &doc), -EFBIG);
	ga_ctx_free(ctx);
}

static const struct test_case cases[] = {
	{ "each refusal", test_refusals },
	{ "nothing printed", test_silent },
	{ "parsed documents and helpers", test_parsed },
	{ "domain XML", test_domain },
	{ NULL, NULL },
};

TEST_MAIN("ga-xml", cases)
