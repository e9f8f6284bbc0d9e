/*
 * Fixture for tests/unit/test-acpi.c: a DSDT shaped like a four-socket Grace
 * Hopper (GH200) node, with the device paths of the quad-gh200 sample host
 * (tests/hosts/quad-gh200). Each GPU's ACPI companion has a static _DSD with
 * the four nvidia,gpu-mem-* properties; the values are made up but realistic
 * (eight proximity domains per GPU starting at 4, 12, 20, 28; 95 GiB of HBM
 * each). Around the devices sit the objects a static reader must step over:
 * Methods, an If/Else at table level, OperationRegion + Field, Mutex, Event,
 * Alias, Buffer/Package/String Names, PowerResource, ThermalZone, Processor,
 * a child device with its own _DSD, and a decoy GPU0 under another port.
 *
 * Compiled by ./regenerate; the .aml is committed (make check needs no iasl).
 */
DefinitionBlock ("", "DSDT", 2, "NVIDIA", "GH200QD", 0x00000001)
{
    Name (GVER, "gpu-assign fixture")
    Name (BIGN, 0x123456789ABCDEF0)
    Mutex (GMTX, 0x00)
    Event (GEVT)
    OperationRegion (GNVS, SystemMemory, 0x0000000080000000, 0x00001000)
    Field (GNVS, DWordAcc, NoLock, Preserve)
    {
        GFLG,   32,
        GCNT,   32
    }

    If ((GFLG == One))
    {
        Name (MODL, One)
    }
    Else
    {
        Name (MODE, Zero)
    }

    Method (_PIC, 1, NotSerialized)
    {
        GFLG = Arg0
    }

    Scope (\_SB)
    {
        Processor (CPU0, 0x00, 0x00000000, 0x00) {
            Name (_HID, "ACPI0007")
        }

        PowerResource (GPR0, 0x00, 0x0000)
        {
            Method (_STA, 0, NotSerialized) { Return (One) }
            Method (_ON, 0, NotSerialized) { }
            Method (_OFF, 0, NotSerialized) { }
        }

        Device (PCI9)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_SEG, 0x09)
            Name (_BBN, Zero)
            Name (_UID, 0x09)
            Name (_PXM, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,, )
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Prefetchable, ReadWrite,
                    0x0000000000000000, 0x0000661000000000, 0x0000663FFFFFFFFF, 0x0000000000000000,
                    0x0000003000000000,,, , AddressRangeMemory, TypeStatic)
            })
            Name (_PRT, Package ()
            {
                Package () { 0xFFFF, Zero, Zero, 0x8C },
                Package () { 0xFFFF, One, Zero, 0x8D }
            })
            Method (_OSC, 4, NotSerialized)
            {
                CreateDWordField (Arg3, Zero, CDW1)
                If ((Arg0 == ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766")))
                {
                    Return (Arg3)
                }
                CDW1 |= 0x04
                Return (Arg3)
            }

            Device (RP00)
            {
                Name (_ADR, Zero)
                Device (GPU0)
                {
                    Name (_ADR, Zero)
                    Method (_STA, 0, NotSerialized) { Return (0x0F) }
                    /* a child of the GPU with a _DSD of its own, before the GPU's */
                    Device (CHLD)
                    {
                        Name (_ADR, One)
                        Name (_DSD, Package ()
                        {
                            ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                            Package ()
                            {
                                Package () { "nvidia,gpu-mem-base-pa", 0xDEAD0000 },
                                Package () { "nvidia,gpu-mem-size", 0xBEEF }
                            }
                        })
                    }
                    Name (_DSD, Package ()
                    {
                        ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-base-pa", 0x0000400000000000 },
                            Package () { "nvidia,gpu-mem-size", 0x00000017C0000000 },
                            Package () { "nvidia,gpu-mem-pxm-start", 0x04 },
                            Package () { "nvidia,gpu-mem-pxm-count", 0x08 }
                        }
                    })
                }
            }

            /* a decoy: same last segment, other path */
            Device (RP02)
            {
                Name (_ADR, 0x00020000)
                Device (GPU0)
                {
                    Name (_ADR, Zero)
                    Name (_DSD, Package ()
                    {
                        ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-base-pa", 0x1111 },
                            Package () { "nvidia,gpu-mem-pxm-start", 0x63 }
                        }
                    })
                }
            }

            /* its _DSD comes from ssdt-scope.asl */
            Device (RP01)
            {
                Name (_ADR, 0x00010000)
                Device (DEV1)
                {
                    Name (_ADR, Zero)
                }
            }
        }

        Device (PC19)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_SEG, 0x19)
            Name (_UID, 0x19)
            Name (_PXM, One)
            Device (RP00)
            {
                Name (_ADR, Zero)
                Device (GPU0)
                {
                    Name (_ADR, Zero)
                    /* a hierarchical-data package first, to be passed over */
                    Name (_DSD, Package ()
                    {
                        ToUUID ("dbb8e3e6-5886-4ba6-8795-1319f52a966b"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-base-pa", "GPUX" }
                        },
                        ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-pxm-count", 0x08 },
                            Package () { "nvidia,gpu-mem-pxm-start", 0x0C },
                            Package () { "nvidia,gpu-mem-size", 0x00000017C0000000 },
                            Package () { "nvidia,gpu-mem-base-pa", 0x0000480000000000 }
                        }
                    })
                }
            }
        }

        ThermalZone (TZ00)
        {
            Method (_TMP, 0, Serialized) { Return (0x0BB8) }
            Name (_TSP, 0x32)
        }

        Device (PC29)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_SEG, 0x29)
            Name (_UID, 0x29)
            Name (_PXM, 0x02)
            Method (_STA, 0, NotSerialized)
            {
                Acquire (GMTX, 0xFFFF)
                Release (GMTX)
                Return (0x0F)
            }
            Device (RP00)
            {
                Name (_ADR, Zero)
                Device (GPU0)
                {
                    Name (_ADR, Zero)
                    Name (_DSD, Package ()
                    {
                        ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-base-pa", 0x0000500000000000 },
                            Package () { "nvidia,gpu-mem-size", 0x00000017C0000000 },
                            Package () { "nvidia,gpu-mem-pxm-start", 0x14 },
                            Package () { "nvidia,gpu-mem-pxm-count", 0x08 }
                        }
                    })
                }
            }
        }

        Device (PC39)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_SEG, 0x39)
            Name (_UID, 0x39)
            Name (_PXM, 0x03)
            Device (RP00)
            {
                Name (_ADR, Zero)
                Device (GPU0)
                {
                    Name (_ADR, Zero)
                    Name (_DSD, Package ()
                    {
                        ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                        Package ()
                        {
                            Package () { "nvidia,gpu-mem-base-pa", 0x0000580000000000 },
                            Package () { "nvidia,gpu-mem-size", 0x00000017C0000000 },
                            Package () { "nvidia,gpu-mem-pxm-start", 0x1C },
                            Package () { "nvidia,gpu-mem-pxm-count", 0x08 }
                        }
                    })
                }
            }
        }
    }

    Alias (\_SB.PC39.RP00.GPU0, \GPU3)
}
