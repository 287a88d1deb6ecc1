"""The indexer: loads a library folder into the search store."""
