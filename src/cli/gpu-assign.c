/* gpu-assign: make Grace Hopper / Grace Blackwell GPUs assignable to VMs. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ga-ctx.h"

static const struct cli_command commands[] = {
	{ "list", cmd_list, "[--all] [--json]", "list the host's NVIDIA GPUs and whether they can be assigned" },
	{ "show", cmd_show, "ADDRESS [--json]", "everything known about one PCI device" },
	{ "check", cmd_check, "ADDRESS...", "succeed only if every ADDRESS is an assignable GPU" },
	{ "plan", cmd_plan, "--gpu A|all ...", "show the guest NUMA plan (GI nodes, distances, MMIO)" },
	{ "xml", cmd_xml, "--gpu A|all ...", "print a new domain XML, or merge into --domain FILE" },
	{ "define", cmd_define, "--gpu A|all ...", "define that domain through libvirt" },
	{ "nova-config", cmd_nova_config, "[--json] [--config FILE]", "what to add to nova.conf and flavors for this host's Grace GPUs" },
	{ "bind", cmd_bind, "ADDRESS...|--all", "hand devices to a vfio driver (with their IOMMU group), transactionally" },
	{ "release", cmd_release, "ADDRESS...|--all", "give bound devices back to the driver they had before" },
	{ "status", cmd_status, "[--json]", "what gpu-assign bound, from which driver, since when, and which persistently" },
	{ "repair", cmd_repair, "", "finish rolling back an operation that was interrupted" },
};

int cli_fail(struct cli *cli)
{
	const struct ga_error *err = ga_last_error(cli->ctx);

	fprintf(stderr, "gpu-assign: %s\n",
		err->message[0] ? err->message : "internal error: the failure was not described (please report this)");
	return EXIT_FAIL;
}

int cli_oom(void)
{
	fputs("gpu-assign: out of memory\n", stderr);
	return EXIT_FAIL;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gpu-assign: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static void usage(FILE *out)
{
	fputs("Usage: gpu-assign [OPTIONS] COMMAND [ARGS]\n\n"
	      "Make NVIDIA Grace Hopper (GH200) and Grace Blackwell (GB200) GPUs\n"
	      "assignable to libvirt/QEMU virtual machines.\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < GA_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-11s %s\n  %-11s   %s\n", commands[i].name, commands[i].args, "",
			commands[i].summary);
	fputs("\nOptions:\n"
	      "  --sysfs-root DIR  read the host from DIR instead of /sys (also GA_SYSFS_ROOT)\n"
	      "  -v, --verbose     log what is done on stderr (twice: debug)\n"
	      "  -h, --help        show this help\n"
	      "  -V, --version     show the version\n\n"
	      "See gpu-assign(1).\n", out);
}

static void log_stderr(void *data, enum ga_log_level level, const char *msg)
{
	(void)data;
	fprintf(stderr, "gpu-assign: %s: %s\n", ga_log_level_to_string(level), msg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	_cleanup_ctx_ struct ga_ctx *ctx = NULL;
	struct cli cli = { 0 };
	const char *sysfs_root = NULL;
	int c;

	/* "+": options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sysfs_root = optarg;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("gpu-assign %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			return cli_usage_error("invalid option (see 'gpu-assign --help')");
		}
	}
	if (optind >= argc)
		return cli_usage_error("no command given (see 'gpu-assign --help')");

	if (ga_ctx_new(&ctx) < 0)
		return cli_oom();
	cli.ctx = ctx;
	/* warnings always; -v adds what is done, -vv debug */
	ga_ctx_set_log_fn(ctx, log_stderr, NULL);
	ga_ctx_set_log_level(ctx, cli.verbose > 1 ? GA_LOG_DEBUG : cli.verbose ? GA_LOG_INFO : GA_LOG_WARNING);
	/*
	 * Settings: the test overrides file ($GA_TEST_OVERRIDES, else the
	 * installed one if any: the one way tests move the library's paths, see
	 * gpu-assign(1)), then $GA_SYSFS_ROOT, then --sysfs-root.
	 */
	if (ga_ctx_load_overrides(ctx, getenv("GA_TEST_OVERRIDES")) < 0)
		return cli_fail(&cli);
	if (!sysfs_root && getenv("GA_SYSFS_ROOT") && *getenv("GA_SYSFS_ROOT"))
		sysfs_root = getenv("GA_SYSFS_ROOT");
	if (sysfs_root && ga_ctx_set_sysfs_root(ctx, sysfs_root) < 0)
		return cli_fail(&cli);

	for (size_t i = 0; i < GA_ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			argv += optind;
			argc -= optind;
			optind = 0; /* reset getopt for the command's own options */
			return commands[i].run(&cli, argc, argv);
		}
	}
	return cli_usage_error("unknown command '%s' (see 'gpu-assign --help')", argv[optind]);
}
