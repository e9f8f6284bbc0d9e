// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the libvirt hook's stdin path. The first byte picks the
 * operation, the configuration and whether the test stand-in is on; the rest
 * is the domain XML, handed to hook_handle() exactly as the hook binary does
 * after reading stdin. With the top bit set the rest is parsed as a
 * gpu-assign.conf instead (ga_config_parse). Must never crash, leak or hang,
 * and must answer 0, 1 (with one line on stderr) or nothing else.
 *
 * The host is a tiny fake sysfs tree in a temporary directory: a GH200 on
 * its VFIO variant driver (0009:01:00.0), a GH200 still on nvidia
 * (0019:01:00.0: managed='no' makes the hook try ga-bind, which fails
 * cleanly here: no module directory) and a NIC. Only the GPUs are simulated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ga-config.h"
#include "ga-ctx.h"
#include "hook.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[] = "/tmp/ga-fuzz-hook.XXXXXX";
static char conf[5][512];
static FILE *devnull;

static void put(const char *rel, const char *content)
{
	char path[1024], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (slash = strchr(path + strlen(base) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0)
		abort();
}

static void link_(const char *rel, const char *target)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	if (symlink(target, path) < 0)
		abort();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static struct ga_ctx *hook_ctx;

static void cleanup(void)
{
	nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const confs[5] = {
		NULL, /* missing: the defaults */
		"<gpu-assign><hook policy='enforce'/><log syslog='no'/></gpu-assign>",
		"<gpu-assign><hook policy='warn' bind='no'/><gi-nodes count='2'/><log syslog='no'/></gpu-assign>",
		"<gpu-assign><hook policy='off'/></gpu-assign>",
		"<gpu-assign><hook policy='sometimes'/></gpu-assign>",
	};
	char dir[1024];

	(void)argc;
	(void)argv;
	if (!mkdtemp(base))
		abort();
	atexit(cleanup);
	put("sys/bus/pci/devices/0009:01:00.0/vendor", "0x10de\n");
	put("sys/bus/pci/devices/0009:01:00.0/device", "0x2342\n");
	link_("sys/bus/pci/devices/0009:01:00.0/driver", "../../drivers/nvgrace_gpu_vfio_pci");
	put("sys/bus/pci/devices/0019:01:00.0/vendor", "0x10de\n");
	put("sys/bus/pci/devices/0019:01:00.0/device", "0x2342\n");
	link_("sys/bus/pci/devices/0019:01:00.0/driver", "../../drivers/nvidia");
	put("sys/bus/pci/devices/0000:01:00.0/vendor", "0x15b3\n");
	put("sys/bus/pci/devices/0000:01:00.0/device", "0x1021\n");
	for (int i = 0; i < 5; i++) {
		snprintf(conf[i], sizeof(conf[i]), "%s/conf%d.xml", base, i);
		if (confs[i]) {
			char rel[32];

			snprintf(rel, sizeof(rel), "conf%d.xml", i);
			put(rel, confs[i]);
		}
	}
	/* the paths of the checker, from a test overrides file as gpu-assign-hook-check loads it */
	{
		char text[4096];

		snprintf(text, sizeof(text),
			 "sysfs-root = %s/sys\nstate-dir = %s/state\nmodules-dir = %s/modules\nrules-dir = %s/rules\nproc-root = %s\n",
			 base, base, base, base, base);
		put("test-overrides", text);
		snprintf(dir, sizeof(dir), "%s/test-overrides", base);
		if (ga_ctx_new(&hook_ctx) < 0 || ga_ctx_load_overrides(hook_ctx, dir) != 1)
			abort();
	}
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ops[4][2] = {
		{ "prepare", "begin" }, { "release", "end" }, { "started", "begin" }, { "prepare", "end" },
	};
	struct hook_opts o = { .err = devnull };
	unsigned sel;
	int r;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	if (sel & 0x80) {
		static struct ga_ctx *ctx;
		struct ga_config *cfg = NULL;

		if (!ctx && ga_ctx_new(&ctx) < 0)
			abort();
		r = ga_config_parse(ctx, (const char *)data, size, "fuzz.conf", &cfg);
		if ((r == 0) != (cfg != NULL) || (r < 0 && !ga_last_error(ctx)->message[0]))
			abort();
		ga_config_free(cfg);
		return 0;
	}
	o.ctx = hook_ctx;
	o.config_path = conf[(sel >> 2) % 5];
	o.standin = (sel & 0x40) ? "ua-gpu0=0009:01:00.0,ua-x=0019:01:00.0" : NULL;
	r = hook_handle(&o, "fuzz", ops[sel & 3][0], ops[sel & 3][1], (const char *)data, size);
	if (r != HOOK_EXIT_OK && r != HOOK_EXIT_REFUSE)
		abort();
	return 0;
}
