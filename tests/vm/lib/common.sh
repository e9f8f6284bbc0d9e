# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the guest-kernel harness (sourced, not run).
# GA_VM_CACHE: where kernels and built images go (git-ignored by default).

GA_VM_LIB=$(cd "$(dirname "$0")" && pwd)
GA_TOP=${GA_TOP:-$(cd "$GA_VM_LIB/../../.." && pwd)}
GA_VM_CACHE=${GA_VM_CACHE:-$GA_TOP/.cache/vm}

log() { echo "[vm] $*" >&2; }
die() { echo "[vm] error: $*" >&2; exit 1; }

# ga_vm_program REL [ENVVALUE]: one of the build's programs (REL: gpu-assign,
# hooks/gpu-assign-hook, hooks/gpu-assign-hook-check) to copy into a guest, as
# an ELF binary (a libtool wrapper script is not the program): ENVVALUE when
# set, else from _build/vg, _build/san, then the checkout. Fails when none.
ga_vm_program() {
	rel=$1
	bin=${2:-}
	if [ -z "$bin" ]; then
		for b in "$GA_TOP/_build/vg/$rel" "$GA_TOP/_build/san/$rel" "$GA_TOP/$rel"; do
			[ -x "$b" ] && { bin=$b; break; }
		done
	fi
	[ -n "$bin" ] && [ -x "$bin" ] || { log "no $rel binary (build first)"; return 1; }
	if ! head -c 4 "$bin" | grep -q ELF; then
		bin=$(dirname "$bin")/.libs/$(basename "$bin")
		[ -x "$bin" ] || { log "$bin: not an ELF binary"; return 1; }
	fi
	echo "$bin"
}

# ga_vm_gpu_assign: the gpu-assign program for a guest ($GPU_ASSIGN overrides).
ga_vm_gpu_assign() { ga_vm_program gpu-assign "${GPU_ASSIGN:-}"; }

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
