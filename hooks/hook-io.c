// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reading stdin and writing trace/log lines: shared by the hook's front end and its checker (libc only). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ga-domcheck.h"
#include "ga-escape.h"
#include "ga-open.h"
#include "hook.h"

#define MSG_MAX 4096

/*
 * Append one line to a log file (O_APPEND: whole lines even with several
 * hooks at once). Control characters in any part are escaped: a domain or
 * Nova instance name with a newline must not forge a line. The file is
 * opened by the one policy (ga_open_regular): an administrator may symlink
 * it, but a FIFO or anything else that is not a regular file is skipped,
 * never waited on.
 */
void hook_log_line(const char *path, const char *domain, const char *op, const char *subop,
			const char *msg)
{
	char raw[MSG_MAX + 256], line[MSG_MAX + 256], stamp[32];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int fd;

	if (!path || !*path)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (snprintf(raw, sizeof(raw), "%s.%03ld gpu-assign-hook[%d]: domain '%s' %s %s: %s", stamp,
		     ts.tv_nsec / 1000000, (int)getpid(), domain, op, subop, msg) < 0)
		return;
	n = ga_escape_ctrl(line, sizeof(line) - 1, raw);
	line[n++] = '\n';
	fd = ga_open_regular(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT, 0640);
	if (fd < 0)
		return;
	if (write(fd, line, n) < 0) {
		/* a log we cannot write must never change the verdict */
	}
	close(fd);
}

void hook_say(FILE *err, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	ga_escape_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(err, "gpu-assign-hook: %s\n", msg);
}

void hook_trace(const struct hook_opts *o, const char *domain, const char *op, const char *subop,
		const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (!o->trace_path)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hook_log_line(o->trace_path, domain, op, subop, msg);
}


/*
 * Read all of stdin. Beyond GA_DOMAIN_MAX_XML we keep draining (libvirt is
 * writing to us) but only remember whether a <hostdev> went by.
 */
int hook_read_stdin(char **out, size_t *len, bool *too_big, bool *hostdev_seen)
{
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap + 1);

	*too_big = false;
	*hostdev_seen = false;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (used == cap) {
			if (cap >= GA_DOMAIN_MAX_XML) {
				/* keep the last few bytes so a "<hostdev" split across reads is seen */
				*too_big = true;
				*hostdev_seen = *hostdev_seen || ga_domain_may_have_hostdev(buf, used);
				memmove(buf, buf + used - 16, 16);
				used = 16;
			} else {
				char *grown;

				cap *= 2;
				grown = realloc(buf, cap + 1);
				if (!grown) {
					free(buf);
					return -ENOMEM;
				}
				buf = grown;
			}
		}
		n = read(STDIN_FILENO, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	if (*too_big)
		*hostdev_seen = *hostdev_seen || ga_domain_may_have_hostdev(buf, used);
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}


int hook_start(const struct hook_opts *o, int argc, char **argv, char **xml, size_t *len)
{
	bool too_big, hostdev_seen;

	*xml = NULL;
	*len = 0;
	if (argc < 4) {
		hook_say(stderr, "libvirt calls this as 'gpu-assign DOMAIN OPERATION SUB-OPERATION EXTRA' with the domain XML on stdin (see gpu-assign-hook(8))");
		return HOOK_EXIT_USAGE;
	}
	if (hook_op_classify(argv[2], argv[3]) == HOOK_OP_OTHER) {
		hook_trace(o, argv[1], argv[2], argv[3], "not an operation we act on");
		return HOOK_EXIT_OK;
	}
	if (hook_read_stdin(xml, len, &too_big, &hostdev_seen) < 0) {
		hook_say(stderr, "domain '%s': out of memory reading the domain XML", argv[1]);
		return HOOK_EXIT_REFUSE;
	}
	if (too_big) {
		/* libvirt's RPC limits a domain XML to 32 MiB: nothing real gets here */
		hook_trace(o, argv[1], argv[2], argv[3], "domain XML larger than %u bytes%s: not checked",
			   GA_DOMAIN_MAX_XML, hostdev_seen ? " (it has a <hostdev>)" : "");
		free(*xml);
		*xml = NULL;
		return HOOK_EXIT_OK;
	}
	return -1;
}
