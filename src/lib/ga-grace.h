/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Before a coherent Grace GPU leaves the host's NVIDIA driver, NVIDIA's flow
 * wants nothing using it and its memory offline. We check, we never stop
 * anything ourselves:
 *   - processes that use the GPU: the NVIDIA daemons (persistenced, DCGM's
 *     host engine, fabric manager, ...) and anything holding /dev/nvidia*;
 *   - "System RAM (NVIDIA)" ranges in /proc/iomem (the GPU memory onlined
 *     as host RAM).
 * /proc is the context's GA_SETTING_PROC_ROOT ("/proc" unless a test moves it).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ga-ctx.h"

/*
 * Processes to stop before the GPU can be taken: *out is a malloc'd,
 * human-readable list ("nvidia-persistenced (pid 812), ...") or NULL when
 * there are none.
 */
int ga_grace_users(struct ga_ctx *ctx, char **out);

/* A GPU's memory in host physical addresses (its ACPI _DSD gpu-mem-base-pa/size). */
struct ga_grace_mem {
	uint64_t base, size;
};

/*
 * The NVIDIA System RAM ranges in /proc/iomem, "a-b, c-d", or NULL when none.
 * iomem does not say which GPU a range belongs to: with mem, only ranges that
 * overlap it count; with mem NULL (range unknown), every such range does.
 */
int ga_grace_online_memory(struct ga_ctx *ctx, const struct ga_grace_mem *mem, char **out);

/*
 * The whole check for one GPU (name for messages): refuses with the list of
 * processes to stop, then waits up to wait_sec for the memory (mem, or any
 * NVIDIA memory when NULL) to go offline, polling once a second, and refuses
 * if it does not.
 */
int ga_grace_check_release(struct ga_ctx *ctx, const char *name, const struct ga_grace_mem *mem, int wait_sec);

/*
 * Whether one of the open files of the process at procdir (<proc-root>/PID)
 * satisfies match(fd, link target, data), fd being the link's path
 * (<procdir>/fd/N: stat() it for the file itself). The link target is the
 * path as this process sees it: a process in a chroot or another mount
 * namespace may show another path for the same file. Nothing is opened. A
 * process gone, or not ours to look at, holds nothing.
 */
bool ga_proc_holds(const char *procdir, bool (*match)(const char *fd, const char *target, void *data), void *data);
