// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ga-acpi-dev.h"
#include "ga-bind.h"
#include "ga-catalog.h"
#include "ga-config.h"
#include "ga-ctx.h"
#include "ga-domcheck.h"
#include "ga-escape.h"
#include "ga-plan.h"
#include "ga-sysfs.h"
#include "hook.h"

#define MSG_MAX 4096

/* Where the messages of one invocation go once we know a GPU is involved. */
struct hook_run {
	const struct hook_opts *o;
	const struct ga_config *cfg; /* NULL until loaded */
	const char *domain, *op, *subop;
};

__attribute__((format(printf, 3, 4))) static void note(const struct hook_run *run, int prio, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	/* once here for syslog; hook_log_line escapes the domain and the rest itself */
	va_start(ap, fmt);
	ga_escape_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hook_log_line(run->o->trace_path, run->domain, run->op, run->subop, msg);
	if (run->cfg && run->cfg->log_file)
		hook_log_line(run->cfg->log_file, run->domain, run->op, run->subop, msg);
	if (run->o->syslog && (!run->cfg || run->cfg->syslog)) {
		char domain[MSG_MAX / 4];

		ga_escape_ctrl(domain, sizeof(domain), run->domain);
		openlog("gpu-assign-hook", LOG_PID, LOG_DAEMON);
		syslog(prio, "domain '%s' %s %s: %s", domain, run->op, run->subop, msg);
		closelog();
	}
}

struct gpu_ref {
	const struct ga_dom_hostdev *hd;
	const struct ga_catalog_entry *model;
	char name[GA_PCI_ADDR_STRLEN];
};

/*
 * Is this hostdev a Grace GPU? Reads only its vendor and device ids. A device
 * the host does not have is not ours to judge (libvirt will refuse it).
 */
static const struct ga_catalog_entry *grace_model(struct ga_ctx *ctx, const struct ga_dom_hostdev *hd, char *name)
{
	const struct ga_catalog_entry *model;
	long vendor, device;

	ga_pci_addr_format(&hd->addr, name);
	if (ga_sysfs_read_int(ctx, &vendor, GA_SYSFS_PCI_DEV_ATTR, name, "vendor") < 0 ||
	    ga_sysfs_read_int(ctx, &device, GA_SYSFS_PCI_DEV_ATTR, name, "device") < 0 ||
	    vendor < 0 || vendor > 0xffff || device < 0 || device > 0xffff)
		return NULL;
	model = ga_catalog_find(ctx, (uint16_t)vendor, (uint16_t)device);
	return model && model->coherent ? model : NULL;
}

/* hook-standin = "ALIAS=DDDD:BB:SS.F[,ALIAS=...]" (test overrides only, see gpu-assign-hook(8)). */
static int apply_standins(struct ga_ctx *ctx, struct ga_domain *dom, const char *spec)
{
	_cleanup_free_ char *copy = strdup(spec);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		struct ga_pci_addr addr;
		int r;

		if (!eq || !ga_pci_addr_valid(eq + 1, &addr))
			continue;
		*eq = '\0';
		r = ga_domain_add_standin(ctx, dom, item, &addr);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

static void cat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/* The VFIO driver a managed='no' GPU must be on: its hostdev's <driver model>, or NULL for any fit one. */
static const char *wanted_model(const struct gpu_ref *g)
{
	return g->hd->driver_model && ga_driver_is_vfio(g->hd->driver_model) ? g->hd->driver_model : NULL;
}

/*
 * Is the GPU on a driver QEMU can use for it? The hostdev's <driver model>
 * when it names one; else any VFIO driver, except that a coherent GPU on
 * plain vfio-pci would lose its memory. *driver: the driver it is on, or NULL.
 */
static bool on_fit_driver(struct ga_ctx *ctx, const struct gpu_ref *g, char **driver)
{
	const char *model = wanted_model(g);

	if (ga_sysfs_link_name(ctx, driver, GA_SYSFS_PCI_DEV_ATTR, g->name, "driver") < 0)
		*driver = NULL;
	if (!*driver)
		return false;
	if (model)
		return !strcmp(*driver, model);
	return ga_driver_is_vfio(*driver) && !(g->model->coherent && !strcmp(*driver, GA_DRIVER_VFIO_PCI));
}

/*
 * Bind the GPU of a managed='no' hostdev through ga-bind's transaction (host
 * lock, journal, IOMMU group, rollback), recording the domain as its owner
 * in the bindings file: only what the hook bound for a domain is released
 * when that domain stops; a GPU the operator bound (gpu-assign bind,
 * persistent or not) is left alone. Already on a fit VFIO driver: nothing to
 * do, and no lock taken. *bound tells whether this call changed a driver.
 */
static int bind_gpu(const struct hook_run *run, struct ga_ctx *ctx, const struct gpu_ref *g, bool *bound,
		    char *buf, size_t size)
{
	_cleanup_free_ char *driver = NULL;
	/* the domain's <driver model> names the variant driver; else ga-bind takes the one the kernel offers.
	 * The hook binds only GPUs from the catalogue, or a test's declared stand-in (which is not a GPU). */
	struct ga_bind_opts opts = { .lock_timeout_ms = 30000, .owner = run->domain, .driver = wanted_model(g),
				     .force = g->hd->standin };
	struct ga_bind_summary sum = { 0 };

	*bound = false;
	if (on_fit_driver(ctx, g, &driver))
		return 0;
	if (!run->cfg->bind) {
		snprintf(buf, size, "its <hostdev> is managed='no' and it is on %s%s, not on %s (the hook binds none: bind='no' in %s)",
			 driver ? "driver " : "no driver", driver ? driver : "",
			 wanted_model(g) ? wanted_model(g) : "a VFIO driver fit for it",
			 run->cfg->path ? run->cfg->path : run->o->config_path);
		return -EPERM;
	}
	if (ga_bind_apply(ctx, &g->hd->addr, 1, &opts, &sum) < 0) {
		snprintf(buf, size, "its <hostdev> is managed='no' and binding it to a VFIO driver failed: %s",
			 ga_last_error(ctx)->message);
		return -EIO;
	}
	if (sum.changed) {
		_cleanup_free_ char *now = NULL;

		*bound = true;
		if (ga_sysfs_link_name(ctx, &now, GA_SYSFS_PCI_DEV_ATTR, g->name, "driver") < 0)
			now = NULL;
		note(run, LOG_INFO, "GPU %s bound to %s (%zu function(s) changed)", g->name, now ? now : "its VFIO driver",
		     sum.changed);
	}
	return 0;
}

/* Give back a GPU the hook bound for this domain (release policy restore). */
static void release_gpu(const struct hook_run *run, struct ga_ctx *ctx, const struct gpu_ref *g)
{
	struct ga_bind_opts opts = { .lock_timeout_ms = 30000 };
	struct ga_bind_summary sum = { 0 };
	char owner[GA_OWNER_MAX];

	if (ga_bind_owner(ctx, &opts, &g->hd->addr, owner) < 0) {
		note(run, LOG_ERR, "GPU %s: cannot tell whom it was bound for: %s (run 'gpu-assign release %s' if the hook bound it)",
		     g->name, ga_last_error(ctx)->message, g->name);
		return;
	}
	if (strcmp(owner, run->domain)) {
		note(run, LOG_INFO, "GPU %s: not bound by the hook for this domain, left as it is", g->name);
		return;
	}
	if (ga_bind_release(ctx, &g->hd->addr, 1, &opts, &sum) < 0) {
		note(run, LOG_ERR, "GPU %s: giving it back failed: %s (run 'gpu-assign release %s')", g->name,
		     ga_last_error(ctx)->message, g->name);
		return;
	}
	note(run, LOG_INFO, "GPU %s given back to its previous driver (%zu function(s) changed)", g->name, sum.changed);
}

/*
 * The 64-bit MMIO window the domain's GPUs need: their BARs as ga-plan counts
 * them, plus its reserve. 0 ("not checked") when a GPU's BARs cannot be read;
 * ga_domain_check_gpu() does the comparison.
 */
static uint64_t mmio_needed(struct hook_run *run, struct ga_ctx *ctx, const struct gpu_ref *gpus, size_t n)
{
	uint64_t bytes = GA_PLAN_MMIO_RESERVE;

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *res = NULL;
		struct ga_pci_bar bars[GA_PCI_NUM_BARS];

		if (ga_sysfs_read(ctx, &res, GA_SYSFS_PCI_DEV_ATTR, gpus[i].name, "resource") < 0 ||
		    ga_pci_parse_resource(ctx, res, bars) < 0) {
			note(run, LOG_WARNING, "GPU %s: MMIO window not checked: %s", gpus[i].name,
			     ga_last_error(ctx)->message);
			return 0;
		}
		bytes += ga_plan_bar_bytes(bars);
	}
	return bytes;
}

static int find_gpus(struct ga_ctx *ctx, const struct ga_domain *dom, struct gpu_ref **out, size_t *n)
{
	struct gpu_ref *gpus = NULL;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < dom->nhostdevs; i++) {
		struct gpu_ref g = { .hd = &dom->hostdevs[i] };
		struct gpu_ref *grown;

		g.model = grace_model(ctx, g.hd, g.name);
		if (!g.model)
			continue;
		grown = realloc(gpus, (*n + 1) * sizeof(*gpus));
		if (!grown) {
			free(gpus);
			*n = 0;
			return -ENOMEM;
		}
		gpus = grown;
		gpus[(*n)++] = g;
	}
	*out = gpus;
	return 0;
}

/*
 * How many GI nodes the GPU needs: the configuration's override, else the
 * host firmware's count (the GPU's _DSD nvidia,gpu-mem-pxm-count), else the
 * catalogue's, as `gpu-assign plan` counts them.
 */
static unsigned gi_needed(struct ga_ctx *ctx, struct ga_acpi_cache *acpi, const struct ga_config *cfg,
			  const struct gpu_ref *g)
{
	const struct ga_gi_query q = {
		.pci_name = g->name, .catalogue = g->model->gi_nodes, .given = cfg->gi_nodes, .given_by = GA_GI_SOURCE_CONFIG,
	};
	unsigned n;

	ga_gi_count(ctx, acpi, &q, &n, NULL);
	return n;
}

/*
 * Bind every managed='no' GPU; when one fails, give back those bound before
 * it, add why to problems and return true.
 */
static bool bind_unmanaged(const struct hook_run *run, struct ga_ctx *ctx, const struct gpu_ref *gpus, size_t ngpus,
			   bool *bound, char *problems, size_t size)
{
	bool refused = false;

	for (size_t i = 0; i < ngpus; i++) {
		char why[MSG_MAX];

		if (gpus[i].hd->managed || bind_gpu(run, ctx, &gpus[i], &bound[i], why, sizeof(why)) == 0)
			continue;
		cat(problems, size, "%sGPU %s (%s): %s", problems[0] ? " | " : "", gpus[i].name, gpus[i].model->name,
		    why);
		refused = true;
		if (!run->cfg->bind)
			continue; /* nothing was bound: name every GPU that is not ready */
		for (size_t k = 0; k < i; k++)
			if (bound[k])
				release_gpu(run, ctx, &gpus[k]);
		break;
	}
	return refused;
}

/*
 * s as one shell word (as is when it holds only safe characters, else in
 * single quotes), so that a Fix command runs as printed whatever the domain
 * or file is called.
 */
static const char *sh_word(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	if (s[0] && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/:,+=@") == strlen(s))
		return s;
	buf[n++] = '\'';
	for (; *s && n + 5 < size; s++) {
		if (*s == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

/*
 * The fix for a Nova instance without the GPU parts. Only the Nova extension
 * (contrib/nova/) can add them: a prepare hook cannot change the XML. Our
 * <metadata> record tells whether the extension wrote this domain: absent,
 * it is not installed on this compute host or a python3-nova upgrade
 * overwrote it; present, it ran but the domain does not fit this host now.
 */
static void nova_fix(const struct hook_run *run, const struct ga_domain *dom, char *fixes, size_t size)
{
	const char *conf = run->cfg->path ? run->cfg->path : run->o->config_path;
	char who[512];

	snprintf(who, sizeof(who), "this is a Nova instance%s%s%s%s%s%s", dom->nova_instance ? " '" : "",
		 dom->nova_instance ? dom->nova_instance : "", dom->nova_instance ? "'" : "",
		 dom->nova_flavor ? " (flavor '" : "", dom->nova_flavor ? dom->nova_flavor : "",
		 dom->nova_flavor ? "')" : "");
	if (!dom->record.present)
		cat(fixes, size,
		    "%s%s and the gpu-assign Nova extension did not write this domain (no gpu-assign record in its <metadata>): it is not installed on this compute host, or a python3-nova upgrade removed it; re-apply it with '%s/nova/apply' as root, restart nova-compute and hard-reboot the instance (docs/nova.md), or set <hook policy='warn'/> in %s to start it without GPU memory nodes",
		    fixes[0] ? "; " : "", who, GA_PKGDATADIR, conf);
	else
		cat(fixes, size,
		    "%s%s and the gpu-assign Nova extension wrote this domain (its record is in <metadata>), but for another GI count or host: compare <gi-nodes> in %s with what 'gpu-assign nova-config' prints, then hard-reboot the instance so that Nova and the extension write it again",
		    fixes[0] ? "; " : "", who, conf);
}

/*
 * The bind commands for the managed='no' GPUs: one for those that take the
 * variant driver the kernel offers, one each for a GPU whose hostdev names
 * its <driver model> (the hook then wants exactly that driver).
 */
static void bind_fix(const struct gpu_ref *gpus, size_t ngpus, char *fixes, size_t size)
{
	bool any = false;

	for (size_t i = 0; i < ngpus; i++) {
		if (gpus[i].hd->managed || wanted_model(&gpus[i]))
			continue;
		if (!any)
			cat(fixes, size, "%sgpu-assign bind", fixes[0] ? "; " : "");
		cat(fixes, size, " %s", gpus[i].name);
		any = true;
	}
	for (size_t i = 0; i < ngpus; i++) {
		char q[256];

		if (!gpus[i].hd->managed && wanted_model(&gpus[i]))
			cat(fixes, size, "%sgpu-assign bind --driver-model %s %s", fixes[0] ? "; " : "",
			    sh_word(wanted_model(&gpus[i]), q, sizeof(q)), gpus[i].name);
	}
}

/*
 * The Fix commands, each one that works as printed (joined with "; ", the
 * whole line runs in a shell): the unreserved GPUs added to <reserved> of
 * the configuration, the domain merged again with what it lacks, the
 * managed='no' GPUs bound.
 */
static void fix_commands(const struct hook_run *run, const struct ga_domain *dom, const struct gpu_ref *gpus,
			 size_t ngpus, const char *unreserved, const char *list, bool need_layout, bool need_bind,
			 char *fixes, size_t size)
{
	const char *conf = run->cfg->path ? run->cfg->path : run->o->config_path;
	char q[2 * MSG_MAX / 4], qd[MSG_MAX / 4];

	if (unreserved[0])
		cat(fixes, size,
		    "sed -i -e 's|<reserved[[:space:]]*/>|<reserved></reserved>|' -e 's|</reserved>|%s</reserved>|' %s",
		    unreserved, sh_word(conf, q, sizeof(q)));
	if (need_layout && dom->nova)
		nova_fix(run, dom, fixes, size);
	else if (need_layout)
		cat(fixes, size,
		    "%svirsh dumpxml --inactive --security-info %s | gpu-assign xml --domain - --gpu %s | virsh define /dev/stdin",
		    fixes[0] ? "; " : "", sh_word(run->domain, qd, sizeof(qd)), list);
	if (need_bind)
		bind_fix(gpus, ngpus, fixes, size);
}

static int prepare(struct hook_run *run, struct ga_ctx *ctx, const struct ga_domain *dom,
		   const struct gpu_ref *gpus, size_t ngpus)
{
	_cleanup_(ga_acpi_cache_clear) struct ga_acpi_cache acpi = { 0 };
	const struct ga_config *cfg = run->cfg;
	char problems[MSG_MAX] = "", fixes[MSG_MAX] = "", list[512] = "", unreserved[1024] = "";
	bool need_layout = false, need_bind = false;
	uint64_t mmio = mmio_needed(run, ctx, gpus, ngpus);
	_cleanup_free_ bool *bound = calloc(ngpus + 1, sizeof(*bound));
	size_t bad = 0;

	if (!bound) {
		hook_say(run->o->err, "domain '%s': out of memory", run->domain);
		return HOOK_EXIT_REFUSE;
	}
	/* 1. what each GPU lacks in the domain */
	for (size_t i = 0; i < ngpus; i++) {
		const struct gpu_ref *g = &gpus[i];
		unsigned gi = gi_needed(ctx, &acpi, cfg, g);
		struct ga_dom_findings f;
		char what[MSG_MAX] = "";

		cat(list, sizeof(list), "%s%s", i ? "," : "", g->name);
		if (!ga_config_gpu_reserved(cfg, &g->hd->addr)) {
			cat(unreserved, sizeof(unreserved), "<gpu address=\"%s\"/>", g->name);
			cat(what, sizeof(what), "it is not in <reserved> of %s", cfg->path ? cfg->path : "the configuration");
		}
		ga_domain_check_gpu(dom, g->hd, gi, mmio, &f);
		if (f.nproblems) {
			cat(what, sizeof(what), "%s%s", what[0] ? "; " : "", f.text);
			need_layout = true;
		}
		if (!what[0]) {
			note(run, LOG_INFO, "GPU %s (%s): ACPI on, %u of %u GI nodes tied to it%s", g->name,
			     g->model->name, f.gi_found, gi, g->hd->standin ? " (emulated stand-in, test)" : "");
			continue;
		}
		bad++;
		cat(problems, sizeof(problems), "%sGPU %s (%s%s%s%s): %s", problems[0] ? " | " : "", g->name,
		    g->model->name, g->hd->alias ? ", hostdev '" : "", g->hd->alias ? g->hd->alias : "",
		    g->hd->alias ? "'" : "", what);
	}

	/* 2. unless refusing anyway, bind the managed='no' GPUs (undone if one fails); bind='no': check them */
	if (!bad || cfg->policy != GA_HOOK_ENFORCE)
		need_bind = bind_unmanaged(run, ctx, gpus, ngpus, bound, problems, sizeof(problems));
	if (!bad && !need_bind)
		return HOOK_EXIT_OK;

	fix_commands(run, dom, gpus, ngpus, unreserved, list, need_layout, need_bind, fixes, sizeof(fixes));

	if (cfg->policy == GA_HOOK_WARN && !need_bind) {
		note(run, LOG_WARNING, "starting anyway (policy warn): %s. Fix: %s", problems, fixes);
		return HOOK_EXIT_OK;
	}
	note(run, LOG_ERR, "refused%s: %s. Fix: %s", need_bind ? "" : " (policy enforce)", problems, fixes);
	hook_say(run->o->err, "domain '%s' refused: %s. Fix: %s", run->domain, problems, fixes);
	return HOOK_EXIT_REFUSE;
}

/* Release end: give back the managed='no' GPUs the hook bound for this domain (release policy restore). */
static int release_all(const struct hook_run *run, struct ga_ctx *ctx, const struct gpu_ref *gpus, size_t ngpus)
{
	for (size_t i = 0; i < ngpus; i++) {
		if (gpus[i].hd->managed || !run->cfg->bind)
			continue;
		if (run->cfg->release == GA_RELEASE_KEEP)
			note(run, LOG_INFO, "GPU %s stays on its VFIO driver (release policy keep)", gpus[i].name);
		else
			release_gpu(run, ctx, &gpus[i]);
	}
	note(run, LOG_INFO, "released (%zu Grace GPU(s))", ngpus);
	return HOOK_EXIT_OK;
}

/* Out of memory: a start is refused (nothing checked); a release never fails, so it says so and goes on. */
static int out_of_memory(const struct hook_opts *o, const char *domain, enum hook_op kind)
{
	hook_say(o->err, "domain '%s': out of memory%s", domain,
		 kind == HOOK_OP_RELEASE ? " (release: GPUs the hook bound are not given back)" : "");
	return kind == HOOK_OP_RELEASE ? HOOK_EXIT_OK : HOOK_EXIT_REFUSE;
}

int hook_handle(const struct hook_opts *o, const char *domain, const char *op, const char *subop,
		const char *xml, size_t len)
{
	struct ga_ctx *ctx = o->ctx;
	_cleanup_domain_ struct ga_domain *dom = NULL;
	_cleanup_config_ struct ga_config *cfg = NULL;
	_cleanup_free_ struct gpu_ref *gpus = NULL;
	enum hook_op kind = hook_op_classify(op, subop);
	struct hook_run run = { .o = o, .domain = domain, .op = op, .subop = subop };
	size_t ngpus = 0;
	int r;

	if (kind == HOOK_OP_OTHER) {
		hook_trace(o, domain, op, subop, "not an operation we act on");
		return HOOK_EXIT_OK;
	}
	/* (a test stand-in is an emulated device, not a <hostdev>: no pre-scan then) */
	if (!o->standin && !ga_domain_may_have_hostdev(xml, len)) {
		hook_trace(o, domain, op, subop, "no <hostdev>: nothing to do");
		return HOOK_EXIT_OK;
	}
	r = ga_domain_parse(ctx, xml, len, &dom);
	if (r == -ENOMEM)
		return out_of_memory(o, domain, kind);
	if (r < 0) {
		/* libvirt only hands us XML it parsed itself; anything else is not ours to judge */
		note(&run, LOG_WARNING, "not checked: %s", ga_last_error(ctx)->message);
		return HOOK_EXIT_OK;
	}
	if (o->standin && apply_standins(ctx, dom, o->standin) < 0)
		return out_of_memory(o, domain, kind);
	if (find_gpus(ctx, dom, &gpus, &ngpus) < 0)
		return out_of_memory(o, domain, kind);
	if (ngpus == 0) {
		hook_trace(o, domain, op, subop, "%zu PCI hostdev(s), no Grace GPU: nothing to do", dom->nhostdevs);
		return HOOK_EXIT_OK;
	}

	/* A Grace GPU is involved: from here on the configuration matters. */
	r = ga_config_load(ctx, o->config_path, true, &cfg);
	if (r < 0) {
		const char *why = ga_last_error(ctx)->message;

		note(&run, LOG_ERR, "configuration unusable: %s", why);
		if (kind == HOOK_OP_RELEASE)
			return HOOK_EXIT_OK; /* nothing to stop any more; the next start will say it */
		char q[MSG_MAX / 4], q2[MSG_MAX / 4 + 16], moved[MSG_MAX / 4 + 16];

		snprintf(moved, sizeof(moved), "%s.disabled", o->config_path ? o->config_path : "gpu-assign.conf");
		/* correct the file, or move it away: without it the defaults apply (gpu-assign.conf(5)) */
		hook_say(o->err, "domain '%s' refused: it has a Grace GPU and %s. Fix: mv %s %s",
			 domain, why, sh_word(o->config_path ? o->config_path : "gpu-assign.conf", q, sizeof(q)),
			 sh_word(moved, q2, sizeof(q2)));
		return HOOK_EXIT_REFUSE;
	}
	run.cfg = cfg;
	if (cfg->policy == GA_HOOK_OFF) {
		note(&run, LOG_INFO, "%zu Grace GPU(s), policy off: not checked, nothing bound", ngpus);
		return HOOK_EXIT_OK;
	}
	if (kind == HOOK_OP_RELEASE)
		return release_all(&run, ctx, gpus, ngpus);
	r = prepare(&run, ctx, dom, gpus, ngpus);
	if (r == HOOK_EXIT_OK)
		note(&run, LOG_INFO, "allowed: %zu Grace GPU(s)%s", ngpus, dom->nova ? " (Nova instance)" : "");
	return r;
}
