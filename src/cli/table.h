/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text tables whose columns fit their widest cell. */
#pragma once

#include <stddef.h>
#include <stdio.h>

struct table {
	size_t ncols;
	size_t nrows;
	char **cells;   /* nrows * ncols, row-major, row 0 is the header */
	size_t *widths;
};

/* Start a table with its header: a NULL-terminated list of column titles. */
int table_init(struct table *t, const char *const *header);
/* Add a row of exactly ncols cells (copied). Returns -ENOMEM on failure. */
int table_add(struct table *t, const char *const *cells);
/* Print with two spaces between columns; the last column is not padded. */
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);
