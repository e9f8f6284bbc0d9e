// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the PCI address parser. Whatever it accepts must format
 * back to a canonical address that parses to the same value; whatever it
 * refuses must come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ga-ctx.h"
#include "ga-pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ga_ctx *ctx;
	struct ga_pci_addr a, b;
	char buf[GA_PCI_ADDR_STRLEN];
	char *str;
	int r;

	if (!ctx && ga_ctx_new(&ctx) < 0)
		abort();
	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	r = ga_pci_addr_parse(ctx, str, &a);
	/* the strict form is a subset of what an operator may type */
	if (ga_pci_addr_valid(str, &b) && (r != 0 || !ga_pci_addr_equal(&a, &b)))
		abort();
	if (r == 0) {
		ga_pci_addr_format(&a, buf);
		if (!ga_pci_addr_valid(buf, &b) || !ga_pci_addr_equal(&a, &b) || strlen(buf) != 12)
			abort();
	} else if (r != -GA_E_PARSE || !ga_last_error(ctx)->message[0]) {
		abort();
	}
	free(str);
	return 0;
}
