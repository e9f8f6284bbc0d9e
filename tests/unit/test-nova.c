// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-nova: the GPUs, aliases and flavor counts offered to Nova, on fixture
 * hosts with more GPUs (and GPUs left out) than the fixed arrays nova-config
 * once had held (16 aliases, 64 GPUs left out).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-config.h"
#include "ga-nova.h"
#include "plan-fixture.h"

#define SOCKETS 18
#define PER_SOCKET 4

/* The catalogue's five coherent products, socket s carrying products[s % 5]. */
static const uint16_t products[] = { 0x2342, 0x2345, 0x2348, 0x2941, 0x31c2 };
static const char *const alias_names[] = { "gh200-120gb", "gh200-480gb", "gh200-144gb-hbm3e", "gb200", "gb300" };

static void big_host(struct fixture *f)
{
	struct fixture_spec spec = { .sockets = SOCKETS, .gpus_per_socket = PER_SOCKET };

	fixture_init(f, &spec);
	for (size_t i = 0; i < f->host->ndevs; i++)
		f->host->devs[i].device = products[f->host->devs[i].numa_node % 5];
}

static struct ga_config *config(struct fixture *f)
{
	struct ga_config *cfg = NULL;

	CU_ASSERT_EQUAL_FATAL(ga_config_new_default(f->ctx, &cfg), 0);
	return cfg;
}

static void test_all_offered(void)
{
	struct fixture f;
	struct ga_config *cfg;
	struct ga_nova *nova = NULL;

	big_host(&f);
	cfg = config(&f);
	CU_ASSERT_EQUAL_FATAL(ga_nova_build(f.ctx, f.host, cfg, &nova), 0);
	CU_ASSERT_EQUAL(nova->ngpus, SOCKETS * PER_SOCKET);
	CU_ASSERT_EQUAL(nova->nskipped, 0);
	CU_ASSERT_EQUAL_FATAL(nova->naliases, 5);
	for (size_t k = 0; k < 5; k++) {
		/* sockets k, k+5, ...: four of them for k < 3 (18 sockets), three for the rest */
		unsigned sockets = k < 3 ? 4 : 3;

		CU_ASSERT_STRING_EQUAL(nova->aliases[k].name, alias_names[k]);
		CU_ASSERT_EQUAL(nova->aliases[k].product, products[k]);
		CU_ASSERT_EQUAL(nova->aliases[k].count, sockets * PER_SOCKET);
		CU_ASSERT_EQUAL(nova->aliases[k].nnodes, sockets);
		/* flavors: one GPU on one node, all of them on their nodes */
		CU_ASSERT_EQUAL(ga_nova_nflavors(&nova->aliases[k]), 2);
		CU_ASSERT_EQUAL(ga_nova_flavor(&nova->aliases[k], 0).gpus, 1);
		CU_ASSERT_EQUAL(ga_nova_flavor(&nova->aliases[k], 0).nodes, 1);
		CU_ASSERT_EQUAL(ga_nova_flavor(&nova->aliases[k], 1).gpus, sockets * PER_SOCKET);
		CU_ASSERT_EQUAL(ga_nova_flavor(&nova->aliases[k], 1).nodes, sockets);
	}
	for (size_t i = 0; i < nova->ngpus; i++) {
		const struct ga_nova_gpu *g = &nova->gpus[i];

		CU_ASSERT_EQUAL(nova->aliases[g->alias].product, g->dev->device);
		CU_ASSERT_EQUAL(g->gi_nodes, 8);
		CU_ASSERT_EQUAL(g->gi_source, GA_GI_SOURCE_CATALOG);
		CU_ASSERT_FALSE(g->group);
	}
	ga_nova_free(nova);
	/* the configuration's count wins, as in the hook */
	cfg->gi_nodes = 2;
	CU_ASSERT_EQUAL_FATAL(ga_nova_build(f.ctx, f.host, cfg, &nova), 0);
	CU_ASSERT_EQUAL(nova->gpus[SOCKETS * PER_SOCKET - 1].gi_nodes, 2);
	CU_ASSERT_EQUAL(nova->gpus[0].gi_source, GA_GI_SOURCE_CONFIG);
	ga_nova_free(nova);
	ga_config_free(cfg);
	fixture_fini(&f);
}

/* One GPU reserved: the other 71 are left out, each with its reason; none reserved: nothing to offer. */
static void test_left_out(void)
{
	struct fixture f;
	struct ga_config *cfg;
	struct ga_nova *nova = NULL;
	const struct ga_pci_dev *last;
	char want[128];

	big_host(&f);
	cfg = config(&f);
	cfg->has_reserved = true;
	cfg->reserved = calloc(1, sizeof(*cfg->reserved));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->reserved);
	cfg->reserved[0] = f.host->devs[5].addr;
	cfg->nreserved = 1;
	CU_ASSERT_EQUAL_FATAL(ga_nova_build(f.ctx, f.host, cfg, &nova), 0);
	CU_ASSERT_EQUAL_FATAL(nova->ngpus, 1);
	CU_ASSERT_PTR_EQUAL(nova->gpus[0].dev, &f.host->devs[5]);
	CU_ASSERT_EQUAL_FATAL(nova->naliases, 1);
	CU_ASSERT_EQUAL(ga_nova_nflavors(&nova->aliases[0]), 1);
	CU_ASSERT_EQUAL_FATAL(nova->nskipped, SOCKETS * PER_SOCKET - 1);
	last = &f.host->devs[SOCKETS * PER_SOCKET - 1];
	snprintf(want, sizeof(want), "%s (%s): not in <reserved> of the configuration", last->name,
		 ga_catalog_lookup(last->vendor, last->device)->name);
	CU_ASSERT_STRING_EQUAL(nova->skipped[nova->nskipped - 1], want);
	ga_nova_free(nova);

	cfg->nreserved = 0;
	CU_ASSERT_EQUAL(ga_nova_build(f.ctx, f.host, cfg, &nova), -ENODEV);
	CU_ASSERT_PTR_NULL(nova);
	snprintf(want, sizeof(want), "offered to Nova: %s (GH200 120GB): not in <reserved>", f.host->devs[0].name);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(f.ctx)->message, want));
	ga_config_free(cfg);
	fixture_fini(&f);
}

static void test_no_grace(void)
{
	struct fixture_spec spec = { .sockets = 1, .gpus_per_socket = 0, .extra_devices = true };
	struct ga_nova *nova = NULL;
	struct ga_config *cfg;
	struct fixture f;

	fixture_init(&f, &spec);
	cfg = config(&f);
	CU_ASSERT_EQUAL(ga_nova_build(f.ctx, f.host, cfg, &nova), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(f.ctx)->message,
				      "no Grace GPU on this host can be offered to Nova (see 'gpu-assign list'"));
	ga_config_free(cfg);
	fixture_fini(&f);
}

/* Releases and nova versions, and what each release reads (issue 14). */
static void test_release(void)
{
	static const struct {
		const char *text;
		int r;
		const char *name;
	} cases[] = {
		{ "2023.1", 0, "2023.1" }, { "2025.1", 0, "2025.1" }, { "2026.2", 0, "2026.2" }, { "2031.1", 0, "2031.1" },
		{ "27.0.0", 0, "2023.1" }, { "31.2.1", 0, "2025.1" }, { "34.0.0", 0, "2026.2" }, { "34", 0, "2026.2" },
		{ "2:34.0.0-4", 0, "2026.2" }, { "33.0.0~rc1-1", 0, "2026.1" }, { "26.0.0", -EINVAL, NULL },
		{ "2022.2", -EINVAL, NULL }, { "2025.3", -EINVAL, NULL }, { "2025.0", -EINVAL, NULL }, { "", -EINVAL, NULL },
		{ "epoxy", -EINVAL, NULL }, { "34.0.0 ", -EINVAL, NULL }, { "99999.1", -EINVAL, NULL },
	};
	struct ga_ctx *ctx = NULL;

	CU_ASSERT_EQUAL_FATAL(ga_ctx_new(&ctx), 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_nova_release rel;
		int r = ga_nova_release_parse(ctx, cases[i].text, &rel);

		CU_ASSERT_EQUAL(r, cases[i].r);
		if (r != cases[i].r)
			fprintf(stderr, "release '%s': %d, want %d\n", cases[i].text, r, cases[i].r);
		if (!r && cases[i].name)
			CU_ASSERT_STRING_EQUAL(rel.name, cases[i].name);
	}
	/* the first release that reads each item (Nova's release notes) */
	CU_ASSERT_EQUAL(ga_nova_item_since(GA_NOVA_ITEM_MANAGED), 31);
	CU_ASSERT_EQUAL(ga_nova_item_since(GA_NOVA_ITEM_ONE_TIME_USE), 32);
	CU_ASSERT_EQUAL(ga_nova_item_since(GA_NOVA_ITEM_REPORT_IN_PLACEMENT), 27);
	for (int item = 0; item < GA_NOVA_ITEM_LAST; item++)
		CU_ASSERT_PTR_NOT_NULL(ga_nova_item_name(item));
	{
		struct ga_nova_release r2024_2;

		CU_ASSERT_EQUAL_FATAL(ga_nova_release_parse(ctx, "30.0.0", &r2024_2), 0);
		CU_ASSERT_EQUAL(ga_nova_release_check(ctx, &r2024_2, false), -ENOTSUP);
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
				       "Nova 2024.2 does not read [pci] device_spec managed (Nova 2025.1 and later): upgrade Nova");
	}
	{
		struct ga_nova_release r2025_1, r2025_2;

		CU_ASSERT_EQUAL_FATAL(ga_nova_release_parse(ctx, "2025.1", &r2025_1), 0);
		CU_ASSERT_EQUAL_FATAL(ga_nova_release_parse(ctx, "2025.2", &r2025_2), 0);
		CU_ASSERT_EQUAL(ga_nova_release_check(ctx, &r2025_1, false), 0);
		CU_ASSERT_EQUAL(ga_nova_release_check(ctx, &r2025_1, true), -ENOTSUP);
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
				       "Nova 2025.1 does not read [pci] device_spec one_time_use (Nova 2025.2 and later): upgrade Nova, or leave out --one-time-use");
		CU_ASSERT_EQUAL(ga_nova_release_check(ctx, &r2025_2, true), 0);
	}
	ga_ctx_free(ctx);
}

static const struct test_case cases[] = {
	{ "72 GPUs of five products offered", test_all_offered },
	{ "71 GPUs left out, then all", test_left_out },
	{ "no Grace GPU", test_no_grace },
	{ "Nova releases and what each reads", test_release },
	{ NULL, NULL }
};

TEST_MAIN("ga-nova", cases)
