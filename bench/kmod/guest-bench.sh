# SPDX-License-Identifier: LGPL-2.1-or-later
# /test.sh of the benchmark guest (bench/kmod/run): bind the stand-in as a
# Blackwell (all 1.75 GiB of the simulated memory in BAR 4), then time
# touching every page of BAR 4 mapped aligned vs skewed by 4 KiB.
D=/sys/bus/pci/devices
DRV=gpu_assign_nvgrace
GPU=0000:01:00.0
echo 1 >/proc/sys/kernel/printk
insmod /lib/gpu_assign_nvgrace.ko test_standin=blackwell
/bin/kmodtest ready $GPU
echo $DRV >$D/$GPU/driver_override
echo $GPU >/sys/bus/pci/drivers_probe
/bin/kmodtest bench $GPU blackwell 0x70000000 >/tmp/out 2>&1
cat /tmp/out
np=$(grep -c '^PASS:' /tmp/out)
nf=$(grep -c '^FAIL:' /tmp/out)
echo "$np passed, $nf failed"
[ "$nf" -eq 0 ] && [ "$np" -gt 0 ]
