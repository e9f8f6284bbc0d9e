// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "ga-escape.h"

size_t ga_escape_ctrl(char *dst, size_t size, const char *src)
{
	size_t len = 0;

	if (!size)
		return 0;
	for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
		char esc[5];
		size_t n;

		if (*s >= 0x20 && *s != 0x7f) {
			esc[0] = (char)*s;
			n = 1;
		} else if (*s == '\n' || *s == '\r' || *s == '\t') {
			esc[0] = '\\';
			esc[1] = *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't';
			n = 2;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = 4;
		}
		if (len + n >= size)
			break;
		for (size_t i = 0; i < n; i++)
			dst[len++] = esc[i];
	}
	dst[len] = '\0';
	return len;
}

size_t ga_escape_vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
	char raw[4096];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	return ga_escape_ctrl(dst, size, raw);
}
