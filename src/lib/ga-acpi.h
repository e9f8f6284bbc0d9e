/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A static reader of the firmware's AML tables (DSDT, SSDT*) that finds the
 * _DSD device properties NVIDIA Grace firmware gives each GPU's ACPI
 * companion: where the GPU memory sits in the host's physical address space
 * and which proximity domains (NUMA nodes) belong to it.
 *
 * Linux shows no _DSD in sysfs, so the tables are walked here without
 * evaluating anything: Scope, Device, Processor, PowerResource and
 * ThermalZone blocks are entered; Method, If/Else/While, Field, Buffer and
 * Package bodies are skipped by their length; Name, OperationRegion,
 * External, Mutex, Event and Alias are skipped by parsing their operands.
 * Any other opcode at namespace level is refused (-EINVAL naming the opcode,
 * offset and table): the caller then uses what it knows without the tables.
 *
 * Limits, by design of a reader that evaluates nothing:
 * - a _DSD that is a Method is not run (-ENOENT, "not static");
 * - definitions inside an If/Else at table level (module-level code) are not
 *   seen, nor tables the firmware loads later with Load();
 * - a Scope() operand is resolved against the enclosing scope, without the
 *   ACPI upward search for single names (firmware writes these absolute);
 * - an OperationRegion's offset and length must be integer constants or
 *   names of data objects declared before them (Name, or External of a
 *   non-method type), as in NVIDIA's root-port template; an expression or
 *   a method call there makes the table unreadable;
 * - the table checksum is not verified (the kernel already loaded them).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ga-ctx.h"

/* The largest table ga_acpi_read_tables accepts (real DSDTs are well under 1 MiB). */
#define GA_ACPI_TABLE_MAX ((size_t)16 << 20)

/* One whole table, including its 36-byte header; name as sysfs spells it ("SSDT1"). */
struct ga_acpi_table {
	char name[16];
	unsigned char *data;
	size_t len;
};

/*
 * The properties, as encoded in the table.
 *
 * Integer width: with a DSDT of revision 0 or 1, ACPICA cuts every integer
 * of every table to its low 32 bits (Ones is then 0xFFFFFFFF); an SSDT's own
 * revision does not matter. This reader returns the value as encoded (Ones
 * as UINT64_MAX) and sets ints_32bit when the DSDT's revision (the table's
 * own when tables holds no DSDT) is below 2, so the caller can tell which
 * values the kernel saw cut. Grace firmware uses revision 2 (64-bit).
 */
struct ga_acpi_gpu_mem {
	bool has_base, has_size, has_pxm_start, has_pxm_count;
	uint64_t base_pa, size, pxm_start, pxm_count;
	bool has_dev_props;        /* the _DSD has a device-properties (daffd814-...) package */
	bool ints_32bit;           /* integers are 32-bit on this host: see above */
	uint8_t table_revision;    /* the revision that decides it (the DSDT's) */
	char table[16];            /* the table the _DSD was found in, e.g. "SSDT1" */
};

/*
 * Find the Device at the absolute ACPI path (as sysfs firmware_node/path prints
 * it: "\_SB_.PCI9.RP00.GPU0"; segments shorter than four characters are padded
 * with '_') in tables and read its static _DSD device properties
 * "nvidia,gpu-mem-base-pa", "nvidia,gpu-mem-size", "nvidia,gpu-mem-pxm-start"
 * and "nvidia,gpu-mem-pxm-count".
 *
 * Every table is searched, so a _DSD added by an SSDT's Scope() to a device
 * of the DSDT is found. When several device-properties packages carry the same
 * key, the first one counts (as in Linux). A known key whose value is not an
 * integer is left out (has_* false).
 *
 * Returns 0 when a _DSD package was found (any property may still be missing:
 * see has_*); -ENOENT when no table defines the device with a static _DSD (not
 * defined, no _DSD, or the _DSD is a Method), with a message saying which;
 * -EINVAL for a bad path, or when a table is malformed or holds something this
 * reader cannot skip and no other table had the _DSD (message names the table
 * and the byte offset).
 */
int ga_acpi_find_gpu_mem(struct ga_ctx *ctx, const struct ga_acpi_table *tables, size_t ntables,
			 const char *path, struct ga_acpi_gpu_mem *out);

/*
 * Read DSDT and every SSDT* from <sysfs root>/firmware/acpi/tables through
 * ga-sysfs (GA_SYSFS_ROOT points it at a fixture tree). DSDT comes first.
 * -EACCES/-EPERM ("reading ACPI tables needs root") when a table is not
 * readable, -ENOENT when the directory or the DSDT is missing, -EFBIG for a
 * table larger than GA_ACPI_TABLE_MAX. Free with ga_acpi_tables_free().
 */
int ga_acpi_read_tables(struct ga_ctx *ctx, struct ga_acpi_table **tables, size_t *ntables);
void ga_acpi_tables_free(struct ga_acpi_table *tables, size_t ntables);

/* ga_acpi_read_tables + ga_acpi_find_gpu_mem. */
int ga_acpi_gpu_mem(struct ga_ctx *ctx, const char *path, struct ga_acpi_gpu_mem *out);
