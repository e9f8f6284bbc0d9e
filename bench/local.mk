# bench: rules added by its issue
