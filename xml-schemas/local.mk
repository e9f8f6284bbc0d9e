# xml-schemas: rules added by its issue
