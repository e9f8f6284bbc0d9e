/* plan, xml, define: the guest NUMA plan and the libvirt domain built from it. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ga-domxml.h"
#include "ga-ctx.h"
#include "ga-prepare.h"
#include "ga-virt.h"
#include "plan-print.h"

#define MAX_GPU_ARGS 64

enum cmd_kind { CMD_PLAN, CMD_XML, CMD_DEFINE };

static const struct {
	const char *name, *usage;
} cmds[] = {
	[CMD_PLAN] = { "plan", "gpu-assign plan --gpu ADDRESS|all [--gpu ...] (--vcpus N --memory SIZE | --domain FILE) [--json] [OPTIONS]" },
	[CMD_XML] = { "xml", "gpu-assign xml --gpu ADDRESS|all (--name NAME --vcpus N --memory SIZE | --domain FILE) [OPTIONS]" },
	[CMD_DEFINE] = { "define", "gpu-assign define --gpu ADDRESS|all (--name NAME --vcpus N --memory SIZE | --domain FILE) [--connect URI] [OPTIONS]" },
};
static const char *const virt_types[] = { "kvm", "qemu" };

struct plan_args {
	enum cmd_kind kind;
	const char *cmd;
	struct ga_plan_input in;
	struct ga_pci_addr gpus[MAX_GPU_ARGS]; /* in.req.gpus */
	const char *name;
	int arch;               /* enum ga_arch */
	int form;               /* enum ga_gi_form */
	int managed;            /* -1: default (yes) */
	int virt;               /* index into virt_types; -1: default (kvm) */
	bool json;
};

/* One command-line option: how its value is read and where it goes. */
struct plan_opt {
	const char *name;
	int (*set)(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg);
	size_t field;                  /* offsetof(struct plan_args, ...) */
	unsigned max;                  /* set_count: the largest value */
	int (*parse)(const char *str); /* set_choice: the value, below min when not accepted */
	int min;
	const char *hint;              /* set_count: why 0 is refused; set_choice: what to give */
};

#define FIELD(f) offsetof(struct plan_args, f)
#define AT(a, o, type) ((type *)(void *)((char *)(a) + (o)->field))

static int set_flag(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	(void)cli, (void)arg;
	*AT(a, o, bool) = true;
	return EXIT_OK;
}

static int set_string(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	(void)cli;
	*AT(a, o, const char *) = arg;
	return EXIT_OK;
}

static int set_count(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	unsigned long v;
	char *end;

	(void)cli;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!(*arg >= '0' && *arg <= '9') || *end || errno || v > o->max)
		return cli_usage_error("%s: invalid --%s '%s': expected a whole number from 0 to %u", a->cmd, o->name,
				       arg, o->max);
	if (!v)
		return cli_usage_error("%s: invalid --%s '0': %s", a->cmd, o->name, o->hint);
	*AT(a, o, unsigned) = (unsigned)v;
	return EXIT_OK;
}

static int set_size(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	return ga_size_parse(cli->ctx, arg, AT(a, o, uint64_t)) < 0 ? cli_fail(cli) : EXIT_OK;
}

static int set_version(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	return ga_version_parse(cli->ctx, arg, AT(a, o, unsigned long)) < 0 ? cli_fail(cli) : EXIT_OK;
}

static int set_choice(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	int v = o->parse(arg);

	(void)cli;
	if (v < o->min)
		return cli_usage_error("%s: invalid --%s '%s': give %s", a->cmd, o->name, arg, o->hint);
	*AT(a, o, int) = v;
	return EXIT_OK;
}

static int set_gpu(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	(void)o;
	if (!strcmp(arg, "all")) {
		a->in.req.all_gpus = true;
		return EXIT_OK;
	}
	if (a->in.req.ngpus == MAX_GPU_ARGS)
		return cli_usage_error("%s: too many --gpu options (at most %d)", a->cmd, MAX_GPU_ARGS);
	if (ga_pci_addr_parse(cli->ctx, arg, &a->gpus[a->in.req.ngpus]) < 0)
		return cli_fail(cli);
	a->in.req.ngpus++;
	return EXIT_OK;
}

static int set_connect(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	a->in.connect = true;
	return set_string(cli, a, o, arg);
}

static int set_json(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	if (a->kind != CMD_PLAN)
		return cli_usage_error("%s: --json is for 'plan' only (usage: %s)", a->cmd, cmds[a->kind].usage);
	return set_flag(cli, a, o, arg);
}

static int yes_no(const char *s)
{
	return !strcmp(s, "yes") ? 1 : !strcmp(s, "no") ? 0 : -1;
}

static int virt_type_index(const char *s)
{
	for (size_t i = 0; i < GA_ARRAY_SIZE(virt_types); i++)
		if (!strcmp(s, virt_types[i]))
			return (int)i;
	return -1;
}

static const struct plan_opt plan_opts[] = {
	{ .name = "gpu", .set = set_gpu },
	{ .name = "vcpus", .set = set_count, .field = FIELD(in.req.vcpus), .max = 65536, .hint = "give at least 1" },
	{ .name = "memory", .set = set_size, .field = FIELD(in.req.memory_kib) },
	{ .name = "gi-nodes", .set = set_count, .field = FIELD(in.req.gi_nodes), .max = GA_PLAN_MAX_NODES - 1,
	  .hint = "a Grace GPU needs at least 1 GI node" },
	{ .name = "pin", .set = set_flag, .field = FIELD(in.req.pin) },
	{ .name = "arch", .set = set_choice, .field = FIELD(arch), .parse = ga_arch_from_string,
	  .min = GA_ARCH_AUTO + 1, .hint = "aarch64 or x86_64" },
	{ .name = "name", .set = set_string, .field = FIELD(name) },
	{ .name = "domain", .set = set_string, .field = FIELD(in.domain_file) },
	{ .name = "connect", .set = set_connect, .field = FIELD(in.uri) },
	{ .name = "libvirt-version", .set = set_version, .field = FIELD(in.libvirt_version) },
	{ .name = "qemu-version", .set = set_version, .field = FIELD(in.qemu_version) },
	{ .name = "gi-form", .set = set_choice, .field = FIELD(form), .parse = ga_gi_form_from_string,
	  .hint = "auto, native or fallback" },
	{ .name = "managed", .set = set_choice, .field = FIELD(managed), .parse = yes_no, .hint = "yes or no" },
	{ .name = "virt-type", .set = set_choice, .field = FIELD(virt), .parse = virt_type_index, .hint = "kvm or qemu" },
	{ .name = "json", .set = set_json, .field = FIELD(json) },
	{ .name = "driver-model", .set = set_string, .field = FIELD(in.driver_model) },
};

/* What the options say together; then the request takes the parsed choices. */
static int check_args(struct plan_args *a, int argc, char **argv)
{
	const char *cmd = a->cmd, *usage = cmds[a->kind].usage;
	struct ga_plan_input *in = &a->in;

	if (optind < argc)
		return cli_usage_error("%s: unexpected argument '%s' (usage: %s)", cmd, argv[optind], usage);
	if (!in->req.all_gpus && !in->req.ngpus)
		return cli_usage_error("%s: no GPU given: add --gpu ADDRESS (repeatable) or --gpu all (usage: %s)", cmd,
				       usage);
	if (in->req.all_gpus && in->req.ngpus)
		return cli_usage_error("%s: give either --gpu all or GPU addresses, not both", cmd);
	if (in->domain_file && a->name)
		return cli_usage_error("%s: --name is for a new domain; with --domain the name comes from the file", cmd);
	if (!in->domain_file) {
		if (a->kind != CMD_PLAN && !a->name)
			return cli_usage_error("%s: no domain name: give --name NAME (or merge with --domain FILE)", cmd);
		if (!in->req.vcpus)
			return cli_usage_error("%s: no vCPU count: give --vcpus N (or --domain FILE)", cmd);
		if (!in->req.memory_kib)
			return cli_usage_error("%s: no memory size: give --memory SIZE, e.g. 64G (or --domain FILE)", cmd);
	}
	if (in->connect && (in->libvirt_version || in->qemu_version))
		return cli_usage_error("%s: --connect reads the versions from the target; drop --libvirt-version/--qemu-version",
				       cmd);
	in->managed_yes = a->managed == 1;
	in->req.arch = (enum ga_arch)a->arch;
	in->form = (enum ga_gi_form)a->form;
	in->virt_type = a->virt < 0 ? NULL : virt_types[a->virt];
	return EXIT_OK;
}

static int parse_args(struct cli *cli, enum cmd_kind kind, int argc, char **argv, struct plan_args *a)
{
	enum { OPT_FIRST = 256 };
	struct option opts[GA_ARRAY_SIZE(plan_opts) + 1] = { 0 };
	int c, r;

	*a = (struct plan_args){ .kind = kind, .cmd = cmds[kind].name, .managed = -1, .virt = -1 };
	a->in.req.gpus = a->gpus;
	for (size_t i = 0; i < GA_ARRAY_SIZE(plan_opts); i++) {
		bool flag = plan_opts[i].set == set_flag || plan_opts[i].set == set_json;

		opts[i] = (struct option){ plan_opts[i].name, flag ? no_argument : required_argument, NULL,
					   OPT_FIRST + (int)i };
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const struct plan_opt *o = c >= OPT_FIRST ? &plan_opts[c - OPT_FIRST] : NULL;

		if (!o)
			return cli_usage_error("%s: invalid option (usage: %s)", a->cmd, cmds[kind].usage);
		r = o->set(cli, a, o, optarg);
		if (r != EXIT_OK)
			return r;
	}
	return check_args(a, argc, argv);
}

static int build_xml(struct cli *cli, const struct plan_args *a, const struct ga_prepared *p, char **xml)
{
	struct ga_domxml_opts o = {
		.name = a->name, .form = p->caps.form, .driver_model = p->caps.driver_model,
		.managed = a->managed == 1, .managed_auto = a->managed < 0, .virt_type = a->in.virt_type,
	};

	/* libvirt 9.7 - 9.x: the variant driver is bound before the start, never by libvirt */
	if (p->caps.unmanaged)
		o.managed = o.managed_auto = false;

	if (p->domain)
		return ga_domxml_merge(cli->ctx, p->domain, p->domain_len, p->plan, &o, xml);
	return ga_domxml_new(cli->ctx, p->plan, &o, xml);
}

/* Write what kind asks for: the plan, the domain XML, or the defined domain's name and UUID. */
static int emit(struct cli *cli, const struct plan_args *a, const struct ga_prepared *p)
{
	_cleanup_free_ char *xml = NULL, *name = NULL, *uuid = NULL;

	if (a->kind == CMD_PLAN) {
		if (a->json)
			plan_print_json(p);
		else
			plan_print_text(p);
		return 0;
	}
	if (build_xml(cli, a, p, &xml) < 0)
		return -1;
	if (a->kind == CMD_XML) {
		fputs(xml, stdout);
		return 0;
	}
	if (ga_virt_define(cli->ctx, a->in.uri, xml, &name, &uuid) < 0)
		return -1;
	printf("%s %s\n", name, uuid);
	return 0;
}

static int run(struct cli *cli, enum cmd_kind kind, int argc, char **argv)
{
	struct plan_args a;
	struct ga_prepared p;
	int r = parse_args(cli, kind, argc, argv, &a);

	if (r != EXIT_OK)
		return r;
	if (ga_plan_prepare(cli->ctx, &a.in, &p) < 0)
		return cli_fail(cli);
	r = emit(cli, &a, &p);
	ga_prepared_clear(&p);
	if (r < 0)
		return cli_fail(cli);
	if (fflush(stdout) != 0)
		return cli_usage_error("cannot write the output: %s", strerror(errno)), EXIT_FAIL;
	return EXIT_OK;
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	return run(cli, CMD_PLAN, argc, argv);
}

int cmd_xml(struct cli *cli, int argc, char **argv)
{
	return run(cli, CMD_XML, argc, argv);
}

int cmd_define(struct cli *cli, int argc, char **argv)
{
	return run(cli, CMD_DEFINE, argc, argv);
}
