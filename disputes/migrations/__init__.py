"""Alembic migrations of the dispute register; applied by :func:`disputes.database.upgrade`."""
