# hooks: rules added by its issue
