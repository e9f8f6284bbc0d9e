// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hook-bench N INPUT CMD [ARG...]: run CMD N times, each with INPUT on stdin
 * and stdout/stderr to /dev/null, the way libvirt runs a hook; print the
 * median and mean wall time per run in microseconds ("median mean").
 * Exits 1 if any run exits non-zero (a benchmark of a failing hook says
 * nothing).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long n = argc > 3 ? strtol(argv[1], NULL, 10) : 0;
	double *t, sum = 0;

	if (n < 1) {
		fprintf(stderr, "usage: hook-bench N INPUT CMD [ARG...]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 2;
	for (long i = 0; i < n; i++) {
		posix_spawn_file_actions_t fa;
		struct timespec a, b;
		pid_t pid;
		int status;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, argv[2], O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (posix_spawn(&pid, argv[3], &fa, NULL, argv + 3, environ) != 0) {
			perror(argv[3]);
			return 2;
		}
		if (waitpid(pid, &status, 0) < 0)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &b);
		posix_spawn_file_actions_destroy(&fa);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "hook-bench: '%s' exited with %d\n", argv[3], WEXITSTATUS(status));
			return 1;
		}
		t[i] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
		sum += t[i];
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%.0f %.0f\n", t[n / 2], sum / (double)n);
	free(t);
	return 0;
}
