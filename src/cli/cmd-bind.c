// SPDX-License-Identifier: LGPL-2.1-or-later
/* bind, release, status, repair: hand devices to a vfio driver and back. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ga-bind.h"
#include "ga-ctx.h"
#include "ga-gpu.h"
#include "ga-inuse-domains.h"
#include "ga-inuse.h"
#include "ga-lock.h"
#include "ga-nodedev.h"

enum {
	OPT_STATE_DIR = 0x100,
	OPT_RULES_DIR,
	OPT_NO_WAIT_LOCK,
	OPT_CONNECT,
};

#define COMMON_OPTS                                                                                         \
	{ "state-dir", required_argument, OPT_STATE_DIR, "DIR", "keep gpu-assign's state in DIR", NULL, NULL },             \
	{ "rules-dir", required_argument, OPT_RULES_DIR, "DIR", "write the persistent udev rule in DIR", NULL, NULL },       \
	{ "no-wait-lock", no_argument, OPT_NO_WAIT_LOCK, NULL, "fail at once when another operation runs", NULL, NULL }

/* Options shared by the four commands; returns false if c is not one of them. */
static bool common_opt(int c, struct ga_bind_opts *o)
{
	switch (c) {
	case OPT_STATE_DIR:
		o->state_dir = optarg;
		return true;
	case OPT_RULES_DIR:
		o->rules_dir = optarg;
		return true;
	case OPT_NO_WAIT_LOCK:
		o->lock_timeout_ms = -1;
		return true;
	default:
		return false;
	}
}

static int parse_addrs(struct cli *cli, int argc, char **argv, struct ga_pci_addr **out, size_t *n)
{
	struct ga_pci_addr *addrs = calloc((size_t)argc + 1, sizeof(*addrs));

	*out = NULL;
	*n = 0;
	if (!addrs)
		return ga_report(cli->ctx, -ENOMEM, "out of memory");
	for (int i = 0; i < argc; i++) {
		int r = ga_pci_addr_parse(cli->ctx, argv[i], &addrs[i]);

		if (r < 0) {
			free(addrs);
			return r;
		}
	}
	*out = addrs;
	*n = (size_t)argc;
	return 0;
}

/* Every assignable GPU of the host (bind --all). */
static int all_gpus(struct cli *cli, struct ga_pci_addr **out, size_t *n)
{
	_cleanup_host_ struct ga_host *host = NULL;
	struct ga_pci_addr *addrs;
	int r;

	*out = NULL;
	*n = 0;
	r = ga_host_discover(cli->ctx, &host);
	if (r < 0)
		return r;
	addrs = calloc(host->ndevs + 1, sizeof(*addrs));
	if (!addrs)
		return ga_report(cli->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < host->ndevs; i++) {
		struct ga_gpu gpu;

		r = ga_gpu_assess(cli->ctx, host, &host->devs[i], &gpu);
		if (r < 0) {
			free(addrs);
			return r;
		}
		if (ga_gpu_is_assignable(&gpu))
			addrs[(*n)++] = host->devs[i].addr;
		ga_gpu_clear(&gpu);
	}
	if (*n == 0) {
		free(addrs);
		return ga_report(cli->ctx, -ENODEV,
				 "bind --all: this host has no assignable GPU (see 'gpu-assign list' for why)");
	}
	*out = addrs;
	return 0;
}

static void print_summary(const char *verb, const struct ga_bind_summary *s)
{
	if (s->repaired)
		printf("rolled back an interrupted operation first (%zu device(s) put back)\n", s->repaired);
	printf("%s %zu device(s)", verb, s->changed);
	if (s->unchanged)
		printf(", %zu already as asked", s->unchanged);
	if (s->rules)
		printf(", %zu udev rule line(s) changed", s->rules);
	putchar('\n');
}

static int parse_seconds(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return -1;
	*out = (int)v;
	return 0;
}

const struct cli_option bind_options[] = {
	{ "driver", required_argument, 'd', "NAME", "bind to this vfio driver instead of the one detected", NULL, NULL },
	{ "driver-model", required_argument, 'd', "NAME", "the same as --driver (the name plan and xml use)", NULL, NULL },
	{ "all", no_argument, 'a', NULL, "every assignable GPU of the host", NULL, NULL },
	{ "persistent", no_argument, 'p', NULL, "also at boot: a udev rule binds them", NULL, NULL },
	{ "wait", required_argument, 'w', "SECONDS", "wait up to SECONDS for the GPU memory to go offline", NULL, NULL },
	{ "connect", required_argument, OPT_CONNECT, "URI", "let the libvirt at URI detach them (virNodeDeviceDetachFlags)", NULL, NULL },
	{ "force", no_argument, 'f', NULL, "also a device that is not a GPU (or a GPU's IOMMU-group peer named with it)", NULL, NULL },
	COMMON_OPTS,
	{ NULL }
};

/* What bind and release end with: libvirt's node devices with --connect, else ga-bind's transaction. */
static int bind_or_release(struct cli *cli, bool bind, const char *uri, const struct ga_pci_addr *addrs, size_t n,
			   const struct ga_bind_opts *o)
{
	struct ga_bind_summary sum;
	int r;

	if (uri) {
		r = bind ? ga_nodedev_detach(cli->ctx, uri, addrs, n) : ga_nodedev_reattach(cli->ctx, uri, addrs, n);
		if (r < 0)
			return cli_fail(cli);
		printf("%s %zu device(s) through libvirt\n", bind ? "detached" : "reattached", n);
		return EXIT_OK;
	}
	r = bind ? ga_bind_apply(cli->ctx, addrs, n, o, &sum) : ga_bind_release(cli->ctx, addrs, n, o, &sum);
	if (r < 0)
		return cli_fail(cli);
	print_summary(bind ? "bound" : "released", &sum);
	return EXIT_OK;
}

int cmd_bind(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *opt;
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	struct ga_bind_opts o = { 0 };
	const char *uri = NULL;
	bool all = false;
	size_t n;
	int c;

	while ((c = cli_getopt(cli, argc, argv, &opt)) != -1) {
		if (common_opt(c, &o))
			continue;
		switch (c) {
		case 'd':
			o.driver = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'p':
			o.persistent = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'w':
			if (parse_seconds(optarg, &o.wait_sec) < 0)
				return cli_usage_error("bind: --wait takes a number of seconds (0 to 86400), not '%s'", optarg);
			break;
		case OPT_CONNECT:
			uri = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (all == (optind < argc))
		return cli_usage_error("bind: give PCI addresses or --all (one of them)");
	if (uri && (o.driver || o.persistent))
		return cli_usage_error("bind: with --connect libvirt chooses the driver and keeps no udev rule: drop --driver/--persistent");
	if (!all && parse_addrs(cli, argc - optind, argv + optind, &addrs, &n) < 0)
		return cli_fail_usage(cli);
	if (all && all_gpus(cli, &addrs, &n) < 0)
		return cli_fail(cli);
	return bind_or_release(cli, true, uri, addrs, n, &o);
}

/*
 * A running domain of the default libvirt that has one of the devices (with
 * --all: any the release takes, ga_bind_release_all_addrs) as a hostdev keeps it (not asked for a fixture
 * sysfs root). Asked before the lock is
 * taken: the hook of a domain starting meanwhile waits for that lock, and
 * libvirtd for its hook. The library checks open VFIO files under the lock.
 */
static int running_domain_check(struct cli *cli, const struct ga_bind_opts *o, const struct ga_pci_addr *addrs,
				size_t n)
{
	_cleanup_free_ struct ga_pci_addr *all = NULL;
	size_t nall = 0;

	/* A fixture's devices are not the host's: its libvirt has nothing to say about them. */
	if (strcmp(ga_ctx_get_sysfs_root(cli->ctx), "/sys"))
		return 0;
	if (!o->all)
		return ga_inuse_check_domains(cli->ctx, NULL, addrs, n);
	if (ga_bind_release_all_addrs(cli->ctx, o, &all, &nall) < 0)
		return -1;
	return ga_inuse_check_domains(cli->ctx, NULL, all, nall);
}

const struct cli_option release_options[] = {
	{ "all", no_argument, 'a', NULL, "every device gpu-assign bound", NULL, NULL },
	{ "persistent", no_argument, 'p', NULL, "also remove their udev rule lines", NULL, NULL },
	{ "connect", required_argument, OPT_CONNECT, "URI", "let the libvirt at URI reattach them (virNodeDeviceReAttach)", NULL, NULL },
	{ "force", no_argument, 'f', NULL, "also a device a running domain or a process still uses", NULL, NULL },
	COMMON_OPTS,
	{ NULL }
};

int cmd_release(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *opt;
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	struct ga_bind_opts o = { 0 };
	const char *uri = NULL;
	size_t n = 0;
	int c;

	while ((c = cli_getopt(cli, argc, argv, &opt)) != -1) {
		if (common_opt(c, &o))
			continue;
		switch (c) {
		case 'a':
			o.all = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'p':
			o.persistent = true;
			break;
		case OPT_CONNECT:
			uri = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (o.all == (optind < argc))
		return cli_usage_error("release: give PCI addresses or --all (one of them)");
	if (uri && (o.all || o.persistent))
		return cli_usage_error("release: with --connect give the addresses; --all and --persistent are for devices gpu-assign bound");
	if (!o.all && parse_addrs(cli, argc - optind, argv + optind, &addrs, &n) < 0)
		return cli_fail_usage(cli);
	if (!uri && !o.force && running_domain_check(cli, &o, addrs, n) < 0)
		return cli_fail(cli);
	return bind_or_release(cli, false, uri, addrs, n, &o);
}

const struct cli_option repair_options[] = { COMMON_OPTS, { NULL } };

int cmd_repair(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *opt;
	struct ga_bind_opts o = { 0 };
	struct ga_bind_summary sum;
	int c;

	while ((c = cli_getopt(cli, argc, argv, &opt)) != -1)
		if (!common_opt(c, &o))
			return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error("repair: unexpected argument '%s' (usage: %s)", argv[optind], cli_usage(cli));
	if (ga_bind_repair(cli->ctx, &o, &sum) < 0)
		return cli_fail(cli);
	if (sum.repaired)
		printf("rolled back an interrupted operation: %zu device(s) put back\n", sum.repaired);
	else
		printf("nothing to repair\n");
	return EXIT_OK;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static void format_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", t);
}

const struct cli_option status_options[] = {
	{ "json", no_argument, 'j', NULL, "one JSON document (gpu-assign(1), JSON OUTPUT)", NULL, NULL },
	COMMON_OPTS,
	{ NULL }
};

int cmd_status(struct cli *cli, int argc, char **argv)
{
	const struct cli_option *opt;
	struct ga_bind_opts o = { 0 };
	struct ga_bind_status st;
	bool as_json = false;
	int c;

	while ((c = cli_getopt(cli, argc, argv, &opt)) != -1) {
		if (common_opt(c, &o))
			continue;
		if (c != 'j')
			return EXIT_USAGE;
		as_json = true;
	}
	if (optind < argc)
		return cli_usage_error("status: unexpected argument '%s' (usage: %s)", argv[optind], cli_usage(cli));
	if (ga_bind_status_read(cli->ctx, &o, &st) < 0)
		return cli_fail(cli);
	if (as_json) {
		struct json j;

		json_begin_document(&j, stdout);
		json_key(&j, "devices");
		json_begin_array(&j);
		for (size_t i = 0; i < st.n; i++) {
			const struct ga_status_entry *e = &st.v[i];
			char name[GA_PCI_ADDR_STRLEN];

			json_begin_object(&j);
			json_kv_string(&j, "address", ga_pci_addr_format(&e->addr, name));
			json_kv_bool(&j, "present", e->present);
			json_kv_string(&j, "driver", e->present && *e->current ? e->current : NULL);
			json_kv_bool(&j, "bound_by_gpu_assign", e->recorded);
			json_kv_string(&j, "bound_to", e->recorded ? e->binding.driver : NULL);
			json_kv_string(&j, "previous_driver", e->recorded && *e->binding.orig_driver ? e->binding.orig_driver : NULL);
			json_key(&j, "since");
			if (e->recorded)
				json_int(&j, e->binding.since);
			else
				json_null(&j);
			json_kv_string(&j, "persistent_driver", *e->persistent ? e->persistent : NULL);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_kv_bool(&j, "interrupted_operation", st.interrupted);
		json_end_object(&j);
		json_end(&j);
	} else {
		if (st.n == 0)
			printf("no device bound by gpu-assign\n");
		else
			printf("%-12s  %-22s  %-22s  %-22s  %-20s  %s\n", "ADDRESS", "DRIVER", "BOUND-TO", "FROM", "SINCE",
			       "PERSISTENT");
		for (size_t i = 0; i < st.n; i++) {
			const struct ga_status_entry *e = &st.v[i];
			char name[GA_PCI_ADDR_STRLEN], when[32] = "-";

			if (e->recorded)
				format_time(e->binding.since, when, sizeof(when));
			printf("%-12s  %-22s  %-22s  %-22s  %-20s  %s\n", ga_pci_addr_format(&e->addr, name),
			       e->present ? dash(e->current) : "(gone)", e->recorded ? e->binding.driver : "-",
			       e->recorded ? (*e->binding.orig_driver ? e->binding.orig_driver : "(none)") : "-", when,
			       dash(e->persistent));
		}
		if (st.interrupted)
			printf("an interrupted '%s' (pid %ld) left a journal of %zu device(s): run 'gpu-assign repair'\n",
			       st.journal.op, st.journal.pid, st.journal.n);
	}
	ga_bind_status_clear(&st);
	return EXIT_OK;
}
