# SPDX-License-Identifier: LGPL-2.1-or-later
# xml-schemas: RelaxNG for what gpu-assign emits (issue 3) and for the
# configuration file (compiled into the library by src/lib/local.mk too).
dist_pkgdata_DATA += xml-schemas/gpu-assign-domain.rng xml-schemas/gpu-assign-conf.rng

# The JSON Schemas of the --json documents (issue 11), installed beside them.
dist_pkgdata_DATA += json-schemas/gpu-assign-list.schema.json json-schemas/gpu-assign-show.schema.json \
	json-schemas/gpu-assign-status.schema.json json-schemas/gpu-assign-plan.schema.json \
	json-schemas/gpu-assign-nova-config.schema.json
