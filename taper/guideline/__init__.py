"""Rule files: format (model), strict loading, registry and semantic checks."""
