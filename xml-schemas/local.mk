# xml-schemas: RelaxNG for what gpu-assign emits (issue 3) and, in its own
# rules (hooks/local.mk), for the configuration file.
#
# Issue 3's tests live here too, so that the shared local.mk files carry one
# line each: planner, domain XML and libvirt unit tests, the schema test, the
# sample-host golden test and the fuzz targets' sources.
dist_pkgdata_DATA += xml-schemas/gpu-assign-domain.rng

GA_PLAN_UNIT_TESTS = tests/unit/test-plan tests/unit/test-domxml tests/unit/test-virt
check_PROGRAMS += $(GA_PLAN_UNIT_TESTS)
TESTS += $(GA_PLAN_UNIT_TESTS)
tests_unit_test_plan_SOURCES = tests/unit/test-plan.c tests/unit/plan-fixture.h
tests_unit_test_plan_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_plan_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_plan_LDADD = $(GA_TEST_LDADD)
tests_unit_test_domxml_SOURCES = tests/unit/test-domxml.c tests/unit/plan-fixture.h
tests_unit_test_domxml_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_domxml_CFLAGS = $(GA_TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_domxml_LDADD = $(GA_TEST_LDADD) $(LIBXML_LIBS)
tests_unit_test_virt_SOURCES = tests/unit/test-virt.c tests/unit/plan-fixture.h
tests_unit_test_virt_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_virt_CFLAGS = $(GA_TEST_CFLAGS) $(LIBVIRT_CFLAGS)
tests_unit_test_virt_LDADD = $(GA_TEST_LDADD) $(LIBVIRT_LIBS)

# plan/xml/define on every sample host against tests/data/HOST/ goldens
TESTS += tests/data/check-goldens

EXTRA_DIST += tests/data tests/xml tests/fuzz

# The same suites under valgrind, in `make check-valgrind` (.ci/test-all).
GA_VALGRIND_TESTS += $(GA_PLAN_UNIT_TESTS)

# issue 11 item 7 (JSON contract): the JSON Schemas of the --json documents,
# installed beside the RelaxNG files
dist_pkgdata_DATA += json-schemas/gpu-assign-list.schema.json json-schemas/gpu-assign-show.schema.json \
	json-schemas/gpu-assign-status.schema.json json-schemas/gpu-assign-plan.schema.json \
	json-schemas/gpu-assign-nova-config.schema.json
