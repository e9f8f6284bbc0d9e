# SPDX-License-Identifier: LGPL-2.1-or-later
# GA_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Try to compile an empty program with FLAG added to CFLAGS.
AC_DEFUN([GA_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([ga_var], [ga_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [ga_var], [
    ga_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([ga_var], [yes])], [AS_VAR_SET([ga_var], [no])])
    CFLAGS=$ga_save_CFLAGS])
  AS_VAR_IF([ga_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([ga_var])
])
