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

struct cli {
	struct ga_ctx *ctx;
	int verbose;
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *args;
	const char *summary;
};

/* Print "gpu-assign: <library's last error>" and return EXIT_FAIL. */
int cli_fail(struct cli *cli);
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
