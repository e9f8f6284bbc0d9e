dist_man_MANS += man/gpu-assign.1
