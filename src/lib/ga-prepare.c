// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-domcheck.h"
#include "ga-ctx.h"
#include "ga-prepare.h"
#include "ga-variant.h"

void ga_prepared_clear(struct ga_prepared *p)
{
	free(p->domain);
	ga_domxml_info_clear(&p->info);
	ga_host_free(p->discovered);
	ga_plan_free(p->plan);
	ga_target_clear(&p->target);
	*p = (struct ga_prepared){ 0 };
}

/* Read the domain file; what the request leaves out comes from it. */
static int read_domain(struct ga_ctx *ctx, const char *path, struct ga_plan_request *req, struct ga_prepared *p)
{
	int r = ga_read_file(ctx, path, "domain XML", GA_DOMAIN_MAX_XML, &p->domain, &p->domain_len);

	if (r < 0)
		return r;
	r = ga_domxml_read_info(ctx, p->domain, p->domain_len, &p->info);
	if (r < 0)
		return r;
	if (!req->vcpus)
		req->vcpus = p->info.vcpus;
	if (p->info.ncells) {
		uint64_t sum = 0;

		/* the domain's own cells stay: their memory is the guest's */
		for (size_t i = 0; i < p->info.ncells; i++)
			sum += p->info.cells[i].memory_kib;
		if (req->memory_kib && req->memory_kib != sum)
			return ga_report(ctx, -EINVAL,
					 "the domain's own guest NUMA cells hold %" PRIu64 " KiB, which --memory cannot change: resize the cells in the domain (or drop --memory)",
					 sum);
		req->memory_kib = sum;
		req->user_cells = p->info.cells;
		req->nuser_cells = p->info.ncells;
		req->user_distances = p->info.cell_distances;
	}
	if (!req->memory_kib)
		req->memory_kib = p->info.memory_kib;
	if (!req->vcpus)
		return ga_report(ctx, -EINVAL, "the domain has no <vcpu>: give --vcpus N");
	if (!req->memory_kib)
		return ga_report(ctx, -EINVAL, "the domain has no <memory>: give --memory SIZE");
	if (req->arch == GA_ARCH_AUTO)
		req->arch = p->info.arch;
	/* a domain whose own machine cannot take the layout is refused before the planner says anything */
	return ga_domxml_check_machine(ctx, &p->info, p->info.arch);
}

/* The target stack: asked over a connection, given, or the installed libvirt. */
static int resolve_target(struct ga_ctx *ctx, const struct ga_plan_input *in, struct ga_prepared *p)
{
	enum ga_arch arch = p->plan->arch;
	struct ga_target_want want = { .form = in->form, .managed_yes = in->managed_yes };
	int r = 0;

	if (in->connect)
		r = ga_target_connect(ctx, in->uri, ga_arch_to_string(arch), ga_arch_machine(arch),
				      in->virt_type ? in->virt_type : "kvm", &p->target);
	else if (in->libvirt_version)
		p->target.libvirt_version = in->libvirt_version;
	else
		r = ga_target_local(ctx, &p->target);
	if (r < 0)
		return r;
	if (!in->connect)
		p->target.qemu_version = in->qemu_version;
	want.highmem_mmio = arch == GA_ARCH_AARCH64 ? p->plan->mmio_window : 0;
	return ga_target_resolve(ctx, &p->target, &want, &p->caps);
}

/* "A B C" of the plan's GPUs, for the messages. */
static void gpu_list(const struct ga_plan *plan, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < plan->ngpus && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? " " : "", plan->gpus[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int ga_prepared_resolve_drivers(struct ga_ctx *ctx, const struct ga_plan_input *in, struct ga_prepared *p)
{
	struct ga_plan *plan = p->plan;
	const char *target = p->target.uri ? p->target.uri : in->uri ? in->uri : "(default)";
	char list[1024], bind[1100];
	bool remote = p->target.remote && !in->driver_model;
	const char *driver = NULL;

	for (size_t i = 0; i < plan->ngpus; i++) {
		struct ga_plan_gpu *g = &plan->gpus[i];
		const struct ga_pci_dev *dev = ga_host_find_dev(p->host, &g->addr);
		struct ga_variant v;
		int r;

		if (remote) {
			g->driver[0] = '\0';
			continue;
		}
		if (in->driver_model || !g->driver[0]) {
			if (!dev)
				return ga_pci_report_missing(ctx, &g->addr);
			r = ga_variant_detect(ctx, dev, in->driver_model, &v);
			if (r < 0)
				return r;
			snprintf(g->driver, sizeof(g->driver), "%s", v.driver);
		}
		driver = !driver || !strcmp(driver, g->driver) ? g->driver : "";
	}
	gpu_list(plan, list, sizeof(list));
	snprintf(bind, sizeof(bind), "gpu-assign bind%s%s %s", in->driver_model ? " --driver-model " : "",
		 in->driver_model ? in->driver_model : "", list);
	if (p->caps.unmanaged) {
		char lv[32];

		ga_warn(ctx,
			"libvirt %s cannot bind a vfio-pci variant driver itself (10.0 can): the GPUs' <hostdev> elements are managed='no', so the gpu-assign hook binds %s to %s when the domain starts (or run '%s' before starting it)",
			ga_version_format(p->target.libvirt_version, lv, sizeof(lv)), list,
			driver && *driver ? driver : "its variant driver", bind);
	} else if (remote) {
		ga_warn(ctx,
			"the target '%s' is another host, whose kernel decides the variant driver: no <driver model> is written and libvirt there picks the most specific one (give --driver-model NAME to name one)",
			target);
	}
	p->caps.driver_model = p->caps.driver_model && !remote;
	return 0;
}

int ga_plan_prepare(struct ga_ctx *ctx, const struct ga_plan_input *in, struct ga_prepared *out)
{
	struct ga_plan_request req = in->req;
	int r = 0;

	*out = (struct ga_prepared){ 0 };
	if (in->domain_file)
		r = read_domain(ctx, in->domain_file, &req, out);
	out->host = in->host;
	if (r >= 0 && !out->host) {
		r = ga_host_discover(ctx, &out->discovered);
		out->host = out->discovered;
	}
	if (r >= 0)
		r = ga_plan_build(ctx, out->host, &req, &out->plan);
	if (r >= 0)
		r = resolve_target(ctx, in, out);
	if (r >= 0)
		r = ga_prepared_resolve_drivers(ctx, in, out);
	if (r < 0)
		ga_prepared_clear(out);
	return r < 0 ? r : 0;
}

void ga_prepared_domxml_opts(const struct ga_prepared *p, struct ga_domxml_opts *o)
{
	o->form = p->caps.form;
	o->driver_model = p->caps.driver_model;
	o->virt_pcihole64 = p->caps.virt_pcihole64;
	if (p->caps.unmanaged)
		o->managed = o->managed_auto = false;
}
