# SPDX-License-Identifier: LGPL-2.1-or-later
# gb200-tray: a GB200 NVL72 compute tray, two Grace CPUs and four Blackwell
# GPUs, two per Grace. GPU addresses, ids and the nvgrace_gpu_vfio_pci binding
# follow public lspci output; the NUMA node numbers of the GPU memory are
# assumed by analogy with GH200 (README.md, "gb200-tray").

host_cpus 0-143
cpu_node 0 0 0-71   503316480 497025024
cpu_node 1 1 72-143 503316480 498073600

# Bound to the VFIO variant driver, so no GPU memory is onlined on the host:
# all 32 GPU nodes are memoryless.
gpu_mem_nodes 2  8 0 0 0
gpu_mem_nodes 10 8 0 0 0
gpu_mem_nodes 18 8 1 0 0
gpu_mem_nodes 26 8 1 0 0

distances self=10 cpu_cpu=40 cpu_mem_local=80 cpu_mem_remote=120 mem_mem=255

pci_host_bridge 0008:00 acpi='\_SB_.PCI8'
pci_func 0008:00:00.0 parent=0008:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=8 driver=pcieport
pci_func 0008:01:00.0 parent=0008:00:00.0 vendor=0x10de device=0x2941 subsys=0x10de:0x2046 class=0x030200 rev=0xa1 numa=0 group=9 driver=nvgrace_gpu_vfio_pci bars='0:0x610002000000:16M:pref64 2:0x640000000000:256G:pref64 4:0x610000000000:32M:pref64' acpi='\_SB_.PCI8.RP00.GPU0'
pci_host_bridge 0009:00 acpi='\_SB_.PCI9'
pci_func 0009:00:00.0 parent=0009:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=10 driver=pcieport
pci_func 0009:01:00.0 parent=0009:00:00.0 vendor=0x10de device=0x2941 subsys=0x10de:0x2046 class=0x030200 rev=0xa1 numa=0 group=11 driver=nvgrace_gpu_vfio_pci bars='0:0x650002000000:16M:pref64 2:0x680000000000:256G:pref64 4:0x650000000000:32M:pref64' acpi='\_SB_.PCI9.RP00.GPU0'
pci_host_bridge 0018:00 acpi='\_SB_.PC18'
pci_func 0018:00:00.0 parent=0018:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=1 group=24 driver=pcieport
pci_func 0018:01:00.0 parent=0018:00:00.0 vendor=0x10de device=0x2941 subsys=0x10de:0x2046 class=0x030200 rev=0xa1 numa=1 group=25 driver=nvgrace_gpu_vfio_pci bars='0:0x210002000000:16M:pref64 2:0x240000000000:256G:pref64 4:0x210000000000:32M:pref64' acpi='\_SB_.PC18.RP00.GPU0'
pci_host_bridge 0019:00 acpi='\_SB_.PC19'
pci_func 0019:00:00.0 parent=0019:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=1 group=26 driver=pcieport
pci_func 0019:01:00.0 parent=0019:00:00.0 vendor=0x10de device=0x2941 subsys=0x10de:0x2046 class=0x030200 rev=0xa1 numa=1 group=27 driver=nvgrace_gpu_vfio_pci bars='0:0x250002000000:16M:pref64 2:0x280000000000:256G:pref64 4:0x250000000000:32M:pref64' acpi='\_SB_.PC19.RP00.GPU0'

# One ConnectX-7 per Grace (addresses assumed).
pci_host_bridge 0000:00
pci_func 0000:00:00.0 parent=0000:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=0 group=1 driver=pcieport
pci_func 0000:01:00.0 parent=0000:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=0 group=2 driver=mlx5_core bars='0:0x600000000000:32M:pref64'
pci_host_bridge 0010:00
pci_func 0010:00:00.0 parent=0010:00 vendor=0x10de device=0x22b1 subsys=0x10de:0x0000 class=0x060400 numa=1 group=16 driver=pcieport
pci_func 0010:01:00.0 parent=0010:00:00.0 vendor=0x15b3 device=0x1021 subsys=0x15b3:0x0041 class=0x020000 numa=1 group=17 driver=mlx5_core bars='0:0x200000000000:32M:pref64'

# The DSDT with the GPUs' _DSD properties (tests/hosts/acpi/gb200-tray.spec).
acpi_table DSDT gb200-tray.aml
