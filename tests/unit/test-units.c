// SPDX-License-Identifier: LGPL-2.1-or-later
/* ga-units: every unit of each vocabulary, overflow, blanks, garbage, and the formatters. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-units.h"
#include "test-common.h"

#define KIB 1024ULL

static void test_libvirt(void)
{
	static const struct {
		const char *value, *unit;
		int r;
		uint64_t kib;
	} cases[] = {
		/* every unit of libvirt's, any case; no unit is KiB */
		{ "4", NULL, 0, 4 }, { "4", "", 0, 4 },
		{ "2048", "b", 0, 2 }, { "2048", "byte", 0, 2 }, { "2048", "bytes", 0, 2 }, { "2048", "B", 0, 2 },
		{ "3", "k", 0, 3 }, { "3", "K", 0, 3 }, { "3", "KiB", 0, 3 }, { "3", "kib", 0, 3 },
		{ "1024", "KB", 0, 1000 }, { "1024", "kb", 0, 1000 },
		{ "3", "M", 0, 3 * KIB }, { "3", "m", 0, 3 * KIB }, { "3", "MiB", 0, 3 * KIB }, { "1024", "MB", 0, 1000000 },
		{ "3", "G", 0, 3 * KIB * KIB }, { "3", "GiB", 0, 3 * KIB * KIB }, { "1", "GB", 0, 976563 },
		{ "3", "T", 0, 3ULL << 30 }, { "3", "TiB", 0, 3ULL << 30 }, { "1", "TB", 0, 976562500 },
		{ "3", "P", 0, 3ULL << 40 }, { "3", "PiB", 0, 3ULL << 40 }, { "1", "PB", 0, 976562500000ULL },
		{ "3", "E", 0, 3ULL << 50 }, { "3", "EiB", 0, 3ULL << 50 }, { "1", "EB", 0, 976562500000000ULL },
		/* bytes round up to whole KiB, as libvirt does */
		{ "1", "b", 0, 1 }, { "1025", "bytes", 0, 2 }, { "1", "KB", 0, 1 }, { "0", "b", 0, 0 },
		/* overflow: the size in bytes must fit in 64 bits */
		{ "15", "EiB", 0, 15ULL << 50 }, { "16", "EiB", -ERANGE, 0 }, { "18", "EB", 0, 17578125000000000ULL },
		{ "19", "EB", -ERANGE, 0 }, { "18014398509481984", "KiB", -ERANGE, 0 },
		{ "18446744073709551615", "b", 0, 18014398509481984ULL }, { "18446744073709551616", "b", -ERANGE, 0 },
		/* blanks: none anywhere (the XML reader trims) */
		{ " 4", NULL, -EINVAL, 0 }, { "4 ", NULL, -EINVAL, 0 }, { "4\n", NULL, -EINVAL, 0 },
		{ "4", " KiB", -EINVAL, 0 }, { "4", "KiB ", -EINVAL, 0 },
		/* garbage */
		{ NULL, NULL, -EINVAL, 0 }, { "", NULL, -EINVAL, 0 }, { "-4", NULL, -EINVAL, 0 }, { "+4", NULL, -EINVAL, 0 },
		{ "1.5", "GiB", -EINVAL, 0 }, { "0x10", NULL, -EINVAL, 0 }, { "4G", NULL, -EINVAL, 0 },
		{ "4", "parsecs", -EINVAL, 0 }, { "4", "KiBB", -EINVAL, 0 }, { "4", "iB", -EINVAL, 0 },
		{ "4", "Z", -EINVAL, 0 }, { "4", "kB1", -EINVAL, 0 }, { "4", "bit", -EINVAL, 0 },
	};

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		uint64_t kib = 12345;
		int r = ga_size_parse_libvirt(cases[i].value, cases[i].unit, &kib);

		if (r != cases[i].r || (r == 0 && kib != cases[i].kib))
			fprintf(stderr, "\ncase %zu '%s' '%s': %d, %" PRIu64 " KiB\n", i, cases[i].value ? cases[i].value : "(null)",
				cases[i].unit ? cases[i].unit : "(null)", r, kib);
		CU_ASSERT_EQUAL(r, cases[i].r);
		if (cases[i].r == 0)
			CU_ASSERT_EQUAL(kib, cases[i].kib);
	}
}

static void test_qemu(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t bytes;
	} cases[] = {
		{ "4096", 0, 4096 }, { "2b", 0, 2 }, { "2B", 0, 2 }, { "64k", 0, 64 * KIB }, { "64K", 0, 64 * KIB },
		{ "3m", 0, 3ULL << 20 }, { "3M", 0, 3ULL << 20 }, { "512g", 0, 512ULL << 30 }, { "512G", 0, 512ULL << 30 },
		{ "1t", 0, 1ULL << 40 }, { "1T", 0, 1ULL << 40 }, { "2p", 0, 2ULL << 50 }, { "2P", 0, 2ULL << 50 },
		{ "15e", 0, 15ULL << 60 }, { "15E", 0, 15ULL << 60 },
		{ "16E", -ERANGE, 0 }, { "99999999999999999999", -ERANGE, 0 }, { "18446744073709551615", 0, UINT64_MAX },
		{ " 1G", -EINVAL, 0 }, { "1G ", -EINVAL, 0 }, { "1 G", -EINVAL, 0 },
		{ NULL, -EINVAL, 0 }, { "", -EINVAL, 0 }, { "G", -EINVAL, 0 }, { "1X", -EINVAL, 0 }, { "1GG", -EINVAL, 0 },
		{ "1GiB", -EINVAL, 0 }, { "1GB", -EINVAL, 0 }, { "1bytes", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 },
	};

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;
		int r = ga_size_parse_qemu(cases[i].in, &v);

		if (r != cases[i].r)
			fprintf(stderr, "\ncase %zu '%s': %d\n", i, cases[i].in ? cases[i].in : "(null)", r);
		CU_ASSERT_EQUAL(r, cases[i].r);
		if (cases[i].r == 0)
			CU_ASSERT_EQUAL(v, cases[i].bytes);
	}
}

static void test_cli(void)
{
	static const char expected[] =
		"expected a number with an optional unit K, M, G or T (binary; a bare number means MiB), e.g. '64G'";
	static const struct {
		const char *in;
		uint64_t kib; /* 0: refused with msg */
		const char *msg;
	} cases[] = {
		{ "64", 64 * KIB, NULL }, { "3b", 0, "not a whole number of KiB" }, { "2048B", 2, NULL },
		{ "5k", 5, NULL }, { "5KiB", 5, NULL }, { "5m", 5 * KIB, NULL }, { "5MIB", 5 * KIB, NULL },
		{ "5G", 5 * KIB * KIB, NULL }, { "5gib", 5 * KIB * KIB, NULL }, { "5t", 5ULL << 30, NULL },
		{ "5TiB", 5ULL << 30, NULL },
		/* decimal and larger units are not for the command line */
		{ "5GB", 0, expected }, { "5P", 0, expected }, { "5bytes", 0, expected },
		{ "0", 0, "it must be larger than 0" }, { "0G", 0, "it must be larger than 0" },
		{ "16777215T", 16777215ULL << 30, NULL }, { "16777216T", 0, "too large" },
		{ "99999999999999999999", 0, expected },
		{ " 64G", 0, expected }, { "64G ", 0, expected }, { "64 G", 0, expected },
		{ "", 0, expected }, { "-1G", 0, expected }, { "1.5G", 0, expected }, { "64X", 0, expected },
	};
	struct ga_ctx *ctx;

	CU_ASSERT_FATAL(ga_ctx_new(&ctx) == 0);
	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		uint64_t kib = 0;
		int r = ga_size_parse(ctx, cases[i].in, &kib);
		char msg[512];

		if (cases[i].kib) {
			CU_ASSERT_EQUAL(r, 0);
			CU_ASSERT_EQUAL(kib, cases[i].kib);
			continue;
		}
		CU_ASSERT_EQUAL(r, -GA_E_PARSE);
		snprintf(msg, sizeof(msg), "invalid memory size '%s': %s", cases[i].in, cases[i].msg);
		if (strcmp(ga_last_error(ctx)->message, msg))
			fprintf(stderr, "\ncase %zu: '%s'\n", i, ga_last_error(ctx)->message);
		CU_ASSERT_STRING_EQUAL(ga_last_error(ctx)->message, msg);
	}
	CU_ASSERT_EQUAL(ga_size_parse(ctx, NULL, &(uint64_t){ 0 }), -GA_E_PARSE);
	ga_ctx_free(ctx);
}

/* src/cli/cmd-plan.c's human() as it was when ga_size_format_human took its place: the reference. */
static char *reference_human(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u + 1 < GA_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, size, "%" PRIu64 " %s", (uint64_t)v, units[u]);
	else
		snprintf(buf, size, "%.2f %s", v, units[u]);
	return buf;
}

static void test_format(void)
{
	static const struct {
		uint64_t bytes;
		const char *exact, *human, *qemu;
	} cases[] = {
		{ 1, "1 B", "1 B", "1" },
		{ 1000, "1000 B", "1000 B", "1000" },
		{ 1023, "1023 B", "1023 B", "1023" },
		{ 1024, "1 KiB", "1 KiB", "1K" },
		{ 1025, "1025 B", "1.00 KiB", "1025" },
		{ 1536, "1536 B", "1.50 KiB", "1536" },
		{ 2048, "2 KiB", "2 KiB", "2K" },
		{ 1536ULL << 20, "1536 MiB", "1.50 GiB", "1536M" },
		{ 64ULL << 30, "64 GiB", "64 GiB", "64G" },
		{ 768ULL << 30, "768 GiB", "768 GiB", "768G" },
		{ 1ULL << 40, "1 TiB", "1 TiB", "1T" },
		{ 3ULL << 50, "3 PiB", "3 PiB", "3P" },
		{ 1ULL << 60, "1024 PiB", "1024 PiB", "1E" },
		{ (1ULL << 40) + 4096, "1073741828 KiB", "1.00 TiB", "1073741828K" },
		{ UINT64_MAX, "18446744073709551615 B", "16384 PiB", "18446744073709551615" },
	};
	char buf[64], ref[64];

	for (size_t i = 0; i < GA_ARRAY_SIZE(cases); i++) {
		CU_ASSERT_STRING_EQUAL(ga_size_format_exact(cases[i].bytes, buf, sizeof(buf)), cases[i].exact);
		CU_ASSERT_STRING_EQUAL(ga_size_format_human(cases[i].bytes, buf, sizeof(buf)), cases[i].human);
		CU_ASSERT_STRING_EQUAL(ga_size_format_qemu(cases[i].bytes, buf, sizeof(buf)), cases[i].qemu);
	}
	CU_ASSERT_STRING_EQUAL(ga_size_format_exact(0, buf, sizeof(buf)), "0 B");
	CU_ASSERT_STRING_EQUAL(ga_size_format_human(0, buf, sizeof(buf)), "0 B");
	/* the human style is cmd-plan's human(), value for value */
	for (uint64_t b = 1; b && b < UINT64_MAX / 3; b = b * 3 + 7) {
		for (int d = -2; d <= 2; d++) {
			uint64_t v = b + (uint64_t)d;

			ga_size_format_human(v, buf, sizeof(buf));
			reference_human(v, ref, sizeof(ref));
			if (strcmp(buf, ref))
				fprintf(stderr, "\n%" PRIu64 ": '%s', human() '%s'\n", v, buf, ref);
			CU_ASSERT_STRING_EQUAL(buf, ref);
		}
	}
	for (unsigned s = 0; s < 64; s++) {
		uint64_t v = 1ULL << s;

		CU_ASSERT_STRING_EQUAL(ga_size_format_human(v, buf, sizeof(buf)), reference_human(v, ref, sizeof(ref)));
		CU_ASSERT_STRING_EQUAL(ga_size_format_human(v * 3 / 2, buf, sizeof(buf)),
				       reference_human(v * 3 / 2, ref, sizeof(ref)));
	}
}

/* What is written in one style reads back in the matching vocabulary. */
static void test_round_trip(void)
{
	static const uint64_t sizes[] = { 1, 1536, 1ULL << 20, 768ULL << 30, 1ULL << 40, (1ULL << 40) + 4096, 7ULL << 60 };
	char buf[64];

	for (size_t i = 0; i < GA_ARRAY_SIZE(sizes); i++) {
		uint64_t back = 0;

		CU_ASSERT_EQUAL(ga_size_parse_qemu(ga_size_format_qemu(sizes[i], buf, sizeof(buf)), &back), 0);
		CU_ASSERT_EQUAL(back, sizes[i]);
	}
}

static const struct test_case cases[] = {
	{ "libvirt's memory units", test_libvirt },
	{ "QEMU sizes", test_qemu },
	{ "command-line sizes", test_cli },
	{ "the three formatters", test_format },
	{ "QEMU round trip", test_round_trip },
	{ NULL, NULL },
};

TEST_MAIN("ga-units", cases)
