/*
 * Fixture for tests/unit/test-acpi.c: an SSDT that adds a _DSD to a device the
 * DSDT (dsdt-quad.asl) defines, \_SB.PCI9.RP01.DEV1, reaching it through a
 * relative Scope with a parent prefix (^RP01.DEV1 from \_SB.PCI9.RP02).
 *
 * Compiled by ./regenerate; the .aml is committed (make check needs no iasl).
 */
DefinitionBlock ("", "SSDT", 2, "NVIDIA", "GPUDSD", 0x00000001)
{
    External (\_SB_.PCI9.RP01.DEV1, DeviceObj)
    External (\_SB_.PCI9.RP02, DeviceObj)
    External (\GFLG, FieldUnitObj)

    Scope (\_SB.PCI9.RP02)
    {
        Scope (^RP01.DEV1)
        {
            Name (_DSD, Package ()
            {
                ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                Package ()
                {
                    Package () { "nvidia,gpu-mem-base-pa", 0x0000440000000000 },
                    Package () { "nvidia,gpu-mem-size", 0x0000000400000000 },
                    Package () { "nvidia,gpu-mem-pxm-start", 0x24 },
                    Package () { "nvidia,gpu-mem-pxm-count", 0x02 }
                }
            })
        }
    }
}
