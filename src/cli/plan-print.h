/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two renderings of a plan for `gpu-assign plan`: a text summary and JSON. */
#pragma once

#include "ga-prepare.h"

void plan_print_text(const struct ga_prepared *p);
/* places: where the domain XML puts each GPU (NULL: unknown, the build failed) */
void plan_print_json(const struct ga_prepared *p, const struct ga_domxml_place *places);
