// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-variant: libvirt's choice of a vfio-pci variant driver, and detection on a fixture kernel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-catalog.h"
#include "ga-ctx.h"
#include "ga-variant.h"
#include "test-common.h"

/* A GH200 120GB as the sample hosts describe it. */
static struct ga_pci_dev gh200(void)
{
	struct ga_pci_dev d = { .vendor = 0x10de, .device = 0x2342, .subsystem_vendor = 0x10de,
				.subsystem_device = 0x16eb, .class = 0x030200 };

	snprintf(d.name, sizeof(d.name), "0009:01:00.0");
	return d;
}

#define VFIO_ALL "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
#define INTREE "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* nvgrace_gpu_vfio_pci\n"
#define COMPANION "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* gpu_assign_nvgrace\n"

static void test_modalias(void)
{
	struct ga_pci_dev d = gh200();
	char buf[GA_MODALIAS_MAX];

	ga_pci_modalias(&d, buf);
	CU_ASSERT_STRING_EQUAL(buf, "pci:v000010DEd00002342sv000010DEsd000016EBbc03sc02i00");
}

static void test_rank(void)
{
	static const struct {
		const char *text;
		const char *driver; /* NULL: none */
		const char *other;
		unsigned wild;
	} cases[] = {
		{ VFIO_ALL, NULL, "", 0 },
		{ "", NULL, "", 0 },
		{ VFIO_ALL INTREE, "nvgrace_gpu_vfio_pci", "", 5 },
		/* a tie: the earlier line wins, as in libvirt */
		{ INTREE COMPANION, "nvgrace_gpu_vfio_pci", "gpu_assign_nvgrace", 5 },
		{ COMPANION INTREE, "gpu_assign_nvgrace", "nvgrace_gpu_vfio_pci", 5 },
		/* fewer wildcards wins whatever the order */
		{ INTREE "alias vfio_pci:v000010DEd00002342sv000010DEsd000016EBbc*sc*i* gpu_assign_nvgrace\n",
		  "gpu_assign_nvgrace", "nvgrace_gpu_vfio_pci", 3 },
		/* libvirt compares fields, it does not glob */
		{ "alias vfio_pci:v000010DEd0000234*sv*sd*bc*sc*i* nvgrace_gpu_vfio_pci\n", NULL, "", 0 },
		{ "alias vfio_pci:v000010DEd00002941sv*sd*bc*sc*i* nvgrace_gpu_vfio_pci\n", NULL, "", 0 },
		/* module names with dashes are driver names with underscores */
		{ "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* nvgrace-gpu-vfio-pci\n", "nvgrace_gpu_vfio_pci", "", 5 },
		/* other buses and broken lines are ignored */
		{ "alias pci:v000010DEd00002342sv*sd*bc*sc*i* nvidia\n"
		  "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i*\n"
		  "alias vfio_pci:v000010DEd00002342 broken\n"
		  "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* ../../etc\n"
		  "# comment\n" INTREE, "nvgrace_gpu_vfio_pci", "", 5 },
		/* the same module twice is one candidate */
		{ INTREE INTREE, "nvgrace_gpu_vfio_pci", "", 5 },
		/* no trailing newline */
		{ "alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* gpu_assign_nvgrace", "gpu_assign_nvgrace", "", 5 },
	};
	char modalias[GA_MODALIAS_MAX];
	struct ga_pci_dev d = gh200();

	ga_pci_modalias(&d, modalias);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ga_variant v;
		int r = ga_variant_rank_aliases(cases[i].text, modalias, &v);

		CU_ASSERT_EQUAL(r, cases[i].driver ? 1 : 0);
		if (cases[i].driver) {
			CU_ASSERT_STRING_EQUAL(v.driver, cases[i].driver);
			CU_ASSERT_STRING_EQUAL(v.other, cases[i].other);
			CU_ASSERT_EQUAL(v.wildcards, cases[i].wild);
			CU_ASSERT_EQUAL(v.source, GA_VARIANT_ALIAS);
		}
		if ((r == 1) != (cases[i].driver != NULL) ||
		    (cases[i].driver && strcmp(v.driver, cases[i].driver)))
			fprintf(stderr, "case %zu: got '%s' other '%s'\n", i, v.driver, v.other);
	}
}

struct fixture {
	char *dir;
	char modules[PATH_MAX];
	struct ga_ctx *ctx;
};

static void fixture_new(struct fixture *f)
{
	char sys[PATH_MAX];

	f->dir = test_tmpdir_new();
	snprintf(f->modules, sizeof(f->modules), "%s/modules", f->dir);
	snprintf(sys, sizeof(sys), "%s/sys", f->dir);
	mkdir(f->modules, 0755);
	test_write_file(f->dir, "sys/bus/pci/drivers/vfio-pci/bind", "");
	CU_ASSERT_FATAL(ga_ctx_new(&f->ctx) == 0);
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(f->ctx, sys) == 0);
	CU_ASSERT_FATAL(ga_ctx_set(f->ctx, GA_SETTING_MODULES_DIR, f->modules) == 0);
}

static void fixture_free(struct fixture *f)
{
	ga_ctx_free(f->ctx);
	test_tmpdir_remove(f->dir);
}

static void test_detect(void)
{
	struct ga_pci_dev d = gh200();
	struct fixture f;
	struct ga_variant v;

	fixture_new(&f);
	/* neither: one line naming both drivers and how to get each */
	test_write_file(f.dir, "modules/modules.alias", VFIO_ALL);
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, NULL, &v), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(f.ctx)->message,
				      "no vfio-pci variant driver for GPU '0009:01:00.0' in this kernel: neither nvgrace_gpu_vfio_pci (in-tree, Linux >= 6.9) nor gpu_assign_nvgrace"));
	CU_ASSERT_PTR_NULL(strchr(ga_last_error(f.ctx)->message, '\n'));
	/* only the companion module */
	test_write_file(f.dir, "modules/modules.alias", VFIO_ALL COMPANION);
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, NULL, &v), 0);
	CU_ASSERT_STRING_EQUAL(v.driver, GA_DRIVER_NVGRACE_COMPANION);
	CU_ASSERT_EQUAL(v.source, GA_VARIANT_ALIAS);
	/* both: libvirt's pick, the other named */
	test_write_file(f.dir, "modules/modules.alias", INTREE COMPANION);
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, NULL, &v), 0);
	CU_ASSERT_STRING_EQUAL(v.driver, GA_DRIVER_NVGRACE);
	CU_ASSERT_STRING_EQUAL(v.other, GA_DRIVER_NVGRACE_COMPANION);
	/* no modules.alias, but the companion driver registered (loaded by hand) */
	{
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/modules.alias", f.modules);
		unlink(p);
		rmdir(f.modules);
	}
	test_write_file(f.dir, "sys/bus/pci/drivers/gpu_assign_nvgrace/bind", "");
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, NULL, &v), 0);
	CU_ASSERT_STRING_EQUAL(v.driver, GA_DRIVER_NVGRACE_COMPANION);
	CU_ASSERT_EQUAL(v.source, GA_VARIANT_REGISTERED);
	/* forced */
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, "my_variant", &v), 0);
	CU_ASSERT_STRING_EQUAL(v.driver, "my_variant");
	CU_ASSERT_EQUAL(v.source, GA_VARIANT_OPTION);
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, "vfio-pci", &v), -EINVAL);
	CU_ASSERT_STRING_EQUAL(ga_last_error(f.ctx)->message,
			       "invalid driver model 'vfio-pci': give a vfio-pci variant driver such as nvgrace_gpu_vfio_pci or gpu_assign_nvgrace");
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, "../x", &v), -EINVAL);
	fixture_free(&f);
}

static void test_hostile_alias_file(void)
{
	struct ga_pci_dev d = gh200();
	struct fixture f;
	struct ga_variant v;
	char p[PATH_MAX + 32];

	fixture_new(&f);
	/* a FIFO never blocks us */
	snprintf(p, sizeof(p), "%s/modules.alias", f.modules);
	CU_ASSERT_FATAL(mkfifo(p, 0600) == 0);
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, NULL, &v), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(f.ctx)->message, "not a regular file"));
	unlink(p);
	/* a NUL byte is refused, not read as the end */
	{
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		static const char text[] = "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n\0" INTREE;

		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
		close(fd);
	}
	CU_ASSERT_EQUAL(ga_variant_detect(f.ctx, &d, NULL, &v), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(f.ctx)->message, "NUL byte"));
	fixture_free(&f);
}

static const struct test_case cases[] = {
	{ "modalias", test_modalias },
	{ "rank", test_rank },
	{ "detect", test_detect },
	{ "hostile alias file", test_hostile_alias_file },
	{ NULL, NULL },
};

TEST_MAIN("ga-variant", cases)
