/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared scaffolding for the CUnit suites: one runner, a temp-dir fixture. */
#pragma once

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdbool.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

/* Run one suite of cases, print CUnit's summary, return the exit status. */
int test_run_suite(const char *suite, const struct test_case *cases);

/* A fresh temporary directory (removed by test_tmpdir_remove). */
char *test_tmpdir_new(void);
void test_tmpdir_remove(char *dir);

/* Write a file (creating parent directories) / a symlink under dir. */
void test_write_file(const char *dir, const char *rel, const char *content);
void test_symlink(const char *dir, const char *rel, const char *target);

/* Path of a file in the source tree's tests/ directory ($srcdir aware). */
char *test_srcpath(const char *rel);

#define TEST_MAIN(suite, cases) \
	int main(void) { return test_run_suite(suite, cases); }
