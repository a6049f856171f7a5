"""Who may do what: agencies, roles, permissions and the actor behind each request."""
