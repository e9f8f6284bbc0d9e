# Unit tests: tests/unit/test-<module>.c mirrors src/lib/ga-<module>.c.
check_LTLIBRARIES = tests/unit/libtestcommon.la
tests_unit_libtestcommon_la_SOURCES = tests/unit/test-common.c tests/unit/test-common.h
tests_unit_libtestcommon_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)

GA_UNIT_TESTS = \
	tests/unit/test-pci \
	tests/unit/test-catalog \
	tests/unit/test-sysfs \
	tests/unit/test-host
check_PROGRAMS += $(GA_UNIT_TESTS)
TESTS += $(GA_UNIT_TESTS)

GA_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
GA_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
GA_TEST_LDADD = tests/unit/libtestcommon.la src/lib/libgpuassign.la $(CUNIT_LIBS)

tests_unit_test_pci_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_pci_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_pci_LDADD = $(GA_TEST_LDADD)
tests_unit_test_catalog_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_catalog_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_catalog_LDADD = $(GA_TEST_LDADD)
tests_unit_test_sysfs_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_sysfs_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_sysfs_LDADD = $(GA_TEST_LDADD)
tests_unit_test_host_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_host_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_host_LDADD = $(GA_TEST_LDADD)
