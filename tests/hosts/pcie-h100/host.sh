# SPDX-License-Identifier: LGPL-2.1-or-later
# pcie-h100: a two-socket x86 (AMD EPYC style) server with a discrete H100
# PCIe card on socket 1. Not coherent: no CPU-less GPU nodes, no ACPI
# companion; it is assigned with plain vfio-pci. Also carries two NVIDIA
# devices the catalogue does not know: an A10 GPU (10de:2236, display class)
# and an H100-generation NVSwitch function (10de:22a3, bridge class).
# README.md, "pcie-h100".

host_cpus 0-127
cpu_node 0 0 0-31,64-95  263921232 257698816
cpu_node 1 1 32-63,96-127 264183376 259522560
distances self=10 cpu_cpu=32

pci_host_bridge 0000:00
pci_func 0000:00:01.1 parent=0000:00 vendor=0x1022 device=0x1483 subsys=0x1022:0x1453 class=0x060400 numa=0 group=12 driver=pcieport
pci_func 0000:01:00.0 parent=0000:00:01.1 vendor=0x144d device=0xa80a subsys=0x144d:0xa813 class=0x010802 numa=0 group=13 driver=nvme bars='0:0xf6e00000:16K:mem64'
# An NVIDIA A10 (10de:2236): a real GPU that the catalogue does not list.
pci_func 0000:00:03.1 parent=0000:00 vendor=0x1022 device=0x1483 subsys=0x1022:0x1453 class=0x060400 numa=0 group=14 driver=pcieport
pci_func 0000:02:00.0 parent=0000:00:03.1 vendor=0x10de device=0x2236 subsys=0x10de:0x1482 class=0x030200 rev=0xa1 numa=0 group=15 bars='0:0xf4000000:16M:mem32 1:0x30000000000:32G:pref64 3:0x30800000000:32M:pref64'

pci_host_bridge 0000:c0
pci_func 0000:c0:01.1 parent=0000:c0 vendor=0x1022 device=0x1483 subsys=0x1022:0x1453 class=0x060400 numa=1 group=60 driver=pcieport
pci_func 0000:c1:00.0 parent=0000:c0:01.1 vendor=0x10de device=0x2331 subsys=0x10de:0x1626 class=0x030200 rev=0xa1 numa=1 group=61 driver=nvidia bars='0:0xb9000000:16M:mem32 1:0x38000000000:128G:pref64 3:0x38020000000:32M:pref64'
pci_func 0000:c0:03.1 parent=0000:c0 vendor=0x1022 device=0x1483 subsys=0x1022:0x1453 class=0x060400 numa=1 group=62 driver=pcieport
pci_func 0000:c2:00.0 parent=0000:c0:03.1 vendor=0x10de device=0x22a3 subsys=0x10de:0x1796 class=0x068000 rev=0xa1 numa=1 group=63 bars='0:0xba000000:32M:mem64'
