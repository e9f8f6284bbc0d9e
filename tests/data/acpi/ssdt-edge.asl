/*
 * Fixture for tests/unit/test-acpi.c: devices whose _DSD a static reader
 * must not (or cannot) turn into GPU memory properties.
 *
 *   \_SB.ODDS.DMTH  _DSD is a Method            -> -ENOENT, "not static"
 *   \_SB.ODDS.DOTH  _DSD has another UUID only  -> found, no property
 *   \_SB.ODDS.DPRT  only base and size; pxm-start is a String (ignored)
 *   \_SB.ODDS.DINT  Zero/One/Word/DWord values, a duplicate key (first wins),
 *                   an unknown key, and the UUID in the wrong byte order first
 *   \_SB.ODDS.NODS  no _DSD at all               -> -ENOENT, "no _DSD"
 *
 * Compiled by ./regenerate; the .aml is committed (make check needs no iasl).
 */
DefinitionBlock ("", "SSDT", 2, "NVIDIA", "GPUEDGE", 0x00000001)
{
    External (\_SB_.PCI9, DeviceObj)
    External (\_SB_.PCI9._UID, IntObj)

    Scope (\_SB)
    {
        Device (ODDS)
        {
            Name (_HID, "NVDA9999")
            Mutex (EMTX, 0x0F)
            OperationRegion (EREG, SystemIO, 0x80, One)
            Field (EREG, ByteAcc, NoLock, Preserve)
            {
                EPRT,   8
            }

            Device (DMTH)
            {
                Name (_ADR, Zero)
                Method (_DSD, 0, NotSerialized)
                {
                    Return (Package ()
                    {
                        ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-base-pa", 0x0000400000000000 }
                        }
                    })
                }
            }

            Device (DOTH)
            {
                Name (_ADR, One)
                Name (_DSD, Package ()
                {
                    ToUUID ("dbb8e3e6-5886-4ba6-8795-1319f52a966b"),
                    Package ()
                    {
                        Package () { "nvidia,gpu-mem-base-pa", "CHLD" }
                    }
                })
            }

            Device (DPRT)
            {
                Name (_ADR, 0x02)
                Name (_DSD, Package ()
                {
                    ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                    Package ()
                    {
                        Package () { "nvidia,gpu-mem-base-pa", 0x0000400000000000 },
                        Package () { "nvidia,gpu-mem-size", 0x00000017C0000000 },
                        Package () { "nvidia,gpu-mem-pxm-start", "4" }
                    }
                })
            }

            Device (DINT)
            {
                Name (_ADR, 0x03)
                Name (_DSD, Package ()
                {
                    /* daffd814-... written in plain big-endian order: not the UUID */
                    Buffer (0x10)
                    {
                        0xDA, 0xFF, 0xD8, 0x14, 0x6E, 0xBA, 0x4D, 0x8C,
                        0x8A, 0x91, 0xBC, 0x9B, 0xBF, 0x4A, 0xA3, 0x01
                    },
                    Package ()
                    {
                        Package () { "nvidia,gpu-mem-base-pa", 0x77 }
                    },
                    ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                    Package ()
                    {
                        Package () { "vendor,unrelated", 0x05 },
                        Package () { "nvidia,gpu-mem-base-pa", 0x1234 },
                        Package () { "nvidia,gpu-mem-size", 0x12345678 },
                        Package () { "nvidia,gpu-mem-pxm-start", Zero },
                        Package () { "nvidia,gpu-mem-pxm-count", One },
                        Package () { "nvidia,gpu-mem-size", 0x99 }
                    }
                })
            }

            Device (NODS)
            {
                Name (_ADR, 0x04)
                Method (_STA, 0, NotSerialized)
                {
                    Return (0x0F)
                }
            }
        }
    }
}
