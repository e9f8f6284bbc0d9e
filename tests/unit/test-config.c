// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-config: defaults, a full file, and invalid files refused with their line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ga-config.h"
#include "ga-ctx.h"
#include "test-common.h"

static struct ga_ctx *new_ctx(void)
{
	struct ga_ctx *ctx = NULL;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	return ctx;
}

static void test_defaults(void)
{
	struct ga_ctx *ctx = new_ctx();
	struct ga_config *cfg = NULL;
	struct ga_pci_addr a = { 9, 1, 0, 0 };

	CU_ASSERT_EQUAL_FATAL(ga_config_parse(ctx, "<gpu-assign/>", 13, "t.conf", &cfg), 0);
	CU_ASSERT_EQUAL(cfg->policy, GA_HOOK_ENFORCE);
	CU_ASSERT_TRUE(cfg->bind);
	CU_ASSERT_EQUAL(cfg->release, GA_RELEASE_RESTORE);
	CU_ASSERT_EQUAL(cfg->gi_nodes, 0);
	CU_ASSERT_TRUE(cfg->syslog);
	CU_ASSERT_PTR_NULL(cfg->log_file);
	CU_ASSERT_TRUE(ga_config_gpu_reserved(cfg, &a));
	CU_ASSERT_STRING_EQUAL(cfg->path, "t.conf");
	ga_config_free(cfg);
	ga_ctx_free(ctx);
}

static void test_full(void)
{
	static const char text[] =
		"<?xml version='1.0'?>\n"
		"<gpu-assign>\n"
		"  <!-- a comment -->\n"
		"  <log syslog='no' file='/var/log/gpu-assign-hook.log'/>\n"
		"  <reserved>\n"
		"    <gpu address='0009:01:00.0'/>\n"
		"    <gpu address='0019:01:00.0'/>\n"
		"  </reserved>\n"
		"  <hook policy='warn' bind='no'/>\n"
		"  <release policy='keep'/>\n"
		"  <gi-nodes count='4'/>\n"
		"</gpu-assign>\n";
	struct ga_ctx *ctx = new_ctx();
	struct ga_config *cfg = NULL;
	struct ga_pci_addr in = { 0x19, 1, 0, 0 }, out = { 0x29, 1, 0, 0 };

	CU_ASSERT_EQUAL_FATAL(ga_config_parse(ctx, text, strlen(text), "full.conf", &cfg), 0);
	CU_ASSERT_EQUAL(cfg->policy, GA_HOOK_WARN);
	CU_ASSERT_FALSE(cfg->bind);
	CU_ASSERT_EQUAL(cfg->release, GA_RELEASE_KEEP);
	CU_ASSERT_EQUAL(cfg->gi_nodes, 4);
	CU_ASSERT_FALSE(cfg->syslog);
	CU_ASSERT_STRING_EQUAL(cfg->log_file, "/var/log/gpu-assign-hook.log");
	CU_ASSERT_EQUAL(cfg->nreserved, 2);
	CU_ASSERT_TRUE(ga_config_gpu_reserved(cfg, &in));
	CU_ASSERT_FALSE(ga_config_gpu_reserved(cfg, &out));
	ga_config_free(cfg);

	/* an empty <reserved> reserves nothing */
	CU_ASSERT_EQUAL_FATAL(ga_config_parse(ctx, "<gpu-assign><reserved/></gpu-assign>", 36, "e.conf", &cfg), 0);
	CU_ASSERT_TRUE(cfg->has_reserved);
	CU_ASSERT_FALSE(ga_config_gpu_reserved(cfg, &in));
	ga_config_free(cfg);
	ga_ctx_free(ctx);
}

static void test_invalid(void)
{
	static const struct {
		const char *text;
		int code;
		const char *expect; /* substring of the message */
	} cases[] = {
		{ "", -GA_E_PARSE, "b.conf:1: the file is empty" },
		{ "not xml", -GA_E_PARSE, "b.conf:1:" },
		{ "<gpu-assign>\n<hook policy='enforce'>\n</gpu-assign>\n", -GA_E_PARSE, "b.conf:3:" },
		{ "<gpu-assign>\n\n  <hook policy='maybe'/>\n</gpu-assign>\n", -GA_E_PARSE, "b.conf:3:" },
		{ "<gpu-assign>\n <hook bind='true'/>\n</gpu-assign>", -GA_E_PARSE, "b.conf:2:" },
		{ "<gpu-assign>\n <colour/>\n</gpu-assign>", -GA_E_PARSE, "b.conf:2:" },
		{ "<gpu-assign>\n <gi-nodes count='0'/>\n</gpu-assign>", -GA_E_PARSE, "b.conf:2:" },
		{ "<gpu-assign>\n <gi-nodes count='65'/>\n</gpu-assign>", -GA_E_PARSE, "b.conf:2:" },
		{ "<gpu-assign>\n <reserved>\n  <gpu address='9:1:0.0'/>\n </reserved>\n</gpu-assign>", -GA_E_PARSE,
		  "b.conf:3:" },
		{ "<gpu-assign>\n <reserved>\n  <gpu address='0009:01:20.0'/>\n </reserved>\n</gpu-assign>",
		  -GA_E_PARSE, "b.conf:3:" },
		{ "<gpu-assign>\n <reserved>\n  <gpu address='0009:01:00.0'/>\n  <gpu address='0009:01:00.0'/>\n"
		  " </reserved>\n</gpu-assign>",
		  -GA_E_PARSE, "b.conf:4: GPU listed twice" },
		{ "<gpu-assign>\n <log file='relative.log'/>\n</gpu-assign>", -GA_E_PARSE, "b.conf:2:" },
		{ "<gpu-assign>\n <hook/>\n <hook/>\n</gpu-assign>", -GA_E_PARSE, "b.conf:" },
		{ "<config/>", -GA_E_PARSE, "b.conf:1:" },
		{ "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><gpu-assign>&e;</gpu-assign>", -GA_E_PARSE,
		  "b.conf:1:" },
	};
	struct ga_ctx *ctx = new_ctx();

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_config *cfg = (struct ga_config *)1;
		int r = ga_config_parse(ctx, cases[i].text, strlen(cases[i].text), "b.conf", &cfg);
		const char *msg = ga_last_error(ctx)->message;

		CU_ASSERT_EQUAL(r, cases[i].code);
		CU_ASSERT_PTR_NULL(cfg);
		if (!strstr(msg, cases[i].expect))
			fprintf(stderr, "\ncase %zu: message '%s' lacks '%s'\n", i, msg, cases[i].expect);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, cases[i].expect));
		CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
		ga_config_free(r == 0 ? cfg : NULL);
	}
	ga_ctx_free(ctx);
}

static void test_load(void)
{
	char *dir = test_tmpdir_new();
	struct ga_ctx *ctx = new_ctx();
	struct ga_config *cfg = NULL;
	char path[4096];

	/* missing: defaults when allowed, an error naming the file otherwise */
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	CU_ASSERT_EQUAL(ga_config_load(ctx, path, true, &cfg), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_PTR_NULL(cfg->path);
	CU_ASSERT_EQUAL(cfg->policy, GA_HOOK_ENFORCE);
	ga_config_free(cfg);
	CU_ASSERT_EQUAL(ga_config_load(ctx, path, false, &cfg), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, path));

	test_write_file(dir, "ok.conf", "<gpu-assign>\n  <hook policy='off'/>\n</gpu-assign>\n");
	snprintf(path, sizeof(path), "%s/ok.conf", dir);
	CU_ASSERT_EQUAL_FATAL(ga_config_load(ctx, path, false, &cfg), 0);
	CU_ASSERT_EQUAL(cfg->policy, GA_HOOK_OFF);
	CU_ASSERT_STRING_EQUAL(cfg->path, path);
	ga_config_free(cfg);

	test_write_file(dir, "bad.conf", "<gpu-assign>\n  <hook policy='of'/>\n</gpu-assign>\n");
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	CU_ASSERT_EQUAL(ga_config_load(ctx, path, true, &cfg), -GA_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(ga_last_error(ctx)->message, "bad.conf:2:"));

	/* a directory is not a configuration */
	CU_ASSERT_EQUAL(ga_config_load(ctx, dir, true, &cfg), -EINVAL);
	test_tmpdir_remove(dir);
	ga_ctx_free(ctx);
}

static void test_shipped_example(void)
{
	/* the example the man page shows is kept valid */
	char *path = test_srcpath("hook/gpu-assign.conf.example");
	struct ga_ctx *ctx = new_ctx();
	struct ga_config *cfg = NULL;

	CU_ASSERT_EQUAL(ga_config_load(ctx, path, false, &cfg), 0);
	if (!cfg)
		fprintf(stderr, "\n%s\n", ga_last_error(ctx)->message);
	ga_config_free(cfg);
	free(path);
	ga_ctx_free(ctx);
}

static const struct test_case cases[] = {
	{ "defaults", test_defaults },
	{ "full file", test_full },
	{ "invalid files name their line", test_invalid },
	{ "load from disk", test_load },
	{ "shipped example is valid", test_shipped_example },
	{ NULL, NULL },
};

TEST_MAIN("ga-config", cases)
