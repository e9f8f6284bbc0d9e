# SPDX-License-Identifier: LGPL-2.1-or-later
# Unit tests: tests/unit/test-<module>.c mirrors src/lib/ga-<module>.c.
check_LTLIBRARIES = tests/unit/libtestcommon.la
tests_unit_libtestcommon_la_SOURCES = tests/unit/test-common.c tests/unit/test-common.h
tests_unit_libtestcommon_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)

# What a unit test builds with, once: automake's defaults (LDADD, AM_CPPFLAGS)
# serve every program that sets none of its own. The library and the front
# ends set their own, so a unit test that needs nothing else is one name in
# GA_UNIT_TESTS (its source tests/unit/test-<module>.c), and one that needs
# more sets only what it adds.
GA_TEST_LDADD = tests/unit/libtestcommon.la src/lib/libgpuassign.la $(CUNIT_LIBS)
LDADD = $(GA_TEST_LDADD)
AM_CPPFLAGS += -I$(top_srcdir)/tests/unit $(CUNIT_CFLAGS)
# The defaults by name, for a test that sets its own flags on top of them.
GA_TEST_CPPFLAGS = $(AM_CPPFLAGS)
GA_TEST_CFLAGS = $(AM_CFLAGS)

GA_UNIT_TESTS = \
	tests/unit/test-acpi \
	tests/unit/test-bind \
	tests/unit/test-catalog \
	tests/unit/test-config \
	tests/unit/test-ctx \
	tests/unit/test-domcheck \
	tests/unit/test-domxml \
	tests/unit/test-escape \
	tests/unit/test-gi \
	tests/unit/test-gpu \
	tests/unit/test-host \
	tests/unit/test-nova \
	tests/unit/test-open \
	tests/unit/test-pci \
	tests/unit/test-plan \
	tests/unit/test-prepare \
	tests/unit/test-sysfs \
	tests/unit/test-units \
	tests/unit/test-util \
	tests/unit/test-variant \
	tests/unit/test-virt \
	tests/unit/test-xml
check_PROGRAMS += $(GA_UNIT_TESTS)
TESTS += $(GA_UNIT_TESTS)
tests_unit_test_bind_SOURCES = tests/unit/test-bind.c tests/unit/fake-kernel.c tests/unit/fake-kernel.h
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_domxml_SOURCES = tests/unit/test-domxml.c tests/unit/plan-fixture.h
tests_unit_test_domxml_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_domxml_LDADD = $(GA_TEST_LDADD) $(LIBXML_LIBS)
tests_unit_test_gi_SOURCES = tests/unit/test-gi.c tests/unit/plan-fixture.h
tests_unit_test_nova_SOURCES = tests/unit/test-nova.c tests/unit/plan-fixture.h
tests_unit_test_plan_SOURCES = tests/unit/test-plan.c tests/unit/plan-fixture.h
tests_unit_test_prepare_SOURCES = tests/unit/test-prepare.c tests/unit/plan-fixture.h
tests_unit_test_virt_SOURCES = tests/unit/test-virt.c tests/unit/plan-fixture.h
tests_unit_test_virt_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
tests_unit_test_virt_LDADD = $(GA_TEST_LDADD) $(LIBVIRT_LIBS)
tests_unit_test_xml_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_xml_LDADD = $(GA_TEST_LDADD) $(LIBXML_LIBS)
# test-catalog reads the companion module's id table (src/kmod/main.c).
EXTRA_DIST += src/kmod/main.c

# The unit tests again under valgrind (a build without sanitizers: see .ci/test-all).
GA_VALGRIND_TESTS += $(GA_UNIT_TESTS)
check-valgrind: $(GA_VALGRIND_TESTS)
	@fail=0; for t in $(GA_VALGRIND_TESTS); do \
	  if srcdir=$(srcdir) $(LIBTOOL) --mode=execute valgrind -q --error-exitcode=1 \
	       --leak-check=full --errors-for-leak-kinds=definite,indirect ./$$t >$$t.vg.log 2>&1; \
	  then echo "PASS (valgrind): $$t"; else echo "FAIL (valgrind): $$t"; tail -30 $$t.vg.log; fail=1; fi; \
	done; exit $$fail
CLEANFILES += $(GA_VALGRIND_TESTS:=.vg.log)

# The README's first command ends here: on the quad-GH200 sample host, the GPU
# listing, the guest plan and the libvirt domain for a VM with all four GPUs.
# The target's versions are given, so that the demo does not depend on the
# libvirt installed here (plain .ci/deps: bookworm's 9.0, which the version
# gate refuses): Debian 12's bookworm-backports stack.
GA_DEMO_ARGS = --gpu all --vcpus 64 --memory 128G --libvirt-version 11.3 --qemu-version 10.0
demo: all
	@$(srcdir)/tests/hosts/run-on quad-gh200 ./gpu-assign list
	@echo
	@$(srcdir)/tests/hosts/run-on quad-gh200 ./gpu-assign plan $(GA_DEMO_ARGS)
	@echo
	@$(srcdir)/tests/hosts/run-on quad-gh200 ./gpu-assign xml --name gh200-vm $(GA_DEMO_ARGS)
.PHONY: demo check-valgrind

# Sample hosts (tests/hosts/, replayed with umockdev) and the CLI on them;
# plan/xml/define on every sample host against tests/data/HOST/ goldens;
# nova-config and the hook on the recorded Nova domains.
GA_SCRIPT_TESTS = tests/hosts/check-hosts tests/cli/test-hosts.sh tests/cli/test-overrides.sh \
	tests/data/check-goldens tests/nova/check-nova
TESTS += $(GA_SCRIPT_TESTS)
EXTRA_DIST += tests/README.md tests/hosts tests/cli/test-hosts.sh tests/cli/test-overrides.sh \
	tests/data tests/xml tests/fuzz \
	tests/nova/check-nova tests/nova/nova-gh200-no-gi.xml tests/nova/nova-gh200-with-gi.xml \
	tests/nova/nova-plain.xml
AM_TESTS_ENVIRONMENT = srcdir='$(srcdir)'; GPU_ASSIGN='$(abs_builddir)/gpu-assign'; \
	ASAN_OPTIONS=verify_asan_link_order=0; export srcdir GPU_ASSIGN ASAN_OPTIONS;

# Every command's --help against gpu-assign(1) and bad command lines; every
# --json document on every sample host against json-schemas/ (issue 11).
TESTS += tests/cli/check-help tests/cli/check-json
EXTRA_DIST += tests/cli/check-help tests/cli/check-json

# The opening policy on every file the tools open (FIFOs, symlinks,
# directories, NUL bytes) from the command line (issue 12).
GA_SCRIPT_TESTS += tests/cli/test-files.sh
EXTRA_DIST += tests/cli/test-files.sh tests/cli/lib.sh

# The build's own rules: no include points up a layer of the library, no
# function of src/lib, src/cli and hooks is longer than 80 lines.
TESTS += tests/build/check-layers tests/build/long-functions tests/build/check-spdx
EXTRA_DIST += tests/build/check-layers tests/build/long-functions tests/build/check-spdx

# Issue 12 (fault injection): bind/release killed at every file-changing
# system call and sysfs write, then repaired (tests/faults/run, needs strace).
check_PROGRAMS += tests/faults/fault-op
tests_faults_fault_op_SOURCES = tests/faults/fault-op.c tests/unit/fake-kernel.c tests/unit/fake-kernel.h
tests_faults_fault_op_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_faults_fault_op_CFLAGS = $(GA_TEST_CFLAGS)
tests_faults_fault_op_LDADD = $(GA_TEST_LDADD)
TESTS += tests/faults/run
EXTRA_DIST += tests/faults/run
# Issue 12 (rails): the CLI's refusals of bind and release, exact messages.
TESTS += tests/cli/test-rails.sh
EXTRA_DIST += tests/cli/test-rails.sh

# Issue 11 (install): the README's configure line, make install DESTDIR= with
# the rest of the machine read-only (root; a suite in .ci/suites).
EXTRA_DIST += tests/install/run

# Issue 13 item 5 (native): domain names libvirt would refuse, exact messages.
TESTS += tests/cli/test-names.sh
EXTRA_DIST += tests/cli/test-names.sh

# issue 14 (nova): Nova's own functional harness in a sid chroot (tests/nova/run,
# the CI phase 'nova'; root only, not part of make check)
EXTRA_DIST += tests/nova/setup tests/nova/run tests/nova/test_gpu_assign_nova.py
