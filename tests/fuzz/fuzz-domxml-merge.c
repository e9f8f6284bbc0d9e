// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: merging a plan into an arbitrary domain XML (the input a
 * user or a management layer hands to `gpu-assign xml --domain`). Besides
 * the sanitizers' checks: a merge that succeeds must be stable (merging its
 * output again gives the same bytes) and must carry our record; a refusal
 * must come with a message.
 *
 * The plan is built in memory (two Grace sockets, one GPU each, 8 GI nodes
 * per GPU), so no host is needed; the first input byte picks the GI form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "ga-ctx.h"
#include "ga-domxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct ga_ctx *ctx;
static struct ga_plan plan;
static struct ga_plan_cell cells[2];
static struct ga_plan_gpu gpus[2];
static uint8_t distance[18 * 18];
static const struct ga_catalog_entry *model;

static void quiet(void *data, const char *msg, ...)
{
	(void)data;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (ga_ctx_new(&ctx) < 0)
		abort();
	xmlSetGenericErrorFunc(NULL, quiet);
	model = ga_catalog_lookup(0x10de, 0x2342);
	for (unsigned i = 0; i < 2; i++) {
		cells[i] = (struct ga_plan_cell){ .id = i, .host_node = (int)i, .first_vcpu = 2 * i, .nvcpus = 2,
						  .memory_kib = 1024 * 1024, .host_cpus = (char *)(i ? "72-143" : "0-71") };
		gpus[i] = (struct ga_plan_gpu){ .addr = { .domain = (uint16_t)(9 + 16 * i), .bus = 1 }, .model = model,
						.driver = "nvgrace_gpu_vfio_pci", .host_node = (int)i, .cell = i,
						.first_gi = 2 + 8 * i, .ngi = 8, .bar_bytes = 128ULL << 30 };
		ga_pci_addr_format(&gpus[i].addr, gpus[i].name);
		strcpy(gpus[i].alias, i ? "ua-gpu-0019-01-00-0" : "ua-gpu-0009-01-00-0");
	}
	for (unsigned i = 0; i < 18; i++)
		for (unsigned j = 0; j < 18; j++)
			distance[i * 18 + j] = i == j ? 10 : (i < 2 && j < 2) ? 40 : (i >= 2 && j >= 2) ? 255 : 80;
	plan = (struct ga_plan){ .arch = GA_ARCH_AARCH64, .vcpus = 4, .memory_kib = 2 * 1024 * 1024,
				 .cells = cells, .ncells = 2, .gpus = gpus, .ngpus = 2, .nnodes = 18,
				 .distance = distance, .mmio_needed = 258ULL << 30, .mmio_window = 1ULL << 40 };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ga_domxml_opts opts = { .managed = true, .driver_model = true };
	char *out = NULL, *again = NULL;
	int r;

	if (size < 1)
		return 0;
	opts.form = (data[0] & 1) ? GA_GI_FORM_NATIVE : GA_GI_FORM_FALLBACK;
	plan.mmio_window = (data[0] & 2) ? 1ULL << 40 : 0;
	r = ga_domxml_merge(ctx, (const char *)data + 1, size - 1, &plan, &opts, &out);
	if (r < 0) {
		if (out || !ga_last_error(ctx)->message[0])
			abort();
		return 0;
	}
	if (!strstr(out, "urn:x-gpu-assign:domain:1"))
		abort();
	r = ga_domxml_merge(ctx, out, strlen(out), &plan, &opts, &again);
	if (r < 0 || strcmp(out, again) != 0)
		abort(); /* a merge of our own output must be accepted and stable */
	free(out);
	free(again);
	return 0;
}
