#include <errno.h>
#include <stdlib.h>

#include "ga-domcheck.h"
#include "ga-ctx.h"
#include "ga-prepare.h"

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
	if (!req->memory_kib)
		req->memory_kib = p->info.memory_kib;
	if (!req->vcpus)
		return ga_report(ctx, -EINVAL, "the domain has no <vcpu>: give --vcpus N");
	if (!req->memory_kib)
		return ga_report(ctx, -EINVAL, "the domain has no <memory>: give --memory SIZE");
	if (req->arch == GA_ARCH_AUTO)
		req->arch = p->info.arch;
	return 0;
}

/* The target stack: asked over a connection, given, or the installed libvirt. */
static int resolve_target(struct ga_ctx *ctx, const struct ga_plan_input *in, struct ga_prepared *p)
{
	enum ga_arch arch = p->plan->arch;
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
	return ga_target_resolve(ctx, &p->target, in->form, &p->caps);
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
	if (r < 0)
		ga_prepared_clear(out);
	return r < 0 ? r : 0;
}
