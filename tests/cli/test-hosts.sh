#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# gpu-assign list/show/check on every sample host, and bad input.
#
# The GPUs are simulated: each sample host is a fake sysfs tree replayed with
# umockdev (tests/hosts/), so the real libudev enumeration and the real sysfs
# reads run unchanged. JSON is checked with jq, never by string match.
set -u

srcdir=${srcdir:-.}
hosts="$srcdir/tests/hosts"
bin=${GPU_ASSIGN:-./gpu-assign}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ga-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; [ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/    /'; }

# Generate each host once; run commands on it with `on HOST CMD...`.
gen() { "$hosts/mkhost" "$hosts/$1" "$tmp/$1" >/dev/null || { echo "mkhost $1 failed"; exit 1; }; }
# An empty modules dir: the build machine's kernel never decides the Grace driver.
mkdir "$tmp/no-modules" && printf 'modules-dir = %s\n' "$tmp/no-modules" >"$tmp/overrides"
on() {
	h=$1
	shift
	umockdev-run -d "$tmp/$h/host.umockdev" -- env GA_SYSFS_ROOT="$tmp/$h/sys" GA_TEST_OVERRIDES="$tmp/overrides" "$@"
}

# expect_gpus HOST EXPECTED: the default list, one line per device:
# address family driver iommu_group peers numa verdict
expect_gpus() {
	h=$1
	want=$2
	if ! on "$h" "$bin" list --json >"$tmp/out.json" 2>"$tmp/err"; then
		ko "$h: list --json exits 0" "$(cat "$tmp/err")"
		return
	fi
	got=$(jq -r '.devices[] | [.address, .family, (.driver // "none"), (.iommu_group // "none"),
		(if (.iommu_group_peers | length) > 0 then .iommu_group_peers | join(",") else "-" end),
		(.numa_node // "none"), .verdict] | join(" ")' "$tmp/out.json")
	if [ "$got" = "$want" ]; then ok "$h: list --json devices"; else ko "$h: list --json devices" "got:
$got
want:
$want"; fi
	# The text table shows the same addresses in the same order.
	on "$h" "$bin" list >"$tmp/out.txt" 2>&1
	tgot=$(awk 'NR > 1 && $1 ~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ { print $1 }' "$tmp/out.txt")
	twant=$(printf '%s\n' "$want" | awk 'NF { print $1 }')
	if [ "$tgot" = "$twant" ]; then ok "$h: list table rows"; else ko "$h: list table rows" "$(cat "$tmp/out.txt")"; fi
}

for h in quad-gh200 single-gh200 gb200-tray pcie-h100 no-nvidia shared-group; do gen "$h"; done

expect_gpus quad-gh200 "0009:01:00.0 grace-hopper nvidia 11 - 0 assignable
0019:01:00.0 grace-hopper nvidia 21 - 1 assignable
0029:01:00.0 grace-hopper nvidia 31 - 2 assignable
0039:01:00.0 grace-hopper nvidia 41 - 3 assignable"
expect_gpus single-gh200 "0009:01:00.0 grace-hopper nvidia 19 - 0 assignable"
expect_gpus gb200-tray "0008:01:00.0 grace-blackwell nvgrace_gpu_vfio_pci 9 - 0 assignable
0009:01:00.0 grace-blackwell nvgrace_gpu_vfio_pci 11 - 0 assignable
0018:01:00.0 grace-blackwell nvgrace_gpu_vfio_pci 25 - 1 assignable
0019:01:00.0 grace-blackwell nvgrace_gpu_vfio_pci 27 - 1 assignable"
expect_gpus pcie-h100 "0000:02:00.0 unknown none 15 - 0 unknown-model
0000:c1:00.0 hopper nvidia 61 - 1 assignable"
expect_gpus no-nvidia ""
expect_gpus shared-group "0009:03:00.0 grace-hopper nvidia 5 0009:04:00.0 0 assignable-with-group"

# JSON details of one GPU per family.
check_json() {
	name=$1 h=$2 addr=$3 filter=$4
	if on "$h" "$bin" show "$addr" --json >"$tmp/show.json" 2>"$tmp/err" &&
		[ "$(jq -r "$filter" "$tmp/show.json")" = true ]; then
		ok "$name"
	else
		ko "$name" "$(cat "$tmp/show.json" "$tmp/err")"
	fi
}
check_json "quad-gh200: show --json GH200" quad-gh200 0019:01:00.0 \
	'.schema == 1 and .model == "GH200 120GB" and .coherent and .target_driver == "nvgrace_gpu_vfio_pci" and .gi_nodes == 8 and .gi_source == "acpi"
	 and .numa_node == 1 and .acpi_companion != null and .assignable and ([.bars[].index] == [0, 2, 4])
	 and (.bars[] | select(.index == 2) | .size == 137438953472 and .prefetchable and ."64bit")'
check_json "gb200-tray: show --json GB200" gb200-tray 0018:01:00.0 \
	'.family == "grace-blackwell" and .driver == "nvgrace_gpu_vfio_pci" and .coherent and .numa_node == 1'
check_json "pcie-h100: discrete H100 uses vfio-pci, not coherent" pcie-h100 0000:c1:00.0 \
	'.family == "hopper" and (.coherent | not) and .target_driver == "vfio-pci" and .gi_nodes == 0 and .gi_source == null'
check_json "pcie-h100: unknown NVIDIA GPU is never guessed" pcie-h100 0000:02:00.0 \
	'.model == null and .family == "unknown" and (.assignable | not) and .verdict == "unknown-model"
	 and (.reason | test("not assignable by default"))'
check_json "shared-group: peers named, bridges left out" shared-group 0009:03:00.0 \
	'.iommu_group == 5 and .iommu_group_peers == ["0009:04:00.0"] and .assignable'

# --all adds non-NVIDIA functions and bridges; the default hides them.
if on quad-gh200 "$bin" list --all --json >"$tmp/all.json" &&
	[ "$(jq '[.devices[] | select(.vendor != "0x10de")] | length' "$tmp/all.json")" -gt 0 ] &&
	[ "$(jq '[.devices[] | select(.class | startswith("0x06"))] | length' "$tmp/all.json")" -gt 0 ] &&
	[ "$(jq '[.devices[] | select(.address == "0000:01:00.0")][0].verdict' "$tmp/all.json")" = '"not-nvidia"' ]; then
	ok "list --all shows non-NVIDIA devices and bridges"
else
	ko "list --all shows non-NVIDIA devices and bridges"
fi
out=$(on no-nvidia "$bin" list)
case $out in *"(no NVIDIA devices found)"*) ok "no-nvidia: says so";; *) ko "no-nvidia: says so" "$out";; esac
out=$(on shared-group "$bin" show 0009:03:00.0)
case $out in *"IOMMU group:     5, shared with 0009:04:00.0 (mlx5_core)"*) ok "show: group peers with drivers";;
*) ko "show: group peers with drivers" "$out";; esac
# show says where the GI count comes from with plan's word, for the same GPU
# (the firmware's _DSD on single-gh200, the catalogue on shared-group)
for hg in single-gh200:0009:01:00.0:acpi shared-group:0009:03:00.0:catalogue; do
	h=${hg%%:*} a=${hg#*:} src=${hg##*:}
	a=${a%:*}
	stext=$(on "$h" "$bin" show "$a" 2>&1 | sed -n 's/^GI NUMA nodes: *\([0-9]*\) per GPU (\(.*\))$/\1 \2/p')
	ptext=$(on "$h" "$bin" plan --gpu "$a" --vcpus 2 --memory 1G --libvirt-version 11.3 --qemu-version 10.0 2>/dev/null |
		awk -v a="$a" '$1 == a { for (i = 1; i <= NF; i++) if ($i ~ /^\(/) { gsub(/[()]/, "", $i); print $(i - 1), $i } }')
	sjson=$(on "$h" "$bin" show --json "$a" 2>/dev/null | jq -r '"\(.gi_nodes) \(.gi_source)"')
	if [ "$stext" = "8 $src" ] && [ "$ptext" = "$stext" ] && [ "$sjson" = "$stext" ]; then
		ok "$h: show and plan name the GI count's source alike: $stext"
	else
		ko "$h: show and plan name the GI count's source alike" "show: '$stext', plan: '$ptext', show --json: '$sjson' (want '8 $src')"
	fi
done
if on quad-gh200 "$bin" check 0009:01:00.0 0039:01:00.0 >"$tmp/out" 2>&1 && [ "$(wc -l <"$tmp/out")" -eq 2 ]; then
	ok "check: two assignable GPUs"
else
	ko "check: two assignable GPUs" "$(cat "$tmp/out")"
fi

# Bad input: exact message (one line) and exit status.
# bad NAME STATUS MESSAGE HOST ARGS...  (HOST "-" runs without umockdev)
bad() {
	name=$1 status=$2 msg=$3 h=$4
	shift 4
	if [ "$h" = - ]; then
		"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	else
		on "$h" "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	got=$(grep -v '^==' "$tmp/err")
	if [ "$rc" -eq "$status" ] && [ "$got" = "$msg" ] && [ ! -s "$tmp/out" ]; then
		ok "bad input: $name"
	else
		ko "bad input: $name" "exit $rc (want $status); stderr: $got
want: $msg"
	fi
}
inval() { echo "gpu-assign: invalid PCI address '$1': expected DDDD:BB:SS.F or BB:SS.F in hex as lspci prints it, or virsh's pci_DDDD_BB_SS_F; slot at most 1f, function at most 7 (e.g. 0009:01:00.0)"; }
for a in zz 0009:01:00.8 0009:01:20.0 ../../../etc 0009:01:00 "" 0x09:01:00.0 pci_9_1_0_0 "0009 :01:00.0" 00009:01:00.0; do
	bad "address '$a'" 2 "$(inval "$a")" - show "$a"
done

# The forms operators copy from lspci and virsh name the same GPU.
for a in 0009:01:00.0 9:1:0.0 0009:1:00.0 pci_0009_01_00_0 " 0009:01:00.0 " "0009:01:00.0
"; do
	if on single-gh200 "$bin" show --json "$a" >"$tmp/out" 2>"$tmp/err" &&
	   [ "$(jq -r .address "$tmp/out")" = 0009:01:00.0 ]; then
		ok "address form '$a'"
	else
		ko "address form '$a'" "$(cat "$tmp/err" "$tmp/out")"
	fi
done
# BB:SS.F is domain 0; when only one other domain has it, say so.
# without_domain0_01 HOST: HOST minus its functions at 0000:01:00.*
without_domain0_01() {
	mkdir -p "$tmp/$1-src" && grep -v ' 0000:01:00' "$hosts/$1/host.sh" >"$tmp/$1-src/host.sh" &&
		"$hosts/mkhost" "$tmp/$1-src" "$tmp/$1-no01" >/dev/null ||
		ko "mkhost $1 without 0000:01:00"
}
without_domain0_01 single-gh200
without_domain0_01 quad-gh200
bad "did you mean" 1 "gpu-assign: PCI device '0000:01:00.0' does not exist on this host: did you mean '0009:01:00.0'?" \
	single-gh200-no01 show 01:00.0
bad "did you mean, lspci short form" 1 "gpu-assign: PCI device '0000:01:00.0' does not exist on this host: did you mean '0009:01:00.0'?" \
	single-gh200-no01 check 1:0.0
bad "no hint when several domains have it" 1 "gpu-assign: PCI device '0000:01:00.0' does not exist on this host (see 'gpu-assign list --all' for the devices present)" \
	quad-gh200-no01 show 01:00.0
bad "check parses every address before reading sysfs" 2 "$(inval 01:00.9)" - check 0009:01:00.0 01:00.9
bad "missing device" 1 "gpu-assign: PCI device '0009:02:00.0' does not exist on this host (see 'gpu-assign list --all' for the devices present)" \
	quad-gh200 show 0009:02:00.0
bad "check: missing device" 1 "gpu-assign: PCI device '0001:00:00.0' does not exist on this host (see 'gpu-assign list --all' for the devices present)" \
	quad-gh200 check 0009:01:00.0 0001:00:00.0
bad "check: not an NVIDIA GPU" 1 "gpu-assign: '0000:01:00.0' is not an NVIDIA GPU: not an NVIDIA device (vendor 0x15b3) (pick one from 'gpu-assign list')" \
	quad-gh200 check 0000:01:00.0
bad "check: an NVIDIA bridge is not a GPU" 1 "gpu-assign: '0009:00:00.0' is not an NVIDIA GPU: an NVIDIA function of class 0x060400, not a GPU (display class 0x03) (pick one from 'gpu-assign list')" \
	quad-gh200 check 0009:00:00.0
bad "check: unknown NVIDIA model" 1 "gpu-assign: GPU '0000:02:00.0' is not assignable: unknown NVIDIA GPU 10de:2236, not assignable by default (not in gpu-assign's catalogue)" \
	pcie-h100 check 0000:02:00.0
bad "show without address" 2 "gpu-assign: show: no PCI address given (usage: gpu-assign show ADDRESS [--json])" - show
bad "show with two addresses" 2 "gpu-assign: show: unexpected argument '01:00.1' (give one address)" - show 01:00.0 01:00.1
bad "check without address" 2 "gpu-assign: check: no PCI address given (usage: gpu-assign check ADDRESS...)" - check
bad "list with an argument" 2 "gpu-assign: list: unexpected argument 'gpus' (usage: gpu-assign list [--all] [--json])" - list gpus
bad "unknown command" 2 "gpu-assign: unknown command 'frobnicate' (see 'gpu-assign --help')" - frobnicate
bad "no command" 2 "gpu-assign: no command given (see 'gpu-assign --help')" -
bad "relative sysfs root" 1 "gpu-assign: invalid sysfs root 'sys': it must be an absolute path (give e.g. '/sys')" - --sysfs-root sys list

# Broken sysfs attributes (a corrupt or partial tree): one line naming the file.
cp -a "$tmp/single-gh200" "$tmp/broken"
dev="$tmp/broken/sys/bus/pci/devices/0009:01:00.0"
printf 'banana\n' >"$dev/vendor"
bad "corrupt vendor attribute" 1 "gpu-assign: cannot parse 'vendor' of PCI device '0009:01:00.0': 'banana' is not a hex value (the host's sysfs looks corrupt)" \
	broken list
cp "$tmp/single-gh200/sys/bus/pci/devices/0009:01:00.0/vendor" "$dev/vendor"
rm "$dev/resource"
bad "missing resource attribute" 1 "gpu-assign: cannot read '$tmp/broken/sys/bus/pci/devices/0009:01:00.0/resource': No such file or directory (the kernel does not expose it: check the device and driver)" \
	broken show 0009:01:00.0
cp "$tmp/single-gh200/sys/bus/pci/devices/0009:01:00.0/resource" "$dev/resource"
printf '10 20\n' >"$tmp/broken/sys/devices/system/node/node0/distance"
bad "short NUMA distance row" 1 "gpu-assign: cannot parse the distance row of NUMA node 0: '10 20' does not list 9 distances" broken list

# No permission: run as an unprivileged user on a tree with an unreadable attribute.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	cp -a "$tmp/single-gh200" "$tmp/noperm"
	# umockdev-run itself runs as the user, so that its testbed is the user's.
	chmod 755 "$tmp"
	chmod -R a+rX "$tmp/noperm"
	chmod 000 "$tmp/noperm/sys/bus/pci/devices/0009:01:00.0/numa_node"
	# The checkout may sit in a directory the user cannot enter (root's home
	# is 0700): the user runs a copy of the binary from the test's own tree.
	mkdir -p "$tmp/bin" && cp "$bin" "$tmp/bin/gpu-assign" && chmod 755 "$tmp/bin" "$tmp/bin/gpu-assign"
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent TMPDIR=/tmp \
		umockdev-run -d "$tmp/noperm/host.umockdev" -- env GA_SYSFS_ROOT="$tmp/noperm/sys" \
		"$tmp/bin/gpu-assign" list >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want="gpu-assign: cannot read '$tmp/noperm/sys/bus/pci/devices/0009:01:00.0/numa_node': Permission denied (run as root)"
	got=$(grep -v '^==' "$tmp/err")
	if [ "$rc" -eq 1 ] && [ "$got" = "$want" ]; then ok "bad input: unreadable attribute"; else
		ko "bad input: unreadable attribute" "exit $rc; $got"; fi
	# The ACPI tables are root's: an unprivileged plan takes the catalogue's
	# GI count and says why, once; root reads the firmware's.
	chmod 644 "$tmp/noperm/sys/bus/pci/devices/0009:01:00.0/numa_node"
	chmod 400 "$tmp/noperm/sys/firmware/acpi/tables/DSDT"
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent TMPDIR=/tmp \
		umockdev-run -d "$tmp/noperm/host.umockdev" -- env GA_SYSFS_ROOT="$tmp/noperm/sys" GA_TEST_OVERRIDES="$tmp/overrides" \
		"$tmp/bin/gpu-assign" plan --gpu all --vcpus 8 --memory 16G --json --libvirt-version 11.3 --qemu-version 10.0 \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	got=$(grep -v '^==' "$tmp/err")
	src=$(jq -r '.gpus[0].gi_source' "$tmp/out" 2>/dev/null)
	case $got in
	"gpu-assign: warning: GPU '0009:01:00.0': GI node count from the catalogue, not the host's ACPI _DSD: "*root*) okmsg=yes ;;
	*) okmsg=no ;;
	esac
	if [ "$rc" -eq 0 ] && [ "$okmsg" = yes ] && [ "$(printf '%s\n' "$got" | wc -l)" = 1 ] && [ "$src" = catalogue ]; then
		ok "plan as an unprivileged user: catalogue GI count, one warning"
	else
		ko "plan as an unprivileged user: catalogue GI count, one warning" "exit $rc; source $src; $got"
	fi
	on single-gh200 "$bin" plan --gpu all --vcpus 8 --memory 16G --json --libvirt-version 11.3 --qemu-version 10.0 \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	src=$(jq -r '.gpus[0] | "\(.gi_source) \(.acpi.table) \(.acpi.gpu_mem_pxm_start) \(.acpi.gpu_mem_pxm_count)"' "$tmp/out" 2>/dev/null)
	if [ "$rc" -eq 0 ] && [ "$src" = "acpi DSDT 1 8" ] && [ ! -s "$tmp/err" ]; then
		ok "plan as root: GI count from the firmware's _DSD"
	else
		ko "plan as root: GI count from the firmware's _DSD" "exit $rc; $src; $(cat "$tmp/err")"
	fi
else
	ko "bad input: unreadable attribute" "needs root and setpriv (util-linux) to drop privileges"
fi

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
