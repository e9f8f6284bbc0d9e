// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-pci: address parsing/formatting and the resource table. */
#include <errno.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-pci.h"
#include "test-common.h"

static const struct {
	const char *in;
	const char *canonical; /* NULL: must be refused */
} addr_cases[] = {
	{ "0009:01:00.0", "0009:01:00.0" },
	{ "01:00.0", "0000:01:00.0" },
	{ "FFFF:FF:1F.7", "ffff:ff:1f.7" },
	{ "0000:00:00.0", "0000:00:00.0" },
	{ "abcd:ef:1a.3", "abcd:ef:1a.3" },
	{ "", NULL },
	{ "0009:01:00", NULL },           /* no function */
	{ "0009:01:00.8", NULL },         /* function > 7 */
	{ "0009:01:20.0", NULL },         /* slot > 0x1f */
	{ "00009:01:00.0", NULL },        /* long domain */
	/* what operators copy from other tools (issue 11) */
	{ "9:01:00.0", "0009:01:00.0" },    /* lspci: short domain */
	{ "9:1:0.0", "0009:01:00.0" },
	{ "0009:1:00.0", "0009:01:00.0" },  /* short bus */
	{ "0009:01:0.0", "0009:01:00.0" },  /* short slot */
	{ "1:0.0", "0000:01:00.0" },
	{ "pci_0009_01_00_0", "0009:01:00.0" }, /* virsh nodedev name */
	{ "PCI_0009_01_00_0", NULL },
	{ "pci_9_1_0_0", NULL },
	{ "pci_0009_01_00_8", NULL },
	{ "pci_0009_01_00_0_", NULL },
	{ "0009:01:00.0 ", "0009:01:00.0" }, /* blanks around */
	{ " \t0009:01:00.0", "0009:01:00.0" },
	{ "0009:01:00.0\n", "0009:01:00.0" },
	{ "   ", NULL },
	{ "0009 :01:00.0", NULL },
	{ "0009:01: 00.0", NULL },
	{ "1:2:3:4.5", NULL },
	{ "0009:001:00.0", NULL },
	{ "0009:01:000.0", NULL },
	{ "0009:100:00.0", NULL },
	{ "109:00.0", NULL },               /* bus > ff in the short form */
	{ "00.0", NULL },                   /* no bus */
	{ "0009-01-00.0", NULL },
	{ "0009:01:00:0", NULL },
	{ "g009:01:00.0", NULL },
	{ "0009:01:00.0/../..", NULL },   /* path injection */
	{ "../../../etc", NULL },
	{ "0x09:01:00.0", NULL },
	{ "+009:01:00.0", NULL },
	{ "0009:01:00.00", NULL },
};

static void test_addr_table(void)
{
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		struct ga_pci_addr a;
		char buf[GA_PCI_ADDR_STRLEN];
		int r = ga_pci_addr_parse(ctx, addr_cases[i].in, &a);

		if (addr_cases[i].canonical) {
			CU_ASSERT_EQUAL(r, 0);
			if (r == 0)
				CU_ASSERT_STRING_EQUAL(ga_pci_addr_format(&a, buf), addr_cases[i].canonical);
		} else {
			CU_ASSERT_EQUAL(r, -GA_E_PARSE);
			CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "invalid PCI address '"));
			CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "DDDD:BB:SS.F"));
		}
	}
	ga_ctx_free(ctx);
}

static void test_addr_cmp(void)
{
	struct ga_pci_addr a, b;

	CU_ASSERT_TRUE(ga_pci_addr_valid("0009:01:00.0", &a));
	CU_ASSERT_TRUE(ga_pci_addr_valid("0019:01:00.0", &b));
	CU_ASSERT(ga_pci_addr_cmp(&a, &b) < 0);
	CU_ASSERT(ga_pci_addr_cmp(&b, &a) > 0);
	CU_ASSERT_TRUE(ga_pci_addr_valid("0009:01:00.1", &b));
	CU_ASSERT(ga_pci_addr_cmp(&a, &b) < 0);
	CU_ASSERT_TRUE(ga_pci_addr_equal(&a, &a));
	CU_ASSERT_FALSE(ga_pci_addr_valid(NULL, NULL));
}

static void test_resource(void)
{
	/* BAR0 16 MiB 32-bit, BAR2 and BAR4 64-bit prefetchable, rest unused. */
	const char *text =
		"0x0000650000000000 0x0000650000ffffff 0x0000000000040200\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000660000000000 0x00006607ffffffff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000661000000000 0x0000661001ffffff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
	struct ga_pci_bar bars[GA_PCI_NUM_BARS];
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL_FATAL(ga_pci_parse_resource(ctx, text, bars), 0);
	CU_ASSERT_EQUAL(bars[0].size, 16ull << 20);
	CU_ASSERT_FALSE(bars[0].is_64bit);
	CU_ASSERT_FALSE(bars[0].prefetchable);
	CU_ASSERT_EQUAL(bars[1].size, 0);
	CU_ASSERT_EQUAL(bars[2].size, 32ull << 30);
	CU_ASSERT_TRUE(bars[2].is_64bit);
	CU_ASSERT_TRUE(bars[2].prefetchable);
	CU_ASSERT_EQUAL(bars[2].start, 0x660000000000ull);
	CU_ASSERT_EQUAL(bars[4].size, 32ull << 20);

	CU_ASSERT_EQUAL(ga_pci_parse_resource(ctx, "0x0 0x0 0x0\n", bars), -GA_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "expected at least 6"));
	CU_ASSERT_EQUAL(ga_pci_parse_resource(ctx, "zz\n", bars), -GA_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "resource line 1 'zz'"));
	ga_ctx_free(ctx);
}

static const struct test_case cases[] = {
	{ "address table", test_addr_table },
	{ "address compare", test_addr_cmp },
	{ "resource table", test_resource },
	{ NULL, NULL },
};

TEST_MAIN("ga-pci", cases)
