/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared pieces of the gpu-assign front end. */
#pragma once

#include <stdbool.h>

#include "ga-ctx.h"
#include "json.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* the operation failed; one line on stderr says why */
	EXIT_USAGE = 2, /* bad command line */
};

struct cli_command;

struct cli {
	struct ga_ctx *ctx;
	int verbose;
	const struct cli_command *cmd; /* the command being run */
};

/*
 * One command-line option: what getopt needs and what --help shows. A
 * command's options are one array ending with { NULL }: its getopt table,
 * its help and its usage messages all come from it.
 */
struct cli_option {
	const char *name;  /* long name, without "--" */
	int has_arg;       /* no_argument or required_argument */
	int val;           /* what cli_getopt returns: the short option letter, if any */
	const char *arg;   /* the value's name in the help ("DIR"); NULL for a flag */
	const char *help;  /* one line */
	const char *only;  /* the one command of a shared table that takes it, or NULL */
	const void *ext;   /* what the command keeps with the option */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *synopsis; /* what follows the name, as in gpu-assign(1) SYNOPSIS */
	const char *summary;  /* one line */
	const struct cli_option *options;
};

/*
 * getopt_long over cli->cmd's options. Returns the option's val (0 for a
 * long-only option without one), -1 after the last option, or '?' after
 * printing a usage error (unknown option, missing value, an option of
 * another command); *opt is the option found.
 */
int cli_getopt(struct cli *cli, int argc, char **argv, const struct cli_option **opt);
/* "gpu-assign CMD SYNOPSIS" for cli->cmd. */
const char *cli_usage(const struct cli *cli);

/* Print "gpu-assign: <library's last error>" and return EXIT_FAIL. */
int cli_fail(struct cli *cli);
/*
 * Print the library's last error and return EXIT_USAGE: for a value on the
 * command line the library refuses to parse (an address, a size, a version).
 */
int cli_fail_usage(struct cli *cli);
/* Print "gpu-assign: out of memory" and return EXIT_FAIL. */
int cli_oom(void);
/* Print "gpu-assign: <message>" and return EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_plan(struct cli *cli, int argc, char **argv);
int cmd_xml(struct cli *cli, int argc, char **argv);
int cmd_define(struct cli *cli, int argc, char **argv);
int cmd_bind(struct cli *cli, int argc, char **argv);
int cmd_release(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_repair(struct cli *cli, int argc, char **argv);
int cmd_nova_config(struct cli *cli, int argc, char **argv);

/* Each command's options (in the file that runs it). */
extern const struct cli_option list_options[], show_options[], check_options[], plan_options[],
	bind_options[], release_options[], status_options[], repair_options[], nova_config_options[];
