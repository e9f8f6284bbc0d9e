# SPDX-License-Identifier: LGPL-2.1-or-later
# quad-gh200: a four-socket Grace Hopper node (HPE Cray EX254n style, as at
# CSCS Alps). Facts and sources: README.md, section "quad-gh200".

host_cpus 0-287

# One CPU node per Grace socket (72 cores each); 120 GiB LPDDR5X visible per
# socket is assumed.
cpu_node 0 0 0-71    125829120 121634816
cpu_node 1 1 72-143  125829120 122683392
cpu_node 2 2 144-215 125829120 122683392
cpu_node 3 3 216-287 125829120 122683392

# Eight CPU-less nodes per GPU; the nvidia driver has onlined the HBM
# (97280 MB) into the first node of each block.
gpu_mem_nodes 4  8 0 99614720 99613696
gpu_mem_nodes 12 8 1 99614720 99613696
gpu_mem_nodes 20 8 2 99614720 99613696
gpu_mem_nodes 28 8 3 99614720 99613696

distances self=10 cpu_cpu=40 cpu_mem_local=80 cpu_mem_remote=120 mem_mem=255

# Per socket: a root port with the GH200 behind it, each alone in its group.
GH200_BARS0='0:0x661002000000:16M:pref64 2:0x662000000000:128G:pref64 4:0x661000000000:32M:pref64'
GH200_BARS1='0:0x861002000000:16M:pref64 2:0x862000000000:128G:pref64 4:0x861000000000:32M:pref64'
GH200_BARS2='0:0xa61002000000:16M:pref64 2:0xa62000000000:128G:pref64 4:0xa61000000000:32M:pref64'
GH200_BARS3='0:0xc61002000000:16M:pref64 2:0xc62000000000:128G:pref64 4:0xc61000000000:32M:pref64'

pci_host_bridge 0009:00 acpi='\_SB_.PCI9'
pci_func 0009:00:00.0 parent=0009:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=10 driver=pcieport
pci_func 0009:01:00.0 parent=0009:00:00.0 vendor=0x10de device=0x2342 subsys=0x10de:0x16eb class=0x030200 rev=0xa1 numa=0 group=11 driver=nvidia bars="$GH200_BARS0" acpi='\_SB_.PCI9.RP00.GPU0'

pci_host_bridge 0019:00 acpi='\_SB_.PC19'
pci_func 0019:00:00.0 parent=0019:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=1 group=20 driver=pcieport
pci_func 0019:01:00.0 parent=0019:00:00.0 vendor=0x10de device=0x2342 subsys=0x10de:0x16eb class=0x030200 rev=0xa1 numa=1 group=21 driver=nvidia bars="$GH200_BARS1" acpi='\_SB_.PC19.RP00.GPU0'

pci_host_bridge 0029:00 acpi='\_SB_.PC29'
pci_func 0029:00:00.0 parent=0029:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=2 group=30 driver=pcieport
pci_func 0029:01:00.0 parent=0029:00:00.0 vendor=0x10de device=0x2342 subsys=0x10de:0x16eb class=0x030200 rev=0xa1 numa=2 group=31 driver=nvidia bars="$GH200_BARS2" acpi='\_SB_.PC29.RP00.GPU0'

pci_host_bridge 0039:00 acpi='\_SB_.PC39'
pci_func 0039:00:00.0 parent=0039:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=3 group=40 driver=pcieport
pci_func 0039:01:00.0 parent=0039:00:00.0 vendor=0x10de device=0x2342 subsys=0x10de:0x16eb class=0x030200 rev=0xa1 numa=3 group=41 driver=nvidia bars="$GH200_BARS3" acpi='\_SB_.PC39.RP00.GPU0'

# Not NVIDIA GPUs, for `list --all`: a ConnectX-7 per socket, an NVMe on
# socket 0 (addresses assumed).
pci_host_bridge 0000:00
pci_func 0000:00:00.0 parent=0000:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=1 driver=pcieport
pci_func 0000:01:00.0 parent=0000:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=0 group=2 driver=mlx5_core bars='0:0x600000000000:32M:pref64'
pci_host_bridge 0002:00
pci_func 0002:00:00.0 parent=0002:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=3 driver=pcieport
pci_func 0002:01:00.0 parent=0002:00:00.0 vendor=0x144d device=0xa80a subsys=0x144d:0xa813 class=0x010802 numa=0 group=4 driver=nvme bars='0:0x610000000000:16K:mem64'
pci_host_bridge 0010:00
pci_func 0010:00:00.0 parent=0010:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=1 group=12 driver=pcieport
pci_func 0010:01:00.0 parent=0010:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=1 group=13 driver=mlx5_core bars='0:0x800000000000:32M:pref64'
pci_host_bridge 0020:00
pci_func 0020:00:00.0 parent=0020:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=2 group=22 driver=pcieport
pci_func 0020:01:00.0 parent=0020:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=2 group=23 driver=mlx5_core bars='0:0xa00000000000:32M:pref64'
pci_host_bridge 0030:00
pci_func 0030:00:00.0 parent=0030:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=3 group=32 driver=pcieport
pci_func 0030:01:00.0 parent=0030:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=3 group=33 driver=mlx5_core bars='0:0xc00000000000:32M:pref64'

# The DSDT with the GPUs' _DSD properties (tests/hosts/acpi/quad-gh200.spec).
acpi_table DSDT quad-gh200.aml
