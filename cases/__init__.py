"""精品调解案例库: the case schema, its loaders, its search documents and its queries."""
