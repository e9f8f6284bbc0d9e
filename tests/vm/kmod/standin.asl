// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SSDT for the gpu_assign_nvgrace guest test (tests/vm/kmod/run): gives the
 * emulated stand-in devices the _DSD properties that firmware gives a real
 * Grace GPU. QEMU (10.0, q35) already describes every occupied slot in its
 * DSDT as \_SB.PCI0.Sxx (xx = devfn in hex) and a root port's child as
 * Sxx.S00; Linux binds those nodes to the PCI devices, so the properties
 * are added into those scopes rather than as new devices. Layout (see run):
 *   00:10.0 root port -> 01:00.0 bochs-display   S80.S00: the main stand-in
 *   00:11.0 root port -> 02:00.0 virtio-vga      S88.S00: has FLR
 *   00:12.0 pci-testdev  S90: no _DSD at all
 *   00:13.0 pci-testdev  S98: nvidia,gpu-mem-size = 0
 *   00:14.0 pci-testdev  SA0: size so huge that base + size overflows
 *   00:15.0 pci-testdev  SA8: base inside the guest's System RAM
 *   00:16.0 root port -> 03:00.0 bochs-display  SB0.S00: stand-in with a
 *                        sibling function 03:00.1 (pci-testdev, vfio-pci)
 * The "GPU memory" is guest RAM at 4 GiB hidden with memmap=2G$0x100000000.
 */
DefinitionBlock ("", "SSDT", 2, "GAPRJ", "GRACEGPU", 1)
{
    External (\_SB.PCI0.S80.S00, DeviceObj)
    Scope (\_SB.PCI0.S80.S00)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
            Package ()
            {
                Package () { "nvidia,gpu-mem-base-pa", 0x100000000 },
                Package () { "nvidia,gpu-mem-size", 0x70000000 }
            }
        })
    }

    External (\_SB.PCI0.S88.S00, DeviceObj)
    Scope (\_SB.PCI0.S88.S00)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
            Package ()
            {
                Package () { "nvidia,gpu-mem-base-pa", 0x100000000 },
                Package () { "nvidia,gpu-mem-size", 0x70000000 }
            }
        })
    }

    External (\_SB.PCI0.S98, DeviceObj)
    Scope (\_SB.PCI0.S98)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
            Package ()
            {
                Package () { "nvidia,gpu-mem-base-pa", 0x100000000 },
                Package () { "nvidia,gpu-mem-size", Zero }
            }
        })
    }

    External (\_SB.PCI0.SA0, DeviceObj)
    Scope (\_SB.PCI0.SA0)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
            Package ()
            {
                Package () { "nvidia,gpu-mem-base-pa", 0x100000000 },
                Package () { "nvidia,gpu-mem-size", 0xFFFFFFFFFFFF0000 }
            }
        })
    }

    External (\_SB.PCI0.SA8, DeviceObj)
    Scope (\_SB.PCI0.SA8)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
            Package ()
            {
                Package () { "nvidia,gpu-mem-base-pa", 0x40000000 },
                Package () { "nvidia,gpu-mem-size", 0x40000000 }
            }
        })
    }

    External (\_SB.PCI0.SB0.S00, DeviceObj)
    Scope (\_SB.PCI0.SB0.S00)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
            Package ()
            {
                Package () { "nvidia,gpu-mem-base-pa", 0x100000000 },
                Package () { "nvidia,gpu-mem-size", 0x70000000 }
            }
        })
    }
}
