"""Revisions, oldest first: 0001 base schema, 0002 parties in their own table, 0003 listing indexes."""
