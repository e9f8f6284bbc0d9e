# xml-schemas: RelaxNG for what gpu-assign emits (issue 3) and for the
# configuration file (compiled into the library by src/lib/local.mk too).
dist_pkgdata_DATA += xml-schemas/gpu-assign-domain.rng xml-schemas/gpu-assign-conf.rng
