# SPDX-License-Identifier: LGPL-2.1-or-later
# shared-group: a GH200-like host where the GPU sits behind a PCIe switch
# whose downstream ports lack ACS, so the GPU shares IOMMU group 5 with the
# switch's downstream ports and a ConnectX-7 NIC. Synthetic topology for group
# safety tests; node layout as single-gh200. README.md, "shared-group".

host_cpus 0-71
cpu_node 0 0 0-71 501797888 496058368
gpu_mem_nodes 1 8 0 99614720 99613696
distances self=10 cpu_mem_local=80 mem_mem=255

pci_host_bridge 0009:00 acpi='\_SB_.PCI9'
pci_func 0009:00:00.0 parent=0009:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=3 driver=pcieport
pci_func 0009:01:00.0 parent=0009:00:00.0 vendor=0x1000 device=0xc030 subsys=0x1000:0x100b class=0x060400 rev=0xb0 numa=0 group=4 driver=pcieport
pci_func 0009:02:00.0 parent=0009:01:00.0 vendor=0x1000 device=0xc030 subsys=0x1000:0x100b class=0x060400 rev=0xb0 numa=0 group=5 driver=pcieport
pci_func 0009:02:01.0 parent=0009:01:00.0 vendor=0x1000 device=0xc030 subsys=0x1000:0x100b class=0x060400 rev=0xb0 numa=0 group=5 driver=pcieport
pci_func 0009:03:00.0 parent=0009:02:00.0 vendor=0x10de device=0x2342 subsys=0x10de:0x16eb class=0x030200 rev=0xa1 numa=0 group=5 driver=nvidia bars='0:0x661002000000:16M:pref64 2:0x662000000000:128G:pref64 4:0x661000000000:32M:pref64' acpi='\_SB_.PCI9.RP00.SW00.GPU0'
pci_func 0009:04:00.0 parent=0009:02:01.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=0 group=5 driver=mlx5_core bars='0:0x661004000000:32M:pref64'
