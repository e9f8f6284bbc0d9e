# SPDX-License-Identifier: LGPL-2.1-or-later
# libgpuassign: the library the front ends link (src/lib; layers in
# tests/build/check-layers). One sorted list of its files.
noinst_LTLIBRARIES += src/lib/libgpuassign.la
src_lib_libgpuassign_la_SOURCES = \
	src/lib/ga-acpi-dev.c src/lib/ga-acpi-dev.h src/lib/ga-acpi.c src/lib/ga-acpi.h src/lib/ga-bind.c \
	src/lib/ga-bind.h src/lib/ga-catalog.c src/lib/ga-catalog.h src/lib/ga-config.c src/lib/ga-config.h \
	src/lib/ga-ctx-priv.h src/lib/ga-ctx.c src/lib/ga-ctx.h src/lib/ga-domcheck.c src/lib/ga-domcheck.h \
	src/lib/ga-domxml-priv.h src/lib/ga-domxml-remove.c src/lib/ga-domxml.c src/lib/ga-domxml.h src/lib/ga-escape.c src/lib/ga-escape.h src/lib/ga-form-fallback.c src/lib/ga-form-native.c \
	src/lib/ga-form.h src/lib/ga-gi.c src/lib/ga-gi.h src/lib/ga-gpu.c src/lib/ga-gpu.h src/lib/ga-grace.c \
	src/lib/ga-grace.h src/lib/ga-host.c src/lib/ga-host.h src/lib/ga-inuse-domains.c src/lib/ga-inuse-domains.h src/lib/ga-inuse.c src/lib/ga-inuse.h src/lib/ga-journal.c src/lib/ga-journal.h \
	src/lib/ga-kmod-priv.h src/lib/ga-kmod.c src/lib/ga-kmod.h src/lib/ga-lock.c src/lib/ga-lock.h \
	src/lib/ga-nodedev.c src/lib/ga-nodedev.h src/lib/ga-nova.c src/lib/ga-nova.h src/lib/ga-open.c src/lib/ga-open.h src/lib/ga-pci.c \
	src/lib/ga-pci.h src/lib/ga-persist.c src/lib/ga-persist.h src/lib/ga-plan.c src/lib/ga-plan.h \
	src/lib/ga-prepare.c src/lib/ga-prepare.h src/lib/ga-statefile.c src/lib/ga-statefile.h \
	src/lib/ga-sysfs-priv.h src/lib/ga-sysfs.c src/lib/ga-sysfs.h src/lib/ga-units.c src/lib/ga-units.h \
	src/lib/ga-util.c src/lib/ga-util.h src/lib/ga-variant.c src/lib/ga-variant.h src/lib/ga-virt-priv.h \
	src/lib/ga-virt.c src/lib/ga-virt.h src/lib/ga-xml.c src/lib/ga-xml.h
src_lib_libgpuassign_la_CFLAGS = $(AM_CFLAGS) $(LIBUDEV_CFLAGS) $(LIBXML_CFLAGS) $(LIBVIRT_CFLAGS) $(LIBKMOD_CFLAGS)
src_lib_libgpuassign_la_LIBADD = $(LIBUDEV_LIBS) $(LIBXML_LIBS) $(LIBVIRT_LIBS) $(LIBKMOD_LIBS)

# gpu-assign.conf's RelaxNG schema (xml-schemas/), compiled into the library:
# ga-config validates every file it loads against it, installed or not.
nodist_src_lib_libgpuassign_la_SOURCES = src/lib/ga-config-schema.c
CLEANFILES += src/lib/ga-config-schema.c
src/lib/ga-config-schema.c: $(srcdir)/xml-schemas/gpu-assign-conf.rng
	$(AM_V_GEN)$(MKDIR_P) src/lib && { \
	  echo '/* Generated from xml-schemas/gpu-assign-conf.rng by src/lib/local.mk. */'; \
	  echo '#include "ga-config.h"'; \
	  echo 'const char ga_config_schema_rng[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $(srcdir)/xml-schemas/gpu-assign-conf.rng; \
	  echo ';'; } >$@.tmp && mv $@.tmp $@
