"""Who may see what: row scopes applied in source queries, field rules applied in one place."""
