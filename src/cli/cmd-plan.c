// SPDX-License-Identifier: LGPL-2.1-or-later
/* plan, xml, define: the guest NUMA plan and the libvirt domain built from it. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ga-config.h"
#include "ga-domxml.h"
#include "ga-ctx.h"
#include "ga-prepare.h"
#include "ga-virt.h"
#include "plan-print.h"

#define MAX_GPU_ARGS 64

enum cmd_kind { CMD_PLAN, CMD_XML, CMD_DEFINE };

static const char *const cmd_names[] = { [CMD_PLAN] = "plan", [CMD_XML] = "xml", [CMD_DEFINE] = "define" };
static const char *const virt_types[] = { "kvm", "qemu" };
static const char *const no_yes[] = { "no", "yes" };

struct plan_args {
	enum cmd_kind kind;
	const char *cmd;
	const char *optname;    /* the option being read */
	const char *usage;      /* "gpu-assign plan ..." */
	struct ga_plan_input in;
	struct ga_pci_addr gpus[MAX_GPU_ARGS]; /* in.req.gpus */
	const char *name;
	int arch;               /* enum ga_arch */
	int form;               /* enum ga_gi_form */
	int managed;            /* -1: default (yes) */
	int virt;               /* index into virt_types; -1: default (kvm) */
	bool json;
	bool flat;              /* --flat: every GPU on pcie.0 */
	bool gi_config;         /* --gi-nodes config */
};

/* How an option's value is read and where it goes (the cli_option's ext). */
struct plan_opt {
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
		return cli_usage_error("%s: invalid --%s '%s': expected a whole number from 0 to %u", a->cmd, a->optname,
				       arg, o->max);
	if (!v)
		return cli_usage_error("%s: invalid --%s '0': %s", a->cmd, a->optname, o->hint);
	*AT(a, o, unsigned) = (unsigned)v;
	return EXIT_OK;
}

/* --gi-nodes N, or "config": the configuration's <gi-nodes> (read in gi_from_config). */
static int set_gi_nodes(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	if (strcmp(arg, "config"))
		return set_count(cli, a, o, arg);
	a->gi_config = true;
	a->in.req.gi_nodes = 0;
	return EXIT_OK;
}

static int set_size(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	return ga_size_parse(cli->ctx, arg, AT(a, o, uint64_t)) < 0 ? cli_fail_usage(cli) : EXIT_OK;
}

static int set_version(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	return ga_version_parse(cli->ctx, arg, AT(a, o, unsigned long)) < 0 ? cli_fail_usage(cli) : EXIT_OK;
}

static int set_choice(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	int v = o->parse(arg);

	(void)cli;
	if (v < o->min)
		return cli_usage_error("%s: invalid --%s '%s': give %s", a->cmd, a->optname, arg, o->hint);
	*AT(a, o, int) = v;
	return EXIT_OK;
}

/* --gpu ADDRESS, --gpu A,B,... (the form the hook's and the docs' lists take), or --gpu all */
static int set_gpu(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	(void)o;
	if (!strcmp(arg, "all")) {
		a->in.req.all_gpus = true;
		return EXIT_OK;
	}
	for (const char *p = arg;; p++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char one[64];

		if (a->in.req.ngpus == MAX_GPU_ARGS)
			return cli_usage_error("%s: too many GPUs in --gpu (at most %d)", a->cmd, MAX_GPU_ARGS);
		if (len == 0 || len >= sizeof(one))
			return cli_usage_error("%s: invalid --gpu '%s': give PCI addresses like 0009:01:00.0, separated by commas or in several --gpu options",
					       a->cmd, arg);
		memcpy(one, p, len);
		one[len] = '\0';
		if (ga_pci_addr_parse(cli->ctx, one, &a->gpus[a->in.req.ngpus]) < 0)
			return cli_fail_usage(cli);
		a->in.req.ngpus++;
		if (!comma)
			return EXIT_OK;
		p = comma;
	}
}

static int set_connect(struct cli *cli, struct plan_args *a, const struct plan_opt *o, const char *arg)
{
	a->in.connect = true;
	return set_string(cli, a, o, arg);
}

static int yes_no(const char *s)
{
	return ga_enum_from_string(no_yes, (int)GA_ARRAY_SIZE(no_yes), s);
}

static int virt_type_index(const char *s)
{
	return ga_enum_from_string(virt_types, (int)GA_ARRAY_SIZE(virt_types), s);
}

#define SET(...) .ext = &(const struct plan_opt){ __VA_ARGS__ }

const struct cli_option plan_options[] = {
	{ "gpu", required_argument, 0, "ADDRESS[,...]|all", "GPUs for the guest (a comma list, or repeat the option); all: every assignable one",
	  SET(.set = set_gpu) },
	{ "vcpus", required_argument, 0, "N", "vCPUs of a new guest", SET(.set = set_count, .field = FIELD(in.req.vcpus),
									 .max = 65536, .hint = "give at least 1") },
	{ "memory", required_argument, 0, "SIZE", "RAM of a new guest: 64G, 512M (a bare number: MiB)",
	  SET(.set = set_size, .field = FIELD(in.req.memory_kib)) },
	{ "name", required_argument, 0, "NAME", "name of a new domain (xml, define)",
	  SET(.set = set_string, .field = FIELD(name)) },
	{ "domain", required_argument, 0, "FILE", "merge into this domain XML ('-': standard input)",
	  SET(.set = set_string, .field = FIELD(in.domain_file)) },
	{ "gi-nodes", required_argument, 0, "N|config",
	  "GI nodes per GPU instead of the host's _DSD or the catalogue's; config: the configuration's <gi-nodes>",
	  SET(.set = set_gi_nodes, .field = FIELD(in.req.gi_nodes), .max = GA_PLAN_MAX_NODES - 1,
	      .hint = "a Grace GPU needs at least 1 GI node") },
	{ "pin", no_argument, 0, NULL, "pin each cell's vCPUs and memory to its host node", SET(.set = set_flag, .field = FIELD(in.req.pin)) },
	{ "arch", required_argument, 0, "aarch64|x86_64", "the guest architecture (default: the host's)",
	  SET(.set = set_choice, .field = FIELD(arch), .parse = ga_arch_from_string, .min = GA_ARCH_AUTO + 1,
	      .hint = "aarch64 or x86_64") },
	{ "connect", required_argument, 0, "URI", "read the target's versions from libvirt at URI (define: define there)",
	  SET(.set = set_connect, .field = FIELD(in.uri)) },
	{ "libvirt-version", required_argument, 0, "X.Y[.Z]", "the target's libvirt when not connecting",
	  SET(.set = set_version, .field = FIELD(in.libvirt_version)) },
	{ "qemu-version", required_argument, 0, "X.Y[.Z]", "the target's QEMU when not connecting",
	  SET(.set = set_version, .field = FIELD(in.qemu_version)) },
	{ "gi-form", required_argument, 0, "auto|native|fallback", "the form of the GI nodes (default: from the libvirt version)",
	  SET(.set = set_choice, .field = FIELD(form), .parse = ga_gi_form_from_string, .hint = "auto, native or fallback") },
	{ "managed", required_argument, 0, "yes|no", "the hostdevs' managed attribute",
	  SET(.set = set_choice, .field = FIELD(managed), .parse = yes_no, .hint = "yes or no") },
	{ "virt-type", required_argument, 0, "kvm|qemu", "the type of a new domain (qemu: TCG, for tests)",
	  SET(.set = set_choice, .field = FIELD(virt), .parse = virt_type_index, .hint = "kvm or qemu") },
	{ "driver-model", required_argument, 0, "NAME",
	  "the vfio-pci variant driver for <driver model> (default: the one this kernel offers)",
	  SET(.set = set_string, .field = FIELD(in.driver_model)) },
	{ "flat", no_argument, 0, NULL, "every GPU on the root bus pcie.0, not behind an expander bus of its cell",
	  SET(.set = set_flag, .field = FIELD(flat)) },
	{ "json", no_argument, 0, NULL, "one JSON document (gpu-assign(1), JSON OUTPUT)", .only = "plan",
	  SET(.set = set_flag, .field = FIELD(json)) },
	{ NULL }
};

/* What the options say together; then the request takes the parsed choices. */
static int check_args(struct plan_args *a, int argc, char **argv)
{
	const char *cmd = a->cmd, *usage = a->usage;
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
	const struct cli_option *o;
	int c, r;

	*a = (struct plan_args){ .kind = kind, .cmd = cmd_names[kind], .managed = -1, .virt = -1, .usage = cli_usage(cli) };
	a->in.req.gpus = a->gpus;
	while ((c = cli_getopt(cli, argc, argv, &o)) != -1) {
		const struct plan_opt *p = o ? o->ext : NULL;

		if (c == '?' || !p)
			return EXIT_USAGE;
		a->optname = o->name;
		r = p->set(cli, a, p, optarg);
		if (r != EXIT_OK)
			return r;
	}
	return check_args(a, argc, argv);
}

static int build_xml(struct cli *cli, const struct plan_args *a, const struct ga_prepared *p, char **xml)
{
	struct ga_domxml_opts o = {
		.name = a->name, .managed = a->managed == 1, .managed_auto = a->managed < 0, .virt_type = a->in.virt_type,
		.flat = a->flat,
	};

	ga_prepared_domxml_opts(p, &o);
	if (p->domain)
		return ga_domxml_merge(cli->ctx, p->domain, p->domain_len, p->plan, &o, xml);
	return ga_domxml_new(cli->ctx, p->plan, &o, xml);
}

/*
 * Where the domain XML would put each GPU (plan --json): the same build as
 * xml's, output dropped. NULL, the reason cleared, when that build fails
 * (plan shows a plan that xml would refuse; xml says why).
 */
static struct ga_domxml_place *plan_places(struct cli *cli, const struct plan_args *a, const struct ga_prepared *p)
{
	/* managed fixed: managed_auto would warn about shared IOMMU groups a second time */
	struct ga_domxml_opts o = {
		.name = a->name ? a->name : "plan", .managed = true, .virt_type = a->in.virt_type, .flat = a->flat,
	};
	_cleanup_free_ char *xml = NULL;
	int r;

	o.placed = calloc(p->plan->ngpus ? p->plan->ngpus : 1, sizeof(*o.placed));
	if (!o.placed)
		return NULL;
	ga_prepared_domxml_opts(p, &o);
	r = p->domain ? ga_domxml_merge(cli->ctx, p->domain, p->domain_len, p->plan, &o, &xml)
		      : ga_domxml_new(cli->ctx, p->plan, &o, &xml);
	if (r < 0) {
		ga_clear_error(cli->ctx);
		free(o.placed);
		return NULL;
	}
	return o.placed;
}

/* Write what kind asks for: the plan, the domain XML, or the defined domain's name and UUID. */
static int emit(struct cli *cli, const struct plan_args *a, const struct ga_prepared *p)
{
	_cleanup_free_ char *xml = NULL, *name = NULL, *uuid = NULL;

	if (a->kind == CMD_PLAN) {
		if (a->json) {
			_cleanup_free_ struct ga_domxml_place *places = plan_places(cli, a, p);

			plan_print_json(p, places);
		} else
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

/*
 * --gi-nodes config: the count the configuration file gives, the one the
 * (root) hook counts from before the firmware's. For a caller that cannot
 * read the firmware tables (Nova's unprivileged nova-compute): it then
 * counts as the hook does, or is refused here.
 */
static int gi_from_config(struct cli *cli, struct plan_args *a)
{
	_cleanup_config_ struct ga_config *cfg = NULL;
	const char *path = ga_ctx_get(cli->ctx, GA_SETTING_CONFIG);

	if (!path || !*path)
		path = GA_CONFIG_PATH;
	if (ga_config_load(cli->ctx, path, true, &cfg) < 0)
		return -1;
	if (!cfg->gi_nodes)
		return ga_report(cli->ctx, -ENOENT,
				 "--gi-nodes config: '%s' gives no GI node count: add <gi-nodes count=\"N\"/> with the N 'gpu-assign nova-config' prints (the hook uses it too)",
				 path);
	a->in.req.gi_nodes = cfg->gi_nodes;
	a->in.req.gi_from_config = true;
	return 0;
}

static int run(struct cli *cli, enum cmd_kind kind, int argc, char **argv)
{
	struct plan_args a;
	struct ga_prepared p;
	int r = parse_args(cli, kind, argc, argv, &a);

	if (r != EXIT_OK)
		return r;
	if (a.gi_config && gi_from_config(cli, &a) < 0)
		return cli_fail(cli);
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
