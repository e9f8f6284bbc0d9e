// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the state files (bindings, journal). Whatever a parser
 * accepts must format to text that parses again and formats to the same
 * text (a version-1 file becomes version 2 on the first round); whatever it
 * refuses must come with a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_refusal(struct ga_ctx *ctx, int r)
{
	if ((r != -GA_E_PARSE && r != -GA_E_UNSUPPORTED && r != -ENOMEM) || !ga_last_error(ctx)->message[0])
		abort();
}

static void bindings_round(struct ga_ctx *ctx, const char *text)
{
	struct ga_bindings b, b2;
	char *once, *twice;
	int r = ga_bindings_parse(ctx, text, &b);

	if (r < 0) {
		check_refusal(ctx, r);
		return;
	}
	once = ga_bindings_format(&b);
	if (!once || ga_bindings_parse(ctx, once, &b2) < 0 || b2.n != b.n)
		abort();
	twice = ga_bindings_format(&b2);
	if (!twice || strcmp(once, twice))
		abort();
	free(once);
	free(twice);
	ga_bindings_clear(&b);
	ga_bindings_clear(&b2);
}

static void journal_round(struct ga_ctx *ctx, const char *text)
{
	struct ga_journal j, j2;
	char *once, *twice;
	int r = ga_journal_parse(ctx, text, &j);

	if (r < 0) {
		check_refusal(ctx, r);
		return;
	}
	once = ga_journal_format(&j);
	if (!once || ga_journal_parse(ctx, once, &j2) < 0 || j2.n != j.n)
		abort();
	if (j.bindings.existed && (!j2.bindings.content || strcmp(j.bindings.content, j2.bindings.content)))
		abort();
	if (j.rules.existed && (!j2.rules.content || strcmp(j.rules.content, j2.rules.content)))
		abort();
	twice = ga_journal_format(&j2);
	if (!twice || strcmp(once, twice))
		abort();
	free(once);
	free(twice);
	ga_journal_clear(&j);
	ga_journal_clear(&j2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ga_ctx *ctx;
	char *text;

	if (!ctx && ga_ctx_new(&ctx) < 0)
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	bindings_round(ctx, text);
	journal_round(ctx, text);
	free(text);
	return 0;
}
