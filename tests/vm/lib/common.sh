# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the guest-kernel harness (sourced, not run).
# GA_VM_CACHE: where kernels and built images go (git-ignored by default).

GA_VM_LIB=$(cd "$(dirname "$0")" && pwd)
GA_TOP=${GA_TOP:-$(cd "$GA_VM_LIB/../../.." && pwd)}
GA_VM_CACHE=${GA_VM_CACHE:-$GA_TOP/.cache/vm}

log() { echo "[vm] $*" >&2; }
die() { echo "[vm] error: $*" >&2; exit 1; }

# Kernel headers: bookworm's 6.1 as packages in /usr/src, bookworm-backports'
# 6.12 unpacked by .ci/deps under GA_HEADERS_CACHE (their package would pull
# a host kernel image).
GA_HEADERS_CACHE=${GA_HEADERS_CACHE:-/var/cache/gpu-assign-test/kernel-headers}

# ga_vm_headers_dir SERIES: the KDIR of the linux-headers-SERIES.*-amd64 found.
ga_vm_headers_dir() {
	series=$1
	found=
	for d in /usr/src/linux-headers-"$series".*-amd64 /usr/src/linux-headers-"$series"-*-amd64 \
		 "$GA_HEADERS_CACHE"/*/root/usr/src/linux-headers-"$series".*-amd64 \
		 "$GA_HEADERS_CACHE"/*/root/usr/src/linux-headers-"$series"-*-amd64; do
		[ -f "$d/Makefile" ] || continue
		found=$d
	done
	[ -n "$found" ] || die "no linux-headers-$series.*-amd64 in /usr/src or $GA_HEADERS_CACHE (run '.ci/deps --all')"
	echo "$found"
}

# ga_vm_headers_abi SERIES: the ABI of those headers (6.12.95+deb12-amd64).
ga_vm_headers_abi() {
	dir=$(ga_vm_headers_dir "$1") || exit 1
	echo "${dir##*/linux-headers-}"
}
