# Unit tests: tests/unit/test-<module>.c mirrors src/lib/ga-<module>.c.
check_LTLIBRARIES = tests/unit/libtestcommon.la
tests_unit_libtestcommon_la_SOURCES = tests/unit/test-common.c tests/unit/test-common.h
tests_unit_libtestcommon_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)

GA_UNIT_TESTS = \
	tests/unit/test-ctx \
	tests/unit/test-pci \
	tests/unit/test-catalog \
	tests/unit/test-sysfs \
	tests/unit/test-acpi \
	tests/unit/test-host \
	tests/unit/test-gpu \
	tests/unit/test-variant
check_PROGRAMS += $(GA_UNIT_TESTS)
TESTS += $(GA_UNIT_TESTS)

GA_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
GA_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
GA_TEST_LDADD = tests/unit/libtestcommon.la src/lib/libgpuassign.la $(CUNIT_LIBS)

tests_unit_test_ctx_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_ctx_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_ctx_LDADD = $(GA_TEST_LDADD)
tests_unit_test_pci_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_pci_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_pci_LDADD = $(GA_TEST_LDADD)
tests_unit_test_catalog_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_catalog_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_catalog_LDADD = $(GA_TEST_LDADD)
tests_unit_test_sysfs_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_sysfs_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_sysfs_LDADD = $(GA_TEST_LDADD)
tests_unit_test_acpi_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_acpi_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_acpi_LDADD = $(GA_TEST_LDADD)
tests_unit_test_host_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_host_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_host_LDADD = $(GA_TEST_LDADD)
tests_unit_test_gpu_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_gpu_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_gpu_LDADD = $(GA_TEST_LDADD)
tests_unit_test_variant_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_variant_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_variant_LDADD = $(GA_TEST_LDADD)

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
GA_DEMO_ARGS = --gpu all --vcpus 64 --memory 128G
demo: all
	@$(srcdir)/tests/hosts/run-on quad-gh200 ./gpu-assign list
	@echo
	@$(srcdir)/tests/hosts/run-on quad-gh200 ./gpu-assign plan $(GA_DEMO_ARGS)
	@echo
	@$(srcdir)/tests/hosts/run-on quad-gh200 ./gpu-assign xml --name gh200-vm $(GA_DEMO_ARGS)
.PHONY: demo check-valgrind

# Sample hosts (tests/hosts/, replayed with umockdev) and the CLI on them.
GA_SCRIPT_TESTS = tests/hosts/check-hosts tests/cli/test-hosts.sh tests/cli/test-overrides.sh
TESTS += $(GA_SCRIPT_TESTS)
EXTRA_DIST += tests/README.md tests/hosts tests/cli/test-hosts.sh tests/cli/test-overrides.sh
AM_TESTS_ENVIRONMENT = srcdir='$(srcdir)'; GPU_ASSIGN='$(abs_builddir)/gpu-assign'; \
	ASAN_OPTIONS=verify_asan_link_order=0; export srcdir GPU_ASSIGN ASAN_OPTIONS;
GA_UNIT_TESTS += tests/unit/test-bind
tests_unit_test_bind_SOURCES = tests/unit/test-bind.c tests/unit/fake-kernel.c tests/unit/fake-kernel.h
tests_unit_test_bind_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_bind_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_bind_LDADD = $(GA_TEST_LDADD)

# The GI count rule, the Nova model, plan preparation, the whole-file reader.
GA_UNIT_TESTS += tests/unit/test-gi tests/unit/test-nova tests/unit/test-prepare tests/unit/test-util
tests_unit_test_gi_SOURCES = tests/unit/test-gi.c tests/unit/plan-fixture.h
tests_unit_test_gi_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_gi_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_gi_LDADD = $(GA_TEST_LDADD)
tests_unit_test_nova_SOURCES = tests/unit/test-nova.c tests/unit/plan-fixture.h
tests_unit_test_nova_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_nova_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_nova_LDADD = $(GA_TEST_LDADD)
tests_unit_test_prepare_SOURCES = tests/unit/test-prepare.c tests/unit/plan-fixture.h
tests_unit_test_prepare_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_prepare_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_prepare_LDADD = $(GA_TEST_LDADD)
tests_unit_test_util_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_util_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_util_LDADD = $(GA_TEST_LDADD)

# ga-xml (the one XML parse) and ga-units (sizes)
GA_UNIT_TESTS += tests/unit/test-xml tests/unit/test-units
tests_unit_test_xml_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_xml_CFLAGS = $(GA_TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_xml_LDADD = $(GA_TEST_LDADD) $(LIBXML_LIBS)
tests_unit_test_units_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_units_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_units_LDADD = $(GA_TEST_LDADD)

# Issue 11 (install): the README's configure line, make install DESTDIR= with
# the rest of the machine read-only (root; a suite in .ci/suites).
EXTRA_DIST += tests/install/run
