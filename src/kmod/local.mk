# SPDX-License-Identifier: GPL-2.0-only
# src/kmod: the companion kernel module is built by its own Makefile (Kbuild),
# outside the autotools build (its files are in EXTRA_DIST, below, not in any
# _SOURCES). `make module [KDIR=...]` builds it for the
# running kernel or the given headers; tests/vm/kmod/build-all builds it for
# every supported kernel. `make kmod-mutate` runs tests/vm/kmod/mutate (root,
# QEMU; about 10 minutes): every deliberate breakage must fail the guest tests.
KDIR ?= /lib/modules/$(shell uname -r)/build

# Issue 11 (install): the module in the release tarball, and installed.
# Every file `make module` and DKMS need, by name (no wildcard: a file added
# to src/kmod must be added here; the dist-hook below fails the tarball when
# git tracks a file of src/kmod that is not in it).
EXTRA_DIST += src/kmod/Kbuild src/kmod/LICENSE src/kmod/Makefile src/kmod/README \
	src/kmod/bar.c src/kmod/configure src/kmod/dkms.conf src/kmod/gpu_assign_nvgrace.h \
	src/kmod/main.c src/kmod/mmap.c
dist-hook: ga-dist-kmod-check
ga-dist-kmod-check:
	@if [ -e '$(srcdir)/.git' ] && command -v git >/dev/null; then \
	  for f in $$(git -C '$(srcdir)' ls-files src/kmod); do \
	    case $$f in src/kmod/.gitignore) continue ;; esac; \
	    [ -e '$(distdir)'/"$$f" ] || { echo "make dist: $$f is tracked by git but not in the tarball: add it to EXTRA_DIST in src/kmod/local.mk" >&2; exit 1; }; \
	  done; fi
# distcheck builds the module from the unpacked tarball, as DKMS would (a
# copy of src/kmod), against the running kernel's headers or the ones
# .ci/deps --all installs (tests/vm/lib/common.sh); without any, it says so.
distcheck-hook:
	@kdir=; for k in "/lib/modules/$$(uname -r)/build" \
	    "$$(. '$(srcdir)/tests/vm/lib/common.sh'; ga_vm_headers_dir 6.1 2>/dev/null)" \
	    "$$(. '$(srcdir)/tests/vm/lib/common.sh'; ga_vm_headers_dir 6.12 2>/dev/null)"; do \
	  if [ -n "$$k" ] && [ -f "$$k/Makefile" ]; then kdir=$$k; break; fi; done; \
	if [ -z "$$kdir" ]; then \
	  echo "distcheck: no kernel headers (linux-headers-$$(uname -r), or .ci/deps --all): the module is not built from the tarball"; exit 0; fi; \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/ga-kmod-dist.XXXXXX") && \
	cp -R '$(distdir)/src/kmod' "$$tmp/" && chmod -R u+w "$$tmp" && \
	if $(MAKE) -C "$$tmp/kmod" KDIR="$$kdir" >"$$tmp/build.log" 2>&1 && [ -f "$$tmp/kmod/gpu_assign_nvgrace.ko" ]; then \
	  echo "distcheck: the module builds from the tarball against $$kdir"; rm -rf "$$tmp"; \
	else echo "distcheck: the module does not build from the tarball against $$kdir:" >&2; tail -20 "$$tmp/build.log" >&2; rm -rf "$$tmp"; exit 1; fi
# As root: refuses a kernel that ships the in-tree nvgrace_gpu_vfio_pci (in
# its .config, its module index or its modules.alias: two drivers would
# claim the GPU; gpu-assign uses the in-tree one), then src/kmod's `make
# install` (modules_install into updates/, depmod).
module-install:
	@kver=$$(cat '$(KDIR)/include/config/kernel.release' 2>/dev/null); \
	if [ -z "$$kver" ]; then \
	  echo "module-install: no kernel headers at '$(KDIR)' (install linux-headers-$$(uname -r), or give KDIR=/lib/modules/VERSION/build)" >&2; exit 1; fi; \
	if grep -qs '^CONFIG_NVGRACE_GPU_VFIO_PCI=[ym]' '$(KDIR)/.config' || \
	   modinfo -k "$$kver" -F filename nvgrace_gpu_vfio_pci >/dev/null 2>&1 || \
	   grep -qs ' nvgrace_gpu_vfio_pci$$' "/lib/modules/$$kver/modules.alias"; then \
	  echo "module-install: kernel $$kver ships the in-tree nvgrace_gpu_vfio_pci: gpu-assign uses that driver; do not install gpu_assign_nvgrace for it" >&2; exit 1; fi
	$(MAKE) -C $(abs_top_srcdir)/src/kmod KDIR=$(KDIR) install
.PHONY: ga-dist-kmod-check module-install

.PHONY: module module-clean kmod-mutate
module:
	$(MAKE) -C $(abs_top_srcdir)/src/kmod KDIR=$(KDIR)

module-clean:
	$(MAKE) -C $(abs_top_srcdir)/src/kmod KDIR=$(KDIR) clean

kmod-mutate:
	$(abs_top_srcdir)/tests/vm/kmod/mutate
