// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-domcheck: reading domains (hand-written, gpu-assign's two forms, Nova's) and checking GPUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "ga-units.h"
#include "test-common.h"

#define HOSTDEV(addr_attrs, inner) \
	"<hostdev mode='subsystem' type='pci' managed='no'><source><address " addr_attrs "/></source>" inner "</hostdev>"
#define GPU0 "domain='0x0009' bus='0x01' slot='0x00' function='0x0'"

/* the native form: 1 CPU cell, 8 memoryless cells, <acpi nodeset> */
static const char native_xml[] =
	"<domain type='kvm'><name>native</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
	"<os><type arch='aarch64' machine='virt'>hvm</type></os><features><acpi/></features>"
	"<cpu><numa><cell id='0' cpus='0-3' memory='4' unit='GiB'/>"
	"<cell id='1' memory='0' unit='KiB'/><cell id='2' memory='0' unit='KiB'/><cell id='3' memory='0' unit='KiB'/>"
	"<cell id='4' memory='0' unit='KiB'/><cell id='5' memory='0' unit='KiB'/><cell id='6' memory='0' unit='KiB'/>"
	"<cell id='7' memory='0' unit='KiB'/><cell id='8' memory='0' unit='KiB'/></numa></cpu>"
	"<devices>" HOSTDEV(GPU0, "<driver model='nvgrace_gpu_vfio_pci'/><alias name='ua-gpu-0009-01-00-0'/><acpi nodeset='1-8'/>")
	"</devices></domain>";

/* the fallback form through <qemu:commandline> */
static const char fallback_xml[] =
	"<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>fallback</name>"
	"<os><type arch='aarch64' machine='virt'>hvm</type></os><features><acpi/></features>"
	"<cpu><numa><cell id='0' cpus='0-3' memory='4194304'/></numa></cpu>"
	"<devices>" HOSTDEV(GPU0, "<alias name='ua-gpu0'/>") "</devices>"
	"<qemu:commandline>"
	"<qemu:arg value='-numa'/><qemu:arg value='node,nodeid=1'/>"
	"<qemu:arg value='-numa'/><qemu:arg value='node,nodeid=2'/>"
	"<qemu:arg value='-object'/><qemu:arg value='acpi-generic-initiator,id=gi1,pci-dev=ua-gpu0,node=1'/>"
	"<qemu:arg value='-object'/><qemu:arg value='acpi-generic-initiator,id=gi2,pci-dev=ua-gpu0,node=2'/>"
	"<qemu:arg value='-machine'/><qemu:arg value='highmem-mmio-size=1T'/>"
	"<qemu:arg value='-device'/><qemu:arg value='edu,bus=pcie.0,addr=0x10,id=ua-standin'/>"
	"</qemu:commandline></domain>";

static struct ga_domain *parse(struct ga_ctx *ctx, const char *xml)
{
	struct ga_domain *dom = NULL;
	int r = ga_domain_parse(ctx, xml, strlen(xml), &dom);

	if (r < 0)
		fprintf(stderr, "\nparse: %s\n", ga_last_error(ctx)->message);
	CU_ASSERT_EQUAL(r, 0);
	return dom;
}

static void test_prescan(void)
{
	static const char with[] = "<domain><devices><hostdev mode='subsystem'/></devices></domain>";
	static const char without[] = "<domain><devices><disk/><interface type='hostdev'/></devices></domain>";

	CU_ASSERT_TRUE(ga_domain_may_have_hostdev(with, strlen(with)));
	CU_ASSERT_FALSE(ga_domain_may_have_hostdev(without, strlen(without)));
	CU_ASSERT_FALSE(ga_domain_may_have_hostdev("", 0));
	CU_ASSERT_FALSE(ga_domain_may_have_hostdev("<hostde", 7));
	CU_ASSERT_TRUE(ga_domain_may_have_hostdev("<hostdev", 8));
	/* at the very end of the buffer, and not past it */
	CU_ASSERT_FALSE(ga_domain_may_have_hostdev("x<hostdev", 8));
}

/* The front end's fail-closed scan: PCI hostdevs, and anything unclear, count. */
static void test_prescan_pci(void)
{
	static const struct {
		const char *xml;
		bool want;
	} cases[] = {
		{ "<domain><devices><hostdev mode='subsystem' type='pci' managed='yes'/></devices></domain>", true },
		{ "<domain><devices><hostdev\n  mode=\"subsystem\"\ttype = \"pci\"></hostdev></devices></domain>", true },
		{ "<domain><devices><hostdev mode='subsystem' type='usb'/></devices></domain>", false },
		{ "<hostdev type='scsi'/><hostdev type='mdev'/><hostdev mode='capabilities' type='storage'/>", false },
		{ "<hostdev type='usb'/><hostdev type='pci'/>", true },
		{ "<hostdev mode='subsystem'/>", true },           /* no type: counts */
		{ "<hostdev type=pci/>", true },                   /* unquoted: unclear, counts */
		{ "<hostdev type='usb", true },                    /* cut short */
		{ "<hostdev", true },
		{ "<hostdev type='PCI'/>", false },                /* not a type libvirt accepts */
		{ "<hostdevice type='pci'/>", false },             /* another element */
		{ "<interface type='hostdev'/><disk/>", false },
		{ "", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = ga_domain_may_have_pci_hostdev(cases[i].xml, strlen(cases[i].xml));

		if (got != cases[i].want)
			fprintf(stderr, "\ncase %zu '%s': got %d\n", i, cases[i].xml, got);
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
	/* never reads past len */
	CU_ASSERT_FALSE(ga_domain_may_have_pci_hostdev("x<hostdev type='pci'/>", 8));
	CU_ASSERT_TRUE(ga_domain_may_have_pci_hostdev("<hostdev type='usb'/>", 15));
}

static void test_native(void)
{
	struct ga_ctx *ctx;
	struct ga_domain *dom;
	struct ga_dom_findings f;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	dom = parse(ctx, native_xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
	CU_ASSERT_STRING_EQUAL(dom->name, "native");
	CU_ASSERT_STRING_EQUAL(dom->arch, "aarch64");
	CU_ASSERT_TRUE(dom->acpi);
	CU_ASSERT_FALSE(dom->nova);
	CU_ASSERT_EQUAL(dom->ncells, 9);
	CU_ASSERT_EQUAL(dom->cells[0].memory_kib, 4194304);
	CU_ASSERT_EQUAL_FATAL(dom->nhostdevs, 1);
	CU_ASSERT_EQUAL(dom->hostdevs[0].addr.domain, 9);
	CU_ASSERT_EQUAL(dom->hostdevs[0].addr.bus, 1);
	CU_ASSERT_FALSE(dom->hostdevs[0].managed);
	CU_ASSERT_STRING_EQUAL(dom->hostdevs[0].driver_model, "nvgrace_gpu_vfio_pci");
	CU_ASSERT_EQUAL(dom->hostdevs[0].ngi_nodes, 8);

	ga_domain_check_gpu(dom, &dom->hostdevs[0], 8, 0, &f);
	CU_ASSERT_EQUAL(f.nproblems, 0);
	CU_ASSERT_EQUAL(f.gi_found, 8);
	ga_domain_check_gpu(dom, &dom->hostdevs[0], 9, 0, &f);
	CU_ASSERT_EQUAL(f.nproblems, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "only 8 of the 9"));
	/* MMIO: 512 GiB default window on aarch64 */
	ga_domain_check_gpu(dom, &dom->hostdevs[0], 8, 600ULL << 30, &f);
	CU_ASSERT_EQUAL(f.nproblems, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "MMIO window is 512 GiB but the GPUs' BARs need 600 GiB"));
	ga_domain_check_gpu(dom, &dom->hostdevs[0], 8, 512ULL << 30, &f);
	CU_ASSERT_EQUAL(f.nproblems, 0);
	ga_domain_free(dom);
	ga_ctx_free(ctx);
}

static void test_fallback(void)
{
	struct ga_ctx *ctx;
	struct ga_domain *dom;
	struct ga_dom_findings f;
	struct ga_pci_addr a = { 0x19, 1, 0, 0 };

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	dom = parse(ctx, fallback_xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
	CU_ASSERT_EQUAL(dom->nnuma_nodeids, 2);
	CU_ASSERT_EQUAL(dom->ngi_objects, 2);
	CU_ASSERT_EQUAL(dom->highmem_mmio_size, 1ULL << 40);
	CU_ASSERT_EQUAL(ga_domain_mmio_window(dom), 1ULL << 40);
	ga_domain_check_gpu(dom, &dom->hostdevs[0], 2, 600ULL << 30, &f);
	CU_ASSERT_EQUAL(f.nproblems, 0);
	CU_ASSERT_EQUAL(f.gi_found, 2);
	ga_domain_check_gpu(dom, &dom->hostdevs[0], 8, 0, &f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "only 2 of the 8"));

	/* the test stand-in: an emulated -device with the given id */
	CU_ASSERT_EQUAL(ga_domain_add_standin(ctx, dom, "ua-none", &a), -ENOENT);
	CU_ASSERT_EQUAL(ga_domain_add_standin(ctx, dom, "ua-standin", &a), 0);
	CU_ASSERT_EQUAL_FATAL(dom->nhostdevs, 2);
	CU_ASSERT_TRUE(dom->hostdevs[1].standin);
	CU_ASSERT_TRUE(dom->hostdevs[1].managed);
	CU_ASSERT_EQUAL(dom->hostdevs[1].addr.domain, 0x19);
	ga_domain_check_gpu(dom, &dom->hostdevs[1], 8, 0, &f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "no generic-initiator NUMA nodes are tied to it (it needs 8"));
	ga_domain_free(dom);
	ga_ctx_free(ctx);
}

static void test_problems(void)
{
	static const struct {
		const char *xml;
		unsigned problems;
		const char *expect;
	} cases[] = {
		/* ACPI off and nothing else */
		{ "<domain><name>a</name><devices>" HOSTDEV(GPU0, "") "</devices></domain>", 2, "ACPI is off" },
		/* nodeset names cells that have memory */
		{ "<domain><name>b</name><features><acpi/></features><cpu><numa><cell id='0' cpus='0' memory='1024'/>"
		  "<cell id='1' memory='1024'/></numa></cpu><devices>" HOSTDEV(GPU0, "<acpi nodeset='1'/>") "</devices></domain>",
		  2, "not memoryless" },
		/* a nodeset we cannot read */
		{ "<domain><name>c</name><features><acpi/></features><devices>" HOSTDEV(GPU0, "<acpi nodeset='1-x'/>")
		  "</devices></domain>", 2, "cannot be read" },
		/* GI objects without -numa declarations */
		{ "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>d</name><features><acpi/></features>"
		  "<devices>" HOSTDEV(GPU0, "<alias name='ua-g'/>") "</devices><qemu:commandline>"
		  "<qemu:arg value='-object'/><qemu:arg value='acpi-generic-initiator,id=x,pci-dev=ua-g,node=3'/>"
		  "</qemu:commandline></domain>", 2, "no '-numa node,nodeid=N' declares" },
		/* GI objects but the hostdev has no alias */
		{ "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>e</name><features><acpi/></features>"
		  "<devices>" HOSTDEV(GPU0, "") "</devices><qemu:commandline>"
		  "<qemu:arg value='-numa'/><qemu:arg value='node,nodeid=3'/>"
		  "<qemu:arg value='-object'/><qemu:arg value='acpi-generic-initiator,id=x,pci-dev=ua-g,node=3'/>"
		  "</qemu:commandline></domain>", 2, "has no <alias" },
		/* objects naming another device do not count */
		{ "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>f</name><features><acpi/></features>"
		  "<devices>" HOSTDEV(GPU0, "<alias name='ua-mine'/>") "</devices><qemu:commandline>"
		  "<qemu:arg value='-numa'/><qemu:arg value='node,nodeid=3'/>"
		  "<qemu:arg value='-object'/><qemu:arg value='acpi-generic-initiator,id=x,pci-dev=ua-other,node=3'/>"
		  "</qemu:commandline></domain>", 1, "no generic-initiator NUMA nodes" },
		/* args in a foreign namespace are not QEMU's */
		{ "<domain xmlns:q='urn:other'><name>g</name><features><acpi/></features>"
		  "<devices>" HOSTDEV(GPU0, "<alias name='ua-mine'/>") "</devices><q:commandline>"
		  "<q:arg value='-numa'/><q:arg value='node,nodeid=3'/>"
		  "<q:arg value='-object'/><q:arg value='acpi-generic-initiator,id=x,pci-dev=ua-mine,node=3'/>"
		  "</q:commandline></domain>", 1, "no generic-initiator NUMA nodes" },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_domain *dom = parse(ctx, cases[i].xml);
		struct ga_dom_findings f;

		CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
		CU_ASSERT_EQUAL_FATAL(dom->nhostdevs, 1);
		ga_domain_check_gpu(dom, &dom->hostdevs[0], 8, 0, &f);
		if (f.nproblems != cases[i].problems || !strstr(f.text, cases[i].expect))
			fprintf(stderr, "\ncase %zu: %u problem(s): %s\n", i, f.nproblems, f.text);
		CU_ASSERT_EQUAL(f.nproblems, cases[i].problems);
		CU_ASSERT_PTR_NOT_NULL(strstr(f.text, cases[i].expect));
		ga_domain_free(dom);
	}
	ga_ctx_free(ctx);
}

static void test_hostdev_kinds(void)
{
	static const char xml[] =
		"<domain><name>k</name><devices>"
		"<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/></source></hostdev>"
		"<hostdev mode='subsystem' type='pci' managed='yes'><source><address bus='0x41' slot='0x00' function='0x1'/></source></hostdev>"
		"<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x100' slot='0' function='0'/></source></hostdev>"
		"<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='1' slot='0x20' function='0'/></source></hostdev>"
		"<hostdev mode='subsystem' type='pci'><source><address domain='zz' bus='1' slot='0' function='0'/></source></hostdev>"
		"<interface type='hostdev'><source><address type='pci' domain='0' bus='2' slot='0' function='0'/></source></interface>"
		"</devices></domain>";
	struct ga_ctx *ctx;
	struct ga_domain *dom;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	dom = parse(ctx, xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
	/* only the PCI hostdev with a valid address; domain defaults to 0 */
	CU_ASSERT_EQUAL_FATAL(dom->nhostdevs, 1);
	CU_ASSERT_EQUAL(dom->hostdevs[0].addr.domain, 0);
	CU_ASSERT_EQUAL(dom->hostdevs[0].addr.bus, 0x41);
	CU_ASSERT_EQUAL(dom->hostdevs[0].addr.func, 1);
	CU_ASSERT_TRUE(dom->hostdevs[0].managed);
	CU_ASSERT_PTR_NULL(dom->hostdevs[0].alias);
	ga_domain_free(dom);
	ga_ctx_free(ctx);
}

static void test_nova(void)
{
	char *path = test_srcpath("nova/nova-gh200-no-gi.xml");
	struct ga_ctx *ctx;
	struct ga_domain *dom = NULL;
	struct ga_dom_findings f;
	FILE *fp = fopen(path, "r");
	char buf[65536];
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL_FATAL(ga_domain_parse(ctx, buf, n, &dom), 0);
	CU_ASSERT_TRUE(dom->nova);
	CU_ASSERT_STRING_EQUAL(dom->nova_instance, "gpu-vm-1");
	CU_ASSERT_STRING_EQUAL(dom->nova_flavor, "g1.gh200");
	CU_ASSERT_EQUAL_FATAL(dom->nhostdevs, 1);
	CU_ASSERT_EQUAL(dom->ncells, 1);
	ga_domain_check_gpu(dom, &dom->hostdevs[0], 8, 0, &f);
	CU_ASSERT_EQUAL(f.gi_found, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.text, "no generic-initiator NUMA nodes"));
	ga_domain_free(dom);
	free(path);
	ga_ctx_free(ctx);
}

/* What the merge takes from the model: sizes as written, <numa>, gpu-assign's record. */
static void test_merge_facts(void)
{
	static const char xml[] =
		"<domain><name>r</name><vcpu placement='static'>4</vcpu><memory unit='GiB'>\n 8 \n</memory>"
		"<metadata><g:gpu-assign xmlns:g='" GA_DOMXML_NS "' form='fallback'>"
		"<g:gpu address='0009:01:00.0' alias='ua-gpu-0009-01-00-0'/><g:gpu alias='ua-gpu-1'/>"
		"<g:numa cells='0'/><g:pin/><g:cpu/><g:qemu numa-nodes='1-8' machine='highmem-mmio-size=1T'/>"
		"</g:gpu-assign></metadata><cpu><numa/></cpu></domain>";
	static const char bad[] =
		"<domain><metadata><g:gpu-assign xmlns:g='" GA_DOMXML_NS "'><g:qemu numa-nodes='x'/></g:gpu-assign>"
		"</metadata></domain>";
	struct ga_domain *dom = NULL;
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL_FATAL(ga_domain_parse(ctx, xml, strlen(xml), &dom), 0);
	CU_ASSERT_STRING_EQUAL(dom->vcpu, "4");
	CU_ASSERT_STRING_EQUAL(dom->memory, "8");
	CU_ASSERT_STRING_EQUAL(dom->memory_unit, "GiB");
	CU_ASSERT_TRUE(dom->has_numa);
	CU_ASSERT_EQUAL(dom->ncells, 0);
	CU_ASSERT_TRUE(dom->record.present);
	CU_ASSERT_EQUAL_FATAL(dom->record.naliases, 2);
	CU_ASSERT_STRING_EQUAL(dom->record.aliases[0], "ua-gpu-0009-01-00-0");
	CU_ASSERT_STRING_EQUAL(dom->record.aliases[1], "ua-gpu-1");
	CU_ASSERT_EQUAL_FATAL(dom->record.nnuma_nodes, 8);
	CU_ASSERT_EQUAL(dom->record.numa_nodes[0], 1);
	CU_ASSERT_EQUAL(dom->record.numa_nodes[7], 8);
	CU_ASSERT_STRING_EQUAL(dom->record.machine, "highmem-mmio-size=1T");
	CU_ASSERT_PTR_NULL(dom->record.bad_numa_nodes);
	CU_ASSERT_TRUE(dom->record.numa && dom->record.pin && dom->record.cpu && !dom->record.pcihole64);
	ga_domain_free(dom);
	/* a record the merge refuses does not stop the hook's reader, nor leave an error behind */
	CU_ASSERT_EQUAL_FATAL(ga_domain_parse(ctx, bad, strlen(bad), &dom), 0);
	CU_ASSERT_STRING_EQUAL(dom->record.bad_numa_nodes, "x");
	CU_ASSERT_EQUAL(dom->record.nnuma_nodes, 0);
	CU_ASSERT_PTR_NULL(dom->vcpu);
	CU_ASSERT_FALSE(dom->has_numa);
	CU_ASSERT_EQUAL(ga_last_error(ctx)->code, 0);
	ga_domain_free(dom);
	ga_ctx_free(ctx);
}

static void test_bad_input(void)
{
	static const struct {
		const char *xml;
		int code;
		const char *expect;
	} cases[] = {
		{ "", -GA_E_PARSE, "malformed domain XML at line 1: Document is empty" },
		{ "<domain>", -GA_E_PARSE, "malformed domain XML" },
		{ "<network/>", -GA_E_PARSE, "root element is 'network'" },
		{ "<x:domain xmlns:x='urn:y'/>", -GA_E_PARSE, "not a libvirt domain" },
		{ "<!DOCTYPE domain [<!ENTITY a 'aaaa'>]><domain><name>&a;</name></domain>", -GA_E_PARSE, "DOCTYPE" },
		{ "<?xml version='1.0'?>\n<domain>\n<name>x</name>\n</domian>", -GA_E_PARSE, "line 4" },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_domain *dom = (struct ga_domain *)1;
		int r = ga_domain_parse(ctx, cases[i].xml, strlen(cases[i].xml), &dom);

		CU_ASSERT_EQUAL(r, cases[i].code);
		CU_ASSERT_PTR_NULL(dom);
		if (!strstr(ga_last_error(ctx)->message, cases[i].expect))
			fprintf(stderr, "\ncase %zu: %s\n", i, ga_last_error(ctx)->message);
		CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, cases[i].expect));
		CU_ASSERT_PTR_NULL(strchr(ga_last_error(ctx)->message, '\n'));
	}
	ga_ctx_free(ctx);
}

/*
 * The aarch64 MMIO window from pcie-root's <pcihole64> (libvirt >= 11.4), in
 * any unit libvirt takes; a <qemu:commandline> -machine argument wins over
 * it (QEMU takes the last); the size must be enough and a power of two.
 */
static void test_pcihole64(void)
{
#define HOLE_DOM(ctl, extra) \
	"<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>h</name>" \
	"<os><type arch='aarch64' machine='virt'>hvm</type></os><features><acpi/></features>" \
	"<cpu><numa><cell id='0' cpus='0-3' memory='4194304'/><cell id='1' memory='0'/></numa></cpu>" \
	"<devices>" ctl HOSTDEV(GPU0, "<acpi nodeset='1'/>") "</devices>" extra "</domain>"
	static const struct {
		const char *xml;
		uint64_t window;
		const char *problem; /* NULL: none for 600 GiB of BARs */
	} cases[] = {
		{ HOLE_DOM("<controller type='pci' index='0' model='pcie-root'><pcihole64 unit='KiB'>1073741824</pcihole64></controller>", ""),
		  1ULL << 40, NULL },
		{ HOLE_DOM("<controller type='pci' index='0' model='pcie-root'><pcihole64 unit='T'>2</pcihole64></controller>", ""),
		  2ULL << 40, NULL },
		{ HOLE_DOM("<controller type='pci' index='0' model='pcie-root'><pcihole64>1073741824</pcihole64></controller>", ""),
		  1ULL << 40, NULL },
		/* another controller's hole is not the window */
		{ HOLE_DOM("<controller type='pci' index='1' model='pcie-root-port'><pcihole64>1073741824</pcihole64></controller>", ""),
		  512ULL << 30,
		  "the guest's 64-bit MMIO window is 512 GiB but the GPUs' BARs need 600 GiB (give the pcie-root controller <pcihole64 unit='KiB'>1073741824</pcihole64> with libvirt 11.4 or newer, or pass '-machine highmem-mmio-size=1T' in <qemu:commandline>)" },
		{ HOLE_DOM("<controller type='pci' index='0' model='pcie-root'><pcihole64 unit='G'>768</pcihole64></controller>", ""),
		  768ULL << 30,
		  "the guest's 64-bit MMIO window of 805306368 KiB is not a power of two, which QEMU refuses for aarch64 'virt' (give 1073741824 KiB, '1T')" },
		/* the argument comes after libvirt's own -machine: it wins */
		{ HOLE_DOM("<controller type='pci' index='0' model='pcie-root'><pcihole64 unit='KiB'>1073741824</pcihole64></controller>",
			   "<qemu:commandline><qemu:arg value='-machine'/><qemu:arg value='highmem-mmio-size=512G'/></qemu:commandline>"),
		  512ULL << 30,
		  "the guest's 64-bit MMIO window is 512 GiB but the GPUs' BARs need 600 GiB (give the pcie-root controller <pcihole64 unit='KiB'>1073741824</pcihole64> with libvirt 11.4 or newer, or pass '-machine highmem-mmio-size=1T' in <qemu:commandline>)" },
		{ HOLE_DOM("<controller type='pci' index='0' model='pcie-root'><pcihole64 unit='KiB'>junk</pcihole64></controller>", ""),
		  512ULL << 30,
		  "the guest's 64-bit MMIO window is 512 GiB but the GPUs' BARs need 600 GiB (give the pcie-root controller <pcihole64 unit='KiB'>1073741824</pcihole64> with libvirt 11.4 or newer, or pass '-machine highmem-mmio-size=1T' in <qemu:commandline>)" },
	};
#undef HOLE_DOM
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ga_domain *dom = parse(ctx, cases[i].xml);
		struct ga_dom_findings f;

		CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
		CU_ASSERT_EQUAL(ga_domain_mmio_window(dom), cases[i].window);
		ga_domain_check_gpu(dom, &dom->hostdevs[0], 1, 600ULL << 30, &f);
		if (cases[i].problem ? strcmp(f.text, cases[i].problem) != 0 : f.nproblems != 0)
			fprintf(stderr, "\npcihole64 case %zu: '%s'\n", i, f.text);
		CU_ASSERT_EQUAL(f.nproblems, cases[i].problem ? 1u : 0u);
		if (cases[i].problem)
			CU_ASSERT_STRING_EQUAL(f.text, cases[i].problem);
		ga_domain_free(dom);
	}
	ga_ctx_free(ctx);
}

static void test_qemu_size(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t bytes;
	} cases[] = {
		{ "1T", 0, 1ULL << 40 }, { "512G", 0, 512ULL << 30 }, { "64k", 0, 65536 }, { "4096", 0, 4096 },
		{ "2b", 0, 2 }, { "", -EINVAL, 0 }, { "G", -EINVAL, 0 }, { "1X", -EINVAL, 0 }, { "1GG", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 }, { "16E", -ERANGE, 0 }, { "99999999999999999999", -ERANGE, 0 },
	};

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;

		CU_ASSERT_EQUAL(ga_size_parse_qemu(cases[i].in, &v), cases[i].r);
		if (cases[i].r == 0)
			CU_ASSERT_EQUAL(v, cases[i].bytes);
	}
}

static const struct test_case cases[] = {
	{ "hostdev pre-scan", test_prescan },
	{ "PCI hostdev pre-scan (fail closed)", test_prescan_pci },
	{ "native form", test_native },
	{ "fallback form and stand-in", test_fallback },
	{ "what is missing", test_problems },
	{ "which hostdevs count", test_hostdev_kinds },
	{ "recorded Nova domain", test_nova },
	{ "what the merge reads", test_merge_facts },
	{ "bad input", test_bad_input },
	{ "QEMU sizes", test_qemu_size },
	{ "MMIO window from <pcihole64>", test_pcihole64 },
	{ NULL, NULL },
};

TEST_MAIN("ga-domcheck", cases)
