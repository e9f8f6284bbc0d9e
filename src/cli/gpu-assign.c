// SPDX-License-Identifier: LGPL-2.1-or-later
/* gpu-assign: make Grace Hopper / Grace Blackwell GPUs assignable to VMs. */
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ga-ctx.h"
#include "ga-escape.h"

static int cmd_help(struct cli *cli, int argc, char **argv);

static const struct cli_option no_options[] = { { NULL } };

/* The commands: the top-level help, each command's help and gpu-assign(1) SYNOPSIS agree with this. */
static const struct cli_command commands[] = {
	{ "list", cmd_list, "[--all] [--json]", "list the host's NVIDIA GPUs and whether they can be assigned",
	  list_options },
	{ "show", cmd_show, "ADDRESS [--json]", "everything known about one PCI device", show_options },
	{ "check", cmd_check, "ADDRESS...", "succeed only if every ADDRESS is an assignable GPU", check_options },
	{ "bind", cmd_bind, "(ADDRESS...|--all) [--driver-model NAME] [--persistent] [--wait SECONDS] [--force] [--connect URI]",
	  "hand devices to a vfio driver (with their IOMMU group), transactionally", bind_options },
	{ "release", cmd_release, "(ADDRESS...|--all) [--persistent] [--force] [--connect URI]",
	  "give bound devices back to the driver they had before", release_options },
	{ "status", cmd_status, "[--json]",
	  "what gpu-assign bound, from which driver, since when, and which persistently", status_options },
	{ "repair", cmd_repair, "", "finish rolling back an operation that was interrupted", repair_options },
	{ "nova-config", cmd_nova_config, "[--json] [--config FILE] [--nova-release RELEASE] [--one-time-use]",
	  "what to add to nova.conf and flavors for this host's Grace GPUs", nova_config_options },
	{ "plan", cmd_plan, "--gpu ADDRESS|all ... (--vcpus N --memory SIZE | --domain FILE) [--json] [PLAN-OPTIONS]",
	  "show the guest NUMA plan (GI nodes, distances, MMIO)", plan_options },
	{ "xml", cmd_xml, "--gpu ADDRESS|all ... (--name NAME --vcpus N --memory SIZE | --domain FILE) [PLAN-OPTIONS]",
	  "print a new domain XML, or merge into --domain FILE", plan_options },
	{ "define", cmd_define,
	  "--gpu ADDRESS|all ... (--name NAME --vcpus N --memory SIZE | --domain FILE) [--connect URI] [PLAN-OPTIONS]",
	  "define that domain through libvirt", plan_options },
	{ "help", cmd_help, "[COMMAND]", "show this help, or a command's", no_options },
};

/* The options before the command. */
enum { OPT_SYSFS_ROOT = 0x100 };
static const struct cli_option global_options[] = {
	{ "sysfs-root", required_argument, OPT_SYSFS_ROOT, "DIR", "read the host from DIR instead of /sys (also GA_SYSFS_ROOT)", NULL, NULL },
	{ "verbose", no_argument, 'v', NULL, "log what is done on stderr (twice: debug)", NULL, NULL },
	{ "help", no_argument, 'h', NULL, "show this help (after a command: the command's)", NULL, NULL },
	{ "version", no_argument, 'V', NULL, "show the version", NULL, NULL },
	{ NULL }
};

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < GA_ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

const char *cli_usage(const struct cli *cli)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "gpu-assign %s%s%s", cli->cmd->name, *cli->cmd->synopsis ? " " : "",
		 cli->cmd->synopsis);
	return buf;
}

static bool only_for(const struct cli_option *o, const char *cmd)
{
	return !o->only || !strcmp(o->only, cmd);
}

int cli_getopt(struct cli *cli, int argc, char **argv, const struct cli_option **opt)
{
	enum { FIRST = 0x1000 };
	const struct cli_option *opts = cli->cmd->options;
	struct option longopts[64];
	char shortopts[2 * 64 + 2] = ":";
	size_t n = 0, ns = 1;
	int c;

	*opt = NULL;
	for (; opts[n].name && n < GA_ARRAY_SIZE(longopts) - 1; n++) {
		longopts[n] = (struct option){ opts[n].name, opts[n].has_arg, NULL, FIRST + (int)n };
		if (opts[n].val > 0 && opts[n].val < 128) {
			shortopts[ns++] = (char)opts[n].val;
			if (opts[n].has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';
	longopts[n] = (struct option){ 0 };
	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == -1)
		return -1;
	if (c == '?' || c == ':') {
		const char *bad = argv[optind - 1];

		/* a bundled short option: name the letter */
		if (optopt && !(bad[0] == '-' && bad[1] == optopt && !bad[2]) && strncmp(bad, "--", 2))
			return cli_usage_error("%s: %s '-%c' (usage: %s)", cli->cmd->name,
					       c == ':' ? "no value given for option" : "unknown option", optopt,
					       cli_usage(cli)), '?';
		return cli_usage_error("%s: %s '%s' (usage: %s)", cli->cmd->name,
				       c == ':' ? "no value given for option" : "unknown option", bad, cli_usage(cli)), '?';
	}
	if (c >= FIRST) {
		*opt = &opts[c - FIRST];
	} else {
		for (size_t i = 0; i < n; i++)
			if (opts[i].val == c)
				*opt = &opts[i];
	}
	if (!*opt)
		return cli_usage_error("%s: unknown option (usage: %s)", cli->cmd->name, cli_usage(cli)), '?';
	if (!only_for(*opt, cli->cmd->name))
		return cli_usage_error("%s: --%s is for '%s' only (usage: %s)", cli->cmd->name, (*opt)->name, (*opt)->only,
				       cli_usage(cli)), '?';
	return (*opt)->val;
}

int cli_fail(struct cli *cli)
{
	const struct ga_error *err = ga_last_error(cli->ctx);

	fprintf(stderr, "gpu-assign: %s\n",
		err->message[0] ? err->message : "internal error: the failure was not described (please report this)");
	return EXIT_FAIL;
}

int cli_fail_usage(struct cli *cli)
{
	cli_fail(cli);
	return EXIT_USAGE;
}

int cli_oom(void)
{
	fputs("gpu-assign: out of memory\n", stderr);
	return EXIT_FAIL;
}

int cli_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	/* the arguments quoted in it came from the command line: one line whatever they hold */
	va_start(ap, fmt);
	ga_escape_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gpu-assign: %s\n", msg);
	return EXIT_USAGE;
}

static void print_options(FILE *out, const struct cli_option *opts, const char *cmd)
{
	for (const struct cli_option *o = opts; o->name; o++) {
		bool has_short = o->val > 0 && o->val < 128;
		char left[64];
		int len;

		if (!only_for(o, cmd))
			continue;
		len = snprintf(left, sizeof(left), "%c%c%c --%s%s%s", has_short ? '-' : ' ', has_short ? o->val : ' ',
			       has_short ? ',' : ' ', o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		if (len > 28)
			fprintf(out, "  %s\n  %-28s %s\n", left, "", o->help);
		else
			fprintf(out, "  %-28s %s\n", left, o->help);
	}
}

static void usage(FILE *out)
{
	fputs("Usage: gpu-assign [OPTIONS] COMMAND [ARGS]\n\n"
	      "Make NVIDIA Grace Hopper (GH200) and Grace Blackwell (GB200) GPUs\n"
	      "assignable to libvirt/QEMU virtual machines.\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < GA_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n", out);
	print_options(out, global_options, "");
	fputs("\nRun 'gpu-assign help COMMAND' (or 'gpu-assign COMMAND --help') for a command's\n"
	      "arguments and options. See gpu-assign(1).\n", out);
}

/* One command's help: its synopsis (as in gpu-assign(1)), what it does, its options. */
static void command_usage(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "Usage: gpu-assign [OPTIONS] %s%s%s\n\n", cmd->name, *cmd->synopsis ? " " : "", cmd->synopsis);
	fprintf(out, "%c%s.\n", cmd->summary[0] >= 'a' && cmd->summary[0] <= 'z' ? cmd->summary[0] - 'a' + 'A' : cmd->summary[0],
		cmd->summary + 1);
	if (cmd->options[0].name) {
		fputs("\nOptions:\n", out);
		print_options(out, cmd->options, cmd->name);
	}
	fputs("\nOPTIONS: see 'gpu-assign --help'. See gpu-assign(1).\n", out);
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc > 2)
		return cli_usage_error("help: unexpected argument '%s' (usage: %s)", argv[2], cli_usage(cli));
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error("help: unknown command '%s' (see 'gpu-assign help')", argv[1]);
	command_usage(stdout, cmd);
	return EXIT_OK;
}

/* "--help" or "-h" among a command's arguments (before "--"). */
static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

/*
 * Warnings wait for the command's end: printed (in their order) when it
 * succeeds, dropped when it fails, so that a refusal is the one line of its
 * error and no warning about a plan that will not be used comes before it.
 * What -v and -vv ask for is printed at once.
 */
static struct {
	char *text;
	size_t len;
} held_warnings;

static void log_stderr(void *data, enum ga_log_level level, const char *msg)
{
	const char *what = ga_log_level_to_string(level);

	(void)data;
	if (level == GA_LOG_WARNING) {
		size_t add = strlen("gpu-assign: : \n") + strlen(what) + strlen(msg);
		char *grown = realloc(held_warnings.text, held_warnings.len + add + 1);

		if (grown) {
			held_warnings.text = grown;
			held_warnings.len += (size_t)snprintf(grown + held_warnings.len, add + 1, "gpu-assign: %s: %s\n", what, msg);
			return;
		}
	}
	fprintf(stderr, "gpu-assign: %s: %s\n", what, msg);
}

/* The command's end: its held warnings when it succeeded. */
static int finish(int status)
{
	if (status == EXIT_OK && held_warnings.text)
		fputs(held_warnings.text, stderr);
	free(held_warnings.text);
	held_warnings.text = NULL;
	held_warnings.len = 0;
	return status;
}

int main(int argc, char **argv)
{
	struct option opts[GA_ARRAY_SIZE(global_options)] = { 0 };
	char shortopts[2 * GA_ARRAY_SIZE(global_options) + 3] = "+:"; /* "+": what follows the command is its own */
	const struct cli_command *cmd;
	_cleanup_ctx_ struct ga_ctx *ctx = NULL;
	struct cli cli = { 0 };
	const char *sysfs_root = NULL;
	int c;

	for (size_t i = 0, ns = 2; global_options[i].name; i++) {
		opts[i] = (struct option){ global_options[i].name, global_options[i].has_arg, NULL, global_options[i].val };
		if (global_options[i].val < 128) {
			shortopts[ns++] = (char)global_options[i].val;
			if (global_options[i].has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSFS_ROOT:
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
		case ':':
			return cli_usage_error("no value given for option '%s' (see 'gpu-assign --help')", argv[optind - 1]);
		default:
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				return cli_usage_error("unknown option '-%c' (see 'gpu-assign --help')", optopt);
			return cli_usage_error("unknown option '%s' (see 'gpu-assign --help')", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("no command given (see 'gpu-assign --help')");
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error("unknown command '%s' (see 'gpu-assign --help')", argv[optind]);
	cli.cmd = cmd;
	argv += optind;
	argc -= optind;
	optind = 0; /* reset getopt for the command's own options */
	/* help needs no host: answered before the context is made */
	if (asks_help(argc, argv)) {
		command_usage(stdout, cmd);
		return EXIT_OK;
	}
	if (cmd->run == cmd_help)
		return cmd_help(&cli, argc, argv);

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

	return finish(cmd->run(&cli, argc, argv));
}
