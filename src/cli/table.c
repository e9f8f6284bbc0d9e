// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

int table_init(struct table *t, const char *const *header)
{
	memset(t, 0, sizeof(*t));
	while (header[t->ncols])
		t->ncols++;
	t->widths = calloc(t->ncols, sizeof(*t->widths));
	if (!t->widths)
		return -ENOMEM;
	return table_add(t, header);
}

int table_add(struct table *t, const char *const *cells)
{
	char **grown = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	t->cells = grown;
	for (size_t c = 0; c < t->ncols; c++) {
		char *copy = strdup(cells[c] ? cells[c] : "");
		size_t len;

		if (!copy) {
			for (size_t k = 0; k < c; k++)
				free(t->cells[t->nrows * t->ncols + k]);
			return -ENOMEM;
		}
		t->cells[t->nrows * t->ncols + c] = copy;
		len = strlen(copy);
		if (len > t->widths[c])
			t->widths[c] = len;
	}
	t->nrows++;
	return 0;
}

void table_print(const struct table *t, FILE *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			if (c + 1 == t->ncols)
				fprintf(out, "%s\n", cell);
			else
				fprintf(out, "%-*s  ", (int)t->widths[c], cell);
		}
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->widths);
	memset(t, 0, sizeof(*t));
}
