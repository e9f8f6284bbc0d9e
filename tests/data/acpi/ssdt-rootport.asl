/*
 * Fixture for tests/unit/test-acpi.c: the shape of the root-port SSDT that
 * NVIDIA's Grace firmware (edk2-nvidia, SsdtPcieSupportLib) builds for each
 * PCIe root port: a Name the firmware patches with a shared-memory address,
 * an OperationRegion whose offset is that Name, an External of _SEG, a Field
 * and methods, and then the GPU below the port with its static _DSD.
 *
 *   \_SB_.PCI9.RP00.GPU0  base 0x400000000000, size 0x1780000000,
 *                         pxm-start 4, pxm-count 8
 *
 * Compiled by ./regenerate; the .aml is committed (make check needs no iasl).
 */
DefinitionBlock ("", "SSDT", 2, "NVIDIA", "GARPORT", 0x00000001)
{
    External (\_SB_.PCI9, DeviceObj)
    External (\_SB_.PCI9._SEG, IntObj)

    Scope (\_SB_.PCI9)
    {
        Device (RP00)
        {
            Name (_ADR, Zero)
            Name (ADDR, 0xFFFFFFFFFFFFFFFF)
            OperationRegion (SMEM, SystemMemory, ADDR, 0x10)
            Field (SMEM, DWordAcc, NoLock, Preserve)
            {
                DPC0,   32,
                SOC0,   32,
                SEG0,   32,
                ESR0,   32
            }

            Method (_DSM, 4, Serialized)
            {
                If ((Arg2 == 0x0D))
                {
                    Return (ESR0)
                }

                Return (Buffer (One) { 0x00 })
            }

            Device (GPU0)
            {
                Name (_ADR, Zero)
                Name (_DSD, Package ()
                {
                    ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                    Package ()
                    {
                        Package () { "nvidia,gpu-mem-base-pa", 0x0000400000000000 },
                        Package () { "nvidia,gpu-mem-pxm-start", 0x04 },
                        Package () { "nvidia,gpu-mem-pxm-count", 0x08 },
                        Package () { "nvidia,gpu-mem-size", 0x0000001780000000 }
                    }
                })
            }
        }
    }
}
