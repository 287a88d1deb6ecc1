"""Training materials: schema, loading, indexing (one document per section), search and courses."""
