// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nova-config: what an OpenStack operator adds to nova.conf and to a flavor
 * so that Nova can hand this host's Grace GPUs to instances.
 *
 * Nova's syntax (nova/conf/pci.py, admin/pci-passthrough): [pci] device_spec
 * and alias are repeated options whose value is one JSON object; vendor and
 * product ids are hex without "0x"; device_type "type-PCI" for a device
 * without SR-IOV; the "managed" tag (Nova 2025.1) is "yes" or "no": "no"
 * tells libvirt not to detach/re-attach the device, because we bind it
 * (the hook at start, or `gpu-assign bind --persistent`). Flavors ask with
 * pci_passthrough:alias=NAME:COUNT and hw:pci_numa_affinity_policy, which
 * needs a guest NUMA topology (hw:numa_nodes).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-nova.h"
#include "ga-plan.h"
#include "ga-units.h"
#include "ga-util.h"
#include "nova-print.h"

const char *const nova_filters[NOVA_FILTERS_N] = { "PciPassthroughFilter", "NUMATopologyFilter" };

static const char *const source_text[] = {
	[0] = "given with --nova-release", [1] = "found by python3 'import nova.version'",
	[2] = "found by dpkg-query python3-nova",
	[3] = "not found on this host: the newest release this gpu-assign knows; give --nova-release",
};
static const char *const source_names[] = { "option", "python", "dpkg", "default" };

static const char *source_says(const char *source)
{
	for (size_t i = 0; i < GA_ARRAY_SIZE(source_names); i++)
		if (!strcmp(source, source_names[i]))
			return source_text[i];
	return source;
}

static void print_pci(const struct nova_out *o)
{
	const struct ga_nova *nova = o->nova;

	printf("[pci]\n");
	for (size_t i = 0; i < nova->ngpus; i++) {
		const struct ga_pci_dev *dev = nova->gpus[i].dev;

		if (nova->gpus[i].group)
			printf("# %s: the other functions of its IOMMU group are bound with it\n", dev->name);
		printf("device_spec = { \"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"address\": \"%s\", \"managed\": \"no\"%s }\n",
		       dev->vendor, dev->device, dev->name, o->one_time_use ? ", \"one_time_use\": true" : "");
	}
	for (size_t a = 0; a < nova->naliases; a++)
		printf("alias = { \"name\": \"%s\", \"vendor_id\": \"10de\", \"product_id\": \"%04x\", \"device_type\": \"type-PCI\", \"numa_policy\": \"%s\" }\n",
		       nova->aliases[a].name, nova->aliases[a].product, NOVA_NUMA_POLICY);
	if (o->one_time_use)
		printf("# one_time_use: a GPU is reserved in placement after its instance is gone, until\n"
		       "# an operator unreserves it (after a scrub); it needs:\n"
		       "report_in_placement = True\n");
}

static void print_extension(const struct nova_out *o)
{
	const struct ga_nova *nova = o->nova;

	printf("\n[gpu_assign]\n"
	       "# Read by the gpu-assign Nova extension (contrib/nova/, docs/nova.md), which adds the\n"
	       "# GPU memory NUMA nodes and the MMIO window to the domain Nova writes.\n");
	printf("command = %s\n", o->command);
	printf("product_ids = ");
	for (size_t a = 0; a < nova->naliases; a++)
		printf("%s%04x", a ? "," : "", nova->aliases[a].product);
	printf("\npolicy = enforce\n");
	printf("\n# gpu-assign.conf (%s), inside <gpu-assign>: the GI node\n"
	       "# count both the extension (nova-compute cannot read the firmware tables) and\n"
	       "# the hook use:\n", o->config_path);
	if (nova->gi_shared)
		printf("#   <gi-nodes count=\"%u\"/>\n", nova->gi_shared);
	else
		printf("#   none: the GPUs here need different counts (below); the extension cannot serve them\n");
}

static void print_flavors(const struct nova_out *o)
{
	const struct ga_nova *nova = o->nova;

	printf("\n# Flavors (extra specs). The guest needs one NUMA node per host socket it uses.\n");
	for (size_t a = 0; a < nova->naliases; a++) {
		for (unsigned c = 0; c < ga_nova_nflavors(&nova->aliases[a]); c++) {
			struct ga_nova_flavor fl = ga_nova_flavor(&nova->aliases[a], c);

			printf("openstack flavor set FLAVOR --property pci_passthrough:alias=%s:%u"
			       " --property hw:pci_numa_affinity_policy=%s --property hw:numa_nodes=%u\n",
			       nova->aliases[a].name, fl.gpus, NOVA_NUMA_POLICY, fl.nodes);
		}
	}
	printf("# 64-bit MMIO window each needs (the GPUs' BARs and a reserve); Nova writes none\n"
	       "# (QEMU's aarch64 'virt' default is 512 GiB), the extension writes it:\n");
	for (size_t a = 0; a < nova->naliases; a++) {
		for (unsigned c = 0; c < ga_nova_nflavors(&nova->aliases[a]); c++) {
			struct ga_nova_flavor fl = ga_nova_flavor(&nova->aliases[a], c);
			uint64_t need = ga_nova_flavor_mmio(&nova->aliases[a], fl);
			char size[32];

			printf("#   %s:%u: %s%s\n", nova->aliases[a].name, fl.gpus, ga_size_format_human(need, size, sizeof(size)),
			       need > GA_PLAN_VIRT_DEFAULT_MMIO ? " (above the default)" : "");
		}
	}
}

static void print_text(const struct nova_out *o)
{
	const struct ga_nova *nova = o->nova;

	printf("# gpu-assign nova-config: %zu Grace GPU(s) on %s\n", nova->ngpus, o->host);
	printf("# Nova %s%s%s%s (%s)\n", o->release.name, o->version[0] ? " (nova " : "", o->version,
	       o->version[0] ? ")" : "", source_says(o->source));
	printf("# nova.conf of this compute node. The [pci] alias lines go into the\n"
	       "# nova.conf of nova-api (controllers) too, identical.\n");
	for (size_t i = 0; i < nova->nskipped; i++)
		printf("# not offered: %s\n", nova->skipped[i]);
	print_pci(o);
	printf("\n[filter_scheduler]\n"
	       "# enabled_filters: add %s, %s to the list on\n"
	       "# the nova-scheduler hosts. Nova's defaults lack NUMATopologyFilter: without it\n"
	       "# the flavors' NUMA and PCI affinity keys are enforced only by the compute\n"
	       "# host's claim, which reschedules.\n",
	       nova_filters[0], nova_filters[1]);
	print_extension(o);
	print_flavors(o);
	printf("\n# GI nodes each GPU needs (the hook refuses an instance without them; Nova alone\n"
	       "# writes none, the extension adds them):\n");
	for (size_t i = 0; i < nova->ngpus; i++)
		printf("#   %s: %u GI nodes (%s)\n", nova->gpus[i].dev->name, nova->gpus[i].gi_nodes,
		       ga_gi_source_to_string(nova->gpus[i].gi_source));
}

/*
 * Run argv (a fixed program, searched in PATH) and keep the first line of
 * its output, stderr discarded. 0, or -1 when it cannot run, fails or says
 * nothing.
 */
static int first_line_of(char *const argv[], char *buf, size_t size)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status, r;
	pid_t pid;
	FILE *f;

	buf[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		return -1;
	}
	f = fdopen(pipefd[0], "r");
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		while (fgetc(f) != EOF) /* let it finish writing */
			;
		fclose(f);
	} else {
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[strcspn(buf, "\n")] = '\0';
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && buf[0] ? 0 : -1;
}

/* The Nova release: --nova-release, else the installed Nova's version, else the newest known. */
static int nova_release(struct cli *cli, const char *given, struct nova_out *o)
{
	/* (posix_spawn takes char *const argv[]: the strings are writable arrays) */
	char py[] = "python3", c[] = "-c", code[] = "import nova.version; print(nova.version.version_string())";
	char dq[] = "dpkg-query", w[] = "-W", f[] = "-f", fmt[] = "${Version}\\n", pkg[] = "python3-nova";
	char *const python[] = { py, c, code, NULL };
	char *const dpkg[] = { dq, w, f, fmt, pkg, NULL };
	char *const *probes[] = { python, dpkg };
	char newest[16];

	if (given) {
		o->source = "option";
		if (isdigit((unsigned char)given[0]) && strchr(given, '.') && strtoul(given, NULL, 10) < 2023)
			snprintf(o->version, sizeof(o->version), "%s", given);
		return ga_nova_release_parse(cli->ctx, given, &o->release);
	}
	for (size_t i = 0; i < GA_ARRAY_SIZE(probes); i++) {
		char line[128];
		struct ga_nova_release rel;

		if (first_line_of(probes[i], line, sizeof(line)) < 0 || ga_nova_release_parse(cli->ctx, line, &rel) < 0) {
			ga_clear_error(cli->ctx);
			continue;
		}
		o->release = rel;
		o->source = source_names[1 + i];
		snprintf(o->version, sizeof(o->version), "%s", line);
		return 0;
	}
	o->source = "default";
	snprintf(newest, sizeof(newest), "%u", GA_NOVA_NEWEST_MAJOR);
	return ga_nova_release_parse(cli->ctx, newest, &o->release);
}

const struct cli_option nova_config_options[] = {
	{ "json", no_argument, 'j', NULL, "one JSON document (gpu-assign(1), JSON OUTPUT)", NULL, NULL },
	{ "config", required_argument, 'c', "FILE", "read the reserved GPUs and <gi-nodes> from FILE", NULL, NULL },
	{ "nova-release", required_argument, 'r', "RELEASE",
	  "write for this Nova: 2026.2 or a nova version such as 34.0.0 (default: the installed one)", NULL, NULL },
	{ "one-time-use", no_argument, 'o', NULL,
	  "tag the GPUs one_time_use (Nova 2025.2 or later; [pci] report_in_placement)", NULL, NULL },
	{ NULL }
};

int cmd_nova_config(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *o;
	_cleanup_host_ struct ga_host *host = NULL;
	_cleanup_config_ struct ga_config *cfg = NULL;
	_cleanup_nova_ struct ga_nova *nova = NULL;
	const char *config = ga_ctx_get(cli->ctx, GA_SETTING_CONFIG);
	char hostname[256] = "this host";
	const char *release = NULL;
	struct nova_out out = { .command = GA_BINDIR "/gpu-assign" };
	bool as_json = false, explicit = false;
	int c;

	while ((c = cli_getopt(cli, argc, argv, &o)) != -1) {
		if (c == 'j') {
			as_json = true;
		} else if (c == 'c') {
			config = optarg;
			explicit = true;
		} else if (c == 'r') {
			release = optarg;
		} else if (c == 'o') {
			out.one_time_use = true;
		} else {
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("nova-config: unexpected argument '%s' (usage: %s)", argv[optind], cli_usage(cli));
	if (explicit && !*config)
		return cli_usage_error("nova-config: --config needs a file name (usage: %s)", cli_usage(cli));
	/* only the default file may be missing (the defaults then); a file named with --config must exist */
	if (release && !*release)
		return cli_usage_error("nova-config: --nova-release needs a release such as 2026.2 (usage: %s)", cli_usage(cli));
	out.config_path = config && *config ? config : GA_CONFIG_PATH;
	if (nova_release(cli, release, &out) < 0 || ga_nova_release_check(cli->ctx, &out.release, out.one_time_use) < 0)
		return cli_fail(cli);
	if (ga_config_load(cli->ctx, out.config_path, !explicit, &cfg) < 0)
		return cli_fail(cli);
	if (ga_host_discover(cli->ctx, &host) < 0)
		return cli_fail(cli);
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		snprintf(hostname, sizeof(hostname), "this host");
	if (ga_nova_build(cli->ctx, host, cfg, &nova) < 0)
		return cli_fail(cli);
	out.host = hostname;
	out.nova = nova;
	if (as_json)
		nova_print_json(&out);
	else
		print_text(&out);
	return EXIT_OK;
}
