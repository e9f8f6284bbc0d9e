// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SSDT for tests/stack/nested-companion: the _DSD a Grace GPU's firmware
 * gives it, for the level-1 guest's one stand-in (a bochs-display behind
 * the PCIe root port at 00:10.0, bus 01: QEMU's DSDT node S80.S00, as in
 * tests/vm/kmod/standin.asl). Its "GPU memory" is the level-1 guest RAM at
 * 4 GiB that the level-1 kernel hides with memmap=2G$0x100000000; the _DSD
 * gives 1.75 GiB of it, as tests/vm/kmod does (the module keeps the first
 * 1 GiB of a Hopper's memory as its uncached region and refuses a GPU with
 * no more than that). The DSDT is re-issued as revision 2 (acpi-dsdt64),
 * or the 64-bit base would be cut to 32 bits.
 */
DefinitionBlock ("", "SSDT", 2, "GAPRJ", "GRACENST", 1)
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
}
