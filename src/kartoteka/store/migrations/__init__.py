"""Alembic migrations of the kartoteka store (run by kartoteka.store.open_store)."""
