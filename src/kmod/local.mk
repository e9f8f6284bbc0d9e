# src/kmod: the companion kernel module is built by its own Makefile (Kbuild),
# outside the autotools build and `make distcheck` (nothing here is in
# EXTRA_DIST or any _SOURCES). `make module [KDIR=...]` builds it for the
# running kernel or the given headers; tests/vm/kmod/build-all builds it for
# every supported kernel. `make kmod-mutate` runs tests/vm/kmod/mutate (root,
# QEMU; about 10 minutes): every deliberate breakage must fail the guest tests.
KDIR ?= /lib/modules/$(shell uname -r)/build

.PHONY: module module-clean kmod-mutate
module:
	$(MAKE) -C $(abs_top_srcdir)/src/kmod KDIR=$(KDIR)

module-clean:
	$(MAKE) -C $(abs_top_srcdir)/src/kmod KDIR=$(KDIR) clean

kmod-mutate:
	$(abs_top_srcdir)/tests/vm/kmod/mutate
