/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sizes: one grammar, three vocabularies, two ways to print.
 *
 * Every size is DIGITS[SUFFIX]: a decimal number (no sign, no blanks, no
 * fraction) followed at once by an optional unit. Blanks are refused
 * everywhere; a value read from XML is trimmed by the reader first (see
 * ga_xml_text). What differs between callers is only the unit vocabulary:
 *
 *   libvirt  (domain XML, a unit attribute apart from the number)
 *            b, byte, bytes; k, KiB, KB; M, MiB, MB; G, GiB, GB; T, TiB, TB;
 *            P, PiB, PB; E, EiB, EB; case-insensitive, "xB" is decimal
 *            (1000^n), "x" and "xiB" binary; no unit means KiB. Like libvirt,
 *            bytes round up to whole KiB.
 *   qemu     (QEMU's -machine highmem-mmio-size=...) k, M, G, T, P, E (binary,
 *            case-insensitive), b; no unit means bytes.
 *   cli      (--memory) K, KiB, M, MiB, G, GiB, T, TiB (binary,
 *            case-insensitive), B; no unit means MiB. Decimal units are
 *            refused: "64GB" is ambiguous on a command line.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ga-ctx.h"

/*
 * A libvirt memory size (value and its unit attribute, unit NULL meaning
 * KiB) in KiB. -EINVAL for a malformed value or an unknown unit, -ERANGE
 * when the size in bytes does not fit in 64 bits. Nothing reported.
 */
int ga_size_parse_libvirt(const char *value, const char *unit, uint64_t *kib);

/* A QEMU size ("512G", "1T", "1099511627776", "64k") in bytes; -EINVAL / -ERANGE. */
int ga_size_parse_qemu(const char *str, uint64_t *bytes);

/*
 * A memory size from the command line in KiB: the cli vocabulary, a bare
 * number meaning MiB. Must be > 0, a whole number of KiB and at most 2^54
 * KiB. Reports a GA_E_PARSE that names the expected form.
 */
int ga_size_parse(struct ga_ctx *ctx, const char *str, uint64_t *kib);

/* Exact style: the largest binary unit that divides bytes ("1536 MiB", "4 KiB", "1000 B"). */
char *ga_size_format_exact(uint64_t bytes, char *buf, size_t size);

/* Human style: scaled below 1024, two decimals unless whole ("1.50 GiB", "64 GiB"). */
char *ga_size_format_human(uint64_t bytes, char *buf, size_t size);

/* QEMU style: the largest unit letter that divides bytes ("1T", "768G", "2K", "1536"). */
char *ga_size_format_qemu(uint64_t bytes, char *buf, size_t size);
