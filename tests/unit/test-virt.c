/*
 * ga-virt: versions, the target's GI form and refusals, and a real libvirt
 * connection through the test driver (test:///default, in-process: no
 * daemon) for reading versions and defining a generated domain.
 */
#include <errno.h>
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

static char last_warning[1024];

static void catch_log(void *data, enum ga_log_level level, const char *msg)
{
	(void)data;
	if (level == GA_LOG_WARNING)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static void test_resolve(void)
{
	static const struct {
		unsigned long libvirt, qemu;
		enum ga_gi_form wanted;
		int code;
		enum ga_gi_form form;
		bool driver_model;
		bool warns;
		const char *msg;
	} cases[] = {
		{ GA_VERSION(11, 3, 0), GA_VERSION(10, 0, 0), GA_GI_FORM_AUTO, 0, GA_GI_FORM_FALLBACK, true, false, NULL },
		{ GA_VERSION(11, 8, 0), GA_VERSION(10, 1, 0), GA_GI_FORM_AUTO, 0, GA_GI_FORM_NATIVE, true, false, NULL },
		{ GA_VERSION(12, 8, 0), 0, GA_GI_FORM_FALLBACK, 0, GA_GI_FORM_FALLBACK, true, false, NULL },
		{ GA_VERSION(9, 0, 0), GA_VERSION(9, 2, 0), GA_GI_FORM_AUTO, 0, GA_GI_FORM_FALLBACK, false, false, NULL },
		{ GA_VERSION(10, 0, 0), GA_VERSION(9, 1, 0), GA_GI_FORM_AUTO, 0, GA_GI_FORM_FALLBACK, true, true, NULL },
		{ GA_VERSION(10, 0, 0), GA_VERSION(9, 0, 0), GA_GI_FORM_AUTO, 0, GA_GI_FORM_FALLBACK, true, true, NULL },
		{ GA_VERSION(9, 0, 0), GA_VERSION(7, 2, 0), GA_GI_FORM_AUTO, -GA_E_UNSUPPORTED, 0, false, false,
		  "QEMU 7.2.0 has no acpi-generic-initiator object, so the guest cannot get the GPU's NUMA nodes: upgrade the target to QEMU 9.2 or newer" },
		{ GA_VERSION(11, 3, 0), GA_VERSION(8, 2, 2), GA_GI_FORM_AUTO, -GA_E_UNSUPPORTED, 0, false, false,
		  "QEMU 8.2.2 has no acpi-generic-initiator object, so the guest cannot get the GPU's NUMA nodes: upgrade the target to QEMU 9.2 or newer" },
		{ GA_VERSION(11, 3, 0), GA_VERSION(10, 0, 0), GA_GI_FORM_NATIVE, -GA_E_UNSUPPORTED, 0, false, false,
		  "libvirt 11.3.0 cannot take the native GI form (memoryless cells with <acpi nodeset>, libvirt 11.8 or newer): use --gi-form fallback or auto" },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_ctx_set_log_fn(ctx, catch_log, NULL);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_target t = { .libvirt_version = cases[i].libvirt, .qemu_version = cases[i].qemu };
		struct ga_target_caps caps = { 0 };
		int r;

		last_warning[0] = '\0';
		r = ga_target_resolve(ctx, &t, cases[i].wanted, &caps);
		CU_ASSERT_EQUAL(r, cases[i].code);
		if (r < 0) {
			CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, cases[i].msg);
			continue;
		}
		CU_ASSERT_EQUAL(caps.form, cases[i].form);
		CU_ASSERT_EQUAL(caps.driver_model, cases[i].driver_model);
		CU_ASSERT_EQUAL(last_warning[0] != '\0', cases[i].warns);
		if (cases[i].warns)
			CU_ASSERT_PTR_NOT_NULL(strstr(last_warning, "wrong byte order (fixed in 9.2)"));
	}
	{
		/* capabilities that list no vfio backend */
		struct ga_target t = { .libvirt_version = GA_VERSION(11, 3, 0), .domcaps = true, .uri = (char *)"qemu:///x" };
		struct ga_target_caps caps;

		last_warning[0] = '\0';
		CU_ASSERT_EQUAL(ga_target_resolve(ctx, &t, GA_GI_FORM_AUTO, &caps), 0);
		CU_ASSERT_STRING_EQUAL(last_warning,
				       "the target 'qemu:///x' lists no VFIO PCI hostdev backend in its domain capabilities: libvirt will refuse the GPUs until vfio-pci is loaded on that host");
		CU_ASSERT_EQUAL(caps.form, GA_GI_FORM_FALLBACK);
	}
	ga_ctx_free(ctx);
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
	{ "target: GI form, driver model, old QEMU", test_resolve },
	{ "connect to the test driver", test_connect_test_driver },
	{ "define on the test driver", test_define },
	{ NULL, NULL }
};

TEST_MAIN("ga-virt", cases)
