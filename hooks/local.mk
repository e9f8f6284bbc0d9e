# The libvirt qemu hook (issue 5), its configuration file and their tests.
# Everything of that issue's build lives here so that the shared local.mk
# files only carry one line each.

# gpu-assign.conf's RelaxNG schema, compiled into the library: ga-config
# validates every file it loads against it, installed or not.
dist_pkgdata_DATA += xml-schemas/gpu-assign-conf.rng
nodist_src_lib_libgpuassign_la_SOURCES = src/lib/ga-config-schema.c
CLEANFILES += src/lib/ga-config-schema.c
src/lib/ga-config-schema.c: $(srcdir)/xml-schemas/gpu-assign-conf.rng
	$(AM_V_GEN)$(MKDIR_P) src/lib && { \
	  echo '/* Generated from xml-schemas/gpu-assign-conf.rng by hooks/local.mk. */'; \
	  echo '#include "ga-config.h"'; \
	  echo 'const char ga_config_schema_rng[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $(srcdir)/xml-schemas/gpu-assign-conf.rng; \
	  echo ';'; } >$@.tmp && mv $@.tmp $@

# The hook: built as hooks/gpu-assign-hook, installed as
# $(qemuhooksdir)/gpu-assign (libvirt runs every executable in qemu.d).
# It runs for every operation of every domain, so it links only libc and
# hands the domains that have a <hostdev> to gpu-assign-hook-check, which
# links the library (see hooks/hook.h). The checker goes to $(hookcheckdir),
# beside qemu.d under libvirt's hooks directory whatever the prefix: libvirt
# never runs it there, and a confined libvirtd may (configure.ac).
noinst_PROGRAMS += hooks/gpu-assign-hook
hooks_gpu_assign_hook_SOURCES = hooks/gpu-assign-hook.c hooks/hook-io.c hooks/hook.h
hooks_gpu_assign_hook_CPPFLAGS = $(AM_CPPFLAGS) -DGA_HOOK_CHECK_PATH='"$(hookcheckdir)/gpu-assign-hook-check"'
hookcheck_PROGRAMS = hooks/gpu-assign-hook-check
hooks_gpu_assign_hook_check_SOURCES = hooks/hook-check.c hooks/hook.c hooks/hook-io.c hooks/hook.h
hooks_gpu_assign_hook_check_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
hooks_gpu_assign_hook_check_LDADD = src/lib/libgpuassign.la

install-exec-local: hooks/gpu-assign-hook
	$(MKDIR_P) '$(DESTDIR)$(qemuhooksdir)'
	$(INSTALL_PROGRAM) hooks/gpu-assign-hook '$(DESTDIR)$(qemuhooksdir)/gpu-assign'
	@if [ -z '$(DESTDIR)' ]; then \
	  echo "gpu-assign: installed the hook as $(qemuhooksdir)/gpu-assign: restart libvirtd (or virtqemud) so that it runs it"; fi
uninstall-local:
	rm -f '$(DESTDIR)$(qemuhooksdir)/gpu-assign' '$(DESTDIR)$(hookcheckdir)/gpu-assign-hook-check'
	-rmdir '$(DESTDIR)$(hookcheckdir)' 2>/dev/null

# Unit tests of ga-config, ga-domcheck and the hook's logic (in-process).
GA_HOOK_UNIT_TESTS = tests/unit/test-config tests/unit/test-domcheck tests/unit/test-hook
check_PROGRAMS += $(GA_HOOK_UNIT_TESTS)
TESTS += $(GA_HOOK_UNIT_TESTS)
GA_VALGRIND_TESTS += $(GA_HOOK_UNIT_TESTS)
tests_unit_test_config_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_config_CFLAGS = $(GA_TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_config_LDADD = $(GA_TEST_LDADD)
tests_unit_test_domcheck_CPPFLAGS = $(GA_TEST_CPPFLAGS)
tests_unit_test_domcheck_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_domcheck_LDADD = $(GA_TEST_LDADD)
tests_unit_test_hook_SOURCES = tests/unit/test-hook.c hooks/hook.c hooks/hook-io.c hooks/hook.h
tests_unit_test_hook_CPPFLAGS = $(GA_TEST_CPPFLAGS) -I$(top_srcdir)/hooks
tests_unit_test_hook_CFLAGS = $(GA_TEST_CFLAGS)
tests_unit_test_hook_LDADD = $(GA_TEST_LDADD)

# The hook binary against a bad-input table, and the recorded Nova domains.
TESTS += tests/hook/bad-input tests/nova/check-nova
# Files, not directories: a directory in EXTRA_DIST is taken from the build
# tree when it exists there, test logs and all.
EXTRA_DIST += tests/hook/bad-input tests/hook/run tests/hook/gpu-assign.conf.example \
	tests/nova/check-nova tests/nova/nova-gh200-no-gi.xml tests/nova/nova-gh200-with-gi.xml \
	tests/nova/nova-plain.xml docs/nova.md
