// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ga-bind on the sample hosts (tests/hosts), with the kernel's driver core
 * played by fake-kernel.c. Only the GPUs and the kernel's reaction to sysfs
 * writes are simulated; the library code under test is the real one.
 * Every failure case asserts that the host is back exactly as it was.
 */
/* Test code: paths are built in PATH_MAX buffers from short names; truncation would abort below. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "ga-bind.h"
#include "ga-ctx.h"
#include "ga-inuse-domains.h"
#include "ga-inuse.h"
#include "ga-journal.h"
#include "ga-nodedev.h"
#include "ga-persist.h"
#include "ga-statefile.h"
#include "ga-sysfs.h"
#include "test-common.h"

/* One generated copy of each sample host, copied for every case. */
static char *templates;

static void sh(const char *fmt, ...) GA_PRINTF(1, 2);
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		abort();
	}
}

struct env {
	char *dir;
	char sys[PATH_MAX], state[PATH_MAX], rules[PATH_MAX], proc[PATH_MAX], modules[PATH_MAX];
	struct ga_ctx *ctx;
	struct fake_kernel fk;
	struct ga_bind_opts opts;
	char *initial;
};

/*
 * A copy of a sample host. offer < 0: its kernel as mkhost writes it (no
 * modules.alias, nvgrace_gpu_vfio_pci registered); else the Grace variant
 * drivers it offers (fk_offer_variants).
 */
static void env_open_offer(struct env *e, const char *host, int offer)
{
	char tmpl[PATH_MAX];
	struct stat st;

	memset(e, 0, sizeof(*e));
	if (!templates)
		templates = test_tmpdir_new();
	snprintf(tmpl, sizeof(tmpl), "%s/%s", templates, host);
	if (stat(tmpl, &st) != 0) {
		char *mkhost = test_srcpath("hosts/mkhost"), *hostdir = test_srcpath("hosts");

		sh("'%s' '%s/%s' '%s' >/dev/null", mkhost, hostdir, host, tmpl);
		free(mkhost);
		free(hostdir);
	}
	e->dir = test_tmpdir_new();
	sh("cp -a '%s' '%s/host'", tmpl, e->dir);
	snprintf(e->sys, sizeof(e->sys), "%s/host/sys", e->dir);
	snprintf(e->state, sizeof(e->state), "%s/state", e->dir);
	snprintf(e->rules, sizeof(e->rules), "%s/rules.d", e->dir);
	snprintf(e->proc, sizeof(e->proc), "%s/proc", e->dir);
	/* never the build host's modules: an empty directory unless the case offers drivers */
	snprintf(e->modules, sizeof(e->modules), "%s/modules", e->dir);
	mkdir(e->modules, 0755);
	if (offer >= 0)
		fk_offer_variants(e->sys, e->modules, (unsigned)offer);
	test_write_file(e->proc, "iomem",
			"00000000-00000fff : Reserved\n80000000-ffffffff : System RAM\n  80200000-81ffffff : Kernel code\n");
	test_write_file(e->proc, "1/comm", "systemd\n");
	CU_ASSERT_FATAL(ga_ctx_new(&e->ctx) == 0);
	CU_ASSERT_FATAL(ga_ctx_set_sysfs_root(e->ctx, e->sys) == 0);
	CU_ASSERT_FATAL(ga_ctx_set(e->ctx, GA_SETTING_PROC_ROOT, e->proc) == 0);
	CU_ASSERT_FATAL(ga_ctx_set(e->ctx, GA_SETTING_MODULES_DIR, e->modules) == 0);
	fk_init(&e->fk, e->sys, e->ctx);
	e->opts.state_dir = e->state;
	e->opts.rules_dir = e->rules;
	e->opts.lock_timeout_ms = 2000;
	e->initial = fk_snapshot(&e->fk);
}

static void env_open(struct env *e, const char *host)
{
	env_open_offer(e, host, -1);
}

static void env_close(struct env *e)
{
	fk_free(&e->fk);
	ga_ctx_free(e->ctx);
	free(e->initial);
	test_tmpdir_remove(e->dir);
	memset(e, 0, sizeof(*e));
}

static struct ga_pci_addr addr(const char *s)
{
	struct ga_pci_addr a;

	if (!ga_pci_addr_valid(s, &a))
		abort();
	return a;
}

static bool file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static char *read_all(const char *dir, const char *name)
{
	char p[PATH_MAX], *buf = calloc(1, 65536);
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (f) {
		size_t n = fread(buf, 1, 65535, f);

		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static bool has(const char *hay, const char *needle)
{
	bool ok = hay && strstr(hay, needle);

	if (!ok)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", needle, hay ? hay : "(null)");
	return ok;
}

#define MSG(e) (ga_last_error((e)->ctx)->message)

/* The snapshot line of one device. */
static bool dev_is(struct env *e, const char *dev, const char *driver, const char *override)
{
	char *snap = fk_snapshot(&e->fk), line[256];
	bool ok;

	snprintf(line, sizeof(line), "%s %s %s\n", dev, driver, override);
	ok = has(snap, line);
	free(snap);
	return ok;
}

static bool host_unchanged(struct env *e, const char *expected)
{
	char *snap = fk_snapshot(&e->fk);
	bool ok = !strcmp(snap, expected);

	if (!ok)
		fprintf(stderr, "\n  host changed:\n%s  expected:\n%s", snap, expected);
	free(snap);
	return ok;
}

static void test_bind_release_grace(void)
{
	struct ga_pci_addr gpu = addr("0009:01:00.0");
	struct ga_bind_summary sum;
	struct env e;
	char *b;

	env_open(&e, "single-gh200");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_TRUE(dev_is(&e, "0009:01:00.0", "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci"));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	b = read_all(e.state, "bindings");
	CU_ASSERT_TRUE(has(b, "0009:01:00.0 driver=nvgrace_gpu_vfio_pci from=nvidia override=- since="));
	free(b);

	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	env_close(&e);
}

static void test_already_bound_noop(void)
{
	struct ga_pci_addr gpu = addr("0009:01:00.0");
	struct ga_bind_summary sum;
	struct env e;
	int writes;

	env_open(&e, "single-gh200");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	writes = e.fk.writes;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 0);
	CU_ASSERT_EQUAL(sum.unchanged, 1);
	CU_ASSERT_EQUAL(e.fk.writes, writes); /* not a single sysfs write */
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	env_close(&e);
}

static void test_group_refusal(void)
{
	struct ga_pci_addr gpu = addr("0009:03:00.0"), both[2] = { addr("0009:03:00.0"), addr("0009:04:00.0") };
	struct ga_bind_summary sum;
	struct env e;

	env_open(&e, "shared-group");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -GA_E_NOT_ASSIGNABLE);
	CU_ASSERT_TRUE(has(MSG(&e), "IOMMU group 5 also holds '0009:04:00.0' (mlx5_core)"));
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));

	/* Named explicitly, the NIC goes along (to vfio-pci); the switch ports are bridges and stay. */
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, both, 2, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 2);
	CU_ASSERT_TRUE(dev_is(&e, "0009:03:00.0", "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci"));
	CU_ASSERT_TRUE(dev_is(&e, "0009:04:00.0", "vfio-pci", "vfio-pci"));
	CU_ASSERT_TRUE(dev_is(&e, "0009:02:00.0", "pcieport", "-"));
	/* Releasing the GPU releases what was bound with it in its group. */
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 2);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/* A device on no driver elsewhere in the group keeps it viable: the GPU binds alone, the device stays. */
static void test_group_driverless_peer(void)
{
	struct ga_pci_addr gpu = addr("0009:03:00.0");
	struct ga_bind_summary sum;
	struct env e;

	env_open(&e, "shared-group");
	sh("rm -f '%s/bus/pci/devices/0009:04:00.0/driver' '%s/bus/pci/drivers/mlx5_core/0009:04:00.0'", e.sys, e.sys);
	free(e.initial);
	e.initial = fk_snapshot(&e.fk);
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	if (sum.changed != 1)
		fprintf(stderr, "\nbind with a driverless peer: %s\n", MSG(&e));
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_TRUE(dev_is(&e, "0009:03:00.0", "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci"));
	CU_ASSERT_TRUE(dev_is(&e, "0009:04:00.0", "-", "-"));
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/* Bind the four GPUs of quad-gh200, failing write number i: the host must be as it was. */
static const char *quad[] = { "0009:01:00.0", "0019:01:00.0", "0029:01:00.0", "0039:01:00.0" };

static void quad_addrs(struct ga_pci_addr out[4])
{
	for (int i = 0; i < 4; i++)
		out[i] = addr(quad[i]);
}

static int count_bind_writes(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	struct env e;
	int n;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 4);
	n = e.fk.writes;
	env_close(&e);
	return n;
}

static void test_fail_every_bind_step(void)
{
	int total = count_bind_writes(), checked = 0;

	CU_ASSERT(total >= 12); /* override, unbind, probe per GPU */
	for (int i = 1; i <= total; i++) {
		struct ga_pci_addr gpus[4];
		struct ga_bind_summary sum;
		struct env e;
		int r;

		quad_addrs(gpus);
		env_open(&e, "quad-gh200");
		e.fk.fail_at = i;
		r = ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum);
		CU_ASSERT_TRUE(r < 0);
		CU_ASSERT_TRUE(has(MSG(&e), "Input/output error"));
		CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
		CU_ASSERT_FALSE(file_exists(e.state, "journal"));
		CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
		checked++;
		env_close(&e);
	}
	CU_ASSERT_EQUAL(checked, total);
}

static void test_fail_every_release_step(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	struct env e;
	int total;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum), 0);
	e.fk.writes = 0;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, gpus, 4, &e.opts, &sum), 0);
	total = e.fk.writes;
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
	CU_ASSERT(total >= 12);

	for (int i = 1; i <= total; i++) {
		char *bound, *bindings;

		env_open(&e, "quad-gh200");
		CU_ASSERT_EQUAL_FATAL(ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum), 0);
		bound = fk_snapshot(&e.fk);
		bindings = read_all(e.state, "bindings");
		e.fk.writes = 0;
		e.fk.fail_at = i;
		CU_ASSERT_TRUE(ga_bind_release(e.ctx, gpus, 4, &e.opts, &sum) < 0);
		CU_ASSERT_TRUE(host_unchanged(&e, bound));
		CU_ASSERT_FALSE(file_exists(e.state, "journal"));
		{
			char *after = read_all(e.state, "bindings");

			CU_ASSERT_STRING_EQUAL(after, bindings);
			free(after);
		}
		free(bound);
		free(bindings);
		env_close(&e);
	}
}

/* A process killed at write i leaves a journal; repair puts the host back. */
static void test_killed_then_repair(void)
{
	int total = count_bind_writes();

	for (int i = 1; i <= total; i++) {
		struct ga_pci_addr gpus[4];
		struct ga_bind_summary sum;
		struct env e;
		int status;
		pid_t pid;

		quad_addrs(gpus);
		env_open(&e, "quad-gh200");
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			e.fk.exit_at = i;
			ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum);
			_exit(0);
		}
		CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 77);
		CU_ASSERT_TRUE(file_exists(e.state, "journal"));
		/* Every other invocation finishes the rollback first; here: repair (odd i) or the next bind. */
		if (i % 2) {
			CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0);
			CU_ASSERT_TRUE(sum.repaired >= 1);
			CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
			CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
		} else {
			CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, gpus, 1, &e.opts, &sum), 0);
			CU_ASSERT_TRUE(sum.repaired >= 1);
			CU_ASSERT_TRUE(dev_is(&e, quad[0], "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci"));
			CU_ASSERT_TRUE(dev_is(&e, quad[1], "nvidia", "-"));
			CU_ASSERT_TRUE(dev_is(&e, quad[3], "nvidia", "-"));
		}
		CU_ASSERT_FALSE(file_exists(e.state, "journal"));
		env_close(&e);
	}
}

static void test_device_removed_midway(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	struct env e;
	char expected[4096] = "";
	char *p, *line;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	/* The third GPU vanishes while the second is being bound (write 5 of 3 per GPU). */
	e.fk.remove_at = 5;
	snprintf(e.fk.remove_dev, sizeof(e.fk.remove_dev), "%s", quad[2]);
	CU_ASSERT_TRUE(ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum) < 0);
	CU_ASSERT_TRUE(has(MSG(&e), "'0029:01:00.0' disappeared"));
	/* Everything but the removed GPU is as it was. */
	p = strdup(e.initial);
	for (line = strtok(p, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, quad[2], 12)) {
			strcat(expected, line);
			strcat(expected, "\n");
		}
	}
	free(p);
	CU_ASSERT_TRUE(host_unchanged(&e, expected));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	CU_ASSERT_FALSE(file_exists(e.state, "bindings"));

	/* A bound GPU unplugged later: release --all releases the rest and forgets it. */
	e.fk.remove_at = 0;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpus[0], 2, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "1", "bus/pci/devices/%s/remove", quad[1]), 0);
	e.opts.all = true;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, NULL, 0, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_TRUE(dev_is(&e, quad[0], "nvidia", "-"));
	CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
	env_close(&e);
}

static void test_driver_refuses(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	struct env e;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	e.opts.driver = "vfio-pci";
	snprintf(e.fk.refuse, sizeof(e.fk.refuse), "vfio-pci");
	CU_ASSERT_TRUE(ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum) < 0);
	CU_ASSERT_TRUE(has(MSG(&e), "PCI device '0009:01:00.0' did not bind to driver 'vfio-pci' (it is on 'no driver')"));
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

static void test_missing_and_bad_drivers(void)
{
	struct ga_pci_addr gpu = addr("0009:01:00.0");
	struct ga_bind_summary sum;
	struct env e;
	char modules[PATH_MAX];

	env_open(&e, "single-gh200");
	snprintf(modules, sizeof(modules), "%s/modules", e.dir);
	mkdir(modules, 0755);
	CU_ASSERT_FATAL(ga_ctx_set(e.ctx, GA_SETTING_MODULES_DIR, modules) == 0);
	e.opts.driver = "nosuch-vfio-pci";
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -ENOENT);
	CU_ASSERT_TRUE(has(MSG(&e), "cannot load driver 'nosuch-vfio-pci': no kernel module provides it"));
	CU_ASSERT_FATAL(ga_ctx_set(e.ctx, GA_SETTING_MODULES_DIR, e.modules) == 0);
	e.opts.driver = "e1000e";
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_TRUE(has(MSG(&e), "not a vfio driver"));
	e.opts.driver = "../../../vfio-pci";
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_TRUE(has(MSG(&e), "invalid driver name"));
	e.opts.driver = "vfio-pci/../nvidia";
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/*
 * The Grace variant driver bind takes is the one the kernel offers: only the
 * companion module, only the in-tree driver, both (libvirt's rule: the
 * earlier of two equally specific aliases), neither (refused, naming both,
 * nothing changed), and --driver-model over the kernel's choice.
 */
static void test_variant_drivers(void)
{
	static const struct {
		int offer;
		const char *forced;
		const char *driver; /* NULL: refused */
	} cases[] = {
		{ FK_OFFER_COMPANION, NULL, "gpu_assign_nvgrace" },
		{ FK_OFFER_INTREE, NULL, "nvgrace_gpu_vfio_pci" },
		{ FK_OFFER_BOTH, NULL, "nvgrace_gpu_vfio_pci" },
		{ FK_OFFER_BOTH, "gpu_assign_nvgrace", "gpu_assign_nvgrace" },
		{ FK_OFFER_NONE, NULL, NULL },
	};
	struct ga_pci_addr gpu = addr("0009:01:00.0");

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		struct ga_bind_summary sum;
		struct env e;
		char *b, line[256];

		env_open_offer(&e, "single-gh200", cases[i].offer);
		e.opts.driver = cases[i].forced;
		if (!cases[i].driver) {
			CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -ENOENT);
			CU_ASSERT_TRUE(has(MSG(&e), "no vfio-pci variant driver for GPU '0009:01:00.0' in this kernel: neither nvgrace_gpu_vfio_pci (in-tree, Linux >= 6.9) nor gpu_assign_nvgrace (gpu-assign's companion module: 'make module-install' as root in gpu-assign's build tree, or DKMS) offers 10de:2342 ("));
			CU_ASSERT_EQUAL(e.fk.writes, 0);
			CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
			CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
			env_close(&e);
			continue;
		}
		CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
		CU_ASSERT_TRUE(dev_is(&e, "0009:01:00.0", cases[i].driver, cases[i].driver));
		b = read_all(e.state, "bindings");
		snprintf(line, sizeof(line), "0009:01:00.0 driver=%s from=nvidia", cases[i].driver);
		CU_ASSERT_TRUE(has(b, line));
		free(b);
		CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
		CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
		env_close(&e);
	}
}

static void test_grace_safety(void)
{
	struct ga_pci_addr gpu = addr("0009:01:00.0");
	struct ga_bind_summary sum;
	struct env e;

	env_open(&e, "single-gh200");
	test_write_file(e.proc, "812/comm", "nvidia-persistenced\n");
	test_write_file(e.proc, "900/comm", "python3\n");
	test_symlink(e.proc, "900/fd/7", "/dev/nvidia0");
	test_write_file(e.proc, "901/comm", "bash\n");
	test_symlink(e.proc, "901/fd/0", "/dev/pts/0");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_TRUE(has(MSG(&e), "in use by"));
	CU_ASSERT_TRUE(has(MSG(&e), "nvidia-persistenced (pid 812)"));
	CU_ASSERT_TRUE(has(MSG(&e), "python3 (pid 900)"));
	CU_ASSERT_FALSE(strstr(MSG(&e), "bash") != NULL);
	CU_ASSERT_TRUE(has(MSG(&e), "gpu-assign never stops them"));
	CU_ASSERT_EQUAL(e.fk.writes, 0);

	/*
	 * A process in a container sees the device under another path: the
	 * device number (NVIDIA's major 195) tells. Making such a node takes
	 * root, which CI is; an unprivileged make check says it did not run.
	 */
	sh("rm -rf '%s/812' '%s/900'", e.proc, e.proc);
	{
		char node[PATH_MAX];

		snprintf(node, sizeof(node), "%s/ctr-nvidiactl", e.dir);
		if (mknod(node, S_IFCHR | 0600, makedev(195, 255)) == 0) {
			test_write_file(e.proc, "902/comm", "trainer\n");
			test_symlink(e.proc, "902/fd/3", node);
			CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
			CU_ASSERT_TRUE(has(MSG(&e), "trainer (pid 902)"));
			sh("rm -rf '%s/902'", e.proc);
			/* another character device at that path is no NVIDIA user */
			CU_ASSERT_EQUAL(unlink(node), 0);
			CU_ASSERT_EQUAL(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
			test_write_file(e.proc, "903/comm", "other\n");
			test_symlink(e.proc, "903/fd/3", node);
			CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
			CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
			sh("rm -rf '%s/903'", e.proc);
			CU_ASSERT_EQUAL(unlink(node), 0);
		} else {
			CU_ASSERT_EQUAL_FATAL(geteuid() != 0, true);
			printf("\n  (not root: the NVIDIA device-number case did not run) ");
		}
	}
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	test_write_file(e.proc, "iomem",
			"80000000-ffffffff : System RAM\n400000000000-4017ffffffff : System RAM (NVIDIA)\n");
	e.opts.wait_sec = 1;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_TRUE(has(MSG(&e), "still online as System RAM (NVIDIA) at 400000000000-4017ffffffff"));
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));

	/*
	 * Another GPU's memory online (not this one's, 400000000000 + 95 GiB in
	 * the sample host's _DSD): without the ACPI tables gpu-assign cannot
	 * tell, so it refuses; with them, it goes ahead. (The tables are
	 * root-only on a real host; made readable here so the test does not
	 * depend on who runs it.)
	 */
	sh("chmod 0444 '%s/firmware/acpi/tables/DSDT' && mv '%s/firmware/acpi/tables/DSDT' '%s/DSDT.saved'", e.sys,
	   e.sys, e.dir);
	test_write_file(e.proc, "iomem",
			"80000000-ffffffff : System RAM\n4017c0000000-4017ffffffff : System RAM\n"
			"410000000000-4117bfffffff : System RAM (NVIDIA)\n");
	e.opts.wait_sec = 0;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_TRUE(has(MSG(&e), "still online as System RAM (NVIDIA) at 410000000000-4117bfffffff"));
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	sh("mv '%s/DSDT.saved' '%s/firmware/acpi/tables/DSDT'", e.dir, e.sys);
	/* the range just below this GPU's end still counts */
	test_write_file(e.proc, "iomem", "4017b0000000-4017bfffffff : System RAM (NVIDIA)\n");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));

	/* addresses hidden (as /proc/iomem shows them to the unprivileged): counted */
	test_write_file(e.proc, "iomem", "00000000-00000000 : System RAM (NVIDIA)\n");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));

	/* Only the other GPU's memory online: goes ahead. */
	test_write_file(e.proc, "iomem",
			"80000000-ffffffff : System RAM\n410000000000-4117bfffffff : System RAM (NVIDIA)\n");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(dev_is(&e, "0009:01:00.0", "nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci"));
	env_close(&e);
}

static void test_persistent_rule(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	struct ga_bind_status st;
	struct env e;
	char *rules;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	e.opts.persistent = true;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpus[1], 2, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.rules, 2);
	rules = read_all(e.rules, GA_UDEV_RULES_FILE);
	CU_ASSERT_STRING_EQUAL(rules,
			       "# Written by 'gpu-assign bind --persistent'; change it with gpu-assign only\n"
			       "# ('gpu-assign release --persistent ADDRESS' removes a line).\n"
			       "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0019:01:00.0\", ATTR{driver_override}=\"nvgrace_gpu_vfio_pci\", RUN{builtin}+=\"kmod load nvgrace_gpu_vfio_pci\", RUN+=\"/bin/sh -c 'echo $kernel > /sys/bus/pci/drivers_probe'\"\n"
			       "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0029:01:00.0\", ATTR{driver_override}=\"nvgrace_gpu_vfio_pci\", RUN{builtin}+=\"kmod load nvgrace_gpu_vfio_pci\", RUN+=\"/bin/sh -c 'echo $kernel > /sys/bus/pci/drivers_probe'\"\n");
	free(rules);

	CU_ASSERT_EQUAL(ga_bind_status_read(e.ctx, &e.opts, &st), 0);
	CU_ASSERT_EQUAL(st.n, 2);
	if (st.n == 2) {
		CU_ASSERT_TRUE(st.v[0].recorded && st.v[0].present);
		CU_ASSERT_STRING_EQUAL(st.v[0].current, "nvgrace_gpu_vfio_pci");
		CU_ASSERT_STRING_EQUAL(st.v[0].binding.orig_driver, "nvidia");
		CU_ASSERT_STRING_EQUAL(st.v[0].persistent, "nvgrace_gpu_vfio_pci");
	}
	CU_ASSERT_FALSE(st.interrupted);
	ga_bind_status_clear(&st);

	/* Release without --persistent keeps the rule; with it, removes it; last one removes the file. */
	e.opts.persistent = false;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpus[1], 1, &e.opts, &sum), 0);
	rules = read_all(e.rules, GA_UDEV_RULES_FILE);
	CU_ASSERT_TRUE(has(rules, "KERNEL==\"0019:01:00.0\""));
	free(rules);
	e.opts.persistent = true;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpus[1], 1, &e.opts, &sum), 0); /* only the rule left */
	CU_ASSERT_EQUAL(sum.rules, 1);
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpus[2], 1, &e.opts, &sum), 0);
	CU_ASSERT_FALSE(file_exists(e.rules, GA_UDEV_RULES_FILE));
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/* After a reboot the rule has bound the GPU and /run is empty: release still works. */
static void test_release_after_reboot(void)
{
	struct ga_pci_addr gpu = addr("0009:01:00.0");
	struct ga_bind_summary sum;
	struct env e;

	env_open(&e, "single-gh200");
	e.opts.persistent = true;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	sh("rm -rf '%s'", e.state); /* "reboot" */
	{
		/* what release --all would take, asked before it (the CLI's running-domain check) */
		struct ga_pci_addr *all = NULL;
		size_t n = 99;

		e.opts.all = true;
		CU_ASSERT_EQUAL(ga_bind_release_all_addrs(e.ctx, &e.opts, &all, &n), 0);
		CU_ASSERT_EQUAL(n, 1); /* --persistent: the rule's GPU */
		CU_ASSERT_TRUE(n == 1 && ga_pci_addr_equal(&all[0], &gpu));
		free(all);
		e.opts.persistent = false;
		CU_ASSERT_EQUAL(ga_bind_release_all_addrs(e.ctx, &e.opts, &all, &n), 0);
		CU_ASSERT_EQUAL(n, 0); /* without it: nothing recorded since the reboot */
		free(all);
		e.opts.all = false;
		e.opts.persistent = true;
	}
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	CU_ASSERT_FALSE(file_exists(e.rules, GA_UDEV_RULES_FILE));
	/* Released already: a no-op without a single write. */
	e.fk.writes = 0;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 0);
	CU_ASSERT_EQUAL(sum.unchanged, 1);
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	/* On vfio-pci without any record or override: someone else's, refused. */
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "vfio-pci", "bus/pci/devices/%s/driver_override", "0009:01:00.0"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "0009:01:00.0", "bus/pci/drivers/%s/unbind", "nvidia"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "0009:01:00.0", "bus/pci/drivers_probe"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "\n", "bus/pci/devices/%s/driver_override", "0009:01:00.0"), 0);
	CU_ASSERT_TRUE(dev_is(&e, "0009:01:00.0", "vfio-pci", "-"));
	e.fk.writes = 0;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -GA_E_NOT_ASSIGNABLE);
	CU_ASSERT_TRUE(has(MSG(&e), "cannot release '0009:01:00.0': it is on 'vfio-pci' but gpu-assign did not bind it"));
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	env_close(&e);
}

/* A journal written by hand, as a killed process leaves it, is replayed exactly. */
static void test_journal_replay(void)
{
	struct ga_bind_summary sum;
	struct env e;
	char *b;

	env_open(&e, "quad-gh200");
	mkdir(e.state, 0700);
	/* The process had moved 0019 to vfio-pci (and 0009 was bound earlier by us), then died. */
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "vfio-pci", "bus/pci/devices/%s/driver_override", "0019:01:00.0"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "0019:01:00.0", "bus/pci/drivers/%s/unbind", "nvidia"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "0019:01:00.0", "bus/pci/drivers_probe"), 0);
	CU_ASSERT_TRUE(dev_is(&e, "0019:01:00.0", "vfio-pci", "vfio-pci"));
	test_write_file(e.state, "journal",
			"op name=bind pid=4242 started=1700000000\n"
			"dev 0019:01:00.0 driver=nvidia override=- recorded=0\n"
			"dev 0029:01:00.0 driver=nvidia override=- recorded=1 rdriver=vfio-pci rfrom=nvidia roverride=- rsince=1600000000\n");
	test_write_file(e.state, "bindings",
			"0019:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000000\n");
	CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.repaired, 2);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	b = read_all(e.state, "bindings");
	CU_ASSERT_TRUE(has(b, "0029:01:00.0 driver=vfio-pci from=nvidia override=- since=1600000000"));
	CU_ASSERT_FALSE(strstr(b, "0019:01:00.0") != NULL);
	free(b);
	env_close(&e);
}

/* Files that do not parse are refused before any path is built from them. */
static void test_hostile_state_files(void)
{
	static const char *const bad_journals[] = {
		"op name=bind pid=1 started=1\ndev ../../../etc driver=nvidia override=- recorded=0\n",
		"op name=bind pid=1 started=1\ndev 0009:01:00.0 driver=../../nvidia override=- recorded=0\n",
		"op name=bind pid=1 started=1\ndev 0009:01:00.0 driver=nvidia/../x override=- recorded=0\n",
		"op name=bind pid=1 started=1\ndev 0009:01:00.0 driver=nvidia override=.. recorded=0\n",
		"op name=bind pid=1 started=1\ndev 0009:1:00.0 driver=nvidia override=- recorded=0\n",
		"op name=bind pid=1 started=1\ndev 10009:01:00.0 driver=nvidia override=- recorded=0\n",
		"op name=bind pid=1 started=1\ndev 0009:01:20.0 driver=nvidia override=- recorded=0\n",
		"op name=bind pid=1 started=1\ndev 0009:01:00.0 driver=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa override=- recorded=0\n",
		"dev 0009:01:00.0 driver=nvidia override=- recorded=0\n",
		"op name=rm pid=1 started=1\n",
	};
	struct ga_bind_summary sum;
	struct env e;

	env_open(&e, "single-gh200");
	mkdir(e.state, 0700);
	for (size_t i = 0; i < GA_ARRAY_SIZE(bad_journals); i++) {
		test_write_file(e.state, "journal", bad_journals[i]);
		CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), -GA_E_PARSE);
		CU_ASSERT_TRUE(has(MSG(&e), "cannot parse the journal"));
	}
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	unlink(strcat(strcpy((char[PATH_MAX]){ 0 }, e.state), "/journal"));
	test_write_file(e.state, "bindings", "0009:01:00.0 driver=vfio-pci from=../x override=- since=1\n");
	CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0); /* repair reads only the journal */
	{
		struct ga_pci_addr gpu = addr("0009:01:00.0");

		CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -GA_E_PARSE);
		CU_ASSERT_TRUE(has(MSG(&e), "cannot parse the bindings file"));
	}
	test_write_file(e.rules, GA_UDEV_RULES_FILE,
			"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0009:01:00.0\", ATTR{driver_override}=\"vfio-pci\", RUN+=\"/bin/evil\"\n");
	{
		struct ga_rules rules;

		CU_ASSERT_EQUAL(ga_rules_load(e.ctx, e.rules, &rules), -GA_E_PARSE);
	}
	/* Anything after our probe is refused too. */
	test_write_file(e.rules, GA_UDEV_RULES_FILE,
			"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0009:01:00.0\", ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load vfio-pci\", RUN+=\"/bin/sh -c 'echo $kernel > /sys/bus/pci/drivers_probe'\", RUN+=\"/bin/evil\"\n");
	{
		struct ga_rules rules;

		CU_ASSERT_EQUAL(ga_rules_load(e.ctx, e.rules, &rules), -GA_E_PARSE);
	}
	/* Lines of the older form (no drivers_probe) and the current one are both read back. */
	test_write_file(e.rules, GA_UDEV_RULES_FILE,
			"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0009:01:00.0\", ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load vfio-pci\"\n"
			"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0019:01:00.0\", ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load vfio-pci\", RUN+=\"/bin/sh -c 'echo $kernel > /sys/bus/pci/drivers_probe'\"\n");
	{
		struct ga_rules rules;

		CU_ASSERT_EQUAL(ga_rules_load(e.ctx, e.rules, &rules), 0);
		CU_ASSERT_EQUAL(rules.n, 2);
		if (rules.n == 2) {
			CU_ASSERT_STRING_EQUAL(rules.v[0].driver, "vfio-pci");
			CU_ASSERT_STRING_EQUAL(rules.v[1].driver, "vfio-pci");
		}
		ga_rules_clear(&rules);
	}
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

static void test_lock_busy_and_unsafe_dir(void)
{
	struct ga_pci_addr gpu = addr("0009:01:00.0");
	struct ga_bind_summary sum;
	int pipefd[2], status;
	struct env e;
	char link[PATH_MAX], c;
	pid_t pid;

	env_open(&e, "single-gh200");
	mkdir(e.state, 0700);
	CU_ASSERT_FATAL(pipe(pipefd) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		char p[PATH_MAX];
		int fd;

		snprintf(p, sizeof(p), "%s/lock", e.state);
		fd = open(p, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) < 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		sleep(3);
		_exit(0);
	}
	CU_ASSERT_EQUAL(read(pipefd[0], &c, 1), 1);
	e.opts.lock_timeout_ms = 100;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_TRUE(has(MSG(&e), "busy: another gpu-assign is binding or releasing devices"));
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	/* Waiting long enough gets it. */
	e.opts.lock_timeout_ms = 10000;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);

	/* A symlinked or world-writable state directory is refused. */
	snprintf(link, sizeof(link), "%s/state-link", e.dir);
	CU_ASSERT_EQUAL(symlink(e.state, link), 0);
	e.opts.state_dir = link;
	CU_ASSERT_TRUE(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum) < 0);
	CU_ASSERT_TRUE(has(MSG(&e), "it is a symlink or not a directory"));
	chmod(e.state, 0777);
	e.opts.state_dir = e.state;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -EPERM);
	CU_ASSERT_TRUE(has(MSG(&e), "writable by others"));
	chmod(e.state, 0700);
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/* The exact files version 2 writes, read back to the same text. */
static void test_format_roundtrip(void)
{
	struct ga_journal j = { .pid = 7, .started = 11 }, back;
	struct ga_journal_entry en = { .addr = { 9, 1, 0, 0 }, .driver = "nvidia", .had_binding = true };
	struct ga_bindings b = { 0 }, b2;
	struct ga_binding rec = { .addr = { 0x19, 1, 0, 0 }, .driver = "vfio-pci", .since = 5 };
	struct ga_ctx *ctx;
	char *text, *text2;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	snprintf(j.op, sizeof(j.op), "release");
	snprintf(en.binding.driver, sizeof(en.binding.driver), "nvgrace_gpu_vfio_pci");
	snprintf(en.binding.orig_driver, sizeof(en.binding.orig_driver), "nvidia");
	snprintf(en.binding.owner, sizeof(en.binding.owner), "guest one");
	en.binding.addr = en.addr;
	en.binding.since = 3;
	CU_ASSERT_EQUAL(ga_journal_add(ctx, &j, &en), 0);
	/* previous files: the bindings with no final newline, the rules absent */
	CU_ASSERT_EQUAL(ga_journal_keep_file(ctx, &j.bindings, NULL, "version 2\n\n|x% y"), 0);
	CU_ASSERT_EQUAL(ga_journal_keep_file(ctx, &j.rules, "/etc/udev/rules d", NULL), 0);
	text = ga_journal_format(&j);
	CU_ASSERT_STRING_EQUAL(text,
			       "version 2\n"
			       "# gpu-assign journal: an operation in progress; if its process is gone, 'gpu-assign repair' puts these devices and files back\n"
			       "op name=release pid=7 started=11\n"
			       "dev 0009:01:00.0 driver=nvidia override=- recorded=1 rdriver=nvgrace_gpu_vfio_pci rfrom=nvidia roverride=- rsince=3 rowner=guest%20one\n"
			       "file bindings existed=1 bytes=16\n"
			       "|version 2\n"
			       "|\n"
			       "||x% y\n"
			       "file rules dir=/etc/udev/rules%20d existed=0 bytes=0\n");
	CU_ASSERT_EQUAL(ga_journal_parse(ctx, text, &back), 0);
	CU_ASSERT_EQUAL(back.version, 2);
	CU_ASSERT_STRING_EQUAL(back.v[0].binding.owner, "guest one");
	CU_ASSERT_TRUE(back.bindings.recorded && back.bindings.existed);
	CU_ASSERT_STRING_EQUAL(back.bindings.content, "version 2\n\n|x% y");
	CU_ASSERT_TRUE(back.rules.recorded && !back.rules.existed);
	CU_ASSERT_STRING_EQUAL(back.rules.dir, "/etc/udev/rules d");
	text2 = ga_journal_format(&back);
	CU_ASSERT_STRING_EQUAL(text, text2);
	free(text);
	free(text2);
	ga_journal_clear(&back);
	ga_journal_clear(&j);

	CU_ASSERT_EQUAL(ga_bindings_put(ctx, &b, &rec), 0);
	rec.addr.domain = 9;
	snprintf(rec.owner, sizeof(rec.owner), "-");
	CU_ASSERT_EQUAL(ga_bindings_put(ctx, &b, &rec), 0);
	text = ga_bindings_format(&b);
	CU_ASSERT_STRING_EQUAL(text,
			       "version 2\n"
			       "# gpu-assign bindings: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH owner=FOR ('-': none)\n"
			       "0009:01:00.0 driver=vfio-pci from=- override=- since=5 owner=%2D\n"
			       "0019:01:00.0 driver=vfio-pci from=- override=- since=5 owner=-\n");
	CU_ASSERT_EQUAL(ga_bindings_parse(ctx, text, &b2), 0);
	CU_ASSERT_EQUAL(b2.n, 2);
	if (b2.n == 2) {
		CU_ASSERT_STRING_EQUAL(b2.v[0].owner, "-");
		CU_ASSERT_STRING_EQUAL(b2.v[1].owner, "");
	}
	free(text);
	ga_bindings_clear(&b);
	ga_bindings_clear(&b2);
	/* The same device twice is not a file we wrote. */
	CU_ASSERT_EQUAL(ga_bindings_parse(ctx, "0009:01:00.0 driver=vfio-pci from=- override=- since=5\n"
					       "0009:01:00.0 driver=vfio-pci from=- override=- since=5\n", &b2), -GA_E_PARSE);
	ga_ctx_free(ctx);
}

/* What version 2 refuses: a newer version, owners and files that are not ours, content cut short. */
static void test_format_refusals(void)
{
	static const char *const bad[] = {
		"version 2\n0009:01:00.0 driver=vfio-pci from=- override=- since=5\n",           /* no owner */
		"version 2\n0009:01:00.0 driver=vfio-pci from=- override=- since=5 owner=a%00\n",
		"version 2\n0009:01:00.0 driver=vfio-pci from=- override=- since=5 owner=a%2\n",
		"version 2\n0009:01:00.0 driver=vfio-pci from=- override=- since=5 owner=a\"b\n",
		"version 1\n0009:01:00.0 driver=vfio-pci from=- override=- since=5\n",
		"version x\n",
		"# a comment first\nversion 2\n",
		"|content\n",
	};
	static const char *const bad_journals[] = {
		"op name=bind pid=1 started=1\nfile bindings existed=0 bytes=0\n", /* version 1 had no files */
		"version 2\nop name=bind pid=1 started=1\nfile bindings existed=1 bytes=5\n|abc\n",
		"version 2\nop name=bind pid=1 started=1\nfile bindings existed=1 bytes=2\n|abc\n",
		"version 2\nop name=bind pid=1 started=1\n|abc\n",
		"version 2\nop name=bind pid=1 started=1\nfile rules existed=0 bytes=0\n",
		"version 2\nop name=bind pid=1 started=1\nfile rules dir=etc existed=0 bytes=0\n",
		"version 2\nop name=bind pid=1 started=1\nfile rules dir=- existed=0 bytes=0\n",
		"version 2\nop name=bind pid=1 started=1\nfile bindings dir=/x existed=0 bytes=0\n",
		"version 2\nop name=bind pid=1 started=1\nfile passwd existed=0 bytes=0\n",
		"version 2\nop name=bind pid=1 started=1\nfile bindings existed=0 bytes=0\nfile bindings existed=0 bytes=0\n",
		"version 2\nop name=bind pid=1 started=1\nop name=bind pid=1 started=1\n",
	};
	struct ga_bindings b;
	struct ga_journal j;
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(bad); i++) {
		CU_ASSERT_EQUAL(ga_bindings_parse(ctx, bad[i], &b), -GA_E_PARSE);
		CU_ASSERT_TRUE(has(ga_last_error(ctx)->message, "cannot parse the bindings file"));
	}
	for (size_t i = 0; i < GA_ARRAY_SIZE(bad_journals); i++) {
		CU_ASSERT_EQUAL(ga_journal_parse(ctx, bad_journals[i], &j), -GA_E_PARSE);
		CU_ASSERT_TRUE(has(ga_last_error(ctx)->message, "cannot parse the journal"));
	}
	CU_ASSERT_EQUAL(ga_bindings_parse(ctx, "version 3\n", &b), -GA_E_UNSUPPORTED);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
			       "the bindings file has state version 3, this gpu-assign reads up to 2 (it was written by a newer gpu-assign: use that one, or move the file away)");
	/* An empty file and one with no final newline are fine. */
	CU_ASSERT_EQUAL(ga_journal_parse(ctx, "version 2\nop name=bind pid=1 started=1\nfile bindings existed=1 bytes=0\n", &j), 0);
	CU_ASSERT_STRING_EQUAL(j.bindings.content, "");
	ga_journal_clear(&j);
	CU_ASSERT_EQUAL(ga_journal_parse(ctx, "version 2\nop name=bind pid=1 started=1\nfile bindings existed=1 bytes=1\n|\n", &j), 0);
	CU_ASSERT_STRING_EQUAL(j.bindings.content, "\n");
	ga_journal_clear(&j);
	CU_ASSERT_EQUAL(ga_journal_parse(ctx, "version 2\nop name=bind pid=1 started=1\nfile bindings existed=1 bytes=1\n|a", &j), 0);
	CU_ASSERT_STRING_EQUAL(j.bindings.content, "a");
	ga_journal_clear(&j);
	ga_ctx_free(ctx);
}

/* The hook's owner: recorded by bind in the binding, read back, gone with the release. */
static void test_owner(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	char owner[GA_OWNER_MAX], *b, big[GA_OWNER_MAX + 1];
	struct env e;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	e.opts.owner = "guest one";
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpus[0], 1, &e.opts, &sum), 0);
	e.opts.owner = NULL;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpus[1], 1, &e.opts, &sum), 0);
	b = read_all(e.state, "bindings");
	CU_ASSERT_TRUE(has(b, "version 2\n"));
	CU_ASSERT_TRUE(has(b, "\n0009:01:00.0 driver=nvgrace_gpu_vfio_pci from=nvidia override=- since="));
	CU_ASSERT_TRUE(has(b, " owner=guest%20one\n0019:01:00.0 driver=nvgrace_gpu_vfio_pci"));
	CU_ASSERT_TRUE(has(b, " owner=-\n"));
	free(b);
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[0], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "guest one");
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[1], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "");
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[2], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "");
	/* Already bound: nothing changes, the owner stays. */
	e.opts.owner = "someone else";
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpus[0], 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 0);
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[0], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "guest one");
	/* An owner that cannot be recorded is refused before anything changes. */
	memset(big, 'x', GA_OWNER_MAX);
	big[GA_OWNER_MAX] = '\0';
	e.opts.owner = big;
	e.fk.writes = 0;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpus[2], 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_TRUE(has(MSG(&e), "it must be 1 to 255 bytes long"));
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	e.opts.owner = NULL;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, gpus, 2, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[0], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "");
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/*
 * /run outlives a package upgrade: a state directory exactly as the previous
 * version (1) left it after a kill (its journal, its bindings file, the
 * hook's hook-ADDRESS file) is repaired and read by this one.
 */
static void test_previous_format(void)
{
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	char owner[GA_OWNER_MAX], *b;
	struct env e;

	quad_addrs(gpus);
	env_open(&e, "quad-gh200");
	mkdir(e.state, 0700);
	/* 0009 and 0029 were bound (0029 by the hook for 'vm1'); a bind of 0019 died after moving it. */
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "vfio-pci", "bus/pci/devices/%s/driver_override", quad[i]), 0);
		CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, quad[i], "bus/pci/drivers/%s/unbind", "nvidia"), 0);
		CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, quad[i], "bus/pci/drivers_probe"), 0);
	}
	test_write_file(e.state, "bindings",
			"# gpu-assign bindings v1: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH\n"
			"0009:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000000\n"
			"0019:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000100\n"
			"0029:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000050\n");
	test_write_file(e.state, "journal",
			"# gpu-assign journal v1: an operation in progress; if its process is gone, 'gpu-assign repair' puts these devices back\n"
			"op name=bind pid=4242 started=1700000100\n"
			"dev 0019:01:00.0 driver=nvidia override=- recorded=0\n");
	test_write_file(e.state, "hook-0029:01:00.0", "vm1\n");
	CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.repaired, 1);
	CU_ASSERT_TRUE(dev_is(&e, quad[1], "nvidia", "-"));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	b = read_all(e.state, "bindings");
	CU_ASSERT_STRING_EQUAL(b, "version 2\n"
				  "# gpu-assign bindings: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH owner=FOR ('-': none)\n"
				  "0009:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000000 owner=-\n"
				  "0029:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000050 owner=-\n");
	free(b);
	/* the hook's owner file still names the owner; the binding does not */
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[2], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "vm1");
	CU_ASSERT_EQUAL(ga_bind_owner(e.ctx, &e.opts, &gpus[0], owner), 0);
	CU_ASSERT_STRING_EQUAL(owner, "");
	/* releasing reads the old records and removes the owner file with the binding */
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpus[2], 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_FALSE(file_exists(e.state, "hook-0029:01:00.0"));
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpus[0], 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
	env_close(&e);
}

static char *rules_with(const char *dev)
{
	char *text = malloc(1024);

	snprintf(text, 1024,
		 "# Written by 'gpu-assign bind --persistent'; change it with gpu-assign only\n"
		 "# ('gpu-assign release --persistent ADDRESS' removes a line).\n"
		 "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load vfio-pci\", RUN+=\"/bin/sh -c 'echo $kernel > /sys/bus/pci/drivers_probe'\"\n",
		 dev);
	return text;
}

/*
 * The udev rules file is in the journal: a bind --persistent that fails
 * after writing it, or is killed at any sysfs write, leaves the rules file
 * exactly as it was (after repair).
 */
static void test_rules_in_journal(void)
{
	int total = count_bind_writes();
	struct ga_pci_addr gpus[4];
	struct ga_bind_summary sum;
	char *before = rules_with("0002:01:00.0"), *now, blocker[PATH_MAX];
	struct env e;

	quad_addrs(gpus);
	for (int i = 0; i <= total; i++) {
		int status;
		pid_t pid;

		env_open(&e, "quad-gh200");
		e.opts.persistent = true;
		test_write_file(e.rules, GA_UDEV_RULES_FILE, before);
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			/* i == 0: the bindings file cannot be written, after the rules were */
			snprintf(blocker, sizeof(blocker), "%s/.bindings.tmp.%ld/x", e.state, (long)getpid());
			if (i == 0)
				test_write_file(e.state, blocker + strlen(e.state) + 1, "");
			e.fk.exit_at = i;
			_exit(ga_bind_apply(e.ctx, gpus, 4, &e.opts, &sum) < 0 && i == 0 ? 55 : 0);
		}
		CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == (i == 0 ? 55 : 77));
		CU_ASSERT_EQUAL(file_exists(e.state, "journal"), i > 0);
		if (i > 0) {
			now = read_all(e.state, "journal");
			CU_ASSERT_TRUE(has(now, "\nfile rules dir="));
			free(now);
			CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0);
		}
		now = read_all(e.rules, GA_UDEV_RULES_FILE);
		CU_ASSERT_STRING_EQUAL(now, before);
		free(now);
		CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
		CU_ASSERT_FALSE(file_exists(e.state, "journal"));
		CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
		env_close(&e);
	}
	free(before);
}

/* A journal as a bind --persistent killed after writing the rules leaves it: repair puts the file back. */
static void test_repair_restores_rules(void)
{
	struct ga_bind_summary sum;
	char journal[4096], *old = rules_with("0039:01:00.0"), *now;
	struct env e;

	env_open(&e, "quad-gh200");
	mkdir(e.state, 0700);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "vfio-pci", "bus/pci/devices/%s/driver_override", "0019:01:00.0"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "0019:01:00.0", "bus/pci/drivers/%s/unbind", "nvidia"), 0);
	CU_ASSERT_EQUAL(ga_sysfs_write(e.ctx, "0019:01:00.0", "bus/pci/drivers_probe"), 0);
	snprintf(journal, sizeof(journal),
		 "version 2\n"
		 "op name=bind pid=4242 started=1700000000\n"
		 "dev 0019:01:00.0 driver=nvidia override=- recorded=0\n"
		 "file bindings existed=0 bytes=0\n"
		 "file rules dir=%s existed=1 bytes=%zu\n"
		 "|%.*s\n|%.*s\n|%s",
		 e.rules, strlen(old), (int)strcspn(old, "\n"), old, (int)strcspn(old + strcspn(old, "\n") + 1, "\n"),
		 old + strcspn(old, "\n") + 1, strstr(old, "ACTION"));
	test_write_file(e.state, "journal", journal);
	test_write_file(e.state, "bindings", "version 2\n0019:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000000 owner=-\n");
	now = rules_with("0019:01:00.0");
	test_write_file(e.rules, GA_UDEV_RULES_FILE, now);
	free(now);
	CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.repaired, 1);
	now = read_all(e.rules, GA_UDEV_RULES_FILE);
	CU_ASSERT_STRING_EQUAL(now, old);
	free(now);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	CU_ASSERT_FALSE(file_exists(e.state, "bindings"));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	/* A rules file that did not exist before is removed. */
	snprintf(journal, sizeof(journal),
		 "version 2\nop name=release pid=4242 started=1700000000\nfile rules dir=%s existed=0 bytes=0\n", e.rules);
	test_write_file(e.state, "journal", journal);
	CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), 0);
	CU_ASSERT_FALSE(file_exists(e.rules, GA_UDEV_RULES_FILE));
	free(old);
	env_close(&e);
}


/* Warnings the library logs, one per line. */
static void capture_log(void *data, enum ga_log_level level, const char *msg)
{
	char *buf = data;

	if (level == GA_LOG_WARNING)
		snprintf(buf + strlen(buf), 4096 - strlen(buf), "%s\n", msg);
}

/*
 * A line in the rules file that gpu-assign did not write: release without
 * --persistent warns (file and line) and goes on; with --persistent it
 * refuses before changing anything.
 */
static void test_release_foreign_rule(void)
{
	struct ga_pci_addr gpu = addr(quad[0]);
	struct ga_bind_summary sum;
	char warnings[4096] = "", *snap, want[1024], *rules;
	struct env e;

	env_open(&e, "quad-gh200");
	ga_ctx_set_log_fn(e.ctx, capture_log, warnings);
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	rules = rules_with("0002:01:00.0");
	strcat(rules, "SUBSYSTEM==\"net\", NAME=\"lan0\"\n");
	test_write_file(e.rules, GA_UDEV_RULES_FILE, rules);
	snap = fk_snapshot(&e.fk);
	e.opts.persistent = true;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -GA_E_PARSE);
	snprintf(want, sizeof(want),
		 "release --persistent changed nothing: '%s/" GA_UDEV_RULES_FILE "': cannot parse udev rules line 4 'SUBSYSTEM==\"net\", NAME=\"lan0\"': not a line gpu-assign writes (fix or remove the file '" GA_UDEV_RULES_FILE "')",
		 e.rules);
	CU_ASSERT_STRING_EQUAL(MSG(&e), want);
	CU_ASSERT_TRUE(host_unchanged(&e, snap));
	CU_ASSERT_TRUE(file_exists(e.state, "bindings"));
	CU_ASSERT_STRING_EQUAL(warnings, "");
	e.opts.persistent = false;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.changed, 1);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	snprintf(want, sizeof(want),
		 "'%s/" GA_UDEV_RULES_FILE "': cannot parse udev rules line 4 'SUBSYSTEM==\"net\", NAME=\"lan0\"': not a line gpu-assign writes (fix or remove the file '" GA_UDEV_RULES_FILE "'); releasing without the udev rules\n",
		 e.rules);
	CU_ASSERT_STRING_EQUAL(warnings, want);
	free(snap);
	snap = read_all(e.rules, GA_UDEV_RULES_FILE);
	CU_ASSERT_STRING_EQUAL(snap, rules);
	free(snap);
	free(rules);
	env_close(&e);
}


/*
 * bind takes only GPUs: one digit off the GPU's address is the host's NIC
 * (or NVMe); that is refused, naming what it is and what the host would
 * lose, unless forced. A GPU's IOMMU-group peer named with it goes along
 * (test_group_refusal).
 */
static void test_bind_not_a_gpu(void)
{
	struct ga_pci_addr nic = addr("0000:01:00.0"), nvme = addr("0002:01:00.0"),
			   nic_gpu[2] = { addr("0000:01:00.0"), addr("0009:01:00.0") };
	struct ga_bind_summary sum;
	struct env e;

	env_open(&e, "quad-gh200");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &nic, 1, &e.opts, &sum), -GA_E_NOT_GPU);
	CU_ASSERT_STRING_EQUAL(MSG(&e),
			       "refusing to bind '0000:01:00.0': it is a network controller (class 0x020000) on driver 'mlx5_core', not a GPU, and the host would lose its network links while it is on vfio (check the address; --force binds it anyway)");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &nvme, 1, &e.opts, &sum), -GA_E_NOT_GPU);
	CU_ASSERT_STRING_EQUAL(MSG(&e),
			       "refusing to bind '0002:01:00.0': it is a storage controller (class 0x010802) on driver 'nvme', not a GPU, and the host would lose the disks behind it while it is on vfio (check the address; --force binds it anyway)");
	/* Named next to a GPU of another IOMMU group: still refused, and nothing changed. */
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, nic_gpu, 2, &e.opts, &sum), -GA_E_NOT_GPU);
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	CU_ASSERT_FALSE(file_exists(e.state, "journal"));
	e.opts.force = true;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &nic, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(dev_is(&e, "0000:01:00.0", "vfio-pci", "vfio-pci"));
	/* Already on vfio: nothing to lose, no force needed. */
	e.opts.force = false;
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &nic, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(sum.unchanged, 1);
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &nic, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}


/* With a fixture's sysfs root, bind, release and repair never use the host's state or rules directory. */
static void test_fixture_needs_own_dirs(void)
{
	struct ga_pci_addr gpu = addr(quad[0]);
	struct ga_bind_summary sum;
	char want[2048];
	struct env e;

	env_open(&e, "quad-gh200");
	e.opts.state_dir = NULL;
	snprintf(want, sizeof(want),
		 "refusing to use the host's '" GA_STATEDIR "' with the sysfs root '%s': give the test its own state and rules directories (--state-dir DIR --rules-dir DIR, or state-dir and rules-dir in the test overrides file)",
		 e.sys);
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_STRING_EQUAL(MSG(&e), want);
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_STRING_EQUAL(MSG(&e), want);
	CU_ASSERT_EQUAL(ga_bind_repair(e.ctx, &e.opts, &sum), -EINVAL);
	CU_ASSERT_STRING_EQUAL(MSG(&e), want);
	/* The context's setting (a test overrides file) counts as the test's own. */
	CU_ASSERT_EQUAL(ga_ctx_set(e.ctx, GA_SETTING_STATE_DIR, e.state), 0);
	e.opts.rules_dir = NULL;
	snprintf(want, sizeof(want),
		 "refusing to use the host's '" GA_UDEV_RULES_DIR_DEFAULT "' with the sysfs root '%s': give the test its own state and rules directories (--state-dir DIR --rules-dir DIR, or state-dir and rules-dir in the test overrides file)",
		 e.sys);
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), -EINVAL);
	CU_ASSERT_STRING_EQUAL(MSG(&e), want);
	CU_ASSERT_EQUAL(e.fk.writes, 0);
	CU_ASSERT_EQUAL(ga_ctx_set(e.ctx, GA_SETTING_RULES_DIR, e.rules), 0);
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	env_close(&e);
}

/*
 * libvirt's node-device path against the test driver: it knows node devices
 * but not detach, so this covers lookup, naming and error reporting only.
 */
static void test_nodedev_test_driver(void)
{
	struct ga_pci_addr edu = addr("0000:00:10.0"), missing = addr("0000:00:11.0");
	char uri[PATH_MAX + 16], *dir = test_tmpdir_new(), name[32];
	struct ga_ctx *ctx;

	test_write_file(dir, "node.xml",
			"<node>\n"
			"  <device><name>computer</name><capability type='system'><hardware><vendor>x</vendor>"
			"<version>1</version><serial>0</serial><uuid>11111111-2222-3333-4444-555555555555</uuid></hardware>"
			"<firmware><vendor>x</vendor><version>1</version><release_date>01/01/2026</release_date></firmware>"
			"</capability></device>\n"
			"  <device><name>pci_0000_00_10_0</name><parent>computer</parent><capability type='pci'>"
			"<class>0x00ff00</class><domain>0</domain><bus>0</bus><slot>16</slot><function>0</function>"
			"<product id='0x11e8'>edu</product><vendor id='0x1234'>QEMU</vendor></capability></device>\n"
			"</node>\n");
	snprintf(uri, sizeof(uri), "test://%s/node.xml", dir);
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	ga_nodedev_name(&edu, name);
	CU_ASSERT_STRING_EQUAL(name, "pci_0000_00_10_0");
	CU_ASSERT_EQUAL(ga_nodedev_detach(ctx, uri, &missing, 1), -ENODEV);
	CU_ASSERT_TRUE(has(ga_last_error(ctx)->message, "has no node device 'pci_0000_00_11_0' for '0000:00:11.0'"));
	CU_ASSERT_EQUAL(ga_nodedev_detach(ctx, uri, &edu, 1), -EIO);
	CU_ASSERT_TRUE(has(ga_last_error(ctx)->message, "libvirt could not detach '0000:00:10.0'"));
	/* on no driver at all: already off VFIO, libvirt (which would fail it) is not asked */
	CU_ASSERT_EQUAL(ga_nodedev_reattach(ctx, uri, &edu, 1), 0);
	/*
	 * The test driver drops <driver> from what it dumps: whether a device is
	 * already on VFIO (then detach leaves it alone, and an undo never
	 * reattaches it) is read from descriptions as a real libvirtd writes them.
	 */
	CU_ASSERT_EQUAL(ga_nodedev_xml_on_vfio(ctx, "<device><name>pci_0009_01_00_0</name><driver>\n  <name>nvgrace_gpu_vfio_pci</name>\n</driver></device>"), 1);
	CU_ASSERT_EQUAL(ga_nodedev_xml_on_vfio(ctx, "<device><driver><name>vfio-pci</name></driver></device>"), 1);
	CU_ASSERT_EQUAL(ga_nodedev_xml_on_vfio(ctx, "<device><driver><name>nvidia</name></driver></device>"), 0);
	CU_ASSERT_EQUAL(ga_nodedev_xml_on_vfio(ctx, "<device><name>pci_0009_01_00_0</name></device>"), 0);
	CU_ASSERT_EQUAL(ga_nodedev_xml_on_vfio(ctx, "<device"), -GA_E_PARSE);
	CU_ASSERT_EQUAL(ga_nodedev_detach(ctx, "test:///nonexistent/ga-node.xml", &edu, 1), -ECONNREFUSED);
	CU_ASSERT_TRUE(has(ga_last_error(ctx)->message, "cannot connect to libvirt at 'test:///nonexistent/ga-node.xml'"));
	ga_ctx_free(ctx);
	test_tmpdir_remove(dir);
}


/*
 * release refuses a function a process still holds (its VFIO group or
 * device file open, from a fake /proc) and names the process; --force
 * (opts.force) releases it anyway.
 */
static void test_release_held(void)
{
	struct ga_pci_addr gpu = addr(quad[0]);
	struct ga_bind_summary sum;
	char *bound, fd[PATH_MAX];
	struct env e;

	env_open(&e, "quad-gh200");
	CU_ASSERT_EQUAL(ga_bind_apply(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	bound = fk_snapshot(&e.fk);
	test_write_file(e.proc, "4242/comm", "qemu-system-aar\n");
	test_symlink(e.proc, "4242/fd/7", "/dev/vfio/11");
	test_symlink(e.proc, "4242/fd/8", "/dev/vfio/110");
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_STRING_EQUAL(MSG(&e),
			       "cannot release '0009:01:00.0': process 4242 (qemu-system-aar) has its VFIO group '/dev/vfio/11' open (stop that process or its VM first; --force releases it anyway)");
	CU_ASSERT_TRUE(host_unchanged(&e, bound));
	snprintf(fd, sizeof(fd), "%s/4242/fd/7", e.proc);
	CU_ASSERT_EQUAL(unlink(fd), 0);
	/*
	 * QEMU in libvirt's private /dev, or in a chroot: its link shows another
	 * path; the device number (the group's sysfs "dev") tells. /dev/null
	 * plays the group's character device.
	 */
	{
		struct stat st;
		char devt[32];

		CU_ASSERT_EQUAL_FATAL(stat("/dev/null", &st), 0);
		snprintf(devt, sizeof(devt), "%u:%u\n", major(st.st_rdev), minor(st.st_rdev));
		test_symlink(e.proc, "4242/fd/9", "/dev/null");
		test_write_file(e.sys, "class/vfio/11/dev", devt);
		CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
		CU_ASSERT_STRING_EQUAL(MSG(&e),
				       "cannot release '0009:01:00.0': process 4242 (qemu-system-aar) has its VFIO group '/dev/vfio/11' open (stop that process or its VM first; --force releases it anyway)");
		CU_ASSERT_TRUE(host_unchanged(&e, bound));
		snprintf(fd, sizeof(fd), "%s/4242/fd/9", e.proc);
		CU_ASSERT_EQUAL(unlink(fd), 0);
	}
	/* The iommufd way: the function's VFIO device file. */
	test_write_file(e.sys, "bus/pci/devices/0009:01:00.0/vfio-dev/vfio3/dev", "511:3\n");
	test_write_file(e.proc, "77/comm", "vm\033[2Jx\n");
	test_symlink(e.proc, "77/fd/3", "/dev/vfio/devices/vfio3");
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), -EBUSY);
	CU_ASSERT_STRING_EQUAL(MSG(&e),
			       "cannot release '0009:01:00.0': process 77 (vm\\x1b[2Jx) has its VFIO device file '/dev/vfio/devices/vfio3' open (stop that process or its VM first; --force releases it anyway)");
	CU_ASSERT_TRUE(host_unchanged(&e, bound));
	e.opts.force = true;
	CU_ASSERT_EQUAL(ga_bind_release(e.ctx, &gpu, 1, &e.opts, &sum), 0);
	CU_ASSERT_TRUE(host_unchanged(&e, e.initial));
	free(bound);
	env_close(&e);
}

/* A running domain (libvirt's test driver) whose hostdev names the function keeps it. */
static void test_release_domain_holds(void)
{
	struct ga_pci_addr held[2] = { addr("0000:00:10.0"), addr("0009:01:00.0") }, free_ = addr("0019:01:00.0");
	char uri[PATH_MAX + 16], *dir = test_tmpdir_new();
	struct ga_ctx *ctx;

	test_write_file(dir, "node.xml",
			"<node>\n"
			"  <domain type='test'><name>gpu-vm</name><memory>1048576</memory><os><type>hvm</type></os>"
			"<devices><hostdev mode='subsystem' type='pci' managed='no'><source>"
			"<address domain='0x0009' bus='0x01' slot='0x00' function='0x0'/></source></hostdev></devices></domain>\n"
			"</node>\n");
	snprintf(uri, sizeof(uri), "test://%s/node.xml", dir);
	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	CU_ASSERT_EQUAL(ga_inuse_check_domains(ctx, uri, held, 2), -EBUSY);
	CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message,
			       "cannot release '0009:01:00.0': the running domain 'gpu-vm' has it as a hostdev (shut the domain down or detach the device first; --force releases it anyway)");
	CU_ASSERT_EQUAL(ga_inuse_check_domains(ctx, uri, &free_, 1), 0);
	/* No libvirt to ask: nothing runs there. */
	CU_ASSERT_EQUAL(ga_inuse_check_domains(ctx, "test:///nonexistent/ga-node.xml", held, 2), 0);
	ga_ctx_free(ctx);
	test_tmpdir_remove(dir);
}

static const struct test_case cases[] = {
	{ "bind and release a Grace GPU", test_bind_release_grace },
	{ "already bound: no-op", test_already_bound_noop },
	{ "IOMMU group peer on no driver", test_group_driverless_peer },
	{ "IOMMU group refusal and group bind", test_group_refusal },
	{ "bind: a failure at every step rolls back", test_fail_every_bind_step },
	{ "release: a failure at every step rolls back", test_fail_every_release_step },
	{ "killed at every step, then repair", test_killed_then_repair },
	{ "device removed mid-way", test_device_removed_midway },
	{ "driver refuses the device", test_driver_refuses },
	{ "missing and invalid drivers", test_missing_and_bad_drivers },
	{ "the Grace variant driver the kernel offers", test_variant_drivers },
	{ "Grace GPU in use / memory online", test_grace_safety },
	{ "persistent udev rule: exact content, status", test_persistent_rule },
	{ "release after a reboot (rule only)", test_release_after_reboot },
	{ "journal replay", test_journal_replay },
	{ "hostile state files", test_hostile_state_files },
	{ "lock busy, unsafe state directory", test_lock_busy_and_unsafe_dir },
	{ "journal and bindings formats", test_format_roundtrip },
	{ "state files that are not ours", test_format_refusals },
	{ "the owner of a binding", test_owner },
	{ "state files of the previous version", test_previous_format },
	{ "udev rules file in the journal", test_rules_in_journal },
	{ "repair puts the rules file back", test_repair_restores_rules },
	{ "libvirt node-device path (test driver)", test_nodedev_test_driver },
	{ "release past a rules line that is not ours", test_release_foreign_rule },
	{ "bind refuses what is not a GPU", test_bind_not_a_gpu },
	{ "a fixture root needs its own state and rules directories", test_fixture_needs_own_dirs },
	{ "release refuses what a process holds", test_release_held },
	{ "release refuses what a running domain holds", test_release_domain_holds },
	{ NULL, NULL },
};

int main(void)
{
	struct stat st;
	int r;

	/*
	 * The suite copies sample hosts (~800 files) some sixty times; on a busy
	 * disk that takes minutes, in tmpfs seconds. An explicit TMPDIR wins.
	 */
	if (!getenv("TMPDIR") && stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	r = test_run_suite("ga-bind", cases);

	test_tmpdir_remove(templates);
	return r;
}
