# SPDX-License-Identifier: LGPL-2.1-or-later
# no-nvidia: a one-socket x86 server without any NVIDIA device: a dual-port
# Intel X710 NIC, an NVMe drive and a BMC's PCI-to-PCI bridge with its VGA
# function behind it (the bridge has no ACS, so both share one IOMMU group).
# README.md, "no-nvidia".

host_cpus 0-31
cpu_node 0 0 0-31 131533164 127009920

pci_host_bridge 0000:00
pci_func 0000:00:01.1 parent=0000:00 vendor=0x1022 device=0x1483 subsys=0x1022:0x1453 class=0x060400 numa=0 group=3 driver=pcieport
pci_func 0000:01:00.0 parent=0000:00:01.1 vendor=0x8086 device=0x1572 subsys=0x8086:0x0007 class=0x020000 rev=0x02 numa=0 group=4 driver=i40e bars='0:0x38bffe000000:16M:pref64 3:0x38bfff808000:32K:pref64'
pci_func 0000:01:00.1 parent=0000:00:01.1 vendor=0x8086 device=0x1572 subsys=0x8086:0x0000 class=0x020000 rev=0x02 numa=0 group=5 driver=i40e bars='0:0x38bffd000000:16M:pref64 3:0x38bfff800000:32K:pref64'
pci_func 0000:00:03.1 parent=0000:00 vendor=0x1022 device=0x1483 subsys=0x1022:0x1453 class=0x060400 numa=0 group=6 driver=pcieport
pci_func 0000:02:00.0 parent=0000:00:03.1 vendor=0x144d device=0xa80a subsys=0x144d:0xa813 class=0x010802 numa=0 group=7 driver=nvme bars='0:0xf6e00000:16K:mem64'
pci_func 0000:00:07.1 parent=0000:00 vendor=0x1022 device=0x1484 subsys=0x1022:0x1484 class=0x060400 numa=0 group=8 driver=pcieport
pci_func 0000:03:00.0 parent=0000:00:07.1 vendor=0x1a03 device=0x1150 subsys=0x1a03:0x1150 class=0x060400 rev=0x04 numa=0 group=9
pci_func 0000:04:00.0 parent=0000:03:00.0 vendor=0x1a03 device=0x2000 subsys=0x1a03:0x2000 class=0x030000 rev=0x41 numa=0 group=9 driver=ast bars='0:0xf5000000:16M:mem32 1:0xf6000000:256K:mem32'
