# SPDX-License-Identifier: LGPL-2.1-or-later
# single-gh200: one Grace Hopper superchip. The numactl output in Linux commit
# 63db8170bf34 (README.md, "single-gh200") gives nodes, sizes and distances;
# the GPU's address, ids, BARs, NUMA node and IOMMU group come from the lspci
# output in the nvgrace-gpu review thread.

host_cpus 0-71
cpu_node 0 0 0-71 501797888 496058368
gpu_mem_nodes 1 8 0 99614720 99613696
distances self=10 cpu_mem_local=80 mem_mem=255

pci_host_bridge 0009:00 acpi='\_SB_.PCI9'
pci_func 0009:00:00.0 parent=0009:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=18 driver=pcieport
pci_func 0009:01:00.0 parent=0009:00:00.0 vendor=0x10de device=0x2342 subsys=0x10de:0x16eb class=0x030200 rev=0xa1 numa=0 group=19 driver=nvidia bars='0:0x661002000000:16M:pref64 2:0x662000000000:128G:pref64 4:0x661000000000:32M:pref64' acpi='\_SB_.PCI9.RP00.GPU0'

# A dual-port ConnectX-7 at 0000:01:00.0/.1, as in a public GH200 walk-through.
pci_host_bridge 0000:00
pci_func 0000:00:00.0 parent=0000:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=1 driver=pcieport
pci_func 0000:01:00.0 parent=0000:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=0 group=2 driver=mlx5_core bars='0:0x600000000000:32M:pref64'
pci_func 0000:01:00.1 parent=0000:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=0 group=3 driver=mlx5_core bars='0:0x600002000000:32M:pref64'

# The DSDT with the GPUs' _DSD properties (tests/hosts/acpi/single-gh200.spec).
acpi_table DSDT single-gh200.aml
