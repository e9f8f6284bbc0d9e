/* plan, xml, define: the guest NUMA plan and the libvirt domain built from it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ga-ctx.h"
#include "table.h"
#include "ga-domxml.h"
#include "ga-plan.h"
#include "ga-virt.h"

#define MAX_GPU_ARGS 64

enum cmd_kind { CMD_PLAN, CMD_XML, CMD_DEFINE };

static const char *const cmd_names[] = { "plan", "xml", "define" };

struct plan_args {
	enum cmd_kind kind;
	struct ga_pci_addr gpus[MAX_GPU_ARGS];
	size_t ngpus;
	bool all;
	unsigned vcpus;
	uint64_t memory_kib;
	unsigned gi_nodes;
	bool pin;
	enum ga_arch arch;
	const char *name;
	const char *domain_file;
	const char *uri;
	bool connect;
	unsigned long libvirt_version;
	unsigned long qemu_version;
	enum ga_gi_form form;
	int managed;            /* -1: default (yes) */
	const char *virt_type;
	bool json;
};

enum {
	OPT_GPU = 256, OPT_VCPUS, OPT_MEMORY, OPT_GI_NODES, OPT_PIN, OPT_ARCH, OPT_NAME, OPT_DOMAIN,
	OPT_CONNECT, OPT_LIBVIRT_VERSION, OPT_QEMU_VERSION, OPT_GI_FORM, OPT_MANAGED, OPT_VIRT_TYPE, OPT_JSON,
};

static const char *usage_of(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_PLAN:
		return "gpu-assign plan --gpu ADDRESS|all [--gpu ...] (--vcpus N --memory SIZE | --domain FILE) [--json] [OPTIONS]";
	case CMD_XML:
		return "gpu-assign xml --gpu ADDRESS|all (--name NAME --vcpus N --memory SIZE | --domain FILE) [OPTIONS]";
	default:
		return "gpu-assign define --gpu ADDRESS|all (--name NAME --vcpus N --memory SIZE | --domain FILE) [--connect URI] [OPTIONS]";
	}
}

static int parse_uint(const char *cmd, const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!(*s >= '0' && *s <= '9') || *end || errno || v > max)
		return cli_usage_error("%s: invalid %s '%s': expected a whole number from 0 to %u", cmd, opt, s, max);
	*out = (unsigned)v;
	return EXIT_OK;
}

static int parse_args(struct cli *cli, enum cmd_kind kind, int argc, char **argv, struct plan_args *a)
{
	static const struct option opts[] = {
		{ "gpu", required_argument, NULL, OPT_GPU },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "gi-nodes", required_argument, NULL, OPT_GI_NODES },
		{ "pin", no_argument, NULL, OPT_PIN },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "connect", required_argument, NULL, OPT_CONNECT },
		{ "libvirt-version", required_argument, NULL, OPT_LIBVIRT_VERSION },
		{ "qemu-version", required_argument, NULL, OPT_QEMU_VERSION },
		{ "gi-form", required_argument, NULL, OPT_GI_FORM },
		{ "managed", required_argument, NULL, OPT_MANAGED },
		{ "virt-type", required_argument, NULL, OPT_VIRT_TYPE },
		{ "json", no_argument, NULL, OPT_JSON },
		{}
	};
	const char *cmd = cmd_names[kind];
	int c, r, v;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->managed = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_GPU:
			if (!strcmp(optarg, "all")) {
				a->all = true;
				break;
			}
			if (a->ngpus == MAX_GPU_ARGS)
				return cli_usage_error("%s: too many --gpu options (at most %d)", cmd, MAX_GPU_ARGS);
			if (ga_pci_addr_parse(cli->ctx, optarg, &a->gpus[a->ngpus]) < 0)
				return cli_fail(cli);
			a->ngpus++;
			break;
		case OPT_VCPUS:
			r = parse_uint(cmd, "--vcpus", optarg, 65536, &a->vcpus);
			if (r != EXIT_OK)
				return r;
			if (!a->vcpus)
				return cli_usage_error("%s: invalid --vcpus '0': give at least 1", cmd);
			break;
		case OPT_MEMORY:
			if (ga_size_parse(cli->ctx, optarg, &a->memory_kib) < 0)
				return cli_fail(cli);
			break;
		case OPT_GI_NODES:
			r = parse_uint(cmd, "--gi-nodes", optarg, GA_PLAN_MAX_NODES - 1, &a->gi_nodes);
			if (r != EXIT_OK)
				return r;
			if (!a->gi_nodes)
				return cli_usage_error("%s: invalid --gi-nodes '0': a Grace GPU needs at least 1 GI node", cmd);
			break;
		case OPT_PIN:
			a->pin = true;
			break;
		case OPT_ARCH:
			v = ga_arch_from_string(optarg);
			if (v <= GA_ARCH_AUTO)
				return cli_usage_error("%s: invalid --arch '%s': give aarch64 or x86_64", cmd, optarg);
			a->arch = (enum ga_arch)v;
			break;
		case OPT_NAME:
			a->name = optarg;
			break;
		case OPT_DOMAIN:
			a->domain_file = optarg;
			break;
		case OPT_CONNECT:
			a->uri = optarg;
			a->connect = true;
			break;
		case OPT_LIBVIRT_VERSION:
			if (ga_version_parse(cli->ctx, optarg, &a->libvirt_version) < 0)
				return cli_fail(cli);
			break;
		case OPT_QEMU_VERSION:
			if (ga_version_parse(cli->ctx, optarg, &a->qemu_version) < 0)
				return cli_fail(cli);
			break;
		case OPT_GI_FORM:
			v = ga_gi_form_from_string(optarg);
			if (v < 0)
				return cli_usage_error("%s: invalid --gi-form '%s': give auto, native or fallback", cmd, optarg);
			a->form = (enum ga_gi_form)v;
			break;
		case OPT_MANAGED:
			if (!strcmp(optarg, "yes"))
				a->managed = 1;
			else if (!strcmp(optarg, "no"))
				a->managed = 0;
			else
				return cli_usage_error("%s: invalid --managed '%s': give yes or no", cmd, optarg);
			break;
		case OPT_VIRT_TYPE:
			if (strcmp(optarg, "kvm") && strcmp(optarg, "qemu"))
				return cli_usage_error("%s: invalid --virt-type '%s': give kvm or qemu", cmd, optarg);
			a->virt_type = optarg;
			break;
		case OPT_JSON:
			if (kind != CMD_PLAN)
				return cli_usage_error("%s: --json is for 'plan' only (usage: %s)", cmd, usage_of(kind));
			a->json = true;
			break;
		default:
			return cli_usage_error("%s: invalid option (usage: %s)", cmd, usage_of(kind));
		}
	}
	if (optind < argc)
		return cli_usage_error("%s: unexpected argument '%s' (usage: %s)", cmd, argv[optind], usage_of(kind));
	if (!a->all && !a->ngpus)
		return cli_usage_error("%s: no GPU given: add --gpu ADDRESS (repeatable) or --gpu all (usage: %s)", cmd,
				       usage_of(kind));
	if (a->all && a->ngpus)
		return cli_usage_error("%s: give either --gpu all or GPU addresses, not both", cmd);
	if (a->domain_file && a->name)
		return cli_usage_error("%s: --name is for a new domain; with --domain the name comes from the file", cmd);
	if (!a->domain_file) {
		if (kind != CMD_PLAN && !a->name)
			return cli_usage_error("%s: no domain name: give --name NAME (or merge with --domain FILE)", cmd);
		if (!a->vcpus)
			return cli_usage_error("%s: no vCPU count: give --vcpus N (or --domain FILE)", cmd);
		if (!a->memory_kib)
			return cli_usage_error("%s: no memory size: give --memory SIZE, e.g. 64G (or --domain FILE)", cmd);
	}
	if (a->connect && (a->libvirt_version || a->qemu_version))
		return cli_usage_error("%s: --connect reads the versions from the target; drop --libvirt-version/--qemu-version",
				       cmd);
	return EXIT_OK;
}

static int read_file(struct cli *cli, const char *path, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return ga_report(cli->ctx, -errno, "cannot open domain XML '%s': %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			char *grown;

			cap = cap ? cap * 2 : 65536;
			if (cap > (64u << 20)) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return ga_report(cli->ctx, -E2BIG, "domain XML '%s' is larger than 64 MiB", path);
			}
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return ga_report(cli->ctx, -ENOMEM, "out of memory");
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		if (f != stdin)
			fclose(f);
		return ga_report(cli->ctx, -EIO, "cannot read domain XML '%s'", path);
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Everything plan/xml/define share: the target, the domain, the plan. */
struct prepared {
	struct ga_target target;
	struct ga_target_caps caps;
	struct ga_host *host;
	struct ga_plan *plan;
	char *domain;
	size_t domain_len;
	struct ga_domxml_info info;
};

static void prepared_clear(struct prepared *p)
{
	ga_target_clear(&p->target);
	ga_host_free(p->host);
	ga_plan_free(p->plan);
	free(p->domain);
	ga_domxml_info_clear(&p->info);
}

static int prepare(struct cli *cli, struct plan_args *a, struct prepared *p)
{
	struct ga_plan_request req = { 0 };
	enum ga_arch arch = a->arch;

	if (a->domain_file) {
		if (read_file(cli, a->domain_file, &p->domain, &p->domain_len) < 0)
			return -1;
		if (ga_domxml_read_info(cli->ctx, p->domain, p->domain_len, &p->info) < 0)
			return -1;
		if (!a->vcpus)
			a->vcpus = p->info.vcpus;
		if (!a->memory_kib)
			a->memory_kib = p->info.memory_kib;
		if (!a->vcpus)
			return ga_report(cli->ctx, -EINVAL, "the domain has no <vcpu>: give --vcpus N");
		if (!a->memory_kib)
			return ga_report(cli->ctx, -EINVAL, "the domain has no <memory>: give --memory SIZE");
		if (arch == GA_ARCH_AUTO && p->info.arch != GA_ARCH_AUTO)
			arch = p->info.arch;
	}
	if (ga_host_discover(cli->ctx, &p->host) < 0)
		return -1;
	req.gpus = a->gpus;
	req.ngpus = a->ngpus;
	req.all_gpus = a->all;
	req.vcpus = a->vcpus;
	req.memory_kib = a->memory_kib;
	req.gi_nodes = a->gi_nodes;
	req.pin = a->pin;
	req.arch = arch;
	if (ga_plan_build(cli->ctx, p->host, &req, &p->plan) < 0)
		return -1;

	if (a->connect) {
		if (ga_target_connect(cli->ctx, a->uri, ga_arch_to_string(p->plan->arch),
				      p->plan->arch == GA_ARCH_X86_64 ? "q35" : "virt",
				      a->virt_type ? a->virt_type : "kvm", &p->target) < 0)
			return -1;
	} else if (a->libvirt_version) {
		p->target.libvirt_version = a->libvirt_version;
	} else if (ga_target_local(cli->ctx, &p->target) < 0) {
		return -1;
	}
	if (!a->connect)
		p->target.qemu_version = a->qemu_version;
	if (ga_target_resolve(cli->ctx, &p->target, a->form, &p->caps) < 0)
		return -1;
	return 0;
}

static char *human(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u + 1 < GA_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, size, "%" PRIu64 " %s", (uint64_t)v, units[u]);
	else
		snprintf(buf, size, "%.2f %s", v, units[u]);
	return buf;
}

static void gi_ids(const struct ga_plan_gpu *g, char *buf, size_t size)
{
	unsigned ids[GA_PLAN_MAX_NODES];

	for (unsigned i = 0; i < g->ngi; i++)
		ids[i] = g->first_gi + i;
	ga_idlist_format(ids, g->ngi, buf, size);
}

static void host_mem_ids(const struct ga_plan_gpu *g, char *buf, size_t size)
{
	unsigned ids[GA_PLAN_MAX_NODES * 4];
	unsigned n = g->nhost_mem_nodes < GA_ARRAY_SIZE(ids) ? g->nhost_mem_nodes : (unsigned)GA_ARRAY_SIZE(ids);

	if (!g->host_mem_nodes) {
		snprintf(buf, size, "unknown");
		return;
	}
	for (unsigned i = 0; i < n; i++)
		ids[i] = (unsigned)g->host_mem_nodes[i];
	ga_idlist_format(ids, n, buf, size);
}

/* The guest cells, columns fitted to their contents. */
static void print_cells(const struct ga_plan *plan, bool pin)
{
	const char *const header[] = { "CELL", "HOST-NODE", "VCPUS", "MEMORY",
				       pin ? "PINNED-TO-HOST-CPUS" : "HOST-CPUS", NULL };
	struct table t;

	if (table_init(&t, header) < 0)
		return;
	for (size_t i = 0; i < plan->ncells; i++) {
		const struct ga_plan_cell *c = &plan->cells[i];
		char id[16], node[16], v[32], mem[64];
		const char *row[] = { id, node, v, mem, c->host_cpus };

		snprintf(id, sizeof(id), "%u", c->id);
		snprintf(node, sizeof(node), "%d", c->host_node);
		if (c->nvcpus == 1)
			snprintf(v, sizeof(v), "%u", c->first_vcpu);
		else
			snprintf(v, sizeof(v), "%u-%u", c->first_vcpu, c->first_vcpu + c->nvcpus - 1);
		human(c->memory_kib * 1024, mem, sizeof(mem));
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static void print_gpus(const struct ga_plan *plan)
{
	static const char *const header[] = { "GPU", "MODEL", "ALIAS", "CELL", "GI-NODES", "GI-COUNT",
					      "HOST-MEM-NODES", "64-BIT-BARS", NULL };
	struct table t;

	if (table_init(&t, header) < 0)
		return;
	for (size_t i = 0; i < plan->ngpus; i++) {
		const struct ga_plan_gpu *g = &plan->gpus[i];
		char gi[64], hm[64], count[64], cell[16], bars[64];
		const char *row[] = { g->name, g->model->name, g->alias, cell, gi, count, hm, bars };

		gi_ids(g, gi, sizeof(gi));
		host_mem_ids(g, hm, sizeof(hm));
		snprintf(count, sizeof(count), "%u (%s)", g->ngi, ga_gi_source_to_string(g->gi_source));
		snprintf(cell, sizeof(cell), "%u", g->cell);
		human(g->bar_bytes, bars, sizeof(bars));
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

static void print_plan_text(const struct prepared *p, const struct plan_args *a)
{
	const struct ga_plan *plan = p->plan;
	char b1[64], b2[64], b3[512];

	printf("Guest: %u vCPU%s, %s RAM, %s '%s', %zu GPU%s, %u NUMA nodes (%zu CPU cell%s + %u GI nodes)\n",
	       plan->vcpus, plan->vcpus == 1 ? "" : "s", human(plan->memory_kib * 1024, b1, sizeof(b1)),
	       ga_arch_to_string(plan->arch), plan->arch == GA_ARCH_X86_64 ? "q35" : "virt", plan->ngpus,
	       plan->ngpus == 1 ? "" : "s", plan->nnodes, plan->ncells, plan->ncells == 1 ? "" : "s",
	       plan->nnodes - (unsigned)plan->ncells);
	printf("Target: libvirt %s, QEMU %s: GI nodes in the %s form, <driver model> %s\n",
	       ga_version_format(p->target.libvirt_version, b1, sizeof(b1)),
	       ga_version_format(p->target.qemu_version, b2, sizeof(b2)), ga_gi_form_to_string(p->caps.form),
	       p->caps.driver_model ? "yes" : "no");
	printf("\n");
	print_cells(plan, a->pin);
	printf("\n");
	print_gpus(plan);
	printf("\nDistances (%s):\n     ", ga_dist_source_to_string(plan->dist_source));
	for (unsigned j = 0; j < plan->nnodes; j++)
		printf(" %3u", j);
	printf("\n");
	for (unsigned i = 0; i < plan->nnodes; i++) {
		printf("  %3u", i);
		for (unsigned j = 0; j < plan->nnodes; j++)
			printf(" %3u", ga_plan_distance(plan, i, j));
		printf("\n");
	}
	printf("\nMMIO: 64-bit BARs %s + reserve %s = %s; ", human(plan->mmio_needed - GA_PLAN_MMIO_RESERVE, b1, sizeof(b1)),
	       human(GA_PLAN_MMIO_RESERVE, b2, sizeof(b2)), human(plan->mmio_needed, b3, sizeof(b3)));
	if (plan->arch == GA_ARCH_AARCH64) {
		if (plan->mmio_window)
			printf("above the 512 GiB default: highmem-mmio-size=%s\n",
			       ga_domxml_qemu_size(plan->mmio_window, b1, sizeof(b1)));
		else
			printf("the 512 GiB default is enough\n");
	} else {
		printf("pcihole64 %s\n", human(plan->mmio_window, b1, sizeof(b1)));
	}
}

static void json_version(struct json *j, const char *key, unsigned long v)
{
	char buf[32];

	json_key(j, key);
	if (v)
		json_string(j, ga_version_format(v, buf, sizeof(buf)));
	else
		json_null(j);
}

static void print_plan_json(const struct prepared *p)
{
	const struct ga_plan *plan = p->plan;
	struct json j;
	char buf[64];

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_string(&j, "arch", ga_arch_to_string(plan->arch));
	json_kv_string(&j, "machine", plan->arch == GA_ARCH_X86_64 ? "q35" : "virt");
	json_kv_uint(&j, "vcpus", plan->vcpus);
	json_kv_uint(&j, "memory_kib", plan->memory_kib);
	json_kv_bool(&j, "pin", plan->pin);
	json_key(&j, "target");
	json_begin_object(&j);
	json_version(&j, "libvirt_version", p->target.libvirt_version);
	json_version(&j, "qemu_version", p->target.qemu_version);
	json_kv_string(&j, "uri", p->target.uri);
	json_kv_string(&j, "gi_form", ga_gi_form_to_string(p->caps.form));
	json_kv_bool(&j, "driver_model", p->caps.driver_model);
	json_end_object(&j);
	json_key(&j, "cells");
	json_begin_array(&j);
	for (size_t i = 0; i < plan->ncells; i++) {
		const struct ga_plan_cell *c = &plan->cells[i];

		json_begin_object(&j);
		json_kv_uint(&j, "id", c->id);
		json_kv_int(&j, "host_node", c->host_node);
		json_key(&j, "vcpus");
		json_begin_array(&j);
		for (unsigned v = c->first_vcpu; v < c->first_vcpu + c->nvcpus; v++)
			json_uint(&j, v);
		json_end_array(&j);
		json_kv_uint(&j, "memory_kib", c->memory_kib);
		json_kv_string(&j, "host_cpus", c->host_cpus);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "gpus");
	json_begin_array(&j);
	for (size_t i = 0; i < plan->ngpus; i++) {
		const struct ga_plan_gpu *g = &plan->gpus[i];

		json_begin_object(&j);
		json_kv_string(&j, "address", g->name);
		json_kv_string(&j, "model", g->model->name);
		json_kv_string(&j, "alias", g->alias);
		json_kv_string(&j, "driver", g->driver);
		json_kv_int(&j, "host_node", g->host_node);
		json_kv_uint(&j, "cell", g->cell);
		json_key(&j, "gi_nodes");
		json_begin_array(&j);
		for (unsigned k = 0; k < g->ngi; k++)
			json_uint(&j, g->first_gi + k);
		json_end_array(&j);
		json_kv_string(&j, "gi_count_source", ga_gi_source_to_string(g->gi_source));
		json_key(&j, "acpi");
		if (g->acpi_known) {
			json_begin_object(&j);
			json_kv_string(&j, "table", g->acpi_table);
			if (g->mem_size) {
				json_kv_uint(&j, "gpu_mem_base", g->mem_base);
				json_kv_uint(&j, "gpu_mem_size", g->mem_size);
			}
			if (g->has_pxm_start)
				json_kv_uint(&j, "gpu_mem_pxm_start", g->pxm_start);
			if (g->has_pxm)
				json_kv_uint(&j, "gpu_mem_pxm_count", g->pxm_count);
			json_end_object(&j);
		} else {
			json_null(&j);
		}
		json_key(&j, "host_memory_nodes");
		if (g->host_mem_nodes) {
			json_begin_array(&j);
			for (unsigned k = 0; k < g->nhost_mem_nodes; k++)
				json_int(&j, g->host_mem_nodes[k]);
			json_end_array(&j);
		} else {
			json_null(&j);
		}
		json_kv_uint(&j, "bar_bytes", g->bar_bytes);
		json_kv_int(&j, "iommu_group", g->iommu_group);
		json_kv_uint(&j, "iommu_group_peers", g->npeers);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "gi_nodes");
	json_begin_array(&j);
	for (unsigned id = (unsigned)plan->ncells; id < plan->nnodes; id++)
		json_uint(&j, id);
	json_end_array(&j);
	json_kv_uint(&j, "nodes", plan->nnodes);
	json_key(&j, "distances");
	json_begin_object(&j);
	json_kv_string(&j, "source", ga_dist_source_to_string(plan->dist_source));
	json_key(&j, "matrix");
	json_begin_array(&j);
	for (unsigned a = 0; a < plan->nnodes; a++) {
		json_begin_array(&j);
		for (unsigned b = 0; b < plan->nnodes; b++)
			json_uint(&j, ga_plan_distance(plan, a, b));
		json_end_array(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_key(&j, "mmio");
	json_begin_object(&j);
	json_kv_uint(&j, "needed_bytes", plan->mmio_needed);
	json_kv_uint(&j, "default_bytes", plan->arch == GA_ARCH_AARCH64 ? GA_PLAN_VIRT_DEFAULT_MMIO : 0);
	json_key(&j, "window_bytes");
	if (plan->mmio_window)
		json_uint(&j, plan->mmio_window);
	else
		json_null(&j);
	json_key(&j, "highmem_mmio_size");
	if (plan->mmio_window && plan->arch == GA_ARCH_AARCH64)
		json_string(&j, ga_domxml_qemu_size(plan->mmio_window, buf, sizeof(buf)));
	else
		json_null(&j);
	json_end_object(&j);
	json_end_object(&j);
	json_end(&j);
}

static int build_xml(struct cli *cli, const struct plan_args *a, const struct prepared *p, char **xml)
{
	struct ga_domxml_opts o = {
		.name = a->name,
		.form = p->caps.form,
		.driver_model = p->caps.driver_model,
		.managed = a->managed == 1,
		.managed_auto = a->managed < 0,
		.virt_type = a->virt_type,
	};

	if (p->domain)
		return ga_domxml_merge(cli->ctx, p->domain, p->domain_len, p->plan, &o, xml);
	return ga_domxml_new(cli->ctx, p->plan, &o, xml);
}

static int run(struct cli *cli, enum cmd_kind kind, int argc, char **argv)
{
	struct plan_args a;
	struct prepared p = { 0 };
	_cleanup_free_ char *xml = NULL, *name = NULL, *uuid = NULL;
	int r = parse_args(cli, kind, argc, argv, &a);

	if (r != EXIT_OK)
		return r;
	if (prepare(cli, &a, &p) < 0) {
		prepared_clear(&p);
		return cli_fail(cli);
	}
	switch (kind) {
	case CMD_PLAN:
		if (a.json)
			print_plan_json(&p);
		else
			print_plan_text(&p, &a);
		break;
	case CMD_XML:
		if (build_xml(cli, &a, &p, &xml) < 0)
			goto fail;
		fputs(xml, stdout);
		break;
	case CMD_DEFINE:
		if (build_xml(cli, &a, &p, &xml) < 0)
			goto fail;
		if (ga_virt_define(cli->ctx, a.uri, xml, &name, &uuid) < 0)
			goto fail;
		printf("%s %s\n", name, uuid);
		break;
	}
	prepared_clear(&p);
	if (fflush(stdout) != 0)
		return cli_usage_error("cannot write the output: %s", strerror(errno)), EXIT_FAIL;
	return EXIT_OK;
fail:
	prepared_clear(&p);
	return cli_fail(cli);
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
