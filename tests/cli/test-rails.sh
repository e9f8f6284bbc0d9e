#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-rails.sh - the CLI side of bind's and release's safety rails
# (issue 12): exact message and exit status of each refusal, on the
# quad-gh200 sample host (its sysfs tree only: no command here gets as far
# as a driver change, which the fake tree could not play; the transactions
# themselves are in tests/unit/test-bind.c and tests/faults/run).
set -u
script=test-rails
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
unset GA_TEST_OVERRIDES

"$top/tests/hosts/mkhost" "$top/tests/hosts/quad-gh200" "$tmp/host" >/dev/null || exit 2
sys=$tmp/host/sys
# The state directory compiled in (configure --with-statedir; distcheck moves it): the build's Makefile says.
statedir=$(sed -n 's/^gastatedir = //p' Makefile 2>/dev/null)
statedir=${statedir:-/run/gpu-assign}
mkdir -p "$tmp/state" "$tmp/rules"
dirs=(--state-dir "$tmp/state" --rules-dir "$tmp/rules")

# A fixture root: the host's state and rules directories are out of bounds.
expect "fixture root, no state dir: bind" 1 \
	"gpu-assign: refusing to use the host's '$statedir' with the sysfs root '$sys': give the test its own state and rules directories (--state-dir DIR --rules-dir DIR, or state-dir and rules-dir in the test overrides file)" \
	"$ga" --sysfs-root "$sys" bind 0009:01:00.0
expect "fixture root, no rules dir: release" 1 \
	"gpu-assign: refusing to use the host's '/etc/udev/rules.d' with the sysfs root '$sys': give the test its own state and rules directories (--state-dir DIR --rules-dir DIR, or state-dir and rules-dir in the test overrides file)" \
	"$ga" --sysfs-root "$sys" release --state-dir "$tmp/state" 0009:01:00.0
expect "fixture root, no dirs: repair" 1 \
	"gpu-assign: refusing to use the host's '$statedir' with the sysfs root '$sys': give the test its own state and rules directories (--state-dir DIR --rules-dir DIR, or state-dir and rules-dir in the test overrides file)" \
	"$ga" --sysfs-root "$sys" repair
printf 'state-dir = %s/state\nrules-dir = %s/rules\n' "$tmp" "$tmp" >"$tmp/overrides"
GA_TEST_OVERRIDES=$tmp/overrides expect "fixture root, dirs from the test overrides: repair" 0 "" \
	"$ga" --sysfs-root "$sys" repair

# bind takes GPUs.
expect "bind the NIC one digit from a GPU" 1 \
	"gpu-assign: refusing to bind '0000:01:00.0': it is a network controller (class 0x020000) on driver 'mlx5_core', not a GPU, and the host would lose its network links while it is on vfio (check the address; --force binds it anyway)" \
	"$ga" --sysfs-root "$sys" bind "${dirs[@]}" 0000:01:00.0
expect "bind the NVMe controller" 1 \
	"gpu-assign: refusing to bind '0002:01:00.0': it is a storage controller (class 0x010802) on driver 'nvme', not a GPU, and the host would lose the disks behind it while it is on vfio (check the address; --force binds it anyway)" \
	"$ga" --sysfs-root "$sys" bind "${dirs[@]}" 0002:01:00.0
# sysfs writes never follow a symlink out of the root.
echo precious >"$tmp/victim"
rm -f "$sys/bus/pci/drivers/nvidia/unbind"
ln -s "$tmp/victim" "$sys/bus/pci/drivers/nvidia/unbind"
# (this bind gets as far as a write: it reads a /proc and a modules directory
# of the test's own, never the build machine's processes or kernel modules)
mkdir -p "$tmp/proc" "$tmp/no-modules" && : >"$tmp/proc/iomem"
printf 'proc-root = %s/proc\nmodules-dir = %s/no-modules\n' "$tmp" "$tmp" >"$tmp/machine"
GA_TEST_OVERRIDES=$tmp/machine expect "a fixture's unbind -> FILE is not written" 1 \
	"gpu-assign: refusing to write '$sys/bus/pci/drivers/nvidia/unbind': it is a symlink or leads out of the sysfs root (a sysfs attribute is a plain file: check the tree)" \
	"$ga" --sysfs-root "$sys" bind "${dirs[@]}" 0009:01:00.0
expect "... and FILE is unchanged" 0 "" grep -qx precious "$tmp/victim"
expect "... and no journal is left" 1 "" test -e "$tmp/state/journal"

# A rules line gpu-assign did not write: a warning for release, an error for release --persistent.
cat >"$tmp/rules/70-gpu-assign.rules" <<'RULES'
# Written by 'gpu-assign bind --persistent'; change it with gpu-assign only
SUBSYSTEM=="net", NAME="lan0"
RULES
expect "release past a foreign rules line: one warning" 0 \
	"gpu-assign: warning: '$tmp/rules/70-gpu-assign.rules': cannot parse udev rules line 2 'SUBSYSTEM==\"net\", NAME=\"lan0\"': not a line gpu-assign writes (fix or remove the file '70-gpu-assign.rules'); releasing without the udev rules" \
	"$ga" --sysfs-root "$sys" release "${dirs[@]}" 0009:01:00.0
expect "release --persistent refuses before any change" 1 \
	"gpu-assign: release --persistent changed nothing: '$tmp/rules/70-gpu-assign.rules': cannot parse udev rules line 2 'SUBSYSTEM==\"net\", NAME=\"lan0\"': not a line gpu-assign writes (fix or remove the file '70-gpu-assign.rules')" \
	"$ga" --sysfs-root "$sys" release --persistent "${dirs[@]}" 0009:01:00.0
expect "release --force is an option of release" 0 \
	"gpu-assign: warning: '$tmp/rules/70-gpu-assign.rules': cannot parse udev rules line 2 'SUBSYSTEM==\"net\", NAME=\"lan0\"': not a line gpu-assign writes (fix or remove the file '70-gpu-assign.rules'); releasing without the udev rules" \
	"$ga" --sysfs-root "$sys" release --force "${dirs[@]}" 0009:01:00.0
# A state directory the previous release (format version 1) wrote: repaired and read.
mkdir -m 700 "$tmp/v1"
cat >"$tmp/v1/bindings" <<'V1'
# gpu-assign bindings v1: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH
0009:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000000
0019:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000100
V1
cat >"$tmp/v1/journal" <<'V1'
# gpu-assign journal v1: an operation in progress; if its process is gone, 'gpu-assign repair' puts these devices back
op name=bind pid=4242 started=1700000100
dev 0019:01:00.0 driver=nvidia override=- recorded=0
V1
v1=(--state-dir "$tmp/v1" --rules-dir "$tmp/rules-v1")
expect "version 1 state: repair" 0 "" "$ga" --sysfs-root "$sys" repair "${v1[@]}"
cp "$tmp/out" "$tmp/repair.out"
expect "... says what it did" 0 "" grep -qx 'rolled back an interrupted operation: 1 device(s) put back' "$tmp/repair.out"
printf '%s\n' 'version 2' \
	"# gpu-assign bindings: ADDRESS driver=BOUND from=PREVIOUS override=PREVIOUS since=EPOCH owner=FOR ('-': none)" \
	'0009:01:00.0 driver=vfio-pci from=nvidia override=- since=1700000000 owner=-' >"$tmp/v2-want"
expect "... and writes the bindings in version 2" 0 "" cmp -s "$tmp/v2-want" "$tmp/v1/bindings"
expect "version 1 state: status reads it" 0 "" "$ga" --sysfs-root "$sys" status --json "${v1[@]}"
cp "$tmp/out" "$tmp/status.json"
expect "... as JSON" 0 "" jq -e -n 'input' "$tmp/status.json"
expect "... one device, no interrupted operation" 0 "" \
	jq -e '([.devices[].address] == ["0009:01:00.0"]) and (.interrupted_operation == false)' "$tmp/status.json"
expect "status past a foreign rules line: one warning" 0 \
	"gpu-assign: warning: '$tmp/rules/70-gpu-assign.rules': cannot parse udev rules line 2 'SUBSYSTEM==\"net\", NAME=\"lan0\"': not a line gpu-assign writes (fix or remove the file '70-gpu-assign.rules'); status shows no persistent rules" \
	"$ga" --sysfs-root "$sys" status "${dirs[@]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
