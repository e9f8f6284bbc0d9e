// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-domxml: new domains against golden files, merges (byte-identical on a
 * re-run, the user's parts kept, exactly our parts removed), refusals, and
 * the schemas: ours (xml-schemas/gpu-assign-domain.rng) over tests/xml and
 * every emitted domain, and libvirt's installed domain.rng.
 *
 * GA_TEST_REGENERATE=1 rewrites the golden files in the source tree.
 */
#include <errno.h>
#include <glob.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-domxml.h"
#include "ga-units.h"
#include "ga-xml.h"
#include "plan-fixture.h"

#define GiB_KIB (1ULL << 20)
#define LIBVIRT_RNG "/usr/share/libvirt/schemas/domain.rng"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* text read with the library's own policy (our output must pass it); NULL, said on stderr, if not. */
static xmlDocPtr test_parse(const char *text, const char *name)
{
	const struct ga_xml_source src = { .what = "test XML", .name = name, .max = 64u << 20 };
	struct ga_ctx *ctx = NULL;
	xmlDocPtr doc = NULL;

	if (ga_ctx_new(&ctx) == 0 && ga_xml_parse(ctx, text, strlen(text), &src, &doc) < 0)
		fprintf(stderr, "%s\n", ga_last_error(ctx)->message);
	ga_ctx_free(ctx);
	return doc;
}

static void quiet(void *data, xmlErrorPtr err)
{
	(void)data;
	(void)err;
}

/* Validate text against a RelaxNG file; 0 if valid. Details only when
 * GA_TEST_VERBOSE is set (the invalid samples would flood the log). */
static int rng_validate(const char *rng, const char *text, const char *what)
{
	xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(rng);
	xmlRelaxNGPtr schema = pc ? xmlRelaxNGParse(pc) : NULL;
	xmlRelaxNGValidCtxtPtr vc = schema ? xmlRelaxNGNewValidCtxt(schema) : NULL;
	xmlDocPtr doc = test_parse(text, what);
	int r = -1;

	if (!schema)
		fprintf(stderr, "cannot load schema %s\n", rng);
	if (vc && !getenv("GA_TEST_VERBOSE"))
		xmlRelaxNGSetValidStructuredErrors(vc, quiet, NULL);
	if (vc && doc)
		r = xmlRelaxNGValidateDoc(vc, doc);
	xmlFreeDoc(doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(schema);
	xmlRelaxNGFreeParserCtxt(pc);
	return r;
}

static char *our_rng(void)
{
	const char *srcdir = getenv("srcdir");
	char *p;

	if (asprintf(&p, "%s/xml-schemas/gpu-assign-domain.rng", srcdir && *srcdir ? srcdir : ".") < 0)
		abort();
	return p;
}

/* Drop every <acpi nodeset=...> (libvirt < 11.8's schema does not know it). */
static char *without_nodeset(const char *text)
{
	char *copy = strdup(text), *p;

	while ((p = strstr(copy, "<acpi nodeset=\"")) != NULL) {
		char *end = strstr(p, "/>");

		memmove(p, end + 2, strlen(end + 2) + 1);
	}
	return copy;
}

/* Our schema, then libvirt's; a native domain on an older libvirt schema is
 * checked without the one element that schema cannot know. */
static void validate_both(const char *text, const char *what)
{
	char *rng = our_rng();

	if (rng_validate(rng, text, what) != 0)
		fprintf(stderr, "%s: not valid against %s (GA_TEST_VERBOSE=1 shows why)\n", what, rng);
	CU_ASSERT_EQUAL(rng_validate(rng, text, what), 0);
	free(rng);
	CU_ASSERT_FATAL(access(LIBVIRT_RNG, R_OK) == 0);
	if (strstr(text, "<acpi nodeset=") && rng_validate(LIBVIRT_RNG, text, what) != 0) {
		char *stripped = without_nodeset(text);

		printf("  (%s: installed libvirt schema predates <acpi nodeset>; checked without it)\n", what);
		CU_ASSERT_EQUAL(rng_validate(LIBVIRT_RNG, stripped, what), 0);
		free(stripped);
		return;
	}
	if (rng_validate(LIBVIRT_RNG, text, what) != 0)
		fprintf(stderr, "%s: not valid against %s (GA_TEST_VERBOSE=1 shows why)\n", what, LIBVIRT_RNG);
	CU_ASSERT_EQUAL(rng_validate(LIBVIRT_RNG, text, what), 0);
}

static void check_golden(const char *rel, const char *text)
{
	char *path = test_srcpath(rel);
	char *want;

	if (getenv("GA_TEST_REGENERATE") && *getenv("GA_TEST_REGENERATE") == '1') {
		spit(path, text);
		printf("  regenerated %s\n", path);
	}
	want = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (want && strcmp(want, text)) {
		char tmp[] = "/tmp/ga-golden.XXXXXX";
		int fd = mkstemp(tmp);

		if (fd >= 0) {
			close(fd);
			spit(tmp, text);
			fprintf(stderr, "%s differs from the output (written to %s; GA_TEST_REGENERATE=1 rewrites)\n",
				path, tmp);
		}
	}
	CU_ASSERT(want && !strcmp(want, text));
	free(want);
	free(path);
}

static const struct ga_domxml_opts fallback = {
	.name = "vm", .form = GA_GI_FORM_FALLBACK, .driver_model = true, .managed = true,
};
/* the native form needs libvirt 11.8, which takes the aarch64 MMIO window as <pcihole64> (11.4) */
static const struct ga_domxml_opts native = {
	.name = "vm", .form = GA_GI_FORM_NATIVE, .driver_model = true, .managed = true, .virt_pcihole64 = true,
};

#define NAME_FIX "(give --name a name in UTF-8 without control characters or '/')"
#define DOMAIN_NAME_FIX "(fix <name> in the domain XML: libvirt would refuse the merged domain)"

struct golden_case {
	const char *file;
	struct fixture_spec spec;
	int ngpus;            /* 0: all, else the first n GPUs */
	unsigned vcpus;
	uint64_t mem_kib;
	bool pin;
	unsigned gi;
	enum ga_arch arch;
	const struct ga_domxml_opts *opts;
	const char *virt_type;
};

static void run_golden(const struct golden_case *c)
{
	struct ga_pci_addr gpus[8];
	struct ga_plan *plan = NULL;
	struct ga_domxml_opts o = *c->opts;
	struct fixture f;
	char *xml = NULL;
	size_t n = 0;

	fixture_init(&f, &c->spec);
	for (unsigned s = 0; s < c->spec.sockets; s++)
		for (unsigned j = 0; j < c->spec.gpus_per_socket; j++)
			gpus[n++] = fixture_gpu_addr(s, j);
	{
		struct ga_plan_request req = {
			.gpus = gpus, .ngpus = c->ngpus ? (size_t)c->ngpus : n, .vcpus = c->vcpus,
			.memory_kib = c->mem_kib, .pin = c->pin, .gi_nodes = c->gi, .arch = c->arch,
		};

		CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	}
	o.virt_type = c->virt_type;
	CU_ASSERT_EQUAL_FATAL(ga_domxml_new(f.ctx, plan, &o, &xml), 0);
	check_golden(c->file, xml);
	validate_both(xml, c->file);
	free(xml);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_goldens(void)
{
	static const struct golden_case cases[] = {
		{ "data/unit/quad-4gpu-fallback.xml", { .sockets = 4, .gpus_per_socket = 1 }, 0, 64, 128 * GiB_KIB,
		  false, 0, GA_ARCH_AUTO, &fallback, NULL },
		{ "data/unit/quad-4gpu-native.xml", { .sockets = 4, .gpus_per_socket = 1 }, 0, 64, 128 * GiB_KIB,
		  false, 0, GA_ARCH_AUTO, &native, NULL },
		{ "data/unit/quad-1gpu-fallback.xml", { .sockets = 4, .gpus_per_socket = 1 }, 1, 8, 16 * GiB_KIB, false,
		  0, GA_ARCH_AUTO, &fallback, "qemu" },
		{ "data/unit/tray-4gpu-native-pin.xml",
		  { .sockets = 2, .gpus_per_socket = 2, .device = 0x2941, .bar2 = 256ULL << 30 }, 0, 16, 32 * GiB_KIB,
		  true, 0, GA_ARCH_AUTO, &native, NULL },
		{ "data/unit/single-model-distances.xml", { .sockets = 1, .gpus_per_socket = 1, .no_distances = true },
		  0, 4, 8 * GiB_KIB, false, 2, GA_ARCH_AUTO, &fallback, NULL },
		{ "data/unit/single-x86_64.xml", { .sockets = 1, .gpus_per_socket = 1 }, 0, 4, 8 * GiB_KIB, false, 0,
		  GA_ARCH_X86_64, &fallback, NULL },
	};

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++)
		run_golden(&cases[i]);
}

/* The number of nodes an XPath expression selects in text. */
static int count(const char *text, const char *expr)
{
	xmlDocPtr doc = test_parse(text, "x.xml");
	xmlXPathContextPtr xp = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = NULL;
	int n = -1;

	if (xp) {
		xmlXPathRegisterNs(xp, BAD_CAST "q", BAD_CAST GA_QEMU_NS);
		xmlXPathRegisterNs(xp, BAD_CAST "ga", BAD_CAST GA_DOMXML_NS);
		xmlXPathRegisterNs(xp, BAD_CAST "app", BAD_CAST "http://example.org/app/1");
		o = xmlXPathEvalExpression(BAD_CAST expr, xp);
	}
	if (o && o->type == XPATH_NODESET)
		n = o->nodesetval ? o->nodesetval->nodeNr : 0;
	else if (o && o->type == XPATH_NUMBER)
		n = (int)o->floatval;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	return n;
}

static int merge_with(struct fixture *f, const char *in, size_t ngpus, const struct ga_domxml_opts *o, char **out)
{
	struct ga_pci_addr gpus[] = { fixture_gpu_addr(0, 0), fixture_gpu_addr(1, 0), fixture_gpu_addr(2, 0),
				       fixture_gpu_addr(3, 0) };
	struct ga_domxml_info info;
	struct ga_plan *plan = NULL;
	struct ga_plan_request req = { .gpus = gpus, .ngpus = ngpus };
	int r;

	r = ga_domxml_read_info(f->ctx, in, strlen(in), &info);
	if (r < 0)
		return r;
	req.vcpus = info.vcpus;
	req.memory_kib = info.memory_kib;
	req.arch = info.arch;
	/* as ga_plan_prepare does: the domain's own cells stay */
	req.user_cells = info.cells;
	req.nuser_cells = info.ncells;
	req.user_distances = info.cell_distances;
	r = ga_plan_build(f->ctx, f->host, &req, &plan);
	if (r == 0)
		r = ga_domxml_merge(f->ctx, in, strlen(in), plan, o, out);
	ga_domxml_info_clear(&info);
	ga_plan_free(plan);
	return r;
}

static void test_merge(void)
{
	struct fixture_spec spec = { .sockets = 4, .gpus_per_socket = 1 };
	char *path = test_srcpath("data/merge/user-domain.xml");
	char *user = slurp(path, NULL), *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL, *m5 = NULL;
	struct fixture f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(user);
	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, user, 2, &fallback, &m1), 0);
	check_golden("data/merge/user-domain-2gpu-fallback.xml", m1);
	validate_both(m1, "merged");
	/* the user's parts are all there */
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/disk"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/interface"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/console"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/metadata/app:owner"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/features/gic[@version='3']"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/q:commandline/q:arg[@value='-fw_cfg']"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/q:commandline/q:arg[@value='name=opt/team-a/token,string=42']"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/comment()"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/uuid"), 1);
	/* ours: 2 hostdevs, each behind an expander bus of its cell next to the user's disk at slot 0x10, 16 GI nodes */
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/hostdev"), 2);
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/controller[@model='pcie-expander-bus' and @index='1']"
				  "[target/node='0']/address[@bus='0x00' and @slot='0x11']"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/controller[@model='pcie-expander-bus' and @index='3']"
				  "[target/node='1']/address[@bus='0x00' and @slot='0x12']"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/devices/hostdev[alias/@name='ua-gpu-0018-01-00-0']/address[@bus='0x04']"), 1);
	CU_ASSERT_EQUAL(count(m1, "/domain/q:commandline/q:arg[starts-with(@value,'acpi-generic-initiator')]"), 16);
	CU_ASSERT_EQUAL(count(m1, "/domain/q:commandline/q:arg[starts-with(@value,'node,nodeid=')]"), 16);
	CU_ASSERT_EQUAL(count(m1, "/domain/cpu/numa/cell"), 2);
	CU_ASSERT_EQUAL(count(m1, "/domain/features/acpi"), 1);

	/* a second merge changes nothing */
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, m1, 2, &fallback, &m2), 0);
	CU_ASSERT_STRING_EQUAL(m1, m2);

	/* one GPU fewer: exactly its parts go */
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, m2, 1, &fallback, &m3), 0);
	CU_ASSERT_EQUAL(count(m3, "/domain/devices/hostdev"), 1);
	CU_ASSERT_EQUAL(count(m3, "/domain/devices/hostdev/alias[@name='ua-gpu-0018-01-00-0']"), 0);
	CU_ASSERT_EQUAL(count(m3, "/domain/q:commandline/q:arg[contains(@value,'ua-gpu-0018-01-00-0')]"), 0);
	CU_ASSERT_EQUAL(count(m3, "/domain/q:commandline/q:arg[starts-with(@value,'acpi-generic-initiator')]"), 8);
	CU_ASSERT_EQUAL(count(m3, "/domain/q:commandline/q:arg[@value='-fw_cfg']"), 1);
	CU_ASSERT_EQUAL(count(m3, "/domain/cpu/numa/cell"), 1);
	CU_ASSERT_EQUAL(count(m3, "/domain/metadata/ga:gpu-assign/ga:gpu"), 1);
	/* one cell: back on pcie.0, the expander buses gone with their record */
	CU_ASSERT_EQUAL(count(m3, "/domain/devices/controller"), 0);
	CU_ASSERT_EQUAL(count(m3, "/domain/metadata/ga:gpu-assign/ga:expander"), 0);
	CU_ASSERT_EQUAL(count(m3, "/domain/devices/hostdev/address[@bus='0x00' and @slot='0x11']"), 1);

	/* the native form replaces the fallback form's arguments */
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, m3, 3, &native, &m4), 0);
	CU_ASSERT_EQUAL(count(m4, "/domain/q:commandline/q:arg[starts-with(@value,'node,nodeid=')]"), 0);
	CU_ASSERT_EQUAL(count(m4, "/domain/q:commandline/q:arg[starts-with(@value,'acpi-generic-initiator')]"), 0);
	CU_ASSERT_EQUAL(count(m4, "/domain/q:commandline/q:arg[@value='-fw_cfg']"), 1);
	CU_ASSERT_EQUAL(count(m4, "/domain/cpu/numa/cell[@memory='0']"), 24);
	CU_ASSERT_EQUAL(count(m4, "/domain/devices/hostdev/acpi[@nodeset='3-10']"), 1);
	validate_both(m4, "merged native");
	/* ... and back: the user's domain plus 2 GPUs again, byte for byte */
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, m4, 2, &fallback, &m5), 0);
	CU_ASSERT_STRING_EQUAL(m5, m1);

	free(m1);
	free(m2);
	free(m3);
	free(m4);
	free(m5);
	free(user);
	free(path);
	fixture_fini(&f);
}

static void test_merge_minimal(void)
{
	/* A domain with nothing but a name and sizes gets every part it needs. */
	static const char *in = "<domain type='kvm'><name>bare</name><memory unit='MiB'>4096</memory>"
				"<vcpu>4</vcpu></domain>";
	static const char *blank = "<domain type='kvm'><name>bare</name><memory unit='MiB'>4096</memory>"
				   "<vcpu>4</vcpu><devices>\n     </devices></domain>";
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct fixture f;
	char *out = NULL, *again = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, in, 1, &fallback, &out), 0);
	CU_ASSERT_EQUAL(count(out, "/domain/features/acpi"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/cpu/numa/cell[@memory='4194304']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/metadata/ga:gpu-assign/ga:cpu"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/hostdev/address[@slot='0x10']"), 1);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, out, 1, &fallback, &again), 0);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(out);
	free(again);
	out = again = NULL;

	/*
	 * libvirt's dumpxml of it: <clock> and <on_*> between <features> and
	 * <devices>, <cpu> filled in. The merge leaves <cpu> where libvirt
	 * keeps it (after <features>) and still records that it created it.
	 */
	{
		static const char *dumped =
			"<domain type='kvm'><name>bare</name><memory unit='KiB'>4194304</memory><vcpu>4</vcpu>"
			"<features><acpi/></features><clock offset='utc'/><on_crash>destroy</on_crash><devices/></domain>";
		char *m1 = NULL, *filled = NULL, *m2 = NULL, *p;

		CU_ASSERT_EQUAL_FATAL(merge_with(&f, dumped, 1, &fallback, &m1), 0);
		CU_ASSERT_EQUAL(count(m1, "/domain/features/following-sibling::*[1][self::cpu]"), 1);
		CU_ASSERT_EQUAL(count(m1, "/domain/cpu/following-sibling::*[1][self::clock]"), 1);
		CU_ASSERT_EQUAL(count(m1, "/domain/metadata/ga:gpu-assign/ga:cpu"), 1);
		filled = malloc(strlen(m1) + 64);
		p = strstr(m1, "<cpu>");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		sprintf(filled, "%.*s<cpu mode='custom' match='exact'>%s", (int)(p - m1), m1, p + strlen("<cpu>"));
		CU_ASSERT_EQUAL_FATAL(merge_with(&f, filled, 1, &fallback, &m2), 0);
		CU_ASSERT_EQUAL(count(m2, "/domain/metadata/ga:gpu-assign/ga:cpu"), 1);
		CU_ASSERT_EQUAL(count(m2, "/domain/cpu[@mode='custom']/numa/cell"), 1);
		free(m1);
		free(filled);
		free(m2);
	}

	/* an empty <devices> holding only blanks (found by fuzzing) */
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, blank, 1, &fallback, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<devices>\n    <hostdev"));
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, out, 1, &fallback, &again), 0);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(out);
	free(again);
	fixture_fini(&f);
}

/*
 * Taking out one of our argument pairs can make two stray arguments
 * neighbours that together look like ours (found by fuzzing): they must go
 * in the same merge, or the next merge would remove them and differ.
 */
static void test_merge_stray_args(void)
{
	static const char *in =
		"<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>stray</name>"
		"<memory unit='MiB'>4096</memory><vcpu>4</vcpu><metadata>"
		"<ga:gpu-assign xmlns:ga='urn:x-gpu-assign:domain:1' form='fallback' arch='aarch64'>"
		"<ga:gpu address='0008:01:00.0' alias='ua-gpu-0008-01-00-0' model='GH200' host-node='0' cell='0' gi-nodes='1-8'/>"
		"<ga:qemu numa-nodes='1-8'/></ga:gpu-assign></metadata><qemu:commandline>"
		"<qemu:arg value='-fw_cfg'/><qemu:arg value='name=opt/x,string=1'/>"
		"<qemu:arg value='-object'/><qemu:arg value='-numa'/><qemu:arg value='node,nodeid=2'/>"
		"<qemu:arg value='acpi-generic-initiator,id=ga-gi9,pci-dev=x,node=9'/>"
		"</qemu:commandline></domain>";
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct fixture f;
	char *out = NULL, *again = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, in, 1, &fallback, &out), 0);
	CU_ASSERT_EQUAL(count(out, "/domain/q:commandline/q:arg[contains(@value,'ga-gi9')]"), 0);
	CU_ASSERT_EQUAL(count(out, "/domain/q:commandline/q:arg[@value='-object']"), 8);
	CU_ASSERT_EQUAL(count(out, "/domain/q:commandline/q:arg[@value='-fw_cfg']"), 1);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, out, 1, &fallback, &again), 0);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(out);
	free(again);
	fixture_fini(&f);
}

/* A 4-socket domain with GPUs 0, 1, 2 merged in; opts, and in before the merge. */
static char *expander_merge(struct fixture *f, const char *in, const struct ga_domxml_opts *o)
{
	char *out = NULL;

	CU_ASSERT_EQUAL(merge_with(f, in, 3, o, &out), 0);
	return out;
}

/*
 * The expander layout against other controllers: the user's keep their
 * indexes and bus numbers, ours go around them, --flat writes none, and
 * only controllers exactly as we write them are ever removed.
 */
static void test_expander(void)
{
	static const char *head = "<domain type='kvm'><name>x</name><memory unit='MiB'>3072</memory><vcpu>3</vcpu>"
				  "<os><type arch='aarch64' machine='virt'>hvm</type></os><devices>";
	/*
	 * the user's: pcie-root, a root port at index 1 with a NIC on it, an
	 * expander with busNr 200 at index 2 with an empty root port (index 9)
	 */
	static const char *user_ctl =
		"<controller type='pci' index='0' model='pcie-root'/>"
		"<controller type='pci' index='1' model='pcie-root-port'><model name='pcie-root-port'/>"
		"<target chassis='1' port='0x8'/><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/></controller>"
		"<controller type='pci' index='2' model='pcie-expander-bus'><model name='pxb-pcie'/><target busNr='200'><node>0</node></target>"
		"<address type='pci' domain='0x0000' bus='0x00' slot='0x10' function='0x0'/></controller>"
		"<controller type='pci' index='9' model='pcie-root-port'><model name='pcie-root-port'/>"
		"<target chassis='5' port='0x0'/><address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></controller>"
		"<interface type='network'><source network='default'/><address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></interface>";
	struct fixture_spec spec = { .sockets = 4, .gpus_per_socket = 1 };
	struct ga_domxml_opts flat = fallback;
	struct ga_domxml_place placed[3];
	struct ga_domxml_opts with_places = fallback;
	struct fixture f;
	char in[4096], *out, *again, *forged;

	fixture_init(&f, &spec);
	snprintf(in, sizeof(in), "%s%s</devices></domain>", head, user_ctl);
	with_places.placed = placed;
	out = expander_merge(&f, in, &with_places);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* ours: indexes 3-8, busNr below the user's 200, slots after the user's 0x10 */
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@model='pcie-expander-bus']"), 4);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@index='3' and @model='pcie-expander-bus']"
				   "[target/@busNr='198' and target/node='0']/address[@slot='0x11']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@index='4' and @model='pcie-root-port']"
				   "[target/@chassis='4']/address[@bus='0x03' and @slot='0x00']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@index='7' and @model='pcie-expander-bus']"
				   "[target/@busNr='194' and target/node='2']/address[@slot='0x13']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/hostdev[alias/@name='ua-gpu-0028-01-00-0']/address[@bus='0x08' and @slot='0x00']"), 1);
	/* in index order among the PCI controllers */
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@index='8']/following-sibling::*[1][@index='9']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@index='2']/following-sibling::*[1][@index='3']"), 1);
	CU_ASSERT(placed[1].expander && placed[1].bus == 6 && placed[1].node == 1 && placed[1].pxb_bus_nr == 196);
	/* the user's controllers untouched, and a second merge the same */
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller[@index='2'][target/@busNr='200']"), 1);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, out, 3, &fallback, &again), 0);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(again);

	/* --flat: none of ours, the GPUs on pcie.0; the earlier expanders removed */
	flat.flat = true;
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, out, 3, &flat, &again), 0);
	CU_ASSERT_EQUAL(count(again, "/domain/devices/controller"), 4);
	CU_ASSERT_EQUAL(count(again, "/domain/metadata/ga:gpu-assign/ga:expander"), 0);
	CU_ASSERT_EQUAL(count(again, "/domain/devices/hostdev/address[@bus='0x00']"), 3);
	CU_ASSERT_EQUAL(count(again, "/domain/devices/hostdev/address[@slot='0x11']"), 1);
	free(again);

	/*
	 * a record entry naming the user's expander and its empty root port
	 * removes nothing: the root port is not exactly what we write (chassis)
	 */
	forged = malloc(strlen(out) + 256);
	CU_ASSERT_PTR_NOT_NULL_FATAL(forged);
	{
		const char *at = strstr(out, "<gpu-assign:numa");

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		sprintf(forged, "%.*s<gpu-assign:expander gpu=\"0008:01:00.0\" index=\"2\" bus-nr=\"200\" node=\"0\" slot=\"0x10\" root-port=\"9\"/>%s",
			(int)(at - out), out, at);
	}
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, forged, 3, &fallback, &again), 0);
	CU_ASSERT_EQUAL(count(again, "/domain/devices/controller[@index='9']"), 1);
	CU_ASSERT_EQUAL(count(again, "/domain/devices/controller[@index='2'][target/@busNr='200']"), 1);
	CU_ASSERT_EQUAL(count(again, "/domain/devices/interface/address[@bus='0x01']"), 1);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(again);
	free(forged);

	/* our root port with a device of the user's on its bus stays (with its expander), and ours go elsewhere */
	{
		char *moved = strdup(out), *at;

		CU_ASSERT_PTR_NOT_NULL_FATAL(moved);
		at = strstr(moved, "bus=\"0x01\" slot=\"0x00\" function=\"0x0\"/>\n    </interface>");
		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		memcpy(at, "bus=\"0x04\"", 10);
		CU_ASSERT_EQUAL_FATAL(merge_with(&f, moved, 3, &fallback, &again), 0);
		CU_ASSERT_EQUAL(count(again, "/domain/devices/controller[@index='3' and @model='pcie-expander-bus']"), 1);
		CU_ASSERT_EQUAL(count(again, "/domain/devices/controller[@index='4' and @model='pcie-root-port']"), 1);
		CU_ASSERT_EQUAL(count(again, "/domain/devices/controller[@model='pcie-expander-bus']"), 5);
		CU_ASSERT_EQUAL(count(again, "/domain/devices/hostdev/address[@bus='0x04']"), 0);
		free(again);
		free(moved);
	}
	free(out);

	/* one cell: flat whatever the options */
	{
		struct ga_domxml_opts o = fallback;

		o.placed = placed;
		snprintf(in, sizeof(in), "%s</devices></domain>", head);
		CU_ASSERT_EQUAL_FATAL(merge_with(&f, in, 1, &o, &out), 0);
		CU_ASSERT_EQUAL(count(out, "/domain/devices/controller"), 0);
		CU_ASSERT(!placed[0].expander && placed[0].bus == 0 && placed[0].slot == 0x10);
		free(out);
	}
	fixture_fini(&f);
}

/* Warnings the library logged, one per line. */
static void collect_log(void *data, enum ga_log_level level, const char *msg)
{
	char *buf = data;

	if (level == GA_LOG_WARNING && strlen(buf) + strlen(msg) + 2 < 4096) {
		strcat(buf, msg);
		strcat(buf, "\n");
	}
}

/*
 * A shape file of tests/data/merge/shapes/ for the in-memory fixture: the
 * files name the quad-gh200 sample host's GPUs (domains 0x0009, 0x0019, ...,
 * for tests/stack/merge-shapes); the fixture's are at 0x0008, 0x0018, ...
 */
static char *shape(const char *name)
{
	static const char *const from[] = { "0009", "0019", "0029", "0039" };
	static const char *const to[] = { "0008", "0018", "0028", "0038" };
	char rel[128], *path, *text;

	snprintf(rel, sizeof(rel), "data/merge/shapes/%s.xml", name);
	path = test_srcpath(rel);
	text = slurp(path, NULL);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (size_t i = 0; i < GA_ARRAY_SIZE(from); i++)
		for (char *p = text; (p = strstr(p, from[i])) != NULL; p += 4)
			memcpy(p, to[i], 4);
	return text;
}

struct xp {
	const char *expr;
	int fallback, native; /* expected count in each form */
};

#define BOTH(e, n) { e, n, n }

struct shape_case {
	const char *name;
	size_t ngpus;          /* the fixture's first n GPUs */
	const char *warning;   /* expected in the log, NULL: no warning at all */
	struct xp checks[24];
};

static const struct shape_case shape_cases[] = {
	{ "user-cells-1", 1,
	  "GPU '0008:01:00.0' (host node 0): no <numatune><memnode> of the domain names that node, so gpu-assign tied it to guest cell 0 (add <memnode cellid='N' mode='strict' nodeset='0'/> to choose the cell)",
	  { BOTH("/domain/cpu/numa/cell[@id='0'][@cpus='0-3'][@memory='4'][@unit='GiB']", 1),
	    { "/domain/cpu/numa/cell[@memory='0'][@unit='KiB'][not(@cpus)]", 0, 8 },
	    { "/domain/cpu/numa/cell[@id='8']", 0, 1 },
	    BOTH("//distances", 0),
	    { "/domain/q:commandline/q:arg[starts-with(@value,'node,nodeid=')]", 8, 0 },
	    BOTH("/domain/q:commandline/q:arg[starts-with(@value,'dist,')]", 0),
	    { "/domain/devices/hostdev/acpi[@nodeset='1-8']", 0, 1 },
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@cell='0'][@gi-nodes='1-8'][not(@adopted)]", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:numa", 0),
	    BOTH("/domain/memory[.='4'][@unit='GiB']", 1) } },
	{ "user-cells-4", 4, NULL,
	  { BOTH("/domain/cpu/numa/cell[@cpus]", 4),
	    { "/domain/cpu/numa/cell[@memory='0']", 0, 32 },
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0008:01:00.0'][@cell='3'][@gi-nodes='4-11']", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0018:01:00.0'][@cell='2']", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0028:01:00.0'][@cell='1']", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0038:01:00.0'][@cell='0'][@gi-nodes='28-35']", 1),
	    /* the user's siblings stay, a sibling per GI node is added to each cell */
	    { "/domain/cpu/numa/cell[@id='0']/distances/sibling", 4, 36 },
	    BOTH("/domain/cpu/numa/cell[@id='0']/distances/sibling[@id='1'][@value='40']", 1),
	    /* cell 3 stands for host node 0: GPU 0008's GI nodes are local to it, GPU 0038's are not */
	    { "/domain/cpu/numa/cell[@id='3']/distances/sibling[@id='4'][@value='80']", 0, 1 },
	    { "/domain/cpu/numa/cell[@id='3']/distances/sibling[@id='28'][@value='120']", 0, 1 },
	    { "/domain/q:commandline/q:arg[@value='dist,src=3,dst=28,val=120']", 1, 0 },
	    { "/domain/cpu/numa/cell[@id='4']/distances/sibling[@id='3'][@value='80']", 0, 1 },
	    { "/domain/q:commandline/q:arg[@value='dist,src=3,dst=4,val=80']", 1, 0 },
	    BOTH("/domain/numatune/memnode", 4),
	    BOTH("/domain/numatune/memnode[@cellid='2'][@mode='preferred']", 1) } },
	{ "nova-2gpu", 2, NULL,
	  { BOTH("/domain/devices/hostdev[@managed='no']", 2),
	    BOTH("/domain/devices/hostdev/address", 0),
	    BOTH("/domain/devices/hostdev/driver", 0),
	    BOTH("/domain/devices/hostdev/rom[@bar='off']", 2),
	    { "/domain/devices/hostdev/alias[@name='ua-gpu-0008-01-00-0']", 1, 0 },
	    { "/domain/devices/hostdev/acpi[@nodeset='2-9']", 0, 1 },
	    { "/domain/devices/hostdev/acpi[@nodeset='10-17']", 0, 1 },
	    { "/domain/metadata/ga:gpu-assign/ga:gpu[@adopted='alias rom']", 2, 0 },
	    { "/domain/metadata/ga:gpu-assign/ga:gpu[@adopted='rom acpi']", 0, 2 },
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0008:01:00.0'][@cell='0']", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0018:01:00.0'][@cell='1']", 1),
	    { "/domain/q:commandline/q:arg[contains(@value,'pci-dev=ua-gpu-0018-01-00-0')]", 8, 0 },
	    BOTH("/domain/cputune/vcpupin", 4),
	    BOTH("/domain/cputune/emulatorpin", 1),
	    BOTH("/domain/numatune/memnode", 2),
	    BOTH("/domain/cpu/numa/cell[@cpus][not(@unit)]", 2),
	    BOTH("/domain/metadata/*[local-name()='instance']", 1),
	    BOTH("//distances", 0) } },
	{ "nova-4gpu-hugepages", 4, NULL,
	  { BOTH("/domain/cpu/numa/cell[@memAccess='shared']", 4),
	    { "/domain/cpu/numa/cell[@memory='0']", 0, 32 },
	    BOTH("/domain/devices/hostdev[@managed='no']", 4),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0038:01:00.0'][@cell='3'][@gi-nodes='28-35']", 1),
	    BOTH("/domain/memoryBacking/hugepages/page", 1),
	    BOTH("/domain/memory[.='16777216']", 1) } },
	{ "generic-initiator-x86", 1,
	  "GPU '0008:01:00.0' (host node 0): no <numatune><memnode> of the domain names that node, so gpu-assign tied it to guest cell 0 (add <memnode cellid='N' mode='strict' nodeset='0'/> to choose the cell)",
	  { BOTH("/domain/cpu/numa/cell[@id='0'][@cpus='0-7'][@memory='219100']", 1),
	    { "/domain/cpu/numa/cell[@memory='0']", 4, 12 },
	    { "/domain/cpu/numa/cell[@id='12'][@memory='0']", 0, 1 },
	    BOTH("/domain/devices/hostdev/acpi[@nodeset='1-4']", 1),
	    { "/domain/devices/hostdev/acpi[@nodeset='5-12']", 0, 1 },
	    { "/domain/q:commandline/q:arg[starts-with(@value,'node,nodeid=5')]", 1, 0 },
	    BOTH("/domain/metadata/ga:gpu-assign[@arch='x86_64']/ga:gpu[@gi-nodes='5-12'][@cell='0']", 1),
	    BOTH("/domain/memory[.='219100'][@unit='KiB']", 1),
	    BOTH("/domain/currentMemory[.='219100']", 1) } },
	{ "kib-memory", 1, NULL,
	  { BOTH("/domain/cpu/numa/cell[@id='0'][@memory='219100'][@unit='KiB']", 1),
	    BOTH("/domain/memory[.='219100'][@unit='KiB']", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:numa[@cells='0']", 1) } },
	{ "gpu-hostdev", 1, NULL,
	  { BOTH("/domain/devices/hostdev", 1),
	    BOTH("/domain/devices/hostdev/alias[@name='ua-mygpu']", 1),
	    BOTH("/domain/devices/hostdev/address[@slot='0x07']", 1),
	    BOTH("/domain/devices/hostdev/driver[@name='vfio'][not(@model)]", 1),
	    BOTH("/domain/devices/hostdev/rom[@bar='off']", 1),
	    /* libvirt's order: alias, rom, acpi, address */
	    BOTH("/domain/devices/hostdev/alias/following-sibling::*[1][self::rom]", 1),
	    { "/domain/devices/hostdev/rom/following-sibling::*[1][self::acpi]", 0, 1 },
	    { "/domain/q:commandline/q:arg[contains(@value,'pci-dev=ua-mygpu,')]", 8, 0 },
	    { "/domain/metadata/ga:gpu-assign/ga:gpu[@alias='ua-mygpu'][@adopted='rom']", 1, 0 },
	    { "/domain/metadata/ga:gpu-assign/ga:gpu[@alias='ua-mygpu'][@adopted='rom acpi']", 0, 1 } } },
	{ "cells-unordered", 1, NULL,
	  { BOTH("/domain/cpu/numa/cell[@cpus]", 2),
	    /* the user's cells as written: listed id 1 first, its '^N' cpus */
	    BOTH("/domain/cpu/numa/cell[1][@id='1'][@cpus='2-4,^4']", 1),
	    /* memnode '0-1,^1' is host node 0: GPU 0008 follows cell 1 */
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@address='0008:01:00.0'][@cell='1'][@gi-nodes='2-9']", 1),
	    { "/domain/cpu/numa/cell[@memory='0']", 0, 8 },
	    { "/domain/cpu/numa/cell[@id='1']/distances/sibling", 2, 10 },
	    { "/domain/cpu/numa/cell[@id='0']/distances/sibling[@id='2']", 0, 1 },
	    { "/domain/q:commandline/q:arg[@value='dist,src=1,dst=2,val=80']", 1, 0 } } },
	{ "memory-devices", 1,
	  "GPU '0008:01:00.0' (host node 0): no <numatune><memnode> of the domain names that node, so gpu-assign tied it to guest cell 0 (add <memnode cellid='N' mode='strict' nodeset='0'/> to choose the cell)",
	  { /* <memory> stays the cells' 2 GiB and the DIMM's 1 GiB together */
	    BOTH("/domain/memory[.='3'][@unit='GiB']", 1),
	    BOTH("/domain/currentMemory[.='3'][@unit='GiB']", 1),
	    /* cells without ids are numbered by their place: the GI cells follow as 2-9 */
	    BOTH("/domain/cpu/numa/cell[not(@id)]", 2),
	    { "/domain/cpu/numa/cell[@id='2'][@memory='0']", 0, 1 },
	    { "/domain/cpu/numa/cell[@id='9'][@memory='0']", 0, 1 },
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@cell='0'][@gi-nodes='2-9']", 1),
	    BOTH("/domain/devices/memory[@model='dimm']", 1) } },
	{ "forged-record", 1, NULL,
	  { BOTH("/domain/devices/hostdev", 2),
	    BOTH("/domain/devices/hostdev/alias[@name='ua-nic']", 1),
	    BOTH("/domain/devices/hostdev[alias/@name='ua-nic']/address[@slot='0x03']", 1),
	    BOTH("/domain/cputune/vcpupin", 2),
	    BOTH("/domain/cputune/emulatorpin", 1),
	    BOTH("/domain/metadata/ga:gpu-assign", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:gpu[@alias='ua-gpu-0008-01-00-0']", 1),
	    BOTH("/domain/metadata/ga:gpu-assign/ga:pin", 0) } },
};

static void run_shape(struct fixture *f, const struct shape_case *c, const struct ga_domxml_opts *o, bool native_form)
{
	char log[4096] = "", what[128];
	char *in = shape(c->name), *m1 = NULL, *m2 = NULL;

	snprintf(what, sizeof(what), "%s (%s)", c->name, native_form ? "native" : "fallback");
	ga_ctx_set_log_fn(f->ctx, collect_log, log);
	if (merge_with(f, in, c->ngpus, o, &m1) != 0)
		fprintf(stderr, "%s: %s\n", what, ga_last_error(f->ctx)->message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
	for (size_t i = 0; i < GA_ARRAY_SIZE(c->checks) && c->checks[i].expr; i++) {
		int want = native_form ? c->checks[i].native : c->checks[i].fallback;
		int got = count(m1, c->checks[i].expr);

		if (got != want)
			fprintf(stderr, "%s: %s: %d, want %d\n", what, c->checks[i].expr, got, want);
		CU_ASSERT_EQUAL(got, want);
	}
	if (c->warning) {
		if (!strstr(log, c->warning))
			fprintf(stderr, "%s: no warning '%s' in:\n%s", what, c->warning, log);
		CU_ASSERT_PTR_NOT_NULL(strstr(log, c->warning));
	} else {
		CU_ASSERT_PTR_NULL(strstr(log, "tied it to guest cell"));
	}
	validate_both(m1, what);
	/* a merge of the merge is the same document */
	CU_ASSERT_EQUAL_FATAL(merge_with(f, m1, c->ngpus, o, &m2), 0);
	if (strcmp(m1, m2))
		fprintf(stderr, "%s: the re-merge differs\n", what);
	CU_ASSERT_STRING_EQUAL(m1, m2);
	ga_ctx_set_log_fn(f->ctx, NULL, NULL);
	free(m1);
	free(m2);
	free(in);
}

/* Foreign domains (tests/data/merge/shapes): merged in both forms, asserted, merged again. */
static void test_merge_shapes(void)
{
	struct fixture_spec spec = { .sockets = 4, .gpus_per_socket = 1, .extra_devices = true };
	struct fixture f;

	fixture_init(&f, &spec);
	for (size_t i = 0; i < GA_ARRAY_SIZE(shape_cases); i++) {
		run_shape(&f, &shape_cases[i], &fallback, false);
		run_shape(&f, &shape_cases[i], &native, true);
	}
	fixture_fini(&f);
}

/*
 * A record is only a claim (issue 13 item 4): each forged entry below names
 * something of the user's that is not in the form gpu-assign writes, and
 * the merge must leave it exactly as it was.
 */
static void test_merge_forged(void)
{
	static const char *in =
		"<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>forged</name>"
		"<metadata><g:gpu-assign xmlns:g='urn:x-gpu-assign:domain:1' form='fallback' arch='aarch64'>"
		"<g:gpu address='0000:01:00.0' alias='ua-nic' model='x' host-node='0' cell='0' gi-nodes='1-2'/>"
		"<g:gpu address='0000:02:00.0' alias='ua-gpu-0000-02-00-0' model='x' host-node='0' cell='0' gi-nodes='0'/>"
		"<g:numa cells='0-1'/><g:pin/><g:pcihole64/><g:qemu numa-nodes='0-2' machine='dump-guest-core=on'/>"
		"</g:gpu-assign></metadata>"
		"<memory unit='MiB'>2048</memory><vcpu>4</vcpu>"
		"<cputune><vcpupin vcpu='0' cpuset='1'/><emulatorpin cpuset='0'/></cputune>"
		"<numatune><memory mode='interleave' nodeset='0'/></numatune>"
		"<cpu><numa><cell id='0' cpus='0-1' memory='1048576' unit='KiB'/>"
		"<cell id='1' cpus='2-3' memory='1024' unit='MiB'/></numa></cpu>"
		"<devices><controller type='pci' index='0' model='pcie-root'><pcihole64 unit='KiB'>1000</pcihole64></controller>"
		"<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='1' slot='0' function='0'/></source><alias name='ua-nic'/></hostdev>"
		"<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='2' slot='0' function='0'/></source><alias name='ua-nic2'/></hostdev>"
		"</devices><qemu:commandline><qemu:arg value='-machine'/><qemu:arg value='dump-guest-core=on'/></qemu:commandline></domain>";
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct fixture f;
	char *out = NULL, *again = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, in, 1, &fallback, &out), 0);
	/* the NICs: the alias is not ours (ua-nic), or not the one the record names (ua-nic2) */
	CU_ASSERT_EQUAL(count(out, "/domain/devices/hostdev[alias/@name='ua-nic']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/devices/hostdev[alias/@name='ua-nic2']"), 1);
	/* tuning that is not only vcpupins / strict memnodes */
	CU_ASSERT_EQUAL(count(out, "/domain/cputune/emulatorpin"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/cputune/vcpupin"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/numatune/memory[@mode='interleave']"), 1);
	/* cells: one of them is not in the planner's form, so both are the user's, and the GI nodes follow */
	CU_ASSERT_EQUAL(count(out, "/domain/cpu/numa/cell[@id='0'][@memory='1048576']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/cpu/numa/cell[@id='1'][@unit='MiB']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/metadata/ga:gpu-assign/ga:gpu[@gi-nodes='2-9']"), 1);
	/* a window that is not a power of two, a -machine that is not highmem-mmio-size */
	CU_ASSERT_EQUAL(count(out, "/domain/devices/controller/pcihole64[.='1000']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/q:commandline/q:arg[@value='dump-guest-core=on']"), 1);
	/* the forged record itself is replaced by ours, and the result is stable */
	CU_ASSERT_EQUAL(count(out, "/domain/metadata/ga:gpu-assign/ga:gpu"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/metadata/ga:gpu-assign/ga:gpu[@alias='ua-nic']"), 0);
	CU_ASSERT_EQUAL_FATAL(merge_with(&f, out, 1, &fallback, &again), 0);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(out);
	free(again);
	fixture_fini(&f);
}

/* Bad domains and conflicts: the exact code and message. */
static void test_merge_refusals(void)
{
	static const struct {
		const char *name;
		const char *xml;
		int code;
		const char *msg;
	} cases[] = {
		{ "malformed", "<domain><name>x</name>", -GA_E_PARSE,
		  "malformed domain XML at line 1: Premature end of data in tag domain line 1 (fix the file)" },
		{ "not a domain", "<network><name>x</name></network>", -GA_E_PARSE,
		  "not a libvirt domain XML: the root element is 'network', not 'domain' (give the output of 'virsh dumpxml')" },
		{ "empty", "", -GA_E_PARSE,
		  "malformed domain XML at line 1: Document is empty (fix the file)" },
		{ "bad vcpu", "<domain><name>x</name><vcpu>many</vcpu><memory>1048576</memory></domain>", -GA_E_PARSE,
		  "the domain's <vcpu> 'many' is not a vCPU count" },
		{ "bad memory unit", "<domain><name>x</name><vcpu>2</vcpu><memory unit='parsecs'>4</memory></domain>",
		  -GA_E_PARSE, "the domain's <memory> '4' (unit 'parsecs') is not a size" },
		{ "GPU hostdev with a nodeset of its own",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><devices><hostdev mode='subsystem' type='pci'><source><address domain='0x0008' bus='0x01' slot='0x00' function='0x0'/></source><acpi nodeset='1-2'/></hostdev></devices></domain>",
		  -EEXIST,
		  "GPU '0008:01:00.0' is in a <hostdev> with an <acpi nodeset='1-2'> of its own: gpu-assign ties the GPU's GI nodes itself (remove that <acpi> and the cells it names)" },
		{ "GPU in two hostdevs",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><devices><hostdev mode='subsystem' type='pci'><source><address domain='0x0008' bus='0x01' slot='0x00' function='0x0'/></source></hostdev><hostdev mode='subsystem' type='pci'><source><address domain='8' bus='1' slot='0' function='0'/></source></hostdev></devices></domain>",
		  -EEXIST, "GPU '0008:01:00.0' is in two <hostdev> elements of the domain: remove one" },
		{ "user cell with a bad size",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='0-1' memory='lots'/></numa></cpu></domain>",
		  -GA_E_PARSE, "the domain's guest NUMA cell 0 has memory 'lots' (unit 'KiB'), which is not a size" },
		{ "user cell with a bad CPU list",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='1-0' memory='1048576'/></numa></cpu></domain>",
		  -GA_E_PARSE, "the domain's guest NUMA cell 0 has cpus '1-0', which is not a CPU list (ranges like '0-3,8')" },
		{ "memory device without a readable size",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='0-1' memory='1048576'/></numa></cpu><devices><memory model='dimm'><target><size unit='parsecs'>1</size><node>0</node></target></memory></devices></domain>",
		  -GA_E_PARSE, "the domain's memory device has a <target><size> '1' (unit 'parsecs') that is not a size" },
		{ "user cell without a readable id",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='0' memory='1048576'/><cell id='one' cpus='1' memory='1048576'/></numa></cpu></domain>",
		  -GA_E_PARSE, "the domain's guest NUMA cell 1 has no readable id ('one')" },
		{ "user cell ids with a gap",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='1' cpus='0-1' memory='1048576'/></numa></cpu></domain>",
		  -EINVAL,
		  "none of the domain's guest NUMA cells has id 0, but libvirt needs the ids 0 to 0, each once: renumber them" },
		{ "user cell ids twice",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='0' memory='524288'/><cell cpus='1' memory='524288' id='0'/></numa></cpu></domain>",
		  -EINVAL,
		  "two of the domain's guest NUMA cells have id 0, but libvirt needs the ids 0 to 1, each once: renumber them" },
		{ "user cell beyond the vCPUs",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='0-3' memory='1048576'/></numa></cpu></domain>",
		  -EINVAL,
		  "the domain's guest NUMA cell 0 has vCPU 2, but the domain has 2 vCPUs: fix its cpus or its <vcpu>" },
		{ "user cells without vCPUs",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' memory='1048576'/></numa></cpu></domain>",
		  -EINVAL,
		  "none of the domain's guest NUMA cells has vCPUs, so no GPU can be tied to one: give a cell cpus" },
		{ "bad memnode",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><cpu><numa><cell id='0' cpus='0-1' memory='1048576'/></numa></cpu><numatune><memnode cellid='0' mode='strict' nodeset='x'/></numatune></domain>",
		  -GA_E_PARSE,
		  "the domain's <numatune><memnode cellid='0'> has a nodeset 'x' that is not a node list" },
		{ "alias taken",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><devices><disk type='file'><alias name='ua-gpu-0008-01-00-0'/></disk></devices></domain>",
		  -EEXIST,
		  "the domain already has a device with alias 'ua-gpu-0008-01-00-0' that gpu-assign did not write: rename it" },
		{ "own -numa",
		  "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>x</name><vcpu>2</vcpu><memory>1048576</memory><qemu:commandline><qemu:arg value='-numa'/><qemu:arg value='node,nodeid=1'/></qemu:commandline></domain>",
		  -EEXIST,
		  "the domain passes its own '-numa' in <qemu:commandline>, which would clash with the planned node ids: remove it" },
		{ "own GI object (found by fuzzing)",
		  "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>x</name><vcpu>2</vcpu><memory>1048576</memory><qemu:commandline><qemu:arg value='-object'/><qemu:arg value='acpi-generic-initiator,id=ga-gi16,pci-dev=hostdev0,node=16'/></qemu:commandline></domain>",
		  -EEXIST,
		  "the domain passes its own 'acpi-generic-initiator' object in <qemu:commandline>, which would clash with the planned GI nodes: remove it" },
		{ "q35 with a pci-root (libvirt's q35-wrong-root test)",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><os><type arch='x86_64' machine='q35'>hvm</type></os><devices><controller type='pci' index='0' model='pci-root'/></devices></domain>",
		  -EINVAL,
		  "the domain's PCI controller 0 is a 'pci-root', but the GPU layout needs the root bus of a q35 machine, a 'pcie-root': make it model='pcie-root' (or remove it: libvirt adds it)" },
		{ "machine not virt",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><os><type arch='aarch64' machine='sbsa-ref'>hvm</type></os></domain>",
		  -EINVAL,
		  "the domain's machine type 'sbsa-ref' is not aarch64 'virt', which the GPU layout needs (set <type machine='virt'>)" },
		{ "unsupported arch",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><os><type arch='ppc64le'>hvm</type></os></domain>",
		  -EINVAL, "the domain's architecture 'ppc64le' is not one gpu-assign supports (aarch64, x86_64)" },
		{ "undeclared prefix (found by fuzzing)",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><qemu:commandline><qemu:arg value='-numa'/></qemu:commandline></domain>",
		  -GA_E_PARSE,
		  "malformed domain XML at line 1: Namespace prefix qemu on arg is not defined (fix the file)" },
		{ "bad record",
		  "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory><metadata><g:gpu-assign xmlns:g='urn:x-gpu-assign:domain:1'><g:qemu numa-nodes='x'/></g:gpu-assign></metadata></domain>",
		  -GA_E_PARSE,
		  "the domain's gpu-assign record has a bad numa-nodes list 'x' (remove the <gpu-assign:gpu-assign> element from <metadata> and its parts by hand)" },
	};
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct fixture f;

	fixture_init(&f, &spec);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		int r = merge_with(&f, cases[i].xml, 1, &fallback, &out);

		if (r != cases[i].code || strcmp(ga_last_error(f.ctx)->message, cases[i].msg))
			fprintf(stderr, "case '%s': got %d '%s'\n", cases[i].name, r, ga_last_error(f.ctx)->message);
		CU_ASSERT_EQUAL(r, cases[i].code);
		CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message, cases[i].msg);
		CU_ASSERT_PTR_NULL(out);
		free(out);
	}
	fixture_fini(&f);
}

/* The <name> of a domain to merge into: what libvirt would refuse is refused before anything is written. */
static void test_merge_names(void)
{
	static const struct {
		const char *xml_name;
		const char *msg;
	} cases[] = {
		{ "a/b", "the domain's <name> 'a/b' has a '/', which libvirt refuses " DOMAIN_NAME_FIX },
		{ "a&#10;b", "the domain's <name> 'a\\nb' has the control character 0x0a, which libvirt refuses " DOMAIN_NAME_FIX },
		{ "a&#9;b", "the domain's <name> 'a\\tb' has the control character 0x09, which libvirt refuses " DOMAIN_NAME_FIX },
		{ "", "the domain's <name> is empty " DOMAIN_NAME_FIX },
	};
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct fixture f;

	fixture_init(&f, &spec);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		char xml[512], *out = NULL;
		int r;

		snprintf(xml, sizeof(xml), "<domain><name>%s</name><vcpu>2</vcpu><memory>1048576</memory></domain>",
			 cases[i].xml_name);
		r = merge_with(&f, xml, 1, &fallback, &out);
		CU_ASSERT_EQUAL(r, -EINVAL);
		if (strcmp(ga_last_error(f.ctx)->message, cases[i].msg))
			fprintf(stderr, "merge name case %zu: got %d '%s'\n", i, r, ga_last_error(f.ctx)->message);
		CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message, cases[i].msg);
		CU_ASSERT_PTR_NULL(out);
		free(out);
	}
	fixture_fini(&f);
}

/*
 * Elements where libvirt formats them (virsh dumpxml of 11.3 and 12.8):
 * <acpi nodeset> between the hostdev's <rom> and its guest <address>, new
 * hostdevs after the other hostdevs and before <watchdog>/<memballoon>, the
 * pcie-root controller among the controllers, <acpi/> first of the
 * features, and <metadata>, <cputune>/<numatune>, <features> and <cpu> at
 * their places among the domain's children.
 */
static void test_libvirt_order(void)
{
	static const char *user =
		"<domain type='kvm'><name>x</name><uuid>43dc0cf8-809b-4adb-9bea-a9abb5f3d90e</uuid>"
		"<memory unit='KiB'>16777216</memory><vcpu placement='static'>4</vcpu><resource><partition>/machine</partition></resource>"
		"<os><type arch='aarch64' machine='virt'>hvm</type></os>"
		"<features><gic version='3'/></features><clock offset='utc'/><on_poweroff>destroy</on_poweroff>"
		"<devices><emulator>/usr/bin/qemu-system-aarch64</emulator>"
		"<disk type='file' device='disk'><source file='/d'/><target dev='vda' bus='virtio'/></disk>"
		"<controller type='usb' index='0' model='qemu-xhci'/>"
		"<interface type='user'><model type='virtio'/></interface>"
		"<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x05' slot='0x00' function='0x0'/></source></hostdev>"
		"<watchdog model='i6300esb' action='reset'/><memballoon model='virtio'/>"
		"</devices></domain>";
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 2, .device = 0x2941, .bar2 = 256ULL << 30 };
	struct ga_pci_addr gpus[] = { fixture_gpu_addr(0, 0), fixture_gpu_addr(0, 1), fixture_gpu_addr(1, 0),
				      fixture_gpu_addr(1, 1) };
	struct ga_plan_request req = { .gpus = gpus, .ngpus = 4, .vcpus = 4, .memory_kib = 16 * GiB_KIB, .pin = true };
	struct ga_domxml_opts o = native;
	struct ga_plan *plan = NULL;
	struct fixture f;
	char *out = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_FATAL(plan->mmio_window > (512ULL << 30));
	CU_ASSERT_EQUAL_FATAL(ga_domxml_merge(f.ctx, user, strlen(user), plan, &o, &out), 0);
	/* domain children */
	CU_ASSERT_EQUAL(count(out, "count(/domain/uuid/following-sibling::*[1][self::metadata])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/vcpu/following-sibling::*[1][self::cputune])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/cputune/following-sibling::*[1][self::numatune])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/numatune/following-sibling::*[1][self::resource])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/os/following-sibling::*[1][self::features])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/features/following-sibling::*[1][self::cpu])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/cpu/following-sibling::*[1][self::clock])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/features/*[1][self::acpi])"), 1);
	/* devices: the window on pcie-root, after the user's controller; the GPUs after the user's hostdev */
	CU_ASSERT_EQUAL(count(out, "count(/domain/q:commandline)"), 0);
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/controller[@type='usb']/following-sibling::*[1]"
				   "[self::controller][@model='pcie-root']/pcihole64[@unit='KiB'])"), 1);
	/* then the expander layout's controllers (two cells) in index order, then the user's NIC */
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/controller[@model='pcie-root']/following-sibling::*[1]"
				   "[self::controller][@model='pcie-expander-bus'][@index='1'])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/controller[@index='8']/following-sibling::*[1][self::interface])"), 1);
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/hostdev)"), 5);
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/hostdev[1]/alias)"), 0);
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/hostdev[5]/following-sibling::*[1][self::watchdog])"), 1);
	/* each GPU: driver, source, alias, rom, acpi, address */
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/hostdev[alias]/rom/following-sibling::*[1][self::acpi]"
				   "/following-sibling::*[1][self::address][not(following-sibling::*)])"), 4);
	CU_ASSERT_EQUAL(count(out, "count(/domain/devices/hostdev[alias]/*[1][self::driver]"
				   "/following-sibling::*[1][self::source]/following-sibling::*[1][self::alias]"
				   "/following-sibling::*[1][self::rom])"), 4);
	validate_both(out, "order");
	free(out);
	ga_plan_free(plan);
	fixture_fini(&f);
}

/* The aarch64 MMIO window: <pcihole64> for libvirt >= 11.4, the -machine argument before. */
static void test_mmio_forms(void)
{
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 2, .device = 0x2941, .bar2 = 256ULL << 30 };
	struct ga_pci_addr gpus[] = { fixture_gpu_addr(0, 0), fixture_gpu_addr(0, 1), fixture_gpu_addr(1, 0),
				      fixture_gpu_addr(1, 1) };
	struct ga_plan_request req = { .gpus = gpus, .ngpus = 4, .vcpus = 4, .memory_kib = 16 * GiB_KIB };
	struct ga_domxml_opts o = fallback;
	struct ga_plan *plan = NULL;
	struct fixture f;
	char *arg = NULL, *hole = NULL, *again = NULL, *back = NULL, want[128];

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_FATAL(plan->mmio_window > (512ULL << 30));
	CU_ASSERT_EQUAL_FATAL(ga_domxml_new(f.ctx, plan, &o, &arg), 0);
	CU_ASSERT_EQUAL(count(arg, "count(/domain/q:commandline/q:arg[starts-with(@value,'highmem-mmio-size=')])"), 1);
	CU_ASSERT_EQUAL(count(arg, "count(//pcihole64)"), 0);
	o.virt_pcihole64 = true;
	CU_ASSERT_EQUAL_FATAL(ga_domxml_new(f.ctx, plan, &o, &hole), 0);
	/* (the fallback form's GI arguments stay: libvirt 11.4 - 11.7) */
	CU_ASSERT_EQUAL(count(hole, "count(/domain/q:commandline/q:arg[contains(@value,'highmem')])"), 0);
	snprintf(want, sizeof(want), "count(/domain/devices/controller[@model='pcie-root']/pcihole64[.='%llu'])",
		 (unsigned long long)(plan->mmio_window >> 10));
	CU_ASSERT_EQUAL(count(hole, want), 1);
	CU_ASSERT_EQUAL(count(hole, "count(/domain/metadata/ga:gpu-assign/ga:pcihole64)"), 1);
	CU_ASSERT_EQUAL(count(hole, "count(/domain/metadata/ga:gpu-assign/ga:qemu/@machine)"), 0);
	validate_both(hole, "pcihole64");
	/* a merge again is the same; a merge for an older libvirt moves the window back to the argument */
	CU_ASSERT_EQUAL_FATAL(ga_domxml_merge(f.ctx, hole, strlen(hole), plan, &o, &again), 0);
	CU_ASSERT_STRING_EQUAL(hole, again);
	o.virt_pcihole64 = false;
	CU_ASSERT_EQUAL_FATAL(ga_domxml_merge(f.ctx, hole, strlen(hole), plan, &o, &back), 0);
	CU_ASSERT_EQUAL(count(back, "count(//pcihole64)"), 0);
	CU_ASSERT_EQUAL(count(back, "count(/domain/q:commandline/q:arg[starts-with(@value,'highmem-mmio-size=')])"), 1);
	free(arg);
	free(hole);
	free(again);
	free(back);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_pin_conflict_and_arch(void)
{
	static const char *tuned = "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory>"
				   "<cputune><shares>100</shares></cputune></domain>";
	static const char *x86 = "<domain><name>x</name><vcpu>2</vcpu><memory>1048576</memory>"
				 "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>";
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct ga_pci_addr gpu = fixture_gpu_addr(0, 0);
	struct ga_plan_request req = { .gpus = &gpu, .ngpus = 1, .vcpus = 2, .memory_kib = GiB_KIB, .pin = true };
	struct ga_plan *plan = NULL;
	struct fixture f;
	char *out = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_EQUAL(ga_domxml_merge(f.ctx, tuned, strlen(tuned), plan, &fallback, &out), -EEXIST);
	CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message,
			       "the domain already has <cputune> or <numatune> of its own: --pin would replace them (remove them or drop --pin)");
	CU_ASSERT_EQUAL(ga_domxml_merge(f.ctx, x86, strlen(x86), plan, &fallback, &out), -EINVAL);
	CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message,
			       "the domain is for architecture 'x86_64' but the plan is for 'aarch64' (give --arch x86_64 or another domain)");
	CU_ASSERT_PTR_NULL(out);
	ga_plan_free(plan);

	/* sizes given on the command line replace the domain's */
	req.pin = false;
	req.vcpus = 6;
	req.memory_kib = 2 * GiB_KIB;
	CU_ASSERT_EQUAL_FATAL(ga_plan_build(f.ctx, f.host, &req, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(ga_domxml_merge(f.ctx, tuned, strlen(tuned), plan, &fallback, &out), 0);
	CU_ASSERT_EQUAL(count(out, "/domain/vcpu[.='6']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/memory[.='2097152'][@unit='KiB']"), 1);
	CU_ASSERT_EQUAL(count(out, "/domain/cputune/shares"), 1);
	free(out);
	ga_plan_free(plan);
	fixture_fini(&f);
}

/* names libvirt or XML refuse, with the one message each gets */
static const struct {
	const char *name;
	const char *msg;
} bad_names[] = {
	{ "a/b", "the domain name 'a/b' has a '/', which libvirt refuses " NAME_FIX },
	{ "a\x01" "b", "the domain name 'a\\x01b' has the control character 0x01, which libvirt refuses " NAME_FIX },
	{ "a\nb", "the domain name 'a\\nb' has the control character 0x0a, which libvirt refuses " NAME_FIX },
	{ "a\tb", "the domain name 'a\\tb' has the control character 0x09, which libvirt refuses " NAME_FIX },
	{ "ab\x7f", "the domain name 'ab\\x7f' has the control character 0x7f, which libvirt refuses " NAME_FIX },
	{ "a\xff" "b", "the domain name is not valid UTF-8: byte 0xff at offset 1 " NAME_FIX },
	{ "a\xc0\xaf", "the domain name is not valid UTF-8: byte 0xc0 at offset 1 " NAME_FIX },     /* overlong '/' */
	{ "ab\xed\xa0\x80", "the domain name is not valid UTF-8: byte 0xed at offset 2 " NAME_FIX }, /* surrogate */
	{ "abc\xe2\x82", "the domain name is not valid UTF-8: byte 0xe2 at offset 3 " NAME_FIX },     /* cut short */
	{ "x\xf4\x90\x80\x80", "the domain name is not valid UTF-8: byte 0xf4 at offset 1 " NAME_FIX }, /* > U+10FFFF */
	{ "\xef\xbf\xbe", "the domain name is not valid UTF-8: byte 0xef at offset 0 " NAME_FIX }, /* U+FFFE, no XML char */
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  "the domain name is 201 bytes long: at most 200 fit in the file names libvirt makes from it " NAME_FIX },
};

static void test_new_refusals(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	struct ga_domxml_opts o = fallback;
	struct ga_plan *plan = NULL;
	struct fixture f;
	char *out = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, NULL, 0, 2, GiB_KIB, &plan), 0);
	o.name = "";
	CU_ASSERT_EQUAL(ga_domxml_new(f.ctx, plan, &o, &out), -EINVAL);
	CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message, "no domain name given (give --name NAME)");
	for (size_t i = 0; i < GA_ARRAY_SIZE(bad_names); i++) {
		o.name = bad_names[i].name;
		CU_ASSERT_EQUAL(ga_domxml_new(f.ctx, plan, &o, &out), -EINVAL);
		CU_ASSERT_PTR_NULL(out);
		if (strcmp(ga_last_error(f.ctx)->message, bad_names[i].msg))
			fprintf(stderr, "name case %zu: got '%s'\n", i, ga_last_error(f.ctx)->message);
		CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message, bad_names[i].msg);
	}
	/* 200 bytes is the most; UTF-8 beyond ASCII is a name like any other */
	{
		char longest[GA_DOMXML_NAME_MAX + 1];

		memset(longest, 'x', GA_DOMXML_NAME_MAX);
		longest[GA_DOMXML_NAME_MAX] = '\0';
		o.name = longest;
		CU_ASSERT_EQUAL(ga_domxml_new(f.ctx, plan, &o, &out), 0);
		free(out);
		out = NULL;
	}
	o.name = "gpu-vm-\xc3\xbc-\xe5\x90\x8d-\xf0\x9f\x99\x82";
	CU_ASSERT_EQUAL_FATAL(ga_domxml_new(f.ctx, plan, &o, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<name>gpu-vm-\xc3\xbc-\xe5\x90\x8d-\xf0\x9f\x99\x82</name>"));
	free(out);
	out = NULL;
	/* names are text nodes, never markup */
	o.name = "<evil & 'name'>";
	CU_ASSERT_EQUAL_FATAL(ga_domxml_new(f.ctx, plan, &o, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<name>&lt;evil &amp; 'name'&gt;</name>"));
	free(out);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static void test_qemu_size(void)
{
	char buf[32];

	CU_ASSERT_STRING_EQUAL(ga_size_format_qemu(1ULL << 40, buf, sizeof(buf)), "1T");
	CU_ASSERT_STRING_EQUAL(ga_size_format_qemu(768ULL << 30, buf, sizeof(buf)), "768G");
	CU_ASSERT_STRING_EQUAL(ga_size_format_qemu(1536, buf, sizeof(buf)), "1536");
	CU_ASSERT_STRING_EQUAL(ga_size_format_qemu(2048, buf, sizeof(buf)), "2K");
}

/* Every tests/xml/ *-valid.xml passes our schema, every *-invalid.xml fails. */
static void test_schema_samples(void)
{
	char *pattern = test_srcpath("xml/*.xml");
	char *rng = our_rng();
	unsigned valid = 0, invalid = 0;
	glob_t g;

	CU_ASSERT_EQUAL_FATAL(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		size_t len = strlen(p);
		char *text = slurp(p, NULL);
		bool want_valid = len > 10 && !strcmp(p + len - 10, "-valid.xml");
		bool want_invalid = len > 12 && !strcmp(p + len - 12, "-invalid.xml");
		int r;

		CU_ASSERT_FATAL(text != NULL);
		CU_ASSERT(want_valid || want_invalid);
		r = rng_validate(rng, text, p);
		if (want_valid) {
			if (r != 0)
				fprintf(stderr, "%s: invalid, but should be valid\n", p);
			CU_ASSERT_EQUAL(r, 0);
			valid++;
		} else {
			if (r == 0)
				fprintf(stderr, "%s: valid, but should not be\n", p);
			CU_ASSERT_NOT_EQUAL(r, 0);
			invalid++;
		}
		free(text);
	}
	printf("  (%u valid and %u invalid samples)\n", valid, invalid);
	CU_ASSERT(valid >= 3 && invalid >= 10);
	globfree(&g);
	free(rng);
	free(pattern);
}

static const struct test_case cases[] = {
	{ "new domains match the golden files and both schemas", test_goldens },
	{ "merge keeps the user's parts, re-runs identically, drops a GPU's parts", test_merge },
	{ "merge into a bare domain", test_merge_minimal },
	{ "merge into foreign domains: user cells, Nova, adopted hostdevs, forged records", test_merge_shapes },
	{ "a forged record removes nothing of the user's", test_merge_forged },
	{ "stray arguments made neighbours by a merge go in that merge", test_merge_stray_args },
	{ "bad domains and conflicts are refused", test_merge_refusals },
	{ "--pin against the user's tuning; sizes and arch", test_pin_conflict_and_arch },
	{ "new-domain names", test_new_refusals },
	{ "names of domains to merge into", test_merge_names },
	{ "elements where libvirt formats them", test_libvirt_order },
	{ "aarch64 MMIO window: <pcihole64> or the -machine argument", test_mmio_forms },
	{ "QEMU sizes", test_qemu_size },
	{ "schema samples in tests/xml", test_schema_samples },
	{ "expander buses around the user's controllers, --flat, forged records", test_expander },
	{ NULL, NULL }
};

TEST_MAIN("ga-domxml", cases)
