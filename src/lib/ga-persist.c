// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-persist.h"
#include "ga-statefile.h"

#define HEADER                                                                        \
	"# Written by 'gpu-assign bind --persistent'; change it with gpu-assign only\n" \
	"# ('gpu-assign release --persistent ADDRESS' removes a line).\n"

void ga_rules_clear(struct ga_rules *rules)
{
	free(rules->v);
	rules->v = NULL;
	rules->n = 0;
}

const struct ga_rule *ga_rules_find(const struct ga_rules *rules, const struct ga_pci_addr *addr)
{
	for (size_t i = 0; i < rules->n; i++)
		if (ga_pci_addr_equal(&rules->v[i].addr, addr))
			return &rules->v[i];
	return NULL;
}

/*
 * One rule line. The kernel probes drivers for a new device before udev sees
 * its "add" event, so setting driver_override alone is not enough when the
 * driver's module is already loaded: nothing would probe the device again.
 * The line therefore loads the module (whose registration probes the device
 * when it was not loaded) and then asks the PCI bus to probe the device (a
 * no-op when it already has a driver). Lines written before the probe was
 * added (legacy) are still recognised, and rewritten in the current form.
 */
#define RULE_HEAD "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", ATTR{driver_override}=\"%s\", RUN{builtin}+=\"kmod load %s\""
#define RULE_PROBE ", RUN+=\"/bin/sh -c 'echo $kernel > /sys/bus/pci/drivers_probe'\""

static int format_line(char *buf, size_t size, const struct ga_rule *rule, bool legacy)
{
	char name[GA_PCI_ADDR_STRLEN];

	return snprintf(buf, size, legacy ? RULE_HEAD "\n" : RULE_HEAD RULE_PROBE "\n",
			ga_pci_addr_format(&rule->addr, name), rule->driver, rule->driver);
}

char *ga_rules_format(const struct ga_rules *rules)
{
	size_t cap = sizeof(HEADER), len;
	char *out;

	for (size_t i = 0; i < rules->n; i++)
		cap += (size_t)format_line(NULL, 0, &rules->v[i], false);
	out = malloc(cap);
	if (!out)
		return NULL;
	len = (size_t)snprintf(out, cap, "%s", HEADER);
	for (size_t i = 0; i < rules->n; i++)
		len += (size_t)format_line(out + len, cap - len, &rules->v[i], false);
	return out;
}

/* Whether the len bytes at p (with their newline, if any) are exactly rule's line in one of our forms. */
static bool line_is_ours(const char *p, size_t len, bool has_nl, const struct ga_rule *rule)
{
	char expect[512];

	for (int legacy = 0; legacy <= 1; legacy++) {
		int n = format_line(expect, sizeof(expect), rule, legacy);

		if (n > 0 && (size_t)n < sizeof(expect) && (size_t)n == len + (has_nl ? 0 : 1) &&
		    strncmp(expect, p, len) == 0)
			return true;
	}
	return false;
}

int ga_rules_set(struct ga_ctx *ctx, struct ga_rules *rules, const struct ga_pci_addr *addr, const char *driver)
{
	struct ga_rule *grown;
	size_t i;

	for (i = 0; i < rules->n; i++) {
		if (!ga_pci_addr_equal(&rules->v[i].addr, addr))
			continue;
		if (driver) {
			snprintf(rules->v[i].driver, sizeof(rules->v[i].driver), "%s", driver);
		} else {
			memmove(&rules->v[i], &rules->v[i + 1], (rules->n - i - 1) * sizeof(*rules->v));
			rules->n--;
		}
		return 0;
	}
	if (!driver)
		return 0;
	if (!ga_driver_name_valid(driver))
		return ga_report(ctx, -EINVAL, "invalid driver name '%s' for a udev rule", driver);
	grown = realloc(rules->v, (rules->n + 1) * sizeof(*grown));
	if (!grown)
		return ga_report(ctx, -ENOMEM, "out of memory");
	rules->v = grown;
	for (i = rules->n; i > 0 && ga_pci_addr_cmp(&rules->v[i - 1].addr, addr) > 0; i--)
		rules->v[i] = rules->v[i - 1];
	rules->v[i].addr = *addr;
	snprintf(rules->v[i].driver, sizeof(rules->v[i].driver), "%s", driver);
	rules->n++;
	return 0;
}

int ga_rules_parse(struct ga_ctx *ctx, const char *text, struct ga_rules *out)
{
	unsigned lineno = 0;

	out->v = NULL;
	out->n = 0;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		char addr[16] = "", driver[GA_DRIVER_NAME_MAX] = "";
		struct ga_rule rule;

		lineno++;
		if (p[0] != '#' && p[0] != '\n') {
			/* Take the two values, then require the line to be exactly what we write. */
			if (sscanf(p, "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%12[0-9a-fA-F:.]\", ATTR{driver_override}=\"%63[A-Za-z0-9_.-]\"",
				   addr, driver) != 2 ||
			    !ga_pci_addr_valid(addr, &rule.addr) || !ga_driver_name_valid(driver))
				goto bad;
			snprintf(rule.driver, sizeof(rule.driver), "%s", driver);
			if (!line_is_ours(p, len, nl != NULL, &rule))
				goto bad;
			if (ga_rules_find(out, &rule.addr) || ga_rules_set(ctx, out, &rule.addr, rule.driver) < 0)
				goto bad;
		}
		p = nl ? nl + 1 : NULL;
		continue;
bad:
		ga_rules_clear(out);
		return ga_report(ctx, -GA_E_PARSE,
				 "cannot parse udev rules line %u '%.*s': not a line gpu-assign writes (fix or remove the file '" GA_UDEV_RULES_FILE "')",
				 lineno, (int)(len > 100 ? 100 : len - (nl ? 1 : 0)), p);
	}
	return 0;
}

int ga_rules_want(struct ga_ctx *ctx, struct ga_rules *rules, const struct ga_pci_addr *addr, const char *driver,
		  size_t *changed)
{
	const struct ga_rule *cur = ga_rules_find(rules, addr);

	if (driver ? cur && !strcmp(cur->driver, driver) : !cur)
		return 0;
	(*changed)++;
	return ga_rules_set(ctx, rules, addr, driver);
}

int ga_rules_read_text(struct ga_ctx *ctx, const char *dir, char **text)
{
	_cleanup_close_ int dfd = -1;

	*text = NULL;
	if (!dir)
		dir = ga_ctx_get(ctx, GA_SETTING_RULES_DIR);
	dfd = ga_dir_open(ctx, dir, false, 0755, false);
	if (dfd == -ENOENT) {
		ga_clear_error(ctx);
		return 0;
	}
	if (dfd < 0)
		return dfd;
	return ga_file_read(ctx, dfd, dir, GA_UDEV_RULES_FILE, text);
}

int ga_rules_load(struct ga_ctx *ctx, const char *dir, struct ga_rules *out)
{
	_cleanup_free_ char *text = NULL;
	int r;

	out->v = NULL;
	out->n = 0;
	r = ga_rules_read_text(ctx, dir, &text);
	if (r < 0 || !text)
		return r;
	r = ga_rules_parse(ctx, text, out);
	if (r == -GA_E_PARSE) {
		struct ga_error_saved e;

		/* Name the file: the parser only knows the text. */
		ga_error_save(ctx, &e);
		r = ga_report(ctx, e.code, "'%s/" GA_UDEV_RULES_FILE "': %s", dir ? dir : ga_ctx_get(ctx, GA_SETTING_RULES_DIR),
			      e.message);
	}
	return r;
}

/* Write text (NULL: remove the file) into dir, creating dir only for a file. */
static int store_text(struct ga_ctx *ctx, const char *dir, const char *text)
{
	_cleanup_close_ int dfd = -1;

	dfd = ga_dir_open(ctx, dir, text != NULL, 0755, false);
	if (dfd < 0)
		return dfd == -ENOENT ? (ga_clear_error(ctx), 0) : dfd;
	if (!text)
		return ga_file_remove(ctx, dfd, dir, GA_UDEV_RULES_FILE);
	return ga_file_write_atomic(ctx, dfd, dir, GA_UDEV_RULES_FILE, text, 0644);
}

int ga_rules_store(struct ga_ctx *ctx, const char *dir, const struct ga_rules *rules)
{
	_cleanup_free_ char *text = NULL;

	if (rules->n > 0 && !(text = ga_rules_format(rules)))
		return ga_report(ctx, -ENOMEM, "out of memory");
	return store_text(ctx, dir ? dir : ga_ctx_get(ctx, GA_SETTING_RULES_DIR), text);
}

int ga_rules_restore_text(struct ga_ctx *ctx, const char *dir, const char *text, bool *written)
{
	_cleanup_free_ char *now = NULL;
	int r;

	*written = false;
	if (!dir)
		dir = ga_ctx_get(ctx, GA_SETTING_RULES_DIR);
	r = ga_rules_read_text(ctx, dir, &now);
	if (r < 0)
		return r;
	if (text ? now && !strcmp(now, text) : !now)
		return 0;
	r = store_text(ctx, dir, text);
	*written = r == 0;
	return r;
}

#define UDEV_CONTROL "/run/udev/control"

/*
 * Run udevadm control --reload; 0, or -1 with why[] saying what went wrong
 * (udevadm's own first line of error output when it printed one).
 */
static int run_udevadm_reload(const char *udevadm, char *why, size_t size)
{
	char *const argv[] = { (char *)"udevadm", (char *)"control", (char *)"--reload", (char *)"--timeout=10", NULL };
	char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	posix_spawn_file_actions_t fa;
	char err[256];
	size_t len = 0;
	int pipefd[2], status = 0, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, size, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	r = posix_spawn_file_actions_init(&fa);
	if (r == 0) {
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
		r = posix_spawn(&pid, udevadm, &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		snprintf(why, size, "cannot run it: %s", strerror(r));
		return -1;
	}
	/* read to the end (keeping the start), so udevadm never blocks on a full pipe */
	for (;;) {
		char chunk[512];
		ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && len < sizeof(err) - 1; i++)
			err[len++] = chunk[i];
	}
	close(pipefd[0]);
	err[len] = '\0';
	err[strcspn(err, "\n")] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(why, size, "cannot wait for it: %s", strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, size, "exit status %d%s%s", WEXITSTATUS(status), *err ? ": " : "", err);
	else
		snprintf(why, size, "killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

void ga_udev_reload(struct ga_ctx *ctx, const char *dir)
{
	static const char *const paths[] = { "/usr/bin/udevadm", "/bin/udevadm", "/usr/sbin/udevadm", "/sbin/udevadm" };
	const char *udevadm = NULL;
	char why[384];
	struct stat st;

	if (strcmp(dir ? dir : ga_ctx_get(ctx, GA_SETTING_RULES_DIR), GA_UDEV_RULES_DIR_DEFAULT))
		return; /* a test's or a chroot's directory: the running udevd does not read it */
	if (stat(UDEV_CONTROL, &st) < 0 || !S_ISSOCK(st.st_mode))
		return; /* no udevd: it reads the file when it starts */
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && !udevadm; i++)
		if (access(paths[i], X_OK) == 0)
			udevadm = paths[i];
	if (!udevadm)
		snprintf(why, sizeof(why), "udevadm is not in /usr/bin, /bin, /usr/sbin or /sbin");
	else if (run_udevadm_reload(udevadm, why, sizeof(why)) == 0)
		return;
	ga_warn(ctx, "could not ask udevd to reload its rules ('udevadm control --reload': %s); it rereads " GA_UDEV_RULES_FILE
		     " within seconds: run that yourself before hot-adding the GPU",
		why);
}
