# SPDX-License-Identifier: LGPL-2.1-or-later
# The libvirt qemu hook: built as hooks/gpu-assign-hook, installed as
# $(qemuhooksdir)/gpu-assign (libvirt runs every executable in qemu.d).
# It runs for every operation of every domain, so it links only libc and
# hands the domains that have a <hostdev> to gpu-assign-hook-check, which
# links the library (see hooks/hook.h). The checker goes to $(hookcheckdir),
# beside qemu.d under libvirt's hooks directory whatever the prefix: libvirt
# never runs it there, and a confined libvirtd may (configure.ac).
noinst_PROGRAMS += hooks/gpu-assign-hook
hooks_gpu_assign_hook_SOURCES = hooks/gpu-assign-hook.c hooks/hook-io.c hooks/hook.h
hooks_gpu_assign_hook_CPPFLAGS = $(AM_CPPFLAGS) -DGA_HOOK_CHECK_PATH='"$(hookcheckdir)/gpu-assign-hook-check"'
# libc only: not the default LDADD (the unit tests', tests/local.mk)
hooks_gpu_assign_hook_LDADD =
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
# After every uninstall-* rule (automake's own removes the checker from that
# directory): removing the directory earlier would race it under make -j.
uninstall-hook:
	-rmdir '$(DESTDIR)$(hookcheckdir)' 2>/dev/null

# The hook's logic in-process (hooks/hook.c), and the hook binary against a
# bad-input table.
GA_HOOK_UNIT_TESTS = tests/unit/test-hook
check_PROGRAMS += $(GA_HOOK_UNIT_TESTS)
TESTS += $(GA_HOOK_UNIT_TESTS) tests/hook/bad-input
GA_VALGRIND_TESTS += $(GA_HOOK_UNIT_TESTS)
tests_unit_test_hook_SOURCES = tests/unit/test-hook.c hooks/hook.c hooks/hook-io.c hooks/hook.h
tests_unit_test_hook_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hooks
# Files, not directories: a directory in EXTRA_DIST is taken from the build
# tree when it exists there, test logs and all.
EXTRA_DIST += tests/hook/bad-input tests/hook/run tests/hook/gpu-assign.conf.example

# Issue 12 items 2-3: the front end writes log lines by the one opening
# policy, escaped (it links libc only, so it takes the two files).
hooks_gpu_assign_hook_SOURCES += src/lib/ga-open.h src/lib/ga-open.c src/lib/ga-escape.h src/lib/ga-escape.c

# The hook test binds on a sample host with the fake driver core (issue 11).
tests_unit_test_hook_SOURCES += tests/unit/fake-kernel.c tests/unit/fake-kernel.h

# Issue 13 (merge): every Fix the hook prints runs as printed and the result
# is accepted (a virsh stand-in, gpu-assign on the quad-gh200 sample host).
TESTS += tests/hook/fix-lines
EXTRA_DIST += tests/hook/fix-lines
