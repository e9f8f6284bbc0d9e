# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmarks: print ratios, never gate CI.
#   make bench-hook   the libvirt hook's wall time against /bin/true (bench/hook)
bench-hook:
	$(srcdir)/bench/hook
.PHONY: bench-hook
EXTRA_DIST += bench/hook bench/hook-bench.c
