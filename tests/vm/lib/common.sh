# Shared helpers for the guest-kernel harness (sourced, not run).
# GA_VM_CACHE: where kernels and built images go (git-ignored by default).

GA_VM_LIB=$(cd "$(dirname "$0")" && pwd)
GA_TOP=${GA_TOP:-$(cd "$GA_VM_LIB/../../.." && pwd)}
GA_VM_CACHE=${GA_VM_CACHE:-$GA_TOP/.cache/vm}

log() { echo "[vm] $*" >&2; }
die() { echo "[vm] error: $*" >&2; exit 1; }

# ga_vm_headers_abi SERIES: ABI of the installed linux-headers-SERIES.*-amd64.
ga_vm_headers_abi() {
	series=$1
	found=
	for d in /usr/src/linux-headers-"$series".*-amd64 \
		 /usr/src/linux-headers-"$series"-*-amd64; do
		[ -d "$d" ] || continue
		found=${d#/usr/src/linux-headers-}
	done
	[ -n "$found" ] || die "no linux-headers-$series.*-amd64 installed (run '.ci/deps --all')"
	echo "$found"
}
