# SPDX-License-Identifier: LGPL-2.1-or-later
dist_man_MANS += man/gpu-assign.1
dist_man_MANS += man/gpu-assign.conf.5 man/gpu-assign-hook.8
