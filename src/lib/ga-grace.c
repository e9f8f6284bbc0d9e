// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ga-ctx.h"
#include "ga-grace.h"
#include "ga-open.h"

/* Daemons of NVIDIA's data-center stack that keep a GPU busy. */
static const char *const nvidia_services[] = {
	"nvidia-persistenced", "nv-hostengine", "nv-fabricmanager", "nvidia-fabricmanager",
	"dcgm-exporter", "nvidia-smi", "nvidia-imex", "nvidia-dcgm",
};

static bool is_service(const char *comm)
{
	for (size_t i = 0; i < GA_ARRAY_SIZE(nvidia_services); i++)
		if (!strcmp(comm, nvidia_services[i]))
			return true;
	return false;
}

bool ga_proc_holds(const char *procdir, bool (*match)(const char *fd, const char *target, void *data), void *data)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	if ((size_t)snprintf(path, sizeof(path), "%s/fd", procdir) >= sizeof(path))
		return false;
	dir = opendir(path);
	if (!dir)
		return false; /* gone, a kernel thread, or not ours to look at */
	while (!found && (de = readdir(dir))) {
		ssize_t n;

		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/fd/%s", procdir, de->d_name) >= sizeof(path))
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = match(path, target, data);
	}
	closedir(dir);
	return found;
}

static bool is_nvidia_dev(const char *fd, const char *target, void *data)
{
	(void)fd;
	(void)data;
	return !strncmp(target, "/dev/nvidia", 11);
}

/* Add item to a ", "-separated list; -ENOMEM (nothing changed) when it cannot grow. */
static int append(char **list, size_t *len, const char *item)
{
	size_t add = strlen(item) + 2;
	char *grown = realloc(*list, *len + add + 1);

	if (!grown)
		return -ENOMEM;
	*list = grown;
	snprintf(*list + *len, add + 1, "%s%s", *len ? ", " : "", item);
	*len = strlen(*list);
	return 0;
}

int ga_grace_users(struct ga_ctx *ctx, char **out)
{
	const char *root = ga_ctx_get(ctx, GA_SETTING_PROC_ROOT);
	_cleanup_free_ char *list = NULL;
	size_t len = 0;
	struct dirent *de;
	DIR *dir;

	*out = NULL;
	dir = opendir(root);
	if (!dir)
		return ga_report(ctx, -errno, "cannot list processes in '%s': %s (is /proc mounted?)", root,
				 strerror(errno));
	while ((de = readdir(dir))) {
		char procdir[PATH_MAX], path[PATH_MAX], comm[64] = "", item[128];
		long pid;
		char *end;
		FILE *f;

		pid = strtol(de->d_name, &end, 10);
		if (!isdigit((unsigned char)de->d_name[0]) || *end || pid == (long)getpid())
			continue;
		if ((size_t)snprintf(procdir, sizeof(procdir), "%s/%s", root, de->d_name) >= sizeof(procdir) ||
		    (size_t)snprintf(path, sizeof(path), "%s/comm", procdir) >= sizeof(path))
			continue;
		f = ga_fopen_regular(path);
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (!is_service(comm) && !ga_proc_holds(procdir, is_nvidia_dev, NULL))
			continue;
		snprintf(item, sizeof(item), "%s (pid %ld)", comm[0] ? comm : "?", pid);
		if (append(&list, &len, item) < 0) {
			closedir(dir);
			return ga_report(ctx, -ENOMEM, "out of memory");
		}
	}
	closedir(dir);
	*out = steal_ptr(list);
	return 0;
}

/* Whether the iomem range "a-b" (hex, inclusive) overlaps mem. */
static bool range_overlaps(const char *range, const struct ga_grace_mem *mem)
{
	unsigned long long a, b;
	uint64_t last;
	int end = -1;

	if (sscanf(range, "%llx-%llx%n", &a, &b, &end) != 2 || end < 0 || range[end] || b < a)
		return true; /* unreadable: count it, the safe side */
	if (a == 0 && b == 0)
		return true; /* addresses hidden from this user (or namespace): count it */
	if (!mem->size)
		return false;
	last = mem->base + mem->size - 1 >= mem->base ? mem->base + mem->size - 1 : UINT64_MAX;
	return a <= last && b >= mem->base;
}

int ga_grace_online_memory(struct ga_ctx *ctx, const struct ga_grace_mem *mem, char **out)
{
	char path[PATH_MAX], line[256];
	_cleanup_free_ char *list = NULL;
	size_t len = 0;
	FILE *f;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/iomem", ga_ctx_get(ctx, GA_SETTING_PROC_ROOT));
	f = ga_fopen_regular(path);
	if (!f && errno == EINVAL)
		return ga_report(ctx, -EINVAL, "cannot read '%s': not a regular file (is /proc mounted?)", path);
	if (!f)
		return ga_report(ctx, -errno, "cannot read '%s': %s (is /proc mounted?)", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *colon = strstr(line, " : ");
		char *range = line;

		if (!colon)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(colon + 3, "System RAM (NVIDIA)"))
			continue;
		*colon = '\0';
		while (*range == ' ')
			range++;
		if (mem && !range_overlaps(range, mem))
			continue;
		if (append(&list, &len, range) < 0) {
			fclose(f);
			return ga_report(ctx, -ENOMEM, "out of memory");
		}
	}
	fclose(f);
	*out = steal_ptr(list);
	return 0;
}

int ga_grace_check_release(struct ga_ctx *ctx, const char *name, const struct ga_grace_mem *mem, int wait_sec)
{
	_cleanup_free_ char *users = NULL;
	int r;

	r = ga_grace_users(ctx, &users);
	if (r < 0)
		return r;
	if (users)
		return ga_report(ctx, -EBUSY,
				 "cannot take Grace GPU '%s' from its driver: in use by %s (stop these services or programs first; gpu-assign never stops them)",
				 name, users);
	for (int waited = 0;; waited++) {
		_cleanup_free_ char *ranges = NULL;

		r = ga_grace_online_memory(ctx, mem, &ranges);
		if (r < 0)
			return r;
		if (!ranges)
			return 0;
		if (waited >= wait_sec)
			return ga_report(ctx, -EBUSY,
					 "cannot take Grace GPU '%s' from its driver: GPU memory is still online as System RAM (NVIDIA) at %s in /proc/iomem (stop the NVIDIA services so that the driver offlines it, or give --wait SECONDS)",
					 name, ranges);
		if (waited == 0)
			ga_info(ctx, "waiting up to %d s for the GPU memory at %s to go offline", wait_sec, ranges);
		sleep(1);
	}
}
