# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the test guest as /test.sh (busybox sh); see run and README.
# Every case prints "PASS: name" or "FAIL: name: why"; the last line is the
# total for this kernel, "N passed, N failed".
D=/sys/bus/pci/devices
DRV=gpu_assign_nvgrace
P=/sys/module/gpu_assign_nvgrace/parameters
GPU=0000:01:00.0	# bochs-display behind a root port (bus reset)
FLR=0000:02:00.0	# virtio-vga behind a root port (FLR, PM cap, VRAM BAR0)
SIZE=0x70000000		# the _DSD nvidia,gpu-mem-size of both
BASE=0x100000000	# and nvidia,gpu-mem-base-pa
R=/tmp/results
: >$R

pass() { echo "PASS: $1" | tee -a $R; }
fail() { echo "FAIL: $1: $2" | tee -a $R; }
check() {	# check NAME WHY-IF-FAILED COMMAND...
	name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}
bound() { [ "$(basename "$(readlink $D/$1/driver 2>/dev/null)" 2>/dev/null)" = $DRV ]; }
bind() {	# like libvirt: driver_override, unbind any other driver, probe
	echo $DRV >$D/$1/driver_override
	[ -e $D/$1/driver ] && ! bound $1 && echo $1 >$D/$1/driver/unbind
	echo $1 >/sys/bus/pci/drivers_probe 2>/dev/null
	bound $1
}
unbind() { [ -e $D/$1/driver ] && echo $1 >$D/$1/driver/unbind; }
logged() { dmesg | grep "$1" | grep -q -- "$2"; }
run_c() {	# the C program's cases go into the same tally
	{ /bin/kmodtest "$@"; echo $? >/tmp/rc; } 2>&1 | tee /tmp/out
	rc=$(cat /tmp/rc)
	grep -E '^(PASS|FAIL):' /tmp/out >>$R
	grep -q "^kmodtest $1: " /tmp/out || fail "kmodtest $1 ran to the end" "exit status $rc"
}

# Not every kernel names ttys the same; keep the kernel log off the console.
grep -q ga_debug /proc/cmdline && echo 8 >/proc/sys/kernel/printk || echo 1 >/proc/sys/kernel/printk

mount -t debugfs none /sys/kernel/debug	# x86 PAT memtype list
mount -t tracefs none /sys/kernel/tracing	# kprobe on vmf_insert_pfn_prot
insmod /lib/gpu_assign_nvgrace.ko test_standin=hopper ready_timeout_ms=1000
check "module loads" "insmod failed" [ -d /sys/bus/pci/drivers/$DRV ]

# Probe decisions (README: refused probes, never a silent passthrough).
bind 0000:00:12.0
check "probe refused: _DSD missing" "bound, or no message" \
	sh -c "! [ -e $D/0000:00:12.0/driver ] && dmesg | grep 0000:00:12.0 | grep -q 'no ACPI _DSD'"
bind 0000:00:13.0
check "probe refused: _DSD size 0" "bound, or no message" \
	sh -c "! [ -e $D/0000:00:13.0/driver ] && dmesg | grep 0000:00:13.0 | grep -q 'is 0'"
bind 0000:00:14.0
check "probe refused: _DSD huge size" "bound, or no message" \
	sh -c "! [ -e $D/0000:00:14.0/driver ] && dmesg | grep 0000:00:14.0 | grep -q 'not a valid physical range'"
bind 0000:00:15.0
check "probe refused: _DSD range in System RAM" "bound, or no message" \
	sh -c "! [ -e $D/0000:00:15.0/driver ] && dmesg | grep 0000:00:15.0 | grep -q 'overlaps System RAM'"
echo > $D/0000:00:12.0/driver_override

# Readiness wait: BAR0 0x1498 and 0x200bc must read 0xff (bochs VRAM).
bind $GPU
check "probe refused while BAR0 says not ready" "bound, or no message" \
	sh -c "! [ -e $D/$GPU/driver ] && dmesg | grep $GPU | grep -q 'not ready 1000 ms after probe'"
/bin/kmodtest ready $GPU
check "probe succeeds once BAR0 says ready (Hopper)" "not bound" bind $GPU

echo "== Hopper matrix"
run_c matrix $GPU hopper $SIZE $BASE

echo "== Blackwell matrix"
check "unbind after the Hopper matrix completes within 10 s" "unbind hung" \
	timeout 10 sh -c "echo $GPU >$D/$GPU/driver/unbind"
echo blackwell >$P/test_standin
check "probe as Blackwell" "not bound" bind $GPU
run_c matrix $GPU blackwell $SIZE $BASE
unbind $GPU

echo "== FLR through config space"
echo hopper >$P/test_standin
/bin/kmodtest ready $FLR
check "probe of the FLR-capable stand-in" "not bound" bind $FLR
run_c flr $FLR hopper $SIZE
check "unbind of the FLR stand-in completes within 10 s" "unbind hung" \
	timeout 10 sh -c "echo $FLR >$D/$FLR/driver/unbind"

echo "== hot reset from a sibling function"
SIB=0000:03:00.0	# bochs-display, function 0 of a multifunction slot
SIB1=0000:03:00.1	# pci-testdev beside it, bound to vfio-pci
/bin/kmodtest ready $SIB
check "probe of the stand-in with a sibling" "not bound" bind $SIB
echo vfio-pci >$D/$SIB1/driver_override
echo $SIB1 >/sys/bus/pci/drivers_probe 2>/dev/null
run_c sibling $SIB hopper $SIZE $SIB1
unbind $SIB1
check "unbind of the stand-in with a sibling completes within 10 s" "unbind hung" \
	timeout 10 sh -c "echo $SIB >$D/$SIB/driver/unbind"

echo "== gpu-assign binds the stand-in as an operator binds a GPU"
# Neither id table has the bochs-display's 1234:1111: the test catalogue
# entry of the one override mechanism (catalog-standin, gpu-assign(1) TEST
# OVERRIDES) makes gpu-assign take it as a coherent Grace GPU, and the
# module's test build (test_standin=hopper, set above) accepts it. No
# --force, no --driver: gpu-assign finds gpu_assign_nvgrace registered.
GA=/usr/bin/gpu-assign
if [ -x $GA ]; then
	export ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0
	mkdir -p /run /etc/udev/rules.d
	printf 'catalog-standin = 1234:1111=grace-hopper\n' >/tmp/standin.overrides
	# ga ARGS: gpu-assign with the entry, output in /tmp/ga.out; has LINE: an exact line of it
	ga() { GA_TEST_OVERRIDES=/tmp/standin.overrides $GA "$@" >/tmp/ga.out 2>&1; }
	has() { grep -qxF -- "$1" /tmp/ga.out || { echo "  expected the line: $1"; sed 's/^/  got: /' /tmp/ga.out; false; }; }
	no_entry_refused() {
		! $GA check $GPU >/tmp/ga.out 2>&1 &&
			has "gpu-assign: '$GPU' is not an NVIDIA GPU: not an NVIDIA device (vendor 0x1234) (pick one from 'gpu-assign list')"
	}
	check_ok() {
		ga check $GPU && has "$GPU: assignable with driver gpu_assign_nvgrace (registered in /sys/bus/pci/drivers; coherent memory, ACPI generic-initiator NUMA nodes)"
	}
	bind_ok() { ga bind $GPU && has "bound 1 device(s)" && bound $GPU; }
	show_ok() {
		ga show $GPU && has "Model:           test stand-in 1234:1111 (grace-hopper, coherent memory)" &&
			has "Driver:          gpu_assign_nvgrace" &&
			has "Target driver:   gpu_assign_nvgrace (registered in /sys/bus/pci/drivers)"
	}
	status_ok() { ga status && grep -q "^$GPU  *gpu_assign_nvgrace  *gpu_assign_nvgrace  *(none)" /tmp/ga.out; }
	release_ok() {
		ga release $GPU && has "released 1 device(s)" && [ ! -e $D/$GPU/driver ] &&
			[ "$(cat $D/$GPU/driver_override)" = "(null)" ]
	}
	echo >$D/$GPU/driver_override	# as an operator's GPU: no override, no driver
	/bin/kmodtest ready $GPU
	check "gpu-assign: without the catalogue entry the stand-in is no GPU" "see above" no_entry_refused
	check "gpu-assign check (catalogue entry) names gpu_assign_nvgrace" "see above" check_ok
	check "gpu-assign bind (catalogue entry, no --force) puts it on gpu_assign_nvgrace" "see above" bind_ok
	check "gpu-assign show: model, driver and target driver" "see above" show_ok
	check "gpu-assign status lists it on gpu_assign_nvgrace" "$(cat /tmp/ga.out)" status_ok
	check "gpu-assign release: no driver, no override again" "see above" release_ok
else
	fail "gpu-assign binds the stand-in" "no /usr/bin/gpu-assign in the guest (run builds it in)"
fi

check "module unloads" "rmmod failed" rmmod gpu_assign_nvgrace
if dmesg | grep -q -E 'BUG:|WARNING:|Oops|lockdep|circular locking'; then
	fail "kernel log clean" "$(dmesg | grep -m1 -E 'BUG:|WARNING:|Oops|lockdep|circular locking')"
	dmesg | tail -n 60
else
	pass "kernel log clean"
fi

np=$(grep -c '^PASS:' $R)
nf=$(grep -c '^FAIL:' $R)
echo "$np passed, $nf failed"
if [ "$nf" -ne 0 ]; then echo "== kernel log (failures above)"; dmesg | tail -n 80; fi
[ "$nf" -eq 0 ]
