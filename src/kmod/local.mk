# src/kmod: rules added by its issue
