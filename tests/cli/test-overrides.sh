#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-overrides.sh - the CLI side of the one test override mechanism
# (gpu-assign(1), TEST OVERRIDES): the file GA_TEST_OVERRIDES names is read
# once, -v says what it changed, a bad file stops every command with one
# line naming file and line, and --sysfs-root > GA_SYSFS_ROOT > sysfs-root.
# The parser's every error is in tests/unit/test-ctx.c; the hook's side in
# tests/hook/bad-input.
set -u
script=test-overrides
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mkdir "$tmp/state"
printf '# a test of status\nstate-dir = %s/state\nstep-delay-ms = 5\n' "$tmp" >"$tmp/ok"
GA_TEST_OVERRIDES=$tmp/ok expect "-v names the file and what it changed" 0 \
	"gpu-assign: info: test overrides from '$tmp/ok': state-dir=$tmp/state, step-delay-ms=5" "$ga" -v status
GA_TEST_OVERRIDES=$tmp/ok expect "without -v: silent" 0 "" "$ga" status
printf 'state-dir = %s/state\nstate_dir = /x\n' "$tmp" >"$tmp/bad"
GA_TEST_OVERRIDES=$tmp/bad expect "unknown key: one line, exit 1" 1 \
	"gpu-assign: test overrides file $tmp/bad:2: unknown key 'state_dir' (known: sysfs-root, state-dir, rules-dir, modules-dir, proc-root, config, hook-log, step-delay-ms, hook-standin, catalog-standin)" \
	"$ga" status
GA_TEST_OVERRIDES=$tmp/missing expect "a missing file a test named" 1 \
	"gpu-assign: cannot open test overrides file '$tmp/missing': No such file or directory" "$ga" status
GA_TEST_OVERRIDES=$tmp expect "a directory" 1 \
	"gpu-assign: test overrides file '$tmp' is not a regular file (give a file of 'key = value' lines)" "$ga" status

# sysfs root: --sysfs-root beats GA_SYSFS_ROOT, which beats the file; each
# case succeeds only if the winner is the sample host's tree.
if command -v umockdev-run >/dev/null 2>&1; then
	"$top/tests/hosts/mkhost" "$top/tests/hosts/single-gh200" "$tmp/host" >/dev/null || exit 2
	on_host() { umockdev-run -d "$tmp/host/host.umockdev" -- "$@"; }
	printf 'sysfs-root = %s/host/sys\n' "$tmp" >"$tmp/sysfs-good"
	printf 'sysfs-root = %s/nowhere\n' "$tmp" >"$tmp/sysfs-bad"
	GA_TEST_OVERRIDES=$tmp/sysfs-good expect "the file's sysfs-root is used" 0 "" on_host "$ga" check 0009:01:00.0
	GA_TEST_OVERRIDES=$tmp/sysfs-bad GA_SYSFS_ROOT=$tmp/host/sys expect "GA_SYSFS_ROOT beats the file" 0 "" \
		on_host "$ga" check 0009:01:00.0
	GA_TEST_OVERRIDES=$tmp/sysfs-bad GA_SYSFS_ROOT=$tmp/nowhere expect "--sysfs-root beats GA_SYSFS_ROOT" 0 "" \
		on_host "$ga" --sysfs-root "$tmp/host/sys" check 0009:01:00.0

	# catalog-standin: a test catalogue entry makes a stand-in device (here
	# the sample GPU given another vendor's ids) a coherent Grace GPU, so
	# that show, check and list treat it as one and name the variant driver
	# this "kernel" registers (only the companion module here).
	G=$tmp/host/sys/bus/pci/devices/0009:01:00.0
	echo 0x1234 >"$G/vendor" && echo 0x1111 >"$G/device"
	rm -rf "$tmp/host/sys/bus/pci/drivers/nvgrace_gpu_vfio_pci"
	mkdir -p "$tmp/host/sys/bus/pci/drivers/gpu_assign_nvgrace" "$tmp/no-modules"
	printf 'sysfs-root = %s/host/sys\nmodules-dir = %s/no-modules\n' "$tmp" "$tmp" >"$tmp/no-standin"
	cp "$tmp/no-standin" "$tmp/standin"
	echo 'catalog-standin = 1234:1111=grace-hopper' >>"$tmp/standin"
	GA_TEST_OVERRIDES=$tmp/no-standin expect "without catalog-standin a stand-in is no GPU" 1 \
		"gpu-assign: '0009:01:00.0' is not an NVIDIA GPU: not an NVIDIA device (vendor 0x1234) (pick one from 'gpu-assign list')" \
		on_host "$ga" check 0009:01:00.0
	# (expect writes to $tmp/out: what a case looks at is copied first)
	GA_TEST_OVERRIDES=$tmp/standin expect "catalog-standin: check takes the stand-in" 0 "" on_host "$ga" check 0009:01:00.0
	cp "$tmp/out" "$tmp/got"
	expect "... and names the companion driver" 0 "" grep -qxF \
		"0009:01:00.0: assignable with driver gpu_assign_nvgrace (registered in /sys/bus/pci/drivers; coherent memory, ACPI generic-initiator NUMA nodes)" \
		"$tmp/got"
	GA_TEST_OVERRIDES=$tmp/standin expect "catalog-standin: show" 0 "" on_host "$ga" show 0009:01:00.0
	cp "$tmp/out" "$tmp/got"
	lines_match() { [ "$(grep -cE "$2" "$3")" = "$1" ]; } # lines_match N ERE FILE
	expect "... its model and target driver" 0 "" lines_match 2 \
		"^(Model: +test stand-in 1234:1111 \(grace-hopper, coherent memory\)|Target driver: +gpu_assign_nvgrace \(registered in /sys/bus/pci/drivers\))$" "$tmp/got"
	GA_TEST_OVERRIDES=$tmp/standin expect "catalog-standin: list shows the stand-in" 0 "" on_host "$ga" list
	cp "$tmp/out" "$tmp/got"
	expect "... as a grace-hopper" 0 "" grep -qE "^0009:01:00.0 +1234:1111 +test stand-in 1234:1111 +grace-hopper " "$tmp/got"
	printf 'catalog-standin = 1234:1111\n' >"$tmp/standin-bad"
	GA_TEST_OVERRIDES=$tmp/standin-bad expect "catalog-standin without a family" 1 \
		"gpu-assign: test overrides file $tmp/standin-bad:1: invalid value '1234:1111' for 'catalog-standin': it must be VVVV:DDDD=grace-hopper or VVVV:DDDD=grace-blackwell (the stand-in's PCI vendor and device ids), or up to 8 of them separated by commas" \
		"$ga" status
else
	fail=$((fail + 1)); echo "FAIL the umockdev cases: umockdev-run is missing (install umockdev: .ci/deps)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
