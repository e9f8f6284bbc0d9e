#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-names.sh - domain names libvirt would refuse (issue 13 item 5): the
# exact one-line message and exit status of `gpu-assign xml` for --name with
# control characters, invalid UTF-8, '/', too long, and for the <name> of a
# --domain file; and that a UTF-8 name beyond ASCII is written as given.
# --name runs on the single-gh200 sample host under umockdev (a plan needs
# the host); umockdev-run takes only ASCII arguments, so the name reaches
# gpu-assign through a shell's printf. Last, a refusal after warnings is one
# line too.
set -u
script=test-names
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

"$top/tests/hosts/mkhost" "$top/tests/hosts/single-gh200" "$tmp/host" >/dev/null || exit 2
mkdir "$tmp/no-modules" && printf 'modules-dir = %s\n' "$tmp/no-modules" >"$tmp/overrides"
fix="(give --name a name in UTF-8 without control characters or '/')"
dfix="(fix <name> in the domain XML: libvirt would refuse the merged domain)"

# named NAME-PRINTF-FORMAT: gpu-assign xml --name "$(printf FORMAT)" on the sample host
named() {
	umockdev-run -d "$tmp/host/host.umockdev" -- env GA_SYSFS_ROOT="$tmp/host/sys" GA_TEST_OVERRIDES="$tmp/overrides" \
		sh -c 'exec "$0" xml --name "$(printf "$1")" --gpu all --vcpus 2 --memory 1G --libvirt-version 12.8 --qemu-version 11.1' \
		"$ga" "$1"
}

expect "--name with a control character" 1 \
	"gpu-assign: the domain name 'gpu\\x01vm' has the control character 0x01, which libvirt refuses $fix" \
	named 'gpu\001vm'
expect "--name with a newline" 1 \
	"gpu-assign: the domain name 'gpu\\nvm' has the control character 0x0a, which libvirt refuses $fix" \
	named 'gpu\nvm'
expect "--name with an escape sequence" 1 \
	"gpu-assign: the domain name '\\x1b[31mred' has the control character 0x1b, which libvirt refuses $fix" \
	named '\033[31mred'
expect "--name in Latin-1, not UTF-8" 1 \
	"gpu-assign: the domain name is not valid UTF-8: byte 0xe9 at offset 3 $fix" \
	named 'caf\351'
expect "--name with an overlong '/'" 1 \
	"gpu-assign: the domain name is not valid UTF-8: byte 0xc0 at offset 1 $fix" \
	named 'a\300\257b'
expect "--name with a '/'" 1 \
	"gpu-assign: the domain name 'team/vm' has a '/', which libvirt refuses $fix" \
	named 'team/vm'
expect "--name of 201 bytes" 1 \
	"gpu-assign: the domain name is 201 bytes long: at most 200 fit in the file names libvirt makes from it $fix" \
	named "$(printf '%0201d' 0)"
expect "--name in UTF-8 beyond ASCII" 0 "" named 'gpu-\303\274-\345\220\215'
if grep -q "<name>gpu-ü-名</name>" "$tmp/out"; then
	pass=$((pass + 1)); echo "PASS the UTF-8 name is written as given"
else
	fail=$((fail + 1)); echo "FAIL the UTF-8 name is not written as given: $(grep '<name>' "$tmp/out")"
fi

# The <name> of a --domain file, refused before the host is read.
domain() {
	printf '<domain type="kvm"><name>%s</name><vcpu>2</vcpu><memory unit="MiB">1024</memory></domain>\n' "$1" >"$tmp/dom.xml"
	"$ga" xml --domain "$tmp/dom.xml" --gpu all --libvirt-version 12.8 --qemu-version 11.1
}
expect "--domain whose <name> has a '/'" 1 \
	"gpu-assign: the domain's <name> 'a/b' has a '/', which libvirt refuses $dfix" domain 'a/b'
expect "--domain whose <name> has a newline" 1 \
	"gpu-assign: the domain's <name> 'a\\nb' has the control character 0x0a, which libvirt refuses $dfix" domain 'a&#10;b'
expect "--domain whose <name> is empty" 1 \
	"gpu-assign: the domain's <name> is empty $dfix" domain ''

# A refusal is one line even where warnings came before it: they are held
# until the command ends and printed only when it succeeds (gpu-assign(1),
# EXIT STATUS). The domain has a cell of its own without a memnode (the
# planner warns which cell it tied the GPU to) and no --qemu-version is given
# (a warning); with a disk holding the GPU's alias the merge refuses.
merged() {
	cat >"$tmp/cells.xml" <<XML
<domain type="kvm"><name>vm</name><vcpu>2</vcpu><memory unit="MiB">1024</memory>
<os><type arch="aarch64" machine="virt">hvm</type></os><features><acpi/></features>
<cpu><numa><cell id="0" cpus="0-1" memory="1024" unit="MiB"/></numa></cpu>
<devices>$1</devices></domain>
XML
	umockdev-run -d "$tmp/host/host.umockdev" -- env GA_SYSFS_ROOT="$tmp/host/sys" GA_TEST_OVERRIDES="$tmp/overrides" \
		"$ga" xml --domain "$tmp/cells.xml" --gpu all --libvirt-version 12.8
}
expect "a refusal after the planner's and the version warnings: one line" 1 \
	"gpu-assign: the domain already has a device with alias 'ua-gpu-0009-01-00-0' that gpu-assign did not write: rename it" \
	merged '<disk type="file" device="disk"><source file="/dev/null"/><target dev="vda" bus="virtio"/><alias name="ua-gpu-0009-01-00-0"/></disk>'
merged "" >"$tmp/out" 2>"$tmp/err"
if [ $? = 0 ] && [ "$(grep -c '^gpu-assign: warning: ' "$tmp/err")" = 2 ] && [ "$(wc -l <"$tmp/err")" = 2 ]; then
	pass=$((pass + 1)); echo "PASS the same domain without the clash: merged, and the two warnings printed"
else
	fail=$((fail + 1)); echo "FAIL the same domain without the clash: $(cat "$tmp/err")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
