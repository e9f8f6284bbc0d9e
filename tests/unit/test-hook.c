// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The hook's logic in-process, on a fake sysfs tree: only the GPU is
 * simulated (its vendor/device ids and driver link), everything else is the
 * real code path the installed hook takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "hook.h"
#include "test-common.h"

#define GPU_HOSTDEV(managed, inner)                                                                  \
	"<hostdev mode='subsystem' type='pci' managed='" managed "'><source>"                       \
	"<address domain='0x0009' bus='0x01' slot='0x00' function='0x0'/></source>" inner "</hostdev>"

#define NATIVE(managed)                                                                              \
	"<domain type='kvm'><name>vm</name><os><type arch='aarch64' machine='virt'>hvm</type></os>"  \
	"<features><acpi/></features><cpu><numa><cell id='0' cpus='0' memory='1048576'/>"            \
	"<cell id='1' memory='0'/><cell id='2' memory='0'/><cell id='3' memory='0'/><cell id='4' memory='0'/>" \
	"<cell id='5' memory='0'/><cell id='6' memory='0'/><cell id='7' memory='0'/><cell id='8' memory='0'/>" \
	"</numa></cpu><devices>" GPU_HOSTDEV(managed, "<alias name='ua-gpu0'/><acpi nodeset='1-8'/>") \
	"</devices></domain>"

#define BARE(managed) \
	"<domain type='kvm'><name>vm</name><features><acpi/></features><devices>" \
	GPU_HOSTDEV(managed, "<alias name='ua-gpu0'/>") "</devices></domain>"

static char *root, *confdir;
static struct ga_ctx *ctx; /* the checker's settings, from a test overrides file as gpu-assign-hook-check loads it */

static void setup_host(void)
{
	root = test_tmpdir_new();
	confdir = test_tmpdir_new();
	/* a GH200 on nvgrace (VFIO), a GH200 on nvidia, a ConnectX NIC */
	test_write_file(root, "bus/pci/devices/0009:01:00.0/vendor", "0x10de\n");
	test_write_file(root, "bus/pci/devices/0009:01:00.0/device", "0x2342\n");
	test_symlink(root, "bus/pci/devices/0009:01:00.0/driver", "../../drivers/nvgrace_gpu_vfio_pci");
	test_write_file(root, "bus/pci/devices/0019:01:00.0/vendor", "0x10de\n");
	test_write_file(root, "bus/pci/devices/0019:01:00.0/device", "0x2342\n");
	test_symlink(root, "bus/pci/devices/0019:01:00.0/driver", "../../drivers/nvidia");
	test_write_file(root, "bus/pci/devices/0000:01:00.0/vendor", "0x15b3\n");
	test_write_file(root, "bus/pci/devices/0000:01:00.0/device", "0x1021\n");
	/* sysfs, ga-bind's state, udev rules, modules and /proc: all in the test's own directories */
	{
		char text[8192], path[4096];

		snprintf(text, sizeof(text),
			 "sysfs-root = %s\nstate-dir = %s/state\nrules-dir = %s/rules\nmodules-dir = %s/modules\nproc-root = %s/proc\n",
			 root, confdir, confdir, confdir, confdir);
		test_write_file(confdir, "test-overrides", text);
		snprintf(path, sizeof(path), "%s/test-overrides", confdir);
		CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
		CU_ASSERT_FATAL(ga_ctx_load_overrides(ctx, path) == 1);
	}
}

struct result {
	int status;
	char err[8192];
};

static void run(const char *config, const char *op, const char *subop, const char *xml, const char *standin,
		struct result *res)
{
	char path[4096];
	struct hook_opts o = { .standin = standin };
	FILE *err = tmpfile();
	size_t n;

	if (!root)
		setup_host();
	snprintf(path, sizeof(path), "%s/gpu-assign.conf", confdir);
	unlink(path);
	if (config)
		test_write_file(confdir, "gpu-assign.conf", config);
	o.ctx = ctx;
	o.config_path = path;
	o.err = err;
	res->status = hook_handle(&o, "vm", op, subop, xml, strlen(xml));
	rewind(err);
	n = fread(res->err, 1, sizeof(res->err) - 1, err);
	res->err[n] = '\0';
	fclose(err);
}

/* exactly one line on stderr, naming the domain, the GPU and a fix */
static void assert_refusal(const struct result *res, const char *gpu, const char *what)
{
	const char *nl = strchr(res->err, '\n');

	if (res->status != HOOK_EXIT_REFUSE || !strstr(res->err, what))
		fprintf(stderr, "\nstatus %d, stderr: %s\n", res->status, res->err);
	CU_ASSERT_EQUAL(res->status, HOOK_EXIT_REFUSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(res->err, "gpu-assign-hook: domain 'vm' refused: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(res->err, gpu));
	CU_ASSERT_PTR_NOT_NULL(strstr(res->err, "Fix: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(res->err, what));
	CU_ASSERT(nl != NULL && nl[1] == '\0');
}

static void assert_allowed(const struct result *res)
{
	if (res->status != HOOK_EXIT_OK || res->err[0])
		fprintf(stderr, "\nstatus %d, stderr: %s\n", res->status, res->err);
	CU_ASSERT_EQUAL(res->status, HOOK_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(res->err, "");
}

static void test_ops(void)
{
	struct result res;

	CU_ASSERT_EQUAL(hook_op_classify("prepare", "begin"), HOOK_OP_PREPARE);
	CU_ASSERT_EQUAL(hook_op_classify("release", "end"), HOOK_OP_RELEASE);
	CU_ASSERT_EQUAL(hook_op_classify("prepare", "end"), HOOK_OP_OTHER);
	CU_ASSERT_EQUAL(hook_op_classify("start", "begin"), HOOK_OP_OTHER);
	CU_ASSERT_EQUAL(hook_op_classify("frobnicate", "-"), HOOK_OP_OTHER);
	/* even a domain that would be refused passes other operations untouched */
	run(NULL, "start", "begin", BARE("no"), NULL, &res);
	assert_allowed(&res);
	run(NULL, "migrate", "begin", BARE("no"), NULL, &res);
	assert_allowed(&res);
}

static void test_gpu_domains(void)
{
	struct result res;

	/* native form, GPU already on its VFIO variant driver */
	run(NULL, "prepare", "begin", NATIVE("no"), NULL, &res);
	assert_allowed(&res);
	/* no GI nodes at all */
	run(NULL, "prepare", "begin", BARE("no"), NULL, &res);
	assert_refusal(&res, "GPU 0009:01:00.0 (GH200 120GB, hostdev 'ua-gpu0')",
		       "no generic-initiator NUMA nodes are tied to it (it needs 8");
	/* a command that runs as printed (tests/hook/fix-lines runs it) */
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err,
				      ". Fix: virsh dumpxml --inactive --security-info vm | gpu-assign xml --domain - --gpu 0009:01:00.0 | virsh define /dev/stdin\n"));
	/* warn and off let it through without a word on stderr */
	run("<gpu-assign><hook policy='warn'/></gpu-assign>", "prepare", "begin", BARE("no"), NULL, &res);
	assert_allowed(&res);
	run("<gpu-assign><hook policy='off'/></gpu-assign>", "prepare", "begin", BARE("no"), NULL, &res);
	assert_allowed(&res);
	/* the configuration can ask for fewer GI nodes */
	run("<gpu-assign><gi-nodes count='8'/></gpu-assign>", "prepare", "begin", NATIVE("yes"), NULL, &res);
	assert_allowed(&res);
	run("<gpu-assign><gi-nodes count='9'/></gpu-assign>", "prepare", "begin", NATIVE("yes"), NULL, &res);
	assert_refusal(&res, "0009:01:00.0", "only 8 of the 9");
	/* release never refuses */
	run(NULL, "release", "end", BARE("no"), NULL, &res);
	assert_allowed(&res);
}

/*
 * The GI count the firmware gives the GPU (its ACPI _DSD, read from the host's
 * AML tables) counts over the catalogue's 8: a domain with 4 GI nodes passes
 * on a host whose firmware says 4, and is refused once the tables are gone.
 */
static void test_gi_from_acpi(void)
{
	static const char *four =
		"<domain type='kvm'><name>vm</name><os><type arch='aarch64' machine='virt'>hvm</type></os>"
		"<features><acpi/></features><cpu><numa><cell id='0' cpus='0' memory='1048576'/>"
		"<cell id='1' memory='0'/><cell id='2' memory='0'/><cell id='3' memory='0'/><cell id='4' memory='0'/>"
		"</numa></cpu><devices>" GPU_HOSTDEV("no", "<alias name='ua-gpu0'/><acpi nodeset='1-4'/>")
		"</devices></domain>";
	char *aml = test_srcpath("hosts/acpi/test-pxm4.aml"), cmd[8192];
	struct result res;

	if (!root)
		setup_host();
	test_write_file(root, "bus/pci/devices/0009:01:00.0/firmware_node/path", "\\_SB_.PCI9.RP00.GPU0\n");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/firmware/acpi/tables' && cp '%s' '%s/firmware/acpi/tables/DSDT'", root,
		 aml, root);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	run(NULL, "prepare", "begin", four, NULL, &res);
	assert_allowed(&res);
	snprintf(cmd, sizeof(cmd), "rm -r '%s/firmware' '%s/bus/pci/devices/0009:01:00.0/firmware_node'", root, root);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	run(NULL, "prepare", "begin", four, NULL, &res);
	assert_refusal(&res, "0009:01:00.0", "only 4 of the 8");
	free(aml);
}

/* The 64-bit MMIO window, from the GPU's real BARs (ga-plan's count). */
static void test_mmio_window(void)
{
	/* BAR2 of 1 TiB: more than the 512 GiB aarch64 'virt' has by default. */
	static const char big[] =
		"0x0000661002000000 0x0000661002ffffff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000670000000000 0x000067ffffffffff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000661000000000 0x0000661001ffffff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
	struct result res;
	char path[4096];

	run(NULL, "prepare", "begin", NATIVE("no"), NULL, &res); /* sets the host up */
	test_write_file(root, "bus/pci/devices/0009:01:00.0/resource", big);
	run(NULL, "prepare", "begin", NATIVE("no"), NULL, &res);
	assert_refusal(&res, "0009:01:00.0", "the guest's 64-bit MMIO window is 512 GiB but the GPUs' BARs need 1026 GiB");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "highmem-mmio-size"));
	/* with the window asked for, it passes */
	run(NULL, "prepare", "begin",
	    "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>vm</name>"
	    "<os><type arch='aarch64' machine='virt'>hvm</type></os>"
	    "<features><acpi/></features><cpu><numa><cell id='0' cpus='0' memory='1048576'/>"
	    "<cell id='1' memory='0'/><cell id='2' memory='0'/><cell id='3' memory='0'/><cell id='4' memory='0'/>"
	    "<cell id='5' memory='0'/><cell id='6' memory='0'/><cell id='7' memory='0'/><cell id='8' memory='0'/>"
	    "</numa></cpu><devices>" GPU_HOSTDEV("no", "<alias name='ua-gpu0'/><acpi nodeset='1-8'/>")
	    "</devices><qemu:commandline><qemu:arg value='-machine'/><qemu:arg value='highmem-mmio-size=2T'/>"
	    "</qemu:commandline></domain>", NULL, &res);
	assert_allowed(&res);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0009:01:00.0/resource", root);
	unlink(path);
}

static void test_binding(void)
{
	static const char on_nvidia[] =
		"<domain><name>vm</name><features><acpi/></features><cpu><numa><cell id='0' cpus='0' memory='1'/>"
		"<cell id='1' memory='0'/><cell id='2' memory='0'/><cell id='3' memory='0'/><cell id='4' memory='0'/>"
		"<cell id='5' memory='0'/><cell id='6' memory='0'/><cell id='7' memory='0'/><cell id='8' memory='0'/>"
		"</numa></cpu><devices><hostdev mode='subsystem' type='pci' managed='%s'><source>"
		"<address domain='0x0019' bus='0x01' slot='0x00' function='0x0'/></source><acpi nodeset='1-8'/>"
		"</hostdev></devices></domain>";
	char xml[2048];
	struct result res;

	/*
	 * managed='no' on the host's nvidia driver: the hook binds it through
	 * ga-bind, which refuses here (the fake tree has no variant driver and
	 * no module provides one) and the start is refused with its reason.
	 */
	snprintf(xml, sizeof(xml), on_nvidia, "no");
	run(NULL, "prepare", "begin", xml, NULL, &res);
	assert_refusal(&res, "GPU 0019:01:00.0", "managed='no' and binding it to a VFIO driver failed: ");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, ". Fix: gpu-assign bind 0019:01:00.0\n"));
	/* policy warn does not help: without the driver QEMU could not open the GPU */
	run("<gpu-assign><hook policy='warn'/></gpu-assign>", "prepare", "begin", xml, NULL, &res);
	assert_refusal(&res, "GPU 0019:01:00.0", "binding it to a VFIO driver failed");
	/* bind='no': the operator binds; the hook refuses a GPU that is not ready, and says how */
	run("<gpu-assign><hook bind='no'/></gpu-assign>", "prepare", "begin", xml, NULL, &res);
	assert_refusal(&res, "GPU 0019:01:00.0",
		       "its <hostdev> is managed='no' and it is on driver nvidia, not on a VFIO driver fit for it (the hook binds none: bind='no' in ");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, ". Fix: gpu-assign bind 0019:01:00.0\n"));
	/* managed='yes': libvirt binds it */
	snprintf(xml, sizeof(xml), on_nvidia, "yes");
	run(NULL, "prepare", "begin", xml, NULL, &res);
	assert_allowed(&res);
}

/* The hook's log (gpu-assign.conf <log file>) of the last run, emptied for the next. */
static char *take_log(const char *path)
{
	char *buf = calloc(1, 1 << 16);
	FILE *f = fopen(path, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	if (f) {
		if (fread(buf, 1, (1 << 16) - 1, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	unlink(path);
	return buf;
}

/*
 * At release end the hook gives back only a GPU it bound for this domain:
 * the owner in the bindings file (version 2), or the hook-ADDRESS file the
 * previous version wrote. Giving it back fails on this fake tree (no driver
 * core), which is enough to see that the hook tried.
 */
static void test_release_owner(void)
{
	static const char *const not_ours = "GPU 0009:01:00.0: not bound by the hook for this domain, left as it is";
	static const char *const tried = "GPU 0009:01:00.0: giving it back failed: ";
	char config[8192], log[4096], state[4096], *text;
	struct result res;

	run(NULL, "release", "end", BARE("no"), NULL, &res); /* sets the host up */
	snprintf(log, sizeof(log), "%s/hook.log", confdir);
	snprintf(state, sizeof(state), "%s/state", confdir);
	snprintf(config, sizeof(config), "<gpu-assign><log syslog='no' file='%s'/></gpu-assign>", log);
	unlink(log);

	run(config, "release", "end", BARE("no"), NULL, &res);
	assert_allowed(&res);
	text = take_log(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, not_ours));
	free(text);

	test_write_file(state, "hook-0009:01:00.0", "vm\n");
	run(config, "release", "end", BARE("no"), NULL, &res);
	assert_allowed(&res);
	text = take_log(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, tried));
	free(text);
	test_write_file(state, "hook-0009:01:00.0", "other\n");
	run(config, "release", "end", BARE("no"), NULL, &res);
	text = take_log(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, not_ours));
	free(text);
	{
		char p[4200];

		snprintf(p, sizeof(p), "%s/hook-0009:01:00.0", state);
		unlink(p);
	}

	test_write_file(state, "bindings",
			"version 2\n0009:01:00.0 driver=nvgrace_gpu_vfio_pci from=nvidia override=- since=1 owner=vm\n");
	run(config, "release", "end", BARE("no"), NULL, &res);
	assert_allowed(&res);
	text = take_log(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, tried));
	free(text);
	test_write_file(state, "bindings",
			"version 2\n0009:01:00.0 driver=nvgrace_gpu_vfio_pci from=nvidia override=- since=1 owner=vm2\n");
	run(config, "release", "end", BARE("no"), NULL, &res);
	text = take_log(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, not_ours));
	free(text);
	{
		char p[4200];

		snprintf(p, sizeof(p), "%s/bindings", state);
		unlink(p);
	}
}

static void test_reserved(void)
{
	struct result res;

	run("<gpu-assign><reserved><gpu address='0019:01:00.0'/></reserved></gpu-assign>", "prepare", "begin",
	    NATIVE("no"), NULL, &res);
	assert_refusal(&res, "GPU 0009:01:00.0", "it is not in <reserved> of ");
	/* the fix adds it to <reserved> (also when that is <reserved/>); tests/hook/fix-lines runs it */
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, ". Fix: sed -i -e 's|<reserved[[:space:]]*/>|<reserved></reserved>|' -e 's|</reserved>|<gpu address=\"0009:01:00.0\"/></reserved>|' /"));
	run("<gpu-assign><reserved><gpu address='0009:01:00.0'/></reserved></gpu-assign>", "prepare", "begin",
	    NATIVE("no"), NULL, &res);
	assert_allowed(&res);
}

static void test_not_ours(void)
{
	static const char nic[] =
		"<domain><name>vm</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source>"
		"<address domain='0' bus='1' slot='0' function='0'/></source></hostdev></devices></domain>";
	static const char gone[] =
		"<domain><name>vm</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source>"
		"<address domain='0x0042' bus='1' slot='0' function='0'/></source></hostdev></devices></domain>";
	static const char plain[] = "<domain><name>vm</name><devices><disk/></devices></domain>";
	static const char *const bad_config = "<gpu-assign>\n<hook policy='sometimes'/>\n</gpu-assign>\n";
	struct result res;

	/* a NIC, a device the host does not have, no device: never looked at further */
	run(bad_config, "prepare", "begin", nic, NULL, &res);
	assert_allowed(&res);
	run(bad_config, "prepare", "begin", gone, NULL, &res);
	assert_allowed(&res);
	run(bad_config, "prepare", "begin", plain, NULL, &res);
	assert_allowed(&res);
	run(bad_config, "prepare", "begin", "", NULL, &res);
	assert_allowed(&res);
	run(bad_config, "prepare", "begin", "<domain><hostdev", NULL, &res);
	assert_allowed(&res);
	/* the same bad configuration stops a GPU domain, naming file and line */
	run(bad_config, "prepare", "begin", NATIVE("no"), NULL, &res);
	CU_ASSERT_EQUAL(res.status, HOOK_EXIT_REFUSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "gpu-assign.conf:2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "/gpu-assign.conf /"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "/gpu-assign.conf.disabled\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, ". Fix: mv /"));
	/* ... but not its release */
	run(bad_config, "release", "end", NATIVE("no"), NULL, &res);
	assert_allowed(&res);
}

static char *slurp(const char *rel)
{
	char *path = test_srcpath(rel), *buf = calloc(1, 1 << 16);
	FILE *f = fopen(path, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	if (fread(buf, 1, (1 << 16) - 1, f) == 0)
		buf[0] = '\0';
	fclose(f);
	free(path);
	return buf;
}

static void test_nova(void)
{
	char *no_gi = slurp("nova/nova-gh200-no-gi.xml"), *with_gi = slurp("nova/nova-gh200-with-gi.xml");
	char *plain = slurp("nova/nova-plain.xml");
	struct result res;

	run(NULL, "prepare", "begin", no_gi, NULL, &res);
	assert_refusal(&res, "GPU 0009:01:00.0 (GH200 120GB)", "no generic-initiator NUMA nodes are tied to it");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "this is a Nova instance 'gpu-vm-1' (flavor 'g1.gh200')"));
	/* no gpu-assign record: the extension was not active; the fix re-applies it */
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "the gpu-assign Nova extension did not write this domain"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "re-apply it with '" GA_PKGDATADIR "/nova/apply' as root"));
	/* with our record (the extension ran) but still no GI nodes: another cause, another fix */
	{
		static const char record[] = "<gpu-assign:gpu-assign xmlns:gpu-assign='" GA_DOMXML_NS "' form='native' arch='aarch64'>"
					     "<gpu-assign:numa cells='0'/></gpu-assign:gpu-assign>";
		char *at = strstr(no_gi, "</metadata>");
		char *recorded = NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		CU_ASSERT_FATAL(asprintf(&recorded, "%.*s%s%s", (int)(at - no_gi), no_gi, record, at) > 0);
		run(NULL, "prepare", "begin", recorded, NULL, &res);
		assert_refusal(&res, "GPU 0009:01:00.0 (GH200 120GB)", "no generic-initiator NUMA nodes are tied to it");
		CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "the gpu-assign Nova extension wrote this domain (its record is in <metadata>)"));
		CU_ASSERT_PTR_NULL(strstr(res.err, "did not write"));
		free(recorded);
	}
	CU_ASSERT_PTR_NULL(strstr(res.err, "gpu-assign plan"));
	run("<gpu-assign><hook policy='warn'/></gpu-assign>", "prepare", "begin", no_gi, NULL, &res);
	assert_allowed(&res);
	run(NULL, "prepare", "begin", with_gi, NULL, &res);
	assert_allowed(&res);
	run(NULL, "prepare", "begin", plain, NULL, &res);
	assert_allowed(&res);
	free(no_gi);
	free(with_gi);
	free(plain);
}

static void test_standin(void)
{
	static const char emulated[] =
		"<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>vm</name>"
		"<features><acpi/></features><qemu:commandline>"
		"<qemu:arg value='-device'/><qemu:arg value='edu,bus=pcie.0,addr=0x10,id=ua-gpu0'/>"
		"</qemu:commandline><devices><hostdev mode='subsystem' type='usb'/></devices></domain>";
	struct result res;

	/* without the test variable the emulated device is nobody's GPU */
	run(NULL, "prepare", "begin", emulated, NULL, &res);
	assert_allowed(&res);
	run(NULL, "prepare", "begin", emulated, "ua-gpu0=0009:01:00.0", &res);
	assert_refusal(&res, "GPU 0009:01:00.0 (GH200 120GB, hostdev 'ua-gpu0')", "no generic-initiator NUMA nodes");
	run(NULL, "prepare", "begin", emulated, "ua-other=0009:01:00.0,junk,ua-gpu0=zz", &res);
	assert_allowed(&res);
}

static void test_cleanup(void)
{
	test_tmpdir_remove(root);
	test_tmpdir_remove(confdir);
	root = confdir = NULL;
	ga_ctx_free(ctx);
	ctx = NULL;
}

/*
 * The hook's bind of a managed='no' GPU takes the Grace variant driver the
 * kernel offers, on the single-gh200 sample host with fake-kernel.c playing
 * the driver core: only the companion module, only the in-tree driver, both
 * (the earlier alias, as libvirt), neither (refused, naming both, nothing
 * changed), and a domain's <driver model> over the kernel's choice. A GPU
 * left on plain vfio-pci is moved to the variant driver.
 */
static void test_variant_bind(void)
{
	static const struct {
		unsigned offer;
		const char *model;  /* the domain's <driver model>, NULL none */
		const char *before; /* the GPU's driver before, NULL: the host's (nvidia) */
		const char *driver; /* NULL: refused */
		const char *nobind; /* bind='no' in the configuration: the refusal's Fix, NULL when accepted */
	} cases[] = {
		{ FK_OFFER_COMPANION, NULL, NULL, "gpu_assign_nvgrace", NULL },
		{ FK_OFFER_INTREE, NULL, NULL, "nvgrace_gpu_vfio_pci", NULL },
		{ FK_OFFER_BOTH, NULL, NULL, "nvgrace_gpu_vfio_pci", NULL },
		{ FK_OFFER_BOTH, "gpu_assign_nvgrace", NULL, "gpu_assign_nvgrace", NULL },
		{ FK_OFFER_COMPANION, NULL, "vfio-pci", "gpu_assign_nvgrace", NULL },
		{ FK_OFFER_NONE, NULL, NULL, NULL, NULL },
		/* bind='no': nothing is bound; a GPU not on a fit driver is refused with the bind command */
		{ FK_OFFER_COMPANION, NULL, NULL, NULL, ". Fix: gpu-assign bind 0009:01:00.0\n" },
		{ FK_OFFER_COMPANION, NULL, "vfio-pci", NULL, ". Fix: gpu-assign bind 0009:01:00.0\n" },
		{ FK_OFFER_BOTH, "gpu_assign_nvgrace", "nvgrace_gpu_vfio_pci", NULL,
		  ". Fix: gpu-assign bind --driver-model gpu_assign_nvgrace 0009:01:00.0\n" },
		{ FK_OFFER_COMPANION, NULL, "gpu_assign_nvgrace", "gpu_assign_nvgrace", "" },
	};
	char *tmpl = test_tmpdir_new(), *mkhost = test_srcpath("hosts/mkhost"), *hosts = test_srcpath("hosts");
	char cmd[16384];

	snprintf(cmd, sizeof(cmd), "'%s' '%s/single-gh200' '%s/host' >/dev/null", mkhost, hosts, tmpl);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		char *dir = test_tmpdir_new(), *snap, *initial, sys[4096], modules[4096], text[16384], path[4096],
			xml[4096], want[256];
		struct hook_opts o = { 0 };
		struct fake_kernel fk;
		struct ga_ctx *c;
		FILE *err = tmpfile();
		int status;
		size_t n;

		snprintf(cmd, sizeof(cmd), "cp -a '%s/host' '%s/host'", tmpl, dir);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
		snprintf(sys, sizeof(sys), "%s/host/sys", dir);
		snprintf(modules, sizeof(modules), "%s/modules", dir);
		fk_offer_variants(sys, modules, cases[i].offer);
		test_write_file(dir, "proc/iomem", "80000000-ffffffff : System RAM\n");
		test_write_file(dir, "proc/1/comm", "systemd\n");
		snprintf(text, sizeof(text),
			 "sysfs-root = %s\nstate-dir = %s/state\nrules-dir = %s/rules\nmodules-dir = %s\nproc-root = %s/proc\n",
			 sys, dir, dir, modules, dir);
		test_write_file(dir, "test-overrides", text);
		snprintf(path, sizeof(path), "%s/test-overrides", dir);
		CU_ASSERT_FATAL(ga_ctx_new(&c) == 0);
		CU_ASSERT_FATAL(ga_ctx_load_overrides(c, path) == 1);
		if (cases[i].before) {
			/* the GPU left on plain vfio-pci (libvirt < 10 with managed='yes' did that) */
			snprintf(cmd, sizeof(cmd),
				 "cd '%s/bus/pci/devices/0009:01:00.0' && ln -sfn \"$(dirname \"$(readlink driver)\")/%s\" driver && rm -f ../../drivers/nvidia/0009:01:00.0 2>/dev/null; true",
				 sys, cases[i].before);
			CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
		}
		fk_init(&fk, sys, c);
		initial = fk_snapshot(&fk);
		snprintf(xml, sizeof(xml),
			 "<domain type='kvm'><name>vm</name><os><type arch='aarch64' machine='virt'>hvm</type></os>"
			 "<features><acpi/></features><cpu><numa><cell id='0' cpus='0' memory='1048576'/>"
			 "<cell id='1' memory='0'/><cell id='2' memory='0'/><cell id='3' memory='0'/><cell id='4' memory='0'/>"
			 "<cell id='5' memory='0'/><cell id='6' memory='0'/><cell id='7' memory='0'/><cell id='8' memory='0'/>"
			 "</numa></cpu><devices><hostdev mode='subsystem' type='pci' managed='no'>%s%s%s<source>"
			 "<address domain='0x0009' bus='0x01' slot='0x00' function='0x0'/></source>"
			 "<alias name='ua-gpu0'/><acpi nodeset='1-8'/></hostdev></devices></domain>",
			 cases[i].model ? "<driver name='vfio' model='" : "", cases[i].model ? cases[i].model : "",
			 cases[i].model ? "'/>" : "");
		snprintf(path, sizeof(path), "%s/gpu-assign.conf", dir);
		if (cases[i].nobind)
			test_write_file(dir, "gpu-assign.conf", "<gpu-assign><hook bind='no'/></gpu-assign>");
		o.ctx = c;
		o.config_path = path;
		o.err = err;
		status = hook_handle(&o, "vm", "prepare", "begin", xml, strlen(xml));
		rewind(err);
		n = fread(text, 1, sizeof(text) - 1, err);
		text[n] = '\0';
		fclose(err);
		snap = fk_snapshot(&fk);
		if (cases[i].driver && cases[i].nobind) {
			/* already on a fit driver: accepted, nothing touched */
			CU_ASSERT_EQUAL(status, HOOK_EXIT_OK);
			CU_ASSERT_STRING_EQUAL(text, "");
			CU_ASSERT_STRING_EQUAL(snap, initial);
		} else if (cases[i].driver) {
			snprintf(want, sizeof(want), "0009:01:00.0 %s %s\n", cases[i].driver, cases[i].driver);
			CU_ASSERT_EQUAL(status, HOOK_EXIT_OK);
			CU_ASSERT_STRING_EQUAL(text, "");
			CU_ASSERT_PTR_NOT_NULL(strstr(snap, want));
			if (status != HOOK_EXIT_OK || !strstr(snap, want))
				fprintf(stderr, "\ncase %zu: status %d, stderr %s, host:\n%s", i, status, text, snap);
		} else {
			struct result res = { .status = status };

			memcpy(res.err, text, n < sizeof(res.err) ? n + 1 : sizeof(res.err));
			res.err[sizeof(res.err) - 1] = '\0';
			if (cases[i].nobind) {
				assert_refusal(&res, "GPU 0009:01:00.0", "(the hook binds none: bind='no' in ");
				CU_ASSERT_PTR_NOT_NULL(strstr(res.err, cases[i].nobind));
				if (!strstr(res.err, cases[i].nobind))
					fprintf(stderr, "\ncase %zu: wanted '%s' in: %s", i, cases[i].nobind, res.err);
			} else {
				assert_refusal(&res, "GPU 0009:01:00.0",
					       "binding it to a VFIO driver failed: no vfio-pci variant driver for GPU '0009:01:00.0' in this kernel: neither nvgrace_gpu_vfio_pci (in-tree, Linux >= 6.9) nor gpu_assign_nvgrace (gpu-assign's companion module");
			}
			CU_ASSERT_STRING_EQUAL(snap, initial);
		}
		free(snap);
		free(initial);
		fk_free(&fk);
		ga_ctx_free(c);
		test_tmpdir_remove(dir);
	}
	test_tmpdir_remove(tmpl);
	free(mkhost);
	free(hosts);
}

static const struct test_case cases[] = {
	{ "operations we do not act on", test_ops },
	{ "GPU domains and policies", test_gpu_domains },
	{ "GI count from the firmware's _DSD", test_gi_from_acpi },
	{ "64-bit MMIO window", test_mmio_window },
	{ "managed and binding", test_binding },
	{ "binding: the Grace variant driver the kernel offers", test_variant_bind },
	{ "release: only what the hook bound for the domain", test_release_owner },
	{ "reserved GPUs", test_reserved },
	{ "domains that are not ours", test_not_ours },
	{ "recorded Nova domains", test_nova },
	{ "emulated stand-in (tests)", test_standin },
	{ "cleanup", test_cleanup },
	{ NULL, NULL },
};

TEST_MAIN("hook", cases)
