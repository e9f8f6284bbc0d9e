# SPDX-License-Identifier: LGPL-2.1-or-later
# issue 14 (nova): the Nova extension, installed as $(pkgdatadir)/nova/ (the
# hook's refusal of a Nova instance names its apply script there).
novaextdir = $(pkgdatadir)/nova
dist_novaext_DATA = contrib/nova/nova_gpu_assign.py contrib/nova/nova-34.0.0.patch contrib/nova/README.md
dist_novaext_SCRIPTS = contrib/nova/apply
