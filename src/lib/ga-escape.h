/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Control characters out of every message and log line: a value that came
 * from outside (a domain or Nova instance name, a file's content) must not
 * start a new line in a log, a terminal or syslog. Libc only (the hook's
 * front end links it without the library).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/*
 * Copy src into dst (size bytes, always NUL-terminated, never ending in half
 * an escape), writing each byte below 0x20 and 0x7f (DEL) as \n, \r, \t or
 * \xNN. Other bytes, UTF-8 included, pass unchanged; text without control
 * characters comes out as it went in (escaping twice changes nothing).
 * dst and src may not overlap. Returns the length of dst.
 */
size_t ga_escape_ctrl(char *dst, size_t size, const char *src);

/* printf into dst (size bytes), then the same escaping: one line whatever the arguments hold. */
size_t ga_escape_vformat(char *dst, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
