#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-files.sh - the CLI on files that are not what they should be (issue 12
# items 2, 6, 7, 8): every file gpu-assign opens, put there as a FIFO, is
# refused at once with one line naming it (a blocking open would hang bind
# under the host lock); state files refuse symlinks; a NUL byte is refused
# where it would end a parser early; and the messages of item 6 name the
# real cause. Exact stderr and exit status for each. Every command runs
# under timeout: a hang fails the case instead of the run. The library side
# of the same files is in tests/unit/test-open.c, the hook's in
# tests/hook/bad-input.
set -u
script=test-files
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# A fresh state and rules directory for each case, named by the overrides file.
fresh() {
	rm -rf "$tmp/state" "$tmp/rules"
	mkdir -m 0700 "$tmp/state"
	mkdir "$tmp/rules"
}
printf 'state-dir = %s/state\nrules-dir = %s/rules\n' "$tmp" "$tmp" >"$tmp/overrides"
export GA_TEST_OVERRIDES=$tmp/overrides
S=$tmp/state R=$tmp/rules

# Item 2: FIFOs where state files belong
fresh; mkfifo "$S/journal"
expect "journal is a FIFO: repair" 1 "gpu-assign: refusing '$S/journal': not a regular file (remove it)" "$ga" repair
fresh; mkfifo "$S/bindings"
expect "bindings is a FIFO: status" 1 "gpu-assign: refusing '$S/bindings': not a regular file (remove it)" "$ga" status
fresh; mkfifo "$S/lock"
expect "lock is a FIFO: repair" 1 "gpu-assign: refusing the lock '$S/lock': not a regular file (remove it)" "$ga" repair
fresh; mkfifo "$R/70-gpu-assign.rules"
expect "rules file is a FIFO: status" 1 "gpu-assign: refusing '$R/70-gpu-assign.rules': not a regular file (remove it)" "$ga" status
fresh; echo x >"$tmp/elsewhere"; ln -s "$tmp/elsewhere" "$S/journal"
expect "journal is a symlink: repair" 1 "gpu-assign: cannot open '$S/journal': Too many levels of symbolic links (it is a symlink: remove it)" "$ga" repair
fresh; ln -s "$tmp/elsewhere" "$S/bindings"
expect "bindings is a symlink: status" 1 "gpu-assign: cannot open '$S/bindings': Too many levels of symbolic links (it is a symlink: remove it)" "$ga" status
mkfifo "$tmp/overrides.fifo"
GA_TEST_OVERRIDES=$tmp/overrides.fifo expect "test overrides file is a FIFO" 1 \
	"gpu-assign: test overrides file '$tmp/overrides.fifo' is not a regular file (give a file of 'key = value' lines)" "$ga" status
mkfifo "$tmp/conf.fifo"
expect "configuration is a FIFO: nova-config" 1 \
	"gpu-assign: cannot read configuration '$tmp/conf.fifo': not a regular file (point to the XML file)" "$ga" nova-config --config "$tmp/conf.fifo"
mkfifo "$tmp/domain.fifo"
expect "domain XML is a FIFO: xml --domain" 1 \
	"gpu-assign: domain XML '$tmp/domain.fifo' is not a regular file (give a file, or '-' to read standard input)" \
	"$ga" xml --gpu all --domain "$tmp/domain.fifo"

# Item 2: FIFOs where sysfs attributes are (a test tree: the real sysfs has
# none). bind reads driver_override and writes driver_override, the old
# driver's unbind and drivers_probe: a FIFO at any of them is refused at
# once, with or without a process holding its other end, and the journal of
# the failed bind is gone (rolled back).
"$top/tests/hosts/mkhost" "$top/tests/hosts/single-gh200" "$tmp/fifohost" >/dev/null || exit 2
fsys=$tmp/fifohost/sys
mkdir -p "$tmp/fproc" "$tmp/fmodules" && : >"$tmp/fproc/iomem"
printf 'state-dir = %s/state\nrules-dir = %s/rules\nproc-root = %s/fproc\nmodules-dir = %s/fmodules\n' \
	"$tmp" "$tmp" "$tmp" "$tmp" >"$tmp/fifo-overrides"
# fifo_at PATH: PATH (under the tree) becomes a FIFO; unfifo PATH: an empty file again
fifo_at() { rm -f "$fsys/$1" && mkfifo "$fsys/$1"; }
unfifo() { rm -f "$fsys/$1" && : >"$fsys/$1"; }
fifo_bind() { GA_TEST_OVERRIDES=$tmp/fifo-overrides expect "$@" "$ga" --sysfs-root "$fsys" bind 0009:01:00.0; }
dev=bus/pci/devices/0009:01:00.0
fresh; fifo_at $dev/driver_override
fifo_bind "driver_override is a FIFO: bind reads it" 1 \
	"gpu-assign: cannot read '$fsys/$dev/driver_override': not a regular file (check the host's sysfs)"
unfifo $dev/driver_override
for attr in bus/pci/drivers/nvidia/unbind bus/pci/drivers_probe; do
	fresh; fifo_at $attr
	fifo_bind "${attr##*/} is a FIFO: bind writes it" 1 \
		"gpu-assign: refusing to write '$fsys/$attr': not a regular file (a sysfs attribute is a plain file: check the tree)"
	expect "... and no journal is left" 1 "" test -e "$S/journal"
	# a reader on the FIFO: the open succeeds, and the FIFO is still refused
	exec 3<>"$fsys/$attr"
	fresh
	fifo_bind "${attr##*/} is a FIFO another process has open: bind" 1 \
		"gpu-assign: refusing to write '$fsys/$attr': not a regular file (a sysfs attribute is a plain file: check the tree)"
	exec 3>&-
	unfifo $attr
done

# Item 6: a lock that is a directory is no permission problem
fresh; mkdir "$S/lock"
expect "lock is a directory: repair" 1 "gpu-assign: refusing the lock '$S/lock': not a regular file (remove it)" "$ga" repair

# Item 7: a named configuration must exist; only the default may be missing
expect "nova-config --config missing file" 1 \
	"gpu-assign: cannot read configuration '$tmp/no-such.conf': No such file or directory (create it, see gpu-assign.conf(5))" \
	"$ga" nova-config --config "$tmp/no-such.conf"
expect "nova-config --config ''" 2 \
	"gpu-assign: nova-config: --config needs a file name (usage: gpu-assign nova-config [--json] [--config FILE] [--nova-release RELEASE] [--one-time-use])" \
	"$ga" nova-config --config ''

# Item 8: a NUL byte ends a parser early; the rest must not be lost without a word
fresh; printf 'version 2\n\0pid 1\n' >"$S/journal"
expect "journal with a NUL byte: repair refuses, keeps it" 1 \
	"gpu-assign: refusing '$S/journal': it holds a NUL byte at offset 10 (damaged or not ours: look at it, then move it away)" "$ga" repair
if [ -f "$S/journal" ]; then pass=$((pass + 1)); echo "PASS the journal with a NUL byte is kept"; else
	fail=$((fail + 1)); echo "FAIL repair removed the journal with a NUL byte"; fi
fresh; printf 'version 2\n\0009:01:00.0 driver=nvidia\n' >"$S/bindings"
expect "bindings with a NUL byte: status" 1 \
	"gpu-assign: refusing '$S/bindings': it holds a NUL byte at offset 10 (damaged or not ours: look at it, then move it away)" "$ga" status
fresh; printf '# gpu-assign\n\0\n' >"$R/70-gpu-assign.rules"
expect "rules file with a NUL byte: status" 1 \
	"gpu-assign: refusing '$R/70-gpu-assign.rules': it holds a NUL byte at offset 13 (damaged or not ours: look at it, then move it away)" "$ga" status
printf '<gpu-assign>\n  <reserved/>\0\n</gpu-assign>\n' >"$tmp/nul.conf"
expect "configuration with a NUL byte: nova-config" 1 \
	"gpu-assign: invalid configuration $tmp/nul.conf:2: a NUL byte at offset 26 (the file must be plain XML text: remove the byte)" \
	"$ga" nova-config --config "$tmp/nul.conf"
printf 'state-dir = %s/state\n\0rules-dir = /x\n' "$tmp" >"$tmp/overrides.nul"
GA_TEST_OVERRIDES=$tmp/overrides.nul expect "test overrides with a NUL byte" 1 \
	"gpu-assign: test overrides file $tmp/overrides.nul:2: NUL byte in the line (the file must be text)" "$ga" status

# Item 3: a command-line argument quoted in a usage error stays on one line
expect "unknown command with a newline: one line" 2 \
	"gpu-assign: unknown command 'list\\nforged' (see 'gpu-assign --help')" "$ga" "list
forged"

# Item 6: a sysfs root that does not exist is the cause, not some device
expect "--sysfs-root /nonexistent list" 1 \
	"gpu-assign: cannot open sysfs root '$tmp/nonexistent': No such file or directory (is sysfs mounted? check --sysfs-root/GA_SYSFS_ROOT)" \
	"$ga" --sysfs-root "$tmp/nonexistent" list
expect "--sysfs-root /nonexistent show" 1 \
	"gpu-assign: cannot open sysfs root '$tmp/nonexistent': No such file or directory (is sysfs mounted? check --sysfs-root/GA_SYSFS_ROOT)" \
	"$ga" --sysfs-root "$tmp/nonexistent" show 0009:01:00.0

# Item 6: namespaces on the domain given to merge into
if command -v umockdev-run >/dev/null 2>&1; then
	"$top/tests/hosts/mkhost" "$top/tests/hosts/single-gh200" "$tmp/host" >/dev/null || exit 2
	dom="<name>x</name><memory unit='GiB'>8</memory><vcpu>4</vcpu><os><type arch='aarch64' machine='virt'>hvm</type></os><devices/></domain>"
	printf "<domain type='kvm' xmlns:qemu='urn:not-qemu'>%s\n" "$dom" >"$tmp/qemu-prefix.xml"
	printf "<domain type='kvm' xmlns='urn:x'>%s\n" "$dom" >"$tmp/default-ns.xml"
	printf "<d:domain type='kvm' xmlns:d='urn:y'>%s\n" "${dom%</domain>}</d:domain>" >"$tmp/prefixed-ns.xml"
	expect "xmlns:qemu bound elsewhere: xml --domain" 1 \
		"gpu-assign: the domain XML binds the prefix 'qemu' to 'urn:not-qemu', not to libvirt's QEMU namespace 'http://libvirt.org/schemas/domain/qemu/1.0' that the GPU's <qemu:commandline> arguments need (fix or remove that xmlns:qemu)" \
		umockdev-run -d "$tmp/host/host.umockdev" -- "$ga" --sysfs-root "$tmp/host/sys" xml --gpu all --qemu-version 10.0 --domain "$tmp/qemu-prefix.xml"
	expect "default namespace on <domain>: xml --domain" 1 \
		"gpu-assign: not a libvirt domain XML: the root element 'domain' is in the namespace 'urn:x', and libvirt's has none (remove xmlns='urn:x' from it)" \
		umockdev-run -d "$tmp/host/host.umockdev" -- "$ga" --sysfs-root "$tmp/host/sys" xml --gpu all --domain "$tmp/default-ns.xml"
	expect "prefixed namespace on <domain>: xml --domain" 1 \
		"gpu-assign: not a libvirt domain XML: the root element 'domain' is in the namespace 'urn:y', and libvirt's has none (remove xmlns:d='urn:y' from it)" \
		umockdev-run -d "$tmp/host/host.umockdev" -- "$ga" --sysfs-root "$tmp/host/sys" xml --gpu all --domain "$tmp/prefixed-ns.xml"
else
	fail=$((fail + 1)); echo "FAIL the umockdev cases: umockdev-run is missing (install umockdev: .ci/deps)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
