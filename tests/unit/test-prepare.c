// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-prepare: a domain file supplies the vCPUs, memory and architecture the
 * request leaves out; the request wins where it has them; the target's
 * versions pick the GI form. On a fixture host, offline.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-prepare.h"
#include "plan-fixture.h"

#define GiB_KIB (1ULL << 20)

static const char *write_domain(struct fixture *f, const char *body, char path[PATH_MAX])
{
	test_write_file(f->root, "domain.xml", body);
	snprintf(path, PATH_MAX, "%s/domain.xml", f->root);
	return path;
}

static struct ga_plan_input input(const struct fixture *f, const char *domain_file)
{
	struct ga_plan_input in = {
		.host = f->host,
		.req = { .all_gpus = true },
		.domain_file = domain_file,
		.libvirt_version = GA_VERSION(11, 3, 0),
		.qemu_version = GA_VERSION(10, 0, 0),
	};

	return in;
}

static void test_domain_supplies(void)
{
	struct fixture_spec spec = { .sockets = 2, .gpus_per_socket = 1 };
	char path[PATH_MAX];
	struct ga_plan_input in;
	struct ga_prepared p;
	struct fixture f;

	fixture_init(&f, &spec);
	in = input(&f, write_domain(&f, "<domain type='kvm'><name>vm</name><memory unit='GiB'>16</memory>"
				       "<vcpu>8</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os></domain>",
				       path));
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	CU_ASSERT_EQUAL(p.plan->vcpus, 8);
	CU_ASSERT_EQUAL(p.plan->memory_kib, 16 * GiB_KIB);
	CU_ASSERT_EQUAL(p.plan->arch, GA_ARCH_X86_64);
	CU_ASSERT_STRING_EQUAL(ga_arch_machine(p.plan->arch), "q35");
	CU_ASSERT_EQUAL(p.plan->ncells, 2);
	CU_ASSERT_PTR_NOT_NULL(p.domain);
	CU_ASSERT_EQUAL(p.domain_len, strlen(p.domain));
	CU_ASSERT_STRING_EQUAL(p.info.name, "vm");
	CU_ASSERT_PTR_EQUAL(p.host, f.host);
	CU_ASSERT_PTR_NULL(p.discovered);
	CU_ASSERT_EQUAL(p.target.libvirt_version, GA_VERSION(11, 3, 0));
	CU_ASSERT_EQUAL(p.target.qemu_version, GA_VERSION(10, 0, 0));
	CU_ASSERT_EQUAL(p.caps.form, GA_GI_FORM_FALLBACK);
	ga_prepared_clear(&p);

	/* the request wins; a libvirt with native GI nodes takes that form */
	in.req.vcpus = 4;
	in.req.memory_kib = 2 * GiB_KIB;
	in.req.arch = GA_ARCH_AARCH64;
	in.libvirt_version = GA_VERSION(11, 8, 0);
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	CU_ASSERT_EQUAL(p.plan->vcpus, 4);
	CU_ASSERT_EQUAL(p.plan->memory_kib, 2 * GiB_KIB);
	CU_ASSERT_EQUAL(p.plan->arch, GA_ARCH_AARCH64);
	CU_ASSERT_STRING_EQUAL(ga_arch_machine(p.plan->arch), "virt");
	CU_ASSERT_EQUAL(p.caps.form, GA_GI_FORM_NATIVE);
	ga_prepared_clear(&p);
	fixture_fini(&f);
}

static void expect_refusal(struct fixture *f, const struct ga_plan_input *in, const char *msg)
{
	struct ga_prepared p;

	memset(&p, 0xa5, sizeof(p));
	CU_ASSERT(ga_plan_prepare(f->ctx, in, &p) < 0);
	CU_ASSERT_STRING_EQUAL(ga_last_error(f->ctx)->message, msg);
	/* nothing left to free */
	CU_ASSERT_PTR_NULL(p.domain);
	CU_ASSERT_PTR_NULL(p.plan);
	CU_ASSERT_PTR_NULL(p.host);
}

static void test_refusals(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	char path[PATH_MAX], msg[PATH_MAX + 128];
	struct ga_plan_input in;
	struct ga_prepared p;
	struct fixture f;

	fixture_init(&f, &spec);
	in = input(&f, write_domain(&f, "<domain type='kvm'><name>vm</name><memory unit='GiB'>4</memory></domain>", path));
	expect_refusal(&f, &in, "the domain has no <vcpu>: give --vcpus N");
	in.req.vcpus = 2;
	CU_ASSERT_EQUAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	ga_prepared_clear(&p);
	in = input(&f, write_domain(&f, "<domain type='kvm'><name>vm</name><vcpu>2</vcpu></domain>", path));
	expect_refusal(&f, &in, "the domain has no <memory>: give --memory SIZE");
	snprintf(path, sizeof(path), "%s/missing.xml", f.root);
	in = input(&f, path);
	snprintf(msg, sizeof(msg), "cannot open domain XML '%s': No such file or directory", path);
	expect_refusal(&f, &in, msg);
	/* the plan's own refusals come through */
	in = input(&f, NULL);
	in.req.vcpus = 1000;
	in.req.memory_kib = GiB_KIB;
	expect_refusal(&f, &in, "cannot give the guest 1000 vCPUs: the host has 72 CPUs (ask for at most 72)");
	fixture_fini(&f);
}

static void catch_log(void *data, enum ga_log_level level, const char *msg);
static char warnings[4096];

/*
 * A domain whose own machine cannot take the layout is refused before the
 * planner runs: one line, no warning of the planner before it (found with
 * libvirt's tests/qemuxmlconfdata: an i440fx domain with cells and no
 * memnode got the planner's memnode warning, then the refusal).
 */
static void test_machine_first(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	char path[PATH_MAX];
	struct ga_plan_input in;
	struct fixture f;

	fixture_init(&f, &spec);
	warnings[0] = '\0';
	ga_ctx_set_log_fn(f.ctx, catch_log, NULL);
	in = input(&f, write_domain(&f, "<domain type='kvm'><name>vm</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>"
					"<os><type arch='x86_64' machine='pc-i440fx-9.0'>hvm</type></os><cpu><numa>"
					"<cell id='0' cpus='0-1' memory='4' unit='GiB'/></numa></cpu></domain>",
				    path));
	expect_refusal(&f, &in,
		       "the domain's machine type 'pc-i440fx-9.0' is not 'q35', which the GPU layout needs (set <type machine='q35'>)");
	CU_ASSERT_STRING_EQUAL(warnings, "");
	in = input(&f, write_domain(&f, "<domain type='kvm'><name>vm</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>"
					"<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os></domain>",
				    path));
	expect_refusal(&f, &in, "the domain's architecture 's390x' is not one gpu-assign supports (aarch64, x86_64)");
	CU_ASSERT_STRING_EQUAL(warnings, "");
	ga_ctx_set_log_fn(f.ctx, NULL, NULL);
	fixture_fini(&f);
}

static void catch_log(void *data, enum ga_log_level level, const char *msg)
{
	size_t used = strlen(warnings);

	(void)data;
	if (level == GA_LOG_WARNING)
		snprintf(warnings + used, sizeof(warnings) - used, "%s\n", msg);
}

/*
 * Each GPU's variant driver: the kernel's (here the registered in-tree one),
 * --driver-model over it, none at all refused naming both; the libvirt gates
 * on top: 10.0 and later name it, 9.7 - 9.x write none and say who binds it,
 * older refused.
 */
static void test_drivers(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 1 };
	char want[2048], cmd[4200];
	struct ga_plan_input in;
	struct ga_prepared p;
	struct fixture f;
	const char *gpu;

	fixture_init(&f, &spec);
	ga_ctx_set_log_fn(f.ctx, catch_log, NULL);
	in = input(&f, NULL);
	in.req.vcpus = 2;
	in.req.memory_kib = GiB_KIB;
	in.req.gi_nodes = 8; /* the fixture has no ACPI tables: no warning about the GI count */

	warnings[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	CU_ASSERT_STRING_EQUAL(p.plan->gpus[0].driver, "nvgrace_gpu_vfio_pci");
	CU_ASSERT_TRUE(p.caps.driver_model);
	CU_ASSERT_FALSE(p.caps.unmanaged);
	CU_ASSERT_STRING_EQUAL(warnings, "");
	if (warnings[0])
		fprintf(stderr, "\nwarnings: %s", warnings);
	gpu = f.host->devs[0].name;
	ga_prepared_clear(&p);

	in.driver_model = "gpu_assign_nvgrace";
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	CU_ASSERT_STRING_EQUAL(p.plan->gpus[0].driver, "gpu_assign_nvgrace");
	ga_prepared_clear(&p);

	/* libvirt 9.7: no model, managed='no', who binds which driver */
	in.libvirt_version = GA_VERSION(9, 7, 0);
	warnings[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	CU_ASSERT_FALSE(p.caps.driver_model);
	CU_ASSERT_TRUE(p.caps.unmanaged);
	snprintf(want, sizeof(want),
		 "libvirt 9.7.0 cannot bind a vfio-pci variant driver itself (10.0 can): the GPUs' <hostdev> elements are managed='no', so the gpu-assign hook binds %s to gpu_assign_nvgrace when the domain starts (or run 'gpu-assign bind --driver-model gpu_assign_nvgrace %s' before starting it)\n",
		 gpu, gpu);
	CU_ASSERT_STRING_EQUAL(warnings, want);
	ga_prepared_clear(&p);
	in.managed_yes = true;
	expect_refusal(&f, &in,
		       "libvirt 9.7.0 binds a managed='yes' GPU to plain vfio-pci, which loses the Grace GPU's memory: drop --managed yes (the <hostdev> is then managed='no' and the variant driver is bound before the start), or upgrade the target to libvirt 10.0 or newer");
	in.managed_yes = false;
	in.libvirt_version = GA_VERSION(9, 0, 0);
	expect_refusal(&f, &in,
		       "libvirt 9.0.0 starts a domain with a GPU only on plain vfio-pci, which loses the Grace GPU's memory: upgrade the target to libvirt 9.7 or newer (10.0 or newer binds the variant driver itself)");

	/* a target on another host: this kernel says nothing, no model unless forced */
	in.libvirt_version = GA_VERSION(11, 3, 0);
	in.driver_model = NULL;
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	p.target.remote = true;
	p.target.uri = strdup("qemu+ssh://gh1/system");
	warnings[0] = '\0';
	CU_ASSERT_EQUAL(ga_prepared_resolve_drivers(f.ctx, &in, &p), 0);
	CU_ASSERT_STRING_EQUAL(p.plan->gpus[0].driver, "");
	CU_ASSERT_FALSE(p.caps.driver_model);
	CU_ASSERT_STRING_EQUAL(warnings,
			       "the target 'qemu+ssh://gh1/system' is another host, whose kernel decides the variant driver: no <driver model> is written and libvirt there picks the most specific one (give --driver-model NAME to name one)\n");
	in.driver_model = "gpu_assign_nvgrace";
	p.caps.driver_model = true;
	warnings[0] = '\0';
	CU_ASSERT_EQUAL(ga_prepared_resolve_drivers(f.ctx, &in, &p), 0);
	CU_ASSERT_STRING_EQUAL(p.plan->gpus[0].driver, "gpu_assign_nvgrace");
	CU_ASSERT_TRUE(p.caps.driver_model);
	CU_ASSERT_STRING_EQUAL(warnings, "");
	ga_prepared_clear(&p);

	/* a kernel with no Grace variant driver at all */
	in.libvirt_version = GA_VERSION(11, 3, 0);
	in.driver_model = NULL;
	snprintf(cmd, sizeof(cmd), "rm -r '%s/bus/pci/drivers/nvgrace_gpu_vfio_pci'", f.root);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	snprintf(want, sizeof(want),
		 "no vfio-pci variant driver for GPU '%s' in this kernel: neither nvgrace_gpu_vfio_pci (in-tree, Linux >= 6.9) nor gpu_assign_nvgrace (gpu-assign's companion module: 'make module-install' as root in gpu-assign's build tree, or DKMS) offers 10de:2342 (%s/no-modules/modules.alias has no matching vfio_pci alias)",
		 gpu, f.root);
	expect_refusal(&f, &in, want);
	/* ...where --driver-model still names one */
	in.driver_model = "gpu_assign_nvgrace";
	CU_ASSERT_EQUAL_FATAL(ga_plan_prepare(f.ctx, &in, &p), 0);
	CU_ASSERT_STRING_EQUAL(p.plan->gpus[0].driver, "gpu_assign_nvgrace");
	ga_prepared_clear(&p);
	fixture_fini(&f);
}

static const struct test_case cases[] = {
	{ "the domain supplies what the request lacks", test_domain_supplies },
	{ "refusals leave nothing behind", test_refusals },
	{ "a machine that cannot take the layout: refused before the planner warns", test_machine_first },
	{ "variant drivers and the libvirt gates", test_drivers },
	{ NULL, NULL }
};

TEST_MAIN("ga-prepare", cases)
