// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-virt: versions, the target's GI form and refusals, and a real libvirt
 * connection through the test driver (test:///default, in-process: no
 * daemon) for reading versions and defining a generated domain.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-domxml.h"
#include "ga-virt.h"
#include "plan-fixture.h"

static void test_versions(void)
{
	static const struct {
		const char *in;
		unsigned long v; /* 0: refused */
	} cases[] = {
		{ "11.3.0", GA_VERSION(11, 3, 0) }, { "11.8", GA_VERSION(11, 8, 0) }, { "9.2.1", GA_VERSION(9, 2, 1) },
		{ "12.10.999", GA_VERSION(12, 10, 999) }, { "11", 0 }, { "11.", 0 }, { "11.3.0.1", 0 }, { "a.b", 0 },
		{ "1000.0", 0 }, { "", 0 }, { "11.3-rc1", 0 }, { " 11.3", 0 },
	};
	struct ga_ctx *ctx;
	char buf[32];

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		unsigned long v = 0;
		int r = ga_version_parse(ctx, cases[i].in, &v);

		CU_ASSERT_EQUAL(r, cases[i].v ? 0 : -GA_E_PARSE);
		if (cases[i].v)
			CU_ASSERT_EQUAL(v, cases[i].v);
	}
	CU_ASSERT_EQUAL(ga_version_parse(ctx, "x", &(unsigned long){ 0 }), -GA_E_PARSE);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
			       "invalid version 'x': expected MAJOR.MINOR[.MICRO], e.g. '11.3.0'");
	CU_ASSERT_STRING_EQUAL(ga_version_format(GA_VERSION(10, 0, 2), buf, sizeof(buf)), "10.0.2");
	CU_ASSERT_STRING_EQUAL(ga_version_format(0, buf, sizeof(buf)), "unknown");
	CU_ASSERT_EQUAL(ga_gi_form_from_string("native"), GA_GI_FORM_NATIVE);
	CU_ASSERT_EQUAL(ga_gi_form_from_string("both"), -1);
	ga_ctx_free(ctx);
}

/* Every warning of the last call, one per line. */
static char warnings[4096];

static void catch_log(void *data, enum ga_log_level level, const char *msg)
{
	size_t used = strlen(warnings);

	(void)data;
	if (level == GA_LOG_WARNING)
		snprintf(warnings + used, sizeof(warnings) - used, "%s\n", msg);
}

#define V(a, b, c) GA_VERSION(a, b, c)
#define QEMU_UNKNOWN                                                                                                   \
	"QEMU version unknown (no --connect, no --qemu-version): assuming QEMU 10.0 or newer (acpi-generic-initiator with the GI byte-order fix of 9.2, -machine highmem-mmio-size); give --qemu-version or --connect to check the target\n"
#define QEMU_ORDER(v)                                                                                                  \
	"QEMU " v " writes the GI entry's PCI address in the wrong byte order (fixed in 9.2): the guest's NVIDIA driver will report an outdated hypervisor stack; upgrade to QEMU 9.2 or newer\n"
#define QEMU_NO_GI(v)                                                                                                  \
	"QEMU " v " has no acpi-generic-initiator object, so the guest cannot get the GPU's NUMA nodes: upgrade the target to QEMU 9.2 or newer"
#define QEMU_NO_MMIO(v)                                                                                                \
	"QEMU " v " has no -machine highmem-mmio-size, which this plan needs for a 1T 64-bit MMIO window (the GPUs' BARs do not fit in the 'virt' machine's default 512G): upgrade the target to QEMU 10.0 or newer"
#define LIBVIRT_OLD(v)                                                                                                 \
	"libvirt " v " starts a domain with a GPU only on plain vfio-pci, which loses the Grace GPU's memory: upgrade the target to libvirt 9.7 or newer (10.0 or newer binds the variant driver itself)"
#define LIBVIRT_NO_MANAGED(v)                                                                                          \
	"libvirt " v " binds a managed='yes' GPU to plain vfio-pci, which loses the Grace GPU's memory: drop --managed yes (the <hostdev> is then managed='no' and the variant driver is bound before the start), or upgrade the target to libvirt 10.0 or newer"

/*
 * The version gates: libvirt 9.0 / 9.7 / 10.0 / 11.3 / 11.8 and QEMU 8.2 /
 * 9.0 / 9.2 / 10.0 / unknown, with and without a plan that needs the
 * highmem-mmio-size window: the exact refusal, or what the XML writer is
 * told (managed, <driver model>, GI form) and the exact warnings.
 */
static void test_resolve(void)
{
	enum { AUTO = GA_GI_FORM_AUTO, NAT = GA_GI_FORM_NATIVE, FB = GA_GI_FORM_FALLBACK };
	static const struct {
		unsigned long libvirt, qemu;
		int wanted;
		bool managed_yes;
		uint64_t mmio;
		const char *error;    /* refused with this message, or NULL */
		int form;
		bool unmanaged, driver_model;
		const char *warnings; /* exactly these, "" none */
	} cases[] = {
		/* libvirt */
		{ V(9, 0, 0), V(10, 0, 0), AUTO, false, 0, LIBVIRT_OLD("9.0.0"), 0, 0, 0, NULL },
		{ V(9, 6, 9), V(10, 0, 0), AUTO, false, 0, LIBVIRT_OLD("9.6.9"), 0, 0, 0, NULL },
		{ V(9, 7, 0), V(10, 0, 0), AUTO, false, 0, NULL, FB, true, false, "" },
		{ V(9, 7, 0), V(10, 0, 0), AUTO, true, 0, LIBVIRT_NO_MANAGED("9.7.0"), 0, 0, 0, NULL },
		{ V(10, 0, 0), V(10, 0, 0), AUTO, true, 0, NULL, FB, false, true, "" },
		{ V(10, 0, 0), V(10, 0, 0), AUTO, false, 0, NULL, FB, false, true, "" },
		{ V(11, 3, 0), V(10, 0, 0), AUTO, false, 0, NULL, FB, false, true, "" },
		{ V(11, 3, 0), V(10, 0, 0), NAT, false, 0,
		  "libvirt 11.3.0 cannot take the native GI form (memoryless cells with <acpi nodeset>, libvirt 11.8 or newer): use --gi-form fallback or auto",
		  0, 0, 0, NULL },
		{ V(11, 8, 0), V(10, 1, 0), AUTO, false, 0, NULL, NAT, false, true, "" },
		{ V(11, 8, 0), V(10, 1, 0), FB, false, 0, NULL, FB, false, true, "" },
		/* QEMU */
		{ V(11, 3, 0), V(8, 2, 0), AUTO, false, 0, QEMU_NO_GI("8.2.0"), 0, 0, 0, NULL },
		{ V(9, 0, 0), V(7, 2, 0), AUTO, false, 0, QEMU_NO_GI("7.2.0"), 0, 0, 0, NULL },
		{ V(11, 3, 0), V(9, 0, 0), AUTO, false, 0, NULL, FB, false, true, QEMU_ORDER("9.0.0") },
		{ V(11, 3, 0), V(9, 1, 0), AUTO, false, 0, NULL, FB, false, true, QEMU_ORDER("9.1.0") },
		{ V(11, 3, 0), V(9, 2, 0), AUTO, false, 0, NULL, FB, false, true, "" },
		{ V(11, 3, 0), 0, AUTO, false, 0, NULL, FB, false, true, QEMU_UNKNOWN },
		/* the MMIO window needs QEMU 10.0 */
		{ V(11, 3, 0), V(8, 2, 0), AUTO, false, 1ULL << 40, QEMU_NO_GI("8.2.0"), 0, 0, 0, NULL },
		{ V(11, 3, 0), V(9, 0, 0), AUTO, false, 1ULL << 40, QEMU_NO_MMIO("9.0.0"), 0, 0, 0, NULL },
		{ V(11, 3, 0), V(9, 2, 0), AUTO, false, 1ULL << 40, QEMU_NO_MMIO("9.2.0"), 0, 0, 0, NULL },
		{ V(11, 3, 0), V(10, 0, 0), AUTO, false, 1ULL << 40, NULL, FB, false, true, "" },
		{ V(11, 3, 0), 0, AUTO, false, 1ULL << 40, NULL, FB, false, true, QEMU_UNKNOWN },
		/* both at once: refusals before warnings */
		{ V(9, 0, 0), V(9, 1, 0), AUTO, false, 0, LIBVIRT_OLD("9.0.0"), 0, 0, 0, NULL },
		{ V(9, 7, 0), 0, AUTO, false, 0, NULL, FB, true, false, QEMU_UNKNOWN },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_ctx_set_log_fn(ctx, catch_log, NULL);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_target t = { .libvirt_version = cases[i].libvirt, .qemu_version = cases[i].qemu };
		struct ga_target_want want = { .form = (enum ga_gi_form)cases[i].wanted,
					       .managed_yes = cases[i].managed_yes, .highmem_mmio = cases[i].mmio };
		struct ga_target_caps caps = { 0 };
		int r;

		warnings[0] = '\0';
		ga_clear_error(ctx);
		r = ga_target_resolve(ctx, &t, &want, &caps);
		if (cases[i].error) {
			CU_ASSERT_EQUAL(r, -GA_E_UNSUPPORTED);
			CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, cases[i].error);
			CU_ASSERT_STRING_EQUAL(warnings, "");
			if (strcmp(ga_last_error(ctx)->message, cases[i].error))
				fprintf(stderr, "\ncase %zu: %s\n", i, ga_last_error(ctx)->message);
			continue;
		}
		CU_ASSERT_EQUAL(r, 0);
		CU_ASSERT_EQUAL(caps.form, (enum ga_gi_form)cases[i].form);
		CU_ASSERT_EQUAL(caps.unmanaged, cases[i].unmanaged);
		CU_ASSERT_EQUAL(caps.driver_model, cases[i].driver_model);
		CU_ASSERT_STRING_EQUAL(warnings, cases[i].warnings);
		if (r < 0 || strcmp(warnings, cases[i].warnings))
			fprintf(stderr, "\ncase %zu: %d %s / %s\n", i, r, ga_last_error(ctx)->message, warnings);
	}
	{
		/* capabilities that list no vfio backend */
		struct ga_target t = { .libvirt_version = GA_VERSION(11, 3, 0), .qemu_version = GA_VERSION(10, 0, 0),
				       .domcaps = true, .uri = (char *)"qemu:///x" };
		struct ga_target_want want = { .form = GA_GI_FORM_AUTO };
		struct ga_target_caps caps;

		warnings[0] = '\0';
		CU_ASSERT_EQUAL(ga_target_resolve(ctx, &t, &want, &caps), 0);
		CU_ASSERT_STRING_EQUAL(warnings,
				       "the target 'qemu:///x' lists no VFIO PCI hostdev backend in its domain capabilities: libvirt will refuse the GPUs until vfio-pci is loaded on that host\n");
		CU_ASSERT_EQUAL(caps.form, GA_GI_FORM_FALLBACK);
	}
	{
		/* a connection to the test driver has no QEMU: nothing to warn about */
		struct ga_target t = { .libvirt_version = GA_VERSION(11, 3, 0), .driver = (char *)"TEST" };
		struct ga_target_want want = { .form = GA_GI_FORM_AUTO };
		struct ga_target_caps caps;

		warnings[0] = '\0';
		CU_ASSERT_EQUAL(ga_target_resolve(ctx, &t, &want, &caps), 0);
		CU_ASSERT_STRING_EQUAL(warnings, "");
	}
	ga_ctx_free(ctx);
}

/* The aarch64 MMIO window as <pcihole64> from libvirt 11.4 on, whatever the GI form; before, the argument. */
static void test_resolve_pcihole64(void)
{
	static const struct {
		unsigned long libvirt;
		enum ga_gi_form form;
		bool pcihole64;
	} cases[] = {
		{ 0, GA_GI_FORM_AUTO, false }, /* unknown: the argument every libvirt passes on */
		{ GA_VERSION(11, 3, 0), GA_GI_FORM_AUTO, false },
		{ GA_VERSION(11, 3, 999), GA_GI_FORM_FALLBACK, false },
		{ GA_VERSION(11, 4, 0), GA_GI_FORM_AUTO, true },
		{ GA_VERSION(11, 4, 0), GA_GI_FORM_FALLBACK, true },
		{ GA_VERSION(11, 8, 0), GA_GI_FORM_NATIVE, true },
		{ GA_VERSION(12, 8, 0), GA_GI_FORM_FALLBACK, true },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_ctx_set_log_fn(ctx, catch_log, NULL);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_target t = { .libvirt_version = cases[i].libvirt, .qemu_version = GA_VERSION(10, 0, 0) };
		struct ga_target_want want = { .form = cases[i].form, .highmem_mmio = 1ULL << 40 };
		struct ga_target_caps caps = { 0 };

		CU_ASSERT_EQUAL(ga_target_resolve(ctx, &t, &want, &caps), 0);
		if (caps.virt_pcihole64 != cases[i].pcihole64)
			fprintf(stderr, "\npcihole64 case %zu: got %d\n", i, caps.virt_pcihole64);
		CU_ASSERT_EQUAL(caps.virt_pcihole64, cases[i].pcihole64);
	}
	ga_ctx_free(ctx);
}

static void test_remote_uri(void)
{
	CU_ASSERT_FALSE(ga_uri_is_remote(NULL));
	CU_ASSERT_FALSE(ga_uri_is_remote("qemu:///system"));
	CU_ASSERT_FALSE(ga_uri_is_remote("test:///default"));
	CU_ASSERT_FALSE(ga_uri_is_remote("qemu+ssh://localhost/system"));
	CU_ASSERT_TRUE(ga_uri_is_remote("qemu+ssh://root@gh1/system"));
	CU_ASSERT_TRUE(ga_uri_is_remote("qemu+tls://gh2.example.org:16514/system"));
	CU_ASSERT_FALSE(ga_uri_is_remote("not a uri %%"));
}

static void test_connect_test_driver(void)
{
	struct ga_target t = { 0 }, local = { 0 };
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL_FATAL(ga_target_connect(ctx, "test:///default", "aarch64", "virt", "kvm", &t), 0);
	CU_ASSERT_EQUAL(ga_target_local(ctx, &local), 0);
	/* the test driver is libvirt itself: its version is the library's */
	CU_ASSERT(t.libvirt_version >= GA_VERSION(9, 0, 0));
	CU_ASSERT_EQUAL(t.libvirt_version, local.libvirt_version);
	CU_ASSERT_PTR_NOT_NULL(t.driver);
	CU_ASSERT_EQUAL(t.qemu_version, 0); /* not a QEMU driver */
	CU_ASSERT_STRING_EQUAL(t.uri, "test:///default");
	ga_target_clear(&t);
	ga_target_clear(&local);

	CU_ASSERT_EQUAL(ga_target_connect(ctx, "nosuchdriver:///x", NULL, NULL, NULL, &t), -ECONNREFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "cannot connect to libvirt at 'nosuchdriver:///x': "));
	ga_target_clear(&t);
	ga_ctx_free(ctx);
}

static void test_define(void)
{
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 1 };
	struct ga_domxml_opts o = { .name = "ga-test-vm", .form = GA_GI_FORM_FALLBACK, .driver_model = true, .managed = true };
	struct ga_plan *plan = NULL;
	struct fixture f;
	char *xml = NULL, *name = NULL, *uuid = NULL;

	fixture_init(&f, &spec);
	CU_ASSERT_EQUAL_FATAL(fixture_plan(&f, NULL, 0, 8, 8ULL << 20, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(ga_domxml_new(f.ctx, plan, &o, &xml), 0);
	CU_ASSERT_EQUAL(ga_virt_define(f.ctx, "test:///default", xml, &name, &uuid), 0);
	CU_ASSERT_STRING_EQUAL(name, "ga-test-vm");
	CU_ASSERT_PTR_NOT_NULL(uuid);
	CU_ASSERT_EQUAL(uuid ? strlen(uuid) : 0, 36);
	free(name);
	free(uuid);
	free(xml);

	/* libvirt's own validation refuses what its schema does not allow */
	CU_ASSERT_EQUAL(ga_virt_define(f.ctx, "test:///default", "<domain type='kvm'><name>x</name><bogus/></domain>",
				       &name, &uuid), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(f.ctx)->message, "libvirt refused the domain: "));
	CU_ASSERT_PTR_NULL(name);
	CU_ASSERT_PTR_NULL(uuid);
	ga_plan_free(plan);
	fixture_fini(&f);
}

static const struct test_case cases[] = {
	{ "versions", test_versions },
	{ "target: the version gates", test_resolve },
	{ "target: <pcihole64> on aarch64 from libvirt 11.4", test_resolve_pcihole64 },
	{ "URIs of other hosts", test_remote_uri },
	{ "connect to the test driver", test_connect_test_driver },
	{ "define on the test driver", test_define },
	{ NULL, NULL }
};

TEST_MAIN("ga-virt", cases)
