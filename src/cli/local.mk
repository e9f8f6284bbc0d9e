# SPDX-License-Identifier: LGPL-2.1-or-later
bin_PROGRAMS += gpu-assign
gpu_assign_SOURCES = \
	src/cli/gpu-assign.c src/cli/cli.h \
	src/cli/cmd-list.c \
	src/cli/json.c src/cli/json.h \
	src/cli/table.c src/cli/table.h
gpu_assign_SOURCES += src/cli/cmd-plan.c src/cli/plan-print.h src/cli/plan-text.c src/cli/plan-json.c
gpu_assign_SOURCES += src/cli/cmd-bind.c
gpu_assign_SOURCES += src/cli/cmd-nova.c src/cli/nova-print.h src/cli/nova-json.c
gpu_assign_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
gpu_assign_LDADD = src/lib/libgpuassign.la
# issue 14 (nova): the installed program's path, for nova-config's [gpu_assign] command
gpu_assign_CPPFLAGS += -DGA_BINDIR='"$(bindir)"'
